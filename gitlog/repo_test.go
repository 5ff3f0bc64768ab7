package gitlog

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestOpenSubdirectory(t *testing.T) {
	r := newTestRepo(t)
	r.write("a/b/c.txt", "x\n")
	r.commit("one")
	repo, err := Open(filepath.Join(r.dir, "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	if got := repo.Root(); got != r.dir {
		t.Errorf("Root() = %q, want %q", got, r.dir)
	}
	if got, want := repo.GitDir(), filepath.Join(r.dir, ".git"); got != want {
		t.Errorf("GitDir() = %q, want %q", got, want)
	}
	if repo.CommonDir() != repo.GitDir() {
		t.Errorf("CommonDir() = %q, want GitDir %q", repo.CommonDir(), repo.GitDir())
	}
	head, err := repo.Head()
	if err != nil || head != r.rev("HEAD") {
		t.Errorf("Head() = %v, %v; want %v", head, err, r.rev("HEAD"))
	}
}

func TestOpenSymlinkedPath(t *testing.T) {
	r := newTestRepo(t)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(r.dir, link); err != nil {
		t.Skip("symlinks unsupported:", err)
	}
	repo, err := Open(link)
	if err != nil {
		t.Fatal(err)
	}
	if repo.Root() != r.dir {
		t.Errorf("Root() = %q, want symlink-free %q", repo.Root(), r.dir)
	}
}

func TestOpenNotRepository(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	_, err := Open(dir)
	if !errors.Is(err, ErrNotRepository) {
		t.Fatalf("Open(non-repo) error = %v, want ErrNotRepository", err)
	}
}

func TestOpenLinkedWorktree(t *testing.T) {
	r := newTestRepo(t)
	r.write("f.txt", "x\n")
	r.commit("one")
	wt := filepath.Join(filepath.Dir(r.dir), filepath.Base(r.dir)+"-wt")
	t.Cleanup(func() { os.RemoveAll(wt) })
	r.git("worktree", "add", "-q", "-b", "feature", wt)
	if err := os.MkdirAll(filepath.Join(wt, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	wtRepo := &testRepo{t: t, dir: wt}
	wtRepo.write("g.txt", "y\n")
	wtRepo.commit("in worktree")

	repo, err := Open(filepath.Join(wt, "sub"))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"Root", repo.Root(), wt},
		{"GitDir", repo.GitDir(), filepath.Join(r.dir, ".git", "worktrees", filepath.Base(wt))},
		{"CommonDir", repo.CommonDir(), filepath.Join(r.dir, ".git")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s() = %q, want %q", c.name, c.got, c.want)
		}
	}
	head, err := repo.Head()
	if err != nil || head != wtRepo.rev("HEAD") {
		t.Errorf("Head() = %v, %v; want the worktree's HEAD %v", head, err, wtRepo.rev("HEAD"))
	}
	if head == r.rev("HEAD") {
		t.Errorf("Head() is the main worktree's HEAD")
	}
	hooks, err := repo.HooksDir()
	if err != nil || hooks != filepath.Join(r.dir, ".git", "hooks") {
		t.Errorf("HooksDir() = %q, %v; want the common hooks dir", hooks, err)
	}
	d, err := repo.Diff(Hash{}, head)
	if err != nil || len(d) != 1 || d[0].Path != "g.txt" {
		t.Errorf("Diff(HEAD) in worktree = %+v, %v", d, err)
	}
	// Notes are shared by all worktrees.
	if err := repo.WriteNote("aitrail", head, "from worktree\n"); err != nil {
		t.Fatal(err)
	}
	if got := r.git("notes", "--ref=aitrail", "show", head.String()); got != "from worktree" {
		t.Errorf("main worktree sees note %q", got)
	}
}

func TestOpenBare(t *testing.T) {
	r := newTestRepo(t)
	r.write("f.txt", "x\n")
	c := r.commit("one")
	bare := filepath.Join(t.TempDir(), "bare.git")
	r.git("clone", "-q", "--bare", r.dir, bare)
	repo, err := Open(bare)
	if err != nil {
		t.Fatal(err)
	}
	if repo.Root() != "" || repo.GitDir() != bare {
		t.Errorf("bare: Root()=%q GitDir()=%q", repo.Root(), repo.GitDir())
	}
	if h, err := repo.Head(); err != nil || h != c {
		t.Errorf("bare: Head() = %v, %v", h, err)
	}
	if err := repo.WriteNote("aitrail", c, "bare\n"); err != nil {
		t.Fatal(err)
	}
	if out, err := runGit(bare, nil, "notes", "--ref=aitrail", "show", c.String()); err != nil || out != "bare\n" {
		t.Errorf("git notes show in bare repository = %q, %v", out, err)
	}
}

// Hooks run in a linked worktree get GIT_DIR (and no GIT_WORK_TREE) with the
// worktree root as working directory.
func TestOpenHonoursGitDir(t *testing.T) {
	r := newTestRepo(t)
	r.write("f.txt", "x\n")
	r.commit("one")
	wt := filepath.Join(filepath.Dir(r.dir), filepath.Base(r.dir)+"-wt")
	t.Cleanup(func() { os.RemoveAll(wt) })
	r.git("worktree", "add", "-q", "-b", "feature", wt)
	other := newTestRepo(t) // Open's argument loses against GIT_DIR, as in git

	t.Setenv("GIT_DIR", filepath.Join(r.dir, ".git", "worktrees", filepath.Base(wt)))
	repo, err := Open(other.dir)
	if err != nil {
		t.Fatal(err)
	}
	if repo.Root() != wt || repo.CommonDir() != filepath.Join(r.dir, ".git") {
		t.Errorf("with GIT_DIR: Root()=%q CommonDir()=%q, want %q and %q", repo.Root(), repo.CommonDir(), wt, filepath.Join(r.dir, ".git"))
	}

	t.Setenv("GIT_DIR", filepath.Join(other.dir, "nothing"))
	if _, err := Open(r.dir); !errors.Is(err, ErrNotRepository) {
		t.Errorf("GIT_DIR naming no repository: err = %v, want ErrNotRepository", err)
	}
}

func TestHooksDir(t *testing.T) {
	abs := t.TempDir()
	tests := []struct {
		name      string
		hooksPath string // "" = unset
		want      func(root string) string
	}{
		{"default", "", func(root string) string { return filepath.Join(root, ".git", "hooks") }},
		{"relative", ".husky/_", func(root string) string { return filepath.Join(root, ".husky", "_") }},
		{"absolute", abs, func(string) string { return abs }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRepo(t)
			if tt.hooksPath != "" {
				r.git("config", "core.hooksPath", tt.hooksPath)
			}
			if err := os.MkdirAll(filepath.Join(r.dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			repo, err := Open(filepath.Join(r.dir, "sub"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := repo.HooksDir()
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want(r.dir); got != want {
				t.Errorf("HooksDir() = %q, want %q", got, want)
			}
			// git's answer, run from the root, is relative to the root.
			gitSays := r.git("rev-parse", "--git-path", "hooks")
			if !filepath.IsAbs(gitSays) {
				gitSays = filepath.Join(r.dir, gitSays)
			}
			if got != filepath.Clean(gitSays) {
				t.Errorf("HooksDir() = %q, git rev-parse --git-path hooks = %q", got, gitSays)
			}
		})
	}
}

func TestHooksDirRelativeInLinkedWorktree(t *testing.T) {
	r := newTestRepo(t)
	r.commit("one")
	wt := filepath.Join(filepath.Dir(r.dir), filepath.Base(r.dir)+"-wt")
	t.Cleanup(func() { os.RemoveAll(wt) })
	r.git("worktree", "add", "-q", "-b", "feature", wt)
	r.git("config", "core.hooksPath", ".husky/_")
	repo, err := Open(wt)
	if err != nil {
		t.Fatal(err)
	}
	got, err := repo.HooksDir()
	if want := filepath.Join(wt, ".husky", "_"); err != nil || got != want {
		t.Errorf("HooksDir() = %q, %v; want %q (relative to the worktree's root)", got, err, want)
	}
}

func TestConfig(t *testing.T) {
	r := newTestRepo(t)
	global := filepath.Join(t.TempDir(), "gitconfig")
	if err := os.WriteFile(global, []byte("[user]\n\tname = Global Name\n\temail = global@example.com\n[notes]\n\trewriteRef = refs/notes/aitrail\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CONFIG_GLOBAL", global)
	r.git("config", "user.name", "Local Name")
	repo := r.open()
	tests := []struct {
		key, want string
		ok        bool
	}{
		{"user.name", "Local Name", true},          // local beats global
		{"user.email", "global@example.com", true}, // global when no local
		{"notes.rewriteRef", "refs/notes/aitrail", true},
		{"NOTES.REWRITEREF", "refs/notes/aitrail", true}, // keys are case-insensitive
		{"core.hooksPath", "", false},
	}
	for _, tt := range tests {
		got, ok, err := repo.Config(tt.key)
		if err != nil || got != tt.want || ok != tt.ok {
			t.Errorf("Config(%q) = %q, %v, %v; want %q, %v", tt.key, got, ok, err, tt.want, tt.ok)
		}
	}
	t.Setenv("GIT_CONFIG_COUNT", "1")
	t.Setenv("GIT_CONFIG_KEY_0", "core.hooksPath")
	t.Setenv("GIT_CONFIG_VALUE_0", "/elsewhere")
	if got, ok, err := repo.Config("core.hooksPath"); err != nil || !ok || got != "/elsewhere" {
		t.Errorf("Config(core.hooksPath) with GIT_CONFIG_KEY_0 = %q, %v, %v", got, ok, err)
	}
}

func TestHeadUnborn(t *testing.T) {
	r := newTestRepo(t)
	repo := r.open()
	if _, err := repo.Head(); !errors.Is(err, ErrNoCommits) {
		t.Errorf("Head() on a fresh repository: err = %v, want ErrNoCommits", err)
	}
	if _, err := repo.Resolve("HEAD"); !errors.Is(err, ErrUnknownRevision) {
		t.Errorf("Resolve(HEAD) unborn: err = %v, want ErrUnknownRevision", err)
	}
}

func TestHeadPackedRefs(t *testing.T) {
	r := newTestRepo(t)
	c := r.commit("one")
	r.git("pack-refs", "--all", "--prune")
	if _, err := os.Stat(filepath.Join(r.dir, ".git", "refs", "heads", "main")); !os.IsNotExist(err) {
		t.Fatalf("loose ref survived pack-refs: %v", err)
	}
	if got, err := r.open().Head(); err != nil || got != c {
		t.Errorf("Head() with packed refs = %v, %v; want %v", got, err, c)
	}
}

func TestResolveAndCommit(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit("first")
	r.write("a", "a\n")
	c2 := r.commit("second")
	r.git("tag", "v1")
	r.write("b", "b\n")
	c3 := r.commit("third\n\nbody line")
	repo := r.open()
	tests := []struct {
		rev  string
		want Hash
	}{
		{"HEAD", c3}, {"HEAD~2", c1}, {"HEAD^", c2}, {"main", c3}, {"v1", c2},
		{c1.String(), c1}, {c2.String()[:8], c2}, {"refs/heads/main~1", c2},
		{"HEAD@{1}", c2}, {"main@{2}", c1}, // reflog entries, which go-git read as HEAD
	}
	for _, tt := range tests {
		got, err := repo.Resolve(tt.rev)
		if err != nil || got != tt.want {
			t.Errorf("Resolve(%q) = %v, %v; want %v", tt.rev, got, err, tt.want)
		}
	}
	for _, bad := range []string{"nope", "HEAD~9", "0123456789abcdef0123456789abcdef01234567"} {
		if _, err := repo.Resolve(bad); !errors.Is(err, ErrUnknownRevision) {
			t.Errorf("Resolve(%q) error = %v, want ErrUnknownRevision", bad, err)
		}
	}

	c, err := repo.Commit(c3)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hash != c3 || !slices.Equal(c.Parents, []Hash{c2}) || c.Message != "third\n\nbody line\n" {
		t.Errorf("Commit() = %+v", c)
	}
	if c.Author.Name != "A U Thor" || c.Author.Email != "author@example.com" ||
		c.Committer.Name != "C O Mitter" || c.Committer.When.Unix() != 1700000000+3*60 {
		t.Errorf("Commit() signatures = %+v / %+v", c.Author, c.Committer)
	}
}

func TestRevList(t *testing.T) {
	r := newTestRepo(t)
	base := r.commit("base")
	r.git("checkout", "-q", "-b", "side")
	r.write("s", "1\n")
	s1 := r.commit("s1")
	r.git("checkout", "-q", "main")
	r.write("m", "1\n")
	m1 := r.commit("m1")
	r.git("merge", "-q", "--no-ff", "-m", "merge", "side")
	merge := r.rev("HEAD")
	r.write("m", "2\n")
	m2 := r.commit("m2")
	repo := r.open()

	tests := []struct {
		name     string
		from, to Hash
		limit    int
		want     []Hash
	}{
		{"all", Hash{}, m2, 0, []Hash{base, s1, m1, merge, m2}},
		{"range", base, m2, 0, []Hash{s1, m1, merge, m2}},
		{"from side", s1, m2, 0, []Hash{m1, merge, m2}},
		{"empty", m2, m2, 0, nil},
		{"ancestor excluded", m2, m1, 0, nil},
		{"limit keeps newest", base, m2, 2, []Hash{merge, m2}},
		{"limit from root", Hash{}, m2, 1, []Hash{m2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := repo.RevList(tt.from, tt.to, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("RevList() = %v, want %v", got, tt.want)
			}
		})
	}

	// Agree with git on a longer history.
	hs := r.makeCommits(50)
	got, err := repo.RevList(merge, hs[len(hs)-1], 0)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(r.git("rev-list", "--reverse", "--topo-order", merge.String()+".."+hs[len(hs)-1].String()))
	if len(got) != len(want) {
		t.Fatalf("RevList() gave %d commits, git %d", len(got), len(want))
	}
	for i := range got {
		if got[i].String() != want[i] {
			t.Fatalf("RevList()[%d] = %v, git %s", i, got[i], want[i])
		}
	}
}

func TestParseHash(t *testing.T) {
	if _, err := ParseHash("abc"); err == nil {
		t.Error("ParseHash(short) succeeded")
	}
	if _, err := ParseHash(strings.Repeat("G", 40)); err == nil {
		t.Error("ParseHash(non-hex) succeeded")
	}
	h, err := ParseHash(strings.Repeat("ab", 20))
	if err != nil || h.String() != strings.Repeat("ab", 20) {
		t.Errorf("ParseHash() = %v, %v", h, err)
	}
}
