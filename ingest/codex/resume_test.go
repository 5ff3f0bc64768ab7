package codex

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
)

// fixtureFiles returns this package's fixtures and, when present, the
// shared sample rollouts.
func fixtureFiles() []string {
	files, _ := filepath.Glob(fixture("rollout-*"))
	// When the shared fixtures are absent, the walk finds nothing.
	_ = filepath.WalkDir(dectest.SharedPath("sessions"), func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.Contains(filepath.ToSlash(p), "codex/") && Match(filepath.Base(p)) {
			files = append(files, p)
		}
		return nil
	})
	return files
}

func allFixtures(t *testing.T) []string {
	t.Helper()
	files := fixtureFiles()
	if len(files) == 0 {
		t.Fatal("no fixtures under testdata/codex")
	}
	return files
}

func TestResumeAtEveryLine(t *testing.T) {
	for _, path := range allFixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			dectest.ResumeEverySplit(t, dectest.For(New, path), dectest.Lines(t, path, Whole(path)), dectest.SameRecords)
		})
	}
}

// TestResumeAfterEachLine resumes from a saved state after every single
// line, as a pipeline committing each line would.
func TestResumeAfterEachLine(t *testing.T) {
	for _, path := range allFixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if n := dectest.ResumeEveryLine(t, dectest.For(New, path), dectest.Lines(t, path, Whole(path)), dectest.SameRecords); n > 16<<10 {
				t.Errorf("state grew to %d bytes", n)
			}
		})
	}
}

func TestNewState(t *testing.T) {
	if _, err := New("x.jsonl", []byte("{not json")); err == nil {
		t.Error("New with a corrupt state: no error")
	}
	if _, err := New("x.jsonl", []byte(`{"v":999}`)); err == nil {
		t.Error("New with another version's state: no error")
	}
	d, err := New("rollout-2025-10-31T10-00-00-test-session-001.jsonl", []byte("  "))
	if err != nil {
		t.Fatal(err)
	}
	if d.st.Session != "test-session-001" {
		t.Errorf("session before any session_meta = %q, want the file's id", d.st.Session)
	}
}
