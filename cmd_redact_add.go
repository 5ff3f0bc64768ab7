package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/ingest"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

func redactAddCommand() command {
	return command{
		name: "add", usage: "(--literal VALUE | --pattern RE) [options]",
		summary: "add a manual redaction and apply it to the stored rows",
		long: `Adds a manual redaction and applies it at once to the rows already stored:
the text columns of sessions, prompts, messages, tool calls, file edits and
links, and the raw copy of every log record (which takes every manual
redaction whatever its scope, as it may hold any field). Each rewritten
field gets a provenance row: rule id manual:<id>, a keyed hash of the value
(never the value) and the actor. Prints how many rows changed.

--literal '-' reads the value from the first line of standard input, which
keeps it out of your shell history. A literal matches exactly (case and
bytes) and is never stored; a pattern is RE2 syntax, matches as written
(add (?i) to ignore case), replaces its whole match, and is stored as
written, so do not put a secret value in a pattern.

Scopes: global (the default); session:ID (an id or unique prefix, as
'aitrail sessions' lists them); prompt:SESSION#N (the prompt numbered N in
'aitrail show SESSION', or its key); field:TABLE.COLUMN, one of
` + strings.Join(store.TextFields(), ", ") + `.

The database file is then compacted (VACUUM), so that no older copy of a
rewritten value remains in its free pages; --no-vacuum skips that on a large
database. Notes already written keep the old text until
'aitrail annotate --rewrite' re-renders them.`,
		new: func() options { return &redactAddOptions{} },
	}
}

type redactAddOptions struct {
	literal, pattern, scope, replacement, reason, actor string
	noVacuum, json                                      bool
}

func (o *redactAddOptions) flags(fs *pflag.FlagSet) {
	fs.StringVar(&o.literal, "literal", "", "the exact value to hide ('-' reads it from standard input)")
	fs.StringVar(&o.pattern, "pattern", "", "an RE2 pattern whose matches to hide")
	fs.StringVar(&o.scope, "scope", "global", "global, session:ID, prompt:SESSION#N or field:TABLE.COLUMN")
	fs.StringVar(&o.replacement, "replacement", "", "what replaces a match (default [REDACTED:manual-<id>])")
	fs.StringVar(&o.reason, "reason", "", "why, recorded with the redaction")
	fs.StringVar(&o.actor, "actor", "", "who asks for it (default git's user.name, else the OS user)")
	fs.BoolVar(&o.noVacuum, "no-vacuum", false, "do not compact the database file afterwards")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
}

func (o *redactAddOptions) args(args []string) error {
	if len(args) > 0 {
		return usagef("add takes no arguments (use --literal or --pattern)")
	}
	if (o.literal == "") == (o.pattern == "") {
		return usagef("add needs exactly one of --literal and --pattern")
	}
	return nil
}

func (o *redactAddOptions) run(e *env) error {
	if o.literal == "-" {
		line, err := bufio.NewReader(e.io.in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the literal from standard input: %w", err)
		}
		if o.literal = strings.TrimRight(line, "\r\n"); o.literal == "" {
			return usagef("--literal -: standard input holds no value")
		}
	}
	if o.actor == "" {
		o.actor = actor()
	}
	db, err := e.openDB(true)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := db.Secret(e.ctx)
	if err != nil {
		return err
	}
	rec, err := manualScope(e, db, o.scope)
	if err != nil {
		return err
	}
	rec.Replacement, rec.Actor, rec.Reason = o.replacement, o.actor, o.reason
	filter := store.RewriteFilter{Field: rec.Field}
	if rec.Scope == redact.ManualSession || rec.Scope == redact.ManualPrompt {
		filter.Agent, filter.Session = rec.Agent, rec.Session
	}
	if o.literal != "" {
		p, err := redact.PrintLiteral(key, o.literal)
		if err != nil {
			return usagef("--%v", err)
		}
		rec.Kind, rec.LiteralLen, rec.LiteralRoll, rec.LiteralHash = store.ManualLiteral, p.Len, p.Roll, p.Hash
		filter.Contains = o.literal
		if jsonSafe(o.literal) {
			filter.ContainsRaw = o.literal
		}
	} else {
		rec.Kind, rec.Pattern = store.ManualPattern, o.pattern
	}
	m := engineManual(rec)
	if err := m.Check(o.literal); err != nil {
		return usagef("--%s", strings.TrimPrefix(err.Error(), "manual redaction: "))
	}
	id, st, err := db.AddManualRedaction(e.ctx, rec, filter, func(id int64) (store.RewriteFunc, error) {
		m.ID = id
		eng, err := redact.NewManual(key, []redact.Manual{m})
		if err != nil {
			return nil, err
		}
		return ingest.Rewrite(eng), nil
	})
	if err != nil {
		return err
	}
	clean, err := db.Compact(e.ctx, !o.noVacuum)
	if err != nil {
		return err
	}
	if !clean {
		fmt.Fprintln(e.io.err, "warning: another aitrail process kept the database's write-ahead log open: older copies of the rewritten rows may remain in it until that process ends")
	}
	commits, err := db.CommitsToRerender(e.ctx, "")
	if err != nil {
		return err
	}
	if o.json {
		type result struct {
			ID       int64          `json:"id"`
			RuleID   string         `json:"ruleId"`
			Rows     map[string]int `json:"rows"`
			Changed  int            `json:"rowsChanged"`
			Values   int            `json:"valuesRedacted"`
			Skipped  int            `json:"rowsSkipped"`
			Rerender int            `json:"commitsToRerender"`
		}
		rec.ID = id
		return writeJSON(e.io.out, result{ID: id, RuleID: rec.RuleID(), Rows: st.Rows, Changed: st.Total(),
			Values: st.Values, Skipped: st.Skipped, Rerender: len(commits)})
	}
	what := "pattern"
	if rec.Kind == store.ManualLiteral {
		what = fmt.Sprintf("literal of %d bytes", rec.LiteralLen)
	}
	fmt.Fprintf(e.io.out, "added manual redaction %d (%s, scope %s, by %s)\n", id, what, scopeText(rec), rec.Actor)
	fmt.Fprintf(e.io.out, "rewrote %d stored rows (%d values)", st.Total(), st.Values)
	if st.Total() > 0 {
		fmt.Fprintf(e.io.out, ": %s", countList(st.Rows))
	}
	fmt.Fprintln(e.io.out)
	if st.Skipped > 0 {
		fmt.Fprintf(e.io.err, "warning: %d key rows (log file paths, repository names) were left as they were: redacted, they would equal another row's\n", st.Skipped)
	}
	if len(commits) > 0 {
		verb := "commits carry"
		if len(commits) == 1 {
			verb = "commit carries"
		}
		fmt.Fprintf(e.io.out, "%d annotated %s affected prompts: run 'aitrail annotate --rewrite' in their repositories to re-render their notes\n", len(commits), verb)
	}
	return nil
}

// jsonSafe reports whether s is written the same inside a JSON string, so
// that raw records can be searched for it as they are stored.
func jsonSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '/' {
			return false
		}
	}
	return true
}
