package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/hooks"
	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

// resolveRange turns "A..B", "REV" or "" into commits, oldest first.
func resolveRange(repo *gitlog.Repo, spec string, limit int) ([]gitlog.Hash, error) {
	if from, to, ok := strings.Cut(spec, ".."); ok {
		if to == "" {
			to = "HEAD"
		}
		f, err := repo.Resolve(from)
		if err != nil {
			return nil, err
		}
		t, err := repo.Resolve(to)
		if err != nil {
			return nil, err
		}
		return repo.RevList(f, t, limit)
	}
	h, err := repo.Resolve(spec)
	if err != nil {
		return nil, err
	}
	return []gitlog.Hash{h}, nil
}

func annotateCommand() command {
	return command{
		name: "annotate", args: "[REV | REV-RANGE] [options]",
		summary: "write transparency notes on commits (by hand or to catch up)",
		long: `Ingests new agent logs, then correlates commits with the prompts and edits
that shaped them and writes their notes (refs/notes/aitrail). Without an
argument, annotates the recent commits that have no record yet (commits made
with --no-verify, by tools that bypass hooks, or before 'aitrail install').
With REV or A..B, (re-)annotates exactly those commits. --dry-run prints the
notes instead of writing them. --rewrite re-renders the notes of the
commits whose prompts a manual redaction ('aitrail redact add') changed
after their note was written.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			dry := fs.Bool("dry-run", false, "print the notes, write nothing")
			limit := fs.Int("limit", 50, "at most this many commits")
			noIngest := fs.Bool("no-ingest", false, "do not read new agent logs first")
			asJSON := fs.Bool("json", false, "print the results as JSON")
			rewrite := fs.Bool("rewrite", false, "re-render the notes of commits whose prompts manual redactions changed")
			return func(args []string) error {
				if len(args) > 1 {
					return usagef("annotate takes at most one REV or REV-RANGE")
				}
				if *rewrite && len(args) > 0 {
					return usagef("--rewrite takes no REV: it finds the commits whose notes need it")
				}
				repo, err := openRepo()
				if err != nil {
					return err
				}
				h, done, err := e.hookEnv(repo, true)
				if err != nil {
					return err
				}
				defer done()
				if !*noIngest {
					if err := h.Ingest(e.ctx); err != nil {
						return err
					}
				}
				var shas []gitlog.Hash
				if *rewrite {
					if shas, err = e.commitsToRerender(h); err == nil && len(shas) == 0 && !*asJSON {
						fmt.Fprintln(e.stdout, "no note to re-render: no manual redaction changed the prompts of an annotated commit since its note was written")
						return nil
					}
				} else if len(args) == 0 {
					shas, err = h.Missing(e.ctx, *limit)
				} else {
					shas, err = resolveRange(repo, args[0], *limit)
				}
				if err != nil {
					return err
				}
				results, err := h.Annotate(e.ctx, shas, nil, nil, *dry)
				if err != nil {
					return err
				}
				if *asJSON {
					if results == nil {
						results = []hooks.Result{}
					}
					return writeJSON(e.stdout, results)
				}
				if len(results) == 0 {
					fmt.Fprintln(e.stdout, "nothing to annotate: every recent commit has a record (name a commit or range to redo one)")
				}
				for _, r := range results {
					switch {
					case *dry && r.Note != "":
						fmt.Fprintf(e.stdout, "commit %s\n%s\n", r.SHA, r.Note)
					case r.Wrote && r.Prompts == 0 && r.AI == 0:
						fmt.Fprintf(e.stdout, "%s  no AI involvement found: wrote the configured note\n", r.SHA[:10])
					case r.Wrote:
						fmt.Fprintf(e.stdout, "%s  annotated: %d prompts, %d of %d added lines by AI\n", r.SHA[:10], r.Prompts, r.AI, r.Added)
					default:
						fmt.Fprintf(e.stdout, "%s  %s\n", r.SHA[:10], r.Skipped)
					}
				}
				return nil
			}
		},
	}
}

func noteCommand() command {
	return command{
		name: "note", args: "[REV]",
		summary: "print the note a commit has, or would get",
		long: `Prints the aitrail note of REV (default HEAD). When the commit has none, prints
the note it would get now (without writing it), or says that no AI
involvement was found.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			fresh := fs.Bool("fresh", false, "render the note from the database now, even if the commit has one")
			asJSON := fs.Bool("json", false, "print the note and its Agent Trace records as JSON")
			return func(args []string) error {
				if len(args) > 1 {
					return usagef("note takes one REV")
				}
				rev := "HEAD"
				if len(args) == 1 {
					rev = args[0]
				}
				return e.printNote(rev, *fresh, *asJSON)
			}
		},
	}
}

