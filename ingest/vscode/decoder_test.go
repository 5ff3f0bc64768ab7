package vscode

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

const (
	shopSession  = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
	multiSession = "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8"
	emptySession = "b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e"
)

var (
	shopLog  = filepath.Join(testdata, "workspaceStorage", "a1b2c3d4e5f60718293a4b5c6d7e8f90", "chatSessions", shopSession+".jsonl")
	multiDoc = filepath.Join(testdata, "workspaceStorage", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "chatSessions", multiSession+".json")
	emptyDoc = filepath.Join(testdata, "globalStorage", "emptyWindowChatSessions", emptySession+".json")
)

func TestOwnSessions(t *testing.T) {
	type counts struct{ sessions, prompts, messages, calls, results, edits, applied, usage, unknown int }
	tests := []struct {
		name     string
		path     string
		sidecars bool
		want     counts
		cwd      string
	}{
		// The mutation log: request r1 (agent mode: a replacement, a created
		// file and a terminal command, whose edit groups the tool calls
		// cover), then r2, replaced by r2b (a push at index 1) with a
		// multi-file replacement. Messages: r1's thinking and text, r2b's
		// text. One response part of an unknown kind.
		{"mutation log", shopLog, true, counts{1, 2, 3, 4, 4, 4, 4, 0, 1}, "/home/dev/shop"},
		// Without workspace.json, the folder is the base URI of a response.
		{"mutation log without workspace.json", shopLog, false, counts{1, 2, 3, 4, 4, 4, 4, 0, 1}, "/home/dev/shop"},
		// Edit mode in a multi-root workspace (the folder of the
		// .code-workspace file): an edit group of server.go, a code block
		// applied to routes.md, a read shown only by its invocation part, and
		// a canceled request whose edit group failed.
		{"document", multiDoc, true, counts{1, 2, 2, 1, 1, 3, 2, 0, 0}, "/home/dev/multi"},
		{"empty window", emptyDoc, true, counts{1, 1, 1, 0, 0, 0, 0, 0, 0}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := view(t, tt.path, tt.sidecars)
			applied := 0
			for _, e := range s.Edits.Values() {
				if e.Status == store.EditApplied {
					applied++
				}
			}
			unknown := 0
			for _, n := range s.Unknown {
				unknown += n
			}
			got := counts{len(s.Sessions), s.Prompts.Len(), s.Messages.Len(), s.Calls.Len(), s.Results.Len(), s.Edits.Len(), applied, len(s.Usage), unknown}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			for _, ss := range s.Sessions {
				if ss.Cwd != tt.cwd {
					t.Errorf("cwd %q, want %q", ss.Cwd, tt.cwd)
				}
			}
		})
	}
}

func TestMutationLogDetails(t *testing.T) {
	s := view(t, shopLog, true)
	want := store.Session{ID: shopSession, Cwd: "/home/dev/shop", Title: "Rename total() in the cart", AgentVersion: "0.32.4", Model: "gpt-5-mini",
		Started: millis(1778231990000), Ended: millis(1778232700000)}
	if got := s.Sessions[shopSession]; got != want {
		t.Errorf("session\ngot  %+v\nwant %+v", got, want)
	}
	if got := s.PromptTexts(shopSession); !reflect.DeepEqual(got, []string{"Rename total() to sum_prices() and add a test", "Now delete the unused math import in cart.py"}) {
		t.Errorf("prompts %q (the edited request replaces the first version)", got)
	}
	p := s.Prompts.Get(dectest.Key{Session: shopSession, ID: "request_r1"})
	if p.Model != "claude-sonnet-4.5" || p.Context != "#file: /home/dev/shop/cart.py:3-4" || !p.Time.Equal(millis(1778232000000)) {
		t.Errorf("prompt r1: %+v", p)
	}
	if m := s.Messages.Get(dectest.Key{Session: shopSession, ID: "request_r1#response"}); m.Text != "I'll rename the function in `cart.py` and add a test.\n\nDone." {
		t.Errorf("response text %q", m.Text)
	}
	if m := s.Messages.Get(dectest.Key{Session: shopSession, ID: "request_r2b#response"}); m.Text != "Removed the unused `math` import." {
		t.Errorf("response text %q", m.Text)
	}
	edits := map[string]store.FileEdit{}
	for k, e := range s.Edits.All() {
		edits[k.Call+" "+filepath.Base(k.Path)] = e
	}
	if e := edits["toolu_1__vscode-1 cart.py"]; e.Added != 1 || e.Removed != 1 || e.Source != "replace_string_in_file" ||
		e.Diff != "--- a/cart.py\n+++ b/cart.py\n@@ -1,2 +1,2 @@\n-def total(items):\n+def sum_prices(items):\n     return sum(i.price for i in items)\n" {
		t.Errorf("replacement: %+v", e)
	}
	if e := edits["toolu_2__vscode-2 test_cart.py"]; e.Path != "/home/dev/shop/test_cart.py" || e.Op != store.OpAdd || e.Added != 4 {
		t.Errorf("created file (a relative path against the folder): %+v", e)
	}
	if e := edits["toolu_4__vscode-4 cart.py"]; e.Removed != 2 || e.Prompt != "request_r2b" {
		t.Errorf("multi-file replacement, cart.py: %+v", e)
	}
	if e := edits["toolu_4__vscode-4 test_cart.py"]; e.Added != 1 || e.Removed != 1 {
		t.Errorf("multi-file replacement, test_cart.py: %+v", e)
	}
	if r := s.Results.Get(dectest.Key{Session: shopSession, ID: "toolu_1__vscode-1"}); r.Output != "The following files were successfully edited:\n/home/dev/shop/cart.py" {
		t.Errorf("result text gathered from the tree: %q", r.Output)
	}
	if c := s.Calls.Get(dectest.Key{Session: shopSession, ID: "toolu_3__vscode-3"}); c.Name != "run_in_terminal" || !strings.Contains(c.Input, "pytest") {
		t.Errorf("terminal call: %+v", c)
	}
	if len(s.Usage) != 0 {
		t.Errorf("VS Code records no tokens, got %+v", s.Usage)
	}
}

