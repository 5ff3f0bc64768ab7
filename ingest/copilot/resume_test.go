package copilot

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aitrail/aitrail/store"
)

// firstDiff describes where two record lists part.
func firstDiff(got, want []store.Record) string {
	for i := 0; i < len(got) && i < len(want); i++ {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("record %d:\ngot  %+v\nwant %+v", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("got %d records, want %d", len(got), len(want))
}

// eventLogs lists the events logs among this package's fixtures and the
// shared ones.
func eventLogs(t *testing.T) []string {
	out := []string{eventsLog, flatLog}
	for _, sub := range []string{"copilot", "synthetic/copilot"} {
		m, _ := filepath.Glob(filepath.Join(shared, sub, "session-state", "*", "events.jsonl"))
		out = append(out, m...)
	}
	return out
}

// TestResumeEveryLine decodes each events log with a new decoder for every
// line, each resuming from the previous one's State(), and wants what one
// run gives; the state stays small throughout.
func TestResumeEveryLine(t *testing.T) {
	const maxState = 2048
	for _, path := range eventLogs(t) {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			ls := lines(t, path)
			want := decodeFile(t, path)
			var got []store.Record
			var st []byte
			largest := 0
			for i := range ls {
				d, err := New(path, st)
				if err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				got = append(got, decode(t, d, ls[:i+1], i)...)
				if st, err = d.State(); err != nil {
					t.Fatal(err)
				}
				largest = max(largest, len(st))
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatal(firstDiff(got, want))
			}
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
