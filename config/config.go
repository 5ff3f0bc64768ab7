package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// File is the content of config.yml. Every key is optional.
type File struct {
	// DB is the database path (AITRAIL_DB and --db win over it).
	DB string `yaml:"db"`
	// Sources replace agent log discovery, like --source AGENT:PATH.
	Sources []SourceEntry `yaml:"sources"`
	// Repos are repositories whose in-repository agent logs (Aider's chat
	// history) are read besides those of the current repository.
	Repos []string `yaml:"repos"`
	// Redaction sets the privacy policies of the built-in rules.
	Redaction Redaction `yaml:"redaction"`
	// Notes shape the transparency notes written on commits.
	Notes Notes `yaml:"notes"`
	// Hooks tune the git hooks.
	Hooks Hooks `yaml:"hooks"`
	// Ingest tunes the reading of logs.
	Ingest Ingest `yaml:"ingest"`
	// Team is the team database that aitrail push fills.
	Team Team `yaml:"team"`
}

// Team names the team database and who pushes to it (docs/team.md).
type Team struct {
	// URL is the team database (AITRAIL_TEAM_URL and push --to win over it).
	URL string `yaml:"url"`
	// Member is the name every pushed row carries (default: git's user.email).
	Member string `yaml:"member"`
	// Machine names this machine in pushed rows (default: the host name).
	Machine string `yaml:"machine"`
	// Push is "auto" to have the hooks' worker push after annotating a
	// commit, or "manual" (the default).
	Push string `yaml:"push"`
}

// Notes shape the transparency notes.
type Notes struct {
	Ref       string `yaml:"ref"`        // notes ref (default refs/notes/aitrail)
	Prompts   string `yaml:"prompts"`    // full (default), first-line, none
	MaxPrompt int    `yaml:"max_prompt"` // characters of a prompt shown (default 1000)
	NoAI      string `yaml:"no_ai_note"` // note for commits without AI involvement; empty: no note
	Lookback  string `yaml:"lookback"`   // how long before the parent commit an edit may count (default 7d)
}

// Ingest tunes the reading of logs.
type Ingest struct {
	// MaxLine caps the bytes of one log line that are processed (default
	// 16 MiB): a longer line is redacted up to the cap (and a little
	// beyond), stored cut and counted as malformed.
	MaxLine int `yaml:"max_line"`
}

// Hooks tune the git hooks.
type Hooks struct {
	Budget  string `yaml:"budget"`   // how long a hook works before queueing the rest (default 1s)
	CatchUp int    `yaml:"catch_up"` // recent commits checked for missing notes (default 50, -1 off)
}

// SourceEntry is one entry of the config's sources: an agent and where its
// logs are.
type SourceEntry struct {
	Agent string `yaml:"agent"`
	Path  string `yaml:"path"`
}

// Redaction holds the policy switches of the built-in personal-data rules.
type Redaction struct {
	IP     string `yaml:"ip"`     // public (default), all, off
	Emails *bool  `yaml:"emails"` // default true
	Phones *bool  `yaml:"phones"` // default true
	Cards  *bool  `yaml:"cards"`  // default true
	IBANs  *bool  `yaml:"ibans"`  // default true
	// Rules is an extra rule file (the user's redactions.yml is read
	// anyway).
	Rules string `yaml:"rules"`
}

// Paths finds aitrail's files from the process environment: the config
// file, the data directory, the database, a path with a leading ~.
type Paths struct {
	Getenv func(string) string
	Home   string
}

// Path returns the config file to read: the flag, else AITRAIL_CONFIG, else
// $XDG_CONFIG_HOME/aitrail/config.yml (~/.config when unset). explicit
// reports whether the user named it (a named file must exist).
func (e Paths) Path(flag string) (path string, explicit bool) {
	if flag != "" {
		return e.Expand(flag), true
	}
	if v := e.Getenv("AITRAIL_CONFIG"); v != "" {
		return e.Expand(v), true
	}
	return filepath.Join(e.ConfigDir(), "config.yml"), false
}

// ConfigDir returns aitrail's configuration directory.
func (e Paths) ConfigDir() string {
	base := e.Getenv("XDG_CONFIG_HOME")
	if base == "" {
		base = filepath.Join(e.Home, ".config")
	}
	return filepath.Join(base, "aitrail")
}

// DataDir returns aitrail's data directory.
func (e Paths) DataDir() string {
	base := e.Getenv("XDG_DATA_HOME")
	if base == "" {
		base = filepath.Join(e.Home, ".local", "share")
	}
	return filepath.Join(base, "aitrail")
}

// DBPath resolves the database: the flag, else AITRAIL_DB, else the config
// file's db, else $XDG_DATA_HOME/aitrail/trail.db.
func (e Paths) DBPath(flag string, f *File) string {
	switch {
	case flag != "":
		return e.Expand(flag)
	case e.Getenv("AITRAIL_DB") != "":
		return e.Expand(e.Getenv("AITRAIL_DB"))
	case f != nil && f.DB != "":
		return e.Expand(f.DB)
	}
	return filepath.Join(e.DataDir(), "trail.db")
}

