package store

import (
	"fmt"
	"math"
	"strings"
)

// MaxTokens is the largest count of one kind of token that one API call can
// report: 2^40, about 1.1 trillion, thousands of times any model's context
// window. A count below zero or above it comes from a broken or forged log:
// ingest rejects the entry (Usage.Check), and every sum leaves out the
// entries an older aitrail stored with such counts, so that a stored value
// can neither overflow a sum nor turn a total negative.
const MaxTokens = 1 << 40

// Check reports why u cannot be one API call's usage: a count below zero or
// above MaxTokens.
func (u Usage) Check() error {
	for _, c := range []struct {
		name string
		n    int64
	}{
		{"input", u.Input}, {"output", u.Output}, {"cache read", u.CacheRead}, {"cache write", u.CacheWrite},
		{"one-hour cache write", u.CacheWrite1h}, {"reasoning", u.Reasoning},
	} {
		switch {
		case c.n < 0:
			return fmt.Errorf("token usage of %s: %s tokens %d: a count cannot be negative", usageName(u), c.name, c.n)
		case c.n > MaxTokens:
			return fmt.Errorf("token usage of %s: %s tokens %d: more than any API reports for one call (at most %d)",
				usageName(u), c.name, c.n, int64(MaxTokens))
		}
	}
	return nil
}

// usageName names a usage entry in messages: its model, or its session.
func usageName(u Usage) string {
	if u.Model != "" {
		return u.Model
	}
	return "session " + u.Session
}

// Total is the sum of all four token counts, as ccusage reports it.
func (u Usage) Total() int64 {
	return addSat(addSat(u.Input, u.CacheRead), addSat(u.CacheWrite, u.Output))
}

// Tokens sums token usage in ccusage's terms.
type Tokens struct {
	Input      int64 `json:"inputTokens"`
	Output     int64 `json:"outputTokens"`
	CacheWrite int64 `json:"cacheCreationTokens"`
	CacheRead  int64 `json:"cacheReadTokens"`
	Reasoning  int64 `json:"reasoningOutputTokens"`
	Total      int64 `json:"totalTokens"`
	// CacheWrite1h is the part of CacheWrite with a one-hour TTL (priced
	// higher); ccusage reports it inside cacheCreationTokens.
	CacheWrite1h int64 `json:"-"`
}

// Pricer estimates the cost in USD of one API call's tokens with a model;
// ok is false when the model has no known price.
type Pricer func(model string, t Tokens) (usd float64, ok bool)

// Add adds o to t. Sums stop at the largest int64 rather than wrap
// around, whatever the counts (those read back from notes are not bounded
// by MaxTokens).
func (t *Tokens) Add(o Tokens) {
	t.Input = addSat(t.Input, o.Input)
	t.Output = addSat(t.Output, o.Output)
	t.CacheWrite = addSat(t.CacheWrite, o.CacheWrite)
	t.CacheRead = addSat(t.CacheRead, o.CacheRead)
	t.Reasoning = addSat(t.Reasoning, o.Reasoning)
	t.Total = addSat(t.Total, o.Total)
	t.CacheWrite1h = addSat(t.CacheWrite1h, o.CacheWrite1h)
}

// Valid reports whether no count of t is negative: sums of API calls'
// counts (as notes carry them) can be large, never below zero.
func (t Tokens) Valid() bool {
	return min(t.Input, t.Output, t.CacheWrite, t.CacheRead, t.Reasoning, t.Total, t.CacheWrite1h) >= 0
}

// addSat adds without wrapping around: a sum beyond int64's range is its
// nearest bound.
func addSat(a, b int64) int64 {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt64
	case b < 0 && s > a:
		return math.MinInt64
	}
	return s
}

// Columns and conditions of the queries that read token_usage, written
// once so that every query counts the same rows the same way.
const (
	// tokenCols are a row's counts in the order of Tokens.dest.
	tokenCols = `input, output, cache_write, cache_read, reasoning, cache_write_1h`
	// usageCounts is true of the rows whose counts are within
	// [0, MaxTokens] (see MaxTokens): only those count.
	usageCounts = `(input BETWEEN 0 AND ` + maxTokensSQL + ` AND output BETWEEN 0 AND ` + maxTokensSQL +
		` AND cache_write BETWEEN 0 AND ` + maxTokensSQL + ` AND cache_read BETWEEN 0 AND ` + maxTokensSQL +
		` AND reasoning BETWEEN 0 AND ` + maxTokensSQL + ` AND cache_write_1h BETWEEN 0 AND ` + maxTokensSQL + `)`
	maxTokensSQL = `1099511627776` // MaxTokens; a test checks that they agree
)

// tokenSums sums tokenCols over a group, under the same names, so that no
// sum fails or wraps around: SQLite's SUM stops the query with "integer
// overflow", where TOTAL does not (exact while the sum stays below 2^53, and
// CAST turns a larger one into the largest integer); PostgreSQL's SUM of
// bigints is exact, and LEAST keeps it within a bigint. Over no rows, both
// give 0.
func (d dialect) tokenSums() string {
	sum := `CAST(TOTAL(%[1]s) AS INTEGER) %[1]s`
	if d == postgresDialect {
		sum = `CAST(LEAST(COALESCE(SUM(%[1]s), 0), 9223372036854775807) AS BIGINT) %[1]s` // LEAST skips a NULL
	}
	var cols []string
	for _, c := range strings.Split(tokenCols, ", ") {
		cols = append(cols, fmt.Sprintf(sum, c))
	}
	return strings.Join(cols, ", ")
}

// dest returns pointers to t's counts in the order of tokenCols (and of
// tokenSums), for Scan.
func (t *Tokens) dest() []any {
	return []any{&t.Input, &t.Output, &t.CacheWrite, &t.CacheRead, &t.Reasoning, &t.CacheWrite1h}
}

// scanned sets Total once dest's counts are read.
func (t *Tokens) scanned() {
	t.Total = addSat(addSat(t.Input, t.Output), addSat(t.CacheWrite, t.CacheRead))
}
