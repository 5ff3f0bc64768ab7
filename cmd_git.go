package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/config"
	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/hooks"
	"github.com/aitrail/aitrail/ingest"
	"github.com/aitrail/aitrail/pricing"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

// openRepo opens the repository of the working directory.
func openRepo() (*gitlog.Repo, error) {
	repo, err := gitlog.Open(".")
	if errors.Is(err, gitlog.ErrNotRepository) {
		return nil, fmt.Errorf("%w: run this inside a git repository", err)
	}
	return repo, err
}

// price estimates the cost of one API call.
func price(model string, t store.Tokens) (float64, bool) {
	return pricing.Cost(model, pricing.Usage{Input: t.Input, CacheRead: t.CacheRead, CacheWrite: t.CacheWrite,
		CacheWrite1h: t.CacheWrite1h, Output: t.Output})
}

// hookEnv wires the handlers: database, redaction, logs, note options.
// Only annotating needs the redaction engine up front; ingest builds it
// when a log has new bytes (a pre-commit with nothing new never does).
func (e *env) hookEnv(repo *gitlog.Repo, annotating bool) (*hooks.Env, func(), error) {
	f, err := e.config()
	if err != nil {
		return nil, nil, err
	}
	db, err := e.openDB()
	if err != nil {
		return nil, nil, err
	}
	var eng *redact.Engine
	engine := func() (*redact.Engine, error) {
		if eng == nil {
			eng, err = e.engine(db)
		}
		return eng, err
	}
	if annotating {
		if _, err := engine(); err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	repoKey, err := db.PathKey(e.ctx, repo.Root())
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	h := &hooks.Env{
		DB:      db,
		Repo:    repo,
		RepoKey: "repo:" + repoKey,
		Ingest: func(ctx context.Context) error {
			files, err := e.logFiles()
			if err != nil {
				return err
			}
			if n, err := ingest.Pending(ctx, db, files); err != nil || n == 0 {
				return err
			}
			eng, err := engine()
			if err != nil {
				return err
			}
			_, err = ingest.Run(ctx, db, eng, files, ingest.Options{Home: e.home, BatchBytes: 1 << 20})
			return err
		},
		Correlate: report.Options{Redact: func(s string) string {
			out, _ := eng.Text(redact.ScopeField, s) // built above when annotating
			return out
		}, Price: price},
		Note:    report.NoteOptions{Version: version, Prompts: f.Notes.Prompts, MaxPrompt: f.Notes.MaxPrompt, NoAI: f.Notes.NoAI},
		Ref:     f.Notes.Ref,
		CatchUp: f.Hooks.CatchUp,
		Now:     e.now,
	}
	if f.Notes.Lookback != "" {
		h.Correlate.Lookback, _ = config.ParseDuration(f.Notes.Lookback)
	}
	if f.Hooks.Budget != "" {
		h.Budget, _ = config.ParseDuration(f.Hooks.Budget)
	}
	h.Spawn = func() error { return e.spawnWorker(repo.Root()) }
	return h, func() { db.Close() }, nil
}

// spawnWorker starts "aitrail hook worker" detached from the hook: its own
// session, no stdio, so that git does not wait for it.
func (e *env) spawnWorker(dir string) error {
	// Run the binary the hook ran, by the name it was run with.
	exe := os.Args[0]
	if !strings.ContainsRune(exe, os.PathSeparator) {
		p, err := exec.LookPath(exe)
		if err != nil {
			return fmt.Errorf("find %s to start a worker: %w", exe, err)
		}
		exe = p
	}
	args := []string{"hook", "worker"}
	if e.dbFlag != "" {
		args = append([]string{"--db", e.dbFlag}, args...)
	}
	if e.configFlag != "" {
		args = append([]string{"--config", e.configFlag}, args...)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	return cmd.Process.Release()
}

func installCommand() command {
	return command{
		name: "install", args: "[--chain] [--sync-notes] [--trailer] [--files]",
		summary: "install the git hooks that annotate every commit",
		long: `Installs pre-commit (ingest new agent logs), post-commit (write the commit's
transparency note) and post-rewrite (carry notes through amend and rebase)
into the repository's effective hooks directory (core.hooksPath honoured), and
configures notes.rewriteRef and notes.displayRef so that git keeps the notes
on rewritten commits and 'git log' shows them. With git 2.54 or newer, the
hooks are config-based (hook.aitrail-<hook>.event/command in .git/config),
which coexist with any other hook; --files writes hook files instead.

A hook that aitrail did not write is never overwritten: install refuses and
names it, unless --chain is given, which keeps it as <hook>.pre-aitrail and
runs it first with its exit status preserved ('aitrail uninstall' puts it
back). With husky, aitrail's lines are added to .husky/<hook>; with lefthook
or the pre-commit framework, install prints the configuration to add.

The hooks never fail a commit, and AITRAIL=0 disables them.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			var o hooks.InstallOptions
			fs.BoolVar(&o.Chain, "chain", false, "keep existing hooks and run them before aitrail's")
			fs.BoolVar(&o.SyncNotes, "sync-notes", false, "also install pre-push, which shares notes with the remote")
			fs.BoolVar(&o.Files, "files", false, "write hook files even where git (2.54+) runs hooks from config")
			fs.BoolVar(&o.Trailer, "trailer", false, "also install prepare-commit-msg, which adds an Assisted-by: trailer to commits with AI-written lines")
			return func(args []string) error {
				if len(args) > 0 {
					return usagef("install takes no arguments")
				}
				repo, err := openRepo()
				if err != nil {
					return err
				}
				f, err := e.config()
				if err != nil {
					return err
				}
				o.Ref = f.Notes.Ref
				rep, err := hooks.Install(repo, o)
				if err != nil {
					return err
				}
				printReport(e.stdout, rep)
				if _, err := exec.LookPath("aitrail"); err != nil {
					fmt.Fprintln(e.stderr, "warning: 'aitrail' is not in PATH, so the hooks will skip their work: run 'go install .' or copy the binary into PATH")
				}
				return nil
			}
		},
	}
}

func uninstallCommand() command {
	return command{
		name: "uninstall", args: "",
		summary: "remove aitrail's git hooks, restoring chained ones",
		long:    `Removes the hooks aitrail installed, puts back any foreign hook it chained, and removes the notes.displayRef it added. Notes already written stay.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			return func(args []string) error {
				if len(args) > 0 {
					return usagef("uninstall takes no arguments")
				}
				repo, err := openRepo()
				if err != nil {
					return err
				}
				f, err := e.config()
				if err != nil {
					return err
				}
				rep, err := hooks.Uninstall(repo, hooks.InstallOptions{Ref: f.Notes.Ref})
				if err != nil {
					return err
				}
				printReport(e.stdout, rep)
				return nil
			}
		},
	}
}

func printReport(w io.Writer, rep *hooks.Report) {
	for _, p := range rep.Chained {
		fmt.Fprintf(w, "kept existing hook as %s (it runs first)\n", p)
	}
	for _, p := range rep.Written {
		fmt.Fprintf(w, "installed %s\n", p)
	}
	for _, p := range rep.Removed {
		fmt.Fprintf(w, "removed %s\n", p)
	}
	for _, p := range rep.Restored {
		fmt.Fprintf(w, "restored %s\n", p)
	}
	for _, c := range rep.Config {
		fmt.Fprintf(w, "git config: %s\n", c)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

func hookCommand() command {
	return command{
		name: "hook", args: "pre-commit|post-commit|post-rewrite|pre-push|worker",
		summary: "run a git hook's work (called by the installed hooks)",
		long: `Runs the work of one git hook. The scripts 'aitrail install' writes call it;
you do not need to. It never fails: any problem is printed as one line on
stderr and the exit status is 0, so a commit is never blocked.

  pre-commit     ingest what the agents wrote since the last run
  post-commit    annotate HEAD, and commits made without the hooks
  post-rewrite   re-annotate amended or rebased commits (reads "old new" lines)
  pre-push       share notes with the remote (installed with --sync-notes)
  prepare-commit-msg
                 add Assisted-by: trailers (installed with --trailer)
  worker         finish queued work (started detached when a hook runs out of time)`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			return func(args []string) error {
				if len(args) == 0 {
					return usagef("hook needs the hook's name")
				}
				e.runHook(args[0], args[1:])
				return nil
			}
		},
	}
}

// runHook runs a hook handler; it reports problems in one line and never
// fails.
func (e *env) runHook(name string, args []string) {
	if e.getenv("AITRAIL") == "0" {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(e.stderr, "aitrail %s: internal error: %v (the commit is not affected)\n", name, r)
		}
	}()
	if err := e.hook(name, args); err != nil {
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		fmt.Fprintf(e.stderr, "aitrail %s: %s (the commit is not affected)\n", name, msg)
	}
}

func (e *env) hook(name string, args []string) error {
	repo, err := openRepo()
	if err != nil {
		return err
	}
	if name == "pre-push" {
		if e.getenv("AITRAIL_SYNCING") != "" {
			return nil // the push of the notes themselves
		}
		remote := "origin"
		if len(args) > 0 {
			remote = args[0]
		}
		f, err := e.config()
		if err != nil {
			return err
		}
		return syncNotes(repo, remote, notesRef(f))
	}
	// The database is not closed: the process ends right after, and the
	// last connection's close would checkpoint the write-ahead log into the
	// database (two fsyncs, half of a hook's time). SQLite does that on a
	// later write instead; nothing committed is at risk.
	h, _, err := e.hookEnv(repo, name != "pre-commit")
	if err != nil {
		return err
	}
	switch name {
	case "pre-commit":
		return h.PreCommit(e.ctx)
	case "post-commit":
		return h.PostCommit(e.ctx)
	case "post-rewrite":
		kind := ""
		if len(args) > 0 {
			kind = args[0]
		}
		return h.PostRewrite(e.ctx, kind, e.stdin)
	case "worker":
		return h.Work(e.ctx)
	case "prepare-commit-msg":
		return h.PrepareCommitMsg(e.ctx, args)
	}
	return fmt.Errorf("unknown hook %q", name)
}

func notesRef(f *config.File) string {
	if f.Notes.Ref != "" {
		r, err := gitlog.ExpandNotesRef(f.Notes.Ref)
		if err == nil {
			return r
		}
	}
	return hooks.NotesRef
}

// syncNotes fetches the remote's notes into a tracking ref, merges them
// (keeping ours where both annotated a commit) and pushes, retrying when
// another push wins the race.
func syncNotes(repo *gitlog.Repo, remote, ref string) error {
	return repo.SyncNotes(remote, ref, 3)
}
