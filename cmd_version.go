package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/store"
)

func versionCommand() command {
	return command{
		name: "version", usage: "[--json]", summary: "print the version",
		long: "Prints aitrail's version and the database schema version it writes.",
		new:  func() options { return &versionOptions{} },
	}
}

type versionOptions struct {
	json bool
}

func (o *versionOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

func (o *versionOptions) args(args []string) error {
	return noArgs("version", args)
}

func (o *versionOptions) run(e *env) error {
	if o.json {
		return writeJSON(e.io.out, map[string]any{"version": version, "schema": store.SchemaVersion()})
	}
	fmt.Fprintf(e.io.out, "aitrail %s (schema %d)\n", version, store.SchemaVersion())
	return nil
}
