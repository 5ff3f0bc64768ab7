package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// checks are the wiring's checks, in the small: two agents, and notes
// refs without spaces.
var checks = Checks{
	Agent: func(name string) error {
		if name != "codex" && name != "claude" {
			return fmt.Errorf("unknown agent %q (known: codex, claude)", name)
		}
		return nil
	},
	NotesRef: func(ref string) error {
		if strings.Contains(ref, " ") {
			return errors.New("not a valid ref name")
		}
		return nil
	},
}

func TestParse(t *testing.T) {
	f, err := Parse([]byte("db: ~/x.db\nsources:\n  - agent: codex\n    path: /logs\nredaction:\n  ip: all\n  emails: false\nnotes:\n  ref: ai\n  max_prompt: 0x10\n"), "c.yml", checks)
	if err != nil {
		t.Fatal(err)
	}
	if f.DB != "~/x.db" || len(f.Sources) != 1 || f.Sources[0].Agent != "codex" || f.Redaction.IP != "all" || *f.Redaction.Emails ||
		f.Notes.Ref != "ai" || f.Notes.MaxPrompt != 16 {
		t.Errorf("parsed %+v", f)
	}
	for _, tc := range []struct{ in, want string }{
		{"db: x\ndatabase: y\n", `c.yml:2: unknown key "database"`},
		{"sources:\n  - agent: codex\n", "c.yml:2: sources[0]: both agent and path are required"},
		{"sources: [{agent: foo, path: ~/x}]\n", `c.yml:1: sources[0].agent: unknown agent "foo" (known: codex, claude)`},
		{"db: x\nsources:\n  - agent: claude\n    path: /a\n  - path: /b\n    agent: bar\n", `c.yml:6: sources[1].agent: unknown agent "bar"`},
		{"redaction:\n  emails: yes please\n", `c.yml:2: redaction.emails: "yes please" is not true or false`},
		{"notes:\n  max_prompt: many\n", `c.yml:2: notes.max_prompt: "many" is not a whole number`},
		{"notes:\n\tref: x\n", "c.yml:2: found character that cannot start any token (a tab? YAML indents with spaces only)"},
		{"hooks:\n  catch_up: -5\n", `c.yml:2: hooks.catch_up: -5 is not a number of commits (0 or more, or -1 to turn catch-up off)`},
		{"notes:\n  max_prompt: 1.5\n", `c.yml:2: notes.max_prompt: "1.5" is not a whole number`},
		{"hooks:\n  catch_up: [1]\n", `c.yml:2: hooks.catch_up: a list is not a single value`},
		{"db: {a: 1}\n", `c.yml:1: db: a mapping is not a single value`},
		{"hooks: 5\n", `c.yml:1: hooks: "5" is not a mapping of keys`},
		{"notes:\n  ref: \"bad ref\"\n", `c.yml:2: notes.ref: "bad ref" is not a valid ref name`},
		{"notes:\n  colour: red\n", `c.yml:2: unknown key "notes.colour"`},
		{"db: x\ndb: y\n", `c.yml:2: db: given twice (first on line 1)`},
		{"[1, 2]\n", `c.yml:1: a list is not a mapping of keys`},
		{"redaction:\n  ip: some\n", `c.yml:2: redaction.ip: "some" is not one of public, all, off`},
		{"db: x\nnotes:\n  prompts: everything\n", `c.yml:3: notes.prompts: "everything" is not one of`},
		{"hooks:\n  budget: -1s\n", `c.yml:2: hooks.budget: "-1s" is not a positive duration`},
		{"db: [1\n", "c.yml:"},
		{"sources: 3\n", `c.yml:1: sources: "3" is not a list`},
		{"team:\n  push: always\n", `c.yml:2: team.push: "always" is not one of manual, auto`},
		{"team:\n  url: mysql://u:secret@h/db\n", "c.yml:2: team.url: not a postgres:// URL"},
		{"notes:\n  max_prompt: -5\n", "c.yml:2: notes.max_prompt: -5 is not a number of characters"},
		{"ingest:\n  max_line: 100\n", "c.yml:2: ingest.max_line: 100 is not a number of bytes"},
		{"notes:\n  lookback: 0d\n", `c.yml:2: notes.lookback: "0d" is not a positive duration`},
	} {
		_, err := Parse([]byte(tc.in), "c.yml", checks)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", tc.in, err, tc.want)
		}
	}
}

