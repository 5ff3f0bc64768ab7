package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// PushOptions configure a push to a team database.
type PushOptions struct {
	Member  string // who pushes: every row sent carries it
	Machine string // from which machine
	Raw     bool   // also send the raw log lines and the log files' names
	DryRun  bool   // count what would be sent; write nothing, anywhere
	Version string // the aitrail version, recorded with the push
}

// PushReport says what a push sent, or would send.
type PushReport struct {
	URL     string `json:"url"` // with its password hidden
	Member  string `json:"member"`
	Machine string `json:"machine"`
	DryRun  bool   `json:"dryRun"`
	// Schema says what happened to the team database's schema: "" (it was
	// current), "created N" or "upgraded M to N" ("would …" on a dry run).
	Schema string `json:"schema,omitempty"`
	// First is true when nothing of this database was pushed there before.
	First bool `json:"firstPush"`
	// Sessions, Commits and Sources count what changed since the last push
	// (deleted ones included): each is sent whole, replacing what the team
	// database held of it.
	Sessions int64       `json:"sessions"`
	Commits  int64       `json:"commits"`
	Sources  int64       `json:"logFiles"`
	Tables   []TableRows `json:"tables"`
	Elapsed  float64     `json:"seconds"`
}

// TableRows is how many rows a push sent to one table.
type TableRows struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

// Rows returns the number of rows sent to all tables.
func (r PushReport) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.Rows
	}
	return n
}

// Kinds of change: what the changes table marks.
const (
	changeSession = "session"
	changeCommit  = "commit"
	changeSource  = "source"
)

// pushTable is one query whose rows push sends to a team table. What it
// selects of x (the table's own rows, or the rows that locate them) is
// sent column by column when the team table has a column of that name:
// the team schema decides what leaves the machine.
type pushTable struct {
	table  string // the team table
	kind   string // which change marks its rows
	column string // the team table's column naming the session, commit or log file
	sel    string // what to select
	from   string // from where
	key    string // the local expression of the session, commit or log file
}

// pushTables lists what push sends, in order. Redaction findings are sent
// for the session tables' rows and the raw lines (which rule redacted which
// field, how often: never the value or its keyed hash).
var pushTables = []pushTable{
	{"sessions", changeSession, "id", "x.*", "sessions x", "x.id"},
	{"prompts", changeSession, "session_id", "x.*", "prompts x", "x.session_id"},
	{"messages", changeSession, "session_id", "x.*", "messages x", "x.session_id"},
	{"tool_calls", changeSession, "session_id", "x.*", "tool_calls x", "x.session_id"},
	{"file_edits", changeSession, "session_id", "x.*", "file_edits x", "x.session_id"},
	{"token_usage", changeSession, "session_id", "x.*", "token_usage x", "x.session_id"},
	{"links", changeSession, "session_id", "x.*", "links x", "x.session_id"},
	{"redactions", changeSession, "session_id", "r.*, x.id AS session_id", "redactions r JOIN sessions x ON r.tbl = 'sessions' AND x.id = r.row_id", "x.id"},
	{"redactions", changeSession, "session_id", "r.*, x.session_id", "redactions r JOIN prompts x ON r.tbl = 'prompts' AND x.id = r.row_id", "x.session_id"},
	{"redactions", changeSession, "session_id", "r.*, x.session_id", "redactions r JOIN messages x ON r.tbl = 'messages' AND x.id = r.row_id", "x.session_id"},
	{"redactions", changeSession, "session_id", "r.*, x.session_id", "redactions r JOIN tool_calls x ON r.tbl = 'tool_calls' AND x.id = r.row_id", "x.session_id"},
	{"redactions", changeSession, "session_id", "r.*, x.session_id", "redactions r JOIN file_edits x ON r.tbl = 'file_edits' AND x.id = r.row_id", "x.session_id"},
	{"redactions", changeSession, "session_id", "r.*, x.session_id", "redactions r JOIN links x ON r.tbl = 'links' AND x.id = r.row_id", "x.session_id"},
	// The findings of raw lines (a line is redacted once, as a whole: the
	// fields decoded from it record none of their own), under the first
	// session of their log, with or without --raw: provenance, not lines.
	{"redactions", changeSession, "session_id", "r.*, x.session_id", "redactions r JOIN (SELECT source_id, MIN(id) AS session_id FROM sessions WHERE source_id IS NOT NULL GROUP BY source_id) x ON r.tbl = 'raw_records' AND x.source_id = r.source_id", "x.session_id"},
	{"commits", changeCommit, "id", "x.*", "commits x", "x.id"},
	{"commit_prompts", changeCommit, "commit_id", "x.*, c.committed_at", "commit_prompts x JOIN commits c ON c.id = x.commit_id", "x.commit_id"},
	{"commit_files", changeCommit, "commit_id", "x.*, c.committed_at", "commit_files x JOIN commits c ON c.id = x.commit_id", "x.commit_id"},
	{"commit_charges", changeCommit, "commit_id", "x.*, c.committed_at", "commit_charges x JOIN commits c ON c.id = x.commit_id", "x.commit_id"},
	{"sources", changeSource, "id", "x.*", "sources x", "x.id"},
	{"raw_records", changeSource, "source_id", "x.id, x.source_id, x.count, x.lines, s.ingested_at", "raw_records x JOIN sources s ON s.id = x.source_id", "x.source_id"},
}

