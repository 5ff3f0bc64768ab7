package gemini

import (
	"bytes"
	"os"
	"testing"

	"github.com/aitrail/aitrail/store"
)

// FuzzLine feeds arbitrary input to decoders of both kinds of chat: as the
// whole of a JSON chat, and as a line of a JSONL chat between lines of a
// real one, which is then flushed. Nothing may panic.
func FuzzLine(f *testing.F) {
	data, err := os.ReadFile(shopChat)
	if err != nil {
		f.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	for _, l := range lines {
		f.Add(l)
	}
	if doc, err := os.ReadFile(apiChat); err == nil {
		f.Add(doc)
	}
	for _, s := range []string{`{"id":"x","type":"gemini","toolCalls":[{"name":"replace","args":{"file_path":"a"},"status":"success","resultDisplay":{"fileDiff":"@@ -1 +1 @@\n-a\n+b"}}]}`,
		`{"$rewindTo":"g1"}`, `{"$set":{"kind":"subagent"}}`, `{"id":"y","type":"user","content":{"text":"x"},"displayContent":null}`,
		`{"id":"z","type":"gemini","tokens":{"input":-1,"cached":5}}`} {
		f.Add([]byte(s))
	}
	nop := func(store.Record) {}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, _ := New("p/chats/session-2025-01-01T00-00-x.json", nil)
		_ = d.Line(1, in, nop)
		d, _ = New("p/chats/session-2026-01-01T00-00-x.jsonl", nil)
		for i, l := range lines[:len(lines)/2] {
			_ = d.Line(i+1, l, nop)
		}
		_ = d.Line(len(lines)/2+1, in, nop)
		for i, l := range lines[len(lines)/2:] {
			_ = d.Line(len(lines)/2+2+i, l, nop)
		}
		d.Flush(nop)
	})
}
