package codex

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// ignoredEvents are persisted events that add nothing to the records:
// turn bookkeeping, settings, review mode, approvals, and item_completed,
// which repeats items also written as response_item lines.
var ignoredEvents = map[string]bool{
	"thread_settings_applied": true, "sub_agent_activity": true, "thread_goal_updated": true,
	"entered_review_mode": true, "exited_review_mode": true, "item_completed": true, "item_started": true,
	"guardian_assessment": true, "dynamic_tool_call_request": true, "undo_started": true, "undo_completed": true,
	"agent_reasoning_section_break": true, "session_configured": true, "plan_update": true,
	"background_event": true, "shutdown_complete": true, "turn_diff": true, "get_history_entry_response": true,
	"mcp_list_tools_response": true, "list_custom_prompts_response": true, "stream_error": true,
	"warning": true, "deprecation_notice": true, "mcp_startup_update": true, "mcp_startup_complete": true,
}

// event decodes an event_msg payload.
func (d *Decoder) event(p obj) {
	switch typ := p.str("type"); typ {
	case "user_message":
		u := splitUser([]string{p.str("message")}, len(p.arr("images")) > 0 || len(p.arr("local_images")) > 0)
		if k := p.str("kind"); k == "user_instructions" || k == "environment_context" {
			// 0.3x wrote injected context as user_message kinds.
			u.Context = append(u.Context, u.Text)
			u.Text, u.Image = "", false
		}
		d.userMessage(fromEvent, u, p.str("turn_id"))
	case "agent_message":
		d.said(store.MessageAssistant, fromEvent, p.str("message"))
	case "agent_reasoning", "agent_reasoning_raw_content":
		d.said(store.MessageReasoning, fromEvent, p.str("text"))
	case "token_count":
		d.tokenCount(p)
	case "task_started", "turn_started":
		if id := p.str("turn_id"); id != "" {
			d.st.Turn = id
		}
	case "task_complete", "turn_complete":
		d.activity()
		if e := p["error"]; !isNull(e) {
			msg := p.obj("error").str("message")
			if msg == "" {
				msg = firstOf(lenient.String(e), compact(e))
			}
			d.note("Turn failed: " + msg)
		}
		d.ended()
	case "turn_aborted":
		d.note("Turn aborted: " + firstOf(p.str("reason"), "unknown reason"))
		d.ended()
	case "context_compacted":
		d.note("Context compacted.")
	case "error":
		d.note("Error: " + p.str("message"))
	case "thread_rolled_back":
		msg := "Thread rolled back"
		if n, ok := p.integer("num_turns"); ok {
			msg += " " + strconv.FormatInt(n, 10) + " turns"
		}
		d.note(msg + ".")
	case "thread_name_updated":
		if name := p.str("thread_name"); name != "" {
			d.emit(store.Session{ID: d.st.Session, Title: name})
		}
	case "patch_apply_end":
		d.patchApplyEnd(p)
	case "exec_command_end":
		in, _ := json.Marshal(map[string]json.RawMessage{"command": p["command"], "cwd": p["cwd"]})
		out := firstOf(p.str("aggregated_output"), p.str("formatted_output"))
		if out == "" {
			out = strings.TrimRight(p.str("stdout")+"\n"+p.str("stderr"), "\n")
		}
		status := ""
		if n, ok := p.integer("exit_code"); ok {
			status = okStatus(n == 0)
		}
		d.endedCall(p, "exec_command", compact(in), out, status)
	case "mcp_tool_call_end":
		inv := p.obj("invocation")
		res := p.obj("result")
		out, status := "", ""
		if ok := res.obj("Ok"); ok != nil {
			out = contentText(ok["content"])
			isErr, _ := ok.boolean("isError")
			status = okStatus(!isErr)
		} else if e, has := res["Err"]; has {
			out, status = firstOf(lenient.String(e), compact(e)), "error"
		}
		d.endedCall(p, "mcp__"+inv.str("server")+"__"+inv.str("tool"), compact(inv["arguments"]), out, status)
	case "web_search_end":
		in := compact(p["action"])
		if in == "" {
			in = p.str("query")
		}
		d.endedCall(p, "web_search", in, compact(p["results"]), "")
	case "image_generation_end":
		d.endedCall(p, "image_generation", p.str("revised_prompt"), p.str("saved_path"), "")
	case "view_image_tool_call":
		d.endedCall(p, "view_image", p.str("path"), "", "")
	case "dynamic_tool_call_response":
		status := ""
		if v, ok := p.boolean("success"); ok {
			status = okStatus(v)
		}
		name := p.str("tool")
		if ns := p.str("namespace"); ns != "" {
			name = ns + "." + name
		}
		d.endedCall(p, name, compact(p["arguments"]), contentText(p["content_items"]), status)
	case "collab_agent_spawn_end", "collab_agent_interaction_end", "collab_waiting_end", "collab_close_end",
		"collab_resume_end":
		d.endedCall(p, strings.TrimSuffix(typ, "_end"), p.str("prompt"), compact(p["status"]), "")
	case "":
		d.unknown("event_msg")
	default:
		if !ignoredEvents[typ] {
			d.unknown("event_msg/" + typ)
		}
	}
}

