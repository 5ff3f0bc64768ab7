package claude

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Dirs returns the directories holding Claude Code transcripts: projects/
// under each entry of the comma-separated $CLAUDE_CONFIG_DIR (an entry may
// name the projects directory itself, and "~/" stands for home), else
// projects/ under both ${XDG_CONFIG_HOME:-~/.config}/claude and ~/.claude,
// as ccusage reads them.
func Dirs(getenv func(string) string, home string) []string {
	var out []string
	add := func(p string) {
		for _, q := range out {
			if q == p {
				return
			}
		}
		out = append(out, p)
	}
	for _, raw := range strings.Split(getenv("CLAUDE_CONFIG_DIR"), ",") {
		p := strings.TrimSpace(raw)
		switch {
		case p == "":
			continue
		case p == "~":
			p = home
		case strings.HasPrefix(p, "~/"):
			p = filepath.Join(home, p[2:])
		}
		if filepath.Base(p) != "projects" {
			p = filepath.Join(p, "projects")
		}
		add(filepath.Clean(p))
	}
	if len(out) > 0 {
		return out
	}
	xdg := getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		xdg = filepath.Join(home, ".config")
	}
	add(filepath.Join(xdg, "claude", "projects"))
	add(filepath.Join(home, ".claude", "projects"))
	return out
}

// HomeDirs returns the transcript directory under a Claude config directory
// given explicitly: root/projects.
func HomeDirs(root string) []string {
	return []string{filepath.Join(root, "projects")}
}

// ProjectDir returns the name Claude Code gives the directory of the
// transcripts of sessions started in directory cwd (below projects/):
// cwd with every character outside [A-Za-z0-9] written "-" (one per
// UTF-16 unit, as JavaScript counts them). A name longer than 200 gets a
// hash after its first 200, which ProjectDir does not compute: it returns
// those 200 and a "-", the prefix of the name.
func ProjectDir(cwd string) string {
	var b strings.Builder
	for _, r := range cwd {
		switch {
		case 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9':
			b.WriteRune(r)
		case r > 0xffff:
			b.WriteString("--") // a surrogate pair
		default:
			b.WriteByte('-')
		}
	}
	if s := b.String(); len(s) > 200 {
		return s[:200] + "-"
	}
	return b.String()
}

// Match reports whether rel, a slash-separated path relative to a projects
// directory, is a transcript: <project>/<session>.jsonl, the older sub-agent
// files <project>/agent-<id>.jsonl beside it, and any .jsonl below
// <project>/<session>/subagents/ (agent-<id>.jsonl, workflows/…). The
// agent-<id>.meta.json sidecars are not transcripts.
func Match(rel string) bool {
	if !strings.HasSuffix(rel, ".jsonl") || strings.HasSuffix(rel, "/.jsonl") {
		return false
	}
	parts := strings.Split(rel, "/")
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return false
		}
	}
	switch {
	case len(parts) == 2:
		return true
	case len(parts) >= 4:
		return parts[2] == "subagents"
	}
	return false
}

// Whole reports whether a transcript is rewritten whole: never, Claude Code
// appends to its transcripts.
func Whole(string) bool { return false }

// fileInfo is what a transcript's path says about the lines inside.
type fileInfo struct {
	session string // session of lines that name none: the file name, "agent-<id>" for sub-agent files
	sub     bool   // a sub-agent transcript (agent-<id>.jsonl or below subagents/)
	agent   string // the agent id from the file name agent-<id>.jsonl
	parent  string // the parent session named by the path <session>/subagents/…
}

func parsePath(p string) fileInfo {
	p = strings.ReplaceAll(p, `\`, "/")
	dir, name := path.Split(p)
	stem := strings.TrimSuffix(name, ".jsonl")
	var f fileInfo
	parts := strings.Split(strings.TrimSuffix(dir, "/"), "/")
	for i := len(parts) - 1; i > 0; i-- {
		if parts[i] == "subagents" {
			f.sub = true
			f.parent = parts[i-1]
			break
		}
	}
	if id, ok := strings.CutPrefix(stem, "agent-"); ok && id != "" {
		f.sub = true
		f.agent = id
		f.session = "agent-" + id
	} else {
		f.session = stem
	}
	return f
}

// Near returns the project directories below dir (a projects directory)
// of sessions started in the worktrees roots or below them, and those in
// which a file was created in the last day. Claude Code names a session's
// directory after the directory it started in (see ProjectDir), so those
// of a worktree and its subdirectories start with the worktree's name. (A
// sibling whose name extends the worktree's, such as app-old beside app,
// comes along: reading it costs a little, and correlation keeps only the
// worktree's sessions.) A session started elsewhere, in the directory
// above the repository say, writes its transcript in a directory of
// another name: creating the file changed that directory's time, which
// costs a status per project to see.
func Near(dir string, roots []string) []string {
	out := []string{}
	f, err := os.Open(dir)
	if err != nil {
		return out
	}
	entries, _ := f.ReadDir(-1)
	f.Close()
	dirs := make([]string, len(roots))
	for i, root := range roots {
		dirs[i] = strings.TrimSuffix(ProjectDir(root), "-")
	}
	since := time.Now().Add(-24 * time.Hour)
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() {
			continue
		}
		near := slices.ContainsFunc(dirs, func(d string) bool {
			return strings.HasPrefix(name, d) && (len(name) == len(d) || name[len(d)] == '-')
		})
		if !near {
			fi, err := e.Info()
			near = err == nil && fi.ModTime().After(since)
		}
		if near {
			out = append(out, filepath.Join(dir, name))
		}
	}
	sort.Strings(out)
	return out
}
