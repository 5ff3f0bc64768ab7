package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErrNotFound is returned when a session, prompt or row does not exist.
var ErrNotFound = errors.New("not found")

// ErrAmbiguous is returned when a session prefix matches several sessions.
var ErrAmbiguous = errors.New("ambiguous")

// Secret returns the database's random key for keyed hashes of redacted
// values, creating it on first use. It never leaves the database.
func (db *DB) Secret(ctx context.Context) ([]byte, error) {
	return db.secret(ctx)
}

func (db *DB) secret(ctx context.Context) ([]byte, error) {
	db.keyMu.Lock()
	defer db.keyMu.Unlock()
	if db.key != nil {
		return db.key, nil
	}
	key, err := db.readSecret(ctx)
	if err == nil {
		db.key = key
	}
	return key, err
}

func (db *DB) readSecret(ctx context.Context) ([]byte, error) {
	if err := db.local("read the redaction key"); err != nil {
		return nil, err // the key never leaves the machine
	}
	var key []byte
	err := db.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'redaction-key'`).Scan(&key)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read redaction key: %w", err)
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := db.sql.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('redaction-key', ?) ON CONFLICT DO NOTHING`, key); err != nil {
		return nil, fmt.Errorf("store redaction key: %w", err)
	}
	err = db.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'redaction-key'`).Scan(&key)
	return key, err
}

// SessionInfo is a session with its counts.
type SessionInfo struct {
	ID           int64     `json:"-"`
	Member       string    `json:"member,omitempty"` // who pushed it, on a team database
	Agent        string    `json:"agent"`
	SessionID    string    `json:"sessionId"`
	ParentID     string    `json:"parentId,omitempty"`
	Relation     string    `json:"relation,omitempty"`
	Cwd          string    `json:"cwd,omitempty"`
	GitRemote    string    `json:"gitRemote,omitempty"`
	GitBranch    string    `json:"gitBranch,omitempty"`
	GitCommit    string    `json:"gitCommit,omitempty"`
	AgentVersion string    `json:"agentVersion,omitempty"`
	Originator   string    `json:"originator,omitempty"`
	Title        string    `json:"title,omitempty"`
	Model        string    `json:"model,omitempty"`
	Started      time.Time `json:"startedAt"`
	Ended        time.Time `json:"endedAt"`
	Prompts      int       `json:"prompts"`
	ToolCalls    int       `json:"toolCalls"`
	Edits        int       `json:"fileEdits"`
	Tokens       Tokens    `json:"tokens"`
}

// SessionFilter selects sessions. Zero fields do not filter.
type SessionFilter struct {
	// Member selects the sessions one member pushed (team databases only).
	Member string
	Agent  string
	// Dir and Shown select sessions whose working directory, or an edited
	// file, is a directory or inside it. The local database compares Dir,
	// the key of the directory's canonical form (see PathKeys). A team
	// database holds paths of other machines, keyed with their own secrets:
	// it compares Shown, the directory as stored (redacted, "~" for home),
	// byte by byte.
	Dir, Shown string
	Since      time.Time // sessions active at or after
	Until      time.Time // sessions active at or before
}

func (f SessionFilter) where(d dialect) (string, []any, error) {
	var conds []string
	var args []any
	if f.Member != "" {
		if d != postgresDialect {
			return "", nil, ErrNeedsTeam
		}
		conds = append(conds, "s.member = ?")
		args = append(args, f.Member)
	}
	if f.Agent != "" {
		conds = append(conds, "s.agent = ?")
		args = append(args, f.Agent)
	}
	if d == postgresDialect && f.Shown != "" {
		dir := strings.TrimSuffix(f.Shown, "/")
		// Byte order (COLLATE "C"): the paths from dir/ up to dir0 are
		// those inside it ("0" follows "/").
		conds = append(conds, `(s.cwd = ? OR (s.cwd >= ? AND s.cwd < ?) OR EXISTS (SELECT 1 FROM file_edits e
			WHERE e.session_id = s.id AND e.path >= ? AND e.path < ?))`)
		args = append(args, dir, dir+"/", dir+"0", dir+"/", dir+"0")
	}
	if d != postgresDialect && f.Dir != "" {
		sc, sargs := inside("s.cwd_key", []string{f.Dir})
		pc, pargs := inside("p.cwd_key", []string{f.Dir})
		ec, eargs := inside("e.path_key", []string{f.Dir})
		conds = append(conds, `(`+sc+` OR EXISTS (SELECT 1 FROM prompts p WHERE p.session_id = s.id AND `+pc+`)
			OR EXISTS (SELECT 1 FROM file_edits e WHERE e.session_id = s.id AND `+ec+`))`)
		args = append(append(append(args, sargs...), pargs...), eargs...)
	}
	if !f.Since.IsZero() {
		conds = append(conds, "s.ended_at >= ?")
		args = append(args, FormatTime(f.Since))
	}
	if !f.Until.IsZero() {
		conds = append(conds, "s.started_at != '' AND s.started_at <= ?")
		args = append(args, FormatTime(f.Until))
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// sessionSelect selects sessions with their counts, as scanSession reads
// them.
func (d dialect) sessionSelect() string {
	return `SELECT s.id, ` + d.member("s") + `, s.agent, s.external_id, s.parent_id, s.relation, s.cwd, s.git_remote, s.git_branch,
	s.git_commit, s.agent_version, s.originator, s.title, s.model, s.started_at, s.ended_at,
	(SELECT COUNT(*) FROM prompts p WHERE p.session_id = s.id),
	(SELECT COUNT(*) FROM tool_calls t WHERE t.session_id = s.id),
	(SELECT COUNT(*) FROM file_edits e WHERE e.session_id = s.id),
	COALESCE(u.input, 0), COALESCE(u.output, 0), COALESCE(u.cache_write, 0), COALESCE(u.cache_read, 0), COALESCE(u.reasoning, 0),
	COALESCE(u.cache_write_1h, 0)
	FROM sessions s LEFT JOIN (SELECT session_id, ` + d.tokenSums() + ` FROM token_usage WHERE ` + usageCounts + `
		GROUP BY session_id) u ON u.session_id = s.id`
}

func scanSession(r interface{ Scan(...any) error }) (SessionInfo, error) {
	var s SessionInfo
	var started, ended string
	dest := []any{&s.ID, &s.Member, &s.Agent, &s.SessionID, &s.ParentID, &s.Relation, &s.Cwd, &s.GitRemote, &s.GitBranch,
		&s.GitCommit, &s.AgentVersion, &s.Originator, &s.Title, &s.Model, &started, &ended,
		&s.Prompts, &s.ToolCalls, &s.Edits}
	err := r.Scan(append(dest, s.Tokens.dest()...)...)
	s.Started, s.Ended = ParseTime(started), ParseTime(ended)
	s.Tokens.scanned()
	return s, err
}

// Sessions lists sessions, most recent first.
func (db *DB) Sessions(ctx context.Context, f SessionFilter) ([]SessionInfo, error) {
	where, args, err := f.where(db.dialect)
	if err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, db.dialect.sessionSelect()+where+` ORDER BY s.started_at DESC, s.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []SessionInfo
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindSession resolves a session reference: an exact session id, a unique
// prefix of one, or AGENT:ID.
func (db *DB) FindSession(ctx context.Context, ref string) (SessionInfo, error) {
	return db.FindMemberSession(ctx, ref, "")
}

