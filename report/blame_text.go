package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aitrail/aitrail/gitlog"
)

// RenderBlame writes lines as git blame does, the author column naming the
// agent and model of AI lines (marked "AI", with the number of their prompt
// in the legend below) and marking unknown ones "?"; dates are the
// authors', in the local time zone.
func RenderBlame(w io.Writer, path string, lines []BlamedLine) {
	type legendKey struct{ commit, agent, session, prompt string }
	numbers := map[legendKey]int{}
	var legend []string
	unknown := map[string]bool{}
	var reasons []string
	unknownBy := map[string][]string{}
	var gaps []gitlog.NotesGap
	rows := make([][]string, 0, len(lines))
	showPath := false
	for _, l := range lines {
		showPath = showPath || l.Path != path
	}
	for _, l := range lines {
		mark, who, ref := "  ", l.Author, ""
		switch {
		case l.AI != nil && *l.AI:
			mark, who = "AI", AgentName(l.Agent)+" "+shortModel(l.Model)
			k := legendKey{agent: l.Agent, session: l.Session, prompt: l.PromptKey}
			if l.PromptKey == "" {
				k.commit = l.Commit
			}
			if numbers[k] == 0 {
				numbers[k] = len(numbers) + 1
				legend = append(legend, promptLegend(numbers[k], l))
			}
			ref = fmt.Sprintf("[%d]", numbers[k])
		case l.Unknown == UnknownBlank:
			who = ""
		case l.AI == nil:
			mark = "? "
			if !unknown[l.Commit] {
				unknown[l.Commit] = true
				if unknownBy[l.Unknown] == nil {
					reasons = append(reasons, l.Unknown)
				}
				unknownBy[l.Unknown] = append(unknownBy[l.Unknown], l.Commit[:10])
				gaps = append(gaps, l.Gaps...)
			}
		}
		row := []string{l.Commit[:10], mark, who, ref, l.Time.Local().Format("2006-01-02")}
		if showPath {
			row = append(row, l.Path)
		}
		rows = append(rows, append(row, fmt.Sprint(l.Line)+")", l.Text))
	}
	printColumns(w, rows)
	unknownNotes := unknownLegend(reasons, unknownBy, gaps)
	if len(legend)+len(unknownNotes) > 0 {
		fmt.Fprintln(w)
	}
	for _, s := range append(legend, unknownNotes...) {
		fmt.Fprintln(w, s)
	}
}

// printColumns aligns all columns but the last (text, written as is), the
// line number (second to last) to the right.
func printColumns(w io.Writer, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	n := len(rows[0])
	widths := make([]int, n)
	for _, r := range rows {
		for i, c := range r[:n-1] {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r[:n-1] {
			if widths[i] == 0 {
				continue
			}
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i == n-2 {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad + " ")
			}
		}
		if r[n-1] != "" {
			b.WriteString(" " + r[n-1])
		}
		fmt.Fprintln(w, b.String())
	}
}

func shortModel(m string) string {
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		return m[i+1:]
	}
	return m
}

// promptLegend says which prompt number n is.
func promptLegend(n int, l BlamedLine) string {
	s := fmt.Sprintf("[%d] %s session %s", n, AgentName(l.Agent), l.Session)
	switch {
	case l.PromptKey == "":
		return s + fmt.Sprintf(": one of the %d prompts of this session linked to %s (the database of who ran it tells which)", l.Candidates, l.Commit[:10])
	case l.PromptSeq > 0:
		s += fmt.Sprintf(", prompt %d", l.PromptSeq)
	}
	if l.Prompt != "" {
		s += ": " + OneLine(l.Prompt, 200)
	}
	return s
}

// unknownHints say why the lines of unknown commits are unknown, and what
// to do ({rev}: the commit, or REV).
var unknownHints = map[string]struct{ one, many, fix string }{
	UnknownNoNote:    {"has no aitrail note", "have no aitrail note", "'aitrail annotate {rev}' writes it, where the agents' logs are"},
	UnknownUnfetched: {"has no note here, but may have one in a remote's notes", "have no notes here, but may have some in a remote's notes", ""},
	UnknownMissing:   {"was annotated, but its note is not here", "were annotated, but their notes are not here", "'aitrail sync-notes' fetches a remote's notes"},
	UnknownStale:     {"has a note copied from the commit it was rewritten from", "have notes copied from the commits they were rewritten from", "'aitrail annotate {rev}' renews it"},
	UnknownShallow:   {"is where this shallow clone's history ends: lines its note does not mark may be older", "are where this shallow clone's history ends: lines their notes do not mark may be older", "'git fetch --unshallow' fetches the rest"},
}

