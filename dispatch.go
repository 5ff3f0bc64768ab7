package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/ingest"
	"github.com/aitrail/aitrail/store"
)

// A command line becomes a command's run here: the global options, the
// command's words and verbs, help and usage errors, and the exit status.

// invocation is a parsed command line: the command it names, its options,
// and whether help was asked for.
type invocation struct {
	cmd  command
	path string // the command's words, e.g. "rules add"
	opts options
	help bool
	fs   *pflag.FlagSet // the flags, for the help text
}

// registerGlobals binds the options every command accepts to g.
func registerGlobals(fs *pflag.FlagSet, g *globals) {
	fs.StringVar(&g.dbFlag, "db", g.dbFlag, "database file (default $AITRAIL_DB, the config's db, or $XDG_DATA_HOME/aitrail/trail.db); sessions, show, stats, export and release-notes also read a team database's postgres:// URL")
	fs.StringVar(&g.configFlag, "config", g.configFlag, "config file (default $AITRAIL_CONFIG or $XDG_CONFIG_HOME/aitrail/config.yml)")
	fs.StringArrayVar(&g.sources, "source", g.sources, "read AGENT's logs from PATH instead of its default place (repeatable), e.g. codex:~/.codex")
}

// check reports a malformed global option as a usage error.
func (g *globals) check() error {
	for _, s := range g.sources {
		if _, err := ingest.ParseSource(s); err != nil {
			return usageError{err.Error()}
		}
	}
	return nil
}

// parse parses the arguments that follow a command's words, into g for
// the global options. A command with verbs hands the rest to the verb.
func parse(c command, path string, args []string, g *globals) (invocation, error) {
	inv := invocation{cmd: c, path: path}
	inv.fs = pflag.NewFlagSet("aitrail "+path, pflag.ContinueOnError)
	inv.fs.SetOutput(io.Discard)
	inv.fs.SortFlags = false
	if c.verbs != nil {
		inv.fs.SetInterspersed(false) // flags after the verb are the verb's
	} else {
		inv.opts = c.new()
		inv.opts.flags(inv.fs)
	}
	registerGlobals(inv.fs, g)
	inv.fs.BoolVarP(&inv.help, "help", "h", false, "show help for "+path)
	if err := inv.fs.Parse(args); err != nil {
		return inv, usageError{err.Error()}
	}
	if err := g.check(); err != nil {
		return inv, err
	}
	rest := inv.fs.Args()
	if inv.help {
		return inv, nil
	}
	if c.verbs == nil {
		return inv, inv.opts.args(rest)
	}
	names := make([]string, len(c.verbs))
	for i, v := range c.verbs {
		names[i] = v.name
	}
	if len(rest) == 0 {
		return inv, usagef("%s needs a subcommand: %s", path, strings.Join(names, ", "))
	}
	i := slices.Index(names, rest[0])
	if i < 0 {
		return inv, usagef("unknown %s subcommand %q (want %s)", path, rest[0], strings.Join(names, ", "))
	}
	return parse(c.verbs[i], path+" "+rest[0], rest[1:], g)
}

// main runs a whole command line and returns the exit code.
func (e *env) main(args []string) int {
	top := pflag.NewFlagSet("aitrail", pflag.ContinueOnError)
	top.SetOutput(io.Discard)
	top.SetInterspersed(false)
	registerGlobals(top, &e.globals)
	help := top.BoolP("help", "h", false, "show help")
	showVersion := top.Bool("version", false, "print the version")
	if err := top.Parse(args); err != nil {
		fmt.Fprintf(e.io.err, "aitrail: %v\nRun 'aitrail --help' for usage.\n", err)
		return exitUsage
	}
	rest := top.Args()
	switch {
	case *showVersion:
		rest = []string{"version"}
	case *help || len(rest) == 0:
		e.usage(e.io.out)
		if len(rest) == 0 && !*help {
			return exitUsage
		}
		return exitOK
	case rest[0] == "help":
		if len(rest) == 1 {
			e.usage(e.io.out)
			return exitOK
		}
		rest = append(rest[1:], "--help")
	}
	for _, c := range commands() {
		if c.name == rest[0] {
			return e.exec(c, rest[1:])
		}
	}
	fmt.Fprintf(e.io.err, "aitrail: unknown command %q\nRun 'aitrail --help' for the list of commands.\n", rest[0])
	return exitUsage
}

// exec parses and runs one command, and maps its error to an exit code.
func (e *env) exec(c command, args []string) int {
	inv, err := parse(c, c.name, args, &e.globals)
	if err == nil && inv.help {
		e.help(inv)
		return exitOK
	}
	if err == nil {
		err = inv.opts.run(e)
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(e.io.err, "aitrail %s: %v\n", inv.path, err)
	if store.IsCorrupt(err) {
		fmt.Fprintln(e.io.err, "The database file is damaged or is not an aitrail database: move it aside and run 'aitrail ingest' to build a new one from the agents' logs (notes already written stay in git).")
	}
	if ue := (usageError{}); errors.As(err, &ue) {
		fmt.Fprintf(e.io.err, "Run 'aitrail %s --help' for usage.\n", inv.path)
		return exitUsage
	}
	return exitFailure
}

// help prints a command's help: synopsis, description, verbs and flags.
func (e *env) help(inv invocation) {
	w := e.io.out
	fmt.Fprintf(w, "Usage: aitrail %s %s\n\n%s\n", inv.path, inv.cmd.usage, strings.TrimSpace(inv.cmd.long))
	if len(inv.cmd.verbs) > 0 {
		fmt.Fprintf(w, "\nSubcommands:\n")
		for _, v := range inv.cmd.verbs {
			fmt.Fprintf(w, "  %-9s %s\n", v.name, v.summary)
		}
		fmt.Fprintf(w, "\nRun 'aitrail %s <subcommand> --help' for a subcommand's options.\n", inv.path)
	}
	fmt.Fprintf(w, "\nOptions:\n%s", inv.fs.FlagUsages())
}

// usage prints aitrail's own help.
func (e *env) usage(w io.Writer) {
	fmt.Fprintf(w, `aitrail %s: make AI-assisted coding auditable from inside git.

aitrail reads the session logs coding agents write on disk (Codex CLI,
Claude Code, Gemini CLI, Copilot CLI, VS Code Copilot Chat, Cursor, Aider,
OpenCode), redacts secrets and personal data, and stores them in a local
SQLite database. Installed as git hooks ('aitrail install'), it links each
commit to the prompts and edits that shaped it and writes a Markdown
transparency note on the commit: read them with 'git log --notes=aitrail'.

Usage: aitrail [global options] <command> [options] [arguments]

Commands:
`, version)
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fs := pflag.NewFlagSet("aitrail", pflag.ContinueOnError)
	registerGlobals(fs, &globals{})
	fmt.Fprintf(w, `
Global options (accepted before or after the command):
%s
Run 'aitrail <command> --help' for a command's options.

Exit status: 0 success, 1 failure, 2 usage error.
Environment: AITRAIL_DB, AITRAIL_CONFIG, AITRAIL_TEAM_URL, AITRAIL=0 (the hooks do nothing),
CODEX_HOME, CLAUDE_CONFIG_DIR, GEMINI_DATA_DIR, GEMINI_CLI_HOME, COPILOT_HOME,
VSCODE_APPDATA, VSCODE_PORTABLE, XDG_CONFIG_HOME, XDG_DATA_HOME, NO_COLOR.
`, fs.FlagUsages())
}
