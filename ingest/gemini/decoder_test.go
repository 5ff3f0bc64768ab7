package gemini

import (
	"maps"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

const (
	shopSession = "5f0c8a21-7d3e-4b6a-9c1f-2e8d4b7a6c01"
	subSession  = "7c1e9d40-0000-4000-8000-00000000a001"
	apiSession  = "a3b9e2f0-1111-4c22-8d33-445566778899"
	apiHash     = "cc2b75052e4faa5654d762961bf89567edf5657f98c533e6fb34528f450b2602"
)

var (
	shopChat = filepath.Join(testdata, "tmp", "shop", "chats", "session-2026-05-01T09-00-5f0c8a21.jsonl")
	subChat  = filepath.Join(testdata, "tmp", "shop", "chats", shopSession, subSession+".jsonl")
	apiChat  = filepath.Join(testdata, "tmp", apiHash, "chats", "session-2025-11-02T10-00-a3b9e2f0.json")
)

// TestOwnChats checks what each of this package's fixtures gives, read
// with and without the sidecars that name the project root.
func TestOwnChats(t *testing.T) {
	type counts struct{ sessions, prompts, messages, calls, results, edits, usage, unknown int }
	tests := []struct {
		name     string
		path     string
		sidecars bool
		want     counts
		cwd      string
		prompts  []string
	}{
		// The JSONL chat: u1, g1 (re-appended with its tool calls), g2, u2,
		// g3, i1; u3 (/init), g4, u4 and a message of an unknown type, all
		// rewound; u5. Messages: g1's thoughts, g2's text, i1. Usage: g1,
		// g2, g3 and the rewound g4.
		{"jsonl with sidecars", shopChat, true, counts{1, 3, 3, 5, 5, 3, 4, 1}, "/home/dev/shop",
			[]string{"Rename the total() helper to sum_prices() in cart.py", "Also delete the math import", "Thanks, that is all."}},
		// Without sidecars the root is the one cart.py's relative path
		// implies (resolved to /home/dev/shop/cart.py).
		{"jsonl without sidecars", shopChat, false, counts{1, 3, 3, 5, 5, 3, 4, 1}, "/home/dev/shop", nil},
		{"sub-agent", subChat, true, counts{1, 1, 1, 0, 0, 0, 1, 0}, "/home/dev/shop", []string{"Find every caller of total()"}},
		// The legacy JSON chat: messages r1 (text and thoughts), r2, e1;
		// r2's tokens are null. The root is projects.json's entry whose
		// sha256 names the directory.
		{"json", apiChat, true, counts{1, 1, 4, 3, 3, 3, 1, 0}, "/home/dev/api", []string{"Add a /health endpoint to server.go"}},
		{"json without sidecars", apiChat, false, counts{1, 1, 4, 3, 3, 3, 1, 0}, "/home/dev/api", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := view(t, tt.path, tt.sidecars)
			got := counts{len(s.Sessions), s.Prompts.Len(), s.Messages.Len(), s.Calls.Len(), s.Results.Len(), s.Edits.Len(), len(s.Usage), len(s.Unknown)}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			for _, ss := range s.Sessions {
				if ss.Cwd != tt.cwd {
					t.Errorf("session %s: cwd %q, want %q", ss.ID, ss.Cwd, tt.cwd)
				}
			}
			for _, p := range s.Prompts.Values() {
				if p.Cwd != tt.cwd {
					t.Errorf("prompt %s: cwd %q, want %q", p.Key, p.Cwd, tt.cwd)
				}
			}
			if tt.prompts != nil {
				var texts []string
				for _, ss := range s.Sessions {
					texts = s.PromptTexts(ss.ID)
				}
				if !reflect.DeepEqual(texts, tt.prompts) {
					t.Errorf("prompts %q, want %q", texts, tt.prompts)
				}
			}
		})
	}
}

