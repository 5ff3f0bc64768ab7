package codex

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// decoded is the outcome of decoding a file.
type decoded struct {
	recs []store.Record
	bad  []int // lines that returned an error
}

// decodeAll decodes a file in one batch, as the pipeline does (a whole
// file as one line).
func decodeAll(t testing.TB, path string) decoded {
	t.Helper()
	d, err := New(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	lines := dectest.Lines(t, path, Whole(path))
	recs, bad := dectest.Batch(d, lines, 0, len(lines))
	out := decoded{recs: recs}
	for _, e := range bad {
		out.bad = append(out.bad, e.No)
	}
	return out
}

// render prints a record on one line for comparisons and failure output.
func render(r store.Record) string {
	b, _ := json.Marshal(r)
	return fmt.Sprintf("%T%s", r, b)
}

func renderAll(rs []store.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = render(r)
	}
	return out
}

// byID returns the record of call id (in whichever session: a rollout's
// calls have ids of their own).
func byID[V any](k *dectest.Keyed[dectest.Key, V], id string) V {
	for key, v := range k.All() {
		if key.ID == id {
			return v
		}
	}
	var zero V
	return zero
}

// callIDs returns the ids of the tool calls in the order they came.
func callIDs(v *dectest.View) []string {
	var out []string
	for _, k := range v.Calls.Keys() {
		out = append(out, k.ID)
	}
	return out
}

// kinds returns the texts of the messages of a kind, in the order they came.
func kinds(v *dectest.View, kind string) []string {
	var out []string
	for _, m := range v.Messages.Values() {
		if m.Kind == kind {
			out = append(out, m.Text)
		}
	}
	return out
}

// editOf returns the first edit of path.
func editOf(v *dectest.View, path string) (store.FileEdit, bool) {
	for _, e := range v.Edits.Values() {
		if e.Path == path {
			return e, true
		}
	}
	return store.FileEdit{}, false
}

// editedFiles returns the paths of the edits of a status, in the order
// they came.
func editedFiles(v *dectest.View, status string) []string {
	var out []string
	for _, e := range v.Edits.Values() {
		if e.Status == status {
			out = append(out, e.Path)
		}
	}
	return out
}

// unknowns counts the records of unknown types.
func unknowns(v *dectest.View) int {
	n := 0
	for _, c := range v.Unknown {
		n += c
	}
	return n
}
