package gitlog

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// TextFiles lists the files of commit rev that have lines to blame, sorted:
// regular files inside one of dirs (slash paths from the root: a file or a
// directory; none or "" means the whole tree). Files Diff gives no lines for
// (binary, or larger than MaxDiffSize) are returned apart, as skipped;
// symbolic links and submodules are left out.
func (r *Repo) TextFiles(rev Hash, dirs []string) (files, skipped []string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tree, _, _, err := r.commitInfo(rev)
	if err != nil {
		return nil, nil, err
	}
	var walk func(tree Hash, prefix string) error
	walk = func(tree Hash, prefix string) error {
		entries, err := r.readTree(tree)
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := prefix + e.name
			switch {
			case !wanted(p, dirs, e.isTree()):
			case e.isTree():
				if err := walk(e.hash, p+"/"); err != nil {
					return err
				}
			case e.mode&modeTypeBit == 0o100000:
				text, err := r.isTextBlob(e.hash)
				if err != nil {
					return fmt.Errorf("%s: %w", p, err)
				}
				if text {
					files = append(files, p)
				} else {
					skipped = append(skipped, p)
				}
			}
		}
		return nil
	}
	if err := walk(tree, ""); err != nil {
		return nil, nil, fmt.Errorf("list files of %s: %w", shortHash(rev), err)
	}
	sort.Strings(files)
	sort.Strings(skipped)
	return files, skipped, nil
}

// wanted reports whether p is inside one of dirs, or (a directory) holds one.
func wanted(p string, dirs []string, dir bool) bool {
	if len(dirs) == 0 {
		return true
	}
	for _, d := range dirs {
		if d == "" || p == d || strings.HasPrefix(p, d+"/") || dir && strings.HasPrefix(d, p+"/") {
			return true
		}
	}
	return false
}

// isTextBlob reports whether blob h has lines as Diff sees them: at most
// MaxDiffSize bytes and no NUL in the first 8000.
func (r *Repo) isTextBlob(h Hash) (bool, error) {
	n, err := r.objectSize(h)
	if err != nil || n > MaxDiffSize {
		return false, err
	}
	data, err := r.readObject(plumbing.BlobObject, h)
	if err != nil {
		return false, err
	}
	return !isBinary(data), nil
}

// RelPath turns p (absolute, or relative to the working directory) into a
// slash path from the root of the work tree, "" for the root itself. The
// directory holding p is resolved through symbolic links (p itself need not
// exist: a file may be blamed at a revision where the work tree lacks it).
// A path outside the work tree is an error.
func (r *Repo) RelPath(p string) (string, error) {
	if r.root == "" {
		return "", fmt.Errorf("%s: a bare repository has no work tree", p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	dir, base := filepath.Dir(abs), filepath.Base(abs)
	if dir == abs { // the file system's root
		base = ""
	}
	// Resolve the longest existing ancestor: its tail may not exist yet.
	var tail []string
	for {
		real, err := filepath.EvalSymlinks(dir)
		if err == nil {
			dir = real
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		tail = append([]string{filepath.Base(dir)}, tail...)
		dir = parent
	}
	full := filepath.Join(append(append([]string{dir}, tail...), base)...)
	rel, err := filepath.Rel(r.root, full)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the repository at %s", p, r.root)
	}
	rel = path.Clean(filepath.ToSlash(rel))
	if rel == "." {
		return "", nil
	}
	return rel, nil
}

// Exists reports whether path (a slash path from the root; "" is the root)
// names a file or directory in commit rev, and whether a directory.
func (r *Repo) Exists(rev Hash, p string) (exists, dir bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tree, _, _, err := r.commitInfo(rev)
	if err != nil || p == "" {
		return err == nil, true, err
	}
	parts := strings.Split(p, "/")
	for i, name := range parts {
		entries, err := r.readTree(tree)
		if err != nil {
			return false, false, err
		}
		j := slices.IndexFunc(entries, func(e treeEntry) bool { return e.name == name })
		switch {
		case j < 0:
			return false, false, nil
		case i == len(parts)-1:
			return true, entries[j].isTree(), nil
		case !entries[j].isTree():
			return false, false, nil
		}
		tree = entries[j].hash
	}
	return false, false, nil
}

// Blob returns the content of blob h (a note listed by ListNotes, a file).
func (r *Repo) Blob(h Hash) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readObject(plumbing.BlobObject, h)
}
