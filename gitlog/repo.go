package gitlog

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	gitconfig "github.com/go-git/go-git/v5/plumbing/format/config"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/aitrail/aitrail/canon"
)

// Hash is a SHA-1 object name. It is go-git's plumbing.Hash (a [20]byte with
// String and IsZero), so values pass to and from go-git without conversion.
// The zero Hash means "none".
type Hash = plumbing.Hash

// ParseHash parses a full 40-hex object name.
func ParseHash(s string) (Hash, error) {
	if len(s) != 40 || !isHex(s) {
		return Hash{}, fmt.Errorf("parse object name %q: want 40 hex digits", s)
	}
	return plumbing.NewHash(s), nil
}

var (
	// ErrNotRepository is returned by Open when no repository contains the directory.
	ErrNotRepository = errors.New("not a git repository (or any parent directory)")
	// ErrNoCommits is returned when HEAD is unborn (a fresh repository or orphan branch).
	ErrNoCommits = errors.New("repository has no commits yet")
)

// Repo is an opened repository. Its methods are safe for concurrent use; object
// reads are serialized. Refs are re-read from disk on every call, so a Repo
// sees what other processes wrote since it was opened.
type Repo struct {
	root      string // "" for a bare repository
	gitDir    string
	commonDir string
	reftable  bool // refs are read and written through the git CLI
	casViaGit bool // update refs with `git update-ref` (benchmarks compare both ways)

	mu sync.Mutex // guards st (go-git storage is not safe for concurrent use) and gr
	st *filesystem.Storage
	gr *git.Repository // created on first Resolve

	zmu sync.Mutex   // guards zw
	zw  *zlib.Writer // reused by writeObject: a zlib writer costs ~100 KiB to set up
}

// Open finds the repository containing dir, as git does: it walks up from dir
// looking for a ".git" directory or a ".git" file ("gitdir: <path>", used by
// linked worktrees and submodules), stopping at GIT_CEILING_DIRECTORIES. When
// GIT_DIR is set (git sets it for hooks run in linked worktrees) it names the
// git dir, relative to the process's working directory, and the worktree is
// GIT_WORK_TREE, core.worktree, the linked worktree's directory, the parent of a
// ".git" directory, or else the process's working directory. Open returns an
// error wrapping ErrNotRepository when there is no repository.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	} else {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}

	var gitDir, root string
	if env := os.Getenv("GIT_DIR"); env != "" {
		gitDir, err = filepath.Abs(env)
		if err != nil {
			return nil, fmt.Errorf("open repository %s: %w", env, err)
		}
		if !isGitDir(gitDir) {
			return nil, fmt.Errorf("open repository %s (from GIT_DIR): %w", env, ErrNotRepository)
		}
		root, err = worktreeForGitDir(gitDir)
		if err != nil {
			return nil, err
		}
	} else {
		gitDir, root, err = discover(abs)
		if err != nil {
			return nil, err
		}
	}

	commonDir := gitDir
	if env := os.Getenv("GIT_COMMON_DIR"); env != "" {
		if commonDir, err = filepath.Abs(env); err != nil {
			return nil, fmt.Errorf("open repository: GIT_COMMON_DIR: %w", err)
		}
	} else if c, ok := readCommonDir(gitDir); ok {
		commonDir = c
	}

	r := &Repo{root: evalOrClean(root), gitDir: evalOrClean(gitDir), commonDir: evalOrClean(commonDir)}
	r.reftable = usesReftable(r.commonDir)
	var fs billy.Filesystem = osfs.New(r.gitDir)
	if r.commonDir != r.gitDir {
		fs = dotgit.NewRepositoryFilesystem(fs, osfs.New(r.commonDir))
	}
	r.st = filesystem.NewStorageWithOptions(fs, cache.NewObjectLRUDefault(), filesystem.Options{
		LargeObjectThreshold: MaxDiffSize,
		AlternatesFS:         osfs.New("/", osfs.WithBoundOS()),
	})
	return r, nil
}

// Root returns the worktree's top-level directory (absolute, symlinks
// resolved), or "" for a bare repository.
func (r *Repo) Root() string { return r.root }

// GitDir returns this worktree's git dir (absolute): <root>/.git for the main
// worktree, <common>/worktrees/<name> for a linked one.
func (r *Repo) GitDir() string { return r.gitDir }

// CommonDir returns the git dir shared by all worktrees (objects, refs, config).
// It equals GitDir except in linked worktrees.
func (r *Repo) CommonDir() string { return r.commonDir }

// HooksDir returns the directory git runs hooks from, the same directory as
// `git rev-parse --git-path hooks`: core.hooksPath ("~/" expanded; a relative
// value is relative to the worktree root, or to the git dir when bare), else
// <common dir>/hooks. It runs one git process to read the effective config.
func (r *Repo) HooksDir() (string, error) {
	v, ok, err := r.config("core.hooksPath", true)
	if err != nil {
		return "", err
	}
	if !ok || v == "" {
		return filepath.Join(r.commonDir, "hooks"), nil
	}
	if !filepath.IsAbs(v) {
		base := r.root
		if base == "" {
			base = r.gitDir
		}
		v = filepath.Join(base, v)
	}
	return filepath.Clean(v), nil
}

// Config returns the effective value of a config key as git sees it (command
// line and GIT_CONFIG_* environment > worktree > local > global > system, with
// includes; the last value of a multi-valued key). ok is false when the key is
// unset. It runs `git config --get`, one process per call.
func (r *Repo) Config(key string) (value string, ok bool, err error) {
	return r.config(key, false)
}

