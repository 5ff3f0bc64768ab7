package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Origin says where a rule was defined.
type Origin string

// Rule origins. A repository file can only add rules (see ParseRules).
const (
	OriginBuiltin Origin = "builtin"
	OriginUser    Origin = "user"
	OriginRepo    Origin = "repo"
)

// Rule types.
const (
	TypeLiteral  = "literal"  // Pattern is a literal string
	TypeRegex    = "regex"    // Pattern is an RE2 regular expression
	TypeMarker   = "marker"   // like regex, but the whole match is always replaced
	TypeDetector = "detector" // a hand-written scanner of the built-in pack
)

// Rule scopes: which texts a rule applies to.
const (
	RuleScopePrompt = "prompt"
	RuleScopeField  = "field"
	RuleScopeGlobal = "global"
)

// Rule is one redaction rule, as written in a rule file.
//
// A rule whose ID names a built-in rule and that has neither Type nor
// Pattern is a toggle: it enables or disables that built-in (user files
// only).
type Rule struct {
	ID          string
	Type        string // literal, regex, marker (detector: built-in pack only)
	Pattern     string
	Detector    string // detector name, for Type == detector
	Keywords    []string
	Entropy     float64 // minimum Shannon entropy (bits per byte) of the secret
	Allowlist   Allowlist
	Group       string // capture group of the secret: number or name; "" = default
	Scope       string // prompt, field or global ("" = global; marker: prompt)
	Replacement string // "" = [REDACTED:<id>]
	Disabled    bool   // enabled: false in the file
	Reason      string
	Description string
	Actor       string
	IgnoreCase  bool // rule files default to true, as in AI Log Trail
	DotAll      bool
	Word        bool // literal: match whole words only
	Window      int  // bytes searched on each side of a keyword hit; 0 = automatic
	// Extend is a bracketed ASCII character class, such as "[A-Za-z0-9_-]":
	// a secret that ends where the match ends is extended over following
	// bytes of the class (up to 64 KiB). It lets a rule catch tokens longer
	// than RE2's 1000-repeat limit without an unbounded quantifier.
	Extend  string
	Samples Samples
	Origin  Origin
	Source  string // "file:line" of the definition, for messages
	// Imported says where an imported rule came from:
	// "gitleaks:<pack file>:<line>" (see ImportGitleaks).
	Imported string
}

// Allowlist lists values a rule must not redact. Values are compared with
// the secret exactly, Regexes are searched in it, and Stopwords are
// case-insensitive substrings of it.
type Allowlist struct {
	Values    []string
	Regexes   []string
	Stopwords []string
}

// Samples are texts a rule must catch (Positive) and must leave alone
// (Negative). In samples, "{{}}" is removed and "{{abc*3}}" expands to
// "abcabcabc", so that fake tokens never appear whole in a source file.
type Samples struct {
	Positive []string
	Negative []string
}

