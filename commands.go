package main

import (
	"fmt"

	"github.com/spf13/pflag"
)

// commands is the table of aitrail's commands, in the order --help lists
// them. A new command is one cmd_<name>.go file and one line here.
func commands() []command {
	return []command{
		ingestCommand(),
		sessionsCommand(),
		showCommand(),
		statsCommand(),
		releaseNotesCommand(),
		exportCommand(),
		installCommand(),
		uninstallCommand(),
		statusCommand(),
		annotateCommand(),
		noteCommand(),
		blameCommand(),
		syncNotesCommand(),
		carryCommand(),
		pushCommand(),
		hookCommand(),
		rulesCommand(),
		redactCommand(),
		scanCommand(),
		demoCommand(),
		versionCommand(),
	}
}

// options is one command's command line once parsed. Each command has an
// options struct that implements it: flags and args form the parse step,
// run the run step, so that parsing is tested apart from running.
type options interface {
	// flags binds the command's flags to the struct's fields.
	flags(fs *pflag.FlagSet)
	// args takes the positional arguments and checks the options
	// together; a mistake is a usageError.
	args(args []string) error
	// run carries the command out.
	run(e *env) error
}

// command is one entry of the table: its help, and either its options or
// its verbs (rules add, redact list, …), each a command of its own.
type command struct {
	name    string
	usage   string // argument synopsis
	summary string
	long    string
	new     func() options // fresh options with their defaults
	verbs   []command
}

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

// noArgs is the args step of a command that takes no arguments.
func noArgs(name string, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments", name)
	}
	return nil
}
