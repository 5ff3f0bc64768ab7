package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

func statsCommand() command {
	return command{
		name: "stats", usage: "[--by session|agent|model|day|commit|repo|member] [options]",
		summary: "report token usage",
		long: `Sums token usage the way ccusage counts it: input not read from cache, output
(reasoning included), cache writes, cache reads, and their total. Duplicate
usage lines are counted once (Claude Code: per message and request id; Codex:
repeated token_count events and sub-agent replays are skipped). Days are in
the local time zone. By commit, each API call counts for the first
annotated commit its prompt is linked to, as the notes charge it; calls of
prompts linked to no commit are summed as "(not committed)". By repo, a
session counts for the repository most of its edits were in, else its
working directory. --since and --until keep the API calls made in that
time. Costs are estimates from aitrail's offline price table
(docs/pricing.md), priced per API call; "*" marks rows with tokens of models
without a known price. Sessions whose logs hold no token counts (VS Code
Copilot Chat never records them) are listed as not recorded, not counted as
zero. The JSON rows use ccusage's field names. On a team
database (--db postgres://…) --by member sums each member's usage.`,
		new: func() options { return &statsOptions{} },
	}
}

type statsOptions struct {
	by     string
	filter sessionFilter
	json   bool
}

func (o *statsOptions) flags(fs *pflag.FlagSet) {
	fs.StringVar(&o.by, "by", "session", "group by session, agent, model, day, commit, repo or member (team databases)")
	o.filter.flags(fs)
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

func (o *statsOptions) args(args []string) error {
	if err := noArgs("stats", args); err != nil {
		return err
	}
	if !slices.Contains(store.StatGroups, o.by) {
		return usagef("--by %q: want one of %s", o.by, strings.Join(store.StatGroups, ", "))
	}
	return o.filter.check()
}

func (o *statsOptions) run(e *env) error {
	db, filter, err := o.filter.open(e)
	if err != nil {
		return err
	}
	defer db.Close()
	if o.by == "member" && !db.Team() {
		return usagef("--by member: only a team database (--db postgres://…) knows members")
	}
	rows, err := db.Stats(e.ctx, o.by, filter, time.Local, price)
	if err != nil {
		return err
	}
	unrecorded, err := db.Unrecorded(e.ctx, filter, report.UntokenedAgents())
	if err != nil {
		return err
	}
	var total store.Tokens
	var cost float64
	for _, r := range rows {
		cost += r.Cost
		total.Add(r.Tokens)
	}
	if o.json {
		key := o.by
		if key == "day" {
			key = "daily"
		}
		out := map[string]any{key: rows, "totals": struct {
			store.Tokens
			Cost float64 `json:"totalCost"`
		}{total, cost}}
		if len(unrecorded) > 0 {
			out["notRecorded"] = unrecorded // agent → sessions without any token usage
		}
		return writeJSON(e.io.out, out)
	}
	if len(rows) == 0 {
		if len(unrecorded) == 0 {
			fmt.Fprintln(e.io.out, "no token usage recorded (run 'aitrail ingest' first)")
		}
		printUnrecorded(e.io.out, unrecorded)
		return nil
	}
	defer printUnrecorded(e.io.out, unrecorded)
	header := []string{strings.ToUpper(o.by), "MODELS", "INPUT", "OUTPUT", "CACHE WRITE", "CACHE READ", "TOTAL", "COST (USD)"}
	table := [][]string{header}
	for _, r := range rows {
		key := r.Key
		switch o.by {
		case "session":
			key = r.Agent + ":" + r.SessionID
			if r.Member != "" {
				key += " (" + r.Member + ")"
			}
		case "model", "repo":
			if key == "" {
				key = "(unknown)"
			}
		case "commit":
			key = r.Commit
			if !r.CommittedAt.IsZero() {
				key = short(r.Commit, 10) + " " + r.CommittedAt.In(time.Local).Format("2006-01-02 15:04")
			}
		}
		table = append(table, []string{key, report.ShortList(r.Models, statsModelsWidth), report.Thousands(r.Input), report.Thousands(r.Output),
			report.Thousands(r.CacheWrite), report.Thousands(r.CacheRead), report.Thousands(r.Total), dollars(r.Cost, r.Unpriced)})
	}
	table = append(table, []string{"TOTAL", "", report.Thousands(total.Input), report.Thousands(total.Output),
		report.Thousands(total.CacheWrite), report.Thousands(total.CacheRead), report.Thousands(total.Total), dollars(cost, 0)})
	left := 2
	if o.by == "model" {
		left = 1
		for i := range table {
			table[i] = append(table[i][:1], table[i][2:]...) // the key is the model
		}
	}
	report.Table(e.io.out, table, left)
	return nil
}

// statsModelsWidth caps the MODELS cell of stats' table: a row summing
// many sessions (by commit, "(not committed)") may have used many models;
// --json lists them all.
const statsModelsWidth = 50

// printUnrecorded names the sessions whose logs hold no token counts (VS
// Code Copilot Chat's never do): not recorded, which is not zero.
func printUnrecorded(w io.Writer, unrecorded map[string]int) {
	agents := make([]string, 0, len(unrecorded))
	for a := range unrecorded {
		agents = append(agents, a)
	}
	slices.Sort(agents)
	for _, a := range agents {
		fmt.Fprintf(w, "not recorded: %s of %s, whose logs hold no token counts\n", report.Plural(unrecorded[a], "session"), a)
	}
}
