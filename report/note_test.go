package report

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sample() *Attribution {
	when := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	h, _ := gitlog.ParseHash("c2e3dfc94e35b1c9e76d07d8064f7a06de066bfb")
	sk := sessionKey("codex", "0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f")
	return &Attribution{
		Commit: &gitlog.Commit{Hash: h, Committer: gitlog.Signature{When: when}},
		Files: []FileAttr{
			{Path: "health.go", Op: "add", Added: 3, AI: 3, Lines: map[int]string{1: sk, 3: sk, 5: sk}},
			{Path: "README.md", Op: "update", Added: 2},
		},
		Prompts: []Prompt{{PromptRef: store.PromptRef{Agent: "codex", SessionID: "0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f", Key: "t1", Seq: 1,
			Time: when.Add(-time.Hour), Text: "Add a /health endpoint.\nKeep it small. <!-- not a comment -->"}, Files: []string{"health.go"}}},
		Context:  []store.PromptRef{{Agent: "codex", SessionID: "0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f", Key: "t2"}},
		Sessions: []Session{{Agent: "codex", ID: "0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f", Version: "0.77.0", Models: []string{"gpt-5.1-codex"}}},
		Tokens:   []store.ModelTokens{{Model: "gpt-5.1-codex", Tokens: store.Tokens{Input: 4000, Output: 300, CacheRead: 1000, Total: 5300}, Cost: 0.0081, Priced: true}},
		Added:    5,
		AI:       3,
	}
}

func TestRenderGolden(t *testing.T) {
	got, ok := Render(sample(), NoteOptions{Version: "1.2.3"})
	if !ok {
		t.Fatal("Render declined a commit with AI involvement")
	}
	golden := filepath.Join("testdata", "note.golden.md")
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("note differs from %s (go test ./report -update rewrites it):\n%s", golden, got)
	}
	again, _ := Render(sample(), NoteOptions{Version: "1.2.3"})
	if again != got {
		t.Error("Render is not deterministic")
	}
}

func TestRenderPolicies(t *testing.T) {
	first, _ := Render(sample(), NoteOptions{Prompts: PromptsFirstLine})
	if !strings.Contains(first, "> Add a /health endpoint. …\n") || strings.Contains(first, "Keep it small") {
		t.Errorf("first-line policy:\n%s", first)
	}
	none, _ := Render(sample(), NoteOptions{Prompts: PromptsNone})
	if strings.Contains(none, "### Prompts") || strings.Contains(none, "health endpoint") {
		t.Errorf("none policy shows prompts:\n%s", none)
	}
	short, _ := Render(sample(), NoteOptions{MaxPrompt: 10})
	if !strings.Contains(short, "> Add a /hea … (truncated)") {
		t.Errorf("truncation:\n%s", short)
	}
	full, _ := Render(sample(), NoteOptions{})
	if strings.Count(full, "<!--") != 2 {
		t.Errorf("a prompt opened an HTML comment in the note:\n%s", full)
	}
	empty := &Attribution{Commit: sample().Commit}
	if _, ok := Render(empty, NoteOptions{}); ok {
		t.Error("a commit without AI involvement got a note")
	}
	if n, ok := Render(empty, NoteOptions{NoAI: "No AI here."}); !ok || !strings.Contains(n, "No AI here.") {
		t.Errorf("no-AI note = %q, %v", n, ok)
	}
}

func TestParseNotesSurvivesConcatenation(t *testing.T) {
	one, _ := Render(sample(), NoteOptions{})
	two := strings.Replace(one, `"key":"t1"`, `"key":"t9"`, 1)
	// git's notes.rewriteMode=concatenate joins notes with a blank line.
	traces := ParseNotes(one + "\n" + two)
	if len(traces) != 2 {
		t.Fatalf("ParseNotes found %d records, want 2", len(traces))
	}
	keys := []string{traces[0].Metadata["dev.aitrail"].Prompts[0].Key, traces[1].Metadata["dev.aitrail"].Prompts[0].Key}
	if !reflect.DeepEqual(keys, []string{"t1", "t9"}) {
		t.Errorf("prompt keys = %v", keys)
	}
	tr := traces[0]
	if tr.Version != "0.1.0" || tr.VCS.Revision != "c2e3dfc94e35b1c9e76d07d8064f7a06de066bfb" || len(tr.ID) != 36 || tr.ID[14] != '5' {
		t.Errorf("record header = %+v", tr)
	}
	if got := tr.Files[0].Conversations[0].Ranges; !reflect.DeepEqual(got, []TraceRange{{1, 1}, {3, 3}, {5, 5}}) {
		t.Errorf("ranges = %v", got)
	}
	if n := ParseNotes("a hand-written note\n"); len(n) != 0 {
		t.Errorf("foreign note parsed as %v", n)
	}
}

