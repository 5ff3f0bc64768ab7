package gitlog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// MaxDiffSize is the largest blob, in bytes, whose lines Diff and StagedDiff
// compare; a change involving a larger blob is reported with TooLarge set and
// no line information.
const MaxDiffSize = 8 << 20

// binarySniffLen is how much of a blob git inspects for a NUL byte to decide
// that it is binary (FIRST_FEW_BYTES in git's xdiff-interface.c).
const binarySniffLen = 8000

// renameLimit mirrors git's diff.renameLimit default: above this many added or
// deleted files, only exact renames are detected.
const renameLimit = 1000

// FileDiff is the change of one file between two trees (or a tree and the index).
type FileDiff struct {
	Path     string // new path, slash-separated and relative to the root; the old path for deletes
	OldPath  string // the old path of a rename, else ""
	Op       string // "add", "update", "delete" or "rename"
	Binary   bool   // either side is binary (a NUL in its first 8000 bytes): no line information
	TooLarge bool   // either side exceeds MaxDiffSize: no line information
	LFS      bool   // the new side (else the old) is a Git LFS pointer: no line information
	Added    []Line // lines added, numbered in the new file, as the '+' lines of `git diff -U0`
	Removed  int    // number of lines removed, the '-' lines of `git diff -U0`
	// Blob is the new side's blob (zero for a delete): the file whose
	// lines Added numbers, for readers that want the lines around them.
	Blob Hash
}

// Line is one added line: its 1-based number in the new file and its text
// without the line terminator ("\n"; a "\r" before it is kept).
type Line struct {
	No   int
	Text string
}

