package fileedit

import (
	"reflect"
	"strings"
	"testing"
)

func TestAbs(t *testing.T) {
	tests := []struct{ cwd, p, want string }{
		{"/home/u/repo", "src/a.go", "/home/u/repo/src/a.go"},
		{"/home/u/repo/", "./src/../b.go", "/home/u/repo/b.go"},
		{"/home/u/repo", "/etc/hosts", "/etc/hosts"},
		{"/home/u/repo", "~/notes.md", "~/notes.md"},
		{"~/src/repo", "a.go", "~/src/repo/a.go"},
		{"", "a.go", "a.go"},
		{"/r", "", ""},
		{`C:\work\repo`, `src\a.go`, `C:\work\repo\src\a.go`},
		{`C:\work\repo`, "src/../b.go", `C:\work\repo\b.go`},
		{"/home/u", `D:/x/y.go`, `D:\x\y.go`},
		{`\\server\share`, "a.txt", `\\server\share\a.txt`},
	}
	for _, tt := range tests {
		if got := Abs(tt.cwd, tt.p); got != tt.want {
			t.Errorf("Abs(%q, %q) = %q, want %q", tt.cwd, tt.p, got, tt.want)
		}
	}
}

func TestRel(t *testing.T) {
	tests := []struct{ cwd, abs, want string }{
		{"/home/u/repo", "/home/u/repo/src/a.go", "src/a.go"},
		{"/home/u/repo", "/home/u/repository/a.go", "home/u/repository/a.go"},
		{"", "/etc/hosts", "etc/hosts"},
		{`C:\Work\Repo`, `c:\work\repo\src\a.go`, "src/a.go"},
	}
	for _, tt := range tests {
		if got := Rel(tt.cwd, tt.abs); got != tt.want {
			t.Errorf("Rel(%q, %q) = %q, want %q", tt.cwd, tt.abs, got, tt.want)
		}
	}
}

func TestHunks(t *testing.T) {
	tests := []struct {
		name           string
		old, new       string
		want           string
		added, removed int
	}{
		{"one line", "a", "b", "@@ -1,1 +1,1 @@\n-a\n+b\n", 1, 1},
		{"insertion", "", "x\ny\n", "@@ -0,0 +1,2 @@\n+x\n+y\n", 2, 0},
		{"deletion", "x\ny", "", "@@ -1,2 +0,0 @@\n-x\n-y\n", 0, 2},
		{"equal", "same", "same", "", 0, 0},
		{"context", "1\n2\n3\n4\n5\n6\n7\n8\n9", "1\n2\n3\n4\nfive\n6\n7\n8\n9",
			"@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n", 1, 1},
		{"two hunks", "a\n1\n2\n3\n4\n5\n6\n7\nb", "A\n1\n2\n3\n4\n5\n6\n7\nB",
			"@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n@@ -6,4 +6,4 @@\n 5\n 6\n 7\n-b\n+B\n", 2, 2},
		{"one hunk when close", "a\n1\n2\n3\n4\n5\n6\nb", "A\n1\n2\n3\n4\n5\n6\nB",
			"@@ -1,8 +1,8 @@\n-a\n+A\n 1\n 2\n 3\n 4\n 5\n 6\n-b\n+B\n", 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			added, removed := Hunks(&b, tt.old, tt.new)
			if b.String() != tt.want || added != tt.added || removed != tt.removed {
				t.Errorf("got +%d -%d\n%s\nwant +%d -%d\n%s", added, removed, b.String(), tt.added, tt.removed, tt.want)
			}
		})
	}
}

