package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/aitrail/aitrail/store"
	"github.com/aitrail/aitrail/store/pgtest"
)

// varRef is a ${VAR} reference in a file that expand copies.
var varRef = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}`)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"aitrail":  func() { os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
		"holdlock": func() { os.Exit(holdLock(os.Args[1:])) },
	})
}

// layouts are where the end-to-end scripts put their repositories: $REPOS
// is the directory that holds them ($REPOS_URL its file:// URI) and $REPO
// the usual one inside it. Users keep repositories under their home
// directory (which redaction writes as "~"), at paths with spaces and
// letters beyond ASCII; a script that uses $REPO or $REPOS runs in every
// layout, the others in the first one. The condition [repohome] holds in
// the layouts under the home directory.
var layouts = []struct {
	name  string
	home  bool // the repositories are under $HOME
	repos func(work, home string) string
}{
	{"outside-home", false, func(work, home string) string { return work }},
	{"under-home", true, func(work, home string) string { return filepath.Join(home, "src") }},
	{"spaces-unicode", true, func(work, home string) string { return filepath.Join(home, "café app", "日本") }},
}

// TestScripts runs the end-to-end scripts in testdata/script against the
// real binary, in a hermetic home with no agent logs or git configuration
// of the machine's, in each layout of the repositories (see layouts).
//
// Hook managers (lefthook, husky, pre-commit) and git-lfs are run for real
// when they are in PATH or in $AITRAIL_TEST_BIN (where .ci/setup installs
// the npm ones); the scripts that need them skip, saying so, otherwise.
func TestScripts(t *testing.T) {
	if bin := os.Getenv("AITRAIL_TEST_BIN"); bin != "" {
		t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	all, err := filepath.Glob(filepath.Join("testdata", "script", "*.txtar"))
	if err != nil || len(all) == 0 {
		t.Fatalf("no scripts in testdata/script: %v", err)
	}
	var withRepos []string
	for _, f := range all {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "$REPO") || strings.Contains(string(b), "${REPO") {
			withRepos = append(withRepos, f)
		}
	}
	var pg lazyServer
	t.Cleanup(pg.stop)
	for i, l := range layouts {
		files := withRepos
		if i == 0 {
			files = all
		}
		t.Run(l.name, func(t *testing.T) {
			testscript.Run(t, scriptParams(files, &pg, map[string]bool{"repohome": l.home}, func(e *testscript.Env) {
				dir := l.repos(e.WorkDir, e.Getenv("HOME"))
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				e.Setenv("REPOS", dir)
				e.Setenv("REPOS_URL", (&url.URL{Scheme: "file", Path: dir}).String()) // percent-encoded
				e.Setenv("REPO", filepath.Join(dir, "repo"))
			}))
		})
	}
}

// scriptParams runs the script files with the test PostgreSQL server pg
// (started by the first script that needs it); conds are conditions of
// their own, and setup, when set, adds to their environment.
func scriptParams(files []string, pg *lazyServer, conds map[string]bool, setup func(e *testscript.Env)) testscript.Params {
	shared, _ := filepath.Abs(filepath.Join("..", "shared"))
	_, err := os.Stat(filepath.Join(shared, "fixtures"))
	haveShared := err == nil
	return testscript.Params{
		Files:               files,
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, "home")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			for k, v := range map[string]string{
				"HOME":                    home,
				"XDG_CONFIG_HOME":         filepath.Join(home, ".config"),
				"XDG_DATA_HOME":           filepath.Join(home, ".local", "share"),
				"CODEX_HOME":              "",
				"CLAUDE_CONFIG_DIR":       "",
				"GEMINI_DATA_DIR":         "",
				"GEMINI_CLI_HOME":         "",
				"COPILOT_HOME":            "",
				"VSCODE_APPDATA":          "",
				"VSCODE_PORTABLE":         "",
				"APPDATA":                 "",
				"OPENCODE_DATA_DIR":       "",
				"AIDER_CHAT_HISTORY_FILE": "",
				"AITRAIL_DB":              "",
				"AITRAIL_TEAM_URL":        "",
				"AITRAIL_CONFIG":          "",
				"GIT_CONFIG_NOSYSTEM":     "1",
				"GIT_AUTHOR_NAME":         "Ada Lovelace",
				"GIT_AUTHOR_EMAIL":        "ada@example.com",
				"GIT_AUTHOR_DATE":         "2026-01-02T10:00:00Z",
				"GIT_COMMITTER_NAME":      "Ada Lovelace",
				"GIT_COMMITTER_EMAIL":     "ada@example.com",
				"GIT_COMMITTER_DATE":      "2026-01-02T10:00:00Z",
				"NO_COLOR":                "1",
				"TZ":                      "UTC", // scripts that test another zone set theirs
				"SHARED":                  shared,
			} {
				e.Setenv(k, v)
			}
			if setup != nil {
				setup(e)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"noleak": noleak,
			// expand SRC DST copies SRC to DST (creating directories),
			// replacing ${VAR} with the script's environment: agent logs
			// name absolute paths that exist only when the script runs.
			"expand": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: expand SRC DST")
				}
				out := varRef.ReplaceAllStringFunc(ts.ReadFile(args[0]), func(m string) string {
					return ts.Getenv(m[2 : len(m)-1])
				})
				dst := ts.MkAbs(args[1])
				ts.Check(os.MkdirAll(filepath.Dir(dst), 0o755))
				ts.Check(os.WriteFile(dst, []byte(out), 0o644))
			},
			// sqlite DB SCRIPT runs the SQL script SCRIPT, expanded like
			// expand, in the SQLite database DB (created, in WAL mode):
			// some agents keep their sessions in databases.
			"sqlite": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: sqlite DB SCRIPT")
				}
				script := varRef.ReplaceAllStringFunc(ts.ReadFile(args[1]), func(m string) string {
					return ts.Getenv(m[2 : len(m)-1])
				})
				path := ts.MkAbs(args[0])
				ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
				db, err := sql.Open("sqlite", store.FileURI(path)+"?_pragma=journal_mode(wal)")
				ts.Check(err)
				defer db.Close()
				_, err = db.Exec(script)
				ts.Check(err)
			},
			// pgdb creates an empty team database on the test server and
			// sets TEAM_URL (with the password) and TEAM_PASSWORD.
			"pgdb": func(ts *testscript.TestScript, neg bool, args []string) {
				srv, err := pg.get()
				if err != nil {
					ts.Fatalf("no PostgreSQL server: %v", err)
				}
				u, _, err := srv.CreateDB()
				ts.Check(err)
				ts.Setenv("TEAM_URL", u)
				ts.Setenv("TEAM_PASSWORD", srv.Password)
			},
			// pgwait URL QUERY WANT polls a query until it returns WANT
			// (at most 60 s): work that a detached worker does.
			"pgwait": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: pgwait URL QUERY WANT")
				}
				var got string
				for start := time.Now(); time.Since(start) < time.Minute; time.Sleep(50 * time.Millisecond) {
					conn, err := pgx.Connect(context.Background(), args[0])
					if err == nil {
						err = conn.QueryRow(context.Background(), args[1]).Scan(&got)
						conn.Close(context.Background())
					}
					if err == nil && got == args[2] {
						return
					}
				}
				ts.Fatalf("%s: got %q after a minute, want %q", args[1], got, args[2])
			},
		},
		Condition: func(cond string) (bool, error) {
			if v, ok := conds[cond]; ok {
				return v, nil
			}
			switch cond {
			case "shared":
				return haveShared, nil
			case "git254":
				return gitAtLeast(2, 54), nil
			}
			if zone, ok := strings.CutPrefix(cond, "tz:"); ok {
				// The binary finds zones where this test does.
				_, err := time.LoadLocation(zone)
				return err == nil, nil
			}
			switch cond {
			case "pg":
				// Under CI a missing server fails the script (pgdb) rather
				// than skipping it.
				_, err := pg.get()
				return err == nil || os.Getenv("CI") != "", nil
			}
			return false, nil
		},
	}
}

// lazyServer starts the test PostgreSQL server on first use, once.
type lazyServer struct {
	once sync.Once
	srv  *pgtest.Server
	err  error
}

func (l *lazyServer) get() (*pgtest.Server, error) {
	l.once.Do(func() { l.srv, l.err = pgtest.Launch() })
	return l.srv, l.err
}

func (l *lazyServer) stop() {
	l.once.Do(func() {}) // none is started after this
	if l.srv != nil {
		l.srv.Stop()
	}
}

// gitAtLeast reports whether the git CLI is at least major.minor.
func gitAtLeast(major, minor int) bool {
	out, err := exec.Command("git", "version").Output()
	if err != nil {
		return false
	}
	var maj, min int
	f := strings.Fields(string(out))
	if len(f) < 3 {
		return false
	}
	fmt.Sscanf(f[2], "%d.%d", &maj, &min)
	return maj > major || maj == major && min >= minor
}
