package claude

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// sharedProjects returns a projects directory of the shared fixture set,
// skipping the test when the set is absent.
func sharedProjects(t *testing.T, sub string) string {
	t.Helper()
	return dectest.Shared(t, "sessions", sub, "projects")
}

// TestRealFiles decodes the real (and synthetic schema-coverage) Claude
// Code transcripts of the shared fixture set and checks what they hold.
//
// How the numbers were counted, by reading the files (a throw-away script
// and the lines themselves, independently of this package):
//   - sessions: distinct sessions of the user/assistant/system lines (the
//     line's sessionId; "agent-<agentId>" for sub-agent files and inline
//     sidechain lines), plus the file's own session when a summary titles
//     it. b162b1ae holds lines 1-48 of e9f146fa (resumed session) and 49-84
//     of its own; the synthetic file has ses_stage0_small and lines whose
//     sessionId is "[trimmed for fixture]".
//   - prompts: user lines neither isMeta, isCompactSummary nor
//     isVisibleInTranscriptOnly, with a text that is typed text (what is
//     left after <system-reminder>/<ide_*> blocks), a slash command
//     (<command-name>) or a "!" shell command (<bash-input>); not command
//     output, caveats or "[Request interrupted by user…]". Distinct
//     (session, uuid): e.g. 7acd37a8 = /init (line 3) + lines 47, 59, 64,
//     99, 169; b162b1ae = lines 1 and 21 (e9f146fa) + /mcp, 54, 64, /exit;
//     03eb5929 = 7 typed prompts + /exit; the synthetic file's five
//     "[trimmed for fixture]" prompts share one uuid.
//   - tool calls: distinct (session, tool_use id) of assistant lines.
//   - edited files: distinct file_path/notebook_path of Edit, MultiEdit,
//     Write and NotebookEdit calls whose tool_result is not is_error (e.g.
//     cb947e5b: 1 Write and Edits of two files; b162b1ae: go.mod,
//     .python-version, two new Markdown files in e9f146fa and the Pydantic
//     guide in b162b1ae, its first Edit of go.mod rejected).
func TestRealFiles(t *testing.T) {
	type counts struct{ sessions, prompts, calls, files int }
	tests := []struct {
		dir, file string
		want      counts
	}{
		{"claude", "-Users-aidancunniffe-Desktop-ghq/cb947e5b-246e-4253-a953-631f7e464c6b.jsonl", counts{1, 1, 13, 2}},
		{"claude", "-Users-dain-workspace-JSSoundRecorder/7acd37a8-2745-4b58-a8a9-46164b22ad9e.jsonl", counts{1, 6, 71, 11}},
		{"claude", "-Users-dain-workspace-claude-code-log-sample/07f2e15c-a38b-454b-9148-60edc06de401.jsonl", counts{1, 1, 20, 3}},
		{"claude", "-Users-dain-workspace-claude-code-log-sample/12a546d1-83a7-49a6-abba-5400db340b43.jsonl", counts{1, 3, 35, 1}},
		{"claude", "-Users-dain-workspace-claude-code-log-sample/37f83ec9-f2ea-42a9-925e-0d5c105cb6e8.jsonl", counts{1, 6, 101, 4}},
		{"claude", "-Users-dain-workspace-claude-code-log-sample/fe869ecb-c176-478f-9734-7e4b8ef12cff.jsonl", counts{1, 3, 32, 2}},
		{"claude", "-Users-dain-workspace-coderabbit-review-helper/agent-668b5ac2.jsonl", counts{1, 1, 7, 0}},
		{"claude", "-Users-dain-workspace-coderabbit-review-helper/cb2e607c-c758-415a-8b45-c49e4631906a.jsonl", counts{1, 5, 76, 3}},
		{"claude", "-Users-dain-workspace-danieldemmel-me-next/9e953218-585f-4692-89df-9e0747a31c68.jsonl", counts{1, 11, 92, 5}},
		{"claude", "-Users-svarlamov-projects-testing-git-2/dac34307-159f-4fcd-9c21-35210246ad38.jsonl", counts{1, 1, 1, 1}},
		{"claude", "-experiments-ideas/03eb5929-52b3-4b13-ada3-b93ae35806b8.jsonl", counts{1, 8, 2, 0}},
		{"claude", "-home-wei-repo-claude-code/b162b1ae-97bc-475f-9b5f-ffbf55ca5b3f.jsonl", counts{2, 6, 30, 5}},
		{"claude", "-src-experiments-claude_p/29ccd257-68b1-427f-ae5f-6524b7cb6f20.jsonl", counts{1, 1, 1, 0}},
		{"claude", "-src-experiments-claude_p/29ccd257-68b1-427f-ae5f-6524b7cb6f20/subagents/agent-a2271d1.jsonl", counts{1, 1, 24, 0}},
		{"synthetic/claude", "-tmp/ses_stage0_small.jsonl", counts{2, 2, 3, 0}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			dir := sharedProjects(t, tt.dir)
			seen[tt.dir+"/"+tt.file] = true
			m := dectest.NewView(decodeFile(t, filepath.Join(dir, tt.file)))
			got := counts{len(m.Sessions), m.Prompts.Len(), m.Calls.Len(), len(m.EditedFiles())}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			for _, k := range m.Results.Keys() {
				if _, ok := m.Calls.Lookup(k); !ok {
					t.Errorf("result %v has no call in its session", k)
				}
			}
		})
	}
	for _, sub := range []string{"claude", "synthetic/claude"} {
		dir := dectest.SharedPath("sessions", sub, "projects")
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		for _, f := range dectest.Files(t, dir, Match) {
			if !seen[sub+"/"+f] {
				t.Errorf("%s/%s is not in the table: count it", sub, f)
			}
		}
	}
}

