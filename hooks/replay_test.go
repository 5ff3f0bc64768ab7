package hooks

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/ingest"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

// TestReplayClaudeTranscripts replays the real Claude Code transcripts of
// the shared fixtures where users keep their repositories: their absolute
// paths are moved under the test's home directory (and, to compare, outside
// it), each session's working directory becomes a git repository holding
// the files its edits wrote, committed once, and correlation must link
// every edited file to the prompts that wrote it, as well under the home
// directory (where stored paths read ~/…) as outside it.
//
// Each file is made of the hunks of the edits that wrote it, context lines
// included, so that the lines an agent added sit among the lines it saw (a
// line's place is evidence of who wrote it), and a line it added often
// also stands elsewhere in the file as another edit's context ("}",
// "return nil", a repeated call). Only the added lines are the agent's:
// credit given to a context copy is misattribution (precision), an added
// line left without credit a gap (recall).
func TestReplayClaudeTranscripts(t *testing.T) {
	projects, err := filepath.Abs(filepath.Join("..", "..", "shared", "fixtures", "sessions", "claude", "projects"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(projects); err != nil {
		t.Skipf("shared fixtures not found at %s: this test replays the real Claude Code transcripts kept outside the repository (../shared/fixtures)", projects)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: the replay commits in real repositories")
	}
	under := replay(t, projects, true)
	outside := replay(t, projects, false)
	t.Logf("file recall: %.2f under the home directory, %.2f outside it (%d files)", under.recall(), outside.recall(), under.files)
	t.Logf("lines: %d added by the agent, %d credited, %d of them right: precision %.3f, recall %.3f",
		under.truth, under.credited, under.right, under.precision(), under.lineRecall())
	if under.files < 20 {
		t.Errorf("only %d edited files replayed: the fixtures changed?", under.files)
	}
	if under.files != outside.files || under.linked != outside.linked {
		t.Errorf("under home: %d of %d files linked; outside: %d of %d", under.linked, under.files, outside.linked, outside.files)
	}
	if under.recall() < 0.95 {
		t.Errorf("under home, %d of %d edited files linked: %v", under.linked, under.files, under.missed)
	}
	if under.ai == 0 || under.ai != outside.ai || under.right != outside.right {
		t.Errorf("AI lines: %d (%d right) under home, %d (%d right) outside", under.ai, under.right, outside.ai, outside.right)
	}
	if under.truth < 500 {
		t.Errorf("only %d added lines replayed: the fixtures changed?", under.truth)
	}
	if under.precision() < 0.99 {
		t.Errorf("precision %.3f: %d of %d credited lines are context an edit showed, not a line it added", under.precision(), under.credited-under.right, under.credited)
	}
	if under.lineRecall() < 0.98 {
		t.Errorf("line recall %.3f: %d of %d added lines credited", under.lineRecall(), under.right, under.truth)
	}
}

type replayResult struct {
	files, linked, ai int
	missed            []string
	// The agent's added (non-blank) lines, the lines credited, and the
	// credited lines that are added ones.
	truth, credited, right int
}

func (r replayResult) precision() float64 {
	if r.credited == 0 {
		return 0
	}
	return float64(r.right) / float64(r.credited)
}

func (r replayResult) lineRecall() float64 {
	if r.truth == 0 {
		return 0
	}
	return float64(r.right) / float64(r.truth)
}

func (r replayResult) recall() float64 {
	if r.files == 0 {
		return 0
	}
	return float64(r.linked) / float64(r.files)
}

// cwdPattern finds the working directories a transcript names.
var cwdPattern = regexp.MustCompile(`"cwd":"([^"]+)"`)

// relocation moves the paths of one transcript from their original top
// directory (/Users/<name>, /home/<name>, or their first element) to the
// same place below root.
func relocation(data []byte, root string) (from, to []string) {
	seen := map[string]bool{}
	for _, m := range cwdPattern.FindAllSubmatch(data, -1) {
		parts := strings.Split(strings.TrimPrefix(string(m[1]), "/"), "/")
		n := 1
		if (parts[0] == "Users" || parts[0] == "home") && len(parts) > 1 {
			n = 2
		}
		top := "/" + strings.Join(parts[:n], "/")
		if !seen[top] {
			seen[top] = true
			from = append(from, top)
			to = append(to, filepath.Join(root, top))
		}
	}
	return from, to
}

// replay ingests the transcripts and commits, in a repository per working
// directory, a file per edited path: the hunks of its edits, in order.
func replay(t *testing.T, projects string, underHome bool) replayResult {
	t.Helper()
	ctx := context.Background()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(base, "home")
	root := filepath.Join(base, "elsewhere")
	if underHome {
		root = filepath.Join(home, "src")
	}
	// The transcripts, their paths relocated, where Claude Code keeps them;
	// each working directory a repository.
	claudeDir := filepath.Join(home, ".claude", "projects")
	cwds := map[string]bool{}
	err = filepath.WalkDir(projects, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".jsonl") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		from, to := relocation(data, root)
		for i := range from {
			data = bytes.ReplaceAll(data, []byte(`"`+from[i]+`/`), []byte(`"`+to[i]+`/`))
			data = bytes.ReplaceAll(data, []byte(`"`+from[i]+`"`), []byte(`"`+to[i]+`"`))
			data = bytes.ReplaceAll(data, []byte(` `+from[i]+`/`), []byte(` `+to[i]+`/`))
		}
		for _, m := range cwdPattern.FindAllSubmatch(data, -1) {
			cwds[string(m[1])] = true
		}
		rel, _ := filepath.Rel(projects, p)
		dst := filepath.Join(claudeDir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	var repos []string
	for c := range cwds {
		repos = append(repos, c)
	}
	sort.Strings(repos)
	var roots []string
	for _, c := range repos {
		if len(roots) > 0 {
			if _, ok := canon.Within(roots[len(roots)-1], c); ok {
				continue // a sub-directory of the repository before it
			}
		}
		roots = append(roots, c)
		git(t, "", "init", "-q", c)
	}

	// Ingest, as the hooks do, with the home directory redacted to ~.
	db, err := store.Open(ctx, filepath.Join(base, "trail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := redact.DefaultConfig()
	cfg.Home = home
	eng, err := redact.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	files, err := ingest.Discover(ingest.Agents(), []ingest.AgentPath{{Agent: "claude", Path: filepath.Join(home, ".claude")}}, os.Getenv, home)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(ctx, db, eng, files, ingest.Options{Home: home}); err != nil {
		t.Fatal(err)
	}
	keys, err := db.PathKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Each repository gets the files its edits wrote (their added lines,
	// in order), committed once after the last edit.
	var res replayResult
	for _, r := range roots {
		edits, err := db.EditsUnder(ctx, []string{keys.Key(r)}, time.Time{}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		content := map[string][]string{}
		truth := map[string]map[int]bool{} // path → numbers of the lines an edit added
		var last time.Time
		for _, e := range edits {
			if e.RelPath == "" || e.Added == 0 {
				continue
			}
			if truth[e.RelPath] == nil {
				truth[e.RelPath] = map[int]bool{}
			}
			for _, l := range hunkLines(e.Diff) {
				content[e.RelPath] = append(content[e.RelPath], l.text)
				if l.added && strings.TrimSpace(l.text) != "" {
					truth[e.RelPath][len(content[e.RelPath])] = true
				}
			}
			if e.Time.After(last) {
				last = e.Time
			}
		}
		if len(content) == 0 {
			continue
		}
		for rel, lines := range content {
			p := filepath.Join(r, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		when := last.Add(time.Minute).UTC().Format(time.RFC3339)
		git(t, r, "add", "-A")
		git(t, r, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-q", "--no-verify", "-m", "replay",
			"--date="+when)
		repo, err := gitlog.Open(r)
		if err != nil {
			t.Fatal(err)
		}
		head, err := repo.Head()
		if err != nil {
			t.Fatal(err)
		}
		a, err := report.Correlate(ctx, db, repo, head, report.Options{
			Lookback: 20 * 365 * 24 * time.Hour,
			Redact: func() (func(string) string, error) {
				return func(s string) string { out, _ := eng.Text(redact.ScopeField, s); return out }, nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			if content[f.Path] == nil || f.Added == 0 {
				continue
			}
			res.files++
			res.ai += f.AI
			res.truth += len(truth[f.Path])
			for no := range f.Lines {
				res.credited++
				if truth[f.Path][no] {
					res.right++
				}
			}
			if len(f.Prompts) > 0 && f.AI > 0 {
				res.linked++
			} else {
				res.missed = append(res.missed, fmt.Sprintf("%s/%s", filepath.Base(r), f.Path))
			}
		}
	}
	return res
}

type hunkLine struct {
	text  string
	added bool
}

// hunkLines returns the new side of a unified diff's hunks: its context and
// added lines, in order.
func hunkLines(diff string) []hunkLine {
	var out []hunkLine
	in := false
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "@@"):
			in = true
		case !in:
		case strings.HasPrefix(l, "+"):
			out = append(out, hunkLine{l[1:], true})
		case strings.HasPrefix(l, " "):
			out = append(out, hunkLine{l[1:], false})
		}
	}
	return out
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir(), "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
