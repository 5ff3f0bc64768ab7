package codex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/ingest/spec"
	"github.com/aitrail/aitrail/store"
)

// Dirs returns the directories holding Codex rollouts: sessions/ and
// archived_sessions/ under $CODEX_HOME, else under ~/.codex.
func Dirs(getenv func(string) string, home string) []string {
	root := getenv("CODEX_HOME")
	if root == "" {
		root = canon.Join(home, ".codex")
	}
	return HomeDirs(root)
}

// HomeDirs returns the rollout directories under a Codex home given
// explicitly.
func HomeDirs(root string) []string {
	return []string{canon.Join(root, "sessions"), canon.Join(root, "archived_sessions")}
}

// Match reports whether rel, a slash-separated path relative to a scanned
// directory, is a rollout: rollout-*.jsonl at any depth (sessions/YYYY/MM/DD/
// and the flat archived_sessions/), or a TypeScript codex-cli rollout-*.json
// at the top.
func Match(rel string) bool {
	name := path.Base(rel)
	if !strings.HasPrefix(name, "rollout-") {
		return false
	}
	return strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".json") && !strings.Contains(rel, "/")
}

// Whole reports whether a rollout is rewritten whole rather than appended
// to: the single-JSON files of the TypeScript codex-cli.
func Whole(p string) bool { return strings.HasSuffix(p, ".json") }

// Decoder decodes the lines of one rollout into store records. It
// implements ingest.Decoder.
type Decoder struct {
	pathID string // session id taken from the file name, until session_meta gives one
	st     state
	out    func(store.Record)
	ln     lineCtx
}

// lineCtx is what the records of the line being decoded share.
type lineCtx struct {
	key    string    // "L<line>", or "I<item>" for the items of a G0 file
	n      int       // records keyed from this line so far
	t      time.Time // the line's time, or the last one seen
	parsed bool      // t is the line's own timestamp
	ts     string    // the line's raw timestamp, "" when it has none
}

// New returns a decoder for the rollout at path, resuming after the lines
// decoded when state was taken (nil for the start of the file).
func New(p string, state []byte) (*Decoder, error) {
	d := &Decoder{pathID: idFromPath(p)}
	ok, err := spec.RestoreState("codex", state, &d.st, &d.st.V, stateVersion)
	if err != nil {
		return nil, err
	}
	if !ok {
		d.st = newState(d.pathID)
	}
	return d, nil
}

func newState(id string) state { return state{V: stateVersion, Session: id} }

// State returns the decoder's state, to resume after the last line given.
func (d *Decoder) State() ([]byte, error) { return json.Marshal(d.st) }

