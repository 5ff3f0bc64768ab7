package opencode

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/fileedit"
	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// decodeDoc decodes a record into v in the JSON tree's shape: a database
// row's data document with the row's ids added (id, sessionID,
// messageID), or its columns renamed (a session row).
func decodeDoc(raw json.RawMessage, v any) bool {
	var row map[string]json.RawMessage
	if !lenient.Object(raw, &row) {
		return false
	}
	if data := row["data"]; len(data) > 0 && data[0] == '{' {
		var doc map[string]json.RawMessage
		if json.Unmarshal(data, &doc) != nil {
			return false
		}
		for col, field := range map[string]string{"id": "id", "session_id": "sessionID", "message_id": "messageID"} {
			if x, ok := row[col]; ok {
				doc[field] = x
			}
		}
		raw, _ = json.Marshal(doc)
	} else if _, ok := row["time_created"]; ok {
		row["parentID"] = row["parent_id"]
		row["time"], _ = json.Marshal(map[string]json.RawMessage{"created": row["time_created"], "updated": row["time_updated"]})
		raw, _ = json.Marshal(row)
	}
	return json.Unmarshal(raw, v) == nil
}

// times is OpenCode's {created, updated, completed, start, end} in epoch
// milliseconds.
type times struct {
	Created   lenient.Int `json:"created"`
	Updated   lenient.Int `json:"updated"`
	Completed lenient.Int `json:"completed"`
	Start     lenient.Int `json:"start"`
	End       lenient.Int `json:"end"`
}

func ms(n lenient.Int) time.Time {
	if n <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(n)).UTC()
}

type sessionDoc struct {
	ID        lenient.Str `json:"id"`
	ParentID  lenient.Str `json:"parentID"`
	Directory lenient.Str `json:"directory"`
	Title     lenient.Str `json:"title"`
	Version   lenient.Str `json:"version"`
	Time      times       `json:"time"`
}

type tokens struct {
	Total     lenient.Int `json:"total"`
	Input     lenient.Int `json:"input"`
	Output    lenient.Int `json:"output"`
	Reasoning lenient.Int `json:"reasoning"`
	Cache     struct {
		Read  lenient.Int `json:"read"`
		Write lenient.Int `json:"write"`
	} `json:"cache"`
}

type messageDoc struct {
	ID         lenient.Str `json:"id"`
	SessionID  lenient.Str `json:"sessionID"`
	Role       lenient.Str `json:"role"`
	ParentID   lenient.Str `json:"parentID"`
	ModelID    lenient.Str `json:"modelID"`
	ProviderID lenient.Str `json:"providerID"`
	Model      struct {
		ModelID lenient.Str `json:"modelID"`
	} `json:"model"`
	Path struct {
		Cwd lenient.Str `json:"cwd"`
	} `json:"path"`
	Time   times  `json:"time"`
	Tokens tokens `json:"tokens"`
	Error  struct {
		Name lenient.Str `json:"name"`
		Data struct {
			Message lenient.Str `json:"message"`
		} `json:"data"`
	} `json:"error"`
}

// prompt is the key of the prompt a message belongs to: a user message is
// one, an assistant message answers its parent.
func (m messageDoc) prompt() string {
	if m.Role == "user" {
		return string(m.ID)
	}
	return string(m.ParentID)
}

func (m messageDoc) model() string {
	if m.ModelID != "" {
		return string(m.ModelID)
	}
	return string(m.Model.ModelID)
}

type partDoc struct {
	ID        lenient.Str   `json:"id"`
	SessionID lenient.Str   `json:"sessionID"`
	MessageID lenient.Str   `json:"messageID"`
	Type      lenient.Str   `json:"type"`
	Text      lenient.Str   `json:"text"`
	Synthetic lenient.Bool  `json:"synthetic"`
	Ignored   lenient.Bool  `json:"ignored"`
	Time      times         `json:"time"`
	CallID    lenient.Str   `json:"callID"`
	Tool      lenient.Str   `json:"tool"`
	State     toolState     `json:"state"`
	Files     []lenient.Str `json:"files"`
	Prompt    lenient.Str   `json:"prompt"` // subtask
}

type toolState struct {
	Status   lenient.Str     `json:"status"`
	Input    json.RawMessage `json:"input"`
	Output   json.RawMessage `json:"output"`
	Error    lenient.Str     `json:"error"`
	Metadata json.RawMessage `json:"metadata"`
	Time     times           `json:"time"`
}

// session decodes a session: sub-agent sessions (the task tool's) name
// their parent.
func (d *Decoder) session(s sessionDoc) {
	if s.ID == "" {
		return
	}
	d.st.remember(string(s.ID), string(s.Directory))
	r := store.Session{ID: string(s.ID), Cwd: string(s.Directory), AgentVersion: string(s.Version), Title: string(s.Title),
		Started: ms(s.Time.Created), Ended: ms(max(s.Time.Updated, s.Time.Created))}
	if s.ParentID != "" {
		r.ParentID, r.Relation = string(s.ParentID), "subagent"
	}
	d.emit(r)
}

