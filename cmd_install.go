package main

import (
	"fmt"
	"io"
	"os/exec"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/hooks"
)

func installCommand() command {
	return command{
		name: "install", usage: "[--chain] [--sync-notes] [--trailer] [--files] [--json]",
		summary: "install the git hooks that annotate every commit",
		long: `Installs pre-commit (ingest new agent logs), post-commit (write the commit's
transparency note) and post-rewrite (carry notes through amend and rebase)
into the repository's effective hooks directory (core.hooksPath honoured), and
configures notes.rewriteRef and notes.displayRef so that git keeps the notes
on rewritten commits and 'git log' shows them, and a fetch refspec per remote
so that 'git fetch' brings the remote's notes into
refs/notes/remotes/<remote>/aitrail (never over your own). With git 2.54 or newer, the
hooks are config-based (hook.aitrail-<hook>.event/command in .git/config),
which coexist with any other hook; --files writes hook files instead.

A hook that aitrail did not write is never overwritten: install refuses and
names it, unless --chain is given, which keeps it as <hook>.pre-aitrail and
runs it first with its exit status preserved ('aitrail uninstall' puts it
back). With husky, aitrail's lines are added to .husky/<hook>; with lefthook
or the pre-commit framework, install prints the jobs to declare instead, and
leaves alone the hooks they already run aitrail for.

The hooks never fail a commit, and AITRAIL=0 disables them.`,
		new: func() options { return &installOptions{} },
	}
}

type installOptions struct {
	hooks.InstallOptions
	json bool
}

func (o *installOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Chain, "chain", false, "keep existing hooks and run them before aitrail's")
	fs.BoolVar(&o.SyncNotes, "sync-notes", false, "also install pre-push, which shares notes with the remote")
	fs.BoolVar(&o.Files, "files", false, "write hook files even where git (2.54+) runs hooks from config")
	fs.BoolVar(&o.Trailer, "trailer", false, "also install prepare-commit-msg, which adds an Assisted-by: trailer to commits with AI-written lines")
	fs.BoolVar(&o.json, "json", false, "print what was done as JSON")
}

func (o *installOptions) args(args []string) error {
	return noArgs("install", args)
}

func (o *installOptions) run(e *env) error {
	repo, err := openRepo()
	if err != nil {
		return err
	}
	if o.Ref, err = e.notesRef(); err != nil {
		return err
	}
	rep, err := hooks.Install(repo, o.InstallOptions)
	if err != nil {
		return err
	}
	if err := printReport(e.io.out, rep, o.json, true); err != nil {
		return err
	}
	if _, err := exec.LookPath("aitrail"); err != nil {
		fmt.Fprintln(e.io.err, "warning: 'aitrail' is not in PATH, so the hooks will skip their work: run 'go install .' or copy the binary into PATH")
	}
	return nil
}

// printReport prints what install (installing) or uninstall did.
func printReport(w io.Writer, rep *hooks.Report, asJSON, installing bool) error {
	if asJSON {
		orEmpty := func(l []string) []string {
			if l == nil {
				return []string{}
			}
			return l
		}
		return writeJSON(w, map[string]any{
			"hooksDir": rep.HooksDir, "written": orEmpty(rep.Written), "edited": orEmpty(rep.Edited),
			"managed": orEmpty(rep.Managed), "chained": orEmpty(rep.Chained), "restored": orEmpty(rep.Restored),
			"removed": orEmpty(rep.Removed), "config": orEmpty(rep.Config), "notes": orEmpty(rep.Notes),
		})
	}
	edited := "removed aitrail's lines from %s (the rest of the file stays)\n"
	if installing {
		edited = "added aitrail's lines to %s\n"
	}
	for _, part := range []struct {
		format string
		items  []string
	}{
		{"kept existing hook as %s (it runs first)\n", rep.Chained},
		{"installed %s\n", rep.Written},
		{"already run by a hook manager: %s\n", rep.Managed},
		{edited, rep.Edited},
		{"removed %s\n", rep.Removed},
		{"restored %s\n", rep.Restored},
		{"git config: %s\n", rep.Config},
		{"note: %s\n", rep.Notes},
	} {
		for _, s := range part.items {
			fmt.Fprintf(w, part.format, s)
		}
	}
	return nil
}
