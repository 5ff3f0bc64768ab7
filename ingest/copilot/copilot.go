package copilot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/ingest/spec"
	"github.com/aitrail/aitrail/store"
)

// stateVersion changes whenever state's meaning changes; New rejects other
// versions and the pipeline then re-reads the file from its start.
const stateVersion = 1

// maxPending caps the tool calls waiting for their completion; calls that
// never complete (a crash) are forgotten oldest first.
const maxPending = 64

// state is what a Decoder remembers between lines of an events log.
type state struct {
	V       int       `json:"v"`
	Session string    `json:"s,omitempty"`  // the session id
	Known   bool      `json:"k,omitempty"`  // a Session record was emitted
	Cwd     string    `json:"c,omitempty"`  // the working directory now
	Model   string    `json:"m,omitempty"`  // the model now
	Said    string    `json:"sm,omitempty"` // the model last emitted on the session
	Prompt  string    `json:"p,omitempty"`  // key of the current prompt
	Last    string    `json:"t,omitempty"`  // last timestamp seen
	Run     int       `json:"r,omitempty"`  // session.start and session.resume events seen
	P       []pending `json:"q,omitempty"`
}

// pending is a file-editing tool call waiting for its completion.
type pending struct {
	ID     string `json:"id"`
	Name   string `json:"n"`
	Path   string `json:"f,omitempty"` // the file its arguments name (absolute), "" for apply_patch
	Prompt string `json:"p,omitempty"`
	Cwd    string `json:"c,omitempty"`
}

// Decoder decodes one Copilot CLI session into store records. It
// implements ingest.Decoder: an events log line by line, resumable; a
// legacy history file as one line.
type Decoder struct {
	path  string
	whole bool
	st    state
	emit  func(store.Record)
	t     time.Time // the time of the line being decoded
}

// New returns a decoder for the session at path, resuming after the lines
// decoded when state was taken (nil for the start of the file).
func New(path string, st []byte) (*Decoder, error) {
	d := &Decoder{path: path, whole: Whole(path)}
	d.st.V = stateVersion
	if d.whole {
		return d, nil // a history file is read whole: no state
	}
	if _, err := spec.RestoreState("copilot", st, &d.st, &d.st.V, stateVersion); err != nil {
		return nil, err
	}
	return d, nil
}

// State returns what the decoder must remember to resume after the last
// line it was given.
func (d *Decoder) State() ([]byte, error) {
	if d.whole {
		return nil, nil
	}
	return json.Marshal(&d.st)
}

// quiet lists the event types that carry nothing recorded here (their line
// is stored raw all the same).
var quiet = map[string]bool{
	"session.mode_changed":       true,
	"session.usage_checkpoint":   true,
	"session.auto_mode_resolved": true,
	"session.task_complete":      true, // repeats the task_complete call's summary
	"session.truncation":         true,
	"assistant.turn_end":         true,
	"system.message":             true, // the system prompt
	"hook.start":                 true,
	"hook.end":                   true,
	"subagent.started":           true,
	"subagent.completed":         true,
}

// Line decodes line no of an events log, or the whole of a legacy history
// file.
func (d *Decoder) Line(no int, line []byte, emit func(store.Record)) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	if err := lenient.CheckObject(line); err != nil {
		return err
	}
	if d.whole {
		return d.history(line, emit)
	}
	var ev event
	if err := lenient.Unmarshal(line, &ev); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	var data eventData
	if lenient.Kind(ev.Data) == '{' {
		_ = lenient.Unmarshal(ev.Data, &data)
	}
	d.emit = emit
	d.t = d.lineTime(ev.Timestamp)
	if d.st.Session == "" {
		d.st.Session = pathSession(d.path)
	}
	key := ev.ID
	if key == "" {
		key = "L" + strconv.Itoa(no)
	}
	switch ev.Type {
	case "session.start", "session.resume":
		d.start(ev.Type, &data)
	case "session.model_change":
		d.model(data.NewModel)
	case "assistant.turn_start":
		d.model(data.Model)
	case "user.message":
		d.user(key, &data)
	case "assistant.message":
		d.model(data.Model)
		d.assistant(key, &data)
	case "assistant.reasoning":
		d.message(key, store.MessageReasoning, textOf(data.Content))
	case "tool.execution_start":
		d.call(data.ToolCallID, data.ToolName, data.Arguments)
	case "tool.execution_complete":
		d.model(data.Model)
		d.complete(&data)
	case "session.shutdown":
		d.shutdown(key, &data)
	case "session.info", "session.warning":
		d.message(key, store.MessageSystem, data.Message)
	case "session.error":
		d.message(key, store.MessageSystem, "Error: "+data.Message)
	case "system.notification":
		d.message(key, store.MessageSystem, textOf(data.Content))
	case "abort":
		d.message(key, store.MessageSystem, strings.TrimSpace("Aborted. "+data.Reason))
	default:
		if !quiet[ev.Type] {
			typ := ev.Type
			if typ == "" {
				typ = "(none)"
			}
			emit(store.Unknown{Session: d.st.Session, Type: typ})
		}
	}
	return nil
}

