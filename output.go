package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aitrail/aitrail/ingest"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
)

// writeJSON writes v as the JSON outputs are written: indented, with <, >
// and & as they are.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// countList writes counts as "a 1, b 2", by key.
func countList(m map[string]int) string {
	var parts []string
	for _, k := range ingest.Sorted(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// shortTime writes t for the terminal: in the local time zone, as --since
// and --until read dates and stats --by day counts them (docs/cli.md,
// "Times").
func shortTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// clip keeps the first max lines of s unless full.
func clip(s string, max int, full bool) string {
	s = strings.TrimRight(s, "\n")
	if full {
		return s
	}
	lines := strings.Split(s, "\n")
	if len(lines) <= max {
		return s
	}
	return strings.Join(lines[:max], "\n") + fmt.Sprintf("\n… (%d more lines; --full shows them)", len(lines)-max)
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// dollars formats an estimated cost, flagging tokens of unpriced models.
func dollars(usd float64, unpriced int64) string {
	s := report.USD(usd)
	if unpriced > 0 {
		s += "*"
	}
	return s
}

// findingView is a finding as the outputs print it: where, and which rule;
// never the value.
type findingView struct {
	Path        string `json:"path,omitempty"`
	Rule        string `json:"rule"`
	Fingerprint string `json:"fingerprint"`
	Start       int    `json:"start"`
	End         int    `json:"end"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	EndLine     int    `json:"endLine"`
	EndColumn   int    `json:"endColumn"`
}

// findingViews sorts findings by offset and locates them in text by line
// and byte column (1-based).
func findingViews(path, text string, fs []redact.Finding) []findingView {
	starts := []int{0} // offsets where lines start
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	pos := func(off int) (line, col int) {
		i := sort.SearchInts(starts, off+1) - 1
		return i + 1, off - starts[i] + 1
	}
	out := make([]findingView, 0, len(fs))
	for _, f := range fs {
		v := findingView{Path: path, Rule: f.RuleID, Fingerprint: f.RuleFingerprint, Start: f.Start, End: f.End}
		if f.Start >= 0 {
			v.Line, v.Column = pos(f.Start)
			v.EndLine, v.EndColumn = pos(max(f.Start, f.End-1))
		}
		out = append(out, v)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Start != out[j].Start {
			return out[i].Start < out[j].Start
		}
		return out[i].End > out[j].End
	})
	return out
}
