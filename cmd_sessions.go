package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/config"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// filterFlags are the session filters shared by sessions and stats.
type filterFlags struct {
	agent, repo, since, until string
}

func (f *filterFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.agent, "agent", "", "only sessions of this agent (codex, claude)")
	fs.StringVar(&f.repo, "repo", "", "only sessions that worked in this directory (cwd or edited files inside it)")
	fs.StringVar(&f.since, "since", "", "only sessions active since this time: 2026-01-31, an RFC 3339 time, or a duration such as 7d")
	fs.StringVar(&f.until, "until", "", "only sessions active until this time (same forms as --since)")
}

// filter turns the flags into a store filter. The repository path is
// redacted like stored paths are, so that they compare.
func (e *env) filter(f filterFlags, eng *redact.Engine) (store.SessionFilter, error) {
	out := store.SessionFilter{Agent: f.agent}
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
	if f.repo != "" {
		abs, err := filepath.Abs(e.cfgEnv().Expand(f.repo))
		if err != nil {
			return out, err
		}
		out.Repo, _ = eng.Text(redact.ScopeField, abs)
	}
	return out, nil
}

func sessionsCommand() command {
	return command{
		name: "sessions", args: "[options]",
		summary: "list ingested sessions",
		long: `Lists the sessions in the database, most recent first, with their prompts,
tool calls, file edits and tokens. Run 'aitrail ingest' first to read new logs.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			var f filterFlags
			f.register(fs)
			asJSON := fs.Bool("json", false, "print JSON")
			return func(args []string) error {
				if len(args) > 0 {
					return usagef("sessions takes no arguments")
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
				list, err := db.Sessions(e.ctx, filter)
				if err != nil {
					return err
				}
				if *asJSON {
					if list == nil {
						list = []store.SessionInfo{}
					}
					return writeJSON(e.stdout, list)
				}
				if len(list) == 0 {
					fmt.Fprintln(e.stdout, "no sessions (run 'aitrail ingest' to read the agents' logs)")
					return nil
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "AGENT\tSESSION\tSTARTED\tPROMPTS\tTOOLS\tEDITS\tTOKENS\tWHERE")
				for _, s := range list {
					where := s.Cwd
					if s.Title != "" {
						where += "  " + oneLine(s.Title, 50)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", s.Agent, s.SessionID, shortTime(s.Started),
						s.Prompts, s.ToolCalls, s.Edits, thousands(s.Tokens.Total), where)
				}
				return tw.Flush()
			}
		},
	}
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func shortTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// oneLine returns the first line of s, cut to max runes.
func oneLine(s string, max int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	r := []rune(s)
	if len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// thousands formats n with thousands separators.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
