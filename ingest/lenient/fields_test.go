package lenient

import (
	"encoding/json"
	"testing"
)

func TestFieldsNeverFail(t *testing.T) {
	type rec struct {
		S Str
		I Int
		F Float
		B Bool
		O Of[struct{ X Int }]
		A Of[[]Str]
	}
	tests := []struct {
		in   string
		want rec
	}{
		{`{"S":"a","I":3,"F":1.5,"B":true,"O":{"X":2},"A":["x",7]}`, rec{"a", 3, 1.5, true, Of[struct{ X Int }]{struct{ X Int }{2}, true}, Of[[]Str]{[]Str{"x", ""}, true}}},
		{`{"S":1,"I":"42","F":"x","B":"true","O":[1],"A":{}}`, rec{I: 42}},
		{`{"I":2.9,"O":null,"A":null}`, rec{I: 2}},
		{`{"I":1e300}`, rec{}},
	}
	for _, tt := range tests {
		var got rec
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(tt.want)
		if string(gb) != string(wb) {
			t.Errorf("%s:\n got  %s\n want %s", tt.in, gb, wb)
		}
	}
}
