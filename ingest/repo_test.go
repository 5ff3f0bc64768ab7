package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/repofile"
	"github.com/aitrail/aitrail/store"
)

// repoWithRules makes a repository (a work tree with .git) holding rules.
func repoWithRules(t *testing.T, dir, rules string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".aitrail"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, redact.RepoRuleFile), rules)
	return dir
}

// promptTexts returns every stored prompt text, by session.
func promptTexts(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	list, err := db.Sessions(context.Background(), store.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		d, err := db.Detail(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, p := range d.Prompts {
			texts = append(texts, p.Text)
		}
		out[s.SessionID] = strings.Join(texts, " | ")
	}
	return out
}

// TestRepoRulesApplyToTheirSessions reproduces issue 8, item 3: a rule in
// one repository's file rewrote the prompts of sessions of another. Each
// repository's rules must reach its own sessions only, whichever
// repository the ingest runs from, a run resuming in the middle of a log
// included; a repository whose file cannot apply has its logs skipped
// until it is fixed, and the others go on.
func TestRepoRulesApplyToTheirSessions(t *testing.T) {
	base := filepath.Join(t.TempDir(), "src dir", "café")
	a := repoWithRules(t, filepath.Join(base, "a"), "- {id: part-no, pattern: 'PN-[0-9]{6}'}\n")
	b := repoWithRules(t, filepath.Join(base, "b"), "- {id: codename, type: literal, pattern: Bluebird}\n")
	c := repoWithRules(t, filepath.Join(base, "c"), "- {id: all, pattern: '(?s)[^\\x00]{1,1000}'}\n")
	outside := filepath.Join(base, "scratch")
	if err := os.MkdirAll(filepath.Join(a, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := redact.DefaultConfig()
	cfg.RepoRules = func(root string) ([]redact.Rule, error) { return redact.LoadRepoRules(root, repofile.Read) }
	logs := t.TempDir()
	const text = "ship PN-123456 for Bluebird"
	var files []File
	ag := recordAgent()
	for _, s := range []struct{ id, cwd string }{{"sa", filepath.Join(a, "sub")}, {"sb", b}, {"sc", c}, {"so", outside}} {
		p := filepath.Join(logs, s.id+".jsonl")
		write(t, p, `{"k":"session","s":"`+s.id+`","x":"`+s.cwd+`"}`+"\n"+
			`{"k":"prompt","s":"`+s.id+`","p":"p1","x":"`+text+`"}`+"\n")
		files = append(files, File{&ag, p})
	}
	db := openDB(t)
	var warnings []string
	run := func() {
		t.Helper()
		warnings = nil
		// Each run builds its engine, as each aitrail command does: it
		// reads the rule files again.
		eng, err := redact.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(context.Background(), db, eng, files, Options{Warn: func(m string) { warnings = append(warnings, m) }}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	want := map[string]string{
		"sa": "ship [REDACTED:part-no] for Bluebird",
		"sb": "ship PN-123456 for [REDACTED:codename]",
		"so": text,
	}
	got := promptTexts(t, db)
	for id, w := range want {
		if got[id] != w {
			t.Errorf("session %s: prompt %q, want %q", id, got[id], w)
		}
	}
	if _, ok := got["sc"]; ok {
		t.Errorf("the session of the repository with a refused rule file was stored: %q", got["sc"])
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "sc.jsonl: the repository's redaction rules cannot apply") ||
		!strings.Contains(warnings[0], `.aitrail/redactions.yml:1: rule "all": pattern: matches ordinary text`) {
		t.Errorf("warnings = %q, want one naming the log, the rule file, the rule and why", warnings)
	}
	raw := rawText(t, db)
	// The raw lines: PN in b's and the outside session's only, Bluebird in
	// a's and the outside session's only.
	if strings.Count(raw, "PN-123456") != 2 || strings.Count(raw, "Bluebird") != 2 {
		t.Errorf("raw lines:\n%s", raw)
	}
	// A run resuming in the middle of a log, whose new line does not name
	// the working directory again, still applies the repository's rules.
	appendTo(t, filepath.Join(logs, "sa.jsonl"), `{"k":"prompt","s":"sa","p":"p2","x":"then PN-654321"}`+"\n")
	write(t, filepath.Join(c, redact.RepoRuleFile), "- {id: codename-c, type: literal, pattern: Bluebird}\n")
	run()
	got = promptTexts(t, db)
	if w := "ship [REDACTED:part-no] for Bluebird | then [REDACTED:part-no]"; got["sa"] != w {
		t.Errorf("after resuming: %q, want %q", got["sa"], w)
	}
	if w := "ship PN-123456 for [REDACTED:codename-c]"; got["sc"] != w {
		t.Errorf("once its file is fixed, the repository's session is read: %q, want %q", got["sc"], w)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings after the fix: %q", warnings)
	}
	raw = rawText(t, db)
	if strings.Contains(raw, "PN-654321") {
		t.Errorf("the raw copy of the resumed line missed the repository's rule:\n%s", raw)
	}
}

// TestInReposReadsOnlyTheRepositorysOwnFiles checks that a log an agent
// keeps in a work tree (Aider's history) is found only when it is a regular
// file inside the repository: a cloned repository cannot make ingest read
// a file elsewhere through a link, or hang on a device or a pipe.
func TestInReposReadsOnlyTheRepositorysOwnFiles(t *testing.T) {
	agents := Agents()
	var rel string
	for _, a := range agents {
		if len(a.InRepo) > 0 {
			rel = a.InRepo[0]
		}
	}
	if rel == "" {
		t.Skip("no agent keeps logs in repositories")
	}
	outside := filepath.Join(t.TempDir(), "secret.md")
	write(t, outside, "# not this repository's\n")
	for _, tt := range []struct {
		name  string
		make  func(path string) error
		found bool
	}{
		{"regular", func(p string) error { return os.WriteFile(p, []byte("# aider chat\n"), 0o644) }, true},
		{"link outside", func(p string) error { return os.Symlink(outside, p) }, false},
		{"link to /dev/zero", func(p string) error { return os.Symlink("/dev/zero", p) }, false},
		{"named pipe", func(p string) error { return syscall.Mkfifo(p, 0o644) }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "répo")
			if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(root, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tt.make(p); err != nil {
				t.Fatal(err)
			}
			files := InRepos(agents, []string{root})
			if got := len(files) > 0; got != tt.found {
				t.Errorf("InRepos found %d files, want found = %v", len(files), tt.found)
			}
		})
	}
}
