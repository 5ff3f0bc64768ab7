package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/ingesttest"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// recordAgent decodes one record per line: {"k": kind, "s": session,
// "p": prompt key, "c": call id, "x": text}, kinds session (x: its working
// directory), prompt, call, result.
func recordAgent() Agent {
	return Agent{
		Name:  "rec",
		Dirs:  func(func(string) string, string) []string { return nil },
		Match: func(rel string) bool { return strings.HasSuffix(rel, ".jsonl") },
		New:   func(string, []byte) (Decoder, error) { return recordDecoder{}, nil },
	}
}

type recordDecoder struct{}

func (recordDecoder) Line(no int, line []byte, emit func(store.Record)) error {
	var v struct{ K, S, P, C, X string }
	if err := json.Unmarshal(line, &v); err != nil {
		return err
	}
	ts := time.Unix(1700000000+int64(no), 0)
	switch v.K {
	case "session":
		emit(store.Session{ID: v.S, Cwd: v.X, Started: ts})
	case "prompt":
		emit(store.Prompt{Session: v.S, Key: v.P, Time: ts, Text: v.X})
	case "call":
		emit(store.ToolCall{Session: v.S, Prompt: v.P, CallID: v.C, Time: ts, Name: "shell", Input: v.X})
	case "result":
		emit(store.ToolResult{Session: v.S, CallID: v.C, Time: ts, Output: v.X})
	}
	return nil
}

func (recordDecoder) State() ([]byte, error) { return nil, nil }

// TestScopedManualRedactionsAtIngest checks that manual redactions scoped
// to a prompt reach what belongs to the prompt, a tool result included
// when its call was read in an earlier run, and nothing else; and that the
// stored raw lines take every manual redaction.
func TestScopedManualRedactionsAtIngest(t *testing.T) {
	const v = "Project Nimbus"
	key := []byte("ingest test key")
	p, err := redact.PrintLiteral(key, v)
	if err != nil {
		t.Fatal(err)
	}
	cfg := redact.DefaultConfig()
	cfg.Key = key
	cfg.Manual = []redact.Manual{{ID: 1, Literal: p, Actor: "Ada",
		Scope: redact.ManualScope{Kind: redact.ManualPrompt, Agent: "rec", Session: "s1", Prompt: "p1"}}}
	eng, err := redact.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	addManual(t, db)
	path := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, path, `{"k":"prompt","s":"s1","p":"p1","x":"plan Project Nimbus"}
{"k":"prompt","s":"s1","p":"p2","x":"more Project Nimbus"}
{"k":"call","s":"s1","p":"p1","c":"c1","x":"grep Project Nimbus"}
`)
	a := recordAgent()
	run := func() *Summary {
		t.Helper()
		sum, err := Run(context.Background(), db, eng, []File{{&a, path}}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	run()
	// The result arrives in a later run: its prompt comes from the database.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"k":"result","s":"s1","c":"c1","x":"found Project Nimbus"}` + "\n")
	f.Close()
	sum := run()
	if sum.Redactions["manual:1"] == 0 {
		t.Errorf("summary redactions = %v, want manual:1 counted", sum.Redactions)
	}

	s, err := db.FindSession(context.Background(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Detail(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range d.Prompts {
		got["prompt "+p.Text[:4]] = p.Text
		for _, c := range p.ToolCalls {
			got["input"], got["output"] = c.Input, c.Output
		}
	}
	want := map[string]string{
		"prompt plan": "plan [REDACTED:manual-1]",
		"prompt more": "more " + v, // another prompt of the session
		"input":       "grep [REDACTED:manual-1]",
		"output":      "found [REDACTED:manual-1]",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	// The raw copy of every line takes it, the other prompt's line too.
	raw := rawText(t, db)
	if strings.Contains(raw, v) {
		t.Errorf("raw records keep the value:\n%s", raw)
	}
	// Provenance is kept per row and rule: the page of raw lines counts its
	// lines' values.
	if n := dumpTable(t, db, "SELECT SUM(count) FROM redactions WHERE rule_id = 'manual:1' AND actor = 'Ada'"); n != "7" {
		t.Errorf("values redacted = %s, want 7 (4 raw lines, 1 prompt, 1 input, 1 output)", n)
	}
}

// addManual stores a manual redaction (its content does not matter here:
// the engine is configured apart) and returns its id.
func addManual(t *testing.T, db *store.DB) int64 {
	t.Helper()
	id, _, err := db.AddManualRedaction(context.Background(), store.ManualRedaction{Kind: store.ManualPattern, Pattern: "x+", Actor: "Ada"},
		store.RewriteFilter{Field: "links.title"}, func(int64) (store.RewriteFunc, error) {
			return func(s store.StoredText) (string, []store.FieldRedaction) { return s.Text, nil }, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestIngestStopsWhenManualRedactionsChange checks that a run whose
// redactor predates a manual redaction writes nothing that would miss it.
func TestIngestStopsWhenManualRedactionsChange(t *testing.T) {
	eng, err := redact.New(redact.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	addManual(t, db) // added after the engine was built
	path := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, path, `{"k":"prompt","s":"s1","p":"p1","x":"hello"}`+"\n")
	a := recordAgent()
	_, err = Run(context.Background(), db, eng, []File{{&a, path}}, Options{})
	if !errors.Is(err, ErrRedactionsChanged) {
		t.Fatalf("Run = %v, want ErrRedactionsChanged", err)
	}
	if n := dumpTable(t, db, "SELECT COUNT(*) FROM prompts"); n != "0" {
		t.Errorf("%s prompts written by a stale redactor", n)
	}
}

// dumpTable returns the rows of a one-column query, one a line.
// rawText returns the raw lines kept in db, decompressed.
func rawText(t *testing.T, db *store.DB) string {
	t.Helper()
	raw, err := ingesttest.RawText(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func dumpTable(t *testing.T, db *store.DB, query string) string {
	t.Helper()
	sqlDB, err := sql.Open("sqlite", store.FileURI(db.Path()))
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	rows, err := sqlDB.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}
