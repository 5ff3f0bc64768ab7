package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/report"
)

func blameCommand() command {
	return command{
		name: "blame", usage: "FILE [REV] [-M] [-C] [-L START,END] | --summary [PATH...] [REV]",
		summary: "show which lines an agent wrote, with which model and prompt",
		long: `Shows every line of FILE as it is at REV (default HEAD) with the commit that
wrote it (git blame) and, when that commit's aitrail note marks the line as
an agent's, the agent, model, session and prompt. Lines a person wrote show
the author; lines whose commit has no note are marked "?": unknown, not
human ('aitrail annotate' writes notes where the agents' logs are). -M and
-C follow lines moved within the file and from other files, -L START,END
limits the lines, as git blame does. Works from the notes alone (a clone
with fetched notes); with the database the prompt of each line is known
even when several of a session's prompts edited the file.

--summary counts the non-blank lines of the files under PATH (default the
whole repository) at REV by agents, people and unknown, per file, directory
and agent/model, and names the commits without a note. --json prints one
record per line (or the summary) as JSON. See docs/blame.md.`,
		new: func() options { return &blameOptions{} },
	}
}

type blameOptions struct {
	summary bool
	pos     []string // FILE [REV], or with --summary PATH... [REV]
	moves   bool
	copies  int
	lines   []string
	json    bool
}

func (o *blameOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.summary, "summary", false, "count the lines agents wrote per file, directory and agent/model")
	fs.BoolVarP(&o.moves, "moves", "M", false, "follow lines moved or copied within a file (git blame -M)")
	fs.CountVarP(&o.copies, "copies", "C", "follow lines moved or copied from other files (git blame -C; up to 3 times: further)")
	fs.StringArrayVarP(&o.lines, "lines", "L", nil, "only lines START,END (or any git blame -L form; repeatable)")
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

func (o *blameOptions) args(args []string) error {
	if o.summary {
		if len(o.lines) > 0 {
			return usagef("-L takes the lines of one FILE, not with --summary")
		}
		if len(args) > 0 {
			o.pos = args
		}
		return nil
	}
	if len(args) == 0 || len(args) > 2 {
		return usagef("blame takes FILE [REV] (or --summary [PATH...] [REV])")
	}
	o.pos = args
	return nil
}

func (o *blameOptions) run(e *env) error {
	repo, err := openRepo()
	if err != nil {
		return err
	}
	ref, err := e.notesRef()
	if err != nil {
		return err
	}
	// The database is optional: notes alone say which lines agents wrote.
	db, eng, err := e.openRedacting(false)
	switch {
	case errors.Is(err, errNoDatabase):
		if eng, err = e.engine(nil); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		defer db.Close()
	}
	var status report.StatusFunc
	if db != nil {
		key, err := repoKey(e, db, repo.Root())
		if err != nil {
			return err
		}
		status = func(shas []string) (map[string]string, error) { return db.CommitStatuses(e.ctx, key, shas) }
	}
	ix, err := report.LoadNotes(repo, ref, status)
	if err != nil {
		return err
	}
	if ix.Notes() == 0 && !o.json {
		fmt.Fprintf(e.io.err, "(no aitrail notes on %s here: 'aitrail sync-notes --fetch-only' fetches a remote's, 'aitrail annotate' writes them)\n", ref)
	}
	opt := report.BlameOptions{BlameOptions: gitlog.BlameOptions{Moves: o.moves, Copies: o.copies, Ranges: o.lines},
		DB: db, Redact: redactField(eng, repo.Root())}
	if o.summary {
		return o.runSummary(e, repo, ix, opt)
	}
	return o.runFile(e, repo, ix, opt)
}

// runFile blames one file.
func (o *blameOptions) runFile(e *env, repo *gitlog.Repo, ix *report.NoteIndex, opt report.BlameOptions) error {
	revName := "HEAD"
	if len(o.pos) == 2 {
		revName = o.pos[1]
	}
	rev, err := repo.Resolve(revName)
	if err != nil {
		return err
	}
	path, err := repo.RelPath(o.pos[0])
	if err != nil {
		return err
	}
	switch ok, dir, err := repo.Exists(rev, path); {
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("%s: no such file at %s (%s)", o.pos[0], revName, rev.String()[:10])
	case dir:
		return fmt.Errorf("%s is a directory: name a file, or count its lines with 'aitrail blame --summary %s'", o.pos[0], o.pos[0])
	}
	lines, err := report.Blame(e.ctx, repo, ix, rev, path, opt)
	if err != nil {
		return err
	}
	if o.json {
		if lines == nil {
			lines = []report.BlamedLine{}
		}
		return writeJSON(e.io.out, lines)
	}
	printBlame(e.io.out, path, lines)
	return nil
}

