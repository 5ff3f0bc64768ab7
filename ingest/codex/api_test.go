package codex

import (
	"reflect"
	"testing"

	"github.com/aitrail/aitrail/store"
)

// Decoder must satisfy ingest.Decoder. ingest imports this package, so the
// check is written against a copy of that interface (ingest/registry.go
// checks the real one when it builds).
var _ interface {
	Line(no int, line []byte, emit func(store.Record)) error
	State() ([]byte, error)
} = (*Decoder)(nil)

func TestDirs(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		env  map[string]string
		home string
		want []string
	}{
		{"default", nil, "/home/u", []string{"/home/u/.codex/sessions", "/home/u/.codex/archived_sessions"}},
		{"CODEX_HOME", map[string]string{"CODEX_HOME": "/data/codex"}, "/home/u", []string{"/data/codex/sessions", "/data/codex/archived_sessions"}},
		{"windows home", nil, `C:\Users\u`, []string{`C:\Users\u\.codex\sessions`, `C:\Users\u\.codex\archived_sessions`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Dirs(env(tt.env), tt.home); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Dirs = %q, want %q", got, tt.want)
			}
		})
	}
	if got, want := HomeDirs("/x"), []string{"/x/sessions", "/x/archived_sessions"}; !reflect.DeepEqual(got, want) {
		t.Errorf("HomeDirs = %q, want %q", got, want)
	}
}

func TestMatch(t *testing.T) {
	tests := map[string]bool{
		"2025/09/19/rollout-2025-09-19T09-02-12-01996135-afde-7911-97f0-d863511eca56.jsonl": true,
		"rollout-2025-09-19T09-02-12-01996135-afde-7911-97f0-d863511eca56.jsonl":            true, // archived_sessions is flat
		"rollout-2025-04-20-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.json":                      true, // TypeScript codex-cli
		"2025/04/20/rollout-2025-04-20-x.json":                                              false,
		"2025/09/19/rollout-x.jsonl.tmp":                                                    false,
		"history.jsonl":                                                                     false,
		"session_index.jsonl":                                                               false,
		"2025/09/19/notes.jsonl":                                                            false,
	}
	for rel, want := range tests {
		if got := Match(rel); got != want {
			t.Errorf("Match(%q) = %v, want %v", rel, got, want)
		}
	}
	if !Whole("/h/.codex/sessions/rollout-2025-04-20-x.json") || Whole("/h/.codex/sessions/2025/09/19/rollout-x.jsonl") {
		t.Error("Whole: want true for .json rollouts only")
	}
}