// lineTime parses a line's timestamp; a line without a valid one inherits
// the last one seen.
func (d *Decoder) lineTime(s string) time.Time {
	if t, ok := parseTime(s); ok {
		d.st.Last = s
		return t
	}
	t, _ := parseTime(d.st.Last)
	return t
}

// start records where a session (or a resumed run of it) works.
func (d *Decoder) start(typ string, data *eventData) {
	d.st.Run++
	if typ == "session.start" && data.SessionID != "" {
		d.st.Session = data.SessionID
	}
	rec := store.Session{ID: d.st.Session, Started: d.t, Ended: d.t}
	if typ == "session.start" {
		rec.AgentVersion = data.CopilotVersion
		if t, ok := parseTime(data.StartTime); ok {
			rec.Started = t
		}
	}
	if c := data.Context; c != nil {
		if c.Cwd != "" {
			d.st.Cwd = c.Cwd
		}
		rec.Cwd, rec.GitBranch, rec.GitCommit = c.Cwd, c.Branch, c.HeadCommit
		if c.Repository != "" {
			rec.GitRemote = c.Repository
			if c.RepositoryHost != "" {
				rec.GitRemote = c.RepositoryHost + "/" + c.Repository
			}
		}
	}
	if data.SelectedModel != "" {
		d.st.Model = data.SelectedModel
	}
	d.st.Known = true
	d.emit(rec)
	d.sayModel()
}

// model notes the model in use, and says so on the session when it is new.
func (d *Decoder) model(m string) {
	if m == "" || m == "auto" {
		return
	}
	d.st.Model = m
	d.sayModel()
}

func (d *Decoder) sayModel() {
	if d.st.Model == "" || d.st.Model == d.st.Said || !d.st.Known {
		return
	}
	d.st.Said = d.st.Model
	d.emit(store.Session{ID: d.st.Session, Model: d.st.Model})
}

// announce makes sure a session record exists before records of it.
func (d *Decoder) announce() {
	if d.st.Known {
		return
	}
	d.st.Known = true
	d.emit(store.Session{ID: d.st.Session, Started: d.t, Ended: d.t})
	d.sayModel()
}

// user emits what the user typed as a prompt, with what Copilot wrapped
// around it (the date, reminders) as its Context. A user message with no
// typed text is Copilot's own (autopilot's "continue" nudges): a system
// message.
func (d *Decoder) user(key string, data *eventData) {
	d.announce()
	typed := textOf(data.Content)
	if strings.TrimSpace(typed) == "" {
		d.message(key, store.MessageSystem, data.TransformedContent)
		return
	}
	p := store.Prompt{Session: d.st.Session, Key: key, Time: d.t, Text: typed, Cwd: d.st.Cwd, Model: d.st.Model}
	if data.TransformedContent != typed {
		p.Context = data.TransformedContent
	}
	d.st.Prompt = key
	d.emit(p)
}

// message emits a message of the current prompt, unless it is empty.
func (d *Decoder) message(key, kind, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	d.announce()
	d.emit(store.Message{Session: d.st.Session, Prompt: d.st.Prompt, Key: key, Time: d.t, Kind: kind, Text: text})
}

// assistant emits an answer: its text, its reasoning, the calls it asks
// for and its output tokens.
func (d *Decoder) assistant(key string, data *eventData) {
	d.message(key, store.MessageAssistant, textOf(data.Content))
	d.message(key+"#reasoning", store.MessageReasoning, data.ReasoningText)
	for _, r := range data.ToolRequests {
		d.call(r.ToolCallID, r.Name, r.Arguments)
	}
	if data.OutputTokens == nil || *data.OutputTokens <= 0 {
		return
	}
	// One model call's output. Its input is known only from the totals of
	// session.shutdown, which replace the run's entries (same Group) when
	// the run ends.
	id := data.MessageID
	if id == "" {
		id = key
	}
	d.emit(store.Usage{Session: d.st.Session, Prompt: d.st.Prompt, Time: d.t, Model: d.st.Model, Output: *data.OutputTokens,
		Key: d.st.Session + ":message:" + id, Group: d.runGroup(), Sidechain: true})
}

// runGroup groups the usage of one run of the CLI (from a session.start or
// session.resume to its session.shutdown).
func (d *Decoder) runGroup() string { return d.st.Session + ":run:" + strconv.Itoa(d.st.Run) }

