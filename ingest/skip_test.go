package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// TestUnreadableLogIsSkipped checks that a log that cannot be read (a
// directory where a log was, a file without read permission, a log removed
// while the run goes on) is one warning, "path: reason; skipped", and
// never a reason to skip the others: the logs before it in its transaction
// and after it are stored, and the run succeeds.
func TestUnreadableLogIsSkipped(t *testing.T) {
	dir := t.TempDir()
	a := lineAgent()
	var files []File
	add := func(name, content string) string {
		p := filepath.Join(dir, name)
		write(t, p, content)
		files = append(files, File{&a, p})
		return p
	}
	add("1.jsonl", lines(3, "one"))
	notALog := filepath.Join(dir, "2.jsonl")
	if err := os.Mkdir(notALog, 0o755); err != nil {
		t.Fatal(err)
	}
	files = append(files, File{&a, notALog})
	add("3.jsonl", lines(3, "three"))
	locked := ""
	if os.Geteuid() != 0 { // root reads whatever the permissions
		locked = add("4.jsonl", lines(3, "four"))
		if err := os.Chmod(locked, 0); err != nil {
			t.Fatal(err)
		}
	}
	gone := add("5.jsonl", lines(3, "five"))
	add("6.jsonl", lines(3, "six"))
	files = append(files, File{&a, filepath.Join(dir, "never-there.jsonl")})

	db := openDB(t)
	var warnings []string
	sum, err := Run(context.Background(), db, nopRedactor{}, files, Options{
		Warn: func(s string) { warnings = append(warnings, s) },
		// Each log commits alone: the third one's commit removes the fifth,
		// which discovery saw.
		BatchBytes: 1,
		Progress: func(done, total int64) {
			if done > 0 && strings.Count(strings.Join(warnings, "\n"), "skipped") > 0 {
				os.Remove(gone)
			}
		},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := sessionIDs(t, db)
	for _, want := range []string{"one", "three", "six"} {
		if !strings.Contains(got, want) {
			t.Errorf("session %s was not stored: %s", want, got)
		}
	}
	wantWarnings := []string{notALog + ": is a directory; skipped", gone + ": ", "never-there.jsonl: no such file or directory; skipped"}
	if locked != "" {
		wantWarnings = append(wantWarnings, locked+": permission denied; skipped")
	}
	for _, w := range wantWarnings {
		if !strings.Contains(strings.Join(warnings, "\n"), w) {
			t.Errorf("no warning %q in %q", w, warnings)
		}
	}
	if sum.Skipped != len(wantWarnings) {
		t.Errorf("skipped = %d, want %d (warnings %q)", sum.Skipped, len(wantWarnings), warnings)
	}
}

// TestFailedLogRedoesItsTransaction checks that a log that fails midway
// (its repository's rules cannot apply) in a transaction shared with other
// logs leaves them stored, each once, with their warnings given once.
func TestFailedLogRedoesItsTransaction(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	a := recordAgent()
	var files []File
	for i, content := range []string{
		`{"k":"session","s":"first","x":"/nowhere"}` + "\n" + `{"k":"prompt","s":"first","p":"p1","x":"hello"}` + "\n" + "not json\n",
		`{"k":"session","s":"second","x":"/nowhere"}` + "\n" + `{"k":"session","s":"second","x":"` + repo + `"}` + "\n",
		`{"k":"session","s":"third","x":"/nowhere"}` + "\n",
	} {
		p := filepath.Join(dir, string(rune('a'+i))+".jsonl")
		write(t, p, content)
		files = append(files, File{&a, p})
	}
	cfg := redact.DefaultConfig()
	cfg.RepoRules = func(root string) ([]redact.Rule, error) {
		return nil, os.ErrPermission // a rule file that cannot be read
	}
	eng, err := redact.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	var warnings []string
	sum, err := Run(context.Background(), db, eng, files, Options{Warn: func(s string) { warnings = append(warnings, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := sessionIDs(t, db); got != "first third" {
		t.Errorf("sessions = %q, want first and third", got)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "a.jsonl:3:") || !strings.Contains(warnings[1], "b.jsonl: the repository's redaction rules cannot apply") {
		t.Errorf("warnings = %q, want a.jsonl's malformed line, then b.jsonl skipped", warnings)
	}
	if sum.BadLines != 1 || sum.Lines != 4 || sum.Skipped != 1 || sum.FilesRead != 2 {
		t.Errorf("summary: %d bad of %d lines, %d skipped, %d read; want 1 of 4, 1, 2", sum.BadLines, sum.Lines, sum.Skipped, sum.FilesRead)
	}
}

// sessionIDs returns the stored sessions' ids, sorted, space-separated.
func sessionIDs(t *testing.T, db *store.DB) string {
	t.Helper()
	return strings.ReplaceAll(dumpTable(t, db, "SELECT external_id FROM sessions ORDER BY external_id"), "\n", " ")
}

// TestLongLineIsCut checks that a line longer than the cap is read in
// bounded memory, redacted across the cut (a secret that starts before it
// and ends after it is not kept in part), stored cut with a marker saying
// so, counted as malformed, and that the lines after it are read.
func TestLongLineIsCut(t *testing.T) {
	const maxLine = 4096
	secret := "ghp_" + strings.Repeat("Zq7Kx2Pm9W", 4)[:36]
	long := `{"s":"a","p":"` + strings.Repeat("x", maxLine-20) + " token " + secret + strings.Repeat(" y", 3*maxLine) + `"}`
	path := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, path, lines(1, "a")+long+"\n"+`{"s":"a","p":"after","t":1700000100}`+"\n")
	eng, err := redact.New(redact.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	a := lineAgent()
	var warnings []string
	sum, err := Run(context.Background(), db, eng, []File{{&a, path}}, Options{MaxLine: maxLine, Warn: func(s string) { warnings = append(warnings, s) }})
	if err != nil {
		t.Fatal(err)
	}
	raw := rawText(t, db)
	for k := 0; k+8 <= len(secret); k++ {
		if strings.Contains(raw, secret[k:k+8]) {
			t.Fatalf("the stored line keeps part of the secret (%q)", secret[k:k+8])
		}
	}
	if !strings.Contains(raw, fmt.Sprintf("… [aitrail: a line of %d bytes, cut to ", len(long))) {
		t.Errorf("no cut marker in the stored lines:\n%.300s…", raw)
	}
	for _, l := range strings.Split(raw, "\n") {
		if len(l) > maxLine+100 {
			t.Errorf("a stored line of %d bytes, over the cap of %d", len(l), maxLine)
		}
	}
	if sum.BadLines != 1 || sum.Lines != 3 || len(warnings) != 1 || !strings.Contains(warnings[0], "log.jsonl:2: a line of") {
		t.Errorf("%d bad of %d lines, warnings %q; want 1 of 3, one for line 2", sum.BadLines, sum.Lines, warnings)
	}
	if got := dumpTable(t, db, "SELECT text FROM prompts ORDER BY key"); !strings.Contains(got, "after") {
		t.Errorf("the line after the long one was not read: %q", got)
	}
}
