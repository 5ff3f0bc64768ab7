package lenient

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestCheckObject(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1}`:  "",
		` {}`:      "",
		`[1]`:      ErrNotObject.Error(),
		`"x"`:      ErrNotObject.Error(),
		`{"a":`:    "", // left to Unmarshal
		`nonsense`: "invalid JSON: invalid character 'o' in literal null (expecting 'u')",
	} {
		got := ""
		if err := CheckObject([]byte(in)); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CheckObject(%s) = %q, want %q", in, got, want)
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
	if Kind(nil) != 0 || Kind([]byte(" [")) != '[' {
		t.Error("Kind")
	}
}

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		`"plain"`:         "plain",
		` "spaced" `:      "spaced",
		`"x\u00e9"`:       "xé",
		`"tab\tand \""`:   "tab\tand \"",
		`"héllo"`:         "héllo",
		`"\u00e9t\u00e9"`: "été",
		`""`:              "",
		`{"a":"b"}`:       "",
		"\"\xff\"":        "\ufffd", // invalid UTF-8 decodes as encoding/json does
		`7`:               "",
		`null`:            "",
		`"`:               "",
		`"a"b"`:           "", // not JSON
		`"open`:           "",
	} {
		if got := String([]byte(in)); got != want {
			t.Errorf("String(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestObjects(t *testing.T) {
	type elem struct {
		A string
		B int
	}
	tests := []struct {
		in   string
		want []elem
	}{
		{`[{"A":"x","B":1},7,{"A":2,"B":3},null]`, []elem{{"x", 1}, {}, {B: 3}, {}}},
		{`[]`, []elem{}},
		{`{"A":"x"}`, nil},
		{`"x"`, nil},
		{`[{"A":`, nil},
	}
	for _, tt := range tests {
		if got := Objects[elem]([]byte(tt.in)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Objects(%s) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{`"a\nb"`: "a\nb", `{"a": 1}`: `{"a":1}`, `null`: "", ``: "", `3`: "3"} {
		if got := Text(json.RawMessage(in)); got != want {
			t.Errorf("Text(%s) = %q, want %q", in, got, want)
		}
	}
}
