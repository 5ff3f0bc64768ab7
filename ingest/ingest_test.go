package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// lineAgent is a minimal agent for testing the pipeline's mechanics: each
// line is {"s": session, "p": prompt, "t": unix seconds}; "x" lines are of an
// unknown type. Its state counts the prompts seen, so resumption shows.
func lineAgent() Agent {
	return Agent{
		Name:  "test",
		Dirs:  func(func(string) string, string) []string { return nil },
		Match: func(rel string) bool { return strings.HasSuffix(rel, ".jsonl") },
		New: func(path string, state []byte) (Decoder, error) {
			d := &lineDecoder{}
			if state != nil {
				if err := json.Unmarshal(state, &d.st); err != nil {
					return nil, err
				}
			}
			return d, nil
		},
	}
}

type lineDecoder struct {
	st struct{ Prompts int }
}

func (d *lineDecoder) Line(no int, line []byte, emit func(store.Record)) error {
	var v struct {
		S string
		P string
		X string
		T int64
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if v.X != "" {
		emit(store.Unknown{Session: v.S, Type: v.X})
		return nil
	}
	if v.S == "" {
		return errors.New("no session")
	}
	d.st.Prompts++
	ts := time.Unix(v.T, 0)
	emit(store.Session{ID: v.S, Started: ts, Ended: ts})
	emit(store.Prompt{Session: v.S, Key: fmt.Sprintf("L%d", no), Time: ts, Text: fmt.Sprintf("#%d %s", d.st.Prompts, v.P)})
	return nil
}

func (d *lineDecoder) State() ([]byte, error) { return json.Marshal(d.st) }

// nopRedactor leaves text as it is.
type nopRedactor struct{}

func (nopRedactor) Text(_ redact.Scope, s string) (string, []redact.Finding) { return s, nil }
func (nopRedactor) JSON(raw []byte) ([]byte, []redact.Finding)               { return raw, nil }

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "trail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func ingestFile(t *testing.T, db *store.DB, path string, opt Options) *Summary {
	t.Helper()
	a := lineAgent()
	sum, err := Run(context.Background(), db, nopRedactor{}, []File{{&a, path}}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// dump renders everything a user can see of the database.
func dump(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	list, err := db.Sessions(ctx, store.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, s := range list {
		d, err := db.Detail(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(d)
		b.Write(j)
		b.WriteByte('\n')
	}
	counts, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	delete(counts, "sources")
	fmt.Fprintln(&b, counts)
	return b.String()
}

func lines(n int, session string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"s":%q,"p":"prompt %d","t":%d}`+"\n", session, i, 1700000000+i)
	}
	return b.String()
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, path, content string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
}

func oneShot(t *testing.T, content string) string {
	t.Helper()
	db := openDB(t)
	p := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, p, content)
	ingestFile(t, db, p, Options{})
	return dump(t, db)
}

func TestIdempotent(t *testing.T) {
	db := openDB(t)
	p := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, p, lines(20, "a"))
	first := ingestFile(t, db, p, Options{})
	if first.Prompts != 20 || first.FilesRead != 1 {
		t.Fatalf("first run: got %d prompts from %d files, want 20 from 1", first.Prompts, first.FilesRead)
	}
	before := dump(t, db)
	second := ingestFile(t, db, p, Options{})
	if second.Prompts != 0 || second.FilesRead != 0 || second.Lines != 0 {
		t.Errorf("second run read %d lines, %d prompts; want nothing", second.Lines, second.Prompts)
	}
	// Touching the file without changing it re-checks it but adds nothing.
	now := time.Now().Add(time.Minute)
	os.Chtimes(p, now, now)
	ingestFile(t, db, p, Options{})
	if after := dump(t, db); after != before {
		t.Errorf("database changed on re-runs:\n%s\nwant\n%s", after, before)
	}
}

func TestIncrementalAppendEqualsOneShot(t *testing.T) {
	all := lines(30, "a")
	want := oneShot(t, all)
	for _, cut := range []int{0, 1, len(all) / 3, len(all) / 2, len(all) - 1} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			db := openDB(t)
			p := filepath.Join(t.TempDir(), "log.jsonl")
			write(t, p, all[:cut])
			ingestFile(t, db, p, Options{})
			appendTo(t, p, all[cut:])
			ingestFile(t, db, p, Options{})
			if got := dump(t, db); got != want {
				t.Errorf("append at byte %d:\n%s\nwant\n%s", cut, got, want)
			}
		})
	}
}

func TestSmallBatchesEqualOneShot(t *testing.T) {
	all := lines(25, "a") + lines(5, "b")
	want := oneShot(t, all)
	db := openDB(t)
	p := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, p, all)
	ingestFile(t, db, p, Options{BatchBytes: 100})
	if got := dump(t, db); got != want {
		t.Errorf("batches of 100 bytes:\n%s\nwant\n%s", got, want)
	}
}

// A run stopped between two batches of a log (a hook's budget, an
// interrupt) leaves the rest of it to the next run, although the log has
// not changed since.
func TestStoppedRunGoesOn(t *testing.T) {
	all := lines(25, "a")
	want := oneShot(t, all)
	db := openDB(t)
	p := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, p, all)
	a := lineAgent()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Run(ctx, db, nopRedactor{}, []File{{&a, p}}, Options{BatchBytes: 100, Progress: func(done, total int64) {
		cancel() // after the first batch's commit
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped run: err = %v, want context.Canceled", err)
	}
	if got := dump(t, db); got == want || got == oneShot(t, "") {
		t.Fatalf("the stopped run stored all of the log or none of it; the test needs a part:\n%s", got)
	}
	sum := ingestFile(t, db, p, Options{})
	if sum.FilesRead != 1 {
		t.Errorf("next run read %d logs, want 1 (the rest of the log)", sum.FilesRead)
	}
	if got := dump(t, db); got != want {
		t.Errorf("after the next run:\n%s\nwant\n%s", got, want)
	}
}

func TestPartialLastLineWaits(t *testing.T) {
	db := openDB(t)
	p := filepath.Join(t.TempDir(), "log.jsonl")
	full := lines(3, "a")
	write(t, p, full+`{"s":"a","p":"half`)
	sum := ingestFile(t, db, p, Options{})
	if sum.Prompts != 3 || sum.BadLines != 0 {
		t.Fatalf("got %d prompts, %d bad lines; want 3 and 0 (the partial line waits)", sum.Prompts, sum.BadLines)
	}
	appendTo(t, p, ` done","t":1700000004}`+"\n")
	sum = ingestFile(t, db, p, Options{})
	if sum.Prompts != 1 || sum.BadLines != 0 {
		t.Fatalf("after completing the line: got %d prompts, %d bad lines; want 1 and 0", sum.Prompts, sum.BadLines)
	}
	want := oneShot(t, full+`{"s":"a","p":"half done","t":1700000004}`+"\n")
	if got := dump(t, db); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTruncatedOrRewrittenFileIsReread(t *testing.T) {
	for _, tc := range []struct {
		name, before, after string
	}{
		{"truncated", lines(10, "a"), lines(4, "a")},
		{"rewritten same size", lines(10, "a"), strings.ReplaceAll(lines(10, "a"), `"s":"a"`, `"s":"b"`)},
		{"rewritten longer", lines(10, "a"), lines(3, "c") + lines(12, "a")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			p := filepath.Join(t.TempDir(), "log.jsonl")
			write(t, p, tc.before)
			ingestFile(t, db, p, Options{})
			write(t, p, tc.after)
			sum := ingestFile(t, db, p, Options{})
			if sum.Resets != 1 {
				t.Errorf("resets = %d, want 1", sum.Resets)
			}
			if got, want := dump(t, db), oneShot(t, tc.after); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestReplacedFileIsReread(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "log.jsonl")
	write(t, p, lines(5, "a"))
	ingestFile(t, db, p, Options{})
	// Same content, new inode: rotated or restored from a backup.
	tmp := filepath.Join(dir, "new")
	write(t, tmp, lines(5, "a")+lines(1, "z"))
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	ingestFile(t, db, p, Options{})
	if got, want := dump(t, db), oneShot(t, lines(5, "a")+lines(1, "z")); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestMalformedLinesAreCountedNotFatal(t *testing.T) {
	db := openDB(t)
	p := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, p, lines(2, "a")+"{not json\n"+`{"x":"mystery","s":"a"}`+"\n"+`{"p":"no session"}`+"\n"+lines(1, "b"))
	var warnings []string
	sum := ingestFile(t, db, p, Options{Warn: func(s string) { warnings = append(warnings, s) }})
	if sum.Prompts != 3 || sum.BadLines != 2 || sum.UnknownLines != 1 || sum.Unknown["mystery"] != 1 {
		t.Errorf("got prompts %d, bad %d, unknown %d %v; want 3, 2, 1 map[mystery:1]", sum.Prompts, sum.BadLines, sum.UnknownLines, sum.Unknown)
	}
	want := []string{p + ":3: invalid JSON", p + ":5: no session"}
	if len(warnings) != 2 || !strings.HasPrefix(warnings[0], want[0]) || warnings[1] != want[1] {
		t.Errorf("warnings = %q, want prefixes %q", warnings, want)
	}
	key, _ := db.PathKey(context.Background(), p)
	b, err := db.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Source("test", key, p)
	b.Rollback()
	if err != nil {
		t.Fatal(err)
	}
	if s.Path != p || s.Good != 4 || s.Bad != 2 || s.Unknown != 1 || s.Line != 6 {
		t.Errorf("source counts = good %d bad %d unknown %d line %d, want 4 2 1 6", s.Good, s.Bad, s.Unknown, s.Line)
	}
}

func TestRebuildReplacesEverything(t *testing.T) {
	db := openDB(t)
	p := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, p, lines(7, "a"))
	ingestFile(t, db, p, Options{})
	before := dump(t, db)
	sum := ingestFile(t, db, p, Options{Rebuild: true})
	if sum.Lines != 7 || sum.Resets != 1 || sum.Prompts != 0 {
		t.Errorf("rebuild read %d lines with %d resets and %d new prompts, want 7, 1 and 0", sum.Lines, sum.Resets, sum.Prompts)
	}
	if after := dump(t, db); after != before {
		t.Errorf("rebuild changed the result:\n%s\nwant\n%s", after, before)
	}
}

// TestDiscoverClaudeDirs: --source claude:DIR finds the transcripts of a
// config directory (its projects/), a projects directory, one project's
// folder (with its sub-agents, not its tool results) and a flat folder of
// transcripts.
func TestDiscoverClaudeDirs(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{
		"conf/projects/-home-u-src-app/s1.jsonl",
		"conf/projects/-home-u-src-app/agent-a1.jsonl",
		"conf/projects/-home-u-src-app/s1/subagents/agent-a2.jsonl",
		"conf/projects/-home-u-src-app/s1/tool-results/t.jsonl",
		"conf/projects/-home-u-src-lib/s2.jsonl",
		"flat/t1.jsonl", "flat/t2.jsonl", "flat/notes.txt",
	} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		write(t, full, "")
	}
	project := []string{"/conf/projects/-home-u-src-app/agent-a1.jsonl", "/conf/projects/-home-u-src-app/s1.jsonl",
		"/conf/projects/-home-u-src-app/s1/subagents/agent-a2.jsonl"}
	all := append(append([]string{}, project...), "/conf/projects/-home-u-src-lib/s2.jsonl")
	tests := []struct {
		name, source string
		want         []string
	}{
		{"a config directory", "conf", all},
		{"a projects directory", "conf/projects", all},
		{"a project's folder", "conf/projects/-home-u-src-app", project},
		{"a flat folder of transcripts", "flat", []string{"/flat/t1.jsonl", "/flat/t2.jsonl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Discover(Agents(), []AgentPath{{Agent: "claude", Path: filepath.Join(dir, tt.source)}}, func(string) string { return "" }, dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				got = append(got, filepath.ToSlash(strings.TrimPrefix(f.Path, dir)))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("found %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a/x.jsonl", "a/b/y.jsonl", "a/skip.txt", "c.jsonl"} {
		full := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		write(t, full, "")
	}
	agents := []Agent{lineAgent()}
	agents[0].Dirs = func(getenv func(string) string, home string) []string {
		return []string{filepath.Join(home, "a"), filepath.Join(home, "missing")}
	}
	files, err := Discover(agents, nil, func(string) string { return "" }, dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, strings.TrimPrefix(f.Path, dir))
	}
	if want := []string{"/a/b/y.jsonl", "/a/x.jsonl"}; !reflect.DeepEqual(got, want) {
		t.Errorf("default discovery = %q, want %q", got, want)
	}
	files, err = Discover(agents, []AgentPath{{Agent: "test", Path: filepath.Join(dir, "c.jsonl")}, {Agent: "test", Path: "~/a/b"}}, func(string) string { return "" }, dir)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, f := range files {
		got = append(got, strings.TrimPrefix(f.Path, dir))
	}
	if want := []string{"/c.jsonl", "/a/b/y.jsonl"}; !reflect.DeepEqual(got, want) {
		t.Errorf("--source discovery = %q, want %q", got, want)
	}
	if _, err := Discover(agents, []AgentPath{{Agent: "nope", Path: dir}}, nil, dir); err == nil || !strings.Contains(err.Error(), `unknown agent "nope"`) {
		t.Errorf("unknown agent error = %v", err)
	}
	if _, err := ParseSource("codex"); err == nil {
		t.Error("ParseSource without a path succeeded")
	}
	// A missing place is blamed on where it was named: --source, or the
	// config file's entry.
	missing := filepath.Join(dir, "missing")
	for from, want := range map[string]string{"": "--source test:" + missing + ": stat ", "c.yml:4: sources[1]": "c.yml:4: sources[1]: stat "} {
		_, err := Discover(agents, []AgentPath{{Agent: "test", Path: missing, From: from}}, nil, dir)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("missing source named by %q: error = %v, want it to begin %q", from, err, want)
		}
	}
}
