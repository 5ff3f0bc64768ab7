package cursor

import (
	"path"
	"strings"

	"github.com/aitrail/aitrail/store"
)

// stateVersion changes whenever state's meaning changes; New rejects
// other versions and the pipeline then reads the source again.
const stateVersion = 1

// Caps that keep the state small whatever the source holds.
const (
	maxComposers = 64       // composers remembered (databases)
	maxOpenText  = 64 << 10 // text of a prompt waiting for its cwd (transcripts)
)

// state is what a Decoder remembers between batches: for a transcript its
// session and what the file's path and lines taught so far; for a database
// the composers recently seen.
type state struct {
	V int `json:"v"`
	// Transcripts.
	Session string        `json:"session,omitempty"`
	Parent  string        `json:"parent,omitempty"` // the session a sub-agent transcript belongs to
	Slug    string        `json:"slug,omitempty"`   // the project directory's name below projects/
	Cwd     string        `json:"cwd,omitempty"`    // project root, once a path in the transcript revealed it
	Prompt  string        `json:"prompt,omitempty"` // key of the current prompt
	Open    *store.Prompt `json:"open,omitempty"`   // the current prompt while its cwd is unknown
	// Databases.
	Composers []composer `json:"composers,omitempty"` // most recently used last
}

// composer is what messages need of their conversation.
type composer struct {
	ID      string `json:"id"`
	Model   string `json:"model,omitempty"`
	Cwd     string `json:"cwd,omitempty"`
	Prompt  string `json:"prompt,omitempty"` // the latest user message's bubble id
	Started int64  `json:"started,omitempty"`
}

// newState starts the state of the source at p. A transcript's session id
// is its file name; a sub-agent's transcript (…/<parent>/subagents/<id>.jsonl)
// names its parent; the project directory is the one holding
// agent-transcripts.
func newState(p string, db bool) state {
	st := state{V: stateVersion}
	if db {
		return st
	}
	p = strings.ReplaceAll(p, `\`, "/")
	st.Session = strings.TrimSuffix(path.Base(p), ".jsonl")
	parts := strings.Split(path.Dir(p), "/")
	for i, e := range parts {
		if e == "agent-transcripts" && i > 0 {
			st.Slug = parts[i-1]
		}
	}
	if n := len(parts); n >= 2 && parts[n-1] == "subagents" {
		st.Parent = parts[n-2]
	}
	return st
}

// composer returns the remembered composer id, adding it (and forgetting
// the least recently used one) when it is new; the entry moves last.
func (st *state) composer(id string) *composer {
	for i, c := range st.Composers {
		if c.ID == id {
			st.Composers = append(append(st.Composers[:i:i], st.Composers[i+1:]...), c)
			return &st.Composers[len(st.Composers)-1]
		}
	}
	if len(st.Composers) >= maxComposers {
		st.Composers = append(st.Composers[:0:0], st.Composers[1:]...)
	}
	st.Composers = append(st.Composers, composer{ID: id})
	return &st.Composers[len(st.Composers)-1]
}
