// Package gemini decodes the chats of Google's Gemini CLI into store
// records. It knows Gemini CLI's on-disk format and nothing else: it
// imports store, fileedit and lenient only, knows no SQL, no redaction and
// no git, and ingest wraps its functions into an ingest.Agent.
//
// # Files
//
// Chats live in <project>/chats/ under ~/.gemini/tmp (~ being
// $GEMINI_CLI_HOME when set), or under each entry of $GEMINI_DATA_DIR (a
// comma-separated list, as ccusage reads it). A project directory is named
// by the sha256 of the project root (up to 2025) or by a slug of it
// (2026), with a .project_root marker inside and a registry
// ~/.gemini/projects.json; both are read as sidecars to learn the root.
// session-<time>-<id8>.json is one JSON document that Gemini CLI rewrites
// whole (up to early 2026): it is read whole whenever it changes.
// session-<time>-<id8>.jsonl (since about April 2026) starts with a
// metadata line; message lines are re-appended by id when they gain tool
// calls or tokens (the last copy wins, in the place of the first),
// {"$set": …} lines merge into the metadata, and {"$rewindTo": id} drops
// that message and all after it (all of them when the id is unknown). It
// is replayed whole whenever it changes, and its records emitted at its
// end. A sub-agent's chat is <project>/chats/<parent session>/<session>.jsonl.
//
// # Sessions
//
// The session id is the metadata's sessionId. Cwd is the project root: the
// .project_root marker's, else projects.json's entry naming the directory
// (by slug, or by a sha256 of a root that redaction left alone), else the
// root a relative file_path implies when the tool reported the absolute
// path it resolved to. No CLI version is recorded. Model is the last
// model of a gemini message; Title the conversation's summary.
//
// # Prompts and messages
//
// A user message is a prompt keyed by its id: what the user typed, which
// is displayContent when there is one ("/init"), with content (what the
// command expanded to) as Context. A user message whose displayContent has
// no text (Gemini CLI's own "System: Please continue." after a tool) is a
// system message. A prompt's Model is the model of the gemini message
// that answered it. Gemini messages give an assistant message (their
// text, keyed by id) and a reasoning message (their thoughts,
// "<id>#thoughts"); info, error and warning messages are system messages.
// Messages of other types are counted as unknown.
//
// # Tool calls and file edits
//
// Each toolCalls entry is a tool call (Input its args) and, once it has a
// status, a result: the output (or error) of its function responses, else
// its resultDisplay string; status success is "ok", error and cancelled
// "error". write_file, replace, edit_file, save_file and smart_edit give a
// FileEdit on resultDisplay.filePath (absolute), else args.file_path made
// absolute against the root: its diff is resultDisplay.fileDiff (jsdiff's
// patch, given uniform ---/+++ headers), else a diff of originalContent
// and newContent, else what the args ask for (replace: old_string against
// new_string; write_file: its content, all added). isNewFile makes it an
// add. A call that did not succeed is a failed edit with no lines.
//
// # Tokens
//
// Each gemini message with tokens gives a Usage keyed
// "<session>:<message id>", as ccusage counts it: Input is input less
// cached (plus tool, the tool-use prompt, billed as input), CacheRead is
// cached, Output is output plus thoughts (billed as output; ccusage prices
// them so but leaves them out of its outputTokens) and Reasoning is
// thoughts. The gemini messages a $rewindTo dropped still count (their
// calls were made and billed), with no prompt; ccusage counts them too.
//
// # State
//
// None: a chat is always read from its start, so its decoder holds the
// conversation in memory while it is read (the size of the chat).
package gemini
