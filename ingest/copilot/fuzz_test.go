package copilot

import (
	"os"
	"testing"

	"github.com/aitrail/aitrail/ingest/dectest"
	"github.com/aitrail/aitrail/store"
)

// FuzzLine feeds arbitrary lines to an events decoder after the first lines
// of a real log (so that a completion can join its call), and as the whole
// of a history file: nothing may panic, and the state must round-trip.
func FuzzLine(f *testing.F) {
	ls := dectest.Lines(f, eventsLog, false)
	for _, l := range ls {
		f.Add(l)
	}
	if doc, err := os.ReadFile(historyLog); err == nil {
		f.Add(doc)
	}
	for _, s := range []string{`{"type":"tool.execution_complete","data":{"toolCallId":"t-edit","success":true,"result":{"detailedContent":"--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b"}}}`,
		`{"type":"session.shutdown","data":{"modelMetrics":{"m":{"usage":{"inputTokens":1,"cacheReadTokens":5}}}}}`,
		`{"type":"session.shutdown","data":{"tokenDetails":{"input":{"tokenCount":"x"}}}}`,
		`{"timeline":[{"type":"tool_call_completed","name":"str_replace_editor","arguments":"{}","result":{"log":7}}]}`} {
		f.Add([]byte(s))
	}
	nop := func(store.Record) {}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, _ := New("s/x/events.jsonl", nil)
		for i, l := range ls[:10] {
			_ = d.Line(i+1, l, nop)
		}
		_ = d.Line(11, in, nop)
		st, err := d.State()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New("s/x/events.jsonl", st); err != nil {
			t.Fatalf("state %s does not restore: %v", st, err)
		}
		h, _ := New("h/session_x_1.json", nil)
		_ = h.Line(1, in, nop)
	})
}
