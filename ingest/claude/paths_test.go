package claude

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestDirs(t *testing.T) {
	const home = "/home/u"
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"defaults", nil, []string{"/home/u/.config/claude/projects", "/home/u/.claude/projects"}},
		{"XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": "/xdg"}, []string{"/xdg/claude/projects", "/home/u/.claude/projects"}},
		{"CLAUDE_CONFIG_DIR list", map[string]string{"CLAUDE_CONFIG_DIR": "/a, ~/b ,/c/projects,,/a", "XDG_CONFIG_HOME": "/xdg"},
			[]string{"/a/projects", "/home/u/b/projects", "/c/projects"}},
		{"CLAUDE_CONFIG_DIR blank", map[string]string{"CLAUDE_CONFIG_DIR": " , "}, []string{"/home/u/.config/claude/projects", "/home/u/.claude/projects"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Dirs(func(k string) string { return tt.env[k] }, home)
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = filepath.FromSlash(w)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
	if got, want := HomeDirs("/r"), []string{filepath.FromSlash("/r/projects")}; !reflect.DeepEqual(got, want) {
		t.Errorf("HomeDirs: got %q, want %q", got, want)
	}
	if Whole("/r/projects/p/s.jsonl") {
		t.Error("Whole: got true, want false (transcripts are appended to)")
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		rel  string
		want bool
	}{
		{"-home-u-app/0b8e3c52-1d7a-4e0f-9a61-3c2f5d7e8a90.jsonl", true},
		{"-home-u-app/agent-668b5ac2.jsonl", true},
		{"-home-u-app/0b8e3c52/subagents/agent-a2271d1.jsonl", true},
		{"-home-u-app/0b8e3c52/subagents/workflows/wf1/agent-a1.jsonl", true},
		{"-home-u-app/0b8e3c52/subagents/agent-a2271d1.meta.json", false},
		{"-home-u-app/0b8e3c52/tool-results/x.jsonl", false},
		{"-home-u-app/0b8e3c52/notes.jsonl", false},
		{"s.jsonl", false},
		{"-home-u-app/s.json", false},
		{"-home-u-app/.jsonl", false},
		{"-home-u-app//s.jsonl", false},
	}
	for _, tt := range tests {
		if got := Match(tt.rel); got != tt.want {
			t.Errorf("Match(%q): got %v, want %v", tt.rel, got, tt.want)
		}
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		path string
		want fileInfo
	}{
		{"/h/.claude/projects/p/0b8e.jsonl", fileInfo{session: "0b8e"}},
		{"/h/.claude/projects/p/agent-668b5ac2.jsonl", fileInfo{session: "agent-668b5ac2", sub: true, agent: "668b5ac2"}},
		{"/h/.claude/projects/p/0b8e/subagents/agent-a2271d1.jsonl", fileInfo{session: "agent-a2271d1", sub: true, agent: "a2271d1", parent: "0b8e"}},
		{"/h/.claude/projects/p/0b8e/subagents/workflows/wf/run.jsonl", fileInfo{session: "run", sub: true, parent: "0b8e"}},
		{`C:\Users\u\.claude\projects\p\0b8e\subagents\agent-a1.jsonl`, fileInfo{session: "agent-a1", sub: true, agent: "a1", parent: "0b8e"}},
	}
	for _, tt := range tests {
		if got := parsePath(tt.path); got != tt.want {
			t.Errorf("parsePath(%q): got %+v, want %+v", tt.path, got, tt.want)
		}
	}
}