// RuleInfo describes a rule for `aitrail rules list`.
type RuleInfo struct {
	ID          string
	Type        string
	Origin      Origin
	Enabled     bool
	Scope       string
	Description string
	Keywords    []string
	Fingerprint string
	Source      string
	Imported    string // the pack an imported rule came from
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// LoadRules reads and parses a rule file. Errors name the file, the rule
// and the key at fault.
func LoadRules(path string, origin Origin) ([]Rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	return ParseRules(data, filepath.Base(path), origin)
}

// ParseRules parses a rule file named name (used in messages). The file is
// either a list of rules or a mapping with a "rules" list.
//
// A repository file (origin repo) may add rules but cannot disable or
// redefine a built-in rule: a cloned repository must not weaken the user's
// protection. A user file may disable a built-in with {id: <id>, enabled:
// false}.
//
// Every problem of the file is reported, each as "name:line: rule "id":
// key: problem", in an error that unwraps to one error per problem
// (Problems splits it). The rules without a problem are returned with it.
func ParseRules(data []byte, name string, origin Origin) ([]Rule, error) {
	builtins := map[string]bool{}
	if origin != OriginBuiltin {
		builtins = builtinIDs()
	}
	return parseRules(data, name, origin, builtins)
}

// Problems splits an error of ParseRules into its problems, one per line
// of the message.
func Problems(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

func parseRules(data []byte, name string, origin Origin, builtins map[string]bool) ([]Rule, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("%s:%s: %s", name, m[1], strings.TrimPrefix(err.Error(), m[0]))
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil // empty file
	}
	var problems []error
	root := doc.Content[0]
	list := root
	if root.Kind == yaml.MappingNode {
		list = nil
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			switch k.Value {
			case "rules":
				list = v
			case "version":
				// accepted and ignored: there is one format so far
			default:
				problems = append(problems, fmt.Errorf("%s:%d: unknown key %q (want rules)", name, k.Line, k.Value))
			}
		}
		if list == nil || (list.Kind == yaml.ScalarNode && list.Tag == "!!null") {
			return nil, errors.Join(problems...)
		}
	}
	if list.Kind != yaml.SequenceNode {
		return nil, errors.Join(append(problems, fmt.Errorf("%s:%d: want a list of rules", name, list.Line))...)
	}
	if origin == OriginRepo && len(list.Content) > maxRepoRules {
		return nil, errors.Join(append(problems, fmt.Errorf("%s:%d: %d rules: a repository rule file holds at most %d", name, list.Line, len(list.Content), maxRepoRules))...)
	}
	deadline := time.Now().Add(repoCheckBudget)
	var rules []Rule
	seen := map[string]int{}
	for i, n := range list.Content {
		if origin == OriginRepo && time.Now().After(deadline) {
			problems = append(problems, fmt.Errorf("%s:%d: checking the rules took longer than %v (%d of %d checked): make them fewer or simpler",
				name, n.Line, repoCheckBudget, i, len(list.Content)))
			break
		}
		r, errs := parseRule(n, name, origin, i)
		if r.ID != "" {
			if prev, ok := seen[r.ID]; ok {
				errs = append(errs, fmt.Errorf("%s:%d: rule %q: id: duplicate of the rule on line %d", name, n.Line, r.ID, prev))
			} else {
				seen[r.ID] = n.Line
			}
		}
		if len(errs) == 0 && origin == OriginRepo && builtins[r.ID] {
			if r.Disabled {
				errs = append(errs, fmt.Errorf("%s:%d: rule %q: enabled: a repository rule file cannot disable built-in rule %q", name, n.Line, r.ID, r.ID))
			} else {
				errs = append(errs, fmt.Errorf("%s:%d: rule %q: id: a repository rule file cannot redefine built-in rule %q", name, n.Line, r.ID, r.ID))
			}
		}
		// A rule is compiled and tried only when it was read whole: a
		// key that did not parse would make it look like another rule.
		if len(errs) == 0 && origin != OriginBuiltin {
			if err := checkRule(&r, builtins[r.ID]); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			problems = append(problems, errs...)
			continue
		}
		rules = append(rules, r)
	}
	return rules, errors.Join(problems...)
}

