package codex

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// TestRealRollouts checks the sample rollouts against counts taken by
// reading the files.
func TestRealRollouts(t *testing.T) {
	root := dectest.Shared(t, "sessions")
	tests := []struct {
		path string
		// Counts taken by reading the file (jq/python over its lines):
		sessions  int // distinct own session_meta ids
		prompts   int // user turns: event_msg/user_message, not counting their response_item copies
		callIDs   int // distinct call ids of tool calls
		calls     int // ToolCall records emitted (a call id may repeat)
		applied   []string
		failed    []string
		unknown   int
		assistant int // distinct assistant texts
		reasoning int // distinct reasoning texts
	}{
		{
			// Real 0.39 VS Code session: 106 lines. One user turn (lines 3 and 4
			// are its two copies); 18 function_calls (update_plan ×5, shell
			// ×13); the shell calls on lines 54, 72, 76 and 88 run `applypatch
			// << 'PATCH'` on go.mod, README.zh-TW.md, README.zh-CN.md and
			// .python-version; line 80's patch is empty ("patch rejected");
			// `rm -f TODO.md` (line 96) is invisible to patch parsing. 9
			// agent_message events (lines 6, 13, …, 103), each with a
			// response_item copy (lines 9, 16, …, 106); reasoning summaries are
			// all empty.
			path:     "codex/sessions/2025/09/19/rollout-2025-09-19T09-02-12-01996135-afde-7911-97f0-d863511eca56.jsonl",
			sessions: 1, prompts: 1, callIDs: 18, calls: 18,
			applied: []string{
				"/proj/ds906659/gai/claude-code/go.mod", "/proj/ds906659/gai/claude-code/README.zh-TW.md",
				"/proj/ds906659/gai/claude-code/README.zh-CN.md", "/proj/ds906659/gai/claude-code/.python-version",
			},
			assistant: 9,
		},
		{
			// Real 0.61 Windows session, 8 lines: one user_message, one
			// shell_command call (python -c print, no edit), one
			// agent_reasoning, one agent_message.
			path:     "codex/sessions/2025/11/23/rollout-2025-11-23T21-43-09-00000000-0000-0000-0000-000000000001.jsonl",
			sessions: 1, prompts: 1, callIDs: 1, calls: 1, assistant: 1, reasoning: 1,
		},
		{
			// The 0.39 session plus 4 synthetic lines: a custom_tool_call
			// "exec" (code mode), its output, and two patch_apply_end events
			// for calls made inside it (new call ids): one success adding
			// docs/RELEASE_NOTES.md and updating core/version.go, one failure
			// adding should_not_count.txt.
			path:     "synthetic/codex/sessions/2025/09/19/rollout-2025-09-19T09-02-12-01996135-afde-7911-97f0-d863511eca56.jsonl",
			sessions: 1, prompts: 1, callIDs: 21, calls: 21,
			applied: []string{
				"/proj/ds906659/gai/claude-code/go.mod", "/proj/ds906659/gai/claude-code/README.zh-TW.md",
				"/proj/ds906659/gai/claude-code/README.zh-CN.md", "/proj/ds906659/gai/claude-code/.python-version",
				"/proj/ds906659/gai/claude-code/core/version.go", "/proj/ds906659/gai/claude-code/docs/RELEASE_NOTES.md",
			},
			failed:    []string{"/proj/ds906659/gai/claude-code/should_not_count.txt"},
			assistant: 9,
		},
		{
			// Synthetic minimal session: 4 lines, one user_message (only the
			// "## My request for Codex:" header), a token_count without info,
			// one agent_reasoning.
			path:     "synthetic/codex/sessions/2025/10/31/rollout-2025-10-31T10-00-00-test-session-001.jsonl",
			sessions: 1, prompts: 1, reasoning: 1,
		},
		{
			// Schema coverage for 0.146, 118 lines. Own session_meta on line 1;
			// the 7 later ones carry other ids (copies). Prompts: the
			// user_message events on lines 4, 71 and 85 (line 6 is line 4's
			// response_item copy; item_completed UserMessage on line 105 repeats
			// an item). Tool calls from response items: custom_tool_call call-1,
			// function_call call-2, tool_search_call call-3, web_search_call
			// ws-1, and on lines 43, 49, 103 and 114 calls whose ids are all
			// "[trimmed for fixture]". From end events with unseen ids:
			// web_search_end call-4, mcp_tool_call_end call-5, patch_apply_end
			// call-6, image_generation_end on line 35 (the first "[trimmed for
			// fixture]"; later end events with that id are seen). So 12 ToolCall
			// records over 8 ids. Edits: patch_apply_end's /tmp/repo/a.txt.
			// Assistant: line 23 and its agent_message copy on line 24.
			// Reasoning: line 7's summary and its agent_reasoning copy on line 8.
			path:     "synthetic/codex/sessions/2026/08/03/rollout-2026-08-03T10-48-56-019fc8be-3658-7ca3-9e29-000000000000.jsonl",
			sessions: 1, prompts: 3, callIDs: 8, calls: 12,
			applied:   []string{"/tmp/repo/a.txt"},
			assistant: 1, reasoning: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			out := decodeAll(t, filepath.Join(root, tt.path))
			f := dectest.NewView(out.recs)
			calls := 0
			for _, r := range out.recs {
				if _, ok := r.(store.ToolCall); ok {
					calls++
				}
			}
			eq(t, "bad lines", len(out.bad), 0)
			eq(t, "sessions", len(f.Sessions), tt.sessions)
			eq(t, "prompts", f.Prompts.Len(), tt.prompts)
			eq(t, "call ids", len(callIDs(f)), tt.callIDs)
			eq(t, "tool call records", calls, tt.calls)
			eq(t, "applied edits", editedFiles(f, store.EditApplied), tt.applied)
			eq(t, "failed edits", editedFiles(f, store.EditFailed), tt.failed)
			eq(t, "unknown", unknowns(f), tt.unknown)
			eq(t, "assistant messages", len(kinds(f, store.MessageAssistant)), tt.assistant)
			eq(t, "reasoning messages", len(kinds(f, store.MessageReasoning)), tt.reasoning)
			for _, k := range f.Results.Keys() {
				if _, ok := f.Calls.Lookup(k); !ok {
					t.Errorf("result %s has no call", k.ID)
				}
			}
		})
	}
}

