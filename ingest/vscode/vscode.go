package vscode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/fileedit"
	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// Decoder decodes one VS Code chat session into store records. It
// implements ingest.Decoder, ingest.Flusher and ingest.SidecarDecoder: a
// .json session is given whole as one line; a .jsonl mutation log is
// replayed line by line and its records emitted by Flush.
type Decoder struct {
	path   string
	jsonl  bool
	log    doc    // the document a mutation log builds
	folder string // the workspace folder workspace.json names
}

// New returns a decoder for the session at path. Sessions are read whole
// or replayed from their start: state is ignored.
func New(path string, state []byte) (*Decoder, error) {
	return &Decoder{path: path, jsonl: Replay(path)}, nil
}

// State returns nothing to remember: every read starts from the beginning.
func (d *Decoder) State() ([]byte, error) { return nil, nil }

// Sidecar takes the workspace folder from workspace.json: {"folder": URI},
// or {"workspace": URI of a .code-workspace file}, whose directory is then
// taken.
func (d *Decoder) Sidecar(path string, data []byte) {
	var ws struct {
		Folder    string `json:"folder"`
		Workspace string `json:"workspace"`
	}
	if lenient.Unmarshal(data, &ws) != nil {
		return
	}
	switch {
	case ws.Folder != "":
		d.folder = uriPath(ws.Folder)
	case ws.Workspace != "":
		if p := uriPath(ws.Workspace); p != "" {
			d.folder = strings.TrimSuffix(p, "/"+filepath.Base(p))
		}
	}
}

// Line decodes the whole of a .json session, or applies one line of a
// .jsonl mutation log.
func (d *Decoder) Line(no int, line []byte, emit func(store.Record)) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	if err := lenient.CheckObject(line); err != nil {
		return err
	}
	if d.jsonl {
		return d.log.apply(line)
	}
	var c chatDoc
	if err := lenient.Unmarshal(line, &c); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	d.emitDoc(&c, emit)
	return nil
}

// Flush emits the records of the document a mutation log built. The
// pipeline replays a log in one batch, so that at the batch's end the
// document is whole. A .json session, emitted as its one line is decoded,
// builds none: nothing is held back.
func (d *Decoder) Flush(emit func(store.Record)) {
	if d.log.root == nil {
		return
	}
	data, err := json.Marshal(d.log.root)
	if err != nil {
		return
	}
	var c chatDoc
	if lenient.Unmarshal(data, &c) != nil {
		return
	}
	d.emitDoc(&c, emit)
}

// millis turns epoch milliseconds into a time; zero stays zero.
func millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// model names a request's model as people know it: VS Code prefixes
// Copilot's own models with its vendor, "copilot/".
func model(id string) string { return strings.TrimPrefix(id, "copilot/") }

// emitter emits the records of one chat.
type emitter struct {
	session string
	cwd     string
	emit    func(store.Record)
}

// emitDoc emits the session, then each request with its response.
func (d *Decoder) emitDoc(c *chatDoc, emit func(store.Record)) {
	e := &emitter{session: c.SessionID, cwd: d.folder, emit: emit}
	if e.session == "" {
		e.session = fileSession(d.path)
	}
	if e.cwd == "" {
		e.cwd = guessFolder(c)
	}
	s := store.Session{ID: e.session, Cwd: e.cwd, Title: c.CustomTitle, Started: millis(c.CreationDate), Ended: millis(c.LastMessageDate)}
	for _, r := range c.Requests {
		if r.ModelID != "" {
			s.Model = model(r.ModelID)
		}
		if r.Agent.ExtensionVersion != "" {
			s.AgentVersion = r.Agent.ExtensionVersion
		}
		if t := millis(r.Timestamp); !t.IsZero() && (s.Started.IsZero() || t.Before(s.Started)) {
			s.Started = t
		}
	}
	emit(s)
	for i := range c.Requests {
		e.request(&c.Requests[i])
	}
}

// workspaceInfo finds the first folder Copilot Chat told the model it
// works in.
var workspaceInfo = regexp.MustCompile(`working in a workspace with the following folders:\s*\n- ([^\n]+)`)

