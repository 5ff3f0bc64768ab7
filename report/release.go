package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aitrail/aitrail/store"
)

// CommitNote is one commit of a release range with its note ("" when it
// has none).
type CommitNote struct {
	SHA     string
	Subject string
	Time    time.Time // committer time
	Note    string
}

// ReleaseInput is what release notes are built from: the range's commits
// with their notes, and what the database adds when there is one.
type ReleaseInput struct {
	Range   string
	Commits []CommitNote // oldest first
	// Database is set when a database was read: then Sessions, Links and
	// Recorded enrich what the notes say.
	Database bool
	// Sessions are the stored sessions the notes name, by
	// store.SessionRef.Key.
	Sessions map[string]store.SessionInfo
	// Links are the links (pull requests) of those sessions, by the same
	// key.
	Links map[string][]store.LinkInfo
	// Recorded is what the database recorded of the range's commits (by
	// sha): store.CommitAnnotated or store.CommitNoAI.
	Recorded map[string]string
	// Warnings are shown above the summary (notes not fetched from a
	// remote, for one).
	Warnings []string
}

// Release is the AI assistance of a range of commits, as release notes show
// it; its JSON form is the output of 'release-notes --json'.
type Release struct {
	Range string `json:"range"`
	// Commits counts the commits of the range; AICommits those whose note
	// records AI involvement; NoAI those known to have none (a note or the
	// database says so); Unknown those about which nothing is known (no
	// note and no record).
	Commits   int             `json:"commits"`
	AICommits int             `json:"aiCommits"`
	NoAI      int             `json:"noAICommits"`
	Unknown   int             `json:"unknownCommits"`
	Added     int             `json:"addedLines"` // added lines of the AI-assisted commits
	AI        int             `json:"aiLines"`
	Prompts   int             `json:"prompts"`
	Tokens    store.Tokens    `json:"tokens"`
	CostUSD   float64         `json:"costUSD"`
	Unpriced  int             `json:"unpricedCommits,omitempty"` // AI commits whose notes carry no cost
	Agents    []ReleaseAgent  `json:"agents"`
	Entries   []ReleaseCommit `json:"aiCommitList"`
	Database  bool            `json:"enrichedFromDatabase"`
	Warnings  []string        `json:"warnings,omitempty"`
	tip       time.Time
	first     string
	last      string
}

// ReleaseAgent sums one agent's part in a range.
type ReleaseAgent struct {
	Agent    string   `json:"agent"` // codex, claude, …
	Name     string   `json:"name"`  // Codex CLI, Claude Code, …
	Versions []string `json:"versions"`
	Models   []string `json:"models"`
	Commits  int      `json:"commits"`
	Sessions int      `json:"sessions"`
	Prompts  int      `json:"prompts"`
	AI       int      `json:"aiLines"`
}

// ReleaseCommit is one AI-assisted commit of a range.
type ReleaseCommit struct {
	SHA      string          `json:"sha"`
	Subject  string          `json:"subject"`
	Time     time.Time       `json:"time"`
	Agents   []string        `json:"agents"` // labels, as the note's Agents line
	Added    int             `json:"addedLines"`
	AI       int             `json:"aiLines"`
	Context  int             `json:"contextPrompts"`
	Tokens   store.Tokens    `json:"tokens"`
	CostUSD  *float64        `json:"costUSD,omitempty"`
	Prompts  []ReleasePrompt `json:"prompts"`
	Sessions []ReleaseSess   `json:"sessions,omitempty"` // from the database
	// Replays names the commits of the range this one replays (a
	// cherry-pick of a commit that is in the range too): its lines, tokens
	// and cost are counted there, not again here.
	Replays []string `json:"replays,omitempty"`
}

// ReleasePrompt is a prompt linked to a commit, as its note shows it.
type ReleasePrompt struct {
	Agent   string    `json:"agent"`
	Session string    `json:"session"`
	Key     string    `json:"key"`
	Seq     int       `json:"seq,omitempty"`
	Time    time.Time `json:"time,omitzero"`
	Text    string    `json:"text,omitempty"`
	Files   []string  `json:"files"`
}

// ReleaseSess is what the database adds about a session of a commit: its
// title and the pull requests its agent opened.
type ReleaseSess struct {
	Agent        string   `json:"agent"`
	Session      string   `json:"session"`
	Title        string   `json:"title,omitempty"`
	PullRequests []string `json:"pullRequests,omitempty"`
}

