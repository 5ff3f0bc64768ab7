package codex

import (
	"encoding/json"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// item decodes a Responses API item: a response_item payload, a G1 bare
// line or a G0 item.
func (d *Decoder) item(p obj) {
	switch typ := p.str("type"); typ {
	case "message":
		d.message(p)
	case "reasoning":
		for _, raw := range p.arr("summary") {
			if s, ok := parseObj(raw); ok {
				d.said(store.MessageReasoning, fromItem, s.str("text"))
			}
		}
		for _, raw := range p.arr("content") {
			if s, ok := parseObj(raw); ok {
				d.said(store.MessageReasoning, fromItem, s.str("text"))
			}
		}
	case "function_call":
		args := p.str("arguments")
		if args == "" {
			args = compact(p["arguments"])
		}
		name := p.str("name")
		if ns := p.str("namespace"); ns != "" {
			name = ns + "." + name
		}
		id := d.call(p.str("call_id"), name, args)
		d.callEdits(id, p.str("name"), args)
	case "custom_tool_call":
		id := d.call(p.str("call_id"), p.str("name"), p.str("input"))
		d.callEdits(id, p.str("name"), p.str("input"))
	case "local_shell_call":
		action := p.obj("action")
		id := d.call(firstOf(p.str("call_id"), p.str("id")), "local_shell", compact(p["action"]))
		if patch, dir, ok := argvPatch(action.strs("command")); ok {
			d.patchEdits(id, patch, action.str("working_directory"), dir)
		}
	case "web_search_call":
		d.call(firstOf(p.str("call_id"), p.str("id")), "web_search", compact(p["action"]))
	case "tool_search_call":
		d.call(firstOf(p.str("call_id"), p.str("id")), "tool_search", compact(p["arguments"]))
	case "image_generation_call":
		d.call(firstOf(p.str("call_id"), p.str("id")), "image_generation", p.str("revised_prompt"))
	case "function_call_output", "custom_tool_call_output", "local_shell_call_output":
		text, status := outputText(p["output"])
		d.result(p.str("call_id"), text, status)
	case "tool_search_output":
		status := ""
		switch p.str("status") {
		case "completed":
			status = "ok"
		case "failed":
			status = "error"
		}
		d.result(p.str("call_id"), compact(p["tools"]), status)
	case "agent_message":
		// A message another agent sent this one (0.14x collaboration).
		if text := contentText(p["content"]); text != "" {
			d.note(text)
		}
	case "ghost_snapshot", "compaction", "compaction_summary", "context_compaction", "compaction_trigger",
		"configuration_update", "additional_tools", "other":
		// Undo snapshots and opaque checkpoints: nothing readable.
	case "":
		d.unknown("response_item")
	default:
		d.unknown("response_item/" + typ)
	}
}

// message decodes a message item by role.
func (d *Decoder) message(p obj) {
	var texts []string
	image := false
	for _, raw := range p.arr("content") {
		c, ok := parseObj(raw)
		if !ok {
			if s := lenient.String(raw); s != "" {
				texts = append(texts, s)
			}
			continue
		}
		switch c.str("type") {
		case "input_text", "output_text", "text":
			texts = append(texts, c.str("text"))
		case "input_image", "image":
			image = true
		}
	}
	if s := p.str("content"); s != "" {
		texts = append(texts, s)
	}
	switch p.str("role") {
	case "user":
		turn := firstOf(p.obj("internal_chat_message_metadata_passthrough").str("turn_id"), p.obj("metadata").str("turn_id"))
		d.userMessage(fromItem, splitUser(texts, image), turn)
	case "assistant":
		d.said(store.MessageAssistant, fromItem, strings.Join(texts, "\n"))
	}
	// developer and system messages are instructions Codex sends the model.
}

// userMessage handles what the user sent, from either copy Codex writes:
// event_msg/user_message (what was typed) and the response_item message
// (what the model saw); newer builds write only the latter. The first copy
// becomes the prompt; the second one, from the other source before any
// agent activity, is recognised as the same turn and only lends its text
// when it is the event's. Pure injected context is kept for the next
// prompt's Context.
func (d *Decoder) userMessage(src int, u userText, turn string) {
	d.learnCwd(u.Context)
	if !u.prompt() {
		d.addContext(u.Context)
		return
	}
	if o := d.st.Open; o != nil && o.Mirror && o.Src != src {
		o.Mirror = false
		if src == fromEvent && u.Text != "" && u.Text != o.P.Text {
			o.P.Text = u.Text
			d.emit(o.P)
		}
		d.settle()
		return
	}
	ctx := d.st.Context
	for _, c := range u.Context {
		ctx = joinContext(ctx, c)
	}
	p := store.Prompt{
		Session: d.st.Session,
		Key:     d.promptKey(turn),
		Time:    d.ln.t,
		Text:    u.Text,
		Context: ctx,
		Cwd:     d.st.Cwd,
		Model:   d.st.Model,
	}
	d.st.Context = ""
	d.st.Prompt = p.Key
	d.st.Said = nil
	d.emit(p)
	d.st.Open = &openPrompt{P: p, Src: src, Mirror: true}
}

// promptKey returns the key of a new prompt: its turn id the first time
// the turn has one, else "L<line>".
func (d *Decoder) promptKey(turn string) string {
	if turn == "" {
		turn = d.st.Turn
	}
	if turn != "" && turn != d.st.Used {
		d.st.Used = turn
		return turn
	}
	return d.ln.key
}

// activity records that the agent acted: the open prompt's second copy can
// no longer come.
func (d *Decoder) activity() {
	if o := d.st.Open; o != nil && o.Mirror {
		o.Mirror = false
		d.settle()
	}
}

// settle completes the open prompt with the turn's model once it is known
// (0.39 writes turn_context after the prompt) and forgets it once nothing
// can change it any more.
func (d *Decoder) settle() {
	o := d.st.Open
	if o == nil {
		return
	}
	if o.P.Model == "" && d.st.Model != "" {
		o.P.Model = d.st.Model
		if o.P.Cwd == "" {
			o.P.Cwd = d.st.Cwd
		}
		if d.out != nil {
			d.out(o.P)
		}
	}
	if !o.Mirror && o.P.Model != "" {
		d.st.Open = nil
	}
}

// envCwd finds the cwd in an <environment_context> block.
var envCwd = regexp.MustCompile(`<cwd>([^<]+)</cwd>`)

// learnCwd takes the cwd from injected environment context when nothing
// else gave one: G1 rollouts have no turn_context and their SessionMeta
// no cwd.
func (d *Decoder) learnCwd(ctx []string) {
	if d.st.Cwd != "" {
		return
	}
	for _, c := range ctx {
		if !strings.HasPrefix(c, "<environment_context>") {
			continue
		}
		if m := envCwd.FindStringSubmatch(c); m != nil && strings.TrimSpace(m[1]) != "" {
			d.st.Cwd = strings.TrimSpace(m[1])
			d.emit(store.Session{ID: d.st.Session, Cwd: d.st.Cwd})
			return
		}
	}
}

func joinContext(a, b string) string {
	b = strings.TrimSpace(b)
	switch {
	case b == "":
		return a
	case a == "":
		return b
	}
	return a + "\n\n" + b
}

// addContext keeps injected context for the next prompt, up to maxContext.
func (d *Decoder) addContext(parts []string) {
	for _, c := range parts {
		d.st.Context = joinContext(d.st.Context, c)
	}
	if len(d.st.Context) > maxContext {
		d.st.Context = truncate(d.st.Context, maxContext)
	}
}

// said emits assistant or reasoning text unless it is the second copy of a
// text just emitted from the other source: Codex writes the assistant's
// text both as a response_item message and an event_msg/agent_message, and
// reasoning both as reasoning summary parts and agent_reasoning events,
// in either order and not always adjacent. The first copy is kept.
func (d *Decoder) said(kind string, src int, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	d.activity()
	h := fnv.New64a()
	h.Write([]byte(kind + "\x00" + strings.TrimSpace(text)))
	sum := strconv.FormatUint(h.Sum64(), 36)
	for i, s := range d.st.Said {
		if s.Kind == kind && s.Src != src && s.Hash == sum {
			d.st.Said = append(d.st.Said[:i], d.st.Said[i+1:]...)
			return
		}
	}
	d.emit(store.Message{Session: d.st.Session, Prompt: d.st.Prompt, Key: d.key(), Time: d.ln.t, Kind: kind, Text: text})
	d.st.Said = append(d.st.Said, said{Kind: kind, Src: src, Hash: sum})
	if len(d.st.Said) > maxSaid {
		d.st.Said = d.st.Said[len(d.st.Said)-maxSaid:]
	}
}

// call emits a tool call and returns its id: the agent's call id, else one
// made from the line.
func (d *Decoder) call(id, name, input string) string {
	if id == "" {
		id = d.key()
	}
	d.emit(store.ToolCall{Session: d.st.Session, Prompt: d.st.Prompt, CallID: id, Time: d.ln.t, Name: name, Input: input})
	d.remember(id)
	return id
}

func (d *Decoder) remember(id string) {
	for _, c := range d.st.Calls {
		if c == id {
			return
		}
	}
	d.st.Calls = append(d.st.Calls, id)
	if len(d.st.Calls) > maxCalls {
		d.st.Calls = d.st.Calls[len(d.st.Calls)-maxCalls:]
	}
}

func (d *Decoder) seen(id string) bool {
	for _, c := range d.st.Calls {
		if c == id {
			return true
		}
	}
	return false
}

// result emits a tool call's output. The output of an apply_patch call
// also settles the call's edits: when it failed, they were not applied.
func (d *Decoder) result(id, text, status string) {
	if id == "" {
		id = d.key()
	}
	if i := d.patchIndex(id); i >= 0 {
		if status == "" {
			status = patchStatus(text)
		}
		if status == "error" {
			d.failEdits(d.st.Patches[i].Edits, nil)
		}
		d.dropPatch(i)
	}
	d.emit(store.ToolResult{Session: d.st.Session, CallID: id, Time: d.ln.t, Output: text, Status: status})
}

// shellTools are the tools that run a command, which may be apply_patch.
var shellTools = map[string]bool{
	"shell": true, "shell_command": true, "exec_command": true, "local_shell": true,
	"container.exec": true, "unified_exec": true,
}

// callEdits emits the file edits a tool call asks for: apply_patch as a
// custom tool (input is the patch) or a function (arguments {"input":
// patch}), or a shell command that runs apply_patch.
func (d *Decoder) callEdits(id, name, input string) {
	args, _ := parseObj([]byte(input))
	workdir := firstOf(args.str("workdir"), args.str("working_directory"), args.str("cwd"))
	switch {
	case name == "apply_patch":
		patch := firstOf(args.str("input"), args.str("patch"))
		if patch == "" && args == nil {
			patch = input
		}
		d.patchEdits(id, patch, workdir, "")
	case shellTools[name]:
		for _, k := range []string{"command", "cmd"} {
			var (
				patch, dir string
				ok         bool
			)
			if argv := args.strs(k); len(argv) > 0 {
				patch, dir, ok = argvPatch(argv)
			} else if s := args.str(k); s != "" {
				patch, dir, ok = scriptPatch(s)
			}
			if ok {
				d.patchEdits(id, patch, workdir, dir)
				return
			}
		}
	}
}

// patchEdits emits one edit per file of a patch applied in workdir (and
// then dir), relative to the turn's cwd. A patch Codex cannot parse changes
// nothing and gives no edit; its call is remembered all the same, so that
// its output's status is read the way apply_patch words it.
func (d *Decoder) patchEdits(id, patch, workdir, dir string) {
	var edits []store.FileEdit
	if files, err := parsePatch(patch); err == nil {
		at := d.st.Cwd
		for _, sub := range []string{workdir, dir} {
			if sub != "" {
				at = canon.Join(at, sub)
			}
		}
		for _, f := range files {
			e := store.FileEdit{
				Session: d.st.Session,
				Prompt:  d.st.Prompt,
				CallID:  id,
				Time:    d.ln.t,
				Path:    canon.Join(at, f.Path),
				Op:      f.Op,
				Source:  "apply_patch",
				Status:  store.EditApplied,
			}
			newPath := e.Path
			if f.MoveTo != "" {
				e.Op, e.MovePath = store.OpMove, canon.Join(at, f.MoveTo)
				newPath = e.MovePath
			}
			e.Added, e.Removed = f.counts()
			rel := firstOf(d.st.Cwd, at)
			e.Diff = f.diff(canon.DiffName("a", canon.Rel(rel, e.Path)), canon.DiffName("b", canon.Rel(rel, newPath)))
			d.emit(e)
			edits = append(edits, e)
		}
	}
	d.st.Patches = append(d.st.Patches, pendingPatch{CallID: id, Edits: edits})
	if len(d.st.Patches) > maxPatches {
		d.st.Patches = d.st.Patches[len(d.st.Patches)-maxPatches:]
	}
}

func (d *Decoder) patchIndex(id string) int {
	for i, p := range d.st.Patches {
		if p.CallID == id {
			return i
		}
	}
	return -1
}

func (d *Decoder) dropPatch(i int) {
	d.st.Patches = append(d.st.Patches[:i], d.st.Patches[i+1:]...)
	if len(d.st.Patches) == 0 {
		d.st.Patches = nil
	}
}

// failEdits re-emits edits as failed, except those of the paths in skip.
func (d *Decoder) failEdits(edits []store.FileEdit, skip map[string]bool) {
	for _, e := range edits {
		if skip[e.Path] {
			continue
		}
		e.Status = store.EditFailed
		d.emit(e)
	}
}

// outputText returns a tool output as text, and the status it reports:
// "ok", "error", or "" when it says nothing. Outputs are strings (older
// shells: a JSON string {"output","metadata":{"exit_code"}}), content item
// arrays, or objects.
func outputText(raw json.RawMessage) (string, string) {
	if isNull(raw) {
		return "", ""
	}
	if s := lenient.String(raw); s != "" || strings.TrimSpace(string(raw)) == `""` {
		if o, ok := parseObj([]byte(s)); ok && o.has("output") {
			text, _ := outputText(o["output"])
			return text, exitStatus(o.obj("metadata"))
		}
		return s, textStatus(s)
	}
	if items := rawArr(raw); items != nil {
		return contentText(raw), ""
	}
	o, ok := parseObj(raw)
	if !ok {
		return compact(raw), ""
	}
	status := ""
	if v, ok := o.boolean("success"); ok {
		status = okStatus(v)
	}
	switch {
	case o.has("text"):
		return o.str("text"), status
	case o.has("content"):
		text, st := outputText(o["content"])
		return text, firstOf(status, st)
	case o.has("output"):
		text, st := outputText(o["output"])
		return text, firstOf(status, exitStatus(o.obj("metadata")), st)
	}
	return compact(raw), status
}

// contentText joins the texts of a content item array (or returns a plain
// string); images read as "[image]".
func contentText(raw json.RawMessage) string {
	if s := lenient.String(raw); s != "" {
		return s
	}
	var parts []string
	for _, e := range rawArr(raw) {
		c, ok := parseObj(e)
		if !ok {
			if s := lenient.String(e); s != "" {
				parts = append(parts, s)
			}
			continue
		}
		switch {
		case c.has("text"):
			parts = append(parts, c.str("text"))
		case strings.Contains(c.str("type"), "image"):
			parts = append(parts, "[image]")
		}
	}
	return strings.Join(parts, "\n")
}

func okStatus(ok bool) string {
	if ok {
		return "ok"
	}
	return "error"
}

// exitStatus reads metadata.exit_code.
func exitStatus(meta obj) string {
	if n, ok := meta.integer("exit_code"); ok {
		return okStatus(n == 0)
	}
	return ""
}

// textStatus reads the exit code newer shells put ahead of their output
// ("Exit code: 1", "Process exited with code 1", before "Output:").
func textStatus(s string) string {
	for _, l := range strings.SplitN(s, "\n", 8) {
		l = strings.TrimSpace(l)
		if l == "Output:" {
			break
		}
		for _, p := range []string{"Exit code: ", "Process exited with code "} {
			if rest, ok := strings.CutPrefix(l, p); ok {
				if n, err := strconv.Atoi(strings.TrimSpace(rest)); err == nil {
					return okStatus(n == 0)
				}
			}
		}
	}
	return ""
}

// patchStatus judges an apply_patch output that carries no exit code by
// the words apply_patch uses.
func patchStatus(s string) string {
	if st := textStatus(s); st != "" {
		return st
	}
	if _, out, ok := strings.Cut(s, "Output:\n"); ok {
		s = out
	}
	l := strings.ToLower(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(l, "success."), strings.HasPrefix(l, "done!"):
		return "ok"
	case strings.Contains(l, "verification failed"), strings.HasPrefix(l, "patch rejected"),
		strings.HasPrefix(l, "failed to"), strings.HasPrefix(l, "invalid patch"),
		strings.HasPrefix(l, "error"), strings.HasPrefix(l, "no files were modified"):
		return "error"
	}
	return ""
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
