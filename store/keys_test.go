package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestPathKeys(t *testing.T) {
	db, _ := open(t)
	keys, err := db.PathKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	root := keys.Key("/h/café app/日本")
	if got := strings.Count(root, "/"); got != 3 || len(root) != 3*17 {
		t.Errorf("key %q: want 3 elements of 16 hex digits", root)
	}
	file := keys.Key("/h/café app/日本/src/a.go")
	if !strings.HasPrefix(file, root+"/") {
		t.Errorf("a file's key %q does not continue its directory's %q", file, root)
	}
	if got := keys.Child(root, "src/a.go"); got != file {
		t.Errorf("Child(root, src/a.go) = %q, want Key's %q", got, file)
	}
	if keys.Key("/h/café app/日本/src/../src/./a.go") != file {
		t.Error("an uncleaned path has another key")
	}
	for _, p := range []string{"", "rel/a.go", `C:\x`} {
		if k := keys.Key(p); k != "" {
			t.Errorf("Key(%q) = %q, want none", p, k)
		}
	}
	if keys.Key("/h/café app/日本語") == keys.Key("/h/café app/日本") || strings.HasPrefix(keys.Key("/h/café app/日本語"), root) {
		t.Error("a sibling whose name starts the same shares the key")
	}
	// Another database has another secret: keys tell nothing across them.
	other, _ := open(t)
	okeys, _ := other.PathKeys(context.Background())
	if okeys.Key("/h/café app/日本") == root {
		t.Error("two databases give the same key")
	}
}

