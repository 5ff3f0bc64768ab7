package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// File is one log file to ingest and the agent that wrote it.
type File struct {
	Agent *Agent
	Path  string
}

// Source overrides discovery for one agent: PATH is an agent home (such as
// ~/.codex), a directory of logs, or a single log file.
type Source struct {
	Agent string
	Path  string
}

// ParseSource parses a --source value of the form AGENT:PATH.
func ParseSource(s string) (Source, error) {
	agent, path, ok := strings.Cut(s, ":")
	if !ok || agent == "" || path == "" {
		return Source{}, fmt.Errorf("--source %q: want AGENT:PATH, for example codex:~/.codex", s)
	}
	return Source{Agent: agent, Path: path}, nil
}

// Find returns the agent named name.
func Find(agents []Agent, name string) (*Agent, error) {
	var names []string
	for i := range agents {
		if agents[i].Name == name {
			return &agents[i], nil
		}
		names = append(names, agents[i].Name)
	}
	return nil, fmt.Errorf("unknown agent %q (known: %s)", name, strings.Join(names, ", "))
}

// Discover lists the log files to ingest, sorted by path within each agent.
// Without sources, every agent's own directories are scanned; with sources,
// only those (an agent given in sources is scanned only there, agents not
// named are not scanned at all). Directories that do not exist are skipped.
func Discover(agents []Agent, sources []Source, getenv func(string) string, home string) ([]File, error) {
	type dir struct {
		agent *Agent
		path  string
	}
	var dirs []dir
	var files []File
	if len(sources) == 0 {
		for i := range agents {
			for _, d := range agents[i].Dirs(getenv, home) {
				dirs = append(dirs, dir{&agents[i], d})
			}
		}
	}
	for _, s := range sources {
		a, err := Find(agents, s.Agent)
		if err != nil {
			return nil, fmt.Errorf("--source %s:%s: %w", s.Agent, s.Path, err)
		}
		p := expandHome(s.Path, home)
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("--source %s:%s: %w", s.Agent, s.Path, err)
		}
		if !fi.IsDir() {
			files = append(files, File{a, p})
			continue
		}
		var sub []string
		if a.HomeDirs != nil {
			for _, d := range a.HomeDirs(p) {
				if fi, err := os.Stat(d); err == nil && fi.IsDir() {
					sub = append(sub, d)
				}
			}
		}
		if len(sub) == 0 {
			sub = []string{p}
		}
		for _, d := range sub {
			dirs = append(dirs, dir{a, d})
		}
	}
	seen := map[string]bool{}
	for _, f := range files {
		seen[f.Path] = true
	}
	for _, d := range dirs {
		var found []string
		err := filepath.WalkDir(d.path, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				if p == d.path && os.IsNotExist(err) {
					return filepath.SkipDir
				}
				return nil // an unreadable subdirectory is skipped, not fatal
			}
			if e.Type().IsRegular() {
				rel, _ := filepath.Rel(d.path, p)
				if d.agent.Match(filepath.ToSlash(rel)) && !seen[p] {
					seen[p] = true
					found = append(found, p)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", d.path, err)
		}
		sort.Strings(found)
		for _, p := range found {
			files = append(files, File{d.agent, p})
		}
	}
	return files, nil
}

func expandHome(p, home string) string {
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}
