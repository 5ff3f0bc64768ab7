package redact

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// sharedDir is the shared reference material, beside the repository.
var sharedDir = filepath.Join("..", "..", "shared")

// sessionLines returns the lines of the real and synthetic agent logs
// (JSONL) of the shared fixtures, or skips the test.
func sessionLines(tb testing.TB) [][]byte {
	tb.Helper()
	root := filepath.Join(sharedDir, "fixtures", "sessions")
	if _, err := os.Stat(root); err != nil {
		tb.Skipf("session fixtures not found at %s (the shared/ directory sits beside the repository): %v", root, err)
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonl") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(files)
	var lines [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
		if err := sc.Err(); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
	}
	return lines
}
