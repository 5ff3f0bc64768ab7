package codex

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// FuzzLine feeds arbitrary input, split into lines, to a decoder: it must
// never panic, and decoding with a state round trip after every line must
// give what decoding in one go gives.
func FuzzLine(f *testing.F) {
	for _, path := range fixtureFiles() {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if Whole(path) {
			f.Add(data)
			continue
		}
		lines := bytes.Split(data, []byte("\n"))
		for i, l := range lines {
			f.Add(l)
			if i+1 < len(lines) {
				f.Add(bytes.Join(lines[i:i+2], []byte("\n")))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		var once, resumed []string
		d, _ := New("rollout-2026-01-01T00-00-00-fuzz.jsonl", nil)
		for i, l := range lines {
			_ = d.Line(i+1, l, func(r store.Record) { once = append(once, render(r)) })
		}
		var state []byte
		for i, l := range lines {
			d, err := New("rollout-2026-01-01T00-00-00-fuzz.jsonl", state)
			if err != nil {
				t.Fatalf("New from its own state: %v", err)
			}
			_ = d.Line(i+1, l, func(r store.Record) { resumed = append(resumed, render(r)) })
			if state, err = d.State(); err != nil {
				t.Fatalf("State: %v", err)
			}
		}
		if !slices.Equal(once, resumed) {
			t.Fatalf("resumed decode differs:\n%q\n%q", once, resumed)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	path := fixture("rollout-2026-02-10T16-00-00-019c2d3e-4f50-7061-8273-948596a7b8c9.jsonl")
	lines := dectest.Lines(b, path, Whole(path))
	var size int64
	for _, l := range lines {
		size += int64(len(l)) + 1
	}
	b.SetBytes(size)
	for b.Loop() {
		d, _ := New(path, nil)
		for i, l := range lines {
			_ = d.Line(i+1, l, func(store.Record) {})
		}
	}
}