// message decodes a message. A user message's text is in its parts; an
// assistant message carries the model and the token counts, counted as
// ccusage counts them: input, output, cache read and write as recorded
// (reasoning is reported apart), the total as output when only it is
// given; messages without a model or provider, or without tokens, count
// nothing.
func (d *Decoder) message(m messageDoc) {
	if m.ID == "" || m.SessionID == "" || m.Role != "assistant" {
		return
	}
	session, t := string(m.SessionID), ms(m.Time.Created)
	model := m.model()
	if model != "" {
		d.emit(store.Session{ID: session, Model: model, Ended: ms(max(m.Time.Completed, m.Time.Created))})
	}
	if msg := strings.TrimSpace(string(m.Error.Data.Message)); msg != "" {
		d.emit(store.Message{Session: session, Prompt: m.prompt(), Key: string(m.ID) + ".error", Time: t,
			Kind: store.MessageSystem, Text: string(m.Error.Name) + ": " + msg})
	}
	tk := m.Tokens
	u := store.Usage{Session: session, Prompt: m.prompt(), Time: t, Model: model, Input: int64(tk.Input),
		Output: int64(tk.Output), CacheRead: int64(tk.Cache.Read), CacheWrite: int64(tk.Cache.Write),
		Reasoning: int64(tk.Reasoning), Key: "message:" + string(m.ID)}
	if u.Total() == 0 {
		u.Output = int64(tk.Total)
	}
	if u.Total() == 0 || model == "" || m.ProviderID == "" {
		return
	}
	d.emit(u)
}

// part decodes a part of message m (empty when the message is not known).
func (d *Decoder) part(p partDoc, m messageDoc) {
	session := string(p.SessionID)
	if session == "" {
		session = string(m.SessionID)
	}
	if session == "" || p.ID == "" {
		return
	}
	prompt := m.prompt()
	t := ms(p.Time.Start)
	if t.IsZero() {
		t = ms(m.Time.Created)
	}
	switch p.Type {
	case "text":
		if p.Synthetic || p.Ignored {
			return
		}
		if m.Role == "user" {
			d.emit(store.Prompt{Session: session, Key: prompt, Time: ms(m.Time.Created), Text: string(p.Text),
				Cwd: d.st.dir(session), Model: m.model()})
			return
		}
		if text := strings.TrimSpace(string(p.Text)); text != "" {
			d.emit(store.Message{Session: session, Prompt: prompt, Key: string(p.ID), Time: t, Kind: store.MessageAssistant, Text: text})
		}
	case "reasoning":
		if text := strings.TrimSpace(string(p.Text)); text != "" {
			d.emit(store.Message{Session: session, Prompt: prompt, Key: string(p.ID), Time: t, Kind: store.MessageReasoning, Text: text})
		}
	case "tool":
		d.tool(session, prompt, string(p.MessageID), p, cwdOf(m, d.st.dir(session)))
	case "patch":
		d.patch(session, prompt, string(p.MessageID), p, ms(m.Time.Created))
	case "subtask":
		d.emit(store.Message{Session: session, Prompt: prompt, Key: string(p.ID), Time: t, Kind: store.MessageSystem,
			Text: "subtask: " + string(p.Prompt)})
	case "step-start", "step-finish", "snapshot", "file", "agent", "compaction", "retry":
		// Steps and snapshots frame the others; token counts are the
		// message's; files and agents are context.
	default:
		d.emit(store.Unknown{Session: session, Type: "part/" + string(p.Type)})
	}
}

// cwdOf is the directory an assistant message worked in, else the
// session's.
func cwdOf(m messageDoc, dir string) string {
	if m.Path.Cwd != "" {
		return string(m.Path.Cwd)
	}
	return dir
}

// tool decodes a tool part: the call, its result once it ran, and the
// edits of edit, write, multiedit and patch tools.
func (d *Decoder) tool(session, prompt, message string, p partDoc, cwd string) {
	call := string(p.CallID)
	if call == "" {
		call = string(p.ID)
	}
	s := p.State
	t := ms(s.Time.Start)
	d.emit(store.ToolCall{Session: session, Prompt: prompt, CallID: call, Time: t, Name: string(p.Tool), Input: lenient.Text(s.Input)})
	status := ""
	switch s.Status {
	case "completed":
		status = "ok"
		d.emit(store.ToolResult{Session: session, CallID: call, Time: ms(s.Time.End), Output: lenient.Text(s.Output), Status: status})
	case "error":
		status = "error"
		d.emit(store.ToolResult{Session: session, CallID: call, Time: ms(s.Time.End), Output: string(s.Error), Status: status})
	}
	for _, fe := range toolEdits(string(p.Tool), s.Input, s.Metadata, cwd) {
		fe.Session, fe.Prompt, fe.CallID, fe.Time = session, prompt, call, t
		if status == "error" {
			fe.Status = store.EditFailed
		}
		if status != "error" {
			d.st.edited(message, fe.Path)
		}
		d.emit(fe)
	}
}

