package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/redact"
)

func rulesCommand() command {
	return command{
		name: "rules", usage: "list|test|add|remove|validate [options]",
		summary: "list, try, add, remove and check redaction rules",
		long: `Redaction rules decide what aitrail hides before it stores or publishes
anything: the built-in pack (vendor tokens, private keys, passwords in URLs
and assignments, personal data by policy), then the user's rule file
(~/.config/aitrail/redactions.yml, and the file the config's
redaction.rules names), then the repository's (.aitrail/redactions.yml),
which can add rules but never disable a built-in one. The format is
described in docs/redaction.md.`,
		verbs: []command{rulesListCommand(), rulesTestCommand(), rulesAddCommand(), rulesRemoveCommand(), rulesValidateCommand()},
	}
}

func rulesListCommand() command {
	return command{
		name: "list", usage: "[--json]",
		summary: "list every rule in the order they apply",
		long: `Lists every rule, enabled or not, in the order they apply: id, type, origin
(builtin, user, repo), whether it is enabled, its scope (prompt, field or
global) and what it finds. A personal-data rule that the configuration turns
off is listed as disabled with the reason.`,
		new: func() options { return &rulesListOptions{} },
	}
}

type rulesListOptions struct {
	json bool
}

func (o *rulesListOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print JSON, with keywords, fingerprints and sources")
}

func (o *rulesListOptions) args(args []string) error {
	return noArgs("list", args)
}

// ruleView is a rule as 'rules list --json' prints it.
type ruleView struct {
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	Origin      string   `json:"origin"`
	Enabled     bool     `json:"enabled"`
	Scope       string   `json:"scope"`
	Description string   `json:"description"`
	Keywords    []string `json:"keywords,omitempty"`
	Fingerprint string   `json:"fingerprint"`
	Source      string   `json:"source,omitempty"`
}

func (o *rulesListOptions) run(e *env) error {
	eng, err := e.engine(nil)
	if err != nil {
		return err
	}
	infos := eng.Rules()
	views := make([]ruleView, 0, len(infos))
	for _, r := range infos {
		views = append(views, ruleView{ID: r.ID, Type: r.Type, Origin: string(r.Origin), Enabled: r.Enabled,
			Scope: r.Scope, Description: r.Description, Keywords: r.Keywords, Fingerprint: r.Fingerprint, Source: r.Source})
	}
	if o.json {
		return writeJSON(e.io.out, views)
	}
	tw := tabwriter.NewWriter(e.io.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tORIGIN\tENABLED\tSCOPE\tDESCRIPTION")
	for _, v := range views {
		on := "yes"
		if !v.Enabled {
			on = "no"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Type, v.Origin, on, v.Scope, v.Description)
	}
	return tw.Flush()
}

// editRules opens the rule file 'rules add' and 'rules remove' edit: the
// user's, or with repo the repository's.
func (e *env) editRules(repo bool) (*redact.RuleFileEdit, ruleFile, error) {
	rf := ruleFile{e.userRuleFile(), redact.OriginUser}
	if repo {
		root, err := gitlog.Root(".")
		if err != nil {
			return nil, rf, fmt.Errorf("--repo: %w", err)
		}
		rf = ruleFile{repoRuleFile(root), redact.OriginRepo}
	}
	d, err := redact.EditRuleFile(rf.path)
	return d, rf, err
}
