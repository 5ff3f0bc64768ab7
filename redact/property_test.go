package redact

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// propertyInputs are texts that exercise every rule: the built-in samples
// and planted secrets in agent-log contexts.
func propertyInputs(t testing.TB) []string {
	rules, err := builtinRules()
	if err != nil {
		t.Fatal(err)
	}
	var in []string
	for _, r := range rules {
		for _, s := range append(r.Samples.Positive, r.Samples.Negative...) {
			in = append(in, expandSample(s))
		}
	}
	for _, p := range plantedSecrets() {
		for _, c := range leakContexts {
			in = append(in, c.wrap(p.value))
		}
	}
	in = append(in,
		"[REDACTED:email]@example.org",
		"password=[REDACTED:secret-assignment]abc123XYZ789",
		"[[redact x] [REDACTED:x]]",
		"/Users/jdoe/Users/jdoe/-Users-jdoe-",
		"postgres://u:p@ss@host:1/db?x=jane@corp.io",
	)
	return in
}

var nested = regexp.MustCompile(`\[REDACTED:[^\]]*\[REDACTED:`)

func checkText(t *testing.T, e *Engine, scope Scope, in string) {
	t.Helper()
	out, _ := e.Text(scope, in)
	again, fs := e.Text(scope, out)
	if again != out {
		t.Errorf("not idempotent on %q:\n once  %q\n twice %q (findings %+v)", in, out, again, fs)
	}
	if out2, _ := e.Text(scope, in); out2 != out {
		t.Errorf("not deterministic on %q", in)
	}
	checkPlaceholders(t, in, out)
}

// checkPlaceholders checks that redaction never reaches into a placeholder
// already in the input, and never nests one placeholder in another.
func checkPlaceholders(t *testing.T, in, out string) {
	t.Helper()
	if !strings.Contains(in, "[REDACTED") && nested.MatchString(out) {
		t.Errorf("placeholder inside a placeholder: %q", out)
	}
	for i := strings.Index(in, "[REDACTED:"); i >= 0; {
		if n := placeholderLen(in[i:]); n > 0 {
			p := in[i : i+n]
			if strings.Count(out, p) < strings.Count(in, p) {
				t.Errorf("placeholder %q of the input was changed: %q", p, out)
			}
		}
		j := strings.Index(in[i+1:], "[REDACTED:")
		if j < 0 {
			break
		}
		i += 1 + j
	}
}

func checkJSON(t *testing.T, e *Engine, in []byte) {
	t.Helper()
	out, _ := e.JSON(in)
	if json.Valid(in) && !json.Valid(out) {
		t.Errorf("JSON output is not valid JSON:\n in  %s\n out %s", in, out)
	}
	again, _ := e.JSON(out)
	if string(again) != string(out) {
		t.Errorf("JSON not idempotent:\n in    %s\n once  %s\n twice %s", in, out, again)
	}
	checkPlaceholders(t, string(in), string(out))
}

func TestPropertiesOnSamples(t *testing.T) {
	e := newTestEngine(t, testConfig())
	for _, in := range propertyInputs(t) {
		checkText(t, e, ScopeField, in)
		checkText(t, e, ScopePrompt, in)
		b, _ := json.Marshal(map[string]string{"text": in, "password": in})
		checkJSON(t, e, b)
	}
}

func TestPropertiesOnSessions(t *testing.T) {
	lines := sessionLines(t)
	cfg := testConfig()
	cfg.Home, cfg.Username = "/Users/dain", "dain"
	e := newTestEngine(t, cfg)
	step := 1
	if testing.Short() {
		step = 10
	}
	for i := 0; i < len(lines); i += step {
		checkJSON(t, e, lines[i])
		checkText(t, e, ScopeField, string(lines[i]))
	}
}

