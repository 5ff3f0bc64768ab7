package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/repofile"
	"github.com/aitrail/aitrail/store"
)

// ruleFile is a rule file the engine reads. One the config names (where
// says where) must exist; the others are read when they do.
type ruleFile struct {
	path   string
	origin redact.Origin
	where  string
}

// ruleFiles lists the rule files in the order they apply: the user's, the
// one the config names, then the repository's.
func (e *env) ruleFiles() ([]ruleFile, error) {
	f, err := e.config()
	if err != nil {
		return nil, err
	}
	files := []ruleFile{{e.userRuleFile(), redact.OriginUser, ""}}
	if f.Redaction.Rules != "" {
		files = append(files, ruleFile{e.cfgPaths().Expand(f.Redaction.Rules), redact.OriginUser, f.Redaction.RulesWhere})
	}
	if root, err := gitlog.Root("."); err == nil {
		files = append(files, ruleFile{repoRuleFile(root), redact.OriginRepo, ""})
	}
	return files, nil
}

// userRuleFile is the user's own rule file.
func (e *env) userRuleFile() string { return filepath.Join(e.cfgPaths().ConfigDir(), "redactions.yml") }

// repoRuleFile is the rule file of the repository at root.
func repoRuleFile(root string) string { return filepath.Join(root, ".aitrail", "redactions.yml") }

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
	for dst, v := range map[*bool]*bool{&cfg.Emails: p.Emails, &cfg.Phones: p.Phones, &cfg.Cards: p.Cards, &cfg.IBANs: p.IBANs} {
		if v != nil {
			*dst = *v
		}
	}
	return cfg, nil
}

// redactConfig builds the engine's configuration: the built-in pack with
// the config's policies, the rules of the user's rule files (skip names a
// file whose rules are left out), and each repository's own rules for the
// texts of its sessions.
func (e *env) redactConfig(db *store.DB, skip string) (redact.Config, error) {
	cfg, err := e.redactPolicy(db)
	if err != nil {
		return cfg, err
	}
	cfg.RepoRules = repoRules
	files, err := e.ruleFiles()
	if err != nil {
		return cfg, err
	}
	for _, rf := range files {
		if rf.path == skip || rf.origin == redact.OriginRepo {
			continue
		}
		if _, err := os.Stat(rf.path); errors.Is(err, fs.ErrNotExist) {
			if rf.where != "" {
				return cfg, fmt.Errorf("%s: %s does not exist: its rules cannot apply, so nothing is stored until the path is fixed", rf.where, rf.path)
			}
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

// repoRules reads a repository's own rule file, opened as any file of a
// work tree is (repofile.Read).
func repoRules(root string) ([]redact.Rule, error) {
	return redact.LoadRepoRules(root, repofile.Read)
}

// repoRulesError says that the current repository's rule file cannot apply
// and what that stops.
func repoRulesError(err error) error {
	return fmt.Errorf("%w: nothing of this repository's sessions is stored or annotated until it is fixed ('aitrail rules validate' checks it)", err)
}

// engine builds the redaction engine: the built-in pack with the config's
// policies, the user's rule files, with a database the active manual
// redactions, and the rules of the current repository checked (those of
// other repositories are read when their sessions are met).
func (e *env) engine(db *store.DB) (*redact.Engine, error) {
	cfg, err := e.redactConfig(db, "")
	if err != nil {
		return nil, err
	}
	if db != nil {
		ms, err := db.ManualRedactions(e.ctx, false)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			cfg.Manual = append(cfg.Manual, engineManual(m))
		}
	}
	eng, err := redact.New(cfg)
	if err != nil {
		return nil, err
	}
	if root, err := gitlog.Root("."); err == nil {
		if _, err := eng.Repo(root); err != nil {
			return nil, repoRulesError(err)
		}
	}
	return eng, nil
}

// engineManual is the engine's form of a stored manual redaction.
func engineManual(m store.ManualRedaction) redact.Manual {
	rm := redact.Manual{
		ID: m.ID, Pattern: m.Pattern, Replacement: m.Replacement, Actor: m.Actor,
		Scope: redact.ManualScope{Kind: m.Scope, Agent: m.Agent, Session: m.Session, Prompt: m.PromptKey, Field: m.Field},
	}
	if m.Kind == store.ManualLiteral {
		rm.Literal = redact.LiteralPrint{Len: m.LiteralLen, Roll: m.LiteralRoll, Hash: m.LiteralHash}
	}
	return rm
}

// actor names the person at the keyboard: git's author name (user.name
// or GIT_AUTHOR_NAME), else the OS user.
func actor() string {
	if out, err := exec.Command("git", "var", "GIT_AUTHOR_IDENT").Output(); err == nil {
		if name, _, ok := strings.Cut(string(out), " <"); ok && strings.TrimSpace(name) != "" {
			return strings.TrimSpace(name)
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// redactField redacts text of the repository at root as the stored fields
// of its sessions are redacted (the repository's own rules included), so
// that text from git compares with them.
func redactField(eng *redact.Engine, root string) func(string) string {
	return func(s string) string {
		out, _ := eng.TextAt(redact.ScopeField, redact.Location{Repo: root}, s)
		return out
	}
}
