// Package hooks connects aitrail to git: it installs and removes the hook
// scripts (coexisting with foreign hooks and with husky, lefthook, the
// pre-commit framework and git-lfs), and it implements what each hook does:
// pre-commit ingests what the agents wrote since the last run, post-commit
// annotates the new commit, post-rewrite carries notes through amend and
// rebase, and every handler catches up on commits that no hook saw.
//
// A hook never prevents a commit: handlers return errors, and the command
// that runs them prints one line and exits 0.
package hooks
