package report

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

func TestCombineNotes(t *testing.T) {
	a, _ := Render(sample(), NoteOptions{Version: "1"})
	other := sample()
	other.Prompts[0].Text = "Another clone's view of this commit."
	b, _ := Render(other, NoteOptions{Version: "1"})
	hand := "Reviewed by hand: fine.\n"

	ab, ba := CombineNotes(a, b+hand), CombineNotes(b+hand, a)
	if ab != ba {
		t.Errorf("CombineNotes depends on the side:\n%s\n---\n%s", ab, ba)
	}
	for _, want := range []string{"Add a /health endpoint.", "Another clone's view", "Reviewed by hand: fine."} {
		if !strings.Contains(ab, want) {
			t.Errorf("combined note lost %q:\n%s", want, ab)
		}
	}
	if got := len(ParseNotes(ab)); got != 2 {
		t.Errorf("combined note has %d Agent Trace records, want 2", got)
	}
	if again := CombineNotes(ab, b); again != ab {
		t.Errorf("combining again with a part already there changed the note:\n%s", again)
	}
	if same := CombineNotes(a, a); same != strings.TrimRight(a, "\n")+"\n" {
		t.Errorf("combining a note with itself gave:\n%s", same)
	}
}

// gitRepo makes a repository with a hermetic git configuration and returns
// a function that runs git in it.
func gitRepo(t *testing.T) (string, func(args ...string) string) {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", dir)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("GIT_AUTHOR_NAME", "Ada")
	t.Setenv("GIT_AUTHOR_EMAIL", "ada@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "Ada")
	t.Setenv("GIT_COMMITTER_EMAIL", "ada@example.com")
	t.Setenv("GIT_COMMITTER_DATE", "2026-01-02T12:00:00Z")
	t.Setenv("GIT_AUTHOR_DATE", "2026-01-02T12:00:00Z")
	repo := filepath.Join(dir, "repo")
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	git("init", "-q", "-b", "main")
	return repo, git
}

func TestCarrySquash(t *testing.T) {
	dir, git := gitRepo(t)
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	commit := func(msg string) gitlog.Hash {
		t.Helper()
		git("add", "-A")
		git("commit", "-q", "-m", msg)
		h, _ := gitlog.ParseHash(git("rev-parse", "HEAD"))
		return h
	}
	write("README.md", "demo\n")
	commit("base")
	git("checkout", "-q", "-b", "feature")
	write("a.go", "package a\n\nfunc A() {}\n")
	c1 := commit("a")
	write("b.go", "package a\n\nfunc B() {}\n")
	c2 := commit("b")
	write("a.go", "package a\n\nfunc A() {}\n\n// A is tested by hand.\n")
	c3 := commit("human comment")
	git("checkout", "-q", "main")
	git("merge", "-q", "--squash", "feature")
	squash := commit("Squashed feature (#1)")

	repo, err := gitlog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	noteFor := func(h gitlog.Hash, agent, session, version, model, text, file string, lines map[int]string, tok int64, cost float64) string {
		t.Helper()
		c, err := repo.Commit(h)
		if err != nil {
			t.Fatal(err)
		}
		a := &Attribution{Commit: c,
			Files:    []FileAttr{{Path: file, Op: "add", Added: len(lines), AI: len(lines), Lines: lines}},
			Prompts:  []Prompt{{PromptRef: store.PromptRef{Agent: agent, SessionID: session, Key: "k-" + file, Seq: 1, Time: when, Text: text}, Files: []string{file}}},
			Sessions: []Session{{Agent: agent, ID: session, Version: version, Models: []string{model}}},
			Tokens:   []store.ModelTokens{{Model: model, Tokens: store.Tokens{Input: tok, Total: tok}, Cost: cost, Priced: true}},
			Added:    len(lines), AI: len(lines)}
		note, ok := Render(a, NoteOptions{Version: "1"})
		if !ok {
			t.Fatal("no note rendered")
		}
		return note
	}
	codex, claude := sessionKey("codex", "0199-aaaa"), sessionKey("claude", "5b7c-bbbb")
	replaced := []Replaced{
		{c1, noteFor(c1, "codex", "0199-aaaa", "0.77.0", "gpt-5.1-codex", "Write A.", "a.go", map[int]string{1: codex, 3: codex}, 1000, 0.01)},
		{c2, noteFor(c2, "claude", "5b7c-bbbb", "2.0.1", "claude-sonnet-4-5", "Write B.\nWith a doc comment? No.", "b.go", map[int]string{1: claude, 3: claude}, 500, 0.02)},
		{c3, ""}, // a human's commit: no note
	}
	a, err := Carry(repo, squash, replaced)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Carried) != 2 || a.Carried[0] != c1 || a.Carried[1] != c2 {
		t.Errorf("Carried = %v, want the two commits with notes", a.Carried)
	}
	if a.AI != 4 || a.Added != 5 {
		t.Errorf("AI lines %d of %d, want 4 of 5 (the human's comment is not the agents')", a.AI, a.Added)
	}
	note, ok := Render(a, NoteOptions{Version: "1"})
	if !ok {
		t.Fatal("the carried note was not rendered")
	}
	for _, want := range []string{
		"- **Agents:** Claude Code 2.0.1 (claude-sonnet-4-5); Codex CLI 0.77.0 (gpt-5.1-codex)\n",
		"- **Prompts:** 2 linked to this commit's files\n",
		"- **Tokens:** 1,500 (input 1,500,",
		"estimated cost $0.03",
		"- **AI-authored lines:** 4 of 5 added lines (80%)\n",
		"- **Carried from:** the notes of 2 replaced commits (`" + c1.String()[:10] + "`, `" + c2.String()[:10] + "`)\n",
		"Codex CLI session `0199-aaaa`, prompt 1, 2026-01-02 09:00 UTC\n   > Write A.\n",
		"   > Write B.\n   > With a doc comment? No.\n",
		"| `a.go` | 3 | 2 | 67% |",
		"| `b.go` | 2 | 2 | 100% |",
	} {
		if !strings.Contains(note, want) {
			t.Errorf("carried note lacks %q:\n%s", want, note)
		}
	}
	traces := ParseNotes(note)
	if len(traces) != 1 {
		t.Fatalf("carried note has %d records", len(traces))
	}
	tr := traces[0]
	if tr.VCS.Revision != squash.String() || len(tr.Metadata["dev.aitrail"].CarriedFrom) != 2 {
		t.Errorf("record: revision %s, carried from %v", tr.VCS.Revision, tr.Metadata["dev.aitrail"].CarriedFrom)
	}
	if len(tr.Files) != 2 || tr.Files[0].Conversations[0].Contributor.ModelID != "openai/gpt-5.1-codex" ||
		tr.Files[0].Conversations[0].Ranges[0] != (TraceRange{1, 1}) || tr.Files[0].Conversations[0].Ranges[1] != (TraceRange{3, 3}) {
		t.Errorf("record files: %+v", tr.Files)
	}
	// The same notes give the same bytes, and the carried note carries on.
	b, _ := Carry(repo, squash, replaced)
	if again, _ := Render(b, NoteOptions{Version: "1"}); again != note {
		t.Error("Carry is not deterministic")
	}
}

