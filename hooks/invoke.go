package hooks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aitrail/aitrail/gitlog"
)

// Invocation is one run of a hook, as the command wires it.
type Invocation struct {
	Hook string   // pre-commit, post-commit, post-rewrite, prepare-commit-msg, or worker
	Args []string // what git passed to the hook
	// RewriteKind is post-rewrite's kind (amend, rebase) when git's
	// arguments do not say it (the pre-commit framework passes none).
	RewriteKind string
	Input       io.Reader // post-rewrite's list of rewritten commits
	Repo        *gitlog.Repo
	// Deadline ends the hook's budget (the worker has none).
	Deadline time.Time
	// Push says that a push follows each annotation (team.push: auto); the
	// worker does it (Handlers.Push).
	Push bool
	// Handlers builds the handlers. It opens the database, so it runs
	// within the budget.
	Handlers func() (*Handlers, error)
	// Spawn starts a detached worker ("aitrail hook worker").
	Spawn func() error
}

// Invoke runs a hook. What a worker would do in the hook's place is
// written down first, from git alone (Handoff); then the work runs within
// the budget (Budget.Run). Past the deadline, or when it fails, the work
// is handed over to a detached worker and Invoke returns without waiting:
// a commit waits for a hook no longer than its budget (plus an Atomic
// step in progress), whatever holds the database or however large the
// logs, and a hook cut short prints nothing. The worker itself is not
// bounded.
func Invoke(ctx context.Context, in Invocation) error {
	spool := NewSpool(in.Repo.GitDir())
	if in.Hook == "worker" {
		e, err := in.Handlers()
		if err != nil {
			return err
		}
		return e.Work(ctx, spool)
	}
	var rw Rewrites
	if in.Hook == "post-rewrite" {
		kind := in.RewriteKind
		if len(in.Args) > 0 {
			kind = in.Args[0]
		}
		var err error
		if rw, err = ReadRewrites(in.Repo, kind, in.Input); err != nil {
			return err
		}
	}
	finished, handErr := Handoff(spool, in.Repo, in.Hook, rw, in.Push)
	budget := NewBudget(in.Deadline)
	done, err := budget.Run(ctx, func(ctx context.Context) error {
		e, err := in.Handlers()
		if err != nil {
			return err
		}
		e.Budget = budget
		return e.handle(ctx, in.Hook, in.Args, rw)
	})
	if done && err == nil {
		finished()
	}
	var spawnErr error
	if spool.Release() > 0 && in.Spawn != nil {
		spawnErr = in.Spawn()
	}
	if done && err != nil {
		return err
	}
	return errors.Join(handErr, spawnErr) // handed over: nothing to report, unless that failed
}

// handle runs a hook's handler.
func (e *Handlers) handle(ctx context.Context, hook string, args []string, rw Rewrites) error {
	switch hook {
	case "pre-commit":
		return e.PreCommit(ctx)
	case "post-commit":
		return e.PostCommit(ctx)
	case "post-rewrite":
		return e.PostRewrite(ctx, rw)
	case "prepare-commit-msg":
		return e.PrepareCommitMsg(ctx, args)
	}
	return fmt.Errorf("unknown hook %q", hook)
}
