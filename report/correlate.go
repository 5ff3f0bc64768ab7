package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

// Options tune correlation.
type Options struct {
	// Lookback is how long before the parent commit an edit may have been
	// made and still count, when its lines first appear in this commit
	// (default 7 days).
	Lookback time.Duration
	// Skew tolerates clocks and git's one-second commit times: edits up to
	// this long after the commit time count (default 2 s).
	Skew time.Duration
	// Redact returns the function that redacts text the way stored rows
	// were redacted, so that lines from git compare with the lines of
	// stored diffs. It is called only for a change that edits may have
	// made (building a redaction engine costs a hook milliseconds); nil
	// leaves text as is. (Paths are compared by their keys, never
	// redacted.)
	Redact func() (func(string) string, error)
	// Repo names the repository in the database (as in commits), for
	// charging API calls once (see store.Charge).
	Repo string
	// Origins are the commits this one was cherry-picked or rewritten
	// from: it takes over what their notes counted. Extra and
	// ExtraContext are their prompts (linked and context), which belong to
	// the commit whatever their time. (Prompts whose agent logged making
	// the commit itself are added by Correlate.)
	Origins      []gitlog.Hash
	Extra        []store.PromptRef
	ExtraContext []store.PromptRef
	// Since, when set, is when the commit's own work began, in place of the
	// parent's commit time: the time of the commit an amend replaced (what
	// was edited since is new work), or, for a commit that replays others
	// (a rebase, a cherry-pick), its own time (nothing is new; what it
	// carries comes from its origins). Until, when set, ends what it may
	// charge: the replayed commits' time.
	Since, Until time.Time
	// Taken are the API calls that commits annotated before this one, in
	// the same run, count (their charges are recorded together at the end).
	Taken map[string]bool
	// Credited are the agents' lines that commits annotated before this
	// one, in the same run, credit (recorded together at the end).
	Credited []store.Credit
	// Price estimates the cost of one API call; nil leaves cost out.
	Price store.Pricer
}

// Attribution is what correlation found for one commit.
type Attribution struct {
	Commit   *gitlog.Commit
	Parent   gitlog.Hash // zero for a root commit
	Files    []FileAttr  // the commit's changed files, by path
	Prompts  []Prompt    // prompts that edited the commit's files
	Context  []store.PromptRef
	Sessions []Session
	// Tokens is the usage charged to the commit, per model: the API calls
	// of its linked and context prompts that no other commit's note
	// counts (see store.Charge); Calls names them.
	Tokens []store.ModelTokens
	Calls  []string
	// Credits are the edits' lines it credits to the agents (see
	// store.Credit), for SaveCommit.
	Credits []store.Credit
	// SessionTokens is the total so far of the sessions involved, charged
	// to this commit or to others.
	SessionTokens store.Tokens
	Added         int           // added lines (non-blank, text files) in the commit
	AI            int           // of those, lines an agent wrote
	Carried       []gitlog.Hash // the replaced commits whose notes this one carries (Carry)
	// Replays are the commits a rebase or cherry-pick replays (its
	// Options.Origins when it does no new work): its lines and tokens are
	// theirs.
	Replays []gitlog.Hash
}

// Involved reports whether any agent took part in the commit.
func (a *Attribution) Involved() bool { return len(a.Prompts) > 0 || a.AI > 0 }

// FileAttr is one changed file.
type FileAttr struct {
	Path     string
	Op       string
	Binary   bool           // binary: no lines are counted
	TooLarge bool           // too large to compare (gitlog.MaxDiffSize): no lines are counted
	LFS      bool           // a Git LFS pointer: the content is elsewhere, no lines are counted
	Added    int            // added non-blank lines
	AI       int            // of those, written by an agent
	Lines    map[int]string // AI line number → the session key that wrote it
	Prompts  []string       // keys of the prompts that edited the file
}

// Prompt is a prompt linked to the commit, with the files it touched.
type Prompt struct {
	store.PromptRef
	Files []string // paths of the commit's files it edited
}

// Key identifies a prompt across the store: agent, session and prompt key.
func (p Prompt) Key() string { return refKey(p.PromptRef) }

func refKey(p store.PromptRef) string { return p.Agent + "\x00" + p.SessionID + "\x00" + p.Key }

