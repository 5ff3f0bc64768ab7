package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/hooks"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// subcommand is one verb of a command that has verbs (rules, redact).
type subcommand struct {
	name, args, summary, long string
	flags                     func(e *env, fs *pflag.FlagSet) func(args []string) error
}

// verbs lists subs for a command's help.
func verbs(parent string, subs []subcommand) string {
	var b strings.Builder
	b.WriteString("\nSubcommands:\n")
	for _, s := range subs {
		fmt.Fprintf(&b, "  %-9s %s\n", s.name, s.summary)
	}
	fmt.Fprintf(&b, "\nRun 'aitrail %s <subcommand> --help' for a subcommand's options.", parent)
	return b.String()
}

// runVerb dispatches args to one of subs, which has its own flags and help.
func (e *env) runVerb(parent string, subs []subcommand, args []string) error {
	var names []string
	for _, s := range subs {
		names = append(names, s.name)
	}
	if len(args) == 0 {
		return usagef("%s needs a subcommand: %s", parent, strings.Join(names, ", "))
	}
	i := slices.IndexFunc(subs, func(s subcommand) bool { return s.name == args[0] })
	if i < 0 {
		return usagef("unknown %s subcommand %q (want %s)", parent, args[0], strings.Join(names, ", "))
	}
	s := subs[i]
	fs := pflag.NewFlagSet("aitrail "+parent+" "+s.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	runFn := s.flags(e, fs)
	e.globalFlags(fs)
	help := fs.BoolP("help", "h", false, "show help for "+parent+" "+s.name)
	if err := fs.Parse(args[1:]); err != nil {
		return usagef("%s: %v", s.name, err)
	}
	if *help {
		fmt.Fprintf(e.stdout, "Usage: aitrail %s %s %s\n\n%s\n", parent, s.name, s.args, strings.TrimSpace(s.long))
		fmt.Fprintf(e.stdout, "\nOptions:\n%s", fs.FlagUsages())
		return nil
	}
	return runFn(fs.Args())
}

// actor names the person at the keyboard: git's author name (user.name
// or GIT_AUTHOR_NAME), else the OS user.
func (e *env) actor() string {
	if out, err := exec.Command("git", "var", "GIT_AUTHOR_IDENT").Output(); err == nil {
		if name, _, ok := strings.Cut(string(out), " <"); ok && strings.TrimSpace(name) != "" {
			return strings.TrimSpace(name)
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// manualRedactions loads the active manual redactions for the engine.
func (e *env) manualRedactions(db *store.DB) ([]redact.Manual, error) {
	ms, err := db.ManualRedactions(e.ctx, false)
	if err != nil {
		return nil, err
	}
	out := make([]redact.Manual, 0, len(ms))
	for _, m := range ms {
		out = append(out, engineManual(m))
	}
	return out, nil
}

// engineManual is the engine's form of a stored manual redaction.
func engineManual(m store.ManualRedaction) redact.Manual {
	rm := redact.Manual{
		ID: m.ID, Pattern: m.Pattern, Replacement: m.Replacement, Actor: m.Actor,
		Scope: redact.ManualScope{Kind: m.Scope, Agent: m.Agent, Session: m.Session, Prompt: m.PromptKey, Field: m.Field},
	}
	if m.Kind == store.ManualLiteral {
		rm.Literal = redact.LiteralPrint{Len: m.LiteralLen, Roll: m.LiteralRoll, Hash: m.LiteralHash}
	}
	return rm
}

// manualScope parses --scope: global, session:ID, prompt:SESSION#N (N the
// prompt's number or key) or field:TABLE.COLUMN. Sessions and prompts are
// looked up in db and stored by their ids.
func (e *env) manualScope(db *store.DB, spec string) (store.ManualRedaction, error) {
	var m store.ManualRedaction
	kind, arg, _ := strings.Cut(spec, ":")
	switch kind {
	case "", redact.ManualGlobal:
		if arg != "" {
			return m, usagef("--scope: global takes no argument")
		}
		m.Scope = redact.ManualGlobal
	case redact.ManualSession, redact.ManualPrompt:
		ref, prompt := arg, ""
		if kind == redact.ManualPrompt {
			i := strings.LastIndexByte(arg, '#')
			if i < 0 || i == len(arg)-1 {
				return m, usagef("--scope: want prompt:SESSION#N, where N is the prompt's number in 'aitrail show SESSION'")
			}
			ref, prompt = arg[:i], arg[i+1:]
		}
		if ref == "" {
			return m, usagef("--scope: %s: missing the session id (list them with 'aitrail sessions')", kind)
		}
		s, err := db.FindSession(e.ctx, ref)
		if err != nil {
			return m, fmt.Errorf("--scope: %w", err)
		}
		m.Scope, m.Agent, m.Session = kind, s.Agent, s.SessionID
		if kind == redact.ManualPrompt {
			if m.PromptKey, m.PromptSeq, err = db.FindPrompt(e.ctx, s.ID, prompt); err != nil {
				return m, fmt.Errorf("--scope: session %s: %w", s.SessionID, err)
			}
		}
	case redact.ManualField:
		if !slices.Contains(store.TextFields(), arg) {
			return m, usagef("--scope: field %q: want one of %s", arg, strings.Join(store.TextFields(), ", "))
		}
		m.Scope, m.Field = kind, arg
	default:
		return m, usagef("--scope: %q: want global, session:ID, prompt:SESSION#N or field:TABLE.COLUMN", spec)
	}
	return m, nil
}

// scopeText writes a stored manual redaction's scope as --scope takes it.
func scopeText(m store.ManualRedaction) string {
	switch m.Scope {
	case redact.ManualSession:
		return "session:" + m.Agent + ":" + m.Session
	case redact.ManualPrompt:
		return "prompt:" + m.Agent + ":" + m.Session + "#" + strconv.Itoa(m.PromptSeq)
	case redact.ManualField:
		return "field:" + m.Field
	}
	return redact.ManualGlobal
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

func redactCommand() command {
	subs := []subcommand{redactAddVerb(), redactListVerb(), redactRemoveVerb()}
	return command{
		name: "redact", args: "add|list|remove [options]",
		summary: "hide a value or pattern everywhere, now and in future logs",
		long: `Manual redactions hide what the rules do not know: a client's name, a
password that has no recognizable shape, an internal host. Each is a literal
value or an RE2 pattern, scoped to everything (global), one session, one
prompt, or one stored field, with a replacement, the person who asked for it
(actor), a reason and timestamps.

'redact add' rewrites the rows already stored, records provenance (rule id
manual:<id>, a keyed hash of each value, the actor) and from then on applies
to every log ingested. A literal is never stored: aitrail keeps its length
and keyed hashes, and finds it by them. Notes written afterwards use the
redacted rows; 'aitrail annotate --rewrite' re-renders the notes already
written. 'redact remove' deactivates one; the record stays, and so do the
rows it rewrote.
` + verbs("redact", subs),
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			fs.SetInterspersed(false) // the verb parses its own flags
			return func(args []string) error { return e.runVerb("redact", subs, args) }
		},
	}
}

type redactAddOptions struct {
	literal, pattern, scope, replacement, reason, actor string
	noVacuum, json                                      bool
}

func redactAddVerb() subcommand {
	return subcommand{
		name: "add", args: "(--literal VALUE | --pattern RE) [options]",
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
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			var o redactAddOptions
			fs.StringVar(&o.literal, "literal", "", "the exact value to hide ('-' reads it from standard input)")
			fs.StringVar(&o.pattern, "pattern", "", "an RE2 pattern whose matches to hide")
			fs.StringVar(&o.scope, "scope", "global", "global, session:ID, prompt:SESSION#N or field:TABLE.COLUMN")
			fs.StringVar(&o.replacement, "replacement", "", "what replaces a match (default [REDACTED:manual-<id>])")
			fs.StringVar(&o.reason, "reason", "", "why, recorded with the redaction")
			fs.StringVar(&o.actor, "actor", "", "who asks for it (default git's user.name, else the OS user)")
			fs.BoolVar(&o.noVacuum, "no-vacuum", false, "do not compact the database file afterwards")
			fs.BoolVar(&o.json, "json", false, "print the result as JSON")
			return func(args []string) error {
				if len(args) > 0 {
					return usagef("add takes no arguments (use --literal or --pattern)")
				}
				return e.redactAdd(o)
			}
		},
	}
}

func (e *env) redactAdd(o redactAddOptions) error {
	if (o.literal == "") == (o.pattern == "") {
		return usagef("add needs exactly one of --literal and --pattern")
	}
	if o.literal == "-" {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the literal from standard input: %w", err)
		}
		if o.literal = strings.TrimRight(line, "\r\n"); o.literal == "" {
			return usagef("--literal -: standard input holds no value")
		}
	}
	if o.actor == "" {
		o.actor = e.actor()
	}
	db, err := e.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := db.Secret(e.ctx)
	if err != nil {
		return err
	}
	rec, err := e.manualScope(db, o.scope)
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
		return func(t store.StoredText) (string, []store.Finding) {
			var out string
			var fs []redact.Finding
			switch t.Kind {
			case store.TextRaw:
				b, f := eng.JSONAt(redact.Location{Raw: true}, []byte(t.Text))
				out, fs = string(b), f
			case store.TextKey:
				out, fs = eng.Text(redact.ScopeField, t.Text)
			default:
				loc := redact.Location{Agent: t.Agent, Session: t.Session, Prompt: t.Prompt, Field: t.Table + "." + t.Column}
				out, fs = eng.TextAt(redact.ScopeField, loc, t.Text)
			}
			return out, storeFindings(fs)
		}, nil
	})
	if err != nil {
		return err
	}
	clean, err := db.Compact(e.ctx, !o.noVacuum)
	if err != nil {
		return err
	}
	if !clean {
		fmt.Fprintln(e.stderr, "warning: another aitrail process kept the database's write-ahead log open: older copies of the rewritten rows may remain in it until that process ends")
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
		return writeJSON(e.stdout, result{ID: id, RuleID: rec.RuleID(), Rows: st.Rows, Changed: st.Total(),
			Values: st.Values, Skipped: st.Skipped, Rerender: len(commits)})
	}
	what := "pattern"
	if rec.Kind == store.ManualLiteral {
		what = fmt.Sprintf("literal of %d bytes", rec.LiteralLen)
	}
	fmt.Fprintf(e.stdout, "added manual redaction %d (%s, scope %s, by %s)\n", id, what, scopeText(rec), rec.Actor)
	fmt.Fprintf(e.stdout, "rewrote %d stored rows (%d values)", st.Total(), st.Values)
	if st.Total() > 0 {
		fmt.Fprintf(e.stdout, ": %s", countList(st.Rows))
	}
	fmt.Fprintln(e.stdout)
	if st.Skipped > 0 {
		fmt.Fprintf(e.stderr, "warning: %d key rows (log file paths, repository names) were left as they were: redacted, they would equal another row's\n", st.Skipped)
	}
	if len(commits) > 0 {
		verb := "commits carry"
		if len(commits) == 1 {
			verb = "commit carries"
		}
		fmt.Fprintf(e.stdout, "%d annotated %s affected prompts: run 'aitrail annotate --rewrite' in their repositories to re-render their notes\n", len(commits), verb)
	}
	return nil
}

