package codex

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// fixture returns the path of a file under testdata/codex.
func fixture(name string) string {
	return filepath.Join("..", "..", "testdata", "codex", name)
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// check helpers: each reports one mismatch, with got and want.
func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestDecodeFixtures(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, f *dectest.View, bad []int)
	}{
		{
			// G0: the TypeScript codex-cli's single JSON document.
			file: "rollout-2025-05-20-6f1d3b2a-4c5e-4d7f-9a8b-0c1d2e3f4a5b.json",
			check: func(t *testing.T, f *dectest.View, bad []int) {
				const id = "6f1d3b2a-4c5e-4d7f-9a8b-0c1d2e3f4a5b"
				eq(t, "sessions", len(f.Sessions), 1)
				eq(t, "started", f.Sessions[id].Started, ts("2025-05-20T14:03:11.512Z"))
				eq(t, "prompts", f.Prompts.Len(), 1)
				eq(t, "prompt", f.Prompts.Values()[0], store.Prompt{Session: id, Key: "I0", Time: ts("2025-05-20T14:03:11.512Z"),
					Text: "Add a greeting function and use it in main"})
				eq(t, "reasoning", kinds(f, store.MessageReasoning), []string{"**Planning the change**\n\nA new file and a one-line change in main.go."})
				eq(t, "assistant", len(kinds(f, store.MessageAssistant)), 1)
				eq(t, "calls", callIDs(f), []string{"call_ts_1", "call_ts_2"})
				eq(t, "result 1", byID(&f.Results, "call_ts_1").Status, "ok")
				eq(t, "result 2", byID(&f.Results, "call_ts_2"), store.ToolResult{Session: id, CallID: "call_ts_2", Time: ts("2025-05-20T14:03:11.512Z"),
					Output: "--- FAIL: TestGreet (0.00s)\nFAIL\n", Status: "error"})
				eq(t, "edited", editedFiles(f, store.EditApplied), []string{"/home/dev/hello/greet.go", "/home/dev/hello/main.go"})
				e, _ := editOf(f, "/home/dev/hello/greet.go")
				eq(t, "add", [3]any{e.Op, e.Added, e.Diff}, [3]any{store.OpAdd, 3,
					"--- /dev/null\n+++ b/greet.go\n@@ -0,0 +1,3 @@\n+package main\n+\n+func greet() string { return \"hi\" }\n"})
				eq(t, "usage", len(f.Usage), 0)
				eq(t, "bad", len(bad), 0)
			},
		},
		{
			// G1: bare SessionMeta, state lines, heredoc patches.
			file: "rollout-2025-08-20T10-00-00-5973b6c0-94b8-487b-a530-2aeb6098ae0e.jsonl",
			check: func(t *testing.T, f *dectest.View, bad []int) {
				const id = "5973b6c0-94b8-487b-a530-2aeb6098ae0e"
				s := f.Sessions[id]
				eq(t, "sessions", len(f.Sessions), 1)
				eq(t, "git", [3]string{s.GitCommit, s.GitBranch, s.GitRemote},
					[3]string{"3f2a9c1d0e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49", "main", "https://github.com/example/widgets.git"})
				eq(t, "cwd from environment_context", s.Cwd, "/home/dev/widgets")
				eq(t, "prompts", f.Prompts.Len(), 1)
				p := f.Prompts.Values()[0]
				eq(t, "prompt text", p.Text, "Rename util.py to helpers.py and replace config.ini with settings.toml")
				eq(t, "prompt key", p.Key, "L6")
				eq(t, "prompt time inherited", p.Time, ts("2025-08-20T10:00:00Z"))
				eq(t, "prompt cwd", p.Cwd, "/home/dev/widgets")
				if !strings.HasPrefix(p.Context, "<user_instructions>") || !strings.Contains(p.Context, "<environment_context>") {
					t.Errorf("prompt context = %q, want the user instructions and the environment", p.Context)
				}
				eq(t, "calls", callIDs(f), []string{"call_legacy_1", "call_legacy_2", "call_legacy_3"})
				eq(t, "applied", editedFiles(f, store.EditApplied), []string{"/home/dev/widgets/src/util.py",
					"/home/dev/widgets/config.ini", "/home/dev/widgets/settings.toml", "/home/dev/widgets/docs/index.md"})
				eq(t, "failed", editedFiles(f, store.EditFailed), []string{"/home/dev/widgets/README.md"})
				mv, _ := editOf(f, "/home/dev/widgets/src/util.py")
				eq(t, "move", [5]any{mv.Op, mv.MovePath, mv.Added, mv.Removed, mv.Diff}, [5]any{store.OpMove, "/home/dev/widgets/src/helpers.py", 1, 1,
					"--- a/src/util.py\n+++ b/src/helpers.py\n@@ def load():\n-    return read('config.ini')\n+    return read('settings.toml')\n"})
				del, _ := editOf(f, "/home/dev/widgets/config.ini")
				eq(t, "delete", [2]any{del.Op, del.Diff}, [2]any{store.OpDelete, "--- a/config.ini\n+++ /dev/null\n"})
				eq(t, "result 3", byID(&f.Results, "call_legacy_3").Status, "error")
				eq(t, "bad", len(bad), 0)
			},
		},
		{
			// 0.39 VS Code: the response_item copy of the prompt first, the
			// IDE preamble, agent_message before its response_item copy,
			// turn_context after the prompt, repeated and null token counts.
			file: "rollout-2025-09-25T10-00-00-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl",
			check: func(t *testing.T, f *dectest.View, bad []int) {
				const id = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
				s := f.Sessions[id]
				eq(t, "session", [4]string{s.Originator, s.AgentVersion, s.GitBranch, s.Model}, [4]string{"codex_vscode", "0.39.0", "fix/rounding", "gpt-5-codex"})
				eq(t, "started", s.Started, ts("2025-09-25T08:00:00.100Z"))
				eq(t, "prompts", f.Prompts.Len(), 1)
				p := f.Prompts.Values()[0]
				eq(t, "prompt", [4]string{p.Key, p.Text, p.Cwd, p.Model}, [4]string{"L3", "Fix the rounding bug in cart totals", "/home/dev/shop", "gpt-5-codex"})
				if !strings.HasPrefix(p.Context, "<environment_context>") || !strings.HasSuffix(p.Context, "# Context from my IDE setup:\n\n## Active file: src/cart.ts\n\n## Open tabs:\n- cart.ts: src/cart.ts") {
					t.Errorf("prompt context = %q", p.Context)
				}
				eq(t, "assistant", kinds(f, store.MessageAssistant), []string{"Looking at the cart totals.", "Fixed: totals are rounded to cents."})
				eq(t, "assistant keys", [2]string{f.Messages.Values()[0].Key, f.Messages.Values()[1].Key}, [2]string{"L6", "L16"})
				eq(t, "edits", editedFiles(f, store.EditApplied), []string{"/home/dev/shop/src/cart.ts"})
				eq(t, "usage entries", len(f.Usage), 3)
				eq(t, "tokens", f.Total(), store.Tokens{Input: 1500, CacheRead: 1500, Output: 200, Reasoning: 60, Total: 3200})
				eq(t, "usage model", f.Usage[0].Model, "gpt-5-codex")
				eq(t, "usage key", f.Usage[0].Key, id+"|1758787206050|gpt-5-codex|1000|200|50|10|1050")
				eq(t, "bad", len(bad), 0)
			},
		},
		{
			// 0.61 Windows with ": " spacing: function_call and custom_tool_call
			// apply_patch, patch_apply_end with backslashed absolute paths.
			file: "rollout-2025-11-24T10-10-00-0199b7e2-1111-7222-8333-944455566677.jsonl",
			check: func(t *testing.T, f *dectest.View, bad []int) {
				eq(t, "prompts", f.Prompts.Len(), 1)
				eq(t, "reasoning", kinds(f, store.MessageReasoning), []string{"Planning the edits."})
				eq(t, "edits", f.Edits.Len(), 3)
				cl, _ := editOf(f, `C:\workspace\project\CHANGELOG.md`)
				eq(t, "changelog", [4]any{cl.Source, cl.Op, cl.Added, cl.Diff}, [4]any{"patch_apply_end", store.OpAdd, 3,
					"--- /dev/null\n+++ b/CHANGELOG.md\n@@ -0,0 +1,3 @@\n+# Changelog\n+\n+## 1.3.0\n"})
				v, _ := editOf(f, `C:\workspace\project\src\version.txt`)
				eq(t, "version", [4]any{v.Source, v.Added, v.Removed, v.Diff}, [4]any{"patch_apply_end", 1, 1,
					"--- a/src/version.txt\n+++ b/src/version.txt\n@@ -1 +1 @@\n-1.2.0\n+1.3.0\n"})
				g, _ := editOf(f, `C:\workspace\project\docs\old-guide.md`)
				eq(t, "move", [3]string{g.Op, g.MovePath, g.Source}, [3]string{store.OpMove, `C:\workspace\project\docs\guide.md`, "apply_patch"})
				eq(t, "results", [2]string{byID(&f.Results, "call_win_1").Status, byID(&f.Results, "call_win_2").Status}, [2]string{"ok", "ok"})
				eq(t, "tokens", f.Total(), store.Tokens{Input: 1200, Output: 50, Total: 1250})
				eq(t, "bad", len(bad), 0)
			},
		},
		{
			// Newer builds: patch_apply_end replaces parsed edits, a failed
			// patch marks all of its edits failed, code-mode exec calls.
			file: "rollout-2026-02-10T16-00-00-019c2d3e-4f50-7061-8273-948596a7b8c9.jsonl",
			check: func(t *testing.T, f *dectest.View, bad []int) {
				eq(t, "prompts", f.Prompts.Len(), 1)
				eq(t, "prompt key is the turn id", f.Prompts.Values()[0].Key, "019c2d3e-aaaa-7000-8000-000000000001")
				eq(t, "calls", callIDs(f), []string{"call_ok", "call_bad", "call_exec", "exec-inner-1", "exec-inner-2", "call_mcp", "exec-inner-3"})
				eq(t, "mcp call", byID(&f.Calls, "call_mcp").Name, "mcp__github__create_issue")
				eq(t, "inner calls", [3]string{byID(&f.Calls, "exec-inner-1").Name, byID(&f.Calls, "exec-inner-2").Name, byID(&f.Calls, "exec-inner-3").Name},
					[3]string{"exec_command", "apply_patch", "mcp__linear__search"})
				eq(t, "statuses", [4]string{byID(&f.Results, "call_ok").Status, byID(&f.Results, "call_bad").Status, byID(&f.Results, "exec-inner-1").Status, byID(&f.Results, "exec-inner-3").Status},
					[4]string{"ok", "error", "ok", "error"})
				eq(t, "applied", editedFiles(f, store.EditApplied), []string{"/home/dev/api/handlers.go", "/home/dev/api/routes.go",
					"/home/dev/api/docs/API.md", "/home/dev/api/old.txt", "/home/dev/api/pkg/a.go"})
				eq(t, "failed", editedFiles(f, store.EditFailed), []string{"/home/dev/api/legacy.go", "/home/dev/api/main.go"})
				h, _ := editOf(f, "/home/dev/api/handlers.go")
				eq(t, "replaced by patch_apply_end", [2]any{h.Source, strings.Contains(h.Diff, "@@ -10,3 +10,3 @@")}, [2]any{"patch_apply_end", true})
				l, _ := editOf(f, "/home/dev/api/legacy.go")
				eq(t, "legacy", [2]string{l.Source, l.Op}, [2]string{"apply_patch", store.OpDelete})
				o, _ := editOf(f, "/home/dev/api/old.txt")
				eq(t, "delete content", [2]any{o.Removed, o.Diff}, [2]any{2, "--- a/old.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n"})
				m, _ := editOf(f, "/home/dev/api/pkg/a.go")
				eq(t, "move", [3]any{m.Op, m.MovePath, strings.HasPrefix(m.Diff, "--- a/pkg/a.go\n+++ b/pkg/b.go\n@@ -1,3 +1,3 @@\n")},
					[3]any{store.OpMove, "/home/dev/api/pkg/b.go", true})
				eq(t, "assistant once", len(kinds(f, store.MessageAssistant)), 1)
				eq(t, "tokens", f.Total(), store.Tokens{Input: 3000, CacheRead: 6000, Output: 400, Reasoning: 120, Total: 9400})
				eq(t, "ended", f.Sessions["019c2d3e-4f50-7061-8273-948596a7b8c9"].Ended, ts("2026-02-10T15:00:16.200Z"))
				eq(t, "bad", len(bad), 0)
			},
		},
		{
			// Late 2026: prompts only as response_item messages, compaction
			// with replacement_history, a repeated total, an aborted turn.
			file: "rollout-2026-11-05T13-00-00-019f0a1b-2c3d-7e4f-8a5b-6c7d8e9f0a1b.jsonl",
			check: func(t *testing.T, f *dectest.View, bad []int) {
				const id = "019f0a1b-2c3d-7e4f-8a5b-6c7d8e9f0a1b"
				eq(t, "prompt texts", []string{f.Prompts.Values()[0].Text, f.Prompts.Values()[1].Text, f.Prompts.Values()[2].Text},
					[]string{"Write a post about Go iterators", "Shorten the intro", "Try again, one paragraph"})
				eq(t, "prompt keys", []string{f.Prompts.Values()[0].Key, f.Prompts.Values()[1].Key, f.Prompts.Values()[2].Key},
					[]string{"019f0a1b-bbbb-7000-8000-000000000001", "019f0a1b-bbbb-7000-8000-000000000002", "L20"})
				eq(t, "aborted turn as context", f.Prompts.Values()[2].Context, "<turn_aborted>\nThe user interrupted the previous turn.\n</turn_aborted>")
				eq(t, "replacement_history re-emits nothing", [3]int{f.Prompts.Len(), len(kinds(f, store.MessageAssistant)), f.Calls.Len()}, [3]int{3, 1, 0})
				eq(t, "system notes", kinds(f, store.MessageSystem), []string{
					"Summary: the user asked for a post about Go iterators; a draft was written to posts/iterators.md.",
					"Context compacted.", "Error: stream disconnected before completion", "Turn aborted: interrupted"})
				eq(t, "title", f.Sessions[id].Title, "Go iterators post")
				eq(t, "usage entries", len(f.Usage), 2)
				eq(t, "tokens", f.Total(), store.Tokens{Input: 3200, CacheRead: 1800, Output: 400, Reasoning: 150, Total: 5400})
				eq(t, "unknown", unknowns(f), 0)
				eq(t, "bad", len(bad), 0)
			},
		},
		{
			// A sub-agent whose first token_counts replay the parent's history.
			file: "rollout-2026-03-02T10-15-40-019d5e6f-7081-7293-84a5-b6c7d8e9f001.jsonl",
			check: func(t *testing.T, f *dectest.View, bad []int) {
				const id = "019d5e6f-7081-7293-84a5-b6c7d8e9f001"
				eq(t, "sessions", len(f.Sessions), 1)
				s := f.Sessions[id]
				eq(t, "parent", [2]string{s.ParentID, s.Relation}, [2]string{"019d5e6f-7081-7293-84a5-b6c7d8e9f000", "subagent"})
				eq(t, "usage entries", len(f.Usage), 2)
				eq(t, "tokens", f.Total(), store.Tokens{Input: 3000, CacheRead: 8000, Output: 400, Reasoning: 100, Total: 11400})
				eq(t, "bad", len(bad), 0)
			},
		},
		{
			// A sub-agent without replay: its first usage waits for a later second.
			file: "rollout-2026-03-02T11-00-00-019d5e6f-7081-7293-84a5-b6c7d8e9f002.jsonl",
			check: func(t *testing.T, f *dectest.View, bad []int) {
				eq(t, "usage", len(f.Usage), 1)
				eq(t, "usage time", f.Usage[0].Time, ts("2026-03-02T10:00:03.200Z"))
				eq(t, "usage prompt", f.Usage[0].Prompt, "L3")
				eq(t, "tokens", f.Total(), store.Tokens{Input: 1000, CacheRead: 4000, Output: 100, Reasoning: 20, Total: 5100})
			},
		},
		{
			// A fork, with the parent's session_meta copied in.
			file: "rollout-2026-05-01T10-00-00-019e1111-2222-7333-8444-555566667777.jsonl",
			check: func(t *testing.T, f *dectest.View, bad []int) {
				eq(t, "sessions", len(f.Sessions), 1)
				s := f.Sessions["019e1111-2222-7333-8444-555566667777"]
				eq(t, "fork", [5]string{s.ParentID, s.Relation, s.Cwd, s.AgentVersion, s.GitBranch},
					[5]string{"019e1111-2222-7333-8444-555566660000", "fork", "/home/dev/app", "0.125.0", ""})
				eq(t, "started", s.Started, ts("2026-05-01T08:00:00Z"))
				eq(t, "one prompt for both copies", f.Prompts.Len(), 1)
			},
		},
		{
			// Malformed lines are errors; unknown types are kept as Unknown.
			file: "rollout-2025-10-01T12-00-00-0199c0de-0000-7000-8000-00000000bad1.jsonl",
			check: func(t *testing.T, f *dectest.View, bad []int) {
				eq(t, "bad lines", bad, []int{2, 3, 4, 13})
				eq(t, "unknown", f.Unknown, map[string]int{"mystery_line": 1, "event_msg/brand_new_event": 1, "response_item/hologram_call": 1, "unrecognized": 1, "event_msg": 1})
				eq(t, "redacted prompt", f.Prompts.Values()[0].Text, "Use the key [REDACTED:generic-api-key] for the staging API")
				eq(t, "call with a bad id and arguments", [2]string{callIDs(f)[0], byID(&f.Calls, callIDs(f)[0]).Input}, [2]string{"L11", "42"})
				eq(t, "bad turn_context ignored", f.Sessions["0199c0de-0000-7000-8000-00000000bad1"].Model, "")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out := decodeAll(t, fixture(tt.file))
			tt.check(t, dectest.NewView(out.recs), out.bad)
			if t.Failed() {
				for _, r := range renderAll(out.recs) {
					t.Log(r)
				}
			}
		})
	}
}