// Session is an agent session that contributed to the commit.
type Session struct {
	Agent, ID, Version string
	Models             []string
	// Untokened: its agent's log recorded no token counts (see
	// UntokenedAgents), so its usage is not known rather than zero.
	Untokened bool
}

func sessionKey(agent, id string) string { return agent + "\x00" + id }

// Correlate finds what agents contributed to commit in repo.
func Correlate(ctx context.Context, db *store.DB, repo *gitlog.Repo, commit gitlog.Hash, opt Options) (*Attribution, error) {
	opt = opt.withDefaults()
	c, err := repo.Commit(commit)
	if err != nil {
		return nil, err
	}
	w := window{to: c.Committer.When.Add(opt.Skew), from: c.Committer.When.Add(-opt.Lookback)}
	var parent gitlog.Hash
	if len(c.Parents) > 0 {
		parent = c.Parents[0]
		p, err := repo.Commit(parent)
		if err != nil {
			return nil, err
		}
		w.start = p.Committer.When
		w.from = w.start.Add(-opt.Lookback)
	}
	if !opt.Since.IsZero() {
		w.start = opt.Since
		if f := w.start.Add(-opt.Lookback); f.Before(w.from) {
			w.from = f
		}
	}
	w.until = w.to
	if !opt.Until.IsZero() {
		w.until = opt.Until.Add(opt.Skew)
	}
	diffs, err := repo.Diff(parent, commit)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", commit, err)
	}
	// An agent that commits by itself (Aider) logs the commit's hash: the
	// prompts it names belong to this commit whenever they were made.
	own, err := db.CommitPrompts(ctx, commit.String())
	if err != nil {
		return nil, err
	}
	opt.Extra = append(opt.Extra[:len(opt.Extra):len(opt.Extra)], own...)
	// A merge commit's own lines are those new to every parent: what the
	// merge resolved, not what the merged branches brought (their commits
	// carry their own notes).
	for _, other := range c.Parents[min(1, len(c.Parents)):] {
		od, err := repo.Diff(other, commit)
		if err != nil {
			return nil, fmt.Errorf("diff %s: %w", commit, err)
		}
		diffs = intersect(diffs, od)
	}
	a, err := attribute(ctx, db, repo, commit.String(), diffs, w, opt)
	if err != nil {
		return nil, err
	}
	a.Commit, a.Parent = c, parent
	if !opt.Until.IsZero() { // a replay (see Since and Until)
		a.Replays = opt.Origins
	}
	return a, nil
}

// CorrelateStaged finds what agents contributed to the staged changes, for
// a commit about to be made at now.
func CorrelateStaged(ctx context.Context, db *store.DB, repo *gitlog.Repo, now time.Time, opt Options) (*Attribution, error) {
	opt = opt.withDefaults()
	w := window{to: now.Add(opt.Skew), from: now.Add(-opt.Lookback)}
	w.until = w.to
	if head, err := repo.Head(); err == nil {
		p, err := repo.Commit(head)
		if err != nil {
			return nil, err
		}
		w.start = p.Committer.When
		w.from = w.start.Add(-opt.Lookback)
	}
	diffs, err := repo.StagedDiff()
	if err != nil {
		return nil, fmt.Errorf("staged diff: %w", err)
	}
	return attribute(ctx, db, repo, "", diffs, w, opt)
}

func (opt Options) withDefaults() Options {
	if opt.Lookback <= 0 {
		opt.Lookback = 7 * 24 * time.Hour
	}
	if opt.Skew <= 0 {
		opt.Skew = 2 * time.Second
	}
	if opt.Redact == nil {
		opt.Redact = func() (func(string) string, error) { return func(s string) string { return s }, nil }
	}
	return opt
}

// window is when the edits of a change may have been made: from..to, with
// edits before start counting only when their lines appear in the change.
// API calls made until until may be charged to it.
type window struct {
	start, from, to, until time.Time
}

// intersect keeps the added lines of a that b adds too (same file and
// line number).
func intersect(a, b []gitlog.FileDiff) []gitlog.FileDiff {
	added := map[string]map[int]bool{}
	for _, d := range b {
		m := map[int]bool{}
		for _, l := range d.Added {
			m[l.No] = true
		}
		added[d.Path] = m
	}
	var out []gitlog.FileDiff
	for _, d := range a {
		var keep []gitlog.Line
		for _, l := range d.Added {
			if added[d.Path][l.No] {
				keep = append(keep, l)
			}
		}
		d.Added = keep
		out = append(out, d)
	}
	return out
}

