package redact

import (
	"fmt"
)

// VerifySamples runs every rule's samples: each positive sample must be
// caught by its rule, and no negative sample may be. Each rule is tested
// alone, with the policies of cfg (cfg.Rules and cfg.Disabled are
// ignored). rules are user or repository rules; nil tests the built-in
// pack.
func VerifySamples(rules []Rule, cfg Config) []error {
	if rules == nil {
		var err error
		if rules, err = builtinRules(); err != nil {
			return []error{err}
		}
	}
	var errs []error
	for _, r := range rules {
		if r.Type == "" || len(r.Samples.Positive)+len(r.Samples.Negative) == 0 {
			continue
		}
		one := r
		one.Disabled = false
		c := cfg
		c.Rules, c.Disabled = nil, nil
		e, err := newEngine(c, []Rule{one})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(e.rules) == 0 {
			errs = append(errs, fmt.Errorf("%s: rule %q: samples: the rule is off under this configuration", r.Source, r.ID))
			continue
		}
		scope := ScopeField
		if e.rules[0].scopes&scopeBitField == 0 {
			scope = ScopePrompt
		}
		for i, s := range r.Samples.Positive {
			if _, fs := e.Text(scope, expandSample(s)); len(fs) == 0 {
				errs = append(errs, fmt.Errorf("%s: rule %q: samples: positive %d is not caught", r.Source, r.ID, i+1))
			}
		}
		for i, s := range r.Samples.Negative {
			if _, fs := e.Text(scope, expandSample(s)); len(fs) > 0 {
				errs = append(errs, fmt.Errorf("%s: rule %q: samples: negative %d is caught", r.Source, r.ID, i+1))
			}
		}
	}
	return errs
}