// printNote prints the note REV has, or the one it would get.
func (e *env) printNote(rev string, fresh, asJSON bool) error {
	repo, err := openRepo()
	if err != nil {
		return err
	}
	sha, err := repo.Resolve(rev)
	if err != nil {
		return err
	}
	f, err := e.config()
	if err != nil {
		return err
	}
	text, written := "", false
	if !fresh {
		if text, written, err = repo.ReadNote(notesRef(f), sha); err != nil {
			return err
		}
	}
	if !written {
		h, done, err := e.hookEnv(repo, true)
		if err != nil {
			return err
		}
		defer done()
		res, err := h.Annotate(e.ctx, []gitlog.Hash{sha}, nil, nil, true)
		if err != nil {
			return err
		}
		text = res[0].Note
	}
	if asJSON {
		records := report.ParseNotes(text)
		if records == nil {
			records = []report.Trace{}
		}
		return writeJSON(e.stdout, map[string]any{"commit": sha.String(), "written": written, "note": text, "records": records})
	}
	if text == "" {
		fmt.Fprintf(e.stdout, "%s: no AI involvement found\n", sha.String()[:10])
		return nil
	}
	if !written && !fresh {
		fmt.Fprintf(e.stderr, "(%s has no note yet; this is the note it would get: 'aitrail annotate %s' writes it)\n", sha.String()[:10], rev)
	}
	fmt.Fprint(e.stdout, text)
	return nil
}

func statusCommand() command {
	return command{
		name: "status", args: "[--json]",
		summary: "show hooks, database, pending work and the last annotated commit",
		long:    `Reports whether aitrail's hooks are installed in this repository, which database is used and what it holds, work queued by hooks that ran out of time, and the last annotated commit.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(args []string) error {
				if len(args) > 0 {
					return usagef("status takes no arguments")
				}
				type status struct {
					Repo      string              `json:"repo,omitempty"`
					Hooks     []hooks.HookState   `json:"hooks,omitempty"`
					DB        string              `json:"db"`
					Counts    map[string]int64    `json:"counts"`
					Pending   []store.Job         `json:"pending"`
					Last      *store.CommitRecord `json:"lastAnnotated,omitempty"`
					Unmatched int                 `json:"commitsWithoutRecord"`
				}
				var st status
				repo, rerr := openRepo()
				if rerr == nil {
					st.Repo = repo.Root()
					hs, err := hooks.Inspect(repo)
					if err != nil {
						return err
					}
					st.Hooks = hs
				}
				db, err := e.openDB()
				if err != nil {
					return err
				}
				defer db.Close()
				st.DB = db.Path()
				if st.Counts, err = db.Counts(e.ctx); err != nil {
					return err
				}
				st.Pending = []store.Job{}
				if repo != nil {
					h, done, err := e.hookEnv(repo, true)
					if err != nil {
						return err
					}
					defer done()
					jobs, err := db.Jobs(e.ctx, h.RepoKey)
					if err != nil {
						return err
					}
					if jobs != nil {
						st.Pending = jobs
					}
					if last, err := db.LastCommit(e.ctx, h.RepoKey); err == nil {
						st.Last = &last
					} else if !errors.Is(err, store.ErrNotFound) {
						return err
					}
					missing, err := h.Missing(e.ctx, 50)
					if err != nil {
						return err
					}
					st.Unmatched = len(missing)
				}
				if *asJSON {
					return writeJSON(e.stdout, st)
				}
				if rerr != nil {
					fmt.Fprintf(e.stdout, "repository: none (%v)\n", rerr)
				} else {
					fmt.Fprintf(e.stdout, "repository: %s\n", st.Repo)
					for _, hs := range st.Hooks {
						chained := ""
						if hs.Chained {
							chained = " (runs the previous hook first)"
						}
						fmt.Fprintf(e.stdout, "  %-19s %s%s\n", hs.Name, hs.State, chained)
					}
				}
				fmt.Fprintf(e.stdout, "database:   %s\n", st.DB)
				fmt.Fprintf(e.stdout, "  %d sessions, %d prompts, %d file edits, %d log files\n",
					st.Counts["sessions"], st.Counts["prompts"], st.Counts["file_edits"], st.Counts["sources"])
				fmt.Fprintf(e.stdout, "pending:    %d queued jobs\n", len(st.Pending))
				for _, j := range st.Pending {
					fmt.Fprintf(e.stdout, "  %s %s (attempts %d) %s\n", j.Kind, j.Arg, j.Attempts, j.LastErr)
				}
				if st.Last != nil {
					fmt.Fprintf(e.stdout, "last annotated: %s (%s, %d of %d added lines by AI)\n", st.Last.SHA[:10], st.Last.Status, st.Last.AI, st.Last.Added)
				}
				if repo != nil {
					fmt.Fprintf(e.stdout, "recent commits without a record: %d ('aitrail annotate' catches up)\n", st.Unmatched)
				}
				return nil
			}
		},
	}
}

func syncNotesCommand() command {
	return command{
		name: "sync-notes", args: "[REMOTE]",
		summary: "fetch, merge and push the notes ref",
		long: `Shares transparency notes with a remote (default origin): fetches its notes
into refs/notes/remotes/<remote>/aitrail (never over the local ref), merges
them into the local notes (where both sides annotated a commit, the local
note wins), and pushes, retrying up to three times when another push wins
the race. Installed as pre-push with 'aitrail install --sync-notes', where it
never fails the push.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			return func(args []string) error {
				if len(args) > 1 {
					return usagef("sync-notes takes one REMOTE")
				}
				remote := "origin"
				if len(args) == 1 {
					remote = args[0]
				}
				repo, err := openRepo()
				if err != nil {
					return err
				}
				f, err := e.config()
				if err != nil {
					return err
				}
				if err := syncNotes(repo, remote, notesRef(f)); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "notes synced with %s\n", remote)
				return nil
			}
		},
	}
}
