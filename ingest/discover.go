package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/aitrail/aitrail/repofile"
)

// File is one log file to ingest and the agent that wrote it.
type File struct {
	Agent *Agent
	Path  string
}

// AgentPath overrides discovery for one agent (--source AGENT:PATH): Path
// is an agent home (such as ~/.codex), a directory of logs, or a single log
// file.
type AgentPath struct {
	Agent string
	Path  string
	// From says where it was named, to begin error messages (such as
	// "config.yml:3: sources[0]"); empty means --source AGENT:PATH.
	From string
}

// from is where s was named.
func (s AgentPath) from() string {
	if s.From != "" {
		return s.From
	}
	return fmt.Sprintf("--source %s:%s", s.Agent, s.Path)
}

// ParseSource parses a --source value of the form AGENT:PATH.
func ParseSource(s string) (AgentPath, error) {
	agent, path, ok := strings.Cut(s, ":")
	if !ok || agent == "" || path == "" {
		return AgentPath{}, fmt.Errorf("--source %q: want AGENT:PATH, for example codex:~/.codex", s)
	}
	if _, err := Find(Agents(), agent); err != nil {
		return AgentPath{}, fmt.Errorf("--source %q: %w", s, err)
	}
	return AgentPath{Agent: agent, Path: path}, nil
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

// Place is where discovery looks for one agent's logs: a directory that
// is scanned, or a single source: a log file named with --source, or an
// agent's database or tree of records (Agent.Collections).
type Place struct {
	Agent *Agent
	Path  string
	File  bool
	// Inside, for a directory of logs named with --source, is its name: a
	// file below it is a log also when Match accepts it as if the
	// directory were one level inside the agent's layout (a Claude Code
	// project folder, or a folder of transcripts, rather than projects/).
	Inside string
}

// Places lists where discovery looks: without sources, every agent's own
// directories; with sources, only those (an agent given in sources is
// looked for only there, agents not named are not looked for at all).
func Places(agents []Agent, sources []AgentPath, getenv func(string) string, home string) ([]Place, error) {
	var out []Place
	if len(sources) == 0 {
		for i := range agents {
			for _, d := range agents[i].Dirs(getenv, home) {
				out = append(out, Place{Agent: &agents[i], Path: d})
			}
		}
	}
	for _, s := range sources {
		a, err := Find(agents, s.Agent)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.from(), err)
		}
		p := expandHome(s.Path, home)
		if abs, err := filepath.Abs(p); err == nil {
			p = abs // decoders make relative paths in logs absolute against it
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.from(), err)
		}
		if !fi.IsDir() || a.Match(filepath.Base(p)+"/") {
			out = append(out, Place{Agent: a, Path: p, File: true}) // a log, or a tree of records
			continue
		}
		var sub []string
		if a.HomeDirs != nil {
			for _, d := range a.HomeDirs(p) {
				if _, err := os.Stat(d); err == nil {
					sub = append(sub, d)
				}
			}
		}
		if len(sub) == 0 {
			out = append(out, Place{Agent: a, Path: p, Inside: filepath.Base(p)})
		}
		for _, d := range sub {
			out = append(out, Place{Agent: a, Path: d})
		}
	}
	return out, nil
}

// Discover lists the log files to ingest from the Places, sorted by path
// within each agent. Directories that do not exist are skipped.
func Discover(agents []Agent, sources []AgentPath, getenv func(string) string, home string) ([]File, error) {
	return discover(agents, sources, getenv, home, nil)
}

// Near is what DiscoverNear looks for: the logs of sessions working in the
// repositories whose worktrees are Roots. Recent holds, per agent, the
// paths of its logs that were written shortly before the last one was, as
// stored ("~" for the home directory): those of the sessions going on.
type Near struct {
	Roots  []string
	Recent map[string][]string
}

// DiscoverNear is Discover for a hook, whose cost must not grow with the
// history of other repositories. Of an agent whose layout tells where the
// logs of a repository's sessions are (Agent.Near), it looks only there,
// and in the directories of its recent logs (sessions going on, wherever
// they work, and the new ones beside them); an agent without such a
// layout, or none of whose logs was ingested yet, is looked at whole. A log
// it leaves out (an old session, started outside the repository, that
// goes on after a day's pause) is read by the next full ingest ('aitrail
// ingest', 'annotate', the hooks' worker).
func DiscoverNear(agents []Agent, sources []AgentPath, getenv func(string) string, home string, near Near) ([]File, error) {
	return discover(agents, sources, getenv, home, &near)
}

