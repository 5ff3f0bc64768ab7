package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkHookInProcess runs the pre-commit and post-commit handlers in
// this process (no process start-up), against a database holding 800
// ingested sessions, to profile what a hook costs:
//
//	go test -run '^$' -bench HookInProcess -cpuprofile cpu.prof .
func BenchmarkHookInProcess(b *testing.B) {
	dir := b.TempDir()
	home := filepath.Join(dir, "home")
	for k, v := range map[string]string{"HOME": home, "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": "", "CODEX_HOME": "", "CLAUDE_CONFIG_DIR": "",
		"AITRAIL_DB": "", "AITRAIL_CONFIG": "", "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "B", "GIT_AUTHOR_EMAIL": "b@example.com",
		"GIT_COMMITTER_NAME": "B", "GIT_COMMITTER_EMAIL": "b@example.com"} {
		b.Setenv(k, v)
	}
	codex, _ := os.ReadFile("testdata/demo/codex/sessions/2026/01/02/rollout-2026-01-02T10-00-00-0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f.jsonl")
	claude, _ := os.ReadFile("testdata/demo/claude/projects/-home-dev-todo-api/5b7c9d2e-3f41-4a6b-8c9d-0e1f2a3b4c5d.jsonl")
	for i := 0; i < 400; i++ {
		id := fmt.Sprintf("0199e0a1-5c3e-7d2a-9f10-%012d", i)
		p := filepath.Join(home, ".codex", "sessions", "2026", "01", "02", "rollout-2026-01-02T10-00-00-"+id+".jsonl")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(strings.ReplaceAll(string(codex), "0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f", id)), 0o644)
		cid := fmt.Sprintf("5b7c9d2e-3f41-4a6b-8c9d-%012d", i)
		p = filepath.Join(home, ".claude", "projects", "-home-dev-todo-api", cid+".jsonl")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(strings.ReplaceAll(string(claude), "5b7c9d2e-3f41-4a6b-8c9d-0e1f2a3b4c5d", cid)), 0o644)
	}
	repo := filepath.Join(dir, "repo")
	for _, args := range [][]string{{"init", "-q", repo}, {"-C", repo, "commit", "-q", "--allow-empty", "-m", "init"}} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(repo)
	ctx := context.Background()
	if code := run(ctx, []string{"ingest", "--quiet"}, nil, io.Discard, os.Stderr); code != 0 {
		b.Fatal("ingest failed")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run(ctx, []string{"hook", "pre-commit"}, nil, io.Discard, os.Stderr)
		run(ctx, []string{"hook", "post-commit"}, nil, io.Discard, os.Stderr)
	}
}
