package vscode

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/aitrail/aitrail/store"
)

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzLine feeds arbitrary input as the whole of a .json session and as a
// line of a mutation log between the lines of a real one: nothing may
// panic.
func FuzzLine(f *testing.F) {
	data, err := os.ReadFile(shopLog)
	if err != nil {
		f.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	for _, l := range lines {
		f.Add(l)
	}
	if doc, err := os.ReadFile(multiDoc); err == nil {
		f.Add(doc)
	}
	for _, s := range []string{`{"kind":1,"k":["requests",0,"response",99],"v":{"kind":"textEditGroup","uri":{"path":"x"},"edits":[[{"text":"a","range":{"startLineNumber":-5,"endLineNumber":-9}}]]}}`,
		`{"kind":2,"k":["requests"],"v":[{"requestId":"r","result":{"metadata":{"toolCallRounds":[{"toolCalls":[{"id":"t","name":"multi_replace_string_in_file","arguments":"{\"replacements\":[{\"filePath\":\"\"}]}"}]}]}}}],"i":-1}`,
		`{"kind":3,"k":[]}`, `{"kind":1,"k":[1,"a",2],"v":[]}`} {
		f.Add([]byte(s))
	}
	nop := func(store.Record) {}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, _ := New("w/chatSessions/s.json", nil)
		_ = d.Line(1, in, nop)
		d, _ = New("w/chatSessions/s.jsonl", nil)
		for i, l := range lines {
			_ = d.Line(i+1, l, nop)
			if i == 1 {
				_ = d.Line(i+1, in, nop)
			}
		}
		d.Flush(nop)
	})
}
