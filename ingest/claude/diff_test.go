package claude

import (
	"strings"
	"testing"
)

func TestPatchDiff(t *testing.T) {
	tests := []struct {
		name           string
		hunks          []hunk
		want           string
		added, removed int
	}{
		{"jsdiff hunk", []hunk{{OldStart: 18, OldLines: 3, NewStart: 18, NewLines: 4, Lines: []string{" a", " b", "+c", " d"}}},
			"@@ -18,3 +18,4 @@\n a\n b\n+c\n d\n", 1, 0},
		// jsdiff numbers an empty range from the next line; the format
		// wants the line before it.
		{"into an empty file", []hunk{{OldStart: 1, OldLines: 0, NewStart: 1, NewLines: 2, Lines: []string{"+x", "+y", `\ No newline at end of file`}}},
			"@@ -0,0 +1,2 @@\n+x\n+y\n\\ No newline at end of file\n", 2, 0},
		{"counts from the lines", []hunk{{OldStart: 5, OldLines: 9, NewStart: 5, NewLines: 9, Lines: []string{" a", "-b"}}},
			"@@ -5,2 +5,1 @@\n a\n-b\n", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			added, removed := patchDiff(&b, tt.hunks)
			if b.String() != tt.want || added != tt.added || removed != tt.removed {
				t.Errorf("got +%d -%d\n%s\nwant +%d -%d\n%s", added, removed, b.String(), tt.added, tt.removed, tt.want)
			}
		})
	}
}

func TestWholeFileDiff(t *testing.T) {
	var b strings.Builder
	diffHeaders(&b, "", "dir/new.txt", true)
	if n := allAdded(&b, "one\ntwo", true); n != 2 {
		t.Errorf("got %d lines added, want 2", n)
	}
	want := "--- /dev/null\n+++ b/dir/new.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n\\ No newline at end of file\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
