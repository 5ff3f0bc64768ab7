package pricing

import (
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// row returns the table's price for model, failing when there is no such row.
func row(t *testing.T, model string) Entry {
	t.Helper()
	rows, _ := Table()
	for _, e := range rows {
		if e.Model == model {
			return e
		}
	}
	t.Fatalf("no table row %q", model)
	return Entry{}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name  string
		model string
		want  string // table row; "" means unknown
	}{
		// Exact ids and the normalizations.
		{"exact", "claude-opus-4-6", "claude-opus-4-6"},
		{"anthropic date", "claude-sonnet-4-20250514", "claude-sonnet-4"},
		{"anthropic date 4.5", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
		{"claude dots", "claude-sonnet-4.6", "claude-sonnet-4-6"},
		{"copilot prefix", "copilot/claude-sonnet-4.6", "claude-sonnet-4-6"},
		{"anthropic prefix", "anthropic/claude-opus-4-5-20251101", "claude-opus-4-5"},
		{"openrouter prefixes", "openrouter/anthropic/claude-haiku-4.5", "claude-haiku-4-5"},
		{"openai prefix", "openai/gpt-5", "gpt-5"},
		{"openai date", "gpt-5-2025-08-07", "gpt-5"},
		{"openai dated o3", "o3-2025-04-16", "o3"},
		{"bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"},
		{"vertex", "claude-sonnet-4@20250514", "claude-sonnet-4"},
		{"anthropic -0 alias", "claude-opus-4-0", "claude-opus-4"},
		{"latest", "claude-3-5-haiku-latest", "claude-3-5-haiku"},
		{"codex-mini-latest", "codex-mini-latest", "codex-mini"},
		{"1m context suffix", "claude-sonnet-4-5[1m]", "claude-sonnet-4-5"},
		{"gemini api prefix", "models/gemini-2.5-pro", "gemini-2.5-pro"},
		{"case and space", " GPT-5.1-Codex ", "gpt-5.1-codex"},
		{"gpt dots kept", "gpt-5.1", "gpt-5.1"},
		{"fast without fast mode", "claude-sonnet-4-5-fast", "claude-sonnet-4-5"},
		{"cursor version first", "claude-4.5-sonnet", "claude-sonnet-4-5"},
		{"cursor version first, major only", "claude-4-sonnet", "claude-sonnet-4"},
		{"cursor thinking", "claude-4.5-opus-high-thinking", "claude-opus-4-5"},
		{"cursor 3.7", "claude-3.7-sonnet-thinking", "claude-3-7-sonnet"},
		{"cursor max mode is another price", "claude-4.5-sonnet-max", ""},

		// Family fallbacks: the longest id inside the name.
		{"aide-gpt-5", "aide-gpt-5", "gpt-5"},
		{"effort suffix", "gpt-5-codex-high", "gpt-5-codex"},
		{"codex max effort", "gpt-5.1-codex-max-xhigh", "gpt-5.1-codex-max"},
		{"gemini customtools", "gemini-3.1-pro-preview-customtools", "gemini-3.1-pro-preview"},
		{"gemini dated preview", "gemini-2.5-pro-preview-06-05", "gemini-2.5-pro"},
		{"longest family wins", "gemini-2.5-flash-lite-preview-09-2025", "gemini-2.5-flash-lite"},
		{"claude variant", "claude-opus-4-6-thinking", "claude-opus-4-6"},

		// Unknown: never guessed.
		{"synthetic", "<synthetic>", ""},
		{"empty", "", ""},
		{"bare family word", "haiku", ""},
		{"later minor version", "gpt-5.9", ""},
		{"later claude version", "claude-sonnet-4-7", ""},
		{"digits continue", "gpt-50", ""},
		{"other tier", "gpt-5-codex-mini", ""},
		{"other family before", "gpt-9-codex-mini", ""},
		{"other tier around claude", "claude-opus-4-6-mini", ""},
		{"short id not a family", "my-o3-model", ""},
		{"unrelated", "llama-3.1-70b-instruct", ""},
		{"next major", "claude-opus-5", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Lookup(tt.model)
			if tt.want == "" {
				if ok {
					t.Errorf("Lookup(%q) = %+v, true; want unknown", tt.model, got)
				}
				return
			}
			if !ok {
				t.Fatalf("Lookup(%q) unknown; want %s", tt.model, tt.want)
			}
			if want := row(t, tt.want).Price; !reflect.DeepEqual(got, want) {
				t.Errorf("Lookup(%q) = %+v; want %s's %+v", tt.model, got, tt.want, want)
			}
		})
	}
}

