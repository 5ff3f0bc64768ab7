package gemini

import (
	"path/filepath"
	"strings"
)

// Dirs returns the directories holding Gemini CLI chats: each entry of the
// comma-separated $GEMINI_DATA_DIR (as ccusage reads it; an entry may name
// the tmp directory or the .gemini directory above it, and "~/" stands for
// home), else tmp/ under $GEMINI_CLI_HOME/.gemini (Gemini CLI's own
// override of the home directory), else ~/.gemini/tmp.
func Dirs(getenv func(string) string, home string) []string {
	var out []string
	for _, raw := range strings.Split(getenv("GEMINI_DATA_DIR"), ",") {
		p := strings.TrimSpace(raw)
		switch {
		case p == "":
			continue
		case p == "~":
			p = home
		case strings.HasPrefix(p, "~/"):
			p = filepath.Join(home, p[2:])
		}
		if filepath.Base(p) != "tmp" {
			p = filepath.Join(p, "tmp")
		}
		out = append(out, filepath.Clean(p))
	}
	if len(out) > 0 {
		return out
	}
	if h := getenv("GEMINI_CLI_HOME"); h != "" {
		home = h
	}
	return []string{filepath.Join(home, ".gemini", "tmp")}
}

// HomeDirs returns the chat directory under a .gemini directory given with
// --source: root/tmp (when it does not exist, root itself is scanned).
func HomeDirs(root string) []string { return []string{filepath.Join(root, "tmp")} }

// Match reports whether rel, a slash-separated path relative to a tmp
// directory, is a chat: <project>/chats/session-*.json or .jsonl, or a
// sub-agent's <project>/chats/<parent session>/<session>.jsonl.
func Match(rel string) bool {
	parts := strings.Split(rel, "/")
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return false
		}
	}
	name := parts[len(parts)-1]
	switch {
	case len(parts) == 3 && parts[1] == "chats":
		return strings.HasPrefix(name, "session-") && (strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".jsonl"))
	case len(parts) == 4 && parts[1] == "chats":
		return strings.HasSuffix(name, ".jsonl") && len(name) > len(".jsonl")
	}
	return false
}

// Whole reports whether a chat is one JSON document rewritten whole: the
// session-*.json files written up to early 2026.
func Whole(p string) bool { return strings.HasSuffix(p, ".json") }

// Replay reports whether a chat is a JSONL log to replay: messages are
// re-appended with more in them and $rewindTo lines truncate the
// conversation, so that it is known only at the end.
func Replay(p string) bool { return strings.HasSuffix(p, ".jsonl") }

// Sidecars returns the files that name a chat's project root: the
// .project_root marker of its project directory, and the registry
// projects.json of the .gemini directory (both written since early 2026).
func Sidecars(p string) []string {
	project := projectDir(p)
	if project == "" {
		return nil
	}
	return []string{filepath.Join(project, ".project_root"), filepath.Join(filepath.Dir(filepath.Dir(project)), "projects.json")}
}

// projectDir returns the project directory of a chat: the parent of the
// last "chats" directory in its path.
func projectDir(p string) string {
	dir := filepath.Dir(p)
	for dir != filepath.Dir(dir) {
		if filepath.Base(dir) == "chats" {
			return filepath.Dir(dir)
		}
		dir = filepath.Dir(dir)
	}
	return ""
}

// fileInfo is what a chat's path says about it.
type fileInfo struct {
	project string // the project directory's name: a sha256 hex or a slug
	parent  string // the parent session of a sub-agent chat
	id      string // the session id the name gives (a sub-agent's, or session-…-<id8>)
	jsonl   bool
}

func parsePath(p string) fileInfo {
	p = strings.ReplaceAll(p, `\`, "/")
	parts := strings.Split(p, "/")
	var f fileInfo
	name := parts[len(parts)-1]
	f.jsonl = strings.HasSuffix(name, ".jsonl")
	stem := strings.TrimSuffix(strings.TrimSuffix(name, ".jsonl"), ".json")
	for i := len(parts) - 2; i > 0; i-- {
		if parts[i] != "chats" {
			continue
		}
		f.project = parts[i-1]
		if i == len(parts)-3 {
			f.parent = parts[len(parts)-2]
		}
		break
	}
	if f.parent != "" {
		f.id = stem
	} else if i := strings.LastIndexByte(stem, '-'); i >= 0 && strings.HasPrefix(stem, "session-") {
		f.id = stem[i+1:]
	}
	return f
}
