// Package pricing estimates the USD cost of an AI model's token usage from a
// built-in table of the providers' published per-million-token prices. It
// works offline: the table is compiled in and never fetched.
//
// It owns the price table, the rules that map a model id as the agents log
// it ("claude-sonnet-4-5-20250929", "openai/gpt-5", "claude-sonnet-4.6",
// "claude-opus-4-6-fast") to a table row, and the arithmetic. It knows
// nothing of agents' log formats: callers convert an agent's counts into a
// Usage in ccusage's terms (input without cache reads, output with
// reasoning). It does not know about sessions or sums either: Cost prices one
// API call, so that the long-context tier applies to the calls that crossed
// it; add the costs of calls rather than pricing summed tokens.
//
// The numbers are estimates. docs/pricing.md lists the table, its sources
// and dates, and what is not modelled.
package pricing
