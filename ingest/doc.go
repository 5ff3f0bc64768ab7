// Package ingest reads the session logs that coding agents write on disk
// into the store: it discovers the log files of each registered agent,
// keeps a watermark per file (size, mtime, inode, byte offset and a hash of
// the first KiB) so that only new bytes are read, redacts every line and
// every text field before anything is written, and hands complete lines to
// the agent's decoder.
//
// One subpackage per agent (ingest/codex, ingest/claude, …) decodes that
// agent's format into store records; Agents lists them. Decoders know
// nothing of files, watermarks, redaction or SQL. This package knows nothing
// of any agent's format.
package ingest
