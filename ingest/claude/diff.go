package claude

import (
	"fmt"
	"strings"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/fileedit"
)

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
// 1 of an empty old side (the diff of nothing and content). noEOL marks a
// last line without newline, for whole files.
func allAdded(b *strings.Builder, content string, noEOL bool) int {
	added, _ := fileedit.Hunks(b, "", content)
	if noEOL && added > 0 && !strings.HasSuffix(content, "\n") {
		b.WriteString("\\ No newline at end of file\n")
	}
	return added
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
		fileedit.HunkHeader(b, h.OldStart, oldLines, h.NewStart, newLines)
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
