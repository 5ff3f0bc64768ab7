package report

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aitrail/aitrail/store"
)

// Prompt policies: how much of each prompt a note shows.
const (
	PromptsFull      = "full"
	PromptsFirstLine = "first-line"
	PromptsNone      = "none"
)

// NoteOptions tune rendering.
type NoteOptions struct {
	Prompts   string // PromptsFull (default), PromptsFirstLine or PromptsNone
	MaxPrompt int    // characters of a prompt shown under PromptsFull (default 1000)
	// NoAI, when set, is the note written on commits without AI
	// involvement; empty means such commits get no note.
	NoAI    string
	Version string // aitrail's version, recorded in the Agent Trace
}

// Note markers delimit one note, so that a reader can split notes that git
// concatenated (notes.rewriteMode = concatenate).
const (
	noteBegin = "<!-- aitrail:note v1 -->"
	noteEnd   = "<!-- aitrail:end -->"
)

// agentName names an agent, by its ingest name, for people.
func agentName(a string) string {
	switch a {
	case "codex":
		return "Codex CLI"
	case "claude":
		return "Claude Code"
	case "gemini":
		return "Gemini CLI"
	case "copilot":
		return "Copilot CLI"
	case "vscode":
		return "VS Code Copilot Chat"
	case "cursor":
		return "Cursor"
	case "aider":
		return "Aider"
	case "opencode":
		return "OpenCode"
	}
	return a
}

// UntokenedAgents lists the agents some of whose logs record no token
// counts (VS Code Copilot Chat's chat files, Cursor's agent transcripts,
// Copilot CLI's legacy history): a session of theirs without any usage is
// not recorded, which notes and stats say rather than count it as zero. A
// session of another agent without usage spent none, or had it counted in
// another session (a resumed transcript's copies are de-duplicated).
func UntokenedAgents() []string { return []string{"vscode", "cursor", "copilot"} }

func untokened(agent string) bool { return slices.Contains(UntokenedAgents(), agent) }

// AgentLabel names a session's agent for people: "Codex CLI 0.77.0
// (gpt-5.1-codex)".
func AgentLabel(s Session) string {
	name := agentName(s.Agent)
	if s.Version != "" {
		name += " " + s.Version
	}
	if len(s.Models) > 0 {
		name += " (" + strings.Join(s.Models, ", ") + ")"
	}
	return name
}

