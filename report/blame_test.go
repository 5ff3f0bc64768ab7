package report

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

// blameRepo is a repository made with the git CLI for blame tests.
type blameRepo struct {
	t   *testing.T
	dir string
}

func newBlameRepo(t *testing.T) *blameRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	r := &blameRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *blameRepo) git(args ...string) string {
	r.t.Helper()
	return r.gitEnv(nil, args...)
}

func (r *blameRepo) gitEnv(env []string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(append(os.Environ(), env...), "GIT_CONFIG_NOSYSTEM=1", "HOME="+r.dir,
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files and commits them at when.
func (r *blameRepo) commit(when time.Time, msg string, files map[string]string) gitlog.Hash {
	r.t.Helper()
	for name, text := range files {
		p := filepath.Join(r.dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.git("add", "-A")
	date := when.Format(time.RFC3339)
	r.gitEnv([]string{"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date}, "commit", "-q", "-m", msg)
	h, _ := gitlog.ParseHash(r.git("rev-parse", "HEAD"))
	return h
}

func (r *blameRepo) open() *gitlog.Repo {
	r.t.Helper()
	repo, err := gitlog.Open(r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	return repo
}

// TestTraceRangesAreTheCommitsLines checks what blame relies on: a note's
// Agent Trace ranges number the lines of the commit's own version of the
// file (where git blame's origin line numbers point), not the parent's, and
// Blame maps each line through them.
func TestTraceRangesAreTheCommitsLines(t *testing.T) {
	ctx := context.Background()
	r := newBlameRepo(t)
	t0 := time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)
	base := r.commit(t0, "base", map[string]string{"x.go": "one\ntwo\nsix\nseven\n"})
	ai := r.commit(t0.Add(2*time.Hour), "agent", map[string]string{"x.go": "one\ntwo\nthree\nfour\n\nfive\nsix\nseven\n"})
	repo := r.open()

	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "trail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, err := db.PathKeys(ctx) // the keys the ingest pipeline gives paths
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := b.Source("codex", "log", "log")
	edit := t0.Add(time.Hour)
	file := filepath.Join(repo.Root(), "x.go")
	for _, rec := range []store.Record{
		store.Session{ID: "s1", Cwd: repo.Root(), CwdKey: keys.Key(repo.Root()), Model: "gpt-5.1-codex", Started: edit},
		store.Prompt{Session: "s1", Key: "p1", Time: edit, Text: "Count from three to five.\nIn x.go.", Cwd: repo.Root(), CwdKey: keys.Key(repo.Root())},
		store.FileEdit{Session: "s1", Prompt: "p1", CallID: "c1", Time: edit, Path: file, PathKey: keys.Key(file), Op: "update",
			Added: 3, Diff: "--- a/x.go\n+++ b/x.go\n@@ -2,0 +3,4 @@\n+three\n+four\n+\n+five\n", Status: "applied"},
	} {
		if _, err := b.Add(src, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}

	a, err := Correlate(ctx, db, repo, ai, Options{})
	if err != nil {
		t.Fatal(err)
	}
	note, _ := Render(a, NoteOptions{})
	traces := ParseNotes(note)
	if len(traces) != 1 || len(traces[0].Files) != 1 {
		t.Fatalf("records = %+v", traces)
	}
	// three, four and five are lines 3, 4 and 6 of the commit's x.go (the
	// parent's has 4 lines).
	if got := traces[0].Files[0].Conversations[0].Ranges; !reflect.DeepEqual(got, []TraceRange{{3, 4}, {6, 6}}) {
		t.Fatalf("ranges = %v, want lines 3-4 and 6 of the commit's version", got)
	}
	if err := repo.WriteNote("refs/notes/aitrail", ai, note); err != nil {
		t.Fatal(err)
	}
	// A person's line on top moves the agent's down in today's file.
	top := r.commit(t0.Add(3*time.Hour), "top", map[string]string{"x.go": "zero\none\ntwo\nthree\nfour\n\nfive\nsix\nseven\n"})

	// Without a record of the person's commits their lines are unknown;
	// with the database's (weighed, no AI) they are a person's.
	for _, tt := range []struct {
		name     string
		statuses map[string]string
		base     *bool
	}{
		{"notes only", nil, nil},
		{"database", map[string]string{base.String(): store.CommitNoAI, top.String(): store.CommitNoAI}, new(bool)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := LoadNotes(repo, "refs/notes/aitrail", statusOf(tt.statuses))
			if err != nil {
				t.Fatal(err)
			}
			lines, err := Blame(ctx, repo, ix, top, "x.go", BlameOptions{DB: db})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range lines {
				got = append(got, describe(l))
			}
			baseLine := describe(BlamedLine{AI: tt.base, Unknown: map[bool]string{true: UnknownNoNote}[tt.base == nil]})
			yes := describe(BlamedLine{AI: ptr(true), Agent: "codex", Model: "openai/gpt-5.1-codex", Session: "s1", PromptKey: "p1", PromptSeq: 1, Prompt: "Count from three to five."})
			blank := describe(BlamedLine{Unknown: UnknownBlank})
			want := []string{baseLine, baseLine, baseLine, yes, yes, blank, yes, baseLine, baseLine}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// describe writes what blame says of a line's origin.
func describe(l BlamedLine) string {
	ai := "nil"
	if l.AI != nil {
		ai = map[bool]string{true: "ai", false: "human"}[*l.AI]
	}
	return strings.Join([]string{ai, l.Agent, l.Model, l.Session, l.PromptKey, l.Prompt, l.Unknown}, "|") +
		map[bool]string{true: "|seq", false: ""}[l.PromptSeq > 0]
}

// TestParseCommitNote checks which notes count for a commit: its own
// record, the configured note of a commit without AI (no lines), not a
// record copied from another commit, not a foreign note.
func TestParseCommitNote(t *testing.T) {
	own, _ := Render(sample(), NoteOptions{})
	h := sample().Commit.Hash
	other := strings.ReplaceAll(own, h.String(), strings.Repeat("ab", 20))
	noAI, _ := Render(&Attribution{Commit: sample().Commit}, NoteOptions{NoAI: "No AI here."})
	tests := []struct {
		name, text, unknown string
		aiLines             int // lines of health.go marked
	}{
		{"own", own, "", 3},
		{"own and a copied one", other + "\n" + own, "", 3},
		{"copied from a rewritten commit", other, UnknownStale, 0},
		{"no AI", noAI, "", 0},
		{"foreign", "hand-written\n", UnknownNoNote, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := parseCommitNote(h, tt.text)
			if n.unknown != tt.unknown {
				t.Errorf("unknown = %q, want %q", n.unknown, tt.unknown)
			}
			got := 0
			for _, c := range n.files["health.go"] {
				for _, r := range c.ranges {
					got += r.End - r.Start + 1
				}
			}
			if got != tt.aiLines {
				t.Errorf("AI lines = %d, want %d", got, tt.aiLines)
			}
		})
	}
	n := parseCommitNote(h, own)
	c := n.files["health.go"][0]
	if c.agent != "codex" || c.session != "0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f" || c.model != "openai/gpt-5.1-codex" {
		t.Errorf("conversation = %+v", c)
	}
	if len(n.prompts) != 1 || n.prompts[0].text != "Add a /health endpoint." || n.prompts[0].Key != "t1" {
		t.Errorf("prompts = %+v", n.prompts)
	}
}

// TestNotePromptTexts checks that the prompts read back from a note are
// those Render wrote, in the record's order, whatever the policy.
func TestNotePromptTexts(t *testing.T) {
	a := sample()
	second := a.Prompts[0]
	second.PromptRef.Key, second.Seq, second.Text = "t3", 3, "Then a test.\n\n10. not an item"
	a.Prompts = append(a.Prompts, second)
	for _, tt := range []struct {
		policy string
		want   []string
	}{
		{PromptsFull, []string{"t1 1 Add a /health endpoint.", "t3 3 Then a test."}},
		{PromptsFirstLine, []string{"t1 1 Add a /health endpoint. …", "t3 3 Then a test. …"}},
		{PromptsNone, []string{"t1 0 ", "t3 0 "}},
	} {
		note, _ := Render(a, NoteOptions{Prompts: tt.policy})
		var got []string
		for _, p := range parseCommitNote(a.Commit.Hash, note).prompts {
			got = append(got, fmt.Sprintf("%s %d %s", p.Key, p.seq, p.text))
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: prompts = %q, want %q", tt.policy, got, tt.want)
		}
	}
}

// statusOf answers for the database from a map.
func statusOf(m map[string]string) StatusFunc {
	if m == nil {
		return nil
	}
	return func(shas []string) (map[string]string, error) {
		out := map[string]string{}
		for _, s := range shas {
			if st, ok := m[s]; ok {
				out[s] = st
			}
		}
		return out, nil
	}
}

// TestSummarize counts lines by agent, person and unknown over a small
// tree, per file and directory, and names the commits without a note.
func TestSummarize(t *testing.T) {
	ctx := context.Background()
	r := newBlameRepo(t)
	t0 := time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)
	human := r.commit(t0, "human", map[string]string{"a/x.go": "h1\n\nh2\n", "b.txt": "b1\n", "bin.dat": "a\x00b\n"})
	ai := r.commit(t0.Add(time.Hour), "agent", map[string]string{"a/x.go": "h1\n\nh2\nai1\nai2\n", "a/y.go": "ai3\n"})
	unknown := r.commit(t0.Add(2*time.Hour), "unannotated", map[string]string{"b.txt": "b1\nu1\n"})
	repo := r.open()
	note := "<!-- aitrail:note v1 -->\n```json\n" + `{"vcs":{"type":"git","revision":"` + ai.String() + `"},"files":[` +
		`{"path":"a/x.go","conversations":[{"url":"aitrail:codex/s1","contributor":{"type":"ai","model_id":"openai/gpt-5"},"ranges":[{"start_line":4,"end_line":5}]}]},` +
		`{"path":"a/y.go","conversations":[{"url":"aitrail:claude/s2","contributor":{"type":"ai","model_id":"anthropic/claude-x"},"ranges":[{"start_line":1,"end_line":1}]}]}]}` +
		"\n```\n<!-- aitrail:end -->\n"
	if err := repo.WriteNote("refs/notes/aitrail", ai, note); err != nil {
		t.Fatal(err)
	}
	ix, err := LoadNotes(repo, "aitrail", statusOf(map[string]string{human.String(): store.CommitNoAI}))
	if err != nil {
		t.Fatal(err)
	}
	files, skipped, err := repo.TextFiles(ai, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(skipped, []string{"bin.dat"}) {
		t.Errorf("skipped = %v", skipped)
	}
	head, _ := gitlog.ParseHash(r.git("rev-parse", "HEAD"))
	calls := 0
	s, err := Summarize(ctx, repo, ix, head, files, BlameOptions{}, func(done, total int) {
		calls++
		if done != calls || total != 3 {
			t.Errorf("progress(%d, %d) after %d calls", done, total, calls-1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Share{Lines: 7, AI: 3, Human: 3, Unknown: 1}); s.Total != want {
		t.Errorf("total = %+v, want %+v", s.Total, want)
	}
	wantFiles := []Share{{"a/x.go", 4, 2, 2, 0}, {"a/y.go", 1, 1, 0, 0}, {"b.txt", 2, 0, 1, 1}}
	if !reflect.DeepEqual(s.Files, wantFiles) {
		t.Errorf("files = %+v, want %+v", s.Files, wantFiles)
	}
	if want := []Share{{"a/", 5, 3, 2, 0}}; !reflect.DeepEqual(s.Dirs, want) {
		t.Errorf("directories = %+v, want %+v", s.Dirs, want)
	}
	wantAgents := []AgentShare{{"codex", "openai/gpt-5", 2}, {"claude", "anthropic/claude-x", 1}}
	if !reflect.DeepEqual(s.Agents, wantAgents) {
		t.Errorf("agents = %+v, want %+v", s.Agents, wantAgents)
	}
	if len(s.Unknown) != 1 || s.Unknown[0].Commit != unknown.String() || s.Unknown[0].Lines != 1 ||
		s.Unknown[0].Why != UnknownNoNote || s.Unknown[0].Summary != "unannotated" {
		t.Errorf("unknown commits = %+v", s.Unknown)
	}
}
