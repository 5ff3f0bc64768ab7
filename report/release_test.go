package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./report -update rewrites it):\n%s", path, got)
	}
}

// releaseNotes renders the notes of a small history: an AI commit with two
// prompts, one written under the "none" prompt policy, a commit without AI
// (the configured text), one without a note, and a squash whose note git
// concatenated from two.
func releaseNotes(t testing.TB) []CommitNote {
	t.Helper()
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	commit := func(sha string, at time.Time) *gitlog.Commit {
		h, err := gitlog.ParseHash(sha)
		if err != nil {
			t.Fatal(err)
		}
		return &gitlog.Commit{Hash: h, Committer: gitlog.Signature{When: at}}
	}
	codex := Session{Agent: "codex", ID: "0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f", Version: "0.77.0", Models: []string{"gpt-5.1-codex"}}
	claude := Session{Agent: "claude", ID: "5b7c9d2e-3f41-4a6b-8c9d-0e1f2a3b4c5d", Version: "2.0.14", Models: []string{"claude-sonnet-4-5"}}
	ck, lk := sessionKey(codex.Agent, codex.ID), sessionKey(claude.Agent, claude.ID)
	a1 := &Attribution{Commit: commit("1111111111111111111111111111111111111111", base),
		Files: []FileAttr{{Path: "health.go", Added: 4, AI: 4, Lines: map[int]string{1: ck, 2: ck, 3: ck, 4: ck}}, {Path: "README.md", Added: 2}},
		Prompts: []Prompt{
			{PromptRef: store.PromptRef{Agent: "codex", SessionID: codex.ID, Key: "t1", Seq: 1, Time: base.Add(-time.Hour), Text: "Add a /health endpoint.\nKeep it <small>."}, Files: []string{"health.go"}},
			{PromptRef: store.PromptRef{Agent: "codex", SessionID: codex.ID, Key: "t2", Seq: 2, Time: base.Add(-30 * time.Minute), Text: "Use [REDACTED:url-password] for the database."}, Files: []string{"health.go"}},
		},
		Sessions: []Session{codex},
		Tokens:   []store.ModelTokens{{Model: "gpt-5.1-codex", Tokens: store.Tokens{Input: 4000, Output: 300, CacheRead: 1000, Total: 5300}, Cost: 0.008125, Priced: true}},
		Added:    6, AI: 4}
	n1, _ := Render(a1, NoteOptions{Version: "1.0.0"})
	a2 := &Attribution{Commit: commit("2222222222222222222222222222222222222222", base.Add(time.Hour)),
		Files:    []FileAttr{{Path: "sort.go", Added: 3, AI: 2, Lines: map[int]string{1: lk, 3: lk}}},
		Prompts:  []Prompt{{PromptRef: store.PromptRef{Agent: "claude", SessionID: claude.ID, Key: "u1", Seq: 1, Time: base.Add(50 * time.Minute), Text: "secret plans"}, Files: []string{"sort.go"}}},
		Sessions: []Session{claude},
		Tokens:   []store.ModelTokens{{Model: "claude-sonnet-4-5", Tokens: store.Tokens{Input: 18, Output: 340, CacheWrite: 3790, CacheRead: 51290, Total: 55438}, Cost: 0.04, Priced: true}},
		Added:    3, AI: 2}
	n2, _ := Render(a2, NoteOptions{Version: "1.0.0", Prompts: PromptsNone})
	noAI, _ := Render(&Attribution{Commit: commit("3333333333333333333333333333333333333333", base.Add(2*time.Hour))}, NoteOptions{NoAI: "No AI assistance."})
	a4 := &Attribution{Commit: commit("5555555555555555555555555555555555555555", base.Add(4*time.Hour)),
		Files:    []FileAttr{{Path: "x.go", Added: 1, AI: 1, Lines: map[int]string{1: ck}}},
		Prompts:  []Prompt{{PromptRef: store.PromptRef{Agent: "codex", SessionID: codex.ID, Key: "t3", Seq: 3, Time: base.Add(3 * time.Hour), Text: "Rename x."}, Files: []string{"x.go"}}},
		Sessions: []Session{codex},
		Tokens:   []store.ModelTokens{{Model: "gpt-5.1-codex", Tokens: store.Tokens{Input: 100, Output: 10, Total: 110}, Cost: 0.000225, Priced: true}},
		Added:    1, AI: 1}
	n4, _ := Render(a4, NoteOptions{Version: "1.0.0"})
	a5 := *a4
	a5.Prompts = []Prompt{{PromptRef: store.PromptRef{Agent: "codex", SessionID: codex.ID, Key: "t4", Seq: 4, Time: base.Add(3*time.Hour + time.Minute), Text: "And y."}, Files: []string{"x.go"}}}
	n5, _ := Render(&a5, NoteOptions{Version: "1.0.0"})
	return []CommitNote{
		{SHA: a1.Commit.Hash.String(), Subject: "Add a health endpoint", Time: base, Note: n1},
		{SHA: a2.Commit.Hash.String(), Subject: "Sort todos <by time>", Time: base.Add(time.Hour), Note: n2},
		{SHA: "3333333333333333333333333333333333333333", Subject: "Docs", Time: base.Add(2 * time.Hour), Note: noAI},
		{SHA: "4444444444444444444444444444444444444444", Subject: "Bump version", Time: base.Add(3 * time.Hour)},
		{SHA: a4.Commit.Hash.String(), Subject: "Squashed rename", Time: base.Add(4 * time.Hour), Note: n4 + "\n" + n5},
	}
}