func TestLookupFast(t *testing.T) {
	got, ok := Lookup("claude-opus-4-6-fast")
	if !ok {
		t.Fatal("claude-opus-4-6-fast unknown")
	}
	want := Price{Input: 30, Output: 150, CacheWrite: 37.5, CacheWrite1h: 60, CacheRead: 3}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Lookup(claude-opus-4-6-fast) = %+v; want 6× opus 4.6 %+v", got, want)
	}
	base, _ := Lookup("claude-opus-4-6")
	if base.Input != 5 {
		t.Errorf("fast lookup changed the base price: %+v", base)
	}
}

func TestCost(t *testing.T) {
	tests := []struct {
		name  string
		model string
		u     Usage
		want  float64
	}{
		{"plain", "claude-sonnet-4-5", Usage{Input: 100_000, Output: 1_000_000}, 0.3 + 15},
		{"all kinds, 1h writes at 2x input", "claude-sonnet-4-5",
			Usage{Input: 1000, CacheRead: 10_000, CacheWrite: 2000, CacheWrite1h: 500, Output: 300},
			(1000*3 + 10_000*0.3 + 1500*3.75 + 500*6 + 300*15) / 1e6},
		{"all 1h", "claude-opus-4-6", Usage{CacheWrite: 9036, CacheWrite1h: 9036}, 9036 * 10 / 1e6},
		{"1h clamped to writes", "claude-opus-4-6", Usage{CacheWrite: 100, CacheWrite1h: 500}, 100 * 10 / 1e6},
		{"no 1h price: 1h priced as a write", "gpt-5", Usage{CacheWrite: 1000, CacheWrite1h: 1000}, 1000 * 1.25 / 1e6},
		{"codex", "gpt-5.1-codex-max", Usage{Input: 1200, Output: 50}, 0.002},
		{"prompt at 200k stays base", "claude-sonnet-4", Usage{CacheRead: 200_000}, 200_000 * 0.3 / 1e6},
		{"prompt over 200k: whole call at tier", "claude-sonnet-4",
			Usage{Input: 10, CacheRead: 200_000, CacheWrite: 1000, Output: 100},
			(10*6 + 200_000*0.6 + 1000*7.5 + 100*22.5) / 1e6},
		{"1h write in the tier", "claude-sonnet-4-5",
			Usage{Input: 250_000, CacheWrite: 1000, CacheWrite1h: 1000}, (250_000*6 + 1000*12) / 1e6},
		{"gemini tier", "gemini-2.5-pro", Usage{Input: 150_000, CacheRead: 60_000, Output: 1000},
			(150_000*2.5 + 60_000*0.25 + 1000*15) / 1e6},
		{"no tier: flat above 200k", "claude-opus-4-6", Usage{CacheRead: 900_000}, 900_000 * 0.5 / 1e6},
		{"fast mode", "claude-opus-4-6-fast", Usage{Input: 1_000_000, Output: 1_000_000}, 30 + 150},
		{"negative counts are zero", "gpt-5", Usage{Input: -5, Output: 1_000_000}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Cost(tt.model, tt.u)
			if !ok {
				t.Fatalf("Cost(%q) unknown model", tt.model)
			}
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Cost(%q, %+v) = %.12f; want %.12f", tt.model, tt.u, got, tt.want)
			}
		})
	}
}

