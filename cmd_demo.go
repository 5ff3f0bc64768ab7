package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/store"
)

// demoLogs are sample session logs written for this project, in the
// agents' own directory layouts.
//
//go:embed testdata/demo
var demoLogs embed.FS

func demoCommand() command {
	return command{
		name: "demo", usage: "[--keep DIR]",
		summary: "ingest bundled sample logs into a temporary database and show a session",
		long: `Runs the main job on sample data: writes the bundled Codex and Claude Code
session logs to a temporary directory, ingests them into a temporary database,
lists the sessions and shows the first one grouped by prompt. Nothing outside
the temporary directory is read or written (your own logs and database are
not touched). --keep DIR keeps the logs and the database in DIR to explore
them with the other commands (--db DIR/trail.db).`,
		new: func() options { return &demoOptions{} },
	}
}

type demoOptions struct {
	keep string
}

func (o *demoOptions) flags(fs *pflag.FlagSet) {
	fs.StringVar(&o.keep, "keep", "", "write the logs and database to this directory and keep them")
}

func (o *demoOptions) args(args []string) error {
	return noArgs("demo", args)
}

func (o *demoOptions) run(e *env) error {
	keep := o.keep
	dir := keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "aitrail-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	root, err := fs.Sub(demoLogs, "testdata/demo")
	if err != nil {
		return err
	}
	if err := os.CopyFS(dir, root); err != nil {
		return fmt.Errorf("write sample logs: %w", err)
	}
	// The demo is hermetic: only the sample logs and a fresh database.
	e.dbFlag = filepath.Join(dir, "trail.db")
	e.sources = []string{"codex:" + filepath.Join(dir, "codex"), "claude:" + filepath.Join(dir, "claude")}
	e.configFlag = filepath.Join(dir, "config.yml")
	if err := os.WriteFile(e.configFlag, []byte("# demo: defaults only\n"), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "$ aitrail ingest   # sample logs in %s\n", dir)
	if err := (&ingestOptions{}).run(e); err != nil {
		return err
	}
	db, err := e.openDB(false)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.io.out, "\n$ aitrail sessions\n")
	if err := (&sessionsOptions{}).run(e); err != nil {
		return err
	}
	list, err := db.Sessions(e.ctx, store.SessionFilter{})
	if err != nil || len(list) == 0 {
		return fmt.Errorf("the sample logs produced no session: %v", err)
	}
	s := list[len(list)-1]
	fmt.Fprintf(e.io.out, "\n$ aitrail show %s\n", s.SessionID)
	d, err := db.Detail(e.ctx, s)
	if err != nil {
		return err
	}
	printSession(e.io.out, d, false)
	if keep != "" {
		fmt.Fprintf(e.io.out, "\nThe logs and the database are in %s; try: aitrail --db %s stats --by model\n", dir, e.dbFlag)
	}
	return nil
}
