package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/store"
)

// sampleExport is a small export with what the renderers must handle:
// two agents and days, Markdown with a link, an image and raw HTML, a diff,
// a redacted value, backticks that would close a fence.
func sampleExport() (*store.Export, ExportMeta) {
	t0 := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	edit := store.EditInfo{Time: t0.Add(time.Minute), Path: "~/src/app/health.go", RelPath: "health.go", Op: store.OpAdd, Added: 2,
		Diff: "--- /dev/null\n+++ b/health.go\n@@ -0,0 +1,2 @@\n+package main\n+func health() {}\n", Via: "apply_patch", Status: store.EditApplied}
	codex := store.ExportSession{
		SessionInfo: store.SessionInfo{Agent: "codex", SessionID: "0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f", Cwd: "~/src/app", GitBranch: "main",
			GitCommit: "3f1c2a9b8e7d6c5b4a39281706f5e4d3c2b1a098", AgentVersion: "0.77.0", Model: "gpt-5.1-codex", Started: t0, Ended: t0.Add(3 * time.Minute),
			Prompts: 1, ToolCalls: 1, Edits: 1, Tokens: store.Tokens{Input: 4000, Output: 300, CacheRead: 1000, Total: 5300}},
		Links: []store.LinkInfo{{Time: t0.Add(2 * time.Minute), Kind: "pr", URL: "https://example.com/pr/7", Title: "Health"}},
		Cost:  0.008125,
		Prompts: []store.ExportPrompt{{
			PromptDetail: store.PromptDetail{Key: "t1", Seq: 1, Time: t0, Text: "Add a **health** endpoint; the DB is postgres://u:[REDACTED:url-password]@db/x.\n<script>alert(1)</script>",
				Cwd: "~/src/app", Model: "gpt-5.1-codex",
				Messages: []store.MessageInfo{{Time: t0.Add(2 * time.Minute), Kind: "assistant",
					Text: "Done, see [the docs](https://example.com/docs) ![chart](https://example.com/chart.png)\n```go\nfunc health() {}\n```"}},
				ToolCalls: []store.ToolCallInfo{{CallID: "c1", Time: t0.Add(time.Minute), Name: "apply_patch", Input: "*** Begin Patch", Output: "ok", Status: "ok"}},
				Edits:     []store.EditInfo{edit},
				Tokens:    store.Tokens{Input: 4000, Output: 300, CacheRead: 1000, Total: 5300}},
			Usage:   []store.ModelTokens{{Model: "gpt-5.1-codex", Tokens: store.Tokens{Input: 4000, Output: 300, CacheRead: 1000, Total: 5300}, Cost: 0.008125, Priced: true}},
			Cost:    0.008125,
			Commits: []string{"c2e3dfc94e35b1c9e76d07d8064f7a06de066bfb"},
		}},
	}
	t1 := t0.Add(26 * time.Hour)
	// A resumed Claude Code session: the reply that ended the session it
	// resumes comes before its first prompt, with the tokens it cost.
	preambleTokens := store.Tokens{Output: 100, CacheRead: 900, Total: 1000}
	claude := store.ExportSession{
		SessionInfo: store.SessionInfo{Agent: "claude", SessionID: "5b7c9d2e-3f41-4a6b-8c9d-0e1f2a3b4c5d", Cwd: "~/src/app", Title: "Sort todos",
			AgentVersion: "2.0.14", Started: t1.Add(-time.Minute), Ended: t1.Add(time.Minute), Prompts: 1,
			Tokens: store.Tokens{Input: 18, Output: 440, CacheWrite: 3790, CacheRead: 52190, Total: 56438}},
		Cost: 0.04267,
		Preamble: &store.ExportPrompt{
			PromptDetail: store.PromptDetail{Time: t1.Add(-time.Minute),
				Messages: []store.MessageInfo{{Time: t1.Add(-time.Minute), Kind: "assistant", Text: "The todos are listed; next, sorting."}},
				Tokens:   preambleTokens},
			Usage:   []store.ModelTokens{{Model: "claude-sonnet-4-5-20250929", Tokens: preambleTokens, Cost: 0.00177, Priced: true}},
			Cost:    0.00177,
			Commits: []string{},
		},
		Prompts: []store.ExportPrompt{{
			PromptDetail: store.PromptDetail{Key: "u1", Seq: 1, Time: t1, Text: "Sort them ```by time```, \"oldest\" first", Model: "claude-sonnet-4-5-20250929",
				Tokens: store.Tokens{Input: 18, Output: 340, CacheWrite: 3790, CacheRead: 51290, Total: 55438}},
			Usage:   []store.ModelTokens{{Model: "claude-sonnet-4-5-20250929", Tokens: store.Tokens{Input: 18, Output: 340, CacheWrite: 3790, CacheRead: 51290, Total: 55438}, Cost: 0.0409, Priced: true}},
			Cost:    0.0409,
			Commits: []string{},
		}},
	}
	x := &store.Export{Sessions: []store.ExportSession{codex, claude},
		Commits: []store.ExportCommit{{SHA: "c2e3dfc94e35b1c9e76d07d8064f7a06de066bfb", CommittedAt: t0.Add(10 * time.Minute), Added: 5, AI: 3, Prompts: 1}}}
	m := ExportMeta{Generated: time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC), Version: "1.2.3",
		Filters: []Filter{{Name: "repo", Value: "~/src/app"}},
		Stored:  map[string]int{"url-password": 1}, AtExport: map[string]int{"email": 2}}
	return x, m
}

