package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/config"
	"github.com/aitrail/aitrail/ingest"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

func sessionsCommand() command {
	return command{
		name: "sessions", usage: "[options]",
		summary: "list ingested sessions",
		long: `Lists the sessions in the database, most recent first, with their prompts,
tool calls, file edits and tokens. Start times are local, as --since and
--until read dates; --json gives them in UTC (RFC 3339). Run 'aitrail
ingest' first to read new logs.`,
		new: func() options { return &sessionsOptions{} },
	}
}

type sessionsOptions struct {
	filter sessionFilter
	json   bool
}

func (o *sessionsOptions) flags(fs *pflag.FlagSet) {
	o.filter.flags(fs)
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

func (o *sessionsOptions) args(args []string) error {
	if err := noArgs("sessions", args); err != nil {
		return err
	}
	return o.filter.check()
}

func (o *sessionsOptions) run(e *env) error {
	db, filter, err := o.filter.open(e)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.Sessions(e.ctx, filter)
	if err != nil {
		return err
	}
	if o.json {
		if list == nil {
			list = []store.SessionInfo{}
		}
		return writeJSON(e.io.out, list)
	}
	if len(list) == 0 {
		if o.filter != (sessionFilter{}) {
			fmt.Fprintln(e.io.out, "no session matches the filters")
			return nil
		}
		fmt.Fprintln(e.io.out, "no sessions (run 'aitrail ingest' to read the agents' logs)")
		return nil
	}
	tw := tabwriter.NewWriter(e.io.out, 0, 0, 2, ' ', 0)
	member := func(string) string { return "" } // a team database's sessions name their member
	if db.Team() {
		member = func(m string) string { return m + "\t" }
		fmt.Fprint(tw, "MEMBER\t")
	}
	fmt.Fprintln(tw, "AGENT\tSESSION\tSTARTED\tPROMPTS\tTOOLS\tEDITS\tTOKENS\tWHERE")
	for _, s := range list {
		where := s.Cwd
		if s.Title != "" {
			where += "  " + report.OneLine(s.Title, 50)
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", member(s.Member), s.Agent, s.SessionID, shortTime(s.Started),
			s.Prompts, s.ToolCalls, s.Edits, report.Thousands(s.Tokens.Total), where)
	}
	return tw.Flush()
}

// sessionFilter is the filter options of the commands that select
// sessions (sessions, stats).
type sessionFilter struct {
	member, agent, repo, since, until string
}

func (f *sessionFilter) flags(fs *pflag.FlagSet) {
	fs.StringVar(&f.member, "member", "", "only sessions this member pushed (a team database's, read with --db postgres://…)")
	fs.StringVar(&f.agent, "agent", "", "only sessions of this agent ("+strings.Join(ingest.Names(), ", ")+")")
	fs.StringVar(&f.repo, "repo", "", "only sessions that worked in this directory (cwd or edited files inside it)")
	fs.StringVar(&f.since, "since", "", "only sessions active since this time: 2026-01-31, an RFC 3339 time, or a duration such as 7d")
	fs.StringVar(&f.until, "until", "", "only sessions active until this time (same forms as --since)")
}

// check reports an unknown --agent, a malformed --since or --until, or a
// --since after --until, as a usage error, before anything is opened. (A
// date and a duration compare only once the time is known: store.)
func (f *sessionFilter) check() error {
	if f.agent != "" && !slices.Contains(ingest.Names(), f.agent) {
		return usagef("--agent %q: want one of %s", f.agent, strings.Join(ingest.Names(), ", "))
	}
	var since, until time.Time
	for _, o := range []struct {
		name, value string
		t           *time.Time
	}{{"--since", f.since, &since}, {"--until", f.until, &until}} {
		if o.value == "" {
			continue
		}
		t, err := config.ParseTime(o.value, time.Time{})
		if err != nil {
			return usagef("%s: %v", o.name, err)
		}
		*o.t = t
	}
	_, errSince := config.ParseDuration(f.since)
	_, errUntil := config.ParseDuration(f.until)
	if (errSince == nil) == (errUntil == nil) {
		return f.ordered(since, until)
	}
	return nil
}

// ordered reports a --since after --until.
func (f *sessionFilter) ordered(since, until time.Time) error {
	if f.since != "" && f.until != "" && since.After(until) {
		return usagef("--since %s is after --until %s: nothing can match", f.since, f.until)
	}
	return nil
}

// open opens the database to read (the local one, or a team database)
// and turns the options into a filter of its sessions.
func (f *sessionFilter) open(e *env) (*store.DB, store.SessionFilter, error) {
	db, eng, err := e.openReader()
	if err != nil {
		return nil, store.SessionFilter{}, err
	}
	filter, err := f.store(e, db, eng)
	if err != nil {
		db.Close()
		return nil, filter, err
	}
	return db, filter, nil
}

// store turns the options into a store filter. The directory is compared by
// the key of its canonical form on the local database, and as stored
// (redacted) on a team database (see store.SessionFilter); db and eng may
// be nil when there is no --repo.
func (f *sessionFilter) store(e *env, db *store.DB, eng *redact.Engine) (store.SessionFilter, error) {
	out := store.SessionFilter{Member: f.member, Agent: f.agent}
	var err error
	if f.since != "" {
		if out.Since, err = config.ParseTime(f.since, e.now()); err != nil {
			return out, usagef("--since: %v", err)
		}
	}
	if f.until != "" {
		if out.Until, err = config.ParseTime(f.until, e.now()); err != nil {
			return out, usagef("--until: %v", err)
		}
	}
	if err := f.ordered(out.Since, out.Until); err != nil {
		return out, err
	}
	if f.repo != "" {
		abs, err := filepath.Abs(e.cfgPaths().Expand(f.repo))
		if err != nil {
			return out, err
		}
		dir := canon.NewResolver(e.home).Path(abs)
		out.Shown, _ = eng.Text(redact.ScopeField, dir)
		if !db.Team() {
			keys, err := db.PathKeys(e.ctx)
			if err != nil {
				return out, err
			}
			out.Dir = keys.Key(dir)
		}
	}
	return out, nil
}
