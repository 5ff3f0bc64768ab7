package opencode

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

var testdata = filepath.Join("..", "..", "testdata", "opencode")

var newDec = dectest.For(New, "x")

// treeLines returns the fixture tree's records as the pipeline gives
// them: sessions, parts with their message, messages, each by path (the
// files of a checkout share their modification time).
func treeLines(t testing.TB) [][]byte {
	t.Helper()
	root := filepath.Join(testdata, "storage")
	var out [][]byte
	for _, c := range Collections(root) {
		var paths []string
		filepath.WalkDir(filepath.Join(root, c.Name), func(p string, e fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".json") {
				paths = append(paths, p)
			}
			return nil
		})
		sort.Strings(paths)
		for _, p := range paths {
			doc, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, p)
			item := map[string]json.RawMessage{"c": quote(c.Name), "k": quote(filepath.ToSlash(rel)), "v": doc}
			if c.Join != nil {
				var f struct{ SessionID, MessageID string }
				json.Unmarshal(doc, &f)
				item["j"] = json.RawMessage("null")
				if m, err := os.ReadFile(filepath.Join(root, "message", f.SessionID, f.MessageID+".json")); err == nil {
					item["j"] = m
				}
			}
			line, _ := json.Marshal(item)
			out = append(out, line)
		}
	}
	return out
}

func quote(s string) json.RawMessage { b, _ := json.Marshal(s); return b }

// dbLines returns the fixture database's rows as the pipeline gives them.
func dbLines(t testing.TB) [][]byte {
	t.Helper()
	db := dectest.Database(t, filepath.Join(testdata, "opencode.sql"))
	var out [][]byte
	for _, c := range Collections("opencode.db") {
		cols := "t." + strings.Join(c.Columns, ", t.")
		from := c.Name + " t"
		if j := c.Join; j != nil {
			cols += ", j." + strings.Join(j.Columns, ", j.")
			from += " LEFT JOIN " + j.Table + " j ON j." + j.Key + " = t." + j.On
		}
		rows, err := db.Query("SELECT " + cols + " FROM " + from + " ORDER BY t.time_updated, t.id")
		if err != nil {
			t.Fatal(err)
		}
		names := append([]string{}, c.Columns...)
		if c.Join != nil {
			names = append(names, c.Join.Columns...)
		}
		for rows.Next() {
			vals := make([]any, len(names))
			ptrs := make([]any, len(names))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			obj := func(names []string, vals []any) json.RawMessage {
				m := map[string]any{}
				for i, n := range names {
					v := vals[i]
					if s, ok := v.(string); ok && n == "data" {
						v = json.RawMessage(s)
					}
					m[n] = v
				}
				b, _ := json.Marshal(m)
				return b
			}
			item := map[string]json.RawMessage{"c": quote(c.Name), "k": quote(vals[0].(string)), "v": obj(c.Columns, vals[:len(c.Columns)])}
			if c.Join != nil {
				item["j"] = obj(c.Join.Columns, vals[len(c.Columns):])
			}
			line, _ := json.Marshal(item)
			out = append(out, line)
		}
		rows.Close()
	}
	return out
}

var t0 = time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC)

