package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/ingesttest"
	"github.com/aitrail/aitrail/store"
)

// These tests run the real binary as separate processes: the test binary
// acts as aitrail when it is invoked under that name (see TestMain).

// procEnv is a hermetic environment for aitrail processes: its own home,
// no agent logs but the corpus named with --source, no config.
type procEnv struct {
	t    *testing.T
	bin  string // the aitrail symlink
	dir  string // working directory and home
	args []string
}

func newProcEnv(t *testing.T, c ingesttest.Corpus) *procEnv {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin", "aitrail")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(exe, bin); err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, s := range c.Sources() {
		args = append(args, "--source", s)
	}
	return &procEnv{t: t, bin: bin, dir: dir, args: args}
}

// ingest returns an `aitrail ingest` command on the database db, quiet
// unless flags say otherwise.
func (p *procEnv) ingest(db string, flags ...string) *exec.Cmd {
	if len(flags) == 0 {
		flags = []string{"--quiet"}
	}
	args := append(append([]string{"ingest", "--db", db}, flags...), p.args...)
	cmd := exec.Command(p.bin, args...)
	cmd.Dir = p.dir
	cmd.Env = []string{
		"HOME=" + p.dir,
		"XDG_CONFIG_HOME=" + filepath.Join(p.dir, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(p.dir, ".local", "share"),
		"PATH=" + os.Getenv("PATH"),
		"NO_COLOR=1",
	}
	return cmd
}

// run runs an ingest to its end and fails the test unless it succeeds
// silently.
func (p *procEnv) run(db string) {
	p.t.Helper()
	cmd := p.ingest(db)
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		p.t.Fatalf("aitrail ingest --db %s: %v\n%s", db, err, out)
	}
}

// emptyDB creates an empty database (schema and redaction key) once and
// returns a function that copies it to a new path: databases made from it
// share the key of the redactions' value hashes, so their dumps compare.
func emptyDB(t *testing.T) func(name string) string {
	t.Helper()
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "empty.db")
	db, err := store.Open(context.Background(), tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Secret(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmpl + "-wal"); err == nil {
		t.Fatalf("%s-wal is left after closing: copies of the database would miss its content", tmpl)
	}
	data, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	return func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

// corpusFor writes a generated corpus of about size bytes of copies of
// the sample logs (the shared fixtures' real sessions when present), cut
// to their first cut bytes unless cut is 0.
func corpusFor(t *testing.T, size int64, cut int) ingesttest.Corpus {
	t.Helper()
	ts, _, err := ingesttest.Samples(".")
	if err != nil {
		t.Fatal(err)
	}
	if cut > 0 {
		ts = ingesttest.Head(ts, cut)
	}
	c, err := ingesttest.Write(t.TempDir(), ts, size)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func dumpDB(t *testing.T, db string) []string {
	t.Helper()
	d, err := ingesttest.Dump(db)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) == 0 {
		t.Fatalf("%s is empty", db)
	}
	return d
}

// TestConcurrentIngests runs four `aitrail ingest` processes at once on
// one database (as four git hooks may): each succeeds, every byte of the
// corpus is read by exactly one of them, and the database ends up exactly
// as one ingest leaves it, with no row twice.
func TestConcurrentIngests(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several aitrail processes; skipped with -short")
	}
	// Many small logs, so that the processes take turns often.
	c := corpusFor(t, 8<<20, 32<<10)
	p := newProcEnv(t, c)
	newDB := emptyDB(t)
	once := newDB("once.db")
	p.run(once)

	shared := newDB("shared.db")
	const n = 4
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	errs := make([]*bytes.Buffer, n)
	for i := range cmds {
		cmds[i] = p.ingest(shared, "--json")
		outs[i], errs[i] = new(bytes.Buffer), new(bytes.Buffer)
		cmds[i].Stdout, cmds[i].Stderr = outs[i], errs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	var files int
	var read int64
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil || errs[i].Len() > 0 {
			t.Errorf("process %d: %v\n%s", i+1, err, errs[i])
			continue
		}
		var sum struct {
			FilesRead int   `json:"filesRead"`
			Bytes     int64 `json:"bytes"`
		}
		if err := json.Unmarshal(outs[i].Bytes(), &sum); err != nil {
			t.Fatalf("process %d: %v\n%s", i+1, err, outs[i])
		}
		t.Logf("process %d read %d files, %d bytes", i+1, sum.FilesRead, sum.Bytes)
		files += sum.FilesRead
		read += sum.Bytes
	}
	if files != c.Files || read != c.Bytes {
		t.Errorf("the processes read %d files, %d bytes in all; want each of the %d files, %d bytes once", files, read, c.Files, c.Bytes)
	}
	if d := ingesttest.Diff(dumpDB(t, shared), dumpDB(t, once)); d != "" {
		t.Errorf("four concurrent ingests differ from one:\n%s", d)
	}
}