// query returns the local query of the table's rows: all of them, or with
// since > 0 those of what changed after epoch since (one argument).
func (p pushTable) query(since int64) (string, []any) {
	q := "SELECT " + p.sel + " FROM " + p.from
	if since == 0 {
		return q, nil
	}
	return q + " WHERE " + p.key + " IN (SELECT id FROM changes WHERE kind = '" + p.kind + "' AND rev > ?)", []any{since}
}

// idBits is how many bits of a team id the local row id takes; the bits
// above are the pushing database's number. Local ids are SQLite rowids,
// far below 2^40 in any real database.
const idBits = 40

// teamID returns the id a local row id has in a team database: unique
// across the databases that push there, in the same order as the local
// ids within one.
func teamID(no, id int64) (int64, error) {
	if id < 0 || id >= 1<<idBits {
		return 0, fmt.Errorf("row id %d is beyond what a team database can hold", id)
	}
	return no<<idBits | id, nil
}

// databaseID returns the local database's random identity, which tells a
// team database which of its rows came from here; create makes it on
// first use.
func (db *DB) databaseID(ctx context.Context, create bool) (string, error) {
	var id []byte
	err := db.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'database-id'`).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) || !create {
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		return string(id), err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	if _, err := db.sql.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('database-id', ?) ON CONFLICT DO NOTHING`,
		[]byte(hex.EncodeToString(b))); err != nil {
		return "", fmt.Errorf("store the database id: %w", err)
	}
	return db.databaseID(ctx, false)
}

// pushed is what a team database knows of this database's earlier pushes.
type pushed struct {
	no          int64
	member      string
	rev, rawRev int64 // the epochs sent
}

