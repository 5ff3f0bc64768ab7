package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkCommitOverhead measures what the hooks add to a commit (with the
// binary built from this tree): the same
// commits are made in a repository without hooks and in one with aitrail's
// hooks installed, against a database that already holds a realistic
// amount of ingested logs (the demo sessions copied into many files), while
// an agent session keeps writing to its log between commits. It reports the
// median milliseconds per commit of each, and their difference.
//
//	go test -run '^$' -bench CommitOverhead -benchtime 40x .
func BenchmarkCommitOverhead(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git not installed")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "bin")
	os.MkdirAll(bin, 0o755)
	// The binary users run, not the (larger, slower to start) test binary.
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "aitrail"), ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	env := append(os.Environ(),
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"CODEX_HOME=", "CLAUDE_CONFIG_DIR=", "AITRAIL_DB=", "AITRAIL_CONFIG=", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Bench", "GIT_AUTHOR_EMAIL=bench@example.com", "GIT_COMMITTER_NAME=Bench", "GIT_COMMITTER_EMAIL=bench@example.com",
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	run := func(dir string, name string, args ...string) {
		b.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	corpus := writeDemoCorpus(b, home, 400)
	run(dir, "aitrail", "ingest", "--quiet")
	codex := demoCodex(b)
	live := filepath.Join(home, ".codex", "sessions", "2026", "01", "02", "rollout-2026-01-02T10-00-00-0199e0a1-5c3e-7d2a-9f10-live00000000.jsonl")
	os.WriteFile(live, []byte(strings.ReplaceAll(string(codex), "0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f", "0199e0a1-5c3e-7d2a-9f10-live00000000")), 0o644)
	liveLine := strings.SplitAfter(string(codex), "\n")[6]

	bare, hooked := filepath.Join(dir, "bare"), filepath.Join(dir, "hooked")
	for _, r := range []string{bare, hooked} {
		run(dir, "git", "init", "-q", r)
		run(r, "git", "commit", "-q", "--allow-empty", "-m", "init")
	}
	run(hooked, "aitrail", "install")
	commit := func(repo string, i int) time.Duration {
		os.WriteFile(filepath.Join(repo, "file.txt"), []byte(fmt.Sprintf("line %d\n", i)), 0o644)
		f, _ := os.OpenFile(live, os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString(liveLine) // the agent keeps working
		f.Close()
		run(repo, "git", "add", "file.txt")
		start := time.Now()
		run(repo, "git", "commit", "-q", "-m", fmt.Sprint(i))
		return time.Since(start)
	}
	var withHooks, without []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		without = append(without, commit(bare, i))
		withHooks = append(withHooks, commit(hooked, i))
	}
	b.StopTimer()
	m0, m1 := median(without), median(withHooks)
	b.ReportMetric(float64(m0.Microseconds())/1000, "ms/commit-bare")
	b.ReportMetric(float64(m1.Microseconds())/1000, "ms/commit-hooks")
	b.ReportMetric(float64((m1-m0).Microseconds())/1000, "ms-overhead")
	b.ReportMetric(float64(corpus)/(1<<20), "MB-ingested")
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

const (
	demoCodexPath  = "testdata/demo/codex/sessions/2026/01/02/rollout-2026-01-02T10-00-00-0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f.jsonl"
	demoClaudePath = "testdata/demo/claude/projects/-home-dev-todo-api/5b7c9d2e-3f41-4a6b-8c9d-0e1f2a3b4c5d.jsonl"
)

func demoCodex(tb testing.TB) []byte {
	data, err := os.ReadFile(demoCodexPath)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// writeDemoCorpus writes n copies of each demo session (each its own
// session) where the agents keep their logs under home, and returns the
// bytes written: a realistic backlog of ingested logs.
func writeDemoCorpus(tb testing.TB, home string, n int) int {
	tb.Helper()
	codex := demoCodex(tb)
	claude, err := os.ReadFile(demoClaudePath)
	if err != nil {
		tb.Fatal(err)
	}
	var size int
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("0199e0a1-5c3e-7d2a-9f10-%012d", i)
		p := filepath.Join(home, ".codex", "sessions", "2026", "01", "02", "rollout-2026-01-02T10-00-00-"+id+".jsonl")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(strings.ReplaceAll(string(codex), "0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f", id)), 0o644)
		cid := fmt.Sprintf("5b7c9d2e-3f41-4a6b-8c9d-%012d", i)
		p = filepath.Join(home, ".claude", "projects", "-home-dev-todo-api", cid+".jsonl")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(strings.ReplaceAll(string(claude), "5b7c9d2e-3f41-4a6b-8c9d-0e1f2a3b4c5d", cid)), 0o644)
		size += len(codex) + len(claude)
	}
	return size
}
