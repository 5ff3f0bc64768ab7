package claude

import (
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

const (
	shopSession = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	oldSession  = "3b4c5d6e-7f80-4912-a3b4-c5d6e7f80912"
	newSession  = "c1d2e3f4-a5b6-4c7d-8e9f-a0b1c2d3e4f5"
	apiSession  = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
)

func shopFile() string { return filepath.Join(testdata, "-home-dev-shop", shopSession+".jsonl") }

// TestShopSession decodes a 2.1-era main transcript that holds every kind
// of line the decoder knows.
func TestShopSession(t *testing.T) {
	recs := decodeFile(t, shopFile())
	m := dectest.NewView(recs)

	t.Run("session", func(t *testing.T) {
		if len(m.Sessions) != 1 {
			t.Fatalf("got sessions %v, want only %s", keys(m.Sessions), shopSession)
		}
		got := m.Sessions[shopSession]
		want := store.Session{
			ID:           shopSession,
			Cwd:          "/home/dev/shop",
			GitBranch:    "main",
			AgentVersion: "2.1.42",
			Originator:   "cli",
			Title:        "Cart rounding", // custom-title outranks the later ai-title and the summary
			Model:        "claude-opus-4-6",
			Started:      ts("2026-02-16T09:00:01.000Z"),
		}
		got.Ended = time.Time{} // the store widens the span with every record's time
		if got != want {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})

	t.Run("prompts", func(t *testing.T) {
		got := m.PromptTexts(shopSession)
		want := []string{
			"/clear",
			"/review src/shop/cart.py",
			"Fix the rounding bug in cart totals",
			"!pytest -q tests/test_cart.py",
			"Now add a discount test like in this screenshot",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got prompts %q\nwant %q", got, want)
		}
		review := m.Prompts.Get(dectest.Key{Session: shopSession, ID: "u-0004"})
		if review.Context != "Review the file src/shop/cart.py for correctness and style." {
			t.Errorf("got /review context %q, want its expansion", review.Context)
		}
		fix := m.Prompts.Get(dectest.Key{Session: shopSession, ID: "u-0006"})
		if !strings.HasPrefix(fix.Context, "<ide_opened_file>") || !strings.Contains(fix.Context, "<system-reminder>") {
			t.Errorf("got context %q, want the IDE block and the reminder", fix.Context)
		}
		// A prompt's model is the one that answers it, known from the next
		// assistant line: the first prompt of the session has one too.
		if fix.Cwd != "/home/dev/shop" || fix.Model != "claude-opus-4-6" || !fix.Time.Equal(ts("2026-02-16T09:00:10Z")) {
			t.Errorf("got prompt %+v, want cwd, the model answering it, the line's time", fix)
		}
		if last := m.Prompts.Get(dectest.Key{Session: shopSession, ID: "u-0032"}); last.Model != "claude-opus-4-6" {
			t.Errorf("got model %q for the last prompt, want the model answering it", last.Model)
		}
		// The shell command got no answer but Claude Code's own API error
		// ("<synthetic>"); the slash command none before the next prompt.
		for _, id := range []string{"u-0025", "u-0004"} {
			if p := m.Prompts.Get(dectest.Key{Session: shopSession, ID: id}); p.Model != "" {
				t.Errorf("got model %q for unanswered prompt %s, want none", p.Model, id)
			}
		}
	})

	t.Run("messages", func(t *testing.T) {
		want := map[string]struct{ kind, text, prompt string }{
			"a-0007#0": {store.MessageReasoning, "The total should use Decimal to avoid float drift.", "u-0006"},
			"a-0008#0": {store.MessageAssistant, "I'll switch the total to Decimal arithmetic.", "u-0006"},
			"u-0023#0": {store.MessageSystem, "[Request interrupted by user for tool use]", "u-0006"},
			"s-0024":   {store.MessageSystem, "Stop hooks: ruff format", "u-0006"},
			"u-0026":   {store.MessageSystem, "1 passed in 0.01s", "u-0025"},
			"s-0027":   {store.MessageSystem, "Conversation compacted (auto, 155000 tokens before)", "u-0025"},
			"u-0028":   {store.MessageSystem, "This session is being continued from a previous conversation that ran out of context. The conversation is summarized below:\nThe user asked to fix rounding in cart totals.", "u-0025"},
			"s-0030":   {store.MessageSystem, "API error: Overloaded (retry 1/10)", "u-0025"},
			"a-0031#0": {store.MessageSystem, `API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, "u-0025"},
			"a-0033#0": {store.MessageAssistant, "Adding the discount test.", "u-0032"},
			"a-0034#0": {store.MessageAssistant, "(a line whose empty requestId ccusage rejects)", "u-0032"},
			"a-0035#0": {store.MessageAssistant, "A message without an id is never de-duplicated.", "u-0032"},
		}
		if m.Messages.Len() != len(want) {
			t.Errorf("got %d messages, want %d", m.Messages.Len(), len(want))
		}
		for k, w := range want {
			got, ok := m.Messages.Lookup(dectest.Key{Session: shopSession, ID: k})
			if !ok {
				t.Errorf("message %s missing", k)
				continue
			}
			if got.Kind != w.kind || got.Text != w.text || got.Prompt != w.prompt {
				t.Errorf("message %s: got %s %q (prompt %s), want %s %q (prompt %s)", k, got.Kind, got.Text, got.Prompt, w.kind, w.text, w.prompt)
			}
		}
	})

	t.Run("tool calls", func(t *testing.T) {
		want := map[string]struct{ name, status string }{
			"toolu_01Edit":     {"Edit", "ok"},
			"toolu_01Multi":    {"MultiEdit", "ok"},
			"toolu_01WriteNew": {"Write", "ok"},
			"toolu_01WriteOld": {"Write", "ok"},
			"toolu_01Nb":       {"NotebookEdit", "ok"},
			"toolu_01EditErr":  {"Edit", "error"},
			"toolu_01Bash":     {"Bash", "ok"},
		}
		if m.Calls.Len() != len(want) || m.Results.Len() != len(want) {
			t.Errorf("got %d calls and %d results, want %d of each", m.Calls.Len(), m.Results.Len(), len(want))
		}
		for id, w := range want {
			c, r := m.Calls.Get(dectest.Key{Session: shopSession, ID: id}), m.Results.Get(dectest.Key{Session: shopSession, ID: id})
			if c.Name != w.name || r.Status != w.status || c.Prompt != "u-0006" {
				t.Errorf("%s: got %s/%s (prompt %s), want %s/%s (prompt u-0006)", id, c.Name, r.Status, c.Prompt, w.name, w.status)
			}
		}
		if got := m.Calls.Get(dectest.Key{Session: shopSession, ID: "toolu_01Bash"}).Input; got != `{"command":"pytest -q","description":"Run the tests"}` {
			t.Errorf("got input %s, want the tool_use input as written", got)
		}
		if got := m.Results.Get(dectest.Key{Session: shopSession, ID: "toolu_01Bash"}).Output; got != "1 passed in 0.02s" {
			t.Errorf("got output %q, want the text of the result blocks", got)
		}
	})

	t.Run("edits", func(t *testing.T) {
		type want struct {
			op             string
			added, removed int
			source, status string
			diff           string
		}
		cases := map[dectest.EditKey]want{
			{Session: shopSession, Call: "toolu_01Edit", Path: "/home/dev/shop/src/shop/cart.py"}: {store.OpUpdate, 2, 2, "structuredPatch", store.EditApplied,
				"--- a/src/shop/cart.py\n+++ b/src/shop/cart.py\n@@ -3,5 +3,5 @@\n def total(items):\n-    s = 0\n+    s = Decimal(0)\n     for i in items:\n-        s += i.price\n+        s += Decimal(str(i.price))\n     return s\n"},
			{Session: shopSession, Call: "toolu_01Multi", Path: "/home/dev/shop/src/shop/money.py"}: {store.OpUpdate, 3, 2, "structuredPatch", store.EditApplied,
				"--- a/src/shop/money.py\n+++ b/src/shop/money.py\n@@ -1,4 +1,5 @@\n from decimal import Decimal\n \n-ROUND = 2\n+ROUND = 2\n+MODE = ROUND_HALF_UP\n \n@@ -6,2 +7,2 @@\n def money(x):\n-    return round(x, ROUND)\n+    return x.quantize(Decimal(10) ** -ROUND, MODE)\n"},
			{Session: shopSession, Call: "toolu_01WriteNew", Path: "/home/dev/shop/tests/test_cart.py"}: {store.OpAdd, 5, 0, "toolUseResult", store.EditApplied,
				"--- /dev/null\n+++ b/tests/test_cart.py\n@@ -0,0 +1,5 @@\n+from shop.cart import total\n+\n+\n+def test_total_rounds():\n+    assert total([]) == 0\n"},
			{Session: shopSession, Call: "toolu_01WriteOld", Path: "/home/dev/shop/README.md"}: {store.OpUpdate, 1, 1, "structuredPatch", store.EditApplied,
				"--- a/README.md\n+++ b/README.md\n@@ -1,3 +1,3 @@\n # Shop\n \n-Totals are floats.\n+Totals are exact (Decimal).\n"},
			// NotebookEdit: its result has no patch; the input's cell
			// source stands, the relative path made absolute.
			{Session: shopSession, Call: "toolu_01Nb", Path: "/home/dev/shop/notebooks/explore.ipynb"}: {store.OpUpdate, 2, 0, "tool_use", store.EditApplied,
				"--- a/notebooks/explore.ipynb\n+++ b/notebooks/explore.ipynb\n@@ -0,0 +1,2 @@\n+from decimal import Decimal\n+total = Decimal('0.1') + Decimal('0.2')\n"},
			{Session: shopSession, Call: "toolu_01EditErr", Path: "/home/dev/shop/src/shop/tax.py"}: {store.OpUpdate, 0, 0, "tool_result", store.EditFailed, ""},
		}
		if m.Edits.Len() != len(cases) {
			t.Errorf("got %d edits, want %d", m.Edits.Len(), len(cases))
		}
		for k, w := range cases {
			e, ok := m.Edits.Lookup(k)
			if !ok {
				t.Errorf("edit %v missing", k)
				continue
			}
			got := want{e.Op, e.Added, e.Removed, e.Source, e.Status, e.Diff}
			if got != w {
				t.Errorf("edit %s:\ngot  %+v\nwant %+v", k.Call, got, w)
			}
			if e.Prompt != "u-0006" {
				t.Errorf("edit %s: got prompt %q, want u-0006", k.Call, e.Prompt)
			}
		}
	})

	t.Run("usage", func(t *testing.T) {
		type u struct {
			key       string
			model     string
			in, out   int64
			cw, cw1h  int64
			cr        int64
			sidechain bool
		}
		var got []u
		for _, x := range dectest.Of[store.Usage](recs) {
			got = append(got, u{x.Key, x.Model, x.Input, x.Output, x.CacheWrite, x.CacheWrite1h, x.CacheRead, x.Sidechain})
			if x.Group != strings.Split(x.Key, ":")[0] {
				t.Errorf("usage %s: got group %q, want message.id", x.Key, x.Group)
			}
		}
		want := []u{
			// One response split over three lines, output growing.
			{"msg_01Shop0001:req_01Shop0001", "claude-opus-4-6", 3, 9, 5376, 5376, 21440, false},
			{"msg_01Shop0001:req_01Shop0001", "claude-opus-4-6", 3, 9, 5376, 5376, 21440, false},
			{"msg_01Shop0001:req_01Shop0001", "claude-opus-4-6", 3, 412, 5376, 5376, 21440, false},
			{"msg_01Shop0002:req_01Shop0002", "claude-opus-4-6", 6, 230, 410, 0, 26816, false},
			{"msg_01Shop0003:req_01Shop0003", "claude-opus-4-6", 5, 120, 300, 0, 27226, false},
			{"msg_01Shop0004:req_01Shop0004", "claude-opus-4-6", 5, 60, 200, 0, 27526, false},
			{"msg_01Shop0005:req_01Shop0005", "claude-opus-4-6", 5, 80, 150, 0, 27726, false},
			{"msg_01Shop0006:req_01Shop0006", "claude-opus-4-6", 5, 70, 120, 0, 27876, false},
			{"msg_01Shop0007:req_01Shop0007", "claude-opus-4-6", 5, 40, 100, 0, 27996, false},
			// The API error Claude Code wrote itself: counted (zero), not priced.
			{"8a4a2bd3-3e0e-4a8e-9d7f-9b1c6f1e2a31:", "<synthetic>", 0, 0, 0, 0, 0, false},
			{"msg_01Shop0008:req_01Shop0008", "claude-opus-4-6", 4, 22, 600, 0, 28100, false},
			// a-0034 (empty requestId) is skipped as ccusage skips it;
			// a-0035 has no message.id: no key. The agent_progress line's
			// embedded usage is not counted.
			{"", "claude-opus-4-6", 1, 2, 0, 0, 10, false},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got usage\n%v\nwant\n%v", got, want)
		}
		sum := m.Total().Output
		if sum != 412+230+120+60+80+70+40+0+22+2 {
			t.Errorf("got %d output tokens after de-duplication, want the largest copy of each response", sum)
		}
	})

	t.Run("link and unknown", func(t *testing.T) {
		wantLink := []store.Link{{Session: shopSession, Time: ts("2026-02-16T09:04:00Z"), Kind: "pr", URL: "https://github.com/dev/shop/pull/42", Title: "dev/shop#42"}}
		if got := dectest.Of[store.Link](recs); !reflect.DeepEqual(got, wantLink) {
			t.Errorf("got links %+v, want %+v", got, wantLink)
		}
		wantUnknown := []store.Unknown{{Session: shopSession, Type: "telemetry-blip"}}
		if got := dectest.Of[store.Unknown](recs); !reflect.DeepEqual(got, wantUnknown) {
			t.Errorf("got unknown %+v, want %+v (bookkeeping lines are quiet)", got, wantUnknown)
		}
	})
}

// TestSubagents covers the three places sub-agent lines live: inline
// sidechain lines in the main transcript, the old agent-<id>.jsonl beside
// it, and the 2.1 layout <session>/subagents/agent-<id>.jsonl.
func TestSubagents(t *testing.T) {
	dir := filepath.Join(testdata, "-home-dev-api")
	tests := []struct {
		name     string
		file     string
		sessions map[string]store.Session // ID, ParentID, Relation, Model only
		prompts  map[string][]string
		files    []string
	}{
		{
			name: "inline sidechain",
			file: apiSession + ".jsonl",
			sessions: map[string]store.Session{
				apiSession:      {ID: apiSession, Model: "claude-sonnet-4-5-20250929"},
				"agent-b7c8d9e": {ID: "agent-b7c8d9e", ParentID: apiSession, Relation: "subagent", Model: "claude-haiku-4-5-20251001"},
			},
			prompts: map[string][]string{
				apiSession:      {"Find where the rate limiter is configured"},
				"agent-b7c8d9e": {"Search the code base for the rate limiter configuration."},
			},
		},
		{
			name: "old layout, parent's sessionId, one line without agentId",
			file: "agent-4c5d6e7f.jsonl",
			sessions: map[string]store.Session{
				"agent-4c5d6e7f": {ID: "agent-4c5d6e7f", ParentID: apiSession, Relation: "subagent", Model: "claude-haiku-4-5-20251001"},
			},
			prompts: map[string][]string{"agent-4c5d6e7f": {"Raise the limit to 200/minute in app/limits.py"}},
			files:   []string{"/home/dev/api/app/limits.py"},
		},
		{
			name: "2.1 layout",
			file: filepath.Join(apiSession, "subagents", "agent-a1b2c3d4e5f6a7b8c.jsonl"),
			sessions: map[string]store.Session{
				"agent-a1b2c3d4e5f6a7b8c": {ID: "agent-a1b2c3d4e5f6a7b8c", ParentID: apiSession, Relation: "subagent", Model: "claude-haiku-4-5-20251001"},
			},
			prompts: map[string][]string{"agent-a1b2c3d4e5f6a7b8c": {"List the API routes"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := dectest.NewView(decodeFile(t, filepath.Join(dir, tt.file)))
			got := map[string]store.Session{}
			for id, s := range m.Sessions {
				got[id] = store.Session{ID: s.ID, ParentID: s.ParentID, Relation: s.Relation, Model: s.Model}
			}
			if !reflect.DeepEqual(got, tt.sessions) {
				t.Errorf("got sessions %+v\nwant %+v", got, tt.sessions)
			}
			for s, want := range tt.prompts {
				if got := m.PromptTexts(s); !reflect.DeepEqual(got, want) {
					t.Errorf("session %s: got prompts %q, want %q", s, got, want)
				}
			}
			if got := editedFiles(m); !reflect.DeepEqual(got, tt.files) && len(got)+len(tt.files) > 0 {
				t.Errorf("got edited files %q, want %q", got, tt.files)
			}
		})
	}

	t.Run("sidechain usage", func(t *testing.T) {
		recs := decodeFile(t, filepath.Join(dir, apiSession+".jsonl"))
		for _, u := range dectest.Of[store.Usage](recs) {
			if u.Sidechain != (u.Session == "agent-b7c8d9e") {
				t.Errorf("usage %s in %s: got sidechain %v", u.Key, u.Session, u.Sidechain)
			}
		}
		// The sidechain replay of msg_01Api0001 (another requestId) is
		// dropped by the store; the Task result's usage is never emitted.
		kept := dectest.NewView(recs).Counted()
		var out int64
		for _, u := range kept {
			out += u.Output
		}
		if len(kept) != 4 || out != 90+61+40+30 {
			t.Errorf("got %d entries and %d output tokens after de-duplication, want 4 and %d", len(kept), out, 90+61+40+30)
		}
	})

	t.Run("parent from the path", func(t *testing.T) {
		p := filepath.Join(dir, apiSession, "subagents", "workflows", "wf1", "agent-ffff.jsonl")
		line := `{"type":"user","uuid":"x1","isSidechain":true,"timestamp":"2026-01-23T17:00:00Z","message":{"role":"user","content":"hello"}}`
		m := dectest.NewView(decodeLines(t, p, line))
		want := store.Session{ID: "agent-ffff", ParentID: apiSession, Relation: "subagent", Started: ts("2026-01-23T17:00:00Z"), Ended: ts("2026-01-23T17:00:00Z")}
		if got := m.Sessions["agent-ffff"]; got != want || len(m.Sessions) != 1 {
			t.Errorf("got sessions %+v, want %+v", m.Sessions, want)
		}
	})
}

// TestResumedSession decodes a file that starts with copies of an earlier
// session's lines (their own sessionId and uuids) and goes on with a new
// session: each line stays in its own session, and the copies give the
// same keys as the earlier session's own file, so the store keeps one.
func TestResumedSession(t *testing.T) {
	dir := filepath.Join(testdata, "-home-dev-shop")
	oldRecs := decodeFile(t, filepath.Join(dir, oldSession+".jsonl"))
	resRecs := decodeFile(t, filepath.Join(dir, newSession+".jsonl"))
	old, res := dectest.NewView(oldRecs), dectest.NewView(resRecs)

	if got := keys(res.Sessions); !reflect.DeepEqual(got, []string{oldSession, newSession}) {
		t.Errorf("got sessions %q, want both", got)
	}
	if got := res.Sessions[newSession].Title; got != "Configurable tax rate" {
		t.Errorf("got title %q, want the summary's (it titles this file's session)", got)
	}
	if res.Sessions[oldSession].Title != "" {
		t.Errorf("the earlier session got a title from the later file's summary")
	}
	for k, p := range old.Prompts.All() {
		if q, ok := res.Prompts.Lookup(k); !ok || q != p {
			t.Errorf("prompt %v: got %+v in the resumed file, want the same as in the earlier file %+v", k, q, p)
		}
	}
	for k, e := range old.Edits.All() {
		if f, ok := res.Edits.Lookup(k); !ok || f != e {
			t.Errorf("edit %v: got %+v in the resumed file, want %+v", k, f, e)
		}
	}
	oldKeys := map[string]bool{}
	for _, u := range dectest.Of[store.Usage](oldRecs) {
		oldKeys[u.Key] = true
	}
	for _, u := range dectest.Of[store.Usage](resRecs) {
		if u.Session == oldSession && !oldKeys[u.Key] {
			t.Errorf("usage %s of the copied lines has a key the earlier file does not have", u.Key)
		}
	}
	if got := res.PromptTexts(newSession); !reflect.DeepEqual(got, []string{"Document TAX_RATE in the README"}) {
		t.Errorf("got new session prompts %q", got)
	}
	// A summary can stand before the first line naming a session and
	// titles the file's session even so.
	e := res.Edits.Get(dectest.EditKey{Session: newSession, Call: "toolu_01NewEdit", Path: "/home/dev/shop/README.md"})
	if e.Source != "structuredPatch" || e.Added != 2 || e.Removed != 0 {
		t.Errorf("got edit %+v, want the applied patch (userModified needs nothing)", e)
	}
}

// TestUserLines checks which user lines are prompts and what else they
// give, one line at a time.
func TestUserLines(t *testing.T) {
	const head = `{"type":"user","sessionId":"s1","cwd":"/w","version":"2.1.42","timestamp":"2026-01-01T00:00:00Z","uuid":"u1",`
	tests := []struct {
		name    string
		line    string
		text    string // the prompt's text, "" for none
		context string
		system  string // a system message's text, "" for none
	}{
		{"string", `"message":{"role":"user","content":"Add a test"}}`, "Add a test", "", ""},
		{"text blocks", `"message":{"role":"user","content":[{"type":"text","text":"One"},{"type":"text","text":"Two"}]}}`, "One\n\nTwo", "", ""},
		{"image and text", `"message":{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}},{"type":"text","text":"Like this"}]}}`, "Like this", "", ""},
		{"meta", `"isMeta":true,"message":{"role":"user","content":"Caveat: …"}}`, "", "", ""},
		{"compact summary", `"isCompactSummary":true,"message":{"role":"user","content":"This session is being continued…"}}`, "", "", "This session is being continued…"},
		{"system reminder only", `"message":{"role":"user","content":"<system-reminder>\nx\n</system-reminder>"}}`, "", "", ""},
		{"unclosed system reminder", `"message":{"role":"user","content":"<system-reminder>x"}}`, "", "", ""},
		{"typed text with a reminder", `"message":{"role":"user","content":"Fix it\n<system-reminder>r</system-reminder>"}}`, "Fix it", "<system-reminder>r</system-reminder>", ""},
		{"ide selection", `"message":{"role":"user","content":[{"type":"text","text":"<ide_selection>The user selected the lines 1 to 2</ide_selection>"},{"type":"text","text":"Why?"}]}}`, "Why?", "<ide_selection>The user selected the lines 1 to 2</ide_selection>", ""},
		{"interrupt", `"message":{"role":"user","content":[{"type":"text","text":"[Request interrupted by user]"}]}}`, "", "", "[Request interrupted by user]"},
		{"tool result", `"message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}}`, "", "", ""},
		{"slash command", `"message":{"role":"user","content":"<command-name>/model</command-name>\n<command-message>model</command-message>\n<command-args>opus</command-args>"}}`, "/model opus", "", ""},
		{"old slash command", `"message":{"role":"user","content":"<command-name>clear</command-name>\n<command-message>clear</command-message>\n<command-args></command-args>"}}`, "/clear", "", ""},
		{"command output", `"message":{"role":"user","content":"<local-command-stdout>Set model to opus</local-command-stdout>"}}`, "", "", "Set model to opus"},
		{"empty command output", `"message":{"role":"user","content":"<local-command-stdout>(no content)</local-command-stdout>"}}`, "", "", ""},
		{"bash mode", `"message":{"role":"user","content":"<bash-input>ls -la</bash-input>"}}`, "!ls -la", "", ""},
		{"bash output", `"message":{"role":"user","content":"<bash-stdout>a\nb</bash-stdout><bash-stderr></bash-stderr>"}}`, "", "", "a\nb"},
		{"caveat without isMeta", `"message":{"role":"user","content":"<local-command-caveat>Caveat</local-command-caveat>"}}`, "", "", ""},
		{"no message", `"toolUseResult":"x"}`, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := dectest.NewView(decodeLines(t, "p/s1.jsonl", head+tt.line))
			var text, context, system string
			for _, p := range m.Prompts.Values() {
				text, context = p.Text, p.Context
				if p.Key != "u1" || p.Cwd != "/w" {
					t.Errorf("got prompt %+v, want key u1 and cwd /w", p)
				}
			}
			for _, msg := range m.Messages.Values() {
				if msg.Kind == store.MessageSystem {
					system = msg.Text
				}
			}
			if m.Prompts.Len() > 1 || text != tt.text || context != tt.context || system != tt.system {
				t.Errorf("got prompt %q (context %q), system %q; want %q (%q), %q", text, context, system, tt.text, tt.context, tt.system)
			}
		})
	}
}

