// Package codex decodes the session logs ("rollouts") of the OpenAI Codex
// CLI, its VS Code extension, Codex Desktop and codex exec into store
// records. It owns the knowledge of Codex's on-disk formats and nothing
// else: it imports store, lenient and spec only, knows no SQL, no
// redaction and no git, and ingest wraps its functions into an
// ingest.Agent.
//
// # Files and generations
//
// Rollouts live in $CODEX_HOME (else ~/.codex) under sessions/YYYY/MM/DD/
// and the flat archived_sessions/. Three generations are decoded:
//
//   - G0, the TypeScript codex-cli (spring 2025): one JSON document
//     {"session":{…},"items":[…]} per file, rewritten whole and given to
//     Line as one line. Its items carry no time (the session's is used), and
//     no cwd is recorded, so edit paths are absolute only when a call names
//     a workdir.
//   - G1, legacy JSONL (June to early September 2025): a bare SessionMeta
//     line, then bare response items and {"record_type":"state"} lines
//     (ignored). Lines without a timestamp inherit the last one seen; the
//     cwd comes from the <environment_context> block Codex injects.
//   - G2, the {timestamp,type,payload} envelope (September 2025 on) with its
//     later additions. Any JSON spacing is accepted.
//
// A line that is not a JSON object is an error (the pipeline counts it as
// bad); a record of an unknown type becomes store.Unknown{Type}, named
// "<line type>", "event_msg/<type>" or "response_item/<type>".
//
// # What each record gets
//
// Session: ID from session_meta.payload.id (the file name only for lines
// before any session_meta); Cwd, AgentVersion (cli_version), Originator, Git*
// (git.commit_hash, branch, repository_url); ParentID/Relation "subagent"
// from source.subagent.thread_spawn.parent_thread_id, else "fork" from
// forked_from_id; Model from each new turn_context model; Title from
// thread_name_updated; Started from the meta's timestamp, Ended at each turn
// end. A later session_meta with another id is a parent's copied in with its
// history (forks, sub-agents) and is ignored.
//
// Prompt: what the user typed. Codex writes a turn twice, as
// event_msg/user_message and as a response_item message with role user (in
// either order; newer builds write only the latter). The first copy becomes
// the prompt; the second, from the other source before any agent activity,
// is the same turn and only lends its text when it is the event's (what was
// typed). Injected blocks (<environment_context>, <user_instructions>,
// "# AGENTS.md instructions…", <turn_aborted>, <user_shell_command>, …)
// and the VS Code preamble ("# Context from my IDE setup:" up to "## My
// request for Codex:") go to Context; a message that is only injected
// context is no prompt, and its text waits (capped at 64 KiB) for the next
// prompt's Context. Key is the turn id (turn_context, task_started, or the
// item's metadata) for the first prompt of a turn, else "L<line>" ("I<item>"
// in G0). Cwd and Model are the current turn's; when turn_context comes after
// the prompt (0.39), the prompt is emitted again with the model once it is
// known (the store upserts prompts by key).
//
// Message: assistant text from response_item messages and
// event_msg/agent_message, reasoning from reasoning summary (and content)
// parts and agent_reasoning events. Both copies exist, in either order and
// not always adjacent: the first is kept and its copy from the other source
// (same kind and text, within the turn) is dropped. System notes: the
// compacted summary, context_compacted, turn_aborted, error, failed turns,
// thread_rolled_back, and messages between agents. Key "L<line>[.n]".
//
// ToolCall and ToolResult: function_call (arguments as written),
// custom_tool_call (raw input), local_shell_call, web_search_call,
// tool_search_call and image_generation_call, joined to *_output by
// call_id. Outputs that are strings, content arrays or objects become text;
// the older shells' JSON {"output","metadata":{"exit_code"}} is unwrapped.
// Status is "ok"/"error" from an exit code (metadata, or an "Exit code: N"
// header), a success flag, or apply_patch's wording; "" otherwise. Events
// that report a finished call (exec_command_end, mcp_tool_call_end,
// patch_apply_end, web_search_end, …) add a call only when its id was not
// seen: those are the calls made inside a code-mode exec cell.
//
// FileEdit: from apply_patch as a custom tool (input) or a function
// ({"input": patch}), from shell, shell_command, exec_command and
// local_shell calls running ["apply_patch", patch] or a heredoc (`apply_patch
// <<'EOF'`, `cat <<'EOF' | apply_patch`, after an optional `cd dir &&`), and
// from event_msg/patch_apply_end. Patches are parsed with apply_patch's
// grammar into one edit per file; paths are made absolute with the call's
// workdir and the turn's cwd, in the cwd's own style (Windows cwds keep
// backslashes). Diffs have ---/+++ headers relative to the cwd;
// apply_patch hunks carry no line numbers, so their headers are "@@" plus
// the patch's context line (an added file's hunk has its real numbers).
// patch_apply_end's changes (absolute paths, add/delete content, update
// unified_diff and move_path) replace the edits parsed from the same call;
// success:false marks them, and the call's other parsed edits, EditFailed,
// as does a failing output of an apply_patch call. An unparsable patch gives
// no edit (Codex applies nothing).
//
// Usage: see tokens.go; totals equal ccusage's.
//
// No store.Link is emitted: Codex records no pull request links.
//
// # Resuming
//
// Decoding a file in pieces (State, then New with that state) gives the
// records decoding it in one go gives. The state holds the session, turn,
// cwd and model, the open prompt, bounded windows for pairing the duplicated
// records, the ids of recent calls, the edits of apply_patch calls awaiting
// their outcome, and ccusage's running totals; no history.
package codex
