package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

// reportRepo is a repository under a hermetic home, with aitrail's hooks
// installed (the test binary is aitrail, see TestMain), whose history has a
// tag v1.0.0 and then three commits: two take the edits of a Codex
// session, the last is a person's.
type reportRepo struct {
	t    *testing.T
	home string
	root string // the repository, under home
	env  []string
}

// codexSession is a Codex CLI rollout: one prompt (with an e-mail address
// that is redacted at ingest) that adds health.go and util.go, and one
// token_count of 5,000 input tokens (1,000 of them cached) and 300 output.
const codexSession = `{"timestamp":"2026-01-02T09:00:00.000Z","type":"session_meta","payload":{"id":"0199e0a1-0000-7000-8000-000000000001","timestamp":"2026-01-02T09:00:00.000Z","cwd":"CWD","originator":"codex_cli_rs","cli_version":"0.77.0","source":"cli","model_provider":"openai"}}
{"timestamp":"2026-01-02T09:00:01.000Z","type":"turn_context","payload":{"turn_id":"t1","cwd":"CWD","approval_policy":"on-request","sandbox_policy":{"type":"workspace-write"},"model":"gpt-5.1-codex","effort":"medium","summary":"auto"}}
{"timestamp":"2026-01-02T09:00:02.000Z","type":"event_msg","payload":{"type":"user_message","message":"Add a /health endpoint and a helper that doubles numbers. Questions to ada@lovelace-labs.io.","images":[]}}
{"timestamp":"2026-01-02T09:05:00.000Z","type":"response_item","payload":{"type":"custom_tool_call","status":"completed","call_id":"call_1","name":"apply_patch","input":"*** Begin Patch\n*** Add File: health.go\n+package main\n+\n+import \"net/http\"\n+\n+func health(w http.ResponseWriter, r *http.Request) { w.Write([]byte(\"ok\")) }\n*** Add File: util.go\n+package main\n+\n+func double(n int) int { return 2 * n }\n*** End Patch"}}
{"timestamp":"2026-01-02T09:05:01.000Z","type":"response_item","payload":{"type":"custom_tool_call_output","call_id":"call_1","output":"{\"output\":\"Success. Updated the following files:\\nA health.go\\nA util.go\\n\",\"metadata\":{\"exit_code\":0}}"}}
{"timestamp":"2026-01-02T09:05:02.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":5000,"cached_input_tokens":1000,"output_tokens":300,"reasoning_output_tokens":100,"total_tokens":5300},"last_token_usage":{"input_tokens":5000,"cached_input_tokens":1000,"output_tokens":300,"reasoning_output_tokens":100,"total_tokens":5300},"model_context_window":272000}}}
{"timestamp":"2026-01-02T09:05:03.000Z","type":"event_msg","payload":{"type":"agent_message","message":"Added health.go and util.go."}}
`

// handCost is the cost of codexSession's one API call, worked out by hand
// from docs/pricing.md's row for gpt-5.1-codex ($1.25 per million input
// tokens, $0.125 cached, $10 output): 4,000 uncached × 1.25 + 1,000 cached
// × 0.125 + 300 output × 10 = 8,125 millionths of a dollar.
const handCost = 0.008125

func newReportRepo(t *testing.T) *reportRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	bin := filepath.Join(home, ".local", "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(exe, filepath.Join(bin, "aitrail")); err != nil {
		t.Fatal(err)
	}
	r := &reportRepo{t: t, home: home, root: filepath.Join(home, "src", "app")}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") || strings.HasPrefix(k, "AITRAIL") || strings.HasPrefix(k, "XDG_") ||
			k == "HOME" || k == "PATH" || k == "CODEX_HOME" || k == "CLAUDE_CONFIG_DIR" {
			continue
		}
		r.env = append(r.env, kv)
	}
	r.env = append(r.env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "NO_COLOR=1",
		"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_COMMITTER_NAME=Ada Lovelace", "GIT_COMMITTER_EMAIL=ada@example.com")
	log := filepath.Join(home, ".codex", "sessions", "2026", "01", "02", "rollout-2026-01-02T09-00-00-0199e0a1-0000-7000-8000-000000000001.jsonl")
	r.write(log, strings.ReplaceAll(codexSession, "CWD", r.root))
	r.write(filepath.Join(r.root, "README.md"), "# Service\n")
	r.git("08:00", "init", "-q")
	r.git("08:00", "add", "README.md")
	r.git("08:00", "commit", "-q", "-m", "init")
	r.git("08:00", "tag", "v1.0.0")
	r.cmd(r.root, nil, "aitrail", "install")
	r.write(filepath.Join(r.root, "health.go"), "package main\n\nimport \"net/http\"\n\nfunc health(w http.ResponseWriter, r *http.Request) { w.Write([]byte(\"ok\")) }\n")
	r.write(filepath.Join(r.root, "util.go"), "package main\n\nfunc double(n int) int { return 2 * n }\n")
	r.write(filepath.Join(r.root, "README.md"), "# Service\nRun it with go run .\n")
	r.git("10:00", "add", "health.go", "README.md")
	r.git("10:00", "commit", "-q", "-m", "Add a health endpoint")
	r.git("11:00", "add", "util.go")
	r.git("11:00", "commit", "-q", "-m", "Add a helper")
	r.write(filepath.Join(r.root, "README.md"), "# Service\nRun it with go run .\nSee /health.\n")
	r.git("12:00", "commit", "-q", "-am", "Docs")
	return r
}

