package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

func pushCommand() command {
	return command{
		name: "push", usage: "[--to URL] [--dry-run] [--raw] [--json]",
		summary: "copy the local database's redacted records to the team database",
		long: `Copies what changed in the local database since the last push to the team
database (PostgreSQL): sessions with their prompts, messages, tool calls, file
edits, token usage and links, redaction findings (which rule, never the value),
and annotated commits with their prompts and files. Everything sent was
redacted when it was ingested. The redaction key, manual redactions and
queued work stay on this machine; so do the raw log lines and the log files'
names, unless --raw is given.

Every row carries the member who pushed it (team.member in the config, else
git's user.email) and the machine (team.machine, else the host name). A
push is one transaction: stopped midway it leaves nothing in the team
database, and pushing again adds nothing. The first push of a database sends
all of it, and creates (or upgrades) the team schema.

The team database is --to, else $AITRAIL_TEAM_URL, else team.url in the
config: a postgres:// URL whose sslmode, certificates and connect_timeout
apply; prefer ~/.pgpass or PGPASSWORD to a password in the URL. No password
is ever printed. With team.push: auto the hooks push after each commit,
in the background. Read it with --db URL: sessions, show, stats, export,
release-notes (see
docs/team.md).`,
		new: func() options { return &pushOptions{} },
	}
}

type pushOptions struct {
	to     string
	dryRun bool
	raw    bool
	json   bool
}

func (o *pushOptions) flags(fs *pflag.FlagSet) {
	fs.StringVar(&o.to, "to", "", "the team database, a postgres:// URL (default $AITRAIL_TEAM_URL or the config's team.url)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print what would be sent, per table; write nothing, not even the schema")
	fs.BoolVar(&o.raw, "raw", false, "also send the raw log lines (redacted) and the log files' names")
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

func (o *pushOptions) args(args []string) error {
	if len(args) > 0 {
		return usagef("push takes no arguments (the team database is --to URL)")
	}
	if o.to != "" && !store.IsURL(o.to) {
		return usagef("--to: want a postgres:// URL")
	}
	return nil
}

func (o *pushOptions) run(e *env) error {
	t, err := e.teamSettings(o.to)
	if err != nil {
		return err
	}
	db, err := e.openDB(false)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := e.push(db, t, o.raw, o.dryRun)
	if err != nil {
		return err
	}
	if o.json {
		if rep.Tables == nil {
			rep.Tables = []store.TableRows{}
		}
		return writeJSON(e.io.out, rep)
	}
	w := e.io.out
	verb := "pushed to"
	if rep.DryRun {
		verb = "would push to"
	}
	fmt.Fprintf(w, "%s %s as %s from %s", verb, rep.URL, rep.Member, rep.Machine)
	if rep.Schema != "" {
		fmt.Fprintf(w, " (%s)", rep.Schema)
	}
	fmt.Fprintln(w)
	what := "changed since the last push"
	if rep.First {
		what = "in all: the first push of this database"
	}
	parts := []string{report.Plural(rep.Sessions, "session"), report.Plural(rep.Commits, "commit")}
	if o.raw {
		parts = append(parts, report.Plural(rep.Sources, "log file"))
	}
	if rep.Rows() == 0 && rep.Sessions+rep.Commits+rep.Sources == 0 {
		fmt.Fprintf(w, "nothing new since the last push\n")
		return nil
	}
	fmt.Fprintf(w, "%s %s\n", strings.Join(parts, ", "), what)
	table := [][]string{{"TABLE", "ROWS"}}
	for _, r := range rep.Tables {
		table = append(table, []string{r.Table, report.Thousands(r.Rows)})
	}
	table = append(table, []string{"total", report.Thousands(rep.Rows())})
	report.Table(w, table, 1)
	if rep.DryRun {
		fmt.Fprintln(w, "nothing was written (--dry-run)")
	} else {
		fmt.Fprintf(w, "in %.1f s\n", rep.Elapsed)
	}
	return nil
}
