package redact

import (
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON redacts one raw JSON document (a log line). String values and keys
// are decoded, redacted and re-encoded; values under identifier keys (id,
// *_id, uuid, signature, timestamp, type, role, model, version, …) and
// large base64 blobs are left alone; a value under a secret-looking key
// (password, api_key, client_secret, …) is redacted whole when it looks
// like a secret. The output is valid JSON and keeps the input's bytes
// outside the changed strings. Every rule applies, prompt-scoped ones
// included, since a raw record may hold a prompt. Input that is not valid
// JSON is redacted as text. When nothing is redacted, raw itself is
// returned.
func (e *Engine) JSON(raw []byte) ([]byte, []Finding) {
	return e.json(raw, nil, nil)
}

// json is JSON with a location for scoped manual redactions; memo, when
// not nil, receives the redaction of each string value redacted as a text
// of the scope of records would be (see Memo).
func (e *Engine) json(raw []byte, loc *Location, memo *Memo) ([]byte, []Finding) {
	out, findings, ok := e.jsonRedact(raw, loc, memo)
	if ok {
		return out, findings
	}
	s := string(raw)
	red, findings := e.redact(scopeBitsAll, s, nil, loc)
	if findings == nil {
		return raw, nil
	}
	// A redaction can remove what made the input invalid; the result is
	// then redacted as JSON too, so that redacting it again changes nothing.
	if out, more, ok := e.jsonRedact([]byte(red), loc, nil); ok {
		for i := range more {
			more[i].Start, more[i].End = -1, -1
		}
		return out, append(findings, more...)
	}
	return []byte(red), findings
}

// jsonRedact walks raw; ok is false when raw is not valid JSON.
func (e *Engine) jsonRedact(raw []byte, loc *Location, memo *Memo) (out []byte, findings []Finding, ok bool) {
	type frame struct {
		obj bool
		key string // key of the value being parsed (objects), inherited by arrays
	}
	var stack []frame
	last := 0 // raw[last:] not yet copied to out
	i, n := 0, len(raw)
	skipWS := func() {
		for i < n && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
			i++
		}
	}
	// redactString handles the string token raw[a:b] (quotes included).
	redactString := func(a, b int, escaped bool, key string, isKey bool) {
		content := raw[a+1 : b-1]
		bits := scopeBitsAll
		if !isKey && isBlob(content) && keySecretKind(key) == nameNone {
			return
		}
		if !isKey && skipKey(key) {
			if !e.manual {
				return
			}
			bits = scopeBitID // only manual redactions apply to identifiers
		}
		var s string
		if escaped {
			s = decodeJSONString(content)
		} else {
			s = string(content)
		}
		var extra []span
		if bits == scopeBitsAll && !isKey && e.assignIdx >= 0 {
			if k := keySecretKind(key); k != nameNone && acceptAssigned(k, s, true, ":") {
				extra = append(extra, span{start: 0, end: len(s), rule: e.assignIdx})
			}
		}
		red, fs := e.redact(bits, s, extra, loc)
		if memo != nil && bits == scopeBitsAll && extra == nil && !isKey {
			memo.put(s, red, fs)
		}
		if fs == nil {
			return
		}
		if escaped {
			rawOffsets(fs, content, a)
		} else {
			for i := range fs {
				fs[i].Start, fs[i].End = jsonOffset(a, fs[i].Start), jsonOffset(a, fs[i].End)
			}
		}
		if out == nil {
			out = make([]byte, 0, len(raw)+32)
		}
		out = append(out, raw[last:a]...)
		out = appendJSONString(out, red)
		last = b
		findings = append(findings, fs...)
	}

	expectValue := true // else: expect ',' or a closer
	skipWS()
	if i >= n {
		return nil, nil, false
	}
	for {
		skipWS()
		if expectValue {
			if i >= n {
				return nil, nil, false
			}
			key := ""
			if len(stack) > 0 {
				key = stack[len(stack)-1].key
			}
			switch c := raw[i]; {
			case c == '{':
				i++
				skipWS()
				if i < n && raw[i] == '}' {
					i++
					expectValue = false
					break
				}
				// key
				if i >= n || raw[i] != '"' {
					return nil, nil, false
				}
				a := i
				b, esc, good := scanJSONString(raw, i)
				if !good {
					return nil, nil, false
				}
				k := jsonKey(raw[a+1:b-1], esc)
				redactString(a, b, esc, "", true)
				i = b
				skipWS()
				if i >= n || raw[i] != ':' {
					return nil, nil, false
				}
				i++
				stack = append(stack, frame{obj: true, key: k})
				continue
			case c == '[':
				i++
				skipWS()
				stack = append(stack, frame{obj: false, key: key})
				if i < n && raw[i] == ']' {
					i++
					stack = stack[:len(stack)-1]
					expectValue = false
				}
				continue
			case c == '"':
				b, esc, good := scanJSONString(raw, i)
				if !good {
					return nil, nil, false
				}
				redactString(i, b, esc, key, false)
				i = b
			case c == 't':
				if !hasPrefixAt(raw, i, "true") {
					return nil, nil, false
				}
				i += 4
			case c == 'f':
				if !hasPrefixAt(raw, i, "false") {
					return nil, nil, false
				}
				i += 5
			case c == 'n':
				if !hasPrefixAt(raw, i, "null") {
					return nil, nil, false
				}
				i += 4
			case c == '-' || isDigit(c):
				j, good := scanJSONNumber(raw, i)
				if !good {
					return nil, nil, false
				}
				i = j
			default:
				return nil, nil, false
			}
			expectValue = false
			continue
		}
		// after a value
		if len(stack) == 0 {
			if i != n {
				return nil, nil, false
			}
			break
		}
		if i >= n {
			return nil, nil, false
		}
		top := &stack[len(stack)-1]
		switch c := raw[i]; {
		case c == ',':
			i++
			if top.obj {
				skipWS()
				if i >= n || raw[i] != '"' {
					return nil, nil, false
				}
				a := i
				b, esc, good := scanJSONString(raw, i)
				if !good {
					return nil, nil, false
				}
				top.key = jsonKey(raw[a+1:b-1], esc)
				redactString(a, b, esc, "", true)
				i = b
				skipWS()
				if i >= n || raw[i] != ':' {
					return nil, nil, false
				}
				i++
			}
			expectValue = true
		case c == '}' && top.obj, c == ']' && !top.obj:
			i++
			stack = stack[:len(stack)-1]
		default:
			return nil, nil, false
		}
	}
	if out == nil {
		return raw, findings, true
	}
	out = append(out, raw[last:]...)
	return out, findings, true
}

