package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

func redactCommand() command {
	return command{
		name: "redact", usage: "add|list|remove [options]",
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
rows it rewrote.`,
		verbs: []command{redactAddCommand(), redactListCommand(), redactRemoveCommand()},
	}
}

// manualScope parses --scope: global, session:ID, prompt:SESSION#N (N the
// prompt's number or key) or field:TABLE.COLUMN. Sessions and prompts are
// looked up in db and stored by their ids.
func manualScope(e *env, db *store.DB, spec string) (store.ManualRedaction, error) {
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