func (r *Repo) config(key string, path bool) (string, bool, error) {
	args := []string{"config", "-z"}
	if path {
		args = append(args, "--path")
	}
	args = append(args, "--get", key)
	out, err := r.git(nil, args...)
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return "", false, nil // key not set
		}
		return "", false, fmt.Errorf("read config %s: %w", key, err)
	}
	return strings.TrimSuffix(string(out), "\x00"), true, nil
}

// git runs the git CLI against this repository and returns its stdout. GIT_DIR
// is set explicitly, so a GIT_DIR inherited from a hook or from the caller
// cannot redirect it to another repository.
func (r *Repo) git(stdin []byte, args ...string) ([]byte, error) {
	return r.gitEnv(nil, stdin, args...)
}

// gitEnv is git with extra environment variables.
func (r *Repo) gitEnv(extra []string, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.root
	if cmd.Dir == "" {
		cmd.Dir = r.gitDir
	}
	env := make([]string, 0, len(os.Environ())+2)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_DIR=") || strings.HasPrefix(kv, "GIT_WORK_TREE=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "GIT_DIR="+r.gitDir)
	if r.root != "" {
		env = append(env, "GIT_WORK_TREE="+r.root)
	}
	cmd.Env = append(env, extra...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return out, fmt.Errorf("git %s: %w: %s", args[0], err, msg)
		}
		return out, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}

// discover walks up from dir looking for a repository, as git's
// setup_git_directory does.
func discover(dir string) (gitDir, root string, err error) {
	ceilings := map[string]bool{}
	for _, c := range filepath.SplitList(os.Getenv("GIT_CEILING_DIRECTORIES")) {
		if c == "" || !filepath.IsAbs(c) {
			continue
		}
		ceilings[evalOrClean(c)] = true
	}
	for d := dir; ; {
		dotgit := filepath.Join(d, ".git")
		if fi, err := os.Stat(dotgit); err == nil {
			switch {
			case fi.IsDir() && isGitDir(dotgit):
				return dotgit, d, nil
			case fi.Mode().IsRegular():
				if target, ok := readGitFile(dotgit); ok && isGitDir(target) {
					return target, d, nil
				}
			}
		}
		if isGitDir(d) {
			// Inside a git dir: bare repository, or the .git of a worktree.
			if filepath.Base(d) == ".git" {
				return d, filepath.Dir(d), nil
			}
			return d, "", nil
		}
		parent := filepath.Dir(d)
		if parent == d || ceilings[parent] {
			return "", "", fmt.Errorf("open repository %s: %w", dir, ErrNotRepository)
		}
		d = parent
	}
}

// readGitFile parses a ".git" file ("gitdir: <path>", relative to the file's directory).
func readGitFile(path string) (string, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	s := strings.TrimSpace(string(b))
	target, ok := strings.CutPrefix(s, "gitdir:")
	if !ok {
		return "", false
	}
	target = strings.TrimSpace(target)
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(path), target)
	}
	return filepath.Clean(target), true
}

// readCommonDir reads <gitDir>/commondir, present in linked worktrees.
func readCommonDir(gitDir string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return "", false
	}
	c := strings.TrimSpace(string(b))
	if c == "" {
		return "", false
	}
	if !filepath.IsAbs(c) {
		c = filepath.Join(gitDir, c)
	}
	return filepath.Clean(c), true
}

// isGitDir reports whether dir looks like a git dir: a HEAD file, and objects/
// and refs/ in its common dir (git's is_git_directory).
func isGitDir(dir string) bool {
	if fi, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	common := dir
	if c, ok := readCommonDir(dir); ok {
		common = c
	}
	for _, sub := range []string{"objects", "refs"} {
		if fi, err := os.Stat(filepath.Join(common, sub)); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// worktreeForGitDir finds the worktree of an explicitly given git dir (GIT_DIR).
func worktreeForGitDir(gitDir string) (string, error) {
	if wt := os.Getenv("GIT_WORK_TREE"); wt != "" {
		return filepath.Abs(wt)
	}
	common := gitDir
	if c, ok := readCommonDir(gitDir); ok {
		common = c
	}
	if f, err := os.Open(filepath.Join(common, "config")); err == nil {
		cfg := gitconfig.New()
		derr := gitconfig.NewDecoder(f).Decode(cfg)
		f.Close()
		if derr == nil {
			core := cfg.Section("core")
			if wt := core.Option("worktree"); wt != "" && common == gitDir {
				if !filepath.IsAbs(wt) {
					wt = filepath.Join(gitDir, wt)
				}
				return filepath.Clean(wt), nil
			}
			if strings.EqualFold(core.Option("bare"), "true") && common == gitDir {
				return "", nil
			}
		}
	}
	// A linked worktree's git dir records "<worktree>/.git" in its gitdir file.
	if b, err := os.ReadFile(filepath.Join(gitDir, "gitdir")); err == nil && common != gitDir {
		if p := strings.TrimSpace(string(b)); p != "" {
			return filepath.Dir(p), nil
		}
	}
	if filepath.Base(gitDir) == ".git" {
		return filepath.Dir(gitDir), nil
	}
	return os.Getwd()
}

// evalOrClean returns the canonical form of an absolute path (package
// canon: symlinks resolved where the path exists), else p cleaned.
func evalOrClean(p string) string {
	if p == "" {
		return ""
	}
	if c := canon.NewResolver("").Path(p); c != "" {
		return c
	}
	return filepath.Clean(p)
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