// fileUUID is the id at the end of a rollout file name.
var fileUUID = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// fileStamp is the creation time in a rollout file name.
var fileStamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(T\d{2}-\d{2}-\d{2})?-`)

// idFromPath returns the session id a rollout's name holds, used only for
// records that come before any session_meta.
func idFromPath(p string) string {
	name := p[strings.LastIndexAny(p, `/\`)+1:]
	name = strings.TrimPrefix(name, "rollout-")
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".jsonl"), ".json")
	if id := fileUUID.FindString(name); id != "" {
		return id
	}
	return fileStamp.ReplaceAllString(name, "")
}

// Line decodes line number no of the rollout. It returns an error for a
// line that is not a JSON object; records of unknown types become
// store.Unknown.
func (d *Decoder) Line(no int, line []byte, emit func(store.Record)) error {
	off := d.st.Offset
	d.st.Offset += int64(len(line)) + 1
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 {
		return nil
	}
	if err := lenient.CheckObject(trimmed); err != nil {
		return err
	}
	var o obj
	if err := json.Unmarshal(trimmed, &o); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	d.out = emit
	defer func() { d.out = nil }()
	d.sniffSubagent(off, line)
	d.ln = lineCtx{key: "L" + strconv.Itoa(no), t: d.st.Last}

	if o.has("session") && o.has("items") && !o.has("type") {
		d.whole(o)
		return nil
	}
	if o.has("record_type") {
		return nil // a G1 state line
	}
	d.stamp(o["timestamp"])
	d.tokenClock()
	typ := o.str("type")
	_, envelope := o["payload"]
	switch {
	case envelope && typ != "":
		d.envelope(typ, o.obj("payload"))
	case typ != "":
		d.item(o) // a G1 bare response item
	case o.has("id"):
		d.meta(o) // a G1 bare SessionMeta
	default:
		d.unknown("unrecognized")
	}
	return nil
}

// stamp sets the line's time from its timestamp, or inherits the last one.
func (d *Decoder) stamp(raw json.RawMessage) {
	ts := strings.TrimSpace(lenient.String(raw))
	if ts == "" {
		if n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64); err == nil && n > 0 {
			// Epoch seconds or milliseconds, as ccusage accepts them.
			if n <= 10_000_000_000 {
				n *= 1000
			}
			d.ln.t, d.ln.parsed = time.UnixMilli(n).UTC(), true
			d.ln.ts = d.ln.t.Format(time.RFC3339Nano)
			d.st.Last = d.ln.t
		}
		return
	}
	d.ln.ts = ts
	if t, ok := parseTime(ts); ok {
		d.ln.t, d.ln.parsed = t, true
		d.st.Last = t
	}
}

// parseTime parses an RFC 3339 timestamp into UTC.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// envelope decodes a G2 line: {timestamp, type, payload}.
func (d *Decoder) envelope(typ string, p obj) {
	switch typ {
	case "session_meta":
		d.meta(p)
	case "turn_context":
		d.turnContext(p)
	case "response_item":
		d.item(p)
	case "event_msg":
		d.event(p)
	case "compacted":
		// replacement_history repeats the conversation so far: nothing of
		// it is new, only the summary is.
		if msg := strings.TrimSpace(p.str("message")); msg != "" {
			d.note(msg)
		}
	case "inter_agent_communication":
		if text := contentText(p["content"]); text != "" {
			d.note(text)
		} else if text := p.str("message"); text != "" {
			d.note(text)
		}
	case "world_state", "inter_agent_communication_metadata", "thread_state", "retained_context":
	default:
		d.unknown(typ)
	}
}

// emit sends one record. Records of the agent's own activity close the
// window in which a prompt's second copy may still come.
func (d *Decoder) emit(r store.Record) {
	switch r.(type) {
	case store.Message, store.ToolCall, store.ToolResult, store.FileEdit, store.Usage:
		d.activity()
	}
	if d.out != nil {
		d.out(r)
	}
}

// key returns a stable key for the next record of the line.
func (d *Decoder) key() string {
	d.ln.n++
	if d.ln.n == 1 {
		return d.ln.key
	}
	return d.ln.key + "." + strconv.Itoa(d.ln.n)
}

func (d *Decoder) unknown(typ string) {
	d.emit(store.Unknown{Session: d.st.Session, Type: typ})
}

func (d *Decoder) note(text string) {
	d.emit(store.Message{Session: d.st.Session, Prompt: d.st.Prompt, Key: d.key(), Time: d.ln.t,
		Kind: store.MessageSystem, Text: text})
}

// meta decodes a session_meta payload (or a G1 header, or a G0 session).
func (d *Decoder) meta(p obj) {
	id := strings.TrimSpace(p.str("id"))
	if d.st.Meta && id != "" && id != d.st.Session {
		// Another session's meta copied in with its history: a fork's or a
		// sub-agent's parent. It says nothing about this session.
		return
	}
	if !d.st.Meta {
		d.st.Meta = true
		if id != "" {
			d.st.Session = id
		}
	}
	s := store.Session{
		ID:           d.st.Session,
		Cwd:          p.str("cwd"),
		AgentVersion: p.str("cli_version"),
		Originator:   p.str("originator"),
		Title:        p.str("thread_name"),
		Model:        p.str("model"),
		Started:      d.ln.t,
		Ended:        d.ln.t,
	}
	if t, ok := parseTime(p.str("timestamp")); ok && (s.Started.IsZero() || t.Before(s.Started)) {
		s.Started = t
	}
	if s.Ended.IsZero() {
		s.Ended = s.Started
	}
	if d.st.Last.IsZero() {
		d.st.Last = s.Started
		d.ln.t = s.Started
	}
	if g := p.obj("git"); g != nil {
		s.GitCommit, s.GitBranch, s.GitRemote = g.str("commit_hash"), g.str("branch"), g.str("repository_url")
	}
	sub := p.obj("source").obj("subagent")
	switch {
	case sub.obj("thread_spawn").str("parent_thread_id") != "":
		s.ParentID, s.Relation = sub.obj("thread_spawn").str("parent_thread_id"), "subagent"
	case sub != nil && p.str("parent_thread_id") != "":
		s.ParentID, s.Relation = p.str("parent_thread_id"), "subagent"
	case p.str("forked_from_id") != "":
		s.ParentID, s.Relation = p.str("forked_from_id"), "fork"
	}
	if s.Cwd != "" && d.st.Cwd == "" {
		d.st.Cwd = s.Cwd
	}
	if s.Model != "" && d.st.Model == "" {
		d.st.Model = s.Model
	}
	d.emit(s)
}

// turnContext decodes a turn_context payload: the cwd, model and turn id
// that hold from here on.
func (d *Decoder) turnContext(p obj) {
	if cwd := strings.TrimSpace(p.str("cwd")); cwd != "" {
		d.st.Cwd = cwd
	}
	if id := p.str("turn_id"); id != "" {
		d.st.Turn = id
	}
	if m := modelOf(p); m != "" {
		d.st.Tok.Model = m
		if m != d.st.Model {
			d.st.Model = m
			d.emit(store.Session{ID: d.st.Session, Model: m})
		}
	}
	d.settle()
}

// whole decodes a TypeScript codex-cli rollout (G0): one JSON document
// {"session":{timestamp,id,instructions},"items":[…]} holding Responses API
// items without timestamps. Items are keyed "I<index>", which stays stable
// as the file is rewritten with more items.
func (d *Decoder) whole(o obj) {
	s := o.obj("session")
	d.stamp(s["timestamp"])
	d.meta(s)
	for i, raw := range o.arr("items") {
		it, ok := parseObj(raw)
		if !ok {
			continue
		}
		d.ln.key, d.ln.n = "I"+strconv.Itoa(i), 0
		d.item(it)
	}
}

// Near returns the day directories below dir (sessions/ of a Codex home)
// where the rollouts of new sessions are: Codex keeps a rollout in the
// directory of the day its session started (sessions/YYYY/MM/DD, local
// time), whatever its working directory; today's and the day before's.
// Archived sessions are over: none below archived_sessions/.
func Near(dir string, _ []string) []string {
	out := []string{}
	if filepath.Base(dir) == "archived_sessions" {
		return out
	}
	now := time.Now()
	for _, t := range []time.Time{now, now.UTC(), now.AddDate(0, 0, -1), now.UTC().AddDate(0, 0, -1)} {
		d := filepath.Join(dir, t.Format("2006"), t.Format("01"), t.Format("02"))
		if _, err := os.Stat(d); err == nil && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}
