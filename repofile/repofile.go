package repofile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// MaxSize is the largest repository file Read accepts (1 MiB).
const MaxSize = 1 << 20

// Errors of Read, checked with errors.Is.
var (
	// ErrOutside means the path, or a symbolic link on it, leads out of the
	// repository.
	ErrOutside = errors.New("leads outside the repository")
	// ErrNotRegular means the path names a directory, a device, a named
	// pipe, a socket or anything else that is not a regular file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge means the file is larger than MaxSize.
	ErrTooLarge = fmt.Errorf("larger than %d bytes", MaxSize)
)

// Read returns the content of the file rel (relative, slash-separated)
// inside the directory root. A missing file is an error wrapping
// fs.ErrNotExist. The file must be regular, of at most MaxSize bytes, and
// its path (symbolic links followed) must stay inside root; otherwise the
// error wraps ErrNotRegular, ErrTooLarge or ErrOutside and names rel and
// what it is. Read never blocks on a named pipe or a device: it opens
// without waiting and checks what it opened before reading a byte.
func Read(root, rel string) ([]byte, error) {
	data, err := read(root, rel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	return data, nil
}

// Stat checks, without opening it, that rel inside root is a regular file
// reached without leaving root, and returns its real path (links
// resolved) and information. It is what Read checks first; a caller that
// reads a large file incrementally (an agent's log kept in a work tree)
// uses it alone. Errors are those of Read, but ErrTooLarge.
func Stat(root, rel string) (string, fs.FileInfo, error) {
	real, fi, err := stat(root, rel)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", rel, err)
	}
	return real, fi, nil
}

func stat(root, rel string) (string, fs.FileInfo, error) {
	if filepath.IsAbs(rel) || !filepath.IsLocal(filepath.FromSlash(rel)) {
		return "", nil, ErrOutside
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", nil, fmt.Errorf("repository %s: %w", root, err)
	}
	path := filepath.Join(realRoot, filepath.FromSlash(rel))
	// Every component is checked before anything is opened: a link to
	// /dev/zero or to another user's file is refused by name.
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil, fs.ErrNotExist
		}
		return "", nil, err
	}
	if r, err := filepath.Rel(realRoot, real); err != nil || !filepath.IsLocal(r) {
		return "", nil, ErrOutside
	}
	fi, err := os.Lstat(real)
	if err != nil {
		return "", nil, err
	}
	if !fi.Mode().IsRegular() {
		return "", nil, fmt.Errorf("%w (%s)", ErrNotRegular, kind(fi.Mode()))
	}
	return real, fi, nil
}

func read(root, rel string) ([]byte, error) {
	real, fi, err := stat(root, rel)
	if err != nil {
		return nil, err
	}
	if fi.Size() > MaxSize {
		return nil, ErrTooLarge
	}
	// O_NONBLOCK: if the file was swapped for a pipe since, opening it does
	// not wait for a writer; O_NOFOLLOW: nor for a link.
	f, err := os.OpenFile(real, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w (%s)", ErrNotRegular, kind(fi.Mode()))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, ErrTooLarge
	}
	return data, nil
}

// kind names what a non-regular file is.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return strings.TrimSpace("a file of mode " + m.String())
}
