package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/aitrail/aitrail/redact"
)

func rulesCommand() command {
	subs := []subcommand{rulesListVerb(), rulesTestVerb(), rulesAddVerb(), rulesRemoveVerb(), rulesValidateVerb()}
	return command{
		name: "rules", args: "list|test|add|remove|validate [options]",
		summary: "list, try, add, remove and check redaction rules",
		long: `Redaction rules decide what aitrail hides before it stores or publishes
anything: the built-in pack (vendor tokens, private keys, passwords in URLs
and assignments, personal data by policy), then the user's rule file
(~/.config/aitrail/redactions.yml, and the file the config's
redaction.rules names), then the repository's (.aitrail/redactions.yml),
which can add rules but never disable a built-in one. The format is
described in docs/redaction.md.
` + verbs("rules", subs),
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			fs.SetInterspersed(false) // the verb parses its own flags
			return func(args []string) error { return e.runVerb("rules", subs, args) }
		},
	}
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

func rulesListVerb() subcommand {
	return subcommand{
		name: "list", args: "[--json]",
		summary: "list every rule in the order they apply",
		long: `Lists every rule, enabled or not, in the order they apply: id, type, origin
(builtin, user, repo), whether it is enabled, its scope (prompt, field or
global) and what it finds. A personal-data rule that the configuration turns
off is listed as disabled with the reason.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			asJSON := fs.Bool("json", false, "print JSON, with keywords, fingerprints and sources")
			return func(args []string) error {
				if len(args) > 0 {
					return usagef("list takes no arguments")
				}
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
				if *asJSON {
					return writeJSON(e.stdout, views)
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
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
		},
	}
}

// colorStdout reports whether stdout takes ANSI colours: a terminal, and
// NO_COLOR unset.
func (e *env) colorStdout() bool {
	return e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb" && isTerminal(e.stdout)
}

// lineIndex maps byte offsets of a text to lines and columns.
type lineIndex []int // offsets where lines start

func newLineIndex(s string) lineIndex {
	li := lineIndex{0}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			li = append(li, i+1)
		}
	}
	return li
}

// pos returns the 1-based line and byte column of offset off.
func (li lineIndex) pos(off int) (line, col int) {
	i := sort.SearchInts(li, off+1) - 1
	return i + 1, off - li[i] + 1
}

// findingView is a finding as the JSON outputs print it: where, and which
// rule; never the value.
type findingView struct {
	Path        string `json:"path,omitempty"`
	Rule        string `json:"rule"`
	Fingerprint string `json:"fingerprint"`
	Start       int    `json:"start"`
	End         int    `json:"end"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	EndLine     int    `json:"endLine"`
	EndColumn   int    `json:"endColumn"`
}

// findingViews sorts findings by offset and locates them in text.
func findingViews(path, text string, fs []redact.Finding) []findingView {
	li := newLineIndex(text)
	out := make([]findingView, 0, len(fs))
	for _, f := range fs {
		v := findingView{Path: path, Rule: f.RuleID, Fingerprint: f.RuleFingerprint, Start: f.Start, End: f.End}
		if f.Start >= 0 {
			v.Line, v.Column = li.pos(f.Start)
			v.EndLine, v.EndColumn = li.pos(max(f.Start, f.End-1))
		}
		out = append(out, v)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Start != out[j].Start {
			return out[i].Start < out[j].Start
		}
		return out[i].End > out[j].End
	})
	return out
}

