package redact

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// plain turns a parsed table into plain Go values for comparison.
func plain(v any) any {
	switch x := v.(type) {
	case *tomlTable:
		m := map[string]any{}
		for k, e := range x.keys {
			m[k] = plain(e.v)
		}
		return m
	case []*tomlValue:
		out := []any{}
		for _, e := range x {
			out = append(out, plain(e.v))
		}
		return out
	}
	return v
}

func TestParseTOML(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     map[string]any
	}{
		{"strings", `a = "x\ty\u00e9\"" # comment
b = 'C:\path\n'
c = '''
(?i)acme'''
d = """
one \
   two"""
e = ''''quoted'''''`,
			map[string]any{"a": "x\tyé\"", "b": `C:\path\n`, "c": "(?i)acme", "d": "one two", "e": "'quoted''"}},
		{"numbers", "i = -42\nf = 3.5\ng = 1e3\nh = 1_000\nx = 0x1f\nt = true\nu = false\n",
			map[string]any{"i": int64(-42), "f": 3.5, "g": 1000.0, "h": int64(1000), "x": int64(31), "t": true, "u": false}},
		{"arrays", "k = [\n  'a', # first\n  \"b\",\n\n]\nn = [[1, 2], []]\n",
			map[string]any{"k": []any{"a", "b"}, "n": []any{[]any{int64(1), int64(2)}, []any{}}}},
		{"tables", "[a.b]\nc = 1\n[\"q k\"]\nd.e = 'x'\ni = { f = 2, g = [3] }\n",
			map[string]any{"a": map[string]any{"b": map[string]any{"c": int64(1)}},
				"q k": map[string]any{"d": map[string]any{"e": "x"}, "i": map[string]any{"f": int64(2), "g": []any{int64(3)}}}}},
		{"arrays of tables", "[[r]]\nid = 1\n[[r.l]]\nx = 1\n[[r.l]]\nx = 2\n[[r]]\nid = 2\n",
			map[string]any{"r": []any{
				map[string]any{"id": int64(1), "l": []any{map[string]any{"x": int64(1)}, map[string]any{"x": int64(2)}}},
				map[string]any{"id": int64(2)}}}},
		{"crlf", "a = 1\r\nb = 'x'\r\n", map[string]any{"a": int64(1), "b": "x"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTOML(tt.in, "t.toml")
			if err != nil {
				t.Fatal(err)
			}
			if p := plain(got); !reflect.DeepEqual(p, tt.want) {
				t.Errorf("got  %#v\nwant %#v", p, tt.want)
			}
		})
	}
}

func TestParseTOMLErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"a = 'x\nb = 1", "t.toml:1: unterminated string"},
		{"a = 1\na = 2", "t.toml:2: key \"a\" defined twice"},
		{"\n\na = \"\\q\"", "t.toml:3: unknown escape \\q"},
		{"d = 1979-05-27", "dates and times are not supported"},
		{"[t]\n[t]", "t.toml:2: [t]: table defined twice"},
		{"a = 1 b = 2", "t.toml:1: unexpected 'b'"},
		{"a = [1, 2", "array: want ',' or ']'"},
		{"a = ", "t.toml:1: missing value"},
		{"a = '''x", "unterminated ''' string"},
		{"x = 1\n[[x]]", "t.toml:2: [[x]]: \"x\" is already defined"},
		{"a = " + strings.Repeat("[", 40), "nested more than 32 deep"},
		{"a = \"\xff\"", "not UTF-8"},
		{"= 1", "want a key"},
	} {
		_, err := parseTOML(tt.in, "t.toml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseTOML(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func FuzzParseTOML(f *testing.F) {
	pack, _ := os.ReadFile("testdata/gitleaks-pack.toml")
	f.Add(string(pack))
	for _, s := range []string{"a = 1", "[[r]]\nid='x'", `s = """a\"""b"""`, "k = [1,[2,{a=3}]]", "x = '''\n'''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		root, err := parseTOML(in, "f.toml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.toml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		_ = plain(root)
		// Whatever parses converts without a panic.
		_, _ = importInto(t, []byte(in), "f.toml", nil, "redactions.yml", OriginUser, "")
	})
}

// importInto imports a pack into a rule file's content and returns the
// result and the file as it would be written.
func importInto(t testing.TB, pack []byte, packName string, file []byte, fileName string, origin Origin, prefix string) (*Import, []byte) {
	t.Helper()
	d, err := EditRuleData(fileName, file)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := ImportGitleaks(pack, packName, d, origin, prefix)
	if err != nil {
		return nil, []byte(err.Error())
	}
	data, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return imp, data
}

