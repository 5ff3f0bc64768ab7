package gitlog

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// linePorcelain parses `git blame --line-porcelain`, which repeats every
// header on every line: an independent reading of what Blame reports.
func linePorcelain(t *testing.T, out string) []BlameLine {
	t.Helper()
	var lines []BlameLine
	var cur BlameLine
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "\t"):
			cur.Text = l[1:]
			lines = append(lines, cur)
		case strings.HasPrefix(l, "filename "):
			cur.OrigPath = unquoteGitPath(strings.TrimPrefix(l, "filename "))
		case strings.HasPrefix(l, "boundary"):
			cur.Boundary = true
		default:
			f := strings.Fields(l)
			if len(f) >= 3 && len(f[0]) == 40 && isHex(f[0]) {
				orig, _ := strconv.Atoi(f[1])
				final, _ := strconv.Atoi(f[2])
				cur = BlameLine{Commit: mustHash(t, f[0]), OrigLine: orig, Line: final}
			}
		}
	}
	return lines
}

func mustHash(t *testing.T, s string) Hash {
	t.Helper()
	h, err := ParseHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestBlameAgreesWithGit follows lines through edits, a rename to a
// non-ASCII name, and a function moved from another file (-C), and checks
// each line's commit, file and line number against git's own per-line
// output, with and without -M/-C and -L.
func TestBlameAgreesWithGit(t *testing.T) {
	r := newTestRepo(t)
	r.write("a.txt", "one\ntwo\nthree\nfour\n")
	r.write("lib.txt", "alpha beta gamma delta epsilon\nzeta eta theta iota kappa\nlambda mu nu xi omicron\n")
	first := r.commit("first")
	r.write("a.txt", "one\nTWO\nthree\nfour\nfive\n")
	second := r.commit("second")
	r.git("mv", "a.txt", "dé jà.txt")
	r.commit("rename")
	r.write("dé jà.txt", "one\nTWO\nthree\nfour\nfive\nalpha beta gamma delta epsilon\nzeta eta theta iota kappa\nlambda mu nu xi omicron\n")
	r.write("lib.txt", "\n")
	moved := r.commit("move lib")
	head := r.rev("HEAD")
	repo := r.open()

	for _, tt := range []struct {
		name string
		opt  BlameOptions
		args []string
	}{
		{"plain", BlameOptions{}, nil},
		{"-M -C", BlameOptions{Moves: true, Copies: 1}, []string{"-M", "-C"}},
		{"-L", BlameOptions{Ranges: []string{"2,3", "/five/,+1"}}, []string{"-L", "2,3", "-L", "/five/,+1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := repo.Blame(head, "dé jà.txt", tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			args := append(append([]string{"blame", "--line-porcelain", "--root"}, tt.args...), head.String(), "--", "dé jà.txt")
			want := linePorcelain(t, r.git(args...))
			if !reflect.DeepEqual(b.Lines, want) {
				t.Errorf("Blame:\n%+v\ngit:\n%+v", b.Lines, want)
			}
			for _, l := range b.Lines {
				if c := b.Commits[l.Commit]; c == nil || c.Author != "A U Thor" || c.Summary == "" || c.AuthorTime.IsZero() {
					t.Errorf("commit %s details = %+v", l.Commit, c)
				}
			}
		})
	}
	// The expectations themselves, so that agreeing on nonsense fails.
	b, _ := repo.Blame(head, "dé jà.txt", BlameOptions{Copies: 1})
	want := []struct {
		commit Hash
		path   string
		orig   int
	}{{first, "a.txt", 1}, {second, "a.txt", 2}, {first, "a.txt", 3}, {first, "a.txt", 4}, {second, "a.txt", 5},
		{first, "lib.txt", 1}, {first, "lib.txt", 2}, {first, "lib.txt", 3}}
	if len(b.Lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(b.Lines), len(want))
	}
	for i, w := range want {
		if l := b.Lines[i]; l.Commit != w.commit || l.OrigPath != w.path || l.OrigLine != w.orig || l.Line != i+1 {
			t.Errorf("line %d = %s %s:%d, want %s %s:%d", i+1, l.Commit, l.OrigPath, l.OrigLine, w.commit, w.path, w.orig)
		}
	}
	if b, _ := repo.Blame(head, "dé jà.txt", BlameOptions{}); b.Lines[5].Commit != moved {
		t.Errorf("without -C the moved lines come from %s, want the commit that moved them", b.Lines[5].Commit)
	}
	if _, err := repo.Blame(head, "missing.txt", BlameOptions{}); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("blame of a missing file: %v", err)
	}
}

