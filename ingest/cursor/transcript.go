package cursor

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/fileedit"
	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// tLine is one line of an agent transcript.
type tLine struct {
	Role    lenient.Str `json:"role"`
	Message struct {
		Content json.RawMessage `json:"content"`
	} `json:"message"`
}

// block is one element of a message's content.
type block struct {
	Type  lenient.Str     `json:"type"`
	Text  lenient.Str     `json:"text"`
	ID    lenient.Str     `json:"id"`
	Name  lenient.Str     `json:"name"`
	Input json.RawMessage `json:"input"`
}

// blocks returns a message's content blocks; a string content is one text
// block.
func blocks(raw json.RawMessage) []block {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []block{{Type: "text", Text: lenient.Str(s)}}
	}
	var bs []lenient.Of[block]
	json.Unmarshal(raw, &bs)
	var out []block
	for _, b := range bs {
		if b.OK {
			out = append(out, b.V)
		}
	}
	return out
}

// transcriptLine decodes one line of a transcript.
func (d *Decoder) transcriptLine(line []byte) error {
	var l tLine
	if !lenient.Object(line, &l) {
		if json.Valid(line) {
			return lenient.ErrNotObject
		}
		return fmt.Errorf("invalid JSON")
	}
	d.session()
	switch l.Role {
	case "user":
		d.prompt(blocks(l.Message.Content))
	case "assistant":
		d.assistant(blocks(l.Message.Content))
	default:
		d.emit(store.Unknown{Session: d.st.Session, Type: "role/" + string(l.Role)})
	}
	return nil
}

// session emits the session at the first line a decoder gets (the
// pipeline makes one per batch): transcripts carry no times, so the
// session runs to the file's modification time.
func (d *Decoder) session() {
	if d.begun {
		return
	}
	d.begun = true
	s := store.Session{ID: d.st.Session, Cwd: d.st.Cwd, Started: d.now, Ended: d.now}
	if d.st.Parent != "" {
		s.ParentID, s.Relation = d.st.Parent, "subagent"
	}
	d.emit(s)
}

// prompt decodes a user turn: the text inside <user_query> is what was
// typed; what surrounds it (attached files, rules, IDE state) is context.
func (d *Decoder) prompt(bs []block) {
	var texts []string
	for _, b := range bs {
		if b.Type == "text" && b.Text != "" {
			texts = append(texts, string(b.Text))
		}
	}
	all := strings.Join(texts, "\n\n")
	text, context := splitQuery(all)
	p := store.Prompt{Session: d.st.Session, Key: d.key(), Time: d.now, Text: text, Context: context, Cwd: d.st.Cwd}
	d.st.Prompt = p.Key
	d.st.Open = nil
	if d.st.Cwd == "" {
		open := p
		if len(open.Text)+len(open.Context) > maxOpenText {
			open.Context = "" // too large to wait for: emitted as it is
		} else {
			d.st.Open = &open
		}
	}
	d.emit(p)
}

// splitQuery separates the <user_query> part of a user message from the
// rest; a message without the tags is all query.
func splitQuery(s string) (query, context string) {
	const open, close = "<user_query>", "</user_query>"
	i := strings.Index(s, open)
	if i < 0 {
		return strings.TrimSpace(s), ""
	}
	rest := s[i+len(open):]
	j := strings.Index(rest, close)
	if j < 0 {
		j = len(rest)
	}
	query = strings.TrimSpace(rest[:j])
	after := ""
	if j+len(close) <= len(rest) {
		after = rest[j+len(close):]
	}
	context = strings.TrimSpace(strings.TrimSpace(s[:i]) + "\n\n" + strings.TrimSpace(after))
	return query, context
}

// assistant decodes an assistant turn: texts, and tool calls with the
// edits they make. Cursor replaces some texts by "[REDACTED]" itself; a
// text that is only that says nothing and is left out.
func (d *Decoder) assistant(bs []block) {
	for _, b := range bs {
		if b.Type == "tool_use" {
			d.learnCwd(b.Input)
		}
	}
	for i, b := range bs {
		switch b.Type {
		case "text":
			text := strings.TrimSpace(string(b.Text))
			if text == "" || text == "[REDACTED]" {
				continue
			}
			d.emit(store.Message{Session: d.st.Session, Prompt: d.st.Prompt, Key: d.key(), Time: d.now,
				Kind: store.MessageAssistant, Text: text})
		case "tool_use":
			id := string(b.ID)
			if id == "" {
				id = fmt.Sprintf("%s.t%d", d.line, i)
			}
			d.emit(store.ToolCall{Session: d.st.Session, Prompt: d.st.Prompt, CallID: id, Time: d.now,
				Name: string(b.Name), Input: lenient.Text(b.Input)})
			if fe, ok := toolEdit(string(b.Name), b.Input, d.st.Cwd); ok {
				fe.Session, fe.Prompt, fe.CallID, fe.Time = d.st.Session, d.st.Prompt, id, d.now
				d.emit(fe)
			}
		default:
			d.emit(store.Unknown{Session: d.st.Session, Type: "block/" + string(b.Type)})
		}
	}
}

// pathKeys are the input fields that name a file or directory.
var pathKeys = []string{"path", "file_path", "target_file", "target_notebook", "target_directory"}

