package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Watermark is one log file (a row of sources) and how far it has been
// ingested.
type Watermark struct {
	ID       int64
	Agent    string
	Key      string // the file's keyed hash (see PathKey): how it is found
	Path     string // the file's path, redacted: how it is shown
	Size     int64  // file size at the last ingest
	MtimeNS  int64  // modification time at the last ingest
	Inode    int64  // inode at the last ingest (0 where unknown)
	Offset   int64  // bytes ingested: the file is read again from here
	Line     int    // lines ingested, the number of the last one
	HeadHash string // SHA-256 of the first HeadLen bytes, to detect rewrites
	HeadLen  int
	State    []byte // the decoder's state after Line
	Good     int    // lines decoded
	Bad      int    // malformed lines
	Unknown  int    // lines of record types the decoder does not know
}

// PathKey is how a log file is found in the database: a keyed hash of its
// real path (the key is the database's own secret), so that finding it
// needs no redaction of the path and the stored path can stay redacted.
func (db *DB) PathKey(ctx context.Context, path string) (string, error) {
	key, err := db.secret(ctx)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("source-path\x00" + path))
	return hex.EncodeToString(m.Sum(nil)[:16]), nil
}

// Sources returns the watermarks of the sources with the given keys (see
// PathKey), by key (it may return others too): only what tells whether a
// file changed (Batch.Source reads the rest), read from an index that
// holds it, outside any transaction. This is the cheap check that runs on
// every hook, whose cost follows the number of keys asked for, not of the
// sources known; asked for many, it reads them all.
func (db *DB) Sources(ctx context.Context, keys []string) (map[string]Watermark, error) {
	out := map[string]Watermark{}
	scan := func(r *sql.Rows) error {
		var s Watermark
		if err := r.Scan(&s.Key, &s.Size, &s.MtimeNS, &s.Inode, &s.Offset); err != nil {
			return err
		}
		out[s.Key] = s
		return nil
	}
	const cols = `SELECT path_key, size, mtime_ns, inode, offset FROM sources INDEXED BY sources_watermark`
	if len(keys) > 1000 {
		if err := db.each(ctx, cols, nil, scan); err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		return out, nil
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		args := make([]any, n)
		for i, k := range keys[:n] {
			args[i] = k
		}
		keys = keys[n:]
		if err := db.each(ctx, cols+` WHERE path_key IN (?`+strings.Repeat(", ?", n-1)+`)`, args, scan); err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
	}
	return out, nil
}

// PathKeyer returns PathKey as a function for many paths in a row, which
// reuses its hash: not safe for concurrent use.
func (db *DB) PathKeyer(ctx context.Context) (func(path string) string, error) {
	key, err := db.secret(ctx)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	var sum []byte
	return func(path string) string {
		m.Reset()
		m.Write([]byte("source-path\x00"))
		m.Write([]byte(path))
		sum = m.Sum(sum[:0])
		return hex.EncodeToString(sum[:16])
	}, nil
}

