// Package fileedit builds what decoders store of an agent's edit to a file:
// its path made absolute against the turn's working directory, and a
// unified diff with its counts of added and removed lines, whether the
// agent logged a diff (which is read and given uniform headers) or only the
// old and new text (which are diffed here).
//
// It serves the decoders of ingest's agent packages and, like them, knows
// nothing of files on disk, SQL or redaction: it works on the strings of
// the logs. Paths are handled in both POSIX and Windows forms whatever the
// platform aitrail runs on, since logs keep the form of the machine that
// wrote them.
package fileedit
