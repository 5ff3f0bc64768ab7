package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

const secretValue = "Acme Rocket Co"

// seed stores two sessions whose texts mention secretValue.
func seed(t *testing.T, db *DB) {
	t.Helper()
	ts := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	add(t, db, "/logs/a.jsonl",
		Session{ID: "s1", Cwd: "/src/app", Title: "work for " + secretValue},
		Prompt{Session: "s1", Key: "p1", Time: ts, Text: "write to " + secretValue},
		Prompt{Session: "s1", Key: "p2", Time: ts.Add(time.Minute), Text: "and " + secretValue + " again"},
		Message{Session: "s1", Prompt: "p1", Key: "m1", Time: ts, Kind: MessageAssistant, Text: "done for " + secretValue},
		ToolCall{Session: "s1", Prompt: "p1", CallID: "c1", Time: ts, Name: "shell", Input: `{"cmd":"echo ` + secretValue + `"}`},
		ToolResult{Session: "s1", CallID: "c1", Time: ts, Output: secretValue + "\n"},
		FileEdit{Session: "s1", Prompt: "p1", CallID: "c1", Time: ts, Path: "/src/app/x.go", Op: OpAdd, Added: 1, Diff: "+// " + secretValue},
	)
	add(t, db, "/logs/b.jsonl",
		Session{ID: "s2", Cwd: "/src/app"},
		Prompt{Session: "s2", Key: "q1", Time: ts, Text: "hello " + secretValue},
	)
	b, err := db.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback()
	src, err := b.Source("claude", "/logs/a.jsonl", "/logs/a.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.AddRaw(src.ID, 1, 0, []byte(`{"text":"write to `+secretValue+`"}`), nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
}

// replacer is a RewriteFunc that replaces secretValue in the texts of
// session (all sessions when ""), as the engine would.
func replacer(id int64, session string) RewriteFunc {
	rule := "manual:" + string(rune('0'+id))
	return func(s StoredText) (string, []FieldRedaction) {
		if s.Kind == TextContent && session != "" && s.Session != session {
			return s.Text, nil
		}
		n := strings.Count(s.Text, secretValue)
		if n == 0 {
			return s.Text, nil
		}
		fs := make([]FieldRedaction, n)
		for i := range fs {
			fs[i] = FieldRedaction{RuleID: rule, RuleFingerprint: "f00d", ValueHash: "5ec7e7", Actor: "Ada"}
		}
		return strings.ReplaceAll(s.Text, secretValue, "[REDACTED:"+rule+"]"), fs
	}
}

func TestAddManualRedactionRewrites(t *testing.T) {
	db, path := open(t)
	ctx := context.Background()
	seed(t, db)
	rec := ManualRedaction{Kind: ManualLiteral, LiteralLen: len(secretValue), LiteralRoll: 7, LiteralHash: "5ec7e7",
		Actor: "Ada", Reason: "client"}
	id, st, err := db.AddManualRedaction(ctx, rec, RewriteFilter{Contains: secretValue, ContainsRaw: secretValue},
		func(id int64) (RewriteFunc, error) { return replacer(id, ""), nil })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"sessions.title": 1, "prompts.text": 3, "messages.text": 1, "tool_calls.input": 1,
		"tool_calls.output": 1, "file_edits.diff": 1, "raw_records.json": 1}
	for k, v := range want {
		if st.Rows[k] != v {
			t.Errorf("rows of %s = %d, want %d (all: %v)", k, st.Rows[k], v, st.Rows)
		}
	}
	if st.Total() != 9 || st.Values != 9 {
		t.Errorf("total %d rows, %d values; want 9 and 9", st.Total(), st.Values)
	}
	var text string
	db.sql.QueryRow(`SELECT text FROM prompts WHERE key = 'p2'`).Scan(&text)
	if text != "and [REDACTED:manual:1] again" {
		t.Errorf("prompt text = %q", text)
	}
	// Provenance: one row per field, with the hash and actor, never the value.
	var n int
	db.sql.QueryRow(`SELECT COUNT(*) FROM redactions WHERE rule_id = 'manual:1' AND value_hash = '5ec7e7' AND actor = 'Ada'`).Scan(&n)
	if n != 9 {
		t.Errorf("provenance rows = %d, want 9", n)
	}
	var tbl, field string
	var src sql.NullInt64
	db.sql.QueryRow(`SELECT tbl, field, source_id FROM redactions WHERE tbl = 'tool_calls' AND field = 'output'`).Scan(&tbl, &field, &src)
	if tbl != "tool_calls" || !src.Valid {
		t.Errorf("tool output provenance: %q %q source %v", tbl, field, src)
	}
	counts, err := db.RedactionCounts(ctx, "manual:")
	if err != nil || counts["manual:1"].Fields != 9 || counts["manual:1"].Values != 9 {
		t.Errorf("RedactionCounts = %v, %v", counts, err)
	}
	// The stored record.
	got, err := db.ManualRedactionByID(ctx, id)
	if err != nil || !got.Active || got.LiteralLen != len(secretValue) || got.Actor != "Ada" || got.Scope != "global" || got.Created.IsZero() {
		t.Errorf("ManualRedactionByID = %+v, %v", got, err)
	}
	// No copy of the value survives in the file once compacted.
	clean, err := db.Compact(ctx, true)
	if err != nil || !clean {
		t.Fatalf("Compact = %v, %v", clean, err)
	}
	for _, f := range []string{path, path + "-wal"} {
		data, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(secretValue)) {
			t.Errorf("%s still holds the value", f)
		}
	}
}