// TestKilledIngestResumes kills `aitrail ingest` with SIGKILL in the middle
// of a large corpus, twice (just after its first committed batch, then
// later), and re-runs it: the database is intact after each kill, and the
// final one equals the database of an ingest that was never interrupted.
func TestKilledIngestResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests a corpus of tens of MB several times; skipped with -short")
	}
	c := corpusFor(t, 32<<20, 0)
	p := newProcEnv(t, c)
	newDB := emptyDB(t)
	once := newDB("once.db")
	p.run(once)

	killed := newDB("killed.db")
	watch, err := sql.Open("sqlite", store.FileURI(killed)+"?_pragma=busy_timeout(30000)")
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	// committed is how many files have a committed watermark.
	committed := func() int {
		var n int
		if err := watch.QueryRow(`SELECT COUNT(*) FROM sources WHERE offset > 0`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	total := c.Files
	for round, after := range []int{1, total / 2} {
		start := committed()
		// Kill the run once it has committed `after` more files: it is then
		// inside the transaction of a later file.
		killWhen(t, p.ingest(killed), 5*time.Millisecond, func() bool { return committed() >= start+after },
			fmt.Sprintf("round %d: ingest (of %d files)", round+1, total))
		n := committed()
		if n >= total {
			t.Fatalf("round %d: killed after all %d files were committed", round+1, total)
		}
		t.Logf("round %d: killed with %d of %d files committed", round+1, n, total)
		checkIntegrity(t, watch)
	}
	p.run(killed)
	if d := ingesttest.Diff(dumpDB(t, killed), dumpDB(t, once)); d != "" {
		t.Errorf("killed and resumed ingest differs from one that ran through:\n%s", d)
	}
}

// killWhen starts cmd, polls ready every interval and, once it holds,
// kills cmd with SIGKILL; it fails the test when cmd ends before, or does
// not die of the signal. It returns cmd's output.
func killWhen(t *testing.T, cmd *exec.Cmd, every time.Duration, ready func() bool, what string) string {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for !ready() {
		select {
		case err := <-exited:
			t.Fatalf("%s ended before it could be killed (%v): give it more to do\n%s", what, err, out.String())
		case <-tick.C:
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() {
		t.Fatalf("%s was not killed: %v\n%s", what, err, out.String())
	}
	return out.String()
}

// checkIntegrity runs SQLite's integrity check and the store's own
// invariant: a source's watermark covers exactly the lines stored from it.
func checkIntegrity(t *testing.T, db *sql.DB) {
	t.Helper()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity check: %q %v", res, err)
	}
	rows, err := db.Query(`SELECT s.path, s.line, COALESCE(MAX(r.line), 0), s.offset, COALESCE(MAX(r.offset), -1)
		FROM sources s LEFT JOIN (SELECT source_id, last_line AS line, last_offset AS offset FROM raw_records) r ON r.source_id = s.id GROUP BY s.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var path string
		var line, lastLine int
		var offset, lastOffset int64
		if err := rows.Scan(&path, &line, &lastLine, &offset, &lastOffset); err != nil {
			t.Fatal(err)
		}
		// Blank lines are counted but not stored: the last stored line is
		// at most the watermark's, and starts before its offset.
		if lastLine > line || (lastLine > 0 && lastOffset >= offset) {
			t.Errorf("%s: watermark at line %d, offset %d; stored up to line %d at offset %d", path, line, offset, lastLine, lastOffset)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
