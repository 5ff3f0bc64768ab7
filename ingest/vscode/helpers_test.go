package vscode

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aitrail/aitrail/ingest/recordtest"
	"github.com/aitrail/aitrail/store"
)

// testdata is the root of this package's own fixtures, laid out as a VS
// Code user directory.
var testdata = filepath.Join("..", "..", "testdata", "vscode", "User")

// shared is the shared fixture set beside the repository, not always there.
var shared = filepath.Join("..", "..", "..", "shared", "fixtures", "sessions")

// decodeBytes decodes data as the session at path the way the pipeline
// does (a .json whole, a .jsonl replayed and finished), with the sidecars
// that exist when sidecars is set; it returns the records and the errors
// of the lines.
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
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := decodeBytes(path, data, sidecars)
	for _, err := range errs {
		t.Errorf("%s: %v", path, err)
	}
	return recordtest.Gather(recs)
}
