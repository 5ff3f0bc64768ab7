package gitlog

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// team is a bare remote and clones of it.
type team struct {
	t      *testing.T
	remote string
}

func newTeam(t *testing.T) *team {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tm := &team{t: t, remote: filepath.Join(dir, "remote.git")}
	if out, err := runGit(dir, nil, "init", "-q", "--bare", "-b", "main", tm.remote); err != nil {
		t.Fatalf("init remote: %v\n%s", err, out)
	}
	return tm
}

// start makes clone a with one commit pushed, then clone b of it.
func (tm *team) start() (a, b *testRepo, c1 Hash) {
	tm.t.Helper()
	a = tm.clone("a")
	c1 = a.commit("one")
	a.git("push", "-q", "origin", "HEAD:main")
	return a, tm.clone("b"), c1
}

func (tm *team) clone(name string) *testRepo {
	tm.t.Helper()
	dir := filepath.Join(filepath.Dir(tm.remote), name)
	if out, err := runGit(filepath.Dir(tm.remote), nil, "clone", "-q", tm.remote, dir); err != nil {
		tm.t.Fatalf("clone: %v\n%s", err, out)
	}
	return &testRepo{t: tm.t, dir: dir}
}

func (r *testRepo) note(ref string, c Hash) (string, bool) {
	r.t.Helper()
	text, ok, err := r.open().ReadNote(ref, c)
	if err != nil {
		r.t.Fatal(err)
	}
	return text, ok
}

func TestNotesRefspec(t *testing.T) {
	a, b, c1 := newTeam(t).start()
	repo := b.open()
	if added, err := repo.AddNotesFetch("origin", "aitrail"); err != nil || !added {
		t.Fatalf("AddNotesFetch = %v, %v", added, err)
	}
	if added, err := repo.AddNotesFetch("origin", "refs/notes/aitrail"); err != nil || added {
		t.Fatalf("AddNotesFetch again = %v, %v; want no second refspec", added, err)
	}
	// The remote has no notes yet: fetching must not fail.
	b.git("fetch", "-q")
	// A note of b's own, which a fetch must never replace.
	if err := repo.WriteNote("aitrail", c1, "b's note\n"); err != nil {
		t.Fatal(err)
	}
	a.git("notes", "--ref=aitrail", "add", "-m", "a's note", c1.String())
	a.git("push", "-q", "origin", "refs/notes/aitrail")
	b.git("fetch", "-q")
	if got, _ := b.note(TrackingRef("origin", "refs/notes/aitrail"), c1); got != "a's note\n" {
		t.Errorf("tracking ref has %q, want a's note", got)
	}
	if got, _ := b.note("aitrail", c1); got != "b's note\n" {
		t.Errorf("local note = %q after fetch, want b's own", got)
	}
	if removed, err := repo.RemoveNotesFetch("origin", "aitrail"); err != nil || !removed {
		t.Fatalf("RemoveNotesFetch = %v, %v", removed, err)
	}
	if got := b.git("config", "--get-all", "remote.origin.fetch"); got != "+refs/heads/*:refs/remotes/origin/*" {
		t.Errorf("fetch refspecs after removal: %q", got)
	}
}

