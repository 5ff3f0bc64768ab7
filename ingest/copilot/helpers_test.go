package copilot

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/dectest"
)

// testdata is the root of this package's own fixtures, in Copilot CLI's
// layout (a .copilot directory).
var testdata = filepath.Join("..", "..", "testdata", "copilot")

// view decodes the log at path in one batch; a rejected line fails the
// test.
func view(t testing.TB, path string) *dectest.View {
	t.Helper()
	return dectest.NewView(dectest.All(t, dectest.For(New, path), dectest.Lines(t, path, Whole(path))))
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}
