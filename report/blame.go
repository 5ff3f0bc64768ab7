package report

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

// Why a line's origin is unknown (neither an agent's nor a person's).
const (
	// UnknownNoNote: the commit has no aitrail note and the database has no
	// record of it: it was never annotated (or, in a clone, it had no AI
	// involvement and the configuration writes no note for that).
	UnknownNoNote = "no note"
	// UnknownMissing: the database annotated the commit, but its note is not
	// on the notes ref here (deleted, or never fetched).
	UnknownMissing = "note missing"
	// UnknownStale: the note was written for another commit and copied here
	// by a rewrite that aitrail's hook did not see.
	UnknownStale = "stale note"
	// UnknownShallow: the history available here ends at the commit (a
	// shallow clone): the line may be older, and its note does not mark it.
	UnknownShallow = "shallow"
	// UnknownUnfetched: the commit has no note here, and a remote whose
	// branches hold it has notes this clone has not fetched (or not since
	// the commit): the note may be there.
	UnknownUnfetched = "notes not fetched"
	// UnknownBlank: a blank line. Notes do not count blank lines, so they
	// are nobody's.
	UnknownBlank = "blank"
)

// NoteIndex answers, from a repository's aitrail notes, which lines of each
// commit agents wrote. The notes ref and the remotes' fetched copies of it
// are listed once; each commit's note is read and parsed the first time one
// of its lines is asked about. It is safe for concurrent use.
type NoteIndex struct {
	repo   *gitlog.Repo
	reader *gitlog.NoteReader
	blobs  map[gitlog.Hash]gitlog.Hash
	status StatusFunc
	mu     sync.Mutex
	asked  map[gitlog.Hash]bool // commits whose status was asked for
	known  map[string]string    // their statuses, by sha
	notes  map[gitlog.Hash]*commitNote
	gaps   map[gitlog.Hash][]gitlog.NotesGap
}

// StatusFunc returns the database's records of the given commits
// (store.CommitAnnotated or store.CommitNoAI, by sha; unrecorded ones left
// out): a commit it weighed and found without AI involvement has no note,
// and its lines are a person's rather than unknown.
type StatusFunc func(shas []string) (map[string]string, error)

// LoadNotes lists the notes of repo on ref, and those of the remotes'
// copies of ref fetched here but not merged (the local note wins). status
// is nil without a database.
func LoadNotes(repo *gitlog.Repo, ref string, status StatusFunc) (*NoteIndex, error) {
	reader, err := repo.NoteReader(ref)
	if err != nil {
		return nil, err
	}
	ix := &NoteIndex{repo: repo, reader: reader, blobs: map[gitlog.Hash]gitlog.Hash{}, status: status,
		asked: map[gitlog.Hash]bool{}, known: map[string]string{}, notes: map[gitlog.Hash]*commitNote{},
		gaps: map[gitlog.Hash][]gitlog.NotesGap{}}
	refs := reader.Refs()
	for i := len(refs) - 1; i >= 0; i-- {
		blobs, err := repo.ListNotes(refs[i])
		if err != nil {
			return nil, fmt.Errorf("list notes on %s: %w", refs[i], err)
		}
		for c, b := range blobs {
			ix.blobs[c] = b
		}
	}
	return ix, nil
}

// Notes returns how many commits have a note.
func (ix *NoteIndex) Notes() int { return len(ix.blobs) }

