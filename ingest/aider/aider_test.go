package aider

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// repo is the repository of this package's fixture history.
var repo, _ = filepath.Abs(filepath.Join("..", "..", "testdata", "aider", "repo"))

// newDec returns a decoder factory for the history at path, reading
// header times as UTC.
func newDec(path string) dectest.NewFunc {
	return func(st []byte) (dectest.Decoder, error) {
		d, err := New(path, st)
		if err != nil {
			return nil, err
		}
		d.loc = time.UTC
		return d, nil
	}
}

// sessionID returns the id of the session a fixture header starts.
func sessionID(path, stamp string) string {
	d, _ := New(path, nil)
	return d.tag + "-" + stamp
}

func TestHistory(t *testing.T) {
	path := filepath.Join(repo, HistoryFile)
	v := dectest.NewView(dectest.All(t, newDec(path), dectest.Lines(t, path, false)))
	s1, s2 := sessionID(path, "20260102T090000"), sessionID(path, "20260102T110000")
	if len(v.Sessions) != 4 {
		t.Errorf("sessions = %d, want 4 (two headers in the same second are two sessions)", len(v.Sessions))
	}
	if _, ok := v.Sessions[s2+"-L96"]; !ok {
		t.Errorf("no session %s-L96 for the second header of 11:00:00", s2)
	}
	s := v.Sessions[s1]
	if s.AgentVersion != "0.86.1" || s.Model != "anthropic/claude-sonnet-4-5-20250929" || s.Cwd != repo ||
		!s.Started.Equal(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("session 1 = %+v", s)
	}
	if m := v.Sessions[s2].Model; m != "gpt-4o" {
		t.Errorf("session 2 model = %q, want gpt-4o (the weak model is not the model)", m)
	}
	want := []string{"Greet the user by name,\nand put the greeting in a library.", "/run python app.py Ada", "Write the README in whole."}
	if got := v.PromptTexts(s1); !reflect.DeepEqual(got, want) {
		t.Errorf("prompts = %q, want %q", got, want)
	}
	edits := map[string][2]int{}
	for k, e := range v.Edits.All() {
		rel, _ := filepath.Rel(repo, e.Path)
		c := edits[rel]
		edits[rel] = [2]int{c[0] + e.Added, c[1] + e.Removed}
		if k.Session == s1 && rel == "lib.py" && (e.Op != store.OpAdd || e.Prompt != "L11" || e.CallID != "L14") {
			t.Errorf("lib.py edit = %+v, want an add by prompt L11 from the reply on L14", e)
		}
	}
	wantEdits := map[string][2]int{
		"lib.py":    {2, 0}, // created by an empty SEARCH
		"app.py":    {3, 0}, // two SEARCH/REPLACE blocks (+2), then a udiff hunk (+1)
		"README.md": {3, 0}, // whole format
	}
	if !reflect.DeepEqual(edits, wantEdits) {
		t.Errorf("edits = %v, want %v", edits, wantEdits)
	}
	var usage [][4]int64
	for _, u := range v.Usage {
		usage = append(usage, [4]int64{u.Input, u.CacheRead, u.CacheWrite, u.Output})
	}
	wantUsage := [][4]int64{{600, 1500, 2100, 312}, {12000, 0, 0, 80}, {5244, 0, 0, 604}}
	if !reflect.DeepEqual(usage, wantUsage) {
		t.Errorf("usage = %v, want %v (sent less cache hit and write; k counts as printed)", usage, wantUsage)
	}
	links := map[string]string{}
	for _, l := range v.Links.Values() {
		links[l.URL] = l.Prompt + " " + l.Title
	}
	wantLinks := map[string]string{"1a2b3c4": "L11 feat: Greet the user by name from a library", "5d6e7f8": "L57 docs: Add a README",
		"9f8e7d6": "L78 feat: Print done"}
	if !reflect.DeepEqual(links, wantLinks) {
		t.Errorf("commit links = %v, want %v", links, wantLinks)
	}
	note := v.Messages.Get(dectest.Key{Session: s1, ID: "L53"})
	if note.Kind != store.MessageSystem || note.Text != "Hello, Ada\ndone\nAdd command output to the chat? (Y)es/(N)o [Yes]: n" {
		t.Errorf("/run output = %+v, want its continuation line in the note", note)
	}
	if r := v.Messages.Get(dectest.Key{Session: s1, ID: "L59"}); r.Kind != store.MessageAssistant || !strings.HasPrefix(r.Text, "README.md\n```\n# shop\n\nGreets people.") {
		t.Errorf("reply L59 = %q", r.Text)
	}
}

