// Package report turns what the store knows into what people read: it
// correlates a commit with the prompts and edits that shaped it (which
// sessions worked in the worktree, which of their edits touched the
// commit's files, which of the commit's added lines the agents wrote, by
// their text and their place, each at most once along a line of history) and
// renders the Markdown transparency note, with its machine-readable Agent
// Trace record, that aitrail attaches to the commit. It also reads notes
// back (ReadNotes) and renders what people read from them and from the
// store: release notes and the fragments of changie, towncrier, changesets
// and reno (following each tool's configuration in the work tree), and the
// exports in Markdown, CSV, JSON, JSONL and a self-contained HTML report
// (goldmark for Markdown, inline SVG charts drawn here).
//
// It reads the store and the repository; it never writes either (the
// command writes fragment files), and it knows nothing of agents' log
// formats or of redaction rules (a Redact function is passed in so that
// git's text compares with stored text).
package report
