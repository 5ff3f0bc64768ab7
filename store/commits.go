package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Edit is a file edit with the session and prompt it belongs to: what
// correlation weighs against a commit's diff.
type Edit struct {
	EditInfo
	Root         string // repository root recorded at ingest ("" when unknown), redacted
	PathKey      string // keys of the edit's canonical paths (see PathKeys)
	MoveKey      string
	Agent        string
	SessionID    string
	AgentVersion string
	PromptKey    string
	PromptSeq    int
	PromptTime   time.Time
	PromptText   string
	Model        string // the prompt's model, else the session's
}

// Key is the edit's durable identity, which survives re-reading its log:
// agent, session, call and the key of the file's path. Credits name edits
// by it.
func (e Edit) Key() string {
	return e.Agent + ":" + e.SessionID + "/" + e.CallID + "/" + e.PathKey
}

// EditsUnder returns the applied edits of files inside the directories
// whose keys are given (see PathKeys) made between from and to, oldest
// first.
func (db *DB) EditsUnder(ctx context.Context, keys []string, from, to time.Time) ([]Edit, error) {
	cond, args := inside("e.path_key", keys)
	return db.editsWhere(ctx, cond+` AND e.ts >= ? AND e.ts <= ?`, append(args, FormatTime(from), FormatTime(to))...)
}

