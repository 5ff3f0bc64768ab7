package gitlog

import (
	"fmt"
	"path/filepath"
)

// Root returns the top directory of the work tree that holds dir, as git
// finds it (a .git directory or file, GIT_CEILING_DIRECTORIES honoured),
// absolute with symbolic links resolved. Outside a work tree (or in a bare
// repository) the error wraps ErrNotRepository.
func Root(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("open repository %s: %w", dir, err)
	}
	_, root, err := discover(evalOrClean(abs))
	if err != nil {
		return "", err
	}
	if root == "" {
		return "", fmt.Errorf("open repository %s: no work tree: %w", dir, ErrNotRepository)
	}
	return evalOrClean(root), nil
}
