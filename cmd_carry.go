package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/report"
)

func carryCommand() command {
	return command{
		name: "carry", usage: "BASE..TIP --onto COMMIT [--dry-run] [--force] [--json]",
		summary: "write one note on a squash or merge commit from the notes of the commits it replaced",
		long: `Writes on COMMIT one note combined from the notes of the commits BASE..TIP
(or of the one commit REV) that it replaced: what a forge's "Squash and merge"
or "Create a merge commit" needs, since no hook of yours runs there. The
prompts and their text, tokens and costs come from the replaced notes; the
AI-authored lines of COMMIT (against its first parent) are those that the
replaced notes' Agent Trace records attribute to an agent. No database and no
agent log is needed, so a CI job can run it (docs/hooks.md has a recipe).

Notes are read from this clone's notes, else from a remote's fetched notes;
when a replaced commit has none and a remote's notes were not fetched, carry
refuses and says what to fetch. A COMMIT that already has a different note
is left alone unless --force. Push the result with 'aitrail sync-notes'.`,
		new: func() options { return &carryOptions{} },
	}
}

type carryOptions struct {
	replaced string // BASE..TIP or REV
	onto     string
	dryRun   bool
	force    bool
	json     bool
}

func (o *carryOptions) flags(fs *pflag.FlagSet) {
	fs.StringVar(&o.onto, "onto", "", "the squash or merge commit that gets the note (required)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the note, write nothing")
	fs.BoolVar(&o.force, "force", false, "replace a note COMMIT already has")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
}

func (o *carryOptions) args(args []string) error {
	if len(args) != 1 {
		return usagef("carry takes one BASE..TIP (or REV): the commits COMMIT replaced")
	}
	if o.onto == "" {
		return usagef("carry needs --onto COMMIT: the squash or merge commit that gets the note")
	}
	o.replaced = args[0]
	return nil
}

// carryResult is what carry prints with --json.
type carryResult struct {
	Onto     string   `json:"onto"`
	Replaced []string `json:"replaced"`
	Carried  []string `json:"carried"` // the replaced commits whose notes took part
	Prompts  int      `json:"prompts"`
	AI       int      `json:"aiLines"`
	Added    int      `json:"addedLines"`
	Note     string   `json:"note"`
	Wrote    bool     `json:"wrote"`
	Skipped  string   `json:"skipped,omitempty"`
}

func (o *carryOptions) run(e *env) error {
	repo, err := openRepo()
	if err != nil {
		return err
	}
	f, err := e.config()
	if err != nil {
		return err
	}
	ref, err := e.notesRef()
	if err != nil {
		return err
	}
	commits, err := repo.ResolveRange(o.replaced, 0)
	if err != nil {
		return err
	}
	onto, err := repo.Resolve(o.onto)
	if err != nil {
		return err
	}
	nr, err := repo.NoteReader(ref)
	if err != nil {
		return err
	}
	res := carryResult{Onto: onto.String(), Replaced: []string{}, Carried: []string{}}
	var replaced []report.Replaced
	var unfetched []string
	for _, c := range commits {
		if c == onto {
			return usagef("%s is both in %s and the commit to write on", c.String()[:10], o.replaced)
		}
		n, _, gaps, err := nr.Read(c)
		if err != nil {
			return err
		}
		for _, g := range gaps {
			if s := g.String() + ": " + g.Hint(); !slices.Contains(unfetched, s) {
				unfetched = append(unfetched, s)
			}
		}
		replaced = append(replaced, report.Replaced{Commit: c, Note: n.Text})
		res.Replaced = append(res.Replaced, c.String())
	}
	if len(unfetched) > 0 {
		return fmt.Errorf("some of the %d commits of %s have no note here, and %s, then carry again", len(commits), o.replaced, strings.Join(unfetched, "; "))
	}
	a, err := report.Carry(repo, onto, replaced)
	if err != nil {
		return err
	}
	for _, h := range a.Carried {
		res.Carried = append(res.Carried, h.String())
	}
	res.Prompts, res.AI, res.Added = len(a.Prompts), a.AI, a.Added
	note, ok := report.Render(a, renderOptions(f))
	existing, has, err := repo.ReadNote(ref, onto)
	if err != nil {
		return err
	}
	switch {
	case len(a.Carried) == 0 || !ok:
		res.Skipped = fmt.Sprintf("none of the %d commits of %s has a note with AI involvement: nothing to carry", len(commits), o.replaced)
	case has && existing == note:
		res.Note, res.Skipped = note, "note up to date"
	case has && !o.force:
		return fmt.Errorf("%s already has a note (see 'aitrail note %s'): --force replaces it with the carried one", onto.String()[:10], o.onto)
	default:
		res.Note = note
		if !o.dryRun {
			if err := repo.WriteNote(ref, onto, note); err != nil {
				return err
			}
			res.Wrote = true
		}
	}
	w := e.io.out
	switch {
	case o.json:
		return writeJSON(w, res)
	case o.dryRun && res.Note != "":
		fmt.Fprint(w, res.Note)
	case res.Skipped != "":
		fmt.Fprintf(w, "%s: %s\n", onto.String()[:10], res.Skipped)
	default:
		fmt.Fprintf(w, "%s: carried the notes of %d of %s: %s, %d of %d added lines by AI\n",
			onto.String()[:10], len(res.Carried), report.Plural(len(commits), "replaced commit"), report.Plural(res.Prompts, "prompt"), res.AI, res.Added)
	}
	return nil
}
