package gemini

import (
	"strconv"
	"strings"
	"time"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/fileedit"
	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// conv is a conversation as Gemini CLI loads it: messages by id, in the
// order of their first appearance, each the last copy written.
type conv struct {
	meta  rawConv
	order []string
	msgs  map[string]*rawMessage
	// rewound holds the gemini messages a $rewindTo dropped: their API
	// calls were made, so their tokens still count.
	rewound []*rawMessage
}

// add stores a message; a later copy replaces an earlier one in place.
func (c *conv) add(m *rawMessage) {
	if _, ok := c.msgs[m.ID]; !ok {
		c.order = append(c.order, m.ID)
	}
	c.msgs[m.ID] = m
}

// rewind drops message id and every message after it; an id not found
// drops them all, as Gemini CLI does.
func (c *conv) rewind(id string) {
	cut := 0
	for i, k := range c.order {
		if k == id {
			cut = i
			break
		}
	}
	for _, k := range c.order[cut:] {
		if m := c.msgs[k]; m.Type == "gemini" && m.Tokens != nil {
			c.rewound = append(c.rewound, m)
		}
		delete(c.msgs, k)
	}
	c.order = c.order[:cut]
}

// parseTime parses an ISO-8601 timestamp; the zero time when it is not one.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// emitter emits the records of one conversation.
type emitter struct {
	session string
	cwd     string
	prompt  string // key of the current prompt
	emit    func(store.Record)
}

// Flush emits the records of a JSONL chat (see emitConv). The pipeline
// replays one in one batch, so that at the batch's end the conversation is
// known. A legacy JSON chat's records are emitted as its one line is
// decoded: it holds nothing back.
func (d *Decoder) Flush(emit func(store.Record)) {
	if d.file.jsonl {
		d.emitConv(emit)
	}
}

// emitConv emits the records of the conversation read: the session, then
// each message in order with its prompt, tool calls, edits and tokens.
func (d *Decoder) emitConv(emit func(store.Record)) {
	c := &d.conv
	e := &emitter{session: d.sessionID(), cwd: d.projectRoot(), emit: emit}
	if e.session == "" {
		return
	}
	s := store.Session{ID: e.session, Cwd: e.cwd, Title: c.meta.Summary,
		Started: parseTime(c.meta.StartTime), Ended: parseTime(c.meta.LastUpdated)}
	if d.file.parent != "" || c.meta.Kind == "subagent" {
		s.ParentID, s.Relation = d.file.parent, "subagent"
	}
	for _, id := range c.order {
		m := c.msgs[id]
		t := parseTime(m.Timestamp)
		if s.Started.IsZero() || !t.IsZero() && t.Before(s.Started) {
			s.Started = t
		}
		if t.After(s.Ended) {
			s.Ended = t
		}
		if m.Model != "" {
			s.Model = m.Model
		}
	}
	emit(s)
	for i, id := range c.order {
		m := c.msgs[id]
		t := parseTime(m.Timestamp)
		switch m.Type {
		case "user":
			e.user(m, t, c.modelAfter(i))
		case "gemini":
			e.gemini(m, t)
		case "info", "error", "warning":
			if s, _ := text(m.Content); strings.TrimSpace(s) != "" {
				emit(store.Message{Session: e.session, Prompt: e.prompt, Key: m.ID, Time: t, Kind: store.MessageSystem, Text: s})
			}
		}
	}
	for _, m := range c.rewound {
		e.prompt = "" // the prompt it answered was rewound too
		e.usage(m, parseTime(m.Timestamp))
	}
}

// modelAfter is the model of the first gemini message after message i: the
// model that answered the prompt at i.
func (c *conv) modelAfter(i int) string {
	for _, id := range c.order[i+1:] {
		m := c.msgs[id]
		if m.Type == "user" {
			break
		}
		if m.Type == "gemini" && m.Model != "" {
			return m.Model
		}
	}
	return ""
}

// user emits a user message: a prompt when the user typed it (the
// displayContent when there is one: "/init" rather than the instructions
// it expands to, which become the prompt's Context), else a system message
// (Gemini CLI's own "System: Please continue." after a tool's answer).
func (e *emitter) user(m *rawMessage, t time.Time, model string) {
	content, _ := text(m.Content)
	typed, ok := content, true
	if m.DisplayContent != nil && lenient.Kind(m.DisplayContent) != 'n' {
		typed, ok = text(m.DisplayContent)
	}
	if !ok || strings.TrimSpace(typed) == "" {
		if strings.TrimSpace(content) != "" {
			e.emit(store.Message{Session: e.session, Prompt: e.prompt, Key: m.ID, Time: t, Kind: store.MessageSystem, Text: content})
		}
		return
	}
	p := store.Prompt{Session: e.session, Key: m.ID, Time: t, Text: typed, Cwd: e.cwd, Model: model}
	if content != typed {
		p.Context = content
	}
	e.prompt = m.ID
	e.emit(p)
}

// gemini emits an answer: its text, its thoughts, its tool calls with
// their results and edits, and its tokens.
func (e *emitter) gemini(m *rawMessage, t time.Time) {
	if s, _ := text(m.Content); strings.TrimSpace(s) != "" {
		e.emit(store.Message{Session: e.session, Prompt: e.prompt, Key: m.ID, Time: t, Kind: store.MessageAssistant, Text: s})
	}
	var thoughts []string
	for _, th := range m.Thoughts {
		s := strings.TrimSpace(strings.TrimSpace(th.Subject) + "\n" + th.Description)
		if s != "" {
			thoughts = append(thoughts, s)
		}
	}
	if len(thoughts) > 0 {
		e.emit(store.Message{Session: e.session, Prompt: e.prompt, Key: m.ID + "#thoughts", Time: t, Kind: store.MessageReasoning, Text: strings.Join(thoughts, "\n\n")})
	}
	for i := range m.ToolCalls {
		e.tool(m, i, t)
	}
	e.usage(m, t)
}

// tool emits one tool call, its result and, for the tools that change
// files, its edit.
func (e *emitter) tool(m *rawMessage, i int, t time.Time) {
	tc := &m.ToolCalls[i]
	id := tc.ID
	if id == "" {
		id = m.ID + "#" + strconv.Itoa(i)
	}
	if ct := parseTime(tc.Timestamp); !ct.IsZero() {
		t = ct
	}
	input := ""
	if len(tc.Args) > 0 {
		input = string(tc.Args)
	}
	e.emit(store.ToolCall{Session: e.session, Prompt: e.prompt, CallID: id, Time: t, Name: tc.Name, Input: input})
	if tc.Status == "" && len(tc.Result) == 0 {
		return // not run yet
	}
	e.emit(store.ToolResult{Session: e.session, CallID: id, Time: t, Output: resultText(tc), Status: status(tc.Status)})
	if fe, ok := edit(tc, e.cwd); ok {
		fe.Session, fe.Prompt, fe.CallID, fe.Time = e.session, e.prompt, id, t
		e.emit(fe)
	}
}

// status maps a tool call's status to the store's.
func status(s string) string {
	switch s {
	case "success":
		return "ok"
	case "error", "cancelled":
		return "error"
	}
	return ""
}

// usage emits a gemini message's tokens as ccusage counts them: input less
// what was read from cache; thinking billed as output. The tool-use prompt
// is input too.
func (e *emitter) usage(m *rawMessage, t time.Time) {
	tk := m.Tokens
	if tk == nil {
		return
	}
	e.emit(store.Usage{
		Session:   e.session,
		Prompt:    e.prompt,
		Time:      t,
		Model:     m.Model,
		Input:     tk.Input - min(tk.Input, tk.Cached) + tk.Tool,
		CacheRead: min(tk.Cached, tk.Input),
		Output:    tk.Output + tk.Thoughts,
		Reasoning: tk.Thoughts,
		Key:       e.session + ":" + m.ID,
	})
}

// editTools are the tools that write files: write_file and replace (shown
// as Edit), and edit_file, save_file and smart_edit of other versions.
var editTools = map[string]bool{"write_file": true, "replace": true, "edit_file": true, "save_file": true, "smart_edit": true}

// edit returns the change a file-writing tool call made: the diff Gemini
// CLI showed (resultDisplay.fileDiff) when there is one, else the old and
// new content it reported, else what its arguments ask for. A call that
// did not succeed changed nothing.
func edit(tc *rawToolCall, cwd string) (store.FileEdit, bool) {
	if !editTools[tc.Name] || lenient.Kind(tc.Args) != '{' {
		return store.FileEdit{}, false
	}
	var a editArgs
	_ = lenient.Unmarshal(tc.Args, &a)
	var fd fileDisplay
	if lenient.Kind(tc.ResultDisplay) == '{' {
		_ = lenient.Unmarshal(tc.ResultDisplay, &fd)
	}
	p := fd.FilePath
	if p == "" {
		p = firstOf(a.FilePath, a.AbsolutePath, a.Path)
	}
	if p == "" {
		return store.FileEdit{}, false
	}
	abs := canon.Join(cwd, p)
	fe := store.FileEdit{Path: abs, Op: store.OpUpdate, Status: store.EditApplied}
	if fd.IsNewFile {
		fe.Op = store.OpAdd
	}
	if tc.Status != "success" {
		fe.Status, fe.Source = store.EditFailed, "args"
		return fe, true
	}
	rel := canon.Rel(cwd, abs)
	var d fileedit.Diff
	switch files := fileedit.Parse(fd.FileDiff); {
	case len(files) > 0:
		if fd.IsNewFile {
			files[0].Created = true
		}
		d, fe.Source = files[0].Diff(rel), "fileDiff"
	case fd.NewContent != nil && fd.OriginalContent != nil:
		if fd.IsNewFile {
			d = fileedit.Added(rel, *fd.NewContent, true)
		} else {
			d = fileedit.Contents(rel, *fd.OriginalContent, *fd.NewContent)
		}
		fe.Source = "newContent"
	case tc.Name == "replace" || tc.Name == "edit_file" || tc.Name == "smart_edit":
		d, fe.Source = fileedit.Snippets(rel, [2]string{a.OldString, a.NewString}), "args"
	default:
		// write_file and save_file: the content written, all of it added
		// (what it replaced is not known).
		d, fe.Source = fileedit.Added(rel, a.Content, fd.IsNewFile), "args"
	}
	fe.Diff, fe.Added, fe.Removed = d.Text, d.Added, d.Removed
	return fe, true
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
