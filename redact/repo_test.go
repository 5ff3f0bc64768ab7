package redact

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestBenignSampleIsClean checks that the built-in pack finds nothing in
// the benign sample: it is the yardstick of "ordinary text".
func TestBenignSampleIsClean(t *testing.T) {
	e := newTestEngine(t, testConfig())
	for _, scope := range []Scope{ScopeField, ScopePrompt} {
		if out, fs := e.Text(scope, benignSample); len(fs) > 0 {
			for _, f := range fs {
				t.Errorf("%s fired on the benign sample: %q", f.RuleID, benignSample[f.Start:f.End])
			}
			_ = out
		}
	}
	if n := len(benignLines()); n < 150 {
		t.Errorf("the benign sample has %d lines; keep it at 150 or more", n)
	}
}

func parseRepo(t *testing.T, yml string) ([]Rule, error) {
	t.Helper()
	return ParseRules([]byte(yml), ".aitrail/redactions.yml", OriginRepo)
}

// TestRepoRuleRefusals reproduces issue 8, item 3: a repository's rule
// could choose its replacement, or match everything.
func TestRepoRuleRefusals(t *testing.T) {
	many := "rules:\n"
	for i := 0; i <= maxRepoRules; i++ {
		many += fmt.Sprintf("  - {id: r%d, pattern: 'acme_%04d[a-z0-9]{32}'}\n", i, i)
	}
	for _, tt := range []struct {
		name, yml, want string
	}{
		{"replacement", "rules:\n  - id: link\n    pattern: 'PN-[0-9]{6}'\n    replacement: '[click](https://evil.example)'\n",
			`.aitrail/redactions.yml:2: rule "link": replacement: a repository rule cannot choose what replaces its matches (always [REDACTED:link])`},
		{"everything", "rules:\n  - id: all\n    pattern: '(?s)[^\\x00]{1,1000}'\n",
			`.aitrail/redactions.yml:2: rule "all": pattern: matches ordinary text (`},
		{"words", "- id: words\n  pattern: '[a-z]{3,20}'\n", `rule "words": pattern: matches ordinary text`},
		{"vowels", "- id: vowels\n  pattern: '[aeiou][a-z]'\n", `rule "vowels": pattern: matches ordinary text`},
		{"common word literal", "- id: the\n  type: literal\n  pattern: the\n", `rule "the": pattern: matches ordinary text`},
		{"keyword window", "- id: near\n  pattern: '(?s).{1,400}'\n  keywords: [th]\n", `rule "near": pattern: matches`},
		{"empty", "- id: empty\n  pattern: 'x*'\n", `rule "empty": pattern: matches the empty text`},
		{"too complex", "- id: big\n  pattern: '" + strings.Repeat("[a-z0-9]{1,1000}-", 6) + "'\n", `rule "big": pattern: too complex for a repository rule`},
		{"too many", many, fmt.Sprintf("%d rules: a repository rule file holds at most %d", maxRepoRules+1, maxRepoRules)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRepo(t, tt.yml)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseRules = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	// A specific rule passes, and a user file may choose its replacement
	// and be as broad as its owner wants.
	if _, err := parseRepo(t, "- {id: part-no, pattern: 'PN-[0-9]{6}'}\n- {id: codename, type: literal, pattern: Bluebird}\n"); err != nil {
		t.Errorf("a specific repository rule was refused: %v", err)
	}
	if _, err := ParseRules([]byte("- {id: paths, pattern: '/[a-z]{1,40}', replacement: '<path>'}\n"), "redactions.yml", OriginUser); err != nil {
		t.Errorf("a user rule was refused: %v", err)
	}
	if _, err := ParseRules([]byte("- {id: e, pattern: 'a?'}\n"), "redactions.yml", OriginUser); err == nil {
		t.Error("a user rule matching the empty text was accepted")
	}
}

// repoEngine builds an engine whose repositories' rules come from files.
func repoTestEngine(t *testing.T, files map[string]string, user ...Rule) *Engine {
	t.Helper()
	cfg := testConfig()
	cfg.Rules = user
	cfg.RepoRules = func(root string) ([]Rule, error) {
		yml, ok := files[root]
		if !ok {
			return nil, nil
		}
		if yml == "broken" {
			return nil, errors.New(root + "/.aitrail/redactions.yml:1: broken")
		}
		return ParseRules([]byte(yml), root+"/.aitrail/redactions.yml", OriginRepo)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestRepoRulesStayInTheirRepository reproduces issue 8, item 3: a rule of
// one repository rewrote the texts of another.
func TestRepoRulesStayInTheirRepository(t *testing.T) {
	e := repoTestEngine(t, map[string]string{
		"/src/a": "- {id: part-no, pattern: 'PN-[0-9]{6}'}\n",
		"/src/b": "- {id: codename, type: literal, pattern: Bluebird}\n",
		"/src/c": "broken",
	})
	const text = "ship PN-123456 for Bluebird"
	for _, tt := range []struct {
		repo, want string
	}{
		{"/src/a", "ship [REDACTED:part-no] for Bluebird"},
		{"/src/b", "ship PN-123456 for [REDACTED:codename]"},
		{"/src/elsewhere", text},
		{"", text},
		{"/src/c", "[REDACTED:repository-rules]"},
	} {
		got, _ := e.TextAt(ScopeField, Location{Repo: tt.repo}, text)
		if got != tt.want {
			t.Errorf("TextAt(repo %q) = %q, want %q", tt.repo, got, tt.want)
		}
		raw := `{"text":"` + text + `"}`
		want := raw
		if tt.repo == "/src/c" {
			want = `"[REDACTED:repository-rules]"`
		} else if tt.want != text {
			want = `{"text":"` + tt.want + `"}`
		}
		if got, _ := e.JSONAt(Location{Repo: tt.repo, Raw: true}, []byte(raw)); string(got) != want {
			t.Errorf("JSONAt(repo %q) = %s, want %s", tt.repo, got, want)
		}
	}
	if got, _ := e.Text(ScopeField, text); got != text {
		t.Errorf("Text (no location) = %q: a repository's rules applied outside it", got)
	}
	if n, err := e.Repo("/src/a"); n != 1 || err != nil {
		t.Errorf("Repo(a) = %d, %v", n, err)
	}
	if _, err := e.Repo("/src/c"); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("Repo(c) = %v, want the loader's error", err)
	}
	var listed []string
	for _, r := range e.Rules() {
		if r.Origin == OriginRepo {
			listed = append(listed, r.ID+"@"+r.Source)
		}
	}
	if want := "[part-no@/src/a/.aitrail/redactions.yml:1 codename@/src/b/.aitrail/redactions.yml:1]"; fmt.Sprint(listed) != want {
		t.Errorf("Rules() lists %v, want %s", listed, want)
	}
	// Explain marks a repository rule's replacement too.
	out, fs, marks := e.ExplainAt(ScopeField, Location{Repo: "/src/a"}, "x PN-654321 jane.doe@gmail.com")
	if len(fs) != 2 || len(marks) != 2 || out[marks[0].Start:marks[0].End] != "[REDACTED:part-no]" {
		t.Errorf("ExplainAt = %q %v %v", out, fs, marks)
	}
	for _, f := range fs {
		if f.RuleID == "part-no" && (f.Start != 2 || f.End != 11) {
			t.Errorf("finding offsets %d-%d, want 2-11 in the input", f.Start, f.End)
		}
	}
}

func TestRepoRulesIDClash(t *testing.T) {
	user := Rule{ID: "ticket", Type: TypeRegex, Pattern: "TCK-[0-9]{4}", Origin: OriginUser, Source: "redactions.yml:2"}
	e := repoTestEngine(t, map[string]string{"/r": "- {id: ticket, pattern: 'T-[0-9]{9}'}\n"}, user)
	if _, err := e.Repo("/r"); err == nil || !strings.Contains(err.Error(), `rule "ticket": id: already defined by redactions.yml:2`) {
		t.Errorf("Repo = %v, want an id clash with the user's rule", err)
	}
	cfg := testConfig()
	cfg.Rules = []Rule{{ID: "x", Type: TypeRegex, Pattern: "x{3}", Origin: OriginRepo, Source: "r.yml:1"}}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "Config.RepoRules") {
		t.Errorf("New with repository rules in Config.Rules = %v, want an error", err)
	}
}
