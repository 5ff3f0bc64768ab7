package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aitrail/aitrail/store"
)

// The HTML report is one file: its style sheet and script are inlined, its
// charts are SVG drawn here, and a Content-Security-Policy forbids loading
// anything, so that it opens the same offline as online.
var (
	//go:embed assets/report.html
	reportHTML string
	//go:embed assets/report.css
	reportCSS string
	//go:embed assets/report.js
	reportJS string
)

var reportTemplate = template.Must(template.New("report").Parse(reportHTML))

// htmlDiffLines caps the lines of one diff in the report; the JSON export
// has them all.
const htmlDiffLines = 400

// htmlToolText caps a tool call's input or output in the report.
const htmlToolText = 4000

type htmlView struct {
	Title      string
	Generated  string
	Version    string
	Filters    []Filter
	CSS        template.CSS
	JS         template.JS
	Totals     exportTotals
	Tokens     string
	Cost       string
	AIShare    string
	Charts     []htmlChart
	Commits    []htmlCommit
	Sessions   []htmlSession
	Agents     []string
	Models     []string
	Redactions []RedactionCount
}

type htmlChart struct {
	Title string
	SVG   template.HTML
}

type htmlCommit struct {
	Short, SHA, Time string
	Added, AI        int
	Share            string
	Pct              int
	Prompts          int
}

type htmlSession struct {
	ID, Agent, AgentName, Title, Version, Model, Cwd, Git string
	Member                                                string // who pushed it, on a team database
	Started, Ended                                        string
	Models                                                string // space-separated, for the filter
	Tokens                                                string
	Cost                                                  string
	Links                                                 []store.LinkInfo
	Prompts                                               []htmlPrompt
}

type htmlPrompt struct {
	Anchor, Time, Model string
	Seq                 int
	Preamble            bool // what the agent did before the first prompt
	Text                template.HTML
	Messages            []htmlMessage
	Tools               string
	ToolCalls           []htmlTool
	Edits               []htmlEdit
	Tokens, Cost        string
	Commits             []string
}

type htmlMessage struct {
	Kind string
	Text template.HTML
}

type htmlTool struct {
	Name, Status, Input, Output string
}

type htmlEdit struct {
	Path, Op, Status string
	Added, Removed   int
	Lines            []htmlDiffLine
	More             int
}

type htmlDiffLine struct{ Class, Text string }

