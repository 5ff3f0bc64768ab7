package ingest

import (
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/ingesttest"
	"github.com/aitrail/aitrail/store"
)

// sqliteFrom builds a SQLite database at path from a fixture's SQL script,
// in WAL mode like the agents' own databases.
func sqliteFrom(t *testing.T, path, script string) *sql.DB {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", filepath.FromSlash(script)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", store.FileURI(path)+"?_pragma=journal_mode(wal)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(string(data)); err != nil {
		t.Fatal(err)
	}
	return db
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func discoverOne(t *testing.T, agent, path string) []File {
	t.Helper()
	files, err := Discover(Agents(), []AgentPath{{Agent: agent, Path: path}}, func(string) string { return "" }, "/nonexistent")
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestDatabaseSource reads OpenCode's database: everything once, nothing
// on a second run, then only the rows written since, while the agent
// holds a write transaction open.
func TestDatabaseSource(t *testing.T) {
	dir := t.TempDir()
	agentDB := sqliteFrom(t, filepath.Join(dir, "opencode", "opencode.db"), "opencode/opencode.sql")
	files := discoverOne(t, "opencode", filepath.Join(dir, "opencode"))
	if len(files) != 1 || !strings.HasSuffix(files[0].Path, "opencode.db") {
		t.Fatalf("discovered %v, want the database", files)
	}
	eng := engine(t)
	path := filepath.Join(dir, "trail.db")
	sum := ingestInto(t, path, eng, files, Options{})
	// 2 sessions, 17 parts, 5 messages.
	if sum.Lines != 24 || sum.Prompts != 2 || sum.ToolCalls != 5 || sum.Edits != 6 || sum.Usage != 2 || sum.UnknownLines != 1 {
		t.Errorf("first run: %+v", sum)
	}
	before := dumpOf(t, path)
	if sum := ingestInto(t, path, eng, files, Options{}); sum.FilesRead != 0 || sum.Lines != 0 {
		t.Errorf("second run read %d files, %d rows; want none", sum.FilesRead, sum.Lines)
	}
	if d := ingesttest.Diff(dumpOf(t, path), before); d != "" {
		t.Error(d)
	}

	// The agent streams a new text part and rewrites the message it
	// belongs to, inside a write transaction it keeps open while aitrail
	// reads: the reader waits for nothing and sees the last commit.
	exec(t, agentDB, `UPDATE part SET time_updated = 1770109300000, data = json_set(data, '$.text', 'Each request is logged now, with its path.') WHERE id = 'prt_a2b'`)
	exec(t, agentDB, `INSERT INTO part VALUES ('prt_a2d', 'msg_a2', 'ses_01', 1770109300001, 1770109300001, '{"type":"reasoning","text":"Logging belongs in a middleware."}')`)
	tx, err := agentDB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO part VALUES ('prt_a2e', 'msg_a2', 'ses_01', 1770109300002, 1770109300002, '{"type":"text","text":"uncommitted"}')`); err != nil {
		t.Fatal(err)
	}
	done := make(chan *Summary)
	go func() { done <- ingestInto(t, path, eng, files, Options{}) }()
	select {
	case sum = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("ingest waited for the agent's write transaction")
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("the agent could not commit after aitrail read: %v", err)
	}
	if sum.Lines != 2 || sum.Messages != 1 {
		t.Errorf("third run read %d rows, added %d messages; want the 2 committed rows, 1 new message", sum.Lines, sum.Messages)
	}
	q := openSQL(t, path)
	if n := q.count(`SELECT COUNT(*) FROM messages WHERE text = 'Each request is logged now, with its path.'`); n != 1 {
		t.Errorf("rewritten part: %d messages with its new text, want 1", n)
	}
	if n := q.count(`SELECT COUNT(*) FROM messages WHERE text LIKE 'Each request is logged now%'`); n != 1 {
		t.Errorf("rewritten part stored %d times, want once", n)
	}
	if sum := ingestInto(t, path, eng, files, Options{}); sum.Lines != 1 {
		t.Errorf("fourth run read %d rows, want the one committed since", sum.Lines)
	}
}

// TestStateDatabaseSource reads Cursor's state database: its secrets never
// reach the store, and a last row replaced in place (same rowid, SQLite's
// REPLACE) is read again.
func TestStateDatabaseSource(t *testing.T) {
	dir := t.TempDir()
	vscdb := filepath.Join(dir, "Cursor", "User", "globalStorage", "state.vscdb")
	agentDB := sqliteFrom(t, vscdb, "cursor/state.sql")
	files := discoverOne(t, "cursor", filepath.Join(dir, "Cursor", "User"))
	if len(files) != 1 || files[0].Path != vscdb {
		t.Fatalf("discovered %v, want the global state database", files)
	}
	eng := engine(t)
	path := filepath.Join(dir, "trail.db")
	sum := ingestInto(t, path, eng, files, Options{})
	if sum.Prompts != 2 || sum.ToolCalls != 4 || sum.Edits != 4 || sum.Usage != 3 {
		t.Errorf("first run: %+v", sum)
	}
	for _, row := range dumpOf(t, path) {
		if strings.Contains(row, "FAKE-") || strings.Contains(row, "originalFileStates") {
			t.Errorf("a secret or a file copy reached the store: %.200s", row)
		}
	}
	// Cursor writes a bubble again as it streams: the table replaces rows
	// on conflict, so the row gets a new rowid, after all others.
	exec(t, agentDB, `INSERT INTO cursorDiskKV VALUES ('bubbleId:c0a1b2c3-0000-4000-8000-0000000000aa:b6',
		'{"type":2,"bubbleId":"b6","text":"Also dropped its import.","tokenCount":{"inputTokens":950,"outputTokens":35}}')`)
	sum = ingestInto(t, path, eng, files, Options{})
	q := openSQL(t, path)
	if n := q.count(`SELECT COUNT(*) FROM messages WHERE text = 'Also dropped its import.'`); n != 1 || sum.Lines != 1 {
		t.Errorf("replaced bubble: %d messages with its text after reading %d rows; want 1 and 1", n, sum.Lines)
	}
	if n := q.count(`SELECT SUM(output) FROM token_usage`); n != 265 {
		t.Errorf("output tokens = %d, want 265 (the rewritten bubble's larger count, once)", n)
	}
}

// TestTreeSource reads OpenCode's JSON tree: once, then only what changed.
func TestTreeSource(t *testing.T) {
	dir := t.TempDir()
	storage := filepath.Join(dir, "opencode", "storage")
	if err := os.CopyFS(storage, os.DirFS(filepath.Join("..", "testdata", "opencode", "storage"))); err != nil {
		t.Fatal(err)
	}
	files, err := Discover(Agents(), nil, func(k string) string {
		if k == "XDG_DATA_HOME" {
			return dir
		}
		return ""
	}, "/nonexistent")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != storage {
		t.Fatalf("discovered %v, want the storage tree", files)
	}
	eng := engine(t)
	path := filepath.Join(dir, "trail.db")
	if sum := ingestInto(t, path, eng, files, Options{}); sum.Lines != 24 || sum.Edits != 6 {
		t.Errorf("first run: %+v", sum)
	}
	if sum := ingestInto(t, path, eng, files, Options{}); sum.FilesRead != 0 {
		t.Errorf("second run read the tree again")
	}
	part := filepath.Join(storage, "part", "msg_u2", "prt_u2a.json")
	data, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	// Rewritten within the same tick of the file system's clock: the size
	// tells.
	fi, err := os.Stat(part)
	if err != nil {
		t.Fatal(err)
	}
	write(t, part, strings.Replace(string(data), "Also log each request.", "Also log each request, please.", 1))
	if err := os.Chtimes(part, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	sum := ingestInto(t, path, eng, files, Options{})
	if sum.Lines != 1 {
		t.Errorf("third run read %d records, want the rewritten part", sum.Lines)
	}
	q := openSQL(t, path)
	if n := q.count(`SELECT COUNT(*) FROM prompts WHERE text = 'Also log each request, please.'`); n != 1 {
		t.Errorf("rewritten prompt stored %d times", n)
	}
	if n := q.count(`SELECT COUNT(*) FROM prompts`); n != 2 {
		t.Errorf("%d prompts, want 2", n)
	}
}

// TestHeldBackRecords appends an Aider history in two pieces, the first
// ending inside a reply: the reply is stored as it was, then completed,
// and the result is what one run over the whole file gives.
func TestHeldBackRecords(t *testing.T) {
	whole, err := os.ReadFile(filepath.Join("..", "testdata", "aider", "repo", ".aider.chat.history.md"))
	if err != nil {
		t.Fatal(err)
	}
	cut := strings.Index(string(whole), "app.py\n```python")
	t.Setenv("TZ", "UTC")
	run := func(parts ...string) []string {
		dir := t.TempDir()
		log := filepath.Join(dir, "repo", ".aider.chat.history.md")
		path := filepath.Join(dir, "trail.db")
		if err := os.MkdirAll(filepath.Dir(log), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, log, "")
		for _, p := range parts {
			appendTo(t, log, p)
			ingestInto(t, path, engine(t), InRepos(Agents(), []string{filepath.Dir(log)}), Options{})
		}
		return dumpOf(t, path)
	}
	one := run(string(whole))
	two := run(string(whole[:cut]), string(whole[cut:]))
	normalize := func(rows []string) []string {
		var out []string
		for _, r := range rows {
			if strings.HasPrefix(r, "source |") || strings.HasPrefix(r, "raw |") {
				continue // paths and offsets of different runs
			}
			out = append(out, r)
		}
		return out
	}
	if len(one) == 0 {
		t.Fatal("nothing stored")
	}
	// Sessions are named after the history's path: compare without it.
	tag := func(rows []string) []string {
		var out []string
		for _, r := range normalize(rows) {
			r = sessionTag.ReplaceAllString(r, "S-2026")
			out = append(out, tmpDir.ReplaceAllString(r, ""))
		}
		return out
	}
	if d := ingesttest.Diff(tag(two), tag(one)); d != "" {
		t.Error(d)
	}
}

var (
	sessionTag = regexp.MustCompile(`[0-9a-f]{8}-2026`)
	tmpDir     = regexp.MustCompile(`/\S*/TestHeldBackRecords\S*?/\d+`)
)

// TestUndatedRecords: Cursor transcripts record no times; their records
// take the file's modification time.
func TestUndatedRecords(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "testdata", "cursor", "projects")
	projects := filepath.Join(dir, ".cursor", "projects")
	if err := os.CopyFS(projects, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2026, 1, 2, 9, 30, 0, 0, time.UTC)
	const id = "7c0ffee0-0000-4000-8000-000000000002"
	log := filepath.Join(projects, "home-dev-shop", "agent-transcripts", id, id+".jsonl")
	if err := os.Chtimes(log, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	files, err := Discover(Agents(), nil, func(string) string { return "" }, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("discovered %d transcripts, want 3", len(files))
	}
	path := filepath.Join(dir, "trail.db")
	cursor, err := Find(Agents(), "cursor")
	if err != nil {
		t.Fatal(err)
	}
	ingestInto(t, path, engine(t), []File{{cursor, log}}, Options{})
	q := openSQL(t, path)
	if n := q.count(`SELECT COUNT(*) FROM prompts WHERE ts = ?`, store.FormatTime(mtime)); n != 1 {
		t.Errorf("%d prompts at the file's modification time, want 1", n)
	}
	if n := q.count(`SELECT COUNT(*) FROM file_edits WHERE ts = ?`, store.FormatTime(mtime)); n != 1 {
		t.Errorf("%d edits at the file's modification time, want 1", n)
	}
}

// TestRealAiderAndCursor ingests the shared fixtures' real Aider history
// and Cursor transcript through the pipeline and the store: the counts the
// decoders' own tests check by hand (ingest/aider, ingest/cursor) hold in
// the database, and a second run reads nothing.
func TestRealAiderAndCursor(t *testing.T) {
	root := needShared(t)
	t.Setenv("TZ", "UTC")
	var files []File
	for _, src := range []AgentPath{{Agent: "aider", Path: filepath.Join(root, "aider")}, {Agent: "cursor", Path: filepath.Join(root, "cursor")}} {
		files = append(files, discoverOne(t, src.Agent, src.Path)...)
	}
	if len(files) != 2 {
		t.Fatalf("discovered %v, want the history and the transcript", files)
	}
	eng := engine(t)
	path := filepath.Join(t.TempDir(), "trail.db")
	ingestInto(t, path, eng, files, Options{})
	q := openSQL(t, path)
	for _, tt := range []struct {
		query string
		want  int
	}{
		{`SELECT COUNT(*) FROM sessions WHERE agent = 'aider'`, 79},
		{`SELECT COUNT(*) FROM prompts p JOIN sessions s ON s.id = p.session_id WHERE s.agent = 'aider'`, 128},
		{`SELECT COUNT(*) FROM file_edits e JOIN sessions s ON s.id = e.session_id WHERE s.agent = 'aider'`, 37},
		{`SELECT SUM(input) FROM token_usage`, 702537},
		{`SELECT SUM(output) FROM token_usage`, 25975},
		{`SELECT COUNT(*) FROM links WHERE kind = 'commit' AND prompt_id IS NOT NULL`, 57}, // 10 of 67 come before any input
		{`SELECT COUNT(*) FROM tool_calls t JOIN sessions s ON s.id = t.session_id WHERE s.agent = 'cursor'`, 10},
		{`SELECT added FROM file_edits e JOIN sessions s ON s.id = e.session_id WHERE s.agent = 'cursor'`, 104},
	} {
		if got := q.count(tt.query); got != tt.want {
			t.Errorf("%s = %d, want %d", tt.query, got, tt.want)
		}
	}
	if sum := ingestInto(t, path, eng, files, Options{}); sum.FilesRead != 0 {
		t.Errorf("second run read %d files", sum.FilesRead)
	}
}