func TestExportGolden(t *testing.T) {
	for _, format := range ExportFormats {
		t.Run(format, func(t *testing.T) {
			x, m := sampleExport()
			var b bytes.Buffer
			if err := WriteExport(&b, format, x, m); err != nil {
				t.Fatal(err)
			}
			golden(t, "export.golden."+format, b.String())
		})
	}
}

// TestExportParsesBack checks that the machine formats are what they claim:
// CSV rows of the documented columns, one JSON document, one JSON object
// per JSONL line; each ends with the redaction summary.
func TestExportParsesBack(t *testing.T) {
	x, m := sampleExport()
	var b bytes.Buffer
	if err := WriteExport(&b, "csv", x, m); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(CSVColumns, ",") || len(rows) != 1+2+1+2 {
		t.Fatalf("CSV header %v, %d rows", rows[0], len(rows))
	}
	col := func(row []string, name string) string {
		for i, c := range CSVColumns {
			if c == name {
				return row[i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	if r := rows[1]; col(r, "text") != x.Sessions[0].Prompts[0].Text || col(r, "cost_usd") != "0.008125" || col(r, "files") != "health.go" || col(r, "total_tokens") != "5300" {
		t.Errorf("first prompt row %q", r)
	}
	if r := rows[2]; col(r, "record") != "preamble" || col(r, "prompt_seq") != "" || col(r, "text") != "" || col(r, "total_tokens") != "1000" ||
		col(r, "session") != x.Sessions[1].SessionID || col(r, "time") != "2026-01-03T10:59:00Z" {
		t.Errorf("preamble row %q", r)
	}
	if r := rows[5]; col(r, "record") != "redaction" || col(r, "rule") != "url-password" || col(r, "redacted_stored") != "1" {
		t.Errorf("last row %q", r)
	}

	b.Reset()
	if err := WriteExport(&b, "json", x, m); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema     string                `json:"schema"`
		Sessions   []store.ExportSession `json:"sessions"`
		Redactions []RedactionCount      `json:"redactions"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != ExportSchema || len(doc.Sessions) != 2 || doc.Sessions[0].Prompts[0].Text != x.Sessions[0].Prompts[0].Text ||
		len(doc.Redactions) != 2 || doc.Redactions[0] != (RedactionCount{Rule: "email", AtExport: 2}) ||
		doc.Sessions[0].Preamble != nil || doc.Sessions[1].Preamble == nil || doc.Sessions[1].Preamble.Tokens.Total != 1000 {
		t.Errorf("JSON read back: %+v", doc)
	}
	if !strings.HasSuffix(strings.TrimSpace(b.String()), "]\n}") {
		t.Error("the JSON document does not end with the redaction summary")
	}

	b.Reset()
	if err := WriteExport(&b, "jsonl", x, m); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var rec map[string]any
		dec := json.NewDecoder(strings.NewReader(l))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		types = append(types, rec["type"].(string))
	}
	want := "export session prompt message tool_call file_edit usage session preamble message usage prompt usage commit redactions"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("JSONL record types:\n got %s\nwant %s", got, want)
	}
}

// TestExportRowsAddUp checks that in every format the tokens listed per
// prompt and preamble add up to the sessions' totals (what stats counts),
// so that an auditor can reconcile an export with stats.
func TestExportRowsAddUp(t *testing.T) {
	x, m := sampleExport()
	var want int64
	for _, s := range x.Sessions {
		want += s.Tokens.Total
	}
	number := func(s string) int64 {
		n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The tokens of each prompt and preamble, as each format lists them.
	rows := map[string]func(out string) (sum int64, n int){
		"csv": func(out string) (int64, int) {
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			n := 0
			for _, r := range recs[1:] {
				if r[0] == "prompt" || r[0] == "preamble" {
					sum += number(r[slices.Index(CSVColumns, "total_tokens")])
					n++
				}
			}
			return sum, n
		},
		"jsonl": func(out string) (int64, int) {
			var sum int64
			n := 0
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				var rec struct {
					Type  string `json:"type"`
					Total int64  `json:"totalTokens"`
				}
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Fatal(err)
				}
				if rec.Type == "usage" {
					sum += rec.Total
					n++
				}
			}
			return sum, n
		},
		"json": func(out string) (int64, int) {
			var doc struct {
				Sessions []store.ExportSession `json:"sessions"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			var sum int64
			n := 0
			for _, s := range doc.Sessions {
				ps := s.Prompts
				if s.Preamble != nil {
					ps = append(ps, *s.Preamble)
				}
				for _, p := range ps {
					for _, u := range p.Usage {
						sum += u.Total
					}
					n++
				}
			}
			return sum, n
		},
		"md": func(out string) (sum int64, n int) {
			for _, g := range regexp.MustCompile(`(?m)^\*\*Tokens:\*\* ([\d,]+)`).FindAllStringSubmatch(out, -1) {
				sum += number(g[1])
				n++
			}
			return sum, n
		},
		"html": func(out string) (sum int64, n int) {
			for _, g := range regexp.MustCompile(`<span class="when">[^<]* · ([\d,]+) tokens · `).FindAllStringSubmatch(out, -1) {
				sum += number(g[1])
				n++
			}
			return sum, n
		},
	}
	for _, format := range ExportFormats {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteExport(&b, format, x, m); err != nil {
				t.Fatal(err)
			}
			// Three rows: two prompts and a preamble (JSONL: three usage records).
			if got, n := rows[format](b.String()); got != want || n != 3 {
				t.Errorf("%d rows add up to %d tokens, want 3 rows and %d", n, got, want)
			}
		})
	}
}