// Push copies what changed in the local database since its last push to
// the team database at rawURL: sessions with their prompts, messages,
// tool calls, file edits, token usage, links and redaction findings, and
// annotated commits with their prompts and files; with Raw the log files'
// names and raw lines too. What changed is sent whole (a session, a
// commit), replacing the team database's copy, so pushing twice adds
// nothing. It is one transaction on the team database: a push that stops
// midway leaves nothing of itself there, and the next one sends it all
// again. The first push creates the team schema (or upgrades it).
func (db *DB) Push(ctx context.Context, rawURL string, o PushOptions) (PushReport, error) {
	start := time.Now()
	rep := PushReport{URL: RedactURL(rawURL), Member: o.Member, Machine: o.Machine, DryRun: o.DryRun}
	if err := db.local("push"); err != nil {
		return rep, err
	}
	if o.Member == "" || o.Machine == "" {
		return rep, errors.New("push: a member and a machine name are required")
	}
	cfg, err := teamConfig(rawURL)
	if err != nil {
		return rep, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return rep, teamError(rawURL, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	fail := func(err error) (PushReport, error) { return rep, teamError(rawURL, err) }

	dbID, err := db.databaseID(ctx, !o.DryRun)
	if err != nil {
		return rep, err
	}
	if rep.Schema, err = prepareSchema(ctx, conn, o.DryRun); err != nil {
		return fail(err)
	}
	var prev pushed
	var tx pgx.Tx
	if o.DryRun {
		if !strings.HasPrefix(rep.Schema, "would create") {
			if prev, err = readPushed(ctx, conn, dbID, false); err != nil {
				return fail(err)
			}
		}
	} else {
		if tx, err = conn.Begin(ctx); err != nil {
			return fail(err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '60s'`); err != nil {
			return fail(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO team_databases (member, db_id, machine, first_push, version)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (db_id) DO NOTHING`,
			o.Member, dbID, o.Machine, FormatTime(time.Now()), o.Version); err != nil {
			return fail(err)
		}
		if prev, err = readPushed(ctx, tx, dbID, true); err != nil {
			return fail(err)
		}
	}
	if prev.member != "" && prev.member != o.Member {
		return rep, fmt.Errorf("this database was pushed to %s as member %q, not %q: pushing it under another name would count its sessions twice (set team.member back to %q)",
			rep.URL, prev.member, o.Member, prev.member)
	}
	rep.First = prev.rev == 0

	// The epoch: changes from now on are the next push's. A dry run
	// counts everything after the last push, the current epoch included.
	var epoch int64
	if o.DryRun {
		err = db.sql.QueryRowContext(ctx, `SELECT epoch FROM change_epoch`).Scan(&epoch)
	} else {
		err = db.sql.QueryRowContext(ctx, `UPDATE change_epoch SET epoch = epoch + 1 RETURNING epoch - 1`).Scan(&epoch)
	}
	if err != nil {
		return rep, fmt.Errorf("push: %w", err)
	}
	if !o.DryRun && prev.rev >= epoch && (!o.Raw || prev.rawRev >= epoch) {
		// A push that began after this one already sent all of it.
		rep.Elapsed = time.Since(start).Seconds()
		return rep, tx.Commit(ctx)
	}

	// One snapshot of the local database for the whole push.
	local, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return rep, fmt.Errorf("push: %w", err)
	}
	defer local.Rollback()
	since := map[string]int64{changeSession: prev.rev, changeCommit: prev.rev, changeSource: prev.rawRev}
	kinds := []string{changeSession, changeCommit}
	if o.Raw {
		kinds = append(kinds, changeSource)
	}
	s := &pushState{ctx: ctx, local: local, tx: tx, no: prev.no, member: o.Member, machine: o.Machine}
	if !o.DryRun {
		if s.columns, err = teamColumns(ctx, tx); err != nil {
			return fail(err)
		}
	}
	counts := map[string]*int64{changeSession: &rep.Sessions, changeCommit: &rep.Commits, changeSource: &rep.Sources}
	for _, kind := range kinds {
		n, err := s.replace(kind, since[kind])
		if err != nil {
			return fail(err)
		}
		*counts[kind] = n
		for _, p := range pushTables {
			if p.kind != kind {
				continue
			}
			n, err := s.send(p, since[kind])
			if err != nil {
				return fail(fmt.Errorf("push %s: %w", p.table, err))
			}
			if k := len(rep.Tables); k > 0 && rep.Tables[k-1].Table == p.table {
				rep.Tables[k-1].Rows += n
			} else {
				rep.Tables = append(rep.Tables, TableRows{p.table, n})
			}
		}
	}
	if o.DryRun {
		rep.Elapsed = time.Since(start).Seconds()
		return rep, nil
	}
	rawRev := prev.rawRev
	if o.Raw {
		rawRev = epoch
	}
	if _, err := tx.Exec(ctx, `UPDATE team_databases SET rev = $1, raw_rev = $2, machine = $3, last_push = $4, version = $5
		WHERE db_id = $6`, epoch, rawRev, o.Machine, FormatTime(time.Now()), o.Version, dbID); err != nil {
		return fail(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	rep.Elapsed = time.Since(start).Seconds()
	return rep, nil
}

// prepareSchema creates or upgrades the team schema in a transaction of
// its own, and says what it did (or, on a dry run, would do).
func prepareSchema(ctx context.Context, conn *pgx.Conn, dryRun bool) (string, error) {
	queryRow := func(ctx context.Context, q string, args ...any) rowScanner { return conn.QueryRow(ctx, q, args...) }
	v, err := teamVersion(ctx, queryRow)
	if err != nil {
		return "", err
	}
	want := len(migrations)
	switch {
	case v > want:
		return "", fmt.Errorf("%w (schema %d, this binary knows up to %d): upgrade aitrail", ErrTooNew, v, want)
	case v == want:
		return "", nil
	case dryRun && v == 0:
		return fmt.Sprintf("would create schema %d", want), nil
	case dryRun:
		return fmt.Sprintf("would upgrade schema %d to %d", v, want), nil
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	from, err := migrateTeam(ctx, tx, want)
	if err != nil {
		return "", err
	}
	if err := tx.Commit(ctx); err != nil {
		return "", err
	}
	switch from {
	case want:
		return "", nil // another push migrated it meanwhile
	case 0:
		return fmt.Sprintf("created schema %d", want), nil
	}
	return fmt.Sprintf("upgraded schema %d to %d", from, want), nil
}

// readPushed reads what the team database knows of this database's
// pushes, locking it for this push when lock is set.
func readPushed(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, dbID string, lock bool) (pushed, error) {
	var p pushed
	query := `SELECT no, member, rev, raw_rev FROM team_databases WHERE db_id = $1`
	if lock {
		query += ` FOR UPDATE`
	}
	err := q.QueryRow(ctx, query, dbID).Scan(&p.no, &p.member, &p.rev, &p.rawRev)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, nil
	}
	return p, err
}

// teamColumns returns the columns of the team tables.
func teamColumns(ctx context.Context, tx pgx.Tx) (map[string]map[string]bool, error) {
	rows, err := tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		if out[t] == nil {
			out[t] = map[string]bool{}
		}
		out[t][c] = true
	}
	return out, rows.Err()
}

// pushState is one push under way: the local snapshot it reads and the
// team transaction it writes (nil on a dry run).
type pushState struct {
	ctx             context.Context
	local           *sql.Tx
	tx              pgx.Tx
	columns         map[string]map[string]bool
	no              int64
	member, machine string
}

// replace counts what changed of kind since the epoch and, unless this is
// a dry run, deletes the team database's copies of it: they are sent again
// whole, and what was deleted here is gone there too.
func (s *pushState) replace(kind string, since int64) (int64, error) {
	if since == 0 { // the first push: everything, nothing to replace
		table := map[string]string{changeSession: "sessions", changeCommit: "commits", changeSource: "sources"}[kind]
		var n int64
		err := s.local.QueryRowContext(s.ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
		return n, err
	}
	rows, err := s.local.QueryContext(s.ctx, `SELECT id FROM changes WHERE kind = ? AND rev > ?`, kind, since)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		if id, err = teamID(s.no, id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || s.tx == nil || len(ids) == 0 {
		return int64(len(ids)), err
	}
	done := map[string]bool{}
	for _, p := range pushTables {
		if p.kind != kind || done[p.table] {
			continue
		}
		done[p.table] = true
		if _, err := s.tx.Exec(s.ctx, `DELETE FROM `+pgx.Identifier{p.table}.Sanitize()+` WHERE member = $1 AND `+
			pgx.Identifier{p.column}.Sanitize()+` = ANY($2)`, s.member, ids); err != nil {
			return 0, fmt.Errorf("replace %s: %w", p.table, err)
		}
	}
	return int64(len(ids)), nil
}

// send copies the rows of one push table that changed since the epoch to
// the team database, and returns how many (on a dry run, how many it
// would).
func (s *pushState) send(p pushTable, since int64) (int64, error) {
	q, args := p.query(since)
	if s.tx == nil {
		count := "COUNT(*)"
		if p.table == "raw_records" {
			count = "COALESCE(SUM(count), 0)" // lines, not pages
		}
		var n int64
		err := s.local.QueryRowContext(s.ctx, `SELECT `+count+` FROM (`+q+`)`, args...).Scan(&n)
		return n, err
	}
	rows, err := s.local.QueryContext(s.ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if p.table == "raw_records" {
		return s.sendRaw(rows)
	}
	names, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	team := s.columns[p.table]
	if team == nil {
		return 0, fmt.Errorf("the team database has no table %s", p.table)
	}
	src := &copySource{rows: rows, s: s, vals: make([]any, len(names))}
	cols := []string{"member", "machine"}
	for i, name := range names {
		if !team[name] || name == "member" || name == "machine" {
			continue
		}
		src.keep = append(src.keep, i)
		src.ids = append(src.ids, name == "id" || strings.HasSuffix(name, "_id"))
		cols = append(cols, name)
	}
	return s.tx.CopyFrom(s.ctx, pgx.Identifier{p.table}, cols, src)
}

// sendRaw sends the lines of pages of raw lines (rows of id, source_id,
// count, lines, ingested_at), a row per line as a team database keeps
// them.
func (s *pushState) sendRaw(rows *sql.Rows) (int64, error) {
	return s.tx.CopyFrom(s.ctx, pgx.Identifier{"raw_records"},
		[]string{"member", "machine", "id", "source_id", "line", "offset", "json", "ingested_at"}, &rawCopySource{rows: rows, s: s})
}

// rawCopySource streams the lines of pages into COPY. A line's id is its
// page's with its index in the page in the low 20 bits (a page holds at
// most 1 MiB of lines, so fewer than 2^20 of them).
type rawCopySource struct {
	rows    *sql.Rows
	s       *pushState
	id, src int64
	at      string
	lines   []RawLine
	i       int
	out     []any
	err     error
}

func (c *rawCopySource) Next() bool {
	for c.err == nil && c.i >= len(c.lines) {
		if !c.rows.Next() {
			return false
		}
		var count int64
		var data []byte
		if c.err = c.rows.Scan(&c.id, &c.src, &count, &data, &c.at); c.err != nil {
			return false
		}
		c.lines, c.err = DecodeRawPage(data)
		c.i = 0
	}
	if c.err != nil {
		return false
	}
	l := c.lines[c.i]
	lid, err := teamID(c.s.no, c.id<<20|int64(c.i))
	if err != nil {
		c.err = err
		return false
	}
	sid, err := teamID(c.s.no, c.src)
	if err != nil {
		c.err = err
		return false
	}
	c.i++
	c.out = []any{c.s.member, c.s.machine, lid, sid, int64(l.Line), l.Offset, pgText(l.Text), c.at}
	return true
}

func (c *rawCopySource) Values() ([]any, error) { return c.out, nil }

func (c *rawCopySource) Err() error {
	if c.err != nil {
		return c.err
	}
	return c.rows.Err()
}

// copySource streams local rows into COPY, in team form: member and
// machine first, ids moved into this database's range, text made valid
// for PostgreSQL.
type copySource struct {
	rows *sql.Rows
	s    *pushState
	vals []any
	keep []int  // which local columns are sent
	ids  []bool // whether each sent column holds row ids
	out  []any
	err  error
}

func (c *copySource) Next() bool {
	if c.err != nil || !c.rows.Next() {
		return false
	}
	ptrs := make([]any, len(c.vals))
	for i := range c.vals {
		ptrs[i] = &c.vals[i]
	}
	if c.err = c.rows.Scan(ptrs...); c.err != nil {
		return false
	}
	c.out = append(c.out[:0], c.s.member, c.s.machine)
	for k, i := range c.keep {
		v := c.vals[i]
		switch x := v.(type) {
		case int64:
			if c.ids[k] {
				if v, c.err = teamID(c.s.no, x); c.err != nil {
					return false
				}
			}
		case string:
			v = pgText(x)
		}
		c.out = append(c.out, v)
	}
	return true
}

func (c *copySource) Values() ([]any, error) { return c.out, nil }

func (c *copySource) Err() error {
	if c.err != nil {
		return c.err
	}
	return c.rows.Err()
}

// pgText makes text storable in PostgreSQL, which takes neither NUL
// characters nor invalid UTF-8 (SQLite keeps both): they become U+FFFD.
func pgText(s string) string {
	if utf8.ValidString(s) && !strings.Contains(s, "\x00") {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
