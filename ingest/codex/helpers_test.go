package codex

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/aitrail/aitrail/store"
)

// decoded is the outcome of decoding a file.
type decoded struct {
	recs []store.Record
	bad  []int // lines that returned an error
}

// lines returns the lines of a file as the pipeline gives them: without
// their newline, blank ones skipped, a whole file as one line.
func fileLines(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if Whole(path) {
		return [][]byte{data}
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	return out
}

// decodeLines decodes lines[from:to] (numbered from 1) with d.
func decodeLines(t testing.TB, d *Decoder, lines [][]byte, from, to int, out *decoded) {
	t.Helper()
	for i := from; i < to; i++ {
		if len(bytes.TrimSpace(lines[i])) == 0 {
			continue
		}
		if err := d.Line(i+1, lines[i], func(r store.Record) { out.recs = append(out.recs, r) }); err != nil {
			out.bad = append(out.bad, i+1)
		}
	}
}

func decodeAll(t testing.TB, path string) decoded {
	t.Helper()
	d, err := New(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out decoded
	lines := fileLines(t, path)
	decodeLines(t, d, lines, 0, len(lines), &out)
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

// final is what a file's records leave in the store, which upserts by key:
// the last record of each key wins.
type final struct {
	sessions map[string]store.Session // merged
	prompts  []store.Prompt           // in first-emission order, last version
	messages []store.Message
	calls    map[string]store.ToolCall
	callIDs  []string // in first-emission order
	results  map[string]store.ToolResult
	edits    []store.FileEdit // in first-emission order of (call, path), last version
	usage    []store.Usage
	unknown  []string
}

func finalOf(recs []store.Record) *final {
	f := &final{sessions: map[string]store.Session{}, calls: map[string]store.ToolCall{}, results: map[string]store.ToolResult{}}
	prompt := map[string]int{}
	message := map[string]int{}
	edit := map[[2]string]int{}
	for _, r := range recs {
		switch r := r.(type) {
		case store.Session:
			s := f.sessions[r.ID]
			s.ID = r.ID
			store.MergeSession(&s, r)
			f.sessions[r.ID] = s
		case store.Prompt:
			if i, ok := prompt[r.Key]; ok {
				f.prompts[i] = r
				continue
			}
			prompt[r.Key] = len(f.prompts)
			f.prompts = append(f.prompts, r)
		case store.Message:
			if i, ok := message[r.Key]; ok {
				f.messages[i] = r
				continue
			}
			message[r.Key] = len(f.messages)
			f.messages = append(f.messages, r)
		case store.ToolCall:
			if _, ok := f.calls[r.CallID]; !ok {
				f.callIDs = append(f.callIDs, r.CallID)
			}
			f.calls[r.CallID] = r
		case store.ToolResult:
			f.results[r.CallID] = r
		case store.FileEdit:
			k := [2]string{r.CallID, r.Path}
			if i, ok := edit[k]; ok {
				f.edits[i] = r
				continue
			}
			edit[k] = len(f.edits)
			f.edits = append(f.edits, r)
		case store.Usage:
			f.usage = append(f.usage, r)
		case store.Unknown:
			f.unknown = append(f.unknown, r.Type)
		}
	}
	return f
}

// tokens sums usage the way ccusage reports a session.
type tokenSum struct{ Input, CacheRead, CacheWrite, Output, Reasoning, Total int64 }

func (f *final) tokens() tokenSum {
	var s tokenSum
	seen := map[string]bool{}
	for _, u := range f.usage {
		if u.Key != "" && seen[u.Key] {
			continue
		}
		seen[u.Key] = true
		s.Input += u.Input
		s.CacheRead += u.CacheRead
		s.CacheWrite += u.CacheWrite
		s.Output += u.Output
		s.Reasoning += u.Reasoning
		s.Total += u.Total()
	}
	return s
}

func (f *final) kinds(kind string) []string {
	var out []string
	for _, m := range f.messages {
		if m.Kind == kind {
			out = append(out, m.Text)
		}
	}
	return out
}

func (f *final) editOf(path string) (store.FileEdit, bool) {
	for _, e := range f.edits {
		if e.Path == path {
			return e, true
		}
	}
	return store.FileEdit{}, false
}

func (f *final) editedFiles(status string) []string {
	var out []string
	for _, e := range f.edits {
		if e.Status == status {
			out = append(out, e.Path)
		}
	}
	return out
}
