package vscode

import (
	"path/filepath"
	"runtime"
	"strings"
)

// products are the names of VS Code's builds whose user directories hold
// Copilot Chat sessions.
var products = []string{"Code", "Code - Insiders", "VSCodium", "Code - OSS"}

// Dirs returns the directories holding VS Code chat sessions:
// workspaceStorage/ and globalStorage/emptyWindowChatSessions/ of each VS
// Code user directory. That is $VSCODE_PORTABLE/user-data/User for a
// portable install; else <product>/User under $VSCODE_APPDATA when set, else
// under the platform's application data directory: ${XDG_CONFIG_HOME:-~/.config}
// (Linux and other Unix systems), ~/Library/Application Support (macOS),
// %APPDATA% (Windows).
func Dirs(getenv func(string) string, home string) []string {
	return dirs(runtime.GOOS, getenv, home)
}

func dirs(goos string, getenv func(string) string, home string) []string {
	var users []string
	if p := getenv("VSCODE_PORTABLE"); p != "" {
		users = append(users, filepath.Join(p, "user-data", "User"))
	} else {
		root := getenv("VSCODE_APPDATA")
		switch {
		case root != "":
		case goos == "darwin":
			root = filepath.Join(home, "Library", "Application Support")
		case goos == "windows":
			root = getenv("APPDATA")
		default:
			if root = getenv("XDG_CONFIG_HOME"); root == "" {
				root = filepath.Join(home, ".config")
			}
		}
		if root == "" {
			return nil
		}
		for _, p := range products {
			users = append(users, filepath.Join(root, p, "User"))
		}
	}
	var out []string
	for _, u := range users {
		out = append(out, HomeDirs(u)...)
	}
	return out
}

// HomeDirs returns the session directories under a VS Code user directory
// given explicitly (such as ~/.config/Code/User).
func HomeDirs(user string) []string {
	return []string{filepath.Join(user, "workspaceStorage"), filepath.Join(user, "globalStorage", "emptyWindowChatSessions")}
}

// Match reports whether rel, a slash-separated path relative to a scanned
// directory, is a chat session: <workspace hash>/chatSessions/<id>.json or
// .jsonl below workspaceStorage, or <id>.json or .jsonl of a window
// without a folder.
func Match(rel string) bool {
	if !strings.HasSuffix(rel, ".json") && !strings.HasSuffix(rel, ".jsonl") {
		return false
	}
	parts := strings.Split(rel, "/")
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || p == ".json" || p == ".jsonl" {
			return false
		}
	}
	switch len(parts) {
	case 1:
		return true
	case 3:
		return parts[1] == "chatSessions"
	}
	return false
}

// Whole reports whether a session is one JSON document that VS Code
// rewrites whole: the .json sessions.
func Whole(p string) bool { return strings.HasSuffix(p, ".json") }

// Replay reports whether a session is a mutation log to replay from its
// start: the .jsonl sessions (since late 2025), whose lines set, push and
// delete values at paths of one document, and which VS Code compacts now
// and then into a new first line.
func Replay(p string) bool { return strings.HasSuffix(p, ".jsonl") }

// Sidecars returns the workspace.json of the workspace whose chat p is: it
// names the folder (or the .code-workspace file) the window had open.
func Sidecars(p string) []string {
	dir := filepath.Dir(p)
	if filepath.Base(dir) != "chatSessions" {
		return nil
	}
	return []string{filepath.Join(filepath.Dir(dir), "workspace.json")}
}

// fileSession is the session id a path names: its file name's stem.
func fileSession(p string) string {
	name := filepath.Base(strings.ReplaceAll(p, `\`, "/"))
	return strings.TrimSuffix(strings.TrimSuffix(name, ".jsonl"), ".json")
}
