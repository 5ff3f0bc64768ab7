package dectest

import (
	"database/sql"
	"encoding/json"
	"os"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" driver, for Database
)

// Tokens are token counts as ccusage reports them.
type Tokens struct{ Input, Output, CacheWrite, CacheRead int64 }

// Ccusage reads ccusage's session report (`ccusage session --json`) at
// path and returns the tokens of agent's sessions by "<period>/<model>".
func Ccusage(path, agent string) (map[string]Tokens, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var report struct {
		Session []struct {
			Agent           string `json:"agent"`
			Period          string `json:"period"`
			ModelBreakdowns []struct {
				ModelName           string `json:"modelName"`
				InputTokens         int64  `json:"inputTokens"`
				OutputTokens        int64  `json:"outputTokens"`
				CacheCreationTokens int64  `json:"cacheCreationTokens"`
				CacheReadTokens     int64  `json:"cacheReadTokens"`
			} `json:"modelBreakdowns"`
		} `json:"session"`
	}
	if err := json.Unmarshal(data, &report); err != nil {
		return nil, err
	}
	out := map[string]Tokens{}
	for _, s := range report.Session {
		if s.Agent != agent {
			continue
		}
		for _, b := range s.ModelBreakdowns {
			out[s.Period+"/"+b.ModelName] = Tokens{b.InputTokens, b.OutputTokens, b.CacheCreationTokens, b.CacheReadTokens}
		}
	}
	return out, nil
}

// Database returns an in-memory SQLite database made by a fixture's SQL
// script, for the decoders of agents that keep their sessions in one.
func Database(t testing.TB, script string) *sql.DB {
	t.Helper()
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one connection: one in-memory database
	if _, err := db.Exec(string(data)); err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return db
}