func TestMergeNotes(t *testing.T) {
	r := newTestRepo(t)
	var c []Hash
	for i := range 6 {
		c = append(c, r.commit(string(rune('a'+i))))
	}
	repo := r.open()
	write := func(ref string, notes map[Hash]string) {
		t.Helper()
		if err := repo.WriteNotes(ref, notes, ""); err != nil {
			t.Fatal(err)
		}
	}
	write("ours", map[Hash]string{c[1]: "one\n", c[2]: "two\n", c[3]: "three\n", c[5]: "five\n"})
	r.git("update-ref", "refs/notes/theirs", "refs/notes/ours")
	write("ours", map[Hash]string{c[2]: "two, ours\n", c[5]: ""})
	write("theirs", map[Hash]string{c[1]: "one, theirs\n", c[2]: "two, theirs\n", c[3]: "", c[4]: "four\n", c[5]: "five, theirs\n"})
	oursTip, theirsTip := r.rev("refs/notes/ours"), r.rev("refs/notes/theirs")

	res, err := repo.MergeNotes("ours", "refs/notes/theirs", nil, "merge")
	if err != nil {
		t.Fatal(err)
	}
	want := map[Hash]string{
		c[1]: "one, theirs\n",              // only they changed it
		c[2]: "two, ours\n\ntwo, theirs\n", // both changed it: both kept
		c[4]: "four\n",                     // they added it
		c[5]: "five, theirs\n",             // we removed it, they changed it: kept
	}
	for h, w := range want {
		if got, _ := r.note("ours", h); got != w {
			t.Errorf("note of commit %d = %q, want %q", indexOf(c, h), got, w)
		}
	}
	if _, ok := r.note("ours", c[3]); ok {
		t.Error("the note they removed (and we kept unchanged) is still there")
	}
	if res.Changed != 5 || res.Combined != 1 || res.FastFwd {
		t.Errorf("result = %+v, want 5 changed, 1 combined, no fast-forward", res)
	}
	if parents := r.git("log", "-1", "--format=%P", "refs/notes/ours"); parents != oursTip.String()+" "+theirsTip.String() {
		t.Errorf("merge commit's parents = %s, want ours and theirs", parents)
	}
	if out := r.git("notes", "--ref=ours", "list"); strings.Count(out, "\n")+1 != 4 {
		t.Errorf("git notes list:\n%s", out)
	}

	// Merging again changes nothing; the other direction gives the same notes.
	if res, err := repo.MergeNotes("ours", "refs/notes/theirs", nil, "merge"); err != nil || res.Changed != 0 {
		t.Errorf("second merge = %+v, %v; want nothing", res, err)
	}
	r.git("update-ref", "refs/notes/other", theirsTip.String())
	r.git("update-ref", "refs/notes/mine", oursTip.String())
	if _, err := repo.MergeNotes("other", "refs/notes/mine", nil, "merge"); err != nil {
		t.Fatal(err)
	}
	if a, b := r.git("rev-parse", "refs/notes/ours^{tree}"), r.git("rev-parse", "refs/notes/other^{tree}"); a != b {
		t.Errorf("merging either way gives different trees: %s, %s", a, b)
	}

	// No local ref yet: a fast-forward to theirs.
	res, err = repo.MergeNotes("fresh", "refs/notes/theirs", nil, "merge")
	if err != nil || !res.FastFwd || r.rev("refs/notes/fresh") != theirsTip {
		t.Errorf("merge into a missing ref = %+v, %v; want a fast-forward to theirs", res, err)
	}
	// A missing source is nothing to merge.
	if res, err := repo.MergeNotes("ours", "refs/notes/none", nil, "merge"); err != nil || res.Changed != 0 {
		t.Errorf("merge from a missing ref = %+v, %v", res, err)
	}
}

func indexOf(list []Hash, h Hash) int {
	for i, x := range list {
		if x == h {
			return i
		}
	}
	return -1
}