func (r *reportRepo) write(path, content string) {
	r.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// git runs git in the repository with author and committer times at hhmm
// on 2026-01-02 (UTC).
func (r *reportRepo) git(hhmm string, args ...string) string {
	r.t.Helper()
	when := "2026-01-02T" + hhmm + ":00Z"
	return r.cmd(r.root, []string{"GIT_AUTHOR_DATE=" + when, "GIT_COMMITTER_DATE=" + when}, "git", args...)
}

// cmd runs a command in dir and returns its stdout; it fails the test on
// an error.
func (r *reportRepo) cmd(dir string, env []string, name string, args ...string) string {
	r.t.Helper()
	out, errOut, err := r.try(dir, env, name, args...)
	if err != nil {
		r.t.Fatalf("%s %s in %s: %v\n%s%s", name, strings.Join(args, " "), dir, err, out, errOut)
	}
	return out
}

func (r *reportRepo) try(dir string, env []string, name string, args ...string) (string, string, error) {
	r.t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.t.Fatal(err)
	}
	c := exec.Command(name, args...)
	c.Dir = dir
	c.Env = append(append([]string{}, r.env...), env...)
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	err := c.Run()
	return out.String(), errOut.String(), err
}

func (r *reportRepo) db() string {
	return filepath.Join(r.home, ".local", "share", "aitrail", "trail.db")
}

