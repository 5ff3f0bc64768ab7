package gemini

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// sharedChats returns the shared fixtures' sessions directory and the
// chats below its gemini/tmp and synthetic/gemini/tmp, relative to it,
// skipping the test when the fixtures are absent.
func sharedChats(t *testing.T) (root string, chats []string) {
	t.Helper()
	root = dectest.Shared(t, "sessions")
	for _, sub := range []string{"gemini/tmp", "synthetic/gemini/tmp"} {
		for _, rel := range dectest.Files(t, filepath.Join(root, filepath.FromSlash(sub)), Match) {
			chats = append(chats, sub+"/"+rel)
		}
	}
	return root, chats
}

// TestRealChats decodes the real (and synthetic) Gemini CLI chats of the
// shared fixtures and checks what they hold.
//
// Counted by reading the files (a throw-away script over the JSON,
// independently of this package; JSONL messages taken by id, the last copy
// winning):
//   - 0ab84937 (JSONL, April 2026): user messages /init (displayContent;
//     its content is the expanded instructions), "System: Please
//     continue." (displayContent a functionResponse: Gemini CLI's own, not
//     a prompt) and one typed prompt; 12 tool call ids (7 read_file, 3
//     update_topic, write_file, replace); write_file and replace both
//     change GEMINI.md: diffStat 76+0 and 1+1 lines.
//   - eefc44a3 (JSON, October 2025): one prompt, 18 gemini messages, no
//     tool calls.
//   - 8a20078e (JSON, March 2026): one prompt; 3 read_file, 4 write_file:
//     README.md 15+45, README.zh-CN.md 14+43, README.zh-TW.md 14+43 and the
//     new CONTRIBUTING.md 102+0 (diffStat and the fileDiff hunks agree).
//   - synthetic gemini_s: one prompt, one run_shell_command.
func TestRealChats(t *testing.T) {
	type counts struct{ sessions, prompts, calls, files, added, removed int }
	tests := map[string]struct {
		want counts
		cwd  string
	}{
		"gemini/tmp/9da8b3dfb8655182ac1f0e66601c367e34f8d18447a29759eeba4d7e45dc60ea/chats/session-2026-04-23T12-52-0ab84937.jsonl":           {counts{1, 2, 12, 1, 77, 1}, "/home/wei/repo/discordbot"},
		"gemini/tmp/ab14fe397f91d5f283525b3178d2314aef552f761131c42172a21b7bf735e73d/chats/session-2025-10-05T07-11-eefc44a3.json":            {counts{1, 1, 0, 0, 0, 0}, ""},
		"gemini/tmp/ab14fe397f91d5f283525b3178d2314aef552f761131c42172a21b7bf735e73d/chats/session-2026-03-27T10-19-8a20078e.json":            {counts{1, 1, 7, 4, 145, 131}, "/home/wei/repo/VibeCodingTracker"},
		"synthetic/gemini/tmp/0b7dfb1274ee51b336813b17f2ddab1f56b6591f723e7314126bbd502c69e9c9/chats/session-2026-04-29T21-39-gemini_s.jsonl": {counts{1, 1, 1, 0, 0, 0}, ""},
	}
	shared, chats := sharedChats(t)
	for _, rel := range chats {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			tt, ok := tests[rel]
			if !ok {
				t.Fatalf("%s is not in the table: count it", rel)
			}
			s := view(t, filepath.Join(shared, filepath.FromSlash(rel)), true)
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
				if !strings.HasPrefix(e.Diff, "--- ") || !strings.HasPrefix(e.Path, "/home/wei/repo/") {
					t.Errorf("edit %s: diff %.40q", e.Path, e.Diff)
				}
			}
		})
	}
	if len(chats) != len(tests) {
		t.Errorf("found %d chats, the table has %d", len(chats), len(tests))
	}
}

// TestTokensMatchCcusage compares each real chat's tokens with ccusage's
// report on the same files. ccusage's outputTokens leaves thinking out (it
// bills it as output all the same); aitrail's output includes it, as
// billed, and keeps it apart as Reasoning too: so Output - Reasoning is
// ccusage's figure.
func TestTokensMatchCcusage(t *testing.T) {
	shared, chats := sharedChats(t)
	want := dectest.Ccusage(t, "gemini").ByModel()
	got := map[string]store.Tokens{}
	for _, rel := range chats {
		if strings.HasPrefix(rel, "synthetic/") {
			continue // ccusage did not read them
		}
		s := view(t, filepath.Join(shared, filepath.FromSlash(rel)), true)
		for id := range s.Sessions {
			for model, u := range s.Tokens(id) {
				got[id+"/"+model] = store.Tokens{Input: u.Input, Output: u.Output - u.Reasoning, CacheWrite: u.CacheWrite, CacheRead: u.CacheRead}
			}
		}
	}
	if len(want) != 4 {
		t.Errorf("ccusage reports %d Gemini session/model rows, want the 4 of the 3 real chats", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v (ccusage)", got, want)
	}
}