// RecentSources returns, for each of agents, the shown paths (redacted)
// of its logs last modified at most window before its latest one was: the
// logs of sessions going on, which a hook looks at (see ingest.Near). Two
// look-ups on an index per agent, whatever the number of logs.
func (db *DB) RecentSources(ctx context.Context, agents []string, window time.Duration) (map[string][]string, error) {
	out := map[string][]string{}
	for _, agent := range agents {
		err := db.each(ctx, `SELECT path FROM sources WHERE agent = ?1
			AND mtime_ns >= (SELECT MAX(mtime_ns) FROM sources WHERE agent = ?1) - ?2`,
			[]any{agent, window.Nanoseconds()}, func(r *sql.Rows) error {
				var path string
				if err := r.Scan(&path); err != nil {
					return err
				}
				out[agent] = append(out[agent], path)
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("list recent sources: %w", err)
		}
	}
	return out, nil
}

const sourceCols = `id, agent, path_key, path, size, mtime_ns, inode, offset, line, head_hash, head_len, state, good_lines, bad_lines, unknown_lines`

func scanSource(r interface{ Scan(...any) error }) (Watermark, error) {
	var s Watermark
	err := r.Scan(&s.ID, &s.Agent, &s.Key, &s.Path, &s.Size, &s.MtimeNS, &s.Inode, &s.Offset, &s.Line,
		&s.HeadHash, &s.HeadLen, &s.State, &s.Good, &s.Bad, &s.Unknown)
	if err != nil {
		return s, fmt.Errorf("read source: %w", err)
	}
	return s, nil
}

// FieldRedaction is one redaction applied to a stored field: which rule,
// and a keyed hash of the value (never the value).
type FieldRedaction struct {
	RuleID          string
	RuleFingerprint string
	ValueHash       string
	Actor           string // "rule" unless a person made it
	Count           int    // how many times the value was redacted there (0 counts as 1)
}

// Ref names the row a record was written to.
type Ref struct {
	Table string
	ID    int64
}

// Batch is one write transaction. It is immediate: it takes the database's
// write lock when it begins, so what it reads (a source's watermark) cannot
// change under it.
type Batch struct {
	ctx      context.Context
	db       *DB
	tx       *sql.Tx
	stmts    map[string]*sql.Stmt
	sessions map[[2]string]int64 // (agent, external id) → row id
	prompts  map[promptKey]int64
	pending  map[int64]*Session // session fields to merge at commit
	page     *rawPage           // raw lines not written yet
	spare    []byte             // a page's buffer, for the next one
	now      string
}

type promptKey struct {
	session int64
	key     string
}

// Begin starts a write batch.
func (db *DB) Begin(ctx context.Context) (*Batch, error) {
	if err := db.local("write"); err != nil {
		return nil, err
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin write: %w", err)
	}
	return &Batch{
		ctx: ctx, db: db, tx: tx,
		stmts:    map[string]*sql.Stmt{},
		sessions: map[[2]string]int64{},
		prompts:  map[promptKey]int64{},
		pending:  map[int64]*Session{},
		now:      FormatTime(time.Now()),
	}, nil
}

// Rollback abandons the batch; it is safe after Commit.
func (b *Batch) Rollback() { b.tx.Rollback() }

// Commit writes the page of raw lines being filled and the merged session
// fields, and commits.
func (b *Batch) Commit() error {
	if err := b.flushRaw(); err != nil {
		return err
	}
	if err := b.writeSessions(); err != nil {
		return err
	}
	if err := b.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", b.cause(err))
	}
	return nil
}