// Render writes the note for an attribution. ok is false when the commit
// gets no note (no AI involvement and no NoAI text).
func Render(a *Attribution, o NoteOptions) (note string, ok bool) {
	if o.Prompts == "" {
		o.Prompts = PromptsFull
	}
	if o.MaxPrompt <= 0 {
		o.MaxPrompt = 1000
	}
	var b strings.Builder
	if !a.Involved() {
		if o.NoAI == "" {
			return "", false
		}
		fmt.Fprintf(&b, "%s\n%s\n%s\n", noteBegin, strings.TrimSpace(o.NoAI), noteEnd)
		return b.String(), true
	}
	b.WriteString(noteBegin + "\n")
	fmt.Fprintf(&b, "## AI assistance\n\n")
	// Summary.
	var agents []string
	for _, s := range a.Sessions {
		if name := AgentLabel(s); !contains(agents, name) {
			agents = append(agents, name)
		}
	}
	fmt.Fprintf(&b, "- **Agents:** %s\n", strings.Join(agents, "; "))
	prompts := fmt.Sprintf("%d linked to this commit's files", len(a.Prompts))
	if len(a.Context) > 0 {
		prompts += fmt.Sprintf(", %d more as context", len(a.Context))
	}
	fmt.Fprintf(&b, "- **Prompts:** %s\n", prompts)
	var total store.Tokens
	cost, priced, unpriced := 0.0, false, false
	for _, t := range a.Tokens {
		total.Add(t.Tokens)
		if t.Priced {
			cost += t.Cost
			priced = true
		} else if t.Total > 0 {
			unpriced = true
		}
	}
	tokens := TokenBreakdown(total)
	if priced {
		tokens += ", estimated cost " + USD(cost)
		if unpriced {
			tokens += " (some models unpriced)"
		}
	}
	var unrecorded []string
	for _, s := range a.Sessions {
		if name := agentName(s.Agent); s.Untokened && !contains(unrecorded, name) {
			unrecorded = append(unrecorded, name)
		}
	}
	switch {
	case len(unrecorded) > 0 && len(a.Tokens) == 0:
		tokens = "not recorded (" + strings.Join(unrecorded, ", ") + " logs no token counts)"
	case len(unrecorded) > 0:
		tokens += "; not recorded for " + strings.Join(unrecorded, ", ")
	}
	fmt.Fprintf(&b, "- **Tokens:** %s\n", tokens)
	if a.SessionTokens.Total > total.Total {
		fmt.Fprintf(&b, "- **Session total so far:** %s tokens (each API call is counted in one note only)\n",
			Thousands(a.SessionTokens.Total))
	}
	fmt.Fprintf(&b, "- **AI-authored lines:** %s\n", share(a.AI, a.Added))
	if len(a.Carried) > 0 {
		fmt.Fprintf(&b, "- **Carried from:** %s\n", carriedFrom(a.Carried))
	}
	// Prompts.
	if o.Prompts != PromptsNone && len(a.Prompts) > 0 {
		b.WriteString("\n### Prompts\n\n")
		for i, p := range a.Prompts {
			fmt.Fprintf(&b, "%d. %s session `%s`", i+1, agentName(p.Agent), shortID(p.SessionID))
			if p.Seq > 0 {
				fmt.Fprintf(&b, ", prompt %d", p.Seq)
			}
			if !p.Time.IsZero() {
				fmt.Fprintf(&b, ", %s", p.Time.UTC().Format("2006-01-02 15:04 UTC"))
			}
			b.WriteString("\n")
			if text := promptText(p.Text, o); text != "" {
				for _, l := range strings.Split(text, "\n") {
					b.WriteString(strings.TrimRight("   > "+l, " ") + "\n")
				}
			}
			fmt.Fprintf(&b, "\n   Files: %s\n\n", codeList(p.Files))
		}
	}
	// Files.
	if !strings.HasSuffix(b.String(), "\n\n") {
		b.WriteString("\n")
	}
	b.WriteString("### Files\n\n| File | Added lines | By AI | Share |\n|---|---:|---:|---:|\n")
	for _, f := range a.Files {
		name := "`" + mdEscape(f.Path) + "`"
		switch {
		case f.LFS:
			fmt.Fprintf(&b, "| %s (Git LFS) | – | – | – |\n", name)
		case f.Binary:
			fmt.Fprintf(&b, "| %s (binary) | – | – | – |\n", name)
		case f.TooLarge:
			fmt.Fprintf(&b, "| %s (too large to compare) | – | – | – |\n", name)
		case f.Added == 0 && f.AI == 0 && len(f.Prompts) == 0:
		default:
			fmt.Fprintf(&b, "| %s | %d | %d | %s |\n", name, f.Added, f.AI, percent(f.AI, f.Added))
		}
	}
	fmt.Fprintf(&b, "| **Total** | %d | %d | %s |\n", a.Added, a.AI, percent(a.AI, a.Added))
	// Machine-readable record.
	trace, _ := json.Marshal(agentTrace(a, o, total, cost, priced))
	fmt.Fprintf(&b, "\n<details><summary>Agent Trace record</summary>\n\n```json\n%s\n```\n\n</details>\n", trace)
	b.WriteString(noteEnd + "\n")
	return b.String(), true
}

func promptText(s string, o NoteOptions) string {
	s = strings.TrimSpace(s)
	switch o.Prompts {
	case PromptsFirstLine:
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = strings.TrimSpace(s[:i]) + " …"
		}
	}
	if r := []rune(s); len(r) > o.MaxPrompt {
		s = string(r[:o.MaxPrompt]) + " … (truncated)"
	}
	// A prompt must not end the note or open a comment in it.
	s = strings.ReplaceAll(s, "<!--", "<\\!--")
	return s
}

func share(ai, added int) string {
	if added == 0 {
		return fmt.Sprintf("%d (no added lines)", ai)
	}
	return fmt.Sprintf("%d of %d added lines (%s)", ai, added, percent(ai, added))
}

func percent(n, d int) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", math.Floor(float64(n)*100/float64(d)+0.5))
}

func codeList(paths []string) string {
	var out []string
	for _, p := range paths {
		out = append(out, "`"+mdEscape(p)+"`")
	}
	return strings.Join(out, ", ")
}

func mdEscape(s string) string {
	return strings.NewReplacer("`", "'", "|", "\\|", "\n", " ").Replace(s)
}

func shortID(s string) string {
	if len(s) > 13 {
		return s[:13]
	}
	return s
}

// Trace is an Agent Trace record (agent-trace.dev, v0.1.0) with aitrail's
// own metadata under "dev.aitrail".
type Trace struct {
	Version   string          `json:"version"`
	ID        string          `json:"id"`
	Timestamp string          `json:"timestamp"`
	VCS       TraceVCS        `json:"vcs"`
	Tool      TraceTool       `json:"tool"`
	Files     []TraceFile     `json:"files"`
	Metadata  map[string]Meta `json:"metadata"`
}

// TraceVCS names the commit.
type TraceVCS struct {
	Type     string `json:"type"`
	Revision string `json:"revision"`
}

// TraceTool names the producer.
type TraceTool struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// TraceFile is one file with the conversations that wrote its lines.
type TraceFile struct {
	Path          string              `json:"path"`
	Conversations []TraceConversation `json:"conversations"`
}

// TraceConversation is one session's contribution to a file.
type TraceConversation struct {
	URL         string           `json:"url"`
	Contributor TraceContributor `json:"contributor"`
	Ranges      []TraceRange     `json:"ranges"`
}

// TraceContributor says who wrote the ranges.
type TraceContributor struct {
	Type    string `json:"type"`
	ModelID string `json:"model_id,omitempty"`
}

// TraceRange is a range of lines of the file at the commit.
type TraceRange struct {
	Start int `json:"start_line"`
	End   int `json:"end_line"`
}

// Meta is aitrail's metadata in the record.
type Meta struct {
	Prompts    []MetaPrompt `json:"prompts"`
	Context    int          `json:"contextPrompts"`
	AddedLines int          `json:"addedLines"`
	AILines    int          `json:"aiLines"`
	Tokens     store.Tokens `json:"tokens"`
	CostUSD    *float64     `json:"costUSD,omitempty"`
	// SessionTokens is the total so far of the sessions involved, when it
	// is more than Tokens (the calls charged to this commit).
	SessionTokens *store.Tokens `json:"sessionTokens,omitempty"`
	// CarriedFrom names the replaced commits whose notes a squash or merge
	// commit's note carries (aitrail carry).
	CarriedFrom []string `json:"carriedFrom,omitempty"`
	// Replays names the commits a rebase or cherry-pick replays: its lines,
	// tokens and cost are theirs, so a sum over a range that holds them
	// counts them there (a cherry-pick whose branch is merged later).
	Replays []string `json:"replays,omitempty"`
}

// MetaPrompt names a linked prompt durably: agent, session and key.
type MetaPrompt struct {
	Agent   string   `json:"agent"`
	Session string   `json:"session"`
	Key     string   `json:"key"`
	Files   []string `json:"files"`
}

func conversationURL(agent, session string) string { return "aitrail:" + agent + "/" + session }

// parseConversationURL reads the agent and session of a conversation's url,
// as conversationURL writes it.
func parseConversationURL(url string) (agent, session string) {
	rest, ok := strings.CutPrefix(url, "aitrail:")
	if !ok {
		return "", ""
	}
	agent, session, _ = strings.Cut(rest, "/")
	return agent, session
}

func agentTrace(a *Attribution, o NoteOptions, total store.Tokens, cost float64, priced bool) Trace {
	sum := sha1.Sum([]byte("aitrail-trace:" + a.Commit.Hash.String()))
	sum[6] = sum[6]&0x0f | 0x50 // version 5 (name-based)
	sum[8] = sum[8]&0x3f | 0x80 // RFC 4122 variant
	id := fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
	models := map[string]string{}
	for _, s := range a.Sessions {
		if len(s.Models) > 0 {
			models[sessionKey(s.Agent, s.ID)] = modelID(s.Agent, s.Models[len(s.Models)-1])
		}
	}
	t := Trace{
		Version:   "0.1.0",
		ID:        id,
		Timestamp: a.Commit.Committer.When.UTC().Format(time.RFC3339),
		VCS:       TraceVCS{Type: "git", Revision: a.Commit.Hash.String()},
		Tool:      TraceTool{Name: "aitrail", Version: o.Version},
		Files:     []TraceFile{},
	}
	for _, f := range a.Files {
		if len(f.Lines) == 0 {
			continue
		}
		bySession := map[string][]int{}
		for no, sk := range f.Lines {
			bySession[sk] = append(bySession[sk], no)
		}
		keys := make([]string, 0, len(bySession))
		for k := range bySession {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		tf := TraceFile{Path: f.Path}
		for _, sk := range keys {
			agent, session, _ := strings.Cut(sk, "\x00")
			tf.Conversations = append(tf.Conversations, TraceConversation{
				URL:         conversationURL(agent, session),
				Contributor: TraceContributor{Type: "ai", ModelID: models[sk]},
				Ranges:      ranges(bySession[sk]),
			})
		}
		t.Files = append(t.Files, tf)
	}
	m := Meta{Context: len(a.Context), AddedLines: a.Added, AILines: a.AI, Tokens: total, Prompts: []MetaPrompt{}}
	for _, p := range a.Prompts {
		m.Prompts = append(m.Prompts, MetaPrompt{Agent: p.Agent, Session: p.SessionID, Key: p.PromptRef.Key, Files: p.Files})
	}
	for _, h := range a.Carried {
		m.CarriedFrom = append(m.CarriedFrom, h.String())
	}
	for _, h := range a.Replays {
		m.Replays = append(m.Replays, h.String())
	}
	if priced {
		c := float64(int64(cost*10000+0.5)) / 10000
		m.CostUSD = &c
	}
	if a.SessionTokens.Total > total.Total {
		st := a.SessionTokens
		m.SessionTokens = &st
	}
	t.Metadata = map[string]Meta{"dev.aitrail": m}
	return t
}

// modelID writes a model as "provider/model", models.dev style.
func modelID(agent, model string) string {
	if strings.Contains(model, "/") {
		return model
	}
	switch {
	case strings.HasPrefix(model, "claude"):
		return "anthropic/" + model
	case strings.HasPrefix(model, "gpt"), strings.HasPrefix(model, "o3"), strings.HasPrefix(model, "o4"), strings.Contains(model, "codex"):
		return "openai/" + model
	case strings.HasPrefix(model, "gemini"):
		return "google/" + model
	}
	return model
}

// ranges turns line numbers into sorted inclusive ranges.
func ranges(nos []int) []TraceRange {
	sort.Ints(nos)
	var out []TraceRange
	for _, n := range nos {
		if len(out) > 0 && out[len(out)-1].End == n-1 {
			out[len(out)-1].End = n
			continue
		}
		out = append(out, TraceRange{n, n})
	}
	return out
}

// ParseNotes reads the Agent Trace records of every aitrail note in text
// (several when git concatenated notes), skipping anything else.
func ParseNotes(text string) []Trace {
	var out []Trace
	for _, section := range noteSections(text) {
		if t, ok := sectionTrace(section); ok {
			out = append(out, t)
		}
	}
	return out
}

// sectionTrace reads the Agent Trace record of one note.
func sectionTrace(section string) (Trace, bool) {
	var t Trace
	j := strings.Index(section, "```json\n")
	if j < 0 {
		return t, false
	}
	body := section[j+len("```json\n"):]
	k := strings.Index(body, "\n```")
	if k < 0 {
		return t, false
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(body[:k])))
	if dec.Decode(&t) != nil {
		return t, false
	}
	t.bound()
	return t, true
}

// maxLines bounds the line numbers and counts a note can hold: far beyond
// any commit, small enough that no sum of them overflows.
const maxLines = 1 << 40

// bound drops what no aitrail writes, so that sums over notes written by
// hand or by a broken tool stay meaningful: token counts and costs below
// zero (the usage is then not known, and said so), line counts outside
// [0, maxLines] (unknown, as zero), and line ranges that are not ranges.
func (t *Trace) bound() {
	lines := func(n int) int {
		if n < 0 || n > maxLines {
			return 0
		}
		return n
	}
	for k, m := range t.Metadata {
		if !m.Tokens.Valid() || m.CostUSD != nil && !(*m.CostUSD >= 0) {
			m.Tokens, m.CostUSD = store.Tokens{}, nil
		}
		if m.SessionTokens != nil && !m.SessionTokens.Valid() {
			m.SessionTokens = nil
		}
		m.AddedLines, m.AILines, m.Context = lines(m.AddedLines), lines(m.AILines), lines(m.Context)
		t.Metadata[k] = m
	}
	for i := range t.Files {
		for j := range t.Files[i].Conversations {
			c := &t.Files[i].Conversations[j]
			c.Ranges = slices.DeleteFunc(c.Ranges, func(r TraceRange) bool { return r.Start < 1 || r.End < r.Start || r.End > maxLines })
		}
	}
}
