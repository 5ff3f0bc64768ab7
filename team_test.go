package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/store/pgtest"
)

// teamEnv runs aitrail processes for the members of a team, each with its
// own home, config and local database, against one team database.
type teamEnv struct {
	t   *testing.T
	p   *procEnv
	url string // the team database, with its password
	pw  string // the password, which no output may show
}

// member makes a member's config (team.member, team.machine) and returns
// its path.
func (te *teamEnv) member(name string) string {
	te.t.Helper()
	cfg := filepath.Join(te.p.dir, name+".yml")
	body := fmt.Sprintf("team:\n  member: %s@example.com\n  machine: %s-laptop\n", name, name)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		te.t.Fatal(err)
	}
	return cfg
}

// cmd returns an aitrail command as member name (its config and local
// database) with args.
func (te *teamEnv) cmd(name string, args ...string) *exec.Cmd {
	full := append([]string{"--config", filepath.Join(te.p.dir, name+".yml"), "--db", filepath.Join(te.p.dir, name+".db")}, args...)
	cmd := exec.Command(te.p.bin, full...)
	cmd.Dir = te.p.dir
	cmd.Env = []string{
		"HOME=" + te.p.dir,
		"XDG_CONFIG_HOME=" + filepath.Join(te.p.dir, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(te.p.dir, ".local", "share"),
		"PATH=" + os.Getenv("PATH"),
		"NO_COLOR=1",
		"TZ=UTC",
		"AITRAIL_TEAM_URL=" + te.url,
	}
	return cmd
}

// run runs aitrail as a member and returns its output, failing the test
// when it fails or when any output shows the team database's password.
func (te *teamEnv) run(name string, args ...string) string {
	te.t.Helper()
	cmd := te.cmd(name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	te.noPassword(out.String() + errb.String())
	if err != nil {
		te.t.Fatalf("aitrail %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

func (te *teamEnv) noPassword(s string) {
	te.t.Helper()
	if te.pw != "" && strings.Contains(s, te.pw) {
		te.t.Errorf("the team database's password is in the output:\n%s", s)
	}
}

// team reads the team database: aitrail --db URL args.
func (te *teamEnv) team(args ...string) string {
	te.t.Helper()
	return te.run("reader", append([]string{"--db", te.url}, args...)...)
}

// rows decodes a JSON listing into its rows, each without its member (a
// local database's rows have none), sorted, and the members seen.
func rows(t *testing.T, js string, key string) ([]string, map[string]int) {
	t.Helper()
	var list []map[string]any
	if key == "" {
		if err := json.Unmarshal([]byte(js), &list); err != nil {
			t.Fatalf("%v\n%s", err, js)
		}
	} else {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(js), &m); err != nil {
			t.Fatalf("%v\n%s", err, js)
		}
		if err := json.Unmarshal(m[key], &list); err != nil {
			t.Fatalf("%v\n%s", err, js)
		}
	}
	members := map[string]int{}
	var out []string
	for _, r := range list {
		if m, ok := r["member"].(string); ok {
			members[m]++
			delete(r, "member")
		}
		b, _ := json.Marshal(r)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out, members
}

func union(a, b []string) []string {
	out := append(append([]string{}, a...), b...)
	sort.Strings(out)
	return out
}

func sameRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: team database has %d rows, want %d:\n got %s\nwant %s", what, len(got), len(want),
			strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		return
	}
	for i := range got {
		if got[i] != want[i] {
			n := 0
			for n < len(got[i]) && n < len(want[i]) && got[i][n] == want[i][n] {
				n++
			}
			from := max(n-200, 0)
			t.Errorf("%s: row %d differs at byte %d:\n got …%s\nwant …%s", what, i, n,
				got[i][from:min(n+200, len(got[i]))], want[i][from:min(n+200, len(want[i]))])
			return
		}
	}
}

// TestTeamPush pushes two members' databases, filled by real ingests of
// generated logs (the same session ids in both), to one team database with
// the real binary, and reads it back: the team's sessions and stats are the
// union of the members' (and so is the export), each member's are exactly
// theirs, pushing again
// adds nothing, a dry run writes nothing, and a push killed midway leaves
// nothing and is completed by the next one.
func TestTeamPush(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and ingests generated logs; skipped with -short")
	}
	srv := pgtest.Start(t)
	url := srv.NewDB(t)
	te := &teamEnv{t: t, url: url, pw: srv.Password}
	// Alice's logs include Bob's: their session ids are the same.
	te.p = newProcEnv(t, corpusFor(t, 3<<20, 0))
	bobLogs := corpusFor(t, 1<<20, 0)
	for _, name := range []string{"alice", "bob", "carol", "reader"} {
		te.member(name)
	}
	te.run("alice", append([]string{"ingest", "--quiet"}, te.p.args...)...)
	var bobArgs []string
	for _, s := range bobLogs.Sources() {
		bobArgs = append(bobArgs, "--source", s)
	}
	te.run("bob", append([]string{"ingest", "--quiet"}, bobArgs...)...)

	// A dry run says what would be sent and writes nothing, not even the schema.
	dry := te.run("alice", "push", "--dry-run")
	if !strings.Contains(dry, "would push to postgres://aitrail:xxxxx@") || !strings.Contains(dry, "would create schema") ||
		!strings.Contains(dry, "nothing was written") {
		t.Errorf("push --dry-run:\n%s", dry)
	}
	if n := teamTables(t, url); n != 0 {
		t.Fatalf("after a dry run the team database has %d tables, want none", n)
	}
	first := te.run("alice", "push")
	if tableLines(first) != tableLines(dry) {
		t.Errorf("the push sent other rows than its dry run said:\n%s\ndry run:\n%s", first, dry)
	}
	te.run("bob", "push")

	for _, by := range []string{"session", "agent", "model", "day"} {
		a, _ := rows(t, te.run("alice", "stats", "--by", by, "--json"), statsKey(by))
		b, _ := rows(t, te.run("bob", "stats", "--by", by, "--json"), statsKey(by))
		if by == "session" {
			got, members := rows(t, te.team("stats", "--by", "session", "--json"), "session")
			sameRows(t, "stats --by session", got, union(a, b))
			if members["alice@example.com"] != len(a) || members["bob@example.com"] != len(b) {
				t.Errorf("stats --by session: rows per member %v, want alice %d, bob %d", members, len(a), len(b))
			}
		}
		got, _ := rows(t, te.team("stats", "--by", by, "--member", "alice@example.com", "--json"), statsKey(by))
		sameRows(t, "stats --by "+by+" --member alice", got, a)
	}
	// Summed over members, the team's totals are the two members' totals.
	total := func(js string) (n int64) {
		var v struct {
			Totals struct {
				Total int64 `json:"totalTokens"`
			} `json:"totals"`
		}
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			t.Fatal(err)
		}
		return v.Totals.Total
	}
	ta, tb := total(te.run("alice", "stats", "--by", "agent", "--json")), total(te.run("bob", "stats", "--by", "agent", "--json"))
	if got := total(te.team("stats", "--by", "agent", "--json")); got != ta+tb || ta == 0 || tb == 0 {
		t.Errorf("team total tokens %d, want %d + %d", got, ta, tb)
	}
	sa, _ := rows(t, te.run("alice", "sessions", "--json"), "")
	sb, _ := rows(t, te.run("bob", "sessions", "--json"), "")
	got, members := rows(t, te.team("sessions", "--json"), "")
	sameRows(t, "sessions", got, union(sa, sb))
	if len(members) != 2 {
		t.Errorf("sessions of members %v, want alice and bob", members)
	}
	xa, _ := rows(t, te.run("alice", "export", "--format", "json"), "sessions")
	xb, _ := rows(t, te.run("bob", "export", "--format", "json"), "sessions")
	got, _ = rows(t, te.team("export", "--format", "json"), "sessions")
	sameRows(t, "export", got, union(xa, xb))
	got, _ = rows(t, te.team("export", "--format", "json", "--member", "bob@example.com"), "sessions")
	sameRows(t, "export --member bob", got, xb)
	// Text output too: one member's stats read alike from both databases.
	if a, g := te.run("alice", "stats", "--by", "model"), te.team("stats", "--by", "model", "--member", "alice@example.com"); a != g {
		t.Errorf("stats --by model, local:\n%s\nteam, alice's:\n%s", a, g)
	}
	var one struct {
		SessionID string `json:"sessionId"`
		Agent     string `json:"agent"`
	}
	json.Unmarshal([]byte(sa[0]), &one)
	ref := one.Agent + ":" + one.SessionID
	local := te.run("bob", "show", ref)
	if !strings.Contains(te.team("show", ref, "--member", "bob@example.com"), strings.TrimPrefix(local, "Session "+ref+"\n")) {
		t.Errorf("show %s differs between bob's database and the team's", ref)
	}

	// Pushing again adds nothing.
	before := teamCounts(t, url)
	if out := te.run("alice", "push"); !strings.Contains(out, "nothing new since the last push") {
		t.Errorf("second push:\n%s", out)
	}
	if after := teamCounts(t, url); after != before {
		t.Errorf("a second push changed the team database: %s, before %s", after, before)
	}

	// A push killed midway leaves nothing; the next one sends it all.
	te.p.args = nil
	carolLogs := corpusFor(t, 24<<20, 0)
	var carolArgs []string
	for _, s := range carolLogs.Sources() {
		carolArgs = append(carolArgs, "--source", s)
	}
	te.run("carol", append([]string{"ingest", "--quiet"}, carolArgs...)...)
	// Kill it once it is copying rows inside its transaction.
	out := killWhen(t, te.cmd("carol", "push"), 2*time.Millisecond, func() bool {
		var copying int
		pgtest.QueryRow(t, url, `SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'aitrail'
			AND xact_start IS NOT NULL AND query ILIKE 'copy%'`, &copying)
		return copying > 0
	}, "aitrail push")
	te.noPassword(out)
	if after := teamCounts(t, url); after != before {
		t.Errorf("a killed push left rows in the team database: %s, before %s", after, before)
	}
	t.Logf("the push after the killed one:\n%s", te.run("carol", "push"))
	c, _ := rows(t, te.run("carol", "stats", "--by", "session", "--json"), "session")
	gotc, _ := rows(t, te.team("stats", "--by", "session", "--member", "carol@example.com", "--json"), "session")
	sameRows(t, "carol's stats after a killed push and another", gotc, c)
	if out := te.run("carol", "push"); !strings.Contains(out, "nothing new since the last push") {
		t.Errorf("push after the completed one:\n%s", out)
	}
}

// statsKey is the JSON key of stats' rows for a grouping.
func statsKey(by string) string {
	if by == "day" {
		return "daily"
	}
	return by
}

// tableLines returns the per-table lines of push's output.
func tableLines(out string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "TABLE") {
			in = true
		}
		if in && strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "in ") && !strings.HasPrefix(l, "nothing was") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// teamTables counts the tables of the team database's public schema.
func teamTables(t *testing.T, url string) (n int) {
	t.Helper()
	pgtest.QueryRow(t, url, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'`, &n)
	return n
}

// teamCounts describes how many rows each team table holds.
func teamCounts(t *testing.T, url string) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"team_databases", "sessions", "prompts", "messages", "tool_calls", "file_edits", "token_usage", "links", "redactions", "commits"} {
		var n int64
		pgtest.QueryRow(t, url, `SELECT COUNT(*) FROM `+table, &n)
		parts = append(parts, fmt.Sprintf("%s %d", table, n))
	}
	return strings.Join(parts, ", ")
}
