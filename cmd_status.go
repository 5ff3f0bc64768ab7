package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/hooks"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

func statusCommand() command {
	return command{
		name: "status", usage: "[--json]",
		summary: "show hooks, database, pending work and the newest annotated commit",
		long: `Reports whether aitrail's hooks run in this repository (its own scripts, or
jobs declared for lefthook, the pre-commit framework or husky), what is wrong
when a hook manager displaced them and how to fix it, which database is used
and what it holds, work queued by hooks that ran out of time, and the newest
annotated commit. prepare-commit-msg and pre-push are optional. --check also
reads the whole database file to find damage (seconds on a large one).`,
		new: func() options { return &statusOptions{} },
	}
}

type statusOptions struct {
	json  bool
	check bool
}

func (o *statusOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print JSON")
	fs.BoolVar(&o.check, "check", false, "also check the database file for damage (reads all of it)")
}

func (o *statusOptions) args(args []string) error {
	return noArgs("status", args)
}

// status is what status reports.
type status struct {
	Repo      string              `json:"repo,omitempty"`
	Hooks     []hooks.HookState   `json:"hooks,omitempty"`
	DB        string              `json:"db"`
	Counts    map[string]int64    `json:"counts"`
	Pending   []store.Job         `json:"pending"`
	Last      *store.CommitRecord `json:"lastAnnotated,omitempty"`
	Unmatched int                 `json:"commitsWithoutRecord"`
	// RepoRules is how many rules the repository's own file holds;
	// RepoRulesError why it cannot apply.
	RepoRules      int    `json:"repoRules"`
	RepoRulesError string `json:"repoRulesError,omitempty"`
	// Integrity is "ok" or the damage --check found; empty without --check.
	Integrity string `json:"integrity,omitempty"`
}

func (o *statusOptions) run(e *env) error {
	var st status
	repo, rerr := openRepo()
	if rerr == nil {
		st.Repo = repo.Root()
		hs, err := hooks.Inspect(repo)
		if err != nil {
			return err
		}
		st.Hooks = hs
		rules, err := repoRules(repo.Root())
		st.RepoRules = len(rules)
		if err != nil {
			st.RepoRulesError = repoRulesError(err).Error()
		}
	}
	db, err := e.openDB(true)
	if err != nil {
		return err
	}
	defer db.Close()
	st.DB = db.Path()
	if o.check {
		st.Integrity = "ok"
		if err := db.QuickCheck(e.ctx); err != nil {
			st.Integrity = err.Error()
		}
	}
	if st.Counts, err = db.Counts(e.ctx); err != nil {
		return err
	}
	st.Pending = []store.Job{}
	if repo != nil {
		h, done, err := e.hookHandlers(repo, false)
		if err != nil {
			return err
		}
		defer done()
		jobs, err := db.Jobs(e.ctx, h.RepoKey)
		if err != nil {
			return err
		}
		handed, err := hooks.NewSpool(repo.GitDir()).Jobs() // not in the database yet
		if err != nil {
			return err
		}
		st.Pending = append(append(st.Pending, jobs...), handed...)
		if last, err := db.LastCommit(e.ctx, h.RepoKey); err == nil {
			st.Last = &last
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		missing, err := h.Missing(e.ctx, 50, false)
		if err != nil {
			return err
		}
		st.Unmatched = len(missing)
	}
	if o.json {
		return writeJSON(e.io.out, st)
	}
	w := e.io.out
	if rerr != nil {
		fmt.Fprintf(w, "repository: none (%v)\n", rerr)
	} else {
		fmt.Fprintf(w, "repository: %s\n", st.Repo)
		printHookStates(w, st.Hooks)
		switch {
		case st.RepoRulesError != "":
			fmt.Fprintf(w, "  %-19s %s\n", "redaction rules", st.RepoRulesError)
		case st.RepoRules > 0:
			fmt.Fprintf(w, "  %-19s %s: %s\n", "redaction rules", redact.RepoRuleFile, report.Plural(st.RepoRules, "rule"))
		}
	}
	fmt.Fprintf(w, "database:   %s\n", st.DB)
	fmt.Fprintf(w, "  %s, %s, %s, %s\n", report.Plural(st.Counts["sessions"], "session"), report.Plural(st.Counts["prompts"], "prompt"),
		report.Plural(st.Counts["file_edits"], "file edit"), report.Plural(st.Counts["sources"], "log file"))
	if st.Integrity != "" {
		fmt.Fprintf(w, "  integrity: %s\n", st.Integrity)
	}
	fmt.Fprintf(w, "pending:    %s\n", report.Plural(len(st.Pending), "queued job"))
	for _, j := range st.Pending {
		line := strings.TrimSpace(j.Kind + " " + j.Arg)
		switch {
		case j.Attempts >= store.MaxAttempts:
			line += fmt.Sprintf(": failed %d times, not tried again until it is queued again (a push: by the next commit): %s", j.Attempts, j.LastErr)
		case j.LastErr != "":
			line += fmt.Sprintf(": tried %s, the next worker tries again; last error: %s", report.Plural(j.Attempts, "time"), j.LastErr)
		}
		fmt.Fprintf(w, "  %s\n", line)
	}
	if st.Last != nil {
		fmt.Fprintf(w, "newest annotated: %s (%s, %d of %d added lines by AI)\n", st.Last.SHA[:10], st.Last.Status, st.Last.AI, st.Last.Added)
	}
	if repo != nil {
		fmt.Fprintf(w, "recent commits without a record: %d ('aitrail annotate' catches up)\n", st.Unmatched)
	}
	return nil
}

// printHookStates prints status's list of hooks, with what is wrong and
// how to fix it.
func printHookStates(w io.Writer, states []hooks.HookState) {
	for _, hs := range states {
		extra := ""
		if hs.Chained {
			extra = " (runs the previous hook first)"
		}
		if hs.Via != "" {
			extra += " (" + hs.Via + ")"
		}
		if hs.State == hooks.StateOptional {
			extra += " (" + hs.Fix + ")"
		}
		fmt.Fprintf(w, "  %-19s %s%s\n", hs.Name, hs.State, extra)
		if hs.Problem != "" {
			fmt.Fprintf(w, "      %s\n", hs.Problem)
		}
		if hs.Fix != "" && hs.State != hooks.StateOptional {
			fmt.Fprintf(w, "      fix: %s\n", strings.ReplaceAll(hs.Fix, "\n", "\n        "))
		}
	}
}