// writeSessions writes the merged session fields, and the working
// directory a sub-agent takes from its parent.
func (b *Batch) writeSessions() error {
	ids := make([]int64, 0, len(b.pending))
	for id := range b.pending {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		s := b.pending[id]
		_, err := b.exec(`UPDATE sessions SET
			parent_id = CASE WHEN ?1 != '' THEN ?1 ELSE parent_id END,
			relation = CASE WHEN ?2 != '' THEN ?2 ELSE relation END,
			cwd = CASE WHEN cwd = '' THEN ?3 ELSE cwd END,
			git_remote = CASE WHEN git_remote = '' THEN ?4 ELSE git_remote END,
			git_branch = CASE WHEN git_branch = '' THEN ?5 ELSE git_branch END,
			git_commit = CASE WHEN git_commit = '' THEN ?6 ELSE git_commit END,
			agent_version = CASE WHEN ?7 != '' THEN ?7 ELSE agent_version END,
			originator = CASE WHEN originator = '' THEN ?8 ELSE originator END,
			title = CASE WHEN ?9 != '' THEN ?9 ELSE title END,
			model = CASE WHEN ?10 != '' THEN ?10 ELSE model END,
			started_at = CASE WHEN ?11 != '' AND (started_at = '' OR ?11 < started_at) THEN ?11 ELSE started_at END,
			ended_at = CASE WHEN ?12 > ended_at THEN ?12 ELSE ended_at END,
			cwd_key = CASE WHEN cwd = '' THEN ?14 ELSE cwd_key END
			WHERE id = ?13`,
			s.ParentID, s.Relation, s.Cwd, s.GitRemote, s.GitBranch, s.GitCommit, s.AgentVersion,
			s.Originator, s.Title, s.Model, FormatTime(s.Started), FormatTime(s.Ended), id, s.CwdKey)
		if err != nil {
			return fmt.Errorf("update session: %w", err)
		}
	}
	// A sub-agent whose log tells no working directory (a Gemini CLI chat
	// in a project directory named by a hash) works where its parent
	// does: it takes the parent's, whichever of the two was read first.
	for _, id := range ids {
		for _, q := range []string{
			// this session from its parent
			`UPDATE sessions SET cwd = p.cwd, cwd_key = p.cwd_key FROM sessions p
				WHERE sessions.id = ? AND sessions.cwd = '' AND sessions.parent_id != ''
				AND p.agent = sessions.agent AND p.external_id = sessions.parent_id AND p.cwd != ''`,
			// its sub-agents from it (those without a directory: the cwd index finds them)
			`UPDATE sessions SET cwd = p.cwd, cwd_key = p.cwd_key FROM sessions p
				WHERE p.id = ? AND p.cwd != '' AND sessions.cwd = ''
				AND sessions.agent = p.agent AND sessions.parent_id = p.external_id`,
		} {
			if _, err := b.exec(q, id); err != nil {
				return fmt.Errorf("update session: %w", err)
			}
		}
	}
	b.pending = map[int64]*Session{}
	return nil
}

// cause returns why the batch's context ended in place of err, once it
// has: database/sql then rolls the transaction back by itself, and the
// statements that follow fail with "sql: statement is closed" or "sql:
// transaction has already been committed or rolled back", which hide that
// the caller ran out of time (and that errors.Is(err,
// context.DeadlineExceeded) should hold).
func (b *Batch) cause(err error) error {
	if err != nil && !errors.Is(err, sql.ErrNoRows) && b.ctx.Err() != nil {
		return context.Cause(b.ctx)
	}
	return err
}

// stmt returns the batch's prepared statement for query.
func (b *Batch) stmt(query string) (*sql.Stmt, error) {
	if st, ok := b.stmts[query]; ok {
		return st, nil
	}
	// Prepared on the transaction's connection: a statement prepared on
	// the database would take another connection while the transaction
	// holds the only one (a second open, SQLite parsing the schema again,
	// and the statement prepared twice), which a hook pays for at every
	// commit; a large ingest prepares its statements once per transaction.
	st, err := b.tx.PrepareContext(b.ctx, query)
	if err != nil {
		return nil, err
	}
	b.stmts[query] = st
	return st, nil
}

func (b *Batch) exec(query string, args ...any) (sql.Result, error) {
	if b.db == nil {
		return b.tx.ExecContext(b.ctx, query, args...)
	}
	st, err := b.stmt(query)
	if err != nil {
		return nil, b.cause(err)
	}
	res, err := st.ExecContext(b.ctx, args...)
	return res, b.cause(err)
}

// row is the result of queryRow.
type row struct {
	b   *Batch
	row *sql.Row
}

// Scan is sql.Row's, with the batch's cause (see Batch.cause).
func (r row) Scan(dest ...any) error { return r.b.cause(r.row.Scan(dest...)) }

func (b *Batch) queryRow(query string, args ...any) row {
	if b.db == nil {
		return row{b, b.tx.QueryRowContext(b.ctx, query, args...)}
	}
	st, err := b.stmt(query)
	if err != nil {
		// A statement that does not prepare is a bug; surface it through Scan.
		return row{b, b.tx.QueryRowContext(b.ctx, query, args...)}
	}
	return row{b, st.QueryRowContext(b.ctx, args...)}
}

