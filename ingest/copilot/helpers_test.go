package copilot

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/recordtest"
	"github.com/aitrail/aitrail/store"
)

// testdata is the root of this package's own fixtures, in Copilot CLI's
// layout (a .copilot directory).
var testdata = filepath.Join("..", "..", "testdata", "copilot")

// shared is the shared fixture set beside the repository, not always there.
var shared = filepath.Join("..", "..", "..", "shared", "fixtures", "sessions")

// lines splits a file into its lines.
func lines(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if Whole(path) {
		return [][]byte{data}
	}
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

// decode decodes ls[from:] with d, numbering lines from from+1; a line
// error fails the test.
func decode(t testing.TB, d *Decoder, ls [][]byte, from int) []store.Record {
	t.Helper()
	var recs []store.Record
	for i := from; i < len(ls); i++ {
		if err := d.Line(i+1, ls[i], func(r store.Record) { recs = append(recs, r) }); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
	}
	return recs
}

// decodeFile decodes a whole file in one go.
func decodeFile(t testing.TB, path string) []store.Record {
	t.Helper()
	d, err := New(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, d, lines(t, path), 0)
}

func gather(t testing.TB, path string) *recordtest.Set {
	t.Helper()
	return recordtest.Gather(decodeFile(t, path))
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}
