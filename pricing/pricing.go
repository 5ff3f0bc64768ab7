package pricing

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Usage is the token usage of one API call in ccusage's terms. Input
// excludes cache reads (Codex and Gemini count cached tokens inside their
// input: subtract them); Output includes reasoning (Gemini's thoughts are
// output too). CacheWrite is every token written to the prompt cache and
// CacheWrite1h the part of it written with a one-hour TTL, when known
// (Claude's cache_creation.ephemeral_1h_input_tokens); the rest is priced as
// a five-minute write.
type Usage struct {
	Input, CacheRead, CacheWrite, CacheWrite1h, Output int64
}

// Price is a model's price in USD per million tokens. CacheWrite is the
// five-minute (default) cache write; CacheWrite1h the one-hour write, zero
// when the provider has no separate price for it (then CacheWrite applies).
// Providers that do not charge for cache writes (OpenAI, Google) have
// CacheWrite equal to Input. Above200k is the long-context tier, nil when
// the model has none: it replaces every rate of a call whose prompt
// (Input+CacheRead+CacheWrite) exceeds LongContextThreshold.
type Price struct {
	Input, Output, CacheRead, CacheWrite, CacheWrite1h float64
	Above200k                                          *Price
}

// Entry is one row of the built-in table. Source names where the price was
// read, the date it applies from, and whether the ccusage fixture confirms
// it. Fast is the multiplier of every rate in fast mode (Claude's
// speed:"fast", which ccusage reports as "<model>-fast"), zero when the
// model has no fast mode.
type Entry struct {
	Model  string
	Price  Price
	Source string
	Fast   float64
}

// LongContextThreshold is the prompt size, in tokens, above which a call is
// priced at the model's Above200k tier (Anthropic and Google both bill the
// whole call at the higher rates once its input exceeds 200,000 tokens).
const LongContextThreshold = 200_000

// Lookup finds a model's price. It tries the exact id, then the normalized
// id, then a family fallback:
//
//   - Normalized: lower case; a provider prefix up to the last "/" dropped
//     ("openai/", "anthropic/", "copilot/", "models/"); Bedrock's
//     "[region.]anthropic." prefix and "-v1:0" suffix, Vertex's "@date",
//     a "[1m]" context suffix, "-latest", date suffixes ("-20250514",
//     "-2025-08-07") and "-fast" dropped; dots in Claude names become dashes
//     ("claude-sonnet-4.6" is "claude-sonnet-4-6"), a Claude 4 or later
//     name with its version first is turned around (Cursor's
//     "claude-4.5-sonnet" is "claude-sonnet-4-5"), and a Claude "-0" minor
//     version is dropped ("claude-opus-4-0" is "claude-opus-4").
//   - Family fallback: the longest table id that occurs in the normalized
//     name as a whole word, not followed by a further version number. So
//     "aide-gpt-5" and "gpt-5-codex-high" price as their gpt-5 row and
//     "gemini-3.1-pro-preview-customtools" as gemini-3.1-pro-preview, while
//     "gpt-5.9" and "claude-sonnet-4-7" stay unknown rather than priced as
//     gpt-5 or claude-sonnet-4. A name that adds a size or tier word the id
//     lacks ("gpt-5-codex-mini" around "gpt-5-codex"), or that begins with
//     another family's id ("gpt-5-codex-mini" around "codex-mini"), is
//     another model and stays unknown. Ids without a dash ("o3") take part
//     only in exact and normalized matches, never inside other names.
//
// A "-fast" name of a model with a fast mode returns the fast-mode price
// (every rate times the row's Fast). ok is false for unknown names such as
// "<synthetic>" or "" and the returned Price is zero.
func Lookup(model string) (Price, bool) {
	e, fast, ok := find(model)
	if !ok {
		return Price{}, false
	}
	p := e.Price.clone()
	if fast && e.Fast > 0 {
		p = p.scaled(e.Fast)
	}
	return p, true
}

// Cost estimates the cost in USD of one API call's usage with model. ok is
// false (and usd 0) when the model is unknown. Call it per API call and add
// the results: the long-context tier depends on the size of one call's
// prompt, so pricing the summed tokens of many calls would apply it wrongly.
func Cost(model string, u Usage) (usd float64, ok bool) {
	p, ok := Lookup(model)
	if !ok {
		return 0, false
	}
	return p.Cost(u), true
}

