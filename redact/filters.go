package redact

import (
	"math"
	"strings"
)

// entropy returns the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	if len(s) == 0 {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	h := 0.0
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}

// placeholderWords are case-insensitive substrings that mark a value as an
// example or a template, never a live secret.
var placeholderWords = []string{
	"example", "changeme", "change_me", "change-me", "your_", "your-", "yourapi", "yourtoken",
	"yoursecret", "yourpass", "placeholder", "redacted", "replace_me", "replace-me", "replaceme",
	"insert_", "insert-", "dummy", "<your", "xxxxx", "*****", "#####", "....", "${", "{{", "%s", "%(",
	"process.env", "os.environ", "getenv", "env[", "env(", "secrets.", "vault:", "<%=",
}

// placeholderValues are whole values (compared case-insensitively) that
// are never secrets.
var placeholderValues = map[string]bool{
	"true": true, "false": true, "null": true, "nil": true, "none": true, "undefined": true,
	"password": true, "passwd": true, "pass": true, "secret": true, "token": true, "apikey": true,
	"api_key": true, "api-key": true, "key": true, "test": true, "testing": true, "sample": true,
	"string": true, "str": true, "bool": true, "boolean": true, "int": true, "number": true,
	"any": true, "object": true, "bytes": true, "optional": true, "required": true, "empty": true,
	"default": true, "hidden": true, "masked": true, "unset": true, "todo": true, "tbd": true,
	"foo": true, "bar": true, "foobar": true, "value": true,
	"secretkey": true, "secret_key": true, "access_token": true, "accesstoken": true,
}

// isPlaceholder reports whether v looks like a template, a variable
// reference, an example or an already-redacted value.
func isPlaceholder(v string) bool {
	if v == "" {
		return true
	}
	if strings.Contains(v, "[REDACTED") {
		return true
	}
	switch v[0] {
	case '$', '<', '%', '@', '&':
		return true // $VAR, <token>, %VAR%, @var, &lt;…
	}
	if v[len(v)-1] == '>' {
		return true
	}
	l := v
	if hasUpper(v) {
		l = strings.ToLower(v)
	}
	if placeholderValues[l] {
		return true
	}
	for _, w := range placeholderWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	if sameByte(v) {
		return true
	}
	return false
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// sameByte reports whether s is one byte repeated ("aaaa", "****").
func sameByte(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}

// isSequential reports whether s is a run such as "abcdefgh" or
// "0123456789" (detect-secrets' sequential-string filter).
func isSequential(s string) bool {
	if len(s) < 4 {
		return false
	}
	up, down := true, true
	for i := 1; i < len(s); i++ {
		d := int(foldByte(s[i])) - int(foldByte(s[i-1]))
		up = up && d == 1
		down = down && d == -1
	}
	return up || down
}

type charClasses struct{ lower, upper, digit, other int }

func classes(s string) charClasses {
	var c charClasses
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case 'a' <= b && b <= 'z':
			c.lower++
		case 'A' <= b && b <= 'Z':
			c.upper++
		case '0' <= b && b <= '9':
			c.digit++
		default:
			c.other++
		}
	}
	return c
}

// isIdentifierPath reports whether s is a dotted or plain identifier such
// as "config.auth.token" or "GITHUB_TOKEN": code, not a secret.
func isIdentifierPath(s string) bool {
	if s == "" {
		return false
	}
	prevDot := true
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b == '.':
			if prevDot {
				return false
			}
			prevDot = true
			continue
		case b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z':
		case '0' <= b && b <= '9':
			if prevDot {
				return false
			}
		default:
			return false
		}
		prevDot = false
	}
	return !prevDot
}

// looksRandom reports whether v could be a generated credential rather
// than a word, a number, a name or a date.
func looksRandom(v string, minEntropy float64) bool {
	if len(v) < 8 || isPlaceholder(v) || isSequential(v) {
		return false
	}
	c := classes(v)
	if c.digit == len(v) {
		return false // a number
	}
	if c.digit == 0 {
		// letters only (maybe with separators): a word, a name or an identifier
		// unless long and mixed-case
		if len(v) < 16 || c.lower == 0 || c.upper == 0 || entropy(v) < 3.5 {
			return false
		}
		if isIdentifierPath(v) && !strings.ContainsAny(v, "0123456789") && c.upper*4 < len(v) {
			return false // camelCase identifier
		}
	}
	return entropy(v) >= minEntropy
}