// TestStores decodes the fixture as the JSON tree and as the database:
// both hold the same records and give the same view.
func TestStores(t *testing.T) {
	tree := dectest.NewView(dectest.All(t, newDec, treeLines(t)))
	db := dectest.NewView(dectest.All(t, newDec, dbLines(t)))
	if diff := db.Diff(tree); diff != "" {
		t.Errorf("database and tree differ: %s", diff)
	}
	v := tree
	if s := v.Sessions["ses_01"]; s.Cwd != "/home/dev/shop" || s.AgentVersion != "1.2.3" || s.Title != "Add a health endpoint" ||
		!s.Started.Equal(t0) || s.Model != "gpt-5" {
		t.Errorf("ses_01 = %+v", s)
	}
	if s := v.Sessions["ses_02"]; s.ParentID != "ses_01" || s.Relation != "subagent" {
		t.Errorf("ses_02 = %+v, want a sub-agent of ses_01", s)
	}
	if got, want := v.PromptTexts("ses_01"), []string{"Add a /health endpoint that returns ok, with a test.", "Also log each request."}; !reflect.DeepEqual(got, want) {
		t.Errorf("prompts = %q, want %q (synthetic parts left out)", got, want)
	}
	if p := v.Prompts.Get(dectest.Key{Session: "ses_01", ID: "msg_u2"}); p.Model != "gpt-5" || p.Cwd != "/home/dev/shop" || !p.Time.Equal(t0.Add(time.Minute)) {
		t.Errorf("prompt msg_u2 = %+v", p)
	}
	type edit struct {
		op, via, status string
		added, removed  int
	}
	got := map[dectest.EditKey]edit{}
	for k, e := range v.Edits.All() {
		got[k] = edit{e.Op, e.Source, e.Status, e.Added, e.Removed}
		if e.Prompt != map[string]string{"toolu_1": "msg_u1", "call_5": "msg_u2"}[k.Call] && (k.Call == "toolu_1" || k.Call == "call_5") {
			t.Errorf("edit %v belongs to prompt %q", k, e.Prompt)
		}
	}
	const shop = "/home/dev/shop/"
	want := map[dectest.EditKey]edit{
		{Session: "ses_01", Call: "toolu_1", Path: shop + "server.go"}:      {"update", "metadata.diff", "applied", 4, 0},
		{Session: "ses_01", Call: "toolu_2", Path: shop + "health_test.go"}: {"add", "tool", "applied", 8, 0},
		{Session: "ses_01", Call: "toolu_4", Path: shop + "server.go"}:      {"update", "tool", "failed", 1, 1},
		{Session: "ses_01", Call: "patch:prt_a1h", Path: shop + "go.sum"}:   {"update", "patch", "applied", 0, 0},
		{Session: "ses_01", Call: "call_5", Path: shop + "log.go"}:          {"add", "metadata.diff", "applied", 3, 0},
		{Session: "ses_01", Call: "call_5", Path: shop + "server.go"}:       {"update", "metadata.diff", "applied", 1, 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("edits = %v\nwant %v", got, want)
	}
	if e := v.Edits.Get(dectest.EditKey{Session: "ses_01", Call: "toolu_1", Path: shop + "server.go"}); !strings.HasPrefix(e.Diff, "--- a/server.go\n+++ b/server.go\n@@ -3,4 +3,8 @@\n func main() {") {
		t.Errorf("edit diff = %q", e.Diff)
	}
	if r := v.Results.Get(dectest.Key{Session: "ses_01", ID: "toolu_4"}); r.Status != "error" || !strings.Contains(r.Output, "oldString not found") {
		t.Errorf("failed call's result = %+v", r)
	}
	if v.Calls.Len() != 5 {
		t.Errorf("tool calls = %d, want 5", v.Calls.Len())
	}
	// ccusage: msg_a1 as recorded (reasoning apart), msg_a2's total as
	// output, msg_a3 not counted (no provider).
	var usage []string
	for _, u := range v.Usage {
		b, _ := json.Marshal([]any{u.Key, u.Prompt, u.Model, u.Input, u.Output, u.CacheRead, u.CacheWrite, u.Reasoning})
		usage = append(usage, string(b))
	}
	wantUsage := []string{`["message:msg_a1","msg_u1","claude-sonnet-4-5",1200,300,8000,500,50]`, `["message:msg_a2","msg_u2","gpt-5",0,900,0,0,0]`}
	if !reflect.DeepEqual(usage, wantUsage) {
		t.Errorf("usage = %v, want %v", usage, wantUsage)
	}
	if m := v.Messages.Get(dectest.Key{Session: "ses_01", ID: "msg_a2.error"}); m.Kind != store.MessageSystem || m.Prompt != "msg_u2" {
		t.Errorf("error note = %+v", m)
	}
	if v.Unknown["part/hologram"] != 1 {
		t.Errorf("unknown = %v, want part/hologram", v.Unknown)
	}
}

func TestResumeEverySplit(t *testing.T) {
	t.Run("tree", func(t *testing.T) { dectest.ResumeEverySplit(t, newDec, treeLines(t), dectest.SameRecords) })
	t.Run("database", func(t *testing.T) { dectest.ResumeEverySplit(t, newDec, dbLines(t), dectest.SameRecords) })
}

func TestMatchAndCollections(t *testing.T) {
	for rel, want := range map[string]bool{"opencode.db": true, "opencode-beta.db": true, "storage/": true, "x/storage/": true,
		"storage/session/p/s.json": false, "snapshot/": false, "opencode.db-wal": false} {
		if got := Match(rel); got != want {
			t.Errorf("Match(%q) = %v, want %v", rel, got, want)
		}
	}
	if Collections("/d/opencode.db")[1].Join == nil || Collections("/d/storage")[1].Join.Path == "" || Collections("/d/log.txt") != nil {
		t.Error("Collections: want tables and a tree, parts joined to messages, nothing for other paths")
	}
}

func TestNewRejectsBadState(t *testing.T) {
	for _, st := range []string{`{"v":99}`, `not json`} {
		if _, err := New("x", []byte(st)); err == nil {
			t.Errorf("New with state %s: got no error", st)
		}
	}
}

// FuzzLine feeds arbitrary records: nothing may panic, and the state must
// round-trip.
func FuzzLine(f *testing.F) {
	for _, l := range append(treeLines(f), dbLines(f)...) {
		f.Add(l)
	}
	for _, s := range []string{``, `{}`, `{"c":"part","v":{"data":[]}}`, `{"c":"part","v":{"id":"p","sessionID":"s","type":"tool","state":{"metadata":{"files":[7,{"filePath":"a","patch":"@@"}]}}},"j":{"role":"assistant"}}`,
		`{"c":"message","v":{"id":"m","sessionID":"s","role":"assistant","tokens":{"total":"9"},"modelID":"x","providerID":"y"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		d, err := New("x", nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = d.Line(1, line, func(store.Record) {})
		st, err := d.State()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New("x", st); err != nil {
			t.Fatalf("state %s does not restore: %v", st, err)
		}
	})
}
