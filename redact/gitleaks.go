package redact

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Import is the result of importing a rule pack (ImportGitleaks).
type Import struct {
	// Rules are the rules imported, in the pack's order.
	Rules []Rule
	// Skipped says, for each rule left out, where it is and why:
	// "pack.toml:12: rule "x": regex: Go's RE2 cannot compile it: …".
	Skipped []string
	// Notes say what of a rule imported could not be kept (a file-path
	// condition, an allowlist on the whole line): each makes the rule
	// redact more, never less.
	Notes []string
	// Replaced is how many rules of an earlier import of the pack were
	// removed.
	Replaced int
}

// importTag is the value of the imported key of a rule from a pack: the
// format, the pack's file name and the rule's line in it.
func importTag(pack string, line int) string {
	return "gitleaks:" + pack + ":" + strconv.Itoa(line)
}

// ImportGitleaks converts a rule pack in gitleaks' TOML format (the
// [[rules]] of a .gitleaks.toml: id, description, regex, secretGroup,
// entropy, keywords, allowlists, and the global allowlist) into rules of
// the given origin, and puts them in the rule file d, replacing those an
// earlier import of a pack of the same name put there; the caller writes
// d. Each rule gets the key imported: gitleaks:<pack>:<line>, and goes
// through the checks of any rule of its origin (ParseRules); a rule that
// fails one, whose regex Go's RE2 cannot compile (look-around,
// back-references) or whose id is taken (a built-in's, or one of d's) is
// skipped and reported with its line. prefix is put before every id. The
// pack is parsed with a small TOML reader written for the subset rule
// packs use.
func ImportGitleaks(pack []byte, packName string, d *RuleFileEdit, origin Origin, prefix string) (*Import, error) {
	if origin != OriginUser && origin != OriginRepo {
		return nil, fmt.Errorf("import into a %s rule file: want a user or repository file", origin)
	}
	root, err := parseTOML(string(pack), packName)
	if err != nil {
		return nil, err
	}
	tables, line, err := root.tables("rules")
	if err != nil {
		return nil, fmt.Errorf("%s:%d: rules: %w", packName, line, err)
	}
	if len(tables) == 0 {
		return nil, fmt.Errorf("%s: no [[rules]]: not a gitleaks rule pack", packName)
	}
	imp := &Import{}
	note := func(line int, id, format string, args ...any) {
		imp.Notes = append(imp.Notes, fmt.Sprintf("%s:%d: rule %q: %s", packName, line, id, fmt.Sprintf(format, args...)))
	}
	global, err := globalAllowlist(root, packName, imp)
	if err != nil {
		return nil, err
	}
	if ext, ok := root.keys["extend"]; ok {
		imp.Notes = append(imp.Notes, fmt.Sprintf("%s:%d: [extend]: the pack extends another configuration; only the rules written in it are imported", packName, ext.line))
	}
	tag := "gitleaks:" + packName + ":"
	builtins := builtinIDs()
	taken := map[string]bool{}
	for _, n := range d.list.Content {
		if !strings.HasPrefix(nodeKey(n, "imported"), tag) {
			taken[nodeKey(n, "id")] = true
		}
	}
	for _, t := range tables {
		r, why := convertGitleaks(t, packName, prefix, origin, note)
		if why == "" && builtins[r.ID] {
			why = fmt.Sprintf("id: %q is a built-in rule's id; import with --prefix to keep the rule under another id", r.ID)
		}
		if why == "" && taken[r.ID] {
			why = fmt.Sprintf("id: %q is already defined in %s or earlier in the pack", r.ID, d.Path())
		}
		if why == "" {
			r.Allowlist.Regexes = append(r.Allowlist.Regexes, global.Regexes...)
			r.Allowlist.Stopwords = append(r.Allowlist.Stopwords, global.Stopwords...)
			if err := checkRule(&r, false); err != nil {
				// checkRule names the pack's file and line already
				imp.Skipped = append(imp.Skipped, err.Error())
				continue
			}
		}
		if why != "" {
			id, _, _ := t.str("id")
			imp.Skipped = append(imp.Skipped, fmt.Sprintf("%s:%d: rule %q: %s", packName, t.line, prefix+id, why))
			continue
		}
		taken[r.ID] = true
		imp.Rules = append(imp.Rules, r)
	}
	imp.Replaced = d.replaceImported(tag, imp.Rules)
	// The file as it will be must be a valid rule file of its origin.
	data, err := d.Bytes()
	if err != nil {
		return nil, err
	}
	if _, err := ParseRules(data, d.Path(), origin); err != nil {
		return nil, fmt.Errorf("the rule file with the imported rules: %w", err)
	}
	return imp, nil
}

