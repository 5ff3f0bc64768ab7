package store

import "time"

// Record is one normalized item decoded from an agent's log: a session, a
// prompt, a message, a tool call or its result, a file edit, a token usage
// entry, a link, or an unknown record kept for counting. Decoders emit
// records; the ingest pipeline redacts their text and writes them with
// (*Batch).Add.
type Record interface{ record() }

// Session describes one agent session. A session may be emitted many times
// (once per line that teaches something new about it): the store merges
// non-empty fields, keeps the earliest Started and the latest Ended.
type Session struct {
	ID           string    // the agent's own session id
	ParentID     string    // the parent session's id, for sub-agents and forks
	Relation     string    // "subagent" or "fork" when ParentID is set
	Cwd          string    // working directory at session start
	CwdKey       string    // the key of Cwd's canonical form (see PathKeys); the ingest pipeline sets it
	GitRemote    string    // repository URL at session start, when the agent records it
	GitBranch    string    // branch at session start
	GitCommit    string    // HEAD at session start
	AgentVersion string    // the agent's CLI version
	Originator   string    // the agent's front end (codex_vscode, cli, sdk-ts, …)
	Title        string    // a human title (Claude summary lines, Codex thread names)
	Model        string    // the latest model seen
	Started      time.Time // first timestamp seen
	Ended        time.Time // last timestamp seen
}

// Prompt is one user turn: what the user asked, separated from the context
// the agent or its front end injected around it. Prompts are keyed by
// (Session, Key): a later record with the same key updates the text,
// context, time, cwd and model it carries, and leaves those it leaves
// empty (see MergePrompt), so that copies of a prompt are stored once and
// a record of its key and model alone completes it.
type Prompt struct {
	Session string    // session id
	Key     string    // stable key within the session (a line uuid, a turn id, "L<line>")
	Time    time.Time //
	Text    string    // what the user typed
	Context string    // injected context (environment, AGENTS.md, IDE preamble), empty when none
	Cwd     string    // working directory at this turn
	CwdKey  string    // the key of Cwd's canonical form (see PathKeys); the ingest pipeline sets it
	Model   string    // the model that answered it
}

// Message kinds.
const (
	MessageAssistant = "assistant" // visible assistant text
	MessageReasoning = "reasoning" // reasoning summaries and thinking
	MessageSystem    = "system"    // notes the agent itself wrote (compaction, hooks, errors)
)

// Message is text the agent produced while answering a prompt. Messages are
// keyed by (Session, Key); a later copy updates the text.
type Message struct {
	Session string
	Prompt  string // key of the prompt it answers; empty before the first prompt
	Key     string // stable key for de-duplication (line uuid or "L<line>")
	Time    time.Time
	Kind    string // MessageAssistant, MessageReasoning or MessageSystem
	Text    string
}

// ToolCall is one call of a tool by the agent, keyed by (Session, CallID).
type ToolCall struct {
	Session string
	Prompt  string
	CallID  string // the agent's call id, used to join the result
	Time    time.Time
	Name    string
	Input   string // arguments as the agent wrote them (usually JSON)
}

// ToolResult is the output of a tool call, joined to it by CallID.
type ToolResult struct {
	Session string
	CallID  string
	Time    time.Time
	Output  string
	Status  string // "ok", "error" or "" when unknown
}

// Edit operations.
const (
	OpAdd    = "add"
	OpUpdate = "update"
	OpDelete = "delete"
	OpMove   = "move"
)

// Edit statuses.
const (
	EditApplied = "applied" // the agent reported success or nothing says otherwise
	EditFailed  = "failed"  // the agent reported the edit was not applied
)

// FileEdit is one change to one file made by a tool call. Edits are keyed by
// (Session, CallID, Path): a later record with the same key replaces the
// earlier one, so a decoder can first emit what a tool call asked for and
// later what the agent reports it applied.
type FileEdit struct {
	Session  string
	Prompt   string
	CallID   string
	Time     time.Time
	Path     string // absolute path (made absolute with the turn's cwd)
	MovePath string // destination of a move
	Op       string // OpAdd, OpUpdate, OpDelete, OpMove
	Added    int    // lines added
	Removed  int    // lines removed
	Diff     string // unified diff with ---/+++ headers
	Source   string // where it came from: apply_patch, patch_apply_end, structuredPatch, …
	Status   string // EditApplied or EditFailed
	// The ingest pipeline sets the rest (decoders leave them empty): Root
	// is the repository root that held Path when it was ingested and
	// RelPath the path inside it (display forms, redacted like Path);
	// PathKey and MoveKey are the keys of the canonical forms of Path and
	// MovePath, by which correlation compares them (see PathKeys).
	Root, RelPath    string
	PathKey, MoveKey string
}

// Usage is the token usage of one API call, in ccusage's terms: Input is
// input not read from cache, Output includes reasoning.
type Usage struct {
	Session    string
	Prompt     string
	Time       time.Time
	Model      string
	Input      int64 // uncached input tokens
	CacheRead  int64 // input tokens read from cache
	CacheWrite int64 // input tokens written to cache
	// CacheWrite1h is the part of CacheWrite written with a one-hour TTL
	// (Claude Code), which costs more.
	CacheWrite1h int64
	Output       int64 // output tokens, reasoning included
	Reasoning    int64 // reasoning tokens (informational, part of Output)
	// Key de-duplicates usage across lines and files of the same agent: of
	// several entries with the same key the store keeps one (the
	// non-sidechain one, else the larger). Empty means never de-duplicated.
	Key string
	// Group and Sidechain implement replays: a sidechain entry whose Group
	// equals the Group of a non-sidechain entry is a replay and not counted.
	Group     string
	Sidechain bool
}

// Replaces reports whether u replaces old, a usage entry stored with the
// same de-duplication key: the non-sidechain entry of the two is kept (a
// sidechain entry replays its parent's API call), else the one with the
// larger total; of two equal ones, the first stays. The store applies it
// (Batch.Add); decoder tests use it as the store's own rule.
func (u Usage) Replaces(old Usage) bool {
	if u.Sidechain != old.Sidechain {
		return old.Sidechain
	}
	return u.Total() > old.Total()
}

// Link kinds.
const (
	LinkPR     = "pr"     // a pull request the agent opened; URL is its address
	LinkCommit = "commit" // a commit the agent made; URL is its hash (abbreviated as logged)
)

// Link is a reference from a session (and the prompt it came from, when
// known) to something outside it, such as a pull request the agent opened
// or a commit it made.
type Link struct {
	Session string
	Prompt  string // key of the prompt, empty when unknown
	Time    time.Time
	Kind    string // LinkPR or LinkCommit
	URL     string
	Title   string
}

// Unknown marks a line whose record type the decoder does not know. The raw
// line is stored anyway; the type is counted and reported.
type Unknown struct {
	Session string
	Type    string
}

func (Session) record()    {}
func (Prompt) record()     {}
func (Message) record()    {}
func (ToolCall) record()   {}
func (ToolResult) record() {}
func (FileEdit) record()   {}
func (Usage) record()      {}
func (Link) record()       {}
func (Unknown) record()    {}