// TestExportMatchesDatabase parses the CSV and JSON exports back and checks
// them against the database: every prompt, its text as stored, its tokens,
// and its cost as worked out by hand from the price table.
func TestExportMatchesDatabase(t *testing.T) {
	r := newReportRepo(t)
	// A rule added after ingest redacts at export.
	r.cmd(r.root, nil, "aitrail", "rules", "add", "helper-word", "--pattern", "doubles", "--type", "literal")
	db, err := store.Open(context.Background(), r.db())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sessions, err := db.Sessions(context.Background(), store.SessionFilter{})
	if err != nil || len(sessions) != 1 {
		t.Fatalf("sessions %v, %v", sessions, err)
	}
	d, err := db.Detail(context.Background(), sessions[0])
	if err != nil || len(d.Prompts) != 1 {
		t.Fatalf("detail %v, %v", d, err)
	}
	stored := d.Prompts[0]
	if !strings.Contains(stored.Text, "[REDACTED:email]") || !strings.Contains(stored.Text, "doubles") {
		t.Fatalf("stored prompt %q", stored.Text)
	}
	exported := strings.ReplaceAll(stored.Text, "doubles", "[REDACTED:helper-word]")

	out := r.cmd(r.root, nil, "aitrail", "export", "--format", "csv", "--repo", ".")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	var prompts, redactions [][]string
	for _, row := range rows[1:] {
		if row[0] == "prompt" {
			prompts = append(prompts, row)
		} else {
			redactions = append(redactions, row)
		}
	}
	if len(prompts) != 1 {
		t.Fatalf("%d prompt rows, want 1", len(prompts))
	}
	p := prompts[0]
	cost, _ := strconv.ParseFloat(p[col["cost_usd"]], 64)
	if p[col["session"]] != sessions[0].SessionID || p[col["prompt_key"]] != stored.Key || p[col["text"]] != exported ||
		p[col["total_tokens"]] != strconv.FormatInt(stored.Tokens.Total, 10) || p[col["input_tokens"]] != "4000" ||
		p[col["cache_read_tokens"]] != "1000" || p[col["output_tokens"]] != "300" || math.Abs(cost-handCost) > 1e-9 ||
		p[col["files"]] != "health.go;util.go" {
		t.Errorf("prompt row does not match the database:\n%q\nstored %+v", p, stored)
	}
	summary := map[string]string{}
	for _, row := range redactions {
		summary[row[col["rule"]]] = row[col["redacted_stored"]] + "/" + row[col["redacted_at_export"]]
	}
	if summary["email"] != "1/0" || summary["helper-word"] != "0/1" {
		t.Errorf("redaction summary %v, want email 1/0 and helper-word 0/1", summary)
	}

	out = r.cmd(r.root, nil, "aitrail", "export", "--format", "json", "--since", "2026-01-01")
	var doc struct {
		Totals struct {
			Prompts int          `json:"prompts"`
			Tokens  store.Tokens `json:"tokens"`
			Cost    float64      `json:"costUSD"`
		} `json:"totals"`
		Sessions []store.ExportSession `json:"sessions"`
		Commits  []store.ExportCommit  `json:"commits"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Sessions) != 1 || doc.Sessions[0].SessionID != sessions[0].SessionID || doc.Totals.Prompts != 1 ||
		doc.Totals.Tokens != sessions[0].Tokens || math.Abs(doc.Totals.Cost-handCost) > 1e-9 {
		t.Errorf("JSON export totals %+v, sessions %d; database tokens %+v", doc.Totals, len(doc.Sessions), sessions[0].Tokens)
	}
	ep := doc.Sessions[0].Prompts[0]
	if ep.Text != exported || len(ep.Edits) != 2 || ep.Edits[0].Diff != d.Prompts[0].Edits[0].Diff || len(ep.Commits) != 2 {
		t.Errorf("JSON prompt %+v", ep)
	}
	if len(doc.Commits) != 2 || doc.Commits[0].Added+doc.Commits[1].Added != 6 || doc.Commits[0].AI+doc.Commits[1].AI != 5 {
		t.Errorf("JSON commits %+v", doc.Commits)
	}
	// The filters select: nothing before the session, and the commit range.
	if out := r.cmd(r.root, nil, "aitrail", "export", "--format", "json", "--until", "2025-12-31"); !strings.Contains(out, `"sessions": []`) {
		t.Errorf("--until before the session exported %s", out)
	}
	out = r.cmd(r.root, nil, "aitrail", "export", "--format", "jsonl", "--commit", "HEAD~1", "--agent", "codex")
	if strings.Count(out, `"type":"prompt"`) != 1 {
		t.Errorf("--commit HEAD~1 exported:\n%s", out)
	}
	if out := r.cmd(r.root, nil, "aitrail", "export", "--format", "jsonl", "--commit", "HEAD"); strings.Contains(out, `"type":"prompt"`) {
		t.Errorf("--commit HEAD (no AI) exported a prompt:\n%s", out)
	}
	// The stats agree, and by commit charge the call once.
	var stats map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.cmd(r.root, nil, "aitrail", "stats", "--by", "commit", "--json")), &stats); err != nil {
		t.Fatal(err)
	}
	var byCommit []store.StatRow
	if err := json.Unmarshal(stats["commit"], &byCommit); err != nil {
		t.Fatal(err)
	}
	if len(byCommit) != 1 || byCommit[0].Total != 5300 || math.Abs(byCommit[0].Cost-handCost) > 1e-9 || byCommit[0].Commit == store.NotCommitted {
		t.Errorf("stats by commit %+v", byCommit)
	}
}

// TestReleaseNotes checks release-notes over the real commits, with the
// database and then in a clone outside the home (a path with a space and
// non-ASCII letters) that fetched the notes and has no database.
func TestReleaseNotes(t *testing.T) {
	r := newReportRepo(t)
	var rel report.Release
	if err := json.Unmarshal([]byte(r.cmd(r.root, nil, "aitrail", "release-notes", "v1.0.0", "--json")), &rel); err != nil {
		t.Fatal(err)
	}
	if rel.Commits != 3 || rel.AICommits != 2 || rel.NoAI != 1 || rel.Unknown != 0 || !rel.Database || rel.AI != 5 || rel.Added != 6 {
		t.Errorf("release %+v", rel)
	}
	// Tokens are the notes' own figures added up.
	var sum store.Tokens
	var cost float64
	for _, sha := range []string{"HEAD~2", "HEAD~1"} {
		recs := report.ReadNotes(r.cmd(r.root, nil, "git", "notes", "--ref=aitrail", "show", sha))
		m := recs[0].Meta()
		sum.Add(m.Tokens)
		if m.CostUSD != nil { // a note whose calls an earlier note counted has no cost
			cost += *m.CostUSD
		}
	}
	if rel.Tokens != sum || math.Abs(rel.CostUSD-cost) > 1e-9 {
		t.Errorf("release tokens %+v cost %v; the notes say %+v, %v", rel.Tokens, rel.CostUSD, sum, cost)
	}
	if len(rel.Entries) != 2 || !strings.Contains(rel.Entries[0].Prompts[0].Text, "[REDACTED:email]") {
		t.Errorf("entries %+v", rel.Entries)
	}
	md := r.cmd(r.root, nil, "aitrail", "release-notes", "v1.0.0..HEAD")
	for _, want := range []string{"## AI assistance (v1.0.0..HEAD)", "AI agents took part in 2 of 3 commits", "| Codex CLI 0.77.0 | gpt-5.1-codex |",
		"- **Add a health endpoint** (`", "> Add a /health endpoint and a helper that doubles numbers. Questions to [REDACTED:email]."} {
		if !strings.Contains(md, want) {
			t.Errorf("release notes lack %q:\n%s", want, md)
		}
	}
	clone := filepath.Join(t.TempDir(), "café app", "クローン")
	r.cmd(filepath.Dir(clone), nil, "git", "clone", "-q", r.root, clone)
	r.cmd(clone, nil, "git", "fetch", "-q", "origin", "refs/notes/aitrail:refs/notes/aitrail")
	var cloned report.Release
	out := r.cmd(clone, []string{"AITRAIL_DB=" + filepath.Join(clone, "none.db")}, "aitrail", "release-notes", "v1.0.0..HEAD", "--json")
	if err := json.Unmarshal([]byte(out), &cloned); err != nil {
		t.Fatal(err)
	}
	if cloned.Database || cloned.AICommits != 2 || cloned.Unknown != 1 || cloned.Tokens != rel.Tokens || cloned.AI != rel.AI ||
		cloned.Entries[0].Prompts[0].Text != rel.Entries[0].Prompts[0].Text {
		t.Errorf("release from the clone's notes %+v", cloned)
	}
	if _, err := os.Stat(filepath.Join(clone, "none.db")); err == nil {
		t.Error("release-notes created a database")
	}
}

