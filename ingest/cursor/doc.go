// Package cursor decodes what Cursor (the IDE and cursor-agent) keeps of
// its agent conversations into store records: the agent transcripts under
// ~/.cursor/projects/<project>/agent-transcripts/, and the composer
// conversations of the IDE's global state database (state.vscdb). It knows
// Cursor's formats and nothing else: no files, SQL, redaction or git.
//
// # Agent transcripts
//
// One JSONL file per conversation (flat <id>.jsonl, nested <id>/<id>.jsonl,
// sub-agents in <id>/subagents/<sub>.jsonl), lines
// {"role":"user"|"assistant","message":{"content":[…]}}. The session id is
// the file name (a sub-agent's names its parent). Lines carry no times,
// ids, model or token counts: every record takes the file's modification
// time when the batch that holds it was read (ingest.Undated), no model is
// known, no usage is recorded. The project directory's name is Cursor's
// lossy slug of its path; the session's cwd is the deepest directory of a
// path named in a tool call whose slug is that name (prompts before it is
// known are emitted again with it).
//
// A user line is a prompt keyed "L<line>": the text inside <user_query> is
// what was typed, the rest is context. An assistant line gives messages
// (text blocks; a block that is only Cursor's own "[REDACTED]" is left
// out) and tool calls (id, else "L<line>.t<i>"). Tool results are not in
// the transcripts. Edits come from the tool inputs: Write {path, contents}
// adds its content as a whole, StrReplace/EditNotebook {path, old_string,
// new_string} and MultiEdit diff the replaced snippets (hunks numbered from
// the snippet), Delete removes the file; paths are made absolute against
// the project root when they are relative.
//
// # State database
//
// The cursorDiskKV table of globalStorage/state.vscdb holds conversations
// ("composers", composerData:<id>) and their messages ("bubbles",
// bubbleId:<composer>:<bubble>). The pipeline reads the composers before
// the messages, each in the order written (rowid; Collections), never the
// ItemTable, which holds credentials; encryption keys and file copies are
// dropped before anything stores or decodes them. A composer is a session:
// name, createdAt/lastUpdatedAt, modelConfig.modelName, createdOnBranch,
// the workspace folder when recorded, sub-composers as sub-agent sessions,
// and the messages older versions keep inline. A user bubble is a prompt
// keyed by its bubble id (its workspaceUris give the cwd); an assistant
// bubble gives its text, its thinking, its toolFormerData call (arguments,
// result, status) with the edit it made (as in transcripts; edit_file's
// result chunks give its diff), and tokenCount {inputTokens, outputTokens}
// as usage keyed by bubble id. Most bubbles carry no token counts, and a
// bubble's tokens are recorded as the IDE reports them: what they cover is
// not documented. Message times are createdAt, else the client's timing,
// else the conversation's start. An assistant bubble belongs to the latest
// user bubble of its conversation read before it.
//
// Workspace databases (workspaceStorage/<hash>/state.vscdb) of the older
// Cursor versions that kept conversations there are not read.
//
// # Resuming
//
// Decoding in batches (State, then New with it) gives what one batch
// gives. The state holds a transcript's session, project root and open
// prompt, or the 64 composers most recently seen in a database.
package cursor
