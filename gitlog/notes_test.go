package gitlog

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// helperWriteNotes runs in a child process: it writes one note per commit in
// $GITLOG_COMMITS on $GITLOG_DIR's aitrail notes.
func helperWriteNotes() int {
	repo, err := Open(os.Getenv("GITLOG_DIR"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, s := range strings.Fields(os.Getenv("GITLOG_COMMITS")) {
		h, _ := ParseHash(s)
		if err := repo.WriteNote("aitrail", h, "process "+s+"\n"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// gitStdout runs git and returns its stdout unmodified.
func (r *testRepo) gitStdout(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	out, err := cmd.Output()
	return string(out), err
}

// gitNotes annotates commits with `git notes add`, one process per note, as a
// user or another tool would; git builds the fanout itself.
func (r *testRepo) gitNotes(ref string, commits []Hash, text func(int) string) {
	r.t.Helper()
	for i, c := range commits {
		r.git("notes", "--ref="+ref, "add", "-m", text(i), c.String())
	}
}

var (
	fanoutOnce    sync.Once
	fanoutTmpl    string
	fanoutCommits []Hash
	fanoutErr     error
)

// fanoutRepo returns a fresh copy of a repository with 300 commits annotated
// by `git notes add` (built once; 300 git processes are slow).
func fanoutRepo(t testing.TB) (*testRepo, []Hash) {
	t.Helper()
	fanoutOnce.Do(func() {
		tmpl, err := os.MkdirTemp(os.Getenv("HOME"), "fanout-")
		if err != nil {
			fanoutErr = err
			return
		}
		r := &testRepo{t: t, dir: tmpl}
		r.git("init", "-q", "-b", "main")
		fanoutCommits = r.makeCommits(300)
		r.gitNotes("aitrail", fanoutCommits, func(i int) string { return fmt.Sprintf("git note %d", i) })
		fanoutTmpl = tmpl
	})
	if fanoutErr != nil || fanoutTmpl == "" {
		t.Fatalf("building the fanout fixture failed: %v", fanoutErr)
	}
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "r"), os.DirFS(fanoutTmpl)); err != nil {
		t.Fatal(err)
	}
	return &testRepo{t: t, dir: filepath.Join(dir, "r"), tick: 300}, fanoutCommits
}

// notesTreePaths lists the paths in the notes tree of ref.
func (r *testRepo) notesTreePaths(ref string) []string {
	r.t.Helper()
	return strings.Fields(r.git("ls-tree", "-r", "--name-only", ref))
}

// checkFanoutSane fails when a note sits flat beside a subtree for its own
// prefix, or when an object has two notes.
func checkFanoutSane(t *testing.T, paths []string) {
	t.Helper()
	dirs := map[string]bool{}
	for _, p := range paths {
		if i := strings.IndexByte(p, '/'); i > 0 {
			dirs[p[:i]] = true
		}
	}
	seen := map[string]bool{}
	for _, p := range paths {
		name := strings.ReplaceAll(p, "/", "")
		if seen[name] {
			t.Errorf("object %s has two notes", name)
		}
		seen[name] = true
		if !strings.Contains(p, "/") && dirs[p[:2]] {
			t.Errorf("note %s is flat although subtree %s/ exists", p, p[:2])
		}
	}
}

func TestReadNoteWrittenByGit(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit("one")
	c2 := r.commit("two")
	repo := r.open()
	if _, ok, err := repo.ReadNote("aitrail", c1); ok || err != nil {
		t.Errorf("ReadNote() without the ref = ok %v, err %v", ok, err)
	}
	r.git("notes", "--ref=aitrail", "add", "-m", "hello", c1.String())
	for _, ref := range []string{"aitrail", "notes/aitrail", "refs/notes/aitrail"} {
		text, ok, err := repo.ReadNote(ref, c1)
		if err != nil || !ok || text != "hello\n" {
			t.Errorf("ReadNote(%q) = %q, %v, %v; want \"hello\\n\"", ref, text, ok, err)
		}
	}
	if _, ok, err := repo.ReadNote("aitrail", c2); ok || err != nil {
		t.Errorf("ReadNote() of an unannotated commit = ok %v, err %v", ok, err)
	}
	if _, ok, _ := repo.ReadNote("commits", c1); ok {
		t.Errorf("ReadNote() found the note on another ref")
	}
}

func TestReadNoteFanoutWrittenByGit(t *testing.T) {
	r, commits := fanoutRepo(t)
	paths := r.notesTreePaths("refs/notes/aitrail")
	if !strings.Contains(strings.Join(paths, " "), "/") {
		t.Fatalf("git built no fanout for 300 notes: %v", paths[:5])
	}
	repo := r.open()
	for i, c := range commits {
		text, ok, err := repo.ReadNote("aitrail", c)
		if want := fmt.Sprintf("git note %d\n", i); err != nil || !ok || text != want {
			t.Fatalf("ReadNote(commit %d) = %q, %v, %v; want %q", i, text, ok, err, want)
		}
	}
	list, err := repo.ListNotes("aitrail")
	if err != nil {
		t.Fatal(err)
	}
	gitList := strings.Split(r.git("notes", "--ref=aitrail", "list"), "\n")
	if len(list) != 300 || len(gitList) != 300 {
		t.Fatalf("ListNotes() has %d notes, git lists %d, want 300", len(list), len(gitList))
	}
	for _, line := range gitList {
		blob, obj, _ := strings.Cut(line, " ")
		if h, _ := ParseHash(obj); list[h].String() != blob {
			t.Errorf("ListNotes()[%s] = %s, git says %s", obj, list[h], blob)
		}
	}
}

func TestWriteNotesReadByGit(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit("one")
	c2 := r.commit("two")
	c3 := r.commit("three")
	repo := r.open()
	notes := map[Hash]string{
		c1: "first\n",
		c2: "## AI transparency\n\n- prompt: x\n",
		c3: "no trailing newline",
	}
	if err := repo.WriteNotes("aitrail", notes, "chore: update AI transparency notes"); err != nil {
		t.Fatal(err)
	}
	for c, want := range notes {
		got, err := r.gitStdout("notes", "--ref=aitrail", "show", c.String())
		if err != nil || got != want {
			t.Errorf("git notes show %s = %q, %v; want %q", c, got, err, want)
		}
		text, ok, err := repo.ReadNote("refs/notes/aitrail", c)
		if err != nil || !ok || text != want {
			t.Errorf("ReadNote(%s) = %q, %v, %v", c, text, ok, err)
		}
	}
	if got := r.git("log", "-1", "--notes=aitrail", "--format=%N", c2.String()); got != strings.TrimSpace(notes[c2]) {
		t.Errorf("git log --notes=aitrail shows %q", got)
	}
	if got := r.git("log", "--format=%s", "refs/notes/aitrail"); got != "chore: update AI transparency notes" {
		t.Errorf("notes history = %q, want one commit with the subject", got)
	}
	if got := r.git("reflog", "show", "--format=%gs", "refs/notes/aitrail"); got != "notes: chore: update AI transparency notes" {
		t.Errorf("reflog = %q", got)
	}
	r.git("fsck", "--strict", "--no-dangling")

	// Writing the same notes again changes nothing.
	before := r.rev("refs/notes/aitrail")
	if err := repo.WriteNotes("aitrail", notes, "again"); err != nil {
		t.Fatal(err)
	}
	if after := r.rev("refs/notes/aitrail"); after != before {
		t.Errorf("an unchanged write made notes commit %s", after)
	}
	// git keeps working on top.
	r.git("notes", "--ref=aitrail", "append", "-m", "appended", c1.String())
	if text, _, _ := repo.ReadNote("aitrail", c1); text != "first\n\nappended\n" {
		t.Errorf("after git notes append: %q", text)
	}
}

func TestWriteNotesIntoGitFanout(t *testing.T) {
	r, commits := fanoutRepo(t)
	fresh := r.makeCommits(30)
	repo := r.open()
	notes := map[Hash]string{}
	for i, c := range fresh {
		notes[c] = fmt.Sprintf("aitrail fresh %d\n", i)
	}
	for i := range 10 {
		notes[commits[i]] = fmt.Sprintf("aitrail replaced %d\n", i)
	}
	for i := 10; i < 15; i++ {
		notes[commits[i]] = "" // remove
	}
	if err := repo.WriteNotes("aitrail", notes, "chore: notes"); err != nil {
		t.Fatal(err)
	}
	if n := r.git("rev-list", "--count", "refs/notes/aitrail"); n != "301" {
		t.Errorf("notes history has %s commits, want 301 (one new)", n)
	}
	if n := len(strings.Split(r.git("notes", "--ref=aitrail", "list"), "\n")); n != 300+30-5 {
		t.Errorf("git lists %d notes, want %d", n, 300+30-5)
	}
	for c, want := range notes {
		got, err := r.gitStdout("notes", "--ref=aitrail", "show", c.String())
		if want == "" {
			if err == nil {
				t.Errorf("removed note of %s still shown: %q", c, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("git notes show %s = %q, %v; want %q", c, got, err, want)
		}
	}
	for i := 15; i < 300; i++ {
		if got, _ := r.gitStdout("notes", "--ref=aitrail", "show", commits[i].String()); got != fmt.Sprintf("git note %d\n", i) {
			t.Fatalf("untouched note %d reads %q", i, got)
		}
	}
	checkFanoutSane(t, r.notesTreePaths("refs/notes/aitrail"))

	// git adds and merges notes on top without trouble.
	more := r.makeCommits(20)
	r.gitNotes("aitrail", more, func(i int) string { return fmt.Sprintf("git later %d", i) })
	r.gitNotes("other", append(more[:5:5], fresh[:5]...), func(i int) string { return fmt.Sprintf("other %d", i) })
	r.git("notes", "--ref=aitrail", "merge", "-s", "cat_sort_uniq", "refs/notes/other")
	r.git("fsck", "--strict", "--no-dangling")
	checkFanoutSane(t, r.notesTreePaths("refs/notes/aitrail"))
	for i, c := range fresh[:5] {
		text, ok, err := repo.ReadNote("aitrail", c)
		if err != nil || !ok || !strings.Contains(text, fmt.Sprintf("aitrail fresh %d", i)) || !strings.Contains(text, fmt.Sprintf("other %d", i+5)) {
			t.Errorf("merged note of fresh %d = %q, %v, %v", i, text, ok, err)
		}
	}
}

// A notes tree written only by WriteNotes fans out as git's would, so it
// does not grow into one huge flat tree, and git handles it.
func TestWriteNotesBuildsFanout(t *testing.T) {
	r := newTestRepo(t)
	commits := r.makeCommits(200)
	repo := r.open()
	for i := 0; i < len(commits); i += 20 {
		batch := map[Hash]string{}
		for j, c := range commits[i : i+20] {
			batch[c] = fmt.Sprintf("note %d\n", i+j)
		}
		if err := repo.WriteNotes("aitrail", batch, "batch"); err != nil {
			t.Fatal(err)
		}
	}
	top := strings.Fields(r.git("ls-tree", "--name-only", "refs/notes/aitrail"))
	if len(top) >= 200 {
		t.Errorf("notes tree top level has %d entries: no fanout", len(top))
	}
	checkFanoutSane(t, r.notesTreePaths("refs/notes/aitrail"))
	for i, c := range commits {
		if got, _ := r.gitStdout("notes", "--ref=aitrail", "show", c.String()); got != fmt.Sprintf("note %d\n", i) {
			t.Fatalf("git notes show %d = %q", i, got)
		}
	}
	more := r.makeCommits(10)
	r.gitNotes("aitrail", more, func(i int) string { return "git" })
	r.gitNotes("other", commits[:10], func(i int) string { return fmt.Sprintf("other %d", i) })
	r.git("notes", "--ref=aitrail", "merge", "-s", "union", "refs/notes/other")
	r.git("fsck", "--strict", "--no-dangling")
	if n := len(strings.Split(r.git("notes", "--ref=aitrail", "list"), "\n")); n != 210 {
		t.Errorf("git lists %d notes, want 210", n)
	}
}

func TestWriteNotesRemove(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit("one")
	c2 := r.commit("two")
	repo := r.open()
	if err := repo.WriteNote("aitrail", c1, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.gitErr("rev-parse", "--verify", "-q", "refs/notes/aitrail"); err == nil {
		t.Errorf("removing a note that does not exist created the ref")
	}
	if err := repo.WriteNotes("aitrail", map[Hash]string{c1: "a\n", c2: "b\n"}, "add"); err != nil {
		t.Fatal(err)
	}
	if err := repo.WriteNote("aitrail", c1, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := repo.ReadNote("aitrail", c1); ok {
		t.Errorf("ReadNote() after removal found the note")
	}
	if _, err := r.gitErr("notes", "--ref=aitrail", "show", c1.String()); err == nil {
		t.Errorf("git still shows the removed note")
	}
	if text, ok, _ := repo.ReadNote("aitrail", c2); !ok || text != "b\n" {
		t.Errorf("the other note = %q, %v", text, ok)
	}
	if err := repo.WriteNote("aitrail", c2, ""); err != nil {
		t.Fatal(err)
	}
	if got := r.git("ls-tree", "refs/notes/aitrail"); got != "" {
		t.Errorf("notes tree after removing all notes = %q, want empty", got)
	}
	r.git("fsck", "--strict", "--no-dangling")
}

// Notes written by separate Repo values in two goroutines and by another
// process all land: every write is a compare-and-swap that retries.
func TestWriteNotesConcurrent(t *testing.T) {
	r := newTestRepo(t)
	commits := r.makeCommits(60)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var child strings.Builder
	for _, c := range commits[40:] {
		child.WriteString(c.String() + " ")
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "GITLOG_HELPER=writenotes", "GITLOG_DIR="+r.dir, "GITLOG_COMMITS="+child.String())
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			repo, err := Open(r.dir)
			if err != nil {
				errs[g] = err
				return
			}
			for _, c := range commits[g*20 : g*20+20] {
				if err := repo.WriteNote("aitrail", c, fmt.Sprintf("goroutine %d %s\n", g, c)); err != nil {
					errs[g] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper process: %v\n%s", err, out)
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	list, err := r.open().ListNotes("aitrail")
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range commits {
		if _, ok := list[c]; !ok {
			t.Errorf("note %d (%s) lost", i, c)
		}
	}
	if n := r.git("rev-list", "--count", "refs/notes/aitrail"); n != "60" {
		t.Errorf("notes history has %s commits, want 60", n)
	}
	r.git("fsck", "--strict", "--no-dangling")
}

// `git notes add` racing WriteNotes: WriteNotes never drops a note, neither
// git's nor its own. git itself does not compare-and-swap: it builds its tree
// from the tip it read at start and, at the end, commits it on top of
// whatever the ref then holds (update_ref without an old value), so a
// WriteNotes that landed in between is silently undone. Every note of ours
// that is missing must be explained by such a git update in the reflog.
func TestWriteNotesRacingGitNotesAdd(t *testing.T) {
	r := newTestRepo(t)
	commits := r.makeCommits(60)
	ours, theirs := commits[:40], commits[40:]
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			repo, err := Open(r.dir)
			if err != nil {
				errs[g] = err
				return
			}
			for _, c := range ours[g*20 : g*20+20] {
				if err := repo.WriteNotes("aitrail", map[Hash]string{c: "ours\n"}, "aitrail"); err != nil {
					errs[g] = err
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, c := range theirs {
			if out, err := r.gitErr("notes", "--ref=aitrail", "add", "-m", "theirs", c.String()); err != nil {
				errs[2] = fmt.Errorf("git notes add: %v: %s", err, out)
				return
			}
		}
	}()
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}

	repo := r.open()
	final, err := repo.ListNotes("aitrail")
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range theirs {
		if _, ok := final[c]; !ok {
			t.Errorf("git's note %d (%s) lost", i, c)
		}
	}
	// Replay the reflog: which update dropped which notes?
	droppedByGit := map[Hash]bool{}
	gitDrops := 0
	f, err := os.Open(filepath.Join(r.dir, ".git", "logs", "refs", "notes", "aitrail"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		oldH, _ := ParseHash(fields[0])
		newH, _ := ParseHash(fields[1])
		if oldH.IsZero() {
			continue
		}
		before, err1 := repo.notesAt(oldH)
		after, err2 := repo.notesAt(newH)
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		byUs := strings.HasSuffix(line, "\tnotes: aitrail")
		for obj := range before {
			if _, ok := after[obj]; ok {
				continue
			}
			if byUs {
				t.Errorf("WriteNotes update %s..%s dropped the note of %s", oldH, newH, obj)
			}
			droppedByGit[obj] = true
		}
		if !byUs && len(after) <= len(before) {
			gitDrops++
		}
	}
	lost := 0
	for i, c := range ours {
		if _, ok := final[c]; ok {
			continue
		}
		lost++
		if !droppedByGit[c] {
			t.Errorf("our note %d (%s) lost, and no git update dropped it", i, c)
		}
	}
	t.Logf("%d of %d git updates undid a concurrent write; %d of our %d notes lost to them", gitDrops, len(theirs), lost, len(ours))
}

func TestWriteNotesIdentity(t *testing.T) {
	r := newTestRepo(t)
	c := r.commit("one")
	t.Setenv("GIT_COMMITTER_NAME", "")
	t.Setenv("GIT_COMMITTER_EMAIL", "")
	t.Setenv("GIT_COMMITTER_DATE", "")
	who := func() string { return r.git("log", "-1", "--format=%an <%ae>|%cn <%ce>", "refs/notes/aitrail") }

	repo := r.open()
	if err := repo.WriteNote("aitrail", c, "1\n"); err != nil {
		t.Fatal(err)
	}
	if got, want := who(), "aitrail <aitrail@localhost>|aitrail <aitrail@localhost>"; got != want {
		t.Errorf("without configured identity: %q, want %q", got, want)
	}

	r.git("config", "user.name", "Jane Dev")
	r.git("config", "user.email", "jane@example.com")
	if err := repo.WriteNote("aitrail", c, "2\n"); err != nil {
		t.Fatal(err)
	}
	if got, want := who(), "Jane Dev <jane@example.com>|Jane Dev <jane@example.com>"; got != want {
		t.Errorf("from config: %q, want %q", got, want)
	}

	t.Setenv("GIT_AUTHOR_NAME", "Commit Author") // exported by git commit to hooks; must not leak
	t.Setenv("GIT_COMMITTER_NAME", "Env Name")
	t.Setenv("GIT_COMMITTER_DATE", "@1234567890 +0200")
	if err := repo.WriteNote("aitrail", c, "3\n"); err != nil {
		t.Fatal(err)
	}
	if got, want := who(), "Env Name <jane@example.com>|Env Name <jane@example.com>"; got != want {
		t.Errorf("with GIT_COMMITTER_NAME: %q, want %q", got, want)
	}
	if got := r.git("log", "-1", "--format=%ct %ci", "refs/notes/aitrail"); got != "1234567890 2009-02-14 01:31:30 +0200" {
		t.Errorf("commit time with GIT_COMMITTER_DATE = %q", got)
	}
}

func TestWriteNotesViaUpdateRef(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit("one")
	c2 := r.commit("two")
	repo := r.open()
	repo.casViaGit = true
	if err := repo.WriteNote("aitrail", c1, "one\n"); err != nil {
		t.Fatal(err)
	}
	if err := repo.WriteNote("aitrail", c2, "two\n"); err != nil {
		t.Fatal(err)
	}
	for c, want := range map[Hash]string{c1: "one\n", c2: "two\n"} {
		if got, _ := r.gitStdout("notes", "--ref=aitrail", "show", c.String()); got != want {
			t.Errorf("git notes show = %q, want %q", got, want)
		}
	}
}

func TestWriteNotesPackedRef(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit("one")
	c2 := r.commit("two")
	r.git("notes", "--ref=aitrail", "add", "-m", "git", c1.String())
	r.git("pack-refs", "--all", "--prune")
	repo := r.open()
	if err := repo.WriteNote("aitrail", c2, "ours\n"); err != nil {
		t.Fatal(err)
	}
	for c, want := range map[Hash]string{c1: "git\n", c2: "ours\n"} {
		if got, _ := r.gitStdout("notes", "--ref=aitrail", "show", c.String()); got != want {
			t.Errorf("git notes show = %q, want %q", got, want)
		}
	}
}

func TestWriteNotesStaleLock(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the lock timeout")
	}
	r := newTestRepo(t)
	c := r.commit("one")
	lock := filepath.Join(r.dir, ".git", "refs", "notes", "aitrail.lock")
	if err := os.MkdirAll(filepath.Dir(lock), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := r.open().WriteNote("aitrail", c, "x\n")
	if err == nil || !strings.Contains(err.Error(), "aitrail.lock") {
		t.Errorf("WriteNote() with a stale lock = %v, want an error naming the lock", err)
	}
}

func TestExpandNotesRef(t *testing.T) {
	tests := []struct{ in, want string }{
		{"aitrail", "refs/notes/aitrail"},
		{"notes/aitrail", "refs/notes/aitrail"},
		{"refs/notes/aitrail", "refs/notes/aitrail"},
		{"team/ai", "refs/notes/team/ai"},
		{"refs/heads/main", "refs/notes/refs/heads/main"}, // as git does
	}
	for _, tt := range tests {
		if got, err := ExpandNotesRef(tt.in); err != nil || got != tt.want {
			t.Errorf("ExpandNotesRef(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "a..b", "../../config", "x.lock", "a b", "x/", "a:b", ".hidden", "a//b"} {
		if got, err := ExpandNotesRef(bad); err == nil {
			t.Errorf("ExpandNotesRef(%q) = %q, want an error", bad, got)
		}
	}
}
