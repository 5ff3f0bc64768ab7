package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/report"
)

func noteCommand() command {
	return command{
		name: "note", usage: "[REV]",
		summary: "print the note a commit has, or would get",
		long: `Prints the aitrail note of REV (default HEAD): this clone's, else a remote's
fetched copy. When the commit has none, prints the note it would get now
(without writing it), or says that no AI involvement was found, unless a
remote's notes may have one that this clone lacks (the commit is on the
remote's branches, and its notes were never fetched or are older than the
commit): then it says so and what to fetch. Nothing here uses the network.`,
		new: func() options { return &noteOptions{} },
	}
}

type noteOptions struct {
	rev   string
	fresh bool
	json  bool
}

func (o *noteOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.fresh, "fresh", false, "render the note from the database now, even if the commit has one")
	fs.BoolVar(&o.json, "json", false, "print the note and its Agent Trace records as JSON")
}

func (o *noteOptions) args(args []string) error {
	if len(args) > 1 {
		return usagef("note takes one REV")
	}
	o.rev = "HEAD"
	if len(args) == 1 {
		o.rev = args[0]
	}
	return nil
}

// run prints the note REV has (in this clone's notes, or in a remote's
// fetched notes), or the one it would get; when it has none, it says
// whether a remote's notes that this clone has not fetched may have one.
func (o *noteOptions) run(e *env) error {
	repo, err := openRepo()
	if err != nil {
		return err
	}
	sha, err := repo.Resolve(o.rev)
	if err != nil {
		return err
	}
	ref, err := e.notesRef()
	if err != nil {
		return err
	}
	var note gitlog.Note
	var gaps []gitlog.NotesGap
	written := false
	if !o.fresh {
		nr, err := repo.NoteReader(ref)
		if err != nil {
			return err
		}
		if note, written, gaps, err = nr.Read(sha); err != nil {
			return err
		}
	}
	text := note.Text
	if !written {
		h, done, err := e.hookHandlers(repo, false)
		if err != nil {
			return err
		}
		defer done()
		res, err := h.Annotate(e.ctx, []gitlog.Hash{sha}, true)
		if err != nil {
			return err
		}
		text = res[0].Note
	}
	if o.json {
		records := report.ParseNotes(text)
		if records == nil {
			records = []report.Trace{}
		}
		if gaps == nil {
			gaps = []gitlog.NotesGap{}
		}
		return writeJSON(e.io.out, map[string]any{"commit": sha.String(), "written": written, "ref": note.Ref,
			"note": text, "records": records, "unfetched": gaps})
	}
	short := sha.String()[:10]
	switch {
	case text == "" && len(gaps) > 0:
		for _, g := range gaps {
			fmt.Fprintf(e.io.out, "%s: no note in this clone, but %s: %s, then ask again\n", short, g, g.Hint())
		}
		return nil
	case text == "":
		fmt.Fprintf(e.io.out, "%s: no AI involvement found\n", short)
		return nil
	case note.Remote != "":
		fmt.Fprintf(e.io.err, "(%s's note, fetched into %s and not merged into the local notes yet: 'aitrail sync-notes --fetch-only %s' merges it)\n", note.Remote, note.Ref, note.Remote)
	case !written && !o.fresh:
		fmt.Fprintf(e.io.err, "(%s has no note yet; this is the note it would get: 'aitrail annotate %s' writes it)\n", short, o.rev)
		for _, g := range gaps {
			fmt.Fprintf(e.io.err, "(%s: %s)\n", g, g.Hint())
		}
	}
	fmt.Fprint(e.io.out, text)
	return nil
}