// FuzzCombineNotes checks what sync-notes relies on for clones to converge:
// combining is symmetric, keeps every part, and combining again with a part
// already there changes nothing; reading a carried note's prompts never
// panics.
func FuzzCombineNotes(f *testing.F) {
	a, _ := Render(sample(), NoteOptions{})
	f.Add(a, "Reviewed.\n")
	f.Add(a+"\n"+a, noteBegin+"\nunterminated")
	f.Add("", noteEnd+noteBegin)
	f.Fuzz(func(t *testing.T, x, y string) {
		ReadNotes(x)
		ReadNotes(y)
		if !pairedMarkers(x) || !pairedMarkers(y) {
			t.Skip("markers out of pairs: aitrail writes none, and text between stray markers regroups")
		}
		xy := CombineNotes(x, y)
		if yx := CombineNotes(y, x); xy != yx {
			t.Fatalf("not symmetric:\n%q\n%q", xy, yx)
		}
		if again := CombineNotes(xy, y); again != xy {
			t.Fatalf("not idempotent:\n%q\n%q", xy, again)
		}
		for _, p := range append(splitNote(x), splitNote(y)...) {
			if !strings.Contains(xy, p) {
				t.Fatalf("lost %q", p)
			}
		}
	})
}

// pairedMarkers reports whether a note's markers come in begin-end pairs.
func pairedMarkers(s string) bool {
	open := false
	for {
		b, e := strings.Index(s, noteBegin), strings.Index(s, noteEnd)
		switch {
		case b < 0 && e < 0:
			return !open
		case e < 0 || b >= 0 && b < e:
			if open {
				return false
			}
			open, s = true, s[b+len(noteBegin):]
		default:
			if !open {
				return false
			}
			open, s = false, s[e+len(noteEnd):]
		}
	}
}
