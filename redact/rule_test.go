package redact

import (
	"os"
	"path/filepath"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

func TestParseRules(t *testing.T) {
	src := `
version: 1
rules:
  - id: acme-token
    type: regex
    pattern: 'acme_[a-z0-9]{32}'
    keywords: [acme_]
    ignore_case: false
    entropy: 3
    allowlist:
      values: [acme_00000000000000000000000000000000]
      stopwords: [sample]
    reason: internal tokens
    actor: security@acme
    samples:
      positive: ['ACME=acme_{{}}q8w7e6r5t4y3u2i1o9p8a7s6d5f4g3h2']
      negative: ['acme_short']
  - id: codename
    type: literal
    pattern: Project Bluebird
  - id: email
    enabled: false
`
	rules, err := ParseRules([]byte(src), "redactions.yml", OriginUser)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 3 {
		t.Fatalf("got %d rules, want 3", len(rules))
	}
	r := rules[0]
	if r.ID != "acme-token" || r.Type != TypeRegex || r.IgnoreCase || r.Entropy != 3 || r.Reason != "internal tokens" ||
		len(r.Allowlist.Values) != 1 || len(r.Samples.Positive) != 1 || r.Source != "redactions.yml:4" || r.Origin != OriginUser {
		t.Errorf("rule 0 = %+v", r)
	}
	if !rules[1].IgnoreCase {
		t.Error("ignore_case should default to true, as in AI Log Trail")
	}
	if rules[2].Type != "" || !rules[2].Disabled {
		t.Errorf("toggle = %+v", rules[2])
	}
	for _, err := range VerifySamples(rules, DefaultConfig()) {
		t.Error(err)
	}
	cfg := DefaultConfig()
	cfg.Rules = rules
	e := newTestEngine(t, cfg)
	got, _ := e.Text(ScopeField, "mail bob@corp.io about project bluebird")
	if got != "mail bob@corp.io about [REDACTED:codename]" {
		t.Errorf("got %q", got)
	}
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct {
		name, origin, src, want string
	}{
		{"bad regexp", "user", "- id: x\n  pattern: 'a(b'\n", `redactions.yml:1: rule "x": pattern: error parsing regexp`},
		{"unknown key", "user", "- id: x\n  pattern: a\n  colour: red\n", `redactions.yml:1: rule "x": colour: unknown key`},
		{"missing id", "user", "- pattern: abc\n", `redactions.yml:1: rule 1: id: missing`},
		{"bad scope", "user", "- id: x\n  pattern: abc\n  scope: everywhere\n", `rule "x": scope: want prompt, field or global`},
		{"bad type", "user", "- id: x\n  type: magic\n  pattern: abc\n", `rule "x": type: want literal, regex or marker`},
		{"detector reserved", "user", "- id: x\n  type: detector\n  detector: email\n", `rule "x": type: "detector" is reserved`},
		{"duplicate", "user", "- id: x\n  pattern: abc\n- id: x\n  pattern: abd\n", `rule "x": id: duplicate`},
		{"toggle unknown", "user", "- id: nope\n  enabled: false\n", `rule "nope": type: missing`},
		{"user redefines builtin", "user", "- id: email\n  pattern: abc\n", `rule "email": id: "email" is a built-in rule`},
		{"repo disables builtin", "repo", "- id: github-token\n  enabled: false\n", `redactions.yml:1: rule "github-token": enabled: a repository rule file cannot disable built-in rule`},
		{"repo redefines builtin", "repo", "- id: jwt\n  pattern: abc\n", `rule "jwt": id: a repository rule file cannot redefine built-in rule`},
		{"bad group", "user", "- id: x\n  pattern: 'a(b)'\n  group: 3\n", `rule "x": group: group 3 does not exist`},
		{"short literal", "user", "- id: x\n  type: literal\n  pattern: a\n", `rule "x": pattern: a literal needs 2 bytes`},
		{"bad extend", "user", "- id: x\n  pattern: abc\n  extend: abc\n", `rule "x": extend: want a bracketed`},
		{"not a list", "user", "rules: 3\n", `redactions.yml:1: want a list of rules`},
		{"bad bool", "user", "- id: x\n  pattern: abc\n  word: yes please\n", `redactions.yml:1: rule "x": word: "yes please" is not true or false`},
		{"bad int", "user", "- id: x\n  pattern: abc\n  window: 1.5\n", `redactions.yml:1: rule "x": window: "1.5" is not a whole number`},
		{"bad alias", "user", "- id: x\n  pattern: &p abc\n  word: *p\n", `redactions.yml:1: rule "x": word: "abc" is not true or false`},
		{"bad number", "user", "- id: x\n  pattern: abc\n  entropy: [3]\n", `redactions.yml:1: rule "x": entropy: want a number`},
		{"syntax", "user", "- id: x\n  pattern: [abc\n", `redactions.yml:1: did not find expected`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules([]byte(tt.src), "redactions.yml", Origin(tt.origin))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestParseRulesEveryProblem checks that every problem of a file is
// reported, one error each, and that the rules without one are kept.
func TestParseRulesEveryProblem(t *testing.T) {
	src := `rules:
  - id: star
    pattern: a*
  - pattern: foo
  - id: dup
    pattern: secretvalue1
  - id: dup
    pattern: secretvalue2
  - id: odd
    pattern: secretvalue3
    colour: red
    word: maybe
  - id: fine
    pattern: secretvalue4
  - id: "bad id!"
    pattern: [x]
colour: blue
`
	rules, err := ParseRules([]byte(src), "r.yml", OriginUser)
	var got []string
	for _, p := range Problems(err) {
		got = append(got, p.Error())
	}
	want := []string{
		`r.yml:17: unknown key "colour" (want rules)`,
		`r.yml:2: rule "star": pattern: matches the empty text, so it would match everywhere; make it match at least one byte`,
		`r.yml:4: rule 2: id: missing`,
		`r.yml:7: rule "dup": id: duplicate of the rule on line 5`,
		`r.yml:9: rule "odd": colour: unknown key`,
		`r.yml:9: rule "odd": word: "maybe" is not true or false`,
		`r.yml:15: rule "bad id!": id: want letters, digits, '_', '.' or '-' (at most 64)`,
		`r.yml:15: rule "bad id!": pattern: want a string`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	if want := []string{"dup", "fine"}; !slices.Equal(ids, want) {
		t.Errorf("rules kept = %q, want %q", ids, want)
	}
	if got := Problems(nil); got != nil {
		t.Errorf("Problems(nil) = %v", got)
	}
}

func TestRepoCannotWeakenViaConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Rules = []Rule{{ID: "github-token", Origin: OriginRepo, Disabled: true, Source: "repo.yml:1"}}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "repo.yml:1") {
		t.Errorf("New accepted a repository rule that disables a built-in: %v", err)
	}
	cfg.Rules = []Rule{{ID: "github-token", Origin: OriginUser, Disabled: true, Source: "user.yml:1"}}
	e := newTestEngine(t, cfg)
	for _, r := range e.Rules() {
		if r.ID == "github-token" && r.Enabled {
			t.Error("a user toggle did not disable the built-in")
		}
	}
	cfg.Rules = nil
	cfg.Disabled = []string{"no-such-rule"}
	if _, err := New(cfg); err == nil {
		t.Error("New accepted an unknown disabled id")
	}
}

func TestLoadRules(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "redactions.yml")
	if err := os.WriteFile(p, []byte("- id: bad\n  pattern: '[z-a]'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadRules(p, OriginUser)
	if err == nil || !strings.HasPrefix(err.Error(), `redactions.yml:1: rule "bad": pattern:`) {
		t.Errorf("got %v", err)
	}
	if _, err := LoadRules(filepath.Join(dir, "missing.yml"), OriginUser); err == nil {
		t.Error("no error for a missing file")
	}
}

func TestFingerprintTracksDefinition(t *testing.T) {
	a := Rule{ID: "x", Type: TypeRegex, Pattern: "abc"}
	b := a
	b.Reason = "documentation only"
	c := a
	c.Pattern = "abd"
	if a.Fingerprint() != b.Fingerprint() {
		t.Error("the fingerprint changed with the reason")
	}
	if a.Fingerprint() == c.Fingerprint() {
		t.Error("the fingerprint did not change with the pattern")
	}
}

// TestBuiltinPackIsBounded checks that no built-in pattern has an
// unbounded quantifier and that every built-in regex rule has keywords.
func TestBuiltinPackIsBounded(t *testing.T) {
	rules, err := builtinRules()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range rules {
		if ids[r.ID] {
			t.Errorf("duplicate id %q", r.ID)
		}
		ids[r.ID] = true
		if r.Pattern != "" && unbounded(r.Pattern) {
			t.Errorf("rule %q: unbounded quantifier in %q", r.ID, r.Pattern)
		}
		if r.Type == TypeRegex && len(r.Keywords) == 0 {
			t.Errorf("rule %q runs on every byte: give it keywords", r.ID)
		}
		for _, k := range r.Keywords {
			if len(k) < 3 && k != "Q~" {
				t.Errorf("rule %q: keyword %q is too short to filter", r.ID, k)
			}
		}
		if r.Description == "" {
			t.Errorf("rule %q has no description", r.ID)
		}
	}
}

func TestExpandSample(t *testing.T) {
	if got := expandSample("a{{}}b{{xy*3}}c{{x}}"); got != "abxyxyxyc{{x}}" {
		t.Errorf("got %q", got)
	}
}

// TestDocExample keeps the rule-file example of docs/redaction.md valid.
func TestDocExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "redaction.md"))
	if err != nil {
		t.Skipf("docs/redaction.md not found: %v", err)
	}
	doc := string(data)
	start := strings.Index(doc, "```yaml\n")
	if start < 0 {
		t.Fatal("no yaml example in docs/redaction.md")
	}
	body := doc[start+len("```yaml\n"):]
	body = body[:strings.Index(body, "```")]
	rules, err := ParseRules([]byte(body), "redaction.md", OriginUser)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range VerifySamples(rules, DefaultConfig()) {
		t.Error(err)
	}
	cfg := DefaultConfig()
	cfg.Rules = rules
	if _, err := New(cfg); err != nil {
		t.Error(err)
	}
}

func TestRulesHidePersonalTerms(t *testing.T) {
	e := newTestEngine(t, testConfig())
	for _, r := range e.Rules() {
		for _, k := range r.Keywords {
			if strings.Contains(k, "jdoe") {
				t.Errorf("rule %s lists the personal term %q", r.ID, k)
			}
		}
	}
}

// unbounded reports whether src has a repetition without an upper bound.
func unbounded(src string) bool {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return false
	}
	var walk func(*syntax.Regexp) bool
	walk = func(re *syntax.Regexp) bool {
		switch re.Op {
		case syntax.OpStar, syntax.OpPlus:
			return true
		case syntax.OpRepeat:
			if re.Max < 0 {
				return true
			}
		}
		for _, s := range re.Sub {
			if walk(s) {
				return true
			}
		}
		return false
	}
	return walk(re)
}

// FuzzParseRules checks that no rule file makes ParseRules panic, that
// each problem is one line naming the file, and that every rule returned
// has an id.
func FuzzParseRules(f *testing.F) {
	for _, s := range []string{
		"rules:\n  - id: x\n    pattern: 'ORD-\\d{5}'\n    samples:\n      positive: ['ORD-12345']\n",
		"- id: star\n  pattern: a*\n- pattern: foo\n- id: d\n  pattern: abc\n- id: d\n  word: maybe\n",
		"rules: 3\nversion: 1\nother: x\n",
		"- {id: email, enabled: false}\n- &r {id: y, pattern: abc}\n- *r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rules, err := ParseRules([]byte(in), "r.yml", OriginUser)
		for _, p := range Problems(err) {
			if msg := p.Error(); !strings.HasPrefix(msg, "r.yml") || strings.Contains(msg, "\n") {
				t.Errorf("problem %q is not one line naming the file", msg)
			}
		}
		for _, r := range rules {
			if r.ID == "" {
				t.Errorf("rule without an id returned: %+v", r)
			}
		}
	})
}
