package claude

import (
	"path/filepath"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// FuzzLine feeds arbitrary lines to decoders of the three kinds of
// transcript: no input may panic, and the state must always round-trip.
func FuzzLine(f *testing.F) {
	for _, path := range ownFixturesFor(f) {
		for _, l := range dectest.Lines(f, path, false) {
			f.Add(l)
		}
	}
	for _, s := range []string{``, `{`, `[]`, `null`, `{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"x","content":[{"type":"text"}]}]}}`,
		`{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Edit","id":"x","input":{"file_path":"a","old_string":"a\nb","new_string":"b\na"}}],"usage":{"input_tokens":1,"output_tokens":1}},"timestamp":"2026-01-01T00:00:00Z"}`,
		`{"type":"user","toolUseResult":{"structuredPatch":[{"oldStart":0,"oldLines":0,"lines":[""]}]},"message":{"content":[{"type":"tool_result","tool_use_id":"x"}]}}`,
		`{"type":"system","subtype":"api_error","error":{"error":{"error":{"message":7}}}}`} {
		f.Add([]byte(s))
	}
	paths := []string{"p/s1.jsonl", "p/agent-abc.jsonl", "p/s1/subagents/agent-def.jsonl"}
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, p := range paths {
			d, err := New(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			// A tool call first, so that a result in line can join it.
			seed := `{"type":"assistant","sessionId":"s1","uuid":"a","message":{"content":[{"type":"tool_use","id":"x","name":"Write","input":{"file_path":"/w/f","content":"c"}}]}}`
			_ = d.Line(1, []byte(seed), func(store.Record) {})
			_ = d.Line(2, line, func(store.Record) {})
			st, err := d.State()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := New(p, st); err != nil {
				t.Fatalf("state %s does not restore: %v", st, err)
			}
		}
	})
}

// ownFixturesFor lists the transcripts under testdata/claude for a fuzz
// target's seeds.
func ownFixturesFor(f *testing.F) []string {
	var out []string
	for _, rel := range []string{
		"-home-dev-shop/" + shopSession + ".jsonl",
		"-home-dev-shop/" + newSession + ".jsonl",
		"-home-dev-api/" + apiSession + ".jsonl",
		"-home-dev-api/agent-4c5d6e7f.jsonl",
	} {
		out = append(out, filepath.Join(testdata, filepath.FromSlash(rel)))
	}
	return out
}