// ended widens the session to the end of a turn.
func (d *Decoder) ended() {
	if !d.ln.t.IsZero() {
		d.emit(store.Session{ID: d.st.Session, Ended: d.ln.t})
	}
}

// endedCall handles an event that reports a finished tool call. Calls the
// model made are recorded from their response_item lines already, so the
// event adds nothing; calls made inside a "code mode" exec cell have no
// such line, and the event is their only record.
func (d *Decoder) endedCall(p obj, name, input, output, status string) {
	id := firstOf(p.str("call_id"), p.str("callId"))
	if id != "" && d.seen(id) {
		return
	}
	id = d.call(id, name, input)
	d.emit(store.ToolResult{Session: d.st.Session, CallID: id, Time: d.ln.t, Output: output, Status: status})
}

// patchApplyEnd handles patch_apply_end: the changes Codex applied (or
// failed to apply), keyed by absolute path. Its edits replace those parsed
// from the same call's patch; when the patch failed, every edit of the
// call is marked failed.
func (d *Decoder) patchApplyEnd(p obj) {
	success := true
	if v, ok := p.boolean("success"); ok {
		success = v
	} else if st := p.str("status"); st == "failed" || st == "declined" {
		success = false
	}
	changes := p.obj("changes")
	paths := make([]string, 0, len(changes))
	for k := range changes {
		paths = append(paths, k)
	}
	sort.Strings(paths)

	id := firstOf(p.str("call_id"), p.str("callId"))
	if id == "" || !d.seen(id) {
		in, _ := json.Marshal(map[string][]string{"changes": paths})
		out := strings.TrimRight(p.str("stdout")+"\n"+p.str("stderr"), "\n")
		id = d.call(id, "apply_patch", string(in))
		d.emit(store.ToolResult{Session: d.st.Session, CallID: id, Time: d.ln.t, Output: out, Status: okStatus(success)})
	}
	status := store.EditApplied
	if !success {
		status = store.EditFailed
	}
	done := map[string]bool{}
	for _, k := range paths {
		e, ok := d.change(k, changes[k])
		if !ok {
			continue
		}
		e.CallID, e.Status = id, status
		done[e.Path] = true
		d.emit(e)
	}
	if i := d.patchIndex(id); i >= 0 {
		if !success {
			d.failEdits(d.st.Patches[i].Edits, done)
		}
		// Settled: the call's output, still to come, only lends its status.
		d.st.Patches[i].Edits = nil
	}
}

// change builds the edit of one patch_apply_end change: {"type":"add",
// "content"}, {"type":"delete","content"} or {"type":"update",
// "unified_diff","move_path"} (older builds: {"add":{…}}, "delete").
func (d *Decoder) change(p string, raw json.RawMessage) (store.FileEdit, bool) {
	ch, _ := parseObj(raw)
	typ := ch.str("type")
	if ch == nil && lenient.String(raw) == "delete" {
		typ = "delete"
	}
	if typ == "" {
		for _, t := range []string{store.OpAdd, store.OpDelete, store.OpUpdate} {
			if x, has := ch[t]; has {
				ch, _ = parseObj(x)
				typ = t
				break
			}
		}
	}
	e := store.FileEdit{
		Session: d.st.Session,
		Prompt:  d.st.Prompt,
		Time:    d.ln.t,
		Path:    canon.Join(d.st.Cwd, p),
		Source:  "patch_apply_end",
	}
	rel := canon.Rel(d.st.Cwd, e.Path)
	oldName, newName := canon.DiffName("a", rel), canon.DiffName("b", rel)
	content, hasContent := ch["content"]
	unified := ch.str("unified_diff")
	switch typ {
	case store.OpAdd:
		e.Op = store.OpAdd
		if hasContent && !isNull(content) {
			lines := splitContent(lenient.String(content))
			e.Diff, e.Added = contentDiff("", newName, lines, '+'), len(lines)
		} else {
			e.Diff = withHeaders(unified, "/dev/null", newName)
			e.Added, e.Removed = diffCounts(unified)
		}
	case store.OpDelete:
		e.Op = store.OpDelete
		if hasContent && !isNull(content) {
			lines := splitContent(lenient.String(content))
			e.Diff, e.Removed = contentDiff(oldName, "", lines, '-'), len(lines)
		} else {
			e.Diff = withHeaders(unified, oldName, "/dev/null")
			e.Added, e.Removed = diffCounts(unified)
		}
	case store.OpUpdate:
		e.Op = store.OpUpdate
		if mv := ch.str("move_path"); mv != "" {
			e.Op, e.MovePath = store.OpMove, canon.Join(d.st.Cwd, mv)
			newName = canon.DiffName("b", canon.Rel(d.st.Cwd, e.MovePath))
		}
		e.Diff = withHeaders(unified, oldName, newName)
		e.Added, e.Removed = diffCounts(unified)
	default:
		return e, false
	}
	return e, true
}

// withHeaders puts ---/+++ headers on a diff that has none (Codex writes
// only the hunks).
func withHeaders(diff, from, to string) string {
	if strings.HasPrefix(diff, "--- ") {
		return diff
	}
	if diff != "" && !strings.HasSuffix(diff, "\n") {
		diff += "\n"
	}
	return "--- " + from + "\n+++ " + to + "\n" + diff
}
