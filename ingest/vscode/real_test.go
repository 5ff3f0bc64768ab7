package vscode

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
)

const (
	splitrail   = "vscode/workspaceStorage/6d34d13402a675b2dac1d0816d0ffd6d/chatSessions/f56f201a-672e-4cc5-ada9-4736258cc586.json"
	testingGit  = "vscode/workspaceStorage/81c6fd9dd2bad071160290ed0c307ec0/chatSessions/331fed7f-cfd6-409c-8502-06a56322b636.json"
	testingGitL = "vscode/workspaceStorage/81c6fd9dd2bad071160290ed0c307ec0/chatSessions/331fed7f-cfd6-409c-8502-06a56322b636.jsonl"
)

// TestRealSessions decodes the real VS Code Copilot Chat sessions of the
// shared fixtures and checks what they hold.
//
// Counted by reading the files (a throw-away script over the JSON,
// independently of this package):
//   - f56f201a (Copilot Chat 0.33, a remote SSH window): 3 requests; 13
//     tool call ids in toolCallRounds (grep_search, read_file), all with a
//     result; no edit. No workspace.json came with it: the folder is the
//     one workspace_info names (/home/sample/workspace/splitrail).
//   - 331fed7f (0.31.5): 3 requests; 2 tool calls (replace_string_in_file
//     of index.ts, changing one line of the six it quotes, and grep_search);
//     its textEditGroup and codeblockUri name the same file.
//   - 331fed7f.jsonl: one kind:0 line holding the same session.
func TestRealSessions(t *testing.T) {
	shared := dectest.Shared(t, "sessions")
	type counts struct{ sessions, prompts, calls, results, files, added, removed, usage int }
	tests := []struct {
		rel  string
		want counts
		cwd  string
	}{
		{splitrail, counts{1, 3, 13, 13, 0, 0, 0, 0}, "/home/sample/workspace/splitrail"},
		{testingGit, counts{1, 3, 2, 2, 1, 1, 1, 0}, "/Users/svarlamov/projects/testing-git"},
		{testingGitL, counts{1, 3, 2, 2, 1, 1, 1, 0}, "/Users/svarlamov/projects/testing-git"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.rel), func(t *testing.T) {
			seen[tt.rel] = true
			s := view(t, filepath.Join(shared, filepath.FromSlash(tt.rel)), true)
			added, removed := s.Lines()
			got := counts{len(s.Sessions), s.Prompts.Len(), s.Calls.Len(), s.Results.Len(), len(s.EditedFiles()), added, removed, len(s.Usage)}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			for _, ss := range s.Sessions {
				if ss.Cwd != tt.cwd {
					t.Errorf("cwd %q, want %q", ss.Cwd, tt.cwd)
				}
			}
		})
	}
	m, _ := filepath.Glob(filepath.Join(shared, "vscode", "workspaceStorage", "*", "chatSessions", "*"))
	for _, p := range m {
		rel, _ := filepath.Rel(shared, p)
		if !seen[filepath.ToSlash(rel)] {
			t.Errorf("%s is not in the table: count it", rel)
		}
	}

	// The pair is one session: the same records, so the store keeps one
	// copy of each.
	json := view(t, filepath.Join(shared, testingGit), true)
	jsonl := view(t, filepath.Join(shared, testingGitL), true)
	if !reflect.DeepEqual(json, jsonl) {
		t.Error("the .json and .jsonl of one session give different records")
	}
}