// TestFragmentsAcceptedByTools writes each tool's fragment into a
// repository configured for it and runs the real tool on it. A tool that
// is not installed is skipped (.ci/setup installs them).
func TestFragmentsAcceptedByTools(t *testing.T) {
	r := newReportRepo(t)
	const want = "AI assistance: Codex CLI 0.77.0 (gpt-5.1-codex) took part in 2 of 3 commits"
	tools := []struct {
		name, bin, install string
		setup              map[string]string
		flags              []string
		check              func(t *testing.T, dir string)
	}{
		{name: "changie", bin: "changie", install: "npm install -g changie@1.26.0",
			setup: map[string]string{".changie.yaml": "changesDir: .changes\nunreleasedDir: unreleased\nheaderPath: header.tpl.md\nchangelogPath: CHANGELOG.md\nversionExt: md\n" +
				"versionFormat: '## {{.Version}}'\nkindFormat: '### {{.Kind}}'\nchangeFormat: '* {{.Body}}'\n" +
				"kinds:\n  - label: Added\n    auto: minor\n  - label: AI assistance\n    key: ai\n    auto: patch\n",
				".changes/header.tpl.md": "# Changelog\n", ".changes/unreleased/.gitkeep": ""},
			check: func(t *testing.T, dir string) {
				r.cmd(dir, nil, "changie", "batch", "1.1.0")
				r.cmd(dir, nil, "changie", "merge")
				mustContain(t, filepath.Join(dir, "CHANGELOG.md"), "### AI assistance", "* "+want)
			}},
		{name: "towncrier", bin: "towncrier", install: "apt-get install -y towncrier",
			setup: map[string]string{"pyproject.toml": "[tool.towncrier]\nname = \"app\"\ndirectory = \"changes\"\nfilename = \"NEWS.md\"\n\n" +
				"[[tool.towncrier.type]]\ndirectory = \"ai\"\nname = \"AI assistance\"\nshowcontent = true\n", "changes/.gitkeep": ""},
			check: func(t *testing.T, dir string) {
				out := r.cmd(dir, nil, "towncrier", "build", "--draft", "--version", "1.1.0")
				if !strings.Contains(out, "AI assistance") || !strings.Contains(out, want) {
					t.Errorf("towncrier build --draft:\n%s", out)
				}
			}},
		{name: "changesets", bin: "changeset", install: "npm install -g @changesets/cli@2.31.1",
			setup: map[string]string{"package.json": `{"name": "app", "version": "1.0.0"}` + "\n"},
			flags: []string{"--package", "app"},
			check: func(t *testing.T, dir string) {
				r.cmd(dir, nil, "changeset", "version")
				mustContain(t, filepath.Join(dir, "CHANGELOG.md"), "## 1.0.1", want)
			}},
		{name: "reno", bin: "reno", install: "apt-get install -y python3-reno",
			setup: map[string]string{"releasenotes/notes/.gitkeep": ""},
			check: func(t *testing.T, dir string) {
				r.cmd(dir, nil, "git", "add", "-A")
				r.cmd(dir, nil, "git", "commit", "-q", "--no-verify", "-m", "Release notes")
				r.cmd(dir, nil, "reno", "lint")
				out := r.cmd(dir, nil, "reno", "report")
				if !strings.Contains(out, "Other Notes") || !strings.Contains(out, want) {
					t.Errorf("reno report:\n%s", out)
				}
			}},
	}
	for _, tool := range tools {
		t.Run(tool.name, func(t *testing.T) {
			if _, err := exec.LookPath(tool.bin); err != nil {
				t.Skipf("%s is not installed (%s; .ci/setup installs it)", tool.bin, tool.install)
			}
			dir := filepath.Join(t.TempDir(), tool.name)
			r.cmd(filepath.Dir(dir), nil, "git", "clone", "-q", r.root, dir)
			r.cmd(dir, nil, "git", "fetch", "-q", "origin", "refs/notes/aitrail:refs/notes/aitrail")
			for p, c := range tool.setup {
				r.write(filepath.Join(dir, filepath.FromSlash(p)), c)
			}
			if tool.name == "changesets" {
				r.cmd(dir, nil, "changeset", "init")
			}
			args := append([]string{"release-notes", "v1.0.0..HEAD", "--fragment", tool.name, "--write"}, tool.flags...)
			out := r.cmd(dir, nil, "aitrail", args...)
			if !strings.HasPrefix(out, "wrote ") {
				t.Fatalf("release-notes --write printed %q", out)
			}
			tool.check(t, dir)
		})
	}
}