// learnCwd finds the project root in the paths a tool call names: the
// deepest directory above one whose name, with every run of other
// characters than letters and digits made a dash, is the project
// directory's name (Cursor names it so, lossily). Paths may arrive redacted
// (from the decoder's stored state):
// in a path whose home or user name was replaced ("~/…", "[REDACTED:…]"),
// the part after the replacement must end the name. The session and an
// open prompt get the root once known.
func (d *Decoder) learnCwd(input json.RawMessage) {
	if d.st.Cwd != "" || d.st.Slug == "" {
		return
	}
	var in map[string]lenient.Str
	if !lenient.Object(input, &in) {
		return
	}
	for _, k := range pathKeys {
		p := string(in[k])
		if !canon.IsAbs(p) {
			continue
		}
		for dir := p; ; {
			i := strings.LastIndexAny(dir, `/\`)
			if i <= 0 {
				break
			}
			dir = dir[:i]
			if slugMatches(d.st.Slug, dir, d.home) {
				d.st.Cwd = dir
				d.emit(store.Session{ID: d.st.Session, Cwd: dir})
				if d.st.Open != nil {
					p := *d.st.Open
					p.Cwd = dir
					d.emit(p)
					d.st.Open = nil
				}
				return
			}
		}
	}
}

// slugMatches reports whether dir is the directory the project name stands
// for: the same letters and digits. Paths may arrive redacted: "~" stands for
// home, the directory that holds .cursor (known from the transcript's own
// path), and "[REDACTED:…]" for its user name. Without a home, the rest
// of dir after a redacted element must end the name, and the elements
// before it begin it.
func slugMatches(name, dir, home string) bool {
	want := slug(name)
	elems := strings.FieldsFunc(dir, func(r rune) bool { return r == '/' || r == '\\' })
	if home != "" {
		// The home is known: "~" is it, and a redacted user name is its.
		user := home[strings.LastIndexAny(home, `/\`)+1:]
		for i, e := range elems {
			switch {
			case i == 0 && e == "~":
				elems[i] = home
			case strings.Contains(e, "[REDACTED"):
				elems[i] = user
			}
		}
		return slug(strings.Join(elems, "/")) == want
	}
	for i := len(elems) - 1; i >= 0; i-- {
		if elems[i] != "~" && !strings.Contains(elems[i], "[REDACTED") {
			continue
		}
		tail := slug(strings.Join(elems[i+1:], "/"))
		if tail == "" || !strings.HasSuffix(want, "-"+tail) {
			return false
		}
		before := slug(strings.Join(elems[:i], "/"))
		return before == "" && elems[i] != "~" || before != "" && strings.HasPrefix(want, before+"-")
	}
	return slug(dir) == want
}

// slug maps a path or a project directory name to its letters and digits
// separated by single dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// toolInput is what edit tools take, in transcripts and in the database.
type toolInput struct {
	Path         lenient.Str `json:"path"`
	FilePath     lenient.Str `json:"file_path"`
	TargetFile   lenient.Str `json:"target_file"`
	Notebook     lenient.Str `json:"target_notebook"`
	RelWorkspace lenient.Str `json:"relative_workspace_path"`
	Contents     lenient.Str `json:"contents"`
	Content      lenient.Str `json:"content"`
	FileText     lenient.Str `json:"file_text"`
	OldString    lenient.Str `json:"old_string"`
	NewString    lenient.Str `json:"new_string"`
	Edits        []struct {
		OldString lenient.Str `json:"old_string"`
		NewString lenient.Str `json:"new_string"`
	} `json:"edits"`
}

func (in toolInput) path() string {
	for _, p := range []lenient.Str{in.Path, in.FilePath, in.TargetFile, in.Notebook, in.RelWorkspace} {
		if p != "" {
			return string(p)
		}
	}
	return ""
}

// editKinds maps the names of Cursor's edit tools (the transcripts' and
// the IDE's) to what they do.
var editKinds = map[string]string{
	"Write": "write", "write": "write", "create_file": "write", "write_file": "write",
	"StrReplace": "replace", "search_replace": "replace", "EditNotebook": "replace", "edit_notebook": "replace",
	"MultiEdit": "multi", "multi_edit": "multi",
	"Delete": "delete", "delete_file": "delete",
	"edit_file": "edit", "edit_file_v2": "edit",
}

// toolEdit is the FileEdit a tool call asks for, from its input: a write
// adds its whole content (what it replaced is unknown), a replacement
// diffs its old and new strings (hunks numbered from the snippet's first
// line: where it sits in the file is unknown), a delete removes the file.
// edit_file's sketch of the new code is no diff: its edit names the file
// only (the database's result may give the diff, see rowEdit).
func toolEdit(name string, raw json.RawMessage, cwd string) (store.FileEdit, bool) {
	kind := editKinds[name]
	var in toolInput
	if kind == "" || !lenient.Object(raw, &in) || in.path() == "" {
		return store.FileEdit{}, false
	}
	abs := canon.Join(cwd, in.path())
	rel := canon.Rel(cwd, abs)
	fe := store.FileEdit{Path: abs, Op: store.OpUpdate, Source: "tool_use", Status: store.EditApplied}
	var diff fileedit.Diff
	switch kind {
	case "write":
		content := string(in.Contents)
		if content == "" {
			content = string(in.Content + in.FileText)
		}
		diff = fileedit.Added(rel, content, false)
	case "replace":
		diff = fileedit.Snippets(rel, [2]string{string(in.OldString), string(in.NewString)})
	case "multi":
		var pairs [][2]string
		for _, e := range in.Edits {
			pairs = append(pairs, [2]string{string(e.OldString), string(e.NewString)})
		}
		diff = fileedit.Snippets(rel, pairs...)
	case "delete":
		fe.Op = store.OpDelete
		return fe, true
	case "edit":
		return fe, true
	}
	if diff.Added+diff.Removed > 0 {
		fe.Diff, fe.Added, fe.Removed = diff.Text, diff.Added, diff.Removed
	}
	return fe, true
}
