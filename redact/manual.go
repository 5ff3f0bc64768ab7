package redact

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// OriginManual marks manual redactions in RuleInfo.
const OriginManual Origin = "manual"

// Kinds of ManualScope.
const (
	ManualGlobal  = "global"  // every text
	ManualSession = "session" // the texts of one session
	ManualPrompt  = "prompt"  // the texts of one prompt: its text and what the agent did for it
	ManualField   = "field"   // one stored field (table.column), in every session
)

// MinLiteral is the shortest literal a manual redaction accepts: shorter
// values would hide common words.
const MinLiteral = 3

// Manual is a redaction a person asked for, applied on top of the rules:
// an RE2 Pattern, or a literal value known only by its print (the value
// itself need never be stored). Its findings carry the rule id
// manual:<ID> and its Actor.
type Manual struct {
	ID          int64
	Pattern     string       // RE2; the whole match is replaced
	Literal     LiteralPrint // set instead of Pattern for a literal value
	Scope       ManualScope
	Replacement string // "" = [REDACTED:manual-<ID>]
	Actor       string // who asked for it, recorded with its findings
}

// ManualScope says which texts a manual redaction applies to.
type ManualScope struct {
	Kind    string // ManualGlobal ("" too), ManualSession, ManualPrompt or ManualField
	Agent   string // session and prompt: the session's agent ("" = any agent)
	Session string // session and prompt: the agent's session id
	Prompt  string // prompt: the prompt's key within the session
	Field   string // field: "table.column", such as "prompts.text"
}

// Location says where a text is stored, so that manual redactions scoped
// to a session, a prompt or a field find the texts they apply to. The zero
// Location is a text of unknown origin: only global manual redactions
// apply to it.
type Location struct {
	Agent   string // the session's agent
	Session string // the agent's session id
	Prompt  string // the key of the prompt the text belongs to ("" when none)
	Field   string // "table.column"
	// Raw marks a copy of a whole log record, which may hold any field of
	// any session: every manual redaction applies to it, whatever its scope.
	Raw bool
	// Repo is the root of the repository the text's session works in ("" when
	// unknown): that repository's rules (Config.RepoRules) apply to it, and
	// no other repository's.
	Repo string
}

// LiteralPrint identifies a literal value without holding it: its length,
// a rolling hash that finds candidate positions in one pass over a text,
// and the keyed hash (as in Finding.ValueHash) that confirms a candidate.
// It tells no more about the value than Finding.ValueHash does.
type LiteralPrint struct {
	Len  int
	Roll uint32 // top 32 bits of a polynomial rolling hash with a keyed base
	Hash string // hex of the first 16 bytes of HMAC-SHA256(key, value)
}

// IsZero reports whether p is unset.
func (p LiteralPrint) IsZero() bool { return p.Len == 0 }

// PrintLiteral returns the print of value under key (the engine's
// Config.Key; nil means the default key). A print matches only in an
// engine built with the same key.
func PrintLiteral(key []byte, value string) (LiteralPrint, error) {
	if len(value) < MinLiteral {
		return LiteralPrint{}, fmt.Errorf("literal: want %d bytes or more", MinLiteral)
	}
	if strings.ContainsAny(value, "\n\r") {
		return LiteralPrint{}, errors.New("literal: must be one line")
	}
	if len(key) == 0 {
		key = defaultKey
	}
	base := rollBase(key)
	var h uint64
	for i := 0; i < len(value); i++ {
		h = h*base + uint64(value[i])
	}
	return LiteralPrint{Len: len(value), Roll: uint32(h >> 32), Hash: valueHash(key, value)}, nil
}

// rollBase derives the odd base of the rolling hash from the key, so that
// prints made with different keys do not compare.
func rollBase(key []byte) uint64 {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("aitrail/redact rolling hash base"))
	return binary.LittleEndian.Uint64(m.Sum(nil)) | 1
}