// jsonOffset maps offset k of a string without escapes to the raw input,
// given the string's opening quote at a.
func jsonOffset(a, k int) int {
	if k < 0 {
		return -1
	}
	return a + 1 + k
}

func hasPrefixAt(raw []byte, i int, lit string) bool {
	return len(raw)-i >= len(lit) && string(raw[i:i+len(lit)]) == lit
}

// scanJSONString returns the end (after the closing quote) of the string
// starting at raw[i] == '"', whether it has escapes, and whether it is
// well formed.
func scanJSONString(raw []byte, i int) (end int, escaped, ok bool) {
	i++
	for i < len(raw) {
		c := raw[i]
		switch {
		case c == '"':
			return i + 1, escaped, true
		case c == '\\':
			escaped = true
			if i+1 >= len(raw) {
				return 0, false, false
			}
			switch raw[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(raw) {
					return 0, false, false
				}
				for k := i + 2; k < i+6; k++ {
					if !isHexByte(raw[k]) {
						return 0, false, false
					}
				}
				i += 6
			default:
				return 0, false, false
			}
		case c < 0x20:
			return 0, false, false
		default:
			i++
		}
	}
	return 0, false, false
}

func scanJSONNumber(raw []byte, i int) (int, bool) {
	n := len(raw)
	if i < n && raw[i] == '-' {
		i++
	}
	switch {
	case i < n && raw[i] == '0':
		i++
	case i < n && '1' <= raw[i] && raw[i] <= '9':
		for i < n && isDigit(raw[i]) {
			i++
		}
	default:
		return 0, false
	}
	if i < n && raw[i] == '.' {
		i++
		if i >= n || !isDigit(raw[i]) {
			return 0, false
		}
		for i < n && isDigit(raw[i]) {
			i++
		}
	}
	if i < n && (raw[i] == 'e' || raw[i] == 'E') {
		i++
		if i < n && (raw[i] == '+' || raw[i] == '-') {
			i++
		}
		if i >= n || !isDigit(raw[i]) {
			return 0, false
		}
		for i < n && isDigit(raw[i]) {
			i++
		}
	}
	return i, true
}

func jsonKey(content []byte, escaped bool) string {
	if escaped {
		return decodeJSONString(content)
	}
	return string(content)
}

// decodeJSONString decodes the content of a well-formed JSON string.
// Invalid surrogates become U+FFFD, as in encoding/json; other bytes,
// invalid UTF-8 included, are kept.
func decodeJSONString(c []byte) string {
	var b strings.Builder
	b.Grow(len(c))
	for i := 0; i < len(c); {
		if c[i] != '\\' {
			j := i + 1
			for j < len(c) && c[j] != '\\' {
				j++
			}
			b.Write(c[i:j])
			i = j
			continue
		}
		r, w := decodeEscape(c, i)
		b.WriteRune(r)
		i += w
	}
	return b.String()
}