// TestUsageValidity checks the usage entries ccusage skips, and the ones it
// counts in a special way.
func TestUsageValidity(t *testing.T) {
	line := func(top, msg, usage string) string {
		return `{"type":"assistant","uuid":"a1","sessionId":"s1","cwd":"/w","timestamp":"2026-01-01T00:00:00Z"` + top +
			`,"message":{"role":"assistant","content":[{"type":"text","text":"hi"}]` + msg +
			`,"usage":{"input_tokens":1,"output_tokens":2,"cache_creation_input_tokens":3,"cache_read_input_tokens":4` + usage + `}}}`
	}
	const ok = `,"version":"2.1.42","requestId":"req_1"`
	const id = `,"id":"msg_1","model":"claude-opus-4-6"`
	tests := []struct {
		name  string
		line  string
		model string // "" when no entry is expected
		key   string
	}{
		{"valid", line(ok, id, ""), "claude-opus-4-6", "msg_1:req_1"},
		{"no version", line(`,"requestId":"req_1"`, id, ""), "claude-opus-4-6", "msg_1:req_1"},
		{"no requestId", line(`,"version":"2.1.42"`, id, ""), "claude-opus-4-6", "msg_1:"},
		{"no message id", line(ok, `,"model":"claude-opus-4-6"`, ""), "claude-opus-4-6", ""},
		{"version not semver", line(`,"version":"[REDACTED:x]","requestId":"req_1"`, id, ""), "", ""},
		{"version two parts", line(`,"version":"2.1","requestId":"req_1"`, id, ""), "", ""},
		{"version null", line(`,"version":null,"requestId":"req_1"`, id, ""), "", ""},
		{"empty requestId", line(`,"version":"2.1.42","requestId":""`, id, ""), "", ""},
		{"empty sessionId", strings.Replace(line(ok, id, ""), `"sessionId":"s1"`, `"sessionId":""`, 1), "", ""},
		{"empty message id", line(ok, `,"id":"","model":"claude-opus-4-6"`, ""), "", ""},
		{"empty model", line(ok, `,"id":"msg_1","model":""`, ""), "", ""},
		{"null model", line(ok, `,"id":"msg_1","model":null`, ""), "", ""},
		{"null cwd", strings.Replace(line(ok, id, ""), `"cwd":"/w"`, `"cwd":null`, 1), "", ""},
		{"no timestamp", strings.Replace(line(ok, id, ""), `"timestamp":"2026-01-01T00:00:00Z"`, `"timestamp":"[trimmed]"`, 1), "", ""},
		{"sidechain not a boolean", line(ok+`,"isSidechain":"yes"`, id, ""), "", ""},
		{"null cache read", line(ok, id, `,"cache_read_input_tokens":null`), "", ""},
		{"fractional tokens", strings.Replace(line(ok, id, ""), `"input_tokens":1`, `"input_tokens":1.5`, 1), "", ""},
		{"fast mode", line(ok, id, `,"speed":"fast"`), "claude-opus-4-6-fast", "msg_1:req_1"},
		{"standard speed", line(ok, id, `,"speed":"standard"`), "claude-opus-4-6", "msg_1:req_1"},
		{"unknown speed", line(ok, id, `,"speed":"warp"`), "", ""},
		{"synthetic", line(ok, `,"id":"msg_1","model":"<synthetic>"`, ""), "<synthetic>", "msg_1:req_1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := decodeLines(t, "p/s1.jsonl", tt.line)
			m, usage := dectest.NewView(recs), dectest.Of[store.Usage](recs)
			if m.Messages.Len() != 1 {
				t.Errorf("got %d messages, want the text whatever the usage", m.Messages.Len())
			}
			switch {
			case tt.model == "" && len(usage) != 0:
				t.Errorf("got usage %+v, want none", usage)
			case tt.model != "" && len(usage) != 1:
				t.Errorf("got %d usage entries, want 1", len(usage))
			case tt.model != "":
				u := usage[0]
				want := store.Usage{Session: "s1", Time: ts("2026-01-01T00:00:00Z"), Model: tt.model, Input: 1, Output: 2, CacheWrite: 3, CacheRead: 4,
					Key: tt.key, Group: strings.TrimSuffix(strings.Split(tt.key, ":")[0], ":")}
				if u != want {
					t.Errorf("got  %+v\nwant %+v", u, want)
				}
			}
		})
	}
}

