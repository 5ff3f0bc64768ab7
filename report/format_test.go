package report

import (
	"strings"
	"testing"

	"github.com/aitrail/aitrail/store"
)

func TestUSD(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{0, "$0.00"},
		{0.002, "under $0.01"},
		{0.0049, "under $0.01"},
		{0.005, "$0.01"},
		{0.0239, "$0.02"},
		{1234.5, "$1234.50"},
	} {
		if got := USD(tt.v); got != tt.want {
			t.Errorf("USD(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

// TestMoneyAndTokensOneForm: a note, the Markdown export and the release
// notes write the same cost and the same token breakdown the same way.
func TestMoneyAndTokensOneForm(t *testing.T) {
	tok := store.Tokens{Input: 340, Output: 110, CacheWrite: 7, CacheRead: 1000, Total: 1457}
	a := sample()
	a.Tokens = []store.ModelTokens{{Model: "gpt-5.1-codex", Tokens: tok, Cost: 0.002, Priced: true}}
	note, _ := Render(a, NoteOptions{})
	want := "1,457 (input 340, output 110, cache write 7, cache read 1,000), estimated cost under $0.01"
	if !strings.Contains(note, "- **Tokens:** "+want+"\n") {
		t.Errorf("note's tokens line: want %q in\n%s", want, note)
	}
	if got := TokenBreakdown(tok) + ", estimated cost " + USD(0.002); got != want {
		t.Errorf("TokenBreakdown and USD: %q, want %q", got, want)
	}
}

func TestShortList(t *testing.T) {
	models := []string{"claude-sonnet-4-20250514", "claude-opus-4-20250514", "claude-haiku-4-5-20251001"}
	for _, tt := range []struct {
		name  string
		items []string
		max   int
		want  string
	}{
		{"none", nil, 10, ""},
		{"fits", []string{"aa", "bb", "cc"}, 20, "aa, bb, cc"},
		{"no limit", models, 0, strings.Join(models, ", ")},
		{"two fit with the count", models, 56, "claude-sonnet-4-20250514, claude-opus-4-20250514 +1 more"},
		{"one fits with the count", models, 55, "claude-sonnet-4-20250514 +2 more"},
		{"the first is too long", []string{"abcdefghij", "k"}, 5, "abcdefghij +1 more"},
		{"exactly max", []string{"aa", "bb", "cc"}, 10, "aa, bb, cc"},
		{"one short of it", []string{"aa", "bb", "cc"}, 9, "aa +2 more"},
		{"runes, not bytes", []string{"äää", "ööö", "üüü"}, 13, "äää, ööö, üüü"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ShortList(tt.items, tt.max); got != tt.want {
				t.Errorf("ShortList(%q, %d) = %q, want %q", tt.items, tt.max, got, tt.want)
			}
		})
	}
}