// parseRule reads one rule, the index-th of file, and returns every
// problem of its keys.
func parseRule(n *yaml.Node, file string, origin Origin, index int) (Rule, []error) {
	r := Rule{IgnoreCase: true, Origin: origin, Source: fmt.Sprintf("%s:%d", file, n.Line)}
	where := fmt.Sprintf("%s:%d: rule %d", file, n.Line, index+1)
	if n.Kind != yaml.MappingNode {
		return r, []error{fmt.Errorf("%s: want a mapping", where)}
	}
	var errs []error
	// Find the id first so that every later message can name the rule.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "id" {
			r.ID = n.Content[i+1].Value
			where = fmt.Sprintf("%s:%d: rule %q", file, n.Line, r.ID)
		}
	}
	switch {
	case r.ID == "":
		errs = append(errs, fmt.Errorf("%s: id: missing", where))
	case !idPattern.MatchString(r.ID):
		errs = append(errs, fmt.Errorf("%s: id: want letters, digits, '_', '.' or '-' (at most 64)", where))
		r.ID = "" // not one to compare with the others
	}
	typeSet := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "id":
		case "type":
			r.Type, err = scalarString(v)
			typeSet = true
		case "pattern":
			r.Pattern, err = scalarString(v)
		case "detector":
			r.Detector, err = scalarString(v)
		case "keywords":
			r.Keywords, err = stringList(v)
		case "entropy":
			err = decodeScalar(v, &r.Entropy, "a number")
		case "allowlist":
			r.Allowlist, err = parseAllowlist(v)
		case "group":
			r.Group, err = scalarString(v)
		case "scope":
			r.Scope, err = scalarString(v)
		case "replacement":
			r.Replacement, err = scalarString(v)
		case "enabled":
			var on bool
			err = decodeScalar(v, &on, "true or false")
			r.Disabled = !on
		case "reason":
			r.Reason, err = scalarString(v)
		case "description":
			r.Description, err = scalarString(v)
		case "actor":
			r.Actor, err = scalarString(v)
		case "ignore_case":
			err = decodeScalar(v, &r.IgnoreCase, "true or false")
		case "dotall":
			err = decodeScalar(v, &r.DotAll, "true or false")
		case "word":
			err = decodeScalar(v, &r.Word, "true or false")
		case "window":
			err = decodeScalar(v, &r.Window, "a whole number")
		case "extend":
			r.Extend, err = scalarString(v)
		case "samples":
			r.Samples, err = parseSamples(v)
		case "imported":
			r.Imported, err = scalarString(v)
		default:
			err = errors.New("unknown key")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", where, k.Value, err))
		}
	}
	if !typeSet && r.Pattern == "" && r.Detector == "" {
		r.Type = "" // a toggle
	} else if !typeSet {
		r.Type = TypeRegex
	}
	if r.Type == TypeDetector && origin != OriginBuiltin {
		errs = append(errs, fmt.Errorf("%s: type: %q is reserved for the built-in pack", where, TypeDetector))
	}
	return r, errs
}

// Limits of a repository rule file, which anyone who can push to the
// repository writes: its rules apply to that repository's sessions only,
// and checking them must stay quick in every git hook.
const (
	maxRepoRules    = 256             // rules in one file
	maxRepoProgram  = 10000           // RE2 instructions of one pattern
	repoCheckBudget = 2 * time.Second // to parse and check the whole file
	// benignShare is the share of the lines of the benign sample a
	// repository rule may fire on: a rule that fires on more hides
	// ordinary text, not a secret.
	benignShare = 0.10
)

// checkRule validates a user or repository rule: it compiles it, refuses a
// pattern that matches the empty text, and holds a repository rule to its
// limits (no replacement of its own, a bounded pattern, quiet on ordinary
// text).
func checkRule(r *Rule, isBuiltin bool) error {
	where := fmt.Sprintf("%s: rule %q", r.Source, r.ID)
	if r.Type == "" {
		if !isBuiltin {
			return fmt.Errorf("%s: type: missing (and %q is not a built-in rule to enable or disable)", where, r.ID)
		}
		return nil
	}
	if isBuiltin {
		return fmt.Errorf("%s: id: %q is a built-in rule; choose another id, or disable the built-in with {id: %s, enabled: false}", where, r.ID, r.ID)
	}
	if r.Origin == OriginRepo && r.Replacement != "" {
		return fmt.Errorf("%s: replacement: a repository rule cannot choose what replaces its matches (always [REDACTED:%s]); remove the key", where, r.ID)
	}
	c, err := compileRule(*r, len(r.ID))
	if err != nil {
		return err
	}
	if c.kind == kindRegex && c.regexp().MatchString("") {
		return fmt.Errorf("%s: pattern: matches the empty text, so it would match everywhere; make it match at least one byte", where)
	}
	if r.Origin == OriginRepo {
		if hit, total := benignHits(*r); float64(hit) > benignShare*float64(total) {
			return fmt.Errorf("%s: pattern: matches ordinary text (%d of the %d lines of aitrail's sample of prose, code and logs); a repository rule must match secrets only",
				where, hit, total)
		}
	}
	return nil
}

// benignHits returns on how many lines of the benign sample rule r fires,
// alone and with no personal-data policy, and how many lines there are.
func benignHits(r Rule) (hit, total int) {
	r.Disabled = false
	e, err := newEngine(Config{IPPolicy: IPOff}, []Rule{r})
	if err != nil || len(e.rules) == 0 {
		return 0, 0
	}
	scope := ScopeField
	if e.rules[0].scopes&scopeBitField == 0 {
		scope = ScopePrompt
	}
	lines := benignLines()
	for _, l := range lines {
		if _, fs := e.Text(scope, l); len(fs) > 0 {
			hit++
		}
	}
	return hit, len(lines)
}

