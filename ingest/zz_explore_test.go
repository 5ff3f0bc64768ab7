package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

func TestZZExplore(t *testing.T) {
	fx := "../../shared/fixtures/sessions"
	srcs := []Source{
		{"codex", fx + "/codex"}, {"codex", fx + "/synthetic/codex"},
		{"claude", fx + "/claude"}, {"claude", fx + "/synthetic/claude"},
	}
	files, err := Discover(Agents(), srcs, func(string) string { return "" }, "/nonexistent")
	if err != nil { t.Fatal(err) }
	for _, f := range files { fmt.Println(f.Agent.Name, f.Path) }
	cfg := redact.DefaultConfig()
	cfg.Key = []byte("k")
	eng, err := redact.New(cfg)
	if err != nil { t.Fatal(err) }
	path := filepath.Join(os.TempDir(), "explore.db")
	os.Remove(path)
	db, err := store.Open(context.Background(), path)
	if err != nil { t.Fatal(err) }
	sum, err := Run(context.Background(), db, eng, files, Options{Warn: func(s string) { fmt.Println("WARN", s) }})
	if err != nil { t.Fatal(err) }
	fmt.Printf("%+v\n", *sum)
	db.Close()
	s, _ := sql.Open("sqlite", path)
	defer s.Close()
	q := func(query string) {
		rows, err := s.Query(query)
		if err != nil { t.Fatal(err) }
		cols, _ := rows.Columns()
		for rows.Next() {
			v := make([]any, len(cols)); p := make([]any, len(cols))
			for i := range v { p[i] = &v[i] }
			rows.Scan(p...)
			fmt.Println(v...)
		}
		rows.Close()
	}
	q(`SELECT agent, external_id, parent_id, (SELECT COUNT(*) FROM prompts WHERE session_id=sessions.id), (SELECT COUNT(*) FROM tool_calls WHERE session_id=sessions.id), (SELECT COUNT(*) FROM file_edits WHERE session_id=sessions.id),(SELECT COUNT(DISTINCT path) FROM file_edits WHERE session_id=sessions.id) FROM sessions ORDER BY agent, external_id`)
	q(`SELECT (SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM prompts), (SELECT COUNT(*) FROM tool_calls), (SELECT COUNT(*) FROM file_edits), (SELECT COUNT(*) FROM file_edits WHERE status='applied'), (SELECT COUNT(*) FROM token_usage)`)
	q(`SELECT s.path, SUM(input), SUM(output), SUM(cache_write), SUM(cache_read), SUM(input+output+cache_write+cache_read) FROM token_usage u JOIN sources s ON s.id=u.source_id GROUP BY s.path`)
	q(`SELECT path, good_lines, bad_lines, unknown_lines FROM sources`)
}
