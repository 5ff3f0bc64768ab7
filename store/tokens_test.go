package store

import (
	"math"
	"strconv"
	"testing"
)

// TestMaxTokensSQL checks that the queries' bound is MaxTokens.
func TestMaxTokensSQL(t *testing.T) {
	if got, want := maxTokensSQL, strconv.FormatInt(MaxTokens, 10); got != want {
		t.Errorf("maxTokensSQL = %s, want %s", got, want)
	}
}

// TestTokensAddSaturates checks that sums stop at int64's bounds instead
// of wrapping around to the other sign.
func TestTokensAddSaturates(t *testing.T) {
	tests := []struct {
		a, b, want int64
	}{
		{1, 2, 3},
		{math.MaxInt64, 1, math.MaxInt64},
		{5e18, 5e18, math.MaxInt64},
		{math.MinInt64, -1, math.MinInt64},
		{math.MaxInt64, math.MinInt64, -1},
		{-5, 3, -2},
	}
	for _, tt := range tests {
		got := Tokens{Input: tt.a, Output: tt.a, CacheWrite: tt.a, CacheRead: tt.a, Reasoning: tt.a, Total: tt.a, CacheWrite1h: tt.a}
		got.Add(Tokens{Input: tt.b, Output: tt.b, CacheWrite: tt.b, CacheRead: tt.b, Reasoning: tt.b, Total: tt.b, CacheWrite1h: tt.b})
		w := tt.want
		if want := (Tokens{w, w, w, w, w, w, w}); got != want {
			t.Errorf("%d + %d: got %+v, want %+v", tt.a, tt.b, got, want)
		}
	}
	u := Usage{Input: math.MaxInt64, Output: math.MaxInt64}
	if got := u.Total(); got != math.MaxInt64 {
		t.Errorf("Usage.Total() = %d, want %d", got, int64(math.MaxInt64))
	}
}
