package gitlog

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// numbered returns n lines "prefix 1\n" ... "prefix n\n".
func numbered(prefix string, n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s %d\n", prefix, i)
	}
	return b.String()
}

func TestDiffMatchesGit(t *testing.T) {
	r := newTestRepo(t)
	r.write("keep.txt", numbered("keep", 10))
	r.write("update.txt", numbered("line", 20))
	r.write("delete.txt", numbered("gone", 5))
	r.write("rename-old.txt", numbered("moving", 30))
	r.write("bin.dat", "\x00\x01\x02binary")
	r.write("noeol.txt", "a\nb")
	r.write("dir/nested.txt", "nested\n")
	root := r.commit("root")

	r.write("update.txt", strings.Replace(numbered("line", 20), "line 5\n", "line five\nline 5b\n", 1)+"tail\n")
	r.remove("delete.txt")
	r.remove("rename-old.txt")
	r.write("sub/rename-new.txt", strings.Replace(numbered("moving", 30), "moving 7\n", "moved 7\n", 1))
	r.write("bin.dat", "\x00\x01\x03binary changed")
	r.write("noeol.txt", "a\nb\nc")
	r.write("added.txt", numbered("new", 3))
	r.write("dir/nested.txt", "nested\nmore\n")
	r.write("newbin.dat", "\x00new")
	second := r.commit("second")

	// A merge whose first-parent diff carries the side branch's changes.
	r.git("checkout", "-q", "-b", "side", root.String())
	r.write("side.txt", numbered("side", 4))
	r.commit("side")
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
	merge := r.rev("HEAD")

	repo := r.open()
	tests := []struct {
		name           string
		parent, commit Hash
		gitFrom, gitTo string
		wantOps        map[string]string
	}{
		{"root commit", Hash{}, root, emptyTreeHash.String(), root.String(),
			map[string]string{"keep.txt": "add", "bin.dat": "add", "noeol.txt": "add", "dir/nested.txt": "add"}},
		{"add update delete rename binary", Hash{}, second, root.String(), second.String(),
			map[string]string{"update.txt": "update", "delete.txt": "delete", "sub/rename-new.txt": "rename",
				"bin.dat": "update", "noeol.txt": "update", "added.txt": "add", "newbin.dat": "add"}},
		{"merge against first parent", Hash{}, merge, second.String(), merge.String(),
			map[string]string{"side.txt": "add"}},
		{"explicit parent", root, merge, root.String(), merge.String(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := repo.Diff(tt.parent, tt.commit)
			if err != nil {
				t.Fatal(err)
			}
			compareWithGit(t, got, parseGitDiff(t, r.git("diff", "-U0", "-M", tt.gitFrom, tt.gitTo)))
			for _, fd := range got {
				if want, ok := tt.wantOps[fd.Path]; ok && fd.Op != want {
					t.Errorf("%s: Op = %s, want %s", fd.Path, fd.Op, want)
				}
			}
			if !slices.IsSortedFunc(got, func(a, b FileDiff) int { return strings.Compare(a.Path, b.Path) }) {
				t.Errorf("result not sorted by path")
			}
		})
	}

	d, _ := repo.Diff(Hash{}, second)
	for _, fd := range d {
		switch fd.Path {
		case "sub/rename-new.txt":
			if fd.OldPath != "rename-old.txt" || len(fd.Added) != 1 || fd.Added[0] != (Line{7, "moved 7"}) || fd.Removed != 1 {
				t.Errorf("rename: %+v", fd)
			}
		case "bin.dat", "newbin.dat":
			if !fd.Binary || fd.Added != nil {
				t.Errorf("binary: %+v", fd)
			}
		case "noeol.txt": // "b" lost its missing newline: git shows -b +b +c
			if want := []Line{{2, "b"}, {3, "c"}}; !slices.Equal(fd.Added, want) || fd.Removed != 1 {
				t.Errorf("noeol: %+v", fd)
			}
		}
	}
}

// Hunks that git slides (repeated lines, blank lines, braces) must get git's
// line numbers, not just any minimal diff's.
func TestDiffSliderLikeGit(t *testing.T) {
	r := newTestRepo(t)
	goFile := "package p\n\nfunc a() {\n\treturn\n}\n\nfunc c() {\n\treturn\n}\n"
	r.write("slide.go", goFile)
	r.write("repeat.txt", "x\nx\nx\ny\n")
	r.write("blank.txt", "a\n\nb\n\nc\n")
	base := r.commit("base")
	r.write("slide.go", strings.Replace(goFile, "func c()", "func b() {\n\treturn\n}\n\nfunc c()", 1))
	r.write("repeat.txt", "x\nx\nx\nx\nx\ny\n")
	r.write("blank.txt", "a\n\nb\n\nb2\n\nc\n")
	head := r.commit("slide")
	got, err := r.open().Diff(base, head)
	if err != nil {
		t.Fatal(err)
	}
	compareWithGit(t, got, parseGitDiff(t, r.git("diff", "-U0", base.String(), head.String())))
}

