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
// A repository's own rule file (RepoRuleFile) applies only to the texts of
// that repository's sessions (Location.Repo, Config.RepoRules), cannot
// weaken the built-in pack, and its rules must be specific (checkRule).
// ImportGitleaks brings in rule packs written in gitleaks' TOML format.
//
// The package is pure: apart from LoadRules, which reads one rule file, it
// does no I/O (LoadRepoRules is given its reader), and it knows nothing of
// agents, git or SQL.
package redact
