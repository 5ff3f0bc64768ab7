package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/hooks"
	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

func annotateCommand() command {
	return command{
		name: "annotate", usage: "[REV | REV-RANGE] [options]",
		summary: "write transparency notes on commits (by hand or to catch up)",
		long: `Ingests new agent logs, then correlates commits with the prompts and edits
that shaped them and writes their notes (refs/notes/aitrail). Without an
argument, annotates the recent commits that have no record yet (commits made
with --no-verify, by tools that bypass hooks, or before 'aitrail install'),
and looks again at those recorded without AI involvement and without a note
(an agent's log written after the commit may link them now).
With REV or A..B, (re-)annotates exactly those commits. --dry-run prints the
notes instead of writing them. --rewrite re-renders the notes of the
commits whose prompts a manual redaction ('aitrail redact add') changed
after their note was written.`,
		new: func() options { return &annotateOptions{} },
	}
}

type annotateOptions struct {
	rev      string // REV or REV-RANGE; empty: the commits without a record
	dryRun   bool
	limit    int
	noIngest bool
	json     bool
	quiet    bool
	rewrite  bool
}

func (o *annotateOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the notes, write nothing")
	fs.IntVar(&o.limit, "limit", 50, "at most this many commits")
	fs.BoolVar(&o.noIngest, "no-ingest", false, "do not read new agent logs first")
	fs.BoolVar(&o.json, "json", false, "print the results as JSON")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors (--dry-run still prints the notes)")
	fs.BoolVar(&o.rewrite, "rewrite", false, "re-render the notes of commits whose prompts manual redactions changed")
}

func (o *annotateOptions) args(args []string) error {
	if len(args) > 1 {
		return usagef("annotate takes at most one REV or REV-RANGE")
	}
	if o.rewrite && len(args) > 0 {
		return usagef("--rewrite takes no REV: it finds the commits whose notes need it")
	}
	if o.limit < 1 {
		return usagef("--limit: want a positive number of commits, not %d", o.limit)
	}
	if len(args) == 1 {
		o.rev = args[0]
	}
	return nil
}

func (o *annotateOptions) run(e *env) error {
	repo, err := openRepo()
	if err != nil {
		return err
	}
	h, done, err := e.hookHandlers(repo, false)
	if err != nil {
		return err
	}
	defer done()
	if !o.noIngest {
		if err := h.Ingest(e.ctx); err != nil {
			return err
		}
	}
	var shas []gitlog.Hash
	switch {
	case o.rewrite:
		if shas, err = commitsToRerender(e, h); err == nil && len(shas) == 0 && !o.json {
			fmt.Fprintln(e.io.out, "no note to re-render: no manual redaction changed the prompts of an annotated commit since its note was written")
			return nil
		}
	case o.rev == "":
		shas, err = h.Missing(e.ctx, o.limit, true)
	default:
		shas, err = repo.ResolveRange(o.rev, o.limit)
	}
	if err != nil {
		return err
	}
	recorded := map[string]string{} // the commits' records before: which were looked at again
	if o.rev == "" && !o.rewrite {
		var ids []string
		for _, sha := range shas {
			ids = append(ids, sha.String())
		}
		if recorded, err = h.DB.CommitStatuses(e.ctx, h.RepoKey, ids); err != nil {
			return err
		}
	}
	results, err := h.Annotate(e.ctx, shas, o.dryRun)
	if err != nil {
		return err
	}
	if o.json {
		if results == nil {
			results = []hooks.Result{}
		}
		return writeJSON(e.io.out, results)
	}
	if o.quiet && !o.dryRun {
		return nil
	}
	still := 0 // recorded without AI involvement before, and still
	for _, r := range results {
		switch {
		case recorded[r.SHA] == store.CommitNoAI && !r.Wrote && r.Prompts == 0 && r.AI == 0:
			still++
		case o.dryRun && r.Note != "":
			fmt.Fprintf(e.io.out, "commit %s\n%s\n", r.SHA, r.Note)
		case r.Wrote && r.Prompts == 0 && r.AI == 0:
			fmt.Fprintf(e.io.out, "%s  no AI involvement found: wrote the configured note\n", r.SHA[:10])
		case r.Wrote:
			fmt.Fprintf(e.io.out, "%s  annotated: %s, %d of %d added lines by AI\n", r.SHA[:10], report.Plural(r.Prompts, "prompt"), r.AI, r.Added)
		default:
			fmt.Fprintf(e.io.out, "%s  %s\n", r.SHA[:10], r.Skipped)
		}
	}
	switch {
	case len(results) == still && o.rev == "" && !o.rewrite:
		fmt.Fprintln(e.io.out, "nothing to annotate: every recent commit has a record, and no agent edit links those without AI involvement (name a commit or range to redo one)")
	case len(results) == 0:
		fmt.Fprintln(e.io.out, "nothing to annotate (name a commit or range to redo one)")
	}
	return nil
}

// commitsToRerender returns the commits of h's repository whose prompts a
// manual redaction changed after their note was written, oldest first;
// commits no longer in the repository are left out.
func commitsToRerender(e *env, h *hooks.Handlers) ([]gitlog.Hash, error) {
	refs, err := h.DB.CommitsToRerender(e.ctx, h.RepoKey)
	if err != nil {
		return nil, err
	}
	var out []gitlog.Hash
	for _, c := range refs {
		sha, err := gitlog.ParseHash(c.SHA)
		if err != nil {
			continue
		}
		if _, err := h.Repo.Commit(sha); err != nil {
			continue // rewritten away or not fetched here
		}
		out = append(out, sha)
	}
	return out, nil
}