func discover(agents []Agent, sources []AgentPath, getenv func(string) string, home string, near *Near) ([]File, error) {
	places, err := Places(agents, sources, getenv, home)
	if err != nil {
		return nil, err
	}
	for i, pl := range places {
		// An agent's own file, such as a database, or tree of records,
		// named directly.
		if fi, err := os.Stat(pl.Path); err == nil && (fi.Mode().IsRegular() || fi.IsDir() && pl.Agent.Match(filepath.Base(pl.Path)+"/")) {
			places[i].File = true
		}
	}
	var files []File
	seen := map[string]bool{}
	for _, pl := range places {
		if pl.File {
			files = append(files, File{pl.Agent, pl.Path})
			seen[pl.Path] = true
		}
	}
	for _, d := range places {
		if d.File {
			continue
		}
		under := []string{d.Path}
		if recent := near.recent(d, home); near != nil && d.Agent.Near != nil && d.Inside == "" && len(recent) > 0 {
			under = append(d.Agent.Near(d.Path, near.Roots), recent...)
		}
		var found []string
		for _, u := range under {
			if err := walkPlace(d, u, seen, &found); err != nil {
				return nil, err
			}
		}
		sort.Strings(found)
		for _, p := range found {
			files = append(files, File{d.Agent, p})
		}
	}
	return files, nil
}

// recent returns the directories below place d of the agent's recent logs
// (for a log below a first-level directory of d, that directory: a
// project's, with its sessions' sub-agents).
func (n *Near) recent(d Place, home string) []string {
	if n == nil {
		return nil
	}
	var out []string
	for _, p := range n.Recent[d.Agent.Name] {
		rel, err := filepath.Rel(d.Path, expandHome(p, home))
		if err != nil || !filepath.IsLocal(rel) {
			continue
		}
		dir := filepath.Dir(rel)
		if first, _, ok := strings.Cut(filepath.ToSlash(dir), "/"); ok && d.Agent.Name != "codex" {
			dir = first
		}
		if p := filepath.Join(d.Path, dir); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// walkPlace adds to found the logs below under (the place's directory, or
// a directory or a log inside it), as the agent matches them by their path
// relative to the place. The directories directly below under are walked
// concurrently: with thousands of logs, a run with nothing new spends most
// of its time waiting on the kernel to list them.
func walkPlace(d Place, under string, seen map[string]bool, found *[]string) error {
	var subdirs []string
	err := walkDir(d, under, func(p string) error {
		subdirs = append(subdirs, p)
		return filepath.SkipDir
	}, seen, found)
	if err != nil {
		return err
	}
	lists := make([][]string, len(subdirs))
	concurrently(len(subdirs), min(len(subdirs), 4), func(i int) {
		walkDir(d, subdirs[i], nil, map[string]bool{}, &lists[i]) // errors below under are skipped
	})
	for _, l := range lists {
		for _, p := range l {
			if !seen[p] {
				seen[p] = true
				*found = append(*found, p)
			}
		}
	}
	return nil
}

// walkDir adds to found the logs below dir; sub, when not nil, is called
// for each directory below dir that is not a log itself instead of
// entering it.
func walkDir(d Place, dir string, sub func(string) error, seen map[string]bool, found *[]string) error {
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && os.IsNotExist(err) {
				return filepath.SkipDir
			}
			return nil // an unreadable subdirectory is skipped, not fatal
		}
		rel, _ := filepath.Rel(d.Path, p)
		rel = filepath.ToSlash(rel)
		if e.IsDir() && p != d.Path && d.Agent.Match(rel+"/") {
			// A tree of records (Agent.Collections) is one source.
			if !seen[p] {
				seen[p] = true
				*found = append(*found, p)
			}
			return filepath.SkipDir
		}
		if e.IsDir() && p != dir && sub != nil {
			return sub(p)
		}
		if e.Type().IsRegular() && (d.Agent.Match(rel) || d.Inside != "" && d.Agent.Match(d.Inside+"/"+rel)) && !seen[p] {
			seen[p] = true
			*found = append(*found, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan %s: %w", dir, err)
	}
	return nil
}

// InRepos lists the logs that agents keep inside repositories
// (Agent.InRepo) found in the given repository roots, in the order of the
// roots; a root given twice is looked at once.
func InRepos(agents []Agent, roots []string) []File {
	var files []File
	seen := map[string]bool{}
	for _, root := range roots {
		if root == "" || seen[root] {
			continue
		}
		seen[root] = true
		for i := range agents {
			for _, rel := range agents[i].InRepo {
				// The work tree is whoever pushed it: only a regular file
				// inside the repository is a log (repofile.Stat), never a
				// link to a file elsewhere, a device or a pipe.
				if _, _, err := repofile.Stat(root, rel); err == nil {
					files = append(files, File{&agents[i], filepath.Join(root, filepath.FromSlash(rel))})
				}
			}
		}
	}
	return files
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
