package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aitrail/aitrail/ingest/ingesttest"
)

// moreFiles discovers the real and synthetic Gemini CLI, Copilot CLI and
// VS Code logs of the shared fixtures, as --source would name them.
func moreFiles(t *testing.T, root string) []File {
	t.Helper()
	srcs := []AgentPath{
		{Agent: "gemini", Path: filepath.Join(root, "gemini")},
		{Agent: "gemini", Path: filepath.Join(root, "synthetic", "gemini")},
		{Agent: "copilot", Path: filepath.Join(root, "copilot")},
		{Agent: "copilot", Path: filepath.Join(root, "synthetic", "copilot")},
		{Agent: "vscode", Path: filepath.Join(root, "vscode")},
	}
	files, err := Discover(Agents(), srcs, func(string) string { return "" }, "/nonexistent")
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestRealLogsMoreAgents ingests the shared fixtures' Gemini CLI, Copilot
// CLI and VS Code sessions through the whole pipeline (real redaction
// engine, real database file) and checks the database against counts taken
// by reading the logs (each decoder's real_test.go explains them) and
// against ccusage's token report.
//
//   - Gemini, 4 chats (3 real, 1 synthetic), 4 sessions: prompts 2+1+1+1,
//     tool calls 12+0+7+1, edits 2+0+4+0 rows, all applied, on 1+4 files.
//   - Copilot CLI, 3 logs, 3 sessions: prompts 1+1+2, tool calls 11+59+2,
//     15 edits (the legacy history's 14 str_replace and 1 create) on 8
//     files.
//   - VS Code, 3 files, 2 sessions: 331fed7f's .json and .jsonl are one
//     session, stored once: prompts 3+3, tool calls 13+2, one edit.
func TestRealLogsMoreAgents(t *testing.T) {
	root := needShared(t)
	files := moreFiles(t, root)
	if len(files) != 10 {
		t.Fatalf("discovered %d files, want 4 Gemini, 3 Copilot and 3 VS Code logs", len(files))
	}
	eng := engine(t)
	path := filepath.Join(t.TempDir(), "trail.db")
	sum := ingestInto(t, path, eng, files, Options{})
	if sum.FilesRead != 10 || sum.BadLines != 0 {
		t.Errorf("summary: %d read, %d bad lines; want 10, 0", sum.FilesRead, sum.BadLines)
	}
	q := openSQL(t, path)
	for _, tt := range []struct {
		agent string
		want  counts
	}{
		{"gemini", counts{4, 5, 20, 6, 6, 5}},
		{"copilot", counts{3, 4, 72, 15, 15, 8}},
		{"vscode", counts{2, 6, 15, 1, 1, 1}},
	} {
		got := q.agentCounts(tt.agent)
		if got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.agent, got, tt.want)
		}
	}
	if n := q.count(`SELECT COUNT(*) FROM tool_calls WHERE name = ''`); n != 0 {
		t.Errorf("%d tool results without their call", n)
	}
	if n := q.count(`SELECT COUNT(*) FROM token_usage u JOIN sessions s ON s.id = u.session_id WHERE s.agent = 'vscode'`); n != 0 {
		t.Errorf("VS Code sessions have %d usage rows; their logs hold none", n)
	}

	t.Run("tokens equal ccusage's", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(sharedFixtures, "expected", "ccusage-session.json"))
		if err != nil {
			t.Fatalf("ccusage's report is missing from the shared fixtures: %v", err)
		}
		var report struct {
			Session []ccusageRow `json:"session"`
		}
		if err := json.Unmarshal(data, &report); err != nil {
			t.Fatal(err)
		}
		want := map[string]tokenRow{}
		for _, r := range report.Session {
			if r.Agent == "gemini" || r.Agent == "copilot" {
				want[r.Agent+"/"+r.Period] = tokenRow{r.InputTokens, r.OutputTokens, r.CacheCreationTokens, r.CacheReadTokens, r.TotalTokens, nil}
			}
		}
		// ccusage's outputTokens leaves Gemini's thinking out (its total
		// and cost count it): aitrail's output holds it, and reasoning
		// tells how much. The synthetic sessions, which ccusage did not
		// read, are left out.
		rows, err := q.db.Query(`SELECT s.agent, s.external_id, SUM(u.input), SUM(u.output), SUM(u.reasoning), SUM(u.cache_write), SUM(u.cache_read)
			FROM token_usage u JOIN sessions s ON s.id = u.session_id
			WHERE s.external_id NOT IN ('gemini_stage0_jsonl', 'copilot_stage0_small') GROUP BY s.agent, s.external_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]tokenRow{}
		for rows.Next() {
			var agent, id string
			var in, out, reasoning, cw, cr int64
			if err := rows.Scan(&agent, &id, &in, &out, &reasoning, &cw, &cr); err != nil {
				t.Fatal(err)
			}
			total := in + out + cw + cr
			if agent == "gemini" {
				out -= reasoning
			}
			got[agent+"/"+id] = tokenRow{in, out, cw, cr, total, nil}
		}
		if len(want) != 4 || !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v (ccusage)", got, want)
		}
	})

	t.Run("second run adds nothing", func(t *testing.T) {
		before := dumpOf(t, path)
		sum := ingestInto(t, path, eng, files, Options{})
		if sum.FilesRead != 0 || sum.Lines != 0 {
			t.Errorf("re-run read %d files, %d lines; want none", sum.FilesRead, sum.Lines)
		}
		if d := ingesttest.Diff(dumpOf(t, path), before); d != "" {
			t.Error(d)
		}
	})

	t.Run("logs completed later give the same database", func(t *testing.T) {
		// Appended logs are read on; replayed and whole ones read again.
		completeLater(t, root, eng, files, true)
	})
}
