package ingest

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// How a line and the fields of its records are redacted. The decoder reads
// the line as the agent wrote it, so that the paths it names are the real
// ones (a home directory redacted to "~" cannot be compared); what is
// stored, the raw copy of the line and every field of the records, is
// redacted here, each field as the table of text fields (store.Fields)
// says. With the engine, a line is scanned once: the fields that are texts
// of the line as they are (most of them, and the longest) take the line's
// result (redact.Memo) instead of being scanned again.

// lineRedactor is implemented by redactors that redact a line once and the
// fields of its records from that (*redact.Engine).
type lineRedactor interface {
	LineMemo(loc redact.Location, raw []byte) ([]byte, []redact.Finding, *redact.Memo)
	FieldAt(m *redact.Memo, loc redact.Location, s string) (string, []redact.Finding)
}

// locator is implemented by redactors that apply manual redactions scoped
// to a session, a prompt or a field, and repositories' own rules
// (*redact.Engine): they need to know where each text is stored.
type locator interface {
	NeedsLocation() bool
	TextAt(scope redact.Scope, loc redact.Location, s string) (string, []redact.Finding)
	JSONAt(loc redact.Location, raw []byte) ([]byte, []redact.Finding)
}

// repoScoper is implemented by redactors that apply each repository's own
// rules to the texts of its sessions (*redact.Engine): a text's
// redact.Location then names the repository its session works in.
type repoScoper interface {
	RepoScoped() bool
	Repo(root string) (int, error)
}

// prepared is a line made ready to write: redacted, and the texts of its
// records redacted.
type prepared struct {
	stored   []byte           // the redacted line, as kept in raw_records
	findings []redact.Finding // what redacting the line found
	recs     []preparedRecord
}

type preparedRecord struct {
	rec     store.Record
	session string
	found   []fieldFindings
}

type fieldFindings struct {
	field string
	found []redact.Finding
}

// prepare redacts a decoded line and the fields of its records. b is used
// only to locate records for scoped manual redactions (r.loc), when the
// writer prepares the line; workers pass nil.
func (r *run) prepare(b *store.Batch, j *lineJob) prepared {
	if j.err != nil {
		return prepared{}
	}
	var p prepared
	var memo *redact.Memo
	switch {
	case r.lines != nil:
		p.stored, p.findings, memo = r.lines.LineMemo(redact.Location{Repo: j.root}, j.content)
	case r.at != nil && (r.loc != nil || j.root != ""):
		p.stored, p.findings = r.at.JSONAt(redact.Location{Raw: true, Repo: j.root}, j.content)
	default:
		p.stored, p.findings = r.red.JSON(j.content)
	}
	if j.long > 0 {
		p.stored = cutLine(p.stored, r.opt.MaxLine, j.long)
	}
	// A value redacted in the line is known from there: the records'
	// fields record only what the line's redaction did not see (and what
	// depends on where they are: scoped manual redactions, a repository's
	// rules), so that provenance does not depend on where a run stopped.
	seen := memo.Seen
	if memo == nil {
		found := map[[2]string]bool{}
		for _, f := range p.findings {
			found[[2]string{f.RuleID, f.ValueHash}] = true
		}
		seen = func(f redact.Finding) bool { return found[[2]string{f.RuleID, f.ValueHash}] }
	}
	for _, rec := range j.recs {
		pr := r.redactRecord(b, memo, j.agent, j.root, rec)
		kept := pr.found[:0]
		for _, ff := range pr.found {
			ff.found = slices.DeleteFunc(ff.found, seen)
			if len(ff.found) > 0 {
				kept = append(kept, ff)
			}
		}
		pr.found = kept
		p.recs = append(p.recs, pr)
	}
	return p
}

// redactRecord redacts every string field of a record as its class says
// (store.Fields), and keys its paths (see place and key); root is the
// repository its session works in, whose rules apply too; memo holds the
// redaction of its line's texts (nil: none).
func (r *run) redactRecord(b *store.Batch, memo *redact.Memo, agent, root string, rec store.Record) preparedRecord {
	rec = r.place(rec)
	loc := redact.Location{Repo: root} // where the record's texts go, for scoped manual redactions
	if r.loc != nil {
		loc = r.locate(b, agent, rec)
		loc.Repo = root
	}
	var found []fieldFindings
	table, fs, done := store.Fields(rec)
	for _, f := range fs {
		if *f.Text == "" || f.Class == store.ClassKey {
			continue
		}
		l := loc
		l.Field = table + "." + f.Column
		out, fnd := r.redactField(memo, f.Class, l, *f.Text)
		*f.Text = out
		if len(fnd) > 0 {
			found = append(found, fieldFindings{f.Column, fnd})
		}
	}
	rec = r.key(done())
	if x, ok := rec.(store.ToolResult); ok {
		x.Output = capText(x.Output, r.opt.MaxOutput)
		rec = x
	}
	return preparedRecord{rec: rec, session: sessionOf(rec), found: found}
}

