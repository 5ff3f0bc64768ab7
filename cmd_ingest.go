package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/ingest"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

type ingestOptions struct {
	rebuild bool
	json    bool
	quiet   bool
}

func ingestCommand() command {
	return command{
		name: "ingest", args: "[options]",
		summary: "read new agent log lines into the database",
		long: `Reads the session logs of every supported agent (Codex CLI, Claude Code) into
the database. Only bytes written since the last run are read: a re-run with
nothing new takes milliseconds. Every line and every text field is redacted
before it is stored. A malformed line is reported as path:line: reason and
skipped; the run goes on.

Logs are found where the agents write them: $CODEX_HOME or ~/.codex for Codex
(sessions/ and archived_sessions/), $CLAUDE_CONFIG_DIR (a comma-separated
list) or ~/.config/claude and ~/.claude for Claude Code (projects/).
--source AGENT:PATH, or the config file's sources, replace that discovery.`,
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			var o ingestOptions
			fs.BoolVar(&o.rebuild, "rebuild", false, "re-read every log from the start, replacing what was read before")
			fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
			fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors")
			return func(args []string) error {
				if len(args) > 0 {
					return usagef("ingest takes no arguments (use --source AGENT:PATH to name logs)")
				}
				return e.ingest(o)
			}
		},
	}
}

// logFiles discovers the log files the options and config name.
func (e *env) logFiles() ([]ingest.File, error) {
	f, err := e.config()
	if err != nil {
		return nil, err
	}
	var srcs []ingest.Source
	for _, s := range e.sources {
		src, err := ingest.ParseSource(s)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		srcs = append(srcs, src)
	}
	if len(srcs) == 0 {
		for _, s := range f.Sources {
			srcs = append(srcs, ingest.Source{Agent: s.Agent, Path: e.cfgEnv().Expand(s.Path)})
		}
	}
	return ingest.Discover(ingest.Agents(), srcs, e.getenv, e.home)
}

// ruleFile is a rule file the engine reads, whether it exists or not.
type ruleFile struct {
	path   string
	origin redact.Origin
}

// ruleFiles lists the rule files in the order they apply: the user's, the
// one the config names, then the repository's.
func (e *env) ruleFiles() ([]ruleFile, error) {
	f, err := e.config()
	if err != nil {
		return nil, err
	}
	files := []ruleFile{{filepath.Join(e.cfgEnv().ConfigDir(), "redactions.yml"), redact.OriginUser}}
	if f.Redaction.Rules != "" {
		files = append(files, ruleFile{e.cfgEnv().Expand(f.Redaction.Rules), redact.OriginUser})
	}
	if root := repoRootOf("."); root != "" {
		files = append(files, ruleFile{filepath.Join(root, ".aitrail", "redactions.yml"), redact.OriginRepo})
	}
	return files, nil
}

// redactPolicy returns the engine's configuration without rules: the
// config's policies, the user's home and name, and the database's key.
func (e *env) redactPolicy(db *store.DB) (redact.Config, error) {
	cfg := redact.DefaultConfig()
	f, err := e.config()
	if err != nil {
		return cfg, err
	}
	cfg.Home = e.home
	if u, err := user.Current(); err == nil {
		cfg.Username = u.Username
	}
	if db != nil {
		if cfg.Key, err = db.Secret(e.ctx); err != nil {
			return cfg, err
		}
	}
	p := f.Redaction
	if p.IP != "" {
		cfg.IPPolicy = p.IP
	}
	setBool := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	setBool(&cfg.Emails, p.Emails)
	setBool(&cfg.Phones, p.Phones)
	setBool(&cfg.Cards, p.Cards)
	setBool(&cfg.IBANs, p.IBANs)
	return cfg, nil
}

// redactConfig builds the engine's configuration: the built-in pack with
// the config's policies, and the rules of the existing rule files (skip
// names a file whose rules are left out).
func (e *env) redactConfig(db *store.DB, skip string) (redact.Config, error) {
	cfg, err := e.redactPolicy(db)
	if err != nil {
		return cfg, err
	}
	files, err := e.ruleFiles()
	if err != nil {
		return cfg, err
	}
	for _, rf := range files {
		if rf.path == skip {
			continue
		}
		if _, err := os.Stat(rf.path); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		rules, err := redact.LoadRules(rf.path, rf.origin)
		if err != nil {
			return cfg, err
		}
		cfg.Rules = append(cfg.Rules, rules...)
	}
	return cfg, nil
}

// openRedacting opens the database (an existing one unless create) and
// builds the redaction engine its rows were redacted with.
func (e *env) openRedacting(create bool) (*store.DB, *redact.Engine, error) {
	open := e.openExistingDB
	if create {
		open = e.openDB
	}
	db, err := open()
	if err != nil {
		return nil, nil, err
	}
	eng, err := e.engine(db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, eng, nil
}

// engine builds the redaction engine: the built-in pack with the config's
// policies, the user's rule files, then the repository's, and with a
// database the active manual redactions.
func (e *env) engine(db *store.DB) (*redact.Engine, error) {
	cfg, err := e.redactConfig(db, "")
	if err != nil {
		return nil, err
	}
	if db != nil {
		if cfg.Manual, err = e.manualRedactions(db); err != nil {
			return nil, err
		}
	}
	return redact.New(cfg)
}

func (e *env) ingest(o ingestOptions) error {
	start := e.now()
	files, err := e.logFiles()
	if err != nil {
		return err
	}
	db, eng, err := e.openRedacting(true)
	if err != nil {
		return err
	}
	defer db.Close()
	bar := &progressBar{w: e.stderr, on: e.tty && !o.quiet && !o.json}
	var warnings int
	opt := ingest.Options{
		Rebuild:  o.rebuild,
		Home:     e.home,
		Progress: bar.update,
		Warn: func(msg string) {
			warnings++
			if !o.quiet && warnings <= 50 {
				bar.clear()
				msg, _ = eng.Text(redact.ScopeField, msg) // paths name the home directory
				fmt.Fprintln(e.stderr, "warning:", msg)
			}
		},
	}
	sum, err := ingest.Run(e.ctx, db, eng, files, opt)
	bar.clear()
	if err != nil {
		return err
	}
	if warnings > 50 && !o.quiet {
		fmt.Fprintf(e.stderr, "warning: %d more malformed lines not shown\n", warnings-50)
	}
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	if o.quiet {
		return nil
	}
	fmt.Fprintf(e.stdout, "ingested %d of %d log files (%s) in %s: %d sessions, %d prompts, %d tool calls, %d file edits, %d token entries\n",
		sum.FilesRead, sum.Files, humanBytes(sum.Bytes), e.now().Sub(start).Round(time.Millisecond),
		sum.Sessions, sum.Prompts, sum.ToolCalls, sum.Edits, sum.Usage)
	if sum.BadLines > 0 {
		fmt.Fprintf(e.stdout, "malformed lines: %d (skipped, listed above)\n", sum.BadLines)
	}
	if sum.UnknownLines > 0 {
		fmt.Fprintf(e.stdout, "unknown record types: %s (kept raw)\n", countList(sum.Unknown))
	}
	if len(sum.Redactions) > 0 {
		fmt.Fprintf(e.stdout, "redacted: %s\n", countList(sum.Redactions))
	}
	return nil
}

func countList(m map[string]int) string {
	var parts []string
	for _, k := range ingest.Sorted(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