// Expand replaces a leading ~ with the home directory.
func (e Paths) Expand(p string) string {
	if p == "~" {
		return e.Home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(e.Home, p[2:])
	}
	return p
}

// Load reads the config file at path. A missing file is an empty
// configuration unless mustExist.
func Load(path string, mustExist bool) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !mustExist {
		return &File{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, path)
}

var lineRe = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
var unknownRe = regexp.MustCompile(`field (\S+) not found in type`)

// Parse decodes a config file's content; name is used in errors, which read
// "name:line: problem".
func Parse(data []byte, name string) (*File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && err != io.EOF {
		return nil, yamlError(name, err)
	}
	var doc yaml.Node
	_ = yaml.Unmarshal(data, &doc) // it decoded above: only for the lines of values
	bad := func(key, format string, args ...any) error {
		where := name
		if line := lineOf(&doc, strings.Split(key, ".")); line > 0 {
			where = fmt.Sprintf("%s:%d", name, line)
		}
		return fmt.Errorf("%s: %s: %s", where, key, fmt.Sprintf(format, args...))
	}
	for i, s := range f.Sources {
		if s.Agent == "" || s.Path == "" {
			return nil, fmt.Errorf("%s: sources[%d]: both agent and path are required", name, i)
		}
	}
	switch f.Notes.Prompts {
	case "", "full", "first-line", "none":
	default:
		return nil, bad("notes.prompts", "%q is not one of full, first-line, none", f.Notes.Prompts)
	}
	if f.Ingest.MaxLine < 0 || f.Ingest.MaxLine > 0 && f.Ingest.MaxLine < 1024 {
		return nil, bad("ingest.max_line", "%d is not a number of bytes (1024 or more; 0 is the default, 16 MiB)", f.Ingest.MaxLine)
	}
	if f.Notes.MaxPrompt < 0 {
		return nil, bad("notes.max_prompt", "%d is not a number of characters (0 or more; 0 is the default, 1000)", f.Notes.MaxPrompt)
	}
	for key, v := range map[string]string{"notes.lookback": f.Notes.Lookback, "hooks.budget": f.Hooks.Budget} {
		if v == "" {
			continue
		}
		if d, err := ParseDuration(v); err != nil || d <= 0 {
			return nil, bad(key, "%q is not a positive duration such as 500ms, 2h or 7d", v)
		}
	}
	switch f.Team.Push {
	case "", "manual", "auto":
	default:
		return nil, bad("team.push", "%q is not one of manual, auto", f.Team.Push)
	}
	if f.Team.URL != "" && !strings.HasPrefix(f.Team.URL, "postgres://") && !strings.HasPrefix(f.Team.URL, "postgresql://") {
		return nil, bad("team.url", "not a postgres:// URL (see docs/team.md)")
	}
	switch f.Redaction.IP {
	case "", "public", "all", "off":
	default:
		return nil, bad("redaction.ip", "%q is not one of public, all, off", f.Redaction.IP)
	}
	return &f, nil
}

// lineOf returns the line of the value at path in a YAML document, 0 when
// it has none.
func lineOf(n *yaml.Node, path []string) int {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if len(path) == 0 {
		return n.Line
	}
	if n.Kind != yaml.MappingNode {
		return 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == path[0] {
			return lineOf(n.Content[i+1], path[1:])
		}
	}
	return 0
}

// yamlError rewrites yaml.v3's messages as name:line: problem, naming the
// unknown key when that is the problem.
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var msgs []string
		for _, m := range te.Errors {
			msgs = append(msgs, rewrite(name, m))
		}
		return fmt.Errorf("%s", strings.Join(msgs, "\n"))
	}
	return fmt.Errorf("%s", rewrite(name, err.Error()))
}

func rewrite(name, msg string) string {
	m := lineRe.FindStringSubmatch(msg)
	if m == nil {
		return name + ": " + msg
	}
	line, problem := m[1], m[2]
	if u := unknownRe.FindStringSubmatch(problem); u != nil {
		problem = fmt.Sprintf("unknown key %q (see docs/cli.md for the keys)", u[1])
	}
	return name + ":" + line + ": " + problem
}

// ParseDuration parses a duration with an extra unit d (days), as used by
// --since and look-back settings.
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("invalid duration %q: use a positive number with a unit, such as 7d, 12h or 500ms", s)
	if strings.HasSuffix(s, "d") {
		n, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64)
		if err != nil || math.IsNaN(n) || n < 0 || n*24 > float64(math.MaxInt64/int64(time.Hour)) {
			return 0, bad
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}

// ParseTime parses a --since/--until value: a date (2006-01-02), an RFC 3339
// time, or a duration before now ("7d", "12h").
func ParseTime(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t.UTC(), nil
	}
	if d, err := ParseDuration(s); err == nil {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("invalid time %q: use a date such as 2026-01-31, an RFC 3339 time, or a duration such as 7d or 12h", s)
}
