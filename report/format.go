package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/aitrail/aitrail/store"
)

// USD writes an estimated cost for people, the one form every report uses
// (notes, stats, release notes, fragments, exports, the HTML report):
// dollars and cents, and "under $0.01" for a cost that is not zero but
// rounds to it, so that a small cost does not read as none.
func USD(v float64) string {
	if v > 0 && v < 0.005 {
		return "under $0.01"
	}
	return fmt.Sprintf("$%.2f", v)
}

// TokenBreakdown writes token usage for people, the one form every report
// uses (notes, show, exports): the total, then input, output, cache write
// and cache read, in the order of ccusage's columns, stats' and the JSON
// fields.
func TokenBreakdown(t store.Tokens) string {
	return fmt.Sprintf("%s (input %s, output %s, cache write %s, cache read %s)", Thousands(t.Total),
		Thousands(t.Input), Thousands(t.Output), Thousands(t.CacheWrite), Thousands(t.CacheRead))
}

// Thousands writes n with thousands separators: "1,234,567".
func Thousands(n int64) string {
	s := fmt.Sprint(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}

// Plural writes a count of things: "1 file", "2,000 files".
func Plural[N ~int | ~int64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Thousands(int64(n)) + " " + noun + "s"
}

// OneLine returns the first line of s, trimmed, marked " …" when more
// lines follow, and cut to max runes (no cut when max <= 0).
func OneLine(s string, max int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	if r := []rune(s); max > 0 && len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// ShortList joins items with ", " in at most max runes (no limit when max
// <= 0), saying how many it left out: "a, b +3 more". The first item is
// always shown whole, so that a cell names at least one (and may then be
// longer than max).
func ShortList(items []string, max int) string {
	all := strings.Join(items, ", ")
	if max <= 0 || utf8.RuneCountInString(all) <= max {
		return all
	}
	out := items[0]
	for i := 1; i < len(items); i++ {
		next := out + ", " + items[i]
		more := ""
		if left := len(items) - i - 1; left > 0 {
			more = fmt.Sprintf(" +%d more", left)
		}
		if utf8.RuneCountInString(next+more) > max {
			return fmt.Sprintf("%s +%d more", out, len(items)-i)
		}
		out = next
	}
	return out
}

// Table writes rows in columns for a terminal: the first left columns
// aligned left, the others (numbers) aligned right.
func Table(w io.Writer, rows [][]string, left int) {
	if len(rows) == 0 {
		return
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < left {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