// randomText builds files from a small alphabet of lines so that diffs are
// full of ambiguous, slidable hunks.
func randomText(rng *rand.Rand, n int) []string {
	alphabet := []string{"", "}", "{", "\treturn nil", "x", "y", "func f() {", "  indented", "// comment", "end"}
	out := make([]string, n)
	for i := range out {
		if rng.IntN(4) == 0 {
			out[i] = fmt.Sprintf("unique %d", rng.IntN(1000))
		} else {
			out[i] = alphabet[rng.IntN(len(alphabet))]
		}
	}
	return out
}

func mutate(rng *rand.Rand, lines []string) []string {
	out := slices.Clone(lines)
	for range 1 + rng.IntN(6) {
		pos := rng.IntN(len(out) + 1)
		switch rng.IntN(3) {
		case 0: // insert a block
			out = slices.Insert(out, pos, randomText(rng, 1+rng.IntN(5))...)
		case 1: // delete a block
			if pos < len(out) {
				out = slices.Delete(out, pos, min(len(out), pos+1+rng.IntN(4)))
			}
		default: // replace a line
			if pos < len(out) {
				out[pos] = randomText(rng, 1)[0]
			}
		}
	}
	return out
}

func TestDiffRandomMatchesGit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := newTestRepo(t)
	const files = 300
	old := make([][]string, files)
	for i := range old {
		old[i] = randomText(rng, 5+rng.IntN(60))
		r.write(fmt.Sprintf("f%03d.txt", i), strings.Join(old[i], "\n")+"\n")
	}
	// Large files exercise git's 1 KiB tail trimming and the cost heuristics.
	big := randomText(rng, 3000)
	r.write("big.txt", strings.Join(big, "\n")+"\n")
	base := r.commit("base")
	for i := range old {
		r.write(fmt.Sprintf("f%03d.txt", i), strings.Join(mutate(rng, old[i]), "\n")+"\n")
	}
	bigNew := slices.Clone(big)
	for range 40 {
		bigNew = mutate(rng, bigNew)
	}
	r.write("big.txt", strings.Join(bigNew, "\n")+"\n")
	head := r.commit("mutate")
	got, err := r.open().Diff(base, head)
	if err != nil {
		t.Fatal(err)
	}
	compareWithGit(t, got, parseGitDiff(t, r.git("diff", "-U0", "--no-renames", base.String(), head.String())))
}

func TestDiffSkipsSubmodules(t *testing.T) {
	r := newTestRepo(t)
	r.write("a.txt", "a\n")
	base := r.commit("base")
	r.git("update-index", "--add", "--cacheinfo", "160000,"+base.String()+",vendor/lib")
	r.write("a.txt", "a\nb\n")
	r.git("add", "a.txt")
	head := r.commitStaged("add submodule")
	got, err := r.open().Diff(Hash{}, head)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Path != "a.txt" {
		t.Errorf("Diff() = %+v, want only a.txt", got)
	}
}

func TestDiffTooLarge(t *testing.T) {
	r := newTestRepo(t)
	r.write("big.txt", "x\n")
	base := r.commit("base")
	r.write("big.txt", strings.Repeat("y\n", MaxDiffSize/2+1))
	head := r.commit("grow")
	got, err := r.open().Diff(base, head)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].TooLarge || got[0].Added != nil {
		t.Errorf("Diff() = %+v, want one TooLarge entry without lines", got)
	}
}

func TestDiffLFSPointerAndBinary(t *testing.T) {
	r := newTestRepo(t)
	r.write("a.txt", "a\n")
	base := r.commit("base")
	pointer := "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"
	r.write("data.bin", pointer)
	r.write("logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	r.write("notes.txt", "version https://git-lfs.github.com/spec/v1 is a spec\n") // text that only mentions it
	head := r.commit("files")
	got, err := r.open().Diff(base, head)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]FileDiff{}
	for _, d := range got {
		byPath[d.Path] = d
	}
	if d := byPath["data.bin"]; !d.LFS || d.Binary || d.Added != nil {
		t.Errorf("LFS pointer: %+v, want LFS without lines", d)
	}
	if d := byPath["logo.png"]; !d.Binary || d.LFS || d.Added != nil {
		t.Errorf("binary file: %+v, want Binary without lines", d)
	}
	if d := byPath["notes.txt"]; d.LFS || d.Binary || len(d.Added) != 1 {
		t.Errorf("text file: %+v, want one added line", d)
	}
	// Deleting the pointer is a change of an LFS file too.
	r.remove("data.bin")
	gone := r.commit("remove")
	got, err = r.open().Diff(head, gone)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].LFS {
		t.Errorf("removed pointer: %+v, want LFS", got)
	}
}

