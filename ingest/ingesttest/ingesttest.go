package ingesttest

import (
	"bytes"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver for Dump

	"github.com/aitrail/aitrail/store"

	"github.com/aitrail/aitrail/ingest/claude"
	"github.com/aitrail/aitrail/ingest/codex"
)

// Template is one session log to copy.
type Template struct {
	Agent string // "codex" or "claude"
	// Rel is the log's slash-separated path below the agent's log
	// directory: sessions/ under a Codex home, projects/ under a Claude one.
	Rel  string
	Data []byte
}

// Load reads the logs below dir that match (a function of the path
// relative to dir, such as codex.Match or claude.Match), sorted by path.
func Load(agent, dir string, match func(rel string) bool) ([]Template, error) {
	var out []Template
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !match(rel) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, Template{Agent: agent, Rel: rel, Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load templates from %s: %w", dir, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rel < out[j].Rel })
	return out, nil
}

// Samples returns the logs that generated corpora copy, given the
// repository's root: the real Codex and Claude Code sessions of the shared
// fixtures beside the repository (../shared/fixtures/sessions) when they
// are there, for realistic sizes (long tool outputs, file contents,
// diffs); else the project's own sample logs (testdata/demo and
// testdata/claude). shared reports which.
func Samples(repo string) (ts []Template, shared bool, err error) {
	type root struct {
		agent, dir string
		match      func(string) bool
	}
	fixtures := filepath.Join(repo, "..", "shared", "fixtures", "sessions")
	roots := []root{
		{"codex", filepath.Join(fixtures, "codex", "sessions"), codex.Match},
		{"claude", filepath.Join(fixtures, "claude", "projects"), claude.Match},
	}
	if _, err := os.Stat(fixtures); err == nil {
		shared = true
	} else {
		roots = []root{
			{"codex", filepath.Join(repo, "testdata", "demo", "codex", "sessions"), codex.Match},
			{"claude", filepath.Join(repo, "testdata", "demo", "claude", "projects"), claude.Match},
			{"claude", filepath.Join(repo, "testdata", "claude", "projects"), claude.Match},
		}
	}
	for _, r := range roots {
		more, err := Load(r.agent, r.dir, r.match)
		if err != nil {
			return nil, shared, err
		}
		ts = append(ts, more...)
	}
	if len(ts) == 0 {
		return nil, shared, fmt.Errorf("no sample logs below %s", repo)
	}
	return ts, shared, nil
}

// Head returns copies of the templates cut to their complete lines
// within the first n bytes (at least one line each): many small logs.
func Head(ts []Template, n int) []Template {
	out := make([]Template, len(ts))
	for i, t := range ts {
		out[i] = t
		if len(t.Data) <= n {
			continue
		}
		if j := bytes.LastIndexByte(t.Data[:n], '\n'); j >= 0 {
			out[i].Data = t.Data[:j+1]
		} else if j := bytes.IndexByte(t.Data, '\n'); j >= 0 {
			out[i].Data = t.Data[:j+1]
		}
	}
	return out
}

// Corpus is a written corpus.
type Corpus struct {
	Dir   string // holds codex/sessions/… and claude/projects/…
	Files int
	Bytes int64
}

// Sources returns the --source values (AGENT:PATH) that name the corpus.
func (c Corpus) Sources() []string {
	return []string{"codex:" + filepath.Join(c.Dir, "codex"), "claude:" + filepath.Join(c.Dir, "claude")}
}

// Write writes copies of the templates below dst, round after round (copy
// 1 of every template, then copy 2, …), until at least size bytes are
// written; a size of 0 writes one round. Copy k of a template is placed as
// the agent would place it (see copyPath) and has its ids rewritten (see
// Rewrite), so that copies are distinct sessions with distinct API calls.
// Logs are written as the agents write them: dst/codex/sessions/… and
// dst/claude/projects/….
func Write(dst string, ts []Template, size int64) (Corpus, error) {
	return write(dst, ts, func(c Corpus, round bool) bool {
		return size > 0 && c.Bytes >= size || size <= 0 && round
	})
}

// WriteFiles is Write that stops after n logs.
func WriteFiles(dst string, ts []Template, n int) (Corpus, error) {
	return write(dst, ts, func(c Corpus, _ bool) bool { return c.Files >= n })
}

// write writes copies until done, asked after each log (round: a round of
// copies is complete), says to stop.
func write(dst string, ts []Template, done func(c Corpus, round bool) bool) (Corpus, error) {
	c := Corpus{Dir: dst}
	if len(ts) == 0 {
		return c, fmt.Errorf("no templates")
	}
	spans := make([][][]int, len(ts))
	for i, t := range ts {
		spans[i] = idPattern.FindAllSubmatchIndex(t.Data, -1)
	}
	for k := 1; ; k++ {
		for i, t := range ts {
			rel := copyPath(t.Agent, Rewrite(t.Rel, k), k)
			p := filepath.Join(dst, t.Agent, agentDir(t.Agent), filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return c, err
			}
			data := rewrite(t.Data, spans[i], k)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return c, err
			}
			c.Files++
			c.Bytes += int64(len(data))
			if done(c, i == len(ts)-1) {
				return c, nil
			}
		}
	}
}