// printBlame writes lines as git blame does, the author column naming the
// agent and model of AI lines (marked "AI", with the number of their prompt
// in the legend below) and marking unknown ones "?".
func printBlame(w io.Writer, path string, lines []report.BlamedLine) {
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
			mark, who = "AI", report.AgentName(l.Agent)+" "+shortModel(l.Model)
			k := legendKey{agent: l.Agent, session: l.Session, prompt: l.PromptKey}
			if l.PromptKey == "" {
				k.commit = l.Commit
			}
			if numbers[k] == 0 {
				numbers[k] = len(numbers) + 1
				legend = append(legend, promptLegend(numbers[k], l))
			}
			ref = fmt.Sprintf("[%d]", numbers[k])
		case l.Unknown == report.UnknownBlank:
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
		row := []string{l.Commit[:10], mark, who, ref, l.Time.Format("2006-01-02")}
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
func promptLegend(n int, l report.BlamedLine) string {
	s := fmt.Sprintf("[%d] %s session %s", n, report.AgentName(l.Agent), l.Session)
	switch {
	case l.PromptKey == "":
		return s + fmt.Sprintf(": one of the %d prompts of this session linked to %s (the database of who ran it tells which)", l.Candidates, l.Commit[:10])
	case l.PromptSeq > 0:
		s += fmt.Sprintf(", prompt %d", l.PromptSeq)
	}
	if l.Prompt != "" {
		s += ": " + oneLine(l.Prompt, 200)
	}
	return s
}

// unknownHints say why the lines of unknown commits are unknown, and what
// to do ({rev}: the commit, or REV).
var unknownHints = map[string]struct{ one, many, fix string }{
	report.UnknownNoNote:    {"has no aitrail note", "have no aitrail note", "'aitrail annotate {rev}' writes it, where the agents' logs are"},
	report.UnknownUnfetched: {"has no note here, but may have one in a remote's notes", "have no notes here, but may have some in a remote's notes", ""},
	report.UnknownMissing:   {"was annotated, but its note is not here", "were annotated, but their notes are not here", "'aitrail sync-notes' fetches a remote's notes"},
	report.UnknownStale:     {"has a note copied from the commit it was rewritten from", "have notes copied from the commits they were rewritten from", "'aitrail annotate {rev}' renews it"},
	report.UnknownShallow:   {"is where this shallow clone's history ends: lines its note does not mark may be older", "are where this shallow clone's history ends: lines their notes do not mark may be older", "'git fetch --unshallow' fetches the rest"},
}

// unknownLegend says, reason by reason, which commits' lines are unknown
// (gaps: the notes gaps of the unfetched ones).
func unknownLegend(reasons []string, commits map[string][]string, gaps []gitlog.NotesGap) []string {
	var out []string
	for _, why := range reasons {
		h, cs := unknownHints[why], commits[why]
		fix := h.fix
		if why == report.UnknownUnfetched {
			fix = gapHint(gaps)
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

// runSummary counts the lines agents wrote under the PATHs.
func (o *blameOptions) runSummary(e *env, repo *gitlog.Repo, ix *report.NoteIndex, opt report.BlameOptions) error {
	paths, revName, err := splitPathsRev(repo, o.pos)
	if err != nil {
		return err
	}
	rev, err := repo.Resolve(revName)
	if err != nil {
		return err
	}
	var dirs []string
	for _, p := range paths {
		rel, err := repo.RelPath(p)
		if err != nil {
			return err
		}
		if ok, _, err := repo.Exists(rev, rel); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%s: not in %s (%s)", p, revName, rev.String()[:10])
		}
		dirs = append(dirs, rel)
	}
	files, skipped, err := repo.TextFiles(rev, dirs)
	if err != nil {
		return err
	}
	bar := e.io.bar(!o.json)
	bar.units = func(n int64) string { return thousands(n) }
	s, err := report.Summarize(e.ctx, repo, ix, rev, files, opt, func(done, total int) {
		bar.update(int64(done), int64(total))
	})
	bar.clear()
	if err != nil {
		return err
	}
	s.Skipped = append([]string{}, skipped...)
	if o.json {
		return writeJSON(e.io.out, s)
	}
	printSummary(e.io.out, revName, s)
	return nil
}

// splitPathsRev reads --summary's arguments: PATHs, then a REV when the
// last one is not a path on disk but names a commit.
func splitPathsRev(repo *gitlog.Repo, args []string) (paths []string, rev string, err error) {
	rev = "HEAD"
	if n := len(args); n > 0 {
		last := args[n-1]
		if _, statErr := os.Lstat(last); statErr != nil {
			if _, resErr := repo.Resolve(last); resErr == nil {
				return args[:n-1], last, nil
			} else if !errors.Is(resErr, gitlog.ErrUnknownRevision) {
				return nil, "", resErr
			}
		}
	}
	return args, rev, nil
}

func printSummary(w io.Writer, revName string, s *report.Summary) {
	t := s.Total
	fmt.Fprintf(w, "Non-blank lines at %s (%s) in %s: %s\n", revName, s.Commit[:10], plural(len(s.Files), "file"), thousands(int64(t.Lines)))
	printTable(w, [][]string{
		{"  by agents", thousands(int64(t.AI)), report.Percent(t.AI, t.Lines)},
		{"  by people", thousands(int64(t.Human)), report.Percent(t.Human, t.Lines)},
		{"  unknown", thousands(int64(t.Unknown)), report.Percent(t.Unknown, t.Lines)},
	}, 1)
	if len(s.Agents) > 0 {
		fmt.Fprintln(w)
		rows := [][]string{{"AGENT", "MODEL", "LINES", "SHARE"}}
		for _, a := range s.Agents {
			rows = append(rows, []string{report.AgentName(a.Agent), a.Model, thousands(int64(a.Lines)), report.Percent(a.Lines, t.Lines)})
		}
		printTable(w, rows, 2)
	}
	if len(s.Files) > 0 {
		fmt.Fprintln(w)
		all := append(append([]report.Share{}, s.Dirs...), s.Files...)
		sortShares(all)
		rows := [][]string{{"PATH", "LINES", "AI", "SHARE", "HUMAN", "UNKNOWN"}}
		for _, sh := range all {
			rows = append(rows, []string{sh.Path, thousands(int64(sh.Lines)), thousands(int64(sh.AI)), report.Percent(sh.AI, sh.Lines),
				thousands(int64(sh.Human)), thousands(int64(sh.Unknown))})
		}
		printTable(w, rows, 1)
	}
	if len(s.Skipped) > 0 {
		fmt.Fprintf(w, "\nNot counted: %d binary or very large files.\n", len(s.Skipped))
	}
	if len(s.Unknown) > 0 {
		fmt.Fprintf(w, "\nUnknown: %s from %s without a usable note:\n", plural(t.Unknown, "line"), plural(len(s.Unknown), "commit"))
		const show = 20
		for i, u := range s.Unknown {
			if i == show {
				fmt.Fprintf(w, "  … and %d more (--json lists them all)\n", len(s.Unknown)-show)
				break
			}
			fmt.Fprintf(w, "  %s  %s  %s  %s: %s (%s)\n", u.Commit[:10], u.Time.Format("2006-01-02"), u.Author,
				oneLine(u.Summary, 60), plural(u.Lines, "line"), u.Why)
		}
		var gaps []gitlog.NotesGap
		for _, u := range s.Unknown {
			gaps = append(gaps, u.Gaps...)
		}
		if len(gaps) > 0 {
			fmt.Fprintf(w, "Notes not fetched here may say more: %s.\n", gapHint(gaps))
		}
		fmt.Fprintln(w, "'aitrail annotate' writes the notes of recent commits that have none, 'aitrail annotate REV' one")
		fmt.Fprintln(w, "commit's, where the agents' logs are; a person's commits get a note only with notes.no_ai_note set.")
	}
}

// sortShares sorts by path, each directory before what it holds.
func sortShares(s []report.Share) {
	key := func(p string) string { return strings.ReplaceAll(p, "/", "\x00") }
	slices.SortFunc(s, func(a, b report.Share) int { return strings.Compare(key(a.Path), key(b.Path)) })
}