// TestTitles checks that a custom title beats an AI title, which beats a
// summary, whatever their order.
func TestTitles(t *testing.T) {
	const (
		summary = `{"type":"summary","summary":"From summary","leafUuid":"x"}`
		ai      = `{"type":"ai-title","aiTitle":"From AI","sessionId":"s1"}`
		custom  = `{"type":"custom-title","customTitle":"From user","sessionId":"s1"}`
	)
	tests := []struct {
		lines []string
		want  string
	}{
		{[]string{summary}, "From summary"},
		{[]string{summary, ai}, "From AI"},
		{[]string{ai, summary}, "From AI"},
		{[]string{custom, ai, summary}, "From user"},
		{[]string{summary, custom, ai}, "From user"},
		{[]string{summary, `{"type":"summary","summary":"Later summary","leafUuid":"y"}`}, "Later summary"},
	}
	for _, tt := range tests {
		m := dectest.NewView(decodeLines(t, "proj/s1.jsonl", tt.lines...))
		if got := m.Sessions["s1"].Title; got != tt.want || len(m.Sessions) != 1 {
			t.Errorf("%d lines: got title %q (sessions %v), want %q", len(tt.lines), got, keys(m.Sessions), tt.want)
		}
	}
}

// TestBadLines checks that malformed lines are errors, never panics, and
// that the decoder goes on after them.
func TestBadLines(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		wantErr bool
	}{
		{"not JSON", `this is not json`, true},
		{"truncated object", `{"type":"user","sessionId":"s1","message":{"role":"user","content":"Add a te`, true},
		{"trailing garbage", `{"type":"user"} {`, true},
		{"array", `[1,2,3]`, true},
		{"string", `"user"`, true},
		{"null", `null`, true},
		{"blank", ` `, false},
		{"wrong field types", `{"type":"user","uuid":7,"sessionId":["s"],"message":{"content":{"a":1}},"isMeta":"yes"}`, false},
		{"no type", `{"sessionId":"s1"}`, false},
		{"wrong block types", `{"type":"assistant","uuid":"a","message":{"content":[1,"x",null,{"type":"tool_use","id":5,"input":[1]}],"usage":{"input_tokens":"1"}}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := New("p/s1.jsonl", nil)
			err := d.Line(1, []byte(tt.line), func(store.Record) {})
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			var recs []store.Record
			if err := d.Line(2, []byte(`{"type":"user","sessionId":"s1","uuid":"u2","message":{"role":"user","content":"next"}}`), func(r store.Record) { recs = append(recs, r) }); err != nil {
				t.Fatal(err)
			}
			if got := dectest.NewView(recs).PromptTexts("s1"); !reflect.DeepEqual(got, []string{"next"}) {
				t.Errorf("got prompts %q after the bad line, want the next line decoded", got)
			}
		})
	}
	t.Run("unknown types", func(t *testing.T) {
		d, _ := New("p/s1.jsonl", nil)
		var recs []store.Record
		for i, l := range []string{`{"sessionId":"s1"}`, `{"type":"started","key":"v2:k"}`, `{"type":"queue-operation","operation":"dequeue"}`} {
			if err := d.Line(i+1, []byte(l), func(r store.Record) { recs = append(recs, r) }); err != nil {
				t.Fatal(err)
			}
		}
		want := []store.Record{store.Unknown{Session: "s1", Type: "(none)"}, store.Unknown{Session: "s1", Type: "started"}}
		if !reflect.DeepEqual(recs, want) {
			t.Errorf("got %+v, want %+v", recs, want)
		}
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