// BuildRelease sums the notes of a range. Tokens and costs are the notes'
// own figures added up: each API call is charged in one commit's note, so
// the notes of a range add up without counting a call twice.
func BuildRelease(in ReleaseInput) *Release {
	r := &Release{Range: in.Range, Commits: len(in.Commits), Database: in.Database, Warnings: in.Warnings,
		Agents: []ReleaseAgent{}, Entries: []ReleaseCommit{}}
	agents := map[string]*ReleaseAgent{}
	agentSessions := map[string]map[string]bool{}
	agentCommits := map[string]map[string]bool{}
	agentOf := func(a string) *ReleaseAgent {
		if agents[a] == nil {
			agents[a] = &ReleaseAgent{Agent: a, Name: agentName(a), Versions: []string{}, Models: []string{}}
			agentSessions[a], agentCommits[a] = map[string]bool{}, map[string]bool{}
		}
		return agents[a]
	}
	noted := map[string]bool{} // the range's commits with a note
	for _, c := range in.Commits {
		noted[c.SHA] = c.Note != ""
	}
	for i, c := range in.Commits {
		if i == 0 {
			r.first = c.SHA
		}
		r.last, r.tip = c.SHA, c.Time
		records := ReadNotes(c.Note)
		var involved []NoteRecord
		for _, rec := range records {
			if m := rec.Meta(); len(m.Prompts) > 0 || m.AILines > 0 {
				involved = append(involved, rec)
			}
		}
		if len(involved) == 0 {
			if c.Note != "" || in.Recorded[c.SHA] != "" {
				r.NoAI++
			} else {
				r.Unknown++
			}
			continue
		}
		r.AICommits++
		e := ReleaseCommit{SHA: c.SHA, Subject: c.Subject, Time: c.Time, Prompts: []ReleasePrompt{}, Agents: []string{}}
		seen := map[string]bool{}
		sessions := map[string]bool{} // by store.SessionRef.Key
		var cost float64
		priced := false
		// Lines are the commit's own: when git concatenated the notes of
		// several commits (a squash), the record written for this commit
		// counts if there is one, else the records of the commits it
		// replaced add up. Tokens and prompts always add up: each API call
		// is charged in one record.
		lineRecs := involved
		for _, rec := range involved {
			if rec.Trace.VCS.Revision == c.SHA {
				lineRecs = []NoteRecord{rec}
			}
		}
		// A replay of commits the range holds with their notes (a
		// cherry-pick whose branch was merged too) repeats their figures.
		var replays []string
		for _, rec := range lineRecs {
			replays = append(replays, rec.Meta().Replays...)
		}
		if len(replays) > 0 && !slices.ContainsFunc(replays, func(sha string) bool { return !noted[sha] }) {
			e.Replays = replays
			lineRecs = nil
		}
		for _, rec := range lineRecs {
			m := rec.Meta()
			e.Added += m.AddedLines
			e.AI += m.AILines
			for _, f := range rec.Trace.Files {
				for _, cv := range f.Conversations {
					if agent, _, ok := strings.Cut(strings.TrimPrefix(cv.URL, "aitrail:"), "/"); ok {
						for _, rg := range cv.Ranges {
							agentOf(agent).AI += rg.End - rg.Start + 1
						}
					}
				}
			}
		}
		for _, rec := range involved {
			m := rec.Meta()
			e.Context += m.Context
			if e.Replays == nil {
				e.Tokens.Add(m.Tokens)
				if m.CostUSD != nil {
					cost += *m.CostUSD
					priced = true
				}
			}
			for _, l := range rec.Agents {
				if !contains(e.Agents, l) {
					e.Agents = append(e.Agents, l)
				}
			}
			for _, p := range rec.Prompts {
				k := p.Agent + "\x00" + p.Session + "\x00" + p.Key
				if seen[k] {
					continue
				}
				seen[k] = true
				e.Prompts = append(e.Prompts, ReleasePrompt{Agent: p.Agent, Session: p.Session, Key: p.Key,
					Seq: p.Seq, Time: p.Time, Text: p.Text, Files: p.Files})
				sessions[store.SessionRef{Agent: p.Agent, ID: p.Session}.Key()] = true
				a := agentOf(p.Agent)
				a.Prompts++
				agentCommits[p.Agent][c.SHA] = true
				agentSessions[p.Agent][p.Session] = true
			}
			for _, f := range rec.Trace.Files {
				for _, cv := range f.Conversations {
					agent, id, ok := strings.Cut(strings.TrimPrefix(cv.URL, "aitrail:"), "/")
					if !ok {
						continue
					}
					a := agentOf(agent)
					if m := stripProvider(cv.Contributor.ModelID); m != "" && !contains(a.Models, m) {
						a.Models = append(a.Models, m)
					}
					agentCommits[agent][c.SHA] = true
					agentSessions[agent][id] = true
					sessions[store.SessionRef{Agent: agent, ID: id}.Key()] = true
				}
			}
			for _, l := range rec.Agents {
				for id, a := range agents {
					if version, models, ok := parseAgentLabel(l, agentName(id)); ok {
						if version != "" && !contains(a.Versions, version) {
							a.Versions = append(a.Versions, version)
						}
						for _, m := range models {
							if !contains(a.Models, m) {
								a.Models = append(a.Models, m)
							}
						}
					}
				}
			}
		}
		if priced {
			c := cost
			e.CostUSD = &c
			r.CostUSD += cost
		} else if e.Tokens.Total > 0 {
			r.Unpriced++
		}
		sort.SliceStable(e.Prompts, func(i, j int) bool { return e.Prompts[i].Time.Before(e.Prompts[j].Time) })
		if in.Database {
			keys := make([]string, 0, len(sessions))
			for k := range sessions {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				s, ok := in.Sessions[k]
				if !ok {
					continue
				}
				rs := ReleaseSess{Agent: s.Agent, Session: s.SessionID, Title: s.Title}
				for _, l := range in.Links[k] {
					if l.Kind == "pr" && !contains(rs.PullRequests, l.URL) {
						rs.PullRequests = append(rs.PullRequests, l.URL)
					}
				}
				if rs.Title != "" || len(rs.PullRequests) > 0 {
					e.Sessions = append(e.Sessions, rs)
				}
				if a := agents[s.Agent]; a != nil {
					if s.AgentVersion != "" && !contains(a.Versions, s.AgentVersion) {
						a.Versions = append(a.Versions, s.AgentVersion)
					}
				}
			}
		}
		r.Added += e.Added
		r.AI += e.AI
		if e.Replays == nil {
			r.Prompts += len(e.Prompts)
		}
		r.Tokens.Add(e.Tokens)
		r.Entries = append(r.Entries, e)
	}
	ids := make([]string, 0, len(agents))
	for id := range agents {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := agents[id]
		a.Commits, a.Sessions = len(agentCommits[id]), len(agentSessions[id])
		sort.Strings(a.Versions)
		sort.Strings(a.Models)
		r.Agents = append(r.Agents, *a)
	}
	return r
}

