package fileedit

import (
	"reflect"
	"testing"
)

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
