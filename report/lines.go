package report

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/aitrail/aitrail/store"
)

// Line attribution: which of a commit's added lines an agent wrote.
//
// A committed line is the agent's when an edit added a line with the same
// text (whitespace collapsed) and the line stands where the agent put it:
// the lines next to it in the committed file (above, or below) are the
// lines the edit's diff shows next to the line it added, up to a line of
// substance (or the file's start or end, for a file the edit created). A
// person's copy of the line elsewhere in the file is not the agent's, and
// where a commit adds several copies, the one with the most context in
// common with the edit is. A line whose edit shows no context at all (a
// one-line hunk) can only be matched by its text.
//
// Each line an edit added is credited at most once along one line of
// history: the commits related to this one (ancestors, descendants, see
// gitlog.Related) that credit it first use it up, and a rewrite carries
// its credits to the new commit (see store.Credit).

// Context markers: the file's start and end, where a hunk reaches them.
const (
	markStart = "\x00start"
	markEnd   = "\x00end"
)

// maxContext is how many neighbours on each side are compared.
const maxContext = 5

// maxPairs bounds how many edits' copies of one text each committed line
// is weighed against (the nearest by position): a generated file with
// thousands of identical lines stays linear.
const maxPairs = 64

// editLines is what an edit's diff says about the lines it added.
type editLines struct {
	occs  []*occurrence  // its non-blank added lines, in diff order
	count map[string]int // normalized text → how many it added
}

// hunk is the new side of one hunk: its non-blank lines, normalized.
type hunk struct {
	lines []string
	added []bool // which of them the edit added (the others are context)
	nos   []int  // their numbers in the new file as the hunk header gives them
	// whole: the hunk is the whole file (one that the edit created), so
	// nothing stands above or below it.
	whole bool
}

// occurrence is one line an edit added, where its diff shows it.
type occurrence struct {
	c *candidate
	h *hunk
	i int // index in h.lines
}

func (o *occurrence) text() string { return o.h.lines[o.i] }
func (o *occurrence) pos() int     { return o.h.nos[o.i] }

// context returns the lines next to o in its hunk, nearest first, going
// up (dir -1) or down (+1), ending with the file's start or end when the
// hunk reaches it; added says which of them the edit added.
func (o *occurrence) context(dir int) (lines []string, added []bool) {
	for j := o.i + dir; len(lines) < maxContext; j += dir {
		if j < 0 || j >= len(o.h.lines) {
			if o.h.whole {
				lines, added = append(lines, edgeMark(dir)), append(added, false)
			}
			break
		}
		lines, added = append(lines, o.h.lines[j]), append(added, o.h.added[j])
	}
	return lines, added
}

func edgeMark(dir int) string {
	if dir < 0 {
		return markStart
	}
	return markEnd
}

// parseEditLines reads the added lines of a stored unified diff with
// their hunks. Lines outside any hunk header (a diff given without one)
// count, with no context known beyond each other.
func parseEditLines(diff string) *editLines {
	el := &editLines{count: map[string]int{}}
	created := false
	var cur *hunk
	var hunks []*hunk
	open := func(h *hunk) *hunk {
		hunks = append(hunks, h)
		return h
	}
	var oldLeft, newLeft int
	counted := false // the current hunk's header gave its lengths
	newNo := 0
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "@@") {
			o, n, start, ok := hunkHeader(l)
			cur = open(&hunk{whole: created && start <= 1})
			oldLeft, newLeft, counted, newNo = o, n, ok, start
			continue
		}
		if counted && oldLeft <= 0 && newLeft <= 0 {
			cur, counted = nil, false // the hunk is over: headers of the next file may follow
		}
		if !counted && (strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ ")) {
			if l == "--- /dev/null" {
				created = true
			}
			cur = nil
			continue
		}
		if l == "" && !counted {
			continue
		}
		kind := byte(' ')
		if l != "" {
			kind = l[0]
		}
		switch kind {
		case '+', ' ':
			if cur == nil {
				cur = open(&hunk{})
			}
			if kind == ' ' || l == "" {
				oldLeft--
			}
			newLeft--
			text := ""
			if l != "" {
				text = normalize(l[1:])
			}
			if text != "" {
				cur.lines = append(cur.lines, text)
				cur.added = append(cur.added, kind == '+')
				cur.nos = append(cur.nos, newNo)
				if kind == '+' {
					el.occs = append(el.occs, &occurrence{h: cur, i: len(cur.lines) - 1})
					el.count[text]++
				}
			}
			newNo++
		case '-':
			oldLeft--
		}
	}
	// A created file's hunk is whole only if it is the only one.
	if len(hunks) > 1 {
		for _, h := range hunks {
			h.whole = false
		}
	}
	return el
}

