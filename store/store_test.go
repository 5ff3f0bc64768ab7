package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func open(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", "trail.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func TestOpenCreatesPrivateFileAndMigrates(t *testing.T) {
	db, path := open(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("database mode = %v, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(filepath.Dir(path)); di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode = %v, want 0700", di.Mode().Perm())
	}
	var v int
	if err := db.sql.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion() {
		t.Errorf("user_version = %d (%v), want %d", v, err, SchemaVersion())
	}
	var mode string
	db.sql.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	db.Close()
	// Reopening an up-to-date database changes nothing.
	db2, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trail.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = Open(context.Background(), path)
	if !errors.Is(err, ErrTooNew) {
		t.Fatalf("Open = %v, want ErrTooNew", err)
	}
}

func add(t *testing.T, db *DB, path string, recs ...Record) {
	t.Helper()
	b, err := db.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback()
	src, err := b.Source("claude", path, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if _, err := b.Add(src, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
}

func sessionTokens(t *testing.T, db *DB, id string) Tokens {
	t.Helper()
	s, err := db.FindSession(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s.Tokens
}

func TestUsageDeduplication(t *testing.T) {
	db, _ := open(t)
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	u := func(key, group string, side bool, out int64) Usage {
		return Usage{Session: "s", Time: ts, Model: "m", Input: 10, Output: out, Key: key, Group: group, Sidechain: side}
	}
	// One response split over three lines with growing output: the largest is kept.
	add(t, db, "a", u("m1:r1", "m1", false, 1), u("m1:r1", "m1", false, 50), u("m1:r1", "m1", false, 20))
	if got := sessionTokens(t, db, "s"); got.Output != 50 || got.Input != 10 {
		t.Errorf("split response: tokens = %+v, want input 10 output 50", got)
	}
	// The same entry read from another file (a resumed session) counts once.
	add(t, db, "b", u("m1:r1", "m1", false, 50))
	// A sidechain replay of a counted message with another request id is dropped.
	add(t, db, "c", u("m1:r9", "m1", true, 500))
	// Entries without a key are never de-duplicated.
	add(t, db, "c", u("", "", false, 3), u("", "", false, 3))
	if got := sessionTokens(t, db, "s"); got.Output != 56 || got.Input != 30 {
		t.Errorf("tokens = %+v, want input 30 output 56", got)
	}
	// A sidechain entry seen first is replaced when the parent's copy arrives.
	add(t, db, "d", u("m2:r2", "m2", true, 7))
	add(t, db, "e", u("m2:r3", "m2", false, 5))
	if got := sessionTokens(t, db, "s"); got.Output != 61 {
		t.Errorf("after parent copy: output = %d, want 61", got.Output)
	}
	// Same key: the non-sidechain entry wins even when smaller.
	add(t, db, "f", u("m3:r4", "m3", false, 2), u("m3:r4", "m3", true, 90))
	if got := sessionTokens(t, db, "s"); got.Output != 63 {
		t.Errorf("same key: output = %d, want 63", got.Output)
	}
}

func TestSessionMergeAndReset(t *testing.T) {
	db, _ := open(t)
	t1 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	add(t, db, "a",
		Session{ID: "s", Cwd: "/first", Model: "m1", Started: t2, Ended: t2},
		Session{ID: "s", Cwd: "/second", Model: "m2", Title: "T", Started: t1, Ended: t1},
		Prompt{Session: "s", Key: "k1", Time: t1, Text: "hello"},
		Prompt{Session: "s", Key: "k1", Time: t1, Text: "hello"},
		Prompt{Session: "s", Key: "k2", Time: t2, Text: "again"},
		ToolResult{Session: "s", CallID: "c1", Output: "out", Status: "ok"},
		ToolCall{Session: "s", Prompt: "k2", CallID: "c1", Name: "shell", Input: "ls"},
		FileEdit{Session: "s", Prompt: "k2", CallID: "c1", Path: "/r/x.go", Op: OpUpdate, Added: 1, Source: "apply_patch", Root: "/r", RelPath: "x.go"},
		FileEdit{Session: "s", CallID: "c1", Path: "/r/x.go", Op: OpUpdate, Added: 2, Source: "patch_apply_end", Root: "/r", RelPath: "x.go"},
	)
	ctx := context.Background()
	s, err := db.FindSession(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	if s.Cwd != "/first" || s.Model != "m2" || s.Title != "T" || !s.Started.Equal(t1) || !s.Ended.Equal(t2) {
		t.Errorf("merged session = %+v", s)
	}
	if s.Prompts != 2 || s.ToolCalls != 1 || s.Edits != 1 {
		t.Errorf("counts = %d prompts %d calls %d edits, want 2 1 1", s.Prompts, s.ToolCalls, s.Edits)
	}
	d, err := db.Detail(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	p := d.Prompts[1]
	if len(p.ToolCalls) != 1 || p.ToolCalls[0].Output != "out" || p.ToolCalls[0].Name != "shell" {
		t.Errorf("tool call joined to result = %+v", p.ToolCalls)
	}
	if len(p.Edits) != 1 || p.Edits[0].Added != 2 || p.Edits[0].Via != "patch_apply_end" || p.Edits[0].RelPath != "x.go" {
		t.Errorf("edit replaced by the later record = %+v (prompt kept)", p.Edits)
	}
	// Resetting the source removes its rows and the session they created.
	b, _ := db.Begin(ctx)
	src, _ := b.Source("claude", "a", "a")
	if err := b.ResetSource(src.ID); err != nil {
		t.Fatal(err)
	}
	b.Commit()
	if _, err := db.FindSession(ctx, "s"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after reset FindSession = %v, want ErrNotFound", err)
	}
}

// TestSubagentTakesParentCwd: a sub-agent session whose log tells no
// working directory takes its parent's, whether the parent is read before
// it or after; one with a directory of its own keeps it.
func TestSubagentTakesParentCwd(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	add(t, db, "p1", Session{ID: "parent1", Cwd: "~/src/app", CwdKey: "k1", Started: at, Ended: at})
	add(t, db, "c1", Session{ID: "child1", ParentID: "parent1", Relation: "subagent", Started: at, Ended: at},
		Session{ID: "own", ParentID: "parent1", Relation: "subagent", Cwd: "~/elsewhere", CwdKey: "k9", Started: at, Ended: at})
	add(t, db, "c2", Session{ID: "child2", ParentID: "parent2", Relation: "subagent", Started: at, Ended: at})
	add(t, db, "p2", Session{ID: "parent2", Cwd: "~/src/api", CwdKey: "k2", Started: at, Ended: at})
	for id, want := range map[string]string{"child1": "~/src/app", "own": "~/elsewhere", "child2": "~/src/api"} {
		s, err := db.FindSession(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if s.Cwd != want {
			t.Errorf("%s: cwd %q, want %q", id, s.Cwd, want)
		}
	}
	var keys int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM sessions WHERE external_id IN ('child1', 'child2') AND cwd_key IN ('k1', 'k2')`).Scan(&keys); err != nil || keys != 2 {
		t.Errorf("sub-agents with their parent's cwd key: %d (%v), want 2", keys, err)
	}
}

// TestPromptCompleted: a later record of a prompt replaces the fields it
// carries and keeps the others, in the store as in MergePrompt: a record
// of its key and model (a Claude Code prompt, once the agent answers)
// completes it, in the same batch or a later one.
func TestPromptCompleted(t *testing.T) {
	db, _ := open(t)
	t1 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	first := Prompt{Session: "s", Key: "k1", Time: t1, Text: "hello", Context: "ctx", Cwd: "/r", CwdKey: "key-r"}
	add(t, db, "a", Session{ID: "s"}, first, Prompt{Session: "s", Key: "k2", Time: t1, Text: "again"})
	add(t, db, "a", Prompt{Session: "s", Key: "k1", Model: "m1"}, Prompt{Session: "s", Key: "k2", Text: "again, edited", Model: "m2"})
	ctx := context.Background()
	s, err := db.FindSession(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Detail(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	want := first
	MergePrompt(&want, Prompt{Session: "s", Key: "k1", Model: "m1"})
	if want.Text != "hello" || want.Model != "m1" || want.CwdKey != "key-r" {
		t.Errorf("MergePrompt = %+v", want)
	}
	p := d.Prompts[0]
	if p.Text != "hello" || p.Context != "ctx" || p.Cwd != "/r" || !p.Time.Equal(t1) || p.Model != "m1" || p.Seq != 1 {
		t.Errorf("completed prompt = %+v, want its text, context, cwd, time and seq kept, model m1", p)
	}
	if q := d.Prompts[1]; q.Text != "again, edited" || q.Model != "m2" || !q.Time.Equal(t1) || q.Seq != 2 {
		t.Errorf("updated prompt = %+v", q)
	}
}

func TestFindSession(t *testing.T) {
	db, _ := open(t)
	add(t, db, "a", Session{ID: "abc-1"}, Session{ID: "abc-2"}, Session{ID: "x:y"})
	ctx := context.Background()
	for ref, want := range map[string]string{"abc-1": "abc-1", "claude:abc-2": "abc-2", "x:y": "x:y"} {
		s, err := db.FindSession(ctx, ref)
		if err != nil || s.SessionID != want {
			t.Errorf("FindSession(%q) = %q, %v; want %q", ref, s.SessionID, err, want)
		}
	}
	if _, err := db.FindSession(ctx, "abc"); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("prefix of two: %v, want ErrAmbiguous", err)
	}
	if _, err := db.FindSession(ctx, "zzz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown: %v, want ErrNotFound", err)
	}
}

func TestStats(t *testing.T) {
	db, _ := open(t)
	day1 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	add(t, db, "a",
		Usage{Session: "s1", Time: day1, Model: "a", Input: 1, Output: 2, CacheRead: 3, CacheWrite: 4},
		Usage{Session: "s1", Time: day1.Add(24 * time.Hour), Model: "b", Input: 10},
		Usage{Session: "s2", Time: day1, Model: "a", Input: 100},
	)
	rows, err := db.Stats(context.Background(), "day", SessionFilter{}, time.UTC, func(string, Tokens) (float64, bool) { return 1, true })
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Date != "2026-01-01" || rows[0].Total != 110 || rows[0].Sessions != 2 || rows[0].Cost != 2 || rows[1].Total != 10 {
		t.Errorf("by day = %+v", rows)
	}
	rows, _ = db.Stats(context.Background(), "session", SessionFilter{}, time.UTC, nil)
	if len(rows) != 2 || rows[0].SessionID != "s1" || rows[0].Total != 20 || len(rows[0].Models) != 2 {
		t.Errorf("by session = %+v", rows)
	}
	// A session without any usage of an agent whose logs hold no token
	// counts is counted apart: not recorded, not zero. (The sessions here
	// are "claude"'s, taken for such an agent.) Of another agent, it is not:
	// it spent nothing, or its usage was counted in another session.
	add(t, db, "b", Session{ID: "s3", Started: day1}, Prompt{Session: "s3", Key: "p", Time: day1, Text: "hi"},
		Usage{Session: "s4", Time: day1, Model: "a"})
	for _, tt := range []struct {
		f      SessionFilter
		agents []string
		want   map[string]int
	}{
		{SessionFilter{}, []string{"claude"}, map[string]int{"claude": 1}},
		{SessionFilter{Since: day1.Add(48 * time.Hour)}, []string{"claude"}, map[string]int{}},
		{SessionFilter{Agent: "codex"}, []string{"claude", "codex"}, map[string]int{}},
		{SessionFilter{}, []string{"vscode"}, map[string]int{}},
	} {
		got, err := db.Unrecorded(context.Background(), tt.f, tt.agents)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Unrecorded(%+v) = %v, want %v", tt.f, got, tt.want)
		}
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a#b.db", "c?d.db", "e%20f.db"} {
		path := filepath.Join(dir, name)
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: the database went elsewhere: %v", name, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files in the directory: %v, want exactly the three databases", names)
	}
}

// TestPathsWithNonASCIILetters: a repository whose path has non-ASCII
// letters and spaces selects its sessions and edits (keys compare as bytes;
// SQLite's substr, which counts characters, is not used).
func TestPathsWithNonASCIILetters(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	keys, err := db.PathKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	repo := "/h/src/mon dépôt"
	when := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	add(t, db, "a", Session{ID: "s1", Cwd: "~/src/mon dépôt", CwdKey: keys.Key(repo), Started: when},
		Prompt{Session: "s1", Key: "p1", Time: when, Text: "x"},
		FileEdit{Session: "s1", Prompt: "p1", CallID: "c1", Time: when, Path: "~/src/mon dépôt/app.js", Op: OpUpdate, Added: 1,
			Status: EditApplied, PathKey: keys.Key(repo + "/app.js")},
		Session{ID: "s2", Cwd: "~/src/mon dépôt2", CwdKey: keys.Key(repo + "2"), Started: when})
	edits, err := db.EditsUnder(ctx, []string{keys.Key(repo)}, when.Add(-time.Hour), when.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) != 1 || edits[0].Path != "~/src/mon dépôt/app.js" {
		t.Errorf("EditsUnder = %+v, want the one edit", edits)
	}
	list, err := db.Sessions(ctx, SessionFilter{Dir: keys.Key(repo)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].SessionID != "s1" {
		t.Errorf("Sessions(repo) = %+v, want s1", list)
	}
}

// TestBatchTimeUpIsSaid checks that a batch whose context ends part way
// says so: database/sql rolls the transaction back by itself then, and the
// next statement used to fail with "sql: statement is closed", which hid
// that a hook had run out of time (and printed an error line in it).
func TestBatchTimeUpIsSaid(t *testing.T) {
	db, _ := open(t)
	ctx, stop := context.WithCancel(context.Background())
	b, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback()
	src, err := b.Source("test", "k", "/log")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.AddRaw(src.ID, 1, 0, []byte(`{}`), nil); err != nil {
		t.Fatal(err)
	}
	stop()
	// database/sql rolls back from a goroutine of its own: wait for it.
	for b.tx.QueryRowContext(context.Background(), `SELECT 1`).Scan(new(int)) == nil {
		time.Sleep(time.Millisecond)
	}
	err = b.AddRaw(src.ID, 2, 0, []byte(`{}`), nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("AddRaw after the context ended: %v, want context.Canceled", err)
	}
	if err := b.Commit(); !errors.Is(err, context.Canceled) {
		t.Errorf("Commit after the context ended: %v, want context.Canceled", err)
	}
}
