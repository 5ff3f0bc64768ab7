package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkHookInProcess runs the hooks' handlers of a commit in this
// process (no process start, no script), against a database holding 600
// ingested logs, to profile what a hook costs:
//
//	go test -run '^$' -bench HookInProcess -cpuprofile cpu.prof .
func BenchmarkHookInProcess(b *testing.B) {
	e := newBenchEnv(b, "hook-in-process")
	e.corpus(600, 16<<10)
	for _, kv := range e.env {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "PATH" {
			b.Setenv(k, v)
		}
	}
	repo := filepath.Join(e.home, "src", "repo")
	e.run(e.dir, "git", "init", "-q", repo)
	e.run(repo, "git", "commit", "-q", "--allow-empty", "-m", "init")
	agent := newLiveSession(b, e, repo)
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(repo)
	ctx := context.Background()
	if code := run(ctx, []string{"ingest", "--quiet"}, nil, io.Discard, os.Stderr); code != 0 {
		b.Fatal("ingest failed")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		agent.write()
		b.StartTimer()
		run(ctx, []string{"hook", "pre-commit"}, nil, io.Discard, os.Stderr)
		run(ctx, []string{"hook", "post-commit"}, nil, io.Discard, os.Stderr)
	}
}