func TestDocumentDetails(t *testing.T) {
	s := view(t, multiDoc, true)
	edits := map[string]store.FileEdit{}
	for k, e := range s.Edits.All() {
		edits[k.Call] = e
	}
	if e := edits["request_e1#edit2"]; e.Path != "/home/dev/multi/api/server.go" || e.Added != 1 || e.Removed != 0 ||
		e.Diff != "--- a/api/server.go\n+++ b/api/server.go\n@@ -9,0 +9,1 @@\n+\tmux.HandleFunc(\"/health\", health)\n" {
		t.Errorf("edit group: %+v", e)
	}
	if e := edits["request_e1#block3"]; e.Path != "/home/dev/multi/api/routes.md" || e.Source != "codeblockUri" || e.Diff != "" || e.Status != store.EditApplied {
		t.Errorf("code block applied: %+v", e)
	}
	if e := edits["request_e2#edit0"]; e.Status != store.EditFailed || e.Added != 0 {
		t.Errorf("edit of a canceled request: %+v", e)
	}
	if m := s.Messages.Get(dectest.Key{Session: multiSession, ID: "request_e2#error"}); m.Kind != store.MessageSystem || m.Text != "Canceled" {
		t.Errorf("error: %+v", m)
	}
	if r := s.Results.Get(dectest.Key{Session: multiSession, ID: "read-1"}); r.Output != "Read server.go" {
		t.Errorf("invocation part's result: %+v", r)
	}
}

// TestMutations checks the replay of mutation logs line by line.
func TestMutations(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string // the document, as JSON
		errs  int
	}{
		{"set creates", []string{`{"kind":0,"v":{"a":1}}`, `{"kind":1,"k":["b","c"],"v":2}`, `{"kind":1,"k":["l",0],"v":"x"}`, `{"kind":1,"k":["l",1],"v":"y"}`}, `{"a":1,"b":{"c":2},"l":["x","y"]}`, 0},
		{"no index past the end", []string{`{"kind":0,"v":{"l":[]}}`, `{"kind":1,"k":["l",1000000000],"v":1}`}, `{"l":[]}`, 1},
		{"push appends, cuts at i", []string{`{"kind":0,"v":{"r":[1,2,3]}}`, `{"kind":2,"k":["r"],"v":[4]}`, `{"kind":2,"k":["r"],"v":[9],"i":1}`, `{"kind":2,"k":["r"],"i":0}`}, `{"r":[]}`, 0},
		{"delete", []string{`{"kind":0,"v":{"a":{"b":1,"c":2},"l":[1,2,3]}}`, `{"kind":3,"k":["a","b"]}`, `{"kind":3,"k":["l",1]}`, `{"kind":3,"k":["nope","x"]}`}, `{"a":{"c":2},"l":[1,3]}`, 0},
		{"a new initial state replaces all", []string{`{"kind":0,"v":{"a":1}}`, `{"kind":0,"v":{"b":2}}`}, `{"b":2}`, 0},
		{"numbers kept exact", []string{`{"kind":0,"v":{"t":1778231990000123}}`}, `{"t":1778231990000123}`, 0},
		{"bad lines", []string{`{"kind":0,"v":{"a":1}}`, `{"kind":7}`, `{"v":1}`, `{"kind":"1"}`, `{"kind":1,"k":["a","b"],"v":1}`, `{"kind":1,"k":[{}],"v":1}`}, `{"a":1}`, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d doc
			errs := 0
			for _, l := range tt.lines {
				if err := d.apply([]byte(l)); err != nil {
					errs++
				}
			}
			if errs != tt.errs {
				t.Errorf("%d bad lines, want %d", errs, tt.errs)
			}
			if got := jsonOf(t, d.root); got != tt.want {
				t.Errorf("document %s, want %s", got, tt.want)
			}
		})
	}
}