// convertGitleaks converts one [[rules]] table; why says why it cannot be
// imported.
func convertGitleaks(t *tomlTable, pack, prefix string, origin Origin, note func(int, string, string, ...any)) (Rule, string) {
	bad := func(key string, line int, err error) (Rule, string) {
		if line > 0 {
			return Rule{}, fmt.Sprintf("%s (line %d): %v", key, line, err)
		}
		return Rule{}, fmt.Sprintf("%s: %v", key, err)
	}
	id, line, err := t.str("id")
	if err != nil {
		return bad("id", line, err)
	}
	if id == "" {
		return Rule{}, "id: missing"
	}
	r := Rule{
		ID: prefix + id, Type: TypeRegex, Origin: origin, Source: fmt.Sprintf("%s:%d", pack, t.line),
		Imported: importTag(pack, t.line),
	}
	if !idPattern.MatchString(r.ID) {
		return Rule{}, "id: want letters, digits, '_', '.' or '-' (at most 64)"
	}
	if r.Description, line, err = t.str("description"); err != nil {
		return bad("description", line, err)
	}
	if r.Pattern, line, err = t.str("regex"); err != nil {
		return bad("regex", line, err)
	}
	if r.Pattern == "" {
		return Rule{}, "no regex (a rule on file paths only): texts have no paths to match"
	}
	if _, err := syntax.Parse(r.Pattern, syntax.Perl); err != nil {
		return Rule{}, fmt.Sprintf("regex (line %d): Go's RE2 cannot compile it: %v", line, err)
	}
	if g, ok, line, err := t.number("secretGroup"); err != nil {
		return bad("secretGroup", line, err)
	} else if ok && g != 0 {
		if g < 0 || g != float64(int(g)) {
			return bad("secretGroup", line, errors.New("want a group number"))
		}
		r.Group = strconv.Itoa(int(g))
	}
	if e, ok, line, err := t.number("entropy"); err != nil {
		return bad("entropy", line, err)
	} else if ok {
		r.Entropy = e
	}
	if r.Keywords, line, err = t.strList("keywords"); err != nil {
		return bad("keywords", line, err)
	}
	for _, k := range r.Keywords {
		if len(k) < 2 {
			note(t.line, r.ID, "keywords: %q is too short to gate the rule; the rule runs on every text", k)
			r.Keywords = nil
			break
		}
	}
	if _, ok := t.keys["path"]; ok {
		note(t.line, r.ID, "path: texts have no file paths; the rule applies to every text")
	}
	if _, ok := t.keys["required"]; ok {
		note(t.line, r.ID, "required: the rule applies without the rules it requires nearby")
	}
	lists, line, err := t.tables("allowlists")
	if err != nil {
		return bad("allowlists", line, err)
	}
	old, line, err := t.tables("allowlist")
	if err != nil {
		return bad("allowlist", line, err)
	}
	for _, a := range append(lists, old...) {
		al, err := convertAllowlist(a, func(format string, args ...any) { note(a.line, r.ID, format, args...) })
		if err != nil {
			return bad("allowlists", a.line, err)
		}
		r.Allowlist.Regexes = append(r.Allowlist.Regexes, al.Regexes...)
		r.Allowlist.Stopwords = append(r.Allowlist.Stopwords, al.Stopwords...)
	}
	return r, ""
}

