package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

// benchHistory describes a generated repository: files of lines, and
// commits that each replace and insert lines in some of them.
type benchHistory struct {
	files, lines    int // files at the start, lines each
	commits         int
	filesPerCommit  int
	replace, insert int // lines per touched file and commit
	noteEvery       int // every noteEvery-th commit has a note marking its new lines as an agent's
	dirs            int // files are spread over this many directories
	seed1, seed2    uint64
	keepEnv         string // names a directory to build the repository in and keep
}

// build writes the history with one `git fast-import` and the notes with
// one notes commit, and returns the repository and its head. With the
// environment variable h.keepEnv set, the repository is made in that
// directory and kept, to time the aitrail binary on it.
func (h benchHistory) build(b *testing.B) (*gitlog.Repo, gitlog.Hash) {
	b.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git is not installed")
	}
	dir := os.Getenv(h.keepEnv)
	if dir == "" {
		dir = b.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	run := func(stdin string, args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("git %s: %v\n%s", args[0], err, out)
		}
		return string(out)
	}
	run("", "init", "-q", "-b", "main")
	rng := rand.New(rand.NewPCG(h.seed1, h.seed2))
	word := func() string {
		return fmt.Sprintf("\tv%d := compute(%d, %q) // %d", rng.IntN(1000), rng.IntN(1e6), strings.Repeat("x", rng.IntN(20)), rng.IntN(1e9))
	}
	paths := make([]string, h.files)
	content := make([][]string, h.files)
	for i := range paths {
		paths[i] = fmt.Sprintf("pkg%02d/file%04d.go", i%h.dirs, i)
		for range h.lines {
			content[i] = append(content[i], word())
		}
	}
	var fi strings.Builder
	newLines := make([]map[string][]int, h.commits) // per commit: file → its new line numbers
	for c := range h.commits {
		newLines[c] = map[string][]int{}
		fmt.Fprintf(&fi, "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\ndata <<EOM\ncommit %d\nEOM\n",
			c+1, 1700000000+c*60, c)
		touched := rng.Perm(h.files)[:h.filesPerCommit]
		if c == 0 {
			touched = rng.Perm(h.files) // the first commit adds every file
		}
		for _, f := range touched {
			lines := content[f]
			var fresh []int
			if c > 0 {
				for range h.insert {
					at := rng.IntN(len(lines) + 1)
					lines = slices.Insert(lines, at, word())
					for k, n := range fresh {
						if n > at {
							fresh[k]++
						}
					}
					fresh = append(fresh, at+1)
				}
				for range h.replace {
					at := rng.IntN(len(lines))
					lines[at] = word()
					fresh = append(fresh, at+1)
				}
			} else {
				for n := range lines {
					fresh = append(fresh, n+1)
				}
			}
			content[f] = lines
			newLines[c][paths[f]] = fresh
			text := strings.Join(lines, "\n") + "\n"
			fmt.Fprintf(&fi, "M 100644 inline %s\ndata %d\n%s\n", paths[f], len(text), text)
		}
		fi.WriteString("\n")
	}
	run(fi.String(), "fast-import", "--quiet")
	run("", "reset", "-q", "--hard")
	repo, err := gitlog.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	var shas []gitlog.Hash
	for _, s := range strings.Fields(run("", "rev-list", "--reverse", "HEAD")) {
		sha, _ := gitlog.ParseHash(s)
		shas = append(shas, sha)
	}
	notes := map[gitlog.Hash]string{}
	sk := sessionKey("codex", "bench-session")
	for c, sha := range shas {
		if c%h.noteEvery != 0 {
			continue
		}
		a := &Attribution{
			Commit:   &gitlog.Commit{Hash: sha, Committer: gitlog.Signature{When: time.Unix(1700000000+int64(c)*60, 0)}},
			Sessions: []Session{{Agent: "codex", ID: "bench-session", Models: []string{"gpt-5.1-codex"}}},
			Prompts: []Prompt{{PromptRef: store.PromptRef{Agent: "codex", SessionID: "bench-session", Key: fmt.Sprint(c), Seq: c + 1,
				Text: fmt.Sprintf("Prompt %d", c)}}},
		}
		for p, nos := range newLines[c] {
			f := FileAttr{Path: p, Lines: map[int]string{}}
			for _, n := range nos {
				f.Lines[n] = sk
			}
			f.Added, f.AI = len(nos), len(nos)
			a.Files = append(a.Files, f)
			a.Prompts[0].Files = append(a.Prompts[0].Files, p)
			a.Added += f.Added
			a.AI += f.AI
		}
		slices.SortFunc(a.Files, func(x, y FileAttr) int { return strings.Compare(x.Path, y.Path) })
		slices.Sort(a.Prompts[0].Files)
		notes[sha], _ = Render(a, NoteOptions{Prompts: PromptsFirstLine})
	}
	if err := repo.WriteNotes("refs/notes/aitrail", notes, "bench notes"); err != nil {
		b.Fatal(err)
	}
	run("", "gc", "-q")
	return repo, shas[len(shas)-1]
}