func TestCount(t *testing.T) {
	for s, want := range map[string]int64{"5,244": 5244, "12k": 12000, "4.2k": 4200, "312": 312, "1.5M": 1500000, "": 0, "x": 0} {
		if got := count(s); got != want {
			t.Errorf("count(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestParseEdits(t *testing.T) {
	reply := "Here:\n\n**src/a.py**\n<source>python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n</source>\n\n" +
		"```\nb.py\n<<<<<<< SEARCH\n=======\nprint(1)\n>>>>>>> REPLACE\n```\n\nexample:\n```sh\nmake\n```\n"
	got := parseEdits(reply)
	want := []editBlock{
		{File: "src/a.py", Kind: blockReplace, Old: "x = 1\n", New: "x = 2\n"},
		{File: "b.py", Kind: blockReplace, New: "print(1)\n"},
		{File: "example", Kind: blockWhole, Text: "make\n"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseEdits = %+v\nwant %+v", got, want)
	}
}

func TestResumeEverySplit(t *testing.T) {
	path := filepath.Join(repo, HistoryFile)
	dectest.ResumeEverySplit(t, newDec(path), dectest.Lines(t, path, false), dectest.SameView)
}

// real is the excerpt of Aider's own chat history in the shared fixtures.
func real(t *testing.T) string {
	t.Helper()
	return dectest.Shared(t, "sessions", "aider", "aider-repo", HistoryFile)
}

// TestRealHistory checks the real history against counts taken by reading
// it (grep and a script over its 8,977 lines): 79 "# aider chat started"
// headers; 236 "#### " lines forming 128 inputs; 67 assistant replies; 57
// Tokens lines summing to 702,537 sent and 25,975 received (no cache
// fields); 37 "Applied edit to" lines naming 13 files; 67 "Commit" lines.
// The line counts of two edits were checked with Python's difflib: the
// SEARCH/REPLACE of aider/utils.py (+4 −9) and of aider/commands.py
// (+16 −0).
func TestRealHistory(t *testing.T) {
	path := real(t)
	v := dectest.NewView(dectest.All(t, newDec(path), dectest.Lines(t, path, false)))
	if len(v.Sessions) != 79 || v.Prompts.Len() != 128 || v.Links.Len() != 67 {
		t.Errorf("sessions %d, prompts %d, commit links %d; want 79, 128, 67", len(v.Sessions), v.Prompts.Len(), v.Links.Len())
	}
	replies := 0
	for _, m := range v.Messages.Values() {
		if m.Kind == store.MessageAssistant {
			replies++
		}
	}
	if replies != 67 {
		t.Errorf("replies = %d, want 67", replies)
	}
	tok := v.Total()
	if len(v.Usage) != 57 || tok.Input != 702537 || tok.Output != 25975 || tok.CacheRead+tok.CacheWrite != 0 {
		t.Errorf("usage: %d entries, %+v; want 57, input 702537, output 25975", len(v.Usage), tok)
	}
	dir := filepath.Dir(path)
	perFile := map[string]int{}
	for _, e := range v.Edits.Values() {
		rel, _ := filepath.Rel(dir, e.Path)
		perFile[rel]++
		if e.Diff == "" {
			t.Errorf("edit of %s has no diff", rel)
		}
	}
	wantFiles := map[string]int{
		"aider/coders/base_coder.py": 5, "aider/commands.py": 1, "aider/io.py": 3, "aider/repo.py": 1, "aider/repomap.py": 1,
		"aider/utils.py": 1, "aider/versioncheck.py": 1, "docker/Dockerfile": 2, "scripts/blame.py": 3,
		"tests/basic/test_main.py": 7, "tests/basic/test_repo.py": 1, "tests/basic/test_repomap.py": 7, "tests/basic/test_sendchat.py": 4,
	}
	if !reflect.DeepEqual(perFile, wantFiles) {
		t.Errorf("edits per file = %v, want %v", perFile, wantFiles)
	}
	files := v.EditedFiles()
	if got := files[filepath.Join(dir, "aider/utils.py")]; got != [2]int{4, 9} {
		t.Errorf("aider/utils.py = %v, want +4 −9", got)
	}
	if got := files[filepath.Join(dir, "aider/commands.py")]; got != [2]int{16, 0} {
		t.Errorf("aider/commands.py = %v, want +16 −0", got)
	}
}

// TestResumeEveryLine decodes the real history one line per batch (with
// a flush after each) and wants what one batch gives, with a bounded state.
func TestResumeEveryLine(t *testing.T) {
	path := real(t)
	if testing.Short() {
		t.Skip("8,977 batches")
	}
	if n := dectest.ResumeEveryLine(t, newDec(path), dectest.Lines(t, path, false), dectest.SameView); n > 64<<10 {
		t.Errorf("state grew to %d bytes", n)
	}
}

func TestNewRejectsBadState(t *testing.T) {
	for _, st := range []string{`{"v":99}`, `not json`} {
		if _, err := New("/r/"+HistoryFile, []byte(st)); err == nil {
			t.Errorf("New with state %s: got no error", st)
		}
	}
}

// FuzzLine feeds arbitrary lines after a prompt and a reply: nothing may
// panic, and the state must round-trip.
func FuzzLine(f *testing.F) {
	for _, l := range dectest.Lines(f, filepath.Join(repo, HistoryFile), false) {
		f.Add(l)
	}
	for _, s := range []string{"> Applied edit to ", "> Tokens: k sent, , received", "> Commit 1234567", "<<<<<<< SEARCH", "```", "> x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		d, err := New("/r/"+HistoryFile, nil)
		if err != nil {
			t.Fatal(err)
		}
		discard := func(store.Record) {}
		for i, l := range []string{"# aider chat started at 2026-01-02 09:00:00", "#### go  ", "a.py", "```", "<<<<<<< SEARCH", "=======", "x", ">>>>>>> REPLACE", "```"} {
			_ = d.Line(i+1, []byte(l), discard)
		}
		_ = d.Line(11, line, discard)
		_ = d.Line(12, []byte("> Applied edit to a.py  "), discard)
		d.Flush(discard)
		st, err := d.State()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New("/r/"+HistoryFile, st); err != nil {
			t.Fatalf("state does not restore: %v", err)
		}
	})
}