// decodeEscape decodes the escape at c[i] == '\\'.
func decodeEscape(c []byte, i int) (rune, int) {
	switch c[i+1] {
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r := hex4(c[i+2 : i+6])
		if utf16.IsSurrogate(r) {
			if i+12 <= len(c) && c[i+6] == '\\' && c[i+7] == 'u' {
				if r2 := utf16.DecodeRune(r, hex4(c[i+8:i+12])); r2 != utf8.RuneError {
					return r2, 12
				}
			}
			return utf8.RuneError, 6
		}
		return r, 6
	}
	return rune(c[i+1]), 2 // " \ /
}

func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// rawOffsets maps the offsets of the findings fs in a decoded string to
// offsets in the raw input, given the string's escaped content c and its
// opening quote at a: a decoded byte maps to the start of the character
// or escape it comes from, the string's end to the content's end, and an
// offset beyond it to -1. It walks c once, whatever the number of
// findings.
func rawOffsets(fs []Finding, c []byte, a int) {
	ks := make([]int, 0, 2*len(fs))
	for _, f := range fs {
		ks = append(ks, f.Start, f.End)
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	at := make(map[int]int, len(ks))
	dec, i := 0, 0 // offsets in the decoded string and in c
	for _, k := range ks {
		if k < 0 {
			at[k] = -1
			continue
		}
		for i < len(c) {
			n, w := 1, 1
			if c[i] == '\\' {
				r, ew := decodeEscape(c, i)
				n, w = max(utf8.RuneLen(r), 0), ew
			}
			if k < dec+n {
				break // k falls in this character
			}
			dec, i = dec+n, i+w
		}
		switch {
		case i < len(c):
			at[k] = a + 1 + i
		case k == dec:
			at[k] = a + 1 + len(c) // the end
		default:
			at[k] = -1
		}
	}
	for j := range fs {
		fs[j].Start, fs[j].End = at[fs[j].Start], at[fs[j].End]
	}
}

// appendJSONString appends s as a JSON string literal. Bytes that are not
// valid UTF-8 are kept as they were.
func appendJSONString(dst []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	dst = append(dst, '"')
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[last:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&0xf])
		}
		last = i + 1
	}
	dst = append(dst, s[last:]...)
	return append(dst, '"')
}

// identifierKeys name JSON values that are identifiers or metadata, not
// content.
var identifierKeys = map[string]bool{
	"id": true, "uuid": true, "guid": true, "signature": true, "timestamp": true, "type": true,
	"role": true, "model": true, "version": true, "hash": true, "sha": true, "sha256": true, "etag": true,
	"checksum": true, "mime_type": true, "mimetype": true, "media_type": true, "mediatype": true,
	"encoding": true, "stop_reason": true, "stopreason": true, "status": true, "level": true,
	"kind": true, "created_at": true, "updated_at": true, "createdat": true, "updatedat": true,
	"date": true, "time": true, "ts": true, "usertype": true, "subtype": true, "event": true,
	"requestid": true, "request_id": true, "sessionid": true, "session_id": true, "parentuuid": true,
	"leafuuid": true, "messageid": true, "tool_use_id": true, "gitbranch": true, "lang": true,
	"language": true, "object": true, "finish_reason": true, "service_tier": true,
}

var keySecretWords = []string{"key", "secret", "token", "passw", "pwd", "auth", "credential"}

// skipKey reports whether the values of key are identifiers to leave
// alone: listed names and names ending in id/Id/ID/uuid, unless the name
// also says key, secret, token, password, auth or credential.
func skipKey(key string) bool {
	if key == "" || len(key) > 64 {
		return false
	}
	lk := lowerASCII(key)
	if identifierKeys[lk] {
		return true
	}
	if !(strings.HasSuffix(key, "_id") || strings.HasSuffix(key, "Id") || strings.HasSuffix(key, "ID") ||
		strings.HasSuffix(key, "-id") || strings.HasSuffix(lk, "uuid") || strings.HasSuffix(key, "_ids") ||
		strings.HasSuffix(key, "Ids")) {
		return false
	}
	for _, w := range keySecretWords {
		if strings.Contains(lk, w) {
			return false
		}
	}
	return true
}

// keySecretKind classifies a JSON key as a secret's name.
func keySecretKind(key string) nameKind {
	if key == "" || len(key) > 64 {
		return nameNone
	}
	lk := lowerASCII(key)
	best := nameNone
	for _, kw := range assignmentKeywords {
		if p := strings.Index(lk, kw); p >= 0 {
			switch k := classifyName(key, p, p+len(kw)); {
			case k == nameSecret || k == namePassword:
				return k
			case k == nameKey:
				best = k
			}
		}
	}
	return best
}

// isBlob reports whether a JSON string is a large base64 blob (an image,
// a file): scanning it costs time and finds only noise.
func isBlob(c []byte) bool {
	if len(c) < 1024 {
		return false
	}
	if hasPrefixAt(c, 0, "data:") {
		head := c[:min(len(c), 100)]
		return strings.Contains(string(head), ";base64,")
	}
	for _, b := range c {
		if !(isAlnum(b) || b == '+' || b == '/' || b == '=') {
			return false
		}
	}
	return true
}
