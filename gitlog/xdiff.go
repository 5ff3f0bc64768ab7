package gitlog

// This file ports the parts of git's xdiff (xdiff/xprepare.c, xdiff/xdiffi.c,
// and trim_common_tail from xdiff-interface.c, git 2.39) that decide which
// lines `git diff -U0` reports as added and removed: record classification,
// the discarding of unmatchable lines, Myers' divide-and-conquer with git's
// cost heuristics, and the change compaction with the indent heuristic
// (diff.indentHeuristic, on by default). A generic LCS (go-diff) finds a diff
// of the same size but often a different one when lines repeat (a hunk that
// can slide, a blank line, a closing brace), and line attribution needs the
// same line numbers git shows.

import "math"

const (
	xdlMaxCostMin  = 256
	xdlHeurMinCost = 256
	xdlSnakeCnt    = 20
	xdlKHeur       = 4
	xdlMaxEqLimit  = 1024
	xdlSimscanWin  = 100
	xdlKPDisRun    = 4

	maxIndent                 = 200
	maxBlanks                 = 20
	startOfFilePenalty        = 1
	endOfFilePenalty          = 21
	totalBlankWeight          = -30
	postBlankWeight           = 6
	relativeIndentPenalty     = -4
	relativeIndentWithBlank   = 10
	relativeOutdentPenalty    = 24
	relativeOutdentWithBlank  = 17
	relativeDedentPenalty     = 23
	relativeDedentWithBlank   = 17
	indentWeight              = 60
	indentHeuristicMaxSliding = 100
)

// xdfile is one side of a line diff (git's xdfile_t).
type xdfile struct {
	recs   [][]byte // lines, each with its "\n" (the last may lack one)
	ha     []int    // equivalence class of each line
	rchg   []bool   // changed flags shifted by one: rchg[i+1] is line i; both ends stay false
	rindex []int    // lines kept for the Myers pass
	hEff   []int    // their classes
	dstart int
	dend   int
}

func (x *xdfile) chg(i int) bool    { return x.rchg[i+1] }
func (x *xdfile) set(i int, v bool) { x.rchg[i+1] = v }

// diffLines returns the lines of b that git reports as added relative to a
// (numbered from 1) and the number of lines of a it reports as removed.
func diffLines(a, b []byte) ([]Line, int) {
	a, b = trimCommonTail(a, b)
	classes := map[string]int{}
	x1 := newXdfile(a, classes)
	x2 := newXdfile(b, classes)
	cnt1 := make([]int, len(classes))
	cnt2 := make([]int, len(classes))
	for _, c := range x1.ha {
		cnt1[c]++
	}
	for _, c := range x2.ha {
		cnt2[c]++
	}
	trimEnds(x1, x2)
	cleanupRecords(x1, x2, cnt1, cnt2)
	e := newXenv(len(x1.hEff), len(x2.hEff))
	e.recsCmp(x1, 0, len(x1.hEff), x2, 0, len(x2.hEff), false)
	changeCompact(x1, x2)
	changeCompact(x2, x1)

	var added []Line
	for i, rec := range x2.recs {
		if x2.chg(i) {
			if n := len(rec); n > 0 && rec[n-1] == '\n' {
				rec = rec[:n-1]
			}
			added = append(added, Line{No: i + 1, Text: string(rec)})
		}
	}
	removed := 0
	for i := range x1.recs {
		if x1.chg(i) {
			removed++
		}
	}
	return added, removed
}

// trimCommonTail drops the common tail of a and b in 1 KiB blocks, keeping
// the partial line at the cut, as git does before a diff without context.
func trimCommonTail(a, b []byte) ([]byte, []byte) {
	const blk = 1024
	trimmed := 0
	smaller := min(len(a), len(b))
	for blk+trimmed <= smaller && string(a[len(a)-trimmed-blk:len(a)-trimmed]) == string(b[len(b)-trimmed-blk:len(b)-trimmed]) {
		trimmed += blk
	}
	recovered := 0
	for recovered < trimmed {
		c := a[len(a)-trimmed+recovered]
		recovered++
		if c == '\n' {
			break
		}
	}
	return a[:len(a)-(trimmed-recovered)], b[:len(b)-(trimmed-recovered)]
}