// patch decodes a patch part, the files a step changed (from OpenCode's
// snapshots): each file that no tool call of the message edited gets an
// edit without a diff, the change of a shell command or a formatter.
func (d *Decoder) patch(session, prompt, message string, p partDoc, t time.Time) {
	for _, f := range p.Files {
		file := string(f)
		if file == "" || d.st.wasEdited(message, file) {
			continue
		}
		d.emit(store.FileEdit{Session: session, Prompt: prompt, CallID: "patch:" + string(p.ID), Time: t, Path: file,
			Op: store.OpUpdate, Source: "patch", Status: store.EditApplied})
	}
}

// editInput is the input of the edit, write and multiedit tools.
type editInput struct {
	FilePath  lenient.Str `json:"filePath"`
	OldString lenient.Str `json:"oldString"`
	NewString lenient.Str `json:"newString"`
	Content   lenient.Str `json:"content"`
	Edits     []struct {
		OldString lenient.Str `json:"oldString"`
		NewString lenient.Str `json:"newString"`
	} `json:"edits"`
}

// editMeta is what OpenCode reports of an edit it made.
type editMeta struct {
	Diff     lenient.Str      `json:"diff"`
	Exists   lenient.Of[bool] `json:"exists"`
	FileDiff struct {
		File  lenient.Str `json:"file"`
		Patch lenient.Str `json:"patch"`
	} `json:"filediff"`
	Files []lenient.Of[struct {
		FilePath lenient.Str `json:"filePath"`
		Type     lenient.Str `json:"type"`
		Patch    lenient.Str `json:"patch"`
		Diff     lenient.Str `json:"diff"`
		MovePath lenient.Str `json:"movePath"`
	}] `json:"files"`
}

// toolEdits returns the edits of an edit tool call: the diff OpenCode
// reports in the result's metadata when there is one (jsdiff's Index:
// form, or per file for apply_patch), else one computed from the input
// (the replaced snippets; a write's whole content).
func toolEdits(tool string, input, meta json.RawMessage, cwd string) []store.FileEdit {
	var in editInput
	lenient.Object(input, &in)
	var md editMeta
	lenient.Object(meta, &md)
	edit := func(p string) store.FileEdit {
		return store.FileEdit{Path: canon.Join(cwd, p), Op: store.OpUpdate, Source: "tool", Status: store.EditApplied}
	}
	logged := func(fe *store.FileEdit, text string) bool {
		files := fileedit.Parse(text)
		if len(files) == 0 {
			return false
		}
		f := files[0]
		diff := f.Diff(canon.Rel(cwd, fe.Path))
		fe.Diff, fe.Added, fe.Removed, fe.Source = diff.Text, diff.Added, diff.Removed, "metadata.diff"
		if f.Created {
			fe.Op = store.OpAdd
		}
		return true
	}
	switch tool {
	case "edit", "write", "multiedit":
		if in.FilePath == "" {
			return nil
		}
		fe := edit(string(in.FilePath))
		rel := canon.Rel(cwd, fe.Path)
		text := string(md.Diff)
		if text == "" {
			text = string(md.FileDiff.Patch)
		}
		if !logged(&fe, text) {
			var diff fileedit.Diff
			switch tool {
			case "edit":
				diff = fileedit.Snippets(rel, [2]string{string(in.OldString), string(in.NewString)})
			case "multiedit":
				var pairs [][2]string
				for _, e := range in.Edits {
					pairs = append(pairs, [2]string{string(e.OldString), string(e.NewString)})
				}
				diff = fileedit.Snippets(rel, pairs...)
			case "write":
				if md.Exists.OK && !md.Exists.V {
					diff, fe.Op = fileedit.Added(rel, string(in.Content), true), store.OpAdd
				} else {
					diff = fileedit.Added(rel, string(in.Content), false)
				}
			}
			fe.Diff, fe.Added, fe.Removed = diff.Text, diff.Added, diff.Removed
		}
		return []store.FileEdit{fe}
	case "patch", "apply_patch":
		var out []store.FileEdit
		for _, f := range md.Files {
			if !f.OK || f.V.FilePath == "" {
				continue
			}
			fe := edit(string(f.V.FilePath))
			switch f.V.Type {
			case "add":
				fe.Op = store.OpAdd
			case "delete":
				fe.Op = store.OpDelete
			case "move":
				fe.Op, fe.MovePath = store.OpMove, canon.Join(cwd, string(f.V.MovePath))
			}
			op := fe.Op
			text := string(f.V.Patch)
			if text == "" {
				text = string(f.V.Diff)
			}
			logged(&fe, text)
			fe.Op = op
			out = append(out, fe)
		}
		return out
	}
	return nil
}
