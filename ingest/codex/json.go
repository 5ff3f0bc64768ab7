package codex

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/aitrail/aitrail/ingest/lenient"
)

// obj is a JSON object decoded one level deep. Its getters never fail: a
// field of an unexpected type reads as absent, so a drifting schema costs a
// field, never the line.
type obj map[string]json.RawMessage

// parseObj decodes raw as a JSON object; ok is false for anything else
// (null, an array, a string, invalid JSON).
func parseObj(raw []byte) (obj, bool) {
	var o obj
	if !lenient.Object(raw, &o) {
		return nil, false
	}
	return o, true
}

// has reports whether the field is present and not null.
func (o obj) has(k string) bool {
	v, ok := o[k]
	return ok && !isNull(v)
}

func isNull(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) == 0 || string(v) == "null"
}

// str returns a string field, or "" when absent or not a string.
func (o obj) str(k string) string {
	return lenient.String(o[k])
}

// obj returns an object field, or nil.
func (o obj) obj(k string) obj {
	x, _ := parseObj(o[k])
	return x
}

// arr returns an array field's elements, or nil.
func (o obj) arr(k string) []json.RawMessage {
	return rawArr(o[k])
}

func rawArr(v json.RawMessage) []json.RawMessage {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || v[0] != '[' {
		return nil
	}
	var a []json.RawMessage
	if err := json.Unmarshal(v, &a); err != nil {
		return nil
	}
	return a
}

// strs returns an array field's string elements (others are skipped).
func (o obj) strs(k string) []string {
	var out []string
	for _, e := range o.arr(k) {
		if s := lenient.String(e); s != "" || string(bytes.TrimSpace(e)) == `""` {
			out = append(out, s)
		}
	}
	return out
}

// boolean returns a boolean field and whether it was one.
func (o obj) boolean(k string) (v, ok bool) {
	switch string(bytes.TrimSpace(o[k])) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// uint returns a non-negative integer field the way ccusage reads token
// counts: an integer or a numeric string; floats, negatives and anything
// else read as absent.
func (o obj) uint(k string) (int64, bool) {
	v := bytes.TrimSpace(o[k])
	if len(v) == 0 {
		return 0, false
	}
	s := string(v)
	if v[0] == '"' {
		s = strings.TrimSpace(lenient.String(v))
	}
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		return 0, false
	}
	return int64(n), true
}

// integer returns a (possibly negative) integer field.
func (o obj) integer(k string) (int64, bool) {
	n, err := strconv.ParseInt(string(bytes.TrimSpace(o[k])), 10, 64)
	return n, err == nil
}

// compact returns raw JSON without insignificant whitespace, or "" for
// null and absent values.
func compact(v json.RawMessage) string {
	if isNull(v) {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return string(v)
	}
	return b.String()
}
