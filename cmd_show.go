package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

func showCommand() command {
	return command{
		name: "show", usage: "SESSION | REV [options]",
		summary: "show a session grouped by prompt, or a commit's AI involvement",
		long: `Shows one session: each prompt with what the agent did for it (its messages,
tool calls, edited files and tokens), then the session's sub-agents. Times
are local; --json gives them in UTC (RFC 3339).

SESSION is a session id, a unique prefix of one, or AGENT:ID; 'aitrail
sessions' lists them. When the argument names no session but a commit of the
current repository (a sha, HEAD~2, a branch), show prints the commit's note,
or the note it would get.`,
		new: func() options { return &showOptions{} },
	}
}

type showOptions struct {
	target string // a session or a commit
	member string
	json   bool
	full   bool
}

func (o *showOptions) flags(fs *pflag.FlagSet) {
	fs.StringVar(&o.member, "member", "", "the session of this member (a team database's, read with --db postgres://…)")
	fs.BoolVar(&o.json, "json", false, "print JSON")
	fs.BoolVar(&o.full, "full", false, "print whole texts, tool inputs and outputs, and diffs")
}

func (o *showOptions) args(args []string) error {
	if len(args) != 1 {
		return usagef("show takes one SESSION or REV")
	}
	o.target = args[0]
	return nil
}

func (o *showOptions) run(e *env) error {
	db, _, err := e.openReader()
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := db.FindMemberSession(e.ctx, o.target, o.member)
	if errors.Is(err, store.ErrNotFound) && !db.Team() {
		if repo, rerr := openRepo(); rerr == nil {
			if _, rerr := repo.Resolve(o.target); rerr == nil {
				db.Close()
				return (&noteOptions{rev: o.target, json: o.json}).run(e)
			}
		}
	}
	if err != nil {
		return err
	}
	d, err := db.Detail(e.ctx, s)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(e.io.out, d)
	}
	printSession(e.io.out, d, o.full)
	return nil
}

func printSession(w io.Writer, d *store.SessionDetail, full bool) {
	s := d.SessionInfo
	fmt.Fprintf(w, "Session %s:%s\n", s.Agent, s.SessionID)
	if s.Member != "" {
		fmt.Fprintf(w, "  member   %s\n", s.Member)
	}
	if s.Title != "" {
		fmt.Fprintf(w, "  title    %s\n", s.Title)
	}
	agent := s.Agent
	if s.AgentVersion != "" {
		agent += " " + s.AgentVersion
	}
	if s.Originator != "" {
		agent += " (" + s.Originator + ")"
	}
	fmt.Fprintf(w, "  agent    %s\n", agent)
	if s.Model != "" {
		fmt.Fprintf(w, "  model    %s\n", s.Model)
	}
	if s.ParentID != "" {
		fmt.Fprintf(w, "  parent   %s (%s)\n", s.ParentID, s.Relation)
	}
	if s.Cwd != "" {
		fmt.Fprintf(w, "  cwd      %s\n", s.Cwd)
	}
	if s.GitBranch != "" || s.GitCommit != "" || s.GitRemote != "" {
		git := s.GitBranch
		if s.GitCommit != "" {
			git += " @ " + short(s.GitCommit, 10)
		}
		if s.GitRemote != "" {
			git += "  " + s.GitRemote
		}
		fmt.Fprintf(w, "  git      %s\n", strings.TrimSpace(git))
	}
	fmt.Fprintf(w, "  time     %s → %s (%s)\n", shortTime(s.Started), shortTime(s.Ended), s.Ended.Sub(s.Started).Round(1e9))
	fmt.Fprintf(w, "  activity %s, %s, %s\n", report.Plural(s.Prompts, "prompt"), report.Plural(s.ToolCalls, "tool call"), report.Plural(s.Edits, "file edit"))
	fmt.Fprintf(w, "  tokens   %s\n", report.TokenBreakdown(s.Tokens))
	for _, l := range d.Links {
		fmt.Fprintf(w, "  link     %s %s %s\n", l.Kind, l.URL, l.Title)
	}
	if len(d.Preamble.Messages)+len(d.Preamble.ToolCalls)+len(d.Preamble.Edits) > 0 || d.Preamble.Tokens.Total > 0 {
		fmt.Fprintf(w, "\n── before the first prompt\n")
		printActivity(w, &d.Preamble, full)
	}
	for i := range d.Prompts {
		p := &d.Prompts[i]
		fmt.Fprintf(w, "\n── prompt %d  %s", p.Seq, shortTime(p.Time))
		if p.Model != "" {
			fmt.Fprintf(w, "  %s", p.Model)
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, indent(clip(p.Text, 20, full), "   > "))
		if p.Context != "" {
			fmt.Fprintf(w, "   (plus %s of injected context)\n", humanBytes(int64(len(p.Context))))
		}
		printActivity(w, p, full)
	}
	for _, c := range d.Children {
		fmt.Fprintf(w, "\n── sub-session %s:%s (%s)  %s, %s, %s, %s\n",
			c.Agent, c.SessionID, c.Relation, report.Plural(c.Prompts, "prompt"), report.Plural(c.ToolCalls, "tool call"), report.Plural(c.Edits, "file edit"), report.Plural(c.Tokens.Total, "token"))
	}
}

func printActivity(w io.Writer, p *store.PromptDetail, full bool) {
	for _, m := range p.Messages {
		label := m.Kind
		fmt.Fprintf(w, "   %s:\n%s\n", label, indent(clip(m.Text, 6, full), "     "))
	}
	if len(p.ToolCalls) > 0 {
		if full {
			for _, c := range p.ToolCalls {
				fmt.Fprintf(w, "   tool %s %s\n%s\n", c.Name, c.Status, indent(c.Input, "     in  "))
				if c.Output != "" {
					fmt.Fprintln(w, indent(c.Output, "     out "))
				}
			}
		} else {
			counts := map[string]int{}
			for _, c := range p.ToolCalls {
				counts[c.Name]++
			}
			names := make([]string, 0, len(counts))
			for n := range counts {
				names = append(names, n)
			}
			sort.Strings(names)
			var parts []string
			for _, n := range names {
				parts = append(parts, fmt.Sprintf("%s ×%d", n, counts[n]))
			}
			fmt.Fprintf(w, "   tools: %s\n", strings.Join(parts, ", "))
		}
	}
	for _, ed := range p.Edits {
		path := ed.Path
		if ed.RelPath != "" {
			path = ed.RelPath
		}
		status := ""
		if ed.Status != store.EditApplied {
			status = " (" + ed.Status + ")"
		}
		fmt.Fprintf(w, "   edited %-6s %s +%d −%d%s\n", ed.Op, path, ed.Added, ed.Removed, status)
		if full && ed.Diff != "" {
			fmt.Fprintln(w, indent(ed.Diff, "     "))
		}
	}
	if p.Tokens.Total > 0 {
		fmt.Fprintf(w, "   tokens: %s\n", report.TokenBreakdown(p.Tokens))
	}
}
