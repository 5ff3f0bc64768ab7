package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// RestoreState decodes a decoder's saved state (what ingest.Decoder's
// State returned) into st, whose field *v holds the version of the state's
// format, and reports whether there was one: a blank state is none, and
// the decoder starts at the beginning of its file. A state that does not
// decode, or of another version than want (an older aitrail's), is an
// error naming the agent; the pipeline then reads the file again from its
// start.
func RestoreState(agent string, state []byte, st any, v *int, want int) (bool, error) {
	if len(bytes.TrimSpace(state)) == 0 {
		return false, nil
	}
	if err := json.Unmarshal(state, st); err != nil {
		return false, fmt.Errorf("%s decoder state: %w", agent, err)
	}
	if *v != want {
		return false, fmt.Errorf("%s decoder state version %d, want %d", agent, *v, want)
	}
	return true, nil
}
