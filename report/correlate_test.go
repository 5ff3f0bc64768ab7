package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
	"github.com/aitrail/aitrail/store/storetest"
)

// corrFixture is a repository and a database with records written by hand:
// commits made at given times, and agents' prompts and edits at others.
type corrFixture struct {
	t   *testing.T
	dir string
	git func(args ...string) string
	db  *store.DB
	n   int // call ids
}

func newCorrFixture(t *testing.T) *corrFixture {
	dir, git := gitRepo(t)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "trail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &corrFixture{t: t, dir: dir, git: git, db: db}
}

// at parses a time of 2026-01-02 ("10:00:00") or a full RFC 3339 time.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	if !strings.Contains(s, "T") {
		s = "2026-01-02T" + s + "Z"
	}
	when, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return when
}

// write writes files (path → content) into the work tree.
func (f *corrFixture) write(files map[string]string) {
	f.t.Helper()
	for p, content := range files {
		full := filepath.Join(f.dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			f.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
}

// commit writes files, stages everything and commits at when.
func (f *corrFixture) commit(when string, files map[string]string) gitlog.Hash {
	f.t.Helper()
	f.write(files)
	f.git("add", "-A")
	return f.commitStaged(when, "commit at "+when)
}

// commitStaged commits what is staged at when.
func (f *corrFixture) commitStaged(when, msg string, args ...string) gitlog.Hash {
	f.t.Helper()
	ts := at(f.t, when).Format(time.RFC3339)
	f.t.Setenv("GIT_AUTHOR_DATE", ts)
	f.t.Setenv("GIT_COMMITTER_DATE", ts)
	f.git(append([]string{"commit", "-q", "--allow-empty", "-m", msg}, args...)...)
	h, err := gitlog.ParseHash(f.git("rev-parse", "HEAD"))
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

// add writes records of a Codex session as ingest would.
func (f *corrFixture) add(recs ...store.Record) {
	f.t.Helper()
	storetest.Add(f.t, f.db, "codex", recs...)
}

// prompt records prompt key of session at when, in the repository.
func (f *corrFixture) prompt(session, key, when string) {
	f.t.Helper()
	ts := at(f.t, when)
	f.add(store.Session{ID: session, Cwd: f.dir, Model: "gpt-5.1-codex", Started: ts, Ended: ts},
		store.Prompt{Session: session, Key: key, Time: ts, Text: "prompt " + key, Cwd: f.dir})
}

// edit records that prompt key of session (recorded too) added lines to
// the file at path (relative to the repository) at when.
func (f *corrFixture) edit(session, key, when, path string, lines ...string) {
	f.t.Helper()
	f.editDiff(session, key, when, path, fmt.Sprintf("--- a/%s\n+++ b/%s\n@@ -0,0 +1,%d @@\n+%s\n", path, path, len(lines), strings.Join(lines, "\n+")))
}

// remove records that prompt key of session (recorded too) removed lines
// from the file at path at when, adding none.
func (f *corrFixture) remove(session, key, when, path string, lines ...string) {
	f.t.Helper()
	f.editDiff(session, key, when, path, fmt.Sprintf("--- a/%s\n+++ b/%s\n@@ -1,%d +0,0 @@\n-%s\n", path, path, len(lines), strings.Join(lines, "\n-")))
}

// editDiff records that prompt key of session (recorded too) changed the
// file at path at when, as the unified diff says.
func (f *corrFixture) editDiff(session, key, when, path, diff string) {
	f.t.Helper()
	f.prompt(session, key, when)
	f.n++
	var added, removed int
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "+++ "), strings.HasPrefix(l, "--- "):
		case strings.HasPrefix(l, "+"):
			added++
		case strings.HasPrefix(l, "-"):
			removed++
		}
	}
	f.add(store.FileEdit{Session: session, Prompt: key, CallID: fmt.Sprintf("call-%d", f.n), Time: at(f.t, when),
		Path: filepath.Join(f.dir, path), Op: store.OpUpdate, Added: added, Removed: removed, Diff: diff, Source: "apply_patch", Status: store.EditApplied})
}

