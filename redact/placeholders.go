package redact

import "strings"

// CountPlaceholders adds to counts, per rule id, the placeholders
// ([REDACTED:<id>] or [REDACTED:<id>:<8 hex>]) in s: what an export says
// was redacted in the text it carries.
func CountPlaceholders(s string, counts map[string]int) {
	const pre = "[REDACTED:"
	for {
		i := strings.Index(s, pre)
		if i < 0 {
			return
		}
		s = s[i:]
		n := placeholderLen(s)
		if n == 0 {
			s = s[len(pre):]
			continue
		}
		id := s[len(pre) : n-1]
		if j := strings.IndexByte(id, ':'); j >= 0 {
			id = id[:j]
		}
		counts[id]++
		s = s[n:]
	}
}