// parseAgentLabel reads "Codex CLI 0.77.0 (gpt-5.1-codex, gpt-5)" when it
// is a label of the agent named name.
func parseAgentLabel(label, name string) (version string, models []string, ok bool) {
	rest, ok := strings.CutPrefix(label, name)
	if !ok || rest != "" && rest[0] != ' ' {
		return "", nil, false
	}
	rest = strings.TrimSpace(rest)
	if i := strings.Index(rest, "("); i >= 0 && strings.HasSuffix(rest, ")") {
		models = strings.Split(rest[i+1:len(rest)-1], ", ")
		rest = strings.TrimSpace(rest[:i])
	}
	return rest, models, true
}

// stripProvider turns an Agent Trace model id ("openai/gpt-5") back into
// the model name the agent logged.
func stripProvider(model string) string {
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		return model[i+1:]
	}
	return model
}

// Label names the agent for people: "Codex CLI 0.77.0".
func (a ReleaseAgent) Label() string {
	if len(a.Versions) == 0 {
		return a.Name
	}
	return a.Name + " " + strings.Join(a.Versions, ", ")
}

// Summary is the release's one-sentence summary, plain text.
func (r *Release) Summary() string {
	if r.AICommits == 0 {
		return fmt.Sprintf("No AI assistance recorded in %s of %d.", Plural(r.Commits, "commit"), r.Commits)
	}
	s := fmt.Sprintf("AI agents took part in %d of %s: they wrote %s of the %s added there (%s)", r.AICommits,
		Plural(r.Commits, "commit"), Thousands(int64(r.AI)), Plural(r.Added, "line"), percent(r.AI, r.Added))
	s += fmt.Sprintf(", using %s tokens", Thousands(r.Tokens.Total))
	if r.CostUSD > 0 || r.Unpriced == 0 {
		s += fmt.Sprintf(" (estimated cost %s", USD(r.CostUSD))
		if r.Unpriced > 0 {
			s += ", some models unpriced"
		}
		s += ")"
	}
	return s + "."
}