func TestReleaseGolden(t *testing.T) {
	r := BuildRelease(ReleaseInput{Range: "v1.0.0..HEAD", Commits: releaseNotes(t)})
	golden(t, "release.golden.md", RenderRelease(r))
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "release.golden.json", string(b)+"\n")
}

func TestReleaseFigures(t *testing.T) {
	r := BuildRelease(ReleaseInput{Range: "v1.0.0..HEAD", Commits: releaseNotes(t)})
	if r.Commits != 5 || r.AICommits != 3 || r.NoAI != 1 || r.Unknown != 1 {
		t.Errorf("commits %d, AI %d, no AI %d, unknown %d; want 5, 3, 1, 1", r.Commits, r.AICommits, r.NoAI, r.Unknown)
	}
	// The notes' charged figures add up; the squash's two notes both count.
	// The squash's lines are its own record's, not the sum of both.
	if r.Tokens.Total != 5300+55438+110+110 || r.Added != 6+3+1 || r.AI != 4+2+1 || r.Prompts != 2+1+2 {
		t.Errorf("tokens %d, added %d, AI %d, prompts %d", r.Tokens.Total, r.Added, r.AI, r.Prompts)
	}
	// Notes round costs to 4 decimals: 0.0081 + 0.04 + 2 × 0.0002.
	if want := 0.0081 + 0.04 + 0.0002 + 0.0002; r.CostUSD < want-1e-9 || r.CostUSD > want+1e-9 {
		t.Errorf("cost %v, want %v", r.CostUSD, want)
	}
	var agents []string
	for _, a := range r.Agents {
		agents = append(agents, a.Label())
	}
	if got := strings.Join(agents, "; "); got != "Claude Code 2.0.14; Codex CLI 0.77.0" {
		t.Errorf("agents %q", got)
	}
	// The "none" policy shows no prompt text; the prompt is still counted.
	if p := r.Entries[1].Prompts; len(p) != 1 || p[0].Text != "" || p[0].Key != "u1" {
		t.Errorf("prompts of the 'none' note: %+v", p)
	}
	md := RenderRelease(r)
	if strings.Contains(md, "secret plans") {
		t.Error("release notes show a prompt its note did not")
	}
	if regexp.MustCompile(`(^|[^\\])<`).MatchString(md) {
		t.Error("release notes let text open HTML")
	}
	// With the database, a commit it annotated without AI is not unknown.
	in := ReleaseInput{Range: "x", Commits: releaseNotes(t), Database: true,
		Recorded: map[string]string{"4444444444444444444444444444444444444444": store.CommitNoAI}}
	codex := store.SessionRef{Agent: "codex", ID: "0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f"}
	in.Sessions = map[string]store.SessionInfo{codex.Key(): {Agent: "codex", SessionID: codex.ID, Title: "Health check", AgentVersion: "0.78.0"}}
	in.Links = map[string][]store.LinkInfo{codex.Key(): {{Kind: "pr", URL: "https://example.com/pr/7"}}}
	r = BuildRelease(in)
	if r.Unknown != 0 || r.NoAI != 2 {
		t.Errorf("with the database: unknown %d, no AI %d", r.Unknown, r.NoAI)
	}
	md = RenderRelease(r)
	if !strings.Contains(md, "  - Session: Health check\n  - Pull request: https://example.com/pr/7\n") ||
		r.Agents[1].Label() != "Codex CLI 0.77.0, 0.78.0" {
		t.Errorf("the database's sessions do not show:\n%s", md)
	}
}

func TestReadNotesPromptPolicies(t *testing.T) {
	notes := releaseNotes(t)
	recs := ReadNotes(notes[0].Note)
	if len(recs) != 1 || len(recs[0].Prompts) != 2 {
		t.Fatalf("records %+v", recs)
	}
	p := recs[0].Prompts[0]
	if p.Seq != 1 || p.Text != "Add a /health endpoint.\nKeep it <small>." || p.Time.Format("15:04") != "09:00" {
		t.Errorf("first prompt %+v", p)
	}
	if got := recs[0].Agents; len(got) != 1 || got[0] != "Codex CLI 0.77.0 (gpt-5.1-codex)" {
		t.Errorf("agents %q", got)
	}
	if len(ReadNotes(notes[2].Note)) != 0 {
		t.Error("the no-AI note read as a record")
	}
	if got := len(ReadNotes(notes[4].Note)); got != 2 {
		t.Errorf("concatenated note: %d records, want 2", got)
	}
}

// FuzzReadNotes feeds ReadNotes any text, starting from real notes: it
// never panics, and what it reads of a record always matches the record's
// own list of prompts.
func FuzzReadNotes(f *testing.F) {
	for _, c := range releaseNotes(f) {
		f.Add(c.Note)
	}
	f.Add(noteBegin + "\n### Prompts\n\n1. x session `y`, prompt 9\n   > z\n```json\n{}\n```\n" + noteEnd)
	f.Fuzz(func(t *testing.T, text string) {
		for _, r := range ReadNotes(text) {
			if len(r.Prompts) != len(r.Meta().Prompts) {
				t.Fatalf("%d prompts read for %d in the record", len(r.Prompts), len(r.Meta().Prompts))
			}
		}
		_ = BuildRelease(ReleaseInput{Range: "a..b", Commits: []CommitNote{{SHA: "x", Note: text}}})
	})
}
