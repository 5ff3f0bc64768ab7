// Package vscode decodes the chat sessions of GitHub Copilot Chat in VS
// Code into store records. It knows VS Code's on-disk format and nothing
// else: it imports store, fileedit and lenient only, knows no SQL, no
// redaction and no git, and ingest wraps its functions into an
// ingest.Agent.
//
// # Files
//
// In each VS Code user directory (Code, Code - Insiders, VSCodium, Code -
// OSS; see Dirs): workspaceStorage/<hash>/chatSessions/<id>.json, one JSON
// document (version 3) that VS Code rewrites whole, read whole whenever it
// changes; <id>.jsonl (late 2025 on), a mutation log replayed from its
// start whenever it changes ({"kind":0,"v":doc} sets the document,
// {"kind":1,"k":path,"v":x} a value, {"kind":2,"k":path,"v":[…],"i":n}
// cuts an array at n and appends, {"kind":3,"k":path} deletes; VS Code
// compacts it into a new kind 0 line now and then); and the same two forms
// in globalStorage/emptyWindowChatSessions for windows without a folder.
// A session may exist in both forms: both give the same records, which the
// store keeps once. workspaceStorage/<hash>/workspace.json (a sidecar)
// names the window's folder.
//
// # Sessions and prompts
//
// The session is sessionId (else the file name), with customTitle as
// Title, creationDate and lastMessageDate (epoch ms) as its span, the
// Copilot Chat version of its requests (agent.extensionVersion) as
// AgentVersion and the model of its last request as Model. Cwd is the
// folder workspace.json names (for a .code-workspace file, its
// directory), else the folder Copilot Chat's workspace_info gave the
// model, else the base URI of a response, else a result's cache key.
// Each request is a prompt keyed by requestId: message.text, with what it
// attached (files, selections as path:lines) as Context and modelId as
// Model (VS Code's "copilot/" vendor prefix dropped).
//
// # Responses
//
// The markdown parts of a response, with its inline references as
// `name`, make one assistant message ("<requestId>#response"); thinking
// parts a reasoning message ("#thinking"); an error or a cancellation a
// system message ("#error"). Tool calls are those of
// result.metadata.toolCallRounds (id, name, arguments), with
// toolCallResults as their results (the text leaves of the tree Copilot
// Chat stores); without rounds, the toolInvocationSerialized parts
// (invocation and past-tense messages). Parts of unknown kinds are
// counted as unknown.
//
// # File edits
//
// replace_string_in_file and multi_replace_string_in_file give one edit
// per file, their old strings diffed against their new ones (numbered from
// line 1 of each snippet); create_file adds its content. For files no such
// call edited (edit mode, insert_edit_into_file, apply_patch), each
// textEditGroup part is an edit: it holds the new text of line ranges, not
// the old, so its diff lists the added lines and Removed counts the lines
// of the ranges replaced. A codeblockUri part marked isEdit, for a file
// with neither, is an edit with no lines. Edits of a canceled request
// whose call has no result are failed.
//
// # Tokens
//
// None: the session files record no token counts (only the premium
// request multiplier in result.details), so Copilot Chat sessions have no
// usage and reports say so rather than counting zero.
//
// # State
//
// None: a session is always read from its start, so its decoder holds the
// document in memory while it is read (the size of the session).
package vscode
