package redact

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// piiRules are the personal-data rules: they do not count as catching a
// secret.
var piiRules = map[string]bool{
	"home-dir": true, "username": true, "user-path": true, "email": true, "ip-address": true,
	"phone-number": true, "payment-card": true, "iban": true,
}

// npOutOfScope are Nosey Parker families a log redactor does not target:
// password hashes and psexec command lines.
var npOutOfScope = map[string]bool{"hashes.yml": true, "psexec.yml": true}

// Recall floors on Nosey Parker's examples (see docs/redaction.md). They
// sit a few points under the measured values so that a regression fails
// while a small rule tweak does not.
const (
	npRecallFloor      = 0.78 // in-scope positives caught by a secret rule
	npAgentFamilyFloor = 0.84 // families that matter for agent logs
	npNegativeCeiling  = 0.33 // negatives on which a secret rule fires
)

// npNotSecrets are Nosey Parker rules that find public identifiers
// (account ids, bucket names, OAuth client ids, public keys): redacting
// them is not the job of a secret redactor, so they are reported apart.
var npNotSecrets = map[string]bool{
	"AWS Account ID": true, "AWS S3 Bucket": true, "Age Recipient (X25519 public key)": true,
	"Amazon Resource Name": true, "GitHub Client ID": true, "Google Client ID": true,
	"Google Cloud Storage Bucket": true, "LinkedIn Client ID": true, "Mapbox Public Access Token": true,
	"React App Username": true, "Twitter Client ID": true,
}

// npAgentFamilies are the families redaction.md names as the ones that
// matter for agent logs.
var npAgentFamilies = map[string]bool{
	"generic.yml": true, "mongo.yml": true, "odbc.yml": true, "postgres.yml": true, "jwt.yml": true,
	"pem.yml": true, "netrc.yml": true, "http.yml": true, "github.yml": true, "slack.yml": true,
	"aws.yml": true, "google.yml": true, "anthropic.yml": true, "openai.yml": true,
}

func TestNoseyParkerExamples(t *testing.T) {
	path := filepath.Join(sharedDir, "fixtures", "redaction", "noseyparker", "examples.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("Nosey Parker examples not found at %s (the shared/ directory sits beside the repository): %v", path, err)
	}
	defer f.Close()
	e := newTestEngine(t, DefaultConfig())
	type count struct{ pos, caught, neg, fired int }
	fam := map[string]*count{}
	var all, agent, out count
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ex struct {
			File, Label, Text string
			RuleName          string `json:"rule_name"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			t.Fatal(err)
		}
		_, fs := e.Text(ScopeField, ex.Text)
		hit := false
		for _, fd := range fs {
			if !piiRules[fd.RuleID] {
				hit = true
			}
		}
		c := fam[ex.File]
		if c == nil {
			c = &count{}
			fam[ex.File] = c
		}
		tallies := []*count{c}
		switch {
		case npOutOfScope[ex.File] || npNotSecrets[ex.RuleName]:
			tallies = append(tallies, &out)
		case npAgentFamilies[ex.File]:
			tallies = append(tallies, &all, &agent)
		default:
			tallies = append(tallies, &all)
		}
		for _, k := range tallies {
			if ex.Label == "pos" {
				k.pos++
				if hit {
					k.caught++
				}
			} else {
				k.neg++
				if hit {
					k.fired++
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range fam {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := fam[n]
		t.Logf("%-22s recall %2d/%-2d  negatives fired %2d/%-2d", n, c.caught, c.pos, c.fired, c.neg)
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	t.Logf("in scope: recall %d/%d (%.1f%%), negatives fired %d/%d (%.1f%%)",
		all.caught, all.pos, 100*ratio(all.caught, all.pos), all.fired, all.neg, 100*ratio(all.fired, all.neg))
	t.Logf("agent-log families: recall %d/%d (%.1f%%)", agent.caught, agent.pos, 100*ratio(agent.caught, agent.pos))
	t.Logf("out of scope (hashes, psexec, public identifiers): caught %d/%d", out.caught, out.pos)
	if r := ratio(all.caught, all.pos); r < npRecallFloor {
		t.Errorf("recall %.3f fell under the floor %.2f", r, npRecallFloor)
	}
	if r := ratio(agent.caught, agent.pos); r < npAgentFamilyFloor {
		t.Errorf("agent-log family recall %.3f fell under the floor %.2f", r, npAgentFamilyFloor)
	}
	if r := ratio(all.fired, all.neg); r > npNegativeCeiling {
		t.Errorf("negatives fired %.3f rose over the ceiling %.2f", r, npNegativeCeiling)
	}
}