// guessFolder finds the workspace folder in the chat itself when no
// workspace.json names it: the folders Copilot Chat told the model about,
// else the base URI of a response, else the cache key of a result.
func guessFolder(c *chatDoc) string {
	for _, r := range c.Requests {
		var ctx []struct {
			Text string `json:"text"`
		}
		_ = lenient.Unmarshal(r.Result.Metadata.RenderedGlobalContext, &ctx)
		for _, x := range ctx {
			if m := workspaceInfo.FindStringSubmatch(x.Text); m != nil {
				return strings.TrimRight(strings.TrimSpace(m[1]), "/")
			}
		}
	}
	for _, r := range c.Requests {
		for _, raw := range r.Response {
			var p part
			if lenient.Kind(raw) == '{' && lenient.Unmarshal(raw, &p) == nil && p.BaseURI != nil {
				if f := p.BaseURI.file(); f != "" {
					return strings.TrimRight(f, "/")
				}
			}
		}
		if k := r.Result.Metadata.CacheKey; strings.Contains(k, "://") {
			return strings.TrimRight(uriPath(k), "/")
		}
	}
	return ""
}

// knownParts are the response parts that carry nothing recorded here, or
// that are read through another part.
var knownParts = map[string]bool{
	"markdownContent": true, "inlineReference": true, "thinking": true, "toolInvocationSerialized": true,
	"toolInvocation": true, "prepareToolInvocation": true, "textEditGroup": true, "codeblockUri": true,
	"undoStop": true, "mcpServersStarting": true, "progressTaskSerialized": true, "progressMessage": true,
	"confirmation": true, "elicitation": true, "command": true, "warning": true, "reference": true,
	"treeData": true, "notebookEditGroup": true, "multiDiffData": true, "extensions": true,
	"pullRequest": true, "codeCitation": true, "markdownVuln": true,
}

// request emits one turn: the prompt, the response's text and thinking,
// its tool calls and results, and its edits.
func (e *emitter) request(r *request) {
	key := r.RequestID
	if key == "" {
		return
	}
	t := millis(r.Timestamp)
	p := store.Prompt{Session: e.session, Key: key, Time: t, Text: r.Message.Text, Cwd: e.cwd, Model: model(r.ModelID)}
	var attached []string
	for _, v := range r.VariableData.Variables {
		if what := attachment(v); what != "" {
			attached = append(attached, "#"+v.Kind+": "+what)
		}
	}
	p.Context = strings.Join(attached, "\n")
	e.emit(p)
	msg := func(suffix, kind, text string) {
		if strings.TrimSpace(text) != "" {
			e.emit(store.Message{Session: e.session, Prompt: key, Key: key + suffix, Time: t, Kind: kind, Text: text})
		}
	}
	var text, thinking strings.Builder
	var parts []part
	for _, raw := range r.Response {
		var x part
		if lenient.Kind(raw) != '{' || lenient.Unmarshal(raw, &x) != nil {
			continue
		}
		parts = append(parts, x)
		switch x.Kind {
		case "":
			text.WriteString(markdown(x.Value))
		case "markdownContent":
			text.WriteString(markdown(x.Content))
		case "inlineReference":
			text.WriteString(reference(x.InlineReference))
		case "thinking":
			thinking.WriteString(markdown(x.Value))
		default:
			if !knownParts[x.Kind] {
				e.emit(store.Unknown{Session: e.session, Type: "response:" + x.Kind})
			}
		}
	}
	msg("#thinking", store.MessageReasoning, thinking.String())
	msg("#response", store.MessageAssistant, text.String())
	switch {
	case r.Result.ErrorDetails != nil:
		msg("#error", store.MessageSystem, r.Result.ErrorDetails.Message)
	case r.IsCanceled:
		msg("#error", store.MessageSystem, "Canceled.")
	}
	covered := e.tools(r, key, t, parts)
	e.edits(r, key, t, parts, covered)
}

