package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aitrail/aitrail/config"
	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/hooks"
	"github.com/aitrail/aitrail/ingest"
	"github.com/aitrail/aitrail/pricing"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/repofile"
	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// process is what aitrail reads of the process it runs in; only main.go
// fills it.
type process struct {
	getenv func(string) string
	home   string
	exe    string // the name the binary was started by, to start a worker the same way
	now    func() time.Time
}

// globals are the options every command accepts.
type globals struct {
	dbFlag     string
	configFlag string
	sources    []string
}

// env is what a command's run step receives: the streams, the process,
// the global options, and the wiring built from them on first use
// (configuration, database, redaction engine, hook handlers).
type env struct {
	ctx context.Context
	io  *streams
	process
	globals
	cfg *config.File // loaded on first use
}

func newEnv(ctx context.Context, p process, s *streams) *env {
	return &env{ctx: ctx, io: s, process: p}
}

// cfgPaths finds aitrail's files from this process's environment.
func (e *env) cfgPaths() config.Paths { return config.Paths{Getenv: e.getenv, Home: e.home} }

// config loads the config file once.
func (e *env) config() (*config.File, error) {
	if e.cfg != nil {
		return e.cfg, nil
	}
	path, explicit := e.cfgPaths().Path(e.configFlag)
	f, err := config.Load(path, explicit)
	if err != nil {
		return nil, err
	}
	e.cfg = f
	return f, nil
}

// errNoDatabase is openDB's error when the database was never created.
var errNoDatabase = errors.New("no database")

// openDB opens the local database the options name. Unless create, a
// database that was never created is an error (errNoDatabase) with a hint,
// so that a query does not leave an empty file behind. A team database is
// refused: what writes, or reads what stays local, works on the local one.
func (e *env) openDB(create bool) (*store.DB, error) {
	f, err := e.config()
	if err != nil {
		return nil, err
	}
	path := e.cfgPaths().DBPath(e.dbFlag, f)
	if store.IsURL(path) {
		return nil, fmt.Errorf("%s: %w", store.RedactURL(path), store.ErrTeamReadOnly)
	}
	if !create {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s: run 'aitrail ingest' first (or pass --db)", errNoDatabase, path)
		}
	}
	return store.Open(e.ctx, path)
}

