package ingest

import (
	"time"

	"github.com/aitrail/aitrail/store"
)

// Decoder turns the lines of one log file into normalized records. A decoder
// is created for one file, fed its complete lines in order, and asked for its
// state whenever the pipeline commits a batch; the next run resumes from that
// state at the byte offset where the batch ended. Lines come as the agent
// wrote them (so that paths are the real ones); the pipeline redacts every
// field of the records and the state before storing them, so a state the
// decoder resumes from is redacted (a path in it may read "~/…").
type Decoder interface {
	// Line decodes line number no (1-based; a line holds no trailing
	// newline). An error means the line is malformed: the pipeline reports
	// it as path:no: err, counts it, and goes on with the next line.
	Line(no int, line []byte, emit func(store.Record)) error
	// State returns what the decoder must remember to resume after the
	// last line it was given (current session, prompt, model, running token
	// totals, …), encoded as JSON.
	State() ([]byte, error)
}

// SidecarDecoder is implemented by decoders that read the small files an
// agent keeps beside its logs (Agent.Sidecars): before the first line of a
// batch, Sidecar is given each one that exists, redacted like a line.
type SidecarDecoder interface {
	Sidecar(path string, data []byte)
}

// Flusher is implemented by decoders that hold records back while a later
// line may still change them. After the last line of each batch the
// pipeline asks them to emit what they hold, as it is; they emit it again,
// completed and under the same keys, once the lines that complete it come.
// Aider's replies and multi-line prompts end only where the next block
// begins; a replayed log (Agent.Replay) says what it holds only at its end,
// and since it is read in one batch, that end is the batch's: its decoder
// holds every record back until Flush.
type Flusher interface {
	Flush(emit func(store.Record))
}

// Undated is implemented by decoders of formats whose records carry no time
// (Cursor's agent transcripts). Before the lines of each batch the pipeline
// gives them the file's modification time: the best time known for the
// lines not read yet, since they were written by then.
type Undated interface {
	ModTime(t time.Time)
}

// Agent describes one agent's logs: where they live, which files are
// sessions, and how to decode them.
type Agent struct {
	Name string // "codex", "claude", … (the --agent and --source name)
	// Dirs returns the directories to scan for this agent, given a getenv
	// function and the user's home directory: the agent's own conventions
	// and environment variables. An entry that is a file (a database) or
	// a directory Match accepts as a tree is a source itself.
	Dirs func(getenv func(string) string, home string) []string
	// HomeDirs returns what to scan under an agent home given with
	// --source AGENT:PATH (for Codex, PATH/sessions and
	// PATH/archived_sessions), entries as in Dirs; nil when PATH itself
	// holds the logs.
	HomeDirs func(home string) []string
	// Match reports whether a file, by its path relative to a scanned
	// directory (slash-separated), is a session log of this agent; asked
	// about a directory (rel ends with "/"), whether it is a tree of
	// records (see Collections), which is then not descended into.
	Match func(rel string) bool
	// Whole reports whether a file is rewritten whole rather than appended
	// to: such files are re-read from the start whenever they change, and
	// their content is given to Line as one line.
	Whole func(path string) bool
	// Replay reports whether a file is a log whose later lines revise
	// earlier ones (records re-appended with more in them, truncations, a
	// mutation log compacted now and then), so that what it says is known
	// only at its end. Such a file is re-read from the start whenever it
	// changes, line by line in one batch, and its decoder (a Flusher)
	// emits the records of the whole at the batch's end. Nil means no file
	// is.
	Replay func(path string) bool
	// Sidecars returns the files beside a log that tell its decoder what
	// the log does not (the folder a workspace's chats belong to, a project
	// directory's root); nil when none. The pipeline reads each one that
	// exists, up to 64 KiB, and hands it redacted to the decoder (a
	// SidecarDecoder). A sidecar's changes alone do not re-read the log.
	Sidecars func(path string) []string
	// Collections, when set, returns the collections of records a source
	// holds when that source is a store the agent rewrites in place rather
	// than a log: a SQLite database (path is a file) or a tree of JSON files
	// (path is a directory, which Match accepts as rel+"/"). It returns nil
	// for a path that is a log. See Collection.
	Collections func(path string) []Collection
	// InRepo lists the paths, relative to a repository's root, of the logs
	// this agent keeps inside the repositories it works in (Aider's
	// .aider.chat.history.md); nil when it keeps none there. InRepos finds
	// them.
	InRepo []string
	// Near returns the directories below dir (a directory Dirs or HomeDirs
	// gave) whose logs can be those of new sessions working in the
	// repositories whose worktrees are roots, as the agent's layout tells
	// (Claude Code keeps a directory per working directory, Codex one per
	// day). A hook looks there and where the sessions going on are (see
	// DiscoverNear); nil Near: the layout does not tell, and a hook looks
	// at every log of the agent.
	Near func(dir string, roots []string) []string
	// New returns a decoder for path, resuming from state (nil for a fresh
	// read from the start of the file).
	New func(path string, state []byte) (Decoder, error)
}