// Cost prices one API call's usage at p, switching to p.Above200k when the
// call's prompt exceeds LongContextThreshold. Negative counts count as zero,
// and CacheWrite1h is clamped to CacheWrite.
func (p Price) Cost(u Usage) float64 {
	in, read, write, write1h, out := max(u.Input, 0), max(u.CacheRead, 0), max(u.CacheWrite, 0), max(u.CacheWrite1h, 0), max(u.Output, 0)
	write1h = min(write1h, write)
	if p.Above200k != nil && in+read+write > LongContextThreshold {
		p = *p.Above200k
	}
	rate1h := p.CacheWrite1h
	if rate1h == 0 {
		rate1h = p.CacheWrite
	}
	perMillion := float64(in)*p.Input +
		float64(read)*p.CacheRead +
		float64(write-write1h)*p.CacheWrite +
		float64(write1h)*rate1h +
		float64(out)*p.Output
	return perMillion / 1e6
}

// Table returns a copy of the built-in table, in the order of the source
// (by provider, then family), and the date it was compiled.
func Table() ([]Entry, string) {
	rows := builtin()
	for i := range rows {
		rows[i].Price = rows[i].Price.clone()
	}
	return rows, compiled
}

// clone returns p with its own copy of the long-context tier, so that a
// caller cannot change the table through the pointer.
func (p Price) clone() Price {
	if p.Above200k != nil {
		tier := *p.Above200k
		p.Above200k = &tier
	}
	return p
}

// scaled returns p with every rate multiplied by f.
func (p Price) scaled(f float64) Price {
	q := Price{
		Input:        p.Input * f,
		Output:       p.Output * f,
		CacheRead:    p.CacheRead * f,
		CacheWrite:   p.CacheWrite * f,
		CacheWrite1h: p.CacheWrite1h * f,
	}
	if p.Above200k != nil {
		tier := p.Above200k.scaled(f)
		q.Above200k = &tier
	}
	return q
}

// index is the table keyed by model id, with the ids that take part in the
// family fallback ordered longest first. It is built once and never changed.
type index struct {
	byModel  map[string]Entry
	families []string
}

