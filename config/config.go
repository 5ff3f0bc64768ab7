package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
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
	// Where is the entry's place in the file, "file:line: sources[i]",
	// for the messages of what reads its logs.
	Where string `yaml:"-"`
}

// Redaction holds the policy switches of the built-in personal-data rules.
type Redaction struct {
	IP     string `yaml:"ip"`     // public (default), all, off
	Emails *bool  `yaml:"emails"` // default true
	Phones *bool  `yaml:"phones"` // default true
	Cards  *bool  `yaml:"cards"`  // default true
	IBANs  *bool  `yaml:"ibans"`  // default true
	// Rules is an extra rule file (the user's redactions.yml is read
	// anyway). It must exist: rules meant to apply must not be skipped.
	Rules string `yaml:"rules"`
	// RulesWhere is the key's place in the file, "file:line:
	// redaction.rules", for the messages of what reads the rule file.
	RulesWhere string `yaml:"-"`
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

// Checks are the rules of the values whose meaning other packages own;
// the wiring gives them, so that this package knows nothing of agents or
// git. A nil check accepts every value.
type Checks struct {
	// Agent checks a sources[].agent; its error lists the known agents.
	Agent func(name string) error
	// NotesRef checks notes.ref (git's rules for a notes ref name).
	NotesRef func(ref string) error
}

// Load reads the config file at path. A missing file is an empty
// configuration unless mustExist.
func Load(path string, mustExist bool, c Checks) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !mustExist {
		return &File{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, path, c)
}

var lineRe = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// Parse decodes a config file's content. Every problem is reported, one a
// line, as "name:line: key: problem" (key is the dotted path, such as
// sources[0].agent).
func Parse(data []byte, name string, c Checks) (*File, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s", rewrite(name, err.Error()))
	}
	p := &problems{name: name, lines: map[string]int{}, aliased: map[aliased]bool{}}
	if len(doc.Content) > 0 {
		p.walk(doc.Content[0], reflect.TypeOf(File{}), "")
	}
	walked := len(p.list)
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && err != io.EOF && walked == 0 {
		// The walk finds what the decoder would; this is a safety net.
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("%s", rewrite(name, err.Error()))
		}
		for _, m := range te.Errors {
			p.list = append(p.list, problem{0, rewrite(name, m)})
		}
	}
	// The values are checked even after problems of type, so that all
	// are reported at once (a value that did not decode is not checked).
	p.check(&f, c)
	if len(p.list) > 0 {
		return nil, p.err()
	}
	return &f, nil
}

// problems gathers the problems of one config file.
type problems struct {
	name   string
	lines  map[string]int // dotted key → line of its value
	list   []problem
	broken []string // keys with a problem already
	// aliased are the anchored values an alias led the walk to.
	aliased map[aliased]bool
}

type aliased struct {
	n *yaml.Node
	t reflect.Type
}

type problem struct {
	line int
	msg  string // the whole message, "name:line: key: reason"
}

// add records a problem of the value at key (a problem of the file as a
// whole when key is empty) found on line.
func (p *problems) add(line int, key, format string, args ...any) {
	where := p.name
	if line > 0 {
		where = fmt.Sprintf("%s:%d", p.name, line)
	}
	if key != "" {
		where += ": " + key
		p.broken = append(p.broken, key)
	}
	p.list = append(p.list, problem{line, where + ": " + fmt.Sprintf(format, args...)})
}

// bad records a problem of the decoded value at key, unless the value,
// a part of it or what holds it has one already (a value that did not
// decode is the zero value, and its check would blame the wrong thing).
func (p *problems) bad(key, format string, args ...any) {
	for _, b := range p.broken {
		if within(key, b) || within(b, key) {
			return
		}
	}
	p.add(p.lines[key], key, format, args...)
}

// within reports whether key is inner or a value inside it.
func within(key, outer string) bool {
	rest, ok := strings.CutPrefix(key, outer)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
}

// err returns the problems in the order of the file's lines, nil when
// there are none.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	sort.SliceStable(p.list, func(i, j int) bool { return p.list[i].line < p.list[j].line })
	msgs := make([]string, len(p.list))
	for i, pr := range p.list {
		msgs[i] = pr.msg
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// walk checks the YAML value n against t, the Go type it decodes into,
// before decoding: an unknown or repeated key, or a value of the wrong
// type, is reported with its dotted key. It records the line of every
// value for the checks that follow the decoding.
func (p *problems) walk(n *yaml.Node, t reflect.Type, key string) {
	line := n.Line // of an alias, where it is used rather than defined
	if _, ok := p.lines[key]; !ok {
		p.lines[key] = line
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		// A value is checked once as each type, its problems reported
		// where it is first used: aliases of aliases cannot make the
		// walk grow exponentially.
		a := aliased{n.Alias, t}
		if p.aliased[a] {
			return
		}
		p.aliased[a] = true
		n = n.Alias
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // no value: the default
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			p.add(line, key, "%s is not a mapping of keys", describe(n))
			return
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" { // <<: *defaults
				if v.Kind == yaml.SequenceNode {
					for _, m := range v.Content {
						p.walk(m, t, key)
					}
				} else {
					p.walk(v, t, key)
				}
				continue
			}
			sub := k.Value
			if key != "" {
				sub = key + "." + k.Value
			}
			if first, ok := seen[k.Value]; ok {
				p.add(k.Line, sub, "given twice (first on line %d)", first)
				continue
			}
			seen[k.Value] = k.Line
			ft, ok := fieldType(t, k.Value)
			if !ok {
				p.add(k.Line, "", "unknown key %q (see docs/cli.md for the keys)", sub)
				continue
			}
			p.walk(v, ft, sub)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			p.add(line, key, "%s is not a list", describe(n))
			return
		}
		for i, c := range n.Content {
			p.walk(c, t.Elem(), fmt.Sprintf("%s[%d]", key, i))
		}
	default:
		if n.Kind != yaml.ScalarNode {
			p.add(line, key, "%s is not a single value", describe(n))
			return
		}
		// yaml.v3 cuts 1.5 to 1 for an int: a whole number must be one.
		wrongInt := t.Kind() == reflect.Int && n.ShortTag() != "!!int"
		if err := n.Decode(reflect.New(t).Interface()); err != nil || wrongInt {
			p.add(line, key, "%s is not %s", describe(n), kindNames[t.Kind()])
		}
	}
}

