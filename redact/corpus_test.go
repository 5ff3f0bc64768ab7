package redact

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// maxCorpusFindings bounds the secret-rule findings on the benign corpus:
// each is a false positive. Measured: see docs/redaction.md.
const maxCorpusFindings = 0

// benignCorpus returns ordinary code and prose with no secret in it: this
// project's own Go source and documentation (not its tests, test data, the
// rule pack's samples or docs/redaction.md, which show what the rules
// catch), and the negative files of detect-secrets' fixtures when the
// shared directory is there.
func benignCorpus(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || n == ".git" || strings.HasPrefix(n, ".") && p != ".." {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		switch {
		case strings.HasSuffix(name, "_test.go"), strings.HasPrefix(name, "builtin"), name == "redaction.md":
			return nil // tests, the pack's samples and its documentation show secrets' shapes on purpose
		case strings.HasSuffix(name, ".go"), strings.HasSuffix(name, ".md"):
		default:
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[p] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ds := filepath.Join(sharedDir, "fixtures", "redaction", "detect-secrets")
	for _, n := range []string{"files/file_with_no_secrets.py", "files/tmp/file_with_no_secrets.py", "only_comments.yaml", "word_list.txt"} {
		data, err := os.ReadFile(filepath.Join(ds, n))
		if err != nil {
			t.Logf("detect-secrets negatives not found under %s (the shared/ directory sits beside the repository): %v", ds, err)
			break
		}
		files["detect-secrets/"+n] = string(data)
	}
	return files
}

// TestBenignCorpus checks that the pack stays quiet on ordinary code and
// prose, and reports its false-positive rate.
func TestBenignCorpus(t *testing.T) {
	e := newTestEngine(t, testConfig())
	names := make([]string, 0)
	files := benignCorpus(t)
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	size, lines, secret := 0, 0, 0
	byRule := map[string]int{}
	for _, n := range names {
		text := files[n]
		size += len(text)
		lines += strings.Count(text, "\n") + 1
		_, fs := e.Text(ScopeField, text)
		for _, f := range fs {
			byRule[f.RuleID]++
			if piiRules[f.RuleID] {
				continue
			}
			secret++
			line := 1 + strings.Count(text[:f.Start], "\n")
			a, b := max(0, f.Start-40), min(len(text), f.End+10)
			t.Logf("%s:%d: %s fired: %q", n, line, f.RuleID, bytes.ReplaceAll([]byte(text[a:b]), []byte("\n"), []byte(" ")))
		}
	}
	var ids []string
	for id := range byRule {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		t.Logf("%-22s %4d", id, byRule[id])
	}
	mb := float64(size) / 1e6
	t.Logf("benign corpus: %d files, %.2f MB, %d lines: %d secret-rule findings (%.2f per MB, %.3f per 1,000 lines)",
		len(files), mb, lines, secret, float64(secret)/mb, 1000*float64(secret)/float64(lines))
	if secret > maxCorpusFindings {
		t.Errorf("%d secret-rule findings on ordinary code and prose, want at most %d", secret, maxCorpusFindings)
	}
}
