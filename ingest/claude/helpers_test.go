package claude

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// testdata is the root of the fixtures written for this package, in
// Claude Code's own layout.
var testdata = filepath.Join("..", "..", "testdata", "claude", "projects")

// decodeFile decodes a whole transcript in one batch; a rejected line
// fails the test.
func decodeFile(t testing.TB, path string) []store.Record {
	t.Helper()
	return dectest.All(t, dectest.For(New, path), dectest.Lines(t, path, false))
}

// decodeLines decodes lines as those of a transcript at path, in one
// batch; a rejected line fails the test.
func decodeLines(t testing.TB, path string, lines ...string) []store.Record {
	t.Helper()
	var ls [][]byte
	for _, l := range lines {
		ls = append(ls, []byte(l))
	}
	return dectest.All(t, dectest.For(New, path), ls)
}

// editedFiles returns the sorted paths of the edits the agent reports
// applied.
func editedFiles(v *dectest.View) []string {
	return slices.Sorted(maps.Keys(v.EditedFiles()))
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}
