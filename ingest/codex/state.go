package codex

import (
	"time"

	"github.com/aitrail/aitrail/store"
)

// stateVersion changes whenever state's meaning changes; New rejects other
// versions and the pipeline then re-reads the file from its start.
const stateVersion = 1

// Caps that keep the state small whatever the file holds.
const (
	maxContext = 64 << 10 // injected context waiting for the next prompt
	maxSaid    = 16       // unpaired assistant and reasoning texts
	maxCalls   = 64       // recent call ids
	maxPatches = 8        // apply_patch calls waiting for their outcome
)

// state is everything a Decoder must remember between lines; State()
// encodes it and New restores it, so that decoding a file in pieces gives
// what decoding it in one go gives. It holds no history: only the current
// session and turn, a few bounded windows for pairing records Codex writes
// twice, and the running token totals.
type state struct {
	V       int       `json:"v"`
	Session string    `json:"session,omitempty"` // session id
	Meta    bool      `json:"meta,omitempty"`    // the file's own session_meta was seen
	Cwd     string    `json:"cwd,omitempty"`     // working directory of the current turn
	Model   string    `json:"model,omitempty"`   // model of the current turn (turn_context)
	Turn    string    `json:"turn,omitempty"`    // current turn id
	Used    string    `json:"used,omitempty"`    // the turn id already used as a prompt key
	Prompt  string    `json:"prompt,omitempty"`  // key of the current prompt
	Last    time.Time `json:"last,omitzero"`     // last timestamp seen, inherited by lines without one
	Offset  int64     `json:"offset,omitempty"`  // bytes of the file decoded so far (lines and newlines)

	// Open is the latest prompt while it may still change: while its other
	// copy (event_msg/user_message against response_item message) may come,
	// or while its model is unknown (0.39 writes turn_context after the
	// prompt). It is dropped once settled.
	Open *openPrompt `json:"open,omitempty"`
	// Context is injected context (environment, AGENTS.md, …) waiting for
	// the next prompt.
	Context string `json:"context,omitempty"`
	// Said holds texts emitted from one source whose copy from the other
	// source has not come yet (see pair).
	Said []said `json:"said,omitempty"`
	// Calls are the ids of recent tool calls, so that an *_end event of a
	// call already recorded adds nothing.
	Calls []string `json:"calls,omitempty"`
	// Patches are the edits of recent apply_patch calls, re-emitted as
	// failed when the call turns out to have failed.
	Patches []pendingPatch `json:"patches,omitempty"`

	Tok tokens `json:"tok"`
}

// Sources of records Codex writes twice.
const (
	fromItem  = 1 // response_item (or a bare G0/G1 item)
	fromEvent = 2 // event_msg
)

type openPrompt struct {
	P      store.Prompt `json:"p"`
	Src    int          `json:"src"`              // fromItem or fromEvent
	Mirror bool         `json:"mirror,omitempty"` // its copy from the other source may still come
}

type said struct {
	Kind string `json:"k"`
	Src  int    `json:"s"`
	Hash string `json:"h"`
}

type pendingPatch struct {
	CallID string           `json:"call"`
	Edits  []store.FileEdit `json:"edits"`
}

// tokens is ccusage's running state for one file (see tokens.go).
type tokens struct {
	Prev     *usage       `json:"prev,omitempty"`     // last total_token_usage
	Model    string       `json:"model,omitempty"`    // ccusage's current model
	Subagent bool         `json:"subagent,omitempty"` // thread_spawn in the first 16 KiB
	Phase    int          `json:"phase,omitempty"`
	First    string       `json:"first,omitempty"` // second of the first counted token_count
	Early    string       `json:"early,omitempty"` // second of a token_count without usage before it
	Pending  *store.Usage `json:"pending,omitempty"`
}
