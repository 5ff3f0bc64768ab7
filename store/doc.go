// Package store owns aitrail's database: the schema and its migrations
// (keyed on PRAGMA user_version), the typed records decoders produce, the
// batch writer that ingest uses, and the queries behind the commands.
//
// It knows nothing of agents, git or redaction rules: records arrive already
// normalized and redacted, and the store only merges, de-duplicates and
// answers questions about them. SQLite (modernc.org/sqlite, no cgo) is
// opened in WAL mode with a busy timeout and foreign keys; every write batch
// is an immediate transaction, so concurrent aitrail processes serialize
// instead of failing on a lock.
package store