// learn asks the database, in one query, about the commits of a blame that
// have no note and were not asked about yet.
func (ix *NoteIndex) learn(commits map[gitlog.Hash]*gitlog.BlameCommit) error {
	if ix.status == nil {
		return nil
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var shas []string
	for h := range commits {
		if _, noted := ix.blobs[h]; !noted && !ix.asked[h] {
			ix.asked[h] = true
			shas = append(shas, h.String())
		}
	}
	if len(shas) == 0 {
		return nil
	}
	got, err := ix.status(shas)
	for sha, st := range got {
		ix.known[sha] = st
	}
	return err
}

// unfetched finds which of commits, whose lines are unknown for want of a
// note, may have one on a remote whose notes this clone has not fetched
// (or not since the commit), and returns their gaps.
func (ix *NoteIndex) unfetched(commits []gitlog.Hash) (map[gitlog.Hash][]gitlog.NotesGap, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var ask []gitlog.Hash
	for _, h := range commits {
		if _, done := ix.gaps[h]; !done {
			ask = append(ask, h)
		}
	}
	if len(ask) > 0 {
		found, err := ix.reader.Gaps(ask)
		if err != nil {
			return nil, err
		}
		for _, h := range ask {
			ix.gaps[h] = found[h]
		}
	}
	out := map[gitlog.Hash][]gitlog.NotesGap{}
	for _, h := range commits {
		if len(ix.gaps[h]) > 0 {
			out[h] = ix.gaps[h]
		}
	}
	return out, nil
}

// commitNote is what one commit's note says about its lines.
type commitNote struct {
	unknown string                // why the note cannot be used ("" when it can)
	files   map[string][]noteConv // file path at the commit → sessions that wrote lines of it
	prompts []notePrompt          // the prompts linked to the commit
}

// noteConv is one session's lines in one file.
type noteConv struct {
	agent, session, model string
	ranges                []TraceRange
}

// notePrompt is a linked prompt with its number in its session and the
// first line of its text as the note shows them (0 and "" when it does not).
type notePrompt struct {
	MetaPrompt
	seq  int
	text string
}

// note returns the parsed note of commit h.
func (ix *NoteIndex) note(h gitlog.Hash) (*commitNote, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if n := ix.notes[h]; n != nil {
		return n, nil
	}
	n := &commitNote{unknown: UnknownNoNote}
	if blob, ok := ix.blobs[h]; ok {
		data, err := ix.repo.Blob(blob)
		if err != nil {
			return nil, fmt.Errorf("read the note of %s: %w", h, err)
		}
		n = parseCommitNote(h, string(data))
	}
	if n.unknown != "" {
		switch ix.known[h.String()] {
		case store.CommitNoAI:
			n.unknown = "" // weighed: no AI involvement
		case store.CommitAnnotated:
			if n.unknown == UnknownNoNote {
				n.unknown = UnknownMissing
			}
		}
	}
	ix.notes[h] = n
	return n, nil
}

// parseCommitNote reads the note of commit h. Only records written for h
// count: a note git copied from a rewritten commit numbers the lines of
// another version of the files. A note without a record (the configured
// note of a commit without AI involvement) says that no agent wrote a line.
func parseCommitNote(h gitlog.Hash, text string) *commitNote {
	n := &commitNote{files: map[string][]noteConv{}}
	own, stale := false, false
	for _, s := range noteSections(text) {
		t, ok := sectionTrace(s)
		if !ok {
			own = true
			continue
		}
		if t.VCS.Revision != h.String() {
			stale = true
			continue
		}
		own = true
		meta := t.Metadata["dev.aitrail"]
		shown := notePromptList(s)
		for i, p := range meta.Prompts {
			np := notePrompt{MetaPrompt: p}
			if len(shown) == len(meta.Prompts) {
				np.seq, np.text = shown[i].Seq, firstLine(shown[i].Text)
			}
			n.prompts = append(n.prompts, np)
		}
		for _, f := range t.Files {
			for _, c := range f.Conversations {
				agent, session := parseConversationURL(c.URL)
				n.files[f.Path] = append(n.files[f.Path], noteConv{agent: agent, session: session, model: c.Contributor.ModelID, ranges: c.Ranges})
			}
		}
	}
	switch {
	case own:
	case stale:
		n.unknown = UnknownStale
	default:
		n.unknown = UnknownNoNote // a note on the ref that is not aitrail's
	}
	return n
}

// origin says who wrote line l: the session whose range holds it, none (a
// person), or why that is unknown.
func (ix *NoteIndex) origin(l gitlog.BlameLine) (n *commitNote, conv *noteConv, unknown string, err error) {
	n, err = ix.note(l.Commit)
	if err != nil {
		return nil, nil, "", err
	}
	for i, c := range n.files[l.OrigPath] {
		for _, r := range c.ranges {
			if r.Start <= l.OrigLine && l.OrigLine <= r.End {
				return n, &n.files[l.OrigPath][i], "", nil
			}
		}
	}
	switch {
	case n.unknown != "":
		return n, nil, n.unknown, nil
	case l.Boundary:
		// The commit's note marks what the commit added; an unmarked line
		// may be one it added by hand or one from before the cut.
		return n, nil, UnknownShallow, nil
	}
	return n, nil, "", nil
}

// BlamedLine is one line of a file with who wrote it: an agent (AI true,
// with the agent, model, session and, when it can be told, the prompt), a
// person (AI false), or unknown (AI nil, Unknown saying why).
type BlamedLine struct {
	Line     int
	Commit   string
	Path     string // the file in the origin commit
	OrigLine int    // the line's number there
	Author   string
	Time     time.Time // author time
	AI       *bool
	Agent    string
	Model    string
	Session  string
	// PromptKey, PromptSeq and Prompt (its first line, redacted) name the
	// prompt that wrote the line; empty when the note links several prompts
	// of the session to the file and no database tells which (Candidates).
	PromptKey  string
	PromptSeq  int
	Prompt     string
	Candidates int
	Unknown    string
	// Gaps, for a line unknown because notes were not fetched, name the
	// remotes whose notes may have its commit's.
	Gaps []gitlog.NotesGap
	Text string
}

// MarshalJSON writes the record with null for what does not apply.
func (l BlamedLine) MarshalJSON() ([]byte, error) {
	null := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var seq *int
	if l.PromptSeq > 0 {
		seq = &l.PromptSeq
	}
	return json.Marshal(struct {
		Line       int               `json:"line"`
		Commit     string            `json:"commit"`
		Path       string            `json:"path"`
		OrigLine   int               `json:"origLine"`
		Author     string            `json:"author"`
		Time       time.Time         `json:"time"`
		AI         *bool             `json:"ai"`
		Agent      *string           `json:"agent"`
		Model      *string           `json:"model"`
		Session    *string           `json:"session"`
		Prompt     *string           `json:"prompt"`
		PromptKey  *string           `json:"promptKey"`
		PromptSeq  *int              `json:"promptSeq"`
		Candidates int               `json:"promptCandidates,omitempty"`
		Unknown    *string           `json:"unknown"`
		Gaps       []gitlog.NotesGap `json:"notesGaps,omitempty"`
		Text       string            `json:"text"`
	}{l.Line, l.Commit, l.Path, l.OrigLine, l.Author, l.Time, l.AI, null(l.Agent), null(l.Model), null(l.Session),
		null(l.Prompt), null(l.PromptKey), seq, l.Candidates, null(l.Unknown), l.Gaps, l.Text})
}

// BlameOptions tune Blame.
type BlameOptions struct {
	gitlog.BlameOptions
	// DB, when set, gives the prompts' texts and tells which of a session's
	// prompts wrote a line when the note links several to the file.
	DB *store.DB
	// Redact redacts text as stored fields are: the lines of code shown
	// (aitrail prints nothing a redaction rule matches), and the lines
	// compared with stored diffs. Nil leaves text as is.
	Redact func(string) string
}

func (o BlameOptions) redact(s string) string {
	if o.Redact == nil {
		return s
	}
	return o.Redact(s)
}

// Blame tells who wrote each line of path (a slash path from the root) as
// it is in commit rev: git blame finds the commit and the line in it, the
// commit's note says whether an agent wrote it.
func Blame(ctx context.Context, repo *gitlog.Repo, ix *NoteIndex, rev gitlog.Hash, path string, opt BlameOptions) ([]BlamedLine, error) {
	b, err := repo.Blame(rev, path, opt.BlameOptions)
	if err != nil {
		return nil, err
	}
	if err := ix.learn(b.Commits); err != nil {
		return nil, err
	}
	out := make([]BlamedLine, len(b.Lines))
	cands := make([][]notePrompt, len(b.Lines))
	yes, no := true, false
	for i, l := range b.Lines {
		c := b.Commits[l.Commit]
		out[i] = BlamedLine{Line: l.Line, Commit: l.Commit.String(), Path: l.OrigPath, OrigLine: l.OrigLine,
			Author: c.Author, Time: c.AuthorTime, Text: opt.redact(l.Text)}
		if strings.TrimSpace(l.Text) == "" {
			out[i].Unknown = UnknownBlank
			continue
		}
		n, conv, unknown, err := ix.origin(l)
		if err != nil {
			return nil, err
		}
		switch {
		case conv != nil:
			out[i].AI = &yes
			out[i].Agent, out[i].Model, out[i].Session = conv.agent, conv.model, conv.session
			cands[i] = n.candidates(conv, l.OrigPath)
		case unknown != "":
			out[i].Unknown = unknown
		default:
			out[i].AI = &no
		}
	}
	if err := ix.explain(out); err != nil {
		return nil, err
	}
	if err := resolvePrompts(ctx, out, cands, opt); err != nil {
		return nil, err
	}
	return out, nil
}

// explain tells, of lines unknown for want of a note, those whose note may
// be in a remote's notes not fetched here.
func (ix *NoteIndex) explain(lines []BlamedLine) error {
	var commits []gitlog.Hash
	seen := map[string]bool{}
	for _, l := range lines {
		if l.Unknown == UnknownNoNote && !seen[l.Commit] {
			seen[l.Commit] = true
			h, _ := gitlog.ParseHash(l.Commit)
			commits = append(commits, h)
		}
	}
	gaps, err := ix.unfetched(commits)
	if err != nil {
		return err
	}
	for i, l := range lines {
		h, _ := gitlog.ParseHash(l.Commit)
		if g := gaps[h]; l.Unknown == UnknownNoNote && g != nil {
			lines[i].Unknown, lines[i].Gaps = UnknownUnfetched, g
		}
	}
	return nil
}

// candidates returns the prompts of conv's session that the note links to
// file: one of them wrote the line. When none is linked to the file (edits
// recorded without their prompt), any of the session's may have.
func (n *commitNote) candidates(conv *noteConv, file string) []notePrompt {
	var inFile, inSession []notePrompt
	for _, p := range n.prompts {
		if p.Agent != conv.agent || p.Session != conv.session {
			continue
		}
		inSession = append(inSession, p)
		if contains(p.Files, file) {
			inFile = append(inFile, p)
		}
	}
	if len(inFile) > 0 {
		return inFile
	}
	return inSession
}

// resolvePrompts names the prompt of each AI line: the only candidate, or,
// with the database, the candidate whose edits added the line's text.
// Texts come from the database, else from the note.
func resolvePrompts(ctx context.Context, lines []BlamedLine, cands [][]notePrompt, opt BlameOptions) error {
	stored := map[string]store.PromptRef{} // refKey → the database's prompt
	added := map[int64]map[string]bool{}   // prompt id → normalized lines its edits added
	latest := map[int64]time.Time{}        // prompt id → its latest edit
	if opt.DB != nil {
		var refs []store.PromptRef
		seen := map[string]bool{}
		for _, cs := range cands {
			for _, p := range cs {
				if k := p.refKey(); !seen[k] {
					seen[k] = true
					refs = append(refs, store.PromptRef{Agent: p.Agent, SessionID: p.Session, Key: p.Key})
				}
			}
		}
		found, err := opt.DB.FindPrompts(ctx, refs)
		if err != nil {
			return err
		}
		for _, p := range found {
			stored[refKey(p)] = p
		}
		// Only lines with several candidates need the edits' texts.
		var ids []int64
		need := map[int64]bool{}
		for _, cs := range cands {
			for _, p := range cs {
				if sp, ok := stored[p.refKey()]; ok && len(cs) > 1 && !need[sp.ID] {
					need[sp.ID] = true
					ids = append(ids, sp.ID)
				}
			}
		}
		edits, err := opt.DB.EditsOfPrompts(ctx, ids)
		if err != nil {
			return err
		}
		for _, e := range edits {
			if added[e.PromptID] == nil {
				added[e.PromptID] = map[string]bool{}
			}
			for l := range addedLines(e.Diff) {
				added[e.PromptID][l] = true
			}
			if e.Time.After(latest[e.PromptID]) {
				latest[e.PromptID] = e.Time
			}
		}
	}
	// picks[i] is the prompt of line i; several[i] the candidates whose
	// edits all added line i's text.
	picks := make([]*notePrompt, len(lines))
	several := make([][]*notePrompt, len(lines))
	for i, cs := range cands {
		switch {
		case len(cs) == 1:
			picks[i] = &cs[0]
		case len(cs) > 1 && opt.DB != nil:
			text := normalize(lines[i].Text) // redacted like the stored diffs
			var wrote []*notePrompt
			for j, p := range cs {
				if sp, ok := stored[p.refKey()]; ok && added[sp.ID][text] {
					wrote = append(wrote, &cs[j])
				}
			}
			if len(wrote) == 1 {
				picks[i] = wrote[0]
			} else if len(wrote) > 1 {
				several[i] = wrote
			}
		}
	}
	// A text several prompts wrote ("}", "return nil") goes to the one that
	// wrote the nearest line of the same commit and file that only one
	// wrote, else to the latest of them.
	for i, wrote := range several {
		if wrote == nil {
			continue
		}
		picks[i] = nearestPick(lines, picks, several, i, wrote)
		if picks[i] == nil {
			var when time.Time
			for _, p := range wrote {
				if t := latest[stored[p.refKey()].ID]; picks[i] == nil || t.After(when) {
					picks[i], when = p, t
				}
			}
		}
	}
	for i, pick := range picks {
		if pick == nil {
			lines[i].Candidates = len(cands[i])
			continue
		}
		lines[i].PromptKey, lines[i].PromptSeq, lines[i].Prompt = pick.Key, pick.seq, pick.text
		if sp, ok := stored[pick.refKey()]; ok {
			lines[i].PromptSeq, lines[i].Prompt = sp.Seq, firstLine(sp.Text)
		}
	}
	return nil
}

// nearestPick returns, of wrote, the prompt that alone wrote the nearest
// line to line i from the same commit and file; nil when there is none.
func nearestPick(lines []BlamedLine, picks []*notePrompt, several [][]*notePrompt, i int, wrote []*notePrompt) *notePrompt {
	for d := 1; d < len(lines); d++ {
		for _, k := range []int{i - d, i + d} {
			if k < 0 || k >= len(lines) || picks[k] == nil || several[k] != nil ||
				lines[k].Commit != lines[i].Commit || lines[k].Path != lines[i].Path {
				continue
			}
			for _, p := range wrote {
				if p.refKey() == picks[k].refKey() {
					return p
				}
			}
		}
	}
	return nil
}

func (p notePrompt) refKey() string {
	return refKey(store.PromptRef{Agent: p.Agent, SessionID: p.Session, Key: p.Key})
}

// firstLine returns the first non-empty line of s, trimmed.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// AgentName names an agent for people ("Codex CLI").
func AgentName(agent string) string { return agentName(agent) }

// Percent writes n of d as a whole percentage, as notes do ("–" of none).
func Percent(n, d int) string { return percent(n, d) }