// redactField redacts one text at loc as its class says.
func (r *run) redactField(memo *redact.Memo, class store.FieldClass, loc redact.Location, s string) (string, []redact.Finding) {
	if r.at == nil { // a redactor that takes no location
		if class == store.ClassJSON {
			out, fs := r.red.JSON([]byte(s))
			return string(out), fs
		}
		return r.red.Text(scopeOf(class), s)
	}
	switch {
	case class == store.ClassJSON:
		out, fs := r.at.JSONAt(loc, []byte(s))
		return string(out), fs
	case class == store.ClassText && r.lines != nil:
		return r.lines.FieldAt(memo, loc, s)
	}
	return r.at.TextAt(scopeOf(class), loc, s)
}

// scopeOf is the redaction engine's scope of a class of text field.
func scopeOf(c store.FieldClass) redact.Scope {
	if c == store.ClassID {
		return redact.ScopeID // only manual redactions
	}
	return redact.ScopeRecord // every rule
}

// StoreFindings converts the engine's findings for the store, the same
// value found several times by one rule as one with its count: the one
// place they change hands.
func StoreFindings(fs []redact.Finding) []store.FieldRedaction {
	if len(fs) == 0 {
		return nil
	}
	out := make([]store.FieldRedaction, 0, min(len(fs), 16))
	at := map[redact.Finding]int{}
	for _, f := range fs {
		f.Start, f.End = 0, 0
		if i, ok := at[f]; ok {
			out[i].Count++
			continue
		}
		at[f] = len(out)
		out = append(out, store.FieldRedaction{RuleID: f.RuleID, RuleFingerprint: f.RuleFingerprint, ValueHash: f.ValueHash, Actor: f.Actor, Count: 1})
	}
	return out
}

// Rewrite returns how a manual redaction added later rewrites a stored
// text (AddManualRedaction), with eng holding that redaction alone: as
// ingest would have redacted the text, given its kind and class.
func Rewrite(eng *redact.Engine) store.RewriteFunc {
	return func(t store.StoredText) (string, []store.FieldRedaction) {
		var out string
		var fs []redact.Finding
		switch {
		case t.Kind == store.TextRaw:
			b, f := eng.JSONAt(redact.Location{Raw: true}, []byte(t.Text))
			out, fs = string(b), f
		case t.Kind == store.TextKey:
			out, fs = eng.Text(redact.ScopeField, t.Text)
		case t.Class == store.ClassJSON:
			loc := redact.Location{Agent: t.Agent, Session: t.Session, Prompt: t.Prompt, Field: t.Table + "." + t.Column}
			b, f := eng.JSONAt(loc, []byte(t.Text))
			out, fs = string(b), f
		default:
			loc := redact.Location{Agent: t.Agent, Session: t.Session, Prompt: t.Prompt, Field: t.Table + "." + t.Column}
			out, fs = eng.TextAt(scopeOf(t.Class), loc, t.Text)
		}
		return out, StoreFindings(fs)
	}
}

// redactState redacts a decoder's state before it is stored: it holds what
// the decoder keeps of lines it read (a pending prompt, the edits of a patch
// not yet confirmed, the cwd), which it read unredacted. The decoder of the
// next run starts from the redacted state, as it started from redacted
// lines before: the paths it carries over are compared again once their
// "~" is expanded (see canon.Resolver.Path).
func (r *run) redactState(state []byte) []byte {
	if len(state) == 0 {
		return state
	}
	if r.at != nil && (r.loc != nil || r.fileRoot != "") {
		out, _ := r.at.JSONAt(redact.Location{Raw: true, Repo: r.fileRoot}, state)
		return out
	}
	out, _ := r.red.JSON(state)
	return out
}

// resume learns, when a batch resumes in the middle of a log, the
// repositories of its sessions, which lines read before named.
func (r *run) resume(b *store.Batch, src store.Watermark) error {
	if r.repos == nil || src.Offset == 0 {
		return nil
	}
	cwds, err := b.SourceSessions(src.ID)
	if err != nil {
		return err
	}
	for id, cwd := range cwds {
		root := r.repoRootDir(cwd)
		r.sessRoot[[2]string{src.Agent, id}] = root
		r.fileRoot = root
	}
	return nil
}

