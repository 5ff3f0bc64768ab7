package redact

import (
	"testing"
	"unicode/utf8"
)

// offsetMap is the map rawOffsets replaced: each byte offset of the decoded
// string (and its end) to the offset in the raw content.
func offsetMap(c []byte) []int {
	m := make([]int, 0, len(c)+1)
	for i := 0; i < len(c); {
		if c[i] != '\\' {
			m = append(m, i)
			i++
			continue
		}
		r, w := decodeEscape(c, i)
		for k := 0; k < utf8.RuneLen(r); k++ {
			m = append(m, i)
		}
		i += w
	}
	return append(m, len(c))
}

// FuzzRawOffsets checks that rawOffsets maps offsets of a decoded JSON
// string as the full map of every offset does.
func FuzzRawOffsets(f *testing.F) {
	f.Add([]byte(`a\"b\\c\u00e9d\n`), 0, 3, 7)
	f.Add([]byte(`\ud83d\ude00x`), 1, 4, 5)
	f.Add([]byte(`plain`), 0, 5, 9)
	f.Fuzz(func(t *testing.T, c []byte, k1, k2, k3 int) {
		if end, _, ok := scanJSONString(append(append([]byte{'"'}, c...), '"'), 0); !ok || end != len(c)+2 {
			return // not the content of one JSON string
		}
		m := offsetMap(c)
		want := func(k int) int {
			if k < 0 || k >= len(m) {
				return -1
			}
			return 10 + 1 + m[k]
		}
		fs := []Finding{{Start: k1, End: k2}, {Start: k3, End: k3}, {Start: -1, End: k1}}
		rawOffsets(fs, c, 10)
		for i, k := range [][2]int{{k1, k2}, {k3, k3}, {-1, k1}} {
			if fs[i].Start != want(k[0]) || fs[i].End != want(k[1]) {
				t.Fatalf("%q: finding %d at %v maps to %d..%d, want %d..%d", c, i, k, fs[i].Start, fs[i].End, want(k[0]), want(k[1]))
			}
		}
	})
}
