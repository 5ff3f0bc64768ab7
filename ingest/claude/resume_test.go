package claude

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
)

// ownFixtures lists the transcripts under testdata/claude.
func ownFixtures(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, f := range dectest.Files(t, testdata, Match) {
		out = append(out, filepath.Join(testdata, f))
	}
	if len(out) == 0 {
		t.Fatal("no fixtures under " + testdata)
	}
	return out
}

// TestResumeEverySplit decodes each fixture in two runs split at every line
// boundary, the second resuming from the first's State(), and wants what
// one run gives.
func TestResumeEverySplit(t *testing.T) {
	for _, path := range ownFixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			dectest.ResumeEverySplit(t, dectest.For(New, path), dectest.Lines(t, path, false), dectest.SameRecords)
		})
	}
}

// TestResumeEveryLine decodes the real fixtures with a new decoder for
// every line, each resuming from the previous one's State(), and wants what
// one run gives; the state stays small throughout.
func TestResumeEveryLine(t *testing.T) {
	var paths []string
	for _, sub := range []string{"claude", "synthetic/claude"} {
		dir := dectest.SharedPath("sessions", sub, "projects")
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		for _, f := range dectest.Files(t, dir, Match) {
			paths = append(paths, filepath.Join(dir, f))
		}
	}
	if len(paths) == 0 {
		t.Skipf("shared fixtures not found under %s (they live outside the repository)", dectest.SharedPath())
	}
	const maxState = 2048
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			largest := dectest.ResumeEveryLine(t, dectest.For(New, path), dectest.Lines(t, path, false), dectest.SameRecords)
			if largest > maxState {
				t.Errorf("state grew to %d bytes, want at most %d", largest, maxState)
			}
		})
	}
}

func TestNewRejectsBadState(t *testing.T) {
	for _, st := range []string{`{"v":99}`, `not json`} {
		if _, err := New("p/s.jsonl", []byte(st)); err == nil {
			t.Errorf("New with state %s: got no error", st)
		}
	}
	if _, err := New("p/s.jsonl", []byte("  ")); err != nil {
		t.Errorf("New with blank state: %v", err)
	}
}
