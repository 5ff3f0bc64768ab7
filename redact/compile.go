package redact

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

type ruleKind uint8

const (
	kindLiteral ruleKind = iota
	kindRegex
	kindDetector
	kindHashed // a manual redaction's literal, known by its print
)

// Scope bits of a compiled rule.
const (
	scopeBitPrompt uint8 = 1 << iota
	scopeBitField
	// scopeBitID marks JSON values under identifier keys, which only
	// manual redactions touch.
	scopeBitID
	scopeBitsAll = scopeBitPrompt | scopeBitField
)

const (
	defaultWindow = 512      // bytes searched on each side of a keyword hit
	maxWindow     = 64 << 10 // cap of an automatic window
	groupDefault  = -1       // named group "secret", else first non-empty group, else the match
)

// compiledRule is a rule ready to run.
type compiledRule struct {
	rule        Rule
	idx         int
	kind        ruleKind
	reSrc       string
	reOnce      sync.Once
	re          *regexp.Regexp // use regexp(): built-in rules compile on first use
	group       int
	literal     string
	scopes      uint8
	before      int // window before a keyword hit
	after       int // window after a keyword hit
	keywords    []string
	allowValues map[string]bool
	allowRes    []*regexp.Regexp
	stopwords   []string // lower-cased
	placeholder bool     // apply the global placeholder filter
	det         *detector
	extend      *[256]bool
	fingerprint string
	manual      *ManualScope // the scope of a manual redaction; nil for rules
	print       LiteralPrint // kindHashed
}

const maxExtend = 64 << 10

// classTable compiles a bracketed ASCII character class to a byte table.
func classTable(class string) (*[256]bool, error) {
	if len(class) < 3 || class[0] != '[' || class[len(class)-1] != ']' {
		return nil, errors.New("want a bracketed character class such as [A-Za-z0-9_-]")
	}
	re, err := regexp.Compile("^" + class + "$")
	if err != nil {
		return nil, err
	}
	var t [256]bool
	for b := 0; b < 128; b++ {
		t[b] = re.MatchString(string(rune(b)))
	}
	return &t, nil
}

func scopeBits(scope, typ string) (uint8, error) {
	switch scope {
	case "":
		if typ == TypeMarker {
			return scopeBitPrompt, nil
		}
		return scopeBitsAll, nil
	case RuleScopeGlobal:
		return scopeBitsAll, nil
	case RuleScopePrompt:
		return scopeBitPrompt, nil
	case RuleScopeField:
		return scopeBitField, nil
	}
	return 0, fmt.Errorf("want prompt, field or global, not %q", scope)
}

// compileRule checks and compiles one rule. Errors name the rule's source,
// id and the key at fault.
func compileRule(r Rule, idx int) (*compiledRule, error) {
	where := fmt.Sprintf("%s: rule %q", r.Source, r.ID)
	if r.Source == "" {
		where = fmt.Sprintf("rule %q", r.ID)
	}
	fail := func(key string, err error) (*compiledRule, error) {
		return nil, fmt.Errorf("%s: %s: %w", where, key, err)
	}
	c := &compiledRule{rule: r, idx: idx, group: groupDefault, fingerprint: r.Fingerprint()}
	var err error
	if c.scopes, err = scopeBits(r.Scope, r.Type); err != nil {
		return fail("scope", err)
	}
	if r.Entropy < 0 || r.Entropy > 8 {
		return fail("entropy", errors.New("want a number between 0 and 8 (bits per byte)"))
	}
	if r.Window < 0 || r.Window > maxWindow {
		return fail("window", fmt.Errorf("want 0 to %d bytes", maxWindow))
	}
	if strings.Contains(r.Replacement, "\n") {
		return fail("replacement", errors.New("must be one line"))
	}
	for _, k := range r.Keywords {
		if len(k) < 2 {
			return fail("keywords", fmt.Errorf("keyword %q is too short (want 2 bytes or more)", k))
		}
	}
	c.allowValues = map[string]bool{}
	for _, v := range r.Allowlist.Values {
		c.allowValues[v] = true
	}
	for _, s := range r.Allowlist.Regexes {
		re, err := regexp.Compile(s)
		if err != nil {
			return fail("allowlist: regexes", err)
		}
		c.allowRes = append(c.allowRes, re)
	}
	for _, s := range r.Allowlist.Stopwords {
		c.stopwords = append(c.stopwords, strings.ToLower(s))
	}
	switch r.Type {
	case TypeLiteral:
		if len(r.Pattern) < 2 {
			return fail("pattern", errors.New("a literal needs 2 bytes or more"))
		}
		c.kind = kindLiteral
		c.literal = r.Pattern
		c.keywords = []string{r.Pattern}
		c.group = 0
	case TypeRegex, TypeMarker:
		if r.Pattern == "" {
			return fail("pattern", errors.New("missing"))
		}
		flags := ""
		if r.IgnoreCase {
			flags += "i"
		}
		if r.DotAll {
			flags += "s"
		}
		src := r.Pattern
		if flags != "" {
			src = "(?" + flags + ")" + src
		}
		// Parsing checks the pattern and tells its groups; compiling is
		// what costs, so the built-in pack (tested, and mostly idle in any
		// one run) compiles a rule only when a keyword first calls it.
		parsed, err := syntax.Parse(src, syntax.Perl)
		if err != nil {
			return fail("pattern", err)
		}
		c.kind = kindRegex
		c.reSrc = src
		if r.Origin == OriginRepo {
			if n := programSize(parsed); n > maxRepoProgram {
				return fail("pattern", fmt.Errorf("too complex for a repository rule (%d RE2 instructions, at most %d): bound its repetitions", n, maxRepoProgram))
			}
		}
		if r.Origin != OriginBuiltin {
			if c.re, err = regexp.Compile(src); err != nil {
				return fail("pattern", err)
			}
		}
		if r.Extend != "" {
			if c.extend, err = classTable(r.Extend); err != nil {
				return fail("extend", err)
			}
		}
		c.placeholder = r.Type == TypeRegex
		if r.Type == TypeMarker {
			c.group = 0
		}
		if g, err := resolveGroup(parsed.CapNames(), r.Group); err != nil {
			return fail("group", err)
		} else if r.Type != TypeMarker {
			c.group = g
		}
		c.keywords = r.Keywords
		if len(c.keywords) == 0 {
			if lit := leadingLiteral(src); len(lit) >= 3 {
				c.keywords = []string{lit}
			}
		}
		c.before, c.after = defaultWindow, defaultWindow
		if r.Window > 0 {
			c.before, c.after = r.Window, r.Window
		} else if n := maxLen(parsed); n >= 0 && n <= maxWindow {
			c.before, c.after = n, n
		}
	case TypeDetector:
		d, ok := detectors[r.Detector]
		if !ok {
			return fail("detector", fmt.Errorf("unknown detector %q", r.Detector))
		}
		c.kind = kindDetector
		c.det = d
		c.keywords = r.Keywords
		if len(c.keywords) == 0 {
			c.keywords = d.keywords
		}
	case "":
		return fail("type", errors.New("missing"))
	default:
		return fail("type", fmt.Errorf("want literal, regex or marker, not %q", r.Type))
	}
	return c, nil
}

