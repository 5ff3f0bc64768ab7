package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/hooks"
)

func hookCommand() command {
	var names, lines []string
	for _, h := range hooks.AllHooks() {
		names = append(names, h.Name)
		work := h.Work
		if h.Optional {
			work += " (installed with " + h.Flag + ")"
		}
		lines = append(lines, fmt.Sprintf("  %-19s %s", h.Name, work))
	}
	lines = append(lines, fmt.Sprintf("  %-19s %s", "worker", "finish queued work (started detached when a hook runs out of time)"))
	return command{
		name: "hook", usage: strings.Join(names, "|") + "|worker [ARGS]",
		summary: "run a git hook's work (called by the installed hooks)",
		long: `Runs the work of one git hook. The scripts 'aitrail install' writes call it;
you do not need to. It never fails: any problem is printed as one line on
stderr and the exit status is 0, so a commit is never blocked.

` + strings.Join(lines, "\n"),
		new: func() options { return &hookOptions{} },
	}
}

type hookOptions struct {
	name string   // the hook
	rest []string // what git passed to it
}

func (o *hookOptions) flags(fs *pflag.FlagSet) {
	fs.SetInterspersed(false) // git's arguments to the hook are passed on as they are
}

func (o *hookOptions) args(args []string) error {
	if len(args) == 0 {
		return usagef("hook needs the hook's name")
	}
	o.name, o.rest = args[0], args[1:]
	return nil
}

// run runs the hook's handler; it reports problems in one line and never
// fails.
func (o *hookOptions) run(e *env) error {
	if e.getenv("AITRAIL") == "0" {
		return nil
	}
	known := []string{"worker"}
	for _, h := range hooks.AllHooks() {
		known = append(known, h.Name)
	}
	if !slices.Contains(known, o.name) {
		// Still exit 0: a hook script of a newer aitrail must not block a
		// commit made with an older binary.
		fmt.Fprintf(e.io.err, "aitrail hook: unknown hook %q (known: %s); nothing done\n", o.name, strings.Join(known, ", "))
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(e.io.err, "aitrail %s: internal error: %v (the commit is not affected)\n", o.name, r)
		}
	}()
	if err := o.handle(e); err != nil {
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		fmt.Fprintf(e.io.err, "aitrail %s: %s (the commit is not affected)\n", o.name, msg)
	}
	return nil
}

func (o *hookOptions) handle(e *env) error {
	if o.name == "pre-commit" {
		// post-commit does the commit's work (see hooks.Handlers.PreCommit);
		// a broken rule file of the repository is said on every hook run.
		if root, err := gitlog.Root("."); err == nil {
			if _, err := repoRules(root); err != nil {
				return repoRulesError(err)
			}
		}
		return nil
	}
	start := e.now()
	repo, err := openRepo()
	if err != nil {
		return err
	}
	if o.name == "pre-push" {
		if e.getenv("AITRAIL_SYNCING") != "" {
			return nil // the push of the notes themselves
		}
		remote := "origin"
		if len(o.rest) > 0 {
			remote = o.rest[0]
		} else if r := e.getenv("PRE_COMMIT_REMOTE_NAME"); r != "" {
			remote = r // the pre-commit framework passes no arguments
		}
		ref, err := e.notesRef()
		if err != nil {
			return err
		}
		_, err = syncNotes(repo, remote, ref, false)
		return err
	}
	// A broken rule file of the repository stops every hook's work (the
	// sessions would miss its rules) and says so each time.
	if _, err := repoRules(repo.Root()); err != nil {
		return repoRulesError(err)
	}
	// The database is not closed: the process ends right after, and the
	// last connection's close would checkpoint the write-ahead log into the
	// database (two fsyncs, half of a hook's time). SQLite does that on a
	// later write instead; nothing committed is at risk.
	budget, err := e.hookBudget()
	if err != nil {
		return err
	}
	f, err := e.config()
	if err != nil {
		return err
	}
	return hooks.Invoke(e.ctx, hooks.Invocation{
		Hook: o.name, Args: o.rest, Input: e.io.in, Repo: repo,
		RewriteKind: e.getenv("PRE_COMMIT_REWRITE_COMMAND"), // the pre-commit framework passes no arguments
		Deadline:    start.Add(budget),
		Push:        f.Team.Push == "auto",
		Handlers: func() (*hooks.Handlers, error) {
			h, _, err := e.hookHandlers(repo, o.name != "worker")
			return h, err
		},
		Spawn: func() error { return e.spawnWorker(repo.Root()) },
	})
}
