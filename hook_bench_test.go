package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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
	writeDemoCorpus(b, home, 400)
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