// BenchmarkBlameFile blames one 2,000-line file with 300 commits of
// history, half of them with notes, as 'aitrail blame FILE' does after
// opening the repository: list the notes, run git blame, read the notes of
// the commits its lines come from.
//
//	go test ./report -run '^$' -bench BlameFile -benchtime 20x
func BenchmarkBlameFile(b *testing.B) {
	h := benchHistory{files: 1, lines: 1402, commits: 300, filesPerCommit: 1, replace: 5, insert: 2, noteEvery: 2, dirs: 1,
		seed1: 1, seed2: 2, keepEnv: "AITRAIL_BENCH_BLAME_REPO"}
	repo, head := h.build(b)
	ctx := context.Background()
	var ai int
	b.ResetTimer()
	for range b.N {
		ix, err := LoadNotes(repo, "refs/notes/aitrail", nil)
		if err != nil {
			b.Fatal(err)
		}
		lines, err := Blame(ctx, repo, ix, head, "pkg00/file0000.go", BlameOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(lines) != 2000 {
			b.Fatalf("%d lines, want 2000", len(lines))
		}
		ai = 0
		for _, l := range lines {
			if l.AI != nil && *l.AI {
				ai++
			}
		}
	}
	b.ReportMetric(float64(ai), "ai-lines")
}

// BenchmarkSummary counts the lines of 2,000 files of 100 lines in 40
// directories, with 200 commits of history touching 20 files each, half of
// them with notes: one git blame per file, as many at a time as there are
// CPUs, the notes read once.
//
//	go test ./report -run '^$' -bench Summary -benchtime 1x
func BenchmarkSummary(b *testing.B) {
	h := benchHistory{files: 2000, lines: 100, commits: 200, filesPerCommit: 20, replace: 3, insert: 1, noteEvery: 2, dirs: 40,
		seed1: 3, seed2: 4, keepEnv: "AITRAIL_BENCH_SUMMARY_REPO"}
	repo, head := h.build(b)
	ctx := context.Background()
	files, _, err := repo.TextFiles(head, nil)
	if err != nil {
		b.Fatal(err)
	}
	var s *Summary
	b.ResetTimer()
	for range b.N {
		ix, err := LoadNotes(repo, "refs/notes/aitrail", nil)
		if err != nil {
			b.Fatal(err)
		}
		if s, err = Summarize(ctx, repo, ix, head, files, BlameOptions{}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if s.Total.Lines == 0 || s.Total.AI == 0 || len(s.Files) != 2000 {
		b.Fatalf("summary = %+v over %d files", s.Total, len(s.Files))
	}
	b.ReportMetric(float64(s.Total.Lines), "lines")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/2000, "ms/file")
}
