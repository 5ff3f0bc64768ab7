package opencode

import "slices"

// stateVersion changes whenever state's meaning changes; New rejects
// other versions and the pipeline then reads the store again.
const stateVersion = 1

// Caps that keep the state small whatever the store holds.
const (
	maxSessions = 256 // sessions whose directory is remembered
	maxMessages = 64  // messages whose edited files are remembered
)

// state is what a Decoder remembers between batches: the directories of
// recent sessions (a user message's prompt takes its session's), and the
// files recent messages' tool calls edited (a step's patch part names
// them again).
type state struct {
	V        int         `json:"v"`
	Sessions [][2]string `json:"sessions,omitempty"` // id, directory; most recent last
	Edited   []edited    `json:"edited,omitempty"`   // most recent last
}

type edited struct {
	Message string   `json:"m"`
	Paths   []string `json:"p"`
}

func newState() state { return state{V: stateVersion} }

// remember notes a session's directory.
func (st *state) remember(id, dir string) {
	st.Sessions = slices.DeleteFunc(st.Sessions, func(s [2]string) bool { return s[0] == id })
	if len(st.Sessions) >= maxSessions {
		st.Sessions = st.Sessions[1:]
	}
	st.Sessions = append(st.Sessions, [2]string{id, dir})
}

// dir returns a remembered session's directory.
func (st *state) dir(id string) string {
	for _, s := range st.Sessions {
		if s[0] == id {
			return s[1]
		}
	}
	return ""
}

// edited notes that a tool call of message edited path.
func (st *state) edited(message, path string) {
	for i := range st.Edited {
		if st.Edited[i].Message == message {
			if !slices.Contains(st.Edited[i].Paths, path) {
				st.Edited[i].Paths = append(st.Edited[i].Paths, path)
			}
			return
		}
	}
	if len(st.Edited) >= maxMessages {
		st.Edited = st.Edited[1:]
	}
	st.Edited = append(st.Edited, edited{message, []string{path}})
}

// wasEdited reports whether a tool call of message edited path.
func (st *state) wasEdited(message, path string) bool {
	for _, e := range st.Edited {
		if e.Message == message {
			return slices.Contains(e.Paths, path)
		}
	}
	return false
}
