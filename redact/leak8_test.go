package redact

import (
	"encoding/json"
	"strings"
	"testing"
)

// luhnComplete returns prefix followed by random-looking digits and the
// check digit that makes a number of n digits Luhn-valid. Card numbers are
// built at test time so that no source file holds one.
func luhnComplete(prefix string, n, seed int) string {
	b := []byte(prefix)
	for i := len(b); i < n-1; i++ {
		b = append(b, byte('0'+(i*7+seed*3+i/3)%10))
	}
	for c := byte('0'); c <= '9'; c++ {
		if luhn(append(append([]byte{}, b...), c)) {
			return string(append(b, c))
		}
	}
	panic("unreachable")
}

// leakCase is a text holding a secret (or personal datum) that must not
// survive redaction.
type leakCase struct {
	name   string
	text   string
	secret string
	rule   string // the rule expected to redact it ("" = any)
}

// issue8Leaks are the leaks of issue 8, item 7, and the widened recall.
func issue8Leaks() []leakCase {
	long := fakeChars(wordChars, 300, 41)
	huge := fakeChars(alnumChars+"+/", 5000, 42)
	azure := fakeChars(alnumChars, 52, 43)
	search := fakeChars(alnumChars, 32, 44)
	pg := "u8jzkq2" + fakeChars(alnumChars, 9, 45)
	tok := fakeChars(alnumChars, 40, 46)
	hex := fakeChars(hexChars, 32, 47)
	jcb15 := luhnComplete("2131", 15, 1)
	b, _ := json.Marshal(map[string]string{"API_KEY": long})
	jsonLong := string(b)
	return []leakCase{
		// no length limit on assigned values
		{"dotenv 300 chars", `API_KEY="` + long + `"`, long, "secret-assignment"},
		{"export 300 chars", "export API_KEY=" + long, long, "secret-assignment"},
		{"json 300 chars", jsonLong, long, "secret-assignment"},
		{"yaml 5000 chars", "service:\n  api_key: " + huge + "\n", huge, "secret-assignment"},
		{"escaped json 300 chars", `{\"API_KEY\": \"` + long + `\"}`, long, "secret-assignment"},
		// identifier-like unquoted password values
		{"yaml postgres password", "environment:\n  POSTGRES_PASSWORD: " + pg + "\n", pg, "secret-assignment"},
		{"yaml password", "db:\n  password: s3cr3tP4ss\n", "s3cr3tP4ss", "secret-assignment"},
		{"env password", "POSTGRES_PASSWORD=" + pg, pg, "secret-assignment"},
		// *_key names that are no known vendor's
		{"search_key", "search_key=" + search, search, "secret-assignment"},
		{"azure_search_key", "azure_search_key = '" + azure + "'", azure, "secret-assignment"},
		{"AZURE_SEARCH_KEY yaml", "AZURE_SEARCH_KEY: " + azure, azure, "secret-assignment"},
		{"--search-key", "indexer --search-key " + azure + " --verbose", azure, "secret-assignment"},
		// phones with extensions and 00 prefixes
		{"phone x ext", "call (415) 555-0132 x4587 today", "555-0132 x4587", "phone-number"},
		{"phone ext.", "office: +1 415 555 0132 ext. 12", "0132 ext. 12", "phone-number"},
		{"phone extension", "415-555-0198 extension 204", "0198 extension 204", "phone-number"},
		{"phone 00 grouped", "tel 0044 20 7946 0958", "0044 20 7946 0958", "phone-number"},
		{"phone 00 spaced", "ring 00 33 1 42 68 53 00 after six", "00 33 1 42 68 53 00", "phone-number"},
		{"phone 00 plain with word", "phone: 00442079460958", "00442079460958", "phone-number"},
		// every Luhn-valid number of a known issuer range
		{"maestro 12", "card " + luhnComplete("5018", 12, 1), luhnComplete("5018", 12, 1), "payment-card"},
		{"maestro 12 grouped", "card " + group4(luhnComplete("6759", 12, 2)), group4(luhnComplete("6759", 12, 2)), "payment-card"},
		{"maestro 19", "card " + luhnComplete("6763", 19, 3), luhnComplete("6763", 19, 3), "payment-card"},
		{"jcb 2131", "card " + jcb15, jcb15, "payment-card"},
		{"jcb 1800", "card " + luhnComplete("1800", 15, 4), luhnComplete("1800", 15, 4), "payment-card"},
		{"jcb 3528", "card " + luhnComplete("3528", 16, 5), luhnComplete("3528", 16, 5), "payment-card"},
		{"jcb 3589 19", "card " + luhnComplete("3589", 19, 6), luhnComplete("3589", 19, 6), "payment-card"},
		{"mir", "card " + luhnComplete("2200", 16, 7), luhnComplete("2200", 16, 7), "payment-card"},
		{"diners 14", "card " + luhnComplete("3056", 14, 8), luhnComplete("3056", 14, 8), "payment-card"},
		{"unionpay 19", "card " + luhnComplete("6212", 19, 9), luhnComplete("6212", 19, 9), "payment-card"},
		{"rupay", "card " + luhnComplete("6080", 16, 10), luhnComplete("6080", 16, 10), "payment-card"},
		// URL passwords holding @
		{"url password with @", "DATABASE_URL=postgres://admin:p@ss" + "w0rd9@db.acme-corp.io:5432/app", "p@ssw0rd9", "url-password"},
		{"url password with two @", "https://deploy:a@b" + "@c9Zq@git.acme-corp.io/repo.git", "a@b@c9Zq", "url-password"},
		// <service> <key|token|secret|password> <value> in prose and logs
		{"prose api key", "Here is the mailgun api key " + hex + " for staging.", hex, "secret-assignment"},
		{"prose token", "INFO using deploy token " + tok + " for upload", tok, "secret-assignment"},
		{"prose secret backticks", "the webhook secret `" + tok + "` rotates monthly", tok, "secret-assignment"},
		{"prose password is", "my vpn password is " + pg, pg, "secret-assignment"},
		{"xml password", "<password>" + pg + "</password>", pg, "secret-assignment"},
		{"xml api key", "<apiKey>" + tok + "</apiKey>", tok, "secret-assignment"},
	}
}

