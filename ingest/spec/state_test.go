package spec

import "testing"

func TestRestoreState(t *testing.T) {
	type state struct {
		V int    `json:"v"`
		S string `json:"s"`
	}
	tests := []struct {
		in, err string
		ok      bool
		want    state
	}{
		{"", "", false, state{}},
		{" \n", "", false, state{}},
		{`{"v":2,"s":"x"}`, "", true, state{2, "x"}},
		{`{"v":1,"s":"x"}`, "a decoder state version 1, want 2", false, state{1, "x"}},
		{`{"s":"x"}`, "a decoder state version 0, want 2", false, state{0, "x"}},
		{`not json`, "a decoder state: invalid character 'o' in literal null (expecting 'u')", false, state{}},
	}
	for _, tt := range tests {
		var st state
		ok, err := RestoreState("a", []byte(tt.in), &st, &st.V, 2)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if ok != tt.ok || got != tt.err || st != tt.want {
			t.Errorf("RestoreState(%q) = %v, %q, state %+v; want %v, %q, %+v", tt.in, ok, got, st, tt.ok, tt.err, tt.want)
		}
	}
}
