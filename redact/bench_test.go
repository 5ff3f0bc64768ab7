package redact

import (
	"testing"
)

// BenchmarkEngine redacts the real agent logs of the shared fixtures (all
// JSONL files, concatenated) line by line, with the full pack and the
// default policies, through Text and through JSON. It reports MB/s.
func BenchmarkEngine(b *testing.B) {
	lines := sessionLines(b)
	size := 0
	strs := make([]string, len(lines))
	for i, l := range lines {
		size += len(l)
		strs[i] = string(l)
	}
	cfg := DefaultConfig()
	cfg.Home, cfg.Username = "/Users/dain", "dain"
	e := newTestEngine(b, cfg)
	b.Run("Text", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range strs {
				e.Text(ScopeField, s)
			}
		}
	})
	b.Run("JSON", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, l := range lines {
				e.JSON(l)
			}
		}
	})
}

// BenchmarkNew measures building an engine (compiling the pack).
func BenchmarkNew(b *testing.B) {
	cfg := testConfig()
	for b.Loop() {
		if _, err := New(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