// attribute weighs the edits made in a window against a change's diffs;
// sha names the commit ("" for staged changes).
func attribute(ctx context.Context, db *store.DB, repo *gitlog.Repo, sha string, diffs []gitlog.FileDiff, w window, opt Options) (*Attribution, error) {
	a := &Attribution{}
	windowStart, from, to := w.start, w.from, w.to
	keys, err := db.PathKeys(ctx)
	if err != nil {
		return nil, err
	}
	roots, err := worktreeRoots(repo, keys)
	if err != nil {
		return nil, err
	}
	edits, err := db.EditsUnder(ctx, roots, from, to)
	if err != nil {
		return nil, err
	}
	if len(opt.Extra) > 0 {
		extra, err := db.FindPrompts(ctx, opt.Extra)
		if err != nil {
			return nil, err
		}
		var ids []int64
		for _, p := range extra {
			ids = append(ids, p.ID)
		}
		more, err := db.EditsOfPrompts(ctx, ids)
		if err != nil {
			return nil, err
		}
		edits = append(edits, more...)
	}
	// The commit's files, by the keys of their paths in each worktree,
	// and their added lines, redacted like stored diffs (without edits to
	// compare them with, they are only counted).
	red := func(s string) string { return s }
	if len(edits) > 0 {
		if red, err = opt.Redact(); err != nil {
			return nil, err
		}
	}
	files := map[string]*fileState{}
	for _, d := range diffs {
		f := &fileState{attr: FileAttr{Path: d.Path, Op: d.Op, Binary: d.Binary, TooLarge: d.TooLarge, LFS: d.LFS, Lines: map[int]string{}}}
		f.file = &fileLines{red: red, load: blobLines(repo, d.Blob)}
		for _, l := range d.Added {
			n := normalize(red(l.Text))
			if n == "" {
				continue
			}
			f.lines = append(f.lines, numbered{l.No, n})
		}
		f.attr.Added = len(f.lines)
		for _, root := range roots {
			files[keys.Child(root, d.Path)] = f
			if d.OldPath != "" {
				files[keys.Child(root, d.OldPath)] = f
			}
		}
	}
	// Each edit, against the file it touched. An edit made after the
	// commit cannot have written any of it.
	seenEdit := map[int64]bool{}
	var cands []*candidate
	for i := range edits {
		e := &edits[i]
		if seenEdit[e.ID] || e.Time.After(to) {
			continue
		}
		seenEdit[e.ID] = true
		// A move's lines are in the file it moved to.
		f := files[e.MoveKey]
		if f == nil {
			f = files[e.PathKey]
		}
		if f == nil {
			continue
		}
		cands = append(cands, &candidate{edit: e, file: f, inWindow: !e.Time.Before(windowStart), lines: parseEditLines(e.Diff)})
	}
	// Newest edits first: the last writer of a line is its author.
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].inWindow != cands[j].inWindow {
			return cands[i].inWindow
		}
		return cands[i].edit.Time.After(cands[j].edit.Time)
	})
	for _, c := range cands {
		for _, o := range c.lines.occs {
			o.c = c
		}
	}
	remain, err := remaining(ctx, db, repo, sha, cands, opt)
	if err != nil {
		return nil, err
	}
	var credited []pair
	for _, f := range uniqueFiles(files) {
		for _, p := range matchLines(f, cands, remain) {
			p.occ.c.matched++
			f.attr.Lines[p.line.no] = sessionKey(p.occ.c.edit.Agent, p.occ.c.edit.SessionID)
			f.attr.AI++
			credited = append(credited, p)
		}
	}
	a.Credits = credits(credited)
	// Prompts linked by the files they edited.
	linked := map[string]*Prompt{}
	var order []string
	sessions := map[string]*Session{}
	var sessOrder []string
	for _, c := range cands {
		if !(c.inWindow && (c.matched > 0 || !c.checkable()) || c.matched > 0 || isExtra(c.edit, opt.Extra)) {
			continue
		}
		sk := sessionKey(c.edit.Agent, c.edit.SessionID)
		s := sessions[sk]
		if s == nil {
			s = &Session{Agent: c.edit.Agent, ID: c.edit.SessionID, Version: c.edit.AgentVersion}
			sessions[sk] = s
			sessOrder = append(sessOrder, sk)
		}
		if c.edit.Model != "" && !contains(s.Models, c.edit.Model) {
			s.Models = append(s.Models, c.edit.Model)
		}
		ref := store.PromptRef{ID: c.edit.PromptID, Agent: c.edit.Agent, SessionID: c.edit.SessionID, Key: c.edit.PromptKey,
			Seq: c.edit.PromptSeq, Time: c.edit.PromptTime, Text: c.edit.PromptText, Model: c.edit.Model, AgentVersion: c.edit.AgentVersion}
		k := refKey(ref)
		p := linked[k]
		if p == nil {
			p = &Prompt{PromptRef: ref}
			linked[k] = p
			order = append(order, k)
		}
		if !contains(p.Files, c.file.attr.Path) {
			p.Files = append(p.Files, c.file.attr.Path)
		}
		if !contains(c.file.attr.Prompts, k) {
			c.file.attr.Prompts = append(c.file.attr.Prompts, k)
		}
	}
	for _, k := range order {
		p := linked[k]
		sort.Strings(p.Files)
		a.Prompts = append(a.Prompts, *p)
	}
	sortPrompts(a.Prompts)
	for _, k := range sessOrder {
		a.Sessions = append(a.Sessions, *sessions[k])
	}
	sort.SliceStable(a.Sessions, func(i, j int) bool {
		return sessionKey(a.Sessions[i].Agent, a.Sessions[i].ID) < sessionKey(a.Sessions[j].Agent, a.Sessions[j].ID)
	})
	var maybe []store.SessionRef
	for _, s := range a.Sessions {
		if untokened(s.Agent) {
			maybe = append(maybe, store.SessionRef{Agent: s.Agent, ID: s.ID})
		}
	}
	if len(maybe) > 0 {
		without, err := db.WithoutUsage(ctx, maybe)
		if err != nil {
			return nil, err
		}
		for i, s := range a.Sessions {
			a.Sessions[i].Untokened = without[store.SessionRef{Agent: s.Agent, ID: s.ID}.Key()]
		}
	}
	for _, f := range uniqueFiles(files) {
		a.Files = append(a.Files, f.attr)
		a.Added += f.attr.Added
		a.AI += f.attr.AI
	}
	// Prompts of the worktree's sessions in the window that edited none of
	// the commit's files are context, and so are the context prompts of
	// the commits it came from. (One that edited them without its lines
	// being in the commit is neither.)
	edited := map[string]bool{}
	for _, c := range cands {
		edited[refKey(store.PromptRef{Agent: c.edit.Agent, SessionID: c.edit.SessionID, Key: c.edit.PromptKey})] = true
	}
	if len(a.Prompts) > 0 {
		ctxFrom := windowStart
		if ctxFrom.IsZero() {
			ctxFrom = from
		}
		prompts, err := db.PromptsUnder(ctx, roots, ctxFrom, to)
		if err != nil {
			return nil, err
		}
		if len(opt.ExtraContext) > 0 {
			more, err := db.FindPrompts(ctx, opt.ExtraContext)
			if err != nil {
				return nil, err
			}
			prompts = append(prompts, more...)
		}
		seen := map[string]bool{}
		for _, p := range prompts {
			k := refKey(p)
			if _, ok := linked[k]; !ok && !seen[k] && !edited[k] && sessions[sessionKey(p.Agent, p.SessionID)] != nil {
				seen[k] = true
				a.Context = append(a.Context, p)
			}
		}
	}
	var ids []int64
	for _, p := range a.Prompts {
		if p.ID != 0 {
			ids = append(ids, p.ID)
		}
	}
	for _, p := range a.Context {
		ids = append(ids, p.ID)
	}
	q := store.ChargeQuery{Repo: opt.Repo, SHA: sha, Prompts: ids, Until: w.until, Taken: opt.Taken}
	for _, o := range opt.Origins {
		q.Origins = append(q.Origins, o.String())
	}
	charge, err := db.Charge(ctx, q, opt.Price)
	if err != nil {
		return nil, err
	}
	a.Tokens, a.Calls, a.SessionTokens = charge.Tokens, charge.Calls, charge.Sessions
	return a, nil
}

