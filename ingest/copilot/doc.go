// Package copilot decodes the sessions of GitHub Copilot CLI (npm
// @github/copilot) into store records. It knows Copilot CLI's on-disk
// format and nothing else: it imports store, fileedit, lenient and spec
// only, knows no SQL, no redaction and no git, and ingest wraps its
// functions into an ingest.Agent.
//
// # Files
//
// Under $COPILOT_HOME, else ~/.copilot: session-state/<id>/events.jsonl
// (current), session-state/<id>.jsonl (late 2025) and
// history-session-state/session_<id>_<epoch ms>.json (up to about 0.0.33x,
// one JSON document rewritten whole, read whole whenever it changes). An
// events log is appended to, one {type, data, id, timestamp, parentId}
// event per line, and read incrementally.
//
// # Sessions
//
// session.start gives the session (its sessionId, else the id the path
// names), the CLI version (copilotVersion), the cwd, branch and HEAD of
// its context, and GitRemote "<repositoryHost>/<repository>". A
// session.resume starts a new run of the CLI: its cwd becomes the cwd of
// later prompts. The model is the latest of selectedModel,
// session.model_change, assistant.turn_start, assistant.message and
// tool.execution_complete; each new one is emitted on the session.
//
// # Prompts and messages
//
// A user.message is a prompt keyed by its event id: its content is what
// the user typed, and its transformedContent (the content with the date
// and reminders Copilot adds) its Context when different. One with no
// content is Copilot's own (autopilot's nudges): a system message. An
// assistant.message gives an assistant message (its content) and a
// reasoning message (reasoningText, "<id>#reasoning"); assistant.reasoning
// is a reasoning message; session.info, session.warning, session.error,
// system.notification and abort are system messages. Bookkeeping events
// (the system prompt, turn and hook events, checkpoints, sub-agent
// markers, mode changes) give nothing; other types are counted unknown.
//
// # Tool calls and file edits
//
// toolRequests of an assistant.message and tool.execution_start are tool
// calls (the same call id: one row); tool.execution_complete is the
// result (content, status from success). edit, create, apply_patch, the
// Claude-style Edit, Write and MultiEdit, and str_replace_editor's create,
// str_replace and insert commands are edits: when called, the edit their
// arguments ask for (old against new string, numbered from line 1 of the
// snippet; a created file's text, all added); when completed, the diff of
// result.detailedContent (a git diff naming absolute paths without their
// leading "/") replaces it, one edit per file (apply_patch may change
// several, and delete them). A call that fails is a failed edit with no
// lines. str_replace_editor's view is no edit, though its detailedContent
// looks like a diff of the file viewed.
//
// # Tokens
//
// Each assistant.message's outputTokens is a Usage of that model call
// (output only: its input is not logged), in the Group of the CLI's run
// and marked Sidechain. session.shutdown's
// modelMetrics[model].usage (newer versions: tokenDetails, for the current
// model) gives the run's totals per model, as ccusage reads them: Input is
// inputTokens less cacheReadTokens, CacheRead, CacheWrite, Output
// outputTokens, Reasoning reasoningTokens; in the same Group and not a
// sidechain, so the store drops that run's per-message entries. A run not
// (yet) shut down counts its output tokens only. A run's totals go to its
// last prompt. Each run's totals are taken to cover that run only (the
// format does not say whether a resumed run's totals include the earlier
// runs').
//
// # Legacy history files
//
// The timeline is read (chatMessages repeats it without times): user
// entries are prompts, copilot entries assistant messages, info entries
// system messages, tool_call_completed entries tool calls with their
// result, whose log is the diff of the edit tools. No cwd, model, version
// or tokens are recorded: the cwd is taken from the first "cd <dir> &&"
// of a shell command, else the deepest directory holding every path the
// tools named.
//
// # State
//
// The session id, the cwd, model and prompt now, the run, the last
// timestamp, and the edit calls waiting for their completion (at most 64,
// paths only): a few hundred bytes. Decoding a log in pieces, each
// resuming from State(), gives what one run gives.
package copilot
