package claude

// stateVersion changes whenever state's meaning changes; New rejects other
// versions and the pipeline then re-reads the file from its start.
const stateVersion = 1

// maxPending caps the tool calls waiting for their result. Results follow
// their call within a few lines; calls that never get one (a crash, a
// truncated file) are forgotten oldest first.
const maxPending = 64

// state is everything a Decoder remembers between lines: per session what
// was already said about it and its current prompt, and the tool calls
// waiting for their result. It holds no history. State() encodes it and New
// restores it, so that decoding a file in pieces gives what decoding it in
// one go gives.
type state struct {
	V    int                   `json:"v"`
	Last string                `json:"last,omitempty"` // last timestamp seen, inherited by lines without one
	S    map[string]*sessState `json:"s,omitempty"`
	P    []pendingCall         `json:"p,omitempty"`
}

// Title ranks: a later title replaces an earlier one of the same or a
// lower rank only.
const (
	titleSummary = 1
	titleAI      = 2
	titleCustom  = 3
)

// sessState is what was emitted about one session and where it stands.
type sessState struct {
	Known   bool   `json:"k,omitempty"`  // a Session record was emitted
	Parent  bool   `json:"pa,omitempty"` // its ParentID was emitted
	Cwd     bool   `json:"c,omitempty"`  // its Cwd was emitted
	Branch  bool   `json:"b,omitempty"`  // its GitBranch was emitted
	Orig    bool   `json:"o,omitempty"`  // its Originator was emitted
	Version string `json:"v,omitempty"`  // the last AgentVersion emitted
	Model   string `json:"m,omitempty"`  // the latest model
	Title   int    `json:"t,omitempty"`  // rank of the title emitted
	Prompt  string `json:"p,omitempty"`  // key of the current prompt
	// Unanswered: no assistant line has answered the current prompt yet,
	// so its model is not known (the first one's completes it).
	Unanswered bool `json:"pu,omitempty"`
	// Cmd is the current prompt while it is a slash command whose expansion
	// (the isMeta line Claude Code writes next) may still come and become
	// its Context.
	Cmd *cmdPrompt `json:"cmd,omitempty"`
}

type cmdPrompt struct {
	Text string `json:"text"`
	Time string `json:"time,omitempty"`
	Cwd  string `json:"cwd,omitempty"`
}

// pendingCall is a tool call waiting for its tool_result.
type pendingCall struct {
	ID      string `json:"id"`
	Session string `json:"s"`
	Prompt  string `json:"p,omitempty"`
	Name    string `json:"n"`
	Path    string `json:"f,omitempty"` // edit tools: the absolute path the FileEdit is keyed on
	Cwd     string `json:"c,omitempty"` // cwd of the call, for diff headers
}

func (s *state) sess(id string) *sessState {
	if s.S == nil {
		s.S = map[string]*sessState{}
	}
	ss := s.S[id]
	if ss == nil {
		ss = &sessState{}
		s.S[id] = ss
	}
	return ss
}

func (s *state) addPending(p pendingCall) {
	for i := range s.P {
		if s.P[i].ID == p.ID && s.P[i].Session == p.Session {
			s.P = append(s.P[:i], s.P[i+1:]...)
			break
		}
	}
	s.P = append(s.P, p)
	if len(s.P) > maxPending {
		s.P = append(s.P[:0], s.P[len(s.P)-maxPending:]...)
	}
}

// takePending removes and returns the call id of session, if it waits.
func (s *state) takePending(session, id string) (pendingCall, bool) {
	for i := range s.P {
		if s.P[i].ID == id && s.P[i].Session == session {
			p := s.P[i]
			s.P = append(s.P[:i], s.P[i+1:]...)
			if len(s.P) == 0 {
				s.P = nil
			}
			return p, true
		}
	}
	return pendingCall{}, false
}