// remaining returns, per candidate edit, how many of each line it added
// are left to credit: what commits on one line of history with this one
// (sha, or for staged changes HEAD: see gitlog.Related) credited already
// is used up; what this commit and those it was rewritten or
// cherry-picked from credited is its own again.
func remaining(ctx context.Context, db *store.DB, repo *gitlog.Repo, sha string, cands []*candidate, opt Options) (map[*candidate]map[string]int, error) {
	out := map[*candidate]map[string]int{}
	byKey := map[string][]*candidate{}
	var keys []string
	for _, c := range cands {
		m := map[string]int{}
		for t, n := range c.lines.count {
			m[t] = n
		}
		out[c] = m
		k := c.edit.Key()
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], c)
	}
	if len(keys) == 0 || opt.Repo == "" {
		return out, nil
	}
	stored, err := db.Credits(ctx, opt.Repo, keys)
	if err != nil {
		return nil, err
	}
	own := map[string]bool{sha: true}
	for _, o := range opt.Origins {
		own[o.String()] = true
	}
	var all []store.Credit
	var others []gitlog.Hash
	seen := map[string]bool{}
	for _, cr := range append(stored, opt.Credited...) {
		if own[cr.SHA] || byKey[cr.Edit] == nil {
			continue
		}
		all = append(all, cr)
		if h, err := gitlog.ParseHash(cr.SHA); err == nil && !seen[cr.SHA] {
			seen[cr.SHA] = true
			others = append(others, h)
		}
	}
	if len(others) == 0 {
		return out, nil
	}
	base, err := gitlog.ParseHash(sha)
	if sha == "" {
		base, err = repo.Head()
	}
	if err != nil {
		return out, nil // nothing committed yet: nothing used up
	}
	related, err := repo.Related(base, others)
	if err != nil {
		return nil, err
	}
	texts := map[string]string{} // credited line → the text it names
	for _, c := range cands {
		for t := range c.lines.count {
			texts[creditLine(t)] = t
		}
	}
	for _, cr := range all {
		if h, _ := gitlog.ParseHash(cr.SHA); !related[h] {
			continue // another branch, or an abandoned commit: the line is still the agent's to credit here
		}
		t, ok := texts[cr.Line]
		if !ok {
			continue
		}
		for _, c := range byKey[cr.Edit] {
			if _, ok := out[c][t]; ok {
				out[c][t] -= cr.N
			}
		}
	}
	return out, nil
}

