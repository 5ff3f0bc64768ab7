package vscode

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// testdata is the root of this package's own fixtures, laid out as a VS
// Code user directory.
var testdata = filepath.Join("..", "..", "testdata", "vscode", "User")

// decodeBytes decodes data as the session at path in one batch, as the
// pipeline does (a .json whole, a .jsonl replayed, then flushed), with the
// sidecars that exist when sidecars is set; it returns the records and the
// rejected lines.
func decodeBytes(path string, data []byte, sidecars bool) ([]store.Record, []dectest.LineError) {
	d, _ := New(path, nil)
	if sidecars {
		dectest.GiveSidecars(d, Sidecars(path))
	}
	return dectest.Decode(d, data, Whole(path))
}

// view decodes the session at path (see decodeBytes); a rejected line
// fails the test.
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
