package fileedit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/aitrail/aitrail/canon"
)

// context is the number of unchanged lines shown around a change, as
// diff -u and git show them.
const context = 3

// Diff is a unified diff of one file with ---/+++ headers, and the number
// of lines it adds and removes.
type Diff struct {
	Text           string
	Added, Removed int
}

// headers writes the ---/+++ lines naming rel (from canon.Rel: relative
// to the project, or a full path outside it); a created file comes from
// /dev/null and a deleted one goes to it.
func headers(b *strings.Builder, rel string, created, deleted bool) {
	if created {
		b.WriteString("--- /dev/null\n")
	} else {
		fmt.Fprintf(b, "--- %s\n", canon.DiffName("a", rel))
	}
	if deleted {
		b.WriteString("+++ /dev/null\n")
	} else {
		fmt.Fprintf(b, "+++ %s\n", canon.DiffName("b", rel))
	}
}

// Added is the diff of content written to a file, all its lines added:
// from /dev/null when the file was created, else (what it replaced being
// unknown) numbered from line 1 of the old file.
func Added(rel, content string, created bool) Diff {
	var b strings.Builder
	headers(&b, rel, created, false)
	lines := split(content)
	if len(lines) == 0 {
		return Diff{Text: b.String()}
	}
	HunkHeader(&b, 1, 0, 1, len(lines))
	for _, l := range lines {
		b.WriteString("+" + l + "\n")
	}
	if !strings.HasSuffix(content, "\n") {
		b.WriteString("\\ No newline at end of file\n")
	}
	return Diff{Text: b.String(), Added: len(lines)}
}

// Contents diffs a file's whole old and new content: the hunks carry the
// file's own line numbers.
func Contents(rel, old, new string) Diff {
	var b strings.Builder
	headers(&b, rel, false, false)
	added, removed := Hunks(&b, old, new)
	return Diff{Text: b.String(), Added: added, Removed: removed}
}

// Snippets diffs the pairs of old and new text of a string replacement
// (an edit tool's old_string and new_string), one hunk or more per pair.
// Where a snippet sits in the file is not known: its hunks are numbered
// from line 1 of the snippet.
func Snippets(rel string, pairs ...[2]string) Diff {
	var b strings.Builder
	headers(&b, rel, false, false)
	var d Diff
	for _, p := range pairs {
		a, r := Hunks(&b, p[0], p[1])
		d.Added += a
		d.Removed += r
	}
	d.Text = b.String()
	return d
}

// split splits text into lines without their newlines; a final newline
// does not start another line.
func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// op is one line of a line diff: ' ' kept, '-' removed, '+' added.
type op struct {
	kind byte
	text string
}

// lineDiff diffs two texts line by line. No deadline is set, so the result
// depends on the input only.
func lineDiff(a, b string) []op {
	for _, s := range []*string{&a, &b} {
		if *s != "" && !strings.HasSuffix(*s, "\n") {
			*s += "\n"
		}
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	ra, rb, lines := dmp.DiffLinesToRunes(a, b)
	var out []op
	for _, d := range dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), lines) {
		kind := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			kind = '-'
		case diffmatchpatch.DiffInsert:
			kind = '+'
		}
		for _, l := range split(d.Text) {
			out = append(out, op{kind, l})
		}
	}
	return out
}

// HunkHeader writes a hunk header; an empty range names the line before
// it, as the format wants.
func HunkHeader(b *strings.Builder, oldStart, oldLines, newStart, newLines int) {
	if oldLines == 0 && oldStart > 0 {
		oldStart--
	}
	if newLines == 0 && newStart > 0 {
		newStart--
	}
	fmt.Fprintf(b, "@@ -%d,%d +%d,%d @@\n", oldStart, oldLines, newStart, newLines)
}

// Hunks writes the hunks of a line diff of old and new, with context lines
// around each change, numbering lines from 1 at the start of each text
// (nothing when they are the same), and returns the lines they add and
// remove.
func Hunks(b *strings.Builder, old, new string) (added, removed int) {
	return unified(b, lineDiff(old, new))
}

// unified writes a line diff as hunks with context lines around each
// change, numbering lines from 1 at the start of the texts.
func unified(b *strings.Builder, ops []op) (added, removed int) {
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// The hunk runs from context lines before the change at i to context
		// lines after the last change that follows within 2*context kept lines.
		start, end := max(i-context, 0), i+1
		for j := i + 1; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				if j-end > 2*context {
					break
				}
				end = j + 1
			}
		}
		stop := min(end+context, len(ops))
		oldPos, newPos := 1, 1
		for _, o := range ops[:start] {
			oldPos += btoi(o.kind != '+')
			newPos += btoi(o.kind != '-')
		}
		oldLines, newLines := 0, 0
		for _, o := range ops[start:stop] {
			oldLines += btoi(o.kind != '+')
			newLines += btoi(o.kind != '-')
		}
		HunkHeader(b, oldPos, oldLines, newPos, newLines)
		for _, o := range ops[start:stop] {
			b.WriteByte(o.kind)
			b.WriteString(o.text)
			b.WriteByte('\n')
			added += btoi(o.kind == '+')
			removed += btoi(o.kind == '-')
		}
		i = stop
	}
	return added, removed
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FileDiff is the part of a logged unified diff that concerns one file.
type FileDiff struct {
	// OldPath and NewPath are the paths the headers name, without git's
	// a/ and b/ prefixes and without what follows a tab (jsdiff writes
	// "\tCurrent"); empty for /dev/null.
	OldPath, NewPath string
	Created, Deleted bool
	// Hunks holds the hunks, from the first @@ line on.
	Hunks          string
	Added, Removed int
}

