package report

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aitrail/aitrail/repofile"
)

// TestFragmentConfigsAreReadSafely checks that a release-notes tool's
// configuration in the work tree is read like any repository file: a link
// to /dev/zero or outside the repository is refused at once, a missing
// file is absent, a regular one is read.
func TestFragmentConfigsAreReadSafely(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, ".changie.yaml"), []byte("changesDir: .changes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(root, "towncrier.toml")); err != nil {
		t.Fatal(err)
	}
	if b, ok, err := readOptional(root, ".changie.yaml"); err != nil || !ok || len(b) == 0 {
		t.Errorf("regular file: %q, %v, %v", b, ok, err)
	}
	if _, ok, err := readOptional(root, "pyproject.toml"); err != nil || ok {
		t.Errorf("missing file: %v, %v", ok, err)
	}
	if _, _, err := readOptional(root, "towncrier.toml"); !errors.Is(err, repofile.ErrOutside) {
		t.Errorf("a link to /dev/zero: %v, want it refused", err)
	}
}
