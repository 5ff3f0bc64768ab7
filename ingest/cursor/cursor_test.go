package cursor

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// testdata is the root of this package's fixtures, in Cursor's layout.
var testdata = filepath.Join("..", "..", "testdata", "cursor")

var mtime = time.Date(2026, 1, 2, 9, 30, 0, 0, time.UTC)

const (
	mainID   = "7c0ffee0-0000-4000-8000-000000000001"
	nestedID = "7c0ffee0-0000-4000-8000-000000000002"
	subID    = "5ub0a9e7-0000-4000-8000-000000000003"
)

func transcript(rel string) string {
	return filepath.Join(testdata, "projects", "home-dev-shop", "agent-transcripts", filepath.FromSlash(rel))
}

// newDec returns a decoder factory for path, stamped with mtime.
func newDec(path string) dectest.NewFunc {
	return func(st []byte) (dectest.Decoder, error) {
		d, err := New(path, st)
		if err != nil {
			return nil, err
		}
		d.ModTime(mtime)
		return d, nil
	}
}

func TestTranscript(t *testing.T) {
	path := transcript(mainID + ".jsonl")
	lines := dectest.Lines(t, path, false)
	d, _ := newDec(path)(nil)
	recs, bad := dectest.Batch(d, lines, 0, len(lines))
	v := dectest.NewView(recs)
	if len(bad) != 1 || bad[0].No != 5 {
		t.Errorf("rejected lines = %v, want line 5", bad)
	}
	s := v.Sessions[mainID]
	if s.Cwd != "/home/dev/shop" || !s.Started.Equal(mtime) || s.ParentID != "" || s.Model != "" {
		t.Errorf("session = %+v, want cwd /home/dev/shop, times %v, no parent, no model", s, mtime)
	}
	if got, want := v.PromptTexts(mainID), []string{"Greet the user by name, and put the greeting in a library.", "Thanks, that is all."}; !reflect.DeepEqual(got, want) {
		t.Errorf("prompts = %q, want %q", got, want)
	}
	p := v.Prompts.Get(dectest.Key{Session: mainID, ID: "L1"})
	if p.Cwd != "/home/dev/shop" || !strings.Contains(p.Context, `<file path="/home/dev/shop/app.py" />`) || !p.Time.Equal(mtime) {
		t.Errorf("prompt L1 = %+v, want the cwd learned on line 2, the attached files as context", p)
	}
	var texts []string
	for _, m := range v.Messages.Values() {
		texts = append(texts, m.Text)
	}
	sort.Strings(texts)
	if want := []string{"Adding lib.py and calling it from app.py.", "Done: `lib.py` holds the greeting."}; !reflect.DeepEqual(texts, want) {
		t.Errorf("messages = %q, want %q ([REDACTED] left out)", texts, want)
	}
	if v.Calls.Len() != 6 {
		t.Errorf("tool calls = %d, want 6 (Read, Write, StrReplace, MultiEdit, Delete, Shell)", v.Calls.Len())
	}
	if c := v.Calls.Get(dectest.Key{Session: mainID, ID: "tool_7"}); c.Name != "StrReplace" || c.Prompt != "L1" {
		t.Errorf("call tool_7 = %+v, want StrReplace of prompt L1", c)
	}
	wantEdits := map[string][2]int{
		"/home/dev/shop/lib.py":          {2, 0},
		"/home/dev/shop/app.py":          {2, 0}, // StrReplace +1, MultiEdit +1
		"/home/dev/shop/old_greeting.py": {0, 0},
	}
	if got := v.EditedFiles(); !reflect.DeepEqual(got, wantEdits) {
		t.Errorf("edits = %v, want %v", got, wantEdits)
	}
	for _, e := range v.Edits.Values() {
		if e.Path == "/home/dev/shop/old_greeting.py" && e.Op != store.OpDelete {
			t.Errorf("Delete gave op %q", e.Op)
		}
		if e.Path == "/home/dev/shop/lib.py" && !strings.HasPrefix(e.Diff, "--- a/lib.py\n+++ b/lib.py\n@@ -0,0 +1,2 @@\n+def greeting(name):") {
			t.Errorf("Write diff = %q", e.Diff)
		}
	}
	if want := map[string]int{"block/image": 1, "role/system": 1}; !reflect.DeepEqual(v.Unknown, want) {
		t.Errorf("unknown = %v, want %v", v.Unknown, want)
	}
}