// openRedacting opens the database and builds the redaction engine its
// rows were redacted with.
func (e *env) openRedacting(create bool) (*store.DB, *redact.Engine, error) {
	db, err := e.openDB(create)
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

// openReader opens the database a read command (sessions, show, stats,
// export, release-notes) reads: the local one, or the team database a
// postgres:// --db or AITRAIL_DB names. The engine redacts what the user types (a --repo path)
// the way stored text was redacted; for a team database it has neither
// the local key nor the manual redactions, which never leave the machine.
func (e *env) openReader() (*store.DB, *redact.Engine, error) {
	f, err := e.config()
	if err != nil {
		return nil, nil, err
	}
	path := e.cfgPaths().DBPath(e.dbFlag, f)
	if !store.IsURL(path) {
		return e.openRedacting(false)
	}
	db, err := store.Open(e.ctx, path)
	if err != nil {
		return nil, nil, err
	}
	eng, err := e.engine(nil)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, eng, nil
}

// team is where and as whom this machine pushes.
type team struct {
	url, member, machine string
}

// teamSettings resolves the team database (to, else AITRAIL_TEAM_URL,
// else the config's team.url), the member name (team.member, else git's
// user.email) and the machine name (team.machine, else the host name).
func (e *env) teamSettings(to string) (team, error) {
	f, err := e.config()
	if err != nil {
		return team{}, err
	}
	t := team{url: to, member: f.Team.Member, machine: f.Team.Machine}
	from := "--to"
	if t.url == "" {
		t.url, from = e.getenv("AITRAIL_TEAM_URL"), "AITRAIL_TEAM_URL"
	}
	if t.url == "" {
		t.url, from = f.Team.URL, "team.url"
	}
	if t.url == "" {
		return t, usagef("no team database: pass --to postgres://…, set AITRAIL_TEAM_URL, or set team.url in the config (see docs/team.md)")
	}
	if !store.IsURL(t.url) {
		// Not shown: what is not a URL cannot be redacted as one.
		return t, usagef("%s is not a postgres:// URL", from)
	}
	if t.member == "" {
		t.member = e.gitEmail()
	}
	if t.member == "" {
		return t, fmt.Errorf("no member name to push as: set team.member in the config, or git's user.email")
	}
	if t.machine == "" {
		if t.machine, err = os.Hostname(); err != nil || t.machine == "" {
			return t, fmt.Errorf("no machine name to push from: set team.machine in the config")
		}
	}
	return t, nil
}

// gitEmail returns git's user.email (GIT_AUTHOR_EMAIL when it is set, as
// git does), or "". Unlike git, it never guesses one from the host.
func (e *env) gitEmail() string {
	if v := e.getenv("GIT_AUTHOR_EMAIL"); v != "" {
		return v
	}
	out, _ := exec.Command("git", "config", "--get", "user.email").Output()
	return strings.TrimSpace(string(out))
}

// push pushes the local database to the team database.
func (e *env) push(db *store.DB, t team, raw, dryRun bool) (store.PushReport, error) {
	return db.Push(e.ctx, t.url, store.PushOptions{Member: t.member, Machine: t.machine, Raw: raw, DryRun: dryRun, Version: version})
}

// openExisting opens the database when there is one (nil when it was never
// created) and builds the redaction engine, for the commands that also work
// without a database (release-notes reads notes).
func (e *env) openExisting() (*store.DB, *redact.Engine, error) {
	f, err := e.config()
	if err != nil {
		return nil, nil, err
	}
	path := e.cfgPaths().DBPath(e.dbFlag, f)
	if store.IsURL(path) {
		return e.openReader()
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		eng, err := e.engine(nil)
		return nil, eng, err
	}
	return e.openRedacting(false)
}

// repoKey names a repository in the database: a keyed hash of its worktree
// root, so that no path is stored. A team database has no key of its own
// (each member's rows name repositories by theirs): "".
func repoKey(e *env, db *store.DB, root string) (string, error) {
	if db.Team() {
		return "", nil
	}
	k, err := db.PathKey(e.ctx, root)
	return "repo:" + k, err
}

// openRepo opens the repository of the working directory.
func openRepo() (*gitlog.Repo, error) {
	repo, err := gitlog.Open(".")
	if errors.Is(err, gitlog.ErrNotRepository) {
		return nil, fmt.Errorf("%w: run this inside a git repository", err)
	}
	return repo, err
}

// sourceList returns the log places the options or the config name
// instead of discovery (none: discover every agent's own).
func (e *env) sourceList() ([]ingest.AgentPath, error) {
	f, err := e.config()
	if err != nil {
		return nil, err
	}
	var srcs []ingest.AgentPath
	for _, s := range e.sources {
		src, err := ingest.ParseSource(s)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		if _, err := ingest.Find(ingest.Agents(), src.Agent); err != nil {
			return nil, usagef("--source %s: %v", s, err)
		}
		srcs = append(srcs, src)
	}
	if len(srcs) == 0 {
		for _, s := range f.Sources {
			srcs = append(srcs, ingest.AgentPath{Agent: s.Agent, Path: e.cfgPaths().Expand(s.Path)})
		}
	}
	return srcs, nil
}

// logFiles discovers the log files the options and config name; without
// sources, also the logs agents keep in this repository and in the
// config's repos. With near, only those a hook looks at: the logs that can
// hold sessions of near's repositories (ingest.DiscoverNear), and those
// agents keep in them.
func (e *env) logFiles(near *ingest.Near) ([]ingest.File, error) {
	srcs, err := e.sourceList()
	if err != nil {
		return nil, err
	}
	agents := ingest.Agents()
	var files []ingest.File
	if near != nil {
		files, err = ingest.DiscoverNear(agents, srcs, e.getenv, e.home, *near)
	} else {
		files, err = ingest.Discover(agents, srcs, e.getenv, e.home)
	}
	if err != nil || len(srcs) > 0 {
		return files, err
	}
	if near != nil {
		return append(files, ingest.InRepos(agents, near.Roots)...), nil
	}
	f, err := e.config()
	if err != nil {
		return nil, err
	}
	var roots []string
	if root, err := gitlog.Root("."); err == nil {
		roots = append(roots, root)
	}
	for _, r := range f.Repos {
		roots = append(roots, e.cfgPaths().Expand(r))
	}
	return append(files, ingest.InRepos(agents, roots)...), nil
}

// nearRepo is what a hook of repo looks for (ingest.Near): the logs of the
// sessions of its worktrees, and the logs written in the day before the
// last one was.
func nearRepo(ctx context.Context, db *store.DB, repo *gitlog.Repo) (*ingest.Near, error) {
	roots := []string{repo.Root()}
	if others, err := repo.Worktrees(); err == nil {
		roots = append(roots, others...)
	}
	recent, err := db.RecentSources(ctx, ingest.Names(), 24*time.Hour)
	if err != nil {
		return nil, err
	}
	return &ingest.Near{Roots: roots, Recent: recent}, nil
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
	files := []ruleFile{{e.userRuleFile(), redact.OriginUser}}
	if f.Redaction.Rules != "" {
		files = append(files, ruleFile{e.cfgPaths().Expand(f.Redaction.Rules), redact.OriginUser})
	}
	if root, err := gitlog.Root("."); err == nil {
		files = append(files, ruleFile{repoRuleFile(root), redact.OriginRepo})
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

// price estimates the cost of one API call.
func price(model string, t store.Tokens) (float64, bool) {
	return pricing.Cost(model, pricing.Usage{Input: t.Input, CacheRead: t.CacheRead, CacheWrite: t.CacheWrite,
		CacheWrite1h: t.CacheWrite1h, Output: t.Output})
}

// notesRef is the notes ref the config names, expanded as git does, or
// the default one.
func (e *env) notesRef() (string, error) {
	f, err := e.config()
	if err != nil {
		return "", err
	}
	if f.Notes.Ref != "" {
		if r, err := gitlog.ExpandNotesRef(f.Notes.Ref); err == nil {
			return r, nil
		}
	}
	return hooks.NotesRef, nil
}

// renderOptions are the config's choices for rendering notes.
func renderOptions(f *config.File) report.NoteOptions {
	return report.NoteOptions{Version: version, Prompts: f.Notes.Prompts, MaxPrompt: f.Notes.MaxPrompt, NoAI: f.Notes.NoAI}
}

// syncNotes fetches the remote's notes into a tracking ref, merges them
// (keeping both notes where both sides annotated a commit) and, unless
// fetchOnly, pushes, retrying when another push wins the race.
func syncNotes(repo *gitlog.Repo, remote, ref string, fetchOnly bool) (gitlog.SyncResult, error) {
	return repo.SyncNotes(remote, ref, gitlog.SyncOptions{FetchOnly: fetchOnly, Tries: 3, Combine: report.CombineNotes})
}

// hookHandlers wires the handlers: database, redaction, logs, note options.
// The redaction engine is built when a byte needs it: when a log has new
// bytes, or the lines of a commit are weighed against an agent's edits (a
// commit with nothing new and no agent near it never builds it).
func (e *env) hookHandlers(repo *gitlog.Repo, hook bool) (*hooks.Handlers, func(), error) {
	f, err := e.config()
	if err != nil {
		return nil, nil, err
	}
	db, err := e.openDB(true)
	if err != nil {
		return nil, nil, err
	}
	var eng *redact.Engine
	engine := func() (*redact.Engine, error) {
		var err error
		if eng == nil {
			eng, err = e.engine(db)
		}
		return eng, err
	}
	key, err := repoKey(e, db, repo.Root())
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	h := &hooks.Handlers{
		DB:      db,
		Repo:    repo,
		RepoKey: key,
		Ingest: func(ctx context.Context) error {
			var near *ingest.Near
			if hook {
				n, err := nearRepo(ctx, db, repo)
				if err != nil {
					return err
				}
				near = n
			}
			files, err := e.logFiles(near)
			if err != nil {
				return err
			}
			if n, err := ingest.Pending(ctx, db, files); err != nil || n == 0 {
				return err
			}
			eng, err := engine()
			if err != nil {
				return err
			}
			_, err = ingest.Run(ctx, db, eng, files, ingest.Options{Home: e.home, BatchBytes: 1 << 20, NoCounts: true, MaxLine: f.Ingest.MaxLine})
			return err
		},
		Correlate: report.Options{Redact: func() (func(string) string, error) {
			eng, err := engine()
			if err != nil {
				return nil, err
			}
			return redactField(eng, repo.Root()), nil
		}, Price: price},
		Note:    renderOptions(f),
		Ref:     f.Notes.Ref,
		CatchUp: f.Hooks.CatchUp,
		Now:     e.now,
	}
	if f.Notes.Lookback != "" {
		h.Correlate.Lookback, _ = config.ParseDuration(f.Notes.Lookback)
	}
	if f.Team.Push == "auto" {
		h.Push = func(ctx context.Context) error {
			t, err := e.teamSettings("")
			if err != nil {
				return err
			}
			_, err = e.push(db, t, false, false)
			return err
		}
	}
	return h, func() { db.Close() }, nil
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

// hookBudget is how long a hook may work: the config's hooks.budget, else
// hooks.DefaultBudget.
func (e *env) hookBudget() (time.Duration, error) {
	f, err := e.config()
	if err != nil || f.Hooks.Budget == "" {
		return hooks.DefaultBudget, err
	}
	return config.ParseDuration(f.Hooks.Budget) // checked when the config was loaded
}

// executable returns the path of the running binary, found by the name it
// was run with.
func (e *env) executable() (string, error) {
	exe := e.exe
	if !strings.ContainsRune(exe, os.PathSeparator) {
		p, err := exec.LookPath(exe)
		if err != nil {
			return "", fmt.Errorf("find %s: %w", exe, err)
		}
		exe = p
	}
	return filepath.Abs(exe)
}

// spawnWorker starts "aitrail hook worker" detached from the hook: its own
// session, no stdio, so that git does not wait for it.
func (e *env) spawnWorker(dir string) error {
	exe, err := e.executable()
	if err != nil {
		return fmt.Errorf("start a worker: %w", err)
	}
	args := []string{"hook", "worker"}
	if e.dbFlag != "" {
		args = append([]string{"--db", e.dbFlag}, args...)
	}
	if e.configFlag != "" {
		args = append([]string{"--config", e.configFlag}, args...)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	return cmd.Process.Release()
}
