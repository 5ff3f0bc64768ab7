package redact

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

type planted struct{ family, value string }

func fakeChars(alphabet string, n, seed int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(alphabet[(i*7+seed*13+i/5)%len(alphabet)])
	}
	return b.String()
}

const (
	alnumChars  = "Ab3Cd5Ef7Gh9Jk2Lm4Np6Qr8St0UvWxYz"
	hexChars    = "0a1b2c3d4e5f6789"
	letterChars = "AbCdEfGhJkLmNpQrStUvWxYzaBcDeFgH"
	upperB32    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	wordChars   = "Ab3Cd5Ef7Gh9Jk2_Lm4Np6-Qr8St0UvWxYz"
)

// plantedSecrets builds fake tokens of every prefixed vendor family at run
// time: the prefixes are split so that no source file holds a whole token.
func plantedSecrets() []planted {
	a := func(n, seed int) string { return fakeChars(alnumChars, n, seed) }
	h := func(n, seed int) string { return fakeChars(hexChars, n, seed) }
	w := func(n, seed int) string { return fakeChars(wordChars, n, seed) }
	return []planted{
		{"anthropic-api", "sk-ant-" + "api03-" + w(93, 1) + "AA"},
		{"anthropic-oauth", "sk-ant-" + "oat01-" + w(80, 2)},
		{"anthropic-admin", "sk-ant-" + "admin01-" + w(93, 3) + "AA"},
		{"openai-project", "sk-" + "proj-" + w(120, 4)},
		{"openai-legacy", "sk-" + a(20, 5) + "T3Blbk" + "FJ" + a(20, 6)},
		{"openrouter", "sk-" + "or-v1-" + h(64, 7)},
		{"deepseek-style", "sk-" + h(32, 8)},
		{"github-ghp", "gh" + "p_" + a(36, 9)},
		{"github-gho", "gh" + "o_" + a(36, 10)},
		{"github-ghu", "gh" + "u_" + a(36, 11)},
		{"github-ghs", "gh" + "s_" + a(36, 12)},
		{"github-ghr", "gh" + "r_" + a(36, 13)},
		{"github-pat", "github" + "_pat_" + a(22, 14) + "_" + a(59, 15)},
		{"gitlab", "gl" + "pat-" + a(20, 16)},
		{"slack-bot", "xo" + "xb-" + "123456789012-1234567890123-" + a(24, 17)},
		{"slack-user", "xo" + "xp-" + "123456789012-1234567890123-" + a(32, 18)},
		{"aws-akia", "AK" + "IA" + fakeChars(upperB32, 16, 19)},
		{"aws-asia", "AS" + "IA" + fakeChars(upperB32, 16, 20)},
		{"google-api", "AI" + "za" + w(35, 21)},
		{"stripe-live", "sk" + "_live_" + a(99, 22)},
		{"stripe-restricted", "rk" + "_live_" + a(99, 23)},
		{"webhook-secret", "wh" + "sec_" + a(32, 24)},
		{"supabase", "sb" + "p_" + h(40, 25)},
		{"huggingface", "hf" + "_" + fakeChars(letterChars, 34, 26)},
		{"npm", "np" + "m_" + a(36, 27)},
		{"digitalocean", "do" + "p_v1_" + h(64, 28)},
		{"telegram-bot", "7012345678" + ":A" + "A" + w(33, 29)},
		{"sendgrid", "S" + "G." + w(22, 30) + "." + w(43, 31)},
		{"groq", "gs" + "k_" + a(52, 32)},
		{"xai", "xa" + "i-" + a(80, 33)},
		{"jwt", "ey" + "JhbGciOiJIUzI1NiJ9.ey" + "J" + w(60, 34) + "." + w(43, 35)},
		{"pem", "-----BEGIN " + "RSA PRIVATE KEY-----\n" + fakeChars(alnumChars+"+/", 64, 36) + "\n" + fakeChars(alnumChars+"+/", 64, 37) + "\n-----END RSA PRIVATE KEY-----"},
	}
}

// leakContexts are the places where agent logs leak secrets.
var leakContexts = []struct {
	name string
	wrap func(secret string) string
}{
	{"env dump", func(s string) string { return "PATH=/usr/bin\nSERVICE_CREDENTIAL=" + s + "\nSHELL=/bin/zsh\n" }},
	{"dotenv read", func(s string) string {
		return "     1→# prod\n     2→UPSTREAM_VALUE=\"" + s + "\"\n     3→DEBUG=false"
	}},
	{"curl header", func(s string) string {
		return `curl -sS -H "Authorization: Bearer ` + s + `" https://api.example.com/v1/me`
	}},
	{"shell arg", func(s string) string { return "printf '" + s + "' | vercel env add UPSTREAM production" }},
	{"exception", func(s string) string {
		return "urllib.error.HTTPError: HTTP Error 401: {'Authorization': 'token " + s + "', 'User-Agent': 'x'}"
	}},
	{"bare output", func(s string) string { return "$ pass show upstream\n" + s + "\n$ " }},
	{"markdown", func(s string) string { return "The value is `" + s + "`, keep it safe." }},
	{"json-escaped tool output", func(s string) string {
		b, _ := json.Marshal(map[string]any{"type": "tool_result", "content": "$ cat .env\nX=1\n" + s + "\nY=2"})
		return string(b)
	}},
	{"bash tool_use argument", func(s string) string {
		b, _ := json.Marshal(map[string]any{"name": "Bash", "input": map[string]string{"command": "deploy --value " + s}})
		return string(b)
	}},
}

// survivor returns an 8-byte piece of secret that out still holds, or "".
func survivor(out, secret string) string {
	for i := 0; i+8 <= len(secret); i++ {
		if p := secret[i : i+8]; strings.Contains(out, p) {
			return p
		}
	}
	return ""
}

// TestNoVendorTokenLeaks plants every prefixed vendor family in every
// context and requires that no 8-byte piece of it survives, through Text
// and through JSON.
func TestNoVendorTokenLeaks(t *testing.T) {
	e := newTestEngine(t, testConfig())
	leaks := 0
	for _, p := range plantedSecrets() {
		for _, c := range leakContexts {
			in := c.wrap(p.value)
			out, _ := e.Text(ScopeField, in)
			if piece := survivor(out, p.value); piece != "" {
				leaks++
				t.Errorf("%s in %s: Text leaks %q: %q", p.family, c.name, piece, out)
			}
			if json.Valid([]byte(in)) {
				outj, _ := e.JSON([]byte(in))
				if piece := survivor(string(outj), p.value); piece != "" {
					leaks++
					t.Errorf("%s in %s: JSON leaks %q: %s", p.family, c.name, piece, outj)
				}
			}
		}
	}
	t.Logf("%d families x %d contexts: %d leaks", len(plantedSecrets()), len(leakContexts), leaks)
}

func TestPlantedSecretsAreCaughtByTheirRule(t *testing.T) {
	e := newTestEngine(t, testConfig())
	for _, p := range plantedSecrets() {
		_, fs := e.Text(ScopeField, "x "+p.value+" y")
		if len(fs) == 0 {
			t.Errorf("%s: no finding", p.family)
			continue
		}
		if strings.Contains(fmt.Sprint(fs), p.value[:12]) {
			t.Errorf("%s: a finding holds the value", p.family)
		}
	}
}