// TestRealDetails checks a few records of the real files that the counts
// do not show.
func TestRealDetails(t *testing.T) {
	dir := sharedProjects(t, "claude")

	t.Run("resumed file", func(t *testing.T) {
		m := dectest.NewView(decodeFile(t, filepath.Join(dir, "-home-wei-repo-claude-code/b162b1ae-97bc-475f-9b5f-ffbf55ca5b3f.jsonl")))
		const old, cur = "e9f146fa-3b20-48d0-9be4-d99ca901cae4", "b162b1ae-97bc-475f-9b5f-ffbf55ca5b3f"
		// Line 49 copies line 48 (a TodoWrite result) under the new id:
		// its call is in the old session, so the copy is dropped.
		if _, ok := m.Results.Lookup(dectest.Key{Session: cur, ID: "toolu_01Lv3xFNGrJLeUh53hersj2H"}); ok {
			t.Error("the copied tool result became an orphan in the new session")
		}
		if _, ok := m.Results.Lookup(dectest.Key{Session: old, ID: "toolu_01Lv3xFNGrJLeUh53hersj2H"}); !ok {
			t.Error("the old session lost its tool result")
		}
		e := m.Edits.Get(dectest.EditKey{Session: old, Call: "toolu_0163MUAqdsdd6qYPyBhPBJqd", Path: "/home/wei/repo/claude-code/go.mod"})
		if e.Status != store.EditFailed || e.Added != 0 {
			t.Errorf("got %+v, want the rejected Edit failed with no lines", e)
		}
		if got := m.PromptTexts(cur); !reflect.DeepEqual(got, []string{"/mcp", "幫我查一下 golang文檔 透過 context7", "不對 幫我查一下pydantic文檔的Field用法 整理成markdown保存", "/exit"}) {
			t.Errorf("got prompts %q", got)
		}
	})

	t.Run("structuredPatch", func(t *testing.T) {
		m := dectest.NewView(decodeFile(t, filepath.Join(dir, "-Users-svarlamov-projects-testing-git-2/dac34307-159f-4fcd-9c21-35210246ad38.jsonl")))
		if m.Edits.Len() != 1 {
			t.Fatalf("got %d edits, want 1", m.Edits.Len())
		}
		for _, e := range m.Edits.Values() {
			want := "--- a/index.ts\n+++ b/index.ts\n@@ -18,3 +18,4 @@\n"
			if e.Source != "structuredPatch" || !strings.HasPrefix(e.Diff, want) || e.Added != 1 || e.Removed != 0 {
				t.Errorf("got %+v, want a diff starting %q", e, want)
			}
		}
		if got := m.Sessions["dac34307-159f-4fcd-9c21-35210246ad38"].Title; got != "Add Hello World Header Comment to index.ts" {
			t.Errorf("got title %q", got)
		}
	})

	t.Run("sub-agent of the 2.1 layout", func(t *testing.T) {
		m := dectest.NewView(decodeFile(t, filepath.Join(dir, "-src-experiments-claude_p/29ccd257-68b1-427f-ae5f-6524b7cb6f20/subagents/agent-a2271d1.jsonl")))
		s := m.Sessions["agent-a2271d1"]
		if s.ParentID != "29ccd257-68b1-427f-ae5f-6524b7cb6f20" || s.Relation != "subagent" || s.Model != "claude-haiku-4-5-20251001" {
			t.Errorf("got %+v", s)
		}
	})
}

