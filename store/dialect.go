package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// dialect is what differs between the two databases the queries run on.
// The queries are written once, in SQLite's form with ? placeholders;
// PostgreSQL gets them with $n placeholders. Functions both know (substr,
// COALESCE, NULLIF, CAST) are used as they are; what only a team database
// has (the member column) comes from the dialect.
type dialect int

const (
	sqliteDialect   dialect = iota // the local database
	postgresDialect                // a team database
)

// rebind rewrites a query's placeholders for the dialect: ? becomes $1, $2,
// … in order and ?N becomes $N. Text between single quotes is left alone.
func (d dialect) rebind(q string) string {
	if d != postgresDialect || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	quoted := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
			b.WriteByte(c)
		case c == '?' && !quoted:
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j > i+1 {
				b.WriteString("$" + q[i+1:j])
				i = j - 1
			} else {
				n++
				b.WriteString("$" + strconv.Itoa(n))
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// member returns the expression of the member a row of alias belongs to:
// the member column on a team database, an empty string on a local one.
func (d dialect) member(alias string) string {
	if d == postgresDialect {
		return alias + ".member"
	}
	return "''"
}

// ErrTeamReadOnly is returned when a command would write to a team
// database: only aitrail push writes there.
var ErrTeamReadOnly = errors.New("a team database is only written by 'aitrail push'; ingest, the hooks and redact write the local database (pass --db FILE or unset AITRAIL_DB)")

// ErrNeedsTeam is returned for what only a team database knows, such as
// members.
var ErrNeedsTeam = errors.New("only a team database (--db postgres://…) knows members")

// Team reports whether db is a team database (PostgreSQL).
func (db *DB) Team() bool { return db.dialect == postgresDialect }

// local returns ErrTeamReadOnly for a team database: what writes goes to
// the local one.
func (db *DB) local(op string) error {
	if db.Team() {
		return fmt.Errorf("%s: %w", op, ErrTeamReadOnly)
	}
	return nil
}

// rebindConnector connects to a team database through pgx, rebinding
// every query on its way: the store's queries, written in SQLite's form,
// run unchanged through database/sql on either database.
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(pgxConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("the PostgreSQL driver's connection (%T) lacks what the store needs", conn)
	}
	return rebindConn{pc}, nil
}

// pgxConn is what pgx's database/sql connection implements.
type pgxConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.QueryerContext
	driver.ExecerContext
	driver.NamedValueChecker
	driver.Pinger
	driver.SessionResetter
}

type rebindConn struct{ pgxConn }

func (c rebindConn) Prepare(q string) (driver.Stmt, error) {
	return c.pgxConn.Prepare(postgresDialect.rebind(q))
}

func (c rebindConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.pgxConn.PrepareContext(ctx, postgresDialect.rebind(q))
}

func (c rebindConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.pgxConn.QueryContext(ctx, postgresDialect.rebind(q), args)
}

func (c rebindConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.pgxConn.ExecContext(ctx, postgresDialect.rebind(q), args)
}

// IsURL reports whether a database name is a PostgreSQL URL
// (postgres://… or postgresql://…) rather than a file.
func IsURL(name string) bool {
	return strings.HasPrefix(name, "postgres://") || strings.HasPrefix(name, "postgresql://")
}

// RedactURL returns a PostgreSQL URL as it may be shown: its password,
// whether in the user part or a password parameter, is replaced by xxxxx.
// What does not parse is shown as its scheme only.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		scheme, _, _ := strings.Cut(s, "://")
		return scheme + "://(unparsable URL)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	u.Fragment, u.RawFragment = "", "" // what follows a stray # may be a password's end
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") { // password, sslpassword
			q[k] = []string{"xxxxx"}
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}