func newXdfile(data []byte, classes map[string]int) *xdfile {
	x := &xdfile{}
	for len(data) > 0 {
		n := len(data)
		for i, c := range data {
			if c == '\n' {
				n = i + 1
				break
			}
		}
		rec := data[:n]
		data = data[n:]
		c, ok := classes[string(rec)]
		if !ok {
			c = len(classes)
			classes[string(rec)] = c
		}
		x.recs = append(x.recs, rec)
		x.ha = append(x.ha, c)
	}
	x.rchg = make([]bool, len(x.recs)+2)
	return x
}

// trimEnds skips the common head and tail (xdl_trim_ends).
func trimEnds(x1, x2 *xdfile) {
	n1, n2 := len(x1.recs), len(x2.recs)
	lim := min(n1, n2)
	i := 0
	for i < lim && x1.ha[i] == x2.ha[i] {
		i++
	}
	x1.dstart, x2.dstart = i, i
	lim -= i
	k := 0
	for k < lim && x1.ha[n1-1-k] == x2.ha[n2-1-k] {
		k++
	}
	x1.dend = n1 - k - 1
	x2.dend = n2 - k - 1
}

func bogosqrt(n int) int {
	i := 1
	for ; n > 0; n >>= 2 {
		i <<= 1
	}
	return i
}

// cleanupRecords marks lines without a match on the other side as changed, and
// lines with very many matches too when they sit among unmatched lines; the
// rest go to the Myers pass (xdl_cleanup_records).
func cleanupRecords(x1, x2 *xdfile, cnt1, cnt2 []int) {
	classify := func(x *xdfile, other []int) []byte {
		dis := make([]byte, len(x.recs)+1)
		mlim := min(bogosqrt(len(x.recs)), xdlMaxEqLimit)
		for i := x.dstart; i <= x.dend; i++ {
			switch nm := other[x.ha[i]]; {
			case nm == 0:
				dis[i] = 0
			case nm >= mlim:
				dis[i] = 2
			default:
				dis[i] = 1
			}
		}
		return dis
	}
	dis1 := classify(x1, cnt2)
	dis2 := classify(x2, cnt1)
	keep := func(x *xdfile, dis []byte) {
		for i := x.dstart; i <= x.dend; i++ {
			if dis[i] == 1 || (dis[i] == 2 && !cleanMmatch(dis, i, x.dstart, x.dend)) {
				x.rindex = append(x.rindex, i)
				x.hEff = append(x.hEff, x.ha[i])
			} else {
				x.set(i, true)
			}
		}
	}
	keep(x1, dis1)
	keep(x2, dis2)
}

// cleanMmatch reports whether multimatch line i sits in a run of unmatched
// lines, so that discarding it is worthwhile (xdl_clean_mmatch).
func cleanMmatch(dis []byte, i, s, e int) bool {
	if i-s > xdlSimscanWin {
		s = i - xdlSimscanWin
	}
	if e-i > xdlSimscanWin {
		e = i + xdlSimscanWin
	}
	rdis0, rpdis0 := 0, 1
	for r := 1; i-r >= s; r++ {
		if dis[i-r] == 0 {
			rdis0++
		} else if dis[i-r] == 2 {
			rpdis0++
		} else {
			break
		}
	}
	if rdis0 == 0 {
		return false
	}
	rdis1, rpdis1 := 0, 1
	for r := 1; i+r <= e; r++ {
		if dis[i+r] == 0 {
			rdis1++
		} else if dis[i+r] == 2 {
			rpdis1++
		} else {
			break
		}
	}
	if rdis1 == 0 {
		return false
	}
	rdis1 += rdis0
	rpdis1 += rpdis0
	return rpdis1*xdlKPDisRun < rpdis1+rdis1
}

// xenv holds the Myers diagonals (git's kvdf/kvdb) and cost limits.
type xenv struct {
	kv     []int
	fo, bo int // index of kvdf[0] and kvdb[0] in kv
	mxcost int
}

func newXenv(n1, n2 int) *xenv {
	ndiags := n1 + n2 + 3
	return &xenv{
		kv:     make([]int, 2*ndiags+2),
		fo:     n2 + 1,
		bo:     ndiags + n2 + 1,
		mxcost: max(bogosqrt(ndiags), xdlMaxCostMin),
	}
}