func agentDir(agent string) string {
	if agent == "claude" {
		return "projects"
	}
	return "sessions"
}

// projects is how many project directories the copies of one Claude Code
// log are spread over.
const projects = 32

// copyPath places copy k of a log as the agent lays its logs out: a Codex
// rollout in the day directory k-1 days before its own (a day of its
// history), a Claude Code transcript in one of 32 copies of its project's
// directory (a project worked on in many sessions).
func copyPath(agent, rel string, k int) string {
	if agent == "codex" {
		if len(rel) > 11 && rel[10] == '/' {
			if day, err := time.Parse("2006/01/02", rel[:10]); err == nil {
				return day.AddDate(0, 0, 1-k).Format("2006/01/02") + rel[10:]
			}
		}
	}
	c := (k-1)%projects + 1
	first, rest, ok := strings.Cut(rel, "/")
	if !ok {
		return fmt.Sprintf("c%d/%s", c, rel)
	}
	return fmt.Sprintf("%s-c%d/%s", first, c, rest)
}

// idPattern finds the ids that name sessions, lines and API calls:
// UUIDs (session ids, line uuids, Codex turn ids), Claude Code's message
// and request ids (the key of its token de-duplication across files) and
// sub-agent ids. Tool call ids need no rewriting: the store keys them by
// session.
var idPattern = regexp.MustCompile(`([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}` +
	`|\b(?:msg|req)_([A-Za-z0-9]{4,})` +
	`|agent-([0-9a-f]{4})[0-9a-f]{3,}` +
	`|"agentId":\s*"([0-9a-f]{4})[0-9a-f]{3,}"`)

// Rewrite returns data with its ids changed for copy k (k ≥ 1): the first
// 8 hex digits of a UUID and the first 4 of a sub-agent id are XORed with
// k, and message and request ids get k in 4 hex digits after their
// prefix. Within one copy, distinct ids stay distinct and lengths of UUIDs
// stay the same.
func Rewrite(s string, k int) string {
	data := []byte(s)
	return string(rewrite(data, idPattern.FindAllSubmatchIndex(data, -1), k))
}

func rewrite(data []byte, spans [][]int, k int) []byte {
	out := make([]byte, 0, len(data)+len(data)/64)
	last := 0
	for _, m := range spans {
		switch {
		case m[2] >= 0: // UUID
			out = append(out, data[last:m[2]]...)
			out = appendXOR(out, data[m[2]:m[3]], uint64(k), 8)
			last = m[3]
		case m[4] >= 0: // msg_/req_
			out = append(out, data[last:m[4]]...)
			out = fmt.Appendf(out, "%04x", k&0xffff)
			last = m[4]
		case m[6] >= 0:
			out = append(out, data[last:m[6]]...)
			out = appendXOR(out, data[m[6]:m[7]], uint64(k), 4)
			last = m[7]
		case m[8] >= 0:
			out = append(out, data[last:m[8]]...)
			out = appendXOR(out, data[m[8]:m[9]], uint64(k), 4)
			last = m[9]
		}
	}
	return append(out, data[last:]...)
}

// appendXOR appends the n hex digits of h XORed with k, as n hex digits.
func appendXOR(out, h []byte, k uint64, n int) []byte {
	v, err := strconv.ParseUint(string(h), 16, 64)
	if err != nil {
		return append(out, h...)
	}
	v ^= k & (1<<(4*n) - 1)
	return fmt.Appendf(out, "%0*x", n, v)
}

