package store

import (
	"context"
	"database/sql"
)

// migration is one schema change, in both databases' forms: sqlite for
// the local database, postgres for a team database ("" where the change
// does not concern it). A team database has the tables that aitrail push
// fills, with the same names and columns as the local ones (what push
// sends is the columns both have), plus the member and machine of every
// row; it has no table of what stays local (watermarks, keys, queued
// work, manual redactions).
//
// Adding a column is one entry: its ALTER TABLE in both forms. Push then
// sends it, and queries that name it run on both.
type migration struct {
	sqlite, postgres string
	// after, when set, completes the SQLite migration with what SQL cannot
	// do, in the same transaction.
	after func(ctx context.Context, tx *sql.Tx) error
}

// migrations lists the schema changes in order; migration i brings a
// database from version i to i+1 (PRAGMA user_version on SQLite, the
// aitrail_schema table on PostgreSQL). Never edit a released migration:
// add a new one.
var migrations = []migration{
	// 1: the normalized store of agent logs.
	{sqlite: `
CREATE TABLE sources (
	id            INTEGER PRIMARY KEY,
	agent         TEXT    NOT NULL,
	path          TEXT    NOT NULL,
	path_key      TEXT    NOT NULL UNIQUE,
	size          INTEGER NOT NULL DEFAULT 0,
	mtime_ns      INTEGER NOT NULL DEFAULT 0,
	inode         INTEGER NOT NULL DEFAULT 0,
	offset        INTEGER NOT NULL DEFAULT 0,
	line          INTEGER NOT NULL DEFAULT 0,
	head_hash     TEXT    NOT NULL DEFAULT '',
	head_len      INTEGER NOT NULL DEFAULT 0,
	state         BLOB,
	good_lines    INTEGER NOT NULL DEFAULT 0,
	bad_lines     INTEGER NOT NULL DEFAULT 0,
	unknown_lines INTEGER NOT NULL DEFAULT 0,
	ingested_at   TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE sessions (
	id            INTEGER PRIMARY KEY,
	agent         TEXT NOT NULL,
	external_id   TEXT NOT NULL,
	parent_id     TEXT NOT NULL DEFAULT '',
	relation      TEXT NOT NULL DEFAULT '',
	source_id     INTEGER REFERENCES sources(id) ON DELETE SET NULL,
	cwd           TEXT NOT NULL DEFAULT '',
	git_remote    TEXT NOT NULL DEFAULT '',
	git_branch    TEXT NOT NULL DEFAULT '',
	git_commit    TEXT NOT NULL DEFAULT '',
	agent_version TEXT NOT NULL DEFAULT '',
	originator    TEXT NOT NULL DEFAULT '',
	title         TEXT NOT NULL DEFAULT '',
	model         TEXT NOT NULL DEFAULT '',
	started_at    TEXT NOT NULL DEFAULT '',
	ended_at      TEXT NOT NULL DEFAULT '',
	UNIQUE (agent, external_id)
);
CREATE INDEX sessions_started ON sessions (started_at);
CREATE INDEX sessions_cwd ON sessions (cwd);

CREATE TABLE prompts (
	id         INTEGER PRIMARY KEY,
	session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	key        TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	ts         TEXT    NOT NULL DEFAULT '',
	text       TEXT    NOT NULL DEFAULT '',
	context    TEXT    NOT NULL DEFAULT '',
	cwd        TEXT    NOT NULL DEFAULT '',
	model      TEXT    NOT NULL DEFAULT '',
	UNIQUE (session_id, key)
);
CREATE INDEX prompts_ts ON prompts (ts);
CREATE INDEX prompts_source ON prompts (source_id);

CREATE TABLE messages (
	id         INTEGER PRIMARY KEY,
	session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	prompt_id  INTEGER REFERENCES prompts(id) ON DELETE SET NULL,
	source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	key        TEXT    NOT NULL,
	ts         TEXT    NOT NULL DEFAULT '',
	kind       TEXT    NOT NULL,
	text       TEXT    NOT NULL DEFAULT '',
	UNIQUE (session_id, key)
);
CREATE INDEX messages_prompt ON messages (prompt_id);
CREATE INDEX messages_source ON messages (source_id);

CREATE TABLE tool_calls (
	id         INTEGER PRIMARY KEY,
	session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	prompt_id  INTEGER REFERENCES prompts(id) ON DELETE SET NULL,
	source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	call_id    TEXT    NOT NULL,
	ts         TEXT    NOT NULL DEFAULT '',
	name       TEXT    NOT NULL DEFAULT '',
	input      TEXT    NOT NULL DEFAULT '',
	output     TEXT    NOT NULL DEFAULT '',
	status     TEXT    NOT NULL DEFAULT '',
	ended_at   TEXT    NOT NULL DEFAULT '',
	UNIQUE (session_id, call_id)
);
CREATE INDEX tool_calls_prompt ON tool_calls (prompt_id);
CREATE INDEX tool_calls_source ON tool_calls (source_id);

CREATE TABLE file_edits (
	id         INTEGER PRIMARY KEY,
	session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	prompt_id  INTEGER REFERENCES prompts(id) ON DELETE SET NULL,
	source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	call_id    TEXT    NOT NULL DEFAULT '',
	ts         TEXT    NOT NULL DEFAULT '',
	path       TEXT    NOT NULL,
	repo_root  TEXT    NOT NULL DEFAULT '',
	rel_path   TEXT    NOT NULL DEFAULT '',
	move_path  TEXT    NOT NULL DEFAULT '',
	op         TEXT    NOT NULL,
	added      INTEGER NOT NULL DEFAULT 0,
	removed    INTEGER NOT NULL DEFAULT 0,
	diff       TEXT    NOT NULL DEFAULT '',
	via        TEXT    NOT NULL DEFAULT '',
	status     TEXT    NOT NULL DEFAULT 'applied',
	UNIQUE (session_id, call_id, path)
);
CREATE INDEX file_edits_path ON file_edits (path);
CREATE INDEX file_edits_ts ON file_edits (ts);
CREATE INDEX file_edits_prompt ON file_edits (prompt_id);
CREATE INDEX file_edits_source ON file_edits (source_id);

CREATE TABLE token_usage (
	id          INTEGER PRIMARY KEY,
	session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	prompt_id   INTEGER REFERENCES prompts(id) ON DELETE SET NULL,
	source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	ts          TEXT    NOT NULL DEFAULT '',
	model       TEXT    NOT NULL DEFAULT '',
	input       INTEGER NOT NULL DEFAULT 0,
	cache_read  INTEGER NOT NULL DEFAULT 0,
	cache_write INTEGER NOT NULL DEFAULT 0,
	cache_write_1h INTEGER NOT NULL DEFAULT 0,
	output      INTEGER NOT NULL DEFAULT 0,
	reasoning   INTEGER NOT NULL DEFAULT 0,
	dedupe_key  TEXT UNIQUE,
	grp         TEXT    NOT NULL DEFAULT '',
	sidechain   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX token_usage_session ON token_usage (session_id);
CREATE INDEX token_usage_ts ON token_usage (ts);
CREATE INDEX token_usage_grp ON token_usage (grp) WHERE grp != '';
CREATE INDEX token_usage_source ON token_usage (source_id);

CREATE TABLE links (
	id         INTEGER PRIMARY KEY,
	session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	ts         TEXT    NOT NULL DEFAULT '',
	kind       TEXT    NOT NULL,
	url        TEXT    NOT NULL,
	title      TEXT    NOT NULL DEFAULT '',
	UNIQUE (session_id, kind, url)
);

CREATE TABLE raw_records (
	id        INTEGER PRIMARY KEY,
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	line      INTEGER NOT NULL,
	offset    INTEGER NOT NULL,
	json      TEXT    NOT NULL,
	UNIQUE (source_id, line)
);

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
);

CREATE TABLE redactions (
	id               INTEGER PRIMARY KEY,
	source_id        INTEGER REFERENCES sources(id) ON DELETE CASCADE,
	tbl              TEXT    NOT NULL,
	row_id           INTEGER NOT NULL,
	field            TEXT    NOT NULL,
	rule_id          TEXT    NOT NULL,
	rule_fingerprint TEXT    NOT NULL,
	value_hash       TEXT    NOT NULL,
	count            INTEGER NOT NULL DEFAULT 1,
	actor            TEXT    NOT NULL DEFAULT 'rule',
	created_at       TEXT    NOT NULL
);
CREATE INDEX redactions_row ON redactions (tbl, row_id);
CREATE INDEX redactions_rule ON redactions (rule_id);
CREATE INDEX redactions_source ON redactions (source_id);
`, postgres: teamSchema1},
	// 2: annotated commits and the hooks' work queue.
	{sqlite: `
CREATE TABLE commits (
	id           INTEGER PRIMARY KEY,
	repo         TEXT    NOT NULL,
	sha          TEXT    NOT NULL,
	parent       TEXT    NOT NULL DEFAULT '',
	committed_at TEXT    NOT NULL DEFAULT '',
	status       TEXT    NOT NULL,
	note_hash    TEXT    NOT NULL DEFAULT '',
	added_lines  INTEGER NOT NULL DEFAULT 0,
	ai_lines     INTEGER NOT NULL DEFAULT 0,
	origin       TEXT    NOT NULL DEFAULT '',
	updated_at   TEXT    NOT NULL,
	UNIQUE (repo, sha)
);
CREATE INDEX commits_repo_time ON commits (repo, committed_at);

CREATE TABLE commit_prompts (
	commit_id  INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
	agent      TEXT    NOT NULL,
	session    TEXT    NOT NULL,
	prompt_key TEXT    NOT NULL,
	role       TEXT    NOT NULL,
	PRIMARY KEY (commit_id, agent, session, prompt_key)
);

CREATE TABLE commit_files (
	commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
	path      TEXT    NOT NULL,
	added     INTEGER NOT NULL,
	ai_added  INTEGER NOT NULL,
	PRIMARY KEY (commit_id, path)
);

CREATE TABLE jobs (
	id         INTEGER PRIMARY KEY,
	repo       TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	arg        TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	claimed_at TEXT    NOT NULL DEFAULT '',
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT    NOT NULL DEFAULT '',
	UNIQUE (repo, kind, arg)
);
`, postgres: teamSchema2},
	// 3: manual redactions. A literal is kept as a print (length, rolling
	// hash, keyed hash), never as its value; a pattern is kept as written.
	// They stay local.
	{sqlite: `
CREATE TABLE manual_redactions (
	id           INTEGER PRIMARY KEY,
	kind         TEXT    NOT NULL,
	pattern      TEXT    NOT NULL DEFAULT '',
	literal_len  INTEGER NOT NULL DEFAULT 0,
	literal_roll INTEGER NOT NULL DEFAULT 0,
	literal_hash TEXT    NOT NULL DEFAULT '',
	scope        TEXT    NOT NULL DEFAULT 'global',
	agent        TEXT    NOT NULL DEFAULT '',
	session      TEXT    NOT NULL DEFAULT '',
	prompt_key   TEXT    NOT NULL DEFAULT '',
	prompt_seq   INTEGER NOT NULL DEFAULT 0,
	field        TEXT    NOT NULL DEFAULT '',
	replacement  TEXT    NOT NULL DEFAULT '',
	actor        TEXT    NOT NULL,
	reason       TEXT    NOT NULL DEFAULT '',
	active       INTEGER NOT NULL DEFAULT 1,
	created_at   TEXT    NOT NULL,
	updated_at   TEXT    NOT NULL
);
CREATE INDEX manual_redactions_active ON manual_redactions (active);
`},
	// 4: links name the prompt they came from (an agent's own commit of a
	// prompt's edits, as Aider logs it).
	{sqlite: `
ALTER TABLE links ADD COLUMN prompt_id INTEGER REFERENCES prompts(id) ON DELETE SET NULL;
`, postgres: `
ALTER TABLE links ADD COLUMN prompt_id BIGINT;
`},
	// 5: what changed since a push. Triggers mark the session (commit, log
	// file) of every row written, rewritten or deleted with the current
	// epoch; a push advances the epoch and sends what changed after the
	// epoch it last sent. Triggers rather than the writers, so that every
	// way of writing is covered, redaction rewrites included.
	{sqlite: `
CREATE TABLE changes (
	kind TEXT    NOT NULL,
	id   INTEGER NOT NULL,
	rev  INTEGER NOT NULL,
	PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX changes_rev ON changes (kind, rev);
CREATE TABLE change_epoch (epoch INTEGER NOT NULL);
INSERT INTO change_epoch (epoch) VALUES (1);
` + changeTriggers5},
	// 6: paths compared by keys, tokens charged once. A compared path is
	// stored as its key chain (see PathKeys) beside its redacted display
	// form; the keys stay local (made with this database's secret, they
	// compare with nothing elsewhere). commit_charges records which API
	// calls each commit's note counts, so that no call is counted in two
	// notes; push sends it with its commit.
	{sqlite: `
ALTER TABLE file_edits ADD COLUMN path_key TEXT NOT NULL DEFAULT '';
ALTER TABLE file_edits ADD COLUMN move_key TEXT NOT NULL DEFAULT '';
CREATE INDEX file_edits_key ON file_edits (path_key) WHERE path_key != '';
ALTER TABLE sessions ADD COLUMN cwd_key TEXT NOT NULL DEFAULT '';
ALTER TABLE prompts ADD COLUMN cwd_key TEXT NOT NULL DEFAULT '';

CREATE TABLE commit_charges (
	commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
	call      TEXT    NOT NULL,
	PRIMARY KEY (commit_id, call)
);
CREATE INDEX commit_charges_call ON commit_charges (call);
CREATE TRIGGER commit_charges_changed_ins AFTER INSERT ON commit_charges BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('commit', NEW.commit_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER commit_charges_changed_del AFTER DELETE ON commit_charges BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('commit', OLD.commit_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
`, postgres: `
CREATE TABLE commit_charges (
	member       TEXT COLLATE "C" NOT NULL,
	machine      TEXT COLLATE "C" NOT NULL,
	commit_id    BIGINT NOT NULL,
	committed_at TEXT COLLATE "C" NOT NULL DEFAULT '',
	call         TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (member, committed_at, commit_id, call)
);
CREATE INDEX commit_charges_commit ON commit_charges (commit_id);
CREATE INDEX commit_charges_call ON commit_charges (call);
`},
	// 7: lines credited once, rewritten commits marked. commit_credits
	// records how many of each line an edit added a commit's note credits
	// to the agent, so that no line the agent wrote once is credited to two
	// commits of one history (see Credit); the lines are hashes, the edits
	// durable keys, and they stay local. A commit that a rewrite (amend,
	// rebase) replaced names its replacement in replaced_by: it no longer
	// counts (see CommitCounts).
	{sqlite: `
ALTER TABLE commits ADD COLUMN replaced_by TEXT NOT NULL DEFAULT '';
CREATE TABLE commit_credits (
	commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
	edit      TEXT    NOT NULL,
	line      TEXT    NOT NULL,
	n         INTEGER NOT NULL,
	PRIMARY KEY (commit_id, edit, line)
);
CREATE INDEX commit_credits_edit ON commit_credits (edit);
`, postgres: `
ALTER TABLE commits ADD COLUMN replaced_by TEXT COLLATE "C" NOT NULL DEFAULT '';
`},
	// 8: raw lines kept in compressed pages (see raw.go): a page holds the
	// lines of one log that one batch read, with the numbers of its first
	// and last line, the offset of the last, how many lines and bytes it
	// holds (uncompressed); the old rows move into
	// pages (convertRawLines). A team database keeps a row per line: push
	// sends the lines of the pages. Sources are indexed by agent and
	// modification time, for the logs a hook looks at (RecentSources), and
	// by what tells whether a log changed, which is read from the index
	// alone (Sources) instead of rows that hold the decoders' states.
	{sqlite: `
DROP TRIGGER raw_records_changed_upd;
DROP TRIGGER raw_records_changed_del;
ALTER TABLE raw_records RENAME TO raw_lines_v6;
CREATE TABLE raw_records (
	id          INTEGER PRIMARY KEY,
	source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	first_line  INTEGER NOT NULL,
	last_line   INTEGER NOT NULL,
	last_offset INTEGER NOT NULL,
	count       INTEGER NOT NULL,
	size        INTEGER NOT NULL,
	lines       BLOB    NOT NULL
);
CREATE INDEX raw_records_source ON raw_records (source_id, first_line);
CREATE INDEX sources_recent ON sources (agent, mtime_ns);
CREATE INDEX sources_watermark ON sources (path_key, size, mtime_ns, inode, offset);
CREATE TRIGGER raw_records_changed_upd AFTER UPDATE ON raw_records BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('source', OLD.source_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
	INSERT INTO changes (kind, id, rev) VALUES ('source', NEW.source_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
CREATE TRIGGER raw_records_changed_del AFTER DELETE ON raw_records BEGIN
	INSERT INTO changes (kind, id, rev) VALUES ('source', OLD.source_id, (SELECT epoch FROM change_epoch))
		ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev WHERE rev != excluded.rev;
END;
`, after: convertRawLines},
}