func TestStagedDiffPartiallyStaged(t *testing.T) {
	r := newTestRepo(t)
	r.write("f.txt", numbered("line", 10))
	r.write("gone.txt", "bye\n")
	r.write("d/same.txt", "same\n")
	r.commit("base")
	// Stage one version, then change the file again without staging (git add -p).
	staged := strings.Replace(numbered("line", 10), "line 3\n", "line 3\nstaged 1\nstaged 2\n", 1)
	r.write("f.txt", staged)
	r.write("new.txt", "new\n")
	r.git("add", "f.txt", "new.txt")
	r.git("rm", "-q", "gone.txt")
	r.write("f.txt", staged+"unstaged tail\n")
	r.write("untracked.txt", "u\n")

	got, err := r.open().StagedDiff()
	if err != nil {
		t.Fatal(err)
	}
	compareWithGit(t, got, parseGitDiff(t, r.git("diff", "--cached", "-U0")))
	for _, fd := range got {
		if fd.Path == "f.txt" && !slices.Equal(fd.Added, []Line{{4, "staged 1"}, {5, "staged 2"}}) {
			t.Errorf("f.txt staged lines = %v", fd.Added)
		}
	}
}

func TestStagedDiffCacheTree(t *testing.T) {
	r := newTestRepo(t)
	for i := range 20 {
		r.write(fmt.Sprintf("d%d/f.txt", i%4), numbered(fmt.Sprint("f", i), 3))
	}
	r.commit("base")
	r.git("write-tree") // a complete cache-tree
	repo := r.open()
	if got, err := repo.StagedDiff(); err != nil || len(got) != 0 {
		t.Errorf("StagedDiff() on a clean index = %+v, %v", got, err)
	}
	r.write("d2/f.txt", "changed\n")
	r.write("d9/new.txt", "new\n")
	r.git("add", "-A")
	r.git("write-tree")
	got, err := repo.StagedDiff()
	if err != nil {
		t.Fatal(err)
	}
	compareWithGit(t, got, parseGitDiff(t, r.git("diff", "--cached", "-U0")))
}

func TestStagedDiffUnbornAndIndexFile(t *testing.T) {
	r := newTestRepo(t)
	r.write("a.txt", "one\ntwo\n")
	r.git("add", "a.txt")
	repo := r.open()
	got, err := repo.StagedDiff()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Op != "add" || len(got[0].Added) != 2 {
		t.Errorf("StagedDiff() unborn = %+v", got)
	}
	// GIT_INDEX_FILE (set by git for hooks) selects another index.
	empty := r.dir + "/.git/other-index"
	t.Setenv("GIT_INDEX_FILE", empty)
	if got, err := repo.StagedDiff(); err != nil || len(got) != 0 {
		t.Errorf("StagedDiff() with a missing GIT_INDEX_FILE = %+v, %v", got, err)
	}
}

func TestStagedDiffSkipsUnmerged(t *testing.T) {
	r := newTestRepo(t)
	r.write("c.txt", "base\n")
	r.commit("base")
	r.git("checkout", "-q", "-b", "side")
	r.write("c.txt", "side\n")
	r.commit("side")
	r.git("checkout", "-q", "main")
	r.write("c.txt", "main\n")
	r.write("other.txt", "o\n")
	r.commit("main")
	if _, err := r.gitErr("merge", "side"); err == nil {
		t.Fatal("expected a merge conflict")
	}
	got, err := r.open().StagedDiff()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("StagedDiff() during a conflict = %+v, want nothing (unmerged paths skipped)", got)
	}
}

// FuzzDiffLines checks that diffLines describes a valid edit: the lines it
// keeps in a and in b are the same sequence, and added lines are b's lines.
func FuzzDiffLines(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd\n")
	f.Add("", "x\n")
	f.Add("x\ny", "x\ny\n")
	f.Add("}\n\n}\n", "}\n\n}\n\n}\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		added, removed := diffLines([]byte(a), []byte(b))
		al, bl := splitKeep(a), splitKeep(b)
		if removed > len(al) || len(added) > len(bl) {
			t.Fatalf("removed %d of %d, added %d of %d", removed, len(al), len(added), len(bl))
		}
		isAdded := map[int]bool{}
		for _, l := range added {
			if l.No < 1 || l.No > len(bl) || strings.TrimSuffix(bl[l.No-1], "\n") != l.Text || isAdded[l.No] {
				t.Fatalf("bad added line %+v", l)
			}
			isAdded[l.No] = true
		}
		var keptB []string
		for i, l := range bl {
			if !isAdded[i+1] {
				keptB = append(keptB, l)
			}
		}
		if len(al)-removed != len(keptB) {
			t.Fatalf("kept %d lines of a, %d of b", len(al)-removed, len(keptB))
		}
		// The kept lines of b must be a subsequence of a of that length.
		j := 0
		for _, l := range al {
			if j < len(keptB) && l == keptB[j] {
				j++
			}
		}
		if j != len(keptB) {
			t.Fatalf("kept lines of b are not a subsequence of a")
		}
	})
}

func splitKeep(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}