// Diff compares commit with parent. A zero parent means commit's first parent,
// or the empty tree for a root commit; merge commits are thus compared with
// their first parent, like `git diff C^ C`. Any two commits may be compared.
//
// Renames are detected as `git diff` does by default (go-git's detector, 50%
// similarity); submodule (gitlink) entries are skipped; the result is sorted by
// Path. Line numbers come from a port of git's xdiff (Myers with git's
// heuristics and the indent heuristic), so Added matches `git diff -U0`.
// .gitattributes (binary, diff drivers, textconv) is not consulted.
func (r *Repo) Diff(parent, commit Hash) ([]FileDiff, error) {
	if commit.IsZero() {
		return nil, errors.New("diff: no commit given")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	newTree, parents, _, err := r.commitInfo(commit)
	if err != nil {
		return nil, err
	}
	if parent.IsZero() && len(parents) > 0 {
		parent = parents[0]
	}
	var oldTree Hash
	if !parent.IsZero() {
		if oldTree, _, _, err = r.commitInfo(parent); err != nil {
			return nil, err
		}
	}
	var changes []change
	if err := r.diffTrees(oldTree, newTree, "", &changes); err != nil {
		return nil, fmt.Errorf("diff %s %s: %w", parent, commit, err)
	}
	return r.fileDiffs(changes)
}

// StagedDiff compares the index with HEAD (the empty tree when HEAD is unborn),
// like `git diff --cached`. It reads the index named by GIT_INDEX_FILE when set
// (git sets it for hooks; `git commit <paths>` uses a temporary index), else
// <git dir>/index. Unmerged paths and intent-to-add entries are skipped.
func (r *Repo) StagedDiff() ([]FileDiff, error) {
	head, err := r.Head()
	if err != nil && !errors.Is(err, ErrNoCommits) {
		return nil, err
	}
	ents, cacheTree, err := r.readIndex()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var tree Hash
	if !head.IsZero() {
		if tree, _, _, err = r.commitInfo(head); err != nil {
			return nil, err
		}
	}
	var changes []change
	if err := r.diffTreeIndex(tree, "", ents, cacheTree, &changes); err != nil {
		return nil, fmt.Errorf("staged diff: %w", err)
	}
	return r.fileDiffs(changes)
}

// fileRef is one side of a change; a zero hash means the side is absent.
type fileRef struct {
	path string
	mode uint32
	hash Hash
}

type change struct{ from, to fileRef }

func (r *Repo) addTree(tree Hash, prefix string, asNew bool, out *[]change) error {
	if asNew {
		return r.diffTrees(Hash{}, tree, prefix, out)
	}
	return r.diffTrees(tree, Hash{}, prefix, out)
}

// diffTrees appends the file changes between trees a and b (either may be
// zero), skipping identical subtrees without reading them.
func (r *Repo) diffTrees(a, b Hash, prefix string, out *[]change) error {
	if a == b {
		return nil
	}
	ea, err := r.readTree(a)
	if err != nil {
		return err
	}
	eb, err := r.readTree(b)
	if err != nil {
		return err
	}
	inB := make(map[string]treeEntry, len(eb))
	for _, e := range eb {
		inB[e.name] = e
	}
	for _, x := range ea {
		y, ok := inB[x.name]
		if ok {
			delete(inB, x.name)
			if err := r.diffEntries(&x, &y, prefix, out); err != nil {
				return err
			}
			continue
		}
		if err := r.diffEntries(&x, nil, prefix, out); err != nil {
			return err
		}
	}
	for _, y := range eb {
		if _, ok := inB[y.name]; ok {
			if err := r.diffEntries(nil, &y, prefix, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// diffEntries compares two same-named entries; x or y is nil when absent.
func (r *Repo) diffEntries(x, y *treeEntry, prefix string, out *[]change) error {
	if x != nil && y != nil && x.hash == y.hash && x.mode == y.mode {
		return nil
	}
	if x != nil && x.isTree() && y != nil && y.isTree() {
		return r.diffTrees(x.hash, y.hash, prefix+x.name+"/", out)
	}
	var from, to fileRef
	if x != nil {
		switch {
		case x.isTree():
			if err := r.addTree(x.hash, prefix+x.name+"/", false, out); err != nil {
				return err
			}
		case x.isBlob():
			from = fileRef{path: prefix + x.name, mode: x.mode, hash: x.hash}
		}
	}
	if y != nil {
		switch {
		case y.isTree():
			if err := r.addTree(y.hash, prefix+y.name+"/", true, out); err != nil {
				return err
			}
		case y.isBlob():
			to = fileRef{path: prefix + y.name, mode: y.mode, hash: y.hash}
		}
	}
	if !from.hash.IsZero() || !to.hash.IsZero() {
		*out = append(*out, change{from: from, to: to})
	}
	return nil
}

// idxEntry is one index entry.
type idxEntry struct {
	path  string
	mode  uint32
	hash  Hash
	stage int
	ita   bool // intent to add (git add -N)
}

// readIndex reads the index with go-git; if go-git cannot decode it (split
// index, sparse index, newer format), it asks `git ls-files --stage`. The
// second result maps directory prefixes ("" for the root, "dir/" below) to
// the tree the cache-tree extension records for them, when it is complete.
func (r *Repo) readIndex() ([]idxEntry, map[string]Hash, error) {
	path := os.Getenv("GIT_INDEX_FILE")
	if path == "" {
		path = filepath.Join(r.gitDir, "index")
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read index: %w", err)
	}
	var idx index.Index
	err = index.NewDecoder(f).Decode(&idx)
	f.Close()
	if err != nil {
		ents, lerr := r.lsFiles()
		if lerr != nil {
			return nil, nil, fmt.Errorf("read index %s: %w (git ls-files: %w)", path, err, lerr)
		}
		return ents, nil, nil
	}
	ents := make([]idxEntry, len(idx.Entries))
	for i, e := range idx.Entries {
		ents[i] = idxEntry{path: e.Name, mode: uint32(e.Mode), hash: e.Hash, stage: int(e.Stage), ita: e.IntentToAdd}
	}
	var cache map[string]Hash
	// go-git drops invalidated cache-tree entries, which breaks the preorder
	// layout; a valid root implies every entry is valid (invalidation
	// propagates up to the root), so only then is the layout usable.
	if idx.Cache != nil && len(idx.Cache.Entries) > 0 && idx.Cache.Entries[0].Path == "" {
		cache = map[string]Hash{}
		walkCacheTree(idx.Cache.Entries, 0, "", cache)
	}
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].path < ents[j].path })
	return ents, cache, nil
}

func walkCacheTree(ents []index.TreeEntry, i int, prefix string, out map[string]Hash) int {
	e := ents[i]
	if i > 0 {
		prefix += e.Path + "/"
	}
	out[prefix] = e.Hash
	i++
	for k := 0; k < e.Trees && i < len(ents); k++ {
		i = walkCacheTree(ents, i, prefix, out)
	}
	return i
}

// lsFiles lists the index through git: "<mode> <hash> <stage>\t<path>\0".
func (r *Repo) lsFiles() ([]idxEntry, error) {
	out, err := r.git(nil, "ls-files", "--stage", "-z")
	if err != nil {
		return nil, err
	}
	var ents []idxEntry
	for _, rec := range bytes.Split(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, path, ok := bytes.Cut(rec, []byte{'\t'})
		f := strings.Fields(string(meta))
		if !ok || len(f) != 3 {
			return nil, fmt.Errorf("ls-files: malformed record %q", rec)
		}
		mode, err1 := strconv.ParseUint(f[0], 8, 32)
		h, err2 := ParseHash(f[1])
		stage, err3 := strconv.Atoi(f[2])
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("ls-files: %w", err)
		}
		ents = append(ents, idxEntry{path: string(path), mode: uint32(mode), hash: h, stage: stage})
	}
	return ents, nil
}

// diffTreeIndex appends the changes between tree (at prefix) and the index
// entries under prefix, skipping directories whose cache-tree entry equals
// the tree's.
func (r *Repo) diffTreeIndex(tree Hash, prefix string, ents []idxEntry, cache map[string]Hash, out *[]change) error {
	if h, ok := cache[prefix]; ok && !tree.IsZero() && h == tree {
		return nil
	}
	tes, err := r.readTree(tree)
	if err != nil {
		return err
	}
	inTree := make(map[string]treeEntry, len(tes))
	for _, e := range tes {
		inTree[e.name] = e
	}
	seen := map[string]bool{}
	for i := 0; i < len(ents); {
		rest := ents[i].path[len(prefix):]
		if slash := strings.IndexByte(rest, '/'); slash >= 0 {
			name := rest[:slash]
			sub := prefix + name + "/"
			j := i + 1
			for j < len(ents) && strings.HasPrefix(ents[j].path, sub) {
				j++
			}
			seen[name] = true
			var subtree Hash
			if te, ok := inTree[name]; ok {
				switch {
				case te.isTree():
					subtree = te.hash
				case te.isBlob():
					*out = append(*out, change{from: fileRef{path: prefix + name, mode: te.mode, hash: te.hash}})
				}
			}
			if err := r.diffTreeIndex(subtree, sub, ents[i:j], cache, out); err != nil {
				return err
			}
			i = j
			continue
		}
		name := rest
		j := i + 1
		for j < len(ents) && ents[j].path == ents[i].path {
			j++
		}
		e, n := ents[i], j-i
		i = j
		if e.stage != 0 || n > 1 { // unmerged
			seen[name] = true
			continue
		}
		if e.ita {
			continue
		}
		seen[name] = true
		if e.mode&modeTypeBit == modeGitlink {
			continue
		}
		to := fileRef{path: e.path, mode: e.mode, hash: e.hash}
		te, ok := inTree[name]
		switch {
		case !ok || te.isGitlink():
			*out = append(*out, change{to: to})
		case te.isTree():
			if err := r.addTree(te.hash, prefix+name+"/", false, out); err != nil {
				return err
			}
			*out = append(*out, change{to: to})
		case te.hash != e.hash || te.mode != e.mode:
			*out = append(*out, change{from: fileRef{path: to.path, mode: te.mode, hash: te.hash}, to: to})
		}
	}
	for _, te := range tes {
		if seen[te.name] {
			continue
		}
		switch {
		case te.isTree():
			if err := r.addTree(te.hash, prefix+te.name+"/", false, out); err != nil {
				return err
			}
		case te.isBlob():
			*out = append(*out, change{from: fileRef{path: prefix + te.name, mode: te.mode, hash: te.hash}})
		}
	}
	return nil
}

// fileDiffs pairs renames and computes line changes.
func (r *Repo) fileDiffs(changes []change) ([]FileDiff, error) {
	changes, err := r.detectRenames(changes)
	if err != nil {
		return nil, err
	}
	out := make([]FileDiff, 0, len(changes))
	for _, c := range changes {
		fd, err := r.fileDiff(c)
		if err != nil {
			return nil, err
		}
		out = append(out, fd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// detectRenames turns delete+add pairs into renames with go-git's detector
// (a port of JGit's, itself modelled on git's), at git's default 50% score.
func (r *Repo) detectRenames(changes []change) ([]change, error) {
	var adds, dels int
	for _, c := range changes {
		switch {
		case c.from.hash.IsZero():
			adds++
		case c.to.hash.IsZero():
			dels++
		}
	}
	if adds == 0 || dels == 0 {
		return changes, nil
	}
	// go-git reads blobs through ChangeEntry.Tree; any tree bound to our
	// storage will do.
	mo := &plumbing.MemoryObject{}
	mo.SetType(plumbing.TreeObject)
	carrier, err := object.DecodeTree(r.st, mo)
	if err != nil {
		return nil, err
	}
	entry := func(f fileRef) object.ChangeEntry {
		if f.hash.IsZero() {
			return object.ChangeEntry{}
		}
		return object.ChangeEntry{Name: f.path, Tree: carrier, TreeEntry: object.TreeEntry{
			Name: f.path[strings.LastIndexByte(f.path, '/')+1:], Mode: filemode.FileMode(f.mode), Hash: f.hash}}
	}
	var in object.Changes
	var kept []change
	for _, c := range changes {
		if c.from.hash.IsZero() || c.to.hash.IsZero() {
			in = append(in, &object.Change{From: entry(c.from), To: entry(c.to)})
		} else {
			kept = append(kept, c)
		}
	}
	res, err := object.DetectRenames(in, &object.DiffTreeOptions{DetectRenames: true, RenameScore: 50, RenameLimit: renameLimit})
	if err != nil {
		return nil, fmt.Errorf("detect renames: %w", err)
	}
	ref := func(e object.ChangeEntry) fileRef {
		return fileRef{path: e.Name, mode: uint32(e.TreeEntry.Mode), hash: e.TreeEntry.Hash}
	}
	for _, c := range res {
		kept = append(kept, change{from: ref(c.From), to: ref(c.To)})
	}
	return kept, nil
}

// fileDiff computes one FileDiff.
func (r *Repo) fileDiff(c change) (FileDiff, error) {
	var fd FileDiff
	switch {
	case c.from.hash.IsZero():
		fd.Op, fd.Path = "add", c.to.path
	case c.to.hash.IsZero():
		fd.Op, fd.Path = "delete", c.from.path
	case c.from.path != c.to.path:
		fd.Op, fd.Path, fd.OldPath = "rename", c.to.path, c.from.path
	default:
		fd.Op, fd.Path = "update", c.to.path
	}
	fd.Blob = c.to.hash
	if c.from.hash == c.to.hash {
		return fd, nil // pure rename or mode change
	}
	var old, cur []byte
	for _, side := range []struct {
		ref fileRef
		dst *[]byte
	}{{c.from, &old}, {c.to, &cur}} {
		if side.ref.hash.IsZero() {
			continue
		}
		n, err := r.objectSize(side.ref.hash)
		if err != nil {
			return fd, err
		}
		if n > MaxDiffSize {
			fd.TooLarge = true
			return fd, nil
		}
		if *side.dst, err = r.readObject(plumbing.BlobObject, side.ref.hash); err != nil {
			return fd, err
		}
	}
	if isLFSPointer(cur) || cur == nil && isLFSPointer(old) {
		fd.LFS = true
		return fd, nil
	}
	if isBinary(old) || isBinary(cur) {
		fd.Binary = true
		return fd, nil
	}
	added, removed := diffLines(old, cur)
	fd.Added, fd.Removed = added, removed
	return fd, nil
}

// isLFSPointer reports whether a blob is a Git LFS pointer: a small text
// file whose first line names the pointer format (git-lfs's spec, and the
// pre-release "hawser" one git-lfs still reads), standing in for content
// kept elsewhere.
func isLFSPointer(b []byte) bool {
	if len(b) >= 1024 {
		return false
	}
	return bytes.HasPrefix(b, []byte("version https://git-lfs.github.com/spec/v1\n")) ||
		bytes.HasPrefix(b, []byte("version https://hawser.github.com/spec/v1\n"))
}

func isBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), binarySniffLen)], 0) >= 0
}
