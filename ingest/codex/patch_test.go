package codex

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/store"
)

func TestParsePatch(t *testing.T) {
	tests := []struct {
		name  string
		patch string
		want  []patchFile
	}{
		{
			name:  "add",
			patch: "*** Begin Patch\n*** Add File: docs/a.md\n+# A\n+\n+text\n*** End Patch",
			want:  []patchFile{{Op: store.OpAdd, Path: "docs/a.md", Lines: []string{"# A", "", "text"}}},
		},
		{
			name:  "add empty file",
			patch: "*** Begin Patch\n*** Add File: empty.txt\n*** End Patch\n",
			want:  []patchFile{{Op: store.OpAdd, Path: "empty.txt"}},
		},
		{
			name:  "delete",
			patch: "*** Begin Patch\n*** Delete File: old.go\n*** End Patch",
			want:  []patchFile{{Op: store.OpDelete, Path: "old.go"}},
		},
		{
			name:  "update with context header",
			patch: "*** Begin Patch\n*** Update File: main.go\n@@ func main() {\n \tx := 1\n-\tprintln(x)\n+\tfmt.Println(x)\n*** End Patch",
			want: []patchFile{{Op: store.OpUpdate, Path: "main.go", Hunks: []patchHunk{
				{Context: "func main() {", Lines: []string{" \tx := 1", "-\tprintln(x)", "+\tfmt.Println(x)"}},
			}}},
		},
		{
			name:  "update without @@ and with an empty context line",
			patch: "*** Begin Patch\n*** Update File: a.txt\n one\n\n-two\n+2\n*** End Patch",
			want: []patchFile{{Op: store.OpUpdate, Path: "a.txt", Hunks: []patchHunk{
				{Lines: []string{" one", " ", "-two", "+2"}},
			}}},
		},
		{
			name:  "move",
			patch: "*** Begin Patch\n*** Update File: src/a.py\n*** Move to: src/b.py\n@@\n-x = 1\n+x = 2\n*** End Patch",
			want: []patchFile{{Op: store.OpUpdate, Path: "src/a.py", MoveTo: "src/b.py", Hunks: []patchHunk{
				{Lines: []string{"-x = 1", "+x = 2"}},
			}}},
		},
		{
			name: "several hunks and End of File",
			patch: "*** Begin Patch\n*** Update File: a.txt\n@@ first\n-a\n+b\n@@ second\n-c\n+d\n*** End of File\n" +
				"*** End Patch",
			want: []patchFile{{Op: store.OpUpdate, Path: "a.txt", Hunks: []patchHunk{
				{Context: "first", Lines: []string{"-a", "+b"}},
				{Context: "second", Lines: []string{"-c", "+d"}, EOF: true},
			}}},
		},
		{
			name: "several files",
			patch: "*** Begin Patch\n*** Add File: n.txt\n+new\n*** Delete File: gone.txt\n*** Update File: u.txt\n@@\n-u\n+v\n" +
				"*** End Patch",
			want: []patchFile{
				{Op: store.OpAdd, Path: "n.txt", Lines: []string{"new"}},
				{Op: store.OpDelete, Path: "gone.txt"},
				{Op: store.OpUpdate, Path: "u.txt", Hunks: []patchHunk{{Lines: []string{"-u", "+v"}}}},
			},
		},
		{
			name:  "CRLF, surrounding blanks and a heredoc opener",
			patch: "\r\n<<'EOF'\r\n*** Begin Patch\r\n*** Add File: w.txt\r\n+win\r\n*** End Patch\r\n",
			want:  []patchFile{{Op: store.OpAdd, Path: "w.txt", Lines: []string{"win"}}},
		},
		{
			name:  "empty patch",
			patch: "*** Begin Patch\n*** End Patch",
			want:  nil,
		},
		{
			name:  "redaction placeholder in an added line",
			patch: "*** Begin Patch\n*** Add File: .env\n+TOKEN=[REDACTED:generic-api-key]\n*** End Patch",
			want:  []patchFile{{Op: store.OpAdd, Path: ".env", Lines: []string{"TOKEN=[REDACTED:generic-api-key]"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePatch(tt.patch)
			if err != nil {
				t.Fatalf("parsePatch: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParsePatchMalformed(t *testing.T) {
	tests := []struct {
		name, patch, want string
	}{
		{"no begin", "*** Add File: a\n+x\n*** End Patch", "does not start with"},
		{"empty input", "", "does not start with"},
		{"no end", "*** Begin Patch\n*** Add File: a\n+x\n", "does not end with"},
		{"truncated update", "*** Begin Patch\n*** Update File: a\n@@\n-x", "does not end with"},
		{"update without hunks", "*** Begin Patch\n*** Update File: a\n*** End Patch", "no hunks"},
		{"unknown header", "*** Begin Patch\n*** Rename File: a\n*** End Patch", "unexpected"},
		{"add line without plus", "*** Begin Patch\n*** Add File: a\nx\n*** End Patch", "unexpected"},
		{"end of file outside a hunk", "*** Begin Patch\n*** Update File: a\n*** End of File\n*** End Patch", "outside a hunk"},
		{"garbage in a hunk", "*** Begin Patch\n*** Update File: a\n@@\n-x\n?y\n*** End Patch", "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePatch(tt.patch)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("parsePatch = %v, %v; want an error containing %q", got, err, tt.want)
			}
		})
	}
}

func TestPatchDiff(t *testing.T) {
	tests := []struct {
		name           string
		file           patchFile
		from, to       string
		want           string
		added, removed int
	}{
		{
			name: "add has real numbers",
			file: patchFile{Op: store.OpAdd, Path: "a.md", Lines: []string{"x", "y"}},
			from: "a.md", to: "a.md",
			want:  "--- /dev/null\n+++ b/a.md\n@@ -0,0 +1,2 @@\n+x\n+y\n",
			added: 2,
		},
		{
			name: "delete has no content",
			file: patchFile{Op: store.OpDelete, Path: "a.md"},
			from: "a.md", to: "a.md",
			want: "--- a/a.md\n+++ /dev/null\n",
		},
		{
			name: "update keeps the context header and no numbers",
			file: patchFile{Op: store.OpUpdate, Path: "a.go", MoveTo: "b.go", Hunks: []patchHunk{
				{Context: "func f() {", Lines: []string{" a", "-b", "+c", "+d"}},
				{Lines: []string{"-e"}},
			}},
			from: "a.go", to: "b.go",
			want:  "--- a/a.go\n+++ b/b.go\n@@ func f() {\n a\n-b\n+c\n+d\n@@\n-e\n",
			added: 2, removed: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.file.diff("a/"+tt.from, "b/"+tt.to); got != tt.want {
				t.Errorf("diff:\n%s\nwant:\n%s", got, tt.want)
			}
			if a, r := tt.file.counts(); a != tt.added || r != tt.removed {
				t.Errorf("counts = +%d -%d, want +%d -%d", a, r, tt.added, tt.removed)
			}
		})
	}
}

func TestDiffCounts(t *testing.T) {
	tests := []struct {
		diff           string
		added, removed int
	}{
		{"@@ -1,4 +1,4 @@\n package core\n \n-const V = 1\n+const V = 2\n", 1, 1},
		{"--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n-a\n+b\n+c\n", 2, 1},
		{"--- a/x\n+++ b/x\n", 0, 0},
		{"[trimmed for fixture]", 0, 0},
		{"-a\n+b\n", 1, 1},
		{"", 0, 0},
	}
	for _, tt := range tests {
		if a, r := diffCounts(tt.diff); a != tt.added || r != tt.removed {
			t.Errorf("diffCounts(%q) = +%d -%d, want +%d -%d", tt.diff, a, r, tt.added, tt.removed)
		}
	}
}

func TestScriptPatch(t *testing.T) {
	const p = "*** Begin Patch\n*** Add File: a\n+x\n*** End Patch"
	tests := []struct {
		name      string
		argv      []string
		wantPatch string
		wantDir   string
		ok        bool
	}{
		{"argv", []string{"apply_patch", p}, p, "", true},
		{"applypatch argv", []string{"/usr/local/bin/applypatch", p}, p, "", true},
		{"heredoc", []string{"bash", "-lc", "apply_patch <<'EOF'\n" + p + "\nEOF\n"}, p, "", true},
		{"heredoc with space", []string{"bash", "-lc", "applypatch << 'PATCH'\n" + p + "\nPATCH"}, p, "", true},
		{"cat pipe", []string{"zsh", "-lc", "cat <<'EOF' | apply_patch\n" + p + "\nEOF"}, p, "", true},
		{"cd first", []string{"bash", "-lc", "cd 'sub dir' && apply_patch <<\"EOF\"\n" + p + "\nEOF"}, p, "sub dir", true},
		{"cd then cat pipe", []string{"bash", "-lc", "cd docs && cat <<'EOF' | apply_patch\n" + p + "\nEOF"}, p, "docs", true},
		{"powershell", []string{"powershell.exe", "-Command", "apply_patch @'\n" + p + "\n'@"}, p, "", true},
		{"patch written to a file", []string{"bash", "-lc", "cat > x.patch <<'EOF'\n" + p + "\nEOF"}, "", "", false},
		{"no patch", []string{"bash", "-lc", "apply_patch --help"}, "", "", false},
		{"not apply_patch", []string{"bash", "-lc", "my_apply_patcher <<'EOF'\n" + p + "\nEOF"}, "", "", false},
		{"lone apply_patch", []string{"apply_patch"}, "", "", false},
		{"empty", nil, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			patch, dir, ok := argvPatch(tt.argv)
			if ok != tt.ok || patch != tt.wantPatch || dir != tt.wantDir {
				t.Errorf("argvPatch = %q, %q, %v; want %q, %q, %v", patch, dir, ok, tt.wantPatch, tt.wantDir, tt.ok)
			}
		})
	}
}
