package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
)

func releaseNotesCommand() command {
	return command{
		name: "release-notes", usage: "[REV-RANGE] [--since TIME] [--until TIME] [--json | --fragment TOOL [--write] [--per-commit]]",
		summary: "summarise AI assistance in a range of commits, or write release-tool fragments",
		long: `Summarises the AI assistance recorded in the notes of a range of commits, as a
Markdown section to paste into a release's notes: the commits with AI
involvement, the agents and models, the prompts of each commit (as the notes
show them: redacted, per the note's prompt policy), the share of added lines
the agents wrote, and the tokens and estimated cost (the notes' own figures
added up: each API call is charged in one commit's note). --json gives the
same data.

REV-RANGE is A..B (B defaults to HEAD); a single REV such as a tag means
REV..HEAD. --since/--until keep the commits made in that time (with no
REV-RANGE, the commits of HEAD's history made since --since).

It reads the notes (refs/notes/aitrail), so it works in a clone that fetched
the notes and has no database. When the database is there, it adds the
sessions' titles and pull requests, and tells the commits it knows had no AI
involvement from those never annotated.

--fragment writes the summary as a fragment of a release-notes tool,
following the repository's configuration of it:
  changie     .changes/unreleased/<kind>-<time>.yaml (.changie.yaml: kinds,
              custom choices, components, projects, fragmentFileFormat)
  towncrier   <directory>/+aitrail-<commit>.<type>.md (towncrier.toml or
              pyproject.toml: directory, types, sections, orphan_prefix)
  changesets  .changeset/aitrail-<commit>.md (--package NAME[:BUMP] names
              workspace packages; without it the changeset is empty)
  reno        releasenotes/notes/aitrail-<commit>-<16 hex>.yaml (sections)
--kind picks the changie kind, towncrier type or reno section; by default
the one named "ai" or "AI assistance", and reno's "other". A configuration
that cannot take the fragment (no such kind, no such package) is refused
with what to change. Without --write the fragments are printed;
--per-commit writes one per AI-assisted commit instead of one per range.`,
		new: func() options { return &releaseNotesOptions{} },
	}
}

type releaseNotesOptions struct {
	rng          string
	since, until string
	json         bool
	fragment     report.FragmentOptions
	custom       []string
	write        bool
}

func (o *releaseNotesOptions) flags(fs *pflag.FlagSet) {
	fs.StringVar(&o.since, "since", "", "only commits made since this time: 2026-01-31, an RFC 3339 time, or a duration such as 14d")
	fs.StringVar(&o.until, "until", "", "only commits made until this time (same forms as --since)")
	fs.BoolVar(&o.json, "json", false, "print the summary (or the fragments) as JSON")
	fs.StringVar(&o.fragment.Tool, "fragment", "", "write a fragment for this release tool: "+strings.Join(report.FragmentTools, ", "))
	fs.BoolVar(&o.write, "write", false, "write the fragment files into the repository (default: print them)")
	fs.BoolVar(&o.fragment.PerCommit, "per-commit", false, "one fragment per AI-assisted commit instead of one for the range")
	fs.StringVar(&o.fragment.Kind, "kind", "", "changie kind, towncrier type or reno section of the fragment")
	fs.StringVar(&o.fragment.Component, "component", "", "changie component or towncrier section of the fragment")
	fs.StringVar(&o.fragment.Project, "project", "", "changie project of the fragment")
	fs.StringArrayVar(&o.custom, "custom", nil, "changie custom value KEY=VALUE (repeatable)")
	fs.StringArrayVar(&o.fragment.Packages, "package", nil, "changesets package NAME or NAME:BUMP (bump patch by default; repeatable)")
}

