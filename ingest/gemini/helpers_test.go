package gemini

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// testdata is the root of this package's own fixtures, in Gemini CLI's
// layout (a .gemini directory).
var testdata = filepath.Join("..", "..", "testdata", "gemini")

// decodeBytes decodes data as the chat at path in one batch, as the
// pipeline does (a JSON chat as one line, a JSONL chat line by line, then
// flushed); with sidecars, the files Sidecars names are given first, as
// the pipeline gives them. It returns the records and the rejected lines.
func decodeBytes(path string, data []byte, sidecars bool) ([]store.Record, []dectest.LineError) {
	d, _ := New(path, nil)
	if sidecars {
		dectest.GiveSidecars(d, Sidecars(path))
	}
	return dectest.Decode(d, data, Whole(path))
}

// view decodes the chat at path (see decodeBytes); a rejected line fails
// the test.
func view(t testing.TB, path string, sidecars bool) *dectest.View {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, bad := decodeBytes(path, data, sidecars)
	for _, err := range bad {
		t.Errorf("%s: %v", path, err)
	}
	return dectest.NewView(recs)
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}
