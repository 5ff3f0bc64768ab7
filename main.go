// Command aitrail makes AI-assisted coding auditable from inside git: it
// ingests the session logs coding agents write, redacts them, links prompts
// to the commits they shaped, and publishes transparency notes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
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