// TestKeyedQueries checks the selections by key: edits under a worktree,
// prompts of sessions that worked there, sessions by directory, compared as
// bytes (a non-ASCII path, a sibling whose name starts the same).
func TestKeyedQueries(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	keys, _ := db.PathKeys(ctx)
	repo, sibling := "/h/café app/日本", "/h/café app/日本語"
	t0 := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	add(t, db, "log",
		Session{ID: "in", Cwd: "~/café app/日本", CwdKey: keys.Key(repo), Started: t0},
		Prompt{Session: "in", Key: "p1", Time: t0, Text: "a", CwdKey: keys.Key(repo + "/src")},
		FileEdit{Session: "in", Prompt: "p1", CallID: "c1", Time: t0, Path: "~/café app/日本/src/a.go", Op: OpAdd,
			PathKey: keys.Key(repo + "/src/a.go")},
		Session{ID: "out", CwdKey: keys.Key(sibling), Started: t0},
		Prompt{Session: "out", Key: "p1", Time: t0, Text: "b", CwdKey: keys.Key(sibling)},
		FileEdit{Session: "out", Prompt: "p1", CallID: "c1", Time: t0, Path: "x", Op: OpAdd, PathKey: keys.Key(sibling + "/a.go")},
		Session{ID: "none", Started: t0},
		FileEdit{Session: "none", CallID: "c1", Time: t0, Path: `C:\w\a.go`, Op: OpAdd},
	)
	edits, err := db.EditsUnder(ctx, []string{keys.Key(repo)}, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil || len(edits) != 1 || edits[0].SessionID != "in" || edits[0].PathKey != keys.Key(repo+"/src/a.go") {
		t.Errorf("EditsUnder = %+v, %v; want the edit of session in", edits, err)
	}
	// A worktree without a local key selects nothing (not everything).
	if none, err := db.EditsUnder(ctx, []string{""}, t0.Add(-time.Hour), t0.Add(time.Hour)); err != nil || len(none) != 0 {
		t.Errorf("EditsUnder(no key) = %d edits, %v; want none", len(none), err)
	}
	prompts, err := db.PromptsUnder(ctx, []string{keys.Key(repo)}, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil || len(prompts) != 1 || prompts[0].SessionID != "in" {
		t.Errorf("PromptsUnder = %+v, %v; want the prompt of session in", prompts, err)
	}
	for _, tt := range []struct {
		dir  string
		want []string
	}{
		{repo, []string{"in"}},
		{repo + "/src", []string{"in"}}, // by the prompt's cwd and the edit
		{"/h/café app", []string{"in", "out"}},
		{sibling, []string{"out"}},
		{"/elsewhere", nil},
	} {
		list, err := db.Sessions(ctx, SessionFilter{Dir: keys.Key(tt.dir)})
		var got []string
		for _, s := range list {
			got = append(got, s.SessionID)
		}
		sort.Strings(got)
		if err != nil || strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("sessions in %s = %v (%v), want %v", tt.dir, got, err, tt.want)
		}
	}
}

// TestCharge checks that each API call is charged to one commit: the first
// that counts it, again to that commit when it is annotated again, to the
// commits that replace it, and to no other.
func TestCharge(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	u := func(key string, at time.Duration, in int64) Usage {
		return Usage{Session: "s", Prompt: "p1", Time: t0.Add(at), Model: "m", Input: in, Key: key}
	}
	add(t, db, "log",
		Session{ID: "s", Started: t0},
		Prompt{Session: "s", Key: "p1", Time: t0, Text: "a"},
		u("k1", time.Minute, 100), u("k2", 2*time.Minute, 20),
		Usage{Session: "s", Prompt: "p1", Time: t0.Add(3 * time.Minute), Model: "m", Input: 3}, // no key
		u("k4", time.Hour, 4000),
	)
	refs, err := db.FindPrompts(ctx, []PromptRef{{Agent: "claude", SessionID: "s", Key: "p1"}})
	if err != nil || len(refs) != 1 {
		t.Fatalf("FindPrompts = %v, %v", refs, err)
	}
	ids := []int64{refs[0].ID}
	charge := func(sha string, origins []string, until time.Duration) Charge {
		t.Helper()
		c, err := db.Charge(ctx, ChargeQuery{Repo: "r", SHA: sha, Origins: origins, Prompts: ids, Until: t0.Add(until)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	total := func(c Charge) int64 {
		var n int64
		for _, m := range c.Tokens {
			n += m.Total
		}
		return n
	}
	save := func(sha string, c Charge) {
		t.Helper()
		if err := db.SaveCommit(ctx, CommitRecord{Repo: "r", SHA: sha, Status: CommitAnnotated, Calls: c.Calls}); err != nil {
			t.Fatal(err)
		}
	}
	// The first commit, ten minutes in, counts the three calls made by then.
	c1 := charge("c1", nil, 10*time.Minute)
	if total(c1) != 123 || len(c1.Calls) != 3 || c1.Sessions.Total != 123 {
		t.Fatalf("first commit: %d tokens, calls %v, session %d; want 123, 3 calls, 123", total(c1), c1.Calls, c1.Sessions.Total)
	}
	save("c1", c1)
	// Annotated again, later: the same figure.
	if got := total(charge("c1", nil, 2*time.Hour)); got != 123+4000 {
		t.Errorf("c1 again, after the last call: %d, want 4123 (its calls and the one nobody counted)", got)
	}
	if got := total(charge("c1", nil, 10*time.Minute)); got != 123 {
		t.Errorf("c1 again: %d, want 123", got)
	}
	// A later commit linking the same prompt counts only the new call.
	c2 := charge("c2", nil, 2*time.Hour)
	if total(c2) != 4000 || c2.Sessions.Total != 4123 {
		t.Errorf("second commit: %d tokens, session %d; want 4000, 4123", total(c2), c2.Sessions.Total)
	}
	save("c2", c2)
	// A rewrite of c1 (at any time) takes c1's figure; of c1 and c2 their sum.
	if got := total(charge("n1", []string{"c1"}, 10*time.Minute)); got != 123 {
		t.Errorf("rewrite of c1: %d, want 123", got)
	}
	if got := total(charge("n12", []string{"c1", "c2"}, 10*time.Minute)); got != 4123 {
		t.Errorf("squash of c1 and c2: %d, want 4123", got)
	}
	// Another repository charges on its own.
	if c, _ := db.Charge(ctx, ChargeQuery{Repo: "other", SHA: "x", Prompts: ids, Until: t0.Add(2 * time.Hour)}, nil); total(c) != 4123 {
		t.Errorf("another repository: %d, want 4123", total(c))
	}
	// Calls that a commit annotated earlier in the same run took (not saved
	// yet) are not counted again.
	taken := map[string]bool{}
	for _, c := range c2.Calls {
		taken[c] = true
	}
	if c, err := db.Charge(ctx, ChargeQuery{Repo: "other", SHA: "y", Prompts: ids, Until: t0.Add(2 * time.Hour), Taken: taken}, nil); err != nil || total(c) != 123 {
		t.Errorf("with c2's calls taken: %d (%v), want 123", total(c), err)
	}
	// A rewrite (amend, rebase) replaces c1: c1's charges move to it.
	if err := db.SaveCommit(ctx, CommitRecord{Repo: "r", SHA: "n1", Status: CommitAnnotated, Calls: c1.Calls, Replaced: []string{"c1"}}); err != nil {
		t.Fatal(err)
	}
	if got := total(charge("c1", nil, 10*time.Minute)); got != 0 {
		t.Errorf("c1 after its rewrite: %d, want 0 (its calls are n1's)", got)
	}
	// Saved again with fewer calls, n1 releases the others.
	save("n1", Charge{Calls: c1.Calls[:1]})
	if got := total(charge("c3", nil, 2*time.Hour)); got == 0 {
		t.Error("calls released by n1 are not counted again")
	}
}

// TestCreditsAndReplacement checks what a commit's record says of the
// agents' lines it credits and of the commit it replaces: credits are read
// back by edit, a rewrite takes them over and marks the replaced commit,
// which no longer counts; annotated again, a replaced commit counts again.
func TestCreditsAndReplacement(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	save := func(c CommitRecord) {
		t.Helper()
		c.Repo, c.Status = "r", CommitAnnotated
		if err := db.SaveCommit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	credits := func(edits ...string) []Credit {
		t.Helper()
		got, err := db.Credits(ctx, "r", edits)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	counting := func() []string {
		t.Helper()
		var out []string
		err := db.each(ctx, `SELECT c.sha FROM commits c WHERE `+CommitCounts+` ORDER BY c.sha`, nil, func(r *sql.Rows) error {
			var sha string
			err := r.Scan(&sha)
			out = append(out, sha)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	save(CommitRecord{SHA: "c1", Credits: []Credit{{Edit: "e1", Line: "l1", N: 2}, {Edit: "e2", Line: "l2", N: 1}}})
	save(CommitRecord{SHA: "c2", Credits: []Credit{{Edit: "e1", Line: "l1", N: 1}}})
	want := []Credit{{SHA: "c1", Edit: "e1", Line: "l1", N: 2}, {SHA: "c2", Edit: "e1", Line: "l1", N: 1}}
	if got := credits("e1", "e9"); !reflect.DeepEqual(got, want) {
		t.Errorf("credits of e1: %+v, want %+v", got, want)
	}
	if got, _ := db.Credits(ctx, "other", []string{"e1"}); len(got) != 0 {
		t.Errorf("another repository's credits: %+v, want none", got)
	}
	// An amend of c1: n1 takes its credits over, c1 no longer counts.
	save(CommitRecord{SHA: "n1", Credits: []Credit{{Edit: "e1", Line: "l1", N: 2}}, Replaced: []string{"c1"}})
	want = []Credit{{SHA: "c2", Edit: "e1", Line: "l1", N: 1}, {SHA: "n1", Edit: "e1", Line: "l1", N: 2}}
	if got := credits("e1", "e2"); !reflect.DeepEqual(got, want) {
		t.Errorf("credits after the amend: %+v, want %+v", got, want)
	}
	if got := counting(); !reflect.DeepEqual(got, []string{"c2", "n1"}) {
		t.Errorf("commits that count: %v, want [c2 n1]", got)
	}
	// Back in history (a reset to it) and annotated again, c1 counts.
	save(CommitRecord{SHA: "c1"})
	if got := counting(); !reflect.DeepEqual(got, []string{"c1", "c2", "n1"}) {
		t.Errorf("commits that count: %v, want [c1 c2 n1]", got)
	}
}

// TestPathKeyer checks that the keyer of many paths gives each path's
// PathKey.
func TestPathKeyer(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	keyer, err := db.PathKeyer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/a/b.jsonl", "", "/home/ü/x", "/a/b.jsonl"} {
		want, err := db.PathKey(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := keyer(p); got != want {
			t.Errorf("keyer(%q) = %s, want %s", p, got, want)
		}
	}
}

// TestSources checks that the watermarks asked for are found, by a few
// keys or by many (which reads them all).
func TestSources(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	b, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i := range 1200 {
		k := fmt.Sprintf("k%04d", i)
		src, err := b.Source("test", k, "/log"+k)
		if err != nil {
			t.Fatal(err)
		}
		src.Size, src.Offset = int64(i), int64(i/2)
		if err := b.SaveSource(src); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, ask := range [][]string{keys[:3], append(keys[:1100:1100], "missing")} {
		got, err := db.Sources(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range ask {
			w, ok := got[k]
			if k == "missing" {
				if ok {
					t.Errorf("%s found", k)
				}
				continue
			}
			var i int64
			fmt.Sscanf(k, "k%d", &i)
			if !ok || w.Size != i || w.Offset != i/2 {
				t.Errorf("%s: %+v, %v; want size %d, offset %d", k, w, ok, i, i/2)
			}
		}
	}
}