// dumpQueries select every stored row by its natural keys (source path,
// agent and session id, prompt key) rather than row ids, which depend on
// the order rows were written in. What depends on when a run happened
// (ingested_at, created_at) and on the file system (mtime, inode) is left
// out, and so are path keys, which depend on the database's own secret
// (their lengths tell how many elements the keyed paths have).
var dumpQueries = []string{
	`SELECT 'source', agent, path, size, offset, line, head_hash, head_len, hex(state), good_lines, bad_lines, unknown_lines
		FROM sources`,
	`SELECT 'session', s.agent, s.external_id, s.parent_id, s.relation, COALESCE(src.path, ''), s.cwd, s.git_remote,
		s.git_branch, s.git_commit, s.agent_version, s.originator, s.title, s.model, s.started_at, s.ended_at, length(s.cwd_key)
		FROM sessions s LEFT JOIN sources src ON src.id = s.source_id`,
	`SELECT 'prompt', s.agent, s.external_id, src.path, p.key, p.seq, p.ts, p.text, p.context, p.cwd, p.model, length(p.cwd_key)
		FROM prompts p JOIN sessions s ON s.id = p.session_id JOIN sources src ON src.id = p.source_id`,
	`SELECT 'message', s.agent, s.external_id, COALESCE(p.key, ''), src.path, m.key, m.ts, m.kind, m.text
		FROM messages m JOIN sessions s ON s.id = m.session_id JOIN sources src ON src.id = m.source_id
		LEFT JOIN prompts p ON p.id = m.prompt_id`,
	`SELECT 'tool_call', s.agent, s.external_id, COALESCE(p.key, ''), src.path, t.call_id, t.ts, t.name, t.input,
		t.output, t.status, t.ended_at
		FROM tool_calls t JOIN sessions s ON s.id = t.session_id JOIN sources src ON src.id = t.source_id
		LEFT JOIN prompts p ON p.id = t.prompt_id`,
	`SELECT 'file_edit', s.agent, s.external_id, COALESCE(p.key, ''), src.path, e.call_id, e.ts, e.path, e.repo_root,
		e.rel_path, e.move_path, e.op, e.added, e.removed, e.diff, e.via, e.status, length(e.path_key), length(e.move_key)
		FROM file_edits e JOIN sessions s ON s.id = e.session_id JOIN sources src ON src.id = e.source_id
		LEFT JOIN prompts p ON p.id = e.prompt_id`,
	`SELECT 'token_usage', s.agent, s.external_id, COALESCE(p.key, ''), src.path, u.ts, u.model, u.input, u.cache_read,
		u.cache_write, u.cache_write_1h, u.output, u.reasoning, COALESCE(u.dedupe_key, ''), u.grp, u.sidechain
		FROM token_usage u JOIN sessions s ON s.id = u.session_id JOIN sources src ON src.id = u.source_id
		LEFT JOIN prompts p ON p.id = u.prompt_id`,
	`SELECT 'link', s.agent, s.external_id, src.path, l.ts, l.kind, l.url, l.title
		FROM links l JOIN sessions s ON s.id = l.session_id JOIN sources src ON src.id = l.source_id`,
	`SELECT 'redaction', COALESCE(src.path, ''), r.tbl, r.field, r.rule_id, r.rule_fingerprint, r.value_hash, r.count, r.actor
		FROM redactions r LEFT JOIN sources src ON src.id = r.source_id WHERE r.tbl != 'raw_records'`,
}

// The raw lines are kept in pages, which depend on how the lines were
// read (in how many batches, runs): Dump lists the lines, and the
// redactions of the pages of each log by rule, with the values' hashes
// and the counts summed.
const (
	rawQuery           = `SELECT src.path, r.lines FROM raw_records r JOIN sources src ON src.id = r.source_id`
	rawRedactionsQuery = `SELECT COALESCE(src.path, ''), r.field, r.rule_id, r.rule_fingerprint, r.actor, r.value_hash, r.count
		FROM redactions r LEFT JOIN sources src ON src.id = r.source_id WHERE r.tbl = 'raw_records'`
)