// valueHash is Finding.ValueHash of v under key.
func valueHash(key []byte, v string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// RuleID is the rule id of the manual redaction's findings: manual:<ID>.
func (m Manual) RuleID() string { return "manual:" + strconv.FormatInt(m.ID, 10) }

// Placeholder is what the redaction puts in place of a match.
func (m Manual) Placeholder() string {
	if m.Replacement != "" {
		return m.Replacement
	}
	return "[REDACTED:manual-" + strconv.FormatInt(m.ID, 10) + "]"
}

// Check validates a manual redaction. literal, when the caller still has
// the value, is checked against the replacement.
func (m Manual) Check(literal string) error {
	where := "manual redaction"
	if m.ID != 0 {
		where += " " + strconv.FormatInt(m.ID, 10)
	}
	switch {
	case m.Pattern == "" && m.Literal.IsZero():
		return fmt.Errorf("%s: want a literal or a pattern", where)
	case m.Pattern != "" && !m.Literal.IsZero():
		return fmt.Errorf("%s: want a literal or a pattern, not both", where)
	}
	if strings.ContainsAny(m.Replacement, "\n\r") {
		return fmt.Errorf("%s: replacement: must be one line", where)
	}
	if m.Pattern != "" {
		re, err := regexp.Compile(m.Pattern)
		if err != nil {
			return fmt.Errorf("%s: pattern: %w", where, err)
		}
		if re.MatchString("") {
			return fmt.Errorf("%s: pattern: %q matches the empty text; it would match everywhere", where, m.Pattern)
		}
		if m.Replacement != "" && re.MatchString(m.Replacement) {
			return fmt.Errorf("%s: replacement: %q matches the pattern, so redacting would never settle", where, m.Replacement)
		}
	}
	if literal != "" && m.Replacement != "" && strings.Contains(m.Replacement, literal) {
		return fmt.Errorf("%s: replacement: holds the literal itself", where)
	}
	switch m.Scope.Kind {
	case "", ManualGlobal:
	case ManualSession:
		if m.Scope.Session == "" {
			return fmt.Errorf("%s: scope: session: missing the session id", where)
		}
	case ManualPrompt:
		if m.Scope.Session == "" || m.Scope.Prompt == "" {
			return fmt.Errorf("%s: scope: prompt: want the session id and the prompt key", where)
		}
	case ManualField:
		if t, c, ok := strings.Cut(m.Scope.Field, "."); !ok || t == "" || c == "" {
			return fmt.Errorf("%s: scope: field: want table.column, not %q", where, m.Scope.Field)
		}
	default:
		return fmt.Errorf("%s: scope: want global, session, prompt or field, not %q", where, m.Scope.Kind)
	}
	return nil
}

// String writes the scope as global, session:[AGENT:]ID,
// prompt:[AGENT:]ID#KEY or field:TABLE.COLUMN.
func (s ManualScope) String() string {
	session := s.Session
	if s.Agent != "" {
		session = s.Agent + ":" + session
	}
	switch s.Kind {
	case ManualSession:
		return "session:" + session
	case ManualPrompt:
		return "prompt:" + session + "#" + s.Prompt
	case ManualField:
		return "field:" + s.Field
	}
	return ManualGlobal
}

// match reports whether a text at loc is in the scope; loc is nil for a
// text of unknown origin.
func (s *ManualScope) match(loc *Location) bool {
	switch s.Kind {
	case "", ManualGlobal:
		return true
	}
	if loc == nil {
		return false
	}
	if loc.Raw {
		return true
	}
	switch s.Kind {
	case ManualField:
		return loc.Field == s.Field
	case ManualSession:
		return loc.Session == s.Session && (s.Agent == "" || loc.Agent == s.Agent)
	case ManualPrompt:
		return loc.Session == s.Session && (s.Agent == "" || loc.Agent == s.Agent) && loc.Prompt == s.Prompt
	}
	return false
}

// manualRule is the rule form of a manual redaction, for the engine.
func manualRule(m Manual) Rule {
	r := Rule{
		ID: m.RuleID(), Scope: RuleScopeGlobal, Replacement: m.Placeholder(),
		Origin: OriginManual, Source: "manual redaction " + strconv.FormatInt(m.ID, 10), Actor: m.Actor,
	}
	if m.Pattern != "" {
		// A marker: the whole match is replaced, and the placeholder
		// allowlist does not apply (a person asked for it).
		r.Type, r.Pattern = TypeMarker, m.Pattern
		r.Description = "manual redaction of a pattern"
	} else {
		r.Type = TypeLiteral
		r.Description = fmt.Sprintf("manual redaction of a literal (%d bytes)", m.Literal.Len)
	}
	return r
}

// manualFingerprint hashes what decides the manual redaction's matches.
func manualFingerprint(m Manual) string {
	h := sha256.New()
	put := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	put(m.RuleID())
	put(m.Pattern)
	put(strconv.Itoa(m.Literal.Len))
	put(strconv.FormatUint(uint64(m.Literal.Roll), 16))
	put(m.Literal.Hash)
	put(m.Scope.Kind)
	put(m.Scope.Agent)
	put(m.Scope.Session)
	put(m.Scope.Prompt)
	put(m.Scope.Field)
	put(m.Placeholder())
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// compileManual compiles a manual redaction as rule idx.
func (e *Engine) compileManual(m Manual, idx int) (*compiledRule, error) {
	if err := m.Check(""); err != nil {
		return nil, err
	}
	r := manualRule(m)
	scope := m.Scope
	var c *compiledRule
	if m.Pattern != "" {
		var err error
		if c, err = compileRule(r, idx); err != nil {
			return nil, err
		}
	} else {
		c = &compiledRule{rule: r, idx: idx, kind: kindHashed, scopes: scopeBitsAll, print: m.Literal}
	}
	c.manual = &scope
	c.scopes |= scopeBitID // a person asked for it: identifiers too
	c.fingerprint = manualFingerprint(m)
	return c, nil
}

// hashGroup is the literal prints of one length: one rolling pass finds
// the candidates of all of them.
type hashGroup struct {
	n     int
	pow   uint64 // base^n
	rules []int32
}

// indexHashed groups the engine's literal prints by length.
func (e *Engine) indexHashed() {
	e.rollBase = rollBase(e.key)
	byLen := map[int]int{}
	for i, r := range e.rules {
		if r.kind != kindHashed {
			continue
		}
		g, ok := byLen[r.print.Len]
		if !ok {
			pow := uint64(1)
			for k := 0; k < r.print.Len; k++ {
				pow *= e.rollBase
			}
			g = len(e.hashed)
			byLen[r.print.Len] = g
			e.hashed = append(e.hashed, hashGroup{n: r.print.Len, pow: pow})
		}
		e.hashed[g].rules = append(e.hashed[g].rules, int32(i))
	}
}

// hashedScan finds the literal prints in sc.s.
func (sc *scanner) hashedScan() {
	e, s := sc.e, sc.s
	for gi := range e.hashed {
		g := &e.hashed[gi]
		if len(s) < g.n {
			continue
		}
		var on []int32
		for _, ri := range g.rules {
			if e.rules[ri].manual.match(sc.loc) {
				on = append(on, ri)
			}
		}
		if len(on) == 0 {
			continue
		}
		var h uint64
		for i := 0; i < g.n; i++ {
			h = h*e.rollBase + uint64(s[i])
		}
		for i := 0; ; i++ {
			top := uint32(h >> 32)
			for _, ri := range on {
				r := e.rules[ri]
				if r.print.Roll == top && e.hash(s[i:i+g.n]) == r.print.Hash {
					sc.emit(ri, i, i+g.n, "")
				}
			}
			if i+g.n >= len(s) {
				break
			}
			h = h*e.rollBase + uint64(s[i+g.n]) - uint64(s[i])*g.pow
		}
	}
}

// LastManual returns the largest id of the engine's manual redactions,
// 0 when it has none.
func (e *Engine) LastManual() int64 {
	var last int64
	for _, m := range e.cfg.Manual {
		last = max(last, m.ID)
	}
	return last
}

// NeedsLocation reports whether a manual redaction is scoped to a session,
// a prompt or a field: only then do TextAt and JSONAt differ from Text and
// JSON, and callers can skip locating their texts otherwise.
func (e *Engine) NeedsLocation() bool { return e.scoped }

// TextAt redacts s as Text does, and also applies the manual redactions
// scoped to loc and the rules of the repository loc.Repo.
func (e *Engine) TextAt(scope Scope, loc Location, s string) (string, []Finding) {
	if scope == ScopeID && !e.manual {
		return s, nil
	}
	out, findings, _ := e.stages(scope.bits(), s, &loc)
	if len(findings) == 0 {
		return s, nil
	}
	return out, findings
}

// JSONAt redacts a raw JSON document as JSON does, and also applies the
// manual redactions scoped to loc and the rules of the repository
// loc.Repo.
func (e *Engine) JSONAt(loc Location, raw []byte) ([]byte, []Finding) {
	out, findings, _ := e.jsonAt(loc, raw, nil)
	return out, findings
}

// jsonAt is JSONAt that fills memo (nil: none), and also returns how many
// of the findings the engine's own rules made (the repository's come
// after).
func (e *Engine) jsonAt(loc Location, raw []byte, memo *Memo) ([]byte, []Finding, int) {
	out, findings := e.json(raw, &loc, memo)
	own := len(findings)
	r := e.repo(loc.Repo)
	switch {
	case r == nil || r.err == nil && r.eng == nil:
		return out, findings, own
	case r.err != nil:
		return []byte(`"[REDACTED:` + repoRulesID + `]"`), append(findings, Finding{RuleID: repoRulesID, ValueHash: e.hash(string(raw)), Start: -1, End: -1}), own
	}
	out2, more := r.eng.json(out, &loc, nil)
	for i := range more {
		more[i].Start, more[i].End = -1, -1 // offsets in the first stage's output
	}
	return out2, append(findings, more...), own
}

// NewManual returns an engine that applies only the manual redactions ms:
// no rule and no personal-data policy. It rewrites stored texts when a
// manual redaction is added, so that they change only where it matches.
// key must be the key of the engine that will apply ms to new texts.
func NewManual(key []byte, ms []Manual) (*Engine, error) {
	return newEngine(Config{Key: key, IPPolicy: IPOff, Manual: ms}, nil)
}

// Span is a byte range [Start, End).
type Span struct{ Start, End int }

// Explain redacts s as Text does and also returns where the replacements
// are in the output, for showing a person what was redacted without
// showing the values: the spans are sorted and do not overlap.
func (e *Engine) Explain(scope Scope, s string) (string, []Finding, []Span) {
	return e.explain(scope, s, nil)
}

// ExplainAt is Explain for a text at loc: with the manual redactions
// scoped to it and the rules of its repository.
func (e *Engine) ExplainAt(scope Scope, loc Location, s string) (string, []Finding, []Span) {
	return e.explain(scope, s, &loc)
}

func (e *Engine) explain(scope Scope, s string, loc *Location) (string, []Finding, []Span) {
	out, findings, passes := e.stages(scope.bits(), s, loc)
	var marks []Span
	for p, edits := range passes {
		for _, d := range edits {
			a, b, kept := d.outStart, d.outEnd, true
			// Later passes shift the replacement, or replace it again as
			// part of a larger span (which is then marked instead).
			for _, later := range passes[p+1:] {
				if a, b, kept = mapForward(later, a, b); !kept {
					break
				}
			}
			if kept {
				marks = append(marks, Span{a, b})
			}
		}
	}
	slices.SortFunc(marks, func(x, y Span) int { return cmp.Compare(x.Start, y.Start) })
	return out, findings, marks
}

// mapForward maps [a,b) of a pass's input to its output; kept is false
// when an edit of the pass overlaps it.
func mapForward(edits []edit, a, b int) (int, int, bool) {
	shift := 0
	for _, d := range edits {
		if d.inEnd <= a {
			shift = d.outEnd - d.inEnd
			continue
		}
		if d.inStart < b {
			return 0, 0, false
		}
		break
	}
	return a + shift, b + shift, true
}
