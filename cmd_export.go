package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

func exportCommand() command {
	return command{
		name: "export", usage: "[--format md|csv|json|jsonl|html] [-o FILE] [filters]",
		summary: "export a redacted record of sessions and prompts: md, csv, json, jsonl, html",
		long: `Exports the sessions and prompts the filters select, always redacted: every
text was redacted when it was stored, and is redacted again on its way out
with the current rules (rules added since then apply too). There is no way
to export unredacted text. Every export ends with a summary of the
redactions per rule. What an agent did before a session's first prompt
(its preamble) is exported with the session, so that the tokens of an
export add up to those of 'aitrail stats'.

Formats (docs/reports.md describes each):
  md     the grouped prompt view: each session, each prompt with the agent's
         replies, tools, edits (diffs) and tokens
  csv    one row per prompt (and per session's preamble) in stable,
         documented columns, then one row per redaction rule
  json   the normalized records in one document (schema aitrail.export/v1)
  jsonl  the same records one per line, each with its type and keys
  html   a self-contained audit report: charts of tokens and cost over time
         by agent and model, per-commit AI share, sessions and prompts with
         their diffs, and search and filters that work offline; it loads
         nothing from the network
--format defaults to the extension of -o FILE, else md.

Filters combine: --agent, --repo (sessions that worked in a directory),
--session (one session), --commit REV-RANGE (the prompts linked to those
commits, from their notes and the database), --since and --until (sessions
active, and prompts sent, in that time).`,
		new: func() options { return &exportOptions{} },
	}
}

type exportOptions struct {
	format  string
	output  string
	filter  sessionFilter
	session string
	commit  string
}

func (o *exportOptions) flags(fs *pflag.FlagSet) {
	fs.StringVar(&o.format, "format", "", "md, csv, json, jsonl or html (default: from -o's extension, else md)")
	fs.StringVarP(&o.output, "output", "o", "", "write to FILE instead of stdout")
	o.filter.flags(fs)
	fs.StringVar(&o.session, "session", "", "only this session (an id, a unique prefix, or AGENT:ID)")
	fs.StringVar(&o.commit, "commit", "", "only the prompts linked to these commits: REV or A..B")
}

func (o *exportOptions) args(args []string) error {
	if len(args) > 0 {
		return usagef("export takes no arguments (filters are options: --agent, --repo, --session, --commit, --since, --until)")
	}
	if err := o.filter.check(); err != nil {
		return err
	}
	if o.format == "" {
		ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(o.output)), ".")
		if o.format = map[string]string{"markdown": "md", "htm": "html"}[ext]; o.format == "" {
			o.format = ext
		}
		if !slices.Contains(report.ExportFormats, o.format) {
			o.format = "md"
		}
	}
	if !slices.Contains(report.ExportFormats, o.format) {
		return usagef("--format %q: want one of %s", o.format, strings.Join(report.ExportFormats, ", "))
	}
	return nil
}

func (o *exportOptions) run(e *env) error {
	db, eng, err := e.openReader()
	if err != nil {
		return err
	}
	defer db.Close()
	sf, err := o.filter.store(e, db, eng)
	if err != nil {
		return err
	}
	filter := store.ExportFilter{SessionFilter: sf, Session: o.session}
	if o.commit != "" {
		if filter.Prompts, err = commitPrompts(e, db, o.commit); err != nil {
			return err
		}
	}
	x, err := db.Export(e.ctx, filter, price)
	if err != nil {
		return err
	}
	meta := report.ExportMeta{Generated: e.now(), Version: version, Filters: o.filters(e, eng), Stored: map[string]int{}, AtExport: map[string]int{}}
	x.EachText(func(prompt bool, s *string) {
		redact.CountPlaceholders(*s, meta.Stored)
		scope := redact.ScopeField
		if prompt {
			scope = redact.ScopePrompt
		}
		out, findings := eng.Text(scope, *s)
		*s = out
		for _, f := range findings {
			meta.AtExport[f.RuleID]++
		}
	})
	if o.output == "" {
		return report.WriteExport(e.io.out, o.format, x, meta)
	}
	if err := writeFileAtomic(o.output, func(f *os.File) error { return report.WriteExport(f, o.format, x, meta) }); err != nil {
		return err
	}
	prompts := 0
	for _, s := range x.Sessions {
		prompts += len(s.Prompts)
	}
	var rules []string
	for _, r := range report.RedactionSummary(meta) {
		rules = append(rules, fmt.Sprintf("%s %d", r.Rule, r.Stored+r.AtExport))
	}
	red := "none"
	if len(rules) > 0 {
		red = strings.Join(rules, ", ")
	}
	fmt.Fprintf(e.io.err, "wrote %s (%s): %s, %s; redactions: %s\n", o.output, o.format, report.Plural(len(x.Sessions), "session"), report.Plural(prompts, "prompt"), red)
	return nil
}

// filters lists the filters given, for the export's record of itself.
func (o *exportOptions) filters(e *env, eng *redact.Engine) []report.Filter {
	repo := o.filter.repo
	if repo != "" {
		// The directory as resolved, redacted like every path shown.
		if abs, err := filepath.Abs(e.cfgPaths().Expand(repo)); err == nil {
			repo, _ = eng.Text(redact.ScopeField, abs)
		}
	}
	var out []report.Filter
	for _, f := range []report.Filter{{Name: "member", Value: o.filter.member}, {Name: "agent", Value: o.filter.agent}, {Name: "repo", Value: repo},
		{Name: "session", Value: o.session}, {Name: "commit", Value: o.commit}, {Name: "since", Value: o.filter.since},
		{Name: "until", Value: o.filter.until}} {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

// commitPrompts returns the prompts linked to the commits of rng: those
// their notes name, and those the database recorded for them.
func commitPrompts(e *env, db *store.DB, rng string) ([]store.PromptRef, error) {
	repo, ref, err := e.repoNotes()
	if err != nil {
		return nil, err
	}
	shas, err := repo.ResolveRange(rng, 0)
	if err != nil {
		return nil, err
	}
	key, err := repoKey(e, db, repo.Root())
	if err != nil {
		return nil, err
	}
	out := []store.PromptRef{}
	for _, h := range shas {
		note, _, err := repo.ReadNote(ref, h)
		if err != nil {
			return nil, err
		}
		for _, rec := range report.ReadNotes(note) {
			for _, p := range rec.Prompts {
				out = append(out, store.PromptRef{Agent: p.Agent, SessionID: p.Session, Key: p.Key})
			}
		}
		if key == "" {
			continue // a team database: the notes say it
		}
		c, err := db.LoadCommit(e.ctx, key, h.String())
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, p := range c.Prompts {
			if p.Role == "author" {
				out = append(out, store.PromptRef{Agent: p.Agent, SessionID: p.Session, Key: p.Key})
			}
		}
	}
	return out, nil
}

// writeFileAtomic writes a file through a temporary file in the same
// directory, so that a failed export leaves no half-written file.
func writeFileAtomic(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
