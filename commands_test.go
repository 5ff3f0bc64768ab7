package main

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/hooks"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/report"
)

// TestParse checks each command's parse step: arguments become options,
// or a usage error that names the mistake. Nothing is run.
func TestParse(t *testing.T) {
	tests := []struct {
		args    []string
		want    options // nil: a usage error containing err
		err     string
		globals globals
	}{
		{args: []string{"ingest"}, want: &ingestOptions{}},
		{args: []string{"ingest", "--rebuild", "-q", "--json"}, want: &ingestOptions{rebuild: true, quiet: true, json: true}},
		{args: []string{"ingest", "extra"}, err: "ingest takes no arguments"},
		{args: []string{"sessions", "--agent", "codex", "--repo", "x", "--since", "7d", "--json"},
			want: &sessionsOptions{filter: sessionFilter{agent: "codex", repo: "x", since: "7d"}, json: true}},
		{args: []string{"sessions", "--bogus"}, err: "unknown flag: --bogus"},
		{args: []string{"show", "abc", "--full"}, want: &showOptions{target: "abc", full: true}},
		{args: []string{"show"}, err: "show takes one SESSION"},
		{args: []string{"stats"}, want: &statsOptions{by: "session"}},
		{args: []string{"stats", "--by", "model", "--until", "2026-01-31"}, want: &statsOptions{by: "model", filter: sessionFilter{until: "2026-01-31"}}},
		{args: []string{"stats", "--by", "week"}, err: `--by "week": want one of`},
		{args: []string{"stats", "--until", "-5d"}, err: `--until: invalid time "-5d"`},
		{args: []string{"stats", "--since", "2026-02-01", "--until", "2026-01-01"}, err: "--since 2026-02-01 is after --until 2026-01-01"},
		{args: []string{"sessions", "--since", "1d", "--until", "7d"}, err: "--since 1d is after --until 7d"},
		{args: []string{"sessions", "--since", "99999999999d"}, err: `--since: invalid time "99999999999d"`},
		{args: []string{"sessions", "--agent", "copilot-x"}, err: `--agent "copilot-x": want one of codex, claude`},
		{args: []string{"export", "--agent", "bogus"}, err: `--agent "bogus": want one of`},
		{args: []string{"stats", "--since", "7d", "--until", "2d"}, want: &statsOptions{by: "session", filter: sessionFilter{since: "7d", until: "2d"}}},
		{args: []string{"sessions", "--since", "yesterday"}, err: `--since: invalid time "yesterday"`},
		{args: []string{"stats", "--by", "commit", "--since", "7d"}, want: &statsOptions{by: "commit", filter: sessionFilter{since: "7d"}}},
		{args: []string{"stats", "--by", "repo", "--json"}, want: &statsOptions{by: "repo", json: true}},
		{args: []string{"release-notes", "v1.2.0..HEAD"}, want: &releaseNotesOptions{rng: "v1.2.0..HEAD"}},
		{args: []string{"release-notes", "v1.2.0", "--json"}, want: &releaseNotesOptions{rng: "v1.2.0..HEAD", json: true}},
		{args: []string{"release-notes", "--since", "14d", "--until", "2026-03-01"}, want: &releaseNotesOptions{since: "14d", until: "2026-03-01"}},
		{args: []string{"release-notes", "a..b", "--fragment", "changie", "--write", "--per-commit", "--kind", "ai", "--custom", "Issue=7", "--project", "web"},
			want: &releaseNotesOptions{rng: "a..b", write: true, custom: []string{"Issue=7"},
				fragment: report.FragmentOptions{Tool: "changie", PerCommit: true, Kind: "ai", Project: "web", Custom: map[string]string{"Issue": "7"}}}},
		{args: []string{"release-notes", "a..b", "--fragment", "changesets", "--package", "@x/a:minor", "--package", "@x/b"},
			want: &releaseNotesOptions{rng: "a..b", fragment: report.FragmentOptions{Tool: "changesets", Packages: []string{"@x/a:minor", "@x/b"}}}},
		{args: []string{"release-notes"}, err: "needs a REV-RANGE (e.g. v1.2.0..HEAD) or --since"},
		{args: []string{"release-notes", "a..b", "--fragment", "changesets", "--package", "@x/a:huge"}, err: `--package @x/a:huge: bump "huge": want one of major, minor, patch, none`},
		{args: []string{"release-notes", "--since", "2026-03-01", "--until", "2026-02-01"}, err: "--since 2026-03-01 is after --until 2026-02-01"},
		{args: []string{"release-notes", "a..b", "c..d"}, err: "takes one REV-RANGE"},
		{args: []string{"release-notes", "a..b", "--fragment", "keepachangelog"}, err: `--fragment "keepachangelog": want one of changie, towncrier, changesets, reno`},
		{args: []string{"release-notes", "a..b", "--write"}, err: "--write needs --fragment"},
		{args: []string{"release-notes", "a..b", "--since", "yesterday"}, err: `--since: invalid time "yesterday"`},
		{args: []string{"export", "--until", "soon"}, err: `--until: invalid time "soon"`},
		{args: []string{"release-notes", "a..b", "--fragment", "changie", "--custom", "Issue"}, err: `--custom "Issue": want KEY=VALUE`},
		{args: []string{"export"}, want: &exportOptions{format: "md"}},
		{args: []string{"export", "--member", "ada@example.com", "--format", "json"}, want: &exportOptions{format: "json", filter: sessionFilter{member: "ada@example.com"}}},
		{args: []string{"export", "-o", "audit.html", "--agent", "codex", "--commit", "v1..v2", "--session", "abc", "--since", "2026-01-01"},
			want: &exportOptions{format: "html", output: "audit.html", session: "abc", commit: "v1..v2", filter: sessionFilter{agent: "codex", since: "2026-01-01"}}},
		{args: []string{"export", "--format", "csv", "-o", "x.json", "--repo", "."}, want: &exportOptions{format: "csv", output: "x.json", filter: sessionFilter{repo: "."}}},
		{args: []string{"export", "--format", "xlsx"}, err: `--format "xlsx": want one of md, csv, json, jsonl, html`},
		{args: []string{"export", "all"}, err: "export takes no arguments"},
		{args: []string{"install", "--chain", "--trailer", "--json"}, want: &installOptions{InstallOptions: hooks.InstallOptions{Chain: true, Trailer: true}, json: true}},
		{args: []string{"install", "now"}, err: "install takes no arguments"},
		{args: []string{"uninstall", "--json"}, want: &uninstallOptions{json: true}},
		{args: []string{"status"}, want: &statusOptions{}},
		{args: []string{"annotate"}, want: &annotateOptions{limit: 50}},
		{args: []string{"annotate", "HEAD~3..HEAD", "--dry-run", "--limit", "5"}, want: &annotateOptions{rev: "HEAD~3..HEAD", dryRun: true, limit: 5}},
		{args: []string{"annotate", "-q", "HEAD~1"}, want: &annotateOptions{rev: "HEAD~1", limit: 50, quiet: true}},
		{args: []string{"annotate", "--limit", "-5"}, err: "--limit: want a positive number"},
		{args: []string{"annotate", "--limit", "0"}, err: "--limit: want a positive number"},
		{args: []string{"annotate", "--limit", "99999999999999999999"}, err: `invalid argument "99999999999999999999" for "--limit"`},
		{args: []string{"annotate", "--limit", "ten"}, err: `invalid argument "ten" for "--limit"`},
		{args: []string{"annotate", "--rewrite", "HEAD"}, err: "--rewrite takes no REV"},
		{args: []string{"annotate", "A", "B"}, err: "at most one REV"},
		{args: []string{"note"}, want: &noteOptions{rev: "HEAD"}},
		{args: []string{"note", "HEAD~1", "--fresh"}, want: &noteOptions{rev: "HEAD~1", fresh: true}},
		{args: []string{"blame", "x.go"}, want: &blameOptions{pos: []string{"x.go"}}},
		{args: []string{"blame", "x.go", "HEAD~2", "-M", "-CC", "-L", "1,5", "-L", "/func/,+3", "--json"},
			want: &blameOptions{pos: []string{"x.go", "HEAD~2"}, moves: true, copies: 2, lines: []string{"1,5", "/func/,+3"}, json: true}},
		{args: []string{"blame"}, err: "blame takes FILE [REV]"},
		{args: []string{"blame", "a", "b", "c"}, err: "blame takes FILE [REV]"},
		{args: []string{"blame", "--summary"}, want: &blameOptions{summary: true}},
		{args: []string{"blame", "--summary", "src", "lib", "v1.0", "-C"}, want: &blameOptions{summary: true, pos: []string{"src", "lib", "v1.0"}, copies: 1}},
		{args: []string{"blame", "--summary", "-L", "1,2"}, err: "-L takes the lines of one FILE, not with --summary"},
		{args: []string{"sync-notes"}, want: &syncNotesOptions{remote: "origin"}},
		{args: []string{"push"}, want: &pushOptions{}},
		{args: []string{"push", "--to", "postgres://team.example/t", "--dry-run", "--raw", "--json"},
			want: &pushOptions{to: "postgres://team.example/t", dryRun: true, raw: true, json: true}},
		{args: []string{"push", "--to", "team.db"}, err: "--to: want a postgres:// URL"},
		{args: []string{"push", "postgres://team.example/t"}, err: "push takes no arguments"},
		{args: []string{"sessions", "--member", "ada@example.com"}, want: &sessionsOptions{filter: sessionFilter{member: "ada@example.com"}}},
		{args: []string{"stats", "--by", "member", "--member", "ada"}, want: &statsOptions{by: "member", filter: sessionFilter{member: "ada"}}},
		{args: []string{"show", "abc", "--member", "ada"}, want: &showOptions{target: "abc", member: "ada"}},
		{args: []string{"sync-notes", "upstream", "--json"}, want: &syncNotesOptions{remote: "upstream", json: true}},
		{args: []string{"sync-notes", "--fetch-only"}, want: &syncNotesOptions{remote: "origin", fetchOnly: true}},
		{args: []string{"carry", "main~1..pr", "--onto", "main", "--dry-run"}, want: &carryOptions{replaced: "main~1..pr", onto: "main", dryRun: true}},
		{args: []string{"carry", "--onto", "main", "a1b2c3", "--force", "--json"}, want: &carryOptions{replaced: "a1b2c3", onto: "main", force: true, json: true}},
		{args: []string{"carry", "main~1..pr"}, err: "carry needs --onto COMMIT"},
		{args: []string{"carry", "--onto", "main"}, err: "carry takes one BASE..TIP (or REV)"},
		{args: []string{"hook", "post-rewrite", "amend"}, want: &hookOptions{name: "post-rewrite", rest: []string{"amend"}}},
		{args: []string{"hook", "prepare-commit-msg", ".git/COMMIT_EDITMSG", "message"}, want: &hookOptions{name: "prepare-commit-msg", rest: []string{".git/COMMIT_EDITMSG", "message"}}},
		{args: []string{"hook"}, err: "hook needs the hook's name"},
		{args: []string{"rules"}, err: "rules needs a subcommand: list, test, add, remove, validate, import"},
		{args: []string{"rules", "frob"}, err: `unknown rules subcommand "frob"`},
		{args: []string{"rules", "list", "--json"}, want: &rulesListOptions{json: true}},
		{args: []string{"rules", "test", "--scope", "prompt", "a", "b"}, want: &rulesTestOptions{scope: "prompt", text: []string{"a", "b"}}},
		{args: []string{"rules", "test", "--scope", "everywhere"}, err: "--scope: want prompt or field"},
		{args: []string{"rules", "test", "--file", "f", "text"}, err: "not both"},
		{args: []string{"rules", "add", "client", "--pattern", "acme", "--type", "literal", "--keyword", "ac", "--repo"},
			want: &rulesAddOptions{rule: redact.Rule{ID: "client", Pattern: "acme", Type: "literal", Keywords: []string{"ac"}, Scope: "global"}, repo: true}},
		{args: []string{"rules", "add", "client"}, err: "add needs --pattern"},
		{args: []string{"rules", "add", "client", "--pattern", "x", "--type", "glob"}, err: `--type: want regex or literal`},
		{args: []string{"rules", "add", "client", "--pattern", "x", "--scope", "everywhere"}, err: `--scope: want prompt, field or global, not "everywhere"`},
		{args: []string{"rules", "remove", "client"}, want: &rulesRemoveOptions{id: "client"}},
		{args: []string{"rules", "validate", "a.yml", "b.yml"}, want: &rulesValidateOptions{files: []string{"a.yml", "b.yml"}}},
		{args: []string{"rules", "import", ".gitleaks.toml", "--repo", "--prefix", "gl-"}, want: &rulesImportOptions{pack: ".gitleaks.toml", repo: true, prefix: "gl-"}},
		{args: []string{"rules", "import"}, err: "import takes one rule pack FILE"},
		{args: []string{"rules", "import", "a.toml", "b.toml"}, err: "import takes one rule pack FILE"},
		{args: []string{"redact", "add", "--literal", "-", "--scope", "session:abc"}, want: &redactAddOptions{literal: "-", scope: "session:abc"}},
		{args: []string{"redact", "add", "--literal", "a", "--pattern", "b"}, err: "exactly one of --literal and --pattern"},
		{args: []string{"redact", "list", "--all"}, want: &redactListOptions{all: true}},
		{args: []string{"redact", "remove", "7"}, want: &redactRemoveOptions{id: 7}},
		{args: []string{"redact", "remove", "seven"}, err: `"seven" is not a manual redaction id`},
		{args: []string{"redact", "remove", "0"}, err: `"0" is not a manual redaction id`},
		{args: []string{"redact", "remove", "--", "-3"}, err: `"-3" is not a manual redaction id`},
		{args: []string{"scan", ".", "--skip", "email"}, want: &scanOptions{paths: []string{"."}, skip: []string{"email"}}},
		{args: []string{"scan"}, err: "scan needs at least one PATH"},
		{args: []string{"demo", "--keep", "d"}, want: &demoOptions{keep: "d"}},
		{args: []string{"version", "--json"}, want: &versionOptions{json: true}},
		{args: []string{"sessions", "--db", "x.db", "--source", "codex:/l"}, want: &sessionsOptions{},
			globals: globals{dbFlag: "x.db", sources: []string{"codex:/l"}}},
		{args: []string{"ingest", "--source", "/logs"}, err: `--source "/logs": want AGENT:PATH`},
		{args: []string{"ingest", "--source", "codx:/logs"}, err: `--source "codx:/logs": unknown agent "codx"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			c := findCommand(t, tt.args[0])
			var g globals
			inv, err := parse(c, c.name, tt.args[1:], &g)
			if tt.want == nil {
				var ue usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got error %v, want a usage error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			if !reflect.DeepEqual(inv.opts, tt.want) {
				t.Errorf("got options %#v, want %#v", inv.opts, tt.want)
			}
			if !reflect.DeepEqual(g, tt.globals) {
				t.Errorf("got globals %#v, want %#v", g, tt.globals)
			}
		})
	}
}

func findCommand(t *testing.T, name string) command {
	t.Helper()
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("no command %q", name)
	return command{}
}

// TestCommandTable checks that every command and verb has help text and
// either options or verbs, so that a new entry cannot be half-made.
func TestCommandTable(t *testing.T) {
	var check func(path string, c command)
	check = func(path string, c command) {
		if c.summary == "" || c.long == "" {
			t.Errorf("%s: no summary or help text", path)
		}
		if (c.new == nil) == (c.verbs == nil) {
			t.Errorf("%s: want options or verbs, not both or neither", path)
		}
		for _, v := range c.verbs {
			check(path+" "+v.name, v)
		}
	}
	seen := map[string]bool{}
	for _, c := range commands() {
		if seen[c.name] {
			t.Errorf("%s listed twice", c.name)
		}
		seen[c.name] = true
		check(c.name, c)
	}
}

// TestTopLevelErrors checks the messages of the top-level parser: one line
// and a hint, never the whole help.
func TestTopLevelErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--bogus"}, exitUsage, "aitrail: unknown flag: --bogus\nRun 'aitrail --help' for usage.\n"},
		{[]string{"frob"}, exitUsage, "aitrail: unknown command \"frob\"\nRun 'aitrail --help' for the list of commands.\n"},
		{[]string{"note", "--bogus"}, exitUsage, "aitrail note: unknown flag: --bogus\nRun 'aitrail note --help' for usage.\n"},
		{[]string{"rules", "add", "--bogus"}, exitUsage, "aitrail rules add: unknown flag: --bogus\nRun 'aitrail rules add --help' for usage.\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), &out, &errb)
			if code != tt.code || errb.String() != tt.want || out.Len() != 0 {
				t.Errorf("got exit %d, stderr %q, stdout %q; want exit %d, stderr %q", code, errb.String(), out.String(), tt.code, tt.want)
			}
		})
	}
}
