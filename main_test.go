package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"aitrail": func() { os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script against the
// real binary, in a hermetic home with no agent logs or git configuration
// of the machine's.
func TestScripts(t *testing.T) {
	shared, _ := filepath.Abs(filepath.Join("..", "shared"))
	_, err := os.Stat(filepath.Join(shared, "fixtures"))
	haveShared := err == nil
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, "home")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			for k, v := range map[string]string{
				"HOME":                home,
				"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
				"XDG_DATA_HOME":       filepath.Join(home, ".local", "share"),
				"CODEX_HOME":          "",
				"CLAUDE_CONFIG_DIR":   "",
				"AITRAIL_DB":          "",
				"AITRAIL_CONFIG":      "",
				"GIT_CONFIG_NOSYSTEM": "1",
				"GIT_AUTHOR_NAME":     "Ada Lovelace",
				"GIT_AUTHOR_EMAIL":    "ada@example.com",
				"GIT_AUTHOR_DATE":     "2026-01-02T10:00:00Z",
				"GIT_COMMITTER_NAME":  "Ada Lovelace",
				"GIT_COMMITTER_EMAIL": "ada@example.com",
				"GIT_COMMITTER_DATE":  "2026-01-02T10:00:00Z",
				"NO_COLOR":            "1",
				"SHARED":              shared,
			} {
				e.Setenv(k, v)
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "shared":
				return haveShared, nil
			}
			return false, nil
		},
	})
}
