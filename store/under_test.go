package store

import (
	"context"
	"testing"
	"time"
)

// TestUnderNonASCIIRoot checks that paths under a root with non-ASCII
// letters are found: SQLite's substr counts characters, not bytes.
func TestUnderNonASCIIRoot(t *testing.T) {
	db, _ := open(t)
	when := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	root := "/home/zoë/Mes projets/dépôt"
	add(t, db, "a",
		Session{ID: "s1", Cwd: root, Started: when},
		Prompt{Session: "s1", Key: "p1", Time: when, Text: "x", Cwd: root},
		FileEdit{Session: "s1", Prompt: "p1", CallID: "c1", Time: when, Path: root + "/a.go", Op: "add", Added: 1,
			Diff: "--- /dev/null\n+++ b/a.go\n@@ -0,0 +1 @@\n+x\n", Status: "applied"},
		Session{ID: "s2", Cwd: "/home/zoë/Mes projets/dépôts", Started: when},
	)
	ctx := context.Background()
	edits, err := db.EditsUnder(ctx, []string{root}, when.Add(-time.Hour), when.Add(time.Hour))
	if err != nil || len(edits) != 1 {
		t.Errorf("EditsUnder = %d edits, %v; want 1", len(edits), err)
	}
	prompts, err := db.PromptsUnder(ctx, []string{root}, when.Add(-time.Hour), when.Add(time.Hour))
	if err != nil || len(prompts) != 1 {
		t.Errorf("PromptsUnder = %d prompts, %v; want 1", len(prompts), err)
	}
	sessions, err := db.Sessions(ctx, SessionFilter{Repo: root + "/"})
	if err != nil || len(sessions) != 1 || sessions[0].SessionID != "s1" {
		t.Errorf("Sessions(repo) = %+v, %v; want s1 alone", sessions, err)
	}
}
