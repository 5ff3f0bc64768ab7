package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/aitrail/aitrail/config"
	"github.com/aitrail/aitrail/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes, listed in --help.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError is a mistake in the command line; it exits with exitUsage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// env is what every command receives: streams, environment and the global
// options. Only main.go touches the real process.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
	home   string
	tty    bool // stderr is a terminal: progress bars allowed

	dbFlag     string
	configFlag string
	sources    []string
	cfg        *config.File // loaded on first use
}

// command is one subcommand.
type command struct {
	name    string
	args    string // argument synopsis
	summary string
	long    string
	// flags registers the command's flags and returns the function that
	// runs it with the remaining arguments.
	flags func(e *env, fs *pflag.FlagSet) func(args []string) error
}

func commands() []command {
	return []command{
		ingestCommand(),
		sessionsCommand(),
		showCommand(),
		statsCommand(),
		installCommand(),
		uninstallCommand(),
		statusCommand(),
		annotateCommand(),
		noteCommand(),
		syncNotesCommand(),
		hookCommand(),
		rulesCommand(),
		redactCommand(),
		scanCommand(),
		demoCommand(),
		versionCommand(),
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	home, _ := os.UserHomeDir()
	e := &env{
		ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr,
		getenv: os.Getenv, now: time.Now, home: home,
		tty: isTerminal(stderr) && os.Getenv("TERM") != "dumb",
	}
	return e.main(args)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// globalFlags registers the options every command accepts.
func (e *env) globalFlags(fs *pflag.FlagSet) {
	fs.StringVar(&e.dbFlag, "db", e.dbFlag, "database file (default $AITRAIL_DB, the config's db, or $XDG_DATA_HOME/aitrail/trail.db)")
	fs.StringVar(&e.configFlag, "config", e.configFlag, "config file (default $AITRAIL_CONFIG or $XDG_CONFIG_HOME/aitrail/config.yml)")
	fs.StringArrayVar(&e.sources, "source", e.sources, "read AGENT's logs from PATH instead of its default place (repeatable), e.g. codex:~/.codex")
}

func (e *env) main(args []string) int {
	top := pflag.NewFlagSet("aitrail", pflag.ContinueOnError)
	top.SetOutput(io.Discard)
	top.SetInterspersed(false)
	e.globalFlags(top)
	help := top.BoolP("help", "h", false, "show help")
	showVersion := top.Bool("version", false, "print the version")
	if err := top.Parse(args); err != nil {
		fmt.Fprintf(e.stderr, "aitrail: %v\n\n", err)
		e.usage(e.stderr)
		return exitUsage
	}
	rest := top.Args()
	switch {
	case *showVersion:
		rest = []string{"version"}
	case *help || len(rest) == 0:
		e.usage(e.stdout)
		if len(rest) == 0 && !*help {
			return exitUsage
		}
		return exitOK
	case rest[0] == "help":
		if len(rest) == 1 {
			e.usage(e.stdout)
			return exitOK
		}
		rest = []string{rest[1], "--help"}
	}
	for _, c := range commands() {
		if c.name == rest[0] {
			return e.exec(c, rest[1:])
		}
	}
	fmt.Fprintf(e.stderr, "aitrail: unknown command %q\n", rest[0])
	fmt.Fprintf(e.stderr, "Run 'aitrail --help' for the list of commands.\n")
	return exitUsage
}

func (e *env) exec(c command, args []string) int {
	fs := pflag.NewFlagSet("aitrail "+c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	runFn := c.flags(e, fs)
	e.globalFlags(fs)
	help := fs.BoolP("help", "h", false, "show help for "+c.name)
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(e.stderr, "aitrail %s: %v\n", c.name, err)
		fmt.Fprintf(e.stderr, "Run 'aitrail %s --help' for usage.\n", c.name)
		return exitUsage
	}
	if *help {
		fmt.Fprintf(e.stdout, "Usage: aitrail %s %s\n\n%s\n", c.name, c.args, strings.TrimSpace(c.long))
		fmt.Fprintf(e.stdout, "\nOptions:\n%s", fs.FlagUsages())
		return exitOK
	}
	err := runFn(fs.Args())
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(e.stderr, "aitrail %s: %v\n", c.name, err)
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "Run 'aitrail %s --help' for usage.\n", c.name)
		return exitUsage
	}
	return exitFailure
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintf(w, `aitrail %s: make AI-assisted coding auditable from inside git.

aitrail reads the session logs coding agents write on disk (Codex CLI,
Claude Code), redacts secrets and personal data, and stores them in a local
SQLite database. Installed as git hooks ('aitrail install'), it links each
commit to the prompts and edits that shaped it and writes a Markdown
transparency note on the commit: read them with 'git log --notes=aitrail'.

Usage: aitrail [global options] <command> [options] [arguments]

Commands:
`, version)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fs := pflag.NewFlagSet("aitrail", pflag.ContinueOnError)
	e.globalFlags(fs)
	fmt.Fprintf(w, `
Global options (accepted before or after the command):
%s
Run 'aitrail <command> --help' for a command's options.

Exit status: 0 success, 1 failure, 2 usage error.
Environment: AITRAIL_DB, AITRAIL_CONFIG, AITRAIL=0 (the hooks do nothing),
CODEX_HOME, CLAUDE_CONFIG_DIR, XDG_CONFIG_HOME, XDG_DATA_HOME, NO_COLOR.
`, fs.FlagUsages())
}

// cfgEnv returns the config package's view of the environment.
func (e *env) cfgEnv() config.Env { return config.Env{Getenv: e.getenv, Home: e.home} }

// config loads the config file once.
func (e *env) config() (*config.File, error) {
	if e.cfg != nil {
		return e.cfg, nil
	}
	path, explicit := e.cfgEnv().Path(e.configFlag)
	f, err := config.Load(path, explicit)
	if err != nil {
		return nil, err
	}
	e.cfg = f
	return f, nil
}

// openDB opens the database the options name.
func (e *env) openDB() (*store.DB, error) {
	f, err := e.config()
	if err != nil {
		return nil, err
	}
	path := e.cfgEnv().DBPath(e.dbFlag, f)
	db, err := store.Open(e.ctx, path)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// openExistingDB opens the database for a query, with a hint when it has
// never been created.
func (e *env) openExistingDB() (*store.DB, error) {
	f, err := e.config()
	if err != nil {
		return nil, err
	}
	path := e.cfgEnv().DBPath(e.dbFlag, f)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s: run 'aitrail ingest' first (or pass --db)", path)
	}
	return store.Open(e.ctx, path)
}

func versionCommand() command {
	return command{
		name: "version", summary: "print the version",
		long: "Prints aitrail's version and the database schema version it writes.",
		flags: func(e *env, fs *pflag.FlagSet) func([]string) error {
			return func(args []string) error {
				if len(args) > 0 {
					return usagef("version takes no arguments")
				}
				fmt.Fprintf(e.stdout, "aitrail %s (schema %d)\n", version, store.SchemaVersion())
				return nil
			}
		},
	}
}
