package hooks

import (
	"context"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

// TestAutoPushFollowsAnnotation checks where team.push: auto puts the push:
// after the commit's annotation, whether post-commit annotates at once or
// runs out of its budget and leaves the annotation to the worker, so that
// the push the worker runs carries the commit.
func TestAutoPushFollowsAnnotation(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"init", "-q", dir}, {"-C", dir, "commit", "-q", "--allow-empty", "-m", "one"}} {
		cmd := exec.Command("git", args...)
		cmd.Env = append(cmd.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com",
			"GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "trail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	repo, err := gitlog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	var pushedWith []bool // whether each push found HEAD's record
	slow := false
	e := &Handlers{
		DB: db, Repo: repo, RepoKey: "repo:test", CatchUp: -1,
		Ingest: func(ctx context.Context) error {
			if slow {
				<-ctx.Done()
				return ctx.Err()
			}
			return nil
		},
		Push: func(ctx context.Context) error {
			known, err := db.KnownCommits(ctx, "repo:test", []string{head.String()})
			pushedWith = append(pushedWith, known[head.String()])
			return err
		},
	}
	spool := NewSpool(repo.GitDir())
	kinds := func() []string {
		jobs, err := spool.Jobs()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, j := range jobs {
			out = append(out, j.Kind)
		}
		return out
	}
	spawned := 0
	postCommit := func() {
		t.Helper()
		err := Invoke(ctx, Invocation{Hook: "post-commit", Repo: repo, Deadline: time.Now().Add(20 * time.Millisecond), Push: e.Push != nil,
			Handlers: func() (*Handlers, error) { return e, nil }, Spawn: func() error { spawned++; return nil }})
		if err != nil {
			t.Fatal(err)
		}
	}

	// Out of budget: the annotation is handed over first, then the push.
	slow = true
	postCommit()
	if got, want := kinds(), []string{"annotate", "push"}; !reflect.DeepEqual(got, want) {
		t.Errorf("handed over %v, want %v", got, want)
	}
	slow = false
	if err := e.Work(ctx, spool); err != nil {
		t.Fatal(err)
	}
	if len(pushedWith) != 1 || !pushedWith[0] {
		t.Errorf("the worker pushed %d times, finding the commit's record: %v", len(pushedWith), pushedWith)
	}

	// Within budget: annotated at once, the push handed to the worker.
	spawned = 0
	postCommit()
	if got, want := kinds(), []string{"push"}; !reflect.DeepEqual(got, want) || spawned != 1 {
		t.Errorf("handed over %v and started %d workers, want %v and 1", got, spawned, want)
	}

	// Without team.push: auto nothing is handed over.
	e.Push = nil
	if err := e.Work(ctx, spool); err != nil {
		t.Fatal(err)
	}
	spawned = 0
	postCommit()
	if got := kinds(); len(got) != 0 || spawned != 0 {
		t.Errorf("handed over %v and started %d workers without automatic pushes", got, spawned)
	}
}
