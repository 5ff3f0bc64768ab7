package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
)

// scanReport is what 'scan --json' prints.
type scanReport struct {
	Findings []findingView `json:"findings"`
	Files    int           `json:"files"`   // files scanned
	Skipped  int           `json:"skipped"` // binary files not scanned
}

func scanCommand() command {
	return command{
		name: "scan", usage: "PATH... [--skip RULE]... [--json]",
		summary: "report what the rules find in files, storing nothing",
		long: `Scans files, and directories recursively, with the rules that apply here:
the built-in pack, the user's and the repository's rule files and the
personal-data policies of the config. Prints each finding as
path:line:column: rule-id, never the value, and stores nothing. Binary
files, .git directories and symbolic links found inside directories are
skipped.

Exits with status 1 when something was found (or a file could not be read),
0 when nothing was, so that it can gate CI or a pre-commit hook:

  aitrail scan --skip email .

--skip leaves out the findings of a rule (repeatable); 'aitrail rules list'
names the rules.`,
		new: func() options { return &scanOptions{} },
	}
}

type scanOptions struct {
	paths []string
	skip  []string
	json  bool
}

func (o *scanOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print JSON")
	fs.StringArrayVar(&o.skip, "skip", nil, "ignore the findings of this rule id (repeatable)")
}

func (o *scanOptions) args(args []string) error {
	if len(args) == 0 {
		return usagef("scan needs at least one PATH")
	}
	o.paths = args
	return nil
}

func (o *scanOptions) run(e *env) error {
	for _, p := range o.paths {
		if _, err := os.Lstat(p); err != nil {
			return usagef("%v", err)
		}
	}
	eng, err := e.engine(nil)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, r := range eng.Rules() {
		known[r.ID] = true
	}
	for _, id := range o.skip {
		if !known[id] {
			return usagef("--skip: no rule %q (see 'aitrail rules list')", id)
		}
	}
	return o.scan(e, eng)
}

func (o *scanOptions) scan(e *env, eng *redact.Engine) error {
	paths, skip, asJSON := o.paths, o.skip, o.json
	rep := scanReport{Findings: []findingView{}}
	var failed []string
	found := 0
	withFindings := map[string]bool{}
	scanFile := func(path string) {
		f, err := os.Open(path)
		if err != nil {
			failed = append(failed, path)
			fmt.Fprintf(e.io.err, "aitrail scan: %v\n", err)
			return
		}
		defer f.Close()
		errBinary := errors.New("binary")
		// The file is read in pieces (redact.Engine.Stream): memory does
		// not follow its size.
		err = eng.Stream(redact.ScopeField, f, func(head []byte) error {
			if bytes.IndexByte(head, 0) >= 0 {
				return errBinary
			}
			return nil
		}, func(fd redact.Finding, start, end redact.Position) {
			if slices.Contains(skip, fd.RuleID) {
				return
			}
			v := findingView{Path: path, Rule: fd.RuleID, Fingerprint: fd.RuleFingerprint, Start: fd.Start, End: fd.End,
				Line: start.Line, Column: start.Column, EndLine: end.Line, EndColumn: end.Column}
			found++
			withFindings[path] = true
			if asJSON {
				rep.Findings = append(rep.Findings, v) // printed at the end
			} else {
				fmt.Fprintf(e.io.out, "%s:%d:%d: %s\n", path, v.Line, v.Column, v.Rule)
			}
		})
		switch {
		case errors.Is(err, errBinary):
			rep.Skipped++
		case err != nil:
			failed = append(failed, path)
			fmt.Fprintf(e.io.err, "aitrail scan: %s: %v\n", path, err)
		default:
			rep.Files++
		}
	}
	for _, root := range paths {
		if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
			scanFile(root) // a file named on the command line, through a symbolic link too
			continue
		}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				failed = append(failed, path)
				fmt.Fprintf(e.io.err, "aitrail scan: %v\n", err)
				return nil
			}
			if d.IsDir() {
				if d.Name() == ".git" && path != root {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				scanFile(path)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if asJSON {
		if err := writeJSON(e.io.out, rep); err != nil {
			return err
		}
	}
	switch {
	case found > 0:
		return fmt.Errorf("%s in %d of %s", report.Plural(found, "finding"), len(withFindings), report.Plural(rep.Files, "file"))
	case len(failed) > 0:
		return errors.New("some files could not be read")
	}
	if !asJSON {
		fmt.Fprintf(e.io.err, "no findings in %s\n", report.Plural(rep.Files, "file"))
	}
	return nil
}