// recsCmp marks changed lines in the box [off1,lim1)×[off2,lim2) of the kept
// lines, recursively (xdl_recs_cmp).
func (e *xenv) recsCmp(x1 *xdfile, off1, lim1 int, x2 *xdfile, off2, lim2 int, needMin bool) {
	ha1, ha2 := x1.hEff, x2.hEff
	for off1 < lim1 && off2 < lim2 && ha1[off1] == ha2[off2] {
		off1++
		off2++
	}
	for off1 < lim1 && off2 < lim2 && ha1[lim1-1] == ha2[lim2-1] {
		lim1--
		lim2--
	}
	switch {
	case off1 == lim1:
		for ; off2 < lim2; off2++ {
			x2.set(x2.rindex[off2], true)
		}
	case off2 == lim2:
		for ; off1 < lim1; off1++ {
			x1.set(x1.rindex[off1], true)
		}
	default:
		i1, i2, minLo, minHi := e.split(ha1, off1, lim1, ha2, off2, lim2, needMin)
		e.recsCmp(x1, off1, i1, x2, off2, i2, minLo)
		e.recsCmp(x1, i1, lim1, x2, i2, lim2, minHi)
	}
}

// split finds the middle snake of the box, or a good-enough split point when
// the edit cost grows large (xdl_split).
func (e *xenv) split(ha1 []int, off1, lim1 int, ha2 []int, off2, lim2 int, needMin bool) (int, int, bool, bool) {
	kv, f, b := e.kv, e.fo, e.bo
	dmin, dmax := off1-lim2, lim1-off2
	fmid, bmid := off1-off2, lim1-lim2
	odd := (fmid-bmid)&1 != 0
	fmin, fmax := fmid, fmid
	bmin, bmax := bmid, bmid
	kv[f+fmid] = off1
	kv[b+bmid] = lim1

	for ec := 1; ; ec++ {
		gotSnake := false
		if fmin > dmin {
			fmin--
			kv[f+fmin-1] = -1
		} else {
			fmin++
		}
		if fmax < dmax {
			fmax++
			kv[f+fmax+1] = -1
		} else {
			fmax--
		}
		for d := fmax; d >= fmin; d -= 2 {
			var i1 int
			if kv[f+d-1] >= kv[f+d+1] {
				i1 = kv[f+d-1] + 1
			} else {
				i1 = kv[f+d+1]
			}
			prev1 := i1
			i2 := i1 - d
			for i1 < lim1 && i2 < lim2 && ha1[i1] == ha2[i2] {
				i1++
				i2++
			}
			if i1-prev1 > xdlSnakeCnt {
				gotSnake = true
			}
			kv[f+d] = i1
			if odd && bmin <= d && d <= bmax && kv[b+d] <= i1 {
				return i1, i2, true, true
			}
		}

		if bmin > dmin {
			bmin--
			kv[b+bmin-1] = math.MaxInt
		} else {
			bmin++
		}
		if bmax < dmax {
			bmax++
			kv[b+bmax+1] = math.MaxInt
		} else {
			bmax--
		}
		for d := bmax; d >= bmin; d -= 2 {
			var i1 int
			if kv[b+d-1] < kv[b+d+1] {
				i1 = kv[b+d-1]
			} else {
				i1 = kv[b+d+1] - 1
			}
			prev1 := i1
			i2 := i1 - d
			for i1 > off1 && i2 > off2 && ha1[i1-1] == ha2[i2-1] {
				i1--
				i2--
			}
			if prev1-i1 > xdlSnakeCnt {
				gotSnake = true
			}
			kv[b+d] = i1
			if !odd && fmin <= d && d <= fmax && i1 <= kv[f+d] {
				return i1, i2, true, true
			}
		}

		if needMin {
			continue
		}

		if gotSnake && ec > xdlHeurMinCost {
			best, s1, s2 := 0, 0, 0
			for d := fmax; d >= fmin; d -= 2 {
				dd := d - fmid
				if dd < 0 {
					dd = -dd
				}
				i1 := kv[f+d]
				i2 := i1 - d
				v := (i1 - off1) + (i2 - off2) - dd
				if v > xdlKHeur*ec && v > best &&
					off1+xdlSnakeCnt <= i1 && i1 < lim1 &&
					off2+xdlSnakeCnt <= i2 && i2 < lim2 {
					for k := 1; ha1[i1-k] == ha2[i2-k]; k++ {
						if k == xdlSnakeCnt {
							best, s1, s2 = v, i1, i2
							break
						}
					}
				}
			}
			if best > 0 {
				return s1, s2, true, false
			}
			best = 0
			for d := bmax; d >= bmin; d -= 2 {
				dd := d - bmid
				if dd < 0 {
					dd = -dd
				}
				i1 := kv[b+d]
				i2 := i1 - d
				v := (lim1 - i1) + (lim2 - i2) - dd
				if v > xdlKHeur*ec && v > best &&
					off1 < i1 && i1 <= lim1-xdlSnakeCnt &&
					off2 < i2 && i2 <= lim2-xdlSnakeCnt {
					for k := 0; ha1[i1+k] == ha2[i2+k]; k++ {
						if k == xdlSnakeCnt-1 {
							best, s1, s2 = v, i1, i2
							break
						}
					}
				}
			}
			if best > 0 {
				return s1, s2, false, true
			}
		}

		if ec >= e.mxcost {
			fbest, fbest1 := -1, -1
			for d := fmax; d >= fmin; d -= 2 {
				i1 := min(kv[f+d], lim1)
				i2 := i1 - d
				if lim2 < i2 {
					i1, i2 = lim2+d, lim2
				}
				if fbest < i1+i2 {
					fbest, fbest1 = i1+i2, i1
				}
			}
			bbest, bbest1 := math.MaxInt, math.MaxInt
			for d := bmax; d >= bmin; d -= 2 {
				i1 := max(off1, kv[b+d])
				i2 := i1 - d
				if i2 < off2 {
					i1, i2 = off2+d, off2
				}
				if i1+i2 < bbest {
					bbest, bbest1 = i1+i2, i1
				}
			}
			if (lim1+lim2)-bbest < fbest-(off1+off2) {
				return fbest1, fbest - fbest1, true, false
			}
			return bbest1, bbest - bbest1, false, true
		}
	}
}