func group4(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(len(s), i+4)])
	}
	return b.String()
}

// TestIssue8Leaks checks that each leak of issue 8 is closed: no 8 bytes of
// the secret survive Text (nor JSON when the text is JSON), and the rule
// that catches it is the expected one.
func TestIssue8Leaks(t *testing.T) {
	e := newTestEngine(t, testConfig())
	for _, c := range issue8Leaks() {
		t.Run(c.name, func(t *testing.T) {
			out, fs := e.Text(ScopeField, c.text)
			if p := survivor(out, c.secret); p != "" {
				t.Errorf("Text leaks %q: %q", p, out)
			}
			if f := strings.Fields(c.secret); c.rule == "phone-number" && strings.Contains(out, f[len(f)-1]) {
				t.Errorf("Text keeps %q: %q", f[len(f)-1], out)
			}
			if c.rule != "" && !hasRule(fs, c.rule) {
				t.Errorf("Text: no %s finding (%v): %q", c.rule, ruleIDs(fs), out)
			}
			if json.Valid([]byte(c.text)) {
				outj, _ := e.JSON([]byte(c.text))
				if p := survivor(string(outj), c.secret); p != "" {
					t.Errorf("JSON leaks %q: %s", p, outj)
				}
			}
			b, _ := json.Marshal(map[string]string{"content": c.text})
			outj, _ := e.JSON(b)
			if p := survivor(string(outj), c.secret); p != "" {
				t.Errorf("JSON of the text leaks %q: %s", p, outj)
			}
		})
	}
}

// TestURLPasswordWithAtKeepsHost checks that a password holding '@' is
// typed as a password and the host stays readable.
func TestURLPasswordWithAtKeepsHost(t *testing.T) {
	e := newTestEngine(t, testConfig())
	out, fs := e.Text(ScopeField, "postgres://admin:p@ssw0rd9@db.acme-corp.io:5432/app")
	if want := "postgres://admin:[REDACTED:url-password]@db.acme-corp.io:5432/app"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	if hasRule(fs, "email") {
		t.Errorf("the e-mail rule fired: %v", ruleIDs(fs))
	}
	// A user name that is an address is still personal data.
	out, _ = e.Text(ScopeField, "https://jane.doe@gmail.com:S3cretPw9@git.acme-corp.io/r.git")
	if strings.Contains(out, "jane.doe") || strings.Contains(out, "S3cretPw9") || !strings.Contains(out, "@git.acme-corp.io/r.git") {
		t.Errorf("got %q", out)
	}
}

func hasRule(fs []Finding, id string) bool {
	for _, f := range fs {
		if f.RuleID == id {
			return true
		}
	}
	return false
}

func ruleIDs(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.RuleID)
	}
	return ids
}

// issue8Benign are texts near the leak cases that must stay as they are.
var issue8Benign = []string{
	"password: string",
	"password: SecretStr",
	"password: newPassword",
	"password: env.DB_PASSWORD",
	"DB_PASSWORD: POSTGRES_PASSWORD",
	"primary_key = \"id\"",
	"cache_key = f\"user:{user_id}\"",
	"sort_key: created_at",
	"public_key = load_key(path)",
	"object_key = \"uploads/2024/05/report.pdf\"",
	"the cache key 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 was evicted",
	"gpg: using RSA key 5DE3E0509C47EA3CF04A42D34AEE18F83AFDEB23",
	"the primary key of the table",
	"use the token from the settings page",
	"the API key is stored in the vault",
	"a password of at least 12 characters",
	"see version 1.0.0 x64 build",
	"room 101 x4 chairs",
	"page 2 of 10",
	"order 00123456 shipped",
	"2024-01-15 10:00:01",
	"1760182820882",
	"id 123456789012",
	"build 0042 7",
	"mailto:jane@example.com",
	"<passwordHint>ask the admin</passwordHint>",
	"<token>${TOKEN}</token>",
}

func TestIssue8Benign(t *testing.T) {
	e := newTestEngine(t, testConfig())
	for _, s := range issue8Benign {
		if out, fs := e.Text(ScopeField, s); len(fs) > 0 {
			t.Errorf("%q became %q (%v)", s, out, ruleIDs(fs))
		}
	}
}