// convertAllowlist keeps what of a gitleaks allowlist applies to a secret
// found in a text: regexes on the secret and stopwords. An allowlist on
// file paths or commits, or with regexes on the whole match or line, is
// dropped (in part or whole), which redacts more.
func convertAllowlist(a *tomlTable, note func(string, ...any)) (Allowlist, error) {
	var al Allowlist
	regexes, _, err := a.strList("regexes")
	if err != nil {
		return al, err
	}
	stopwords, _, err := a.strList("stopwords")
	if err != nil {
		return al, err
	}
	target, _, err := a.str("regexTarget")
	if err != nil {
		return al, err
	}
	cond, _, err := a.str("condition")
	if err != nil {
		return al, err
	}
	_, paths := a.keys["paths"]
	_, commits := a.keys["commits"]
	if (paths || commits) && strings.EqualFold(cond, "AND") {
		note("allowlist: applies only with file paths or commits, which texts have not; dropped")
		return Allowlist{}, nil
	}
	switch target {
	case "", "secret":
		for _, re := range regexes {
			if _, err := syntax.Parse(re, syntax.Perl); err != nil {
				note("allowlist: regex %q: Go's RE2 cannot compile it; dropped", re)
				continue
			}
			al.Regexes = append(al.Regexes, re)
		}
	default:
		if len(regexes) > 0 {
			note("allowlist: regexes on the %s, not the secret, are dropped", target)
		}
	}
	al.Stopwords = stopwords
	return al, nil
}

// globalAllowlist reads the pack's [allowlist] or [[allowlists]], which
// apply to every rule of the pack.
func globalAllowlist(root *tomlTable, pack string, imp *Import) (Allowlist, error) {
	var all Allowlist
	for _, key := range []string{"allowlist", "allowlists"} {
		tables, line, err := root.tables(key)
		if err != nil {
			return all, fmt.Errorf("%s:%d: %s: %w", pack, line, key, err)
		}
		for _, t := range tables {
			al, err := convertAllowlist(t, func(format string, args ...any) {
				imp.Notes = append(imp.Notes, fmt.Sprintf("%s:%d: [%s]: %s", pack, t.line, key, fmt.Sprintf(format, args...)))
			})
			if err != nil {
				return all, fmt.Errorf("%s:%d: %s: %w", pack, t.line, key, err)
			}
			all.Regexes = append(all.Regexes, al.Regexes...)
			all.Stopwords = append(all.Stopwords, al.Stopwords...)
		}
	}
	return all, nil
}

// replaceImported removes the rules whose imported key starts with tag
// and appends rules, keeping the file's comments and the order of the
// rest; it returns how many were removed.
func (d *RuleFileEdit) replaceImported(tag string, rules []Rule) int {
	kept := d.list.Content[:0:0]
	for _, n := range d.list.Content {
		if !strings.HasPrefix(nodeKey(n, "imported"), tag) {
			kept = append(kept, n)
		}
	}
	removed := len(d.list.Content) - len(kept)
	for _, r := range rules {
		kept = append(kept, ruleNode(r))
	}
	d.list.Content = kept
	d.list.Style = 0 // block style, also when the list was written []
	return removed
}

// nodeKey returns the scalar value of key in mapping n, or "".
func nodeKey(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Value
		}
	}
	return ""
}

// ruleNode writes an imported regex rule in the rule-file format.
func ruleNode(r Rule) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	str := scalarNode
	add := func(k string, v *yaml.Node) { n.Content = append(n.Content, str(k), v) }
	list := func(vs []string) *yaml.Node {
		l := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, v := range vs {
			l.Content = append(l.Content, str(v))
		}
		return l
	}
	add("id", str(r.ID))
	if r.Description != "" {
		add("description", str(r.Description))
	}
	add("type", str(r.Type))
	add("pattern", str(r.Pattern))
	add("ignore_case", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(r.IgnoreCase)})
	if len(r.Keywords) > 0 {
		add("keywords", list(r.Keywords))
	}
	if r.Entropy > 0 {
		add("entropy", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(r.Entropy, 'g', -1, 64)})
	}
	if r.Group != "" {
		add("group", str(r.Group))
	}
	if len(r.Allowlist.Regexes)+len(r.Allowlist.Stopwords) > 0 {
		al := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if len(r.Allowlist.Regexes) > 0 {
			al.Content = append(al.Content, str("regexes"), list(r.Allowlist.Regexes))
		}
		if len(r.Allowlist.Stopwords) > 0 {
			al.Content = append(al.Content, str("stopwords"), list(r.Allowlist.Stopwords))
		}
		add("allowlist", al)
	}
	add("imported", str(r.Imported))
	return n
}
