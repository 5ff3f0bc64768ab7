package dectest

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/aitrail/aitrail/store"
)

// Decoder is what the pipeline needs of a decoder (ingest.Decoder, which
// this package cannot import).
type Decoder interface {
	Line(no int, line []byte, emit func(store.Record)) error
	State() ([]byte, error)
}

// flusher is ingest.Flusher: a decoder that holds records back until the
// end of a batch.
type flusher interface {
	Flush(emit func(store.Record))
}

// sidecarDecoder is ingest.SidecarDecoder.
type sidecarDecoder interface {
	Sidecar(path string, data []byte)
}

// NewFunc makes a decoder of one file, resuming from state (nil for the
// start of the file).
type NewFunc func(state []byte) (Decoder, error)

// For returns the NewFunc of the file at path for an agent package's New.
func For[D Decoder](newDec func(path string, state []byte) (D, error), path string) NewFunc {
	return func(state []byte) (Decoder, error) {
		d, err := newDec(path, state)
		if err != nil {
			return nil, err
		}
		return d, nil
	}
}

// Split cuts data into its lines as the pipeline reads them, without their
// newlines; a file read whole (Agent.Whole) is one line.
func Split(data []byte, whole bool) [][]byte {
	if whole {
		return [][]byte{data}
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	if len(data) == 0 {
		return nil
	}
	return bytes.Split(data, []byte("\n"))
}

// Lines reads the file at path and splits it (see Split).
func Lines(t testing.TB, path string, whole bool) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Split(data, whole)
}

// LineError is a line that the decoder rejected.
type LineError struct {
	No  int // the line's number, from 1
	Err error
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %v", e.No, e.Err) }

// Batch decodes lines[from:to] with d as one batch of the pipeline does:
// lines numbered from from+1, a trailing "\r" dropped, blank lines skipped,
// then a flush of what d holds back (ingest.Flusher). It returns the
// records and the lines d rejected.
func Batch(d Decoder, lines [][]byte, from, to int) ([]store.Record, []LineError) {
	var recs []store.Record
	var bad []LineError
	emit := func(r store.Record) { recs = append(recs, r) }
	for i := from; i < to; i++ {
		l := bytes.TrimRight(lines[i], "\r")
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if err := d.Line(i+1, l, emit); err != nil {
			bad = append(bad, LineError{i + 1, err})
		}
	}
	if f, ok := d.(flusher); ok {
		f.Flush(emit)
	}
	return recs, bad
}

// Decode decodes data as a file in one batch (see Split and Batch).
func Decode(d Decoder, data []byte, whole bool) ([]store.Record, []LineError) {
	lines := Split(data, whole)
	return Batch(d, lines, 0, len(lines))
}

// GiveSidecars gives d those of paths that exist, as the pipeline gives a
// decoder (an ingest.SidecarDecoder) the files its agent keeps beside a log
// (Agent.Sidecars) before the lines of a batch.
func GiveSidecars(d sidecarDecoder, paths []string) {
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			d.Sidecar(p, data)
		}
	}
}

// All decodes all lines in one batch with a new decoder; a rejected line
// fails the test.
func All(t testing.TB, newDec NewFunc, lines [][]byte) []store.Record {
	t.Helper()
	d, err := newDec(nil)
	if err != nil {
		t.Fatal(err)
	}
	recs, bad := Batch(d, lines, 0, len(lines))
	for _, e := range bad {
		t.Fatal(e)
	}
	return recs
}

// Same compares the records of a resumed decoding with those of one batch,
// describing the first difference ("" when they are the same).
type Same func(got, want []store.Record) string

// SameRecords wants the same records in the same order: for a decoder that
// emits each record once, however its lines are batched.
func SameRecords(got, want []store.Record) string {
	for i := 0; i < len(got) && i < len(want); i++ {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("record %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("got %d records, want %d", len(got), len(want))
	}
	return ""
}

// SameView wants the store to end up holding the same: for a decoder that
// emits a record again as it learns more of it (a Flusher, or one that
// announces its session anew in each batch).
func SameView(got, want []store.Record) string {
	return NewView(got).Diff(NewView(want))
}

// batches decodes lines in batches that end at each of ends (ascending,
// the last len(lines)), each with a new decoder resuming from the state the
// previous one left. It returns the records, the rejected lines' numbers
// and the largest state.
func batches(t testing.TB, newDec NewFunc, lines [][]byte, ends []int) (recs []store.Record, bad []int, largest int) {
	t.Helper()
	var state []byte
	from := 0
	for _, to := range ends {
		d, err := newDec(state)
		if err != nil {
			t.Fatalf("resume after line %d: %v", from, err)
		}
		r, b := Batch(d, lines, from, to)
		recs = append(recs, r...)
		for _, e := range b {
			bad = append(bad, e.No)
		}
		if state, err = d.State(); err != nil {
			t.Fatalf("state after line %d: %v", to, err)
		}
		largest = max(largest, len(state))
		from = to
	}
	return recs, bad, largest
}

// ResumeEverySplit decodes lines in two batches split at every line
// boundary, the second with a new decoder resuming from the first's state,
// and wants what one batch gives, as same compares it, with the same lines
// rejected.
func ResumeEverySplit(t *testing.T, newDec NewFunc, lines [][]byte, same Same) {
	t.Helper()
	want, wantBad, _ := batches(t, newDec, lines, []int{len(lines)})
	for k := 0; k <= len(lines); k++ {
		got, bad, _ := batches(t, newDec, lines, []int{k, len(lines)})
		if diff := same(got, want); diff != "" {
			t.Fatalf("split after line %d: %s", k, diff)
		}
		if !reflect.DeepEqual(bad, wantBad) {
			t.Fatalf("split after line %d: rejected lines %v, want %v", k, bad, wantBad)
		}
	}
}

// ResumeEveryLine decodes lines one per batch, each with a new decoder
// resuming from the previous one's state, wants what one batch gives (as
// ResumeEverySplit does), and returns the largest state seen.
func ResumeEveryLine(t *testing.T, newDec NewFunc, lines [][]byte, same Same) int {
	t.Helper()
	want, wantBad, _ := batches(t, newDec, lines, []int{len(lines)})
	ends := make([]int, len(lines))
	for i := range ends {
		ends[i] = i + 1
	}
	got, bad, largest := batches(t, newDec, lines, ends)
	if diff := same(got, want); diff != "" {
		t.Fatal(diff)
	}
	if !reflect.DeepEqual(bad, wantBad) {
		t.Fatalf("rejected lines %v, want %v", bad, wantBad)
	}
	return largest
}

// Of returns the records of type T among recs, in their order.
func Of[T store.Record](recs []store.Record) []T {
	var out []T
	for _, r := range recs {
		if x, ok := r.(T); ok {
			out = append(out, x)
		}
	}
	return out
}