// lineRoot returns the repository whose rules apply to a line: the one
// its session works in (named by the line's own records, or by earlier
// lines), else the one of the file's latest session. An error means the
// repository's rules cannot apply.
func (r *run) lineRoot(agent string, recs []store.Record) (string, error) {
	if r.repos == nil {
		return "", nil
	}
	root, known := r.fileRoot, false
	for _, rec := range recs {
		session, cwd := sessionOf(rec), ""
		switch x := rec.(type) {
		case store.Session:
			cwd = x.Cwd
		case store.Prompt:
			cwd = x.Cwd
		}
		if session == "" {
			continue
		}
		key := [2]string{agent, session}
		if cwd != "" {
			r.sessRoot[key] = r.repoRootDir(cwd)
		}
		if sr, ok := r.sessRoot[key]; ok && !known {
			root, known = sr, true
			r.fileRoot = sr
		}
	}
	if root == "" {
		return "", nil
	}
	if _, err := r.repos.Repo(root); err != nil {
		return "", fmt.Errorf("%w: %v", ErrRepoRules, err)
	}
	return root, nil
}

// repoRootDir returns the git worktree that holds directory dir (a
// session's working directory), "" when none.
func (r *run) repoRootDir(dir string) string {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	return r.paths.Root(r.paths.Path(dir))
}

// sessionOf returns the session a record belongs to, for the summary's
// count of sessions ("" for an unknown record).
func sessionOf(rec store.Record) string {
	switch x := rec.(type) {
	case store.Session:
		return x.ID
	case store.Prompt:
		return x.Session
	case store.Message:
		return x.Session
	case store.ToolCall:
		return x.Session
	case store.ToolResult:
		return x.Session
	case store.FileEdit:
		return x.Session
	case store.Usage:
		return x.Session
	case store.Link:
		return x.Session
	}
	return ""
}

// place sets, for an edit, the git worktree that holds the file and the
// file's path inside it, for people to read (they are redacted like the
// path). The paths themselves are kept as the decoder wrote them.
func (r *run) place(rec store.Record) store.Record {
	x, ok := rec.(store.FileEdit)
	if !ok {
		return rec
	}
	r.pmu.Lock()
	defer r.pmu.Unlock()
	if p := r.paths.Abs(x.Path); p != "" {
		if root := r.paths.Root(p); root != "" {
			x.Root = root
			x.RelPath, _ = canon.Within(root, p)
		}
	}
	return x
}

// key sets the keys by which the paths of a record are compared (see
// store.PathKeys): those of their canonical forms (see package canon).
// A key is made from the path as stored, redacted, reading "~" as the home
// directory: it is the real path's when redaction only shortened the home
// directory, and it is the same whether the path came from the log line
// or, across runs, from the decoder's stored (redacted) state. A path that
// redaction changed otherwise compares with nothing real.
func (r *run) key(rec store.Record) store.Record {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	key := func(p string) string { return r.keys.Key(r.paths.Path(p)) }
	switch x := rec.(type) {
	case store.Session:
		x.CwdKey = key(x.Cwd)
		return x
	case store.Prompt:
		x.CwdKey = key(x.Cwd)
		return x
	case store.FileEdit:
		x.PathKey, x.MoveKey = key(x.Path), key(x.MovePath)
		return x
	}
	return rec
}

// locate returns where a record's texts are stored: its session and
// prompt. A tool result names only its call, whose prompt is looked up.
func (r *run) locate(b *store.Batch, agent string, rec store.Record) redact.Location {
	loc := redact.Location{Agent: agent}
	switch x := rec.(type) {
	case store.Session:
		loc.Session = x.ID
	case store.Prompt:
		loc.Session, loc.Prompt = x.Session, x.Key
	case store.Message:
		loc.Session, loc.Prompt = x.Session, x.Prompt
	case store.ToolCall:
		loc.Session, loc.Prompt = x.Session, x.Prompt
		r.calls[[3]string{agent, x.Session, x.CallID}] = x.Prompt
	case store.ToolResult:
		loc.Session = x.Session
		k := [3]string{agent, x.Session, x.CallID}
		p, ok := r.calls[k]
		if !ok && b != nil {
			// Unknown in this run: ask the database (an error leaves the
			// prompt unknown; the session's redactions still apply).
			p, _ = b.CallPrompt(agent, x.Session, x.CallID)
			r.calls[k] = p
		}
		loc.Prompt = p
	case store.FileEdit:
		loc.Session, loc.Prompt = x.Session, x.Prompt
	case store.Link:
		loc.Session = x.Session
	}
	return loc
}

// capText keeps the head and the tail of a text longer than max bytes.
func capText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	head, tail := max*3/4, max/4
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	start := len(s) - tail
	for start < len(s) && !utf8.RuneStart(s[start]) {
		start++
	}
	return s[:head] + fmt.Sprintf("\n… [%d bytes omitted] …\n", start-head) + s[start:]
}