var tableIndex = sync.OnceValue(func() index {
	rows := builtin()
	ix := index{byModel: make(map[string]Entry, len(rows))}
	for _, e := range rows {
		ix.byModel[e.Model] = e
		if strings.Contains(e.Model, "-") {
			ix.families = append(ix.families, e.Model)
		}
	}
	// Longest first, ties in byte order, so the fallback is deterministic.
	slices.SortFunc(ix.families, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	return ix
})

// find resolves model to its table row, reporting whether the name asked for
// fast mode.
func find(model string) (e Entry, fast bool, ok bool) {
	ix := tableIndex()
	if row, found := ix.byModel[model]; found {
		return row, false, true
	}
	name, fast := normalize(model)
	if name == "" {
		return Entry{}, false, false
	}
	if row, found := ix.byModel[name]; found {
		return row, fast, true
	}
	for _, key := range ix.families {
		if i := indexModel(name, key); i >= 0 && !otherModel(name, key, i) {
			return ix.byModel[key], fast, true
		}
	}
	return Entry{}, false, false
}

// otherModel reports whether name, which holds key at i, names another
// model than a variant of key: when it adds a size or tier word that key
// lacks ("gpt-5-codex-mini" around "gpt-5-codex"), or when the text before
// key starts another family's id ("gpt-5-codex-mini" around "codex-mini").
func otherModel(name, key string, i int) bool {
	isSep := func(r rune) bool { return r < 128 && !isAlnum(byte(r)) }
	keyWords := strings.FieldsFunc(key, isSep)
	for _, w := range strings.FieldsFunc(name, isSep) {
		switch w {
		case "mini", "nano", "lite", "pro", "max", "flash", "haiku", "sonnet", "opus":
			if !slices.Contains(keyWords, w) {
				return true
			}
		}
	}
	for _, w := range strings.FieldsFunc(name[:i], isSep) {
		switch w {
		case "gpt", "claude", "gemini", "o1", "o3", "o4", "codex":
			return true
		}
	}
	return false
}

// normalize maps the spellings of one model id seen in agents' logs and
// provider APIs to the table's spelling, and reports a "-fast" suffix.
func normalize(model string) (name string, fast bool) {
	s := strings.ToLower(strings.TrimSpace(model))
	if i := strings.IndexByte(s, '['); i > 0 { // "claude-sonnet-4-5[1m]"
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 { // "openai/gpt-5", "models/gemini-2.5-pro"
		s = s[i+1:]
	}
	bedrock := false
	if i := strings.Index(s, "anthropic."); i >= 0 { // "us.anthropic.claude-sonnet-4-20250514-v1:0"
		s, bedrock = s[i+len("anthropic."):], true
	}
	if i := strings.IndexByte(s, ':'); i >= 0 { // Bedrock "-v1:0", OpenRouter ":free"
		s = s[:i]
	}
	if bedrock {
		s = trimVersionSuffix(s)
	}
	if i := strings.IndexByte(s, '@'); i > 0 { // Vertex "claude-sonnet-4@20250514"
		s = s[:i]
	}
	for {
		before := s
		if t, ok := strings.CutSuffix(s, "-fast"); ok {
			s, fast = t, true
		}
		s = strings.TrimSuffix(s, "-latest")
		s = trimDateSuffix(s)
		if s == before {
			break
		}
	}
	if m := versionFirst.FindStringSubmatch(s); m != nil && major(m[1]) >= 4 {
		s = "claude-" + m[2] + "-" + m[1] + m[3] // Cursor's "claude-4.5-sonnet-thinking"
	}
	if strings.HasPrefix(s, "claude-") {
		s = strings.ReplaceAll(s, ".", "-")
		if t, ok := strings.CutSuffix(s, "-0"); ok && endsWithDigit(t) {
			s = t // "claude-opus-4-0" is Anthropic's alias of claude-opus-4
		}
	}
	return s, fast
}

// versionFirst matches Claude names with the version before the family:
// Anthropic's own form up to Claude 3 ("claude-3-7-sonnet"), Cursor's for
// later ones ("claude-4.5-sonnet-thinking"), which Anthropic names
// family first.
var versionFirst = regexp.MustCompile(`^claude-(\d+(?:\.\d+)?)-(opus|sonnet|haiku)(-.*)?$`)

// major returns the major number of a version "4.5".
func major(v string) int {
	n, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	return n
}

// trimDateSuffix drops an Anthropic ("-20250514") or OpenAI ("-2025-08-07")
// snapshot date from the end of s.
func trimDateSuffix(s string) string {
	if n := len(s); n > 9 && s[n-9] == '-' && allDigits(s[n-8:]) {
		return s[:n-9]
	}
	if n := len(s); n > 11 && s[n-11] == '-' && allDigits(s[n-10:n-6]) && s[n-6] == '-' &&
		allDigits(s[n-5:n-3]) && s[n-3] == '-' && allDigits(s[n-2:]) {
		return s[:n-11]
	}
	return s
}

// trimVersionSuffix drops Bedrock's "-v1" model version from the end of s.
func trimVersionSuffix(s string) string {
	i := strings.LastIndex(s, "-v")
	if i > 0 && allDigits(s[i+2:]) {
		return s[:i]
	}
	return s
}

// indexModel returns the index of the first place key occurs in name as a
// whole word that is not continued by a further version number, or -1:
// "gpt-5" is in "aide-gpt-5" and "gpt-5-codex-high" but not in "gpt-5.9",
// "gpt-5-2" or "gpt-50"; a date ("-20250514") after a key is not a version.
func indexModel(name, key string) int {
	for from := 0; from <= len(name)-len(key); {
		i := strings.Index(name[from:], key)
		if i < 0 {
			return -1
		}
		i += from
		from = i + 1
		if i > 0 && isAlnum(name[i-1]) {
			continue
		}
		rest := name[i+len(key):]
		if rest == "" {
			return i
		}
		if isAlnum(rest[0]) {
			continue
		}
		if endsWithDigit(key) && (rest[0] == '-' || rest[0] == '.') {
			n := 0
			for n < len(rest)-1 && isDigit(rest[1+n]) {
				n++
			}
			date := n == 8 && (len(rest) == 9 || !isAlnum(rest[9]))
			if n > 0 && !date {
				continue
			}
		}
		return i
	}
	return -1
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func endsWithDigit(s string) bool { return s != "" && isDigit(s[len(s)-1]) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