// editsWhere returns the applied edits that match cond, oldest first, with
// their sessions and prompts.
func (db *DB) editsWhere(ctx context.Context, cond string, args ...any) ([]Edit, error) {
	var out []Edit
	err := db.each(ctx, `SELECT e.id, e.session_id, COALESCE(e.prompt_id, 0), e.call_id, e.ts, e.path, e.rel_path, e.move_path,
			e.op, e.added, e.removed, e.diff, e.via, e.status, e.repo_root, e.path_key, e.move_key,
			s.agent, s.external_id, s.agent_version, COALESCE(p.key, ''), COALESCE(p.seq, 0), COALESCE(p.ts, ''),
			COALESCE(p.text, ''), COALESCE(NULLIF(p.model, ''), s.model)
		FROM file_edits e JOIN sessions s ON s.id = e.session_id LEFT JOIN prompts p ON p.id = e.prompt_id
		WHERE e.status = 'applied' AND `+cond+` ORDER BY e.ts, e.id`, args, func(r *sql.Rows) error {
		var e Edit
		var ts, pts string
		if err := r.Scan(&e.ID, &e.Session, &e.PromptID, &e.CallID, &ts, &e.Path, &e.RelPath, &e.MovePath,
			&e.Op, &e.Added, &e.Removed, &e.Diff, &e.Via, &e.Status, &e.Root, &e.PathKey, &e.MoveKey,
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
// worked inside the directories whose keys are given (see PathKeys): a
// prompt's or its session's cwd is one of them or inside one, or the
// session edited a file inside one.
func (db *DB) PromptsUnder(ctx context.Context, keys []string, from, to time.Time) ([]PromptRef, error) {
	pc, pargs := inside("p.cwd_key", keys)
	sc, sargs := inside("s.cwd_key", keys)
	ec, eargs := inside("e.path_key", keys)
	args := append(append(append(append([]any{}, pargs...), sargs...), eargs...), FormatTime(from), FormatTime(to))
	var out []PromptRef
	err := db.each(ctx, promptRefSelect+` WHERE (`+pc+` OR `+sc+`
		OR EXISTS (SELECT 1 FROM file_edits e WHERE e.session_id = s.id AND `+ec+`))
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

// callKey is the durable identity of an API call (a token_usage row u of
// session s), which survives re-reading its log: the de-duplication key
// where the agent gives one, else the session, time, model and counts.
const callKey = `COALESCE(u.dedupe_key, s.agent || ':' || s.external_id || '@' || u.ts || '/' || u.model || '/' ||
	u.input || '/' || u.output || '/' || u.cache_read || '/' || u.cache_write)`

// ChargeQuery says which API calls a commit's note may count. Each call is
// charged to one commit of a repository: the first whose note counted it.
type ChargeQuery struct {
	Repo string // the repository, as in commits
	SHA  string // the commit ("" for changes not committed yet: nothing is charged to them)
	// Origins are the commits it was rewritten or cherry-picked from:
	// what was charged to them is charged to it too, so that its figure is
	// theirs.
	Origins []string
	Prompts []int64   // the prompts linked to the commit or counted as context
	Until   time.Time // calls made later are left to later commits
	// Taken are calls that commits annotated before this one in the same
	// run count, not recorded yet.
	Taken map[string]bool
}

// Charge is what a commit's note counts: the calls of its prompts charged
// to it before (or to its origins), and those charged to no commit yet
// made until then.
type Charge struct {
	Tokens []ModelTokens // per model
	Calls  []string      // the calls' identities, recorded by SaveCommit
	// Sessions is the total so far (until ChargeQuery.Until) of the
	// sessions the prompts belong to, charged here or elsewhere.
	Sessions Tokens
}

// Charge works out what a commit's note counts, pricing each API call with
// price (nil: no cost). It writes nothing: SaveCommit records the calls.
func (db *DB) Charge(ctx context.Context, q ChargeQuery, price Pricer) (Charge, error) {
	var c Charge
	if len(q.Prompts) == 0 {
		return c, nil
	}
	ph, pargs := placeholders(q.Prompts)
	mine := append([]string{q.SHA}, q.Origins...)
	mph := strings.TrimSuffix(strings.Repeat("?,", len(mine)), ",")
	var margs []any
	for _, m := range mine {
		margs = append(margs, m)
	}
	until := FormatTime(q.Until)
	args := append(append(append(append(append([]any{}, pargs...), q.Repo), margs...), q.Repo), margs...)
	byModel := map[string]int{}
	err := db.each(ctx, `WITH x AS (SELECT u.id, u.ts, u.model, u.input, u.output, u.cache_write, u.cache_read, u.reasoning,
			u.cache_write_1h, `+callKey+` AS call
			FROM token_usage u JOIN sessions s ON s.id = u.session_id WHERE u.prompt_id IN (`+ph+`) AND `+usageCounts+`)
		SELECT x.ts, x.model, x.input, x.output, x.cache_write, x.cache_read, x.reasoning, x.cache_write_1h, x.call,
			EXISTS (SELECT 1 FROM commit_charges ch JOIN commits c ON c.id = ch.commit_id
				WHERE ch.call = x.call AND c.repo = ? AND c.sha IN (`+mph+`)),
			EXISTS (SELECT 1 FROM commit_charges ch JOIN commits c ON c.id = ch.commit_id
				WHERE ch.call = x.call AND c.repo = ? AND c.sha NOT IN (`+mph+`))
		FROM x ORDER BY x.model, x.id`, args, func(r *sql.Rows) error {
		var ts, model, call string
		var t Tokens
		var charged, elsewhere bool
		dest := append(append([]any{&ts, &model}, t.dest()...), &call, &charged, &elsewhere)
		if err := r.Scan(dest...); err != nil {
			return err
		}
		if !charged && (elsewhere || q.Taken[call] || ts > until) {
			return nil
		}
		t.scanned()
		i, ok := byModel[model]
		if !ok {
			i = len(c.Tokens)
			byModel[model] = i
			c.Tokens = append(c.Tokens, ModelTokens{Model: model})
		}
		m := &c.Tokens[i]
		m.Tokens.Add(t)
		if price != nil {
			if cost, ok := price(model, t); ok {
				m.Cost += cost
				m.Priced = true
			}
		}
		c.Calls = append(c.Calls, call)
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("charge tokens: %w", err)
	}
	sort.Strings(c.Calls)
	c.Calls = slices.Compact(c.Calls)
	err = db.sql.QueryRowContext(ctx, `SELECT `+db.dialect.tokenSums()+`
		FROM token_usage WHERE ts <= ? AND `+usageCounts+` AND session_id IN (SELECT session_id FROM prompts WHERE id IN (`+ph+`))`,
		append([]any{until}, pargs...)...).Scan(c.Sessions.dest()...)
	if err != nil {
		return c, fmt.Errorf("session tokens: %w", err)
	}
	c.Sessions.scanned()
	return c, nil
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
	Calls       []string `json:"-"` // the API calls its note counts (see Charge)
	Credits     []Credit `json:"-"` // the agents' lines its note credits (SHA unused)
	// Replaced are the commits it replaces (amend, rebase): what their
	// notes counted and credited is now this one's only, and they no
	// longer count (see CommitCounts).
	Replaced []string `json:"-"`
}

// Credit says that a commit's note credits an agent with n of the lines
// (equal once whitespace is collapsed) that one edit added: Line is a hash
// of the line, Edit the edit's Key. An edit's line is credited at most as
// many times as the edit added it along one line of history: correlation
// leaves to later commits only what earlier ones did not take.
type Credit struct {
	SHA  string
	Edit string
	Line string
	N    int
}

// CommitCounts is the condition, on a commits row c, that the commit still
// counts: no rewrite replaced it. Every listing of recorded commits (export,
// stats, the HTML report) uses it.
const CommitCounts = "c.replaced_by = ''"

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
			ai_lines = excluded.ai_lines, origin = excluded.origin, updated_at = excluded.updated_at, replaced_by = ''
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
	for _, sha := range append([]string{c.SHA}, c.Replaced...) {
		for _, q := range []string{`DELETE FROM commit_charges WHERE commit_id IN (SELECT id FROM commits WHERE repo = ? AND sha = ?)`,
			`DELETE FROM commit_credits WHERE commit_id IN (SELECT id FROM commits WHERE repo = ? AND sha = ?)`} {
			if _, err := tx.ExecContext(ctx, q, c.Repo, sha); err != nil {
				return fmt.Errorf("save commit: %w", err)
			}
		}
		if sha != c.SHA {
			if _, err := tx.ExecContext(ctx, `UPDATE commits SET replaced_by = ? WHERE repo = ? AND sha = ?`, c.SHA, c.Repo, sha); err != nil {
				return fmt.Errorf("save commit: %w", err)
			}
		}
	}
	for _, cr := range c.Credits {
		if _, err := tx.ExecContext(ctx, `INSERT INTO commit_credits (commit_id, edit, line, n) VALUES (?, ?, ?, ?)
			ON CONFLICT (commit_id, edit, line) DO UPDATE SET n = n + excluded.n`, id, cr.Edit, cr.Line, cr.N); err != nil {
			return fmt.Errorf("save commit credits: %w", err)
		}
	}
	for _, call := range c.Calls {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO commit_charges (commit_id, call) VALUES (?, ?)`, id, call); err != nil {
			return fmt.Errorf("save commit charges: %w", err)
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

// Credits returns what the commits of repo credit of the given edits (by
// Key), each commit's credits of one line of one edit in one entry.
func (db *DB) Credits(ctx context.Context, repo string, edits []string) ([]Credit, error) {
	var out []Credit
	for len(edits) > 0 {
		n := min(len(edits), 500)
		args := []any{repo}
		for _, e := range edits[:n] {
			args = append(args, e)
		}
		err := db.each(ctx, `SELECT c.sha, cr.edit, cr.line, cr.n FROM commit_credits cr JOIN commits c ON c.id = cr.commit_id
			WHERE c.repo = ? AND cr.edit IN (`+strings.TrimSuffix(strings.Repeat("?,", n), ",")+`) ORDER BY c.sha, cr.edit, cr.line`,
			args, func(r *sql.Rows) error {
				var c Credit
				err := r.Scan(&c.SHA, &c.Edit, &c.Line, &c.N)
				out = append(out, c)
				return err
			})
		if err != nil {
			return nil, fmt.Errorf("credits: %w", err)
		}
		edits = edits[n:]
	}
	return out, nil
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
	// A job queued again (a push after each commit) is tried anew, even
	// when it had failed MaxAttempts times.
	_, err := db.sql.ExecContext(ctx, `INSERT INTO jobs (repo, kind, arg, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (repo, kind, arg) DO UPDATE SET attempts = 0 WHERE attempts >= ?`,
		repo, kind, arg, FormatTime(time.Now()), MaxAttempts)
	if err != nil {
		return fmt.Errorf("queue %s: %w", kind, err)
	}
	return nil
}

// MaxAttempts is how many times a job is tried: one that failed as often
// stays queued with its error, for status to show, and is not tried again
// unless it is queued again.
const MaxAttempts = 3

// Claim takes the oldest job of repo after the job numbered after (0: any)
// not claimed in the last stale duration and not failed MaxAttempts times,
// marking it claimed; ok is false when there is none. A worker passes the
// last job it claimed, so that it tries each job once.
func (db *DB) Claim(ctx context.Context, repo string, after int64, stale time.Duration) (Job, bool, error) {
	if err := db.local("claim job"); err != nil {
		return Job{}, false, err
	}
	now := time.Now()
	var j Job
	var created string
	err := db.sql.QueryRowContext(ctx, `UPDATE jobs SET claimed_at = ?, attempts = attempts + 1
		WHERE id = (SELECT id FROM jobs WHERE repo = ? AND id > ? AND attempts < ? AND (claimed_at = '' OR claimed_at < ?)
			ORDER BY id LIMIT 1)
		RETURNING id, repo, kind, arg, created_at, attempts, last_error`,
		FormatTime(now), repo, after, MaxAttempts, FormatTime(now.Add(-stale))).Scan(&j.ID, &j.Repo, &j.Kind, &j.Arg, &created, &j.Attempts, &j.LastErr)
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
