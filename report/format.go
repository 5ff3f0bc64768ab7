package report

import (
	"fmt"

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
	return fmt.Sprintf("%s (input %s, output %s, cache write %s, cache read %s)", thousands(t.Total),
		thousands(t.Input), thousands(t.Output), thousands(t.CacheWrite), thousands(t.CacheRead))
}
