package aider

import (
	"strings"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/fileedit"
	"github.com/aitrail/aitrail/store"
)

// Kinds of edit block.
const (
	blockReplace = "replace" // SEARCH/REPLACE (diff, diff-fenced, editor-diff formats)
	blockWhole   = "whole"   // a fenced file body (whole format)
	blockUdiff   = "udiff"   // a fenced unified diff (udiff format)
)

// editBlock is one edit a reply proposes: for a file named as the model
// wrote it (relative to the repository), a search and replace pair, a whole
// body, or a unified diff.
type editBlock struct {
	File string `json:"file,omitempty"`
	Kind string `json:"kind"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
	Text string `json:"text,omitempty"`
}

func isSearch(t string) bool {
	return strings.HasPrefix(t, "<<<<<<<") && strings.HasSuffix(t, "SEARCH")
}
func isDivider(t string) bool { return strings.HasPrefix(t, "=======") && strings.Trim(t, "=") == "" }
func isReplace(t string) bool {
	return strings.HasPrefix(t, ">>>>>>>") && strings.HasSuffix(t, "REPLACE")
}

// label cleans a line that may name a file: Markdown decoration and a
// trailing colon removed.
func label(t string) string {
	return strings.Trim(strings.TrimSpace(t), "`*#: ")
}

// parseEdits finds the edit blocks of a reply. A SEARCH/REPLACE block names
// its file on the last text line before it (outside or inside its fence),
// or inherits the previous block's; a fenced block without such markers is
// a unified diff (```diff, or ---/+++ headers) or a whole file named by the
// line before the fence. Which of them Aider applied, the "Applied edit to"
// lines tell.
func parseEdits(text string) []editBlock {
	lines := strings.Split(text, "\n")
	var out []editBlock
	name, inFence := "", ""
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		switch {
		case isSearch(t):
			var old, new []string
			j := i + 1
			for ; j < len(lines) && !isDivider(strings.TrimSpace(lines[j])); j++ {
				old = append(old, lines[j])
			}
			for j++; j < len(lines) && !isReplace(strings.TrimSpace(lines[j])); j++ {
				new = append(new, lines[j])
			}
			out = append(out, editBlock{File: name, Kind: blockReplace, Old: joinLines(old), New: joinLines(new)})
			i = j
		case inFence != "" && t == inFence:
			inFence = ""
		case opensFence(t):
			fence, lang := fenceEnd(t)
			j := i + 1
			for j < len(lines) && strings.TrimSpace(lines[j]) != fence {
				j++
			}
			body := lines[i+1 : j]
			switch {
			case hasSearch(body):
				inFence = fence // read on inside: the blocks and perhaps their file's name
			case lang == "diff" || isUdiff(body):
				out = append(out, editBlock{Kind: blockUdiff, Text: joinLines(body)})
				i = j
			default:
				if name != "" {
					out = append(out, editBlock{File: name, Kind: blockWhole, Text: joinLines(body)})
				}
				i = j
			}
		case t != "":
			name = label(t)
		}
	}
	return out
}

// fenceTags are the tags Aider fences code with when the code holds
// backticks.
var fenceTags = []string{"source", "sourcecode", "codeblock", "code", "pre"}

// fenceEnd returns the line that closes the fence t opens ("" when t
// opens none) and the fence's language.
func fenceEnd(t string) (end, lang string) {
	if strings.HasPrefix(t, "```") {
		ticks := t[:len(t)-len(strings.TrimLeft(t, "`"))]
		return ticks, strings.TrimSpace(t[len(ticks):])
	}
	for _, tag := range fenceTags {
		if strings.HasPrefix(t, "<"+tag+">") {
			return "</" + tag + ">", strings.TrimSpace(t[len(tag)+2:])
		}
	}
	return "", ""
}

func opensFence(t string) bool {
	end, _ := fenceEnd(t)
	return end != ""
}

func hasSearch(lines []string) bool {
	for _, l := range lines {
		if isSearch(strings.TrimSpace(l)) {
			return true
		}
	}
	return false
}

