package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/repofile"
)

func rulesCommand() command {
	return command{
		name: "rules", usage: "list|test|add|remove|validate|import [options]",
		summary: "list, try, add, remove and check redaction rules",
		long: `Redaction rules decide what aitrail hides before it stores or publishes
anything: the built-in pack (vendor tokens, private keys, passwords in URLs
and assignments, personal data by policy), then the user's rule file
(~/.config/aitrail/redactions.yml, and the file the config's
redaction.rules names), then the repository's (.aitrail/redactions.yml),
which can add rules for its own sessions but never disable a built-in one.
The format is described in docs/redaction.md.`,
		verbs: []command{rulesListCommand(), rulesTestCommand(), rulesAddCommand(), rulesRemoveCommand(), rulesValidateCommand(), rulesImportCommand()},
	}
}

func rulesListCommand() command {
	return command{
		name: "list", usage: "[--json]",
		summary: "list every rule in the order they apply",
		long: `Lists every rule, enabled or not, in the order they apply: id, type, origin
(builtin, user, repo; "user (gitleaks)" for a rule imported from a gitleaks
pack), whether it is enabled, its scope (prompt, field or global) and what it
finds. The repository's rules apply to its own sessions only. A
personal-data rule that the configuration turns off is listed as disabled
with the reason.`,
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
	Imported    string   `json:"imported,omitempty"` // the pack an imported rule came from
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
			Scope: r.Scope, Description: r.Description, Keywords: r.Keywords, Fingerprint: r.Fingerprint, Source: r.Source,
			Imported: r.Imported})
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
		origin := v.Origin
		if v.Imported != "" {
			origin += " (" + strings.SplitN(v.Imported, ":", 2)[0] + ")" // user (gitleaks)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Type, origin, on, v.Scope, v.Description)
	}
	return tw.Flush()
}

// editRules opens the rule file 'rules add' and 'rules remove' edit: the
// user's, or with repo the repository's.
func (e *env) editRules(repo bool) (*redact.RuleFileEdit, ruleFile, error) {
	rf := ruleFile{path: e.userRuleFile(), origin: redact.OriginUser}
	if repo {
		root, err := gitlog.Root(".")
		if err != nil {
			return nil, rf, fmt.Errorf("--repo: %w", err)
		}
		rf = ruleFile{path: repoRuleFile(root), origin: redact.OriginRepo}
	}
	data, err := readRuleFile(rf.path, rf.origin)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, rf, fmt.Errorf("read rules: %w", err)
	}
	d, err := redact.EditRuleData(rf.path, data)
	return d, rf, err
}

// readRuleFile reads a rule file or a rule pack. One that lies in a
// repository's work tree (its own rule file, a pack committed there) comes
// from whoever can push to it: it is read as any work-tree file is
// (repofile.Read). The user's own files are read as they are.
func readRuleFile(path string, origin redact.Origin) ([]byte, error) {
	if origin != redact.OriginUser {
		if abs, err := filepath.Abs(path); err == nil {
			if root, err := gitlog.Root(filepath.Dir(abs)); err == nil {
				if rel, err := filepath.Rel(root, abs); err == nil && filepath.IsLocal(rel) {
					return repofile.Read(root, filepath.ToSlash(rel))
				}
			}
		}
	}
	return os.ReadFile(path)
}

// saveRules writes an edited rule file after checking it as it will be,
// and with the other rule files (an id defined twice).
func (e *env) saveRules(d *redact.RuleFileEdit, rf ruleFile) error {
	data, err := d.Bytes()
	if err != nil {
		return err
	}
	rules, err := redact.ParseRules(data, rf.path, rf.origin)
	if err != nil {
		return err
	}
	cfg, err := e.redactConfig(nil, rf.path)
	if err != nil {
		return err
	}
	if rf.origin == redact.OriginRepo {
		cfg.RepoRules = func(string) ([]redact.Rule, error) { return rules, nil }
	} else {
		cfg.Rules = append(cfg.Rules, rules...)
	}
	eng, err := redact.New(cfg)
	if err != nil {
		return err
	}
	if root, err := gitlog.Root("."); err == nil {
		if _, err := eng.Repo(root); err != nil {
			return err
		}
	}
	return d.Write(data)
}
