package redact

import (
	"testing"
)

// testConfig is the configuration the built-in samples assume.
func testConfig() Config {
	c := DefaultConfig()
	c.Home = "/Users/jdoe"
	c.Username = "jdoe"
	return c
}

func TestBuiltinSamples(t *testing.T) {
	rules, err := builtinRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if len(r.Samples.Positive) == 0 {
			t.Errorf("rule %q has no positive sample", r.ID)
		}
	}
	for _, err := range VerifySamples(nil, testConfig()) {
		t.Error(err)
	}
}
