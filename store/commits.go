package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Edit is a file edit with the session and prompt it belongs to: what
// correlation weighs against a commit's diff.
type Edit struct {
	EditInfo
	Root         string // repository root recorded at ingest ("" when unknown)
	Agent        string
	SessionID    string
	AgentVersion string
	PromptKey    string
	PromptSeq    int
	PromptTime   time.Time
	PromptText   string
	Model        string // the prompt's model, else the session's
}

// under builds a condition selecting paths inside any of roots.
func under(col string, roots []string) (string, []any) {
	var conds []string
	var args []any
	for _, r := range roots {
		r = strings.TrimSuffix(r, "/")
		// substr counts characters, not bytes: a root with non-ASCII
		// letters (~/src/dépôt) must be measured in runes.
		conds = append(conds, "substr("+col+", 1, ?) = ?")
		args = append(args, utf8.RuneCountInString(r)+1, r+"/")
	}
	if len(conds) == 0 {
		return "0", nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// EditsUnder returns the applied edits of files inside roots (stored form:
// redacted) made between from and to, oldest first.
func (db *DB) EditsUnder(ctx context.Context, roots []string, from, to time.Time) ([]Edit, error) {
	cond, args := under("e.path", roots)
	return db.editsWhere(ctx, cond+` AND e.ts >= ? AND e.ts <= ?`, append(args, FormatTime(from), FormatTime(to))...)
}

// editsWhere returns the applied edits that match cond, oldest first, with
// their sessions and prompts.
func (db *DB) editsWhere(ctx context.Context, cond string, args ...any) ([]Edit, error) {
	var out []Edit
	err := db.each(ctx, `SELECT e.id, e.session_id, COALESCE(e.prompt_id, 0), e.call_id, e.ts, e.path, e.rel_path, e.move_path,
			e.op, e.added, e.removed, e.diff, e.via, e.status, e.repo_root,
			s.agent, s.external_id, s.agent_version, COALESCE(p.key, ''), COALESCE(p.seq, 0), COALESCE(p.ts, ''),
			COALESCE(p.text, ''), COALESCE(NULLIF(p.model, ''), s.model)
		FROM file_edits e JOIN sessions s ON s.id = e.session_id LEFT JOIN prompts p ON p.id = e.prompt_id
		WHERE e.status = 'applied' AND `+cond+` ORDER BY e.ts, e.id`, args, func(r *sql.Rows) error {
		var e Edit
		var ts, pts string
		if err := r.Scan(&e.ID, &e.Session, &e.PromptID, &e.CallID, &ts, &e.Path, &e.RelPath, &e.MovePath,
			&e.Op, &e.Added, &e.Removed, &e.Diff, &e.Via, &e.Status, &e.Root,
			&e.Agent, &e.SessionID, &e.AgentVersion, &e.PromptKey, &e.PromptSeq, &pts, &e.PromptText, &e.Model); err != nil {
			return err
		}
		e.Time, e.PromptTime = ParseTime(ts), ParseTime(pts)
		out = append(out, e)
		return nil
	})
	return out, err
}

// PromptRef is a prompt with its session, as a commit refers to it.
type PromptRef struct {
	ID           int64     `json:"-"`
	Agent        string    `json:"agent"`
	SessionID    string    `json:"session"`
	Key          string    `json:"key"`
	Seq          int       `json:"seq"`
	Time         time.Time `json:"time"`
	Text         string    `json:"-"`
	Model        string    `json:"model,omitempty"`
	AgentVersion string    `json:"agentVersion,omitempty"`
}

const promptRefSelect = `SELECT p.id, s.agent, s.external_id, p.key, p.seq, p.ts, p.text,
	COALESCE(NULLIF(p.model, ''), s.model), s.agent_version FROM prompts p JOIN sessions s ON s.id = p.session_id`

func scanPromptRef(r *sql.Rows) (PromptRef, error) {
	var p PromptRef
	var ts string
	err := r.Scan(&p.ID, &p.Agent, &p.SessionID, &p.Key, &p.Seq, &ts, &p.Text, &p.Model, &p.AgentVersion)
	p.Time = ParseTime(ts)
	return p, err
}

// PromptsUnder returns the prompts sent between from and to in sessions that
// worked inside roots: a prompt's or its session's cwd is inside (or is) a
// root, or the session edited a file inside one.
func (db *DB) PromptsUnder(ctx context.Context, roots []string, from, to time.Time) ([]PromptRef, error) {
	pc, pargs := under("p.cwd", roots)
	sc, sargs := under("s.cwd", roots)
	ec, eargs := under("e.path", roots)
	var eq []string
	var eqArgs []any
	for _, r := range roots {
		eq = append(eq, "p.cwd = ? OR s.cwd = ?")
		eqArgs = append(eqArgs, r, r)
	}
	args := append(append(append(append([]any{}, pargs...), sargs...), eqArgs...), eargs...)
	args = append(args, FormatTime(from), FormatTime(to))
	var out []PromptRef
	err := db.each(ctx, promptRefSelect+` WHERE (`+pc+` OR `+sc+` OR `+strings.Join(append(eq, "0"), " OR ")+
		` OR EXISTS (SELECT 1 FROM file_edits e WHERE e.session_id = s.id AND `+ec+`))
		AND p.ts >= ? AND p.ts <= ? ORDER BY p.ts, p.id`, args, func(r *sql.Rows) error {
		p, err := scanPromptRef(r)
		out = append(out, p)
		return err
	})
	return out, err
}

// FindPrompts resolves prompts by (agent, session, key), skipping those no
// longer in the database.
func (db *DB) FindPrompts(ctx context.Context, refs []PromptRef) ([]PromptRef, error) {
	var out []PromptRef
	for _, ref := range refs {
		err := db.each(ctx, promptRefSelect+` WHERE s.agent = ? AND s.external_id = ? AND p.key = ?`,
			[]any{ref.Agent, ref.SessionID, ref.Key}, func(r *sql.Rows) error {
				p, err := scanPromptRef(r)
				out = append(out, p)
				return err
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CommitPrompts returns the prompts whose agent logged that it made the
// commit sha itself (a commit link whose abbreviated hash starts sha).
func (db *DB) CommitPrompts(ctx context.Context, sha string) ([]PromptRef, error) {
	if len(sha) < 7 {
		return nil, nil
	}
	var out []PromptRef
	err := db.each(ctx, promptRefSelect+` JOIN links l ON l.prompt_id = p.id
		WHERE l.kind = 'commit' AND l.url = substr(?1, 1, length(l.url)) AND length(l.url) >= 7 ORDER BY p.ts, p.id`,
		[]any{strings.ToLower(sha)}, func(r *sql.Rows) error {
			p, err := scanPromptRef(r)
			out = append(out, p)
			return err
		})
	return out, err
}

// EditsOfPrompts returns the applied edits made for the given prompts.
func (db *DB) EditsOfPrompts(ctx context.Context, prompts []int64) ([]Edit, error) {
	if len(prompts) == 0 {
		return nil, nil
	}
	ph, args := placeholders(prompts)
	return db.editsWhere(ctx, `e.prompt_id IN (`+ph+`)`, args...)
}

// placeholders returns "?,?,…" and the arguments for ids.
func placeholders(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// ModelTokens is token usage of one model.
type ModelTokens struct {
	Model string
	Tokens
	Cost   float64 // estimated, summed per API call
	Priced bool    // the model has a known price
}

// PromptTokens sums the token usage of prompts per model, pricing each API
// call with price (nil: no cost).
func (db *DB) PromptTokens(ctx context.Context, prompts []int64, price Pricer) ([]ModelTokens, error) {
	if len(prompts) == 0 {
		return nil, nil
	}
	ph, args := placeholders(prompts)
	byModel := map[string]int{}
	var out []ModelTokens
	err := db.each(ctx, `SELECT model, input, output, cache_write, cache_read, reasoning, cache_write_1h
		FROM token_usage WHERE prompt_id IN (`+ph+`) ORDER BY model, id`, args, func(r *sql.Rows) error {
		var model string
		var t Tokens
		if err := r.Scan(&model, &t.Input, &t.Output, &t.CacheWrite, &t.CacheRead, &t.Reasoning, &t.CacheWrite1h); err != nil {
			return err
		}
		t.Total = t.Input + t.Output + t.CacheWrite + t.CacheRead
		i, ok := byModel[model]
		if !ok {
			i = len(out)
			byModel[model] = i
			out = append(out, ModelTokens{Model: model})
		}
		m := &out[i]
		m.Tokens.Add(t)
		if price != nil {
			if c, ok := price(model, t); ok {
				m.Cost += c
				m.Priced = true
			}
		}
		return nil
	})
	return out, err
}

// Commit statuses.
const (
	CommitAnnotated = "annotated" // a note was written
	CommitNoAI      = "no-ai"     // no AI involvement found; no note (or the configured one)
)

// CommitRecord is what aitrail knows of an annotated commit.
type CommitRecord struct {
	Repo        string
	SHA         string
	Parent      string
	CommittedAt time.Time
	Status      string
	NoteHash    string
	Added       int
	AI          int
	Origin      string // the commit this one was cherry-picked or rewritten from
	UpdatedAt   time.Time
	Prompts     []CommitPrompt
	Files       []CommitFile
}

// CommitPrompt is a prompt a commit carries: role "author" (it edited a
// file of the commit) or "context".
type CommitPrompt struct {
	Agent, Session, Key, Role string
}

// CommitFile is a file of a commit with its added and AI-added lines.
type CommitFile struct {
	Path      string
	Added, AI int
}

// SaveCommit records (or replaces) what was annotated for a commit.
func (db *DB) SaveCommit(ctx context.Context, c CommitRecord) error {
	if err := db.local("save commit"); err != nil {
		return err
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save commit: %w", err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO commits (repo, sha, parent, committed_at, status, note_hash, added_lines, ai_lines, origin, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (repo, sha) DO UPDATE SET parent = excluded.parent, committed_at = excluded.committed_at,
			status = excluded.status, note_hash = excluded.note_hash, added_lines = excluded.added_lines,
			ai_lines = excluded.ai_lines, origin = excluded.origin, updated_at = excluded.updated_at
		RETURNING id`, c.Repo, c.SHA, c.Parent, FormatTime(c.CommittedAt), c.Status, c.NoteHash, c.Added, c.AI,
		c.Origin, FormatTime(time.Now())).Scan(&id)
	if err != nil {
		return fmt.Errorf("save commit: %w", err)
	}
	for _, q := range []string{`DELETE FROM commit_prompts WHERE commit_id = ?`, `DELETE FROM commit_files WHERE commit_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("save commit: %w", err)
		}
	}
	for _, p := range c.Prompts {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO commit_prompts (commit_id, agent, session, prompt_key, role) VALUES (?, ?, ?, ?, ?)`,
			id, p.Agent, p.Session, p.Key, p.Role); err != nil {
			return fmt.Errorf("save commit prompts: %w", err)
		}
	}
	for _, f := range c.Files {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO commit_files (commit_id, path, added, ai_added) VALUES (?, ?, ?, ?)`,
			id, f.Path, f.Added, f.AI); err != nil {
			return fmt.Errorf("save commit files: %w", err)
		}
	}
	return tx.Commit()
}

// LoadCommit returns what is recorded for a commit.
func (db *DB) LoadCommit(ctx context.Context, repo, sha string) (CommitRecord, error) {
	c := CommitRecord{Repo: repo, SHA: sha}
	var id int64
	var at, upd string
	err := db.sql.QueryRowContext(ctx, `SELECT id, parent, committed_at, status, note_hash, added_lines, ai_lines, origin, updated_at
		FROM commits WHERE repo = ? AND sha = ?`, repo, sha).Scan(&id, &c.Parent, &at, &c.Status, &c.NoteHash, &c.Added, &c.AI, &c.Origin, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("commit %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("load commit: %w", err)
	}
	c.CommittedAt, c.UpdatedAt = ParseTime(at), ParseTime(upd)
	err = db.each(ctx, `SELECT agent, session, prompt_key, role FROM commit_prompts WHERE commit_id = ? ORDER BY rowid`, []any{id}, func(r *sql.Rows) error {
		var p CommitPrompt
		if err := r.Scan(&p.Agent, &p.Session, &p.Key, &p.Role); err != nil {
			return err
		}
		c.Prompts = append(c.Prompts, p)
		return nil
	})
	if err != nil {
		return c, err
	}
	err = db.each(ctx, `SELECT path, added, ai_added FROM commit_files WHERE commit_id = ? ORDER BY path`, []any{id}, func(r *sql.Rows) error {
		var f CommitFile
		if err := r.Scan(&f.Path, &f.Added, &f.AI); err != nil {
			return err
		}
		c.Files = append(c.Files, f)
		return nil
	})
	return c, err
}

// KnownCommits returns which of shas have a record for repo.
func (db *DB) KnownCommits(ctx context.Context, repo string, shas []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(shas) == 0 {
		return out, nil
	}
	args := []any{repo}
	for _, s := range shas {
		args = append(args, s)
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(shas)), ",")
	err := db.each(ctx, `SELECT sha FROM commits WHERE repo = ? AND sha IN (`+ph+`)`, args, func(r *sql.Rows) error {
		var sha string
		err := r.Scan(&sha)
		out[sha] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("known commits: %w", err)
	}
	return out, nil
}

// LastCommit returns the newest annotated commit of repo (by commit time,
// whatever order the hooks and catch-up annotated commits in).
func (db *DB) LastCommit(ctx context.Context, repo string) (CommitRecord, error) {
	var sha string
	err := db.sql.QueryRowContext(ctx, `SELECT sha FROM commits WHERE repo = ? ORDER BY committed_at DESC, id DESC LIMIT 1`, repo).Scan(&sha)
	if errors.Is(err, sql.ErrNoRows) {
		return CommitRecord{}, fmt.Errorf("no annotated commit: %w", ErrNotFound)
	}
	if err != nil {
		return CommitRecord{}, fmt.Errorf("last commit: %w", err)
	}
	return db.LoadCommit(ctx, repo, sha)
}

// Job is queued work that a hook could not finish within its time budget.
type Job struct {
	ID       int64
	Repo     string // the repository's worktree, as stored (redacted)
	Kind     string // "annotate", "rewrite"
	Arg      string
	Created  time.Time
	Attempts int
	LastErr  string
}

// Enqueue adds a job unless the same one is already queued.
func (db *DB) Enqueue(ctx context.Context, repo, kind, arg string) error {
	if err := db.local("queue " + kind); err != nil {
		return err
	}
	_, err := db.sql.ExecContext(ctx, `INSERT INTO jobs (repo, kind, arg, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		repo, kind, arg, FormatTime(time.Now()))
	if err != nil {
		return fmt.Errorf("queue %s: %w", kind, err)
	}
	return nil
}

// Claim takes the oldest job of repo not claimed in the last stale
// duration, marking it claimed; ok is false when there is none.
func (db *DB) Claim(ctx context.Context, repo string, stale time.Duration) (Job, bool, error) {
	if err := db.local("claim job"); err != nil {
		return Job{}, false, err
	}
	now := time.Now()
	var j Job
	var created string
	err := db.sql.QueryRowContext(ctx, `UPDATE jobs SET claimed_at = ?, attempts = attempts + 1
		WHERE id = (SELECT id FROM jobs WHERE repo = ? AND (claimed_at = '' OR claimed_at < ?) ORDER BY id LIMIT 1)
		RETURNING id, repo, kind, arg, created_at, attempts, last_error`,
		FormatTime(now), repo, FormatTime(now.Add(-stale))).Scan(&j.ID, &j.Repo, &j.Kind, &j.Arg, &created, &j.Attempts, &j.LastErr)
	if errors.Is(err, sql.ErrNoRows) {
		return j, false, nil
	}
	if err != nil {
		return j, false, fmt.Errorf("claim job: %w", err)
	}
	j.Created = ParseTime(created)
	return j, true, nil
}

// Finish removes a job, or records its error for a later attempt.
func (db *DB) Finish(ctx context.Context, id int64, jobErr error) error {
	var err error
	if jobErr == nil {
		_, err = db.sql.ExecContext(ctx, `DELETE FROM jobs WHERE id = ?`, id)
	} else {
		_, err = db.sql.ExecContext(ctx, `UPDATE jobs SET claimed_at = '', last_error = ? WHERE id = ?`, jobErr.Error(), id)
	}
	if err != nil {
		return fmt.Errorf("finish job: %w", err)
	}
	return nil
}

// Jobs lists the queued jobs of repo ("" for all).
func (db *DB) Jobs(ctx context.Context, repo string) ([]Job, error) {
	var out []Job
	err := db.each(ctx, `SELECT id, repo, kind, arg, created_at, attempts, last_error FROM jobs WHERE ? = '' OR repo = ? ORDER BY id`,
		[]any{repo, repo}, func(r *sql.Rows) error {
			var j Job
			var created string
			if err := r.Scan(&j.ID, &j.Repo, &j.Kind, &j.Arg, &created, &j.Attempts, &j.LastErr); err != nil {
				return err
			}
			j.Created = ParseTime(created)
			out = append(out, j)
			return nil
		})
	return out, err
}