// blobLines returns a reader of a blob's lines (none for a zero hash).
func blobLines(repo *gitlog.Repo, blob gitlog.Hash) func() ([]string, error) {
	return func() ([]string, error) {
		if blob.IsZero() {
			return nil, nil
		}
		data, err := repo.Blob(blob)
		if err != nil || len(data) == 0 {
			return nil, err
		}
		return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"), nil
	}
}

type numbered struct {
	no   int
	text string
}

type fileState struct {
	attr  FileAttr
	lines []numbered // its added lines, normalized
	file  *fileLines // all its lines, for their neighbours
}

type candidate struct {
	edit     *store.Edit
	file     *fileState
	inWindow bool
	lines    *editLines
	matched  int
}

// checkable reports whether the commit shows if the edit's lines are in
// it: the edit added lines, and the commit's file has lines to compare.
// An edit of the window links its prompt by the file it touched unless it
// is checkable and none of its lines is there: a person committed other
// lines of the file, the agent's come later or never.
func (c *candidate) checkable() bool {
	a := c.file.attr
	return len(c.lines.occs) > 0 && !a.Binary && !a.TooLarge && !a.LFS
}

func uniqueFiles(m map[string]*fileState) []*fileState {
	seen := map[*fileState]bool{}
	var out []*fileState
	for _, f := range m {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].attr.Path < out[j].attr.Path })
	return out
}

func isExtra(e *store.Edit, extra []store.PromptRef) bool {
	for _, p := range extra {
		if p.Agent == e.Agent && p.SessionID == e.SessionID && p.Key == e.PromptKey {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// worktreeRoots returns the keys of the repository's worktrees (see
// store.PathKeys), this one first: agents' sub-sessions may work in a
// sibling worktree of the same repository. gitlog gives them canonical.
func worktreeRoots(repo *gitlog.Repo, keys *store.PathKeys) ([]string, error) {
	roots := []string{keys.Key(repo.Root())}
	others, err := repo.Worktrees()
	if err != nil {
		return nil, err
	}
	for _, w := range others {
		if w != repo.Root() {
			roots = append(roots, keys.Key(w))
		}
	}
	return roots, nil
}
