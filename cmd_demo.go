package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/store"
)

// demoLogs are sample session logs written for this project, in the
// agents' own directory layouts; they worked in /home/dev/todo-api.
//
//go:embed testdata/demo
var demoLogs embed.FS

// demoRepo is the repository the sample sessions worked in: 0 holds its
// files before them, and each later directory the files one commit changes.
//
//go:embed testdata/demo-repo
var demoRepo embed.FS

// demoSampleRepo is where the sample sessions worked.
const demoSampleRepo = "/home/dev/todo-api"

// demoCommits are the commits the demo makes: the files of demoRepo's
// directory dir, at the time the sessions' developer committed them. The
// second Codex prompt's edit waits until after Claude Code's: a change
// committed later than the next one is still linked to its prompt.
var demoCommits = []struct{ dir, when, msg, what string }{
	{"0", "2026-01-02T08:00:00Z", "A small todo API", "before the sessions"},
	{"1", "2026-01-02T09:01:00Z", "Add GET /health", "Codex's first prompt"},
	{"2", "2026-01-02T11:01:00Z", "List todos oldest first", "Claude Code's prompt"},
	{"3", "2026-01-02T11:05:00Z", "Fail fast without DATABASE_URL", "Codex's second prompt, committed last"},
}

func demoCommand() command {
	return command{
		name: "demo", usage: "[--keep DIR]",
		summary: "show aitrail's work on bundled sample sessions, in a temporary home",
		long: `Runs the main job on sample data, in a temporary home: the bundled Codex and
Claude Code session logs go to its ~/.codex and ~/.claude; demo ingests them
into a temporary database, lists the sessions and shows one grouped by
prompt. Then, in a new repository ~/todo-api where the sample sessions
worked, it installs the hooks, makes the sessions' edits as the commits a
developer would have made after each prompt (the hooks write their notes),
and prints the last one as 'git log --notes=aitrail -1' shows it.

Nothing outside the temporary directory is read or written: your own logs,
database, configuration and git settings are not touched. --keep DIR keeps
everything in DIR to explore with the other commands (--db DIR/trail.db, and
the repository in DIR/home/dev/todo-api).`,
		new: func() options { return &demoOptions{} },
	}
}

type demoOptions struct {
	keep string
}

func (o *demoOptions) flags(fs *pflag.FlagSet) {
	fs.StringVar(&o.keep, "keep", "", "write the logs, the database and the repository to this directory and keep them")
}

func (o *demoOptions) args(args []string) error {
	return noArgs("demo", args)
}

func (o *demoOptions) run(e *env) error {
	dir := o.keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "aitrail-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("--keep %s: the directory is not empty: name a new one", dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	home := filepath.Join(dir, "home", "dev")
	repo := filepath.Join(home, "todo-api")
	if err := writeDemoLogs(home, repo); err != nil {
		return fmt.Errorf("write sample logs: %w", err)
	}
	// The demo is hermetic: only the sample logs, a fresh database and a
	// configuration of defaults, under the temporary home.
	e.home = home
	e.dbFlag = filepath.Join(dir, "trail.db")
	e.sources = []string{"codex:" + filepath.Join(home, ".codex"), "claude:" + filepath.Join(home, ".claude")}
	e.configFlag = filepath.Join(dir, "config.yml")
	if err := os.WriteFile(e.configFlag, []byte("# demo: defaults only\n"), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "$ aitrail ingest   # sample logs in a temporary home, %s\n", home)
	if err := (&ingestOptions{}).run(e); err != nil {
		return err
	}
	db, err := e.openDB(false)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.io.out, "\n$ aitrail sessions\n")
	if err := (&sessionsOptions{}).run(e); err != nil {
		return err
	}
	list, err := db.Sessions(e.ctx, store.SessionFilter{})
	if err != nil || len(list) == 0 {
		return fmt.Errorf("the sample logs produced no session: %v", err)
	}
	s := list[len(list)-1]
	fmt.Fprintf(e.io.out, "\n$ aitrail show %s\n", s.SessionID)
	d, err := db.Detail(e.ctx, s)
	if err != nil {
		return err
	}
	printSession(e.io.out, d, false)
	db.Close()

	if err := o.commit(e, dir, home, repo); err != nil {
		return err
	}
	if o.keep != "" {
		fmt.Fprintf(e.io.out, "\nEverything is in %s; try: aitrail --db %s stats --by model, or git -C %s log --notes=aitrail\n", dir, e.dbFlag, repo)
	}
	return nil
}