func TestSyncNotesFetchOnlyAndNoteReader(t *testing.T) {
	tm := newTeam(t)
	a, b, c1 := tm.start()
	ra := a.open()
	if err := ra.WriteNote("aitrail", c1, "a's note on one\n"); err != nil {
		t.Fatal(err)
	}
	if res, err := ra.SyncNotes("origin", "aitrail", SyncOptions{Tries: 3}); err != nil || !res.Pushed {
		t.Fatalf("a's sync = %+v, %v", res, err)
	}

	// b has not fetched the notes: reading says so instead of "no note".
	rb := b.open()
	nr, err := rb.NoteReader("aitrail")
	if err != nil {
		t.Fatal(err)
	}
	_, ok, gaps, err := nr.Read(c1)
	if err != nil || ok || len(gaps) != 1 || gaps[0].Remote != "origin" || gaps[0].Reason != GapNeverFetched {
		t.Fatalf("Read before fetching = %v, %+v, %v; want a never-fetched gap for origin", ok, gaps, err)
	}
	if all, err := nr.Gaps([]Hash{c1}); err != nil || !reflect.DeepEqual(all[c1], gaps) {
		t.Errorf("Gaps = %+v, %v; want what Read says, %+v", all, err, gaps)
	}
	if refs := nr.Refs(); !reflect.DeepEqual(refs, []string{"refs/notes/aitrail"}) {
		t.Errorf("Refs before fetching = %q", refs)
	}
	if s := gaps[0].String() + " " + gaps[0].Hint(); !strings.Contains(s, "never been fetched") || !strings.Contains(s, "sync-notes --fetch-only origin") {
		t.Errorf("gap says %q", s)
	}
	// A commit only b has: no remote can have its note.
	local := b.commit("local")
	if _, ok, gaps, err := nr.Read(local); err != nil || ok || len(gaps) != 0 {
		t.Errorf("Read of a local commit = %v, %+v, %v; want no gap", ok, gaps, err)
	}
	if all, err := nr.Gaps([]Hash{local, c1}); err != nil || len(all) != 1 || len(all[c1]) != 1 {
		t.Errorf("Gaps of a local commit and a pushed one = %+v, %v; want the pushed one's", all, err)
	}

	// A plain fetch with the refspec: the note is readable from the
	// tracking ref before any merge.
	if _, err := rb.AddNotesFetch("origin", "aitrail"); err != nil {
		t.Fatal(err)
	}
	b.git("fetch", "-q")
	nr, _ = rb.NoteReader("aitrail")
	if refs := nr.Refs(); !reflect.DeepEqual(refs, []string{"refs/notes/aitrail", "refs/notes/remotes/origin/aitrail"}) {
		t.Errorf("Refs after fetching = %q", refs)
	}
	n, ok, _, err := nr.Read(c1)
	if err != nil || !ok || n.Text != "a's note on one\n" || n.Remote != "origin" || n.Ref != "refs/notes/remotes/origin/aitrail" {
		t.Errorf("Read after fetch = %+v, %v, %v", n, ok, err)
	}

	// b annotates its own commit, then syncs fetch-only: merged, not pushed.
	if err := rb.WriteNote("aitrail", local, "b's note\n"); err != nil {
		t.Fatal(err)
	}
	res, err := rb.SyncNotes("origin", "aitrail", SyncOptions{FetchOnly: true})
	if err != nil || !res.Fetched || res.Pushed {
		t.Fatalf("fetch-only sync = %+v, %v", res, err)
	}
	if got, _ := b.note("aitrail", c1); got != "a's note on one\n" {
		t.Errorf("after fetch-only, local note of one = %q", got)
	}
	if _, ok := a.note("aitrail", local); ok {
		t.Error("fetch-only pushed b's note")
	}
	if out, _ := runGit(b.dir, nil, "ls-remote", tm.remote, "refs/notes/aitrail"); !strings.HasPrefix(out, ra.mustRef(t, "refs/notes/aitrail")) {
		t.Errorf("the remote's notes moved: %s", out)
	}

	// a commits later and pushes its branch and notes; b fetches the
	// branch only: its copy of the notes is behind that commit.
	c2 := a.commit("two")
	if err := ra.WriteNote("aitrail", c2, "a's note on two\n"); err != nil {
		t.Fatal(err)
	}
	a.git("push", "-q", "origin", "HEAD:main")
	if _, err := ra.SyncNotes("origin", "aitrail", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	b.git("fetch", "-q", "origin", "main")
	nr, _ = rb.NoteReader("aitrail")
	_, ok, gaps, err = nr.Read(c2)
	if err != nil || ok || len(gaps) != 1 || gaps[0].Reason != GapBehind || !strings.Contains(gaps[0].String(), "before this commit") {
		t.Errorf("Read of a newer commit = %v, %+v, %v; want a behind gap", ok, gaps, err)
	}
	if all, err := nr.Gaps([]Hash{c2}); err != nil || !reflect.DeepEqual(all[c2], gaps) {
		t.Errorf("Gaps of a newer commit = %+v, %v; want %+v", all, err, gaps)
	}

	// Notes fetched after a commit that has none there: the remote had
	// none for it when they were fetched (the fetch's time, from the
	// tracking ref's reflog, not the time of its last notes commit).
	c3 := a.commit("three, no note")
	c4 := a.commit("four")
	if err := ra.WriteNote("aitrail", c4, "a's note on four\n"); err != nil {
		t.Fatal(err)
	}
	a.git("push", "-q", "origin", "HEAD:main")
	if _, err := ra.SyncNotes("origin", "aitrail", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if out, err := runGit(b.dir, []string{"GIT_COMMITTER_DATE=@1900000000 +0000"}, "fetch", "-q", "origin"); err != nil {
		t.Fatalf("fetch: %v\n%s", err, out)
	}
	nr, _ = rb.NoteReader("aitrail")
	if _, ok, gaps, err := nr.Read(c3); err != nil || ok || len(gaps) != 0 {
		t.Errorf("Read of a commit older than the fetch = %v, %+v, %v; want no note and no gap", ok, gaps, err)
	}
}

func (r *Repo) mustRef(t *testing.T, name string) string {
	t.Helper()
	h, ok, err := r.readRef(name)
	if err != nil || !ok {
		t.Fatalf("read %s: %v %v", name, ok, err)
	}
	return h.String()
}

// BenchmarkMergeNotes merges into 300 notes (git's fanout) a side that
// changed 10 of them and added 10, while this side changed 10 others and 1
// that both changed: a sync after a day of two developers' commits. Each
// iteration merges into a fresh copy of this side's tip.
func BenchmarkMergeNotes(b *testing.B) {
	r, commits := fanoutRepo(b)
	repo := r.open()
	more := r.makeCommits(10)
	r.git("update-ref", "refs/notes/theirs", "refs/notes/aitrail")
	theirs, ours := map[Hash]string{}, map[Hash]string{commits[0]: "both\n"}
	for i := range 10 {
		theirs[commits[i]] = fmt.Sprintf("theirs %d\n", i)
		theirs[more[i]] = fmt.Sprintf("new %d\n", i)
		ours[commits[100+i]] = fmt.Sprintf("ours %d\n", i)
	}
	if err := repo.WriteNotes("theirs", theirs, ""); err != nil {
		b.Fatal(err)
	}
	if err := repo.WriteNotes("aitrail", ours, ""); err != nil {
		b.Fatal(err)
	}
	tip := r.rev("refs/notes/aitrail")
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		ref := fmt.Sprintf("refs/notes/ours%d", i)
		if err := repo.updateRef(refUpdate{name: ref, new: tip}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := repo.MergeNotes(ref, "refs/notes/theirs", nil, "merge")
		if err != nil || res.Changed != 20 || res.Combined != 1 {
			b.Fatalf("merge = %+v, %v", res, err)
		}
	}
}

// BenchmarkNoteReaderGap reads the note of a commit that has none, on a
// remote's branch whose notes were never fetched: what 'aitrail note' pays
// to say so instead of "no AI involvement" (one git process).
func BenchmarkNoteReaderGap(b *testing.B) {
	r, commits := fanoutRepo(b)
	r.git("remote", "add", "origin", "https://example.invalid/repo.git")
	r.git("update-ref", "refs/remotes/origin/main", "HEAD")
	repo := r.open()
	for b.Loop() {
		nr, err := repo.NoteReader("refs/notes/other")
		if err != nil {
			b.Fatal(err)
		}
		if _, ok, gaps, err := nr.Read(commits[150]); err != nil || ok || len(gaps) != 1 {
			b.Fatalf("Read = %v, %v, %v", ok, gaps, err)
		}
	}
}

// TestNoteReaderNotesFetchedByHand: notes fetched straight into the local
// ref (no tracking ref) are not reported as never fetched for the commits
// that have none.
func TestNoteReaderNotesFetchedByHand(t *testing.T) {
	tm := newTeam(t)
	a, _, c1 := tm.start()
	ra := a.open()
	if err := ra.WriteNote("aitrail", c1, "a's note on one\n"); err != nil {
		t.Fatal(err)
	}
	c2 := a.commit("two, without a note")
	a.git("push", "-q", "origin", "HEAD:main", "refs/notes/aitrail")
	b := tm.clone("b2")
	b.git("fetch", "-q", "origin", "refs/notes/aitrail:refs/notes/aitrail")
	nr, err := b.open().NoteReader("aitrail")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _, err := nr.Read(c1); err != nil || !ok {
		t.Fatalf("Read(c1) = %v, %v; want the note fetched by hand", ok, err)
	}
	if _, ok, gaps, err := nr.Read(c2); err != nil || ok || len(gaps) != 0 {
		t.Errorf("Read(c2) = %v, %+v, %v; want no note and no gap", ok, gaps, err)
	}
}
