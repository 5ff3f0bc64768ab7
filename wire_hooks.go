package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aitrail/aitrail/config"
	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/hooks"
	"github.com/aitrail/aitrail/ingest"
	"github.com/aitrail/aitrail/pricing"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

// price estimates the cost of one API call.
func price(model string, t store.Tokens) (float64, bool) {
	return pricing.Cost(model, pricing.Usage{Input: t.Input, CacheRead: t.CacheRead, CacheWrite: t.CacheWrite,
		CacheWrite1h: t.CacheWrite1h, Output: t.Output})
}

// notesRef is the notes ref the config names, expanded as git does, or
// the default one.
func (e *env) notesRef() (string, error) {
	f, err := e.config()
	if err != nil {
		return "", err
	}
	if f.Notes.Ref != "" {
		return gitlog.ExpandNotesRef(f.Notes.Ref) // checked when the config was loaded
	}
	return hooks.NotesRef, nil
}

// renderOptions are the config's choices for rendering notes.
func renderOptions(f *config.File) report.NoteOptions {
	return report.NoteOptions{Version: version, Prompts: f.Notes.Prompts, MaxPrompt: f.Notes.MaxPrompt, NoAI: f.Notes.NoAI}
}

// syncNotes fetches the remote's notes into a tracking ref, merges them
// (keeping both notes where both sides annotated a commit) and, unless
// fetchOnly, pushes, retrying when another push wins the race.
func syncNotes(repo *gitlog.Repo, remote, ref string, fetchOnly bool) (gitlog.SyncResult, error) {
	return repo.SyncNotes(remote, ref, gitlog.SyncOptions{FetchOnly: fetchOnly, Tries: 3, Combine: report.CombineNotes})
}

// hookHandlers wires the handlers: database, redaction, logs, note options.
// The redaction engine is built when a byte needs it: when a log has new
// bytes, or the lines of a commit are weighed against an agent's edits (a
// commit with nothing new and no agent near it never builds it).
func (e *env) hookHandlers(repo *gitlog.Repo, hook bool) (*hooks.Handlers, func(), error) {
	f, err := e.config()
	if err != nil {
		return nil, nil, err
	}
	db, err := e.openDB(true)
	if err != nil {
		return nil, nil, err
	}
	var eng *redact.Engine
	engine := func() (*redact.Engine, error) {
		var err error
		if eng == nil {
			eng, err = e.engine(db)
		}
		return eng, err
	}
	key, err := repoKey(e, db, repo.Root())
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	h := &hooks.Handlers{
		DB:      db,
		Repo:    repo,
		RepoKey: key,
		Ingest: func(ctx context.Context) error {
			var near *ingest.Near
			if hook {
				n, err := nearRepo(ctx, db, repo)
				if err != nil {
					return err
				}
				near = n
			}
			files, err := e.logFiles(near)
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
			_, err = ingest.Run(ctx, db, eng, files, ingest.Options{Home: e.home, BatchBytes: 1 << 20, NoCounts: true, MaxLine: f.Ingest.MaxLine})
			return err
		},
		Correlate: report.Options{Redact: func() (func(string) string, error) {
			eng, err := engine()
			if err != nil {
				return nil, err
			}
			return redactField(eng, repo.Root()), nil
		}, Price: price},
		Note:    renderOptions(f),
		Ref:     f.Notes.Ref,
		CatchUp: f.Hooks.CatchUp,
		Now:     e.now,
	}
	if f.Notes.Lookback != "" {
		h.Correlate.Lookback, _ = config.ParseDuration(f.Notes.Lookback)
	}
	if f.Team.Push == "auto" {
		h.Push = func(ctx context.Context) error {
			t, err := e.teamSettings("")
			if err != nil {
				return err
			}
			_, err = e.push(db, t, false, false)
			return err
		}
	}
	return h, func() { db.Close() }, nil
}

// hookBudget is how long a hook may work: the config's hooks.budget, else
// hooks.DefaultBudget.
func (e *env) hookBudget() (time.Duration, error) {
	f, err := e.config()
	if err != nil || f.Hooks.Budget == "" {
		return hooks.DefaultBudget, err
	}
	return config.ParseDuration(f.Hooks.Budget) // checked when the config was loaded
}

// executable returns the path of the running binary, found by the name it
// was run with.
func (e *env) executable() (string, error) {
	exe := e.exe
	if !strings.ContainsRune(exe, os.PathSeparator) {
		p, err := exec.LookPath(exe)
		if err != nil {
			return "", fmt.Errorf("find %s: %w", exe, err)
		}
		exe = p
	}
	return filepath.Abs(exe)
}

// spawnWorker starts "aitrail hook worker" detached from the hook: its own
// session, no stdio, so that git does not wait for it.
func (e *env) spawnWorker(dir string) error {
	exe, err := e.executable()
	if err != nil {
		return fmt.Errorf("start a worker: %w", err)
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
