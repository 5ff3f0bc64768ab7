package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kinds of manual redaction.
const (
	ManualLiteral = "literal"
	ManualPattern = "pattern"
)

// ManualRedaction is a redaction a person asked for, with its provenance.
// A literal is kept as a print (length, rolling hash, keyed hash), never as
// its value; a pattern is kept as written.
type ManualRedaction struct {
	ID          int64
	Kind        string // ManualLiteral or ManualPattern
	Pattern     string // patterns: the RE2 pattern
	LiteralLen  int    // literals: the value's length in bytes
	LiteralRoll uint32 // literals: the rolling hash that finds candidates
	LiteralHash string // literals: the keyed hash of the value
	Scope       string // global, session, prompt or field
	Agent       string // session and prompt scopes: the session's agent
	Session     string // session and prompt scopes: the agent's session id
	PromptKey   string // prompt scope: the prompt's key
	PromptSeq   int    // prompt scope: the prompt's number in its session, for display
	Field       string // field scope: table.column
	Replacement string // "" = the default placeholder
	Actor       string
	Reason      string
	Active      bool
	Created     time.Time
	Updated     time.Time
}

// RuleID is the rule id of the manual redaction's findings.
func (m ManualRedaction) RuleID() string { return "manual:" + strconv.FormatInt(m.ID, 10) }

const manualCols = `id, kind, pattern, literal_len, literal_roll, literal_hash, scope, agent, session, prompt_key,
	prompt_seq, field, replacement, actor, reason, active, created_at, updated_at`

func scanManual(r interface{ Scan(...any) error }) (ManualRedaction, error) {
	var m ManualRedaction
	var roll int64
	var created, updated string
	err := r.Scan(&m.ID, &m.Kind, &m.Pattern, &m.LiteralLen, &roll, &m.LiteralHash, &m.Scope, &m.Agent, &m.Session,
		&m.PromptKey, &m.PromptSeq, &m.Field, &m.Replacement, &m.Actor, &m.Reason, &m.Active, &created, &updated)
	m.LiteralRoll = uint32(roll)
	m.Created, m.Updated = ParseTime(created), ParseTime(updated)
	return m, err
}

