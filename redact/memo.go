package redact

// Memo remembers how the string values of one JSON document (a log line)
// were redacted, so that the same texts met again as fields of the records
// decoded from the line are not scanned a second time: a line is redacted
// once, and each field of its records is a look-up (see LineMemo and
// FieldAt). It is valid for texts at the document's location in its
// repository, when no manual redaction narrower than global applies
// (NeedsLocation is false) and the repository has no rules of its own:
// then a text is redacted the same in a field as in the line. LineMemo
// leaves it empty otherwise, and FieldAt redacts every text itself.
//
// A Memo belongs to one line and one goroutine.
type Memo struct {
	m    map[string]memoEntry
	seen map[[2]string]bool // (rule id, value hash) redacted in the line wherever it is
}

type memoEntry struct {
	out      string
	findings []Finding
}

// memoMin is the shortest text a Memo keeps: shorter ones cost less to
// scan again than to remember.
const memoMin = 32

func (m *Memo) put(s, out string, fs []Finding) {
	if len(s) < memoMin {
		return
	}
	if m.m == nil {
		m.m = map[string]memoEntry{}
	}
	// The findings' offsets are those in s; the caller maps its own copy
	// to the document's.
	var kept []Finding
	if fs != nil {
		kept = append(make([]Finding, 0, len(fs)), fs...)
	}
	m.m[s] = memoEntry{out, kept}
}

// LineMemo redacts a log line as JSONAt(loc with Raw set, raw) does, and
// returns with it the memo of its texts for FieldAt (empty when it would
// not be valid, see Memo).
func (e *Engine) LineMemo(loc Location, raw []byte) ([]byte, []Finding, *Memo) {
	loc.Raw = true
	memo := &Memo{}
	fill := memo
	if e.scoped || !e.repoPlain(loc.Repo) {
		fill = nil
	}
	out, fs, own := e.jsonAt(loc, raw, fill)
	for _, f := range fs[:own] {
		if !e.scopedIDs[f.RuleID] {
			if memo.seen == nil {
				memo.seen = map[[2]string]bool{}
			}
			memo.seen[[2]string{f.RuleID, f.ValueHash}] = true
		}
	}
	return out, fs, memo
}

// Seen reports whether the value of f, a finding in a field of a record of
// the memo's line, was redacted in the line itself by a rule that applies
// wherever a text is (neither a manual redaction scoped to a session, a
// prompt or a field, nor a repository's rule, which the fields record).
func (m *Memo) Seen(f Finding) bool {
	return m != nil && m.seen[[2]string{f.RuleID, f.ValueHash}]
}

// FieldAt redacts a text field of a record decoded from the line whose
// memo is m, as TextAt(ScopeRecord, loc, s) does: from the memo when the
// line held s as it is.
func (e *Engine) FieldAt(m *Memo, loc Location, s string) (string, []Finding) {
	if m != nil && m.m != nil {
		if r, ok := m.m[s]; ok {
			if r.findings == nil {
				return s, nil
			}
			return r.out, append([]Finding(nil), r.findings...)
		}
	}
	return e.TextAt(ScopeRecord, loc, s)
}

// repoPlain reports whether the repository at root adds nothing to the
// engine's own redaction: none is given, or it has no rules.
func (e *Engine) repoPlain(root string) bool {
	r := e.repo(root)
	return r == nil || r.err == nil && r.eng == nil
}