// call emits a tool call (asked for by an assistant message, then started:
// the same call id twice) and, for a file-editing tool, the edit its
// arguments ask for.
func (d *Decoder) call(id, name string, args json.RawMessage) {
	if id == "" {
		return
	}
	d.announce()
	input := textOf(args)
	d.emit(store.ToolCall{Session: d.st.Session, Prompt: d.st.Prompt, CallID: id, Time: d.t, Name: name, Input: input})
	a := parseArgs(args)
	if !isEdit(name, a) {
		return
	}
	p := pending{ID: id, Name: name, Prompt: d.st.Prompt, Cwd: d.st.Cwd}
	if name != "apply_patch" {
		p.Path = argPath(a, d.st.Cwd)
	}
	for i := range d.st.P {
		if d.st.P[i].ID == id {
			d.st.P = append(d.st.P[:i], d.st.P[i+1:]...)
			break
		}
	}
	d.st.P = append(d.st.P, p)
	if len(d.st.P) > maxPending {
		d.st.P = append(d.st.P[:0], d.st.P[len(d.st.P)-maxPending:]...)
	}
	if fe, ok := argsEdit(name, a, d.st.Cwd); ok {
		fe.Session, fe.Prompt, fe.CallID, fe.Time = d.st.Session, d.st.Prompt, id, d.t
		d.emit(fe)
	}
}

// complete emits a call's result and, for an edit, what it applied: the
// diff of its result (which replaces the edit its arguments gave), or a
// failed edit with no lines.
func (d *Decoder) complete(data *eventData) {
	if data.ToolCallID == "" {
		return
	}
	d.announce()
	ok := data.Success == nil || *data.Success
	r := store.ToolResult{Session: d.st.Session, CallID: data.ToolCallID, Time: d.t, Status: "ok"}
	if !ok {
		r.Status = "error"
	}
	var diff string
	if data.Result != nil {
		r.Output = textOf(data.Result.Content)
		diff = textOf(data.Result.DetailedContent)
	}
	if r.Output == "" {
		r.Output = textOf(data.Error)
	}
	d.emit(r)
	p, found := d.takePending(data.ToolCallID)
	if !found {
		return
	}
	if !ok {
		if p.Path != "" {
			d.emit(store.FileEdit{Session: d.st.Session, Prompt: p.Prompt, CallID: p.ID, Time: d.t, Path: p.Path, Op: store.OpUpdate, Source: "args", Status: store.EditFailed})
		}
		return
	}
	for _, fe := range diffEdits(diff, p.Path, p.Cwd) {
		fe.Session, fe.Prompt, fe.CallID, fe.Time = d.st.Session, p.Prompt, p.ID, d.t
		d.emit(fe)
	}
}

func (d *Decoder) takePending(id string) (pending, bool) {
	for i, p := range d.st.P {
		if p.ID == id {
			d.st.P = append(d.st.P[:i], d.st.P[i+1:]...)
			if len(d.st.P) == 0 {
				d.st.P = nil
			}
			return p, true
		}
	}
	return pending{}, false
}

// shutdown emits the token totals of the run that ends, per model:
// inputTokens includes the cache reads. Newer versions give one total
// (tokenDetails) for the current model instead.
func (d *Decoder) shutdown(key string, data *eventData) {
	d.announce()
	emit := func(model string, u usage) {
		if u == (usage{}) {
			return
		}
		d.emit(store.Usage{Session: d.st.Session, Prompt: d.st.Prompt, Time: d.t, Model: model,
			Input: u.InputTokens - min(u.InputTokens, u.CacheReadTokens), CacheRead: u.CacheReadTokens, CacheWrite: u.CacheWriteTokens,
			Output: u.OutputTokens, Reasoning: u.ReasoningTokens, Key: d.st.Session + ":shutdown:" + key + ":" + model, Group: d.runGroup()})
	}
	models := make([]string, 0, len(data.ModelMetrics))
	for m, mm := range data.ModelMetrics {
		if mm.Usage != nil {
			models = append(models, m)
		}
	}
	sort.Strings(models)
	for _, m := range models {
		emit(m, *data.ModelMetrics[m].Usage)
	}
	if len(models) == 0 && len(data.TokenDetails) > 0 {
		td := data.TokenDetails
		model := data.CurrentModel
		if model == "" {
			model = d.st.Model
		}
		emit(model, usage{InputTokens: td["input"].TokenCount, OutputTokens: td["output"].TokenCount,
			CacheReadTokens: td["cache_read"].TokenCount, CacheWriteTokens: td["cache_write"].TokenCount})
	}
}