// Dump returns every row of the aitrail database at path, one line per
// row, sorted: two databases that hold the same data give the same dump
// whatever order, batches or processes wrote them. The redactions' value
// hashes are keyed by the database's own secret, so two databases compare
// equal only when they share it (copy one empty database to make both).
func Dump(path string) ([]string, error) {
	db, err := sql.Open("sqlite", store.FileURI(path)+"?mode=ro&_pragma=busy_timeout(30000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var out []string
	for _, q := range dumpQueries {
		rows, err := db.Query(q)
		if err != nil {
			return nil, fmt.Errorf("dump %s: %w", path, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			var b strings.Builder
			for i, v := range vals {
				if i > 0 {
					b.WriteString(" | ")
				}
				if s, ok := v.([]byte); ok {
					v = string(s)
				}
				fmt.Fprintf(&b, "%v", v)
			}
			out = append(out, b.String())
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	raw, err := dumpRaw(db)
	if err != nil {
		return nil, fmt.Errorf("dump %s: %w", path, err)
	}
	out = append(out, raw...)
	sort.Strings(out)
	return out, nil
}

// dumpRaw lists the raw lines and the redactions of their pages (see
// rawQuery).
func dumpRaw(db *sql.DB) ([]string, error) {
	var out []string
	rows, err := db.Query(rawQuery)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var path string
		var data []byte
		if err := rows.Scan(&path, &data); err != nil {
			rows.Close()
			return nil, err
		}
		lines, err := store.DecodeRawPage(data)
		if err != nil {
			rows.Close()
			return nil, err
		}
		for _, l := range lines {
			out = append(out, fmt.Sprintf("raw | %s | %d | %d | %s", path, l.Line, l.Offset, l.Text))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	type key struct{ path, field, rule, fp, actor string }
	hashes, counts := map[key]map[string]bool{}, map[key]int{}
	rows, err = db.Query(rawRedactionsQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var hs string
		var n int
		if err := rows.Scan(&k.path, &k.field, &k.rule, &k.fp, &k.actor, &hs, &n); err != nil {
			return nil, err
		}
		if hashes[k] == nil {
			hashes[k] = map[string]bool{}
		}
		for _, h := range strings.Fields(hs) {
			hashes[k][h] = true
		}
		counts[k] += n
	}
	for k, n := range counts {
		hs := make([]string, 0, len(hashes[k]))
		for h := range hashes[k] {
			hs = append(hs, h)
		}
		sort.Strings(hs)
		out = append(out, fmt.Sprintf("redaction | %s | raw_records | %s | %s | %s | %s | %d | %s", k.path, k.field, k.rule, k.fp, strings.Join(hs, " "), n, k.actor))
	}
	return out, rows.Err()
}

// RawText returns the raw lines kept in the aitrail database at path, one
// per line: what a check for leaks reads, since the pages that hold them
// are compressed.
func RawText(path string) (string, error) {
	db, err := sql.Open("sqlite", store.FileURI(path)+"?mode=ro&_pragma=busy_timeout(30000)")
	if err != nil {
		return "", err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT lines FROM raw_records ORDER BY source_id, first_line`)
	if err != nil {
		return "", fmt.Errorf("raw lines of %s: %w", path, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return "", err
		}
		lines, err := store.DecodeRawPage(data)
		if err != nil {
			return "", fmt.Errorf("raw lines of %s: %w", path, err)
		}
		for _, l := range lines {
			b.WriteString(l.Text)
			b.WriteByte('\n')
		}
	}
	return b.String(), rows.Err()
}

// Diff describes how dump got differs from dump want: how many lines each
// has that the other lacks and the first few of them; "" when equal.
func Diff(got, want []string) string {
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range got {
		count[l]--
	}
	var extra, missing []string
	for l, n := range count {
		for ; n < 0; n++ {
			extra = append(extra, l)
		}
		for ; n > 0; n-- {
			missing = append(missing, l)
		}
	}
	if len(extra) == 0 && len(missing) == 0 {
		return ""
	}
	sort.Strings(extra)
	sort.Strings(missing)
	short := func(ls []string) string {
		var b strings.Builder
		for i, l := range ls {
			if i == 5 {
				fmt.Fprintf(&b, "\n\t… %d more", len(ls)-5)
				break
			}
			if len(l) > 300 {
				l = l[:300] + "…"
			}
			b.WriteString("\n\t" + l)
		}
		return b.String()
	}
	return fmt.Sprintf("%d rows (of %d) not expected:%s\n%d expected rows (of %d) missing:%s",
		len(extra), len(got), short(extra), len(missing), len(want), short(missing))
}
