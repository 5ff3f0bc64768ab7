package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
	"github.com/aitrail/aitrail/store/pgtest"
)

// extremeCounts are the token counts an older aitrail could have stored
// from broken or forged logs (input, output, cache_read, cache_write,
// cache_write_1h, reasoning): the largest and smallest int64, two of 5e18
// whose sum overflows, negative counts, one just past store.MaxTokens.
var extremeCounts = []string{
	"9223372036854775807, 0, 0, 0, 0, 0",
	"5000000000000000000, 0, 0, 0, 0, 0",
	"5000000000000000000, 5000000000000000000, 0, 0, 0, 0",
	"0, 0, 0, 0, -9223372036854775808, 0",
	"0, 0, 0, 0, 0, -5",
	"1, 2, 3, 4, 5, 1099511627777",
	"0, 0, 9223372036854775807, 9223372036854775807, 9223372036854775807, 9223372036854775807",
}

// seedExtreme adds a usage row with each of extremeCounts to the local
// database at path, beside an existing row (same session and prompt).
func seedExtreme(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", store.FileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, counts := range extremeCounts {
		_, err := db.ExecContext(context.Background(), `INSERT INTO token_usage (session_id, prompt_id, source_id, ts, model,
			input, output, cache_read, cache_write, cache_write_1h, reasoning, dedupe_key, grp, sidechain)
			SELECT session_id, prompt_id, source_id, ts, model, `+counts+`, NULL, '', 0 FROM token_usage LIMIT 1`)
		if err != nil {
			t.Fatal(err)
		}
	}
}

// readCommands returns the read commands over a database's tokens: the
// listings (also as JSON), stats in every grouping, and every export
// format.
func readCommands(session string, groups []string) [][]string {
	var reads [][]string
	for _, js := range [][]string{nil, {"--json"}} {
		reads = append(reads, append([]string{"sessions"}, js...), append([]string{"show", session}, js...))
		for _, by := range groups {
			reads = append(reads, append([]string{"stats", "--by", by}, js...))
		}
	}
	for _, f := range report.ExportFormats {
		reads = append(reads, []string{"export", "--format", f})
	}
	return append(reads, []string{"show", session, "--full"})
}

// negative finds a negative number in output (not a date's dash).
var negative = regexp.MustCompile(`(^|[\s:(,$|])-[1-9]`)

// generated is an export's time, which differs from run to run.
var generated = regexp.MustCompile(`"generatedAt": ?"[^"]*"|Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC`)

// sameReads checks that each read printed what it did before the extreme
// counts were stored, and that the listings of numbers (sessions, stats)
// show no negative one (the others show the logs' text too).
func sameReads(t *testing.T, reads [][]string, before, after map[string]string) {
	t.Helper()
	for _, args := range reads {
		name := strings.Join(args, " ")
		if after[name] != before[name] {
			t.Errorf("aitrail %s changed with the extreme counts stored:\n--- before\n%s\n--- after\n%s", name, before[name], after[name])
		}
		if args[0] != "sessions" && args[0] != "stats" {
			continue
		}
		if m := negative.FindString(after[name]); m != "" {
			t.Errorf("aitrail %s printed a negative number (%q):\n%s", name, m, after[name])
		}
	}
}