// attachment names what a request attached: a file, or a file's lines
// (a selection), else the variable's name.
func attachment(v variable) string {
	var loc struct {
		URI   *uri `json:"uri"`
		Range *struct {
			StartLineNumber int `json:"startLineNumber"`
			EndLineNumber   int `json:"endLineNumber"`
		} `json:"range"`
		uri
	}
	if lenient.Kind(v.Value) != '{' || lenient.Unmarshal(v.Value, &loc) != nil {
		return v.Name
	}
	if f := loc.URI.file(); f != "" && loc.Range != nil {
		return fmt.Sprintf("%s:%d-%d", f, loc.Range.StartLineNumber, loc.Range.EndLineNumber)
	}
	if f := loc.uri.file(); f != "" {
		return f
	}
	return v.Name
}

// reference renders an inline reference in a response's text: a symbol's
// name, or a file's name, in backticks.
func reference(raw json.RawMessage) string {
	var ref struct {
		Name     string `json:"name"`
		Location *struct {
			URI uri `json:"uri"`
		} `json:"location"`
		uri
	}
	if lenient.Unmarshal(raw, &ref) != nil {
		return ""
	}
	name := ref.Name
	if name == "" {
		name = filepath.Base(ref.uri.file())
	}
	if name == "" || name == "." {
		return ""
	}
	return "`" + name + "`"
}

// tools emits the tool calls of a response: those of its rounds (names,
// arguments, results), else those its parts show. It returns the files
// the calls edited, whose edits come from the calls rather than from the
// edit groups.
func (e *emitter) tools(r *request, key string, t time.Time, parts []part) map[string]bool {
	covered := map[string]bool{}
	rounds := r.Result.Metadata.ToolCallRounds
	n := 0
	for _, rd := range rounds {
		for _, tc := range rd.ToolCalls {
			if tc.ID == "" {
				continue
			}
			n++
			e.emit(store.ToolCall{Session: e.session, Prompt: key, CallID: tc.ID, Time: t, Name: tc.Name, Input: tc.Arguments})
			res, done := r.Result.Metadata.ToolCallResults[tc.ID]
			if done {
				var b strings.Builder
				texts(res, &b)
				e.emit(store.ToolResult{Session: e.session, CallID: tc.ID, Time: t, Output: b.String(), Status: "ok"})
			}
			for _, fe := range toolEdits(tc.Name, tc.Arguments, e.cwd) {
				if !done && r.IsCanceled {
					fe.Status, fe.Diff, fe.Added, fe.Removed = store.EditFailed, "", 0, 0
				}
				fe.Session, fe.Prompt, fe.CallID, fe.Time = e.session, key, tc.ID, t
				covered[fe.Path] = true
				e.emit(fe)
			}
		}
	}
	if n > 0 {
		return covered
	}
	for _, x := range parts {
		if x.Kind != "toolInvocationSerialized" || x.ToolCallID == "" {
			continue
		}
		e.emit(store.ToolCall{Session: e.session, Prompt: key, CallID: x.ToolCallID, Time: t, Name: x.ToolID, Input: markdown(x.Invocation)})
		if x.IsComplete {
			e.emit(store.ToolResult{Session: e.session, CallID: x.ToolCallID, Time: t, Output: markdown(x.PastTense), Status: "ok"})
		}
	}
	return covered
}

// editArgs are the arguments of Copilot Chat's editing tools.
type editArgs struct {
	FilePath     string `json:"filePath"`
	OldString    string `json:"oldString"`
	NewString    string `json:"newString"`
	Content      string `json:"content"`
	Replacements []struct {
		FilePath  string `json:"filePath"`
		OldString string `json:"oldString"`
		NewString string `json:"newString"`
	} `json:"replacements"`
}

