// Package dectest holds what the tests of agent decoders share: reading a
// fixture's lines, decoding them the way the ingest pipeline does (in
// batches, flushing held-back records at each batch's end, resuming from
// the decoder's state), and the view of the records that the store would
// keep. It knows the store's merge rules and nothing of any agent's
// format, and imports store only, so that every agent package's tests can
// use it.
package dectest

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" driver, for Database

	"github.com/aitrail/aitrail/store"
)

// Decoder is what the pipeline needs of a decoder (ingest.Decoder, which
// this package cannot import).
type Decoder interface {
	Line(no int, line []byte, emit func(store.Record)) error
	State() ([]byte, error)
}

// flusher is ingest.Flusher.
type flusher interface {
	Flush(emit func(store.Record))
}

// Lines returns the lines of a file without their newlines. Empty lines
// are kept as empty slices (the pipeline skips them, see Batch).
func Lines(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	if len(data) == 0 {
		return nil
	}
	return bytes.Split(data, []byte("\n"))
}

// Batch decodes lines[from:to] with d as one batch of the pipeline does:
// lines numbered from from+1, blank lines skipped, then a flush. A line
// error fails the test unless bad is given, which then counts it.
func Batch(t testing.TB, d Decoder, lines [][]byte, from, to int, bad *int) []store.Record {
	t.Helper()
	var recs []store.Record
	emit := func(r store.Record) { recs = append(recs, r) }
	for i := from; i < to; i++ {
		l := bytes.TrimRight(lines[i], "\r")
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if err := d.Line(i+1, l, emit); err != nil {
			if bad == nil {
				t.Fatalf("line %d: %v", i+1, err)
			}
			*bad++
		}
	}
	if f, ok := d.(flusher); ok {
		f.Flush(emit)
	}
	return recs
}

// All decodes all lines in one batch with a decoder from newDec.
func All(t testing.TB, newDec func(state []byte) (Decoder, error), lines [][]byte) []store.Record {
	t.Helper()
	d, err := newDec(nil)
	if err != nil {
		t.Fatal(err)
	}
	return Batch(t, d, lines, 0, len(lines), nil)
}

// ResumeEverySplit decodes lines in two batches split at every line
// boundary, the second with a new decoder resuming from the first's state,
// and wants the store to end up holding what one batch gives it.
func ResumeEverySplit(t *testing.T, newDec func(state []byte) (Decoder, error), lines [][]byte) {
	t.Helper()
	want := Merge(All(t, newDec, lines))
	for k := 0; k <= len(lines); k++ {
		d1, err := newDec(nil)
		if err != nil {
			t.Fatal(err)
		}
		got := Batch(t, d1, lines, 0, k, nil)
		st, err := d1.State()
		if err != nil {
			t.Fatal(err)
		}
		d2, err := newDec(st)
		if err != nil {
			t.Fatalf("split at %d: %v", k, err)
		}
		got = append(got, Batch(t, d2, lines, k, len(lines), nil)...)
		if diff := Merge(got).Diff(want); diff != "" {
			t.Fatalf("split at line %d: %s", k, diff)
		}
	}
}

// ResumeEveryLine decodes lines one per batch, each with a new decoder
// resuming from the previous state, wants what one batch gives, and
// returns the largest state seen.
func ResumeEveryLine(t *testing.T, newDec func(state []byte) (Decoder, error), lines [][]byte) int {
	t.Helper()
	want := Merge(All(t, newDec, lines))
	var got []store.Record
	var st []byte
	largest := 0
	for i := range lines {
		d, err := newDec(st)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		got = append(got, Batch(t, d, lines, i, i+1, nil)...)
		if st, err = d.State(); err != nil {
			t.Fatal(err)
		}
		largest = max(largest, len(st))
	}
	if diff := Merge(got).Diff(want); diff != "" {
		t.Fatal(diff)
	}
	return largest
}

// Database returns an in-memory SQLite database made by a fixture's SQL
// script, for the decoders of agents that keep their sessions in one.
func Database(t testing.TB, script string) *sql.DB {
	t.Helper()
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one connection: one in-memory database
	if _, err := db.Exec(string(data)); err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return db
}

// Key names a record within a session.
type Key struct{ Session, ID string }

// EditKey names a file edit as the store does.
type EditKey struct{ Session, Call, Path string }