// TestExtremeStoredTokens seeds the database of a repository with notes with
// extremeCounts and runs every read command (sessions, show, stats, note,
// annotate --dry-run, export, release-notes, blame, status): none may crash or fail, and
// each prints what it printed before the seeding, since such entries count
// in no sum. Then the notes carry counts whose sums overflow, negative
// counts, and line counts and ranges no commit has: still no crash, and no
// negative number.
func TestExtremeStoredTokens(t *testing.T) {
	r := newReportRepo(t)
	const session = "0199e0a1-0000-7000-8000-000000000001"
	groups := slices.DeleteFunc(slices.Clone(store.StatGroups), func(g string) bool { return g == "member" }) // a team's
	reads := readCommands(session, groups)
	for _, js := range [][]string{nil, {"--json"}} {
		reads = append(reads, append([]string{"release-notes", "v1.0.0"}, js...), append([]string{"blame", "health.go"}, js...),
			append([]string{"blame", "--summary"}, js...))
	}
	reads = append(reads, []string{"note", "HEAD~1"}, []string{"note", "HEAD~1", "--fresh"},
		[]string{"note", "HEAD~2", "--fresh"}, []string{"annotate", "--dry-run", "HEAD~3..HEAD"}, []string{"status"})
	runAll := func() map[string]string {
		out := map[string]string{}
		for _, args := range reads {
			stdout, stderr, err := r.try(r.root, nil, "aitrail", args...)
			name := strings.Join(args, " ")
			if err != nil || strings.Contains(stderr, "panic") || strings.Contains(stderr, "fatal error") {
				t.Fatalf("aitrail %s: %v\n%s%s", name, err, stdout, stderr)
			}
			out[name] = generated.ReplaceAllString(stdout, "(generated)")
		}
		return out
	}
	before := runAll()
	seedExtreme(t, r.db())
	sameReads(t, reads, before, runAll())

	// Notes are stored data too, and come from teammates: the same counts
	// in both AI commits' notes, whose sums overflow, and line counts and
	// ranges no commit has.
	for _, rev := range []string{"HEAD~1", "HEAD~2"} {
		note := r.cmd(r.root, nil, "git", "notes", "--ref=aitrail", "show", rev)
		for field, n := range map[string]string{"inputTokens": "9223372036854775807", "outputTokens": "-300",
			"totalTokens": "9223372036854775807", "cacheReadTokens": "-9223372036854775808",
			"addedLines": "9223372036854775807", "aiLines": "-2", "contextPrompts": "9223372036854775807",
			"end_line": "9223372036854775807"} {
			note = regexp.MustCompile(`"`+field+`": ?-?\d+`).ReplaceAllString(note, `"`+field+`": `+n)
		}
		r.cmd(r.root, nil, "git", "notes", "--ref=aitrail", "add", "-f", "-m", note, rev)
	}
	after := runAll()
	for _, args := range reads {
		name := strings.Join(args, " ")
		if args[0] == "note" && len(args) == 2 {
			continue // the note as stored
		}
		if m := negative.FindString(after[name]); m != "" {
			t.Errorf("aitrail %s printed a negative number (%q) from forged notes:\n%s", name, m, after[name])
		}
	}
}

// TestExtremeStoredTokensTeam pushes a database that holds extremeCounts
// to a team database (PostgreSQL, whose sums are computed apart) and runs
// the read commands there: each prints what it printed before.
func TestExtremeStoredTokensTeam(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL; skipped with -short")
	}
	srv := pgtest.Start(t)
	te := &teamEnv{t: t, url: srv.NewDB(t), pw: srv.Password}
	te.p = newProcEnv(t, corpusFor(t, 256<<10, 0))
	te.member("alice")
	te.member("reader")
	te.run("alice", append([]string{"ingest", "--quiet"}, te.p.args...)...)
	te.run("alice", "push")
	var list []store.SessionInfo
	if err := json.Unmarshal([]byte(te.team("sessions", "--json")), &list); err != nil || len(list) == 0 {
		t.Fatalf("team sessions: %v, %v", list, err)
	}
	reads := readCommands(list[0].Agent+":"+list[0].SessionID, store.StatGroups)
	runAll := func() map[string]string {
		out := map[string]string{}
		for _, args := range reads {
			out[strings.Join(args, " ")] = generated.ReplaceAllString(te.team(args...), "(generated)")
		}
		return out
	}
	before := runAll()
	seedExtreme(t, filepath.Join(te.p.dir, "alice.db"))
	te.run("alice", "push")
	sameReads(t, reads, before, runAll())
}
