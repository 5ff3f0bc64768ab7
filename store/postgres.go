package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// connectTimeout is how long connecting to a team database may take when
// its URL sets no connect_timeout: a server that is down or does not
// answer is an error after this long, never a hang.
const connectTimeout = 10 * time.Second

// teamConfig parses a team database URL. Connection settings, TLS
// (sslmode, sslrootcert, sslcert, sslkey) and the password come from the
// URL, or from libpq's environment (PGPASSWORD, PGSSLMODE, …) and
// ~/.pgpass where the URL leaves them out.
func teamConfig(rawURL string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// pgx's message quotes the URL; say what is wrong without it.
		msg := err.Error()
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) {
			msg = pe.Unwrap().Error()
		}
		return nil, fmt.Errorf("team database %s: invalid URL: %s", RedactURL(rawURL), scrub(msg, rawURL))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "aitrail"
	}
	return cfg, nil
}

// teamError turns a connection or server error into one line that names the
// database by its redacted URL, with a hint where one helps.
func teamError(rawURL string, err error) error {
	if err == nil {
		return nil
	}
	where := "team database " + RedactURL(rawURL)
	var pgErr *pgconn.PgError
	var netErr net.Error
	switch {
	case errors.As(err, &pgErr):
		msg := pgErr.Message
		switch pgErr.Code {
		case "28P01", "28000":
			msg += " (check the user and password: the URL, PGPASSWORD or ~/.pgpass)"
		case "3D000":
			msg += " (create it first: see docs/team.md)"
		case "42501":
			msg += " (this role may not do that: see docs/team.md for the roles)"
		}
		return &teamErr{where + ": " + scrub(msg, rawURL), err}
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("%s: no answer within the timeout (is the server up and reachable? set connect_timeout=SECONDS in the URL to wait longer)", where)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		err = ce.Unwrap()
	}
	// pgx tries each address (and TLS, then not) and joins their errors
	// one per line, often the same: each is said once.
	var parts []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" && !slices.Contains(parts, l) {
			parts = append(parts, l)
		}
	}
	msg := strings.Join(parts, "; ")
	if strings.Contains(msg, "connection refused") {
		msg += " (is the server running, and is the host and port right?)"
	}
	return &teamErr{where + ": " + scrub(msg, rawURL), err}
}

// teamErr is an error about a team database: its message is one line
// without the password; what it wraps stays reachable for errors.Is.
type teamErr struct {
	msg string
	err error
}

func (e *teamErr) Error() string { return e.msg }
func (e *teamErr) Unwrap() error { return e.err }

// scrub removes the URL's password from a message, whatever quoted it.
func scrub(msg, rawURL string) string {
	if cfg, err := pgconn.ParseConfig(rawURL); err == nil && len(cfg.Password) >= 3 {
		msg = strings.ReplaceAll(msg, cfg.Password, "xxxxx")
	}
	return msg
}

// openTeam opens a team database for reading. Reading never changes its
// schema: one older than this binary's is an error that says to push.
func openTeam(ctx context.Context, rawURL string) (*DB, error) {
	cfg, err := teamConfig(rawURL)
	if err != nil {
		return nil, err
	}
	sdb := sql.OpenDB(rebindConnector{stdlib.GetConnector(*cfg)})
	db := &DB{sql: sdb, path: RedactURL(rawURL), dialect: postgresDialect}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, teamError(rawURL, err)
	}
	v, err := teamVersion(ctx, func(ctx context.Context, q string, args ...any) rowScanner {
		return sdb.QueryRowContext(ctx, q, args...)
	})
	if err != nil {
		sdb.Close()
		return nil, teamError(rawURL, err)
	}
	switch {
	case v == 0:
		sdb.Close()
		return nil, fmt.Errorf("team database %s holds no aitrail data yet: fill it with 'aitrail push --to URL'", db.path)
	case v > len(migrations):
		sdb.Close()
		return nil, fmt.Errorf("team database %s: %w (schema %d, this binary knows up to %d): upgrade aitrail", db.path, ErrTooNew, v, len(migrations))
	case v < len(migrations):
		sdb.Close()
		return nil, fmt.Errorf("team database %s has schema %d, this aitrail reads %d: the next 'aitrail push' to it upgrades it", db.path, v, len(migrations))
	}
	return db, nil
}

// teamVersion reads a team database's schema version: 0 when it has no
// aitrail schema yet.
func teamVersion(ctx context.Context, queryRow func(context.Context, string, ...any) rowScanner) (int, error) {
	var exists bool
	if err := queryRow(ctx, `SELECT to_regclass('aitrail_schema') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		return 0, nil
	}
	var v int
	err := queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM aitrail_schema`).Scan(&v)
	return v, err
}

// rowScanner is a row to scan, from database/sql or pgx.
type rowScanner interface{ Scan(...any) error }

// migrateTeam brings a team database's schema up to version upTo, under an
// advisory lock so that members pushing at the same time migrate once. It
// runs in tx, so a failed migration leaves nothing behind.
func migrateTeam(ctx context.Context, tx pgx.Tx, upTo int) (from int, err error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7405110213)`); err != nil {
		return 0, err
	}
	from, err = teamVersion(ctx, func(ctx context.Context, q string, args ...any) rowScanner { return tx.QueryRow(ctx, q, args...) })
	if err != nil {
		return 0, err
	}
	if from > len(migrations) {
		return from, fmt.Errorf("%w (schema %d, this binary knows up to %d): upgrade aitrail", ErrTooNew, from, len(migrations))
	}
	if from == 0 {
		if _, err := tx.Exec(ctx, `CREATE TABLE aitrail_schema (version INTEGER NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
			return 0, fmt.Errorf("create schema table: %w", err)
		}
	}
	for i := from; i < upTo; i++ {
		if m := migrations[i].postgres; m != "" {
			if _, err := tx.Exec(ctx, m); err != nil {
				return from, fmt.Errorf("migrate team database to schema %d: %w", i+1, err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO aitrail_schema (version, applied_at) VALUES ($1, $2)`, i+1, FormatTime(time.Now())); err != nil {
			return from, err
		}
	}
	return from, nil
}