func readPack(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/gitleaks-pack.toml")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestImportGitleaks(t *testing.T) {
	pack := readPack(t)
	existing := []byte("# my rules\nrules:\n  - id: ticket # internal tickets\n    pattern: 'TCK-[0-9]{4}'\n")
	imp, file := importInto(t, pack, "acme.toml", existing, "redactions.yml", OriginUser, "")
	if imp == nil {
		t.Fatal(string(file))
	}
	var ids []string
	for _, r := range imp.Rules {
		ids = append(ids, r.ID)
	}
	if want := "[acme-deploy-token acme-api-secret acme-short-keyword acme-session]"; fmt.Sprint(ids) != want {
		t.Errorf("imported %v, want %s", ids, want)
	}
	skipped := strings.Join(imp.Skipped, "\n")
	for _, want := range []string{
		`acme.toml:46: rule "acme-lookahead": regex (line 49): Go's RE2 cannot compile it: error parsing regexp: invalid or unsupported Perl syntax`,
		`acme.toml:52: rule "acme-keystore": no regex`,
		`acme.toml:57: rule "github-pat": id: "github-pat" is a built-in rule's id; import with --prefix`,
		`acme.toml:63: rule "acme-maybe": pattern: matches the empty text`,
	} {
		if !strings.Contains(skipped, want) {
			t.Errorf("skipped:\n%s\nwant a line %q", skipped, want)
		}
	}
	if len(imp.Skipped) != 4 {
		t.Errorf("%d skipped, want 4", len(imp.Skipped))
	}
	notes := strings.Join(imp.Notes, "\n")
	for _, want := range []string{
		"acme.toml:5: [extend]",
		`acme.toml:34: rule "acme-api-secret": allowlist: regexes on the line, not the secret, are dropped`,
		`acme.toml:41: rule "acme-api-secret": allowlist: applies only with file paths or commits`,
		`rule "acme-short-keyword": keywords: "x" is too short`,
		`rule "acme-session": path: texts have no file paths`,
		`rule "acme-session": required:`,
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes:\n%s\nwant a line %q", notes, want)
		}
	}
	// The file keeps what it had, gains the rules, and parses as a user file.
	for _, want := range []string{"# my rules", "- id: ticket # internal tickets", "imported: gitleaks:acme.toml:18", "ignore_case: false"} {
		if !strings.Contains(string(file), want) {
			t.Errorf("the new file lacks %q:\n%s", want, file)
		}
	}
	rules, err := ParseRules(file, "redactions.yml", OriginUser)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Rules = rules
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	token := "acme_" + fakeChars("0a1b2c3d4e5f6g7h8i9j", 32, 3)
	secret := fakeChars(alnumChars, 40, 4)
	in := "deploy " + token + "\nACME_SECRET = \"" + secret + "\"\nkey acme_test_" + fakeChars("abc123", 27, 5) + " xq_0123456789 TCK-0042"
	out, fs := e.Text(ScopeField, in)
	if strings.Contains(out, token) || strings.Contains(out, secret) {
		t.Errorf("imported rules missed: %q", out)
	}
	if !strings.Contains(out, "acme_test_") {
		t.Errorf("the pack's global allowlist was not kept: %q", out)
	}
	for _, id := range []string{"acme-deploy-token", "acme-short-keyword", "ticket"} {
		if !hasRule(fs, id) {
			t.Errorf("no %s finding: %v", id, ruleIDs(fs))
		}
	}
	for _, r := range e.Rules() {
		if r.ID == "acme-deploy-token" && (r.Origin != OriginUser || r.Imported != "gitleaks:acme.toml:18") {
			t.Errorf("rule info %+v: want origin user, imported from the pack", r)
		}
	}
	// Importing the pack again replaces its rules instead of adding them twice.
	again, againFile := importInto(t, pack, "acme.toml", file, "redactions.yml", OriginUser, "")
	if again == nil {
		t.Fatal(string(againFile))
	}
	if again.Replaced != 4 || len(again.Rules) != 4 || strings.Count(string(againFile), "imported: gitleaks:acme.toml:") != 4 {
		t.Errorf("re-import: replaced %d, imported %d:\n%s", again.Replaced, len(again.Rules), againFile)
	}
	// With a prefix, the built-in's namesake comes in under its own id.
	pre, msg := importInto(t, pack, "acme.toml", nil, "redactions.yml", OriginUser, "gl-")
	if pre == nil {
		t.Fatal(string(msg))
	}
	if len(pre.Rules) != 5 || pre.Rules[2].ID != "gl-github-pat" {
		t.Errorf("with a prefix: %d rules, third %q", len(pre.Rules), pre.Rules[2].ID)
	}
}

// TestImportGitleaksIntoRepository checks that imported rules go through
// the checks of their destination: a repository file refuses a rule that
// matches ordinary text.
func TestImportGitleaksIntoRepository(t *testing.T) {
	pack := []byte("[[rules]]\nid = 'broad'\nregex = '''[a-z]{4,30}'''\n\n[[rules]]\nid = 'narrow'\nregex = '''acme_[a-z0-9]{32}'''\n")
	imp, msg := importInto(t, pack, "p.toml", nil, ".aitrail/redactions.yml", OriginRepo, "")
	if imp == nil {
		t.Fatal(string(msg))
	}
	if len(imp.Rules) != 1 || imp.Rules[0].ID != "narrow" || imp.Rules[0].Origin != OriginRepo {
		t.Fatalf("imported %+v", imp.Rules)
	}
	if len(imp.Skipped) != 1 || !strings.Contains(imp.Skipped[0], `p.toml:1: rule "broad": pattern: matches ordinary text`) {
		t.Errorf("skipped %q", imp.Skipped)
	}
	for _, bad := range []string{"", "title = 'x'", "rules = 3"} {
		if imp, _ := importInto(t, []byte(bad), "p.toml", nil, "r.yml", OriginUser, ""); imp != nil {
			t.Errorf("ImportGitleaks(%q) accepted a pack without rules", bad)
		}
	}
	imp, msg = importInto(t, []byte("[[rules]]\nid = 'x'\nregex = 5"), "p.toml", nil, "r.yml", OriginUser, "")
	if imp == nil {
		t.Fatalf("a regex of the wrong type: %s", msg)
	}
	if len(imp.Skipped) != 1 || !strings.Contains(imp.Skipped[0], "regex (line 3): wrong type: want a string") {
		t.Errorf("a regex of the wrong type: %q", imp.Skipped)
	}
}
