package lenient

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// Str is a string field; anything but a JSON string reads as "".
type Str string

// UnmarshalJSON implements json.Unmarshaler and never fails.
func (s *Str) UnmarshalJSON(b []byte) error {
	var v string
	if json.Unmarshal(b, &v) == nil {
		*s = Str(v)
	} else {
		*s = ""
	}
	return nil
}

// Int is an integer field: a JSON number (a fraction is dropped) or a
// string holding one; anything else reads as 0.
type Int int64

// UnmarshalJSON implements json.Unmarshaler and never fails.
func (n *Int) UnmarshalJSON(b []byte) error {
	*n = 0
	b = bytes.Trim(bytes.TrimSpace(b), `"`)
	if f, err := strconv.ParseFloat(string(b), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < 1<<62 {
		*n = Int(f)
	}
	return nil
}

// Float is a number field, or a string holding one; anything else reads
// as 0.
type Float float64

// UnmarshalJSON implements json.Unmarshaler and never fails.
func (n *Float) UnmarshalJSON(b []byte) error {
	*n = 0
	b = bytes.Trim(bytes.TrimSpace(b), `"`)
	if f, err := strconv.ParseFloat(string(b), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		*n = Float(f)
	}
	return nil
}

// Bool is a boolean field; anything but true reads as false.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler and never fails.
func (v *Bool) UnmarshalJSON(b []byte) error {
	*v = Bool(string(bytes.TrimSpace(b)) == "true")
	return nil
}

// Of is a field of type T that reads as T's zero value (OK false) when it
// does not decode as a T.
type Of[T any] struct {
	V  T
	OK bool
}

// UnmarshalJSON implements json.Unmarshaler and never fails.
func (o *Of[T]) UnmarshalJSON(b []byte) error {
	var v T
	if string(bytes.TrimSpace(b)) != "null" && json.Unmarshal(b, &v) == nil {
		o.V, o.OK = v, true
	} else {
		var zero T
		o.V, o.OK = zero, false
	}
	return nil
}