func TestLineHelpers(t *testing.T) {
	if got := ranges([]int{7, 1, 2, 3, 5}); !reflect.DeepEqual(got, []TraceRange{{1, 3}, {5, 5}, {7, 7}}) {
		t.Errorf("ranges = %v", got)
	}
	diff := "--- a/x.go\n+++ b/x.go\n@@ -1 +1,3 @@\n-old\n+  func  a()  {\n+\n+}\n+}\n"
	if got := addedLines(diff); !reflect.DeepEqual(got, map[string]int{"func a() {": 1, "}": 2}) {
		t.Errorf("addedLines = %v", got)
	}
	a := []gitlog.FileDiff{{Path: "m.go", Added: []gitlog.Line{{No: 1, Text: "a"}, {No: 2, Text: "b"}, {No: 3, Text: "c"}}}}
	b := []gitlog.FileDiff{{Path: "m.go", Added: []gitlog.Line{{No: 2, Text: "b"}}}}
	if got := intersect(a, b); len(got) != 1 || !reflect.DeepEqual(got[0].Added, []gitlog.Line{{No: 2, Text: "b"}}) {
		t.Errorf("intersect = %+v", got)
	}
	if modelID("codex", "gpt-5.1-codex") != "openai/gpt-5.1-codex" || modelID("claude", "claude-opus-4-6") != "anthropic/claude-opus-4-6" {
		t.Error("modelID")
	}
}

// TestRenderUnrecordedTokens: a session whose log holds no token counts
// (VS Code Copilot Chat, a Cursor transcript) gets "not recorded", never a
// zero taken for a measurement; one of the same agent whose log has them
// (Cursor's database) is counted.
func TestRenderUnrecordedTokens(t *testing.T) {
	vs := Session{Agent: "vscode", ID: "331fed7f-cfd6-409c-8502-06a56322b636", Version: "0.31.5", Models: []string{"claude-sonnet-4"}, Untokened: true}
	only := sample()
	only.Sessions, only.Tokens = []Session{vs}, nil
	got, _ := Render(only, NoteOptions{})
	for _, want := range []string{"- **Agents:** VS Code Copilot Chat 0.31.5 (claude-sonnet-4)\n",
		"- **Tokens:** not recorded (VS Code Copilot Chat logs no token counts)\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("note lacks %q:\n%s", want, got)
		}
	}
	mixed := sample()
	mixed.Sessions = append(mixed.Sessions, vs)
	got, _ = Render(mixed, NoteOptions{})
	if !strings.Contains(got, "- **Tokens:** 5,300 (input 4,000, output 300, cache write 0, cache read 1,000), estimated cost $0.01; not recorded for VS Code Copilot Chat\n") {
		t.Errorf("mixed note:\n%s", got)
	}
	tokened := sample()
	tokened.Sessions = append(tokened.Sessions, Session{Agent: "cursor", ID: "c1"})
	if got, _ = Render(tokened, NoteOptions{}); strings.Contains(got, "not recorded") {
		t.Errorf("a Cursor session with token counts is said not recorded:\n%s", got)
	}
}

// TestRenderFilesAndSessionTotal checks that binary files and LFS pointers
// are listed as such without line counts, and that the session total shows
// when some of the sessions' calls are counted in other notes.
func TestRenderFilesAndSessionTotal(t *testing.T) {
	a := sample()
	a.Files = append(a.Files, FileAttr{Path: "data.bin", Op: "add", LFS: true}, FileAttr{Path: "logo.png", Op: "add", Binary: true},
		FileAttr{Path: "dump.sql", Op: "add", TooLarge: true})
	note, _ := Render(a, NoteOptions{})
	for _, want := range []string{
		"| `data.bin` (Git LFS) | – | – | – |\n",
		"| `logo.png` (binary) | – | – | – |\n",
		"| `dump.sql` (too large to compare) | – | – | – |\n",
		"| **Total** | 5 | 3 | 60% |\n",
	} {
		if !strings.Contains(note, want) {
			t.Errorf("note lacks %q:\n%s", want, note)
		}
	}
	if strings.Contains(note, "Session total") || strings.Contains(note, "sessionTokens") {
		t.Errorf("the session total shows though this note counts all of it:\n%s", note)
	}
	a.SessionTokens = store.Tokens{Input: 9000, Output: 300, CacheRead: 1000, Total: 10300}
	note, _ = Render(a, NoteOptions{})
	if !strings.Contains(note, "- **Tokens:** 5,300 (") || !strings.Contains(note, "- **Session total so far:** 10,300 tokens (each API call is counted in one note only)\n") {
		t.Errorf("session total:\n%s", note)
	}
	tr := ParseNotes(note)
	if len(tr) != 1 || tr[0].Metadata["dev.aitrail"].SessionTokens == nil || tr[0].Metadata["dev.aitrail"].SessionTokens.Total != 10300 {
		t.Errorf("Agent Trace record: %+v", tr)
	}
}
