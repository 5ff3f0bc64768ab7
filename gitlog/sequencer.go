package gitlog

import (
	"os"
	"path/filepath"
	"strings"
)

// Sequencer describes a multi-step operation in progress in this worktree.
type Sequencer struct {
	// Op is "" (none), "rebase", "am", "cherry-pick", "revert" or "merge"
	// ("merge" also for `git merge --squash`, which leaves only SQUASH_MSG).
	Op string
	// Source is the commit being replayed when git records it:
	// CHERRY_PICK_HEAD or REVERT_HEAD (also present during rebase picks),
	// else REBASE_HEAD or rebase-apply/original-commit during a rebase, else
	// the first MERGE_HEAD. Zero when unknown.
	Source Hash
}

// Sequencer reports the operation in progress from the files git leaves in the
// git dir: rebase-merge/, rebase-apply/, CHERRY_PICK_HEAD, REVERT_HEAD,
// MERGE_HEAD, SQUASH_MSG. During a post-commit hook this tells a rebase pick
// or a cherry-pick from a plain commit (git does not export
// GIT_REFLOG_ACTION to hooks). Unreadable files count as absent.
func (r *Repo) Sequencer() Sequencer {
	gd := r.gitDir
	isDir := func(name string) bool {
		fi, err := os.Stat(filepath.Join(gd, name))
		return err == nil && fi.IsDir()
	}
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(gd, name))
		return err == nil
	}
	cherry := readHashFile(filepath.Join(gd, "CHERRY_PICK_HEAD"))
	revert := readHashFile(filepath.Join(gd, "REVERT_HEAD"))
	switch {
	case isDir("rebase-apply") && exists("rebase-apply/applying"):
		return Sequencer{Op: "am"}
	case isDir("rebase-merge") || isDir("rebase-apply"):
		src := cherry
		if src.IsZero() {
			src = readHashFile(filepath.Join(gd, "REBASE_HEAD"))
		}
		if src.IsZero() {
			src = readHashFile(filepath.Join(gd, "rebase-apply", "original-commit"))
		}
		return Sequencer{Op: "rebase", Source: src}
	case !cherry.IsZero() || exists("CHERRY_PICK_HEAD"):
		return Sequencer{Op: "cherry-pick", Source: cherry}
	case !revert.IsZero() || exists("REVERT_HEAD"):
		return Sequencer{Op: "revert", Source: revert}
	case exists("MERGE_HEAD"):
		return Sequencer{Op: "merge", Source: readHashFile(filepath.Join(gd, "MERGE_HEAD"))}
	case exists("SQUASH_MSG"):
		return Sequencer{Op: "merge"}
	}
	return Sequencer{}
}

// readHashFile returns the object name on the first line of a file, or zero.
func readHashFile(path string) Hash {
	b, err := os.ReadFile(path)
	if err != nil {
		return Hash{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	h, err := ParseHash(strings.TrimSpace(line))
	if err != nil {
		return Hash{}
	}
	return h
}