// unknownLegend says, reason by reason, which commits' lines are unknown
// (gaps: the notes gaps of the unfetched ones).
func unknownLegend(reasons []string, commits map[string][]string, gaps []gitlog.NotesGap) []string {
	var out []string
	for _, why := range reasons {
		h, cs := unknownHints[why], commits[why]
		fix := h.fix
		if why == UnknownUnfetched {
			fix = gitlog.GapsHint(gaps)
		}
		if len(cs) == 1 {
			out = append(out, fmt.Sprintf("?   %s %s: %s", cs[0], h.one, strings.ReplaceAll(fix, "{rev}", cs[0])))
			continue
		}
		list := strings.Join(cs[:min(len(cs), 6)], ", ")
		if len(cs) > 6 {
			list += ", …"
		}
		fix = strings.ReplaceAll(strings.Replace(fix, " it", " one", 1), "{rev}", "REV")
		out = append(out, fmt.Sprintf("?   %d commits (%s) %s: %s", len(cs), list, h.many, fix))
	}
	return out
}

func RenderBlameSummary(w io.Writer, revName string, s *Summary) {
	t := s.Total
	fmt.Fprintf(w, "Non-blank lines at %s (%s) in %s: %s\n", revName, s.Commit[:10], Plural(len(s.Files), "file"), Thousands(int64(t.Lines)))
	Table(w, [][]string{
		{"  by agents", Thousands(int64(t.AI)), Percent(t.AI, t.Lines)},
		{"  by people", Thousands(int64(t.Human)), Percent(t.Human, t.Lines)},
		{"  unknown", Thousands(int64(t.Unknown)), Percent(t.Unknown, t.Lines)},
	}, 1)
	if len(s.Agents) > 0 {
		fmt.Fprintln(w)
		rows := [][]string{{"AGENT", "MODEL", "LINES", "SHARE"}}
		for _, a := range s.Agents {
			rows = append(rows, []string{AgentName(a.Agent), a.Model, Thousands(int64(a.Lines)), Percent(a.Lines, t.Lines)})
		}
		Table(w, rows, 2)
	}
	if len(s.Files) > 0 {
		fmt.Fprintln(w)
		all := append(append([]Share{}, s.Dirs...), s.Files...)
		sortShares(all)
		rows := [][]string{{"PATH", "LINES", "AI", "SHARE", "HUMAN", "UNKNOWN"}}
		for _, sh := range all {
			rows = append(rows, []string{sh.Path, Thousands(int64(sh.Lines)), Thousands(int64(sh.AI)), Percent(sh.AI, sh.Lines),
				Thousands(int64(sh.Human)), Thousands(int64(sh.Unknown))})
		}
		Table(w, rows, 1)
	}
	if len(s.Skipped) > 0 {
		fmt.Fprintf(w, "\nNot counted: %d binary or very large files.\n", len(s.Skipped))
	}
	if len(s.Unknown) > 0 {
		fmt.Fprintf(w, "\nUnknown: %s from %s without a usable note:\n", Plural(t.Unknown, "line"), Plural(len(s.Unknown), "commit"))
		const show = 20
		for i, u := range s.Unknown {
			if i == show {
				fmt.Fprintf(w, "  … and %d more (--json lists them all)\n", len(s.Unknown)-show)
				break
			}
			fmt.Fprintf(w, "  %s  %s  %s  %s: %s (%s)\n", u.Commit[:10], u.Time.Local().Format("2006-01-02"), u.Author,
				OneLine(u.Summary, 60), Plural(u.Lines, "line"), u.Why)
		}
		var gaps []gitlog.NotesGap
		for _, u := range s.Unknown {
			gaps = append(gaps, u.Gaps...)
		}
		if len(gaps) > 0 {
			fmt.Fprintf(w, "Notes not fetched here may say more: %s.\n", gitlog.GapsHint(gaps))
		}
		fmt.Fprintln(w, "'aitrail annotate' writes the notes of recent commits that have none, 'aitrail annotate REV' one")
		fmt.Fprintln(w, "commit's, where the agents' logs are; a person's commits get a note only with notes.no_ai_note set.")
	}
}

// sortShares sorts by path, each directory before what it holds.
func sortShares(s []Share) {
	key := func(p string) string { return strings.ReplaceAll(p, "/", "\x00") }
	slices.SortFunc(s, func(a, b Share) int { return strings.Compare(key(a.Path), key(b.Path)) })
}
