package main

import (
	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/hooks"
)

func uninstallCommand() command {
	return command{
		name: "uninstall", usage: "[--json]",
		summary: "remove aitrail's git hooks, restoring chained ones",
		long: `Removes exactly what 'aitrail install' added, naming each: aitrail's hook
scripts (also where lefthook or pre-commit moved them aside), its lines in
husky's files and the husky files it created, its config-based hooks,
notes.displayRef and the notes fetch refspecs. A foreign hook it chained is
put back. Notes and notes.rewriteRef stay; hook manager configurations that
still declare aitrail's jobs are named, not edited.`,
		new: func() options { return &uninstallOptions{} },
	}
}

type uninstallOptions struct {
	json bool
}

func (o *uninstallOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print what was done as JSON")
}

func (o *uninstallOptions) args(args []string) error {
	return noArgs("uninstall", args)
}

func (o *uninstallOptions) run(e *env) error {
	repo, ref, err := e.repoNotes()
	if err != nil {
		return err
	}
	rep, err := hooks.Uninstall(repo, hooks.InstallOptions{Ref: ref})
	if err != nil {
		return err
	}
	return printReport(e.io.out, rep, o.json, false)
}