func TestBuilt(t *testing.T) {
	tests := []struct {
		name string
		got  Diff
		want Diff
	}{
		{"created", Added("a.txt", "one\ntwo\n", true), Diff{"--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n", 2, 0}},
		{"created without final newline", Added("a.txt", "one", true), Diff{"--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1,1 @@\n+one\n\\ No newline at end of file\n", 1, 0}},
		{"created empty", Added("a.txt", "", true), Diff{"--- /dev/null\n+++ b/a.txt\n", 0, 0}},
		{"written over", Added("a.txt", "x\n", false), Diff{"--- a/a.txt\n+++ b/a.txt\n@@ -0,0 +1,1 @@\n+x\n", 1, 0}},
		{"snippet", Snippets("a.go", [2]string{"a\nb\nc", "a\nB\nc"}), Diff{"--- a/a.go\n+++ b/a.go\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", 1, 1}},
		{"two snippets", Snippets("a.go", [2]string{"x", "y"}, [2]string{"", "z\n"}), Diff{"--- a/a.go\n+++ b/a.go\n@@ -1,1 +1,1 @@\n-x\n+y\n@@ -0,0 +1,1 @@\n+z\n", 2, 1}},
		{"contents, changes far apart", Contents("f", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\n11\nTWELVE\n"),
			Diff{"--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+TWELVE\n", 2, 2}},
		{"contents, changes close", Contents("f", "1\n2\n3\n4\n5\n6\n7\n", "1\nTWO\n3\n4\n5\n6\nSEVEN\n"),
			Diff{"--- a/f\n+++ b/f\n@@ -1,7 +1,7 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n 6\n-7\n+SEVEN\n", 2, 2}},
		{"no change", Contents("f", "same\n", "same\n"), Diff{"--- a/f\n+++ b/f\n", 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %q %d/%d\nwant %q %d/%d", tt.got.Text, tt.got.Added, tt.got.Removed, tt.want.Text, tt.want.Added, tt.want.Removed)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []FileDiff
	}{
		{"jsdiff", "Index: GEMINI.md\n===================================================================\n--- GEMINI.md\tCurrent\n+++ GEMINI.md\tProposed\n@@ -1,3 +1,3 @@\n # T\n-old\n+new\n \n",
			[]FileDiff{{OldPath: "GEMINI.md", NewPath: "GEMINI.md", Hunks: "@@ -1,3 +1,3 @@\n # T\n-old\n+new\n \n", Added: 1, Removed: 1}}},
		{"git, created", "\ndiff --git a/home/u/r/m.md b/home/u/r/m.md\ncreate file mode 100644\nindex 0000000..0000000\n--- a/dev/null\n+++ b/home/u/r/m.md\n@@ -1,0 +1,2 @@\n+# M\n+\n",
			[]FileDiff{{NewPath: "home/u/r/m.md", Created: true, Hunks: "@@ -1,0 +1,2 @@\n+# M\n+\n", Added: 2}}},
		{"removed line that looks like a header", "--- a/x\n+++ b/x\n@@ -1,2 +1,1 @@\n--- not a header\n keep\n",
			[]FileDiff{{OldPath: "x", NewPath: "x", Hunks: "@@ -1,2 +1,1 @@\n--- not a header\n keep\n", Removed: 1}}},
		{"two files, lost context prefix", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n-a\n+A\ndiff --git a/b b/b\ndeleted file mode 100644\n--- a/b\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-b\n-\n",
			[]FileDiff{
				{OldPath: "a", NewPath: "a", Hunks: "@@ -1 +1 @@\n-a\n+A\n", Added: 1, Removed: 1},
				{OldPath: "b", Deleted: true, Hunks: "@@ -1,2 +0,0 @@\n-b\n-\n", Removed: 2},
			}},
		{"short hunk", "--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n-a\n+b\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-c\n+d\n",
			[]FileDiff{
				{OldPath: "x", NewPath: "x", Hunks: "@@ -1,5 +1,5 @@\n-a\n+b\n", Added: 1, Removed: 1},
				{OldPath: "y", NewPath: "y", Hunks: "@@ -1 +1 @@\n-c\n+d\n", Added: 1, Removed: 1},
			}},
		{"not a diff", "Successfully modified file", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	d := Parse("--- a\tx\n+++ b\tx\n@@ -1 +1 @@\n-a\n+b\n")[0].Diff("src/a.go")
	if want := "--- a/src/a.go\n+++ b/src/a.go\n@@ -1 +1 @@\n-a\n+b\n"; d.Text != want || d.Added != 1 || d.Removed != 1 {
		t.Errorf("Diff = %q %d/%d, want %q 1/1", d.Text, d.Added, d.Removed, want)
	}
}

// FuzzParse feeds arbitrary text to Parse: no input may panic, and the
// counts must agree with the hunks kept.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"--- a/x\n+++ b/x\n@@ -1,2 +1,1 @@\n-a\n b\n", "diff --git a/a b/a\n@@ -1 +1 @@\n", "@@ -0,0 +1,1 @@\n+x", "--- a\n+++ b\n@@ -a,b +c,d @@\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, fd := range Parse(text) {
			added, removed := 0, 0
			for _, l := range split(fd.Hunks) {
				if len(l) > 0 && l[0] == '+' {
					added++
				}
				if len(l) > 0 && l[0] == '-' {
					removed++
				}
			}
			if added != fd.Added || removed != fd.Removed {
				t.Fatalf("%q: counted %d/%d, hunks hold %d/%d", text, fd.Added, fd.Removed, added, removed)
			}
		}
	})
}