// TestParseEveryProblem checks that a file's problems are all reported,
// one a line, in the order of the file, whichever step finds them.
func TestParseEveryProblem(t *testing.T) {
	in := "notes:\n  prompts: all\n  max_prompt: lots\nredaction:\n  emails: nope\n  phones: maybe\nbogus: 1\n"
	_, err := Parse([]byte(in), "c.yml", checks)
	want := `c.yml:2: notes.prompts: "all" is not one of full, first-line, none
c.yml:3: notes.max_prompt: "lots" is not a whole number
c.yml:5: redaction.emails: "nope" is not true or false
c.yml:6: redaction.phones: "maybe" is not true or false
c.yml:7: unknown key "bogus" (see docs/cli.md for the keys)`
	if err == nil || err.Error() != want {
		t.Errorf("Parse = %v\nwant\n%s", err, want)
	}
	in = "team:\n  push: always\nsources:\n  - agent: foo\n    path: /x\nnotes:\n  ref: a b\n  prompts: all\n"
	_, err = Parse([]byte(in), "c.yml", checks)
	want = `c.yml:2: team.push: "always" is not one of manual, auto
c.yml:4: sources[0].agent: unknown agent "foo" (known: codex, claude)
c.yml:7: notes.ref: "a b" is not a valid ref name (no spaces, '..', or any of ~^:?*[\; for example aitrail or refs/notes/ai)
c.yml:8: notes.prompts: "all" is not one of full, first-line, none`
	if err == nil || err.Error() != want {
		t.Errorf("Parse = %v\nwant\n%s", err, want)
	}
	// A value that did not decode is not checked as well: its zero value
	// would blame the wrong thing.
	in = "sources:\n  - agent: [codex]\n    path: /a\nnotes:\n  max_prompt: 1.5\n"
	_, err = Parse([]byte(in), "c.yml", checks)
	want = `c.yml:2: sources[0].agent: a list is not a single value
c.yml:5: notes.max_prompt: "1.5" is not a whole number`
	if err == nil || err.Error() != want {
		t.Errorf("Parse = %v\nwant\n%s", err, want)
	}
}

// TestKindNames checks that every typed key of the config has words for
// its type's errors, so that a new key cannot give "is not ".
func TestKindNames(t *testing.T) {
	var visit func(reflect.Type, string)
	visit = func(t2 reflect.Type, path string) {
		switch t2.Kind() {
		case reflect.Pointer, reflect.Slice:
			visit(t2.Elem(), path)
		case reflect.Struct:
			for i := 0; i < t2.NumField(); i++ {
				visit(t2.Field(i).Type, path+"."+t2.Field(i).Name)
			}
		default:
			if kindNames[t2.Kind()] == "" {
				t.Errorf("%s: no words for kind %s in kindNames", path, t2.Kind())
			}
		}
	}
	visit(reflect.TypeOf(File{}), "File")
}

func TestParseAliasesAndMerges(t *testing.T) {
	in := "hooks: &h\n  budget: 2s\nnotes:\n  <<: {prompts: none}\n  max_prompt: 5\n"
	f, err := Parse([]byte(in), "c.yml", checks)
	if err != nil || f.Hooks.Budget != "2s" || f.Notes.Prompts != "none" || f.Notes.MaxPrompt != 5 {
		t.Errorf("Parse = %+v, %v", f, err)
	}
	if _, err := Parse([]byte("x: &b yes please\nredaction:\n  emails: *b\n"), "c.yml", checks); err == nil ||
		!strings.Contains(err.Error(), `c.yml:1: unknown key "x"`) || !strings.Contains(err.Error(), `c.yml:3: redaction.emails: "yes please" is not true or false`) {
		t.Errorf("Parse with a bad alias = %v", err)
	}
}

