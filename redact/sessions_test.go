package redact

import (
	"sort"
	"testing"
)

// maxSecretFindingsOnSessions bounds the secret-rule findings on the real
// session fixtures, which hold no live secret: each one is a false
// positive. Measured: see docs/redaction.md.
const maxSecretFindingsOnSessions = 5

// TestSessionFalsePositives redacts the real agent logs and reports what
// each rule found: secret rules should find (almost) nothing, policy rules
// (home paths, user names, e-mails, IPs) are counted.
func TestSessionFalsePositives(t *testing.T) {
	lines := sessionLines(t)
	cfg := DefaultConfig()
	cfg.Home, cfg.Username = "/Users/dain", "dain"
	e := newTestEngine(t, cfg)
	counts := map[string]int{}
	size := 0
	secret := 0
	for _, line := range lines {
		size += len(line)
		_, fs := e.JSON(line)
		_, tfs := e.Text(ScopeField, string(line))
		for _, f := range tfs {
			if !piiRules[f.RuleID] {
				fs = append(fs, f) // Text on the raw line: secret rules only, policy counts come from JSON
			}
		}
		for _, f := range fs {
			counts[f.RuleID]++
			if !piiRules[f.RuleID] {
				secret++
				if f.Start >= 0 && f.End <= len(line) {
					a, b := max(0, f.Start-60), min(len(line), f.End+20)
					t.Logf("secret rule %s fired: %q", f.RuleID, line[a:b])
				}
			}
		}
	}
	var ids []string
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		t.Logf("%-20s %5d", id, counts[id])
	}
	mb := float64(size) / 1e6
	t.Logf("%.2f MB, %d lines: %d secret-rule findings (%.2f per MB)", mb, len(lines), secret, float64(secret)/mb)
	if secret > maxSecretFindingsOnSessions {
		t.Errorf("%d secret-rule findings on clean transcripts, want at most %d", secret, maxSecretFindingsOnSessions)
	}
}
