package pricing

// compiled is the date the table below was compiled. Every row's Source
// gives the page its price was read from and the month it applies from;
// "= ccusage" means the price reproduces the cost ccusage 20.0.24 reported
// for the fixture sessions (../shared/fixtures/expected, checked by
// TestMatchesCcusage), "ccusage table" that the row follows ccusage's
// built-in table (rust/crates/ccusage/src/pricing.rs) without a provider
// page to confirm it.
const compiled = "2026-12-03"

// Where the prices were read. Rates are the standard (interactive, non-batch,
// non-priority) tier for text, in USD per million tokens.
const (
	anthropicPage = "anthropic.com/pricing"
	openaiPage    = "openai.com/api/pricing"
	googlePage    = "ai.google.dev/gemini-api/docs/pricing"
	xaiPage       = "docs.x.ai/docs/models"
	ccusageTable  = "ccusage table (pricing.rs)"
)

// claude is an Anthropic price: a five-minute cache write costs 1.25× input,
// a one-hour write 2×, a cache read 0.1×. The rates are written out rather
// than multiplied so the table reads as the provider's page does.
func claude(in, out, write5m, write1h, read float64) Price {
	return Price{Input: in, Output: out, CacheWrite: write5m, CacheWrite1h: write1h, CacheRead: read}
}

// flat is a price with no cache-write surcharge (OpenAI, Google): tokens
// written to the cache are billed as input. Models without prompt caching
// bill cached tokens as input too (cached = in).
func flat(in, out, cached float64) Price {
	return Price{Input: in, Output: out, CacheWrite: in, CacheRead: cached}
}

// tiered returns p with a long-context tier.
func tiered(p, above Price) Price {
	p.Above200k = &above
	return p
}

