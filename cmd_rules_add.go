package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/redact"
)

func rulesAddCommand() command {
	return command{
		name: "add", usage: "ID --pattern RE [options]",
		summary: "add a rule to the user's (or the repository's) rule file",
		long: `Appends a rule to ~/.config/aitrail/redactions.yml, or with --repo to the
repository's .aitrail/redactions.yml (commit it to share the rule), after
checking that the file with the new rule is valid: the id is new and is not
a built-in rule's, the pattern compiles, the scope is known. The rule applies
to logs ingested from then on; 'aitrail redact add' applies a value to what
is already stored.

A regex rule replaces its group named "secret", else its first non-empty
group, else the whole match; it runs only near one of its keywords (by
default the literal text it starts with, else everywhere). A literal rule
matches its pattern as text, ignoring case.`,
		new: func() options { return &rulesAddOptions{} },
	}
}

type rulesAddOptions struct {
	rule redact.Rule
	repo bool
}

func (o *rulesAddOptions) flags(fs *pflag.FlagSet) {
	r := &o.rule
	fs.StringVar(&r.Pattern, "pattern", "", "the RE2 pattern (or the literal text with --type literal)")
	fs.StringVar(&r.Type, "type", redact.TypeRegex, "regex or literal")
	fs.StringArrayVar(&r.Keywords, "keyword", nil, "run the rule only near this text (repeatable; case-insensitive)")
	fs.StringVar(&r.Scope, "scope", redact.RuleScopeGlobal, "where the rule applies: prompt, field or global")
	fs.StringVar(&r.Replacement, "replacement", "", "what replaces a match (default [REDACTED:<ID>])")
	fs.StringVar(&r.Reason, "reason", "", "why the rule exists, kept in the file")
	fs.StringVar(&r.Description, "description", "", "what the rule finds, shown by 'rules list'")
	fs.BoolVar(&o.repo, "repo", false, "add to the repository's .aitrail/redactions.yml instead")
}

func (o *rulesAddOptions) args(args []string) error {
	if len(args) != 1 {
		return usagef("add takes one rule ID")
	}
	o.rule.ID = args[0]
	if o.rule.Pattern == "" {
		return usagef("add needs --pattern")
	}
	if o.rule.Type != redact.TypeRegex && o.rule.Type != redact.TypeLiteral {
		return usagef("--type: want regex or literal, not %q", o.rule.Type)
	}
	switch o.rule.Scope {
	case redact.RuleScopeGlobal, redact.RuleScopePrompt, redact.RuleScopeField:
	default:
		return usagef("--scope: want prompt, field or global, not %q", o.rule.Scope)
	}
	return nil
}

func (o *rulesAddOptions) run(e *env) error {
	d, rf, err := e.editRules(o.repo)
	if err != nil {
		return err
	}
	r := o.rule
	r.Actor = actor()
	if err := d.Add(r); err != nil {
		return err
	}
	if err := e.saveRules(d, rf); err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "added rule %s to %s\n", r.ID, rf.path)
	return nil
}
