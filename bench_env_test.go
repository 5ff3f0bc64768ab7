package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/ingesttest"
)

// The end-to-end benchmarks (commit_bench_test.go, ingest_bench_test.go)
// run the binary users run, built from this tree, in a hermetic home whose
// agent log directories hold a generated corpus: copies of the shared
// fixtures' real Codex and Claude Code sessions (see ingesttest.Samples),
// each a session of its own. They compare it, in the same run, with a bare
// git commit and with ccusage (`ccusage session --json --offline` over the
// same logs) when ccusage is installed: $AITRAIL_BENCH_CCUSAGE names its
// executable, else it is looked up in PATH.
//
// $AITRAIL_BENCH_DIR, when set, keeps each home (corpus, database,
// repositories) in a directory below it named after the benchmark, so
// that the commands can be timed again by hand; benchEnv prints how.

// benchEnv is a hermetic home for one end-to-end benchmark.
type benchEnv struct {
	tb      testing.TB
	dir     string   // holds everything
	home    string   // $HOME
	logs    string   // the corpus: codex/ is $CODEX_HOME, claude/ $CLAUDE_CONFIG_DIR
	bin     string   // the aitrail binary
	ccusage string   // ccusage's executable, "" when not installed
	env     []string // the environment of every command
}

// newBenchEnv makes a home named name (see $AITRAIL_BENCH_DIR).
func newBenchEnv(tb testing.TB, name string) *benchEnv {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git not installed")
	}
	dir := os.Getenv("AITRAIL_BENCH_DIR")
	if dir == "" {
		dir = tb.TempDir()
	} else {
		dir = filepath.Join(dir, name)
		if err := os.RemoveAll(dir); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("keeping the benchmark's home in %s", dir)
	}
	e := &benchEnv{tb: tb, dir: dir, home: filepath.Join(dir, "home"), logs: filepath.Join(dir, "logs")}
	bin := filepath.Join(dir, "bin")
	for _, d := range []string{bin, e.home, e.logs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	e.bin = filepath.Join(bin, "aitrail")
	if out, err := exec.Command("go", "build", "-o", e.bin, ".").CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	e.ccusage = os.Getenv("AITRAIL_BENCH_CCUSAGE")
	if e.ccusage == "" {
		e.ccusage, _ = exec.LookPath("ccusage")
	}
	e.env = append(os.Environ(),
		"HOME="+e.home, "XDG_CONFIG_HOME="+filepath.Join(e.home, ".config"), "XDG_DATA_HOME="+filepath.Join(e.home, ".local", "share"),
		"CODEX_HOME="+filepath.Join(e.logs, "codex"), "CLAUDE_CONFIG_DIR="+filepath.Join(e.logs, "claude"),
		"AITRAIL_DB=", "AITRAIL_CONFIG=", "AITRAIL=", "GIT_CONFIG_NOSYSTEM=1", "TZ=UTC",
		"GIT_AUTHOR_NAME=Bench", "GIT_AUTHOR_EMAIL=bench@example.com", "GIT_COMMITTER_NAME=Bench", "GIT_COMMITTER_EMAIL=bench@example.com",
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return e
}

// corpus writes n copies of the sample logs (cut to their first head
// bytes when head > 0) into the agents' log directories, last modified
// over the year before (a history, not sessions all going on), and
// returns their size in bytes.
func (e *benchEnv) corpus(n, head int) int64 {
	e.tb.Helper()
	ts := e.samples()
	if head > 0 {
		ts = ingesttest.Head(ts, head)
	}
	c, err := ingesttest.WriteFiles(e.logs, ts, n)
	if err != nil {
		e.tb.Fatal(err)
	}
	e.age(365 * 24 * time.Hour)
	return c.Bytes
}

// age spreads the modification times of the corpus's logs evenly over the
// span before now, in the order they were written, and gives each
// directory the time of the newest file or directory in it (when the last
// was created there).
func (e *benchEnv) age(span time.Duration) {
	e.tb.Helper()
	var files, dirs []string
	err := filepath.WalkDir(e.logs, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		} else if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return err
	})
	if err != nil {
		e.tb.Fatal(err)
	}
	now := time.Now()
	for i, p := range files {
		t := now.Add(-span + span*time.Duration(i)/time.Duration(len(files)))
		if err := os.Chtimes(p, t, t); err != nil {
			e.tb.Fatal(err)
		}
	}
	for _, d := range slices.Backward(dirs) { // a directory after those in it
		entries, err := os.ReadDir(d)
		if err != nil {
			e.tb.Fatal(err)
		}
		var newest time.Time
		for _, en := range entries {
			if fi, err := en.Info(); err == nil && fi.ModTime().After(newest) {
				newest = fi.ModTime()
			}
		}
		if !newest.IsZero() {
			if err := os.Chtimes(d, newest, newest); err != nil {
				e.tb.Fatal(err)
			}
		}
	}
}

// corpusBytes writes copies of the sample logs, size bytes of them.
func (e *benchEnv) corpusBytes(size int64) int64 {
	e.tb.Helper()
	c, err := ingesttest.Write(e.logs, e.samples(), size)
	if err != nil {
		e.tb.Fatal(err)
	}
	return c.Bytes
}

func (e *benchEnv) samples() []ingesttest.Template {
	e.tb.Helper()
	ts, shared, err := ingesttest.Samples(".")
	if err != nil {
		e.tb.Fatal(err)
	}
	if !shared {
		e.tb.Log("the shared fixtures are absent: the corpus copies the project's small sample logs")
	}
	return ts
}

// cost is what one command took.
type cost struct {
	wall, cpu time.Duration // cpu: user + system, its waited-for children included
	maxRSS    int64         // bytes, the largest process's peak
}

// run runs a command in dir, failing the benchmark when it fails, and
// returns what it cost.
func (e *benchEnv) run(dir, name string, args ...string) cost {
	e.tb.Helper()
	c, out, err := e.try(dir, name, args...)
	if err != nil {
		e.tb.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return c
}

func (e *benchEnv) try(dir, name string, args ...string) (cost, []byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, e.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	c := cost{wall: time.Since(start)}
	if ps := cmd.ProcessState; ps != nil {
		c.cpu = ps.UserTime() + ps.SystemTime()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			c.maxRSS = ru.Maxrss << 10
		}
	}
	return c, out, err
}

// ccusageSession runs ccusage over the corpus as the comparison
// does; ok is false when ccusage is not installed.
func (e *benchEnv) ccusageSession() (c cost, ok bool) {
	if e.ccusage == "" {
		return cost{}, false
	}
	return e.run(e.dir, e.ccusage, "session", "--json", "--offline"), true
}

// keep tells how to run a command again by hand when the home is kept.
func (e *benchEnv) keep(what string, args ...string) {
	if os.Getenv("AITRAIL_BENCH_DIR") == "" {
		return
	}
	var vars []string
	for _, v := range e.env {
		if k, _, _ := strings.Cut(v, "="); slices.Contains([]string{"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "CODEX_HOME", "CLAUDE_CONFIG_DIR"}, k) {
			vars = append(vars, v)
		}
	}
	e.tb.Logf("%s: env %s %s", what, strings.Join(vars, " "), strings.Join(args, " "))
}

// durations are repeated measurements of one thing.
type durations []time.Duration

func (d durations) median() time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// spread is the smallest and largest value, for the documentation's ranges.
func (d durations) spread() string {
	if len(d) == 0 {
		return ""
	}
	return fmt.Sprintf("%s–%s", slices.Min(d).Round(100*time.Microsecond), slices.Max(d).Round(100*time.Microsecond))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