func rulesTestVerb() subcommand {
	return subcommand{
		name: "test", args: "[--file F | TEXT...] [--scope prompt|field] [--json]",
		summary: "show what a text or file would become",
		long: `Redacts a text (the arguments, joined by spaces), a file (--file, '-' for
standard input) or standard input (no argument) with the rules that apply
here, and prints what it would become, each replacement highlighted (in
colour on a terminal, between [[ and ]] otherwise), then the findings:
line:column ranges of the input and the rule that matched. --scope prompt
tests the text as a prompt, which also applies prompt-scoped rules such as
the inline [redact ...] marker. --json prints the redacted text and the
findings' offsets and rule ids, never the matched values.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			file := fs.String("file", "", "read the text from this file ('-' for standard input)")
			scope := fs.String("scope", "field", "test the text as a prompt or as another field")
			asJSON := fs.Bool("json", false, "print JSON")
			return func(args []string) error {
				var sc redact.Scope
				switch *scope {
				case "prompt":
					sc = redact.ScopePrompt
				case "field":
					sc = redact.ScopeField
				default:
					return usagef("--scope: want prompt or field, not %q", *scope)
				}
				var text string
				switch {
				case *file != "" && len(args) > 0:
					return usagef("test takes --file or TEXT, not both")
				case *file == "-" || *file == "" && len(args) == 0:
					data, err := io.ReadAll(e.stdin)
					if err != nil {
						return fmt.Errorf("read standard input: %w", err)
					}
					text = string(data)
				case *file != "":
					data, err := os.ReadFile(*file)
					if err != nil {
						return fmt.Errorf("read %s: %w", *file, err)
					}
					text = string(data)
				default:
					text = strings.Join(args, " ")
				}
				eng, err := e.engine(nil)
				if err != nil {
					return err
				}
				out, findings, marks := eng.Explain(sc, text)
				views := findingViews("", text, findings)
				if *asJSON {
					return writeJSON(e.stdout, map[string]any{"scope": *scope, "result": out, "changed": out != text, "findings": views})
				}
				e.printMarked(out, marks)
				if len(views) == 0 {
					fmt.Fprintln(e.stdout, "no findings")
					return nil
				}
				fmt.Fprintf(e.stdout, "\nfindings (%d):\n", len(views))
				for _, v := range views {
					fmt.Fprintf(e.stdout, "  %d:%d-%d:%d  %s\n", v.Line, v.Column, v.EndLine, v.EndColumn, v.Rule)
				}
				return nil
			}
		},
	}
}

// printMarked prints s with the spans highlighted.
func (e *env) printMarked(s string, marks []redact.Span) {
	open, closing := "[[", "]]"
	if e.colorStdout() {
		open, closing = "\x1b[1;7m", "\x1b[0m"
	}
	var b strings.Builder
	last := 0
	for _, m := range marks {
		b.WriteString(s[last:m.Start])
		b.WriteString(open)
		b.WriteString(s[m.Start:m.End])
		b.WriteString(closing)
		last = m.End
	}
	b.WriteString(s[last:])
	if !strings.HasSuffix(s, "\n") {
		b.WriteByte('\n')
	}
	io.WriteString(e.stdout, b.String())
}

// userRuleFile is the rule file 'rules add' and 'rules remove' edit: the
// user's, or with repo the repository's.
func (e *env) userRuleFile(repo bool) (string, redact.Origin, error) {
	if !repo {
		return filepath.Join(e.cfgEnv().ConfigDir(), "redactions.yml"), redact.OriginUser, nil
	}
	root := repoRootOf(".")
	if root == "" {
		return "", "", errors.New("--repo: not inside a git repository")
	}
	return filepath.Join(root, ".aitrail", "redactions.yml"), redact.OriginRepo, nil
}

// ruleDoc is a rule file being edited, kept as a YAML tree so that its
// comments and order survive.
type ruleDoc struct {
	path string
	doc  *yaml.Node // the document
	list *yaml.Node // its list of rules
}

const ruleFileHeader = `aitrail redaction rules, applied after the built-in pack in file order.
The format is described in docs/redaction.md; check this file with 'aitrail rules validate'.`

// loadRuleDoc reads a rule file for editing; a missing or empty file is a
// new, empty one.
func loadRuleDoc(path string) (*ruleDoc, error) {
	d := &ruleDoc{path: path}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		d.list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		d.doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{
			Kind: yaml.MappingNode, Tag: "!!map", HeadComment: ruleFileHeader,
			Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "rules"}, d.list},
		}}}
		return d, nil
	}
	d.doc = &doc
	root := doc.Content[0]
	switch root.Kind {
	case yaml.SequenceNode:
		d.list = root
	case yaml.MappingNode:
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "rules" {
				continue
			}
			v := root.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				*v = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			}
			d.list = v
		}
		if d.list == nil {
			d.list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "rules"}, d.list)
		}
	}
	if d.list == nil || d.list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: want a list of rules, or a mapping with a rules list", path, root.Line)
	}
	return d, nil
}

// find returns the index of rule id in the list and its line, or -1.
func (d *ruleDoc) find(id string) (int, int) {
	for i, n := range d.list.Content {
		if n.Kind != yaml.MappingNode {
			continue
		}
		for k := 0; k+1 < len(n.Content); k += 2 {
			if n.Content[k].Value == "id" && n.Content[k+1].Value == id {
				return i, n.Line
			}
		}
	}
	return -1, 0
}

func (d *ruleDoc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(d.doc); err != nil {
		return nil, fmt.Errorf("write %s: %w", d.path, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write %s: %w", d.path, err)
	}
	return buf.Bytes(), nil
}

// write replaces the file atomically.
func (d *ruleDoc) write(data []byte) error {
	if err := os.MkdirAll(filepath.Dir(d.path), 0o755); err != nil {
		return fmt.Errorf("write rules: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(d.path), ".redactions-*.yml")
	if err != nil {
		return fmt.Errorf("write rules: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write rules: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write rules: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write rules: %w", err)
	}
	if err := os.Rename(tmp.Name(), d.path); err != nil {
		return fmt.Errorf("write rules: %w", err)
	}
	return nil
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

type rulesAddOptions struct {
	typ, pattern, scope, replacement, reason, description string
	keywords                                              []string
	repo                                                  bool
}

func rulesAddVerb() subcommand {
	return subcommand{
		name: "add", args: "ID --pattern RE [options]",
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
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			var o rulesAddOptions
			fs.StringVar(&o.pattern, "pattern", "", "the RE2 pattern (or the literal text with --type literal)")
			fs.StringVar(&o.typ, "type", redact.TypeRegex, "regex or literal")
			fs.StringArrayVar(&o.keywords, "keyword", nil, "run the rule only near this text (repeatable; case-insensitive)")
			fs.StringVar(&o.scope, "scope", redact.RuleScopeGlobal, "where the rule applies: prompt, field or global")
			fs.StringVar(&o.replacement, "replacement", "", "what replaces a match (default [REDACTED:<ID>])")
			fs.StringVar(&o.reason, "reason", "", "why the rule exists, kept in the file")
			fs.StringVar(&o.description, "description", "", "what the rule finds, shown by 'rules list'")
			fs.BoolVar(&o.repo, "repo", false, "add to the repository's .aitrail/redactions.yml instead")
			return func(args []string) error {
				if len(args) != 1 {
					return usagef("add takes one rule ID")
				}
				if o.pattern == "" {
					return usagef("add needs --pattern")
				}
				if o.typ != redact.TypeRegex && o.typ != redact.TypeLiteral {
					return usagef("--type: want regex or literal, not %q", o.typ)
				}
				return e.rulesAdd(args[0], o)
			}
		},
	}
}

func (e *env) rulesAdd(id string, o rulesAddOptions) error {
	path, origin, err := e.userRuleFile(o.repo)
	if err != nil {
		return err
	}
	d, err := loadRuleDoc(path)
	if err != nil {
		return err
	}
	if _, line := d.find(id); line > 0 {
		return fmt.Errorf("%s:%d: rule %q already exists (remove it first with 'aitrail rules remove %s')", path, line, id, id)
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	add := func(k string, v *yaml.Node) { n.Content = append(n.Content, scalar(k), v) }
	add("id", scalar(id))
	add("type", scalar(o.typ))
	add("pattern", scalar(o.pattern))
	if len(o.keywords) > 0 {
		kw := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, k := range o.keywords {
			kw.Content = append(kw.Content, scalar(k))
		}
		add("keywords", kw)
	}
	if o.scope != redact.RuleScopeGlobal {
		add("scope", scalar(o.scope))
	}
	if o.replacement != "" {
		add("replacement", scalar(o.replacement))
	}
	if o.description != "" {
		add("description", scalar(o.description))
	}
	if o.reason != "" {
		add("reason", scalar(o.reason))
	}
	add("actor", scalar(e.actor()))
	d.list.Style = 0 // block style, also when the list was written []
	d.list.Content = append(d.list.Content, n)
	data, err := d.bytes()
	if err != nil {
		return err
	}
	// Check the file as it will be, and with the other rule files.
	rules, err := redact.ParseRules(data, path, origin)
	if err != nil {
		return err
	}
	cfg, err := e.redactConfig(nil, path)
	if err != nil {
		return err
	}
	cfg.Rules = append(cfg.Rules, rules...)
	if _, err := redact.New(cfg); err != nil {
		return err
	}
	if err := d.write(data); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added rule %s to %s\n", id, path)
	return nil
}

func rulesRemoveVerb() subcommand {
	return subcommand{
		name: "remove", args: "ID [--repo]",
		summary: "remove a rule from the user's (or the repository's) rule file",
		long: `Removes the rule ID from ~/.config/aitrail/redactions.yml, or with --repo from
the repository's .aitrail/redactions.yml. Built-in rules are not in these
files: disable one in the user file with {id: ID, enabled: false}. Rows
already stored stay as they were redacted.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			repo := fs.Bool("repo", false, "remove from the repository's .aitrail/redactions.yml instead")
			return func(args []string) error {
				if len(args) != 1 {
					return usagef("remove takes one rule ID")
				}
				id := args[0]
				path, _, err := e.userRuleFile(*repo)
				if err != nil {
					return err
				}
				d, err := loadRuleDoc(path)
				if err != nil {
					return err
				}
				i, _ := d.find(id)
				if i < 0 {
					hint := ""
					if eng, err := e.engine(nil); err == nil {
						for _, r := range eng.Rules() {
							if r.ID == id && r.Origin == redact.OriginBuiltin {
								hint = fmt.Sprintf(" (%s is a built-in rule: disable it in the user file with {id: %s, enabled: false})", id, id)
							} else if r.ID == id && r.Source != "" {
								hint = fmt.Sprintf(" (it is defined in %s)", r.Source)
							}
						}
					}
					return fmt.Errorf("no rule %q in %s%s", id, path, hint)
				}
				d.list.Content = append(d.list.Content[:i], d.list.Content[i+1:]...)
				data, err := d.bytes()
				if err != nil {
					return err
				}
				if err := d.write(data); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "removed rule %s from %s\n", id, path)
				return nil
			}
		},
	}
}

