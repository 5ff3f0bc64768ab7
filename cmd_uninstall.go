package main

import (
	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/hooks"
)

func uninstallCommand() command {
	return command{
		name: "uninstall", usage: "[--json]",
		summary: "remove aitrail's git hooks, restoring chained ones",
		long:    `Removes the hooks aitrail installed, puts back any foreign hook it chained, and removes the notes.displayRef it added. Notes already written stay.`,
		new:     func() options { return &uninstallOptions{} },
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
	repo, err := openRepo()
	if err != nil {
		return err
	}
	ref, err := e.notesRef()
	if err != nil {
		return err
	}
	rep, err := hooks.Uninstall(repo, hooks.InstallOptions{Ref: ref})
	if err != nil {
		return err
	}
	return printReport(e.io.out, rep, o.json)
}
