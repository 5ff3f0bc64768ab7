package redact

import "slices"

// builtinRules returns the built-in pack. It is written in builtin.yml, in
// the rule-file format, and compiled into builtin_gen.go (go test ./redact
// -run TestBuiltinGenerated -update), so that starting aitrail — every git
// hook does — parses no YAML.
func builtinRules() ([]Rule, error) { return slices.Clone(builtinPack), nil }

// builtinIDs returns the set of built-in rule ids.
func builtinIDs() map[string]bool {
	ids := make(map[string]bool, len(builtinPack))
	for _, r := range builtinPack {
		ids[r.ID] = true
	}
	return ids
}
