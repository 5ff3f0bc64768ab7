package gitlog

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMain makes every test hermetic: a private HOME without config, no
// system config, fixed identities, and none of the GIT_* variables a calling
// hook or shell may have set (GIT_DIR, GIT_INDEX_FILE, ...). Both the git
// processes the tests run and the package under test see this environment.
// It also serves as the helper process of the cross-process notes test.
func TestMain(m *testing.M) {
	switch os.Getenv("GITLOG_HELPER") {
	case "writenotes":
		os.Exit(helperWriteNotes())
	case "sequencer":
		os.Exit(helperSequencer())
	}
	home, err := os.MkdirTemp("", "gitlog-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GIT_") || k == "EMAIL" || k == "XDG_CONFIG_HOME" {
			os.Unsetenv(k)
		}
	}
	for k, v := range map[string]string{
		"HOME":                home,
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "A U Thor",
		"GIT_AUTHOR_EMAIL":    "author@example.com",
		"GIT_AUTHOR_DATE":     "@1700000000 +0000",
		"GIT_COMMITTER_NAME":  "C O Mitter",
		"GIT_COMMITTER_EMAIL": "committer@example.com",
		"GIT_COMMITTER_DATE":  "@1700000000 +0000",
		"GIT_TERMINAL_PROMPT": "0",
		"LC_ALL":              "C",
	} {
		os.Setenv(k, v)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// helperSequencer runs as a post-commit hook: it appends "<op> <source>" to $GITLOG_LOG.
func helperSequencer() int {
	repo, err := Open(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s := repo.Sequencer()
	f, err := os.OpenFile(os.Getenv("GITLOG_LOG"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s\n", s.Op, s.Source)
	return 0
}

// testRepo is a scratch repository driven with the git CLI.
type testRepo struct {
	t    testing.TB
	dir  string
	tick int // commit times grow by one second per commit
}

func newTestRepo(t testing.TB) *testRepo {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &testRepo{t: t, dir: dir}
	r.git("init", "-q", "-b", "main")
	return r
}

// git runs git in the repository and returns its trimmed stdout.
func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	out, err := r.gitErr(args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimRight(out, "\n")
}

func (r *testRepo) gitErr(args ...string) (string, error) {
	return runGit(r.dir, nil, args...)
}

func runGit(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (r *testRepo) write(path, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *testRepo) remove(path string) {
	r.t.Helper()
	if err := os.Remove(filepath.Join(r.dir, filepath.FromSlash(path))); err != nil {
		r.t.Fatal(err)
	}
}

// commit stages everything and commits with a fresh commit time.
func (r *testRepo) commit(msg string) Hash {
	r.t.Helper()
	r.git("add", "-A")
	return r.commitStaged(msg)
}

func (r *testRepo) commitStaged(msg string, extra ...string) Hash {
	r.t.Helper()
	r.tick++
	date := fmt.Sprintf("@%d +0000", 1700000000+r.tick*60)
	args := append([]string{"commit", "-q", "--allow-empty", "-m", msg}, extra...)
	out, err := runGit(r.dir, []string{"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date}, args...)
	if err != nil {
		r.t.Fatalf("git commit: %v\n%s", err, out)
	}
	return r.rev("HEAD")
}

func (r *testRepo) rev(rev string) Hash {
	r.t.Helper()
	h, err := ParseHash(r.git("rev-parse", rev))
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

func (r *testRepo) open() *Repo {
	r.t.Helper()
	repo, err := Open(r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	return repo
}

// makeCommits creates n commits on the current branch with one `git
// fast-import` process (each adds a file f<i>) and returns them oldest first.
func (r *testRepo) makeCommits(n int) []Hash {
	r.t.Helper()
	var b strings.Builder
	parent := ""
	if out, err := r.gitErr("rev-parse", "-q", "--verify", "HEAD"); err == nil {
		parent = strings.TrimSpace(out)
	}
	branch := r.git("symbolic-ref", "HEAD")
	for i := 0; i < n; i++ {
		r.tick++
		fmt.Fprintf(&b, "commit %s\nmark :%d\ncommitter C O Mitter <committer@example.com> %d +0000\ndata <<EOM\ncommit %d\nEOM\n",
			branch, i+1, 1700000000+r.tick*60, i)
		if i == 0 && parent != "" {
			fmt.Fprintf(&b, "from %s\n", parent)
		}
		fmt.Fprintf(&b, "M 100644 inline gen/f%d.txt\ndata <<EOM\nfile %d\nEOM\n\n", i, i)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = r.dir
	cmd.Stdin = strings.NewReader(b.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("fast-import: %v\n%s", err, out)
	}
	r.git("reset", "-q", "--hard")
	lines := strings.Fields(r.git("rev-list", "--reverse", "-n", strconv.Itoa(n), "HEAD"))
	out := make([]Hash, len(lines))
	for i, l := range lines {
		out[i], _ = ParseHash(l)
	}
	return out
}

// gitFileDiff is what `git diff -U0` says about one file.
type gitFileDiff struct {
	path, oldPath, op string
	binary            bool
	added             []Line
	removed           int
}

var hunkRe = regexp.MustCompile(`^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@`)

// parseGitDiff parses `git diff -U0` output (paths without spaces or quoting).
func parseGitDiff(t testing.TB, out string) map[string]*gitFileDiff {
	t.Helper()
	res := map[string]*gitFileDiff{}
	var cur *gitFileDiff
	next := 0
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "diff --git "):
			f := strings.Fields(line)
			cur = &gitFileDiff{oldPath: strings.TrimPrefix(f[2], "a/"), path: strings.TrimPrefix(f[3], "b/"), op: "update"}
		case cur == nil:
		case strings.HasPrefix(line, "new file mode"):
			cur.op = "add"
		case strings.HasPrefix(line, "deleted file mode"):
			cur.op = "delete"
			cur.path = cur.oldPath
		case strings.HasPrefix(line, "rename from "):
			cur.op = "rename"
		case strings.HasPrefix(line, "Binary files "):
			cur.binary = true
		case strings.HasPrefix(line, "@@ "):
			m := hunkRe.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("bad hunk header %q", line)
			}
			next, _ = strconv.Atoi(m[1])
		case strings.HasPrefix(line, "+++ "), strings.HasPrefix(line, "--- "):
		case strings.HasPrefix(line, "+"):
			cur.added = append(cur.added, Line{No: next, Text: line[1:]})
			next++
		case strings.HasPrefix(line, "-"):
			cur.removed++
		}
		if cur != nil {
			res[cur.path] = cur
		}
	}
	for _, fd := range res {
		if fd.op != "rename" {
			fd.oldPath = ""
		}
	}
	return res
}

// compareWithGit checks Diff/StagedDiff output against parsed git output.
func compareWithGit(t *testing.T, got []FileDiff, want map[string]*gitFileDiff) {
	t.Helper()
	if len(got) != len(want) {
		var paths []string
		for _, fd := range got {
			paths = append(paths, fd.Path)
		}
		var wpaths []string
		for p := range want {
			wpaths = append(wpaths, p)
		}
		t.Errorf("got %d files %v, git reports %d %v", len(got), paths, len(want), wpaths)
	}
	for _, fd := range got {
		w, ok := want[fd.Path]
		if !ok {
			t.Errorf("%s: not in git's diff", fd.Path)
			continue
		}
		if fd.Op != w.op || fd.OldPath != w.oldPath || fd.Binary != w.binary {
			t.Errorf("%s: got op=%s old=%q binary=%v, git: op=%s old=%q binary=%v", fd.Path, fd.Op, fd.OldPath, fd.Binary, w.op, w.oldPath, w.binary)
		}
		if fd.Removed != w.removed {
			t.Errorf("%s: got %d removed lines, git %d", fd.Path, fd.Removed, w.removed)
		}
		if fmt.Sprint(fd.Added) != fmt.Sprint(w.added) {
			t.Errorf("%s: added lines differ\n got: %v\n git: %v", fd.Path, fd.Added, w.added)
		}
	}
}