// builtin returns a fresh copy of the table, grouped by provider, newest
// family first.
func builtin() []Entry {
	return []Entry{
		// Anthropic. Long-context (>200k prompt) rates apply to Sonnet 4 and
		// 4.5 with the 1M-token context. The 4.6 models have no tier, as in
		// ccusage's table (1M context at standard rates).
		{Model: "claude-opus-4-8", Price: claude(5, 25, 6.25, 10, 0.5), Source: ccusageTable + "; not confirmed by Anthropic's page"},
		{Model: "claude-opus-4-7", Price: claude(5, 25, 6.25, 10, 0.5), Source: ccusageTable + "; not confirmed by Anthropic's page", Fast: 6},
		{Model: "claude-opus-4-6", Price: claude(5, 25, 6.25, 10, 0.5), Source: anthropicPage + ", 2026-02; = ccusage (1h writes included); fast mode 6× as ccusage", Fast: 6},
		{Model: "claude-opus-4-5", Price: claude(5, 25, 6.25, 10, 0.5), Source: anthropicPage + ", 2025-11; = ccusage"},
		{Model: "claude-opus-4-1", Price: claude(15, 75, 18.75, 30, 1.5), Source: anthropicPage + ", 2025-08"},
		{Model: "claude-opus-4", Price: claude(15, 75, 18.75, 30, 1.5), Source: anthropicPage + ", 2025-05; = ccusage"},
		{Model: "claude-sonnet-4-6", Price: claude(3, 15, 3.75, 6, 0.3), Source: anthropicPage + ", 2026-02; = ccusage (as Copilot's claude-sonnet-4.6)"},
		{Model: "claude-sonnet-4-5", Price: tiered(claude(3, 15, 3.75, 6, 0.3), claude(6, 22.5, 7.5, 12, 0.6)), Source: anthropicPage + ", 2025-09; = ccusage"},
		{Model: "claude-sonnet-4", Price: tiered(claude(3, 15, 3.75, 6, 0.3), claude(6, 22.5, 7.5, 12, 0.6)), Source: anthropicPage + ", 2025-05; = ccusage"},
		{Model: "claude-haiku-4-5", Price: claude(1, 5, 1.25, 2, 0.1), Source: anthropicPage + ", 2025-10; = ccusage"},
		{Model: "claude-3-7-sonnet", Price: claude(3, 15, 3.75, 6, 0.3), Source: anthropicPage + ", 2025-02"},
		{Model: "claude-3-5-sonnet", Price: claude(3, 15, 3.75, 6, 0.3), Source: anthropicPage + ", 2024-06"},
		{Model: "claude-3-5-haiku", Price: claude(0.8, 4, 1, 1.6, 0.08), Source: anthropicPage + ", 2024-11"},
		{Model: "claude-3-opus", Price: claude(15, 75, 18.75, 30, 1.5), Source: anthropicPage + ", 2024-03"},
		{Model: "claude-3-haiku", Price: claude(0.25, 1.25, 0.3, 0.5, 0.03), Source: anthropicPage + ", 2024-03"},

		// OpenAI. Cached input is a read; OpenAI charges nothing extra to
		// write the cache. The pro models have no prompt caching.
		{Model: "gpt-5.5", Price: flat(5, 30, 0.5), Source: ccusageTable + "; not confirmed by OpenAI's page; fast 2.5× as ccusage", Fast: 2.5},
		{Model: "gpt-5.4", Price: flat(2.5, 15, 0.25), Source: ccusageTable + "; not confirmed by OpenAI's page; fast 2× as ccusage", Fast: 2},
		{Model: "gpt-5.4-mini", Price: flat(0.75, 4.5, 0.075), Source: ccusageTable + "; not confirmed by OpenAI's page"},
		{Model: "gpt-5.4-nano", Price: flat(0.2, 1.25, 0.02), Source: ccusageTable + "; not confirmed by OpenAI's page"},
		{Model: "gpt-5.3-codex", Price: flat(1.75, 14, 0.175), Source: ccusageTable + "; not confirmed by OpenAI's page; fast 2× as ccusage", Fast: 2},
		{Model: "gpt-5.2-codex", Price: flat(1.75, 14, 0.175), Source: openaiPage + ", 2026-01; same in ccusage table"},
		{Model: "gpt-5.2-pro", Price: flat(21, 168, 21), Source: openaiPage + ", 2025-12"},
		{Model: "gpt-5.2", Price: flat(1.75, 14, 0.175), Source: openaiPage + ", 2025-12; same in ccusage table"},
		{Model: "gpt-5.1-codex-max", Price: flat(1.25, 10, 0.125), Source: openaiPage + ", 2025-11; = ccusage"},
		{Model: "gpt-5.1-codex-mini", Price: flat(0.25, 2, 0.025), Source: openaiPage + ", 2025-11"},
		{Model: "gpt-5.1-codex", Price: flat(1.25, 10, 0.125), Source: openaiPage + ", 2025-11; same in ccusage table"},
		{Model: "gpt-5.1", Price: flat(1.25, 10, 0.125), Source: openaiPage + ", 2025-11; same in ccusage table"},
		{Model: "gpt-5-codex", Price: flat(1.25, 10, 0.125), Source: openaiPage + ", 2025-09"},
		{Model: "gpt-5-pro", Price: flat(15, 120, 15), Source: openaiPage + ", 2025-10"},
		{Model: "gpt-5-mini", Price: flat(0.25, 2, 0.025), Source: openaiPage + ", 2025-08"},
		{Model: "gpt-5-nano", Price: flat(0.05, 0.4, 0.005), Source: openaiPage + ", 2025-08"},
		{Model: "gpt-5", Price: flat(1.25, 10, 0.125), Source: openaiPage + ", 2025-08; = ccusage (as aide-gpt-5)"},
		{Model: "gpt-4.1", Price: flat(2, 8, 0.5), Source: openaiPage + ", 2025-04"},
		{Model: "gpt-4.1-mini", Price: flat(0.4, 1.6, 0.1), Source: openaiPage + ", 2025-04"},
		{Model: "gpt-4.1-nano", Price: flat(0.1, 0.4, 0.025), Source: openaiPage + ", 2025-04"},
		{Model: "gpt-4o", Price: flat(2.5, 10, 1.25), Source: openaiPage + ", 2024-08"},
		{Model: "gpt-4o-mini", Price: flat(0.15, 0.6, 0.075), Source: openaiPage + ", 2024-07"},
		{Model: "o3", Price: flat(2, 8, 0.5), Source: openaiPage + ", 2025-06 (after the 80% cut)"},
		{Model: "o3-pro", Price: flat(20, 80, 20), Source: openaiPage + ", 2025-06"},
		{Model: "o3-mini", Price: flat(1.1, 4.4, 0.55), Source: openaiPage + ", 2025-01"},
		{Model: "o4-mini", Price: flat(1.1, 4.4, 0.275), Source: openaiPage + ", 2025-04"},
		{Model: "o1", Price: flat(15, 60, 7.5), Source: openaiPage + ", 2024-12"},
		{Model: "codex-mini", Price: flat(1.5, 6, 0.375), Source: openaiPage + ", 2025-05 (codex-mini-latest)"},

		// Google, paid tier. Cached input is a read; context-cache storage
		// (per token-hour) is not modelled. Pro models bill a prompt over
		// 200k tokens at the higher tier.
		{Model: "gemini-3.1-pro-preview", Price: tiered(flat(2, 12, 0.2), flat(4, 18, 0.4)), Source: googlePage + ", 2026-02; = ccusage"},
		{Model: "gemini-3-pro-preview", Price: tiered(flat(2, 12, 0.2), flat(4, 18, 0.4)), Source: googlePage + ", 2025-11"},
		{Model: "gemini-3-flash-preview", Price: flat(0.5, 3, 0.05), Source: googlePage + ", 2025-12; = ccusage"},
		{Model: "gemini-2.5-pro", Price: tiered(flat(1.25, 10, 0.125), flat(2.5, 15, 0.25)), Source: googlePage + ", 2025-06; = ccusage"},
		{Model: "gemini-2.5-flash", Price: flat(0.3, 2.5, 0.03), Source: googlePage + ", 2025-06"},
		{Model: "gemini-2.5-flash-lite", Price: flat(0.1, 0.4, 0.01), Source: googlePage + ", 2025-07"},
		{Model: "gemini-2.0-flash", Price: flat(0.1, 0.4, 0.025), Source: googlePage + ", 2025-02"},

		// xAI, as GitHub Copilot offers it.
		{Model: "grok-code-fast-1", Price: flat(0.2, 1.5, 0.02), Source: xaiPage + ", 2025-08"},
	}
}
