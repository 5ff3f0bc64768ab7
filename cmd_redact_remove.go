package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/pflag"
)

func redactRemoveCommand() command {
	return command{
		name: "remove", usage: "ID",
		summary: "deactivate a manual redaction (stored rows stay redacted)",
		long: `Deactivates a manual redaction: logs ingested from now on no longer take it.
Its record stays (redact list --all shows it), and so do the rows it already
rewrote: the original values are kept nowhere, so they cannot be restored
from the database. Re-reading the agents' own log files with
'aitrail ingest --rebuild' brings them back where those files still hold
them.`,
		new: func() options { return &redactRemoveOptions{} },
	}
}

type redactRemoveOptions struct {
	id int64
}

func (o *redactRemoveOptions) flags(fs *pflag.FlagSet) {}

func (o *redactRemoveOptions) args(args []string) error {
	if len(args) != 1 {
		return usagef("remove takes one ID (see 'aitrail redact list')")
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id < 1 {
		return usagef("remove: %q is not a manual redaction id (see 'aitrail redact list')", args[0])
	}
	o.id = id
	return nil
}

func (o *redactRemoveOptions) run(e *env) error {
	db, err := e.openDB(false)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := db.DeactivateManualRedaction(e.ctx, o.id)
	if err != nil {
		return err
	}
	if !m.Active {
		fmt.Fprintf(e.io.out, "manual redaction %d was already removed\n", o.id)
		return nil
	}
	fmt.Fprintf(e.io.out, "removed manual redaction %d: logs ingested from now on no longer take it.\n", o.id)
	fmt.Fprintln(e.io.out, "Rows it already rewrote stay redacted (the original values are kept nowhere).")
	return nil
}