// View is what the store would hold after the records: sessions merged
// with the store's own rule (store.MergeSession), the last record per key for prompts, messages,
// tool calls, results and edits, one usage entry per de-duplication key
// (the larger), links per (session, kind, url).
type View struct {
	Sessions map[string]store.Session
	Prompts  map[Key]store.Prompt
	Messages map[Key]store.Message
	Calls    map[Key]store.ToolCall
	Results  map[Key]store.ToolResult
	Edits    map[EditKey]store.FileEdit
	Usage    []store.Usage
	Links    map[[3]string]store.Link
	Unknown  map[string]int // type → records
}

// Merge returns the view of recs.
func Merge(recs []store.Record) *View {
	v := &View{
		Sessions: map[string]store.Session{},
		Prompts:  map[Key]store.Prompt{},
		Messages: map[Key]store.Message{},
		Calls:    map[Key]store.ToolCall{},
		Results:  map[Key]store.ToolResult{},
		Edits:    map[EditKey]store.FileEdit{},
		Links:    map[[3]string]store.Link{},
		Unknown:  map[string]int{},
	}
	keyed := map[string]int{}
	for _, r := range recs {
		switch x := r.(type) {
		case store.Session:
			s := v.Sessions[x.ID]
			s.ID = x.ID
			store.MergeSession(&s, x)
			v.Sessions[x.ID] = s
		case store.Prompt:
			v.Prompts[Key{x.Session, x.Key}] = x
		case store.Message:
			if old, ok := v.Messages[Key{x.Session, x.Key}]; ok {
				old.Text = x.Text // the store updates only the text
				x = old
			}
			v.Messages[Key{x.Session, x.Key}] = x
		case store.ToolCall:
			v.Calls[Key{x.Session, x.CallID}] = x
		case store.ToolResult:
			v.Results[Key{x.Session, x.CallID}] = x
		case store.FileEdit:
			v.Edits[EditKey{x.Session, x.CallID, x.Path}] = x
		case store.Usage:
			if x.Key == "" {
				v.Usage = append(v.Usage, x)
				continue
			}
			if i, ok := keyed[x.Key]; ok {
				if x.Total() > v.Usage[i].Total() {
					v.Usage[i] = x
				}
				continue
			}
			keyed[x.Key] = len(v.Usage)
			v.Usage = append(v.Usage, x)
		case store.Link:
			v.Links[[3]string{x.Session, x.Kind, x.URL}] = x
		case store.Unknown:
			v.Unknown[x.Type]++
		}
	}
	return v
}

// Diff describes how v differs from want ("" when equal).
func (v *View) Diff(want *View) string {
	var out []string
	check := func(name string, got, want any) {
		if !reflect.DeepEqual(got, want) {
			out = append(out, fmt.Sprintf("%s:\n got  %+v\n want %+v", name, got, want))
		}
	}
	check("sessions", v.Sessions, want.Sessions)
	check("prompts", v.Prompts, want.Prompts)
	check("messages", v.Messages, want.Messages)
	check("tool calls", v.Calls, want.Calls)
	check("tool results", v.Results, want.Results)
	check("edits", v.Edits, want.Edits)
	check("usage", v.Usage, want.Usage)
	check("links", v.Links, want.Links)
	check("unknown", v.Unknown, want.Unknown)
	return strings.Join(out, "\n")
}

// PromptTexts returns the texts of a session's prompts ordered by key
// order of appearance (time, then key).
func (v *View) PromptTexts(session string) []string {
	var ps []store.Prompt
	for k, p := range v.Prompts {
		if k.Session == session {
			ps = append(ps, p)
		}
	}
	sort.Slice(ps, func(i, j int) bool {
		if !ps[i].Time.Equal(ps[j].Time) {
			return ps[i].Time.Before(ps[j].Time)
		}
		return ps[i].Key < ps[j].Key
	})
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Text
	}
	return out
}

// EditedFiles returns the sorted paths of the edits not marked failed,
// with their summed added and removed lines.
func (v *View) EditedFiles() map[string][2]int {
	out := map[string][2]int{}
	for _, e := range v.Edits {
		if e.Status == store.EditFailed {
			continue
		}
		c := out[e.Path]
		out[e.Path] = [2]int{c[0] + e.Added, c[1] + e.Removed}
	}
	return out
}

// Tokens sums the usage entries.
func (v *View) Tokens() (t store.Usage) {
	for _, u := range v.Usage {
		t.Input += u.Input
		t.CacheRead += u.CacheRead
		t.CacheWrite += u.CacheWrite
		t.Output += u.Output
		t.Reasoning += u.Reasoning
	}
	return t
}
