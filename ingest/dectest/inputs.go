package dectest

import (
	"database/sql"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" driver, for Database

	"github.com/aitrail/aitrail/store"
)

// SharedPath returns a path in the shared fixture set (agents' real and
// synthetic logs, ccusage's report on them), which lives outside the
// repository, beside it, as seen from a decoder package's directory
// (ingest/<agent>). It may not exist: see Shared.
func SharedPath(elem ...string) string {
	return filepath.Join(append([]string{"..", "..", "..", "shared", "fixtures"}, elem...)...)
}

// Shared returns SharedPath(elem...), skipping the test when it is absent.
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	p := SharedPath(elem...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared fixtures not found at %s (they live outside the repository, in ../shared beside it): %v", p, err)
	}
	return p
}

// Files returns the files below dir that match accepts by their
// slash-separated path relative to dir (an agent package's Match), as such
// paths, sorted; dir must exist.
func Files(t testing.TB, dir string, match func(rel string) bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err == nil && match(filepath.ToSlash(rel)) {
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// CcusageSession is one session of ccusage's session report: its totals,
// the models it lists, and its tokens by model (input, output and cache
// tokens only).
type CcusageSession struct {
	store.Tokens
	Models  []string
	ByModel map[string]store.Tokens
}

// CcusageReport is ccusage's session report on the shared fixtures for one
// agent: its sessions by period (ccusage's session id).
type CcusageReport map[string]CcusageSession

// ByModel returns the tokens of every session and model by
// "<period>/<model>".
func (r CcusageReport) ByModel() map[string]store.Tokens {
	out := map[string]store.Tokens{}
	for period, s := range r {
		for model, t := range s.ByModel {
			out[period+"/"+model] = t
		}
	}
	return out
}

// Ccusage reads ccusage's session report (`ccusage session --json`) of the
// shared fixtures and returns agent's sessions; the test is skipped when
// the report is absent.
func Ccusage(t testing.TB, agent string) CcusageReport {
	t.Helper()
	data, err := os.ReadFile(Shared(t, "expected", "ccusage-session.json"))
	if err != nil {
		t.Fatal(err)
	}
	// store.Tokens has ccusage's names; the reasoning tokens of a session
	// are in its metadata.
	var report struct {
		Session []struct {
			store.Tokens
			Agent      string   `json:"agent"`
			Period     string   `json:"period"`
			ModelsUsed []string `json:"modelsUsed"`
			Metadata   struct {
				Reasoning int64 `json:"reasoningOutputTokens"`
			} `json:"metadata"`
			ModelBreakdowns []struct {
				Input      int64  `json:"inputTokens"`
				Output     int64  `json:"outputTokens"`
				CacheWrite int64  `json:"cacheCreationTokens"`
				CacheRead  int64  `json:"cacheReadTokens"`
				ModelName  string `json:"modelName"`
			} `json:"modelBreakdowns"`
		} `json:"session"`
	}
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatalf("ccusage's report: %v", err)
	}
	out := CcusageReport{}
	for _, s := range report.Session {
		if s.Agent != agent {
			continue
		}
		cs := CcusageSession{Tokens: s.Tokens, Models: s.ModelsUsed, ByModel: map[string]store.Tokens{}}
		cs.Reasoning = s.Metadata.Reasoning
		for _, b := range s.ModelBreakdowns {
			cs.ByModel[b.ModelName] = store.Tokens{Input: b.Input, Output: b.Output, CacheWrite: b.CacheWrite, CacheRead: b.CacheRead}
		}
		out[s.Period] = cs
	}
	return out
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
