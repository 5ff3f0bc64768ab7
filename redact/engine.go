package redact

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Scope says where a text comes from; rules apply per scope.
type Scope string

// Scopes of Engine.Text.
const (
	ScopePrompt Scope = "prompt" // a user prompt
	ScopeField  Scope = "field"  // any other stored text field (tool args/outputs, messages, diffs, raw json)
	// ScopeRecord is a text field of a record decoded from a raw log line:
	// every rule applies, prompt-scoped ones included, as they do to the
	// line itself (JSON), since any field may hold a copy of a prompt.
	ScopeRecord Scope = "record"
	// ScopeID is an identifier decoded from a raw log line (a session id,
	// a key, a model name): only manual redactions apply, as they do to
	// the values of identifier keys in the line itself (JSON).
	ScopeID Scope = "id"
)

// bits returns the scope bits of the rules that apply to s.
func (s Scope) bits() uint8 {
	switch s {
	case ScopePrompt:
		return scopeBitPrompt
	case ScopeRecord:
		return scopeBitsAll
	case ScopeID:
		return scopeBitID
	}
	return scopeBitField
}

// IP address policies.
const (
	IPPublic = "public" // redact public addresses only (the default)
	IPAll    = "all"    // redact every address, private and loopback included
	IPOff    = "off"    // redact no address
)

// Finding is one redacted span. It never holds the value itself.
type Finding struct {
	RuleID          string
	RuleFingerprint string // short hex hash of the rule's definition
	ValueHash       string // keyed HMAC-SHA256 of the matched value, hex of the first 16 bytes
	Start, End      int    // byte offsets in the input; -1 when unknown
	Actor           string // the rule's or manual redaction's actor ("" for the built-in pack)
}

// Config selects rules and policies. Start from DefaultConfig: the zero
// Config turns the personal-data policies other than IP addresses off.
type Config struct {
	Rules    []Rule   // extra rules (user file first, then repository file), applied after the built-ins
	Manual   []Manual // manual redactions, applied after the rules (see TextAt for scopes)
	Disabled []string // built-in rule ids the user disabled
	// Key is the HMAC key of Finding.ValueHash and of pseudonyms. When empty,
	// a fixed public key is used: hashes are then stable across installations
	// and short values can be guessed from them, so set a per-user key.
	Key      []byte
	Home     string // the user's home directory: redacted as a literal term, replaced by "~"
	Username string // the OS username: redacted as a whole word
	IPPolicy string // IPPublic ("" means public), IPAll or IPOff

	Emails    bool // redact e-mail addresses (bot and noreply addresses excepted)
	Phones    bool // redact phone numbers (international or North American formats)
	Cards     bool // redact payment card numbers (Luhn-valid, known issuer prefix)
	IBANs     bool // redact IBANs (valid length and mod-97 checksum)
	UserPaths bool // redact the user name in any /Users/<name>, /home/<name>, C:\Users\<name>

	// Pseudonyms makes placeholders carry 8 hex digits of the value's keyed
	// hash, [REDACTED:<id>:<hex>], so that equal values stay recognisable.
	Pseudonyms bool

	// RepoRules returns the rules of the repository whose work tree is at
	// root (its rule file, parsed with OriginRepo), nil when it has none.
	// A repository's rules apply only to texts located in it
	// (Location.Repo); the engine asks once per repository, the first time
	// it meets one (see Engine.Repo). nil: no repository rules.
	RepoRules func(root string) ([]Rule, error)
}

// DefaultConfig returns the default policies. Home and Username are left
// empty: the caller fills them (os.UserHomeDir, user.Current).
func DefaultConfig() Config {
	return Config{
		IPPolicy:  IPPublic,
		Emails:    true,
		Phones:    true,
		Cards:     true,
		IBANs:     true,
		UserPaths: true,
	}
}

// defaultKey is the documented fallback HMAC key.
var defaultKey = []byte("aitrail/redact default value-hash key v1")

// Engine redacts texts. It is immutable after New and safe for concurrent
// use.
type Engine struct {
	cfg       Config
	key       []byte
	rules     []*compiledRule // enabled rules, in order
	infos     []RuleInfo
	ac        *acMatcher
	patRules  [][]int32 // keyword -> rules
	phPat     int       // keyword index of "[REDACTED:"
	whole     []int32   // rules that run on the whole text
	digitIdx  [4]int32  // ip, phone, card, iban rule indices (-1 = off)
	assignIdx int32     // the assignment detector's rule index (-1 = off)
	homes     []homeTerm
	user      string
	hashed    []hashGroup // literal prints of manual redactions, by length
	rollBase  uint64
	scoped    bool            // a manual redaction has a scope narrower than global
	scopedIDs map[string]bool // the rule ids of those
	manual    bool            // the engine has manual redactions
	pool      sync.Pool

	repoMu sync.Mutex
	repos  map[string]*repoEngine // repository root → its rules
}