func mustContain(t *testing.T, path string, wants ...string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wants {
		if !strings.Contains(string(b), w) {
			t.Errorf("%s lacks %q:\n%s", path, w, b)
		}
	}
}

// resumedClaudeSession is a resumed Claude Code session in CWD: the reply
// that ended the session it resumes (naming EMAIL) comes before its first
// prompt, with the 3,053 tokens it cost; the prompt's reply cost 3,125.
const resumedClaudeSession = `{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"CWD","sessionId":"7c0ffee0-1111-4222-8333-444455556666","version":"2.0.14","gitBranch":"main","type":"assistant","uuid":"b1000000-0000-4000-8000-000000000001","timestamp":"2026-01-02T09:30:00.000Z","message":{"id":"msg_pre","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Resumed: the helper doubles numbers; ask EMAIL."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"cache_creation_input_tokens":1000,"cache_read_input_tokens":2000,"output_tokens":50,"service_tier":"standard"}},"requestId":"req_pre"}
{"parentUuid":"b1000000-0000-4000-8000-000000000001","isSidechain":false,"userType":"external","cwd":"CWD","sessionId":"7c0ffee0-1111-4222-8333-444455556666","version":"2.0.14","gitBranch":"main","type":"user","uuid":"b1000000-0000-4000-8000-000000000002","timestamp":"2026-01-02T09:31:00.000Z","message":{"role":"user","content":"Add a test for double."}}
{"parentUuid":"b1000000-0000-4000-8000-000000000002","isSidechain":false,"userType":"external","cwd":"CWD","sessionId":"7c0ffee0-1111-4222-8333-444455556666","version":"2.0.14","gitBranch":"main","type":"assistant","uuid":"b1000000-0000-4000-8000-000000000003","timestamp":"2026-01-02T09:32:00.000Z","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Added a test."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":3000,"output_tokens":120,"service_tier":"standard"}},"requestId":"req_2"}
`

