package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/ingest/ingesttest"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// sharedFixtures is the project's shared fixture tree beside the
// repository: ../../shared/fixtures from this package.
var sharedFixtures = filepath.Join("..", "..", "shared", "fixtures")

// needShared returns the shared sessions directory (absolute), skipping
// the test when the fixtures are absent.
func needShared(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join(sharedFixtures, "sessions"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		t.Skipf("shared fixtures not found at %s: they live outside the repository (../shared/fixtures); this test needs the real agent logs", root)
	}
	return root
}

// realFiles discovers the real and synthetic Codex and Claude Code logs of
// the shared fixtures, as --source would name them.
func realFiles(t *testing.T, root string) []File {
	t.Helper()
	srcs := []AgentPath{
		{Agent: "codex", Path: filepath.Join(root, "codex")},
		{Agent: "codex", Path: filepath.Join(root, "synthetic", "codex")},
		{Agent: "claude", Path: filepath.Join(root, "claude")},
		{Agent: "claude", Path: filepath.Join(root, "synthetic", "claude")},
	}
	files, err := Discover(Agents(), srcs, func(string) string { return "" }, "/nonexistent")
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// ingestInto runs the pipeline over files into a new database file in dir.
func ingestInto(t *testing.T, path string, eng *redact.Engine, files []File, opt Options) *Summary {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opt.Warn = func(msg string) { t.Errorf("warning: %s", msg) }
	sum, err := Run(context.Background(), db, eng, files, opt)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func dumpOf(t *testing.T, path string) []string {
	t.Helper()
	d, err := ingesttest.Dump(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// querier runs count queries on a database file.
type querier struct {
	t  *testing.T
	db *sql.DB
}

func openSQL(t *testing.T, path string) querier {
	t.Helper()
	db, err := sql.Open("sqlite", store.FileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return querier{t, db}
}

// counts are an agent's rows in the database.
type counts struct {
	Sessions, Prompts, ToolCalls, Edits, Applied, EditedFiles int
}

// agentCounts counts an agent's sessions, prompts, tool calls, edits,
// applied edits and files they changed (per session).
func (q querier) agentCounts(agent string) counts {
	q.t.Helper()
	join := "JOIN sessions s ON s.id = x.session_id WHERE s.agent = ?"
	return counts{
		Sessions:  q.count(`SELECT COUNT(*) FROM sessions WHERE agent = ?`, agent),
		Prompts:   q.count(`SELECT COUNT(*) FROM prompts x `+join, agent),
		ToolCalls: q.count(`SELECT COUNT(*) FROM tool_calls x `+join, agent),
		Edits:     q.count(`SELECT COUNT(*) FROM file_edits x `+join, agent),
		Applied:   q.count(`SELECT COUNT(*) FROM file_edits x `+join+` AND x.status = 'applied'`, agent),
		EditedFiles: q.count(`SELECT COUNT(*) FROM (SELECT DISTINCT x.session_id, x.path FROM file_edits x `+join+
			` AND x.status = 'applied')`, agent),
	}
}

func (q querier) count(query string, args ...any) int {
	q.t.Helper()
	var n int
	if err := q.db.QueryRow(query, args...).Scan(&n); err != nil {
		q.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestRealLogs ingests the shared fixtures' real Codex and Claude Code
// sessions (and the synthetic ones beside them) with the real agents, the
// real redaction engine and a real database file, and checks what the
// database holds against counts taken by reading the logs and against
// ccusage's token report for the same files.
//
// The decoders' own tests (ingest/codex/real_test.go and
// ingest/claude/real_test.go) count each file. Through the store, records
// are de-duplicated: prompts by (session, key), tool calls by (session,
// call id), file edits by (session, call id, path), token usage by its
// de-duplication key. What the database must hold, agent by agent:
//
// Codex, 5 files, 4 sessions. The synthetic
// rollout-2025-09-19T09-02-12-01996135-….jsonl is the real one of the same
// name plus 4 lines, so it is the same session 01996135: its one prompt and
// its first 18 tool calls are the real file's (same turn key, same call
// ids) and add nothing; it adds 3 call ids (the code-mode exec cell and
// the two calls made inside it).
//   - sessions: 01996135, 00000000-…-000000000001 (real 0.61),
//     test-session-001, 019fc8be (0.146)                            = 4
//   - prompts: 1 + 1 (real files) + 0 (copy) + 1 + 3               = 6
//   - tool calls: 18 + 1 (real) + 3 (copy's new ids) + 0 + 8        = 30
//   - file edits: the real 0.39 file's 4 heredoc apply_patch calls, one
//     file each; the copy adds the exec cell's successful call (2 files)
//     and its failed one (1 file); the 0.146 file's patch_apply_end (1)
//     = 4 + 3 + 1 = 8 rows, of which 7 applied, on 7 distinct files.
//
// Claude Code, 15 files, 17 sessions: 14 real files hold 15 sessions
// (b162b1ae also holds the resumed e9f146fa, lines 1-48), the synthetic
// file 2 (ses_stage0_small and "[trimmed for fixture]").
//   - prompts: 1+6+1+3+6+3+1+5+11+1+8+6+1+1 (real, in the order of the
//     decoder's table) + 2 (synthetic)                              = 56
//   - tool calls: 13+71+20+35+101+32+7+76+92+1+2+30+1+24 + 3        = 508
//   - file edits: one row per Edit, MultiEdit, Write or NotebookEdit call
//     (each names one file): 127 calls, counted by a script over the
//     lines (cb947e5b 3, 7acd37a8 23, 07f2e15c 3, 12a546d1 2, 37f83ec9 32,
//     fe869ecb 11, cb2e607c 22, 9e953218 24, dac34307 1, b162b1ae 6), of
//     which 16 have an is_error result (failed) and 111 applied; the
//     applied ones touch 2+11+3+1+4+2+3+5+1+5 = 37 distinct files (per
//     session), the decoder table's "edited files".
func TestRealLogs(t *testing.T) {
	root := needShared(t)
	files := realFiles(t, root)
	if len(files) != 20 {
		t.Fatalf("discovered %d files, want 5 Codex and 15 Claude Code logs", len(files))
	}
	eng := engine(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "trail.db")
	sum := ingestInto(t, path, eng, files, Options{})
	if sum.Files != 20 || sum.FilesRead != 20 || sum.BadLines != 0 {
		t.Errorf("summary: %d files, %d read, %d bad lines; want 20, 20, 0", sum.Files, sum.FilesRead, sum.BadLines)
	}

	q := openSQL(t, path)
	for _, tt := range []struct {
		agent string
		want  counts
	}{
		{"codex", counts{Sessions: 4, Prompts: 6, ToolCalls: 30, Edits: 8, Applied: 7, EditedFiles: 7}},
		{"claude", counts{Sessions: 17, Prompts: 56, ToolCalls: 508, Edits: 127, Applied: 111, EditedFiles: 37}},
	} {
		if got := q.agentCounts(tt.agent); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.agent, got, tt.want)
		}
	}
	// Every tool result found its call: no row has an output without a name.
	if n := q.count(`SELECT COUNT(*) FROM tool_calls WHERE name = ''`); n != 0 {
		t.Errorf("%d tool results without their call", n)
	}

	checkTokens(t, q, eng, root, files)

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

	t.Run("small batches give the same database", func(t *testing.T) {
		small := filepath.Join(t.TempDir(), "small.db")
		sum := ingestInto(t, small, eng, files, Options{BatchBytes: 4096})
		if sum.FilesRead != 20 {
			t.Errorf("read %d files, want 20", sum.FilesRead)
		}
		if d := ingesttest.Diff(dumpOf(t, small), dumpOf(t, path)); d != "" {
			t.Error(d)
		}
	})

	t.Run("appending the rest of each log gives the same database", func(t *testing.T) {
		// Copies of the logs cut in the middle (mostly within a line, whose
		// first part must wait), ingested, then completed and ingested
		// again; compared with a one-shot ingest of the complete copies.
		completeLater(t, root, eng, files, false)
	})
}

// ccusageRow is one row of `ccusage session --json`.
type ccusageRow struct {
	Agent               string   `json:"agent"`
	Period              string   `json:"period"`
	InputTokens         int64    `json:"inputTokens"`
	OutputTokens        int64    `json:"outputTokens"`
	CacheCreationTokens int64    `json:"cacheCreationTokens"`
	CacheReadTokens     int64    `json:"cacheReadTokens"`
	TotalTokens         int64    `json:"totalTokens"`
	ModelsUsed          []string `json:"modelsUsed"`
}

// tokenRow is a period's totals in ccusage's terms.
type tokenRow struct {
	Input, Output, CacheCreation, CacheRead, Total int64
	Models                                         []string
}

// period names the ccusage session that a log file's tokens count in:
// for Codex the path below sessions/ without .jsonl; for Claude Code the
// file's name, except that a 2.1 sub-agent file
// (<session>/subagents/agent-<id>.jsonl) counts in its parent <session>.
// (The resumed file b162b1ae, which holds two sessions, is one period.)
// Synthetic logs, which ccusage did not read, get a "synthetic/" prefix.
func period(root string, f File) string {
	rel, _ := filepath.Rel(root, f.Path)
	rel = filepath.ToSlash(rel)
	prefix := ""
	if r, ok := strings.CutPrefix(rel, "synthetic/"); ok {
		prefix, rel = "synthetic/", r
	}
	parts := strings.Split(strings.TrimSuffix(rel, ".jsonl"), "/")
	if f.Agent.Name == "codex" {
		return prefix + strings.Join(parts[2:], "/") // codex/sessions/…
	}
	n := len(parts)
	if n >= 3 && parts[n-2] == "subagents" {
		return prefix + parts[n-3]
	}
	return prefix + parts[n-1]
}

// checkTokens groups the stored token usage by the file it came from and
// compares each ccusage period with ccusage's report.
func checkTokens(t *testing.T, q querier, eng *redact.Engine, root string, files []File) {
	t.Helper()
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
	want := map[string]tokenRow{
		// Not in ccusage's report (synthetic), summed by reading them: the
		// 0.146 rollout's one counted token_count (line 22: input 16341 of
		// which 3584 cached, output 81; it names no model, so the model is
		// line 2's turn_context's); the 0.39 copy's token_counts are the real
		// file's, whose rows were stored first under the same keys, so none
		// is the copy's; the Claude file's line 29 (input 10, output 5,
		// claude-opus-5): its six other lines with usage have "[trimmed for
		// fixture]" as version and timestamp, which ccusage skips.
		"synthetic/2026/08/03/rollout-2026-08-03T10-48-56-019fc8be-3658-7ca3-9e29-000000000000": {
			Input: 12757, CacheRead: 3584, Output: 81, Total: 16422, Models: []string{"gpt-5.6-luna"}},
		"synthetic/ses_stage0_small": {Input: 10, Output: 5, Total: 15, Models: []string{"claude-opus-5"}},
	}
	for _, r := range report.Session {
		if r.Agent != "codex" && r.Agent != "claude" {
			continue
		}
		models := append([]string(nil), r.ModelsUsed...)
		sort.Strings(models)
		want[r.Period] = tokenRow{r.InputTokens, r.OutputTokens, r.CacheCreationTokens, r.CacheReadTokens, r.TotalTokens, models}
	}

	// The database names a source by its path redacted like any text.
	periodOf := map[string]string{}
	for _, f := range files {
		key, _ := eng.Text(redact.ScopeField, f.Path)
		periodOf[key] = period(root, f)
	}
	rows, err := q.db.Query(`SELECT src.path, u.model, SUM(u.input), SUM(u.output), SUM(u.cache_write), SUM(u.cache_read)
		FROM token_usage u JOIN sources src ON src.id = u.source_id GROUP BY src.path, u.model`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]tokenRow{}
	for rows.Next() {
		var path, model string
		var in, out, cw, cr int64
		if err := rows.Scan(&path, &model, &in, &out, &cw, &cr); err != nil {
			t.Fatal(err)
		}
		p, ok := periodOf[path]
		if !ok {
			t.Fatalf("usage from an unknown source %s", path)
		}
		g := got[p]
		g.Input += in
		g.Output += out
		g.CacheCreation += cw
		g.CacheRead += cr
		g.Total += in + out + cw + cr
		if model != "<synthetic>" && !contains(g.Models, model) { // ccusage lists no model for <synthetic>
			g.Models = append(g.Models, model)
			sort.Strings(g.Models)
		}
		got[p] = g
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// 15 periods: 2 Codex rollouts, 13 Claude Code sessions (14 files, the
	// sub-agent file counting in its parent's period).
	if len(want) != 2+15 {
		t.Errorf("ccusage reports %d Codex and Claude Code sessions, want the 15 of the real logs", len(want)-2)
	}
	for p, w := range want {
		if g := got[p]; !reflect.DeepEqual(g, w) {
			t.Errorf("tokens of %s:\ngot  %+v\nwant %+v", p, g, w)
		}
	}
	for p, g := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("tokens of %s, which ccusage does not report: %+v", p, g)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// completeLater copies files (below root) cut in the middle, ingests the
// copies, completes them and ingests them again, and wants the database a
// one-shot ingest of the complete copies gives. With badHalves, the first
// ingest may find malformed lines (half a JSON document is one).
func completeLater(t *testing.T, root string, eng *redact.Engine, files []File, badHalves bool) {
	t.Helper()
	dir := t.TempDir()
	var copies []File
	var rests [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f.Path)
		p := filepath.Join(dir, "logs", rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data[:len(data)/2], 0o644); err != nil {
			t.Fatal(err)
		}
		copies = append(copies, File{f.Agent, p})
		rests = append(rests, data[len(data)/2:])
	}
	inc := filepath.Join(dir, "incremental.db")
	if badHalves {
		db, err := store.Open(context.Background(), inc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(context.Background(), db, eng, copies, Options{}); err != nil {
			t.Fatal(err)
		}
		db.Close()
	} else {
		ingestInto(t, inc, eng, copies, Options{})
	}
	for i, f := range copies {
		appendTo(t, f.Path, string(rests[i]))
	}
	sum := ingestInto(t, inc, eng, copies, Options{})
	if sum.FilesRead != len(files) {
		t.Errorf("second run read %d files, want %d", sum.FilesRead, len(files))
	}
	once := filepath.Join(dir, "once.db")
	ingestInto(t, once, eng, copies, Options{})
	if d := ingesttest.Diff(dumpOf(t, inc), dumpOf(t, once)); d != "" {
		t.Error(d)
	}
}
