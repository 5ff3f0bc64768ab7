package main

import (
	"fmt"

	"github.com/spf13/pflag"
)

func syncNotesCommand() command {
	return command{
		name: "sync-notes", usage: "[REMOTE] [--fetch-only] [--json]",
		summary: "fetch, merge and push the notes ref",
		long: `Shares transparency notes with a remote (default origin): fetches its notes
into refs/notes/remotes/<remote>/aitrail (never over the local ref), merges
them into the local notes, and pushes, retrying up to three times when
another push wins the race. Where both sides annotated the same commit
differently, the merged note keeps both (in an order that does not depend on
who merges, so clones converge). --fetch-only fetches and merges without
pushing: for reviewers and CI jobs with a read-only token. Installed as
pre-push with 'aitrail install --sync-notes', where it never fails the push.`,
		new: func() options { return &syncNotesOptions{} },
	}
}

type syncNotesOptions struct {
	remote    string
	fetchOnly bool
	json      bool
}

func (o *syncNotesOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.fetchOnly, "fetch-only", false, "fetch and merge the remote's notes; push nothing")
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
	repo, ref, err := e.repoNotes()
	if err != nil {
		return err
	}
	res, err := syncNotes(repo, o.remote, ref, o.fetchOnly)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(e.io.out, map[string]any{"remote": o.remote, "ref": ref, "trackingRef": res.Tracking,
			"fetched": res.Fetched, "changed": res.Merge.Changed, "combined": res.Merge.Combined, "pushed": res.Pushed,
			"synced": !o.fetchOnly})
	}
	w := e.io.out
	switch {
	case !res.Fetched:
		fmt.Fprintf(w, "%s has no notes yet\n", o.remote)
	case res.Merge.Changed == 0:
		fmt.Fprintf(w, "fetched %s's notes: nothing new\n", o.remote)
	case res.Merge.Combined > 0:
		fmt.Fprintf(w, "fetched %s's notes: %d new or changed here (%d annotated on both sides: both notes kept)\n", o.remote, res.Merge.Changed, res.Merge.Combined)
	default:
		fmt.Fprintf(w, "fetched %s's notes: %d new or changed here\n", o.remote, res.Merge.Changed)
	}
	switch {
	case res.Pushed:
		fmt.Fprintf(w, "notes synced with %s\n", o.remote)
	case !o.fetchOnly:
		fmt.Fprintf(w, "notes synced with %s (nothing to push)\n", o.remote)
	}
	return nil
}