func TestLines(t *testing.T) {
	for _, tt := range []struct {
		path, data string
		errs       int
	}{
		{"w/chatSessions/s.json", `{"sessionId":"s","requests":[`, 1},
		{"w/chatSessions/s.json", `[]`, 1},
		{"w/chatSessions/s.jsonl", "{\"kind\":0,\"v\":{}}\nnot json\n[1]\n{\"kind\":1,\"k\":[\"requests\"],\"v\":[]}", 2},
	} {
		_, errs := decodeBytes(tt.path, []byte(tt.data), false)
		if len(errs) != tt.errs {
			t.Errorf("%s %q: errors %v, want %d", tt.path, tt.data, errs, tt.errs)
		}
	}
}

func TestPaths(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tt := range []struct {
		goos  string
		env   map[string]string
		first string
	}{
		{"linux", nil, "/h/.config/Code/User/workspaceStorage"},
		{"linux", map[string]string{"XDG_CONFIG_HOME": "/x"}, "/x/Code/User/workspaceStorage"},
		{"darwin", nil, "/h/Library/Application Support/Code/User/workspaceStorage"},
		{"windows", map[string]string{"APPDATA": `C:\Users\u\AppData\Roaming`}, filepath.Join(`C:\Users\u\AppData\Roaming`, "Code", "User", "workspaceStorage")},
		{"windows", nil, ""},
		{"darwin", map[string]string{"VSCODE_APPDATA": "/a"}, "/a/Code/User/workspaceStorage"},
	} {
		got := dirs(tt.goos, env(tt.env), "/h")
		first := ""
		if len(got) > 0 {
			first = got[0]
		}
		if first != tt.first || len(got) != 2*len(products) && tt.first != "" {
			t.Errorf("dirs(%s, %v) = %q, want %d directories from %s", tt.goos, tt.env, got, 2*len(products), tt.first)
		}
	}
	if got, want := Dirs(env(map[string]string{"VSCODE_PORTABLE": "/p"}), "/h"), []string{"/p/user-data/User/workspaceStorage", "/p/user-data/User/globalStorage/emptyWindowChatSessions"}; !reflect.DeepEqual(got, want) {
		t.Errorf("portable: %q, want %q", got, want)
	}
	for rel, want := range map[string]bool{
		"abc/chatSessions/s.json":  true,
		"abc/chatSessions/s.jsonl": true,
		"s.json":                   true,
		"abc/workspace.json":       false,
		"abc/state.vscdb":          false,
		"abc/GitHub.copilot-chat/transcripts/s.jsonl": false,
		"abc/chatEditingSessions/s/state.json":        false,
	} {
		if got := Match(rel); got != want {
			t.Errorf("Match(%q) = %v, want %v", rel, got, want)
		}
	}
	if got := Sidecars("/u/workspaceStorage/abc/chatSessions/s.jsonl"); !reflect.DeepEqual(got, []string{"/u/workspaceStorage/abc/workspace.json"}) {
		t.Errorf("Sidecars = %q", got)
	}
	for in, want := range map[string]string{
		"file:///home/u/my%20repo":                 "/home/u/my repo",
		"file://~/src/repo":                        "~/src/repo",
		"vscode-remote://ssh-remote%2Bbox/srv/app": "/srv/app",
		"file:///c%3A/Users/u/app":                 "c:/Users/u/app",
	} {
		if got := uriPath(in); got != want {
			t.Errorf("uriPath(%q) = %q, want %q", in, got, want)
		}
	}
}