// TestBlameShallow checks that the commit where a shallow clone's history
// ends is a boundary: its lines may be older than it.
func TestBlameShallow(t *testing.T) {
	r := newTestRepo(t)
	r.write("f.txt", "old\n")
	r.commit("old")
	r.write("f.txt", "old\nnew\n")
	r.commit("new")
	dir := filepath.Join(t.TempDir(), "clone")
	if out, err := runGit(t.TempDir(), nil, "clone", "-q", "--depth", "1", "file://"+r.dir, dir); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	repo, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := repo.Head()
	b, err := repo.Blame(head, "f.txt", BlameOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Lines) != 2 || !b.Lines[0].Boundary || !b.Lines[1].Boundary {
		t.Errorf("lines = %+v, want both at the boundary", b.Lines)
	}
	full, _ := r.open().Blame(r.rev("HEAD"), "f.txt", BlameOptions{})
	if full.Lines[0].Boundary {
		t.Error("the root commit of a full history is a boundary")
	}
}

func TestTextFiles(t *testing.T) {
	r := newTestRepo(t)
	r.write("a/x.go", "x\n")
	r.write("a/b/y.go", "y\n")
	r.write("ab.txt", "ab\n")
	r.write("img.png", "\x89PNG\x00\x01")
	r.write("empty", "")
	if err := os.Symlink("a/x.go", filepath.Join(r.dir, "link")); err != nil {
		t.Fatal(err)
	}
	head := r.commit("files")
	repo := r.open()
	for _, tt := range []struct {
		dirs          []string
		files, binary []string
	}{
		{nil, []string{"a/b/y.go", "a/x.go", "ab.txt", "empty"}, []string{"img.png"}},
		{[]string{""}, []string{"a/b/y.go", "a/x.go", "ab.txt", "empty"}, []string{"img.png"}},
		{[]string{"a"}, []string{"a/b/y.go", "a/x.go"}, nil},
		{[]string{"a/b", "ab.txt"}, []string{"a/b/y.go", "ab.txt"}, nil},
	} {
		files, skipped, err := repo.TextFiles(head, tt.dirs)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(files, tt.files) || !reflect.DeepEqual(skipped, tt.binary) {
			t.Errorf("TextFiles(%q) = %q, %q; want %q, %q", tt.dirs, files, skipped, tt.files, tt.binary)
		}
	}
	for p, want := range map[string][2]bool{"": {true, true}, "a": {true, true}, "a/b/y.go": {true, false}, "a/y.go": {},
		"ab.txt/x": {}, "zz": {}} {
		if ok, dir, err := repo.Exists(head, p); err != nil || ok != want[0] || dir != want[1] {
			t.Errorf("Exists(%q) = %v, %v, %v; want %v, %v", p, ok, dir, err, want[0], want[1])
		}
	}
}

func TestRelPath(t *testing.T) {
	r := newTestRepo(t)
	r.write("sub/dir/f.go", "f\n")
	repo := r.open()
	outside := t.TempDir()
	link := filepath.Join(outside, "into")
	if err := os.Symlink(filepath.Join(r.dir, "sub"), link); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(r.dir, "sub"))
	for _, tt := range []struct{ in, want, err string }{
		{"dir/f.go", "sub/dir/f.go", ""},
		{"dir/not yet/new.go", "sub/dir/not yet/new.go", ""},
		{"..", "", ""},
		{".", "sub", ""},
		{filepath.Join(r.dir, "sub", "dir"), "sub/dir", ""},
		{filepath.Join(link, "dir", "f.go"), "sub/dir/f.go", ""},
		{"../..", "", "outside the repository"},
		{outside, "", "outside the repository"},
	} {
		got, err := repo.RelPath(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("RelPath(%q) = %q, %v; want an error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("RelPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestUnquoteGitPath(t *testing.T) {
	for in, want := range map[string]string{
		`plain.go`:              "plain.go",
		`"d\303\251j\303\240"`:  "déjà",
		`"tab\there"`:           "tab\there",
		`"quote\"and\\slash"`:   `quote"and\slash`,
		`"with space.txt"`:      "with space.txt",
		`"\"`:                   `\`,
		`"unterminated\30"`:     "unterminated30",
		`"a\nb"`:                "a\nb",
		`"odd \q escape"`:       "odd q escape",
		`"trailing backslash\"`: `trailing backslash\`,
	} {
		if got := unquoteGitPath(in); got != want {
			t.Errorf("unquoteGitPath(%s) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParsePorcelain checks that no output makes the parser panic, and that
// every line it returns has a commit.
func FuzzParsePorcelain(f *testing.F) {
	f.Add([]byte("3b071d4cf828d9eb63b6fd1ed5eb26aa1c46a41d 1 1 1\nauthor A\nauthor-time 1796291596\nauthor-tz +0100\nsummary 1\nboundary\nfilename f\n\ta\n"))
	f.Add([]byte("3b071d4cf828d9eb63b6fd1ed5eb26aa1c46a41d 1\n\tx\n"))
	f.Add([]byte("author x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parsePorcelain(data)
		if err != nil {
			return
		}
		for _, l := range b.Lines {
			if b.Commits[l.Commit] == nil {
				t.Fatalf("line %+v without its commit", l)
			}
		}
	})
}