// storeFindings converts the engine's findings for the store.
func storeFindings(fs []redact.Finding) []store.Finding {
	out := make([]store.Finding, len(fs))
	for i, f := range fs {
		out[i] = store.Finding{RuleID: f.RuleID, RuleFingerprint: f.RuleFingerprint, ValueHash: f.ValueHash, Actor: f.Actor}
	}
	return out
}

// manualView is a manual redaction as 'redact list --json' prints it.
type manualView struct {
	ID           int64     `json:"id"`
	RuleID       string    `json:"ruleId"`
	Active       bool      `json:"active"`
	Kind         string    `json:"kind"`
	Pattern      string    `json:"pattern,omitempty"`
	LiteralBytes int       `json:"literalBytes,omitempty"`
	ValueHash    string    `json:"valueHash,omitempty"`
	Scope        string    `json:"scope"`
	Replacement  string    `json:"replacement"`
	Actor        string    `json:"actor"`
	Reason       string    `json:"reason,omitempty"`
	Created      time.Time `json:"createdAt"`
	Updated      time.Time `json:"updatedAt"`
	Fields       int64     `json:"fieldsRedacted"`
	Values       int64     `json:"valuesRedacted"`
}

func redactListVerb() subcommand {
	return subcommand{
		name: "list", args: "[--all] [--json]",
		summary: "list manual redactions",
		long: `Lists the active manual redactions (with --all, the removed ones too): id,
what they match (a pattern as written; a literal only by its length), scope,
replacement, actor, reason, when they were made, and how many stored fields
and values each has redacted so far.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			all := fs.Bool("all", false, "include removed (inactive) manual redactions")
			asJSON := fs.Bool("json", false, "print JSON")
			return func(args []string) error {
				if len(args) > 0 {
					return usagef("list takes no arguments")
				}
				db, err := e.openExistingDB()
				if err != nil {
					return err
				}
				defer db.Close()
				ms, err := db.ManualRedactions(e.ctx, *all)
				if err != nil {
					return err
				}
				counts, err := db.RedactionCounts(e.ctx, "manual:")
				if err != nil {
					return err
				}
				views := make([]manualView, 0, len(ms))
				for _, m := range ms {
					c := counts[m.RuleID()]
					views = append(views, manualView{
						ID: m.ID, RuleID: m.RuleID(), Active: m.Active, Kind: m.Kind, Pattern: m.Pattern,
						LiteralBytes: m.LiteralLen, ValueHash: m.LiteralHash, Scope: scopeText(m),
						Replacement: engineManual(m).Placeholder(), Actor: m.Actor, Reason: m.Reason,
						Created: m.Created, Updated: m.Updated, Fields: c.Fields, Values: c.Values,
					})
				}
				if *asJSON {
					return writeJSON(e.stdout, views)
				}
				if len(views) == 0 {
					fmt.Fprintln(e.stdout, "no manual redactions (add one with 'aitrail redact add')")
					return nil
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSTATE\tMATCHES\tSCOPE\tREPLACEMENT\tFIELDS\tACTOR\tCREATED\tREASON")
				for _, v := range views {
					state, what := "active", v.Pattern
					if !v.Active {
						state = "removed"
					}
					if v.Kind == store.ManualLiteral {
						what = fmt.Sprintf("literal (%d bytes)", v.LiteralBytes)
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", v.ID, state, what, v.Scope, v.Replacement,
						v.Fields, v.Actor, v.Created.Local().Format("2006-01-02 15:04"), v.Reason)
				}
				return tw.Flush()
			}
		},
	}
}

func redactRemoveVerb() subcommand {
	return subcommand{
		name: "remove", args: "ID",
		summary: "deactivate a manual redaction (stored rows stay redacted)",
		long: `Deactivates a manual redaction: logs ingested from now on no longer take it.
Its record stays (redact list --all shows it), and so do the rows it already
rewrote: the original values are kept nowhere, so they cannot be restored
from the database. Re-reading the agents' own log files with
'aitrail ingest --rebuild' brings them back where those files still hold
them.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			return func(args []string) error {
				if len(args) != 1 {
					return usagef("remove takes one ID (see 'aitrail redact list')")
				}
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil {
					return usagef("remove: %q is not a manual redaction id (see 'aitrail redact list')", args[0])
				}
				db, err := e.openExistingDB()
				if err != nil {
					return err
				}
				defer db.Close()
				m, err := db.DeactivateManualRedaction(e.ctx, id)
				if err != nil {
					return err
				}
				if !m.Active {
					fmt.Fprintf(e.stdout, "manual redaction %d was already removed\n", id)
					return nil
				}
				fmt.Fprintf(e.stdout, "removed manual redaction %d: logs ingested from now on no longer take it.\n", id)
				fmt.Fprintln(e.stdout, "Rows it already rewrote stay redacted (the original values are kept nowhere).")
				return nil
			}
		},
	}
}

// commitsToRerender returns the commits of h's repository whose prompts a
// manual redaction changed after their note was written, oldest first;
// commits no longer in the repository are left out.
func (e *env) commitsToRerender(h *hooks.Env) ([]gitlog.Hash, error) {
	refs, err := h.DB.CommitsToRerender(e.ctx, h.RepoKey)
	if err != nil {
		return nil, err
	}
	var out []gitlog.Hash
	for _, c := range refs {
		sha, err := gitlog.ParseHash(c.SHA)
		if err != nil {
			continue
		}
		if _, err := h.Repo.Commit(sha); err != nil {
			continue // rewritten away or not fetched here
		}
		out = append(out, sha)
	}
	return out, nil
}
