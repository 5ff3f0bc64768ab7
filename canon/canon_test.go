package canon

import (
	"os"
	"path/filepath"
	"testing"
)

func TestJoin(t *testing.T) {
	tests := []struct {
		base, p, want string
	}{
		{"/home/dev/app", "src/a.go", "/home/dev/app/src/a.go"},
		{"/home/dev/app/", "./src/../b.go", "/home/dev/app/b.go"},
		{"/home/dev/app", "/etc/hosts", "/etc/hosts"},
		{"/home/dev/app", "/home/dev/app/./x//y.go", "/home/dev/app/x/y.go"},
		{"/home/dev/app", "~/notes.md", "~/notes.md"},
		{"/home/dev/app", "", ""},
		{"~/src/repo", "a.go", "~/src/repo/a.go"},
		{"/home/u", `D:/x/y.go`, `D:\x\y.go`},
		{"", "src/a.go", "src/a.go"},
		{"/home/dev/café app/日本", "lib.py", "/home/dev/café app/日本/lib.py"},
		{`C:\workspace\project`, "src/version.txt", `C:\workspace\project\src\version.txt`},
		{`C:\workspace\project`, `docs\..\README.md`, `C:\workspace\project\README.md`},
		{`C:\workspace\project\`, "a.txt", `C:\workspace\project\a.txt`},
		{`C:\workspace\project`, `D:\other\x.txt`, `D:\other\x.txt`},
		{`C:/workspace/project`, "a.txt", `C:\workspace\project\a.txt`},
		{`\\server\share\proj`, "a.txt", `\\server\share\proj\a.txt`},
		{"/home/dev/app", `C:\x\y.txt`, `C:\x\y.txt`},
		{`C:\Users\u\app`, `c:\users\u\APP\x.go`, `c:\users\u\APP\x.go`},
		{`C:\Users\u\app`, "src/a.go", `C:\Users\u\app\src\a.go`},
	}
	for _, tt := range tests {
		if got := Join(tt.base, tt.p); got != tt.want {
			t.Errorf("Join(%q, %q) = %q, want %q", tt.base, tt.p, got, tt.want)
		}
	}
}

func TestRelAndDiffName(t *testing.T) {
	tests := []struct {
		base, abs, rel, name string
	}{
		{"/home/dev/app", "/home/dev/app/src/a.go", "src/a.go", "a/src/a.go"},
		{"/home/dev/app/", "/home/dev/app/c.go", "c.go", "a/c.go"},
		{"/home/dev/app", "/home/dev/application/x", "/home/dev/application/x", "/home/dev/application/x"},
		{"/home/dev/app", "/etc/hosts", "/etc/hosts", "/etc/hosts"},
		{"", "/etc/hosts", "/etc/hosts", "/etc/hosts"},
		{"", "src/a.go", "src/a.go", "a/src/a.go"},
		{"/w", "./src/../b.go", "b.go", "a/b.go"},
		{`C:\workspace\project`, `C:\workspace\project\src\v.txt`, "src/v.txt", "a/src/v.txt"},
		{`C:\Work\Repo`, `c:\work\repo\src\a.go`, "src/a.go", "a/src/a.go"},
		{`C:\workspace\project`, `D:\x.txt`, `D:\x.txt`, `D:\x.txt`},
	}
	for _, tt := range tests {
		if got := Rel(tt.base, tt.abs); got != tt.rel {
			t.Errorf("Rel(%q, %q) = %q, want %q", tt.base, tt.abs, got, tt.rel)
		}
		if got := DiffName("a", Rel(tt.base, tt.abs)); got != tt.name {
			t.Errorf("DiffName(a, Rel(%q, %q)) = %q, want %q", tt.base, tt.abs, got, tt.name)
		}
	}
}

func TestWithin(t *testing.T) {
	tests := []struct {
		dir, p, rel string
		ok          bool
	}{
		{"/h/src/repo", "/h/src/repo/a/b.go", "a/b.go", true},
		{"/h/src/repo", "/h/src/repo", "", true},
		{"/h/src/repo", "/h/src/repository/a.go", "", false},
		{"/h/src/repo", "/h/src", "", false},
		{"/h/café app/日本", "/h/café app/日本/lib.py", "lib.py", true},
		{"/h/café app/日本", "/h/café app/日本語/lib.py", "", false},
		{"/", "/etc/hosts", "etc/hosts", true},
		{"", "/etc/hosts", "", false},
	}
	for _, tt := range tests {
		rel, ok := Within(tt.dir, tt.p)
		if rel != tt.rel || ok != tt.ok {
			t.Errorf("Within(%q, %q) = %q, %v; want %q, %v", tt.dir, tt.p, rel, ok, tt.rel, tt.ok)
		}
	}
}

// tree makes real/repo (a git worktree, with a sub-directory) and links
// to it in a temporary directory, with non-ASCII names and spaces.
func tree(t *testing.T) (base string) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(base, "real", "café app", "日本")
	for _, d := range []string{filepath.Join(repo, ".git"), filepath.Join(repo, "src")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "src", "a.go"), []byte("package a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(filepath.Join(base, "real"), filepath.Join(base, "home")))                  // a symlinked home
	must(os.Symlink(filepath.Join(repo, "src", "a.go"), filepath.Join(repo, "link.go")))        // a file link
	must(os.Symlink(filepath.Join(repo, "src", "gone.go"), filepath.Join(repo, "dangling.go"))) // a link to nothing
	return base
}

func TestResolverPath(t *testing.T) {
	base := tree(t)
	repo := filepath.Join(base, "real", "café app", "日本")
	r := NewResolver(filepath.Join(base, "home"))
	tests := []struct {
		name, p, want string
	}{
		{"real path", filepath.Join(repo, "src", "a.go"), filepath.Join(repo, "src", "a.go")},
		{"through a symlinked directory", filepath.Join(base, "home", "café app", "日本", "src", "a.go"), filepath.Join(repo, "src", "a.go")},
		{"home-relative", "~/café app/日本/src/a.go", filepath.Join(repo, "src", "a.go")},
		{"a file that does not exist yet", filepath.Join(base, "home", "café app", "日本", "new", "b.go"), filepath.Join(repo, "new", "b.go")},
		{"uncleaned", filepath.Join(base, "home") + "/café app/./日本/src/../src//a.go", filepath.Join(repo, "src", "a.go")},
		{"a file symlink", filepath.Join(repo, "link.go"), filepath.Join(repo, "src", "a.go")},
		{"a dangling symlink stays", filepath.Join(repo, "dangling.go"), filepath.Join(repo, "dangling.go")},
		{"nothing exists below the root", "/nonexistent-aitrail/x/y", "/nonexistent-aitrail/x/y"},
		{"relative", "src/a.go", ""},
		{"empty", "", ""},
		{"windows", `C:\Users\u\a.go`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Path(tt.p); got != tt.want {
				t.Errorf("Path(%q) = %q, want %q", tt.p, got, tt.want)
			}
		})
	}
	if got := NewResolver("").Path("~/x"); got != "" {
		t.Errorf("Path(~/x) without a home = %q, want \"\"", got)
	}
}

func TestResolverRoot(t *testing.T) {
	base := tree(t)
	repo := filepath.Join(base, "real", "café app", "日本")
	r := NewResolver("")
	for _, p := range []string{repo, filepath.Join(repo, "src", "a.go"), filepath.Join(repo, "new", "deep", "b.go")} {
		if got := r.Root(p); got != repo {
			t.Errorf("Root(%q) = %q, want %q", p, got, repo)
		}
	}
	// Asked again (from the cache) and outside any repository.
	if got := r.Root(filepath.Join(repo, "src")); got != repo {
		t.Errorf("Root(src) = %q, want %q", got, repo)
	}
	if got := r.Root(filepath.Join(base, "real", "x.go")); got != "" {
		t.Errorf("Root outside = %q, want \"\"", got)
	}
	if got := r.Root(""); got != "" {
		t.Errorf("Root(\"\") = %q", got)
	}
}