// writeDemoLogs writes the sample logs where the agents keep them under
// home, moved from the repository they name to repo.
func writeDemoLogs(home, repo string) error {
	quoted, _ := json.Marshal(repo)
	inJSON := string(quoted[1 : len(quoted)-1])
	// Claude Code names a project's directory after its path.
	project := strings.NewReplacer("/", "-", ".", "-").Replace(repo)
	return fs.WalkDir(demoLogs, "testdata/demo", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, "testdata/demo/")
		agent, rest, _ := strings.Cut(rel, "/")
		rest = strings.ReplaceAll(rest, strings.ReplaceAll(demoSampleRepo, "/", "-"), project)
		dst := filepath.Join(home, "."+agent, filepath.FromSlash(rest))
		b, err := demoLogs.ReadFile(p)
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte(demoSampleRepo), []byte(inJSON))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
}

// commit makes the sample sessions' commits in a new repository with
// aitrail's hooks, and prints the last one with its note. Every process
// runs with the temporary home and this binary as "aitrail" in PATH, so
// that the hooks use the demo's database and logs, and no setting of the
// user's applies.
func (o *demoOptions) commit(e *env, dir, home, repo string) error {
	exe, err := e.executable()
	if err != nil {
		return err
	}
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	if err := os.Symlink(exe, filepath.Join(bin, "aitrail")); err != nil && !os.IsExist(err) {
		return err
	}
	if err := os.MkdirAll(repo, 0o755); err != nil {
		return err
	}
	base := []string{
		"PATH=" + bin + string(os.PathListSeparator) + e.getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"AITRAIL_DB=" + e.dbFlag,
		"AITRAIL_CONFIG=" + e.configFlag,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com",
		"GIT_PAGER=cat", "NO_COLOR=1", "LC_ALL=C",
	}
	run := func(extra []string, name string, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(e.ctx, name, args...)
		cmd.Dir = repo
		cmd.Env = append(append([]string{}, base...), extra...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if stderr.Len() > 0 {
			e.io.err.Write(stderr.Bytes()) // the hooks' one-line reports, if any
		}
		if err != nil {
			return out, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
		}
		return out, nil
	}
	fmt.Fprintf(e.io.out, "\n$ cd ~/todo-api && git init && aitrail install   # the repository the sessions worked in, new\n")
	if _, err := run(nil, "git", "init", "-q", "-b", "main"); err != nil {
		return err
	}
	out, err := run(nil, filepath.Join(bin, "aitrail"), "install")
	if err != nil {
		return err
	}
	e.io.out.Write(out)
	for _, c := range demoCommits {
		sub, err := fs.Sub(demoRepo, "testdata/demo-repo/"+c.dir)
		if err != nil {
			return err
		}
		if err := writeFiles(repo, sub); err != nil {
			return err
		}
		dates := []string{"GIT_AUTHOR_DATE=" + c.when, "GIT_COMMITTER_DATE=" + c.when}
		if _, err := run(dates, "git", "add", "-A"); err != nil {
			return err
		}
		if _, err := run(dates, "git", "commit", "-q", "-m", c.msg); err != nil {
			return err
		}
		fmt.Fprintf(e.io.out, "$ git add -A && git commit -m %-34q # %s\n", c.msg, c.what)
	}
	fmt.Fprintf(e.io.out, "\n$ git log --notes=aitrail -1\n")
	out, err = run(nil, "git", "log", "--notes=aitrail", "-1")
	if err != nil {
		return err
	}
	e.io.out.Write(out)
	return nil
}

// writeFiles writes the files of fsys into dir, replacing those there.
func writeFiles(dir string, fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}
