package dectest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/store"
)

var t0 = time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)

func TestViewMergesAsTheStore(t *testing.T) {
	v := NewView([]store.Record{
		store.Session{ID: "s", Cwd: "/a", Model: "m1"},
		store.Session{ID: "s", Cwd: "/b", Model: "m2"},
		store.Prompt{Session: "s", Key: "p2", Text: "two"},
		store.Prompt{Session: "s", Key: "p1", Text: "one"},
		store.Prompt{Session: "s", Key: "p2", Text: "two, edited"},
		store.Message{Session: "s", Prompt: "p1", Key: "m", Kind: store.MessageAssistant, Text: "a"},
		store.Message{Session: "s", Prompt: "p2", Key: "m", Kind: store.MessageSystem, Text: "b"},
		store.ToolCall{Session: "s", Prompt: "p1", CallID: "c", Name: "x"},
		store.ToolCall{Session: "s", CallID: "c", Name: "y"},
		store.FileEdit{Session: "s", Prompt: "p1", CallID: "c", Path: "/f", Time: t0, Added: 1},
		store.FileEdit{Session: "s", CallID: "c", Path: "/f", Added: 2},
		store.Link{Session: "s", Time: t0, Kind: store.LinkPR, URL: "u", Title: "old"},
		store.Link{Session: "s", Prompt: "p2", Kind: store.LinkPR, URL: "u", Title: "new"},
		store.Unknown{Session: "s", Type: "x"},
		store.Unknown{Session: "s", Type: "x"},
	})
	if got, want := v.Sessions["s"], (store.Session{ID: "s", Cwd: "/a", Model: "m2"}); got != want {
		t.Errorf("session %+v, want %+v (store.MergeSession)", got, want)
	}
	if got, want := v.PromptTexts("s"), []string{"two, edited", "one"}; !reflect.DeepEqual(got, want) {
		t.Errorf("prompts %q, want %q (the last text, in the order they first came)", got, want)
	}
	if got := v.Messages.Get(Key{"s", "m"}); got.Kind != store.MessageAssistant || got.Prompt != "p1" || got.Text != "b" {
		t.Errorf("message %+v, want the first with the last text", got)
	}
	if got := v.Calls.Get(Key{"s", "c"}); got.Name != "y" || got.Prompt != "p1" {
		t.Errorf("call %+v, want the last with the first prompt", got)
	}
	if got := v.Edits.Get(EditKey{"s", "c", "/f"}); got.Added != 2 || got.Prompt != "p1" || !got.Time.Equal(t0) || got.Status != store.EditApplied {
		t.Errorf("edit %+v, want the last with the first prompt and time, applied", got)
	}
	if got := v.Links.Get(LinkKey{"s", store.LinkPR, "u"}); got.Title != "new" || got.Prompt != "p2" || !got.Time.Equal(t0) {
		t.Errorf("link %+v, want the first with the last title and prompt", got)
	}
	if want := map[string]int{"x": 2}; !reflect.DeepEqual(v.Unknown, want) {
		t.Errorf("unknown %v, want %v", v.Unknown, want)
	}
	if got, want := v.EditedFiles(), map[string][2]int{"/f": {2, 0}}; !reflect.DeepEqual(got, want) {
		t.Errorf("edited files %v, want %v", got, want)
	}
}