// TestParseAliasBomb checks that aliases of aliases do not make Parse
// check the same values an exponential number of times.
func TestParseAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("notes:\n  m0: &m0 {prompts: all}\n")
	for i := 1; i < 40; i++ {
		fmt.Fprintf(&b, "  m%d: &m%d {<<: [*m%d, *m%d, *m%d, *m%d]}\n", i, i, i-1, i-1, i-1, i-1)
	}
	b.WriteString("hooks:\n  <<: *m39\n")
	done := make(chan error, 1)
	go func() { _, err := Parse([]byte(b.String()), "c.yml", checks); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), `unknown key "hooks.prompts"`) {
			t.Errorf("Parse = %v, want an unknown key hooks.prompts", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Parse of an alias bomb did not return in 10 s")
	}
}

func TestLoadAndPaths(t *testing.T) {
	dir := t.TempDir()
	env := Paths{Getenv: func(k string) string {
		return map[string]string{"XDG_DATA_HOME": filepath.Join(dir, "data")}[k]
	}, Home: dir}
	path, explicit := env.Path("")
	if explicit || path != filepath.Join(dir, ".config", "aitrail", "config.yml") {
		t.Errorf("default config path = %s, %v", path, explicit)
	}
	f, err := Load(path, false, Checks{})
	if err != nil || f.DB != "" {
		t.Errorf("missing default config: %+v, %v", f, err)
	}
	if _, err := Load(filepath.Join(dir, "nope.yml"), true, Checks{}); err == nil {
		t.Error("missing named config loaded without error")
	}
	if got := env.DBPath("", f); got != filepath.Join(dir, "data", "aitrail", "trail.db") {
		t.Errorf("default db = %s", got)
	}
	if got := env.DBPath("", &File{DB: "~/t.db"}); got != filepath.Join(dir, "t.db") {
		t.Errorf("config db = %s", got)
	}
	if got := env.DBPath("/flag.db", &File{DB: "~/t.db"}); got != "/flag.db" {
		t.Errorf("flag db = %s", got)
	}
	os.WriteFile(filepath.Join(dir, "c.yml"), []byte("bogus: 1\n"), 0o600)
	if _, err := Load(filepath.Join(dir, "c.yml"), true, Checks{}); err == nil || !strings.Contains(err.Error(), `c.yml:1: unknown key "bogus"`) {
		t.Errorf("Load error = %v", err)
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-03-01T00:00:00Z": time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		"7d":                   now.Add(-7 * 24 * time.Hour),
		"90m":                  now.Add(-90 * time.Minute),
	} {
		got, err := ParseTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseTime("yesterday", now); err == nil {
		t.Error("ParseTime(yesterday) succeeded")
	}
}

func TestParseDurationRejects(t *testing.T) {
	for _, in := range []string{"-5d", "-1h", "NaNd", "Infd", "1e300d", "", "d", "5 days", "3w"} {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, d)
		}
	}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	if got, err := ParseTime("-5d", now); err == nil {
		t.Errorf("ParseTime(-5d) = %v, want an error (a time in the future by accident)", got)
	}
	for in, want := range map[string]time.Duration{"0.5d": 12 * time.Hour, "1s": time.Second, "0s": 0} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestSourceWhere(t *testing.T) {
	f, err := Parse([]byte("db: x\nsources:\n  - agent: codex\n    path: /a\n  - {agent: claude, path: /b}\n"), "c.yml", checks)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Sources[0].Where + " | " + f.Sources[1].Where; got != "c.yml:3: sources[0] | c.yml:5: sources[1]" {
		t.Errorf("Where = %s", got)
	}
	if _, err := Parse([]byte("\"-\": x\n"), "c.yml", checks); err == nil || !strings.Contains(err.Error(), `unknown key "-"`) {
		t.Errorf(`Parse("-": x) = %v, want an unknown key`, err)
	}
}

// FuzzParse checks that no config file makes Parse panic or loop, and that
// every problem it reports names the file.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"db: x\nsources:\n  - agent: codex\n    path: /a\n",
		"redaction:\n  emails: yes please\n",
		"hooks: &h\n  budget: 2s\nnotes:\n  <<: *h\n",
		"notes: &n {max_prompt: *n}\n",
		"sources: &s [*s]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cfg, err := Parse([]byte(in), "c.yml", checks)
		if err == nil {
			if cfg == nil {
				t.Fatal("no config and no error")
			}
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, "c.yml") {
				t.Errorf("problem %q does not name the file", line)
			}
		}
	})
}