// period is ccusage's session of a transcript: the file's name; for the
// 2.1 layout <session>/subagents/agent-<id>.jsonl, the parent <session>.
func period(rel string) string {
	parts := strings.Split(rel, "/")
	n := len(parts)
	switch {
	case n == 2:
		return strings.TrimSuffix(parts[1], ".jsonl")
	case n >= 4 && parts[n-2] == "subagents":
		return parts[n-3]
	}
	return parts[n-2]
}

// TestTokensMatchCcusage decodes every real Claude Code transcript, applies
// the store's usage de-duplication across all of them, groups what is kept
// by ccusage's session period and compares with ccusage's own report.
func TestTokensMatchCcusage(t *testing.T) {
	dir := sharedProjects(t, "claude")
	type totals struct {
		Input, Output, CacheCreation, CacheRead, Total int64
		Models                                         []string
	}
	want := map[string]totals{}
	for period, s := range dectest.Ccusage(t, "claude") {
		want[period] = totals{s.Input, s.Output, s.CacheWrite, s.CacheRead, s.Total, slices.Sorted(slices.Values(s.Models))}
	}

	var usage []store.Usage
	var files []string // of each entry of usage
	for _, f := range dectest.Files(t, dir, Match) {
		for _, u := range dectest.Of[store.Usage](decodeFile(t, filepath.Join(dir, f))) {
			usage = append(usage, u)
			files = append(files, f)
		}
	}
	got := map[string]totals{}
	models := map[string]map[string]bool{}
	for _, i := range dectest.CountedUsage(usage) {
		e := usage[i]
		p := period(files[i])
		g := got[p]
		g.Input += e.Input
		g.Output += e.Output
		g.CacheCreation += e.CacheWrite
		g.CacheRead += e.CacheRead
		g.Total += e.Total()
		got[p] = g
		if models[p] == nil {
			models[p] = map[string]bool{}
		}
		if e.Model != "" && e.Model != synthetic { // ccusage lists no model for <synthetic>
			models[p][e.Model] = true
		}
	}
	for p, g := range got {
		for m := range models[p] {
			g.Models = append(g.Models, m)
		}
		sort.Strings(g.Models)
		got[p] = g
	}
	for p, w := range want {
		if g := got[p]; !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\ngot  %+v\nwant %+v (ccusage)", p, g, w)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: counted tokens ccusage does not report: %+v", p, got[p])
		}
	}
}

// TestRealPromptModels: every prompt of the real transcripts has the model
// of the first assistant line that answers it (its session's next assistant
// line with a model other than Claude Code's own "<synthetic>", before the
// session's next prompt), worked out here from the raw lines; a prompt
// nothing answers has none.
func TestRealPromptModels(t *testing.T) {
	dir := sharedProjects(t, "claude")
	withModel, total := 0, 0
	for _, f := range dectest.Files(t, dir, Match) {
		path := filepath.Join(dir, f)
		m := dectest.NewView(decodeFile(t, path))
		prompts := map[string]bool{} // line uuids that are prompts
		for _, k := range m.Prompts.Keys() {
			prompts[k.ID] = true
		}
		// The raw lines: the model answering each prompt, per session.
		want := map[string]string{}
		open := map[string]string{} // session → the prompt not answered yet
		for _, line := range dectest.Lines(t, path, false) {
			var l struct {
				Type, UUID, SessionID, AgentID string
				IsSidechain                    bool
				Message                        struct{ Model string }
			}
			if json.Unmarshal(line, &l) != nil {
				continue
			}
			session := l.SessionID
			if l.IsSidechain && l.AgentID != "" || strings.Contains(f, "/subagents/") || strings.Contains(f, "/agent-") {
				session = "sub:" + l.AgentID
			}
			switch {
			case l.Type == "user" && prompts[l.UUID]:
				open[session] = l.UUID
				want[l.UUID] = ""
			case l.Type == "assistant" && l.Message.Model != "" && l.Message.Model != synthetic && open[session] != "":
				want[open[session]] = l.Message.Model
				open[session] = ""
			}
		}
		for _, k := range m.Prompts.Keys() {
			p := m.Prompts.Get(k)
			w, ok := want[k.ID]
			if !ok {
				continue // a prompt whose line is not a plain user line of its own (a replayed copy)
			}
			total++
			if p.Model != "" {
				withModel++
			}
			if p.Model != w {
				t.Errorf("%s: prompt %s %q: model %q, want %q", f, k.ID, firstLine(p.Text), p.Model, w)
			}
		}
	}
	t.Logf("%d of %d prompts have the model that answered them", withModel, total)
	if withModel == 0 {
		t.Error("no prompt has a model")
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