// toolEdits are the edits a tool call's arguments make: string
// replacements (numbered from line 1 of their snippet) and created files.
// Other editing tools (insert_edit_into_file, apply_patch) are read from
// the response's edit groups.
func toolEdits(name, args, cwd string) []store.FileEdit {
	var a editArgs
	if lenient.Kind([]byte(args)) != '{' || lenient.Unmarshal([]byte(args), &a) != nil {
		return nil
	}
	fe := func(p string) store.FileEdit {
		return store.FileEdit{Path: canon.Join(cwd, p), Op: store.OpUpdate, Source: name, Status: store.EditApplied}
	}
	var out []store.FileEdit
	switch name {
	case "replace_string_in_file":
		if a.FilePath != "" {
			x := fe(a.FilePath)
			d := fileedit.Snippets(canon.Rel(cwd, x.Path), [2]string{a.OldString, a.NewString})
			x.Diff, x.Added, x.Removed = d.Text, d.Added, d.Removed
			out = append(out, x)
		}
	case "multi_replace_string_in_file":
		pairs := map[string][][2]string{}
		var order []string
		for _, r := range a.Replacements {
			if r.FilePath == "" {
				continue
			}
			if _, ok := pairs[r.FilePath]; !ok {
				order = append(order, r.FilePath)
			}
			pairs[r.FilePath] = append(pairs[r.FilePath], [2]string{r.OldString, r.NewString})
		}
		for _, p := range order {
			x := fe(p)
			d := fileedit.Snippets(canon.Rel(cwd, x.Path), pairs[p]...)
			x.Diff, x.Added, x.Removed = d.Text, d.Added, d.Removed
			out = append(out, x)
		}
	case "create_file":
		if a.FilePath != "" {
			x := fe(a.FilePath)
			d := fileedit.Added(canon.Rel(cwd, x.Path), a.Content, true)
			x.Op, x.Diff, x.Added = store.OpAdd, d.Text, d.Added
			out = append(out, x)
		}
	}
	return out
}

// edits emits the edits a response's parts show for files no tool call
// covered: an edit group holds the new text of line ranges (what they
// replaced is not recorded: the diff has the added lines only, and
// Removed counts the lines of the ranges replaced); a code block applied
// to a file without an edit group is an edit with no lines.
func (e *emitter) edits(r *request, key string, t time.Time, parts []part, covered map[string]bool) {
	status := store.EditApplied
	if r.IsCanceled {
		status = store.EditFailed
	}
	grouped := map[string]bool{}
	for i, x := range parts {
		if x.Kind != "textEditGroup" {
			continue
		}
		p := canon.Join(e.cwd, x.URI.file())
		if p == "" || covered[p] {
			continue
		}
		grouped[p] = true
		fe := store.FileEdit{Session: e.session, Prompt: key, CallID: fmt.Sprintf("%s#edit%d", key, i), Time: t, Path: p,
			Op: store.OpUpdate, Source: "textEditGroup", Status: status}
		if status == store.EditApplied {
			fe.Diff, fe.Added, fe.Removed = groupDiff(canon.Rel(e.cwd, p), x.Edits)
		}
		e.emit(fe)
	}
	for i, x := range parts {
		if x.Kind != "codeblockUri" || !x.IsEdit {
			continue
		}
		p := canon.Join(e.cwd, x.URI.file())
		if p == "" || covered[p] || grouped[p] {
			continue
		}
		grouped[p] = true
		e.emit(store.FileEdit{Session: e.session, Prompt: key, CallID: fmt.Sprintf("%s#block%d", key, i), Time: t, Path: p,
			Op: store.OpUpdate, Source: "codeblockUri", Status: status})
	}
}

// groupDiff renders an edit group as hunks of the lines it adds.
func groupDiff(rel string, groups [][]textEdit) (diff string, added, removed int) {
	var b strings.Builder
	fmt.Fprintf(&b, "--- a/%s\n+++ b/%s\n", rel, rel)
	for _, g := range groups {
		for _, te := range g {
			rg := te.Range
			replaced := 0
			if rg.EndLineNumber > rg.StartLineNumber || rg.EndColumn > rg.StartColumn {
				replaced = rg.EndLineNumber - rg.StartLineNumber + 1
			}
			lines := strings.Split(strings.TrimSuffix(te.Text, "\n"), "\n")
			if te.Text == "" {
				lines = nil
			}
			fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", rg.StartLineNumber, replaced, rg.StartLineNumber, len(lines))
			for _, l := range lines {
				b.WriteString("+" + l + "\n")
			}
			added += len(lines)
			removed += replaced
		}
	}
	return b.String(), added, removed
}
