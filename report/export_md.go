package report

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aitrail/aitrail/store"
)

// writeExportMarkdown writes the grouped prompt view: each session, each
// of its prompts with what the agent did for it, then the commits and the
// redaction summary.
func writeExportMarkdown(w io.Writer, x *store.Export, m ExportMeta) error {
	var b strings.Builder
	t := totals(x)
	fmt.Fprintf(&b, "# aitrail export\n\n")
	fmt.Fprintf(&b, "Generated %s by aitrail %s. ", m.Generated.UTC().Format("2006-01-02 15:04 UTC"), m.Version)
	fmt.Fprintf(&b, "%s, %s, %s tokens, estimated cost %s.\n", Plural(t.Sessions, "session"), Plural(t.Prompts, "prompt"),
		Thousands(t.Tokens.Total), USD(t.Cost))
	if len(m.Filters) > 0 {
		var fs []string
		for _, f := range m.Filters {
			fs = append(fs, fmt.Sprintf("%s `%s`", f.Name, mdEscape(f.Value)))
		}
		fmt.Fprintf(&b, "Filters: %s.\n", strings.Join(fs, ", "))
	}
	for _, s := range x.Sessions {
		fmt.Fprintf(&b, "\n## %s session `%s`", agentName(s.Agent), s.SessionID)
		if s.Title != "" {
			fmt.Fprintf(&b, ": %s", mdText(oneLineOf(s.Title)))
		}
		b.WriteString("\n\n")
		agent := agentName(s.Agent)
		if s.AgentVersion != "" {
			agent += " " + s.AgentVersion
		}
		if s.Member != "" {
			fmt.Fprintf(&b, "- **Member:** %s\n", mdText(s.Member))
		}
		fmt.Fprintf(&b, "- **Agent:** %s", agent)
		if s.Model != "" {
			fmt.Fprintf(&b, " (%s)", s.Model)
		}
		b.WriteString("\n")
		if s.Cwd != "" {
			fmt.Fprintf(&b, "- **Directory:** `%s`\n", mdEscape(s.Cwd))
		}
		if s.GitBranch != "" || s.GitCommit != "" {
			fmt.Fprintf(&b, "- **Git:** %s\n", strings.TrimSpace(mdText(s.GitBranch)+" "+short7(s.GitCommit)))
		}
		fmt.Fprintf(&b, "- **Time:** %s to %s\n", mdTime(s.Started), mdTime(s.Ended))
		fmt.Fprintf(&b, "- **Tokens:** %s, estimated cost %s\n", TokenBreakdown(s.Tokens), USD(s.Cost))
		for _, l := range s.Links {
			fmt.Fprintf(&b, "- **Link (%s):** %s %s\n", l.Kind, mdText(l.URL), mdText(l.Title))
		}
		for _, p := range turns(s) {
			if p.Preamble {
				fmt.Fprintf(&b, "\n### Before the first prompt, %s\n", mdTime(p.Time))
			} else {
				fmt.Fprintf(&b, "\n### Prompt %d, %s", p.Seq, mdTime(p.Time))
				if p.Model != "" {
					fmt.Fprintf(&b, " (%s)", p.Model)
				}
				b.WriteString("\n\n")
				b.WriteString(quote(p.Text))
			}
			for _, msg := range p.Messages {
				label := map[string]string{"assistant": "Assistant", "reasoning": "Reasoning", "system": "System"}[msg.Kind]
				if label == "" {
					label = msg.Kind
				}
				fmt.Fprintf(&b, "\n**%s:**\n\n%s\n", label, fence(msg.Text, "text"))
			}
			if len(p.ToolCalls) > 0 {
				counts := map[string]int{}
				for _, c := range p.ToolCalls {
					counts[c.Name]++
				}
				var names []string
				for n := range counts {
					names = append(names, n)
				}
				sort.Strings(names)
				var parts []string
				for _, n := range names {
					parts = append(parts, fmt.Sprintf("`%s` ×%d", mdEscape(n), counts[n]))
				}
				fmt.Fprintf(&b, "\n**Tools:** %s\n", strings.Join(parts, ", "))
			}
			if len(p.Edits) > 0 {
				b.WriteString("\n**Edits:**\n")
				for _, e := range p.Edits {
					name := e.RelPath
					if name == "" {
						name = e.Path
					}
					fmt.Fprintf(&b, "\n- `%s` %s +%d −%d", mdEscape(name), e.Op, e.Added, e.Removed)
					if e.Status != store.EditApplied {
						fmt.Fprintf(&b, " (%s)", e.Status)
					}
					b.WriteString("\n")
					if e.Diff != "" {
						fmt.Fprintf(&b, "\n%s\n", indentLines(fence(e.Diff, "diff"), "  "))
					}
				}
			}
			if tok := p.tokens(); tok.Total > 0 {
				fmt.Fprintf(&b, "\n**Tokens:** %s, estimated cost %s\n", TokenBreakdown(tok), USD(p.Cost))
			}
			if len(p.Commits) > 0 {
				var cs []string
				for _, c := range p.Commits {
					cs = append(cs, "`"+short7(c)+"`")
				}
				fmt.Fprintf(&b, "\n**Commits:** %s\n", strings.Join(cs, ", "))
			}
		}
	}
	if len(x.Commits) > 0 {
		b.WriteString("\n## Commits\n\n| Commit | Time | Added lines | By AI | Share | Prompts |\n|---|---|---:|---:|---:|---:|\n")
		for _, c := range x.Commits {
			fmt.Fprintf(&b, "| `%s` | %s | %d | %d | %s | %d |\n", short7(c.SHA), mdTime(c.CommittedAt), c.Added, c.AI, percent(c.AI, c.Added), c.Prompts)
		}
	}
	b.WriteString("\n## Redactions\n\n")
	sum := RedactionSummary(m)
	if len(sum) == 0 {
		b.WriteString("No text in this export matched a redaction rule.\n")
	} else {
		b.WriteString("| Rule | Redacted when stored | Redacted at export |\n|---|---:|---:|\n")
		for _, r := range sum {
			fmt.Fprintf(&b, "| `%s` | %d | %d |\n", mdEscape(r.Rule), r.Stored, r.AtExport)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// quote writes text as a Markdown block quote.
func quote(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "> (empty)\n"
	}
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		b.WriteString(strings.TrimRight("> "+mdText(l), " ") + "\n")
	}
	return b.String()
}

var backticks = regexp.MustCompile("`{3,}")

// fence writes text in a fenced code block whose fence no run of
// backticks inside can close.
func fence(s, lang string) string {
	n := 3
	for _, m := range backticks.FindAllString(s, -1) {
		n = max(n, len(m)+1)
	}
	f := strings.Repeat("`", n)
	return f + lang + "\n" + strings.TrimRight(s, "\n") + "\n" + f
}

func indentLines(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

func oneLineOf(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
