package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aitrail/aitrail/store/pgtest"
)

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`a = ? AND b = ?`, `a = $1 AND b = $2`},
		{`x = ?2 OR y = ?1`, `x = $2 OR y = $1`},
		{`t = '?' AND u = ?`, `t = '?' AND u = $1`},
		{`s = 'it''s ?' AND v IN (?,?)`, `s = 'it''s ?' AND v IN ($1,$2)`},
	} {
		if got := postgresDialect.rebind(tc.in); got != tc.want {
			t.Errorf("rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := sqliteDialect.rebind(tc.in); got != tc.in {
			t.Errorf("sqlite rebind(%q) = %q, want it unchanged", tc.in, got)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://ada:s3cr%40t@db.example.com:5432/team?sslmode=verify-full": "postgres://ada:xxxxx@db.example.com:5432/team?sslmode=verify-full",
		"postgresql://ada@db/team":                         "postgresql://ada@db/team",
		"postgres://db/team?user=ada&password=hunter2":     "postgres://db/team?password=xxxxx&user=ada",
		"postgres://db/team?sslpassword=keypass&sslmode=x": "postgres://db/team?sslmode=x&sslpassword=xxxxx",
		"postgres://ada:pw@[::1:bad/team":                  "postgres://(unparsable URL)",
		"postgres://ada:123#secret@db/team":                "postgres://ada:123",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// fill writes a member's sessions into a local database: n sessions with
// prompts, a message, a tool call, an edit, usage and a redaction.
func fill(t *testing.T, db *DB, who string, n int) {
	t.Helper()
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		sid := fmt.Sprintf("%s-s%d", who, i)
		at := base.Add(time.Duration(i) * time.Hour)
		if i == 0 {
			sid = "shared-id" // both members have a session with this id
		}
		b, err := db.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		src, err := b.Source("codex", "log-"+sid, "~/logs/"+sid+".jsonl")
		if err != nil {
			t.Fatal(err)
		}
		recs := []Record{
			Session{ID: sid, Cwd: "~/src/app", Model: "gpt-5", AgentVersion: "1.0", Title: who + " session " + fmt.Sprint(i), Started: at, Ended: at.Add(time.Minute)},
			Prompt{Session: sid, Key: "p1", Time: at, Text: "first prompt of " + sid, Cwd: "~/src/app"},
			Message{Session: sid, Prompt: "p1", Key: "m1", Time: at.Add(time.Second), Kind: MessageAssistant, Text: "done"},
			ToolCall{Session: sid, Prompt: "p1", CallID: "c1", Time: at.Add(2 * time.Second), Name: "shell", Input: `{"cmd":"ls"}`},
			ToolResult{Session: sid, CallID: "c1", Time: at.Add(3 * time.Second), Output: "a\nb", Status: "ok"},
			FileEdit{Session: sid, Prompt: "p1", CallID: "c1", Time: at.Add(4 * time.Second), Path: "/home/x/src/app/main.go", Op: OpUpdate, Added: 3, Removed: 1, Diff: "+x"},
			Usage{Session: sid, Prompt: "p1", Time: at.Add(5 * time.Second), Model: "gpt-5", Input: 100 + int64(i), Output: 10, CacheRead: 1000, Key: sid + "-u1"},
			Prompt{Session: sid, Key: "p2", Time: at.Add(30 * time.Second), Text: "second prompt"},
			Usage{Session: sid, Prompt: "p2", Time: at.Add(31 * time.Second), Model: "gpt-5-mini", Input: 7, Output: 3},
			Link{Session: sid, Time: at, Kind: "pr", URL: "https://example.com/pr/" + fmt.Sprint(i)},
		}
		if i == 1 {
			recs = append(recs, Session{ID: sid + "-sub", ParentID: sid, Relation: "subagent", Started: at, Ended: at},
				Prompt{Session: sid + "-sub", Key: "q", Time: at.Add(time.Second), Text: "sub prompt"})
		}
		for _, r := range recs {
			ref, err := b.Add(src, r)
			if err != nil {
				t.Fatal(err)
			}
			if p, ok := r.(Prompt); ok && p.Key == "p1" {
				if err := b.AddFindings(src.ID, ref, "text", []FieldRedaction{{RuleID: "email", RuleFingerprint: "f", ValueHash: "secret-hash"}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := b.AddRaw(src.ID, 1, 0, []byte(`{"line":1}`), []FieldRedaction{{RuleID: "aws-access-key", RuleFingerprint: "k", ValueHash: "secret-hash", Count: 2}}); err != nil {
			t.Fatal(err)
		}
		if err := b.SaveSource(src); err != nil {
			t.Fatal(err)
		}
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	c := CommitRecord{Repo: "repo:" + who, SHA: fmt.Sprintf("%040d", n), CommittedAt: base, Status: CommitAnnotated, Added: 4, AI: 3,
		Prompts: []CommitPrompt{{Agent: "codex", Session: who + "-s1", Key: "p1", Role: "author"},
			{Agent: "codex", Session: "shared-id", Key: "p1", Role: "author"}},
		Files: []CommitFile{{Path: "main.go", Added: 4, AI: 3}},
		// The note counts the first call of those prompts (stats by commit
		// read it on both databases).
		Calls: []string{"codex:" + who + "-s1-u1", "codex:shared-id-u1"}}
	if err := db.SaveCommit(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// view is what the read commands show of a database, as JSON: sessions,
// each session grouped by prompt, and token stats by every grouping.
func view(t *testing.T, db *DB, member string) map[string]string {
	t.Helper()
	ctx := context.Background()
	f := SessionFilter{Member: member}
	out := map[string]string{}
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		// What only a team database says: who pushed it.
		return strings.NewReplacer(`"member":"`+member+`",`, ``).Replace(string(b))
	}
	list, err := db.Sessions(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	out["sessions"] = js(list)
	for _, s := range list {
		d, err := db.Detail(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		out["show "+s.SessionID] = js(d)
		found, err := db.FindMemberSession(ctx, s.Agent+":"+s.SessionID, member)
		if err != nil || found.ID != s.ID {
			t.Errorf("find %s: %v, %v", s.SessionID, found.ID, err)
		}
	}
	price := func(string, Tokens) (float64, bool) { return 0.5, true }
	x, err := db.Export(ctx, ExportFilter{SessionFilter: f}, price)
	if err != nil {
		t.Fatal(err)
	}
	out["export"] = js(x)
	for _, by := range []string{"session", "agent", "model", "day", "commit", "repo"} {
		rows, err := db.Stats(ctx, by, f, time.UTC, price)
		if err != nil {
			t.Fatal(err)
		}
		out["stats "+by] = js(rows)
	}
	return out
}

func sameView(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s differs:\n got %s\nwant %s", what, k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d views, want %d", what, len(got), len(want))
	}
}

func push(t *testing.T, db *DB, url, member string, o PushOptions) PushReport {
	t.Helper()
	o.Member, o.Machine = member, "host-"+member
	rep, err := db.Push(context.Background(), url, o)
	if err != nil {
		t.Fatalf("push %s: %v", member, err)
	}
	return rep
}

// pushedAlice fills a local database with n of alice's sessions and pushes it
// to a new team database.
func pushedAlice(t *testing.T, srv *pgtest.Server, n int) (string, *DB) {
	t.Helper()
	url := srv.NewDB(t)
	alice, _ := open(t)
	fill(t, alice, "alice", n)
	push(t, alice, url, "alice", PushOptions{})
	return url, alice
}

func openTeamDB(t *testing.T, url string) *DB {
	t.Helper()
	db, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// teamRows counts the rows of every team table.
func teamRows(t *testing.T, url string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, p := range pushTables {
		var n int64
		pgtest.QueryRow(t, url, `SELECT COUNT(*) FROM `+p.table, &n)
		out[p.table] = n
	}
	return out
}

func TestTeamDatabase(t *testing.T) {
	srv := pgtest.Start(t)
	ctx := context.Background()

	t.Run("push two members, read the union", func(t *testing.T) {
		url := srv.NewDB(t)
		alice, _ := open(t)
		bob, _ := open(t)
		fill(t, alice, "alice", 3)
		fill(t, bob, "bob", 2)

		dry := push(t, alice, url, "alice", PushOptions{DryRun: true})
		if dry.Schema != fmt.Sprintf("would create schema %d", SchemaVersion()) || !dry.First || dry.Sessions != 4 || dry.Commits != 1 {
			t.Errorf("dry run = %+v", dry)
		}
		var tables int
		pgtest.QueryRow(t, url, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'`, &tables)
		if tables != 0 {
			t.Errorf("after a dry run the team database has %d tables, want none", tables)
		}

		ra := push(t, alice, url, "alice", PushOptions{})
		if ra.Schema != fmt.Sprintf("created schema %d", SchemaVersion()) || ra.Sessions != 4 {
			t.Errorf("first push = %+v", ra)
		}
		for i := range dry.Tables {
			if dry.Tables[i] != ra.Tables[i] {
				t.Errorf("dry run said %v, push sent %v", dry.Tables[i], ra.Tables[i])
			}
		}
		push(t, bob, url, "bob", PushOptions{})
		team := openTeamDB(t, url)
		sameView(t, "alice", view(t, team, "alice"), view(t, alice, ""))
		sameView(t, "bob", view(t, team, "bob"), view(t, bob, ""))

		// Unfiltered, the team sees both: every session, and tokens summed.
		all, err := team.Sessions(ctx, SessionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 7 {
			t.Errorf("team sessions = %d, want 7", len(all))
		}
		// --repo compares the directory as stored there (path keys stay on
		// each machine): the seven sessions in ~/src/app (five, and the two
		// sub-agents, which work where their parents do), byte by byte.
		for dir, want := range map[string]int{"~/src/app": 7, "~/src/app/": 7, "~/src/ap": 0, "~/src": 7} {
			in, err := team.Sessions(ctx, SessionFilter{Shown: dir, Dir: "/not-a-key"})
			if err != nil || len(in) != want {
				t.Errorf("team sessions in %s = %d (%v), want %d", dir, len(in), err, want)
			}
		}
		byAgent := func(db *DB) Tokens {
			rows, err := db.Stats(ctx, "agent", SessionFilter{}, time.UTC, nil)
			if err != nil || len(rows) != 1 {
				t.Fatalf("stats = %v, %v", rows, err)
			}
			return rows[0].Tokens
		}
		sum := byAgent(alice)
		sum.Add(byAgent(bob))
		if got := byAgent(team); got != sum {
			t.Errorf("team tokens = %+v, want %+v", got, sum)
		}
		members, err := team.Stats(ctx, "member", SessionFilter{}, time.UTC, nil)
		if err != nil || len(members) != 2 || members[0].Member != "alice" || members[0].Sessions != 3 {
			t.Errorf("stats by member = %+v, %v", members, err)
		}
		if _, err := team.FindSession(ctx, "shared-id"); !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), "of bob") {
			t.Errorf("a session id both members have: %v, want ambiguous naming the members", err)
		}
		// Release notes ask by sha, whoever annotated it (alice 0…03, bob 0…02).
		st, err := team.CommitStatuses(ctx, "", []string{fmt.Sprintf("%040d", 2), fmt.Sprintf("%040d", 3), "f00"})
		if err != nil || len(st) != 2 || st[fmt.Sprintf("%040d", 3)] != CommitAnnotated {
			t.Errorf("commit statuses on the team database: %v, %v", st, err)
		}
		if _, err := alice.Sessions(ctx, SessionFilter{Member: "alice"}); !errors.Is(err, ErrNeedsTeam) {
			t.Errorf("member filter on a local database: %v", err)
		}

		// Pushing again sends nothing and changes nothing.
		before := teamRows(t, url)
		again := push(t, alice, url, "alice", PushOptions{})
		if again.Rows() != 0 || again.Sessions != 0 || again.First {
			t.Errorf("second push = %+v, want nothing sent", again)
		}
		if after := teamRows(t, url); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("rows after a second push %v, before %v", after, before)
		}

		// The raw lines' findings arrive as provenance (rule, count), one
		// per log, under its first session, without --raw too.
		var raw, rawCount int
		pgtest.QueryRow(t, url, `SELECT COUNT(*), COALESCE(SUM(count), 0) FROM redactions
			WHERE tbl = 'raw_records' AND rule_id = 'aws-access-key' AND member = 'alice'`, &raw, &rawCount)
		if raw != 3 || rawCount != 6 {
			t.Errorf("team provenance of raw lines: %d rows, count %d; want 3 rows (one per log), count 6", raw, rawCount)
		}

		// What the team database keeps of a redaction: never the value's hash.
		var hashes int
		pgtest.QueryRow(t, url, `SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = 'public'
			AND column_name IN ('value_hash', 'path_key', 'state')`, &hashes)
		if hashes != 0 {
			t.Errorf("the team schema has %d columns for keyed hashes or ingest state", hashes)
		}

		// Writing to the team database is refused with a clear error.
		if _, err := team.Begin(ctx); !errors.Is(err, ErrTeamReadOnly) {
			t.Errorf("Begin on a team database: %v", err)
		}
		if _, err := team.Push(ctx, url, PushOptions{Member: "x", Machine: "y"}); !errors.Is(err, ErrTeamReadOnly) {
			t.Errorf("push from a team database: %v", err)
		}
		if err := team.SaveCommit(ctx, CommitRecord{}); !errors.Is(err, ErrTeamReadOnly) {
			t.Errorf("SaveCommit on a team database: %v", err)
		}
	})

	t.Run("incremental: changes, deletions and redactions follow", func(t *testing.T) {
		url, alice := pushedAlice(t, srv, 3)

		// A session grows, a log is rewritten (its session goes), a commit
		// is re-annotated.
		add(t, alice, "log-alice-s2", Prompt{Session: "alice-s2", Key: "p3", Time: time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC), Text: "later"})
		var src int64
		alice.sql.QueryRow(`SELECT id FROM sources WHERE path_key = 'log-alice-s1'`).Scan(&src)
		b, _ := alice.Begin(ctx)
		if err := b.ResetSource(src); err != nil {
			t.Fatal(err)
		}
		b.Commit()
		if err := alice.SaveCommit(ctx, CommitRecord{Repo: "repo:alice", SHA: fmt.Sprintf("%040d", 3), Status: CommitNoAI, Added: 9}); err != nil {
			t.Fatal(err)
		}
		rep := push(t, alice, url, "alice", PushOptions{})
		// alice-s2 grew; alice-s1 and its sub-session were deleted.
		if rep.Sessions != 3 || rep.Commits != 1 {
			t.Errorf("incremental push = %+v, want 3 sessions and 1 commit", rep)
		}
		team := openTeamDB(t, url)
		sameView(t, "after changes", view(t, team, "alice"), view(t, alice, ""))

		// A manual redaction rewrites stored text: the next push replaces
		// the team database's copy.
		_, _, err := alice.AddManualRedaction(ctx, ManualRedaction{Kind: ManualPattern, Pattern: "later", Actor: "a"}, RewriteFilter{},
			func(int64) (RewriteFunc, error) {
				return func(s StoredText) (string, []FieldRedaction) {
					return strings.ReplaceAll(s.Text, "later", "[REDACTED]"), []FieldRedaction{{RuleID: "manual:1"}}
				}, nil
			})
		if err != nil {
			t.Fatal(err)
		}
		push(t, alice, url, "alice", PushOptions{})
		var n int
		pgtest.QueryRow(t, url, `SELECT COUNT(*) FROM prompts WHERE text LIKE '%later%'`, &n)
		if n != 0 {
			t.Errorf("a redacted text is still in the team database after the push")
		}
		sameView(t, "after a manual redaction", view(t, team, "alice"), view(t, alice, ""))

		// PostgreSQL stores neither NUL nor invalid UTF-8: they arrive as U+FFFD.
		add(t, alice, "log-alice-s2", ToolResult{Session: "alice-s2", CallID: "c1", Output: "a\x00b\xffc", Status: "ok"})
		push(t, alice, url, "alice", PushOptions{})
		var out string
		pgtest.QueryRow(t, url, `SELECT output FROM tool_calls t JOIN sessions s ON s.id = t.session_id WHERE s.external_id = 'alice-s2'`, &out)
		if out != "a\uFFFDb\uFFFDc" {
			t.Errorf("tool output with NUL and invalid UTF-8 arrived as %q", out)
		}
	})

	t.Run("raw lines only with Raw", func(t *testing.T) {
		url, alice := pushedAlice(t, srv, 2)
		if n := teamRows(t, url); n["raw_records"] != 0 || n["sources"] != 0 {
			t.Errorf("without Raw: %v", n)
		}
		rep := push(t, alice, url, "alice", PushOptions{Raw: true})
		if n := teamRows(t, url); n["raw_records"] != 2 || n["sources"] != 2 || rep.Sources != 2 || rep.Sessions != 0 {
			t.Errorf("with Raw: %v, report %+v", n, rep)
		}
	})

	t.Run("one member name per database", func(t *testing.T) {
		url, alice := pushedAlice(t, srv, 1)
		_, err := alice.Push(ctx, url, PushOptions{Member: "alicia", Machine: "m"})
		if err == nil || !strings.Contains(err.Error(), `as member "alice"`) {
			t.Errorf("push under another name: %v", err)
		}
	})

	t.Run("schema upgrade from the previous version", func(t *testing.T) {
		url := srv.NewDB(t)
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		prev := SchemaVersion() - 1
		tx, _ := conn.Begin(ctx)
		if _, err := migrateTeam(ctx, tx, prev); err != nil {
			t.Fatal(err)
		}
		// A row pushed by the previous version.
		if _, err := tx.Exec(ctx, `INSERT INTO team_databases (member, db_id, rev) VALUES ('carol', 'old', 5);
			INSERT INTO sessions (member, machine, id, agent, external_id, started_at) VALUES ('carol', 'm', 1, 'codex', 'old-session', '2025-12-01T00:00:00.000Z')`); err != nil {
			t.Fatal(err)
		}
		tx.Commit(ctx)
		if _, err := Open(ctx, url); err == nil || !strings.Contains(err.Error(), "next 'aitrail push'") {
			t.Errorf("reading a team database of the previous schema: %v", err)
		}
		alice, _ := open(t)
		fill(t, alice, "alice", 1)
		rep := push(t, alice, url, "alice", PushOptions{})
		if want := fmt.Sprintf("upgraded schema %d to %d", prev, SchemaVersion()); rep.Schema != want {
			t.Errorf("schema = %q, want %q", rep.Schema, want)
		}
		team := openTeamDB(t, url)
		if s, err := team.FindSession(ctx, "old-session"); err != nil || s.Member != "carol" {
			t.Errorf("the previous version's row: %+v, %v", s, err)
		}
		sameView(t, "after the upgrade", view(t, team, "alice"), view(t, alice, ""))
	})

	t.Run("a newer schema is refused", func(t *testing.T) {
		url := srv.NewDB(t)
		alice, _ := open(t)
		push(t, alice, url, "alice", PushOptions{})
		pgtest.Exec(t, url, fmt.Sprintf(`INSERT INTO aitrail_schema VALUES (%d, '')`, SchemaVersion()+1))
		if _, err := alice.Push(ctx, url, PushOptions{Member: "alice", Machine: "m"}); !errors.Is(err, ErrTooNew) {
			t.Errorf("push to a newer schema: %v", err)
		}
		if _, err := Open(ctx, url); !errors.Is(err, ErrTooNew) {
			t.Errorf("read a newer schema: %v", err)
		}
	})

	t.Run("roles: members push, a reader only reads", func(t *testing.T) { teamRoles(t, srv) })

	t.Run("TLS from the URL", func(t *testing.T) {
		if srv.CAFile == "" {
			t.Skip("the AITRAIL_TEST_PG server's certificate authority is unknown")
		}
		url := srv.NewDB(t)
		alice, _ := open(t)
		fill(t, alice, "alice", 1)
		verified := strings.Replace(url, "sslmode=disable", "sslmode=verify-full&sslrootcert="+srv.CAFile, 1)
		push(t, alice, verified, "alice", PushOptions{})
		team := openTeamDB(t, verified)
		var ssl bool
		if err := team.sql.QueryRowContext(ctx, `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&ssl); err != nil || !ssl {
			t.Errorf("a verify-full connection is not encrypted: %v, %v", ssl, err)
		}
		// Without the authority, the server's certificate is refused.
		unknown := strings.Replace(url, "sslmode=disable", "sslmode=verify-full", 1)
		_, err := Open(ctx, unknown)
		if err == nil || !strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), srv.Password) {
			t.Errorf("verify-full without the authority: %v", err)
		}
	})

	t.Run("errors name the URL without its password", func(t *testing.T) {
		url := srv.NewDB(t)
		bad := strings.Replace(url, srv.Password, "wrong-"+srv.Password, 1)
		_, err := Open(ctx, bad)
		if err == nil || strings.Contains(err.Error(), srv.Password) || !strings.Contains(err.Error(), "xxxxx") ||
			!strings.Contains(err.Error(), "password authentication failed") {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := Open(ctx, url); err == nil || !strings.Contains(err.Error(), "holds no aitrail data yet") {
			t.Errorf("empty team database: %v", err)
		}
	})
}

// TestTeamUnreachable checks that a server that is down or does not
// answer is one line naming the redacted URL, within the timeout.
func TestTeamUnreachable(t *testing.T) {
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	// A server that accepts and never answers.
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	defer l.Close()
	silent := fmt.Sprintf("postgres://ada:hunter22@127.0.0.1:%d/team?connect_timeout=1", port)
	start := time.Now()
	_, err = Open(ctx, silent)
	if err == nil || !strings.Contains(err.Error(), "no answer within the timeout") || strings.Contains(err.Error(), "hunter22") {
		t.Errorf("silent server: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("silent server: gave up after %v", d)
	}
	// A port nobody listens on.
	l2, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l2.Addr().(*net.TCPAddr).Port
	l2.Close()
	db, _ := open(t)
	_, err = db.Push(ctx, fmt.Sprintf("postgres://ada:hunter22@127.0.0.1:%d/team", closed), PushOptions{Member: "a", Machine: "m"})
	if err == nil || !strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "hunter22") ||
		strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "ada:xxxxx@") ||
		strings.Count(err.Error(), "connection refused") != 1 {
		t.Errorf("refused (once, one line, no password): %v", err)
	}
}

// teamRoles sets the team database up as docs/team.md says: members push
// through the owner role, a reader reads and can change nothing.
func teamRoles(t *testing.T, srv *pgtest.Server) {
	ctx := context.Background()
	// Roles are the server's: dropped after the database (registered first,
	// this cleanup runs last), for a shared server (AITRAIL_TEST_PG).
	name := fmt.Sprintf("r%d", time.Now().UnixNano()%1e9)
	t.Cleanup(func() {
		for _, r := range []string{"ada", "lead", "owner", "reader"} {
			pgtest.Exec(t, srv.URL, `DROP ROLE IF EXISTS `+name+`_`+r)
		}
	})
	admin := srv.NewDB(t)
	with := func(user, pw string) string {
		return strings.Replace(admin, "aitrail:"+srv.Password, user+":"+pw, 1)
	}
	for _, q := range []string{
		`CREATE ROLE ` + name + `_owner NOLOGIN`,
		`CREATE ROLE ` + name + `_ada LOGIN PASSWORD 'ada-pw' IN ROLE ` + name + `_owner`,
		`ALTER ROLE ` + name + `_ada SET role = '` + name + `_owner'`,
		`CREATE ROLE ` + name + `_reader NOLOGIN`,
		`CREATE ROLE ` + name + `_lead LOGIN PASSWORD 'lead-pw' IN ROLE ` + name + `_reader`,
	} {
		srv.Exec(t, q)
	}
	for _, q := range []string{
		`ALTER SCHEMA public OWNER TO ` + name + `_owner`,
		`GRANT USAGE ON SCHEMA public TO ` + name + `_reader`,
		`ALTER DEFAULT PRIVILEGES FOR ROLE ` + name + `_owner IN SCHEMA public GRANT SELECT ON TABLES TO ` + name + `_reader`,
	} {
		pgtest.Exec(t, admin, q)
	}
	ada := with(name+"_ada", "ada-pw")
	lead := with(name+"_lead", "lead-pw")
	if _, err := Open(ctx, lead); err == nil || !strings.Contains(err.Error(), "holds no aitrail data yet") {
		t.Errorf("reader before the first push: %v", err)
	}
	local, _ := open(t)
	fill(t, local, "ada", 2)
	push(t, local, ada, "ada", PushOptions{})
	team := openTeamDB(t, lead)
	sameView(t, "read by the reader", view(t, team, "ada"), view(t, local, ""))
	other, _ := open(t)
	fill(t, other, "lead", 1)
	if _, err := other.Push(ctx, lead, PushOptions{Member: "lead", Machine: "m"}); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("a push by the reader: %v", err)
	}
	if _, err := team.sql.ExecContext(ctx, `DELETE FROM sessions`); err == nil {
		t.Errorf("the reader could delete sessions")
	}
}
