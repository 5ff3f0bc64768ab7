package copilot

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

const (
	realEvents  = "copilot/session-state/96ef38f0-9d09-45c3-8124-6448c36090ed/events.jsonl"
	realHistory = "copilot/history-session-state/session_06141331-92e8-4e9e-8bbb-9b7a729eb01a_1760182820882.json"
	synthEvents = "synthetic/copilot/session-state/copilot_stage0_small/events.jsonl"
)

// TestRealSessions decodes the real (and synthetic) Copilot CLI sessions
// of the shared fixtures and checks what they hold.
//
// Counted by reading the files (a throw-away script over the JSON,
// independently of this package):
//   - 96ef38f0 (1.0.34): two user.message lines, the second with empty
//     content (autopilot's nudge, not a prompt); 11 tool calls, none an
//     edit (view's detailedContent is a "diff" of the file viewed); 6
//     assistant messages whose outputTokens add up to 2,848, the
//     shutdown's total.
//   - 06141331 (legacy history): one user entry; 59 tool_call_completed
//     entries, of which 14 str_replace and 1 create (makefile.md, 181
//     lines) change 8 files; the diffs in result.log add 244 lines and
//     remove 26 (a script summing their + and - lines).
//   - copilot_stage0_small (synthetic 1.0.77): two user messages (the
//     second "[trimmed for fixture]"), two tool call ids (call-1 and
//     "[trimmed for fixture]").
func TestRealSessions(t *testing.T) {
	shared := dectest.Shared(t, "sessions")
	type counts struct{ sessions, prompts, calls, files, added, removed int }
	tests := []struct {
		rel  string
		want counts
		cwd  string
	}{
		{realEvents, counts{1, 1, 11, 0, 0, 0}, "/home/wei/repo/VibeCodingTracker"},
		{realHistory, counts{1, 1, 59, 8, 244, 26}, "/home/wei/repo/VibeCodingTracker"},
		{synthEvents, counts{1, 2, 2, 0, 0, 0}, "/tmp/repo"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.rel), func(t *testing.T) {
			seen[tt.rel] = true
			s := view(t, filepath.Join(shared, filepath.FromSlash(tt.rel)))
			added, removed := s.Lines()
			got := counts{len(s.Sessions), s.Prompts.Len(), s.Calls.Len(), len(s.EditedFiles()), added, removed}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			for _, ss := range s.Sessions {
				if ss.Cwd != tt.cwd {
					t.Errorf("cwd %q, want %q", ss.Cwd, tt.cwd)
				}
			}
			for _, k := range s.Results.Keys() {
				if _, ok := s.Calls.Lookup(k); !ok {
					t.Errorf("result %v without its call", k)
				}
			}
			for _, e := range s.Edits.Values() {
				if !strings.HasPrefix(e.Path, tt.cwd+"/") || !strings.HasPrefix(e.Diff, "--- ") {
					t.Errorf("edit %s: diff %.40q", e.Path, e.Diff)
				}
			}
		})
	}
	for _, sub := range []string{"copilot", "synthetic/copilot"} {
		for _, pattern := range []string{"session-state/*/events.jsonl", "session-state/*.jsonl", "history-session-state/*.json"} {
			m, _ := filepath.Glob(filepath.Join(shared, sub, pattern))
			for _, p := range m {
				rel, _ := filepath.Rel(shared, p)
				if !seen[filepath.ToSlash(rel)] {
					t.Errorf("%s is not in the table: count it", rel)
				}
			}
		}
	}
}

// TestTokensMatchCcusage compares the real events log's counted tokens
// with ccusage's report on it (the legacy history has no tokens).
func TestTokensMatchCcusage(t *testing.T) {
	shared := dectest.Shared(t, "sessions")
	want := dectest.Ccusage(t, "copilot").ByModel()
	got := map[string]store.Tokens{}
	for _, rel := range []string{realEvents, realHistory} {
		s := view(t, filepath.Join(shared, filepath.FromSlash(rel)))
		for id := range s.Sessions {
			for model, u := range s.Tokens(id) {
				got[id+"/"+model] = store.Tokens{Input: u.Input, Output: u.Output, CacheWrite: u.CacheWrite, CacheRead: u.CacheRead}
			}
		}
	}
	if len(want) != 1 {
		t.Errorf("ccusage reports %d Copilot session/model rows, want 1", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v (ccusage)", got, want)
	}
}
