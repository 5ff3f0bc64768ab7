package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// errNoDatabase is openDB's error when the database was never created.
var errNoDatabase = errors.New("no database")

// openDB opens the local database the options name. Unless create, a
// database that was never created is an error (errNoDatabase) with a hint,
// so that a query does not leave an empty file behind. A team database is
// refused: what writes, or reads what stays local, works on the local one.
func (e *env) openDB(create bool) (*store.DB, error) {
	f, err := e.config()
	if err != nil {
		return nil, err
	}
	path := e.cfgPaths().DBPath(e.dbFlag, f)
	if store.IsURL(path) {
		return nil, fmt.Errorf("%s: %w", store.RedactURL(path), store.ErrTeamReadOnly)
	}
	if !create {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s: run 'aitrail ingest' first (or pass --db)", errNoDatabase, path)
		}
	}
	return store.Open(e.ctx, path)
}

// openRedacting opens the database and builds the redaction engine its
// rows were redacted with.
func (e *env) openRedacting(create bool) (*store.DB, *redact.Engine, error) {
	db, err := e.openDB(create)
	if err != nil {
		return nil, nil, err
	}
	return e.withEngine(db, db)
}

// withEngine returns db with the redaction engine of keys (the local
// database whose key and manual redactions apply; nil for none); db is
// closed when the engine cannot be built.
func (e *env) withEngine(db, keys *store.DB) (*store.DB, *redact.Engine, error) {
	eng, err := e.engine(keys)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, eng, nil
}

// openReader opens the database a read command (sessions, show, stats,
// export, release-notes) reads: the local one, or the team database a
// postgres:// --db or AITRAIL_DB names. The engine redacts what the user types (a --repo path)
// the way stored text was redacted; for a team database it has neither
// the local key nor the manual redactions, which never leave the machine.
func (e *env) openReader() (*store.DB, *redact.Engine, error) {
	f, err := e.config()
	if err != nil {
		return nil, nil, err
	}
	path := e.cfgPaths().DBPath(e.dbFlag, f)
	if !store.IsURL(path) {
		return e.openRedacting(false)
	}
	db, err := store.Open(e.ctx, path)
	if err != nil {
		return nil, nil, err
	}
	return e.withEngine(db, nil)
}

// openExisting opens the database when there is one (nil when it was never
// created) and builds the redaction engine, for the commands that also work
// without a database (release-notes reads notes).
func (e *env) openExisting() (*store.DB, *redact.Engine, error) {
	f, err := e.config()
	if err != nil {
		return nil, nil, err
	}
	path := e.cfgPaths().DBPath(e.dbFlag, f)
	if store.IsURL(path) {
		return e.openReader()
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		eng, err := e.engine(nil)
		return nil, eng, err
	}
	return e.openRedacting(false)
}

// repoKey names a repository in the database: a keyed hash of its worktree
// root, so that no path is stored. A team database has no key of its own
// (each member's rows name repositories by theirs): "".
func repoKey(e *env, db *store.DB, root string) (string, error) {
	if db.Team() {
		return "", nil
	}
	k, err := db.PathKey(e.ctx, root)
	return "repo:" + k, err
}

// repoNotes opens the repository of the working directory and names the
// notes ref the config chooses.
func (e *env) repoNotes() (*gitlog.Repo, string, error) {
	repo, err := openRepo()
	if err != nil {
		return nil, "", err
	}
	ref, err := e.notesRef()
	return repo, ref, err
}

// openRepo opens the repository of the working directory.
func openRepo() (*gitlog.Repo, error) {
	repo, err := gitlog.Open(".")
	if errors.Is(err, gitlog.ErrNotRepository) {
		return nil, fmt.Errorf("%w: run this inside a git repository", err)
	}
	return repo, err
}
