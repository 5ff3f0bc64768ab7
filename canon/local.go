package canon

import (
	"os"
	"path/filepath"
	"strings"
)

// Resolver makes local paths canonical and finds the git worktrees that
// hold them, remembering what it learnt of the file system: one Resolver
// serves one run (an ingest, a correlation), during which directories are
// assumed not to move. It is not safe for concurrent use.
type Resolver struct {
	home  string
	dirs  map[string]string // directory → its canonical form
	roots map[string]string // canonical directory → the worktree holding it ("" when none)
}

// NewResolver returns a Resolver that expands "~" to home ("" leaves
// home-relative paths unresolved).
func NewResolver(home string) *Resolver {
	return &Resolver{home: home, dirs: map[string]string{}, roots: map[string]string{}}
}

// Abs returns p absolute and cleaned, with "~" expanded to the home
// directory, without resolving symbolic links; "" for what is not a local
// absolute path: "", a relative path, a Windows path on another system.
func (r *Resolver) Abs(p string) string {
	switch {
	case p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, "~"+string(filepath.Separator)):
		if r.home == "" {
			return ""
		}
		p = filepath.Join(r.home, p[1:])
	case !filepath.IsAbs(p):
		return ""
	}
	return filepath.Clean(p)
}

// Path returns the canonical form of p: Abs, and the symbolic links of its
// longest existing prefix resolved (a path whose end does not exist yet, or
// no longer does, keeps that end as written); "" when Abs gives "".
func (r *Resolver) Path(p string) string {
	if p = r.Abs(p); p == "" {
		return ""
	}
	dir, name := filepath.Split(p)
	if name == "" {
		return p // the file system root
	}
	full := filepath.Join(r.dir(filepath.Clean(dir)), name)
	if fi, err := os.Lstat(full); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if real, err := filepath.EvalSymlinks(full); err == nil {
			return real
		}
	}
	return full
}

// dir returns the canonical form of the clean absolute directory d.
func (r *Resolver) dir(d string) string {
	if c, ok := r.dirs[d]; ok {
		return c
	}
	c := d
	if real, err := filepath.EvalSymlinks(d); err == nil {
		c = real
	} else if parent, name := filepath.Split(d); name != "" {
		// d does not exist (or cannot be resolved): resolve its parent.
		c = filepath.Join(r.dir(filepath.Clean(parent)), name)
	}
	r.dirs[d] = c
	return c
}

// Root returns the git worktree that holds the canonical path p (a file or
// a directory): the nearest directory, p itself or above it, with a ".git"
// entry (a directory, or the file of a linked worktree or submodule), or ""
// when there is none on this machine.
func (r *Resolver) Root(p string) string {
	if p == "" {
		return ""
	}
	dir := p
	var visited []string
	root := ""
	for {
		if v, ok := r.roots[dir]; ok {
			root = v
			break
		}
		visited = append(visited, dir)
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			root = dir
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	for _, v := range visited {
		r.roots[v] = root
	}
	return root
}

// Within returns p relative to dir, with "/" separators, when p is dir or
// lies below it ("" for dir itself). Both are canonical; they are compared
// as bytes, element by element, so that "/a/bc" is not inside "/a/b".
func Within(dir, p string) (rel string, ok bool) {
	if dir == "" || p == "" {
		return "", false
	}
	if p == dir {
		return "", true
	}
	prefix := dir
	if !strings.HasSuffix(prefix, string(filepath.Separator)) {
		prefix += string(filepath.Separator)
	}
	if !strings.HasPrefix(p, prefix) {
		return "", false
	}
	return filepath.ToSlash(p[len(prefix):]), true
}