// WriteHTML writes the self-contained HTML audit report of an export.
func WriteHTML(w io.Writer, x *store.Export, m ExportMeta) error {
	md := newMarkdown()
	v := htmlView{
		Title:      "aitrail audit report",
		Generated:  m.Generated.UTC().Format("2006-01-02 15:04 UTC"),
		Version:    m.Version,
		Filters:    m.Filters,
		CSS:        template.CSS(reportCSS),
		JS:         template.JS(reportJS),
		Totals:     totals(x),
		Redactions: RedactionSummary(m),
	}
	tokensByAgent := map[string]map[string]float64{}
	costByModel := map[string]map[string]float64{}
	agents, models := map[string]bool{}, map[string]bool{}
	for _, s := range x.Sessions {
		hs := htmlSession{ID: s.SessionID, Member: s.Member, Agent: s.Agent, AgentName: agentName(s.Agent), Title: oneLineOf(s.Title),
			Version: s.AgentVersion, Model: s.Model, Cwd: s.Cwd, Started: mdTime(s.Started), Ended: mdTime(s.Ended),
			Tokens: Thousands(s.Tokens.Total), Cost: USD(s.Cost), Links: s.Links}
		if s.GitBranch != "" || s.GitCommit != "" {
			hs.Git = strings.TrimSpace(s.GitBranch + " " + short7(s.GitCommit))
		}
		agents[agentName(s.Agent)] = true
		sessModels := map[string]bool{}
		for _, p := range turns(s) {
			hp := htmlPrompt{Anchor: fmt.Sprintf("%s-%s-%d", s.Agent, s.SessionID, p.Seq), Seq: p.Seq, Time: mdTime(p.Time),
				Model: p.Model, Cost: USD(p.Cost), Commits: p.Commits, Preamble: p.Preamble}
			if p.Preamble {
				hp.Anchor = fmt.Sprintf("%s-%s-preamble", s.Agent, s.SessionID)
			} else {
				hp.Text = md.render(p.Text)
			}
			day := p.Time.UTC().Format("2006-01-02")
			var tok store.Tokens
			for _, u := range p.Usage {
				tok.Add(u.Tokens)
				model := u.Model
				if model == "" {
					model = "(unknown)"
				}
				models[model], sessModels[model] = true, true
				add(tokensByAgent, day, agentName(s.Agent), float64(u.Tokens.Total))
				add(costByModel, day, model, u.Cost)
			}
			if p.Model != "" {
				sessModels[p.Model] = true
				models[p.Model] = true
			}
			hp.Tokens = Thousands(tok.Total)
			for _, msg := range p.Messages {
				hp.Messages = append(hp.Messages, htmlMessage{Kind: msg.Kind, Text: md.render(msg.Text)})
			}
			counts := map[string]int{}
			for _, c := range p.ToolCalls {
				counts[c.Name]++
				hp.ToolCalls = append(hp.ToolCalls, htmlTool{Name: c.Name, Status: c.Status, Input: capText(c.Input, htmlToolText), Output: capText(c.Output, htmlToolText)})
			}
			var parts []string
			for _, n := range sortedKeys(counts) {
				parts = append(parts, fmt.Sprintf("%s ×%d", n, counts[n]))
			}
			hp.Tools = strings.Join(parts, ", ")
			for _, e := range p.Edits {
				name := e.RelPath
				if name == "" {
					name = e.Path
				}
				he := htmlEdit{Path: name, Op: e.Op, Added: e.Added, Removed: e.Removed}
				if e.Status != store.EditApplied {
					he.Status = e.Status
				}
				he.Lines, he.More = diffLines(e.Diff, htmlDiffLines)
				hp.Edits = append(hp.Edits, he)
			}
			hs.Prompts = append(hs.Prompts, hp)
		}
		if s.Model != "" {
			sessModels[s.Model] = true
		}
		hs.Models = strings.Join(sortedKeys(sessModels), " ")
		v.Sessions = append(v.Sessions, hs)
	}
	v.Agents, v.Models = sortedKeys(agents), sortedKeys(models)
	added, ai := 0, 0
	for _, c := range x.Commits {
		added += c.Added
		ai += c.AI
		pct := 0
		if c.Added > 0 {
			pct = (c.AI*100 + c.Added/2) / c.Added
		}
		v.Commits = append(v.Commits, htmlCommit{Short: short7(c.SHA), SHA: c.SHA, Time: mdTime(c.CommittedAt), Added: c.Added,
			AI: c.AI, Share: percent(c.AI, c.Added), Pct: pct, Prompts: c.Prompts})
	}
	if len(x.Commits) > 0 {
		v.AIShare = fmt.Sprintf("%s of %s", Thousands(int64(ai)), Plural(added, "added line"))
		if added > 0 {
			v.AIShare += " (" + percent(ai, added) + ")"
		}
	}
	for _, c := range []chart{
		dayChart("Tokens per day, by agent", tokensByAgent, compact),
		dayChart("Estimated cost per day (USD), by model", costByModel, dollarsAxis),
	} {
		v.Charts = append(v.Charts, htmlChart{c.Title, c.svg()})
	}
	v.Tokens, v.Cost = Thousands(v.Totals.Tokens.Total), USD(v.Totals.Cost)
	return reportTemplate.Execute(w, v)
}

func add(m map[string]map[string]float64, day, key string, v float64) {
	if m[day] == nil {
		m[day] = map[string]float64{}
	}
	m[day][key] += v
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// diffLines classes a unified diff's lines for colouring, keeping the
// first max; more is how many were left out.
func diffLines(diff string, max int) (lines []htmlDiffLine, more int) {
	all := strings.Split(strings.TrimRight(diff, "\n"), "\n")
	if diff == "" {
		return nil, 0
	}
	if len(all) > max {
		more = len(all) - max
		all = all[:max]
	}
	for _, l := range all {
		class := "ctx"
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			class = "file"
		case strings.HasPrefix(l, "@@"):
			class = "hunk"
		case strings.HasPrefix(l, "+"):
			class = "add"
		case strings.HasPrefix(l, "-"):
			class = "del"
		}
		lines = append(lines, htmlDiffLine{class, l})
	}
	return lines, more
}

func capText(s string, max int) string {
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + fmt.Sprintf("\n… (%d more characters in the JSON export)", len(r)-max)
	}
	return s
}

func parseDay(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }
