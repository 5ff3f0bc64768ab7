package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

// CombineNotes joins two notes of one commit that two clones wrote
// differently (gitlog.MergeNotes calls it when both changed a commit's
// note): every aitrail note and every paragraph of other text of either
// side is kept once, in byte order, so that the result does not depend on which side
// merges and clones that merge each other's notes converge on the same bytes.
// Readers already understand several aitrail notes in one (ParseNotes).
func CombineNotes(ours, theirs string) string {
	seen := map[string]bool{}
	var parts []string
	for _, p := range append(splitNote(ours), splitNote(theirs)...) {
		if !seen[p] {
			seen[p] = true
			parts = append(parts, p)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n\n") + "\n"
}

// splitNote cuts a note into its aitrail notes (marker to marker) and the
// paragraphs of the text around them, each trimmed; empty ones are dropped.
// Paragraphs, so that combining a combined note again finds each part.
func splitNote(text string) []string {
	var out []string
	add := func(s string) {
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	for {
		i := strings.Index(text, noteBegin)
		if i < 0 {
			add(text)
			return out
		}
		add(text[:i])
		text = text[i:]
		end := strings.Index(text, noteEnd)
		if end < 0 {
			add(text) // an unterminated note is text
			return out
		}
		out = append(out, strings.TrimSpace(text[:end+len(noteEnd)]))
		text = text[end+len(noteEnd):]
	}
}

// Replaced is a commit that a squash or a merge replaced, with its note
// ("" when it has none).
type Replaced struct {
	Commit gitlog.Hash
	Note   string
}

// Carry attributes commit onto, a squash or merge commit made where no hook
// ran (a forge's "Squash and merge"), from the notes of the commits it
// replaced alone, without the database: their prompts (with the text their
// notes show), tokens and costs add up, and the added lines of onto (against
// its first parent) are AI-written where they match, whitespace aside, lines
// that the replaced notes' Agent Trace records attribute to an agent.
// Context prompts are not carried (a note only counts them). Render
// the result for onto's note; it records the replaced commits whose notes
// took part in Carried.
func Carry(repo *gitlog.Repo, onto gitlog.Hash, replaced []Replaced) (*Attribution, error) {
	c, err := repo.Commit(onto)
	if err != nil {
		return nil, err
	}
	a := &Attribution{Commit: c}
	if len(c.Parents) > 0 {
		a.Parent = c.Parents[0]
	}
	ai := map[string]map[string][]string{} // path → normalized line → session keys that wrote it
	prompts := map[string]*Prompt{}
	sessions := map[string]*Session{}
	for _, r := range replaced {
		carried := false
		for _, rec := range ReadNotes(r.Note) {
			t := rec.Trace
			carried = true
			m := rec.Meta()
			a.Tokens = append(a.Tokens, store.ModelTokens{Tokens: m.Tokens, Priced: m.CostUSD != nil, Cost: costOf(m.CostUSD)})
			if err := aiLines(repo, r.Commit, t, ai); err != nil {
				return nil, err
			}
			for _, f := range t.Files {
				for _, cv := range f.Conversations {
					agent, id, ok := strings.Cut(strings.TrimPrefix(cv.URL, "aitrail:"), "/")
					if ok {
						addSession(sessions, agent, id, rec.Agents, stripProvider(cv.Contributor.ModelID))
					}
				}
			}
			for _, np := range rec.Prompts {
				mp := np.MetaPrompt
				addSession(sessions, mp.Agent, mp.Session, rec.Agents, "")
				ref := store.PromptRef{Agent: mp.Agent, SessionID: mp.Session, Key: mp.Key, Seq: np.Seq, Time: np.Time, Text: np.Text}
				k := refKey(ref)
				p := prompts[k]
				if p == nil {
					p = &Prompt{PromptRef: ref}
					prompts[k] = p
				}
				for _, f := range mp.Files {
					if !contains(p.Files, f) {
						p.Files = append(p.Files, f)
					}
				}
			}
		}
		if carried {
			a.Carried = append(a.Carried, r.Commit)
		}
	}
	for _, p := range prompts {
		sort.Strings(p.Files)
		a.Prompts = append(a.Prompts, *p)
	}
	sortPrompts(a.Prompts)
	for _, s := range sessions {
		a.Sessions = append(a.Sessions, *s)
	}
	sort.Slice(a.Sessions, func(i, j int) bool {
		return sessionKey(a.Sessions[i].Agent, a.Sessions[i].ID) < sessionKey(a.Sessions[j].Agent, a.Sessions[j].ID)
	})
	// Context prompts are left out: a note records only how many it had,
	// and one commit's context prompt is often another's linked one.

	diffs, err := repo.Diff(a.Parent, onto)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", onto, err)
	}
	for _, d := range diffs {
		f := FileAttr{Path: d.Path, Op: d.Op, Binary: d.Binary || d.TooLarge, Lines: map[int]string{}}
		written := ai[d.Path]
		if written == nil && d.OldPath != "" {
			written = ai[d.OldPath]
		}
		for _, l := range d.Added {
			n := normalize(l.Text)
			if n == "" {
				continue
			}
			f.Added++
			if keys := written[n]; len(keys) > 0 {
				f.Lines[l.No] = keys[0]
				written[n] = keys[1:]
				f.AI++
			}
		}
		for _, p := range a.Prompts {
			if contains(p.Files, d.Path) {
				f.Prompts = append(f.Prompts, p.Key())
			}
		}
		a.Files = append(a.Files, f)
		a.Added += f.Added
		a.AI += f.AI
	}
	return a, nil
}

// sortPrompts orders prompts as notes list them: by time, then by key.
func sortPrompts(ps []Prompt) {
	sort.SliceStable(ps, func(i, j int) bool {
		if !ps[i].Time.Equal(ps[j].Time) {
			return ps[i].Time.Before(ps[j].Time)
		}
		return ps[i].Key() < ps[j].Key()
	})
}

// aiLines adds the lines that trace t attributes to an agent to ai, read
// from the commit the trace was written for (that of the note, when the
// trace names a commit this repository lacks).
func aiLines(repo *gitlog.Repo, commit gitlog.Hash, t Trace, ai map[string]map[string][]string) error {
	if h, err := gitlog.ParseHash(t.VCS.Revision); err == nil {
		if _, err := repo.Commit(h); err == nil {
			commit = h
		}
	}
	if len(t.Files) == 0 {
		return nil
	}
	diffs, err := repo.Diff(gitlog.Hash{}, commit)
	if err != nil {
		return fmt.Errorf("diff %s: %w", commit, err)
	}
	added := map[string]map[int]string{}
	for _, d := range diffs {
		m := map[int]string{}
		for _, l := range d.Added {
			m[l.No] = l.Text
		}
		added[d.Path] = m
	}
	for _, f := range t.Files {
		for _, cv := range f.Conversations {
			agent, id, _ := strings.Cut(strings.TrimPrefix(cv.URL, "aitrail:"), "/")
			for _, r := range cv.Ranges {
				for no := r.Start; no <= r.End && no-r.Start < 1<<20; no++ {
					text, ok := added[f.Path][no]
					if n := normalize(text); ok && n != "" {
						if ai[f.Path] == nil {
							ai[f.Path] = map[string][]string{}
						}
						ai[f.Path][n] = append(ai[f.Path][n], sessionKey(agent, id))
					}
				}
			}
		}
	}
	return nil
}

func costOf(c *float64) float64 {
	if c == nil {
		return 0
	}
	return *c
}

// addSession records a session seen in a carried note. Its version and
// models come from the note's Agents line when exactly one label there is
// of its agent.
func addSession(sessions map[string]*Session, agent, id string, labels []string, model string) {
	k := sessionKey(agent, id)
	s := sessions[k]
	if s == nil {
		s = &Session{Agent: agent, ID: id}
		name := agentName(agent)
		var mine []string
		for _, l := range labels {
			if l == name || strings.HasPrefix(l, name+" ") {
				mine = append(mine, strings.TrimPrefix(l, name))
			}
		}
		if len(mine) == 1 {
			rest := strings.TrimSpace(mine[0])
			if i := strings.Index(rest, "("); i >= 0 && strings.HasSuffix(rest, ")") {
				s.Models = strings.Split(rest[i+1:len(rest)-1], ", ")
				rest = strings.TrimSpace(rest[:i])
			}
			s.Version = rest
		}
		sessions[k] = s
	}
	if model != "" && !contains(s.Models, model) {
		s.Models = append(s.Models, model)
	}
}

// carriedFrom lists carried commits for the note: short names, the first
// few.
func carriedFrom(hs []gitlog.Hash) string {
	var names []string
	for i, h := range hs {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(hs)-i))
			break
		}
		names = append(names, "`"+h.String()[:10]+"`")
	}
	noun := "commits"
	if len(hs) == 1 {
		noun = "commit"
	}
	return fmt.Sprintf("the notes of %d replaced %s (%s)", len(hs), noun, strings.Join(names, ", "))
}
