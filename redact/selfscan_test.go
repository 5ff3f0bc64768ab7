package redact

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSourcesHoldNoTokens scans this package's own files with the pack:
// fake tokens must be built at run time or split in samples, so that no
// file trips a forge's push protection.
func TestSourcesHoldNoTokens(t *testing.T) {
	files, err := filepath.Glob("*")
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, DefaultConfig())
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		_, fs := e.Text(ScopeField, string(data))
		for _, fd := range fs {
			if piiRules[fd.RuleID] || fd.RuleID == "secret-assignment" || fd.RuleID == "url-password" ||
				fd.RuleID == "authorization-header" || fd.RuleID == "bearer-token" || fd.RuleID == "curl-user" || fd.RuleID == "netrc-password" {
				continue // contextual rules fire on examples by design
			}
			t.Errorf("%s: %s at %d: %q", f, fd.RuleID, fd.Start, data[fd.Start:min(fd.End, fd.Start+24)])
		}
	}
}
