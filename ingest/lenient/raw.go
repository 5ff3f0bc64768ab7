package lenient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrNotObject is returned for a line that is valid JSON but not an object.
var ErrNotObject = errors.New("not a JSON object")

// CheckObject checks that line starts a JSON object, as every line of the
// logs read must: otherwise an error saying why (invalid JSON, or another
// kind of value), for the pipeline to report as path:line. (A malformed
// object is left to the decoding that follows, which reports it.)
func CheckObject(line []byte) error {
	if Kind(line) == '{' {
		return nil
	}
	if err := json.Unmarshal(line, new(any)); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return ErrNotObject
}

// Unmarshal decodes data into v, tolerating values of an unexpected type
// (encoding/json then leaves the field alone and goes on); only syntax
// errors are errors.
func Unmarshal(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return nil
	}
	return err
}

// Kind returns the first byte of a JSON value ('{', '[', '"', 'n', a digit,
// …), 0 when there is none.
func Kind(raw []byte) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

// String returns a JSON string value, "" for anything else.
func String(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	// Most strings hold no escapes: their text is the bytes between the
	// quotes, without the cost of decoding (the hot path of a large log).
	if body := raw[1 : len(raw)-1]; raw[len(raw)-1] == '"' && plain(body) {
		return string(body)
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// plain reports whether b, the body of a JSON string, is its own text:
// valid UTF-8 without escapes, quotes or control characters.
func plain(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(b)
}

// Object decodes raw as a JSON object into v; ok is false (and v
// untouched or partly set) for anything else.
func Object(raw []byte, v any) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, v) == nil
}

// Objects decodes raw as a JSON array of objects, each into a T with
// Unmarshal; an element that is not an object is T's zero value. It
// returns nil when raw is not an array.
func Objects[T any](raw []byte) []T {
	if Kind(raw) != '[' {
		return nil
	}
	var elems []json.RawMessage
	if json.Unmarshal(raw, &elems) != nil {
		return nil
	}
	out := make([]T, len(elems))
	for i, e := range elems {
		if Kind(e) == '{' {
			_ = Unmarshal(e, &out[i])
		}
	}
	return out
}

// Text returns raw as text: a JSON string's value, or the JSON itself
// (objects, arrays, numbers) compacted; "" for null or nothing.
func Text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return b.String()
	}
	return string(raw)
}