func TestAddManualRedactionFilters(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	seed(t, db)
	rec := ManualRedaction{Kind: ManualPattern, Pattern: "Acme", Scope: "session", Agent: "claude", Session: "s2", Actor: "Ada"}
	var seen []string
	_, st, err := db.AddManualRedaction(ctx, rec, RewriteFilter{Agent: "claude", Session: "s2"}, func(id int64) (RewriteFunc, error) {
		f := replacer(id, "s2")
		return func(s StoredText) (string, []FieldRedaction) {
			seen = append(seen, s.Table+"."+s.Column+":"+s.Session)
			return f(s)
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seen {
		if strings.HasPrefix(s, "raw_records.") || strings.HasSuffix(s, ":s2") {
			continue
		}
		t.Errorf("read %s: the filter selects session s2 (and raw records)", s)
	}
	if st.Rows["prompts.text"] != 1 || st.Rows["raw_records.json"] != 1 {
		t.Errorf("rows = %v", st.Rows)
	}
	// A function error adds nothing.
	_, _, err = db.AddManualRedaction(ctx, rec, RewriteFilter{}, func(int64) (RewriteFunc, error) { return nil, errors.New("boom") })
	if err == nil {
		t.Fatal("AddManualRedaction ignored the function's error")
	}
	ms, _ := db.ManualRedactions(ctx, true)
	if len(ms) != 1 {
		t.Errorf("%d manual redactions after a failed add, want 1", len(ms))
	}
}

func TestDeactivateManualRedaction(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	id, _, err := db.AddManualRedaction(ctx, ManualRedaction{Kind: ManualPattern, Pattern: "x+", Actor: "Ada"}, RewriteFilter{},
		func(int64) (RewriteFunc, error) {
			return func(s StoredText) (string, []FieldRedaction) { return s.Text, nil }, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	before, err := db.DeactivateManualRedaction(ctx, id)
	if err != nil || !before.Active {
		t.Fatalf("Deactivate = %+v, %v", before, err)
	}
	if active, _ := db.ManualRedactions(ctx, false); len(active) != 0 {
		t.Errorf("active after remove: %v", active)
	}
	all, _ := db.ManualRedactions(ctx, true)
	if len(all) != 1 || all[0].Active {
		t.Errorf("all after remove: %+v", all)
	}
	if again, err := db.DeactivateManualRedaction(ctx, id); err != nil || again.Active {
		t.Errorf("second remove = %+v, %v", again, err)
	}
	if _, err := db.DeactivateManualRedaction(ctx, 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove of an unknown id = %v, want ErrNotFound", err)
	}
}

func TestFindPromptAndCallPrompt(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	seed(t, db)
	s, err := db.FindSession(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"2", "p2"} {
		if key, seq, err := db.FindPrompt(ctx, s.ID, ref); key != "p2" || seq != 2 || err != nil {
			t.Errorf("FindPrompt(%q) = %q, %d, %v", ref, key, seq, err)
		}
	}
	if _, _, err := db.FindPrompt(ctx, s.ID, "7"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindPrompt(7) = %v, want ErrNotFound", err)
	}
	b, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback()
	if key, err := b.CallPrompt("claude", "s1", "c1"); key != "p1" || err != nil {
		t.Errorf("CallPrompt = %q, %v", key, err)
	}
	if key, err := b.CallPrompt("claude", "s1", "nope"); key != "" || err != nil {
		t.Errorf("CallPrompt(unknown) = %q, %v", key, err)
	}
}

func TestCommitsToRerender(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	seed(t, db)
	for _, c := range []CommitRecord{
		{Repo: "/src/app", SHA: "aaa", Status: CommitAnnotated, Prompts: []CommitPrompt{{Agent: "claude", Session: "s1", Key: "p1", Role: "author"}}},
		{Repo: "/src/app", SHA: "bbb", Status: CommitAnnotated, Prompts: []CommitPrompt{{Agent: "claude", Session: "s2", Key: "q1", Role: "author"}}},
		{Repo: "/src/other", SHA: "ccc", Status: CommitAnnotated, Prompts: []CommitPrompt{{Agent: "claude", Session: "s1", Key: "p2", Role: "context"}}},
	} {
		if err := db.SaveCommit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := db.CommitsToRerender(ctx, ""); len(got) != 0 {
		t.Errorf("before any manual redaction: %v", got)
	}
	time.Sleep(2 * time.Millisecond) // timestamps have millisecond precision
	_, _, err := db.AddManualRedaction(ctx, ManualRedaction{Kind: ManualPattern, Pattern: "Acme", Scope: "session", Agent: "claude", Session: "s1", Actor: "Ada"},
		RewriteFilter{Agent: "claude", Session: "s1"}, func(id int64) (RewriteFunc, error) { return replacer(id, "s1"), nil })
	if err != nil {
		t.Fatal(err)
	}
	var shas []string
	got, err := db.CommitsToRerender(ctx, "/src/app")
	for _, c := range got {
		shas = append(shas, c.SHA)
	}
	if err != nil || !slices.Equal(shas, []string{"aaa"}) {
		t.Errorf("CommitsToRerender(/src/app) = %v, %v; want aaa", shas, err)
	}
	if all, _ := db.CommitsToRerender(ctx, ""); len(all) != 2 {
		t.Errorf("CommitsToRerender(all) = %v, want aaa and ccc", all)
	}
	// Re-rendering saves the commit again: it is no longer pending.
	time.Sleep(2 * time.Millisecond)
	if err := db.SaveCommit(ctx, CommitRecord{Repo: "/src/app", SHA: "aaa", Status: CommitAnnotated,
		Prompts: []CommitPrompt{{Agent: "claude", Session: "s1", Key: "p1", Role: "author"}}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.CommitsToRerender(ctx, "/src/app"); len(got) != 0 {
		t.Errorf("after re-rendering: %v", got)
	}
}

func TestTextFields(t *testing.T) {
	fields := TextFields()
	for _, want := range []string{"prompts.text", "tool_calls.output", "file_edits.diff", "links.url", "sessions.git_branch"} {
		if !slices.Contains(fields, want) {
			t.Errorf("TextFields lacks %s", want)
		}
	}
	for _, f := range fields {
		if strings.HasPrefix(f, "raw_records.") || strings.HasPrefix(f, "sources.") {
			t.Errorf("TextFields lists %s, which is not a field of a session's record", f)
		}
	}
}
