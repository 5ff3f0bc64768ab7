package redact

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func newTestEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// fakeToken builds a fake token at run time, so that no source file holds
// one whole.
func fakeToken(prefix string, n int) string {
	const alnum = "Ab3Cd5Ef7Gh9Jk2Lm4Np6Qr8St0UvWxYz"
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; i < n; i++ {
		b.WriteByte(alnum[(i*7+i/3)%len(alnum)])
	}
	return b.String()
}

func TestTextRedacts(t *testing.T) {
	e := newTestEngine(t, testConfig())
	gh := fakeToken("gh"+"p_", 36)
	tests := []struct {
		name, in, want string
	}{
		{"vendor token", "token is " + gh + " ok", "token is [REDACTED:github-token] ok"},
		{"home", "cd /Users/jdoe/src && ls", "cd ~/src && ls"},
		{"encoded home", "projects/-Users-jdoe-src-app/x.jsonl", "projects/-~-src-app/x.jsonl"},
		{"url password only", "postgres://app:S3cretPassw0rd@db:5432/app", "postgres://app:[REDACTED:url-password]@db:5432/app"},
		{"email", "mail jane.doe@gmail.com now", "mail [REDACTED:email] now"},
		{"nothing", "plain text without secrets", "plain text without secrets"},
		{"placeholder kept", "[REDACTED:github-token] and [REDACTED:email]", "[REDACTED:github-token] and [REDACTED:email]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := e.Text(ScopeField, tt.in)
			if got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFindings(t *testing.T) {
	e := newTestEngine(t, testConfig())
	gh := fakeToken("gh"+"p_", 36)
	in := "a " + gh + " b"
	_, fs := e.Text(ScopeField, in)
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1", len(fs))
	}
	f := fs[0]
	if f.RuleID != "github-token" || in[f.Start:f.End] != gh {
		t.Errorf("finding %+v does not locate the token", f)
	}
	if len(f.ValueHash) != 32 || strings.Contains(f.ValueHash, gh) || len(f.RuleFingerprint) != 16 {
		t.Errorf("bad hashes in %+v", f)
	}
	// keyed: another key, another hash; same key, same hash
	cfg := testConfig()
	cfg.Key = []byte("another key")
	_, fs2 := newTestEngine(t, cfg).Text(ScopeField, in)
	if fs2[0].ValueHash == f.ValueHash {
		t.Error("ValueHash does not depend on Config.Key")
	}
	_, fs3 := e.Text(ScopeField, "x "+gh)
	if fs3[0].ValueHash != f.ValueHash {
		t.Error("ValueHash is not deterministic")
	}
}

func TestPseudonyms(t *testing.T) {
	cfg := testConfig()
	cfg.Pseudonyms = true
	e := newTestEngine(t, cfg)
	got, _ := e.Text(ScopeField, "mail jane.doe@gmail.com and jane.doe@gmail.com, bob@corp.io")
	re := regexp.MustCompile(`\[REDACTED:email:([0-9a-f]{8})\]`)
	m := re.FindAllStringSubmatch(got, -1)
	if len(m) != 3 || m[0][1] != m[1][1] || m[0][1] == m[2][1] {
		t.Fatalf("pseudonyms in %q: want equal values to share one", got)
	}
	if again, _ := e.Text(ScopeField, got); again != got {
		t.Errorf("pseudonymous placeholders are redacted again: %q", again)
	}
}

func TestScopes(t *testing.T) {
	e := newTestEngine(t, testConfig())
	in := "keep [redact the launch codes] private"
	if got, _ := e.Text(ScopePrompt, in); got != "keep [REDACTED:inline-marker] private" {
		t.Errorf("prompt: got %q", got)
	}
	if got, _ := e.Text(ScopeField, in); got != in {
		t.Errorf("field: got %q, want the marker rule to stay out of fields", got)
	}
}

func TestMergeLongestWins(t *testing.T) {
	e := newTestEngine(t, testConfig())
	// the JWT lies inside the Authorization value: one placeholder, no nesting
	jwt := "eyJhbGciOiJIUzI1NiJ9." + "eyJ" + fakeToken("", 30) + "." + fakeToken("", 40)
	got, fs := e.Text(ScopeField, "Authorization: Bearer "+jwt)
	if strings.Count(got, "[REDACTED:") != 1 || len(fs) != 1 {
		t.Errorf("got %q with %d findings, want one placeholder", got, len(fs))
	}
}

func TestJSON(t *testing.T) {
	e := newTestEngine(t, testConfig())
	gh := fakeToken("gh"+"p_", 36)
	tests := []struct {
		name, in, want string
	}{
		{"leaf", `{"a": "x ` + gh + `", "n": 1}`, `{"a": "x [REDACTED:github-token]", "n": 1}`},
		{"escaped leaf", `{"a":"line1\n/Users/jdoe/x \"q\""}`, `{"a":"line1\n~/x \"q\""}`},
		{"id keys skipped", `{"id":"jane@corp.io","session_id":"jane@corp.io","note":"jane@corp.io"}`,
			`{"id":"jane@corp.io","session_id":"jane@corp.io","note":"[REDACTED:email]"}`},
		{"secret key", `{"password":"hunter2hunter","api_key":"Zx81kLmq0PwErT5y","token_type":"bearer"}`,
			`{"password":"[REDACTED:secret-assignment]","api_key":"[REDACTED:secret-assignment]","token_type":"bearer"}`},
		{"keys scanned", `{"/Users/jdoe/src":1}`, `{"~/src":1}`},
		{"nested", `[{"x":[" ` + gh + `"]},true,null,-1.5e3]`, `[{"x":[" [REDACTED:github-token]"]},true,null,-1.5e3]`},
		{"invalid falls back to text", `{"a": ` + gh, `{"a": [REDACTED:github-token]`},
		{"formatting kept", "{\n  \"a\" : \"jane@corp.io\" ,\n  \"b\":[ ]\n}\n", "{\n  \"a\" : \"[REDACTED:email]\" ,\n  \"b\":[ ]\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := e.JSON([]byte(tt.in))
			if string(got) != tt.want {
				t.Errorf("JSON(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestJSONOffsets(t *testing.T) {
	e := newTestEngine(t, testConfig())
	in := `{"a":"\ttab \u00e9 jane@corp.io"}`
	_, fs := e.JSON([]byte(in))
	if len(fs) != 1 {
		t.Fatalf("got %d findings", len(fs))
	}
	if got := in[fs[0].Start:fs[0].End]; got != "jane@corp.io" {
		t.Errorf("offsets point at %q", got)
	}
}

func TestJSONUnchangedReturnsInput(t *testing.T) {
	e := newTestEngine(t, testConfig())
	in := []byte(`{"type":"user","message":{"content":"hello"}}`)
	got, fs := e.JSON(in)
	if &got[0] != &in[0] || fs != nil {
		t.Error("JSON copied an input it did not change")
	}
}

func TestRulesList(t *testing.T) {
	cfg := testConfig()
	cfg.Disabled = []string{"phone-number"}
	cfg.Emails = false
	cfg.RepoRules = func(root string) ([]Rule, error) {
		return []Rule{{ID: "acme-host", Type: TypeLiteral, Pattern: "build.acme.internal", Origin: OriginRepo, Source: "repo.yml:3"}}, nil
	}
	e := newTestEngine(t, cfg)
	if _, err := e.Repo("/src/acme"); err != nil {
		t.Fatal(err)
	}
	infos := map[string]RuleInfo{}
	for _, r := range e.Rules() {
		infos[r.ID] = r
	}
	if r := infos["phone-number"]; r.Enabled || !strings.Contains(r.Description, "disabled by the user") {
		t.Errorf("phone-number: %+v", r)
	}
	if r := infos["email"]; r.Enabled || !strings.Contains(r.Description, "policy") {
		t.Errorf("email: %+v", r)
	}
	if r := infos["acme-host"]; !r.Enabled || r.Origin != OriginRepo {
		t.Errorf("acme-host: %+v", r)
	}
	if r := infos["bracketed-troubleshooting"]; r.Enabled {
		t.Errorf("bracketed-troubleshooting should be off by default")
	}
	if got, _ := e.TextAt(ScopeField, Location{Repo: "/src/acme"}, "ping build.acme.internal"); got != "ping [REDACTED:acme-host]" {
		t.Errorf("literal rule: got %q", got)
	}
}

func TestIPPolicy(t *testing.T) {
	in := "dns 8.8.8.8 lan 10.0.0.1 lo 127.0.0.1"
	for _, tt := range []struct{ policy, want string }{
		{IPPublic, "dns [REDACTED:ip-address] lan 10.0.0.1 lo 127.0.0.1"},
		{"", "dns [REDACTED:ip-address] lan 10.0.0.1 lo 127.0.0.1"},
		{IPAll, "dns [REDACTED:ip-address] lan [REDACTED:ip-address] lo [REDACTED:ip-address]"},
		{IPOff, in},
	} {
		cfg := testConfig()
		cfg.IPPolicy = tt.policy
		if got, _ := newTestEngine(t, cfg).Text(ScopeField, in); got != tt.want {
			t.Errorf("policy %q: got %q, want %q", tt.policy, got, tt.want)
		}
	}
	cfg := testConfig()
	cfg.IPPolicy = "some"
	if _, err := New(cfg); err == nil {
		t.Error("New accepted an unknown IP policy")
	}
}

func TestPlaceholdersAreValidJSONText(t *testing.T) {
	// typed placeholders must need no escaping inside JSON strings
	b, _ := json.Marshal("[REDACTED:github-token]")
	if string(b) != `"[REDACTED:github-token]"` {
		t.Errorf("placeholder needs escaping: %s", b)
	}
}

// TestLaterPassOffsets covers a finding that only appears once a
// neighbour is redacted (the phone number's "+" loses its digit
// neighbour): its offsets still point into the input.
func TestLaterPassOffsets(t *testing.T) {
	e := newTestEngine(t, testConfig())
	in := "xo" + "xa-0000000000+10000000"
	out, fs := e.Text(ScopeField, in)
	if again, _ := e.Text(ScopeField, out); again != out {
		t.Fatalf("not a fixed point: %q then %q", out, again)
	}
	for _, f := range fs {
		if f.Start < 0 || f.End > len(in) || f.Start >= f.End {
			t.Errorf("finding %+v has offsets outside the input", f)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newTestEngine(t, testConfig())
	inputs := propertyInputs(t)
	want := make([]string, len(inputs))
	for i, in := range inputs {
		want[i], _ = e.Text(ScopeField, in)
	}
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i, in := range inputs {
				if got, _ := e.Text(ScopeField, in); got != want[i] {
					t.Errorf("concurrent Text(%q) = %q, want %q", in, got, want[i])
					return
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}

func TestCountPlaceholders(t *testing.T) {
	got := map[string]int{}
	CountPlaceholders("a [REDACTED:email] b [REDACTED:github-token:0a1b2c3d] [REDACTED:email][REDACTED:] [REDACTED:x", got)
	want := map[string]int{"email": 2, "github-token": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