func TestShopChatDetails(t *testing.T) {
	s := view(t, shopChat, true)
	sess := s.Sessions[shopSession]
	want := store.Session{ID: shopSession, Cwd: "/home/dev/shop", Title: "Rename total() in the cart", Model: "gemini-2.5-flash",
		Started: ts("2026-05-01T09:00:00Z"), Ended: ts("2026-05-01T09:03:00Z")}
	if sess != want {
		t.Errorf("session\ngot  %+v\nwant %+v", sess, want)
	}
	if p := s.Prompts.Get(dectest.Key{Session: shopSession, ID: "u1"}); p.Model != "gemini-2.5-pro" || p.Context != "" {
		t.Errorf("prompt u1: %+v, want the model that answered it and no context", p)
	}
	if p := s.Prompts.Get(dectest.Key{Session: shopSession, ID: "u2"}); p.Model != "gemini-2.5-flash" {
		t.Errorf("prompt u2: model %q, want gemini-2.5-flash", p.Model)
	}
	if m := s.Messages.Get(dectest.Key{Session: shopSession, ID: "g1#thoughts"}); m.Kind != store.MessageReasoning || m.Text != "Locating the helper\nI will read cart.py first." || m.Prompt != "u1" {
		t.Errorf("thoughts: %+v", m)
	}
	if m := s.Messages.Get(dectest.Key{Session: shopSession, ID: "i1"}); m.Kind != store.MessageSystem || m.Prompt != "u2" {
		t.Errorf("info message: %+v", m)
	}
	edits := map[string]store.FileEdit{}
	for k, e := range s.Edits.All() {
		edits[k.Call] = e
	}
	cart := edits["c-edit"]
	wantDiff := "--- a/cart.py\n+++ b/cart.py\n@@ -1,4 +1,4 @@\n import math\n \n-def total(items):\n+def sum_prices(items):\n     return sum(i.price for i in items)\n"
	if cart.Path != "/home/dev/shop/cart.py" || cart.Op != store.OpUpdate || cart.Diff != wantDiff || cart.Added != 1 || cart.Removed != 1 ||
		cart.Source != "fileDiff" || cart.Prompt != "u1" || cart.Status != store.EditApplied || !cart.Time.Equal(ts("2026-05-01T09:00:10Z")) {
		t.Errorf("replace edit:\n%+v\nwant the fileDiff with uniform headers", cart)
	}
	if e := edits["c-test"]; e.Path != "/home/dev/shop/test_cart.py" || e.Op != store.OpAdd || e.Added != 4 || !strings.HasPrefix(e.Diff, "--- /dev/null\n+++ b/test_cart.py\n@@ -0,0 +1,4 @@\n") {
		t.Errorf("write_file of a new file: %+v", e)
	}
	if e := edits["c-cancel"]; e.Status != store.EditFailed || e.Added != 0 || e.Diff != "" {
		t.Errorf("cancelled replace: %+v, want failed with nothing applied", e)
	}
	if r := s.Results.Get(dectest.Key{Session: shopSession, ID: "c-cancel"}); r.Status != "error" || r.Output != "User cancelled the edit." {
		t.Errorf("cancelled call's result: %+v", r)
	}
	if c := s.Calls.Get(dectest.Key{Session: shopSession, ID: "c-sh"}); c.Name != "run_shell_command" || !strings.Contains(c.Input, `"command":"python -m pytest -q"`) || c.Prompt != "u1" {
		t.Errorf("shell call: %+v", c)
	}
	if r := s.Results.Get(dectest.Key{Session: shopSession, ID: "c-sh"}); r.Status != "ok" || !strings.Contains(r.Output, "1 passed") {
		t.Errorf("shell result: %+v", r)
	}
	wantUsage := []store.Usage{
		{Session: shopSession, Prompt: "u1", Time: ts("2026-05-01T09:00:09Z"), Model: "gemini-2.5-pro", Input: 12000, Output: 140, Reasoning: 100, Key: shopSession + ":g1"},
		{Session: shopSession, Prompt: "u1", Time: ts("2026-05-01T09:00:20Z"), Model: "gemini-2.5-pro", Input: 1500, CacheRead: 11000, Output: 60, Key: shopSession + ":g2"},
		{Session: shopSession, Prompt: "u2", Time: ts("2026-05-01T09:01:05Z"), Model: "gemini-2.5-flash", Input: 1000, CacheRead: 12000, Output: 50, Reasoning: 20, Key: shopSession + ":g3"},
		// Rewound: its call was made and billed; its prompt is gone. The
		// tool-use prompt tokens count as input.
		{Session: shopSession, Time: ts("2026-05-01T09:02:10Z"), Model: "gemini-2.5-pro", Input: 9005, Output: 25, Key: shopSession + ":g4"},
	}
	if !reflect.DeepEqual(s.Usage, wantUsage) {
		t.Errorf("usage\ngot  %+v\nwant %+v", s.Usage, wantUsage)
	}
	if want := map[string]int{"hologram": 1}; !reflect.DeepEqual(s.Unknown, want) {
		t.Errorf("unknown: %+v, want one hologram", s.Unknown)
	}
}

