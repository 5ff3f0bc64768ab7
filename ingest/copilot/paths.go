package copilot

import (
	"path/filepath"
	"strings"
)

// Dirs returns the directories holding Copilot CLI sessions: session-state/
// and history-session-state/ under $COPILOT_HOME, else under ~/.copilot.
func Dirs(getenv func(string) string, home string) []string {
	root := getenv("COPILOT_HOME")
	switch {
	case root == "":
		root = filepath.Join(home, ".copilot")
	case root == "~":
		root = home
	case strings.HasPrefix(root, "~/"):
		root = filepath.Join(home, root[2:])
	}
	return HomeDirs(root)
}

// HomeDirs returns the session directories under a Copilot home given
// explicitly.
func HomeDirs(root string) []string {
	return []string{filepath.Join(root, "session-state"), filepath.Join(root, "history-session-state")}
}

// Match reports whether rel, a slash-separated path relative to a scanned
// directory, is a session: <id>/events.jsonl (current), <id>.jsonl (late
// 2025) or session_<id>_<epoch ms>.json (the legacy history).
func Match(rel string) bool {
	parts := strings.Split(rel, "/")
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return false
		}
	}
	switch len(parts) {
	case 1:
		return strings.HasSuffix(rel, ".jsonl") && rel != ".jsonl" ||
			strings.HasPrefix(rel, "session_") && strings.HasSuffix(rel, ".json")
	case 2:
		return parts[1] == "events.jsonl"
	}
	return false
}

// Whole reports whether a session is one JSON document rewritten whole:
// the legacy history files.
func Whole(p string) bool { return strings.HasSuffix(p, ".json") }

// pathSession returns the session id a path names: the directory of an
// events.jsonl, the stem of an <id>.jsonl, the <id> of
// session_<id>_<epoch ms>.json.
func pathSession(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	dir, name := "", p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir, name = p[:i], p[i+1:]
	}
	switch {
	case name == "events.jsonl":
		return dir[strings.LastIndexByte(dir, '/')+1:]
	case strings.HasSuffix(name, ".jsonl"):
		return strings.TrimSuffix(name, ".jsonl")
	}
	stem := strings.TrimPrefix(strings.TrimSuffix(name, ".json"), "session_")
	if i := strings.LastIndexByte(stem, '_'); i > 0 {
		stem = stem[:i]
	}
	return stem
}
