package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/redact"
)

func rulesImportCommand() command {
	return command{
		name: "import", usage: "FILE [--repo] [--prefix P]",
		summary: "import a rule pack in gitleaks' TOML format",
		long: `Imports the rules of a rule pack written in gitleaks' format (a .gitleaks.toml:
[[rules]] with id, regex, secretGroup, entropy, keywords and allowlists) into
the user's rule file, or with --repo into the repository's. Each rule keeps
where it came from (imported: gitleaks:FILE:LINE) and is checked like any rule
of that file; importing the same pack again replaces the rules it brought
before. Rules that Go's RE2 cannot compile (look-around, back-references),
rules on file paths only, rules whose id is a built-in rule's (use --prefix)
and rules that fail a check are skipped and listed as FILE:LINE: rule "id":
why. What of a rule cannot be kept (a file-path condition, an allowlist on
the whole line) is listed too: each makes the rule redact more, not less.`,
		new: func() options { return &rulesImportOptions{} },
	}
}

type rulesImportOptions struct {
	pack   string
	repo   bool
	prefix string
}

func (o *rulesImportOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.repo, "repo", false, "import into the repository's .aitrail/redactions.yml instead")
	fs.StringVar(&o.prefix, "prefix", "", "put this before every imported rule's id")
}

func (o *rulesImportOptions) args(args []string) error {
	if len(args) != 1 {
		return usagef("import takes one rule pack FILE")
	}
	o.pack = args[0]
	return nil
}

func (o *rulesImportOptions) run(e *env) error {
	pack, err := readRuleFile(o.pack, "") // a pack committed in a repository is a work-tree file
	if err != nil {
		return fmt.Errorf("read rule pack: %w", err)
	}
	d, rf, err := e.editRules(o.repo)
	if err != nil {
		return err
	}
	imp, err := redact.ImportGitleaks(pack, filepath.Base(o.pack), d, rf.origin, o.prefix)
	if err != nil {
		return err
	}
	if err := e.saveRules(d, rf); err != nil {
		return err
	}
	for _, msg := range append(imp.Skipped, imp.Notes...) {
		fmt.Fprintln(e.io.err, msg)
	}
	fmt.Fprintf(e.io.out, "imported %d rules from %s into %s (%d skipped, %d replaced from an earlier import)\n",
		len(imp.Rules), o.pack, rf.path, len(imp.Skipped), imp.Replaced)
	return nil
}
