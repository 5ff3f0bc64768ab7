package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrTooNew is returned by Open when the database was written by a newer
// aitrail whose schema this binary does not know.
var ErrTooNew = errors.New("database schema is newer than this aitrail")

// DB is an open aitrail database.
type DB struct {
	sql     *sql.DB
	path    string // the file, or a team database's URL redacted
	dialect dialect

	keyMu sync.Mutex
	key   []byte // the redaction key, once read

	raw rawEncoder // compresses pages of raw lines
}

// TimeFormat is how timestamps are stored: UTC with milliseconds, so that
// text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// FormatTime formats t for storage; the zero time becomes "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeFormat)
}

// ParseTime parses a stored timestamp; "" gives the zero time.
func ParseTime(s string) time.Time {
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Open opens a database. A path is the local SQLite database, created
// when missing (mode 0600 in a 0700 directory) and brought up to date. A
// postgres:// URL is a team database, opened for reading: its schema must
// be this binary's (aitrail push creates and upgrades it).
func Open(ctx context.Context, path string) (*DB, error) {
	if IsURL(path) {
		return openTeam(ctx, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	f.Close()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	sdb, err := sql.Open("sqlite", FileURI(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{sql: sdb, path: path}
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return db, nil
}

// FileURI returns the SQLite URI of a database file. Characters that URIs
// give a meaning are escaped: a '#' in a path would otherwise end the file
// name, and SQLite would open another file.
func FileURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// Path returns the database file's path, or a team database's URL with
// its password hidden.
func (db *DB) Path() string { return db.path }

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// SchemaVersion returns the schema version this binary writes.
func SchemaVersion() int { return len(migrations) }

func (db *DB) migrate(ctx context.Context) error {
	var v int
	// The connection's first statement also runs the DSN's pragmas; on a
	// new file, switching it to WAL needs a lock that another process
	// opening it at the same moment may hold, and SQLite then answers busy
	// without calling the busy handler: try again until ctx ends.
	start := time.Now()
	for wait := 10 * time.Millisecond; ; wait = min(wait*2, 200*time.Millisecond) {
		err := db.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
		if err == nil {
			break
		}
		if !isBusy(err) || ctx.Err() != nil || time.Since(start) > 30*time.Second {
			return fmt.Errorf("read schema version: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("read schema version: %w", err)
		case <-time.After(wait):
		}
	}
	if v > len(migrations) {
		return fmt.Errorf("%w (schema %d, this binary knows up to %d): upgrade aitrail or use another --db", ErrTooNew, v, len(migrations))
	}
	if v == len(migrations) {
		return nil
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	// Re-read inside the write lock: another process may have migrated.
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i].sqlite); err != nil {
			return fmt.Errorf("migrate to schema %d: %w", i+1, err)
		}
		if after := migrations[i].after; after != nil {
			if err := after(ctx, tx); err != nil {
				return fmt.Errorf("migrate to schema %d: %w", i+1, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	return tx.Commit()
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or SQLITE_LOCKED).
func isBusy(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		c := coded.Code() & 0xff
		return c == 5 || c == 6
	}
	return false
}

// IsCorrupt reports whether err says the database file is damaged or is
// not a SQLite database at all (SQLITE_CORRUPT, SQLITE_NOTADB).
func IsCorrupt(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff { // the primary result code
		case 11, 26:
			return true
		}
	}
	return false
}

// QuickCheck runs SQLite's quick integrity check over the whole file (it
// reads every page: seconds on a large database), and returns its first
// complaint as an error.
func (db *DB) QuickCheck(ctx context.Context) error {
	if db.Team() {
		return nil // the server checks its own storage
	}
	var res string
	if err := db.sql.QueryRowContext(ctx, `PRAGMA quick_check(1)`).Scan(&res); err != nil {
		return fmt.Errorf("check %s: %w", db.Path(), err)
	}
	if res != "ok" {
		return fmt.Errorf("check %s: %s", db.Path(), res)
	}
	return nil
}
