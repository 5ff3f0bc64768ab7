// Package redact removes secrets and personal data from text before aitrail
// stores or publishes it.
//
// It owns the built-in rule pack, the rule-file format (YAML), and the
// scanning engine: one case-insensitive Aho-Corasick pass over the input
// finds rule keywords, each regular expression then runs only in windows
// around its keyword hits, and hand-written scanners look for e-mail
// addresses, IP addresses, phone numbers, payment cards and IBANs. Matches
// are replaced by byte offset with typed placeholders such as
// [REDACTED:github-token]; findings carry a keyed hash of the value, never
// the value itself.
//
// Manual redactions (Manual) are applied on top of the rules: an RE2
// pattern, or a literal known only by its print (length, rolling hash and
// keyed hash), scoped to every text, a session, a prompt or a stored field;
// TextAt and JSONAt take the Location that scopes need.
//
// The package is pure: apart from LoadRules, which reads one rule file, it
// does no I/O, and it knows nothing of agents, git or SQL.
package redact
