package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/redact"
)

func rulesTestCommand() command {
	return command{
		name: "test", usage: "[--file F | TEXT...] [--scope prompt|field] [--json]",
		summary: "show what a text or file would become",
		long: `Redacts a text (the arguments, joined by spaces), a file (--file, '-' for
standard input) or standard input (no argument) with the rules that apply
here, and prints what it would become, each replacement highlighted (in
colour on a terminal, between [[ and ]] otherwise), then the findings:
line:column ranges of the input and the rule that matched. --scope prompt
tests the text as a prompt, which also applies prompt-scoped rules such as
the inline [redact ...] marker. --json prints the redacted text and the
findings' offsets and rule ids, never the matched values.`,
		new: func() options { return &rulesTestOptions{} },
	}
}

type rulesTestOptions struct {
	file  string
	scope string
	json  bool
	text  []string // the text to test, as arguments
}

func (o *rulesTestOptions) flags(fs *pflag.FlagSet) {
	fs.StringVar(&o.file, "file", "", "read the text from this file ('-' for standard input)")
	fs.StringVar(&o.scope, "scope", "field", "test the text as a prompt or as another field")
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

func (o *rulesTestOptions) args(args []string) error {
	if o.scope != "prompt" && o.scope != "field" {
		return usagef("--scope: want prompt or field, not %q", o.scope)
	}
	if o.file != "" && len(args) > 0 {
		return usagef("test takes --file or TEXT, not both")
	}
	o.text = args
	return nil
}

func (o *rulesTestOptions) run(e *env) error {
	var text string
	switch {
	case o.file == "-" || o.file == "" && len(o.text) == 0:
		data, err := io.ReadAll(e.io.in)
		if err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		text = string(data)
	case o.file != "":
		data, err := os.ReadFile(o.file)
		if err != nil {
			return fmt.Errorf("read %s: %w", o.file, err)
		}
		text = string(data)
	default:
		text = strings.Join(o.text, " ")
	}
	eng, err := e.engine(nil)
	if err != nil {
		return err
	}
	sc := redact.ScopeField
	if o.scope == "prompt" {
		sc = redact.ScopePrompt
	}
	var loc redact.Location // in a repository, its rules apply too
	if root, err := gitlog.Root("."); err == nil {
		loc.Repo = root
	}
	out, findings, marks := eng.ExplainAt(sc, loc, text)
	views := findingViews("", text, findings)
	if o.json {
		return writeJSON(e.io.out, map[string]any{"scope": o.scope, "result": out, "changed": out != text, "findings": views})
	}
	e.printMarked(out, marks)
	if len(views) == 0 {
		fmt.Fprintln(e.io.out, "no findings")
		return nil
	}
	fmt.Fprintf(e.io.out, "\nfindings (%d):\n", len(views))
	for _, v := range views {
		fmt.Fprintf(e.io.out, "  %d:%d-%d:%d  %s\n", v.Line, v.Column, v.EndLine, v.EndColumn, v.Rule)
	}
	return nil
}

// printMarked prints s with the spans highlighted.
func (e *env) printMarked(s string, marks []redact.Span) {
	open, closing := "[[", "]]"
	if e.io.color {
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
	io.WriteString(e.io.out, b.String())
}
