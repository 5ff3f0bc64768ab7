package main

import (
	"fmt"

	"github.com/spf13/pflag"
)

func syncNotesCommand() command {
	return command{
		name: "sync-notes", usage: "[REMOTE] [--json]",
		summary: "fetch, merge and push the notes ref",
		long: `Shares transparency notes with a remote (default origin): fetches its notes
into refs/notes/remotes/<remote>/aitrail (never over the local ref), merges
them into the local notes (where both sides annotated a commit, the local
note wins), and pushes, retrying up to three times when another push wins
the race. Installed as pre-push with 'aitrail install --sync-notes', where it
never fails the push.`,
		new: func() options { return &syncNotesOptions{} },
	}
}

type syncNotesOptions struct {
	remote string
	json   bool
}

func (o *syncNotesOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
}

func (o *syncNotesOptions) args(args []string) error {
	if len(args) > 1 {
		return usagef("sync-notes takes one REMOTE")
	}
	o.remote = "origin"
	if len(args) == 1 {
		o.remote = args[0]
	}
	return nil
}

func (o *syncNotesOptions) run(e *env) error {
	repo, err := openRepo()
	if err != nil {
		return err
	}
	ref, err := e.notesRef()
	if err != nil {
		return err
	}
	if err := repo.SyncNotes(o.remote, ref, 3); err != nil {
		return err
	}
	if o.json {
		return writeJSON(e.io.out, map[string]any{"remote": o.remote, "ref": ref, "synced": true})
	}
	fmt.Fprintf(e.io.out, "notes synced with %s\n", o.remote)
	return nil
}