func isUdiff(lines []string) bool {
	for i := 0; i+1 < len(lines); i++ {
		if strings.HasPrefix(lines[i], "--- ") && strings.HasPrefix(lines[i+1], "+++ ") {
			return true
		}
	}
	return false
}

// joinLines joins lines as a file's text, each ending with a newline.
func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// names reports whether a block's file name (as the model wrote it) is the
// file Aider applied an edit to.
func names(block, file string) bool {
	return block == file || strings.HasSuffix(block, "/"+file) || strings.HasSuffix(file, "/"+block)
}

// applied emits the edit Aider reports applied to file, with the diff of
// the latest reply's blocks for it: its SEARCH/REPLACE pairs (hunks
// numbered from each snippet: where it sits in the file is unknown; a block
// with an empty SEARCH creates the file), else its unified diff, else its
// whole body (all lines added: what it replaced is unknown). Without a
// block for it the edit names the file only.
func (d *Decoder) applied(file string) {
	file = strings.TrimSpace(file)
	abs := canon.Join(d.dir, file)
	rel := canon.Rel(d.dir, abs)
	call := d.st.ReplyKey
	if call == "" {
		call = d.prefix
	}
	fe := store.FileEdit{Session: d.session(), Prompt: d.st.PromptKey, CallID: call, Time: d.st.Start, Path: abs,
		Op: store.OpUpdate, Source: "applied", Status: store.EditApplied}
	var pairs [][2]string
	var whole, udiff *fileedit.Diff
	created := true
	for _, b := range d.st.Edits {
		switch b.Kind {
		case blockReplace:
			if names(b.File, file) {
				pairs = append(pairs, [2]string{b.Old, b.New})
				created = created && strings.TrimSpace(b.Old) == ""
			}
		case blockWhole:
			if names(b.File, file) {
				diff := fileedit.Added(rel, b.Text, false)
				whole = &diff
			}
		case blockUdiff:
			if hunks := udiffHunks(b.Text, file); len(hunks) > 0 {
				diff := fileedit.Snippets(rel, hunks...)
				udiff = &diff
			}
		}
	}
	var diff *fileedit.Diff
	switch {
	case len(pairs) > 0 && created:
		var content strings.Builder
		for _, p := range pairs {
			content.WriteString(p[1])
		}
		c := fileedit.Added(rel, content.String(), true)
		diff, fe.Op, fe.Source = &c, store.OpAdd, "search/replace"
	case len(pairs) > 0:
		s := fileedit.Snippets(rel, pairs...)
		diff, fe.Source = &s, "search/replace"
	case udiff != nil:
		diff, fe.Source = udiff, "udiff"
	case whole != nil:
		diff, fe.Source = whole, "whole"
	}
	if diff != nil && diff.Added+diff.Removed > 0 {
		fe.Diff, fe.Added, fe.Removed = diff.Text, diff.Added, diff.Removed
	}
	d.emit(fe)
}

// udiffHunks reads the hunks of file in a unified diff as Aider's udiff
// format writes them (hunk headers without line numbers, "@@ ... @@"), as
// pairs of old and new text.
func udiffHunks(text, file string) [][2]string {
	var out [][2]string
	var old, new strings.Builder
	in, inFile := false, false
	flush := func() {
		if in && (old.Len() > 0 || new.Len() > 0) {
			out = append(out, [2]string{old.String(), new.String()})
		}
		old.Reset()
		new.Reset()
		in = false
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "--- ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "+++ "):
			flush()
			inFile = false
		case strings.HasPrefix(l, "+++ "):
			p := strings.TrimSpace(strings.TrimPrefix(l, "+++ "))
			if j := strings.IndexByte(p, '\t'); j >= 0 {
				p = p[:j]
			}
			inFile = names(strings.TrimPrefix(p, "b/"), file)
		case !inFile:
		case strings.HasPrefix(l, "@@"):
			flush()
			in = true
		case !in:
		case strings.HasPrefix(l, "+"):
			new.WriteString(l[1:] + "\n")
		case strings.HasPrefix(l, "-"):
			old.WriteString(l[1:] + "\n")
		default:
			l = strings.TrimPrefix(l, " ")
			old.WriteString(l + "\n")
			new.WriteString(l + "\n")
		}
	}
	flush()
	return out
}
