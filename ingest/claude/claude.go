package claude

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/ingest/spec"
	"github.com/aitrail/aitrail/store"
)

// Decoder decodes the lines of one Claude Code transcript into store
// records. It implements ingest.Decoder.
type Decoder struct {
	file fileInfo
	st   state
}

// New returns a decoder for the transcript at path, resuming after the
// lines decoded when state was taken (nil for the start of the file).
func New(path string, state []byte) (*Decoder, error) {
	d := &Decoder{file: parsePath(path)}
	d.st.V = stateVersion
	if _, err := spec.RestoreState("claude", state, &d.st, &d.st.V, stateVersion); err != nil {
		return nil, err
	}
	return d, nil
}

// State returns what the decoder must remember to resume after the last
// line it was given.
func (d *Decoder) State() ([]byte, error) {
	return json.Marshal(&d.st)
}

// quiet lists the line types that carry nothing aitrail records: they are
// consumed without a record (their raw line is stored by the pipeline).
var quiet = map[string]bool{
	"queue-operation":       true,
	"file-history-snapshot": true,
	"file-history-delta":    true,
	"attachment":            true,
	"permission-mode":       true,
	"last-prompt":           true,
	"worktree-state":        true,
	"progress":              true,
	"mode":                  true,
	"agent-name":            true,
	"frame-link":            true,
	"relocated":             true,
	"bridge-session":        true,
}

// lineCtx is what the records of the line being decoded share.
type lineCtx struct {
	no        int
	l         *rawLine
	session   string // the session the line belongs to
	parent    string // its parent, for sub-agent sessions
	sub       bool   // the session is a sub-agent's
	sidechain bool   // the line's own isSidechain
	cwd       string
	t         time.Time // the line's time, or the last one seen
	tsOK      bool      // t is the line's own, parseable timestamp
	emit      func(store.Record)
}

// key returns a stable record key for block i of the line ("<uuid>#<i>"),
// or for the whole line when i < 0; lines without a uuid use "L<line>".
func (c *lineCtx) key(i int) string {
	k := c.l.UUID
	if k == "" {
		k = "L" + strconv.Itoa(c.no)
	}
	if i >= 0 {
		k += "#" + strconv.Itoa(i)
	}
	return k
}

// Line decodes line no of the transcript.
func (d *Decoder) Line(no int, line []byte, emit func(store.Record)) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	if err := lenient.CheckObject(line); err != nil {
		return err
	}
	var l rawLine
	if err := lenient.Unmarshal(line, &l); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	c := &lineCtx{no: no, l: &l, emit: emit}
	c.t, c.tsOK = d.lineTime(l.Timestamp)
	c.sidechain, _ = boolean(l.IsSidechain)
	c.cwd = lenient.String(l.Cwd)
	c.session, c.parent, c.sub = d.sessionOf(&l, c.sidechain)

	var msg rawMessage
	if lenient.Kind(l.Message) == '{' {
		_ = lenient.Unmarshal(l.Message, &msg)
	}

	switch l.Type {
	case "user":
		d.announce(c)
		d.user(c, &msg)
	case "assistant":
		d.announce(c)
		d.assistant(c, &msg)
	case "system":
		d.announce(c)
		d.system(c)
	case "summary":
		// A summary titles the branch ending at leafUuid, usually of an
		// earlier session; Claude Code copies them to the top of later
		// files. It titles the session of this file.
		d.title(c, d.file.session, l.Summary, titleSummary)
	case "custom-title":
		d.title(c, c.session, l.CustomTitle, titleCustom)
	case "ai-title":
		d.title(c, c.session, l.AITitle, titleAI)
	case "pr-link":
		d.prLink(c)
	default:
		if !quiet[l.Type] {
			typ := l.Type
			if typ == "" {
				typ = "(none)"
			}
			emit(store.Unknown{Session: c.session, Type: typ})
		}
	}
	if lenient.Kind(msg.Usage) == '{' {
		d.usage(c, &msg)
	}
	return nil
}

// lineTime parses a line's timestamp; a line without a valid one inherits
// the last one seen.
func (d *Decoder) lineTime(raw json.RawMessage) (time.Time, bool) {
	if s, ok := str(raw); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			d.st.Last = s
			return t.UTC(), true
		}
	}
	if d.st.Last != "" {
		if t, err := time.Parse(time.RFC3339Nano, d.st.Last); err == nil {
			return t.UTC(), false
		}
	}
	return time.Time{}, false
}

// sessionOf maps a line to its session. Lines of a sub-agent transcript
// (agent-<id>.jsonl, or anything below <session>/subagents/) and sidechain
// lines naming an agentId in a main transcript belong to the sub-agent
// session "agent-<agentId>", whose parent is the line's sessionId (Claude
// Code writes the parent's id there). Other lines belong to their
// sessionId, else to the file's session.
func (d *Decoder) sessionOf(l *rawLine, sidechain bool) (id, parent string, sub bool) {
	sid := lenient.String(l.SessionID)
	if d.file.sub {
		agent := l.AgentID
		if agent == "" {
			agent = d.file.agent
		}
		if sid == "" {
			sid = d.file.parent
		}
		if agent == "" {
			return d.file.session, sid, true
		}
		return "agent-" + agent, sid, true
	}
	if sidechain && l.AgentID != "" {
		if sid == "" {
			sid = d.file.session
		}
		return "agent-" + l.AgentID, sid, true
	}
	if sid == "" {
		sid = d.file.session
	}
	return sid, "", false
}

// announce emits a Session record when the line tells something new about
// its session: the session itself, its parent, its first cwd, branch and
// front end, or a new CLI version.
func (d *Decoder) announce(c *lineCtx) {
	s := d.st.sess(c.session)
	rec := store.Session{ID: c.session}
	news := false
	if !s.Known {
		s.Known, news = true, true
	}
	if c.sub && c.parent != "" && c.parent != c.session && !s.Parent {
		s.Parent, news = true, true
		rec.ParentID, rec.Relation = c.parent, "subagent"
	}
	if c.cwd != "" && !s.Cwd {
		s.Cwd, news = true, true
		rec.Cwd = c.cwd
	}
	if c.l.GitBranch != "" && !s.Branch {
		s.Branch, news = true, true
		rec.GitBranch = c.l.GitBranch
	}
	if c.l.Entrypoint != "" && !s.Orig {
		s.Orig, news = true, true
		rec.Originator = c.l.Entrypoint
	}
	if v, ok := str(c.l.Version); ok && v != "" && v != s.Version {
		s.Version, news = v, true
		rec.AgentVersion = v
	}
	if news {
		rec.Started, rec.Ended = c.t, c.t
		c.emit(rec)
	}
}

// title emits a session title unless one of a higher rank was emitted.
func (d *Decoder) title(c *lineCtx, session, title string, rank int) {
	if title == "" || session == "" {
		return
	}
	s := d.st.sess(session)
	if rank < s.Title {
		return
	}
	s.Title = rank
	c.emit(store.Session{ID: session, Title: title})
}

// prLink emits the pull request a pr-link line names.
func (d *Decoder) prLink(c *lineCtx) {
	l := c.l
	if l.PRURL == "" {
		return
	}
	title := l.PRRepository
	if n := numberText(l.PRNumber); n != "" {
		title += "#" + n
	}
	c.emit(store.Link{Session: c.session, Time: c.t, Kind: "pr", URL: l.PRURL, Title: title})
}
