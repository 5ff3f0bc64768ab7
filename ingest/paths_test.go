package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// agent returns the registered agent named name.
func agent(t *testing.T, name string) *Agent {
	t.Helper()
	for _, a := range Agents() {
		if a.Name == name {
			return &a
		}
	}
	t.Fatalf("no agent %s", name)
	return nil
}

// homeLayout makes a home directory reached through a symlink (as on
// systems where /home is a link), with a git worktree at a path with
// spaces and non-ASCII letters inside it.
func homeLayout(t *testing.T) (home, repo, real string) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	realHome := filepath.Join(base, "data", "ada")
	home = filepath.Join(base, "home")
	real = filepath.Join(realHome, "src", "café app", "日本")
	if err := os.MkdirAll(filepath.Join(real, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(realHome, home); err != nil {
		t.Fatal(err)
	}
	return home, filepath.Join(home, "src", "café app", "日本"), real
}

func homeEngine(t *testing.T, home string) *redact.Engine {
	t.Helper()
	cfg := redact.DefaultConfig()
	cfg.Key = []byte("aitrail ingest tests")
	cfg.Home = home
	eng, err := redact.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// edits returns the path, root, relative path and key of every file edit,
// one edit a line.
func edits(t *testing.T, db *store.DB) string {
	t.Helper()
	return dumpTable(t, db, `SELECT path || ' | ' || repo_root || ' | ' || rel_path || ' | ' || path_key FROM file_edits ORDER BY path`)
}

// TestClaudeEditUnderHome is issue 7's first case: Claude Code names an
// edited file by its absolute path, under the home directory. The decoder
// sees the real path (not one redacted to ~/… and then joined to the cwd),
// the stored path is redacted, and the key is that of the file's canonical
// path, through the symlinked home, at a non-ASCII path.
func TestClaudeEditUnderHome(t *testing.T) {
	home, repo, real := homeLayout(t)
	log := filepath.Join(t.TempDir(), "5b7c9d2e-0000-4000-8000-000000000001.jsonl")
	lines := []string{
		`{"parentUuid":null,"cwd":"REPO","sessionId":"5b7c9d2e-0000-4000-8000-000000000001","version":"2.1.42","type":"user","message":{"role":"user","content":"Put a greeting in lib.py."},"uuid":"u1","timestamp":"2026-01-02T09:00:00.000Z"}`,
		`{"parentUuid":"u1","cwd":"REPO","sessionId":"5b7c9d2e-0000-4000-8000-000000000001","version":"2.1.42","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"tool_use","id":"toolu_w","name":"Write","input":{"file_path":"REPO/lib.py","content":"def greeting():\n    return 1\n"}}],"usage":{"input_tokens":1,"output_tokens":1}},"requestId":"req_1","type":"assistant","uuid":"a1","timestamp":"2026-01-02T09:01:00.000Z"}`,
		`{"parentUuid":"a1","cwd":"REPO","sessionId":"5b7c9d2e-0000-4000-8000-000000000001","version":"2.1.42","type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_w","type":"tool_result","content":"ok"}]},"uuid":"u2","timestamp":"2026-01-02T09:01:01.000Z","toolUseResult":{"type":"create","filePath":"REPO/lib.py","content":"def greeting():\n    return 1\n","structuredPatch":[]}}`,
	}
	// The first run reads the tool call, the second its result: the path
	// the decoder keeps in between is stored redacted.
	write(t, log, strings.ReplaceAll(strings.Join(lines[:2], "\n")+"\n", "REPO", repo))
	db := openDB(t)
	eng := homeEngine(t, home)
	run := func() {
		t.Helper()
		if _, err := Run(context.Background(), db, eng, []File{{agent(t, "claude"), log}}, Options{Home: home}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	appendTo(t, log, strings.ReplaceAll(lines[2]+"\n", "REPO", repo))
	run()
	keys, err := db.PathKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	key := keys.Key(filepath.Join(real, "lib.py"))
	if got, want := edits(t, db), "~/src/café app/日本/lib.py | ~/src/café app/日本 | lib.py | "+key; got != want {
		t.Errorf("file edits:\n%s\nwant:\n%s", got, want)
	}
	// The key is the one correlation computes from the worktree git finds.
	if k := keys.Child(keys.Key(canon.NewResolver("").Path(repo)), "lib.py"); k != key {
		t.Errorf("the worktree's key of lib.py differs from the edit's")
	}
	// sessions --repo finds it by the symlinked path and by the real one.
	for _, dir := range []string{repo, real} {
		list, err := db.Sessions(context.Background(), store.SessionFilter{Dir: keys.Key(canon.NewResolver(home).Path(dir))})
		if err != nil || len(list) != 1 {
			t.Errorf("sessions in %s = %d (%v), want 1", dir, len(list), err)
		}
	}
}

// TestCodexRelativePathAcrossRuns checks a relative apply_patch path made
// absolute with a cwd that the decoder kept, redacted, from an earlier run.
func TestCodexRelativePathAcrossRuns(t *testing.T) {
	home, repo, real := homeLayout(t)
	log := filepath.Join(t.TempDir(), "rollout-2026-01-02T09-00-00-0199e0a1-0000-7000-8000-000000000001.jsonl")
	write(t, log, strings.ReplaceAll(`{"timestamp":"2026-01-02T09:00:00.000Z","type":"session_meta","payload":{"id":"0199e0a1-0000-7000-8000-000000000001","timestamp":"2026-01-02T09:00:00.000Z","cwd":"REPO","cli_version":"0.77.0"}}
{"timestamp":"2026-01-02T09:00:01.000Z","type":"turn_context","payload":{"turn_id":"t1","cwd":"REPO","model":"gpt-5.1-codex"}}
{"timestamp":"2026-01-02T09:00:02.000Z","type":"event_msg","payload":{"type":"user_message","message":"Write a."}}
`, "REPO", repo))
	db := openDB(t)
	eng := homeEngine(t, home)
	a := agent(t, "codex")
	for i := 0; i < 2; i++ {
		if _, err := Run(context.Background(), db, eng, []File{{a, log}}, Options{Home: home}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			appendTo(t, log, `{"timestamp":"2026-01-02T09:01:00.000Z","type":"response_item","payload":{"type":"custom_tool_call","status":"completed","call_id":"c1","name":"apply_patch","input":"*** Begin Patch\n*** Add File: pkg/a.go\n+package pkg\n*** End Patch"}}`+"\n")
		}
	}
	keys, _ := db.PathKeys(context.Background())
	want := "~/src/café app/日本/pkg/a.go | ~/src/café app/日本 | pkg/a.go | " + keys.Key(filepath.Join(real, "pkg", "a.go"))
	if got := edits(t, db); got != want {
		t.Errorf("file edits:\n%s\nwant:\n%s", got, want)
	}
	if raw := dumpTable(t, db, "SELECT hex(state) FROM sources"); strings.Contains(raw, strings.ToUpper(hexOf(home))) {
		t.Error("the decoder's stored state holds the home directory")
	}
}

func hexOf(s string) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(digits[s[i]>>4])
		b.WriteByte(digits[s[i]&15])
	}
	return b.String()
}
