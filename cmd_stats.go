package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/store"
)

func statsCommand() command {
	return command{
		name: "stats", args: "[--by session|agent|model|day] [options]",
		summary: "report token usage",
		long: `Sums token usage the way ccusage counts it: input not read from cache, output
(reasoning included), cache writes, cache reads, and their total. Duplicate
usage lines are counted once (Claude Code: per message and request id; Codex:
repeated token_count events and sub-agent replays are skipped). Days are in
the local time zone. Costs are estimates from aitrail's offline price table
(docs/pricing.md), priced per API call; "*" marks rows with tokens of models
without a known price. The JSON rows use ccusage's field names.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			var f filterFlags
			by := fs.String("by", "session", "group by session, agent, model or day")
			f.register(fs)
			asJSON := fs.Bool("json", false, "print JSON")
			return func(args []string) error {
				if len(args) > 0 {
					return usagef("stats takes no arguments")
				}
				if !slices.Contains(store.StatGroups, *by) {
					return usagef("--by %q: want one of %s", *by, strings.Join(store.StatGroups, ", "))
				}
				db, eng, err := e.openRedacting(false)
				if err != nil {
					return err
				}
				defer db.Close()
				filter, err := e.filter(f, eng)
				if err != nil {
					return err
				}
				rows, err := db.Stats(e.ctx, *by, filter, time.Local, price)
				if err != nil {
					return err
				}
				var total store.Tokens
				var cost float64
				for _, r := range rows {
					cost += r.Cost
					total.Add(r.Tokens)
				}
				if *asJSON {
					key := *by
					if key == "day" {
						key = "daily"
					}
					return writeJSON(e.stdout, map[string]any{key: rows, "totals": struct {
						store.Tokens
						Cost float64 `json:"totalCost"`
					}{total, cost}})
				}
				if len(rows) == 0 {
					fmt.Fprintln(e.stdout, "no token usage recorded (run 'aitrail ingest' first)")
					return nil
				}
				header := []string{strings.ToUpper(*by), "MODELS", "INPUT", "OUTPUT", "CACHE WRITE", "CACHE READ", "TOTAL", "COST (USD)"}
				table := [][]string{header}
				for _, r := range rows {
					key := r.Key
					switch *by {
					case "session":
						key = r.Agent + ":" + r.SessionID
					case "model":
						if key == "" {
							key = "(unknown)"
						}
					}
					table = append(table, []string{key, strings.Join(r.Models, ", "), thousands(r.Input), thousands(r.Output),
						thousands(r.CacheWrite), thousands(r.CacheRead), thousands(r.Total), dollars(r.Cost, r.Unpriced)})
				}
				table = append(table, []string{"TOTAL", "", thousands(total.Input), thousands(total.Output),
					thousands(total.CacheWrite), thousands(total.CacheRead), thousands(total.Total), dollars(cost, 0)})
				if *by == "model" {
					for i := range table {
						table[i] = append(table[i][:1], table[i][2:]...) // the key is the model
					}
				}
				printTable(e.stdout, table, 1+btoi(*by != "model"))
				return nil
			}
		},
	}
}

// dollars formats an estimated cost, flagging tokens of unpriced models.
func dollars(usd float64, unpriced int64) string {
	s := fmt.Sprintf("$%.2f", usd)
	if unpriced > 0 {
		s += "*"
	}
	return s
}

// printTable prints rows in columns: the first left columns aligned left,
// the others (numbers) aligned right.
func printTable(w io.Writer, rows [][]string, left int) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < left {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
