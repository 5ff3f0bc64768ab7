package main

import (
	"context"
	"time"

	"github.com/aitrail/aitrail/config"
	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/ingest"
)

// The wire*.go files connect the commands to the packages, one concern
// each: the environment and configuration (here), databases (wire_db.go),
// the team database (wire_team.go), the agents' logs (wire_logs.go), the
// redaction engine (wire_redact.go) and the hooks (wire_hooks.go).

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
	f, err := config.Load(path, explicit, config.Checks{
		Agent: func(name string) error {
			_, err := ingest.Find(ingest.Agents(), name)
			return err
		},
		NotesRef: func(ref string) error {
			_, err := gitlog.ExpandNotesRef(ref)
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	e.cfg = f
	return f, nil
}