func FuzzText(f *testing.F) {
	for _, in := range propertyInputs(f) {
		f.Add(in)
	}
	// regressions found by fuzzing (tokens split so that no file holds one)
	f.Add("sk-ant-" + "api00-00000000000000000000=012789AB")
	f.Add("[REDACTED:0@0.AA")
	f.Add("xo" + "xa-0000000000+10000000")
	e := newTestEngine(f, testConfig())
	f.Fuzz(func(t *testing.T, in string) {
		checkText(t, e, ScopeField, in)
		checkText(t, e, ScopePrompt, in)
	})
}

func FuzzJSON(f *testing.F) {
	for _, in := range propertyInputs(f) {
		b, _ := json.Marshal([]any{in, map[string]string{"token": in, "id": in}})
		f.Add(b)
	}
	f.Add([]byte(`{"a":"\ud83d\ude00 \ud800 jane@corp.io","b":[1,-0.5e+3,true,null]}`))
	// a regression found by fuzzing: invalid JSON whose redaction makes it valid
	f.Add([]byte("[\"A0000.Api_keY=\\\"a0\x181A\x8a\xc5B\\\"\",{\"id\":\"A0000.Api_keY=\\\"sk-00000000000000000000T3Blbk" +
		"FJ0012782XY79189CZacxA\\\"\",\"token\":\"A0000.Api_keY= \\bsk-" + "0000000000000112782BX791YZCabcxA\\b\"}]"))
	e := newTestEngine(f, testConfig())
	f.Fuzz(func(t *testing.T, in []byte) {
		checkJSON(t, e, in)
	})
}

// TestAdversarialInputs feeds inputs that would make a backtracking or a
// quadratic scanner blow up. The assertion is on work done: every run must
// finish and redact what it should; the benchmarks measure the speed.
func TestAdversarialInputs(t *testing.T) {
	e := newTestEngine(t, testConfig())
	const mb = 1 << 20
	inputs := map[string]string{
		"repeated keyword":      strings.Repeat("token", mb/5),
		"repeated secret name":  strings.Repeat("password=", mb/9),
		"repeated prefix":       strings.Repeat("ghp_", mb/4),
		"repeated eyJ":          strings.Repeat("eyJ", mb/3),
		"long word":             strings.Repeat("a", mb),
		"long base64 line":      strings.Repeat("QUJDRA", mb/6),
		"digits":                strings.Repeat("4111 ", mb/5),
		"colons":                strings.Repeat("a:", mb/2),
		"at signs":              strings.Repeat("a@b.", mb/4),
		"pem without end":       "-----BEGIN RSA PRIVATE KEY-----" + strings.Repeat("-----BEGIN RSA PRIVATE KEY-----", mb/31),
		"urls":                  strings.Repeat("x://", mb/4),
		"home paths":            strings.Repeat("/home/", mb/6),
		"brackets":              strings.Repeat("[redact ", mb/8),
		"authorization repeats": strings.Repeat("Authorization: ", mb/15),
		"chained assignments":   strings.Repeat("token=", mb/6),
		"unclosed long value":   `API_KEY="` + strings.Repeat("Ab3Cd5Ef7G", mb/10),
		"quoted assignments":    strings.Repeat(`secret="Ab3Cd5Ef7G`, mb/19),
		"prose keys":            strings.Repeat("api key ", mb/8),
		"prose key and token":   strings.Repeat("key Ab3Cd5Ef7Gh9Jk2Lm4 ", mb/24),
		"xml passwords":         strings.Repeat("<password>", mb/10),
		"search keys":           strings.Repeat("search_key=", mb/11),
		"double zeros":          strings.Repeat("00 44 ", mb/6),
		"extensions":            strings.Repeat("415-555-0132 x", mb/14),
		"userinfo":              "https://" + strings.Repeat("a:b@", mb/4),
	}
	for name, in := range inputs {
		out, _ := e.Text(ScopePrompt, in)
		if len(out) == 0 {
			t.Errorf("%s: empty output", name)
		}
	}
	// a secret at the end of a megabyte of keyword noise is still found
	gh := fakeToken("gh"+"p_", 36)
	out, _ := e.Text(ScopeField, strings.Repeat("token ", mb/6)+gh)
	if strings.Contains(out, gh[8:20]) {
		t.Error("secret after keyword noise survived")
	}
}
