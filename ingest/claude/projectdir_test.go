package claude

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestProjectDir(t *testing.T) {
	long := "/" + strings.Repeat("abcdefghij", 30)
	tests := []struct{ cwd, want string }{
		{"/Users/dain/workspace/danieldemmel.me-next", "-Users-dain-workspace-danieldemmel-me-next"},
		{"/home/u/café app/日本", "-home-u-caf--app---"},
		{"/tmp/a😀b", "-tmp-a--b"},
		{long, "-" + long[1:200] + "-"},
	}
	for _, tt := range tests {
		if got := ProjectDir(tt.cwd); got != tt.want {
			t.Errorf("ProjectDir(%q) = %q, want %q", tt.cwd, got, tt.want)
		}
	}
}

func TestNear(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"-home-u-app", "-home-u-app-sub", "-home-u-apple", "-home-u-other", "-tmp-wt"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Every directory is new: those of other projects are made two days old,
	// but for one in which a session started above the repository just
	// wrote its first transcript.
	old := time.Now().Add(-48 * time.Hour)
	for _, d := range []string{"-home-u-app", "-home-u-app-sub", "-home-u-apple", "-home-u-other", "-tmp-wt"} {
		if err := os.Chtimes(filepath.Join(dir, d), old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "-home-u"), 0o755); err != nil {
		t.Fatal(err)
	}
	got := Near(dir, []string{"/home/u/app", "/tmp/wt"})
	want := []string{filepath.Join(dir, "-home-u"), filepath.Join(dir, "-home-u-app"), filepath.Join(dir, "-home-u-app-sub"), filepath.Join(dir, "-tmp-wt")}
	if !slices.Equal(got, want) {
		t.Errorf("Near = %q, want %q", got, want)
	}
	if got := Near(filepath.Join(dir, "missing"), []string{"/home/u/app"}); got == nil || len(got) != 0 {
		t.Errorf("Near of a missing directory = %#v, want an empty list", got)
	}
}
