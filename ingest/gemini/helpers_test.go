package gemini

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/recordtest"
	"github.com/aitrail/aitrail/store"
)

// testdata is the root of this package's own fixtures, in Gemini CLI's
// layout (a .gemini directory).
var testdata = filepath.Join("..", "..", "testdata", "gemini")

// shared is the shared fixture set beside the repository, not always there.
var shared = filepath.Join("..", "..", "..", "shared", "fixtures", "sessions")

// decodeFile decodes a chat as the pipeline does: a JSON chat as one line,
// a JSONL chat line by line and then finished. With sidecars, the files
// Sidecars names are given first, as the pipeline gives them.
func decodeFile(t testing.TB, path string, sidecars bool) []store.Record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := decodeBytes(path, data, sidecars)
	for _, err := range errs {
		t.Errorf("%s: %v", path, err)
	}
	return recs
}

// decodeBytes decodes data as the chat at path, returning the records and
// the errors of its lines.
func decodeBytes(path string, data []byte, sidecars bool) ([]store.Record, []error) {
	d, _ := New(path, nil)
	if sidecars {
		for _, p := range Sidecars(path) {
			if b, err := os.ReadFile(p); err == nil {
				d.Sidecar(p, b)
			}
		}
	}
	return recordtest.Decode(d, data, Whole(path))
}

func gather(t testing.TB, path string, sidecars bool) *recordtest.Set {
	t.Helper()
	return recordtest.Gather(decodeFile(t, path, sidecars))
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}
