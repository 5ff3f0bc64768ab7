package repofile

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// repo makes a directory whose path has spaces and non-ASCII letters, as
// users' repositories do, with a rule file in it.
func repo(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "café app", "日本")
	if err := os.MkdirAll(filepath.Join(root, ".aitrail"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, ".aitrail", "redactions.yml"), "rules: []\n")
	return root
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// readSoon is Read that fails the test instead of hanging.
func readSoon(t *testing.T, root, rel string) ([]byte, error) {
	t.Helper()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		d, err := Read(root, rel)
		done <- result{d, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("Read(%q) did not return within 10s", rel)
	}
	return nil, nil
}

func TestReadRegularFile(t *testing.T) {
	root := repo(t)
	got, err := readSoon(t, root, ".aitrail/redactions.yml")
	if err != nil || string(got) != "rules: []\n" {
		t.Fatalf("Read = %q, %v; want the file", got, err)
	}
	// A link that stays inside the repository is followed.
	symlink(t, "redactions.yml", filepath.Join(root, ".aitrail", "inside.yml"))
	if got, err := readSoon(t, root, ".aitrail/inside.yml"); err != nil || string(got) != "rules: []\n" {
		t.Fatalf("Read(inside link) = %q, %v", got, err)
	}
	// The repository itself may be reached through a link (a home directory
	// on another disk).
	alias := filepath.Join(t.TempDir(), "alias")
	symlink(t, root, alias)
	if _, err := readSoon(t, alias, ".aitrail/redactions.yml"); err != nil {
		t.Fatalf("Read through a linked root: %v", err)
	}
	// Exactly MaxSize bytes is accepted.
	write(t, filepath.Join(root, "max"), strings.Repeat("x", MaxSize))
	if got, err := readSoon(t, root, "max"); err != nil || len(got) != MaxSize {
		t.Fatalf("Read(MaxSize) = %d bytes, %v", len(got), err)
	}
}

func TestReadRefuses(t *testing.T) {
	root := repo(t)
	outside := filepath.Join(t.TempDir(), "secret.txt")
	write(t, outside, "not the repository's")
	symlink(t, "/dev/zero", filepath.Join(root, "zero.yml"))
	symlink(t, "/dev/urandom", filepath.Join(root, "urandom.yml"))
	symlink(t, outside, filepath.Join(root, "out.yml"))
	symlink(t, filepath.Dir(outside), filepath.Join(root, "up"))
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.yml"), 0o644); err != nil {
		t.Fatal(err)
	}
	symlink(t, "fifo.yml", filepath.Join(root, "to-fifo.yml"))
	ln, err := net.Listen("unix", filepath.Join(root, "sock.yml"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	write(t, filepath.Join(root, "big.yml"), strings.Repeat("x", MaxSize+1))
	if err := os.Mkdir(filepath.Join(root, "dir.yml"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		rel  string
		want error
		says string
	}{
		{"zero.yml", ErrOutside, "outside"},
		{"urandom.yml", ErrOutside, "outside"},
		{"out.yml", ErrOutside, "outside"},
		{"up/secret.txt", ErrOutside, "outside"},
		{"../secret.txt", ErrOutside, "outside"},
		{"/etc/passwd", ErrOutside, "outside"},
		{"fifo.yml", ErrNotRegular, "named pipe"},
		{"to-fifo.yml", ErrNotRegular, "named pipe"},
		{"sock.yml", ErrNotRegular, "socket"},
		{"dir.yml", ErrNotRegular, "directory"},
		{"big.yml", ErrTooLarge, "larger than 1048576 bytes"},
		{"missing.yml", fs.ErrNotExist, "not exist"},
	} {
		t.Run(tt.rel, func(t *testing.T) {
			got, err := readSoon(t, root, tt.rel)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Read(%q) = %d bytes, %v; want %v", tt.rel, len(got), err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.rel+": ") || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q should name %q and say %q", err, tt.rel, tt.says)
			}
			if got != nil {
				t.Errorf("Read returned data with an error")
			}
		})
	}
}

// TestReadDeviceInside checks a device reached without leaving the
// repository: a repository holding a link to /dev is refused as outside,
// and one whose root is / is refused as not regular.
func TestReadDeviceInside(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero on this system")
	}
	_, err := readSoon(t, "/", "dev/zero")
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "character device") {
		t.Fatalf("Read(/, dev/zero) = %v; want a character device refused", err)
	}
}

// TestStat checks the check Read makes first, used alone for logs kept in a
// work tree, which may be larger than MaxSize.
func TestStat(t *testing.T) {
	root := repo(t)
	write(t, filepath.Join(root, "big.log"), strings.Repeat("x", MaxSize+1))
	real, fi, err := Stat(root, "big.log")
	if err != nil || fi.Size() != MaxSize+1 || filepath.Base(real) != "big.log" {
		t.Fatalf("Stat = %q, %v, %v; want the file, whatever its size", real, fi, err)
	}
	symlink(t, "/dev/zero", filepath.Join(root, "zero.log"))
	if _, _, err := Stat(root, "zero.log"); !errors.Is(err, ErrOutside) {
		t.Errorf("Stat(link to /dev/zero) = %v, want ErrOutside", err)
	}
	if _, _, err := Stat(root, "missing.log"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(missing) = %v, want fs.ErrNotExist", err)
	}
}
