package gitlog

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRoot(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(base, "café app", "日本")
	sub := filepath.Join(repo, "src", "deep")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := runGit(repo, nil, "init", "-q"); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(sub, link); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(base, "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CEILING_DIRECTORIES", base)
	for _, tt := range []struct{ dir, want string }{
		{repo, repo},
		{sub, repo},
		{link, repo}, // through a symbolic link: the real root
	} {
		got, err := Root(tt.dir)
		if err != nil || got != tt.want {
			t.Errorf("Root(%q) = %q, %v; want %q", tt.dir, got, err, tt.want)
		}
	}
	if got, err := Root(outside); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Root(%q) = %q, %v; want ErrNotRepository", outside, got, err)
	}
}
