package aider

import (
	"time"
)

// stateVersion changes whenever state's meaning changes; New rejects
// other versions and the pipeline then reads the history again.
const stateVersion = 1

// Caps that keep the state bounded whatever the history holds.
const (
	maxText   = 1 << 20 // text of an open block
	maxBlocks = 1 << 20 // bytes of edit blocks kept for "Applied edit" lines
)

// state is what a Decoder remembers between batches: the session, the
// blocks still open (a block ends only where the next begins), and the
// edit blocks of the latest reply, which "Applied edit to" lines use.
type state struct {
	V       int       `json:"v"`
	Session string    `json:"session,omitempty"`
	Start   time.Time `json:"start,omitzero"` // the header's time: every record of the session has it
	Model   string    `json:"model,omitempty"`
	Version string    `json:"version,omitempty"`
	Last    int       `json:"last,omitempty"` // number of the last line seen
	Cont    bool      `json:"cont,omitempty"` // a tool message goes on

	PromptKey string `json:"promptKey,omitempty"` // the current prompt
	Prompt    *block `json:"prompt,omitempty"`    // the prompt while its lines may go on
	Reply     *block `json:"reply,omitempty"`     // the assistant's reply being read
	Note      *block `json:"note,omitempty"`      // Aider's own output being read

	ReplyKey string      `json:"replyKey,omitempty"` // the latest reply, whose blocks Edits holds
	Edits    []editBlock `json:"edits,omitempty"`
}

// block is a prompt, reply or note being read: its key (the line it
// starts on) and its text so far.
type block struct {
	Key  string `json:"key"`
	Text string `json:"text"`
	Cut  bool   `json:"cut,omitempty"` // the text reached maxText
}

// add appends a line to the block's text after sep.
func (b *block) add(sep, line string) {
	if b.Cut {
		return
	}
	if len(b.Text)+len(sep)+len(line) > maxText {
		b.Text += sep + "… [truncated]"
		b.Cut = true
		return
	}
	b.Text += sep + line
}
