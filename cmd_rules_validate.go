package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
)

func rulesValidateCommand() command {
	return command{
		name: "validate", usage: "[FILE...] [--json]",
		summary: "check rule files and run their rules' samples",
		long: `Checks rule files (by default the user's and the repository's that exist):
each must parse, each rule must compile, and each positive sample of a rule
must be caught by it and no negative one. Every problem of a file is
reported, one a line, as file:line: rule "id": key: problem. A file in a
.aitrail directory is checked as a repository file (which cannot disable
built-in rules).
Exits with status 1 when there is a problem, so that CI can run it.`,
		new: func() options { return &rulesValidateOptions{} },
	}
}

type rulesValidateOptions struct {
	files []string // empty: the rule files that apply here
	json  bool
}

func (o *rulesValidateOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

func (o *rulesValidateOptions) args(args []string) error {
	o.files = args
	return nil
}

// ruleFileReport is the result of validating one rule file.
type ruleFileReport struct {
	Path     string   `json:"path"`
	Rules    int      `json:"rules"`
	Problems []string `json:"problems"`
}

func (o *rulesValidateOptions) run(e *env) error {
	var targets []ruleFile
	for _, a := range o.files {
		targets = append(targets, ruleFile{path: a, origin: originOf(a)})
	}
	cross := len(o.files) == 0
	if cross {
		files, err := e.ruleFiles()
		if err != nil {
			return err
		}
		for _, rf := range files {
			if _, err := os.Lstat(rf.path); err == nil || rf.where != "" { // the config's must exist
				targets = append(targets, rf)
			}
		}
	}
	base, err := e.redactPolicy(nil)
	if err != nil {
		return err
	}
	reports := []ruleFileReport{}
	problems := 0
	for _, t := range targets {
		rep := ruleFileReport{Path: t.path, Problems: []string{}}
		data, err := readRuleFile(t.path, t.origin)
		if err != nil {
			msg := fmt.Sprintf("%s: %v", t.path, err)
			if t.where != "" {
				msg = t.where + ": " + msg
			}
			rep.Problems = append(rep.Problems, msg)
		} else {
			rules, err := redact.ParseRules(data, t.path, t.origin)
			for _, p := range redact.Problems(err) {
				rep.Problems = append(rep.Problems, p.Error())
			}
			rep.Rules = len(rules)
			if len(rules) > 0 { // the samples of the rules without a problem
				for _, err := range redact.VerifySamples(rules, base) {
					rep.Problems = append(rep.Problems, err.Error())
				}
			}
		}
		problems += len(rep.Problems)
		reports = append(reports, rep)
	}
	var crossErr string
	if cross && problems == 0 {
		// The files together: an id defined in two files.
		if _, err := e.engine(nil); err != nil {
			crossErr = err.Error()
			problems++
		}
	}
	if o.json {
		out := map[string]any{"files": reports, "problems": problems}
		if crossErr != "" {
			out["error"] = crossErr
		}
		if err := writeJSON(e.io.out, out); err != nil {
			return err
		}
	} else {
		if len(reports) == 0 {
			fmt.Fprintln(e.io.out, "no rule files to check (the user's is ~/.config/aitrail/redactions.yml, the repository's .aitrail/redactions.yml)")
		}
		for _, r := range reports {
			if len(r.Problems) == 0 {
				fmt.Fprintf(e.io.out, "%s: ok (%s)\n", r.Path, report.Plural(r.Rules, "rule"))
			}
			for _, p := range r.Problems {
				fmt.Fprintln(e.io.out, p)
			}
		}
		if crossErr != "" {
			fmt.Fprintln(e.io.out, crossErr)
		}
	}
	if problems > 0 {
		return fmt.Errorf("%s in the rule files", report.Plural(problems, "problem"))
	}
	return nil
}

// originOf guesses a rule file's origin from its place: files in a
// .aitrail directory are repository files.
func originOf(path string) redact.Origin {
	if abs, err := filepath.Abs(path); err == nil && filepath.Base(filepath.Dir(abs)) == ".aitrail" {
		return redact.OriginRepo
	}
	return redact.OriginUser
}
