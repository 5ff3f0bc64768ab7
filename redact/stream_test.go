package redact

import (
	"fmt"
	"strings"
	"testing"
)

// TestStreamFindsWhatTextFinds checks that scanning a stream in pieces
// finds what scanning it whole does, once each, at the same offsets and
// positions: values placed across the borders of pieces and of their
// overlaps, on long and short lines.
func TestStreamFindsWhatTextFinds(t *testing.T) {
	e, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	token := func(i int) string { return "ghp_" + strings.Repeat(fmt.Sprintf("%03dAbCdEfGhIj", i%1000), 3)[:36] }
	// Lines of 99 bytes, one of them half a piece long, then values written
	// over them at the borders a piece gives findings up to and where the
	// next one starts (see Stream), and a few elsewhere.
	buf := []byte(strings.Repeat(strings.Repeat("x", 99)+"\n", 4*streamPiece/100))
	copy(buf[5000:], strings.Repeat("y", streamPiece/2))
	size := streamPiece + 2*streamOverlap
	var at []int
	for k := range 3 {
		give := (k+1)*size - (2*k+1)*streamOverlap
		drop := (k + 1) * (size - 2*streamOverlap)
		at = append(at, give-30, give-7, give, give+1, drop-30, drop, drop+2)
	}
	for i := 0; i < len(buf)-200; i += 77777 {
		at = append(at, i)
	}
	for i, off := range at {
		v := " key " + token(i) + " "
		for j := range v {
			if buf[off+j] == '\n' {
				off -= j + 1 // the value on one line
				break
			}
		}
		copy(buf[off:], v)
	}
	var b strings.Builder
	b.Write(buf)
	text := b.String()
	_, want := e.Text(ScopeField, text)
	views := map[string]bool{}
	for _, f := range want {
		views[view(text, f.RuleID, f.Start, f.End)] = true
	}
	var got []string
	err = e.Stream(ScopeField, strings.NewReader(text), nil, func(f Finding, start, end Position) {
		v := view(text, f.RuleID, f.Start, f.End)
		if w := fmt.Sprintf("%d:%d-%d:%d", start.Line, start.Column, end.Line, end.Column); !strings.HasSuffix(v, w) {
			t.Errorf("%s at %s, want %s", f.RuleID, w, v)
		}
		got = append(got, v)
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, v := range got {
		if seen[v] {
			t.Errorf("given twice: %s", v)
		}
		seen[v] = true
		if !views[v] {
			t.Errorf("not found whole: %s", v)
		}
	}
	for v := range views {
		if !seen[v] {
			t.Errorf("missed: %s", v)
		}
	}
	if len(want) < 30 {
		t.Fatalf("only %d findings: the test text lacks values", len(want))
	}
}

// view names a finding by rule, offsets and positions computed from the
// whole text.
func view(text, rule string, start, end int) string {
	pos := func(off int) string {
		line := strings.Count(text[:off], "\n") + 1
		return fmt.Sprintf("%d:%d", line, off-(strings.LastIndexByte(text[:off], '\n')+1)+1)
	}
	return fmt.Sprintf("%s %d-%d %s-%s", rule, start, end, pos(start), pos(max(start, end-1)))
}
