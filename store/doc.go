// Package store owns aitrail's databases: the schema and its migrations
// (keyed on PRAGMA user_version), the typed records decoders produce, the
// batch writer that ingest uses, the queries behind the commands, and the
// push of a local database to a team database.
//
// It knows nothing of agents, git or redaction rules: records arrive already
// normalized and redacted, and the store only merges, de-duplicates and
// answers questions about them. SQLite (modernc.org/sqlite, no cgo) is
// opened in WAL mode with a busy timeout and foreign keys; every write batch
// is an immediate transaction, so concurrent aitrail processes serialize
// instead of failing on a lock.
//
// A postgres:// URL opens a team database (PostgreSQL through pgx) for
// reading. The queries are written once, in SQLite's form; the connection
// rebinds their placeholders, and the few differences (the member column
// only a team database has) come from a small dialect. Only Push writes
// there, from the local database, in one transaction per push.
package store
