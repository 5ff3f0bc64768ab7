package store

import (
	"context"
	"testing"
	"time"
)

// TestUnderNonASCIIRoot checks that paths under a root with non-ASCII
// letters are found, and not those of a sibling whose name starts the
// same: keys compare as bytes (SQLite's substr, which counts characters,
// is not used).
func TestUnderNonASCIIRoot(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	keys, err := db.PathKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	root := "/home/zoë/Mes projets/dépôt"
	add(t, db, "a",
		Session{ID: "s1", Cwd: root, CwdKey: keys.Key(root), Started: when},
		Prompt{Session: "s1", Key: "p1", Time: when, Text: "x", Cwd: root, CwdKey: keys.Key(root)},
		FileEdit{Session: "s1", Prompt: "p1", CallID: "c1", Time: when, Path: root + "/a.go", Op: "add", Added: 1,
			Diff: "--- /dev/null\n+++ b/a.go\n@@ -0,0 +1 @@\n+x\n", Status: "applied", PathKey: keys.Key(root + "/a.go")},
		Session{ID: "s2", Cwd: root + "s", CwdKey: keys.Key(root + "s"), Started: when},
	)
	edits, err := db.EditsUnder(ctx, []string{keys.Key(root)}, when.Add(-time.Hour), when.Add(time.Hour))
	if err != nil || len(edits) != 1 {
		t.Errorf("EditsUnder = %d edits, %v; want 1", len(edits), err)
	}
	prompts, err := db.PromptsUnder(ctx, []string{keys.Key(root)}, when.Add(-time.Hour), when.Add(time.Hour))
	if err != nil || len(prompts) != 1 {
		t.Errorf("PromptsUnder = %d prompts, %v; want 1", len(prompts), err)
	}
	sessions, err := db.Sessions(ctx, SessionFilter{Dir: keys.Key(root + "/")})
	if err != nil || len(sessions) != 1 || sessions[0].SessionID != "s1" {
		t.Errorf("Sessions(repo) = %+v, %v; want s1 alone", sessions, err)
	}
}