// AgentNames lists the agents with their models: "Codex CLI 0.77.0
// (gpt-5.1-codex)".
func (r *Release) AgentNames() string {
	var out []string
	for _, a := range r.Agents {
		l := a.Label()
		if len(a.Models) > 0 {
			l += " (" + strings.Join(a.Models, ", ") + ")"
		}
		out = append(out, l)
	}
	return strings.Join(out, "; ")
}

// Span names the range's commits by their short names: "abc1234..def5678".
func (r *Release) Span() string {
	if r.first == "" {
		return r.Range
	}
	if r.first == r.last {
		return short7(r.first)
	}
	return short7(r.first) + ".." + short7(r.last)
}

// LogRange is the range to give git log to see the commits' notes: the
// range asked for, or the commits' own span.
func (r *Release) LogRange() string {
	if strings.Contains(r.Range, "..") || r.first == "" {
		return r.Range
	}
	return short7(r.first) + "^.." + short7(r.last)
}

// Tip is the time of the range's newest commit.
func (r *Release) Tip() time.Time { return r.tip }

func short7(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// RenderRelease writes the release notes section in Markdown, ready to
// paste into a release's notes.
func RenderRelease(r *Release) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## AI assistance (%s)\n\n", mdText(r.Range))
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "> **Note:** %s\n\n", mdText(w))
	}
	b.WriteString(r.Summary() + "\n")
	if r.Unknown > 0 {
		fmt.Fprintf(&b, "\n%s of the range %s no aitrail note", Plural(r.Unknown, "commit"), map[bool]string{true: "has", false: "have"}[r.Unknown == 1])
		if r.Database {
			b.WriteString(" and no record in the database (made before aitrail was installed, or not annotated yet: `aitrail annotate` catches up).\n")
		} else {
			b.WriteString(": either no AI involvement was recorded, or the notes were not fetched (`aitrail sync-notes`).\n")
		}
	}
	if r.AICommits == 0 {
		return b.String()
	}
	b.WriteString("\n| Agent | Models | Commits | Prompts | AI-written lines |\n|---|---|---:|---:|---:|\n")
	for _, a := range r.Agents {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s |\n", mdCell(a.Label()), mdCell(strings.Join(a.Models, ", ")), a.Commits, a.Prompts, Thousands(int64(a.AI)))
	}
	b.WriteString("\n### Commits\n")
	for _, e := range r.Entries {
		fmt.Fprintf(&b, "\n- **%s** (`%s`): %s; ", mdText(e.Subject), short7(e.SHA), mdText(strings.Join(e.Agents, "; ")))
		if e.Replays != nil {
			var shas []string
			for _, sha := range e.Replays {
				shas = append(shas, "`"+short7(sha)+"`")
			}
			fmt.Fprintf(&b, "replays %s, whose lines and tokens are counted there", strings.Join(shas, ", "))
		} else {
			fmt.Fprintf(&b, "%s of %s by AI (%s); %s tokens", Thousands(int64(e.AI)), Plural(e.Added, "added line"),
				percent(e.AI, e.Added), Thousands(e.Tokens.Total))
			if e.CostUSD != nil {
				fmt.Fprintf(&b, ", %s", USD(*e.CostUSD))
			}
		}
		b.WriteString("\n")
		for _, s := range e.Sessions {
			if s.Title != "" {
				fmt.Fprintf(&b, "  - Session: %s\n", mdText(s.Title))
			}
			for _, pr := range s.PullRequests {
				fmt.Fprintf(&b, "  - Pull request: %s\n", mdText(pr))
			}
		}
		for i, p := range e.Prompts {
			fmt.Fprintf(&b, "  - Prompt")
			if p.Seq > 0 {
				fmt.Fprintf(&b, " %d", p.Seq)
			}
			fmt.Fprintf(&b, " (%s", agentName(p.Agent))
			if len(p.Files) > 0 {
				fmt.Fprintf(&b, "; %s", codeList(p.Files))
			}
			b.WriteString(")")
			if p.Text == "" {
				b.WriteString("\n")
				continue
			}
			b.WriteString(":\n\n")
			for _, l := range strings.Split(p.Text, "\n") {
				b.WriteString(strings.TrimRight("    > "+mdText(l), " ") + "\n")
			}
			if i < len(e.Prompts)-1 {
				b.WriteString("\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// mdText keeps untrusted text (subjects, prompts) from opening HTML in
// Markdown: '<' is escaped, the rest shown as written.
func mdText(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, `\<`, `<`), "<", `\<`)
}

// mdCell is mdText for a table cell.
func mdCell(s string) string { return strings.ReplaceAll(mdText(s), "|", `\|`) }
