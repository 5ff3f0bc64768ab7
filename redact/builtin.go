package redact

import (
	_ "embed"
	"sync"
)

// builtinYAML is the built-in rule pack, in the rule-file format.
//
//go:embed builtin.yml
var builtinYAML []byte

// builtinRules parses the built-in pack once.
var builtinRules = sync.OnceValues(func() ([]Rule, error) {
	return parseRules(builtinYAML, "builtin.yml", OriginBuiltin, nil)
})

// builtinIDs returns the set of built-in rule ids.
func builtinIDs() map[string]bool {
	rules, _ := builtinRules()
	ids := make(map[string]bool, len(rules))
	for _, r := range rules {
		ids[r.ID] = true
	}
	return ids
}