// ruleFileReport is the result of validating one rule file.
type ruleFileReport struct {
	Path     string   `json:"path"`
	Rules    int      `json:"rules"`
	Problems []string `json:"problems"`
}

// originOf guesses a rule file's origin from its place: files in a
// .aitrail directory are repository files.
func originOf(path string) redact.Origin {
	if abs, err := filepath.Abs(path); err == nil && filepath.Base(filepath.Dir(abs)) == ".aitrail" {
		return redact.OriginRepo
	}
	return redact.OriginUser
}

func rulesValidateVerb() subcommand {
	return subcommand{
		name: "validate", args: "[FILE...] [--json]",
		summary: "check rule files and run their rules' samples",
		long: `Checks rule files (by default the user's and the repository's that exist):
each must parse, each rule must compile, and each positive sample of a rule
must be caught by it and no negative one. Problems are reported as
file:line: rule "id": key: problem. A file in a .aitrail directory is
checked as a repository file (which cannot disable built-in rules).
Exits with status 1 when there is a problem, so that CI can run it.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(args []string) error {
				type target struct {
					path   string
					origin redact.Origin
				}
				var targets []target
				for _, a := range args {
					targets = append(targets, target{a, originOf(a)})
				}
				cross := len(args) == 0
				if cross {
					files, err := e.ruleFiles()
					if err != nil {
						return err
					}
					for _, rf := range files {
						if _, err := os.Stat(rf.path); err == nil {
							targets = append(targets, target{rf.path, rf.origin})
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
					data, err := os.ReadFile(t.path)
					if err != nil {
						rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %v", t.path, err))
					} else if rules, err := redact.ParseRules(data, t.path, t.origin); err != nil {
						rep.Problems = append(rep.Problems, err.Error())
					} else {
						rep.Rules = len(rules)
						if len(rules) > 0 {
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
				if *asJSON {
					out := map[string]any{"files": reports, "problems": problems}
					if crossErr != "" {
						out["error"] = crossErr
					}
					if err := writeJSON(e.stdout, out); err != nil {
						return err
					}
				} else {
					if len(reports) == 0 {
						fmt.Fprintln(e.stdout, "no rule files to check (the user's is ~/.config/aitrail/redactions.yml, the repository's .aitrail/redactions.yml)")
					}
					for _, r := range reports {
						if len(r.Problems) == 0 {
							fmt.Fprintf(e.stdout, "%s: ok (%d rules)\n", r.Path, r.Rules)
						}
						for _, p := range r.Problems {
							fmt.Fprintln(e.stdout, p)
						}
					}
					if crossErr != "" {
						fmt.Fprintln(e.stdout, crossErr)
					}
				}
				if problems > 0 {
					return fmt.Errorf("%d problems in the rule files", problems)
				}
				return nil
			}
		},
	}
}