// kindNames say in words what a value of a typed key must be.
var kindNames = map[reflect.Kind]string{
	reflect.Bool:   "true or false",
	reflect.Int:    "a whole number",
	reflect.String: "a text",
}

// describe shows a YAML value in a message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

// fieldType returns the type of the field of struct t that key decodes
// into.
func fieldType(t reflect.Type, key string) (reflect.Type, bool) {
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name == key && name != "-" {
			return t.Field(i).Type, true
		}
	}
	return nil, false
}

// check validates the decoded values, and records where each source
// entry is in the file.
func (p *problems) check(f *File, c Checks) {
	for i, s := range f.Sources {
		key := fmt.Sprintf("sources[%d]", i)
		f.Sources[i].Where = fmt.Sprintf("%s:%d: %s", p.name, p.lines[key], key)
		switch {
		case s.Agent == "" || s.Path == "":
			p.bad(key, "both agent and path are required")
		case c.Agent != nil:
			if err := c.Agent(s.Agent); err != nil {
				p.bad(key+".agent", "%v", err)
			}
		}
	}
	if f.Redaction.Rules != "" {
		f.Redaction.RulesWhere = fmt.Sprintf("%s:%d: redaction.rules", p.name, p.lines["redaction.rules"])
	}
	if f.Notes.Ref != "" && c.NotesRef != nil && c.NotesRef(f.Notes.Ref) != nil {
		p.bad("notes.ref", "%q is not a valid ref name (no spaces, '..', or any of ~^:?*[\\; for example aitrail or refs/notes/ai)", f.Notes.Ref)
	}
	switch f.Notes.Prompts {
	case "", "full", "first-line", "none":
	default:
		p.bad("notes.prompts", "%q is not one of full, first-line, none", f.Notes.Prompts)
	}
	if f.Ingest.MaxLine < 0 || f.Ingest.MaxLine > 0 && f.Ingest.MaxLine < 1024 {
		p.bad("ingest.max_line", "%d is not a number of bytes (1024 or more; 0 is the default, 16 MiB)", f.Ingest.MaxLine)
	}
	if f.Hooks.CatchUp < -1 {
		p.bad("hooks.catch_up", "%d is not a number of commits (0 or more, or -1 to turn catch-up off)", f.Hooks.CatchUp)
	}
	if f.Notes.MaxPrompt < 0 {
		p.bad("notes.max_prompt", "%d is not a number of characters (0 or more; 0 is the default, 1000)", f.Notes.MaxPrompt)
	}
	for _, d := range []struct{ key, v string }{{"notes.lookback", f.Notes.Lookback}, {"hooks.budget", f.Hooks.Budget}} {
		if d.v == "" {
			continue
		}
		if dur, err := ParseDuration(d.v); err != nil || dur <= 0 {
			p.bad(d.key, "%q is not a positive duration such as 500ms, 2h or 7d", d.v)
		}
	}
	switch f.Team.Push {
	case "", "manual", "auto":
	default:
		p.bad("team.push", "%q is not one of manual, auto", f.Team.Push)
	}
	if f.Team.URL != "" && !strings.HasPrefix(f.Team.URL, "postgres://") && !strings.HasPrefix(f.Team.URL, "postgresql://") {
		p.bad("team.url", "not a postgres:// URL (see docs/team.md)")
	}
	switch f.Redaction.IP {
	case "", "public", "all", "off":
	default:
		p.bad("redaction.ip", "%q is not one of public, all, off", f.Redaction.IP)
	}
}

// rewrite turns a yaml.v3 message into name:line: problem.
func rewrite(name, msg string) string {
	if strings.Contains(msg, "found character that cannot start any token") {
		msg += " (a tab? YAML indents with spaces only)"
	}
	m := lineRe.FindStringSubmatch(msg)
	if m == nil {
		return name + ": " + strings.TrimPrefix(msg, "yaml: ")
	}
	return name + ":" + m[1] + ": " + m[2]
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
