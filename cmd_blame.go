package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/report"
)

func blameCommand() command {
	return command{
		name: "blame", usage: "FILE [REV] [-M] [-C] [-L START,END] | --summary [PATH...] [REV]",
		summary: "show which lines an agent wrote, with which model and prompt",
		long: `Shows every line of FILE as it is at REV (default HEAD) with the commit that
wrote it (git blame) and, when that commit's aitrail note marks the line as
an agent's, the agent, model, session and prompt. Lines a person wrote show
the author; lines whose commit has no note are marked "?": unknown, not
human ('aitrail annotate' writes notes where the agents' logs are). -M and
-C follow lines moved within the file and from other files, -L START,END
limits the lines, as git blame does. Works from the notes alone (a clone
with fetched notes); with the database the prompt of each line is known
even when several of a session's prompts edited the file.

--summary counts the non-blank lines of the files under PATH (default the
whole repository) at REV by agents, people and unknown, per file, directory
and agent/model, and names the commits without a note. --json prints one
record per line (or the summary) as JSON. See docs/blame.md.`,
		new: func() options { return &blameOptions{} },
	}
}

type blameOptions struct {
	summary bool
	pos     []string // FILE [REV], or with --summary PATH... [REV]
	moves   bool
	copies  int
	lines   []string
	json    bool
}

func (o *blameOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.summary, "summary", false, "count the lines agents wrote per file, directory and agent/model")
	fs.BoolVarP(&o.moves, "moves", "M", false, "follow lines moved or copied within a file (git blame -M)")
	fs.CountVarP(&o.copies, "copies", "C", "follow lines moved or copied from other files (git blame -C; up to 3 times: further)")
	fs.StringArrayVarP(&o.lines, "lines", "L", nil, "only lines START,END (or any git blame -L form; repeatable)")
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

func (o *blameOptions) args(args []string) error {
	if o.summary {
		if len(o.lines) > 0 {
			return usagef("-L takes the lines of one FILE, not with --summary")
		}
		if len(args) > 0 {
			o.pos = args
		}
		return nil
	}
	if len(args) == 0 || len(args) > 2 {
		return usagef("blame takes FILE [REV] (or --summary [PATH...] [REV])")
	}
	o.pos = args
	return nil
}

func (o *blameOptions) run(e *env) error {
	repo, ref, err := e.repoNotes()
	if err != nil {
		return err
	}
	// The database is optional: notes alone say which lines agents wrote.
	db, eng, err := e.openRedacting(false)
	switch {
	case errors.Is(err, errNoDatabase):
		if eng, err = e.engine(nil); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		defer db.Close()
	}
	var status report.StatusFunc
	if db != nil {
		key, err := repoKey(e, db, repo.Root())
		if err != nil {
			return err
		}
		status = func(shas []string) (map[string]string, error) { return db.CommitStatuses(e.ctx, key, shas) }
	}
	ix, err := report.LoadNotes(repo, ref, status)
	if err != nil {
		return err
	}
	if ix.Notes() == 0 && !o.json {
		fmt.Fprintf(e.io.err, "(no aitrail notes on %s here: 'aitrail sync-notes --fetch-only' fetches a remote's, 'aitrail annotate' writes them)\n", ref)
	}
	opt := report.BlameOptions{BlameOptions: gitlog.BlameOptions{Moves: o.moves, Copies: o.copies, Ranges: o.lines},
		DB: db, Redact: redactField(eng, repo.Root())}
	if o.summary {
		return o.runSummary(e, repo, ix, opt)
	}
	return o.runFile(e, repo, ix, opt)
}

// runFile blames one file.
func (o *blameOptions) runFile(e *env, repo *gitlog.Repo, ix *report.NoteIndex, opt report.BlameOptions) error {
	revName := "HEAD"
	if len(o.pos) == 2 {
		revName = o.pos[1]
	}
	rev, err := repo.Resolve(revName)
	if err != nil {
		return err
	}
	path, err := repo.RelPath(o.pos[0])
	if err != nil {
		return err
	}
	switch ok, dir, err := repo.Exists(rev, path); {
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("%s: no such file at %s (%s)", o.pos[0], revName, rev.String()[:10])
	case dir:
		return fmt.Errorf("%s is a directory: name a file, or count its lines with 'aitrail blame --summary %s'", o.pos[0], o.pos[0])
	}
	lines, err := report.Blame(e.ctx, repo, ix, rev, path, opt)
	if err != nil {
		return err
	}
	if o.json {
		if lines == nil {
			lines = []report.BlamedLine{}
		}
		return writeJSON(e.io.out, lines)
	}
	report.RenderBlame(e.io.out, path, lines)
	return nil
}

// runSummary counts the lines agents wrote under the PATHs.
func (o *blameOptions) runSummary(e *env, repo *gitlog.Repo, ix *report.NoteIndex, opt report.BlameOptions) error {
	paths, revName, err := splitPathsRev(repo, o.pos)
	if err != nil {
		return err
	}
	rev, err := repo.Resolve(revName)
	if err != nil {
		return err
	}
	var dirs []string
	for _, p := range paths {
		rel, err := repo.RelPath(p)
		if err != nil {
			return err
		}
		if ok, _, err := repo.Exists(rev, rel); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%s: not in %s (%s)", p, revName, rev.String()[:10])
		}
		dirs = append(dirs, rel)
	}
	files, skipped, err := repo.TextFiles(rev, dirs)
	if err != nil {
		return err
	}
	bar := e.io.bar(!o.json)
	bar.units = func(n int64) string { return report.Thousands(n) }
	s, err := report.Summarize(e.ctx, repo, ix, rev, files, opt, func(done, total int) {
		bar.update(int64(done), int64(total))
	})
	bar.clear()
	if err != nil {
		return err
	}
	s.Skipped = append([]string{}, skipped...)
	if o.json {
		return writeJSON(e.io.out, s)
	}
	report.RenderBlameSummary(e.io.out, revName, s)
	return nil
}

// splitPathsRev reads --summary's arguments: PATHs, then a REV when the
// last one is not a path on disk but names a commit.
func splitPathsRev(repo *gitlog.Repo, args []string) (paths []string, rev string, err error) {
	rev = "HEAD"
	if n := len(args); n > 0 {
		last := args[n-1]
		if _, statErr := os.Lstat(last); statErr != nil {
			if _, resErr := repo.Resolve(last); resErr == nil {
				return args[:n-1], last, nil
			} else if !errors.Is(resErr, gitlog.ErrUnknownRevision) {
				return nil, "", resErr
			}
		}
	}
	return args, rev, nil
}