func TestLegacyChatDetails(t *testing.T) {
	s := view(t, apiChat, false)
	edits := map[string]store.FileEdit{}
	for k, e := range s.Edits.All() {
		edits[k.Call] = e
	}
	if e := edits["replace-1762077620000"]; e.Path != "/home/dev/api/server.go" || e.Added != 1 || e.Removed != 0 || !strings.HasPrefix(e.Diff, "--- a/server.go\n+++ b/server.go\n@@ -8,6 +8,7 @@\n") {
		t.Errorf("replace: %+v", e)
	}
	// A write_file whose display is a string: its content, all added, the
	// path made absolute against the root; whether it created the file is
	// not known.
	if e := edits["write_file-1762077625000"]; e.Path != "/home/dev/api/health.go" || e.Op != store.OpUpdate || e.Added != 7 || e.Source != "args" ||
		!strings.HasSuffix(e.Diff, "+}\n\\ No newline at end of file\n") {
		t.Errorf("write_file: %+v", e)
	}
	if e := edits["replace-1762077626000"]; e.Status != store.EditFailed || e.Path != "/home/dev/api/main_test.go" {
		t.Errorf("failed replace: %+v", e)
	}
	if r := s.Results.Get(dectest.Key{Session: apiSession, ID: "replace-1762077626000"}); r.Status != "error" || r.Output != "Failed to edit, 0 occurrences found for old_string." {
		t.Errorf("failed replace's result: %+v", r)
	}
	if m := s.Messages.Get(dectest.Key{Session: apiSession, ID: "e1"}); m.Kind != store.MessageSystem || m.Text != "[API Error: quota exceeded]" {
		t.Errorf("error message: %+v", m)
	}
	want := []store.Usage{{Session: apiSession, Prompt: "p1", Time: ts("2025-11-02T10:00:30Z"), Model: "gemini-2.5-pro", Input: 6000, CacheRead: 2000, Output: 420, Reasoning: 300, Key: apiSession + ":r1"}}
	if !reflect.DeepEqual(s.Usage, want) {
		t.Errorf("usage\ngot  %+v\nwant %+v", s.Usage, want)
	}
}

func TestSubagentChat(t *testing.T) {
	s := view(t, subChat, true)
	sess := s.Sessions[subSession]
	if sess.ParentID != shopSession || sess.Relation != "subagent" || sess.Model != "gemini-2.5-flash" {
		t.Errorf("sub-agent session: %+v", sess)
	}
}

