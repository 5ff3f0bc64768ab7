package gitlog

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ConfigAll returns every value of a multi-valued config key (none when
// unset), as `git config --get-all` does.
func (r *Repo) ConfigAll(key string) ([]string, error) {
	out, err := r.git(nil, "config", "-z", "--get-all", key)
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return nil, nil
		}
		return nil, fmt.Errorf("read config %s: %w", key, err)
	}
	var vals []string
	for _, v := range strings.Split(string(out), "\x00") {
		if v != "" {
			vals = append(vals, v)
		}
	}
	return vals, nil
}

// AddConfig adds a value to a key in the repository's local config.
func (r *Repo) AddConfig(key, value string) error {
	if _, err := r.git(nil, "config", "--local", "--add", key, value); err != nil {
		return fmt.Errorf("set config %s: %w", key, err)
	}
	return nil
}

// UnsetConfig removes one value of a key from the local config.
func (r *Repo) UnsetConfig(key, value string) error {
	_, err := r.git(nil, "config", "--local", "--fixed-value", "--unset", key, value)
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 5) {
		return fmt.Errorf("unset config %s: %w", key, err)
	}
	return nil
}

// Worktrees returns the root of every worktree of the repository, the main
// one first, as `git worktree list` does (pruned or missing ones skipped).
func (r *Repo) Worktrees() ([]string, error) {
	var out []string
	if main := filepath.Dir(r.commonDir); filepath.Base(r.commonDir) == ".git" {
		out = append(out, evalOrClean(main))
	}
	entries, err := os.ReadDir(filepath.Join(r.commonDir, "worktrees"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("list worktrees: %w", err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(r.commonDir, "worktrees", e.Name(), "gitdir"))
		if err != nil {
			continue
		}
		gitFile := strings.TrimSpace(string(b)) // <worktree>/.git
		root := filepath.Dir(gitFile)
		if _, err := os.Stat(gitFile); err == nil {
			out = append(out, evalOrClean(root))
		}
	}
	return out, nil
}

// AddTrailers adds trailers ("Key: value") to the commit message in file,
// as `git interpret-trailers --in-place` does, skipping any the message
// already has.
func (r *Repo) AddTrailers(file string, trailers []string) error {
	if len(trailers) == 0 {
		return nil
	}
	args := []string{"interpret-trailers", "--in-place", "--if-exists", "addIfDifferent"}
	for _, t := range trailers {
		args = append(args, "--trailer", t)
	}
	if _, err := r.git(nil, append(args, file)...); err != nil {
		return fmt.Errorf("add trailers: %w", err)
	}
	return nil
}

// SetConfig sets a key in the repository's local config, replacing every
// value it had.
func (r *Repo) SetConfig(key, value string) error {
	if _, err := r.git(nil, "config", "--local", "--replace-all", key, value); err != nil {
		return fmt.Errorf("set config %s: %w", key, err)
	}
	return nil
}

// RemoveConfigSection removes a section (such as "hook.aitrail-post-commit")
// from the local config; a missing section is not an error.
func (r *Repo) RemoveConfigSection(name string) error {
	_, err := r.git(nil, "config", "--local", "--remove-section", name)
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 128 && strings.Contains(err.Error(), "no such section")) {
		return fmt.Errorf("remove config section %s: %w", name, err)
	}
	return nil
}

// GitVersion returns the major and minor version of the git CLI.
func (r *Repo) GitVersion() (major, minor int, err error) {
	out, err := r.git(nil, "version")
	if err != nil {
		return 0, 0, err
	}
	return parseGitVersion(string(out))
}

// parseGitVersion reads "git version 2.39.5" (and vendor suffixes).
func parseGitVersion(s string) (major, minor int, err error) {
	f := strings.Fields(s)
	if len(f) < 3 {
		return 0, 0, fmt.Errorf("unexpected git version %q", s)
	}
	if _, err := fmt.Sscanf(f[2], "%d.%d", &major, &minor); err != nil {
		return 0, 0, fmt.Errorf("unexpected git version %q", s)
	}
	return major, minor, nil
}
