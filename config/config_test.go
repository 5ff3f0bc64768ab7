package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	f, err := Parse([]byte("db: ~/x.db\nsources:\n  - agent: codex\n    path: /logs\nredaction:\n  ip: all\n  emails: false\n"), "c.yml")
	if err != nil {
		t.Fatal(err)
	}
	if f.DB != "~/x.db" || len(f.Sources) != 1 || f.Sources[0].Agent != "codex" || f.Redaction.IP != "all" || *f.Redaction.Emails {
		t.Errorf("parsed %+v", f)
	}
	for _, tc := range []struct{ in, want string }{
		{"db: x\ndatabase: y\n", `c.yml:2: unknown key "database"`},
		{"sources:\n  - agent: codex\n", "c.yml: sources[0]: both agent and path are required"},
		{"redaction:\n  ip: some\n", `c.yml:2: redaction.ip: "some" is not one of public, all, off`},
		{"db: x\nnotes:\n  prompts: everything\n", `c.yml:3: notes.prompts: "everything" is not one of`},
		{"hooks:\n  budget: -1s\n", `c.yml:2: hooks.budget: "-1s" is not a positive duration`},
		{"db: [1\n", "c.yml:"},
		{"sources: 3\n", "c.yml:1: cannot unmarshal"},
		{"team:\n  push: always\n", `c.yml:2: team.push: "always" is not one of manual, auto`},
		{"team:\n  url: mysql://u:secret@h/db\n", "c.yml:2: team.url: not a postgres:// URL"},
		{"notes:\n  max_prompt: -5\n", "c.yml:2: notes.max_prompt: -5 is not a number of characters"},
		{"ingest:\n  max_line: 100\n", "c.yml:2: ingest.max_line: 100 is not a number of bytes"},
		{"notes:\n  lookback: 0d\n", `c.yml:2: notes.lookback: "0d" is not a positive duration`},
	} {
		_, err := Parse([]byte(tc.in), "c.yml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", tc.in, err, tc.want)
		}
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
	f, err := Load(path, false)
	if err != nil || f.DB != "" {
		t.Errorf("missing default config: %+v, %v", f, err)
	}
	if _, err := Load(filepath.Join(dir, "nope.yml"), true); err == nil {
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
	if _, err := Load(filepath.Join(dir, "c.yml"), true); err == nil || !strings.Contains(err.Error(), `c.yml:1: unknown key "bogus"`) {
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
