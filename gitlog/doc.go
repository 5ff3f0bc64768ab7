// Package gitlog is aitrail's access to git repositories: finding and
// opening a repository (linked worktrees, ".git" files, GIT_DIR), commits and
// history, line-level diffs of commits and of the index, the state of an
// in-progress rebase or cherry-pick, and reading and writing git notes.
//
// It knows nothing of agents, SQL or what notes say: a note is opaque text
// attached to a commit on a notes ref.
//
// # Reads
//
// Objects are read with go-git's storage, in process; a post-commit hook's
// Open, Head, Commit and Diff spawn no process. Refs are re-read from disk on
// every call (loose file, then packed-refs), and a missing object makes
// go-git rescan the pack directory once, so a Repo sees what other processes
// wrote after it was opened. Hash is go-git's plumbing.Hash (SHA-1 only, like
// go-git v5).
//
// Diffs report added lines with their numbers in the new file exactly as
// `git diff -U0` does: the line diff is a port of git's xdiff (Myers with
// git's heuristics, the indent heuristic, the common-tail trimming of
// context-free diffs). A generic LCS diff (go-diff) is as small but often
// differs where lines repeat, and attribution needs git's line numbers.
// Renames are detected with go-git's detector at git's 50% threshold;
// submodules are skipped; binary blobs (a NUL in the first 8000 bytes) and
// blobs over MaxDiffSize have no lines; .gitattributes is not consulted.
//
// # Notes
//
// ReadNote and ListNotes walk the notes tree with any fanout git writes.
// WriteNotes builds the blob, the changed trees and the notes commit as loose
// objects in process and moves the ref with git's own lock-file protocol
// (create <ref>.lock exclusively, compare the current value under the lock,
// append the reflog, rename), a compare-and-swap that interlocks with git and
// with other writers in any process; a lost race re-reads the tip and
// re-applies the notes. Notes go into the existing two-digit subtree for their
// prefix, else flat, and a level is fanned out when git would do so, so the
// tree stays as git would have it. The one git process per write reads the
// committer identity (`git config`), overlapped with building the objects.
// Repositories with reftable refs go through `git rev-parse`/`git update-ref`.
//
// `git notes add` is not a compare-and-swap (it commits a tree built from the
// tip it read at start on top of whatever the ref holds at the end), so a
// concurrent `git notes add` or `git notes copy` can undo a note written in
// between; callers should check that notes exist rather than trust that
// they were written.
//
// Mechanisms measured for one note in a repository with 300 commits, median
// of 150 interleaved runs on a shared 2-core machine with slow file creation
// (BenchmarkWriteNote has the same variants):
//
//	lock-file CAS, objects in process (chosen)   3.0 ms  (1.4 ms of it is `git config`)
//	objects in process + `git update-ref` CAS    4.3 ms
//	`git notes add` (no CAS)                     3.4 ms
//	`git fast-import` (+ `git config`)           7.1 ms  (8.8 ms)
//
// BenchmarkOpenHeadDiff (Open, Head, Commit, Diff of a commit editing 6 of
// 400 files, history packed): 1.4-1.7 ms; one `git show -U0` process takes
// 2.2 ms. BenchmarkStagedDiff: 1.6 ms.
//
// # The git CLI
//
// Besides the identity read, the git CLI is used where go-git lacks a
// capability: Config and HooksDir (`git config`, which knows includes, the
// GIT_CONFIG_* environment and every scope), Resolve for revision syntax
// go-git lacks, and StagedDiff for index formats go-git cannot decode (split
// or sparse index). Every git process gets this repository's GIT_DIR.
package gitlog