// Source returns the watermark of the file with key (see PathKey), read
// inside the batch, creating the source when it is new; path is how the file
// is shown (redacted).
func (b *Batch) Source(agent, key, path string) (Watermark, error) {
	_, err := b.exec(`INSERT INTO sources (agent, path_key, path) VALUES (?, ?, ?)
		ON CONFLICT (path_key) DO UPDATE SET path = excluded.path`, agent, key, path)
	if err != nil {
		return Watermark{}, fmt.Errorf("add source %s: %w", path, err)
	}
	return scanSource(b.queryRow(`SELECT `+sourceCols+` FROM sources WHERE path_key = ?`, key))
}

// SourceSessions returns the working directory (as stored: redacted) of
// each session first read from source src, by the agent's session id, so
// that a run resuming in the middle of a log knows where its sessions work.
func (b *Batch) SourceSessions(src int64) (map[string]string, error) {
	rows, err := b.tx.QueryContext(b.ctx, `SELECT external_id, cwd FROM sessions WHERE source_id = ?`, src)
	if err != nil {
		return nil, fmt.Errorf("sessions of source %d: %w", src, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, cwd string
		if err := rows.Scan(&id, &cwd); err != nil {
			return nil, fmt.Errorf("sessions of source %d: %w", src, err)
		}
		out[id] = cwd
	}
	return out, rows.Err()
}

// SaveSource advances a source's watermark.
func (b *Batch) SaveSource(s Watermark) error {
	_, err := b.exec(`UPDATE sources SET agent = ?, size = ?, mtime_ns = ?, inode = ?, offset = ?, line = ?,
		head_hash = ?, head_len = ?, state = ?, good_lines = ?, bad_lines = ?, unknown_lines = ?, ingested_at = ?
		WHERE id = ?`,
		s.Agent, s.Size, s.MtimeNS, s.Inode, s.Offset, s.Line, s.HeadHash, s.HeadLen, s.State,
		s.Good, s.Bad, s.Unknown, b.now, s.ID)
	if err != nil {
		return fmt.Errorf("save source %s: %w", s.Path, err)
	}
	return nil
}

// ResetSource deletes everything that was read from a source, so that it
// can be read again from the start (it was truncated or rewritten, or the
// user asked for a rebuild). Sessions left without any content are deleted
// too; rows that other sources contributed stay.
func (b *Batch) ResetSource(id int64) error {
	// The merged fields of sessions other logs of the batch wrote are kept.
	if err := b.writeSessions(); err != nil {
		return err
	}
	for _, t := range []string{"redactions", "raw_records", "links", "token_usage", "file_edits", "tool_calls", "messages", "prompts"} {
		if _, err := b.exec(`DELETE FROM `+t+` WHERE source_id = ?`, id); err != nil {
			return fmt.Errorf("reset source: %w", err)
		}
	}
	_, err := b.exec(`DELETE FROM sessions WHERE source_id = ?1
		AND NOT EXISTS (SELECT 1 FROM prompts WHERE session_id = sessions.id)
		AND NOT EXISTS (SELECT 1 FROM messages WHERE session_id = sessions.id)
		AND NOT EXISTS (SELECT 1 FROM tool_calls WHERE session_id = sessions.id)
		AND NOT EXISTS (SELECT 1 FROM file_edits WHERE session_id = sessions.id)
		AND NOT EXISTS (SELECT 1 FROM token_usage WHERE session_id = sessions.id)
		AND NOT EXISTS (SELECT 1 FROM links WHERE session_id = sessions.id)`, id)
	if err != nil {
		return fmt.Errorf("reset source sessions: %w", err)
	}
	b.sessions = map[[2]string]int64{}
	b.prompts = map[promptKey]int64{}
	b.pending = map[int64]*Session{}
	if b.page != nil && b.page.src == id {
		b.page = nil
	}
	return nil
}

// AddFindings records the redactions applied to one field of one row:
// one row per rule, with how many values it redacted and the keyed hashes
// of the distinct values (space-separated).
func (b *Batch) AddFindings(src int64, ref Ref, field string, fs []FieldRedaction) error {
	return b.addFindings(sql.NullInt64{Int64: src, Valid: true}, ref, field, fs)
}

// addFindings is AddFindings for a row whose source may be unknown.
func (b *Batch) addFindings(src sql.NullInt64, ref Ref, field string, fs []FieldRedaction) error {
	type key struct{ rule, fp, actor string }
	type agg struct {
		hashes []string
		count  int
	}
	aggs := map[key]*agg{}
	var order []key
	for _, f := range fs {
		actor := f.Actor
		if actor == "" {
			actor = "rule"
		}
		k := key{f.RuleID, f.RuleFingerprint, actor}
		a := aggs[k]
		if a == nil {
			a = &agg{}
			aggs[k] = a
			order = append(order, k)
		}
		a.count += max(f.Count, 1)
		if !slices.Contains(a.hashes, f.ValueHash) {
			a.hashes = append(a.hashes, f.ValueHash)
		}
	}
	for _, k := range order {
		a := aggs[k]
		_, err := b.exec(`INSERT INTO redactions (source_id, tbl, row_id, field, rule_id, rule_fingerprint, value_hash, count, actor, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, src, ref.Table, ref.ID, field, k.rule, k.fp, strings.Join(a.hashes, " "), a.count, k.actor, b.now)
		if err != nil {
			return fmt.Errorf("record redaction: %w", err)
		}
	}
	return nil
}

// session returns the row id of a session, creating a bare row when it is
// new; src is the source that first mentions it.
func (b *Batch) session(agent, ext string, src int64) (int64, error) {
	k := [2]string{agent, ext}
	if id, ok := b.sessions[k]; ok {
		return id, nil
	}
	var id int64
	err := b.queryRow(`INSERT INTO sessions (agent, external_id, source_id) VALUES (?, ?, ?)
		ON CONFLICT (agent, external_id) DO UPDATE SET source_id = COALESCE(source_id, excluded.source_id) RETURNING id`,
		agent, ext, src).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add session %s: %w", ext, err)
	}
	b.sessions[k] = id
	return id, nil
}

// prompt returns the row id of a session's prompt by key, or nil when the
// key is empty or unknown.
func (b *Batch) prompt(session int64, key string) (any, error) {
	if key == "" {
		return nil, nil
	}
	k := promptKey{session, key}
	if id, ok := b.prompts[k]; ok {
		return id, nil
	}
	var id int64
	err := b.queryRow(`SELECT id FROM prompts WHERE session_id = ? AND key = ?`, session, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find prompt: %w", err)
	}
	b.prompts[k] = id
	return id, nil
}

// Add writes one record read from src and returns the row it went to (a
// zero Ref for records that are not stored as rows).
func (b *Batch) Add(src Watermark, r Record) (Ref, error) {
	switch r := r.(type) {
	case Session:
		id, err := b.session(src.Agent, r.ID, src.ID)
		if err != nil {
			return Ref{}, err
		}
		p := b.pending[id]
		if p == nil {
			p = &Session{}
			b.pending[id] = p
		}
		MergeSession(p, r)
		return Ref{"sessions", id}, nil
	case Prompt:
		sid, err := b.session(src.Agent, r.Session, src.ID)
		if err != nil {
			return Ref{}, err
		}
		var id int64
		err = b.queryRow(`INSERT INTO prompts (session_id, source_id, key, seq, ts, text, context, cwd, model, cwd_key)
			VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM prompts WHERE session_id = ?1), ?4, ?5, ?6, ?7, ?8, ?9)
			ON CONFLICT (session_id, key) DO UPDATE SET -- as MergePrompt
				ts = CASE WHEN excluded.ts != '' THEN excluded.ts ELSE ts END,
				text = CASE WHEN excluded.text != '' THEN excluded.text ELSE text END,
				context = CASE WHEN excluded.context != '' THEN excluded.context ELSE context END,
				cwd = CASE WHEN excluded.cwd != '' THEN excluded.cwd ELSE cwd END,
				cwd_key = CASE WHEN excluded.cwd != '' THEN excluded.cwd_key ELSE cwd_key END,
				model = CASE WHEN excluded.model != '' THEN excluded.model ELSE model END
			RETURNING id`,
			sid, src.ID, r.Key, FormatTime(r.Time), r.Text, r.Context, r.Cwd, r.Model, r.CwdKey).Scan(&id)
		if err != nil {
			return Ref{}, fmt.Errorf("add prompt: %w", err)
		}
		b.prompts[promptKey{sid, r.Key}] = id
		b.touch(sid, r.Time)
		return Ref{"prompts", id}, nil
	case Message:
		sid, pid, err := b.owner(src, r.Session, r.Prompt)
		if err != nil {
			return Ref{}, err
		}
		var id int64
		err = b.queryRow(`INSERT INTO messages (session_id, prompt_id, source_id, key, ts, kind, text)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (session_id, key) DO UPDATE SET text = excluded.text RETURNING id`,
			sid, pid, src.ID, r.Key, FormatTime(r.Time), r.Kind, r.Text).Scan(&id)
		if err != nil {
			return Ref{}, fmt.Errorf("add message: %w", err)
		}
		b.touch(sid, r.Time)
		return Ref{"messages", id}, nil
	case ToolCall:
		sid, pid, err := b.owner(src, r.Session, r.Prompt)
		if err != nil {
			return Ref{}, err
		}
		var id int64
		err = b.queryRow(`INSERT INTO tool_calls (session_id, prompt_id, source_id, call_id, ts, name, input)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (session_id, call_id) DO UPDATE SET prompt_id = COALESCE(excluded.prompt_id, prompt_id),
				ts = excluded.ts, name = excluded.name, input = excluded.input
			RETURNING id`,
			sid, pid, src.ID, r.CallID, FormatTime(r.Time), r.Name, r.Input).Scan(&id)
		if err != nil {
			return Ref{}, fmt.Errorf("add tool call: %w", err)
		}
		b.touch(sid, r.Time)
		return Ref{"tool_calls", id}, nil
	case ToolResult:
		sid, err := b.session(src.Agent, r.Session, src.ID)
		if err != nil {
			return Ref{}, err
		}
		var id int64
		err = b.queryRow(`INSERT INTO tool_calls (session_id, source_id, call_id, output, status, ended_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (session_id, call_id) DO UPDATE SET output = excluded.output,
				status = excluded.status, ended_at = excluded.ended_at
			RETURNING id`,
			sid, src.ID, r.CallID, r.Output, r.Status, FormatTime(r.Time)).Scan(&id)
		if err != nil {
			return Ref{}, fmt.Errorf("add tool result: %w", err)
		}
		b.touch(sid, r.Time)
		return Ref{"tool_calls", id}, nil
	case FileEdit:
		sid, pid, err := b.owner(src, r.Session, r.Prompt)
		if err != nil {
			return Ref{}, err
		}
		status := r.Status
		if status == "" {
			status = EditApplied
		}
		var id int64
		err = b.queryRow(`INSERT INTO file_edits (session_id, prompt_id, source_id, call_id, ts, path, repo_root, rel_path,
				move_path, op, added, removed, diff, via, status, path_key, move_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (session_id, call_id, path) DO UPDATE SET prompt_id = COALESCE(excluded.prompt_id, prompt_id),
				ts = CASE WHEN excluded.ts != '' THEN excluded.ts ELSE ts END,
				repo_root = excluded.repo_root, rel_path = excluded.rel_path, move_path = excluded.move_path,
				op = excluded.op, added = excluded.added, removed = excluded.removed, diff = excluded.diff,
				via = excluded.via, status = excluded.status, path_key = excluded.path_key, move_key = excluded.move_key
			RETURNING id`,
			sid, pid, src.ID, r.CallID, FormatTime(r.Time), r.Path, r.Root, r.RelPath, r.MovePath, r.Op,
			r.Added, r.Removed, r.Diff, r.Source, status, r.PathKey, r.MoveKey).Scan(&id)
		if err != nil {
			return Ref{}, fmt.Errorf("add file edit: %w", err)
		}
		b.touch(sid, r.Time)
		return Ref{"file_edits", id}, nil
	case Usage:
		return b.addUsage(src, r)
	case Link:
		sid, pid, err := b.owner(src, r.Session, r.Prompt)
		if err != nil {
			return Ref{}, err
		}
		var id int64
		err = b.queryRow(`INSERT INTO links (session_id, prompt_id, source_id, ts, kind, url, title) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (session_id, kind, url) DO UPDATE SET title = excluded.title,
				prompt_id = COALESCE(excluded.prompt_id, prompt_id) RETURNING id`,
			sid, pid, src.ID, FormatTime(r.Time), r.Kind, r.URL, r.Title).Scan(&id)
		if err != nil {
			return Ref{}, fmt.Errorf("add link: %w", err)
		}
		return Ref{"links", id}, nil
	case Unknown:
		return Ref{}, nil
	}
	return Ref{}, fmt.Errorf("store: unknown record type %T", r)
}

// owner resolves the session and prompt row ids of a record.
func (b *Batch) owner(src Watermark, session, prompt string) (int64, any, error) {
	sid, err := b.session(src.Agent, session, src.ID)
	if err != nil {
		return 0, nil, err
	}
	pid, err := b.prompt(sid, prompt)
	return sid, pid, err
}

// touch widens a session's time span to include t.
func (b *Batch) touch(session int64, t time.Time) {
	if t.IsZero() {
		return
	}
	p := b.pending[session]
	if p == nil {
		p = &Session{}
		b.pending[session] = p
	}
	MergeSession(p, Session{Started: t, Ended: t})
}

// MergeSession merges a later record of a session into what is known of it,
// as the store does: the latest non-empty parent, relation, agent version,
// title and model; the first non-empty cwd, git remote, branch and commit
// and originator (where the session started); the earliest start and the
// latest end. Decoder tests use it as the store's own rule.
func MergeSession(dst *Session, src Session) {
	first := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	latest := func(d *string, s string) {
		if s != "" {
			*d = s
		}
	}
	latest(&dst.ParentID, src.ParentID)
	latest(&dst.Relation, src.Relation)
	if dst.Cwd == "" {
		dst.Cwd, dst.CwdKey = src.Cwd, src.CwdKey // the key goes with the path
	}
	first(&dst.GitRemote, src.GitRemote)
	first(&dst.GitBranch, src.GitBranch)
	first(&dst.GitCommit, src.GitCommit)
	latest(&dst.AgentVersion, src.AgentVersion)
	first(&dst.Originator, src.Originator)
	latest(&dst.Title, src.Title)
	latest(&dst.Model, src.Model)
	if !src.Started.IsZero() && (dst.Started.IsZero() || src.Started.Before(dst.Started)) {
		dst.Started = src.Started
	}
	if src.Ended.After(dst.Ended) {
		dst.Ended = src.Ended
	}
}

// MergePrompt merges a later record of a prompt (same session and key)
// into what is known of it: the fields it carries replace those stored, the
// empty ones leave them, so that a decoder may complete a prompt (with its
// model, known once the agent answers) by a record of its key and what it
// learnt. The prompts table's upsert does the same.
func MergePrompt(dst *Prompt, src Prompt) {
	later := func(d *string, s string) {
		if s != "" {
			*d = s
		}
	}
	later(&dst.Text, src.Text)
	later(&dst.Context, src.Context)
	later(&dst.Model, src.Model)
	if !src.Time.IsZero() {
		dst.Time = src.Time
	}
	if src.Cwd != "" {
		dst.Cwd, dst.CwdKey = src.Cwd, src.CwdKey // the key goes with the path
	}
}

// addUsage writes a usage entry with the de-duplication rules of Usage.Key
// and Usage.Group.
func (b *Batch) addUsage(src Watermark, u Usage) (Ref, error) {
	sid, pid, err := b.owner(src, u.Session, u.Prompt)
	if err != nil {
		return Ref{}, err
	}
	b.touch(sid, u.Time)
	var key, grp any
	if u.Key != "" {
		key = src.Agent + ":" + u.Key
	}
	group := ""
	// The queries repeat grp != '' so that SQLite can use the partial
	// index token_usage_grp (it cannot prove that a bound parameter is
	// not empty); without it each usage entry scans the whole table.
	if u.Group != "" {
		group = src.Agent + ":" + u.Group
		if u.Sidechain {
			var n int
			err := b.queryRow(`SELECT COUNT(*) FROM token_usage WHERE grp = ? AND grp != '' AND sidechain = 0`, group).Scan(&n)
			if err != nil {
				return Ref{}, fmt.Errorf("check usage replay: %w", err)
			}
			if n > 0 {
				return Ref{}, nil // a sidechain replay of a message already counted
			}
		} else {
			_, err := b.exec(`DELETE FROM token_usage WHERE grp = ? AND grp != '' AND sidechain = 1 AND dedupe_key IS NOT ?`, group, key)
			if err != nil {
				return Ref{}, fmt.Errorf("drop usage replays: %w", err)
			}
		}
	}
	grp = group
	args := []any{sid, pid, src.ID, FormatTime(u.Time), u.Model, u.Input, u.CacheRead, u.CacheWrite, u.CacheWrite1h, u.Output, u.Reasoning, key, grp, u.Sidechain}
	if key == nil {
		var id int64
		err := b.queryRow(`INSERT INTO token_usage (session_id, prompt_id, source_id, ts, model, input, cache_read, cache_write, cache_write_1h, output, reasoning, dedupe_key, grp, sidechain)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&id)
		if err != nil {
			return Ref{}, fmt.Errorf("add usage: %w", err)
		}
		return Ref{"token_usage", id}, nil
	}
	var (
		id  int64
		old Usage
	)
	err = b.queryRow(`SELECT id, sidechain, input, cache_read, cache_write, output FROM token_usage WHERE dedupe_key = ?`, key).
		Scan(&id, &old.Sidechain, &old.Input, &old.CacheRead, &old.CacheWrite, &old.Output)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err := b.queryRow(`INSERT INTO token_usage (session_id, prompt_id, source_id, ts, model, input, cache_read, cache_write, cache_write_1h, output, reasoning, dedupe_key, grp, sidechain)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&id)
		if err != nil {
			return Ref{}, fmt.Errorf("add usage: %w", err)
		}
		return Ref{"token_usage", id}, nil
	case err != nil:
		return Ref{}, fmt.Errorf("find usage: %w", err)
	}
	if !u.Replaces(old) {
		return Ref{}, nil
	}
	_, err = b.exec(`UPDATE token_usage SET session_id = ?, prompt_id = ?, source_id = ?, ts = ?, model = ?, input = ?,
		cache_read = ?, cache_write = ?, cache_write_1h = ?, output = ?, reasoning = ?, dedupe_key = ?, grp = ?, sidechain = ? WHERE id = ?`,
		append(args, id)...)
	if err != nil {
		return Ref{}, fmt.Errorf("replace usage: %w", err)
	}
	return Ref{"token_usage", id}, nil
}
