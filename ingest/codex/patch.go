package codex

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aitrail/aitrail/store"
)

// The apply_patch grammar (codex-rs apply-patch, lenient mode):
//
//	*** Begin Patch
//	*** Add File: <path>        then "+" lines: the new file
//	*** Delete File: <path>
//	*** Update File: <path>
//	*** Move to: <path>         optional
//	@@ [context]                hunks of " ", "-", "+" lines; the first
//	                            hunk's "@@" may be missing
//	*** End of File             optional, closes a hunk at the file's end
//	*** End Patch

const (
	beginPatch = "*** Begin Patch"
	endPatch   = "*** End Patch"
	addFile    = "*** Add File: "
	deleteFile = "*** Delete File: "
	updateFile = "*** Update File: "
	moveTo     = "*** Move to: "
	endOfFile  = "*** End of File"
)

// patchFile is one file operation of a patch.
type patchFile struct {
	Op     string // store.OpAdd, store.OpDelete or store.OpUpdate
	Path   string // as written in the patch
	MoveTo string // destination of an update that moves the file
	Lines  []string
	Hunks  []patchHunk
}

// patchHunk is one "@@" section of an update.
type patchHunk struct {
	Context string   // the text after "@@", trimmed
	Lines   []string // with their " ", "-" or "+" prefix
	EOF     bool     // closed by "*** End of File"
}

var errNoBegin = errors.New("patch does not start with " + beginPatch)

// parsePatch parses an apply_patch patch. Like Codex, it rejects a patch it
// cannot read as a whole: Codex then changes no file.
func parsePatch(text string) ([]patchFile, error) {
	lines := strings.Split(text, "\n")
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	// A heredoc opener left in the argument (`<<'EOF'`), which Codex's
	// lenient mode accepts.
	if i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "<<") {
		i++
	}
	if i >= len(lines) || strings.TrimSpace(lines[i]) != beginPatch {
		return nil, errNoBegin
	}
	i++
	var files []patchFile
	for i < len(lines) {
		t := strings.TrimSpace(lines[i])
		switch {
		case t == endPatch:
			return files, nil
		case t == "":
			i++
		case strings.HasPrefix(t, addFile):
			f := patchFile{Op: store.OpAdd, Path: strings.TrimSpace(t[len(addFile):])}
			for i++; i < len(lines) && strings.HasPrefix(lines[i], "+"); i++ {
				f.Lines = append(f.Lines, lines[i][1:])
			}
			files = append(files, f)
		case strings.HasPrefix(t, deleteFile):
			files = append(files, patchFile{Op: store.OpDelete, Path: strings.TrimSpace(t[len(deleteFile):])})
			i++
		case strings.HasPrefix(t, updateFile):
			f := patchFile{Op: store.OpUpdate, Path: strings.TrimSpace(t[len(updateFile):])}
			i++
			if i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), moveTo) {
				f.MoveTo = strings.TrimSpace(strings.TrimSpace(lines[i])[len(moveTo):])
				i++
			}
			var err error
			if f.Hunks, i, err = parseHunks(lines, i); err != nil {
				return nil, fmt.Errorf("update %s: %w", f.Path, err)
			}
			if len(f.Hunks) == 0 {
				return nil, fmt.Errorf("update %s: no hunks", f.Path)
			}
			files = append(files, f)
		default:
			return nil, fmt.Errorf("patch line %d: unexpected %q", i+1, truncate(t, 40))
		}
	}
	return nil, errors.New("patch does not end with " + endPatch)
}

// parseHunks reads the hunks of an update from lines[i:] and returns them
// with the index of the first line after them.
func parseHunks(lines []string, i int) ([]patchHunk, int, error) {
	var hunks []patchHunk
	cur := -1
	for ; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "@@"):
			hunks = append(hunks, patchHunk{Context: strings.TrimSpace(l[2:])})
			cur = len(hunks) - 1
			continue
		case strings.TrimSpace(l) == endOfFile:
			if cur < 0 {
				return nil, i, errors.New("*** End of File outside a hunk")
			}
			hunks[cur].EOF = true
			continue
		case l == "" || l[0] == ' ' || l[0] == '+' || l[0] == '-':
			// An empty line is an empty context line.
		default:
			return hunks, i, nil
		}
		if cur < 0 {
			hunks = append(hunks, patchHunk{})
			cur = 0
		}
		if l == "" {
			l = " "
		}
		hunks[cur].Lines = append(hunks[cur].Lines, l)
	}
	return hunks, i, nil
}

// counts returns the lines a file operation adds and removes. A deletion
// counts nothing: the patch does not hold the deleted content.
func (f patchFile) counts() (added, removed int) {
	if f.Op == store.OpAdd {
		return len(f.Lines), 0
	}
	for _, h := range f.Hunks {
		for _, l := range h.Lines {
			switch l[0] {
			case '+':
				added++
			case '-':
				removed++
			}
		}
	}
	return added, removed
}

// diff renders the operation as a unified diff between the files named
// oldName and newName (canon.DiffName). apply_patch hunks carry no line numbers, so an update's hunk
// headers are "@@" followed by the patch's context text, as the patch wrote
// them; an added file's single hunk has its real numbers.
func (f patchFile) diff(oldName, newName string) string {
	var b strings.Builder
	switch f.Op {
	case store.OpAdd:
		return contentDiff("", newName, f.Lines, '+')
	case store.OpDelete:
		fmt.Fprintf(&b, "--- %s\n+++ /dev/null\n", oldName)
		return b.String()
	}
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range f.Hunks {
		b.WriteString("@@")
		if h.Context != "" {
			b.WriteString(" " + h.Context)
		}
		b.WriteByte('\n')
		for _, l := range h.Lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// contentDiff renders a whole file added (op '+', named newName) or deleted
// (op '-', named oldName) as a unified diff with one hunk.
func contentDiff(oldName, newName string, lines []string, op byte) string {
	var b strings.Builder
	if op == '+' {
		fmt.Fprintf(&b, "--- /dev/null\n+++ %s\n", newName)
		if len(lines) > 0 {
			fmt.Fprintf(&b, "@@ -0,0 +1,%d @@\n", len(lines))
		}
	} else {
		fmt.Fprintf(&b, "--- %s\n+++ /dev/null\n", oldName)
		if len(lines) > 0 {
			fmt.Fprintf(&b, "@@ -1,%d +0,0 @@\n", len(lines))
		}
	}
	for _, l := range lines {
		b.WriteByte(op)
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// splitContent splits file content into lines, without a last empty line
// for a trailing newline.
func splitContent(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// diffCounts counts the added and removed lines of a unified diff, from its
// first hunk on (so ---/+++ headers do not count).
func diffCounts(diff string) (added, removed int) {
	inHunk := !strings.HasPrefix(diff, "--- ") && !strings.Contains(diff, "\n@@") && !strings.HasPrefix(diff, "@@")
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "@@") {
			inHunk = true
			continue
		}
		if !inHunk || l == "" {
			continue
		}
		switch l[0] {
		case '+':
			added++
		case '-':
			removed++
		}
	}
	return added, removed
}

// truncate shortens s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
