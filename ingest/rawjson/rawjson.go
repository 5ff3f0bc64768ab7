// Package rawjson reads the loosely typed JSON of agents' logs for the
// decoders of ingest's agent packages: a field of an unexpected type is
// left alone rather than failing its line, and raw values are told apart
// by their first byte. It knows no agent's format.
package rawjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrNotObject is returned for a line that is valid JSON but not an object.
var ErrNotObject = errors.New("not a JSON object")

// Object checks that line starts a JSON object, as every line of the logs
// read must: otherwise an error saying why (invalid JSON, or another kind
// of value), for the pipeline to report as path:line. (A malformed object
// is left to Unmarshal, which decoding it reports.)
func Object(line []byte) error {
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
	var s string
	if Kind(raw) == '"' {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}
