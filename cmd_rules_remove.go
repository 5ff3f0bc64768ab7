package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/redact"
)

func rulesRemoveCommand() command {
	return command{
		name: "remove", usage: "ID [--repo]",
		summary: "remove a rule from the user's (or the repository's) rule file",
		long: `Removes the rule ID from ~/.config/aitrail/redactions.yml, or with --repo from
the repository's .aitrail/redactions.yml. Built-in rules are not in these
files: disable one in the user file with {id: ID, enabled: false}. Rows
already stored stay as they were redacted.`,
		new: func() options { return &rulesRemoveOptions{} },
	}
}

type rulesRemoveOptions struct {
	id   string
	repo bool
}

func (o *rulesRemoveOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.repo, "repo", false, "remove from the repository's .aitrail/redactions.yml instead")
}

func (o *rulesRemoveOptions) args(args []string) error {
	if len(args) != 1 {
		return usagef("remove takes one rule ID")
	}
	o.id = args[0]
	return nil
}

func (o *rulesRemoveOptions) run(e *env) error {
	d, rf, err := e.editRules(o.repo)
	if err != nil {
		return err
	}
	if !d.Remove(o.id) {
		hint := ""
		if eng, err := e.engine(nil); err == nil {
			for _, r := range eng.Rules() {
				if r.ID == o.id && r.Origin == redact.OriginBuiltin {
					hint = fmt.Sprintf(" (%s is a built-in rule: disable it in the user file with {id: %s, enabled: false})", o.id, o.id)
				} else if r.ID == o.id && r.Source != "" {
					hint = fmt.Sprintf(" (it is defined in %s)", r.Source)
				}
			}
		}
		return fmt.Errorf("no rule %q in %s%s", o.id, rf.path, hint)
	}
	data, err := d.Bytes()
	if err != nil {
		return err
	}
	if err := d.Write(data); err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "removed rule %s from %s\n", o.id, rf.path)
	return nil
}