func (f *corrFixture) open() *gitlog.Repo {
	f.t.Helper()
	repo, err := gitlog.Open(f.dir)
	if err != nil {
		f.t.Fatal(err)
	}
	return repo
}

func (f *corrFixture) correlate(h gitlog.Hash, opt Options) *Attribution {
	f.t.Helper()
	a, err := Correlate(context.Background(), f.db, f.open(), h, opt)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// promptKeys lists the keys of the linked prompts, sorted.
func promptKeys(a *Attribution) []string {
	var out []string
	for _, p := range a.Prompts {
		out = append(out, p.PromptRef.Key)
	}
	slices.Sort(out)
	return out
}

// fileShare returns "AI/added" per file.
func fileShare(a *Attribution) map[string]string {
	out := map[string]string{}
	for _, f := range a.Files {
		out[f.Path] = fmt.Sprintf("%d/%d", f.AI, f.Added)
	}
	return out
}

// TestCorrelateWindow checks the window's edges: an edit made from the
// parent's commit time to the commit's (plus the skew of 2 s) links its
// prompt by the file it touched (when it added lines, by those of them in
// the commit: see TestCorrelateAbsentLines); an edit made before the parent
// counts only for lines that first appear in the commit; an edit made after
// the skew does not count.
func TestCorrelateWindow(t *testing.T) {
	f := newCorrFixture(t)
	f.commit("10:00:00", map[string]string{"README.md": "demo\n"})
	f.remove("s1", "at-parent", "10:00:00", "c.go", "// unrelated")       // in the window from its first second
	f.edit("s1", "in-window", "10:30:00", "a.go", "func a() {}")          // in the window
	f.edit("s1", "before-kept", "09:00:00", "b.go", "func b() {}")        // before the parent: its line is new in the commit
	f.remove("s1", "before-lost", "09:59:59", "c.go", "func gone() {}")   // before the parent, and no line of its in the commit
	f.edit("s1", "in-skew", "11:00:02", "a.go", "// late")                // after the commit, within the skew
	f.edit("s1", "after-skew", "11:00:03", "a.go", "// too late")         // after the skew
	f.edit("s1", "other-file", "10:40:00", "elsewhere.go", "func e() {}") // a file the commit does not change
	c := f.commit("11:00:00", map[string]string{
		"a.go": "func a() {}\n// late\n// too late\n",
		"b.go": "func b() {}\n",
		"c.go": "func c() {}\n",
	})
	a := f.correlate(c, Options{})
	if got, want := promptKeys(a), []string{"at-parent", "before-kept", "in-skew", "in-window"}; !slices.Equal(got, want) {
		t.Errorf("linked prompts %v, want %v", got, want)
	}
	if got, want := fileShare(a), map[string]string{"a.go": "2/3", "b.go": "1/1", "c.go": "0/1"}; !mapsEqual(got, want) {
		t.Errorf("AI lines per file %v, want %v", got, want)
	}
	if a.AI != 3 || a.Added != 5 {
		t.Errorf("AI lines %d of %d, want 3 of 5", a.AI, a.Added)
	}
}

// TestCorrelateLookback checks that an edit made before the parent counts
// only within the look-back (7 days by default).
func TestCorrelateLookback(t *testing.T) {
	f := newCorrFixture(t)
	f.commit("2026-01-10T10:00:00Z", map[string]string{"README.md": "demo\n"})
	f.edit("s1", "eight-days", "2026-01-02T09:00:00Z", "a.go", "func a() {}")
	c := f.commit("2026-01-10T11:00:00Z", map[string]string{"a.go": "func a() {}\n"})
	for _, tt := range []struct {
		lookback time.Duration
		ai       int
	}{
		{0, 0}, // the default, 7 days: too old
		{9 * 24 * time.Hour, 1},
	} {
		a := f.correlate(c, Options{Lookback: tt.lookback})
		if a.AI != tt.ai || len(a.Prompts) != tt.ai {
			t.Errorf("look-back %v: %d AI lines, %d prompts; want %d", tt.lookback, a.AI, len(a.Prompts), tt.ai)
		}
	}
}

// TestCorrelateContext checks context prompts: prompts in the window of a
// session that contributed to the commit, that edited none of its files.
// Prompts of other sessions, prompts before the window, and prompts that
// edited the commit's files without their lines being in it, are not
// context.
func TestCorrelateContext(t *testing.T) {
	f := newCorrFixture(t)
	f.commit("10:00:00", map[string]string{"README.md": "demo\n"})
	f.prompt("s1", "before", "09:00:00")
	f.edit("s1", "author", "10:10:00", "a.go", "func a() {}")
	f.prompt("s1", "asked", "10:20:00")
	f.edit("s1", "elsewhere", "10:30:00", "notes.txt", "an edit of a file the commit leaves alone")
	f.prompt("s2", "other-session", "10:40:00")
	// It edited the commit's file, but the commit has none of its lines:
	// neither an author nor context (context prompts edited none of them).
	f.edit("s1", "overwritten", "10:45:00", "a.go", "func gone() {}")
	c := f.commit("11:00:00", map[string]string{"a.go": "func a() {}\n"})
	a := f.correlate(c, Options{})
	if got := promptKeys(a); !slices.Equal(got, []string{"author"}) {
		t.Errorf("linked prompts %v, want [author]", got)
	}
	var context []string
	for _, p := range a.Context {
		context = append(context, p.SessionID+"/"+p.Key)
	}
	if want := []string{"s1/asked", "s1/elsewhere"}; !slices.Equal(context, want) {
		t.Errorf("context prompts %v, want %v", context, want)
	}
}

// TestCorrelateMerge checks that a merge commit's own lines are those new
// to every parent: the merged branch's lines belong to the branch's
// commits, and what the merge itself added is attributed.
func TestCorrelateMerge(t *testing.T) {
	f := newCorrFixture(t)
	f.commit("09:00:00", map[string]string{"README.md": "demo\n"})
	f.git("checkout", "-q", "-b", "feature")
	f.edit("s1", "feature", "09:30:00", "f.go", "func f() {}")
	f.commit("10:00:00", map[string]string{"f.go": "func f() {}\n"})
	f.git("checkout", "-q", "main")
	f.commit("10:30:00", map[string]string{"m.go": "func m() {}\n"})
	f.git("merge", "-q", "--no-ff", "--no-commit", "feature")
	f.edit("s1", "resolve", "10:50:00", "glue.go", "func glue() { f(); m() }")
	f.write(map[string]string{"glue.go": "func glue() { f(); m() }\n"})
	f.git("add", "-A")
	merge := f.commitStaged("11:00:00", "Merge feature")
	a := f.correlate(merge, Options{})
	if got := promptKeys(a); !slices.Equal(got, []string{"resolve"}) {
		t.Errorf("linked prompts %v, want [resolve]: the feature's prompt belongs to its own commit", got)
	}
	if a.AI != 1 || a.Added != 1 || fileShare(a)["f.go"] != "0/0" {
		t.Errorf("merge: %d AI lines of %d, files %v; want only glue.go's line", a.AI, a.Added, fileShare(a))
	}
}

// TestCorrelateStaged checks the staged changes (prepare-commit-msg): a
// line the agent wrote that is not staged does not count.
func TestCorrelateStaged(t *testing.T) {
	f := newCorrFixture(t)
	f.commit("10:00:00", map[string]string{"README.md": "demo\n"})
	f.edit("s1", "p1", "10:10:00", "a.go", "func a() {}", "func a2() {}")
	f.edit("s1", "p2", "10:20:00", "b.go", "func b() {}")
	f.write(map[string]string{"a.go": "func a() {}\n", "b.go": "func b() {}\n"})
	f.git("add", "a.go")
	f.write(map[string]string{"a.go": "func a() {}\nfunc a2() {}\n"}) // not staged
	a, err := CorrelateStaged(context.Background(), f.db, f.open(), at(t, "11:00:00"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := promptKeys(a); !slices.Equal(got, []string{"p1"}) {
		t.Errorf("linked prompts %v, want [p1] (b.go is not staged)", got)
	}
	if a.AI != 1 || a.Added != 1 {
		t.Errorf("%d AI lines of %d staged, want 1 of 1", a.AI, a.Added)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