func TestUsage(t *testing.T) {
	u := func(key, group string, side bool, out int64) store.Usage {
		return store.Usage{Session: "s", Model: "m", Key: key, Group: group, Sidechain: side, Output: out}
	}
	tests := []struct {
		name    string
		in      []store.Usage
		usage   []int // indexes of in that View.Usage holds
		counted []int
	}{
		{"one per key, the larger", []store.Usage{u("a", "", false, 1), u("a", "", false, 3), u("a", "", false, 2)}, []int{1}, []int{1}},
		{"of equals the first", []store.Usage{u("a", "", false, 2), u("b", "", false, 1), u("a", "", false, 2)}, []int{0, 1}, []int{0, 1}},
		{"no key: all", []store.Usage{u("", "", false, 1), u("", "", false, 1)}, []int{0, 1}, []int{0, 1}},
		{"non-sidechain wins its key", []store.Usage{u("a", "g", true, 9), u("a", "g", false, 1)}, []int{1}, []int{1}},
		{"sidechain replay after", []store.Usage{u("a", "g", false, 1), u("b", "g", true, 5)}, []int{0, 1}, []int{0}},
		{"sidechain replay before", []store.Usage{u("b", "g", true, 5), u("a", "g", false, 1)}, []int{0, 1}, []int{1}},
		{"sidechains alone count", []store.Usage{u("b", "g", true, 5), u("c", "g", true, 1)}, []int{0, 1}, []int{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var recs []store.Record
			var usage, counted []store.Usage
			for _, x := range tt.in {
				recs = append(recs, x)
			}
			for _, i := range tt.usage {
				usage = append(usage, tt.in[i])
			}
			for _, i := range tt.counted {
				counted = append(counted, tt.in[i])
			}
			v := NewView(recs)
			if !reflect.DeepEqual(v.Usage, usage) {
				t.Errorf("usage %+v, want %+v", v.Usage, usage)
			}
			if got := v.Counted(); !reflect.DeepEqual(got, counted) {
				t.Errorf("counted %+v, want %+v", got, counted)
			}
			if got := CountedUsage(tt.in); !reflect.DeepEqual(got, tt.counted) {
				t.Errorf("CountedUsage = %v, want %v", got, tt.counted)
			}
			var out int64
			for _, c := range counted {
				out += c.Output
			}
			if got := v.Total().Output; got != out {
				t.Errorf("total output %d, want %d", got, out)
			}
		})
	}
}

// lineDecoder emits one prompt per line, and the session in every batch;
// a line "bad" is rejected. With hold set, it holds its last prompt back
// until the next line or Flush, as a Flusher does.
type lineDecoder struct {
	n    int // lines seen, its state
	hold bool
	held *store.Prompt
	sent bool // the session was emitted in this batch
}

func (d *lineDecoder) Line(no int, line []byte, emit func(store.Record)) error {
	if string(line) == "bad" {
		return errors.New("bad line")
	}
	if !d.sent {
		emit(store.Session{ID: "s"})
		d.sent = true
	}
	d.n++
	p := store.Prompt{Session: "s", Key: string(line), Text: string(line)}
	if d.hold {
		if d.held != nil {
			emit(*d.held)
		}
		d.held = &p
		return nil
	}
	emit(p)
	return nil
}

func (d *lineDecoder) State() ([]byte, error) { return []byte{byte('0' + d.n)}, nil }

type holdingDecoder struct{ lineDecoder }

func (d *holdingDecoder) Flush(emit func(store.Record)) {
	if d.held != nil {
		emit(*d.held)
	}
}

func TestBatchAndResume(t *testing.T) {
	lines := Split([]byte("a\r\n\nbad\nb\nc\n"), false)
	if want := [][]byte{[]byte("a\r"), {}, []byte("bad"), []byte("b"), []byte("c")}; !reflect.DeepEqual(lines, want) {
		t.Fatalf("Split = %q, want %q", lines, want)
	}
	recs, bad := Batch(&lineDecoder{}, lines, 0, len(lines))
	if len(bad) != 1 || bad[0].No != 3 || !strings.Contains(bad[0].Error(), "line 3: bad line") {
		t.Errorf("rejected %v, want line 3", bad)
	}
	if got := NewView(recs).PromptTexts("s"); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("prompts %q", got)
	}
	plain := func([]byte) (Decoder, error) { return &lineDecoder{}, nil }
	holding := func([]byte) (Decoder, error) { return &holdingDecoder{lineDecoder{hold: true}}, nil }
	ResumeEverySplit(t, plain, lines, SameView)
	ResumeEverySplit(t, holding, lines, SameView)
	if n := ResumeEveryLine(t, holding, lines, SameView); n != 1 {
		t.Errorf("largest state %d bytes, want 1", n)
	}
	// Each batch announces the session again: not the same records.
	one, _, _ := batches(t, plain, lines, []int{len(lines)})
	two, _, _ := batches(t, plain, lines, []int{1, len(lines)})
	if SameRecords(two, one) == "" {
		t.Error("SameRecords finds no difference in a session emitted twice")
	}
	// A held prompt not flushed at a batch's end is lost.
	noFlush := func([]byte) (Decoder, error) { return &lineDecoder{hold: true}, nil }
	got, _, _ := batches(t, noFlush, lines, []int{1, len(lines)})
	want, _, _ := batches(t, holding, lines, []int{len(lines)})
	if SameView(got, want) == "" {
		t.Error("SameView finds no difference in a lost prompt")
	}
}
