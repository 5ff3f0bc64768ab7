// Package fileedit builds the diff decoders store of an agent's edit to a
// file: a unified diff with its counts of added and removed lines, whether
// the agent logged a diff (which is read and given uniform headers) or only
// the old and new text (which are diffed here). The file's path is made
// absolute, and named in headers, by package canon.
//
// It serves the decoders of ingest's agent packages and, like them, knows
// nothing of files on disk, SQL or redaction: it works on the strings of
// the logs.
package fileedit