// hunkHeader reads "@@ -a,b +c,d @@": the old and new lengths and the new
// start; ok is false when it cannot be read.
func hunkHeader(l string) (oldLines, newLines, newStart int, ok bool) {
	f := strings.Fields(l)
	if len(f) < 3 || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
		return 0, 0, 1, false
	}
	span := func(s string) (start, n int, ok bool) {
		a, b, has := strings.Cut(s[1:], ",")
		start, err := strconv.Atoi(a)
		if err != nil {
			return 0, 0, false
		}
		n = 1
		if has {
			if n, err = strconv.Atoi(b); err != nil {
				return 0, 0, false
			}
		}
		return start, n, true
	}
	_, oldLines, ok1 := span(f[1])
	newStart, newLines, ok2 := span(f[2])
	if !ok1 || !ok2 {
		return 0, 0, 1, false
	}
	return oldLines, newLines, newStart, true
}

// addedLines counts the normalized added lines of a unified diff.
func addedLines(diff string) map[string]int { return parseEditLines(diff).count }

// normalize collapses whitespace, so that re-indentation and trailing
// spaces do not hide an agent's line.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// substantial reports whether a line says enough to place another next to
// it: four letters or digits ("}" or "end" could be anywhere).
func substantial(s string) bool {
	if s == markStart || s == markEnd {
		return true
	}
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if n++; n >= 4 {
				return true
			}
		}
	}
	return false
}

// creditLine is how a credit names a line: a hash of its normalized,
// redacted text.
func creditLine(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:12])
}

// Side verdicts of a comparison of a committed line's neighbours with an
// agent's.
const (
	sideUnknown  = iota // the edit shows nothing on that side
	sideMismatch        // the neighbours differ
	sideWeak            // all the edit shows there agrees, but says little ("}")
	sideStrong          // agrees up to a line of substance, or the file's edge
)

// compareSide compares a committed line's neighbours on one side (mine)
// with those its copy has in the edit's diff (theirs, of which added are
// lines the edit added), nearest first; it returns the verdict and how many
// agree. A line the edit added next to it may be missing from the commit
// (not staged yet, or removed since): it is passed over.
func compareSide(mine, theirs []string, added []bool) (verdict, k int) {
	if len(theirs) == 0 {
		return sideUnknown, 0
	}
	i, j, substance := 0, 0, false
	for i < len(mine) && j < len(theirs) {
		switch {
		case mine[i] == theirs[j]:
			substance = substance || substantial(theirs[j])
			i, j, k = i+1, j+1, k+1
		case added[j]:
			j++
		default:
			i = len(mine) // they differ
		}
	}
	switch {
	case k > 0 && substance:
		return sideStrong, k
	case j == len(theirs) && k > 0:
		return sideWeak, k // all the edit shows there agrees, but says little
	case j == len(theirs):
		return sideUnknown, 0 // the edit shows only lines the commit lacks
	}
	return sideMismatch, 0
}

// fileLines reads a committed file's lines on demand, normalized and
// redacted like stored diffs.
type fileLines struct {
	load func() ([]string, error) // the raw lines
	red  func(string) string
	raw  []string
	norm map[int]string
	err  error
	done bool
}

// at returns line no (1-based) normalized; ok is false past the file's
// ends or when it cannot be read.
func (fl *fileLines) at(no int) (string, bool) {
	if !fl.done {
		fl.done = true
		if fl.load != nil {
			fl.raw, fl.err = fl.load()
		}
		fl.norm = map[int]string{}
	}
	if fl.err != nil || no < 1 || no > len(fl.raw) {
		return "", false
	}
	if s, ok := fl.norm[no]; ok {
		return s, true
	}
	s := normalize(fl.red(fl.raw[no-1]))
	fl.norm[no] = s
	return s, true
}

// known reports whether the file's lines can be read.
func (fl *fileLines) known() bool {
	_, ok := fl.at(1)
	return ok || (fl.err == nil && len(fl.raw) == 0)
}