// FindMemberSession is FindSession among the sessions of one member of a
// team database ("": every member's).
func (db *DB) FindMemberSession(ctx context.Context, ref, member string) (SessionInfo, error) {
	if member != "" && !db.Team() {
		return SessionInfo{}, ErrNeedsTeam
	}
	agent, id := "", ref
	if a, rest, ok := strings.Cut(ref, ":"); ok && a != "" && !strings.Contains(a, "/") {
		agent, id = a, rest
	}
	type form struct{ agent, id string }
	forms := []form{{agent, id}}
	if agent != "" {
		forms = append(forms, form{"", ref}) // an id that contains a colon
	}
	try := func(f form, cond string, args ...any) ([]SessionInfo, error) {
		if f.agent != "" {
			cond += " AND s.agent = ?"
			args = append(args, f.agent)
		}
		if member != "" {
			cond += " AND s.member = ?"
			args = append(args, member)
		}
		rows, err := db.sql.QueryContext(ctx, db.dialect.sessionSelect()+" WHERE "+cond+" ORDER BY s.id LIMIT 10", args...)
		if err != nil {
			return nil, fmt.Errorf("find session: %w", err)
		}
		defer rows.Close()
		var out []SessionInfo
		for rows.Next() {
			s, err := scanSession(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, rows.Err()
	}
	var found []SessionInfo
	var err error
	for _, exact := range []bool{true, false} {
		for _, f := range forms {
			if exact {
				found, err = try(f, "s.external_id = ?", f.id)
			} else if f.id != "" {
				found, err = try(f, "substr(s.external_id, 1, ?) = ?", len(f.id), f.id)
			}
			if err != nil {
				return SessionInfo{}, err
			}
			if len(found) > 0 {
				break
			}
		}
		if len(found) > 0 {
			break
		}
	}
	switch len(found) {
	case 0:
		return SessionInfo{}, fmt.Errorf("session %q: %w (list them with aitrail sessions)", ref, ErrNotFound)
	case 1:
		return found[0], nil
	}
	var ids []string
	for _, s := range found {
		id := s.Agent + ":" + s.SessionID
		if s.Member != "" {
			id += " of " + s.Member
		}
		ids = append(ids, id)
	}
	return SessionInfo{}, fmt.Errorf("session %q is %w: it matches %s", ref, ErrAmbiguous, strings.Join(ids, ", "))
}

// PromptDetail is one prompt with what the agent did for it.
type PromptDetail struct {
	ID        int64          `json:"-"`
	Key       string         `json:"key,omitempty"`
	Seq       int            `json:"seq"`
	Time      time.Time      `json:"time"`
	Text      string         `json:"text"`
	Context   string         `json:"context,omitempty"`
	Cwd       string         `json:"cwd,omitempty"`
	Model     string         `json:"model,omitempty"`
	Messages  []MessageInfo  `json:"messages"`
	ToolCalls []ToolCallInfo `json:"toolCalls"`
	Edits     []EditInfo     `json:"fileEdits"`
	Tokens    Tokens         `json:"tokens"`
}

// MessageInfo is a stored message.
type MessageInfo struct {
	Time time.Time `json:"time"`
	Kind string    `json:"kind"`
	Text string    `json:"text"`
}

// ToolCallInfo is a stored tool call with its result.
type ToolCallInfo struct {
	CallID string    `json:"callId"`
	Time   time.Time `json:"time"`
	Name   string    `json:"name"`
	Input  string    `json:"input"`
	Output string    `json:"output"`
	Status string    `json:"status,omitempty"`
}

// EditInfo is a stored file edit.
type EditInfo struct {
	ID       int64     `json:"-"`
	PromptID int64     `json:"-"`
	Session  int64     `json:"-"`
	CallID   string    `json:"callId,omitempty"`
	Time     time.Time `json:"time"`
	Path     string    `json:"path"`
	RelPath  string    `json:"relPath,omitempty"`
	MovePath string    `json:"movePath,omitempty"`
	Op       string    `json:"op"`
	Added    int       `json:"added"`
	Removed  int       `json:"removed"`
	Diff     string    `json:"diff,omitempty"`
	Via      string    `json:"via"`
	Status   string    `json:"status"`
}

// LinkInfo is a stored link.
type LinkInfo struct {
	Time  time.Time `json:"time"`
	Kind  string    `json:"kind"`
	URL   string    `json:"url"`
	Title string    `json:"title,omitempty"`
}

// SessionDetail is a session grouped by prompt: the "group session" view.
type SessionDetail struct {
	SessionInfo
	// Preamble holds what the agent did before the first prompt, or what
	// could not be tied to a prompt.
	Preamble PromptDetail   `json:"preamble"`
	Prompts  []PromptDetail `json:"prompts"`
	Links    []LinkInfo     `json:"links,omitempty"`
	Children []SessionInfo  `json:"subSessions,omitempty"`
}

// Detail loads a session grouped by prompt.
func (db *DB) Detail(ctx context.Context, s SessionInfo) (*SessionDetail, error) {
	d := &SessionDetail{SessionInfo: s}
	byID := map[int64]*PromptDetail{}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, key, seq, ts, text, context, cwd, model FROM prompts WHERE session_id = ? ORDER BY seq`, s.ID)
	if err != nil {
		return nil, fmt.Errorf("load prompts: %w", err)
	}
	for rows.Next() {
		var p PromptDetail
		var ts string
		if err := rows.Scan(&p.ID, &p.Key, &p.Seq, &ts, &p.Text, &p.Context, &p.Cwd, &p.Model); err != nil {
			rows.Close()
			return nil, err
		}
		p.Time = ParseTime(ts)
		d.Prompts = append(d.Prompts, p)
	}
	rows.Close()
	for i := range d.Prompts {
		byID[d.Prompts[i].ID] = &d.Prompts[i]
	}
	target := func(pid sql.NullInt64) *PromptDetail {
		if p, ok := byID[pid.Int64]; ok && pid.Valid {
			return p
		}
		return &d.Preamble
	}
	err = db.each(ctx, `SELECT prompt_id, ts, kind, text FROM messages WHERE session_id = ? ORDER BY ts, id`, []any{s.ID}, func(r *sql.Rows) error {
		var pid sql.NullInt64
		var m MessageInfo
		var ts string
		if err := r.Scan(&pid, &ts, &m.Kind, &m.Text); err != nil {
			return err
		}
		m.Time = ParseTime(ts)
		p := target(pid)
		p.Messages = append(p.Messages, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = db.each(ctx, `SELECT prompt_id, call_id, ts, name, input, output, status FROM tool_calls WHERE session_id = ? ORDER BY ts, id`, []any{s.ID}, func(r *sql.Rows) error {
		var pid sql.NullInt64
		var c ToolCallInfo
		var ts string
		if err := r.Scan(&pid, &c.CallID, &ts, &c.Name, &c.Input, &c.Output, &c.Status); err != nil {
			return err
		}
		c.Time = ParseTime(ts)
		p := target(pid)
		p.ToolCalls = append(p.ToolCalls, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	edits, err := db.edits(ctx, `WHERE session_id = ? ORDER BY ts, id`, s.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range edits {
		p := target(sql.NullInt64{Int64: e.PromptID, Valid: e.PromptID != 0})
		p.Edits = append(p.Edits, e)
	}
	err = db.each(ctx, `SELECT prompt_id, `+db.dialect.tokenSums()+`
		FROM token_usage WHERE session_id = ? AND `+usageCounts+` GROUP BY prompt_id`, []any{s.ID}, func(r *sql.Rows) error {
		var pid sql.NullInt64
		var t Tokens
		if err := r.Scan(append([]any{&pid}, t.dest()...)...); err != nil {
			return err
		}
		t.scanned()
		target(pid).Tokens.Add(t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = db.each(ctx, `SELECT ts, kind, url, title FROM links WHERE session_id = ? ORDER BY ts, id`, []any{s.ID}, func(r *sql.Rows) error {
		var l LinkInfo
		var ts string
		if err := r.Scan(&ts, &l.Kind, &l.URL, &l.Title); err != nil {
			return err
		}
		l.Time = ParseTime(ts)
		d.Links = append(d.Links, l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Sub-sessions come from the same member's logs.
	crows, err := db.sql.QueryContext(ctx, db.dialect.sessionSelect()+` WHERE s.agent = ? AND s.parent_id = ? AND `+db.dialect.member("s")+` = ?
		ORDER BY s.started_at, s.id`, s.Agent, s.SessionID, s.Member)
	if err != nil {
		return nil, fmt.Errorf("load sub-sessions: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		c, err := scanSession(crows)
		if err != nil {
			return nil, err
		}
		d.Children = append(d.Children, c)
	}
	return d, crows.Err()
}

func (db *DB) edits(ctx context.Context, where string, args ...any) ([]EditInfo, error) {
	var out []EditInfo
	err := db.each(ctx, `SELECT id, session_id, COALESCE(prompt_id, 0), call_id, ts, path, rel_path, move_path, op, added, removed, diff, via, status
		FROM file_edits `+where, args, func(r *sql.Rows) error {
		var e EditInfo
		var ts string
		if err := r.Scan(&e.ID, &e.Session, &e.PromptID, &e.CallID, &ts, &e.Path, &e.RelPath, &e.MovePath, &e.Op,
			&e.Added, &e.Removed, &e.Diff, &e.Via, &e.Status); err != nil {
			return err
		}
		e.Time = ParseTime(ts)
		out = append(out, e)
		return nil
	})
	return out, err
}

func (db *DB) each(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("query: %w", err)
		}
	}
	return rows.Err()
}

// StatRow is one row of a token report.
type StatRow struct {
	Key          string    `json:"-"`
	Member       string    `json:"member,omitempty"`
	Agent        string    `json:"agent,omitempty"`
	SessionID    string    `json:"sessionId,omitempty"`
	Model        string    `json:"model,omitempty"`
	Date         string    `json:"date,omitempty"`
	Commit       string    `json:"commit,omitempty"`
	CommittedAt  time.Time `json:"committedAt,omitzero"`
	Repo         string    `json:"repo,omitempty"`
	Models       []string  `json:"models"`
	LastActivity time.Time `json:"lastActivity"`
	Tokens
	Cost     float64 `json:"totalCost"`
	Unpriced int64   `json:"unpricedTokens,omitempty"` // tokens of models without a known price
	Sessions int     `json:"sessions"`
}

// Stat groupings; "member" needs a team database.
var StatGroups = []string{"session", "agent", "model", "day", "commit", "repo", "member"}

// NotCommitted is the key of the commit row that sums the usage of prompts
// linked to no annotated commit.
const NotCommitted = "(not committed)"

// Stats sums token usage grouped by session, agent, model, day (days in
// loc), commit, repository or member, restricted to sessions that match f
// and to API calls made between its Since and Until, ordered by key
// (commits by time, the uncommitted last). On a team database a session is
// one member's: its rows name the member.
//
// Each API call is priced on its own with price (long-context tiers apply
// per call), and the costs are summed. By commit, a call counts for the
// commit whose note counts it (see Charge). By repository, a session counts
// for the repository root most of its edits were in, else its working
// directory.
func (db *DB) Stats(ctx context.Context, by string, f SessionFilter, loc *time.Location, price Pricer) ([]StatRow, error) {
	if by == "member" && !db.Team() {
		return nil, fmt.Errorf("--by member: %w", ErrNeedsTeam)
	}
	where, args, err := f.where(db.dialect)
	if err != nil {
		return nil, err
	}
	var conds []string
	if !f.Since.IsZero() {
		conds = append(conds, "u.ts >= ?")
		args = append(args, FormatTime(f.Since))
	}
	if !f.Until.IsZero() {
		conds = append(conds, "u.ts <= ?")
		args = append(args, FormatTime(f.Until))
	}
	conds = append(conds, usageCounts)
	if where == "" {
		where = " WHERE "
	} else {
		where += " AND "
	}
	where += strings.Join(conds, " AND ")
	var charged charges
	var repos map[int64]string
	switch by {
	case "commit":
		charged, err = db.chargedCommits(ctx)
	case "repo":
		repos, err = db.sessionRepos(ctx)
	}
	if err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT s.id, COALESCE(u.prompt_id, 0), `+db.dialect.member("s")+`, s.agent, s.external_id, u.model, u.ts, `+tokenCols+`,
		`+callKey+` FROM token_usage u JOIN sessions s ON s.id = u.session_id`+where+` ORDER BY u.ts, u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("token stats: %w", err)
	}
	defer rows.Close()
	index := map[string]*StatRow{}
	var order []string
	sessions := map[string]map[string]bool{}
	for rows.Next() {
		var sessID, promptID int64
		var member, agent, sid, model, ts, call string
		var t Tokens
		if err := rows.Scan(append(append([]any{&sessID, &promptID, &member, &agent, &sid, &model, &ts}, t.dest()...), &call)...); err != nil {
			return nil, fmt.Errorf("token stats: %w", err)
		}
		t.scanned()
		when := ParseTime(ts)
		var key string
		row := StatRow{}
		switch by {
		case "session":
			key = agent + "\x00" + sid + "\x00" + member
			row.Member, row.Agent, row.SessionID = member, agent, sid
		case "member":
			key = member
			row.Member = member
		case "agent":
			key = agent
			row.Agent = agent
		case "model":
			key = model
			row.Model = model
		case "day":
			if when.IsZero() {
				key = "unknown"
			} else {
				key = when.In(loc).Format("2006-01-02")
			}
			row.Date = key
		case "commit":
			c, ok := charged.commitOf(member, call, promptID)
			if !ok {
				key, row.Commit = "~", NotCommitted // sorts last
			} else {
				key = FormatTime(c.CommittedAt) + " " + c.SHA
				row.Commit, row.CommittedAt = c.SHA, c.CommittedAt
			}
		case "repo":
			key = repos[sessID]
			row.Repo = key
		default:
			return nil, fmt.Errorf("unknown grouping %q (want one of %s)", by, strings.Join(StatGroups, ", "))
		}
		r := index[key]
		if r == nil {
			row.Key = key
			r = &row
			index[key] = r
			order = append(order, key)
			sessions[key] = map[string]bool{}
		}
		r.Tokens.Add(t)
		if price != nil {
			if c, ok := price(model, t); ok {
				r.Cost += c
			} else {
				r.Unpriced = addSat(r.Unpriced, t.Total)
			}
		}
		if model != "" && !contains(r.Models, model) {
			r.Models = append(r.Models, model)
		}
		if when.After(r.LastActivity) {
			r.LastActivity = when
		}
		sessions[key][member+"\x00"+agent+"\x00"+sid] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]StatRow, 0, len(order))
	for _, k := range order {
		r := index[k]
		r.Sessions = len(sessions[k])
		if r.Models == nil {
			r.Models = []string{}
		}
		out = append(out, *r)
	}
	sortRows(out)
	return out, nil
}

// Unrecorded counts, per agent, the sessions matching f of the given
// agents, those whose logs record no token counts (VS Code Copilot Chat's
// never do), that have no token usage: not recorded, which is not a
// measurement of zero tokens. A session of another agent without usage is
// not counted: it spent none, or its usage was counted in another session's
// (de-duplicated).
func (db *DB) Unrecorded(ctx context.Context, f SessionFilter, agents []string) (map[string]int, error) {
	out := map[string]int{}
	if len(agents) == 0 {
		return out, nil
	}
	where, args, err := f.where(db.dialect)
	if err != nil {
		return nil, err
	}
	cond := " WHERE "
	if where != "" {
		cond = where + " AND "
	}
	for _, a := range agents {
		args = append(args, a)
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT s.agent, COUNT(*) FROM sessions s`+cond+
		`s.agent IN (`+strings.TrimSuffix(strings.Repeat("?,", len(agents)), ",")+`)
		AND NOT EXISTS (SELECT 1 FROM token_usage u WHERE u.session_id = s.id) GROUP BY s.agent`, args...)
	if err != nil {
		return nil, fmt.Errorf("sessions without token usage: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var agent string
		var n int
		if err := rows.Scan(&agent, &n); err != nil {
			return nil, fmt.Errorf("sessions without token usage: %w", err)
		}
		out[agent] = n
	}
	return out, rows.Err()
}

func sortRows(rows []StatRow) {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Counts returns the number of rows of each table, for status reports;
// for raw_records, the number of raw lines its pages hold.
func (db *DB) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range []string{"sources", "sessions", "prompts", "messages", "tool_calls", "file_edits", "token_usage", "raw_records", "redactions"} {
		count := "COUNT(*)"
		if t == "raw_records" {
			count = "COALESCE(SUM(count), 0)"
		}
		var n int64
		if err := db.sql.QueryRowContext(ctx, `SELECT `+count+` FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}
