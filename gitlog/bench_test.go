package gitlog

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// BenchmarkWriteNote compares ways of writing one note into a repository
// with 300 commits: this package's lock-file compare-and-swap (the default),
// the same objects with `git update-ref` as the compare-and-swap, `git notes
// add`, and `git fast-import`. Each iteration writes a new note text.
func BenchmarkWriteNote(b *testing.B) {
	setup := func(b *testing.B) (*testRepo, []Hash) {
		r := newTestRepo(b)
		return r, r.makeCommits(300)
	}
	b.Run("lockfile", func(b *testing.B) {
		r, commits := setup(b)
		repo := r.open()
		for i := 0; b.Loop(); i++ {
			if err := repo.WriteNote("aitrail", commits[i%len(commits)], fmt.Sprintf("note %d\n", i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lockfile-fanout", func(b *testing.B) {
		r, commits := fanoutRepo(b)
		repo := r.open()
		for i := 0; b.Loop(); i++ {
			if err := repo.WriteNote("aitrail", commits[i%len(commits)], fmt.Sprintf("note %d\n", i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("update-ref", func(b *testing.B) {
		r, commits := setup(b)
		repo := r.open()
		repo.casViaGit = true
		for i := 0; b.Loop(); i++ {
			if err := repo.WriteNote("aitrail", commits[i%len(commits)], fmt.Sprintf("note %d\n", i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("git-notes-add", func(b *testing.B) {
		r, commits := setup(b)
		for i := 0; b.Loop(); i++ {
			cmd := exec.Command("git", "notes", "--ref=aitrail", "add", "-f", "-m", fmt.Sprintf("note %d", i), commits[i%len(commits)].String())
			cmd.Dir = r.dir
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
	b.Run("fast-import", func(b *testing.B) {
		r, commits := setup(b)
		repo := r.open()
		for i := 0; b.Loop(); i++ {
			tip, _, err := repo.readRef("refs/notes/aitrail")
			if err != nil {
				b.Fatal(err)
			}
			text := fmt.Sprintf("note %d\n", i)
			var in strings.Builder
			fmt.Fprintf(&in, "commit refs/notes/aitrail\ncommitter aitrail <aitrail@localhost> 1700000000 +0000\ndata 6\nnotes\n")
			if !tip.IsZero() {
				fmt.Fprintf(&in, "from %s\n", tip)
			}
			fmt.Fprintf(&in, "N inline %s\ndata %d\n%s\n", commits[i%len(commits)], len(text), text)
			cmd := exec.Command("git", "fast-import", "--quiet")
			cmd.Dir = r.dir
			cmd.Stdin = strings.NewReader(in.String())
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
}

// benchDiffRepo makes a repository with 400 files in 20 directories, packed,
// and a HEAD commit (loose, as right after `git commit`) that edits 5 files
// and adds one.
func benchDiffRepo(b *testing.B) *testRepo {
	r := newTestRepo(b)
	for i := range 400 {
		r.write(fmt.Sprintf("pkg%02d/file%03d.go", i%20, i), numbered(fmt.Sprintf("func f%d() // line", i), 60))
	}
	r.commit("base")
	r.git("gc", "-q")
	for i := range 5 {
		p := fmt.Sprintf("pkg%02d/file%03d.go", (i*37)%400%20, (i*37)%400)
		r.write(p, strings.Replace(numbered(fmt.Sprintf("func f%d() // line", (i*37)%400), 60), "line 30\n", "line 30\n\tchanged()\n\tmore()\n", 1))
	}
	r.write("pkg00/new.go", numbered("new", 40))
	r.commit("edit")
	return r
}

// BenchmarkOpenHeadDiff measures what a post-commit hook does first: open
// the repository, resolve HEAD, read the commit, diff it against its parent.
func BenchmarkOpenHeadDiff(b *testing.B) {
	r := benchDiffRepo(b)
	b.Run("gitlog", func(b *testing.B) {
		for b.Loop() {
			repo, err := Open(r.dir)
			if err != nil {
				b.Fatal(err)
			}
			head, err := repo.Head()
			if err != nil {
				b.Fatal(err)
			}
			c, err := repo.Commit(head)
			if err != nil {
				b.Fatal(err)
			}
			d, err := repo.Diff(Hash{}, c.Hash)
			if err != nil || len(d) != 6 {
				b.Fatalf("Diff() = %d files, %v", len(d), err)
			}
		}
	})
	b.Run("git-cli", func(b *testing.B) { // for comparison: one `git show` process
		for b.Loop() {
			cmd := exec.Command("git", "show", "-U0", "--format=%H%n%P%n%an%n%ae", "HEAD")
			cmd.Dir = r.dir
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
}

func BenchmarkStagedDiff(b *testing.B) {
	r := benchDiffRepo(b)
	r.write("pkg01/file001.go", "package p\n")
	r.write("pkg02/staged.go", numbered("s", 10))
	r.git("add", "-A")
	for b.Loop() {
		repo, err := Open(r.dir)
		if err != nil {
			b.Fatal(err)
		}
		if d, err := repo.StagedDiff(); err != nil || len(d) != 2 {
			b.Fatalf("StagedDiff() = %d files, %v", len(d), err)
		}
	}
}
