// Command aitrail makes AI-assisted coding auditable from inside git: it
// ingests the session logs coding agents write, redacts them, links prompts
// to the commits they shaped, and publishes transparency notes.
//
// The package is the command layer only: main.go reads the process, wire.go
// builds what commands share (configuration, database, redaction engine,
// hook handlers), commands.go holds the table of commands and dispatches,
// and each command lives in cmd_<name>.go as an options struct with a parse
// step and a run step. Everything else belongs to the packages below.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(signalContext(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// signalContext is cancelled by an interrupt, so that work in progress is
// committed or rolled back cleanly.
func signalContext() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ctx
}

// run executes one command line with the given streams. It is the only
// place that reads the process: its environment, home directory and the
// name it was started by.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	home, _ := os.UserHomeDir()
	p := process{
		getenv: os.Getenv,
		home:   home,
		exe:    os.Args[0],
		now:    time.Now,
	}
	return newEnv(ctx, p, newStreams(stdin, stdout, stderr, os.Getenv)).main(args)
}