func (o *releaseNotesOptions) args(args []string) error {
	if len(args) > 1 {
		return usagef("release-notes takes one REV-RANGE")
	}
	if len(args) == 1 {
		o.rng = args[0]
		if !strings.Contains(o.rng, "..") {
			o.rng += "..HEAD"
		}
	}
	if o.rng == "" && o.since == "" {
		return usagef("release-notes needs a REV-RANGE (e.g. v1.2.0..HEAD) or --since")
	}
	tool := o.fragment.Tool
	if tool != "" && !slices.Contains(report.FragmentTools, tool) {
		return usagef("--fragment %q: want one of %s", tool, strings.Join(report.FragmentTools, ", "))
	}
	if tool == "" {
		for _, f := range []struct {
			name string
			set  bool
		}{{"--write", o.write}, {"--per-commit", o.fragment.PerCommit}, {"--kind", o.fragment.Kind != ""},
			{"--component", o.fragment.Component != ""}, {"--project", o.fragment.Project != ""}, {"--custom", len(o.custom) > 0},
			{"--package", len(o.fragment.Packages) > 0}} {
			if f.set {
				return usagef("%s needs --fragment", f.name)
			}
		}
	}
	if err := o.window().check(); err != nil {
		return err
	}
	for _, kv := range o.custom {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return usagef("--custom %q: want KEY=VALUE", kv)
		}
		if o.fragment.Custom == nil {
			o.fragment.Custom = map[string]string{}
		}
		o.fragment.Custom[k] = v
	}
	for _, p := range o.fragment.Packages {
		if _, _, err := report.ParsePackage(p); err != nil {
			return usageError{err.Error()}
		}
	}
	return nil
}

func (o *releaseNotesOptions) run(e *env) error {
	repo, err := openRepo()
	if err != nil {
		return err
	}
	window, err := o.window().store(e, nil, nil)
	if err != nil {
		return err
	}
	since, until := window.Since, window.Until
	shas, err := rangeCommits(repo, o.rng)
	if err != nil {
		return err
	}
	ref, err := e.notesRef()
	if err != nil {
		return err
	}
	nr, err := repo.NoteReader(ref)
	if err != nil {
		return err
	}
	db, eng, err := e.openExisting()
	if err != nil {
		return err
	}
	src := report.ReleaseSource{Repo: repo, Notes: nr, Commits: shas, Since: since, Until: until, DB: db}
	if db != nil {
		defer db.Close()
		if src.RepoKey, err = repoKey(e, db, repo.Root()); err != nil {
			return err
		}
	}
	in, err := report.GatherRelease(e.ctx, src)
	if err != nil {
		return err
	}
	in.Range = o.rng
	if in.Range == "" {
		in.Range = "since " + since.Format("2006-01-02")
	}
	rel := report.BuildRelease(in)
	for i := range rel.Entries {
		for j := range rel.Entries[i].Prompts {
			p := &rel.Entries[i].Prompts[j]
			p.Text, _ = eng.Text(redact.ScopePrompt, p.Text)
		}
	}
	if o.fragment.Tool != "" {
		return o.fragments(e, repo.Root(), rel)
	}
	if o.json {
		return writeJSON(e.io.out, rel)
	}
	fmt.Fprint(e.io.out, report.RenderRelease(rel))
	return nil
}

// window is the time filter of the options, checked and parsed as the
// session filters are.
func (o *releaseNotesOptions) window() *sessionFilter {
	return &sessionFilter{since: o.since, until: o.until}
}

// fragments prints or writes the release's fragments.
func (o *releaseNotesOptions) fragments(e *env, root string, rel *report.Release) error {
	frags, err := report.Fragments(root, rel, o.fragment)
	if errors.Is(err, report.ErrFragmentConfig) {
		return fmt.Errorf("%s: %w", o.fragment.Tool, err)
	}
	if err != nil {
		return err
	}
	if len(frags) == 0 {
		fmt.Fprintf(e.io.err, "no AI assistance recorded in %s: no fragment to write\n", rel.Range)
	}
	if o.write {
		for _, fr := range frags {
			p := filepath.Join(root, filepath.FromSlash(fr.Path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(fr.Content), 0o644); err != nil {
				return fmt.Errorf("write fragment: %w", err)
			}
		}
	}
	if o.json {
		if frags == nil {
			frags = []report.Fragment{}
		}
		return writeJSON(e.io.out, map[string]any{"tool": o.fragment.Tool, "written": o.write, "fragments": frags})
	}
	for _, fr := range frags {
		if o.write {
			fmt.Fprintf(e.io.out, "wrote %s\n", fr.Path)
		} else {
			fmt.Fprintf(e.io.out, "==> %s <==\n%s\n", fr.Path, fr.Content)
		}
	}
	return nil
}

// rangeCommits lists a range's commits oldest first; "" is HEAD's history.
func rangeCommits(repo *gitlog.Repo, rng string) ([]gitlog.Hash, error) {
	if rng != "" {
		return repo.ResolveRange(rng, 0)
	}
	head, err := repo.Head()
	if err != nil {
		return nil, err
	}
	return repo.RevList(gitlog.Hash{}, head, 0)
}
