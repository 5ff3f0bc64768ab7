package claude

import (
	"strings"
	"testing"
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