// TestLines checks single lines of a JSONL chat: controls, malformed lines
// and what a rewind does.
func TestLines(t *testing.T) {
	const meta = `{"sessionId":"s","projectHash":"h","startTime":"2026-01-01T00:00:00Z"}`
	tests := []struct {
		name    string
		lines   []string
		errs    int
		prompts []string
		unknown map[string]int
	}{
		{"not JSON", []string{meta, `{"id":"a"`, `[1]`, `"x"`}, 3, nil, nil},
		{"message without id", []string{meta, `{"id":"","type":"user","content":"x"}`}, 1, nil, nil},
		{"unknown line", []string{meta, `{"$frobnicate":1}`}, 0, nil, map[string]int{"(none)": 1}},
		{"re-appended prompt keeps its place", []string{meta, `{"id":"a","type":"user","content":"one"}`, `{"id":"b","type":"user","content":"two"}`, `{"id":"a","type":"user","content":"one, edited"}`}, 0, []string{"one, edited", "two"}, nil},
		{"rewind to an unknown id clears all", []string{meta, `{"id":"a","type":"user","content":"one"}`, `{"$rewindTo":"zzz"}`, `{"id":"b","type":"user","content":"two"}`}, 0, []string{"two"}, nil},
		{"set merges metadata", []string{meta, `{"$set":{"sessionId":"s2"}}`, `{"id":"a","type":"user","content":"one"}`}, 0, []string{"one"}, nil},
		{"empty prompt", []string{meta, `{"id":"a","type":"user","content":[{"inlineData":{}}]}`}, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, errs := decodeBytes("x/chats/session-2026-01-01T00-00-s.jsonl", []byte(strings.Join(tt.lines, "\n")), false)
			if len(errs) != tt.errs {
				t.Errorf("got errors %v, want %d", errs, tt.errs)
			}
			s := dectest.NewView(recs)
			var texts []string
			for _, p := range s.Prompts.Values() {
				texts = append(texts, p.Text)
			}
			if !reflect.DeepEqual(texts, tt.prompts) {
				t.Errorf("prompts %q, want %q", texts, tt.prompts)
			}
			if !maps.Equal(s.Unknown, tt.unknown) {
				t.Errorf("unknown %v, want %v", s.Unknown, tt.unknown)
			}
		})
	}
	// The set test's session is the one $set named.
	recs, _ := decodeBytes("x/chats/session-2026-01-01T00-00-s.jsonl", []byte(tests[5].lines[0]+"\n"+tests[5].lines[1]+"\n"+tests[5].lines[2]), false)
	if s := dectest.NewView(recs); len(s.Sessions) != 1 || s.Sessions["s2"].ID != "s2" {
		t.Errorf("sessions %+v, want s2", s.Sessions)
	}
	// A malformed legacy document is one bad line.
	if _, errs := decodeBytes("x/chats/session-2025-01-01T00-00-s.json", []byte(`{"sessionId":"s","messages":[`), false); len(errs) != 1 {
		t.Errorf("truncated JSON chat: errors %v, want 1", errs)
	}
}

func TestPaths(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	dirs := []struct {
		env  map[string]string
		want []string
	}{
		{nil, []string{"/h/.gemini/tmp"}},
		{map[string]string{"GEMINI_CLI_HOME": "/alt"}, []string{"/alt/.gemini/tmp"}},
		{map[string]string{"GEMINI_DATA_DIR": "/a/tmp, ~/b ,", "GEMINI_CLI_HOME": "/alt"}, []string{"/a/tmp", "/h/b/tmp"}},
	}
	for _, tt := range dirs {
		if got := Dirs(env(tt.env), "/h"); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Dirs(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
	for rel, want := range map[string]bool{
		"p/chats/session-2026-01-01T00-00-abcd1234.json":  true,
		"p/chats/session-2026-01-01T00-00-abcd1234.jsonl": true,
		"p/chats/parent/child.jsonl":                      true,
		"p/chats/parent/child.json":                       false,
		"p/chats/notes.json":                              false,
		"p/logs.json":                                     false,
		"p/checkpoint-x.json":                             false,
		"tmp/p/chats/session-x.json":                      false,
		"p/chats/../x/session-x.json":                     false,
	} {
		if got := Match(rel); got != want {
			t.Errorf("Match(%q) = %v, want %v", rel, got, want)
		}
	}
	if got, want := Sidecars("/h/.gemini/tmp/shop/chats/p/c.jsonl"), []string{"/h/.gemini/tmp/shop/.project_root", "/h/.gemini/projects.json"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Sidecars = %q, want %q", got, want)
	}
	if !Whole("a/session-x.json") || Whole("a/session-x.jsonl") || !Replay("a/session-x.jsonl") {
		t.Error("a .json chat is whole, a .jsonl one replayed")
	}
}
