package gitlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conflictRepo makes main and side change c.txt differently; side's tip is returned.
func conflictRepo(t *testing.T) (*testRepo, Hash) {
	r := newTestRepo(t)
	r.write("c.txt", "base\n")
	r.commit("base")
	r.git("checkout", "-q", "-b", "side")
	r.write("c.txt", "side\n")
	side := r.commit("side")
	r.git("checkout", "-q", "main")
	r.write("c.txt", "main\n")
	r.commit("main")
	return r, side
}

func TestSequencerNone(t *testing.T) {
	r := newTestRepo(t)
	r.commit("one")
	if got := r.open().Sequencer(); got != (Sequencer{}) {
		t.Errorf("Sequencer() = %+v, want none", got)
	}
}

func TestSequencerCherryPickConflict(t *testing.T) {
	r, side := conflictRepo(t)
	if _, err := r.gitErr("cherry-pick", side.String()); err == nil {
		t.Fatal("expected a cherry-pick conflict")
	}
	if got, want := r.open().Sequencer(), (Sequencer{Op: "cherry-pick", Source: side}); got != want {
		t.Errorf("Sequencer() = %+v, want %+v", got, want)
	}
}

func TestSequencerRevert(t *testing.T) {
	r := newTestRepo(t)
	r.write("c.txt", "1\n")
	r.commit("one")
	r.write("c.txt", "2\n")
	two := r.commit("two")
	r.write("c.txt", "3\n")
	r.commit("three")
	if _, err := r.gitErr("revert", "--no-edit", two.String()); err == nil {
		t.Fatal("expected a revert conflict")
	}
	if got, want := r.open().Sequencer(), (Sequencer{Op: "revert", Source: two}); got != want {
		t.Errorf("Sequencer() = %+v, want %+v", got, want)
	}
}

func TestSequencerRebaseStop(t *testing.T) {
	r, side := conflictRepo(t)
	r.git("checkout", "-q", "side")
	if _, err := r.gitErr("rebase", "main"); err == nil {
		t.Fatal("expected a rebase conflict")
	}
	if got, want := r.open().Sequencer(), (Sequencer{Op: "rebase", Source: side}); got != want {
		t.Errorf("Sequencer() = %+v, want %+v", got, want)
	}
}

func TestSequencerMerge(t *testing.T) {
	r, side := conflictRepo(t)
	if _, err := r.gitErr("merge", "side"); err == nil {
		t.Fatal("expected a merge conflict")
	}
	if got, want := r.open().Sequencer(), (Sequencer{Op: "merge", Source: side}); got != want {
		t.Errorf("Sequencer() = %+v, want %+v", got, want)
	}
}

// The state a post-commit hook sees: during each rebase pick git leaves
// rebase-merge/ and CHERRY_PICK_HEAD naming the commit being replayed.
func TestSequencerInPostCommitHook(t *testing.T) {
	r := newTestRepo(t)
	r.write("a.txt", "a\n")
	r.commit("base")
	r.git("checkout", "-q", "-b", "side")
	r.write("b.txt", "b\n")
	pick := r.commit("on side")
	r.write("e.txt", "e\n")
	replayed := r.commit("also on side")
	r.git("checkout", "-q", "main")
	r.write("c.txt", "c\n")
	r.commit("on main")

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "seq.log")
	hook := "#!/bin/sh\nGITLOG_HELPER=sequencer GITLOG_LOG=" + log + " exec " + exe + "\n"
	if err := os.WriteFile(filepath.Join(r.dir, ".git", "hooks", "post-commit"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("cherry-pick", pick.String())
	r.git("checkout", "-q", "side")
	r.git("rebase", "-q", "main") // skips the cherry-picked commit, replays the other
	r.git("checkout", "-q", "main")
	r.write("d.txt", "d\n")
	r.commit("plain")

	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(string(b)), "\n")
	want := []string{"cherry-pick " + pick.String(), "rebase " + replayed.String(), " " + Hash{}.String()}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Sequencer() in post-commit hooks:\n got %q\nwant %q", got, want)
	}
}