// TestExportAddsUpToStats checks that every export format carries what a
// session spent before its first prompt, so that the tokens of its rows
// add up to stats' total; that the preamble's text is redacted like the
// rest, when stored and at export; and that a commit range, which the
// preamble is linked to none of, leaves it out.
func TestExportAddsUpToStats(t *testing.T) {
	r := newReportRepo(t)
	email := "grace" + "@" + "hopper-labs.io" // built here, so that no address is in the source
	log := filepath.Join(r.home, ".claude", "projects", "-src-app", "7c0ffee0-1111-4222-8333-444455556666.jsonl")
	r.write(log, strings.NewReplacer("CWD", r.root, "EMAIL", email).Replace(resumedClaudeSession))
	r.cmd(r.root, nil, "aitrail", "ingest")
	// A rule added after ingest redacts at export, the preamble too.
	r.cmd(r.root, nil, "aitrail", "rules", "add", "helper-word", "--pattern", "doubles", "--type", "literal")
	var stats struct {
		Totals store.Tokens `json:"totals"`
	}
	if err := json.Unmarshal([]byte(r.cmd(r.root, nil, "aitrail", "stats", "--json")), &stats); err != nil {
		t.Fatal(err)
	}
	want := stats.Totals.Total
	if want != 5300+3053+3125 {
		t.Fatalf("stats total %d, want the Codex session's 5,300 + the Claude session's 3,053 + 3,125", want)
	}
	export := func(format string, args ...string) string {
		out := r.cmd(r.root, nil, "aitrail", append([]string{"export", "--format", format}, args...)...)
		if strings.Contains(out, email) || strings.Contains(out, "doubles") {
			t.Errorf("the %s export has text a rule matches:\n%s", format, out)
		}
		return out
	}

	rows, err := csv.NewReader(strings.NewReader(export("csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	total := slices.Index(rows[0], "total_tokens")
	var sum int64
	var preambles []string
	for _, row := range rows[1:] {
		if row[0] == "preamble" {
			preambles = append(preambles, row[total])
		}
		if row[0] == "prompt" || row[0] == "preamble" {
			n, _ := strconv.ParseInt(row[total], 10, 64)
			sum += n
		}
	}
	if sum != want || strings.Join(preambles, " ") != "3053" {
		t.Errorf("CSV: prompt and preamble rows add up to %d tokens, want %d; preamble rows %v, want one of 3053", sum, want, preambles)
	}

	var doc struct {
		Totals struct {
			Tokens store.Tokens `json:"tokens"`
		} `json:"totals"`
		Sessions []store.ExportSession `json:"sessions"`
	}
	if err := json.Unmarshal([]byte(export("json")), &doc); err != nil {
		t.Fatal(err)
	}
	sum = 0
	for _, s := range doc.Sessions {
		ps := s.Prompts
		if s.Preamble != nil {
			ps = append(ps, *s.Preamble)
		}
		for _, p := range ps {
			for _, u := range p.Usage {
				sum += u.Total
			}
		}
	}
	if sum != want || doc.Totals.Tokens.Total != want {
		t.Errorf("JSON: the usage of prompts and preambles adds up to %d tokens, totals say %d, want %d", sum, doc.Totals.Tokens.Total, want)
	}

	sum = 0
	out := export("jsonl")
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
		}
	}
	if sum != want || strings.Count(out, `"type":"preamble"`) != 1 {
		t.Errorf("JSONL: usage records add up to %d tokens, want %d, and one preamble record:\n%s", sum, want, out)
	}

	// The documents list the preamble with its tokens, and total them.
	if out := export("md"); !strings.Contains(out, "### Before the first prompt, 2026-01-02 09:30 UTC") ||
		!strings.Contains(out, "**Tokens:** 3,053 (") || !strings.Contains(out, "11,478 tokens") {
		t.Errorf("the Markdown export lacks the preamble or the total:\n%s", out)
	}
	if out := export("html"); !strings.Contains(out, ">Before the first prompt</a>") || !strings.Contains(out, "3,053 tokens") ||
		!strings.Contains(out, "11,478") {
		t.Errorf("the HTML export lacks the preamble or the total")
	}

	// The preamble is linked to no commit.
	if out := export("jsonl", "--commit", "HEAD~1"); strings.Contains(out, `"preamble"`) || strings.Contains(out, "7c0ffee0") {
		t.Errorf("--commit HEAD~1 exported the Claude session's preamble:\n%s", out)
	}
}