func TestTranscriptNestedAndSubagent(t *testing.T) {
	nested := transcript(nestedID + "/" + nestedID + ".jsonl")
	v := dectest.NewView(dectest.All(t, newDec(nested), dectest.Lines(t, nested, false)))
	if s := v.Sessions[nestedID]; s.ParentID != "" || s.Cwd != "/home/dev/shop" {
		t.Errorf("nested session = %+v", s)
	}
	if got := v.EditedFiles(); !reflect.DeepEqual(got, map[string][2]int{"/home/dev/shop/tests/test_lib.py": {5, 0}}) {
		t.Errorf("nested edits = %v", got)
	}
	sub := transcript(nestedID + "/subagents/" + subID + ".jsonl")
	v = dectest.NewView(dectest.All(t, newDec(sub), dectest.Lines(t, sub, false)))
	if s := v.Sessions[subID]; s.ParentID != nestedID || s.Relation != "subagent" || s.Cwd != "" {
		t.Errorf("sub-agent session = %+v, want parent %s, no cwd (no path named)", s, nestedID)
	}
}

func TestSlugMatches(t *testing.T) {
	tests := []struct {
		name, dir, home string
		want            bool
	}{
		{"home-dev-shop", "/home/dev/shop", "", true},
		{"home-dev-shop", "/home/dev", "", false},
		{"Users-ada-my-app", "/Users/ada/my app", "", true},
		{"Users-ada-Desktop-git-ai", "~/Desktop/git-ai", "/Users/ada", true},
		{"Users-ada-Desktop-git-ai", "~/git-ai", "/Users/ada", false},
		{"Users-ada-Desktop-git-ai", "~/Desktop/git-ai", "", false},
		{"Users-ada-Desktop-git-ai", "/Users/[REDACTED:user-path]/Desktop/git-ai", "", true},
		{"Users-ada-Desktop-git-ai", "/Users/[REDACTED:user-path]/git-ai", "", true}, // ada-Desktop may be the name
		{"Users-ada-Desktop-git-ai", "/Users/[REDACTED:user-path]/git-ai", "/Users/ada", false},
		{"Users-ada-Desktop-git-ai", "/Users/[REDACTED:user-path]/Desktop/git-ai", "/Users/ada", true},
		{"opt-src-repo", "/home/[REDACTED:user-path]/src/repo", "", false},
		{"C-Users-ada-repo", `C:\Users\ada\repo`, "", true},
	}
	for _, tt := range tests {
		if got := slugMatches(tt.name, tt.dir, tt.home); got != tt.want {
			t.Errorf("slugMatches(%q, %q, %q) = %v, want %v", tt.name, tt.dir, tt.home, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	for rel, want := range map[string]bool{
		"p/agent-transcripts/a.jsonl":               true,
		"p/agent-transcripts/a/a.jsonl":             true,
		"p/agent-transcripts/a/subagents/b.jsonl":   true,
		"agent-transcripts/a.jsonl":                 true,
		"p/agent-tools/a.txt":                       false,
		"p/agent-transcripts/a.txt":                 false,
		"state.vscdb":                               true,
		"globalStorage/state.vscdb":                 true,
		"workspaceStorage/abc/state.vscdb":          false,
		"globalStorage/ms-python.python/state.json": false,
	} {
		if got := Match(rel); got != want {
			t.Errorf("Match(%q) = %v, want %v", rel, got, want)
		}
	}
}

// stateRows returns the rows of the fixture database as the pipeline gives
// them: composers first, then messages, each by rowid.
func stateRows(t testing.TB) [][]byte {
	t.Helper()
	db := dectest.Database(t, filepath.Join(testdata, "state.sql"))
	var out [][]byte
	for _, c := range Collections("state.vscdb") {
		rows, err := db.Query(`SELECT key, value FROM cursorDiskKV WHERE key >= ? AND key < ? ORDER BY rowid`, c.Prefixes[0], c.Prefixes[0]+"\xff")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			line, _ := json.Marshal(map[string]any{"c": c.As, "k": k, "v": map[string]json.RawMessage{"value": json.RawMessage(v)}})
			out = append(out, line)
		}
		rows.Close()
	}
	return out
}

func TestStateDatabase(t *testing.T) {
	rows := stateRows(t)
	v := dectest.NewView(dectest.All(t, newDec("globalStorage/state.vscdb"), rows))
	const cid = "c0a1b2c3-0000-4000-8000-0000000000aa"
	s := v.Sessions[cid]
	if s.Title != "Greeting library" || s.Model != "claude-4.5-sonnet" || s.Cwd != "/home/dev/shop" || s.GitBranch != "main" ||
		!s.Started.Equal(time.UnixMilli(1767348000000)) {
		t.Errorf("composer session = %+v", s)
	}
	if sub := v.Sessions["c0a1b2c3-0000-4000-8000-0000000000bb"]; sub.ParentID != cid || sub.Relation != "subagent" {
		t.Errorf("sub-composer = %+v", sub)
	}
	if got, want := v.PromptTexts(cid), []string{"Greet the user by name, and put the greeting in a library.", "Remove old_greeting.py."}; !reflect.DeepEqual(got, want) {
		t.Errorf("prompts = %q, want %q", got, want)
	}
	if m := v.Messages.Get(dectest.Key{Session: cid, ID: "b2.thinking"}); m.Kind != store.MessageReasoning || m.Prompt != "b1" {
		t.Errorf("thinking = %+v", m)
	}
	wantEdits := map[string][2]int{
		"/home/dev/shop/lib.py": {2, 0}, // write of a relative path
		"/home/dev/shop/app.py": {3, 1}, // search_replace +1, edit_file's result chunk +2 −1
	}
	if got := v.EditedFiles(); !reflect.DeepEqual(got, wantEdits) {
		t.Errorf("edits = %v, want %v", got, wantEdits)
	}
	if e := v.Edits.Get(dectest.EditKey{Session: cid, Call: "toolu_d", Path: "/home/dev/shop/old_greeting.py"}); e.Status != store.EditFailed || e.Op != store.OpDelete {
		t.Errorf("failed delete = %+v", e)
	}
	if e := v.Edits.Get(dectest.EditKey{Session: cid, Call: "toolu_e", Path: "/home/dev/shop/app.py"}); !strings.Contains(e.Diff, "@@ -4,2 +4,3 @@\n     return 0\n-    pass\n+    print(greeting(sys.argv[1]))") {
		t.Errorf("edit_file diff = %q", e.Diff)
	}
	if r := v.Results.Get(dectest.Key{Session: cid, ID: "toolu_d"}); r.Status != "error" || r.Output != "file not found" {
		t.Errorf("delete result = %+v", r)
	}
	tok := v.Total()
	if len(v.Usage) != 3 || tok.Input != 4500 || tok.Output != 250 {
		t.Errorf("usage = %d entries, %+v; want 3 (zero counts skipped), input 4500, output 250", len(v.Usage), tok)
	}
	for _, u := range v.Usage {
		if u.Model != "claude-4.5-sonnet" {
			t.Errorf("usage model = %q", u.Model)
		}
		if u.Key == "bubble:b6" && (u.Prompt != "b5" || !u.Time.Equal(time.UnixMilli(1767348125000))) {
			t.Errorf("b6 usage = %+v, want prompt b5 and the client's send time", u)
		}
	}
}

func TestResumeEverySplit(t *testing.T) {
	for _, rel := range []string{mainID + ".jsonl", nestedID + "/" + nestedID + ".jsonl", nestedID + "/subagents/" + subID + ".jsonl"} {
		path := transcript(rel)
		t.Run(rel, func(t *testing.T) {
			dectest.ResumeEverySplit(t, newDec(path), dectest.Lines(t, path, false), dectest.SameView)
		})
	}
	t.Run("state.vscdb", func(t *testing.T) {
		dectest.ResumeEverySplit(t, newDec("state.vscdb"), stateRows(t), dectest.SameView)
	})
}

// TestRealTranscript checks the real transcript of the shared fixtures
// against counts taken by reading it: 11 lines; one user query; tool calls
// Read ×3 (lines 2, 4, 5), WebSearch ×4 (2, 6, 8, 10), WebFetch (3), Grep
// (7), Write (9) of hbo-shows-1990s.txt with 104 lines; assistant texts
// that are more than "[REDACTED]" on lines 2, 9 and 11.
func TestRealTranscript(t *testing.T) {
	path := dectest.Shared(t, "sessions", "cursor", "projects", "Users-aidancunniffe-Desktop-testing-gitflows-git-ai", "agent-transcripts", "5d5b270b-2164-4634-9078-c26c17af0706.jsonl")
	lines := dectest.Lines(t, path, false)
	v := dectest.NewView(dectest.All(t, newDec(path), lines))
	const id = "5d5b270b-2164-4634-9078-c26c17af0706"
	const cwd = "/Users/aidancunniffe/Desktop/testing-gitflows-git-ai"
	if s := v.Sessions[id]; s.Cwd != cwd {
		t.Errorf("cwd = %q, want %q", s.Cwd, cwd)
	}
	if got := v.PromptTexts(id); !reflect.DeepEqual(got, []string{"Generate a file with all the HBO shows from the 90's in it"}) {
		t.Errorf("prompts = %q", got)
	}
	names := map[string]int{}
	for _, c := range v.Calls.Values() {
		names[c.Name]++
	}
	if want := map[string]int{"Read": 3, "WebSearch": 4, "WebFetch": 1, "Grep": 1, "Write": 1}; !reflect.DeepEqual(names, want) {
		t.Errorf("tool calls = %v, want %v", names, want)
	}
	if got := v.EditedFiles(); !reflect.DeepEqual(got, map[string][2]int{cwd + "/hbo-shows-1990s.txt": {104, 0}}) {
		t.Errorf("edits = %v", got)
	}
	if v.Messages.Len() != 3 || len(v.Usage) != 0 || len(v.Unknown) != 0 {
		t.Errorf("messages %d, usage %d, unknown %v; want 3, 0, none", v.Messages.Len(), len(v.Usage), v.Unknown)
	}
	if n := dectest.ResumeEveryLine(t, newDec(path), lines, dectest.SameView); n > 2048 {
		t.Errorf("state grew to %d bytes", n)
	}
}

func TestNewRejectsBadState(t *testing.T) {
	for _, st := range []string{`{"v":99}`, `not json`} {
		if _, err := New("p/agent-transcripts/s.jsonl", []byte(st)); err == nil {
			t.Errorf("New with state %s: got no error", st)
		}
	}
}

// FuzzLine feeds arbitrary lines to a transcript decoder and a database
// decoder: nothing may panic, and the state must round-trip.
func FuzzLine(f *testing.F) {
	for _, l := range dectest.Lines(f, transcript(mainID+".jsonl"), false) {
		f.Add(l)
	}
	for _, l := range stateRows(f) {
		f.Add(l)
	}
	for _, s := range []string{``, `{`, `[]`, `null`, `{"role":"assistant","message":{"content":[{"type":"tool_use","name":"Write","input":{"path":7}}]}}`,
		`{"c":"bubble","k":"bubbleId:c:b","v":{"value":{"type":2,"toolFormerData":{"name":"edit_file","rawArgs":"{\"target_file\":\"a\"}","result":"{\"diff\":{\"chunks\":[{\"diffString\":\"\"}]}}"}}}}`,
		`{"c":"composer","k":"composerData:x","v":{"value":{"conversation":[{"type":1},{"type":2,"tokenCount":{"inputTokens":"x"}}]}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, p := range []string{"p/agent-transcripts/s.jsonl", "state.vscdb"} {
			d, err := New(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			_ = d.Line(1, line, func(store.Record) {})
			st, err := d.State()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := New(p, st); err != nil {
				t.Fatalf("state %s does not restore: %v", st, err)
			}
		}
	})
}