// New compiles the built-in pack and cfg's rules.
func New(cfg Config) (*Engine, error) {
	builtins, err := builtinRules()
	if err != nil {
		return nil, err
	}
	return newEngine(cfg, builtins)
}

// newEngine builds an engine whose built-in pack is builtins.
func newEngine(cfg Config, builtins []Rule) (*Engine, error) {
	isBuiltin := make(map[string]int, len(builtins))
	for i, r := range builtins {
		isBuiltin[r.ID] = i
	}
	enabled := make([]bool, len(builtins))
	for i, r := range builtins {
		enabled[i] = !r.Disabled
	}
	why := make([]string, len(builtins))
	for _, id := range cfg.Disabled {
		i, ok := isBuiltin[id]
		if !ok {
			return nil, fmt.Errorf("disable rule %q: no such built-in rule", id)
		}
		enabled[i] = false
		why[i] = "disabled by the user"
	}
	var extra []Rule
	seen := map[string]string{}
	for _, r := range cfg.Rules {
		src := r.Source
		if src == "" {
			src = string(r.Origin)
		}
		bi, builtin := isBuiltin[r.ID]
		if r.Origin == OriginRepo {
			// Config.Rules apply to every text; a repository's rules must
			// apply to its own sessions only.
			return nil, fmt.Errorf("%s: rule %q: a repository's rules are given by Config.RepoRules, not Config.Rules", src, r.ID)
		}
		if builtin && r.Type == "" && r.Pattern == "" {
			enabled[bi] = !r.Disabled
			if r.Disabled {
				why[bi] = "disabled by " + src
			}
			continue
		}
		if builtin {
			return nil, fmt.Errorf("%s: rule %q: id: %q is a built-in rule; choose another id", src, r.ID, r.ID)
		}
		if prev, dup := seen[r.ID]; dup {
			return nil, fmt.Errorf("%s: rule %q: id: already defined at %s", src, r.ID, prev)
		}
		seen[r.ID] = src
		extra = append(extra, r)
	}
	switch cfg.IPPolicy {
	case "", IPPublic, IPAll, IPOff:
	default:
		return nil, fmt.Errorf("ip policy %q: want public, all or off", cfg.IPPolicy)
	}

	e := &Engine{cfg: cfg, key: cfg.Key, digitIdx: [4]int32{-1, -1, -1, -1}, assignIdx: -1}
	if len(e.key) == 0 {
		e.key = defaultKey
	}
	e.homes = homeTerms(cfg.Home)
	e.user = usableUsername(cfg.Username)

	add := func(r Rule, on bool, reason string) error {
		info := RuleInfo{
			ID: r.ID, Type: r.Type, Origin: r.Origin, Enabled: on, Scope: r.Scope,
			Description: firstNonEmpty(r.Description, r.Reason), Keywords: r.Keywords,
			Fingerprint: r.Fingerprint(), Source: r.Source, Imported: r.Imported,
		}
		if info.Scope == "" {
			info.Scope = RuleScopeGlobal
			if r.Type == TypeMarker {
				info.Scope = RuleScopePrompt
			}
		}
		if on && r.Type == TypeDetector {
			if ok, off := detectorActive(e, r.Detector); !ok {
				on, reason = false, off
			}
		}
		if !on {
			info.Enabled = false
			if reason != "" {
				info.Description = strings.TrimSpace(info.Description + " (" + reason + ")")
			}
			e.infos = append(e.infos, info)
			return nil
		}
		c, err := compileRule(r, len(e.rules))
		if err != nil {
			return err
		}
		info.Keywords = c.keywords
		if c.kind == kindDetector && c.det.dynamic != nil {
			c.keywords = c.det.dynamic(e)
			// the terms are personal data: list what they are, not what they hold
			info.Keywords = []string{"(from the configuration)"}
		}
		e.infos = append(e.infos, info)
		e.rules = append(e.rules, c)
		return nil
	}
	for i, r := range builtins {
		if err := add(r, enabled[i], why[i]); err != nil {
			return nil, err
		}
	}
	for _, r := range extra {
		if err := add(r, !r.Disabled, "disabled in "+r.Source); err != nil {
			return nil, err
		}
	}
	manualIDs := map[int64]bool{}
	for _, m := range cfg.Manual {
		if manualIDs[m.ID] {
			return nil, fmt.Errorf("manual redaction %d: defined twice", m.ID)
		}
		manualIDs[m.ID] = true
		c, err := e.compileManual(m, len(e.rules))
		if err != nil {
			return nil, err
		}
		e.manual = true
		if k := m.Scope.Kind; k != "" && k != ManualGlobal {
			e.scoped = true
			if e.scopedIDs == nil {
				e.scopedIDs = map[string]bool{}
			}
			e.scopedIDs[c.rule.ID] = true
		}
		e.infos = append(e.infos, RuleInfo{
			ID: c.rule.ID, Type: c.rule.Type, Origin: OriginManual, Enabled: true, Scope: m.Scope.String(),
			Description: c.rule.Description, Keywords: c.keywords, Fingerprint: c.fingerprint, Source: c.rule.Source,
		})
		e.rules = append(e.rules, c)
	}
	e.index()
	e.indexHashed()
	e.pool.New = func() any { return &scanner{e: e, win: make([]window, len(e.rules))} }
	return e, nil
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

// index builds the keyword automaton.
func (e *Engine) index() {
	pat := map[string]int{}
	var patterns []string
	intern := func(k string) int {
		lk := strings.ToLower(k)
		if i, ok := pat[lk]; ok {
			return i
		}
		pat[lk] = len(patterns)
		patterns = append(patterns, lk)
		e.patRules = append(e.patRules, nil)
		return len(patterns) - 1
	}
	e.phPat = intern("[redacted:")
	for i, r := range e.rules {
		if r.kind == kindDetector && r.det.digit >= 0 {
			e.digitIdx[r.det.digit] = int32(i)
		}
		if r.kind == kindDetector && r.rule.Detector == "assignment" && e.assignIdx < 0 {
			e.assignIdx = int32(i)
		}
		if r.kind == kindHashed {
			continue // found by hashedScan
		}
		if r.kind == kindDetector && r.det.whole != nil || len(r.keywords) == 0 {
			e.whole = append(e.whole, int32(i))
			continue
		}
		for _, k := range r.keywords {
			p := intern(k)
			if !slices.Contains(e.patRules[p], int32(i)) {
				e.patRules[p] = append(e.patRules[p], int32(i))
			}
		}
	}
	e.ac = newACMatcher(patterns)
}

// Rules describes every rule, enabled or not, in the order they apply,
// then the rules of the repositories loaded so far (Engine.Repo).
func (e *Engine) Rules() []RuleInfo {
	out := slices.Clone(e.infos)
	e.repoMu.Lock()
	defer e.repoMu.Unlock()
	roots := slices.Sorted(maps.Keys(e.repos))
	for _, root := range roots {
		if r := e.repos[root]; r.eng != nil {
			out = append(out, r.eng.infos...)
		}
	}
	return out
}

// Text redacts s. Rules apply by scope: prompt-scoped rules (the inline
// [redact …] marker) only to ScopePrompt.
func (e *Engine) Text(scope Scope, s string) (string, []Finding) {
	if scope == ScopeID && !e.manual {
		return s, nil
	}
	return e.redact(scope.bits(), s, nil, nil)
}

// maxPasses bounds the redaction passes of one text.
const maxPasses = 4

// redact scans s, replaces what it finds, and scans the result again
// until nothing more is found: a replacement changes the context of its
// neighbours (a boundary, a name before "="), and the output must be a
// fixed point so that redacting it again changes nothing. Findings of
// later passes are mapped back to offsets in s. extra are spans found by
// the caller for the first pass; loc locates s for scoped manual
// redactions (nil: unknown).
func (e *Engine) redact(bits uint8, s string, extra []span, loc *Location) (string, []Finding) {
	out, findings, _ := e.redactPasses(bits, s, extra, loc)
	return out, findings
}

// redactPasses is redact that also returns the edits of each pass.
func (e *Engine) redactPasses(bits uint8, s string, extra []span, loc *Location) (string, []Finding, [][]edit) {
	var findings []Finding
	var passes [][]edit // edits of each pass, to map offsets back to s
	cur := s
	for pass := 0; pass < maxPasses; pass++ {
		sc := e.getScanner(cur, bits, loc)
		spans := sc.run(extra)
		extra = nil
		if len(spans) == 0 {
			e.putScanner(sc)
			break
		}
		out, fs, edits := e.apply(cur, spans)
		e.putScanner(sc)
		for i := range fs {
			fs[i].Start, fs[i].End = mapBack(passes, fs[i].Start, fs[i].End)
		}
		findings = append(findings, fs...)
		passes = append(passes, edits)
		cur = out
	}
	if len(findings) == 0 {
		return s, nil, nil
	}
	return cur, findings, passes
}

// edit records one replacement: in[inStart:inEnd] became
// out[outStart:outEnd].
type edit struct{ inStart, inEnd, outStart, outEnd int }

// mapBack maps a span of the output of the last pass in passes to the
// input of the first: a span that touches a replaced part grows to cover
// what that part replaced.
func mapBack(passes [][]edit, a, b int) (int, int) {
	for p := len(passes) - 1; p >= 0; p-- {
		a, b = mapStart(passes[p], a), mapEnd(passes[p], b)
	}
	return a, b
}

func mapStart(edits []edit, x int) int {
	shift := 0
	for _, d := range edits {
		if d.outStart > x {
			break
		}
		if x < d.outEnd {
			return d.inStart
		}
		shift = d.inEnd - d.outEnd
	}
	return x + shift
}

func mapEnd(edits []edit, x int) int {
	shift := 0
	for _, d := range edits {
		if d.outStart >= x {
			break
		}
		if x <= d.outEnd {
			return d.inEnd
		}
		shift = d.inEnd - d.outEnd
	}
	return x + shift
}

func (e *Engine) getScanner(s string, bits uint8, loc *Location) *scanner {
	sc := e.pool.Get().(*scanner)
	sc.s, sc.bits, sc.loc = s, bits, loc
	sc.spans, sc.ph, sc.active = sc.spans[:0], sc.ph[:0], sc.active[:0]
	sc.digitsDone = false
	sc.longTo = 0
	return sc
}

func (e *Engine) putScanner(sc *scanner) {
	sc.s, sc.loc = "", nil
	e.pool.Put(sc)
}

// apply replaces the merged spans of s.
func (e *Engine) apply(s string, spans []span) (string, []Finding, []edit) {
	var b strings.Builder
	b.Grow(len(s))
	findings := make([]Finding, 0, len(spans))
	edits := make([]edit, 0, len(spans))
	var sums map[string]string // a value met again is not hashed again (text dense with one secret)
	if len(spans) > 8 {
		sums = map[string]string{}
	}
	last := 0
	for _, sp := range spans {
		r := e.rules[sp.rule]
		v := s[sp.start:sp.end]
		sum, ok := sums[v]
		if !ok {
			sum = e.hash(v)
			if sums != nil {
				sums[v] = sum
			}
		}
		b.WriteString(s[last:sp.start])
		outStart := b.Len()
		switch {
		case sp.repl != "":
			b.WriteString(sp.repl)
		case r.rule.Replacement != "":
			b.WriteString(r.rule.Replacement)
		default:
			b.WriteString("[REDACTED:")
			b.WriteString(r.rule.ID)
			if e.cfg.Pseudonyms {
				b.WriteByte(':')
				b.WriteString(sum[:8])
			}
			b.WriteByte(']')
		}
		last = sp.end
		edits = append(edits, edit{inStart: sp.start, inEnd: sp.end, outStart: outStart, outEnd: b.Len()})
		findings = append(findings, Finding{RuleID: r.rule.ID, RuleFingerprint: r.fingerprint, ValueHash: sum,
			Start: sp.start, End: sp.end, Actor: r.rule.Actor})
	}
	b.WriteString(s[last:])
	return b.String(), findings, edits
}

func (e *Engine) hash(v string) string {
	m := hmac.New(sha256.New, e.key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// span is a byte range to replace.
type span struct {
	start, end int
	rule       int32
	repl       string // replacement override ("" = the rule's)
}

type window struct {
	a, b   int
	active bool
}

// scanner holds the state of one Text call.
type scanner struct {
	e          *Engine
	s          string
	bits       uint8
	loc        *Location // where s is stored; nil when unknown
	spans      []span
	ph         []span // placeholders already in the text
	win        []window
	active     []int32
	digitsDone bool
	// longTo is where the last long assigned value ended: a value that
	// starts before it is not followed past assignScan again, so that
	// keyword-dense text stays linear.
	longTo int
}

func (sc *scanner) emit(rule int32, a, b int, repl string) {
	if a < b {
		sc.spans = append(sc.spans, span{start: a, end: b, rule: rule, repl: repl})
	}
}

// run scans sc.s and returns the merged spans; extra are spans found by
// the caller (JSON keys).
func (sc *scanner) run(extra []span) []span {
	e, s := sc.e, sc.s
	e.ac.scan(s, sc.onHit)
	for _, ri := range sc.active {
		w := &sc.win[ri]
		if w.active {
			sc.flush(ri)
		}
	}
	for _, ri := range e.whole {
		r := e.rules[ri]
		if !sc.on(r) {
			continue
		}
		switch {
		case r.kind == kindDetector && r.det.whole != nil:
			r.det.whole(sc, r)
		case r.kind == kindRegex:
			sc.regex(r, 0, s)
		}
	}
	if len(e.hashed) > 0 {
		sc.hashedScan()
	}
	sc.spans = append(sc.spans, extra...)
	if len(sc.spans) == 0 {
		return nil
	}
	spans := clip(sc.spans, sc.ph)
	if len(spans) == 0 {
		return nil
	}
	return merge(spans)
}

func (sc *scanner) onHit(p, start, end int) {
	e, s := sc.e, sc.s
	if p == e.phPat {
		if n := placeholderLen(s[start:]); n > 0 {
			sc.ph = append(sc.ph, span{start: start, end: start + n})
		}
	}
	if k := len(sc.ph); k > 0 && start < sc.ph[k-1].end {
		return // a keyword inside a placeholder: [REDACTED:github-token]
	}
	for _, ri := range e.patRules[p] {
		r := e.rules[ri]
		if !sc.on(r) {
			continue
		}
		switch r.kind {
		case kindLiteral:
			if !r.rule.IgnoreCase && s[start:end] != r.literal {
				continue
			}
			if r.rule.Word && !(wordStart(s, start) && wordEnd(s, end)) {
				continue
			}
			sc.emit(ri, start, end, "")
		case kindDetector:
			r.det.hit(sc, r, start, end)
		case kindRegex:
			a, b := max(0, start-r.before), min(len(s), end+r.after)
			w := &sc.win[ri]
			if w.active && a <= w.b {
				w.a, w.b = min(w.a, a), max(w.b, b)
				continue
			}
			if w.active {
				sc.flush(ri)
			} else {
				sc.active = append(sc.active, ri)
			}
			*w = window{a: a, b: b, active: true}
		}
	}
}

// on reports whether rule r applies to the text being scanned: its scope
// bits, and for a manual redaction its scope.
func (sc *scanner) on(r *compiledRule) bool {
	return r.scopes&sc.bits != 0 && (r.manual == nil || r.manual.match(sc.loc))
}

// flush runs rule ri's regex on its pending window.
func (sc *scanner) flush(ri int32) {
	w := &sc.win[ri]
	w.active = false
	a, b := snapWindow(sc.s, w.a, w.b)
	sc.regex(sc.e.rules[ri], a, sc.s[a:b])
}

// snapWindow widens [a,b) so that it neither starts nor ends inside a word
// (bounded), which keeps \b and token edges right at the window's edges.
func snapWindow(s string, a, b int) (int, int) {
	for n := 0; a > 0 && n < 256 && isWordByte(s[a-1]); n++ {
		a--
	}
	if a > 0 && s[a-1] == '\\' {
		a--
	}
	for n := 0; b < len(s) && n < 256 && isWordByte(s[b]); n++ {
		b++
	}
	return a, b
}

// regex runs r on text, which starts at offset off of the scanned string.
func (sc *scanner) regex(r *compiledRule, off int, text string) {
	for _, m := range r.regexp().FindAllStringSubmatchIndex(text, -1) {
		gs, ge := m[0], m[1]
		switch {
		case r.group > 0:
			gs, ge = m[2*r.group], m[2*r.group+1]
		case r.group == groupDefault:
			for g := 1; 2*g+1 < len(m); g++ {
				if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
					gs, ge = m[2*g], m[2*g+1]
					break
				}
			}
		}
		if gs < 0 || ge <= gs {
			continue
		}
		if r.extend != nil && ge == m[1] {
			// extend over the rest of a long token, in the whole text
			e, limit := off+ge, min(len(sc.s), off+ge+maxExtend)
			for e < limit && r.extend[sc.s[e]] {
				e++
			}
			ge = e - off
			if !r.accept(sc.s[off+gs : off+ge]) {
				continue
			}
			sc.emit(int32(r.idx), off+gs, off+ge, "")
			continue
		}
		if !r.accept(text[gs:ge]) {
			continue
		}
		sc.emit(int32(r.idx), off+gs, off+ge, "")
	}
}

// accept applies the rule's entropy floor and allowlists to a secret.
func (r *compiledRule) accept(v string) bool {
	if r.rule.Entropy > 0 && entropy(v) < r.rule.Entropy {
		return false
	}
	if r.allowValues[v] {
		return false
	}
	for _, re := range r.allowRes {
		if re.MatchString(v) {
			return false
		}
	}
	if len(r.stopwords) > 0 {
		l := strings.ToLower(v)
		for _, w := range r.stopwords {
			if strings.Contains(l, w) {
				return false
			}
		}
	}
	if r.placeholder && isPlaceholder(v) {
		return false
	}
	return true
}

// placeholderLen returns the length of the placeholder [REDACTED:<id>] or
// [REDACTED:<id>:<8 hex>] at the start of s, or 0.
func placeholderLen(s string) int {
	const pre = "[REDACTED:"
	if !strings.HasPrefix(s, pre) {
		return 0
	}
	i := len(pre)
	start := i
	for i < len(s) && i-start < 64 && isIDByte(s[i]) {
		i++
	}
	if i == start || i >= len(s) {
		return 0
	}
	if s[i] == ':' {
		j := i + 1
		for j < len(s) && j-i <= 8 && isHexByte(s[j]) {
			j++
		}
		if j-i-1 != 8 {
			return 0
		}
		i = j
	}
	if i < len(s) && s[i] == ']' {
		return i + 1
	}
	return 0
}

// clip removes the parts of spans that overlap existing placeholders, so
// that a placeholder is never redacted again or nested.
func clip(spans, ph []span) []span {
	if len(ph) == 0 {
		return spans
	}
	var out []span
	for _, sp := range spans {
		pieces := []span{sp}
		for _, p := range ph {
			var next []span
			for _, q := range pieces {
				if p.end <= q.start || p.start >= q.end {
					next = append(next, q)
					continue
				}
				if q.start < p.start {
					next = append(next, span{start: q.start, end: p.start, rule: q.rule, repl: q.repl})
				}
				if p.end < q.end {
					next = append(next, span{start: p.end, end: q.end, rule: q.rule, repl: q.repl})
				}
			}
			pieces = next
		}
		out = append(out, pieces...)
	}
	return out
}

// merge sorts spans and merges overlapping ones; a merged span takes the
// rule of its longest member (ties: the earlier rule).
func merge(spans []span) []span {
	slices.SortFunc(spans, func(x, y span) int {
		if c := cmp.Compare(x.start, y.start); c != 0 {
			return c
		}
		if c := cmp.Compare(y.end-y.start, x.end-x.start); c != 0 {
			return c
		}
		return cmp.Compare(x.rule, y.rule)
	})
	out := spans[:0:0]
	var best span
	flush := func(cur span) {
		if cur.start != best.start || cur.end != best.end {
			best.repl = "" // a custom replacement only stands for its own span
		}
		cur.rule, cur.repl = best.rule, best.repl
		out = append(out, cur)
	}
	cur := spans[0]
	best = cur
	for _, sp := range spans[1:] {
		if sp.start < cur.end {
			cur.end = max(cur.end, sp.end)
			if l, bl := sp.end-sp.start, best.end-best.start; l > bl || l == bl && sp.rule < best.rule {
				best = sp
			}
			continue
		}
		flush(cur)
		cur, best = sp, sp
	}
	flush(cur)
	return out
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

func isIDByte(c byte) bool {
	return isWordByte(c) || c == '-' || c == '.'
}

func isHexByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// wordStart reports whether a word can start at i: the byte before is not
// a word byte, or it is the n/r/t of a backslash escape ("\nword").
func wordStart(s string, i int) bool {
	if i == 0 || !isWordByte(s[i-1]) {
		return true
	}
	return i >= 2 && s[i-2] == '\\' && strings.IndexByte("nrtbf", s[i-1]) >= 0
}

// wordEnd reports whether a word can end at i.
func wordEnd(s string, i int) bool {
	return i >= len(s) || !isWordByte(s[i])
}