// context returns the non-blank lines next to line no, nearest first,
// going up (dir -1) or down (+1), skipping lines that skip says a later
// edit put there, and ending with the file's start or end when reached.
func (fl *fileLines) context(no, dir int, skip func(string) bool) []string {
	var out []string
	for j := no + dir; len(out) < maxContext; j += dir {
		s, ok := fl.at(j)
		if !ok {
			out = append(out, edgeMark(dir))
			break
		}
		if s == "" || skip(s) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// pair is a committed line and an edit's copy of its text.
type pair struct {
	line  numbered
	occ   *occurrence
	score int // context lines in common
	dist  int // distance between their positions
}

// matchLines credits f's added lines to the candidates' added lines:
// for each committed line, the copy of its text whose context agrees best
// (see compareSide), newest edit first among equals, each copy once and
// no edit's line more often than remain allows. It returns the credited
// pairs.
func matchLines(f *fileState, cands []*candidate, remain map[*candidate]map[string]int) []pair {
	byText := map[string][]*occurrence{}
	// newest[text] is the time of the newest edit that added text: a line
	// an edit newer than o's added next to o's line does not hide it.
	newest := map[string]time.Time{}
	for _, c := range cands {
		if c.file != f {
			continue
		}
		for _, o := range c.lines.occs {
			byText[o.text()] = append(byText[o.text()], o)
			if c.edit.Time.After(newest[o.text()]) {
				newest[o.text()] = c.edit.Time
			}
		}
	}
	var pairs []pair
	for _, l := range f.lines {
		occs := byText[l.text]
		if len(occs) == 0 {
			continue
		}
		if len(occs) > maxPairs {
			occs = append([]*occurrence(nil), occs...)
			sort.SliceStable(occs, func(i, j int) bool { return abs(occs[i].pos()-l.no) < abs(occs[j].pos()-l.no) })
			occs = occs[:maxPairs]
		}
		for _, o := range occs {
			score, ok := weigh(f, l, o, newest)
			if ok {
				pairs = append(pairs, pair{line: l, occ: o, score: score, dist: abs(o.pos() - l.no)})
			}
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		a, b := pairs[i], pairs[j]
		switch {
		case a.score != b.score:
			return a.score > b.score
		case a.occ.c.inWindow != b.occ.c.inWindow:
			return a.occ.c.inWindow
		case !a.occ.c.edit.Time.Equal(b.occ.c.edit.Time):
			return a.occ.c.edit.Time.After(b.occ.c.edit.Time) // the last writer of a line is its author
		case a.dist != b.dist:
			return a.dist < b.dist
		}
		return a.line.no < b.line.no
	})
	var out []pair
	lineDone := map[int]bool{}
	occDone := map[*occurrence]bool{}
	for _, p := range pairs {
		c, text := p.occ.c, p.occ.text()
		if lineDone[p.line.no] || occDone[p.occ] || remain[c][text] <= 0 {
			continue
		}
		lineDone[p.line.no], occDone[p.occ] = true, true
		remain[c][text]--
		out = append(out, p)
	}
	return out
}

// weigh compares committed line l of f with the edit's copy o: whether it
// may be the agent's, and how much context they share.
func weigh(f *fileState, l numbered, o *occurrence, newest map[string]time.Time) (score int, ok bool) {
	up, upAdded := o.context(-1)
	down, downAdded := o.context(1)
	if len(up) == 0 && len(down) == 0 {
		return 0, true // the edit shows no context: the text is all there is
	}
	if !f.file.known() {
		return 0, true // the committed file cannot be read: as before, by text
	}
	skip := func(s string) bool { return newest[s].After(o.c.edit.Time) }
	va, ka := compareSide(f.file.context(l.no, -1, skip), up, upAdded)
	vb, kb := compareSide(f.file.context(l.no, 1, skip), down, downAdded)
	switch {
	case va == sideStrong || vb == sideStrong:
	case va == sideMismatch || vb == sideMismatch:
		return 0, false
	}
	return ka + kb, true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// credits lists what the matched pairs credit, per edit and line.
func credits(pairs []pair) []store.Credit {
	n := map[[2]string]int{}
	var keys [][2]string
	for _, p := range pairs {
		k := [2]string{p.occ.c.edit.Key(), creditLine(p.occ.text())}
		if n[k] == 0 {
			keys = append(keys, k)
		}
		n[k]++
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	out := make([]store.Credit, 0, len(keys))
	for _, k := range keys {
		out = append(out, store.Credit{Edit: k[0], Line: k[1], N: n[k]})
	}
	return out
}