// TestHTMLLoadsNothing checks that the HTML report refers to nothing it
// would load: no src, no style sheet or script from elsewhere, no url() in
// its style, a Content-Security-Policy that forbids loading, and images in
// Markdown reduced to their alt text.
func TestHTMLLoadsNothing(t *testing.T) {
	x, m := sampleExport()
	var b bytes.Buffer
	if err := WriteHTML(&b, x, m); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)\ssrc\s*=`), regexp.MustCompile(`(?i)<link\b`), regexp.MustCompile(`(?i)url\(`),
		regexp.MustCompile(`(?i)@import`), regexp.MustCompile(`(?i)<(img|iframe|object|embed|video|audio|source)\b`),
		regexp.MustCompile(`(?i)\b(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon)\b`), regexp.MustCompile(`<script>alert`),
	} {
		if loc := bad.FindStringIndex(page); loc != nil {
			t.Errorf("the report has %q: %s", bad, page[max(0, loc[0]-80):min(len(page), loc[1]+80)])
		}
	}
	// Links are allowed (they load nothing until followed), and only to
	// the report itself or to web pages.
	for _, h := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(h[1], "#") && !strings.HasPrefix(h[1], "https://") {
			t.Errorf("link to %q", h[1])
		}
	}
	if !strings.Contains(page, `content="default-src 'none';`) {
		t.Error("no Content-Security-Policy forbidding loads")
	}
	if !strings.Contains(page, "[image: chart]") {
		t.Error("a Markdown image was not reduced to its alt text")
	}
	if strings.Count(page, "<svg") != 2 || !strings.Contains(page, "Tokens per day, by agent") {
		t.Error("the report lacks its two charts")
	}
}

func TestChartScale(t *testing.T) {
	for _, tt := range []struct{ raw, want float64 }{{0, 1}, {0.003, 0.005}, {7, 10}, {12000, 20000}, {45, 50}} {
		if got := niceStep(tt.raw); got != tt.want {
			t.Errorf("niceStep(%v) = %v, want %v", tt.raw, got, tt.want)
		}
	}
	if got := fillDays("2026-01-30", "2026-02-02"); strings.Join(got, " ") != "2026-01-30 2026-01-31 2026-02-01 2026-02-02" {
		t.Errorf("fillDays = %v", got)
	}
	if compact(12500) != "12.5k" || compact(2_000_000) != "2M" || dollarsAxis(0.05) != "$0.05" {
		t.Error("axis labels")
	}
}
