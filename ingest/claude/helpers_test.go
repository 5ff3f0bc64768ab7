package claude

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/aitrail/aitrail/store"
)

// testdata is the root of the fixtures written for this package, in
// Claude Code's own layout.
var testdata = filepath.Join("..", "..", "testdata", "claude", "projects")

// shared is the root of the shared fixture set (real and synthetic files),
// which is not always present.
var shared = filepath.Join("..", "..", "..", "shared", "fixtures")

// readLines returns the lines of a file without their newlines.
func readLines(t testing.TB, path string) [][]byte {
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

// decode decodes lines[from:] with d, numbering them from from+1, and
// returns the records; a line error fails the test.
func decode(t testing.TB, d *Decoder, lines [][]byte, from int) []store.Record {
	t.Helper()
	var recs []store.Record
	for i := from; i < len(lines); i++ {
		if err := d.Line(i+1, lines[i], func(r store.Record) { recs = append(recs, r) }); err != nil {
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
	return decode(t, d, readLines(t, path), 0)
}

type callKey struct{ session, id string }

type editKey struct{ session, call, path string }

// merged is what the store would hold after the records: sessions merged
// with the store's rules, the last record per key for prompts, messages
// and edits.
type merged struct {
	sessions map[string]store.Session
	prompts  map[callKey]store.Prompt // session, key
	messages map[callKey]store.Message
	calls    map[callKey]store.ToolCall
	results  map[callKey]store.ToolResult
	edits    map[editKey]store.FileEdit
	usage    []store.Usage
	links    []store.Link
	unknown  []store.Unknown
}

func merge(recs []store.Record) *merged {
	m := &merged{
		sessions: map[string]store.Session{},
		prompts:  map[callKey]store.Prompt{},
		messages: map[callKey]store.Message{},
		calls:    map[callKey]store.ToolCall{},
		results:  map[callKey]store.ToolResult{},
		edits:    map[editKey]store.FileEdit{},
	}
	for _, r := range recs {
		switch x := r.(type) {
		case store.Session:
			s := m.sessions[x.ID]
			s.ID = x.ID
			store.MergeSession(&s, x)
			m.sessions[x.ID] = s
		case store.Prompt:
			m.prompts[callKey{x.Session, x.Key}] = x
		case store.Message:
			m.messages[callKey{x.Session, x.Key}] = x
		case store.ToolCall:
			m.calls[callKey{x.Session, x.CallID}] = x
		case store.ToolResult:
			m.results[callKey{x.Session, x.CallID}] = x
		case store.FileEdit:
			m.edits[editKey{x.Session, x.CallID, x.Path}] = x
		case store.Usage:
			m.usage = append(m.usage, x)
		case store.Link:
			m.links = append(m.links, x)
		case store.Unknown:
			m.unknown = append(m.unknown, x)
		}
	}
	return m
}

// promptTexts returns the texts of a session's prompts in time order.
func (m *merged) promptTexts(session string) []string {
	var ps []store.Prompt
	for k, p := range m.prompts {
		if k.session == session {
			ps = append(ps, p)
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Time.Before(ps[j].Time) })
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Text
	}
	return out
}

// editedFiles returns the paths of the edits the agent reports applied.
func (m *merged) editedFiles() []string {
	set := map[string]bool{}
	for _, e := range m.edits {
		if e.Status != store.EditFailed {
			set[e.Path] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}