// programSize returns the number of instructions the pattern compiles to,
// which bounds the work of matching it at each byte.
func programSize(re *syntax.Regexp) int {
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0 // regexp.Compile reports it
	}
	return len(prog.Inst)
}

// regexp returns the rule's compiled pattern.
func (c *compiledRule) regexp() *regexp.Regexp {
	c.reOnce.Do(func() {
		if c.re == nil {
			c.re = regexp.MustCompile(c.reSrc) // parsed without error in compileRule
		}
	})
	return c.re
}

// resolveGroup finds the secret group among a pattern's capture names
// (index 0 is the whole match).
func resolveGroup(names []string, g string) (int, error) {
	index := func(name string) int {
		for i, n := range names {
			if i > 0 && n == name {
				return i
			}
		}
		return -1
	}
	if g == "" {
		if i := index("secret"); i > 0 {
			return i, nil
		}
		return groupDefault, nil
	}
	if n, err := strconv.Atoi(g); err == nil {
		if n < 0 || n >= len(names) {
			return 0, fmt.Errorf("group %d does not exist (the pattern has %d)", n, len(names)-1)
		}
		return n, nil
	}
	i := index(g)
	if i < 0 {
		return 0, fmt.Errorf("no group named %q", g)
	}
	return i, nil
}

// leadingLiteral returns the literal text every match of src starts with,
// lower-cased when the literal is case-folded, or "".
func leadingLiteral(src string) string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return ""
	}
	for {
		switch re.Op {
		case syntax.OpConcat:
			if len(re.Sub) == 0 {
				return ""
			}
			// skip leading empty-width assertions
			i := 0
			for i < len(re.Sub) && isEmptyWidth(re.Sub[i].Op) {
				i++
			}
			if i == len(re.Sub) {
				return ""
			}
			re = re.Sub[i]
		case syntax.OpCapture:
			re = re.Sub[0]
		case syntax.OpLiteral:
			if re.Flags&syntax.FoldCase != 0 {
				for _, r := range re.Rune {
					if r >= utf8.RuneSelf {
						return "" // the keyword automaton folds ASCII only
					}
				}
			}
			return string(re.Rune)
		default:
			return ""
		}
	}
}

func isEmptyWidth(op syntax.Op) bool {
	switch op {
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
		return true
	}
	return false
}

// maxLen returns the longest match of a parsed pattern in bytes, or -1
// when a match can be arbitrarily long.
func maxLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			n += utf8.RuneLen(r)
		}
		return n
	case syntax.OpCharClass:
		m := 1
		for i := 1; i < len(re.Rune); i += 2 {
			if l := utf8.RuneLen(re.Rune[i]); l > m {
				m = l
			}
		}
		return m
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax
	case syntax.OpCapture, syntax.OpQuest:
		return maxLen(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		return -1
	case syntax.OpRepeat:
		if re.Max < 0 {
			return -1
		}
		n := maxLen(re.Sub[0])
		if n < 0 {
			return -1
		}
		return n * re.Max
	case syntax.OpConcat:
		t := 0
		for _, s := range re.Sub {
			n := maxLen(s)
			if n < 0 {
				return -1
			}
			t += n
		}
		return t
	case syntax.OpAlternate:
		m := 0
		for _, s := range re.Sub {
			n := maxLen(s)
			if n < 0 {
				return -1
			}
			m = max(m, n)
		}
		return m
	}
	return 0
}
