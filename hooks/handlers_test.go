package hooks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
	"github.com/aitrail/aitrail/store/storetest"
)

// handlerFixture is a repository, a database with records written by hand
// (as if ingested), and the handlers' Env over them.
type handlerFixture struct {
	t   *testing.T
	dir string
	db  *store.DB
	n   int
}

func newHandlerFixture(t *testing.T) *handlerFixture {
	t.Helper()
	dir, _ := gitRepo(t)
	for k, v := range map[string]string{"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com",
		"GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com"} {
		t.Setenv(k, v)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "trail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &handlerFixture{t: t, dir: dir, db: db}
	f.commit("08:00", map[string]string{"README.md": "demo\n"})
	return f
}

func (f *handlerFixture) git(args ...string) string {
	f.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = f.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		f.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files, stages them and commits at hh:mm of 2026-01-02.
func (f *handlerFixture) commit(hhmm string, files map[string]string, args ...string) gitlog.Hash {
	f.t.Helper()
	for p, content := range files {
		write(f.t, filepath.Join(f.dir, p), content)
	}
	f.git("add", "-A")
	when := "2026-01-02T" + hhmm + ":00Z"
	f.t.Setenv("GIT_AUTHOR_DATE", when)
	f.t.Setenv("GIT_COMMITTER_DATE", when)
	f.git(append([]string{"commit", "-q", "--allow-empty", "-m", "commit at " + hhmm}, args...)...)
	return f.head()
}

func (f *handlerFixture) head() gitlog.Hash {
	f.t.Helper()
	h, err := gitlog.ParseHash(f.git("rev-parse", "HEAD"))
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

// edit records that prompt key of a Codex session added lines to path at
// hh:mm, as ingest would have.
func (f *handlerFixture) edit(session, key, hhmm, path string, lines ...string) {
	f.t.Helper()
	when, _ := time.Parse(time.RFC3339, "2026-01-02T"+hhmm+":00Z")
	f.n++
	diff := fmt.Sprintf("--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n+%s\n", path, len(lines), strings.Join(lines, "\n+"))
	storetest.Add(f.t, f.db, "codex",
		store.Session{ID: session, Cwd: f.dir, AgentVersion: "0.77.0", Model: "gpt-5.1-codex", Started: when, Ended: when},
		store.Prompt{Session: session, Key: key, Time: when, Text: "Please " + key + ".", Cwd: f.dir},
		store.FileEdit{Session: session, Prompt: key, CallID: fmt.Sprint(f.n), Time: when, Path: filepath.Join(f.dir, path),
			Op: store.OpAdd, Added: len(lines), Diff: diff, Source: "apply_patch", Status: store.EditApplied})
}

// handlers returns the handlers; ingest is what its Ingest does (nil:
// nothing, the records are there already).
func (f *handlerFixture) handlers(ingest func(context.Context) error) *Handlers {
	f.t.Helper()
	repo, err := gitlog.Open(f.dir)
	if err != nil {
		f.t.Fatal(err)
	}
	if ingest == nil {
		ingest = func(context.Context) error { return nil }
	}
	return &Handlers{DB: f.db, Repo: repo, RepoKey: "repo:test", Ingest: ingest, Note: report.NoteOptions{Version: "test"}}
}

// note returns the note of rev ("" when there is none).
func (f *handlerFixture) note(rev string) string {
	f.t.Helper()
	cmd := exec.Command("git", "notes", "--ref="+NotesRef, "show", rev)
	cmd.Dir = f.dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// TestPostCommit checks post-commit on a commit an agent wrote: HEAD gets
// its note, and the commits before it that no hook saw are caught up.
func TestPostCommit(t *testing.T) {
	f := newHandlerFixture(t)
	f.edit("s1", "write a", "09:00", "a.go", "package a", "func A() {}")
	missed := f.commit("10:00", map[string]string{"a.go": "package a\nfunc A() {}\n"}, "--no-verify")
	f.edit("s1", "write b", "10:30", "b.go", "package a", "func B() {}")
	f.commit("11:00", map[string]string{"b.go": "package a\nfunc B() {}\n"})
	if err := f.handlers(nil).PostCommit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.note("HEAD"); !strings.Contains(n, "> Please write b.") || !strings.Contains(n, "2 of 2 added lines") {
		t.Errorf("HEAD's note:\n%s", n)
	}
	if n := f.note(missed.String()); !strings.Contains(n, "> Please write a.") {
		t.Errorf("the commit no hook saw was not caught up:\n%s", n)
	}
}

// TestPostCommitCherryPick checks that a cherry-pick carries its source's
// prompts, whenever they were made, and that nothing happens during a
// rebase (post-rewrite does it at the end).
func TestPostCommitCherryPick(t *testing.T) {
	f := newHandlerFixture(t)
	f.git("checkout", "-q", "-b", "topic")
	f.edit("s1", "write a", "09:00", "a.go", "package a", "func A() {}")
	src := f.commit("10:00", map[string]string{"a.go": "package a\nfunc A() {}\n"})
	e := f.handlers(nil)
	if err := e.PostCommit(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.git("checkout", "-q", "-")
	f.t.Setenv("GIT_COMMITTER_DATE", "2026-01-09T10:00:00Z") // a week later: out of any window
	f.git("cherry-pick", "--no-commit", src.String())
	// The sequencer state git leaves while post-commit runs.
	write(t, filepath.Join(f.dir, ".git", "CHERRY_PICK_HEAD"), src.String()+"\n")
	f.git("commit", "-q", "--no-verify", "-m", "picked")
	if err := f.handlers(nil).PostCommit(context.Background()); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(f.dir, ".git", "CHERRY_PICK_HEAD"))
	if n := f.note("HEAD"); !strings.Contains(n, "> Please write a.") {
		t.Errorf("the cherry-pick did not carry its source's prompt:\n%s", n)
	}

	f.edit("s1", "write c", "10:30", "c.go", "package a")
	f.commit("11:00", map[string]string{"c.go": "package a\n"})
	if err := os.MkdirAll(filepath.Join(f.dir, ".git", "rebase-merge"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.handlers(nil).PostCommit(context.Background()); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(f.dir, ".git", "rebase-merge"))
	if n := f.note("HEAD"); n != "" {
		t.Errorf("post-commit wrote a note during a rebase:\n%s", n)
	}
}

// TestPostRewrite checks that an amended commit gets a note with the
// prompts of the commit it replaces, from git's list and, for hook
// managers that pass none, rebuilt from the reflog.
func TestPostRewrite(t *testing.T) {
	for _, withList := range []bool{true, false} {
		t.Run(fmt.Sprintf("list=%v", withList), func(t *testing.T) {
			f := newHandlerFixture(t)
			f.edit("s1", "write a", "09:00", "a.go", "package a", "func A() {}")
			old := f.commit("10:00", map[string]string{"a.go": "package a\nfunc A() {}\n"})
			e := f.handlers(nil)
			if err := e.PostCommit(context.Background()); err != nil {
				t.Fatal(err)
			}
			f.t.Setenv("GIT_COMMITTER_DATE", "2026-01-09T10:00:00Z")
			f.git("commit", "-q", "--amend", "--no-verify", "-m", "amended")
			input := ""
			if withList {
				input = old.String() + " " + f.head().String() + "\n"
			}
			after := f.handlers(nil) // the hook runs in a process of its own
			rw, err := ReadRewrites(after.Repo, "amend", strings.NewReader(input))
			if err != nil || len(rw.New) != 1 || rw.New[0] != f.head() || len(rw.Olds[f.head()]) != 1 || rw.Olds[f.head()][0] != old {
				t.Fatalf("ReadRewrites: %+v, %v", rw, err)
			}
			if err := after.PostRewrite(context.Background(), rw); err != nil {
				t.Fatal(err)
			}
			if n := f.note("HEAD"); !strings.Contains(n, "> Please write a.") {
				t.Errorf("the amended commit did not carry the prompt:\n%s", n)
			}
		})
	}
}

// TestPrepareCommitMsg checks the trailer: added for an agent whose lines
// are staged, not for one whose lines are not.
func TestPrepareCommitMsg(t *testing.T) {
	f := newHandlerFixture(t)
	f.edit("s1", "write a", "09:00", "a.go", "func A() {}")
	write(t, filepath.Join(f.dir, "a.go"), "func A() {}\n")
	msg := filepath.Join(f.dir, ".git", "COMMIT_EDITMSG")
	e := f.handlers(nil)
	e.Now = func() time.Time { return time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC) }
	write(t, msg, "Add A\n")
	if err := e.PrepareCommitMsg(context.Background(), []string{msg, "message"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(msg); strings.Contains(string(b), "Assisted-by") {
		t.Errorf("a trailer for lines that are not staged:\n%s", b)
	}
	f.git("add", "a.go")
	if err := e.PrepareCommitMsg(context.Background(), []string{msg, "message"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(msg); !strings.Contains(string(b), "Assisted-by: Codex CLI") {
		t.Errorf("no trailer for staged lines of an agent:\n%s", b)
	}
}

// invocation returns an Invocation of hook in the fixture, with env's
// handlers, that records the workers it starts.
func (f *handlerFixture) invocation(hook string, budget time.Duration, env *Handlers, spawned *int) Invocation {
	return Invocation{Hook: hook, Repo: env.Repo, Deadline: time.Now().Add(budget),
		Handlers: func() (*Handlers, error) { return env, nil },
		Spawn:    func() error { *spawned++; return nil }}
}

// TestInvokeHandsOver checks the budget's hand-off: a post-commit whose
// ingest cannot finish (the database locked by another process, logs too
// large) returns at the deadline without an error, leaves HEAD's
// annotation in the spool and starts a worker; the worker then annotates
// HEAD. A hook that finishes leaves nothing and starts no worker.
func TestInvokeHandsOver(t *testing.T) {
	f := newHandlerFixture(t)
	f.edit("s1", "write a", "09:00", "a.go", "func A() {}")
	head := f.commit("10:00", map[string]string{"a.go": "func A() {}\n"})
	stuck := make(chan struct{})
	defer close(stuck)
	blocked := f.handlers(func(ctx context.Context) error {
		<-stuck // ignores its context, as a step that cannot be interrupted
		return nil
	})
	spawned := 0
	if err := Invoke(context.Background(), f.invocation("post-commit", 50*time.Millisecond, blocked, &spawned)); err != nil {
		t.Errorf("a hook cut by its budget reported %v", err)
	}
	spool := NewSpool(blocked.Repo.GitDir())
	jobs, _ := spool.Jobs()
	if spawned != 1 || len(jobs) != 1 || jobs[0].Kind != jobAnnotate || jobs[0].Arg != head.String() {
		t.Fatalf("after the cut: %d workers started, spool %+v; want 1 and HEAD's annotation", spawned, jobs)
	}
	if n := f.note("HEAD"); n != "" {
		t.Errorf("a note was written past the budget:\n%s", n)
	}

	worker := f.handlers(nil)
	if err := worker.Work(context.Background(), spool); err != nil {
		t.Fatal(err)
	}
	if n := f.note("HEAD"); !strings.Contains(n, "> Please write a.") {
		t.Errorf("the worker did not annotate HEAD:\n%s", n)
	}
	if jobs, _ := spool.Jobs(); len(jobs) != 0 {
		t.Errorf("left in the spool: %+v", jobs)
	}
	if queued, _ := f.db.Jobs(context.Background(), ""); len(queued) != 0 {
		t.Errorf("left in the database's queue: %+v", queued)
	}

	f.edit("s1", "write b", "10:30", "b.go", "func B() {}")
	f.commit("11:00", map[string]string{"b.go": "func B() {}\n"})
	spawned = 0
	if err := Invoke(context.Background(), f.invocation("post-commit", time.Minute, f.handlers(nil), &spawned)); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := spool.Jobs(); spawned != 0 || len(jobs) != 0 {
		t.Errorf("a hook that finished started %d workers and left %+v", spawned, jobs)
	}
	if n := f.note("HEAD"); !strings.Contains(n, "> Please write b.") {
		t.Errorf("HEAD's note:\n%s", n)
	}
}

// TestInvokeFails checks that a hook that fails says why, and leaves its
// work to a worker that tries again.
func TestInvokeFails(t *testing.T) {
	f := newHandlerFixture(t)
	f.commit("10:00", map[string]string{"a.go": "func A() {}\n"})
	broken := errors.New("database disk image is malformed")
	spawned := 0
	env := f.handlers(func(context.Context) error { return broken })
	if err := Invoke(context.Background(), f.invocation("post-commit", time.Minute, env, &spawned)); !errors.Is(err, broken) {
		t.Errorf("Invoke returned %v, want the handler's error", err)
	}
	if jobs, _ := NewSpool(env.Repo.GitDir()).Jobs(); spawned != 1 || len(jobs) != 1 {
		t.Errorf("after a failure: %d workers started, spool %+v; want 1 and the job", spawned, jobs)
	}
}

// TestOneWorkerPerDatabase checks that a worker waits while another one
// works on the same database, and that a second worker of the same
// repository leaves at once (the first one takes its jobs).
func TestOneWorkerPerDatabase(t *testing.T) {
	f := newHandlerFixture(t)
	f.edit("s1", "write a", "09:00", "a.go", "func A() {}")
	f.commit("10:00", map[string]string{"a.go": "func A() {}\n"})
	e := f.handlers(nil)
	spool := NewSpool(e.Repo.GitDir())
	if _, err := Handoff(spool, e.Repo, "post-commit", Rewrites{}, false); err != nil {
		t.Fatal(err)
	}
	spool.Release() // the hook ran out of time
	// Another worker of this database, of another repository, is working.
	release, ok, err := lockFile(context.Background(), f.db.Path()+"-worker.lock", 0, 0)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	first := make(chan error, 1)
	go func() { first <- e.Work(context.Background(), spool) }()
	// The first worker holds the repository's lock while it waits for
	// the database's: a second one leaves at once.
	for {
		r, ok, err := lockFile(context.Background(), spool.workerLock(), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		r()
		time.Sleep(time.Millisecond)
	}
	if err := f.handlers(nil).Work(context.Background(), spool); err != nil {
		t.Errorf("the second worker: %v", err)
	}
	if n := f.note("HEAD"); n != "" {
		t.Error("a worker worked while another held the database's lock")
	}
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := f.note("HEAD"); !strings.Contains(n, "> Please write a.") {
		t.Errorf("the waiting worker did not do the job once the lock was free:\n%s", n)
	}
}

// A job that fails is tried once by each worker (not again at once), and
// after store.MaxAttempts stays queued with its error for status to show;
// queued again (a push after the next commit), it is tried anew.
func TestFailingPushKeptWithItsError(t *testing.T) {
	f := newHandlerFixture(t)
	f.commit("10:00", map[string]string{"a.go": "func A() {}\n"})
	e := f.handlers(nil)
	pushes := 0
	e.Push = func(context.Context) error {
		pushes++
		return errors.New("team database: password authentication failed")
	}
	ctx := context.Background()
	spool := NewSpool(e.Repo.GitDir())
	queue := func() {
		t.Helper()
		if err := f.db.Enqueue(ctx, e.RepoKey, jobPush, ""); err != nil {
			t.Fatal(err)
		}
	}
	queue()
	for run := 1; run <= store.MaxAttempts+1; run++ {
		if err := e.Work(ctx, spool); err != nil {
			t.Fatal(err)
		}
		if want := min(run, store.MaxAttempts); pushes != want {
			t.Fatalf("after %d workers: %d pushes, want %d (one per worker, at most %d)", run, pushes, want, store.MaxAttempts)
		}
	}
	jobs, err := f.db.Jobs(ctx, e.RepoKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Attempts != store.MaxAttempts || !strings.Contains(jobs[0].LastErr, "password authentication failed") {
		t.Fatalf("the failed push is not kept with its error: %+v", jobs)
	}
	queue()
	if err := e.Work(ctx, spool); err != nil {
		t.Fatal(err)
	}
	if pushes != store.MaxAttempts+1 {
		t.Errorf("a push queued again was not tried: %d pushes", pushes)
	}
}