// TestTokensMatchCcusage compares each rollout's usage with ccusage's
// session report over the same files (expected/ccusage-session.json, made
// with CODEX_HOME=sessions/codex). ccusage's period is the path relative to
// sessions/ without .jsonl.
func TestTokensMatchCcusage(t *testing.T) {
	root := dectest.Shared(t, "sessions")
	report := dectest.Ccusage(t, "codex")
	dir := filepath.Join(root, "codex", "sessions")
	n := 0
	for _, period := range slices.Sorted(maps.Keys(report)) {
		want := report[period]
		n++
		t.Run(period, func(t *testing.T) {
			f := dectest.NewView(decodeAll(t, filepath.Join(dir, filepath.FromSlash(period)+".jsonl")).recs)
			eq(t, "tokens", f.Total(), want.Tokens)
			var models []string
			for _, u := range f.Usage {
				if !slices.Contains(models, u.Model) {
					models = append(models, u.Model)
				}
			}
			slices.Sort(models)
			eq(t, "models", models, want.Models)
		})
	}
	if n != 2 {
		t.Errorf("ccusage reports %d Codex sessions, want the 2 real rollouts", n)
	}
}

// TestSyntheticTokens checks the synthetic rollouts, which ccusage's report
// does not cover, against sums taken by reading them: the synthetic 0.39
// copy adds no token_count to the real one; the 0.146 file has one counted
// token_count (line 22: input 16341 of which 3584 cached, output 81 with 63
// reasoning), then an info:null one and an all-zero one; the minimal
// session's only token_count has no info.
func TestSyntheticTokens(t *testing.T) {
	root := dectest.Shared(t, "sessions")
	tests := []struct {
		path string
		want store.Tokens
	}{
		{"synthetic/codex/sessions/2025/09/19/rollout-2025-09-19T09-02-12-01996135-afde-7911-97f0-d863511eca56.jsonl",
			store.Tokens{Input: 133698, CacheRead: 136832, Output: 12551, Reasoning: 9536, Total: 283081}},
		{"synthetic/codex/sessions/2026/08/03/rollout-2026-08-03T10-48-56-019fc8be-3658-7ca3-9e29-000000000000.jsonl",
			store.Tokens{Input: 12757, CacheRead: 3584, Output: 81, Reasoning: 63, Total: 16422}},
		{"synthetic/codex/sessions/2025/10/31/rollout-2025-10-31T10-00-00-test-session-001.jsonl", store.Tokens{}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			eq(t, "tokens", dectest.NewView(decodeAll(t, filepath.Join(root, tt.path)).recs).Total(), tt.want)
		})
	}
}
