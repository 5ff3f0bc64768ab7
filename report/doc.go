// Package report turns what the store knows into what people read: it
// correlates a commit with the prompts and edits that shaped it (which
// sessions worked in the worktree, which of their edits touched the
// commit's files, which of the commit's added lines the agents wrote) and
// renders the Markdown transparency note, with its machine-readable Agent
// Trace record, that aitrail attaches to the commit.
//
// It reads the store and the repository; it never writes either, and it
// knows nothing of agents' log formats or of redaction rules (a Redact
// function is passed in so that git's text compares with stored text).
package report