// xdgroup is a run of changed lines [start,end); empty when start == end.
type xdgroup struct{ start, end int }

func groupInit(x *xdfile) xdgroup {
	var g xdgroup
	for x.chg(g.end) {
		g.end++
	}
	return g
}

func groupNext(x *xdfile, g *xdgroup) bool {
	if g.end == len(x.recs) {
		return false
	}
	g.start = g.end + 1
	for g.end = g.start; x.chg(g.end); g.end++ {
	}
	return true
}

func groupPrevious(x *xdfile, g *xdgroup) bool {
	if g.start == 0 {
		return false
	}
	g.end = g.start - 1
	for g.start = g.end; x.chg(g.start - 1); g.start-- {
	}
	return true
}

func groupSlideDown(x *xdfile, g *xdgroup) bool {
	if g.end < len(x.recs) && x.ha[g.start] == x.ha[g.end] {
		x.set(g.start, false)
		g.start++
		x.set(g.end, true)
		g.end++
		for x.chg(g.end) {
			g.end++
		}
		return true
	}
	return false
}

func groupSlideUp(x *xdfile, g *xdgroup) bool {
	if g.start > 0 && x.ha[g.start-1] == x.ha[g.end-1] {
		g.start--
		x.set(g.start, true)
		g.end--
		x.set(g.end, false)
		for x.chg(g.start - 1) {
			g.start--
		}
		return true
	}
	return false
}