func TestCostUnknown(t *testing.T) {
	for _, model := range []string{"<synthetic>", "", "made-up-model-7"} {
		if got, ok := Cost(model, Usage{Input: 1000, Output: 1000}); ok || got != 0 {
			t.Errorf("Cost(%q) = %v, %v; want 0, false", model, got, ok)
		}
	}
}

func TestTable(t *testing.T) {
	rows, date := Table()
	if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(date) {
		t.Errorf("compiled date %q is not YYYY-MM-DD", date)
	}
	seen := map[string]bool{}
	for _, e := range rows {
		if seen[e.Model] {
			t.Errorf("%s: duplicate row", e.Model)
		}
		seen[e.Model] = true
		if e.Source == "" {
			t.Errorf("%s: no source", e.Model)
		}
		if got, ok := Lookup(e.Model); !ok || !reflect.DeepEqual(got, e.Price) {
			t.Errorf("Lookup(%s) = %+v, %v; want its own row %+v", e.Model, got, ok, e.Price)
		}
		for _, p := range tiers(e.Price) {
			checkRates(t, e.Model, p)
		}
	}
}

// tiers returns p and its long-context tier, if any.
func tiers(p Price) []Price {
	if p.Above200k == nil {
		return []Price{p}
	}
	return []Price{p, *p.Above200k}
}

// checkRates checks a price against its provider's published ratios: for
// Anthropic, cache writes at 1.25× (5 minutes) and 2× (1 hour) input and
// reads at 0.1×; for the others, writes billed as input and reads at most
// the input rate.
func checkRates(t *testing.T, model string, p Price) {
	t.Helper()
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if p.Input <= 0 || p.Output <= 0 || p.CacheRead <= 0 {
		t.Errorf("%s: non-positive rate in %+v", model, p)
	}
	if model == "claude-3-haiku" {
		return // Haiku 3 predates the ratios: Anthropic lists 0.30 (5m), 0.50 (1h), 0.03 (read)
	}
	if strings.HasPrefix(model, "claude-") {
		if !near(p.CacheWrite, 1.25*p.Input) || !near(p.CacheWrite1h, 2*p.Input) || !near(p.CacheRead, 0.1*p.Input) {
			t.Errorf("%s: %+v breaks Anthropic's 1.25×/2×/0.1× cache ratios", model, p)
		}
		return
	}
	if p.CacheWrite != p.Input || p.CacheWrite1h != 0 || p.CacheRead > p.Input {
		t.Errorf("%s: %+v: want writes at input, no 1h rate, reads at most input", model, p)
	}
}

func TestTableIsACopy(t *testing.T) {
	rows, _ := Table()
	for i := range rows {
		if rows[i].Price.Above200k != nil {
			rows[i].Price.Above200k.Input = 999
		}
		rows[i].Price.Input = 999
	}
	p, _ := Lookup("claude-sonnet-4")
	if p.Input != 3 || p.Above200k == nil || p.Above200k.Input != 6 {
		t.Errorf("changing Table's rows changed the table: %+v", p)
	}
	p.Above200k.Input = 999
	if q, _ := Lookup("claude-sonnet-4"); q.Above200k.Input != 6 {
		t.Errorf("changing a looked-up tier changed the table: %+v", q.Above200k)
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"claude-sonnet-4.6", "us.anthropic.claude-opus-4-1-20250805-v1:0", "aide-gpt-5",
		"gpt-5-2025-08-07", "claude-opus-4-6-fast", "<synthetic>", "a/b/c:d@e[f]", "gpt-5.-", "-fast-latest"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, model string) {
		p, ok := Lookup(model)
		if !ok {
			if p != (Price{}) {
				t.Errorf("Lookup(%q) unknown but returned %+v", model, p)
			}
			return
		}
		usd, ok := Cost(model, Usage{Input: 1, CacheRead: 1, CacheWrite: 1, Output: 1})
		if !ok || usd <= 0 || math.IsInf(usd, 0) || math.IsNaN(usd) {
			t.Errorf("Cost(%q) = %v, %v for a known model", model, usd, ok)
		}
	})
}
