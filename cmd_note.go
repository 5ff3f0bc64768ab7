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
		long: `Prints the aitrail note of REV (default HEAD). When the commit has none, prints
the note it would get now (without writing it), or says that no AI
involvement was found.`,
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

// run prints the note REV has, or the one it would get.
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
	text, written := "", false
	if !o.fresh {
		if text, written, err = repo.ReadNote(ref, sha); err != nil {
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
	if o.json {
		records := report.ParseNotes(text)
		if records == nil {
			records = []report.Trace{}
		}
		return writeJSON(e.io.out, map[string]any{"commit": sha.String(), "written": written, "note": text, "records": records})
	}
	if text == "" {
		fmt.Fprintf(e.io.out, "%s: no AI involvement found\n", sha.String()[:10])
		return nil
	}
	if !written && !o.fresh {
		fmt.Fprintf(e.io.err, "(%s has no note yet; this is the note it would get: 'aitrail annotate %s' writes it)\n", sha.String()[:10], o.rev)
	}
	fmt.Fprint(e.io.out, text)
	return nil
}
