package copilot

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

const (
	shopSession    = "3c9e1f52-8a4b-4d7e-9f10-6b2a5c8d7e01"
	flatSession    = "0b5d2e77-4c1a-4f3e-8d9c-1a2b3c4d5e6f"
	historySession = "77aa0c1e-5b6d-4e8f-9a0b-c1d2e3f40516"
)

var (
	eventsLog  = filepath.Join(testdata, "session-state", shopSession, "events.jsonl")
	flatLog    = filepath.Join(testdata, "session-state", flatSession+".jsonl")
	historyLog = filepath.Join(testdata, "history-session-state", "session_"+historySession+"_1759305600000.json")
)

// ownLogs lists this package's fixtures.
func ownLogs() []string { return []string{eventsLog, flatLog, historyLog} }

func TestOwnLogs(t *testing.T) {
	type counts struct{ sessions, prompts, messages, calls, results, edits, applied, usage, counted, unknown int }
	tests := []struct {
		name string
		path string
		want counts
	}{
		// Two runs (session.start, session.resume). Messages: m1's text and
		// reasoning, m4's text, the autopilot nudge (a user message with no
		// typed text), the session.error, the assistant.reasoning and the
		// abort. Calls: t-view (a str_replace_editor view: not an edit),
		// t-edit, t-create, t-bad (failed), t-sh, t-patch (two files).
		// Usage: m1-m4 and the shutdown's two models in run 1 (the shutdown
		// replaces m1-m4), m5 in run 2 (no shutdown yet: counted).
		{"events", eventsLog, counts{1, 2, 7, 6, 6, 5, 4, 7, 3, 1}},
		// The older flat log: its result has no diff, so the edit is the one
		// its arguments (a JSON string) ask for.
		{"flat", flatLog, counts{1, 1, 0, 1, 1, 1, 1, 0, 0, 0}},
		// The legacy history: info, two copilot texts; five calls of which
		// two edits applied and one failed; a "spinner" entry unknown.
		{"history", historyLog, counts{1, 1, 3, 5, 5, 3, 2, 0, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := view(t, tt.path)
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
			got := counts{len(s.Sessions), s.Prompts.Len(), s.Messages.Len(), s.Calls.Len(), s.Results.Len(), s.Edits.Len(), applied, len(s.Usage), len(s.Counted()), unknown}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEventsDetails(t *testing.T) {
	s := view(t, eventsLog)
	want := store.Session{ID: shopSession, Cwd: "/home/dev/shop", GitRemote: "github.com/dev/shop", GitBranch: "main",
		GitCommit: "1111111111111111111111111111111111111111", AgentVersion: "1.0.40", Model: "gpt-5.1-codex",
		Started: ts("2026-05-02T14:00:00Z"), Ended: ts("2026-05-02T14:30:00Z")}
	if got := s.Sessions[shopSession]; got != want {
		t.Errorf("session\ngot  %+v\nwant %+v", got, want)
	}
	p1 := s.Prompts.Get(dectest.Key{Session: shopSession, ID: "e04"})
	if p1.Text != "Rename total() to sum_prices() and add a test" || !strings.HasPrefix(p1.Context, "<current_datetime>") ||
		p1.Model != "claude-sonnet-4.5" || p1.Cwd != "/home/dev/shop" {
		t.Errorf("first prompt: %+v", p1)
	}
	// After the resume: the new cwd and model.
	p2 := s.Prompts.Get(dectest.Key{Session: shopSession, ID: "e27"})
	if p2.Context != "" || p2.Model != "gpt-5.1-codex" || p2.Cwd != "/home/dev/shop/docs" {
		t.Errorf("second prompt: %+v", p2)
	}
	if m := s.Messages.Get(dectest.Key{Session: shopSession, ID: "e21"}); m.Kind != store.MessageSystem || !strings.Contains(m.Text, "not yet marked the task as complete") {
		t.Errorf("autopilot nudge: %+v", m)
	}
	edits := map[string]store.FileEdit{}
	for k, e := range s.Edits.All() {
		edits[filepath.Base(k.Path)] = e
	}
	cart := edits["cart.py"]
	wantDiff := "--- a/cart.py\n+++ b/cart.py\n@@ -1,4 +1,4 @@\n import math\n \n-def total(items):\n+def sum_prices(items):\n     return sum(i.price for i in items)\n"
	if cart.Path != "/home/dev/shop/cart.py" || cart.Diff != wantDiff || cart.Source != "detailedContent" || cart.CallID != "t-edit" || cart.Prompt != "e04" {
		t.Errorf("edit of cart.py (a relative path against the cwd):\n%+v", cart)
	}
	if e := edits["test_cart.py"]; e.Op != store.OpAdd || e.Added != 3 || !strings.HasPrefix(e.Diff, "--- /dev/null\n+++ b/test_cart.py\n") {
		t.Errorf("create: %+v", e)
	}
	if e := edits["nope.py"]; e.Status != store.EditFailed || e.Added != 0 || e.Diff != "" {
		t.Errorf("failed edit: %+v", e)
	}
	// apply_patch: the files its diff names, against the resumed run's
	// cwd (a subdirectory) for headers: outside it, by their full paths.
	if e := edits["README.md"]; e.Path != "/home/dev/shop/README.md" || e.Added != 1 || e.CallID != "t-patch" || e.Prompt != "e27" ||
		!strings.HasPrefix(e.Diff, "--- /home/dev/shop/README.md\n") {
		t.Errorf("apply_patch README.md: %+v", e)
	}
	if e := edits["old.py"]; e.Op != store.OpDelete || e.Removed != 1 || !strings.HasPrefix(e.Diff, "--- /home/dev/shop/old.py\n+++ /dev/null\n") {
		t.Errorf("apply_patch old.py: %+v", e)
	}
	if r := s.Results.Get(dectest.Key{Session: shopSession, ID: "t-bad"}); r.Status != "error" || !strings.Contains(r.Output, "does not exist") {
		t.Errorf("failed call's result: %+v", r)
	}
	if c := s.Calls.Get(dectest.Key{Session: shopSession, ID: "t-patch"}); !strings.HasPrefix(c.Input, "*** Begin Patch") {
		t.Errorf("apply_patch input: %q, want the patch text", c.Input)
	}
	group1, group2 := shopSession+":run:1", shopSession+":run:2"
	wantCounted := []store.Usage{
		{Session: shopSession, Prompt: "e04", Time: ts("2026-05-02T14:01:00Z"), Model: "claude-sonnet-4.5", Input: 12000, CacheRead: 40000, Output: 540,
			Key: shopSession + ":shutdown:e24:claude-sonnet-4.5", Group: group1},
		{Session: shopSession, Prompt: "e04", Time: ts("2026-05-02T14:01:00Z"), Model: "gpt-5-mini", Input: 3000, Output: 50, Reasoning: 20,
			Key: shopSession + ":shutdown:e24:gpt-5-mini", Group: group1},
		{Session: shopSession, Prompt: "e27", Time: ts("2026-05-02T14:30:03Z"), Model: "gpt-5.1-codex", Output: 210,
			Key: shopSession + ":message:m5", Group: group2, Sidechain: true},
	}
	if got := s.Counted(); !reflect.DeepEqual(got, wantCounted) {
		t.Errorf("counted usage\ngot  %+v\nwant %+v", got, wantCounted)
	}
	if want := map[string]int{"telemetry.flush": 1}; !reflect.DeepEqual(s.Unknown, want) {
		t.Errorf("unknown: %+v", s.Unknown)
	}
}

func TestHistoryDetails(t *testing.T) {
	s := view(t, historyLog)
	if got := s.Sessions[historySession]; got.Cwd != "/home/dev/api" || !got.Started.Equal(ts("2025-10-01T08:00:00Z")) {
		t.Errorf("session: %+v, want the cwd of its first cd", got)
	}
	edits := map[string]store.FileEdit{}
	for k, e := range s.Edits.All() {
		edits[filepath.Base(k.Path)] = e
	}
	if e := edits["server.go"]; e.Added != 1 || !strings.HasPrefix(e.Diff, "--- a/server.go\n+++ b/server.go\n@@ -7,5 +7,6 @@\n") {
		t.Errorf("str_replace: %+v", e)
	}
	if e := edits["health.go"]; e.Op != store.OpAdd || e.Added != 5 {
		t.Errorf("create: %+v", e)
	}
	if e := edits["main.go"]; e.Status != store.EditFailed {
		t.Errorf("failed str_replace: %+v", e)
	}
	if r := s.Results.Get(dectest.Key{Session: historySession, ID: "toolu_1"}); r.Output != "go.mod\nserver.go" || r.Status != "ok" {
		t.Errorf("bash result: %+v", r)
	}
}

func TestLines(t *testing.T) {
	tests := []struct {
		name string
		line string
		err  bool
		want []string // record kinds
	}{
		{"not JSON", `{"type":`, true, nil},
		{"array", `[1,2]`, true, nil},
		{"no type", `{"data":{}}`, false, []string{"unknown (none)"}},
		{"data of another type", `{"type":"user.message","data":"hi","id":"x"}`, false, []string{"session"}},
		{"string arguments", `{"type":"tool.execution_start","data":{"toolCallId":"c","toolName":"create","arguments":"{\"path\":\"/a/b.txt\",\"file_text\":\"x\\n\"}"},"id":"y"}`, false,
			[]string{"session", "tool call", "edit /a/b.txt add +1"}},
		{"view is no edit", `{"type":"tool.execution_start","data":{"toolCallId":"c","toolName":"str_replace_editor","arguments":{"command":"view","path":"/a"}}}`, false,
			[]string{"session", "tool call"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := New("s/x/events.jsonl", nil)
			var got []string
			err := d.Line(1, []byte(tt.line), func(r store.Record) {
				switch x := r.(type) {
				case store.Session:
					got = append(got, "session")
				case store.ToolCall:
					got = append(got, "tool call")
				case store.FileEdit:
					got = append(got, "edit "+x.Path+" "+x.Op+" +"+string(rune('0'+x.Added)))
				case store.Unknown:
					got = append(got, "unknown "+x.Type)
				default:
					got = append(got, "other")
				}
			})
			if (err != nil) != tt.err {
				t.Errorf("error %v, want error %v", err, tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("records %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPaths(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if got, want := Dirs(env(nil), "/h"), []string{"/h/.copilot/session-state", "/h/.copilot/history-session-state"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dirs = %q, want %q", got, want)
	}
	if got, want := Dirs(env(map[string]string{"COPILOT_HOME": "~/cp"}), "/h"), []string{"/h/cp/session-state", "/h/cp/history-session-state"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dirs with COPILOT_HOME = %q, want %q", got, want)
	}
	for rel, want := range map[string]bool{
		"abc/events.jsonl":               true,
		"abc.jsonl":                      true,
		"session_abc_1760182820882.json": true,
		"abc/workspace.yaml":             false,
		"abc/checkpoints/index.jsonl":    false,
		"abc/other.jsonl":                false,
		"config.json":                    false,
	} {
		if got := Match(rel); got != want {
			t.Errorf("Match(%q) = %v, want %v", rel, got, want)
		}
	}
	for p, want := range map[string]string{
		"/h/.copilot/session-state/abc/events.jsonl":                                 "abc",
		"/h/.copilot/session-state/abc.jsonl":                                        "abc",
		"/h/.copilot/history-session-state/session_06141331-92e8_1760182820882.json": "06141331-92e8",
	} {
		if got := pathSession(p); got != want {
			t.Errorf("pathSession(%q) = %q, want %q", p, got, want)
		}
	}
}
