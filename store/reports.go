package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// SessionRef names a session durably: its agent and the agent's id of it.
type SessionRef struct {
	Agent, ID string
}

// Key is the map key the lookups below return sessions by.
func (r SessionRef) Key() string { return r.Agent + "\x00" + r.ID }

// WithoutUsage returns, keyed by SessionRef.Key, the stored sessions among
// refs that hold no token usage at all (their agent's log recorded none).
func (db *DB) WithoutUsage(ctx context.Context, refs []SessionRef) (map[string]bool, error) {
	out := map[string]bool{}
	for _, ref := range refs {
		var n int
		err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions s WHERE s.agent = ? AND s.external_id = ?
			AND NOT EXISTS (SELECT 1 FROM token_usage u WHERE u.session_id = s.id)`, ref.Agent, ref.ID).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("sessions without token usage: %w", err)
		}
		if n > 0 {
			out[ref.Key()] = true
		}
	}
	return out, nil
}

// SessionsByRef returns the stored sessions among refs, with their links
// (pull requests the agent opened), both keyed by SessionRef.Key. Sessions
// the database does not hold are left out.
func (db *DB) SessionsByRef(ctx context.Context, refs []SessionRef) (map[string]SessionInfo, map[string][]LinkInfo, error) {
	infos := map[string]SessionInfo{}
	links := map[string][]LinkInfo{}
	for _, ref := range refs {
		rows, err := db.sql.QueryContext(ctx, db.dialect.sessionSelect()+` WHERE s.agent = ? AND s.external_id = ?`, ref.Agent, ref.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("find session: %w", err)
		}
		var found []SessionInfo
		for rows.Next() {
			s, err := scanSession(rows)
			if err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("find session: %w", err)
			}
			found = append(found, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
		for _, s := range found {
			infos[ref.Key()] = s
			err := db.each(ctx, `SELECT ts, kind, url, title FROM links WHERE session_id = ? ORDER BY ts, id`, []any{s.ID}, func(r *sql.Rows) error {
				var l LinkInfo
				var ts string
				if err := r.Scan(&ts, &l.Kind, &l.URL, &l.Title); err != nil {
					return err
				}
				l.Time = ParseTime(ts)
				links[ref.Key()] = append(links[ref.Key()], l)
				return nil
			})
			if err != nil {
				return nil, nil, err
			}
		}
	}
	return infos, links, nil
}

// CommitStatuses returns what is recorded of each of shas in repo ("": in
// any repository, as on a team database, where each member names
// repositories by keys of their own): CommitAnnotated or CommitNoAI, by
// sha, annotated when any record says so; unrecorded commits are left out.
func (db *DB) CommitStatuses(ctx context.Context, repo string, shas []string) (map[string]string, error) {
	out := map[string]string{}
	for len(shas) > 0 {
		n := min(len(shas), 500)
		args := []any{repo, repo}
		for _, s := range shas[:n] {
			args = append(args, s)
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", n), ",")
		err := db.each(ctx, `SELECT sha, status FROM commits WHERE (? = '' OR repo = ?) AND sha IN (`+ph+`)
			ORDER BY status DESC`, args, func(r *sql.Rows) error {
			var sha, status string
			err := r.Scan(&sha, &status)
			out[sha] = status
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("commit statuses: %w", err)
		}
		shas = shas[n:]
	}
	return out, nil
}

// charges says which commit's note counts each API call: byCall from
// commit_charges (the earliest commit, when cherry-picks copied a charge),
// and, for commits recorded before charges were (none in commit_charges),
// byPrompt maps each prompt they carry (as author or context) to the first
// of them by commit time, as their notes counted it.
type charges struct {
	byCall   map[string]ExportCommit
	byPrompt map[int64]ExportCommit
}

// commitOf returns the commit whose note counts the call of a prompt (of a
// member's session, on a team database: members' call keys may be alike).
func (c charges) commitOf(member, call string, prompt int64) (ExportCommit, bool) {
	if ec, ok := c.byCall[member+"|"+call]; ok {
		return ec, true
	}
	ec, ok := c.byPrompt[prompt]
	return ec, ok
}

func (db *DB) chargedCommits(ctx context.Context) (charges, error) {
	var c charges
	var err error
	c.byCall, err = firstCommits[string](ctx, db, `SELECT `+db.dialect.member("c")+` || '|' || ch.call, c.sha, c.committed_at,
		c.added_lines, c.ai_lines FROM commit_charges ch JOIN commits c ON c.id = ch.commit_id WHERE `+CommitCounts+`
		ORDER BY c.committed_at, c.id`)
	if err != nil {
		return c, err
	}
	c.byPrompt, err = firstCommits[int64](ctx, db, `SELECT p.id, c.sha, c.committed_at, c.added_lines, c.ai_lines FROM prompts p
		JOIN sessions s ON s.id = p.session_id
		JOIN commit_prompts cp ON cp.agent = s.agent AND cp.session = s.external_id AND cp.prompt_key = p.key
			AND `+db.dialect.member("cp")+` = `+db.dialect.member("s")+`
		JOIN commits c ON c.id = cp.commit_id
		WHERE `+CommitCounts+` AND NOT EXISTS (SELECT 1 FROM commit_charges ch WHERE ch.commit_id = c.id)
		ORDER BY p.id, c.committed_at, c.id`)
	return c, err
}

// firstCommits maps each key a query selects (its first column) to the
// commit of the first of its rows (sha, committed_at, added_lines,
// ai_lines), in the query's order.
func firstCommits[K comparable](ctx context.Context, db *DB, query string) (map[K]ExportCommit, error) {
	out := map[K]ExportCommit{}
	err := db.each(ctx, query, nil, func(r *sql.Rows) error {
		var k K
		var at string
		var c ExportCommit
		if err := r.Scan(&k, &c.SHA, &at, &c.Added, &c.AI); err != nil {
			return err
		}
		if _, ok := out[k]; !ok {
			c.CommittedAt = ParseTime(at)
			out[k] = c
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("charged commits: %w", err)
	}
	return out, nil
}

// sessionRepos maps each session to its repository as stored (redacted):
// the repository root most of its edits were in, else its working
// directory.
func (db *DB) sessionRepos(ctx context.Context) (map[int64]string, error) {
	out := map[int64]string{}
	err := db.each(ctx, `SELECT s.id, COALESCE((SELECT e.repo_root FROM file_edits e WHERE e.session_id = s.id AND e.repo_root != ''
		GROUP BY e.repo_root ORDER BY COUNT(*) DESC, e.repo_root LIMIT 1), s.cwd) FROM sessions s`, nil, func(r *sql.Rows) error {
		var id int64
		var repo string
		err := r.Scan(&id, &repo)
		out[id] = repo
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("session repositories: %w", err)
	}
	return out, nil
}
