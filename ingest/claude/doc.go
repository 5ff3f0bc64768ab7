// Package claude decodes the transcripts of Anthropic's Claude Code into
// store records. It owns the knowledge of Claude Code's on-disk format and
// nothing else: it imports store, lenient, fileedit and spec only, knows
// no SQL, no redaction and no git, and ingest wraps its functions into an
// ingest.Agent.
//
// # Files
//
// Transcripts live in projects/<sanitized cwd>/ under $CLAUDE_CONFIG_DIR
// (a comma-separated list), else under both ~/.config/claude (honouring
// $XDG_CONFIG_HOME) and ~/.claude: <session>.jsonl, sub-agents in
// agent-<id>.jsonl beside it (up to 2.0) or <session>/subagents/agent-<id>.jsonl
// (2.1; workflows below it). Files are appended to, one JSON object per
// line, 1.0.24 to 2.1.x. A line that is not a JSON object is an error (the
// pipeline counts it); a blank line is skipped.
//
// # Sessions
//
// Each line belongs to the session its sessionId names (else the file's):
// a resumed session's file starts with copies of the earlier session's
// lines, which stay in the earlier session with their own uuids as keys, so
// the store keeps one copy. Sub-agent lines (every line of a sub-agent
// file; sidechain lines naming an agentId in a main file) belong to the
// session "agent-<agentId>" (the id from the file name when the line has
// none), with ParentID the line's sessionId (Claude Code writes the
// parent's there; else the <session> of the path) and Relation "subagent".
// Sidechain lines without an agentId in a main file stay in their session.
// Session records are emitted only when a line tells something new: the
// first cwd, branch and entrypoint (Originator), a new CLI version, a new
// model (never "<synthetic>"), a title. Titles: a custom-title line beats
// an ai-title line, which beats a summary line; a summary names the leaf
// of the branch it titles, often in an earlier session whose file it was
// copied from, and titles the session of the file it is in.
//
// # Prompts
//
// A prompt is what the user typed into Claude Code's input box: a user
// line's string content or text blocks, keyed by the line's uuid, with
// the line's cwd. Its model is that of the first assistant line answering
// it (not "<synthetic>"): that line completes the prompt with a record of
// its key and model (the store merges it, store.MergePrompt); a prompt
// nothing answers has none. Not prompts: isMeta,
// isCompactSummary and isVisibleInTranscriptOnly lines, tool_result blocks,
// texts that are only injected blocks. Injected blocks (<system-reminder>,
// <ide_opened_file>, <ide_selection>, <ide_diagnostics>,
// <user-prompt-submit-hook>) are cut out of the typed text into Context.
//
// Slash commands are prompts: the user typed "/name args" (Text is that),
// and for prompt commands (/init, /review, custom commands) it is what
// caused the work that follows. The command's expansion, which Claude Code
// writes as the next isMeta line, becomes the prompt's Context (the prompt
// is emitted again with it). Local commands (/clear, /exit, /mcp…) are
// prompts too, with nothing answering them; their <local-command-stdout>
// output is a system message. Likewise "!cmd" (bash mode, <bash-input>) is
// a prompt "!cmd" and its <bash-stdout>/<bash-stderr> a system message.
// "[Request interrupted by user…]" is a system message.
//
// # Messages and tool calls
//
// Assistant text blocks are assistant messages, non-empty thinking blocks
// reasoning messages, keyed "<uuid>#<block index>"; the text of a
// "<synthetic>" or isApiErrorMessage line (written by Claude Code itself)
// is a system message. System lines (hook output, compaction boundaries,
// API errors, stop-hook summaries, refusals) and compaction summaries are
// system messages keyed by uuid; turn_duration and text-less subtypes give
// none. tool_use blocks are tool calls (Input the input JSON as written);
// a tool_result block is joined to its call and gives a ToolResult (the
// text of its content, status "error" when is_error). A result whose call
// this file did not show in the same session (the copy of the last line a
// resumed file repeats under its new id) is dropped.
//
// # File edits
//
// Edit, MultiEdit, Write and NotebookEdit calls give a FileEdit keyed by
// (session, call id, absolute path; relative paths are joined with the
// line's cwd), first from the input (Source "tool_use"), then replaced
// when the result comes:
//   - from toolUseResult.structuredPatch (Source "structuredPatch"): jsdiff
//     hunks turned into a unified diff with --- a/<path> and +++ b/<path>
//     headers (the path relative to the cwd) and exact @@ -a,b +c,d @@
//     lines;
//   - a Write whose toolUseResult.type is "create" is an add of all its
//     content (--- /dev/null, Source "toolUseResult");
//   - an is_error result marks it failed, with no lines: nothing was
//     applied.
//
// Until the result comes only strings are known: Edit and MultiEdit diff
// old_string against new_string (go-diff by lines, 3 lines of context),
// and their hunks are numbered from line 1 of each snippet, not of the
// file; a Write's content is all added lines (its old content and whether
// it is new are unknown, so it is an update); a NotebookEdit adds the
// cell's new source (the notebook's JSON lines are not known). A NotebookEdit
// result has no patch, so its input edit stands. userModified needs
// nothing: structuredPatch is what was applied.
//
// # Tokens
//
// Every line with message.usage gives a Usage, as ccusage counts it
// (adapter/claude): Input, Output, CacheWrite and CacheRead are
// input_tokens, output_tokens, cache_creation_input_tokens and
// cache_read_input_tokens; CacheWrite1h is cache_creation's one-hour part;
// Model is message.model ("<synthetic>" included: it counts, zero, and is
// not priced; "-fast" appended in fast mode, as ccusage names it). Key is
// "<message.id>:<requestId>", Group message.id and Sidechain isSidechain, so
// that the store keeps one entry per API response (the lines of a split
// response repeat the usage with a growing output count) and drops
// sidechain replays of a parent's message (ccusage#913); no message.id, no
// Key. Skipped as ccusage skips them: a version that is not semver-like,
// sessionId, requestId, message.id or model present but empty, a null
// cwd, version, sessionId, requestId, isApiErrorMessage, costUSD,
// message.id, message.model or cache token count, token counts that are
// not non-negative integers, an unknown speed, no valid timestamp.
// (ccusage's null test scans the raw line; here only those fields are
// looked at.) Usage embedded in progress lines and Task results is not
// counted: the sub-agent's own transcript is.
//
// # Other lines
//
// pr-link lines give a Link{Kind: "pr", Title: "<repository>#<number>"}.
// Bookkeeping lines (queue-operation, file-history-snapshot,
// file-history-delta, attachment, permission-mode, last-prompt,
// worktree-state, progress, mode, agent-name, frame-link, relocated,
// bridge-session) give nothing; any other type gives store.Unknown.
//
// # State
//
// The decoder remembers, per session of the file, what it already said
// about the session and its current prompt, plus the tool calls waiting
// for their result (at most 64): a few hundred bytes. Decoding a file in
// pieces, each resuming from State(), gives what one run gives.
package claude
