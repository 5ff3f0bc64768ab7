package claude

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/aitrail/aitrail/canon"
)

// diffContext is the number of unchanged lines around a change in the
// unified diffs computed here, as diff -u and git write them.
const diffContext = 3

// lineOp is one line of a line diff: ' ' kept, '-' removed, '+' added.
type lineOp struct {
	op   byte
	text string
}

// splitLines splits text into lines without their terminators; a final
// newline does not start another line.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

// lineDiff diffs two texts line by line with go-diff. No deadline is set,
// so the result depends on the input only.
func lineDiff(a, b string) []lineOp {
	if a != "" && !strings.HasSuffix(a, "\n") {
		a += "\n"
	}
	if b != "" && !strings.HasSuffix(b, "\n") {
		b += "\n"
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	ra, rb, lines := dmp.DiffLinesToRunes(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), lines)
	var out []lineOp
	for _, d := range diffs {
		op := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = '-'
		case diffmatchpatch.DiffInsert:
			op = '+'
		}
		for _, l := range splitLines(d.Text) {
			out = append(out, lineOp{op, l})
		}
	}
	return out
}

// hunkHeader writes a unified diff hunk header. A range of zero lines
// names the line before it, as the format wants.
func hunkHeader(b *strings.Builder, oldStart, oldLines, newStart, newLines int) {
	if oldLines == 0 && oldStart > 0 {
		oldStart--
	}
	if newLines == 0 && newStart > 0 {
		newStart--
	}
	fmt.Fprintf(b, "@@ -%d,%d +%d,%d @@\n", oldStart, oldLines, newStart, newLines)
}

// unified renders a line diff as unified diff hunks with diffContext lines
// of context, numbering lines from 1 at the start of the texts diffed.
func unified(b *strings.Builder, ops []lineOp) (added, removed int) {
	n := len(ops)
	for i := 0; i < n; {
		if ops[i].op == ' ' {
			i++
			continue
		}
		// A hunk starts diffContext lines before the change at i and runs
		// until a stretch of more than 2*diffContext kept lines.
		start := max(i-diffContext, 0)
		end := i
		for j := i; j < n; {
			if ops[j].op != ' ' {
				end = j + 1
				j++
				continue
			}
			k := j
			for k < n && ops[k].op == ' ' {
				k++
			}
			if k == n || k-j > 2*diffContext {
				break
			}
			j = k
		}
		stop := min(end+diffContext, n)
		oldPos, newPos := 0, 0
		for _, o := range ops[:start] {
			if o.op != '+' {
				oldPos++
			}
			if o.op != '-' {
				newPos++
			}
		}
		oldLines, newLines := 0, 0
		for _, o := range ops[start:stop] {
			if o.op != '+' {
				oldLines++
			}
			if o.op != '-' {
				newLines++
			}
		}
		hunkHeader(b, oldPos+1, oldLines, newPos+1, newLines)
		for _, o := range ops[start:stop] {
			b.WriteByte(o.op)
			b.WriteString(o.text)
			b.WriteByte('\n')
			switch o.op {
			case '+':
				added++
			case '-':
				removed++
			}
		}
		i = stop
	}
	return added, removed
}

// diffHeaders writes the ---/+++ lines of a diff of the file abs, named
// relative to cwd (canon.Rel, canon.DiffName); a new file comes from
// /dev/null.
func diffHeaders(b *strings.Builder, cwd, abs string, create bool) {
	rel := canon.Rel(cwd, abs)
	if create {
		b.WriteString("--- /dev/null\n")
	} else {
		fmt.Fprintf(b, "--- %s\n", canon.DiffName("a", rel))
	}
	fmt.Fprintf(b, "+++ %s\n", canon.DiffName("b", rel))
}

// allAdded renders content as the added lines of one hunk starting at line
// 1 of an empty old side. noEOL marks a last line without newline, for
// whole files.
func allAdded(b *strings.Builder, content string, noEOL bool) int {
	lines := splitLines(content)
	if len(lines) == 0 {
		return 0
	}
	hunkHeader(b, 1, 0, 1, len(lines))
	for _, l := range lines {
		b.WriteByte('+')
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if noEOL && !strings.HasSuffix(content, "\n") {
		b.WriteString("\\ No newline at end of file\n")
	}
	return len(lines)
}

// hunk is one jsdiff structuredPatch hunk.
type hunk struct {
	OldStart int      `json:"oldStart"`
	OldLines int      `json:"oldLines"`
	NewStart int      `json:"newStart"`
	NewLines int      `json:"newLines"`
	Lines    []string `json:"lines"`
}

// patchDiff renders structuredPatch hunks as unified diff hunks. The line
// counts are recounted from the lines (jsdiff's own counts are the same
// numbers); the starts are jsdiff's.
func patchDiff(b *strings.Builder, hunks []hunk) (added, removed int) {
	for _, h := range hunks {
		oldLines, newLines := 0, 0
		for _, l := range h.Lines {
			switch {
			case strings.HasPrefix(l, "+"):
				newLines++
				added++
			case strings.HasPrefix(l, "-"):
				oldLines++
				removed++
			case strings.HasPrefix(l, "\\"):
			default:
				oldLines++
				newLines++
			}
		}
		hunkHeader(b, h.OldStart, oldLines, h.NewStart, newLines)
		for _, l := range h.Lines {
			if l == "" {
				l = " " // an empty context line whose prefix was lost
			}
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return added, removed
}