// ManualRedactions lists the active manual redactions (all of them with
// all), oldest first.
func (db *DB) ManualRedactions(ctx context.Context, all bool) ([]ManualRedaction, error) {
	var out []ManualRedaction
	err := db.each(ctx, `SELECT `+manualCols+` FROM manual_redactions WHERE ? OR active ORDER BY id`, []any{all},
		func(r *sql.Rows) error {
			m, err := scanManual(r)
			out = append(out, m)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list manual redactions: %w", err)
	}
	return out, nil
}

// ManualRedactionByID returns one manual redaction.
func (db *DB) ManualRedactionByID(ctx context.Context, id int64) (ManualRedaction, error) {
	m, err := scanManual(db.sql.QueryRowContext(ctx, `SELECT `+manualCols+` FROM manual_redactions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("manual redaction %d: %w (list them with aitrail redact list --all)", id, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("read manual redaction %d: %w", id, err)
	}
	return m, nil
}

// DeactivateManualRedaction marks a manual redaction inactive (the record
// stays) and returns it as it was before.
func (db *DB) DeactivateManualRedaction(ctx context.Context, id int64) (ManualRedaction, error) {
	if err := db.local("remove manual redaction"); err != nil {
		return ManualRedaction{}, err
	}
	m, err := db.ManualRedactionByID(ctx, id)
	if err != nil || !m.Active {
		return m, err
	}
	_, err = db.sql.ExecContext(ctx, `UPDATE manual_redactions SET active = 0, updated_at = ? WHERE id = ?`, FormatTime(time.Now()), id)
	if err != nil {
		return m, fmt.Errorf("deactivate manual redaction %d: %w", id, err)
	}
	return m, nil
}

// RuleCount is how many stored fields, and values in them, a rule or
// manual redaction redacted.
type RuleCount struct {
	Fields int64
	Values int64
}

// RedactionCounts returns the provenance counts of every rule id that
// starts with prefix ("manual:" for the manual redactions).
func (db *DB) RedactionCounts(ctx context.Context, prefix string) (map[string]RuleCount, error) {
	out := map[string]RuleCount{}
	err := db.each(ctx, `SELECT rule_id, COUNT(DISTINCT tbl || ':' || row_id || ':' || field), SUM(count) FROM redactions
		WHERE substr(rule_id, 1, ?) = ? GROUP BY rule_id`, []any{len(prefix), prefix}, func(r *sql.Rows) error {
		var id string
		var c RuleCount
		if err := r.Scan(&id, &c.Fields, &c.Values); err != nil {
			return err
		}
		out[id] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count redactions: %w", err)
	}
	return out, nil
}

// FindPrompt resolves a prompt of a session (by row id) from its number
// (seq) or its key.
func (db *DB) FindPrompt(ctx context.Context, session int64, ref string) (key string, seq int, err error) {
	q := `SELECT key, seq FROM prompts WHERE session_id = ? AND key = ?`
	var arg any = ref
	if n, convErr := strconv.Atoi(ref); convErr == nil {
		q, arg = `SELECT key, seq FROM prompts WHERE session_id = ? AND seq = ?`, n
	}
	err = db.sql.QueryRowContext(ctx, q, session, arg).Scan(&key, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("prompt %q: %w in this session (aitrail show SESSION lists its prompts by number)", ref, ErrNotFound)
	}
	if err != nil {
		return "", 0, fmt.Errorf("find prompt: %w", err)
	}
	return key, seq, nil
}

// LastManual returns the largest id of the active manual redactions (0
// when there is none), read inside the batch: an ingest compares it with
// the redactions it loaded, to stop rather than write rows that miss one
// added since.
func (b *Batch) LastManual() (int64, error) {
	var id int64
	if err := b.queryRow(`SELECT COALESCE(MAX(id), 0) FROM manual_redactions WHERE active`).Scan(&id); err != nil {
		return 0, fmt.Errorf("read manual redactions: %w", err)
	}
	return id, nil
}

// CallPrompt returns the key of the prompt a stored tool call belongs to,
// or "" when the call or its prompt is unknown.
func (b *Batch) CallPrompt(agent, session, callID string) (string, error) {
	var key string
	err := b.queryRow(`SELECT COALESCE(p.key, '') FROM tool_calls t JOIN sessions s ON s.id = t.session_id
		LEFT JOIN prompts p ON p.id = t.prompt_id WHERE s.agent = ? AND s.external_id = ? AND t.call_id = ?`,
		agent, session, callID).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find the prompt of tool call %s: %w", callID, err)
	}
	return key, nil
}

// StoredText is one stored text field and where it is.
type StoredText struct {
	Table, Column string
	Kind          string     // TextContent, TextRaw or TextKey
	Class         FieldClass // how it is redacted (see Fields)
	Agent         string     // TextContent: the session's agent and id,
	Session       string
	Prompt        string // and the key of the prompt it belongs to ("" when none)
	Text          string
}

// RewriteFilter narrows which stored texts a rewrite reads; its function
// decides what changes.
type RewriteFilter struct {
	// Agent and Session, when set, select the content of one session;
	// raw records are read whatever the filter.
	Agent, Session string
	// Field, when set (table.column), selects one content field; raw
	// records are read too.
	Field string
	// Contains, when set, selects the content and key fields that hold
	// it; ContainsRaw does the same for raw records (a JSON document may
	// escape the text, so give the escaped form, or "" to read them all).
	Contains, ContainsRaw string
}

// RewriteStats reports what a rewrite changed.
type RewriteStats struct {
	Rows    map[string]int // table.column → rows changed
	Values  int            // values redacted
	Skipped int            // key rows left alone: their new value is another row's
}

// Total returns the number of rows changed.
func (s RewriteStats) Total() int {
	n := 0
	for _, v := range s.Rows {
		n += v
	}
	return n
}

const rewritePage = 256

// RewriteFunc returns what a stored text becomes, with the findings to
// record as provenance; it returns the text itself when nothing changes.
type RewriteFunc func(StoredText) (string, []FieldRedaction)

// AddManualRedaction stores a new, active manual redaction and, in the
// same transaction, applies it to the stored texts that f selects: rewrite
// receives the new id and returns the function that redacts one text.
// Texts it changes are written back, and its findings recorded as
// provenance. Either all of this happens or none of it.
//
// The connection runs with secure_delete, so that old values are
// overwritten in the database file, not merely unlinked; call Compact
// afterwards to drop older copies from free pages and the write-ahead log.
func (db *DB) AddManualRedaction(ctx context.Context, m ManualRedaction, f RewriteFilter, rewrite func(id int64) (RewriteFunc, error)) (int64, RewriteStats, error) {
	st := RewriteStats{Rows: map[string]int{}}
	if err := db.local("add manual redaction"); err != nil {
		return 0, st, err
	}
	if m.Kind != ManualLiteral && m.Kind != ManualPattern {
		return 0, st, fmt.Errorf("add manual redaction: kind %q is not literal or pattern", m.Kind)
	}
	if m.Scope == "" {
		m.Scope = "global"
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return 0, st, fmt.Errorf("add manual redaction: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
		return 0, st, fmt.Errorf("add manual redaction: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA secure_delete = OFF`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, st, fmt.Errorf("add manual redaction: %w", err)
	}
	defer tx.Rollback()
	b := &Batch{ctx: ctx, db: db, tx: tx, stmts: map[string]*sql.Stmt{}, now: FormatTime(time.Now())}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO manual_redactions (kind, pattern, literal_len, literal_roll, literal_hash,
			scope, agent, session, prompt_key, prompt_seq, field, replacement, actor, reason, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		m.Kind, m.Pattern, m.LiteralLen, int64(m.LiteralRoll), m.LiteralHash, m.Scope, m.Agent, m.Session, m.PromptKey,
		m.PromptSeq, m.Field, m.Replacement, m.Actor, m.Reason, b.now, b.now).Scan(&id)
	if err != nil {
		return 0, st, fmt.Errorf("add manual redaction: %w", err)
	}
	fn, err := rewrite(id)
	if err != nil {
		return 0, st, err
	}
	for _, t := range textTables() {
		for _, col := range t.columns {
			field := t.table + "." + col.name
			if t.kind != TextRaw {
				if f.Field != "" && f.Field != field {
					continue
				}
				if (f.Session != "" || f.Field != "") && t.kind == TextKey {
					continue // key fields take global redactions only
				}
			}
			rewrite := b.rewriteColumn
			if t.kind == TextRaw {
				rewrite = b.rewriteRaw
			}
			if err := rewrite(t, col, f, fn, &st); err != nil {
				return 0, st, fmt.Errorf("rewrite %s: %w", field, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, st, fmt.Errorf("add manual redaction: %w", err)
	}
	return id, st, nil
}

func (b *Batch) rewriteColumn(t textTable, column textColumn, f RewriteFilter, fn RewriteFunc, st *RewriteStats) error {
	col := column.name
	var conds []string
	var args []any
	if f.Session != "" && t.kind == TextContent {
		conds = append(conds, t.session+" = ?")
		args = append(args, f.Session)
		if f.Agent != "" {
			conds = append(conds, t.agent+" = ?")
			args = append(args, f.Agent)
		}
	}
	contains := f.Contains
	if t.kind == TextRaw {
		contains = f.ContainsRaw
	}
	if contains != "" {
		conds = append(conds, "instr(x."+col+", ?) > 0")
		args = append(args, contains)
	}
	where := "x.id > ?"
	if len(conds) > 0 {
		where += " AND " + strings.Join(conds, " AND ")
	}
	query := `SELECT x.id, ` + t.source + `, ` + t.agent + `, ` + t.session + `, ` + t.prompt + `, x.` + col +
		` FROM ` + t.table + ` x ` + t.join + ` WHERE ` + where + ` ORDER BY x.id LIMIT ` + strconv.Itoa(rewritePage)
	update := `UPDATE OR REPLACE ` + t.table + ` SET ` + col + ` = ? WHERE id = ?`
	if t.kind == TextKey {
		update = `UPDATE OR IGNORE ` + t.table + ` SET ` + col + ` = ? WHERE id = ?`
	}
	type change struct {
		id       int64
		src      sql.NullInt64
		text     string
		findings []FieldRedaction
	}
	var last int64
	for {
		rows, err := b.tx.QueryContext(b.ctx, query, append([]any{last}, args...)...)
		if err != nil {
			return b.cause(err)
		}
		var changes []change
		n := 0
		for rows.Next() {
			n++
			var c change
			s := StoredText{Table: t.table, Column: col, Kind: t.kind, Class: column.class}
			if err := rows.Scan(&c.id, &c.src, &s.Agent, &s.Session, &s.Prompt, &s.Text); err != nil {
				rows.Close()
				return b.cause(err)
			}
			last = c.id
			out, fs := fn(s)
			if out != s.Text {
				c.text, c.findings = out, fs
				changes = append(changes, c)
			}
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return b.cause(err)
		}
		rows.Close()
		for _, c := range changes {
			res, err := b.exec(update, c.text, c.id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				st.Skipped++
				continue
			}
			st.Rows[t.table+"."+col]++
			st.Values += len(c.findings)
			if err := b.addFindings(c.src, Ref{Table: t.table, ID: c.id}, col, c.findings); err != nil {
				return err
			}
		}
		if n < rewritePage {
			return nil
		}
	}
}

// Compact rebuilds the database file (VACUUM), so that no copy of a
// rewritten value survives in its free pages, then empties the write-ahead
// log. clean is false when another process kept the log from being
// emptied.
func (db *DB) Compact(ctx context.Context, vacuum bool) (clean bool, err error) {
	if err := db.local("compact"); err != nil {
		return false, err
	}
	if vacuum {
		if _, err := db.sql.ExecContext(ctx, `VACUUM`); err != nil {
			return false, fmt.Errorf("compact the database: %w", err)
		}
	}
	var busy, logFrames, done int
	if err := db.sql.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return false, fmt.Errorf("checkpoint the database: %w", err)
	}
	return busy == 0, nil
}

// CommitRef names an annotated commit.
type CommitRef struct {
	Repo string
	SHA  string
}

// CommitsToRerender returns the annotated commits of repo ("" for every
// repository) that carry a prompt whose stored rows a manual redaction
// changed after the commit's note was rendered, oldest first.
func (db *DB) CommitsToRerender(ctx context.Context, repo string) ([]CommitRef, error) {
	var out []CommitRef
	err := db.each(ctx, `SELECT c.repo, c.sha FROM commits c
		WHERE (? = '' OR c.repo = ?) AND EXISTS (
			SELECT 1 FROM commit_prompts cp
			JOIN sessions s ON s.agent = cp.agent AND s.external_id = cp.session
			JOIN prompts p ON p.session_id = s.id AND p.key = cp.prompt_key
			JOIN redactions r ON r.rule_id >= 'manual:' AND r.rule_id < 'manual;' AND r.created_at >= c.updated_at
			WHERE cp.commit_id = c.id AND (
				(r.tbl = 'prompts' AND r.row_id = p.id) OR
				(r.tbl = 'sessions' AND r.row_id = s.id) OR
				(r.tbl = 'messages' AND r.row_id IN (SELECT id FROM messages WHERE prompt_id = p.id)) OR
				(r.tbl = 'tool_calls' AND r.row_id IN (SELECT id FROM tool_calls WHERE prompt_id = p.id)) OR
				(r.tbl = 'file_edits' AND r.row_id IN (SELECT id FROM file_edits WHERE prompt_id = p.id))))
		ORDER BY c.committed_at, c.id`, []any{repo, repo}, func(r *sql.Rows) error {
		var c CommitRef
		if err := r.Scan(&c.Repo, &c.SHA); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find commits to re-render: %w", err)
	}
	return out, nil
}
