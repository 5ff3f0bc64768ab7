package copilot

import (
	"path/filepath"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
)

// eventLogs lists the events logs among this package's fixtures and the
// shared ones.
func eventLogs(t *testing.T) []string {
	out := []string{eventsLog, flatLog}
	for _, sub := range []string{"copilot", "synthetic/copilot"} {
		m, _ := filepath.Glob(dectest.SharedPath("sessions", sub, "session-state", "*", "events.jsonl"))
		out = append(out, m...)
	}
	return out
}

// TestResumeEveryLine decodes each events log with a new decoder for every
// line, each resuming from the previous one's State(), and wants the
// records one run gives; the state stays small throughout.
func TestResumeEveryLine(t *testing.T) {
	const maxState = 2048
	for _, path := range eventLogs(t) {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			largest := dectest.ResumeEveryLine(t, dectest.For(New, path), dectest.Lines(t, path, false), dectest.SameRecords)
			if largest > maxState {
				t.Errorf("state grew to %d bytes, want at most %d", largest, maxState)
			}
		})
	}
}

func TestNewRejectsBadState(t *testing.T) {
	for _, st := range []string{`{"v":99}`, `not json`} {
		if _, err := New("s/x/events.jsonl", []byte(st)); err == nil {
			t.Errorf("New with state %s: got no error", st)
		}
	}
	if _, err := New("h/session_x_1.json", []byte(`not json`)); err != nil {
		t.Errorf("a history file keeps no state, so any is ignored: %v", err)
	}
}