// decodeScalar decodes a single value into out, which is what (in words)
// when the value is wrong.
func decodeScalar(v *yaml.Node, out any, what string) error {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if v.Kind != yaml.ScalarNode {
		return fmt.Errorf("want %s", what)
	}
	_, isInt := out.(*int)
	if v.Decode(out) != nil || isInt && v.ShortTag() != "!!int" { // yaml.v3 cuts 1.5 to 1
		return fmt.Errorf("%q is not %s", v.Value, what)
	}
	return nil
}

func scalarString(v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", errors.New("want a string")
	}
	return v.Value, nil
}

func stringList(v *yaml.Node) ([]string, error) {
	if v.Kind == yaml.ScalarNode {
		return []string{v.Value}, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, errors.New("want a list of strings")
	}
	out := make([]string, 0, len(v.Content))
	for _, c := range v.Content {
		if c.Kind != yaml.ScalarNode {
			return nil, errors.New("want a list of strings")
		}
		out = append(out, c.Value)
	}
	return out, nil
}

func parseAllowlist(v *yaml.Node) (Allowlist, error) {
	var a Allowlist
	if v.Kind != yaml.MappingNode {
		return a, errors.New("want a mapping with values, regexes, stopwords")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, c := v.Content[i], v.Content[i+1]
		var err error
		switch k.Value {
		case "values":
			a.Values, err = stringList(c)
		case "regexes":
			a.Regexes, err = stringList(c)
		case "stopwords":
			a.Stopwords, err = stringList(c)
		default:
			err = fmt.Errorf("unknown key %q", k.Value)
		}
		if err != nil {
			return a, fmt.Errorf("%s: %w", k.Value, err)
		}
	}
	return a, nil
}

func parseSamples(v *yaml.Node) (Samples, error) {
	var s Samples
	if v.Kind != yaml.MappingNode {
		return s, errors.New("want a mapping with positive, negative")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, c := v.Content[i], v.Content[i+1]
		var err error
		switch k.Value {
		case "positive":
			s.Positive, err = stringList(c)
		case "negative":
			s.Negative, err = stringList(c)
		default:
			err = fmt.Errorf("unknown key %q", k.Value)
		}
		if err != nil {
			return s, fmt.Errorf("%s: %w", k.Value, err)
		}
	}
	return s, nil
}

// Fingerprint is a short hash of the rule's definition: it changes when the
// rule's matching behaviour changes, not when its samples or reason do.
func (r Rule) Fingerprint() string {
	h := sha256.New()
	put := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	put(r.ID)
	put(r.Type)
	put(r.Pattern)
	put(r.Detector)
	put(strings.Join(r.Keywords, "\x01"))
	put(strconv.FormatFloat(r.Entropy, 'g', -1, 64))
	put(strings.Join(r.Allowlist.Values, "\x01"))
	put(strings.Join(r.Allowlist.Regexes, "\x01"))
	put(strings.Join(r.Allowlist.Stopwords, "\x01"))
	put(r.Group)
	put(r.Scope)
	put(r.Replacement)
	put(strconv.FormatBool(r.IgnoreCase))
	put(strconv.FormatBool(r.DotAll))
	put(strconv.FormatBool(r.Word))
	put(strconv.Itoa(r.Window))
	put(r.Extend)
	sum := h.Sum(nil)
	return hex.EncodeToString(sum[:8])
}

// expandSample applies the sample syntax: "{{}}" vanishes, "{{ab*3}}"
// repeats "ab" three times.
func expandSample(s string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	return sampleMacro.ReplaceAllStringFunc(s, func(m string) string {
		inner := m[2 : len(m)-2]
		if inner == "" {
			return ""
		}
		star := strings.LastIndexByte(inner, '*')
		n, _ := strconv.Atoi(inner[star+1:])
		return strings.Repeat(inner[:star], n)
	})
}

var sampleMacro = regexp.MustCompile(`\{\{(?:[^{}*]*\*[0-9]{1,4})?\}\}`)
