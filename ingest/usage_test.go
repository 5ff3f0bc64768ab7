package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/store"
)

// TestAbsurdTokenCounts checks that a usage entry with a negative count or
// one beyond store.MaxTokens is rejected, whichever agent's decoder made it
// (read line by line, or built at the end of a replayed log), with a
// path:line warning, and counted as a bad line, while the entry's other
// records and the valid entries are kept.
func TestAbsurdTokenCounts(t *testing.T) {
	const maxInt64 = "9223372036854775807"
	claudeLine := func(uuid, id, input, output string) string {
		return `{"parentUuid":null,"isSidechain":false,"cwd":"/w","sessionId":"11111111-1111-4111-8111-111111111111","version":"1.0.95","type":"assistant","requestId":"req_` + id +
			`","message":{"id":"msg_` + id + `","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"reply ` + id +
			`"}],"usage":{"input_tokens":` + input + `,"output_tokens":` + output + `}},"uuid":"` + uuid + `","timestamp":"2025-08-28T12:00:0` + id + `.000Z"}`
	}
	codexLine := func(sec int, input, output string) string {
		return fmt.Sprintf(`{"timestamp":"2026-01-02T09:00:%02d.000Z","type":"event_msg","payload":{"type":"token_count","info":{"last_token_usage":{"input_tokens":%s,"cached_input_tokens":0,"output_tokens":%s,"reasoning_output_tokens":0,"total_tokens":1}}}}`, sec, input, output)
	}
	geminiLine := func(id string, input string) string {
		return `{"id":"` + id + `","timestamp":"2026-05-01T09:00:0` + id[1:] + `.000Z","type":"gemini","content":"done ` + id + `","tokens":{"input":` + input + `,"output":40,"cached":0,"thoughts":0,"tool":0,"total":1},"model":"gemini-2.5-pro"}`
	}
	tests := []struct {
		agent   string
		name    string // the log's path below the temporary directory
		lines   []string
		badLine int   // the line the warning names
		input   int64 // input tokens kept
		prompts int   // messages kept (the rejected entry's text is not lost)
	}{
		{
			agent: "claude", name: "p/11111111-1111-4111-8111-111111111111.jsonl",
			lines: []string{
				`{"parentUuid":null,"isSidechain":false,"cwd":"/w","sessionId":"11111111-1111-4111-8111-111111111111","version":"1.0.95","type":"user","message":{"role":"user","content":"hello"},"uuid":"u1","timestamp":"2025-08-28T12:00:00.000Z"}`,
				claudeLine("a1", "1", "10", "5"),
				claudeLine("a2", "2", maxInt64, "5"),
				claudeLine("a3", "3", "20", "-5"),
			},
			badLine: 3, input: 10, prompts: 3,
		},
		{
			agent: "codex", name: "rollout-2026-01-02T09-00-00-0199e0a1-0000-7000-8000-000000000009.jsonl",
			lines: []string{
				`{"timestamp":"2026-01-02T09:00:00.000Z","type":"session_meta","payload":{"id":"0199e0a1-0000-7000-8000-000000000009","timestamp":"2026-01-02T09:00:00.000Z","cwd":"/w","cli_version":"0.77.0"}}`,
				codexLine(1, "100", "7"),
				codexLine(2, "2000000000000", "7"), // 2e12 > 2^40
				codexLine(3, "300", "7"),
			},
			badLine: 3, input: 400,
		},
		{
			// A replayed log: records are built once the whole log is read,
			// so the warning names its last line.
			agent: "gemini", name: "tmp/shop/chats/session-2026-05-01T09-00-5f0c8a21.jsonl",
			lines: []string{
				`{"sessionId":"5f0c8a21-7d3e-4b6a-9c1f-2e8d4b7a6c01","projectHash":"e8","startTime":"2026-05-01T09:00:00.000Z","lastUpdated":"2026-05-01T09:00:00.000Z","kind":"main"}`,
				`{"id":"u1","timestamp":"2026-05-01T09:00:01.000Z","type":"user","content":[{"text":"Rename it"}]}`,
				geminiLine("g2", "1200"),
				geminiLine("g3", "-1"),
				geminiLine("g4", maxInt64),
			},
			badLine: 5, input: 1200,
		},
	}
	for _, tt := range tests {
		t.Run(tt.agent, func(t *testing.T) {
			var agent *Agent
			for _, a := range Agents() {
				if a.Name == tt.agent {
					agent = &a
				}
			}
			path := filepath.Join(t.TempDir(), tt.name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(strings.Join(tt.lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			db := openDB(t)
			var warnings []string
			sum, err := Run(context.Background(), db, nopRedactor{}, []File{{agent, path}},
				Options{Warn: func(s string) { warnings = append(warnings, s) }})
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) == 0 {
				t.Fatalf("no warning")
			}
			want := fmt.Sprintf("%s:%d: token usage of ", path, tt.badLine)
			if !strings.HasPrefix(warnings[0], want) || !strings.Contains(warnings[0], "entry skipped") {
				t.Errorf("got warnings %q, want one starting %q and saying the entry is skipped", warnings, want)
			}
			if sum.BadLines == 0 {
				t.Errorf("got %d bad lines, want the rejected entries counted", sum.BadLines)
			}
			rows, err := db.Stats(context.Background(), "agent", store.SessionFilter{}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].Input != tt.input || rows[0].Output < 0 {
				t.Errorf("got stats %+v, want input %d from the valid entries only", rows, tt.input)
			}
			if tt.prompts > 0 {
				list, err := db.Sessions(context.Background(), store.SessionFilter{})
				if err != nil || len(list) != 1 {
					t.Fatalf("sessions: %v, %v", list, err)
				}
				d, err := db.Detail(context.Background(), list[0])
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, p := range d.Prompts {
					n += len(p.Messages)
				}
				if n != tt.prompts {
					t.Errorf("got %d messages, want %d: the line's other records are kept", n, tt.prompts)
				}
			}
		})
	}
}

// TestUsageCheck checks the bounds one API call's counts must stay in.
func TestUsageCheck(t *testing.T) {
	for _, tt := range []struct {
		u  store.Usage
		ok bool
	}{
		{store.Usage{Input: 0, Output: 0}, true},
		{store.Usage{Input: store.MaxTokens, CacheRead: store.MaxTokens, Output: store.MaxTokens}, true},
		{store.Usage{Input: store.MaxTokens + 1}, false},
		{store.Usage{Reasoning: -1}, false},
		{store.Usage{CacheWrite1h: 1 << 62}, false},
	} {
		if err := tt.u.Check(); (err == nil) != tt.ok {
			t.Errorf("Check(%+v) = %v, want ok %v", tt.u, err, tt.ok)
		}
	}
}
