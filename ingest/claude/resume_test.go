package claude

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aitrail/aitrail/store"
)

// ownFixtures lists the transcripts under testdata/claude.
func ownFixtures(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, f := range transcripts(t, testdata) {
		out = append(out, filepath.Join(testdata, f))
	}
	if len(out) == 0 {
		t.Fatal("no fixtures under " + testdata)
	}
	return out
}

// firstDiff describes where two record lists part.
func firstDiff(got, want []store.Record) string {
	for i := 0; i < len(got) && i < len(want); i++ {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("record %d:\ngot  %+v\nwant %+v", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("got %d records, want %d", len(got), len(want))
}

// TestResumeEverySplit decodes each fixture in two runs split at every line
// boundary, the second resuming from the first's State(), and wants what
// one run gives.
func TestResumeEverySplit(t *testing.T) {
	for _, path := range ownFixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			lines := readLines(t, path)
			want := decodeFile(t, path)
			for k := 0; k <= len(lines); k++ {
				d1, _ := New(path, nil)
				got := decode(t, d1, lines[:k], 0)
				st, err := d1.State()
				if err != nil {
					t.Fatal(err)
				}
				d2, err := New(path, st)
				if err != nil {
					t.Fatalf("split at %d: %v", k, err)
				}
				got = append(got, decode(t, d2, lines, k)...)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("split at line %d: %s", k, firstDiff(got, want))
				}
			}
		})
	}
}

// TestResumeEveryLine decodes the real fixtures with a new decoder for
// every line, each resuming from the previous one's State(), and wants what
// one run gives; the state stays small throughout.
func TestResumeEveryLine(t *testing.T) {
	var paths []string
	for _, sub := range []string{"claude", "synthetic/claude"} {
		dir := filepath.Join(shared, "sessions", sub, "projects")
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		for _, f := range transcripts(t, dir) {
			paths = append(paths, filepath.Join(dir, f))
		}
	}
	if len(paths) == 0 {
		t.Skipf("shared fixtures not found under %s (they live outside the repository)", shared)
	}
	const maxState = 2048
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			lines := readLines(t, path)
			want := decodeFile(t, path)
			var got []store.Record
			var st []byte
			largest := 0
			for i, line := range lines {
				d, err := New(path, st)
				if err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				if err := d.Line(i+1, line, func(r store.Record) { got = append(got, r) }); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				if st, err = d.State(); err != nil {
					t.Fatal(err)
				}
				largest = max(largest, len(st))
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s", firstDiff(got, want))
			}
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