// changeCompact slides each group of changed lines in x to merge it with
// neighbours, to align it with a change in xo, or else to the position the
// indent heuristic prefers (xdl_change_compact).
func changeCompact(x, xo *xdfile) {
	g := groupInit(x)
	gO := groupInit(xo)
	for {
		if g.end != g.start {
			var groupsize, earliestEnd, endMatchingOther int
			for {
				groupsize = g.end - g.start
				endMatchingOther = -1
				for groupSlideUp(x, &g) {
					if !groupPrevious(xo, &gO) {
						panic("gitlog: xdiff: group sync broken sliding up")
					}
				}
				earliestEnd = g.end
				if gO.end > gO.start {
					endMatchingOther = g.end
				}
				for groupSlideDown(x, &g) {
					if !groupNext(xo, &gO) {
						panic("gitlog: xdiff: group sync broken sliding down")
					}
					if gO.end > gO.start {
						endMatchingOther = g.end
					}
				}
				if groupsize == g.end-g.start {
					break
				}
			}

			switch {
			case g.end == earliestEnd:
				// The group cannot move.
			case endMatchingOther != -1:
				for gO.end == gO.start {
					if !groupSlideUp(x, &g) || !groupPrevious(xo, &gO) {
						panic("gitlog: xdiff: group sync broken sliding to match")
					}
				}
			default:
				shift := earliestEnd
				if g.end-groupsize-1 > shift {
					shift = g.end - groupsize - 1
				}
				if g.end-indentHeuristicMaxSliding > shift {
					shift = g.end - indentHeuristicMaxSliding
				}
				bestShift := -1
				var best splitScore
				for ; shift <= g.end; shift++ {
					var score splitScore
					scoreAddSplit(measureSplit(x, shift), &score)
					scoreAddSplit(measureSplit(x, shift-groupsize), &score)
					if bestShift == -1 || scoreCmp(score, best) <= 0 {
						best, bestShift = score, shift
					}
				}
				for g.end > bestShift {
					if !groupSlideUp(x, &g) || !groupPrevious(xo, &gO) {
						panic("gitlog: xdiff: group sync broken sliding to best shift")
					}
				}
			}
		}
		if !groupNext(x, &g) {
			break
		}
		if !groupNext(xo, &gO) {
			panic("gitlog: xdiff: group sync broken moving to next group")
		}
	}
}

// getIndent returns a line's indentation (tabs to multiples of 8), or -1 for
// a blank line.
func getIndent(rec []byte) int {
	ret := 0
	for _, c := range rec {
		switch c {
		case ' ':
			ret++
		case '\t':
			ret += 8 - ret%8
		case '\n', '\r':
		default:
			return ret
		}
		if ret >= maxIndent {
			return maxIndent
		}
	}
	return -1
}

type splitMeasurement struct {
	endOfFile  bool
	indent     int
	preBlank   int
	preIndent  int
	postBlank  int
	postIndent int
}

type splitScore struct{ effectiveIndent, penalty int }

func measureSplit(x *xdfile, split int) splitMeasurement {
	var m splitMeasurement
	n := len(x.recs)
	if split >= n {
		m.endOfFile = true
		m.indent = -1
	} else {
		m.indent = getIndent(x.recs[split])
	}
	m.preIndent = -1
	for i := split - 1; i >= 0; i-- {
		m.preIndent = getIndent(x.recs[i])
		if m.preIndent != -1 {
			break
		}
		m.preBlank++
		if m.preBlank == maxBlanks {
			m.preIndent = 0
			break
		}
	}
	m.postIndent = -1
	for i := split + 1; i < n; i++ {
		m.postIndent = getIndent(x.recs[i])
		if m.postIndent != -1 {
			break
		}
		m.postBlank++
		if m.postBlank == maxBlanks {
			m.postIndent = 0
			break
		}
	}
	return m
}

func scoreAddSplit(m splitMeasurement, s *splitScore) {
	if m.preIndent == -1 && m.preBlank == 0 {
		s.penalty += startOfFilePenalty
	}
	if m.endOfFile {
		s.penalty += endOfFilePenalty
	}
	postBlank := 0
	if m.indent == -1 {
		postBlank = 1 + m.postBlank
	}
	totalBlank := m.preBlank + postBlank
	s.penalty += totalBlankWeight * totalBlank
	s.penalty += postBlankWeight * postBlank
	indent := m.indent
	if indent == -1 {
		indent = m.postIndent
	}
	anyBlanks := totalBlank != 0
	s.effectiveIndent += indent
	switch {
	case indent == -1, m.preIndent == -1, indent == m.preIndent:
	case indent > m.preIndent:
		if anyBlanks {
			s.penalty += relativeIndentWithBlank
		} else {
			s.penalty += relativeIndentPenalty
		}
	case m.postIndent != -1 && m.postIndent > indent:
		if anyBlanks {
			s.penalty += relativeOutdentWithBlank
		} else {
			s.penalty += relativeOutdentPenalty
		}
	default:
		if anyBlanks {
			s.penalty += relativeDedentWithBlank
		} else {
			s.penalty += relativeDedentPenalty
		}
	}
}

func scoreCmp(s1, s2 splitScore) int {
	cmpIndents := 0
	if s1.effectiveIndent > s2.effectiveIndent {
		cmpIndents = 1
	} else if s1.effectiveIndent < s2.effectiveIndent {
		cmpIndents = -1
	}
	return indentWeight*cmpIndents + (s1.penalty - s2.penalty)
}
