package codex

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixtureFiles returns this package's fixtures and, when present, the
// shared sample rollouts.
func fixtureFiles() []string {
	files, _ := filepath.Glob(fixture("rollout-*"))
	if root, ok := sharedSessions(); ok {
		_ = filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.Contains(filepath.ToSlash(p), "codex/") && Match(filepath.Base(p)) {
				files = append(files, p)
			}
			return nil
		})
	}
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

// resumed decodes lines[:split], saves the state, and decodes the rest with
// a new decoder made from it.
func resumed(t *testing.T, path string, lines [][]byte, split int) decoded {
	t.Helper()
	var out decoded
	d, err := New(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	decodeLines(t, d, lines, 0, split, &out)
	state, err := d.State()
	if err != nil {
		t.Fatalf("State: %v", err)
	}
	d2, err := New(path, state)
	if err != nil {
		t.Fatalf("New from state: %v", err)
	}
	decodeLines(t, d2, lines, split, len(lines), &out)
	return out
}

func TestResumeAtEveryLine(t *testing.T) {
	for _, path := range allFixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			lines := fileLines(t, path)
			want := decodeAll(t, path)
			wantRecs := renderAll(want.recs)
			for split := 0; split <= len(lines); split++ {
				got := resumed(t, path, lines, split)
				if g := renderAll(got.recs); !slices.Equal(g, wantRecs) {
					t.Fatalf("split after line %d: records differ from a one-shot decode\n got: %s\nwant: %s",
						split, strings.Join(g, "\n      "), strings.Join(wantRecs, "\n      "))
				}
				if !slices.Equal(got.bad, want.bad) {
					t.Fatalf("split after line %d: bad lines %v, want %v", split, got.bad, want.bad)
				}
			}
		})
	}
}

// TestResumeAfterEachLine resumes from a saved state after every single
// line, as a pipeline committing each line would.
func TestResumeAfterEachLine(t *testing.T) {
	for _, path := range allFixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			lines := fileLines(t, path)
			want := renderAll(decodeAll(t, path).recs)
			var out decoded
			var state []byte
			for i := range lines {
				d, err := New(path, state)
				if err != nil {
					t.Fatal(err)
				}
				decodeLines(t, d, lines, i, i+1, &out)
				if state, err = d.State(); err != nil {
					t.Fatal(err)
				}
				if len(state) > 16<<10 {
					t.Errorf("state after line %d is %d bytes", i+1, len(state))
				}
			}
			if got := renderAll(out.recs); !slices.Equal(got, want) {
				t.Fatalf("records differ from a one-shot decode\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
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
