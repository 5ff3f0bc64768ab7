package rawjson

import (
	"errors"
	"testing"
)

func TestObject(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1}`:  "",
		` {}`:      "",
		`[1]`:      ErrNotObject.Error(),
		`"x"`:      ErrNotObject.Error(),
		`{"a":`:    "", // left to Unmarshal
		`nonsense`: "invalid JSON: invalid character 'o' in literal null (expecting 'u')",
	} {
		got := ""
		if err := Object([]byte(in)); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("Object(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestUnmarshalTolerates(t *testing.T) {
	var v struct {
		A int
		B string
	}
	if err := Unmarshal([]byte(`{"A":"not a number","B":"kept"}`), &v); err != nil || v.B != "kept" {
		t.Errorf("got %+v, %v; want B kept and no error", v, err)
	}
	if err := Unmarshal([]byte(`{"A":`), &v); err == nil || errors.Is(err, ErrNotObject) {
		t.Errorf("a syntax error: got %v", err)
	}
	if String([]byte(`"x\u00e9"`)) != "xé" || String([]byte(`7`)) != "" || Kind(nil) != 0 || Kind([]byte(" [")) != '[' {
		t.Error("String or Kind")
	}
}
