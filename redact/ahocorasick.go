package redact

// acMatcher is an Aho-Corasick automaton over ASCII-case-folded bytes. It
// reports every occurrence of every pattern, overlapping ones included, in
// one pass and without copying or lower-casing the input.
type acMatcher struct {
	class   [256]uint8 // byte -> input class; 0 is "no pattern uses this byte"
	nclass  int
	delta   []uint16 // state*nclass + class -> next state (full DFA); uint16 keeps it in cache
	outs    [][]int32
	hasOut  []bool
	lengths []int // pattern lengths
}

// newACMatcher builds the automaton. Patterns are matched ASCII
// case-insensitively; empty patterns are ignored.
func newACMatcher(patterns []string) *acMatcher {
	m := &acMatcher{lengths: make([]int, len(patterns))}
	// Byte classes: one per distinct folded byte used in a pattern (at most
	// 230 after folding A-Z, so a class fits in a byte).
	var seen [256]uint8
	n := 1
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			c := foldByte(p[i])
			if seen[c] == 0 {
				seen[c] = uint8(n)
				n++
			}
		}
	}
	for b := 0; b < 256; b++ {
		m.class[b] = seen[foldByte(byte(b))]
	}
	m.nclass = n

	// Trie with goto transitions (-1 = none).
	type node struct {
		next []int32
		out  []int32
	}
	newNode := func() node {
		nx := make([]int32, n)
		for i := range nx {
			nx[i] = -1
		}
		return node{next: nx}
	}
	nodes := []node{newNode()}
	for pi, p := range patterns {
		m.lengths[pi] = len(p)
		if p == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := m.class[p[i]]
			if nodes[s].next[c] < 0 {
				nodes = append(nodes, newNode())
				nodes[s].next[c] = int32(len(nodes) - 1)
			}
			s = nodes[s].next[c]
		}
		nodes[s].out = append(nodes[s].out, int32(pi))
	}

	// Breadth-first failure links; fill the full DFA.
	if len(nodes) > 1<<16 {
		panic("redact: keyword automaton over 65536 states") // the pack has about 1,300
	}
	fail := make([]int32, len(nodes))
	m.delta = make([]uint16, len(nodes)*n)
	m.outs = make([][]int32, len(nodes))
	m.hasOut = make([]bool, len(nodes))
	queue := make([]int32, 0, len(nodes))
	for c := 0; c < n; c++ {
		t := nodes[0].next[c]
		if t < 0 {
			m.delta[c] = 0
			continue
		}
		m.delta[c] = uint16(t)
		fail[t] = 0
		queue = append(queue, t)
	}
	m.outs[0] = nodes[0].out
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		// Outputs: own plus those of the failure state (already complete, BFS order).
		out := append([]int32(nil), nodes[s].out...)
		out = append(out, m.outs[fail[s]]...)
		m.outs[s] = out
		m.hasOut[s] = len(out) > 0
		for c := 0; c < n; c++ {
			t := nodes[s].next[c]
			if t < 0 {
				m.delta[int(s)*n+c] = m.delta[int(fail[s])*n+c]
				continue
			}
			m.delta[int(s)*n+c] = uint16(t)
			fail[t] = int32(m.delta[int(fail[s])*n+c])
			queue = append(queue, t)
		}
	}
	return m
}

// scan calls f for every occurrence of every pattern in s, in order of end
// position; start and end are byte offsets (end exclusive).
func (m *acMatcher) scan(s string, f func(pattern int, start, end int)) {
	if len(m.delta) == 0 {
		return
	}
	delta, class, nc, hasOut := m.delta, &m.class, m.nclass, m.hasOut
	state := uint16(0)
	for i := 0; i < len(s); i++ {
		state = delta[int(state)*nc+int(class[s[i]])]
		if hasOut[state] {
			for _, p := range m.outs[state] {
				f(int(p), i+1-m.lengths[p], i+1)
			}
		}
	}
}

func foldByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}