// Diff renders the file's hunks under uniform headers naming rel.
func (f FileDiff) Diff(rel string) Diff {
	var b strings.Builder
	headers(&b, rel, f.Created, f.Deleted)
	b.WriteString(f.Hunks)
	return Diff{Text: b.String(), Added: f.Added, Removed: f.Removed}
}

// Parse reads a unified diff as agents log it (git's "diff --git" form,
// jsdiff's "Index:" form, or bare ---/+++ headers) into one FileDiff per
// file. Lines are counted from each hunk's header, so that a removed line
// that reads "-- x" is not taken for a header; text outside any file is
// ignored.
func Parse(text string) []FileDiff {
	var out []FileDiff
	var cur *FileDiff
	var hunks strings.Builder
	oldLeft, newLeft := 0, 0 // lines still expected in the current hunk
	flush := func() {
		if cur != nil {
			cur.Hunks = hunks.String()
			out = append(out, *cur)
		}
		cur = nil
		hunks.Reset()
	}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSuffix(lines[i], "\r")
		if cur != nil && (oldLeft > 0 || newLeft > 0) {
			if strings.HasPrefix(l, "--- ") && i+2 < len(lines) && strings.HasPrefix(lines[i+1], "+++ ") && strings.HasPrefix(lines[i+2], "@@ ") {
				oldLeft, newLeft = 0, 0 // the next file's headers after a hunk shorter than announced
			}
		}
		if cur != nil && (oldLeft > 0 || newLeft > 0) {
			switch {
			case strings.HasPrefix(l, "+"):
				cur.Added++
				newLeft--
			case strings.HasPrefix(l, "-"):
				cur.Removed++
				oldLeft--
			case strings.HasPrefix(l, `\`):
			case strings.HasPrefix(l, " "), l == "":
				if l == "" && i == len(lines)-1 {
					continue // the text's final newline
				}
				oldLeft--
				newLeft--
				l = " " + strings.TrimPrefix(l, " ")
			default:
				oldLeft, newLeft = 0, 0 // the hunk was shorter than announced
				i--
				continue
			}
			hunks.WriteString(l + "\n")
			continue
		}
		switch {
		case strings.HasPrefix(l, "diff --git ") || strings.HasPrefix(l, "Index: "):
			flush()
			cur = &FileDiff{}
		case strings.HasPrefix(l, "--- ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "+++ "):
			if cur == nil || cur.OldPath != "" || cur.NewPath != "" || hunks.Len() > 0 {
				flush()
				cur = &FileDiff{}
			}
			cur.OldPath, cur.Created = headerPath(l[4:], "a/")
			cur.NewPath, cur.Deleted = headerPath(strings.TrimSuffix(lines[i+1], "\r")[4:], "b/")
			i++
		case strings.HasPrefix(l, "@@ ") && cur != nil:
			o, n, ok := hunkCounts(l)
			if !ok {
				continue
			}
			oldLeft, newLeft = o, n
			hunks.WriteString(l + "\n")
		case cur != nil && (strings.HasPrefix(l, "new file mode") || strings.HasPrefix(l, "create file mode")):
			cur.Created = true
		case cur != nil && strings.HasPrefix(l, "deleted file mode"):
			cur.Deleted = true
		}
	}
	flush()
	return out
}

// headerPath returns the path of a ---/+++ header without its prefix
// ("a/", "b/") and what follows a tab; dev reports /dev/null (also spelled
// "a/dev/null" or "b/dev/null", as Copilot CLI writes it).
func headerPath(h, prefix string) (p string, dev bool) {
	if i := strings.IndexByte(h, '\t'); i >= 0 {
		h = h[:i]
	}
	h = strings.TrimSpace(h)
	if h == "/dev/null" || h == "a/dev/null" || h == "b/dev/null" {
		return "", true
	}
	return strings.TrimPrefix(h, prefix), false
}

// hunkCounts returns the old and new line counts of a hunk header
// "@@ -a[,b] +c[,d] @@"; a missing count is 1.
func hunkCounts(h string) (oldLines, newLines int, ok bool) {
	f := strings.Fields(h)
	if len(f) < 3 || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
		return 0, 0, false
	}
	count := func(r string) (int, bool) {
		_, n, found := strings.Cut(r[1:], ",")
		if !found {
			return 1, true
		}
		v, err := strconv.Atoi(n)
		return v, err == nil && v >= 0
	}
	o, ok1 := count(f[1])
	n, ok2 := count(f[2])
	return o, n, ok1 && ok2
}
