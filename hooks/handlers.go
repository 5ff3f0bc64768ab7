package hooks

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/report"
	"github.com/aitrail/aitrail/store"
)

// Handlers are the hook handlers, with what they work with; the command
// wires them.
type Handlers struct {
	DB   *store.DB
	Repo *gitlog.Repo
	// RepoKey is how the repository is named in the database: a keyed
	// hash of its worktree root, so that no path is stored.
	RepoKey string
	// Ingest reads what the agents wrote since the last run; it stops
	// between batches when ctx is done.
	Ingest func(ctx context.Context) error
	// Correlate and Note configure annotation.
	Correlate report.Options
	Note      report.NoteOptions
	Ref       string // notes ref (default NotesRef)
	// Budget bounds a hook's wall time (see Budget); nil: unbounded.
	Budget *Budget
	// CatchUp is how many commits before HEAD every invocation checks for
	// missing annotations (default 50; 0 uses the default, <0 disables).
	CatchUp int
	// Push pushes the database to the team database; when set (team.push:
	// auto), the worker pushes after annotating, so that a push never adds
	// to a commit's time (see Handoff).
	Push func(ctx context.Context) error
	Now  func() time.Time
}

// jobPush is the queued push: one per repository at a time, whatever the
// commits that asked for it.
const jobPush = "push"

func (e *Handlers) ref() string {
	if e.Ref == "" {
		return NotesRef
	}
	return e.Ref
}

func (e *Handlers) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// Result is the outcome of annotating one commit.
type Result struct {
	SHA     string
	Note    string // the note written (or that would be written)
	Wrote   bool   // a note was written
	Skipped string // why nothing was written, when nothing was
	AI      int
	Added   int
	Prompts int
}

// Annotate correlates commits and writes their notes (all in one notes
// commit); dryRun renders without writing.
func (e *Handlers) Annotate(ctx context.Context, shas []gitlog.Hash, dryRun bool) ([]Result, error) {
	return e.annotate(ctx, shas, nil, dryRun)
}

// origin is where a rewritten or cherry-picked commit came from: the
// commits it replaces or copies, with the prompts they carried.
type origin struct {
	commits          []gitlog.Hash
	authors, context []store.PromptRef
	// how is "amend" or "rebase" (post-rewrite: the origins are gone from
	// history, and what their notes charged moves to the new commit) or
	// "cherry-pick" (the origin stays: its charges are copied).
	how string
}

// Ways a commit comes from others.
const (
	fromAmend      = "amend"
	fromRebase     = "rebase"
	fromCherryPick = "cherry-pick"
)

// replay reports whether the commit does no new work: a rebase or a
// cherry-pick carries what its origins carried and charges what they
// charged (an amend may add work made since the commit it replaces).
func (o *origin) replay() bool { return o.how != fromAmend }

// annotate is Annotate for commits some of which came from others.
func (e *Handlers) annotate(ctx context.Context, shas []gitlog.Hash, from map[gitlog.Hash]*origin, dryRun bool) ([]Result, error) {
	notes := map[gitlog.Hash]string{}
	var results []Result
	var records []store.CommitRecord
	taken := map[string]bool{}  // calls charged to the commits before, recorded together at the end
	var credited []store.Credit // lines they credit, likewise
	for _, h := range shas {
		opt, err := e.options(h, from[h])
		if err != nil {
			return results, err
		}
		opt.Taken, opt.Credited = taken, credited
		a, err := report.Correlate(ctx, e.DB, e.Repo, h, opt)
		if err != nil {
			return results, fmt.Errorf("correlate %s: %w", short(h), err)
		}
		for _, c := range a.Calls {
			taken[c] = true
		}
		for _, c := range a.Credits {
			c.SHA = h.String()
			credited = append(credited, c)
		}
		note, ok := report.Render(a, e.Note)
		res := Result{SHA: h.String(), Note: note, AI: a.AI, Added: a.Added, Prompts: len(a.Prompts)}
		rec := store.CommitRecord{Repo: e.RepoKey, SHA: h.String(), CommittedAt: a.Commit.Committer.When,
			Added: a.Added, AI: a.AI, Status: store.CommitNoAI, Calls: a.Calls, Credits: a.Credits}
		if o := from[h]; o != nil {
			var names []string
			for _, c := range o.commits {
				names = append(names, c.String())
			}
			rec.Origin = strings.Join(names, ",")
			if o.how != fromCherryPick {
				rec.Replaced = names
			}
		}
		if !a.Parent.IsZero() {
			rec.Parent = a.Parent.String()
		}
		for _, p := range a.Prompts {
			rec.Prompts = append(rec.Prompts, store.CommitPrompt{Agent: p.Agent, Session: p.SessionID, Key: p.PromptRef.Key, Role: "author"})
		}
		for _, p := range a.Context {
			rec.Prompts = append(rec.Prompts, store.CommitPrompt{Agent: p.Agent, Session: p.SessionID, Key: p.Key, Role: "context"})
		}
		for _, f := range a.Files {
			rec.Files = append(rec.Files, store.CommitFile{Path: f.Path, Added: f.Added, AI: f.AI})
		}
		if ok {
			existing, has, err := e.Repo.ReadNote(e.ref(), h)
			if err != nil {
				return results, err
			}
			sum := sha256.Sum256([]byte(note))
			rec.NoteHash = hex.EncodeToString(sum[:])
			if a.Involved() {
				rec.Status = store.CommitAnnotated
			}
			if has && existing == note {
				res.Skipped = "note up to date"
			} else {
				notes[h] = note
				res.Wrote = !dryRun
			}
		} else {
			res.Skipped = "no AI involvement found"
		}
		results = append(results, res)
		records = append(records, rec)
	}
	if dryRun {
		return results, nil
	}
	if len(notes) > 0 {
		// Atomic: a process cut while moving the ref would leave its
		// lock file behind, and no note could be written after it.
		err := e.Budget.Atomic(func() error { return e.Repo.WriteNotes(e.ref(), notes, "chore: update AI transparency notes") })
		if err != nil {
			return results, fmt.Errorf("write notes: %w", err)
		}
	}
	for _, rec := range records {
		if err := e.DB.SaveCommit(ctx, rec); err != nil {
			return results, err
		}
	}
	return results, nil
}

// options returns the correlation options for commit h, which came from o
// (nil: from nowhere).
func (e *Handlers) options(h gitlog.Hash, o *origin) (report.Options, error) {
	opt := e.Correlate
	opt.Repo = e.RepoKey
	if o == nil {
		return opt, nil
	}
	opt.Origins, opt.Extra, opt.ExtraContext = o.commits, o.authors, o.context
	// When the origins were made: what was charged to them is theirs.
	var made time.Time
	for _, c := range o.commits {
		if oc, err := e.Repo.Commit(c); err == nil && oc.Committer.When.After(made) {
			made = oc.Committer.When
		}
	}
	if made.IsZero() {
		return opt, nil // gone (a pruned rewrite): weigh the commit on its own
	}
	if !o.replay() {
		opt.Since = made
		return opt, nil
	}
	c, err := e.Repo.Commit(h)
	if err != nil {
		return opt, err
	}
	opt.Since, opt.Until = c.Committer.When, made
	return opt, nil
}

// PreCommit does nothing: post-commit reads what the agents wrote and
// annotates, so that a commit runs one process that works (the installed
// pre-commit script stays for hook managers and older installs; the
// command returns before opening anything).
func (e *Handlers) PreCommit(ctx context.Context) error { return nil }

// PostCommit annotates HEAD and any commit no hook saw. During a rebase it
// does nothing: post-rewrite handles the rewritten commits at the end.
func (e *Handlers) PostCommit(ctx context.Context) error {
	head, from, ok, err := headJob(e.Repo)
	if err != nil || !ok {
		return err
	}
	if err := e.Ingest(ctx); err != nil {
		return err
	}
	if err := e.annotateFrom(ctx, []gitlog.Hash{head}, map[gitlog.Hash][]gitlog.Hash{head: from}, fromCherryPick); err != nil {
		return err
	}
	return e.catchUp(ctx)
}

// headJob returns what post-commit annotates: HEAD, with the commit it was
// cherry-picked from; ok is false during a rebase.
func headJob(repo *gitlog.Repo) (head gitlog.Hash, from []gitlog.Hash, ok bool, err error) {
	seq := repo.Sequencer()
	if seq.Op == "rebase" {
		return head, nil, false, nil
	}
	if head, err = repo.Head(); err != nil {
		return head, nil, false, err
	}
	if seq.Op == "cherry-pick" && !seq.Source.IsZero() {
		from = []gitlog.Hash{seq.Source}
	}
	return head, from, true, nil
}

// promptsOf returns the prompts an annotated commit carries, linked and
// context: from the database, else from its note's Agent Trace record
// (which names the linked ones only).
func (e *Handlers) promptsOf(ctx context.Context, h gitlog.Hash) (authors, context []store.PromptRef, err error) {
	if rec, err := e.DB.LoadCommit(ctx, e.RepoKey, h.String()); err == nil {
		for _, p := range rec.Prompts {
			ref := store.PromptRef{Agent: p.Agent, SessionID: p.Session, Key: p.Key}
			if p.Role == "author" {
				authors = append(authors, ref)
			} else {
				context = append(context, ref)
			}
		}
		if len(authors) > 0 {
			return authors, context, nil
		}
	}
	note, ok, err := e.Repo.ReadNote(e.ref(), h)
	if err != nil || !ok {
		return nil, nil, err
	}
	for _, t := range report.ParseNotes(note) {
		for _, m := range t.Metadata {
			for _, p := range m.Prompts {
				authors = append(authors, store.PromptRef{Agent: p.Agent, SessionID: p.Session, Key: p.Key})
			}
		}
	}
	return authors, nil, nil
}

// Rewrites is what post-rewrite carries notes for: the new commits, each
// with the commits it replaces, and how they were rewritten (fromAmend or
// fromRebase).
type Rewrites struct {
	New  []gitlog.Hash
	Olds map[gitlog.Hash][]gitlog.Hash
	How  string
}

// ReadRewrites reads git's list of rewritten commits ("old new" lines) from
// input or, when there is none (hook managers such as the pre-commit
// framework run post-rewrite jobs without it), rebuilds it from what git
// leaves for kind (git's argument: amend or rebase). It reads the
// repository only.
func ReadRewrites(repo *gitlog.Repo, kind string, input io.Reader) (Rewrites, error) {
	rw := Rewrites{Olds: map[gitlog.Hash][]gitlog.Hash{}, How: fromRebase}
	if kind == "amend" {
		rw.How = fromAmend
	}
	sc := bufio.NewScanner(input)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		oldH, err1 := gitlog.ParseHash(f[0])
		newH, err2 := gitlog.ParseHash(f[1])
		if err1 != nil || err2 != nil {
			return rw, fmt.Errorf("post-rewrite: unexpected line %q", sc.Text())
		}
		if _, ok := rw.Olds[newH]; !ok {
			rw.New = append(rw.New, newH)
		}
		rw.Olds[newH] = append(rw.Olds[newH], oldH)
	}
	if err := sc.Err(); err != nil {
		return rw, err
	}
	if len(rw.New) == 0 {
		var err error
		rw.New, rw.Olds, err = rewritten(repo, kind)
		return rw, err
	}
	return rw, nil
}

// PostRewrite carries notes from rewritten commits to their replacements:
// each new commit is annotated afresh with the prompts of every commit it
// replaces, so that a squash gets one coherent note, and takes over what
// their notes counted, so that a rebase changes no figure.
func (e *Handlers) PostRewrite(ctx context.Context, rw Rewrites) error {
	return e.annotateFrom(ctx, rw.New, rw.Olds, rw.How)
}

// rewritten rebuilds the map post-rewrite gets on stdin from what git
// leaves: for an amend, HEAD@{1} became HEAD; for a rebase, the commits of
// ORIG_HEAD that HEAD lacks became those of HEAD that ORIG_HEAD lacks,
// matched by author and author time (which a rebase keeps); a commit
// without a match was squashed into the last matched one before it.
func rewritten(repo *gitlog.Repo, kind string) ([]gitlog.Hash, map[gitlog.Hash][]gitlog.Hash, error) {
	head, err := repo.Head()
	if err != nil {
		return nil, nil, err
	}
	olds := map[gitlog.Hash][]gitlog.Hash{}
	switch kind {
	case "amend":
		prev, err := repo.Resolve("HEAD@{1}")
		if err != nil || prev == head {
			return nil, nil, nil
		}
		olds[head] = []gitlog.Hash{prev}
		return []gitlog.Hash{head}, olds, nil
	case "rebase":
		orig, err := repo.Resolve("ORIG_HEAD")
		if err != nil {
			return nil, nil, nil
		}
		before, err := repo.RevList(head, orig, 0)
		if err != nil {
			return nil, nil, err
		}
		after, err := repo.RevList(orig, head, 0)
		if err != nil {
			return nil, nil, err
		}
		byAuthor := map[string]gitlog.Hash{}
		for _, h := range after {
			if c, err := repo.Commit(h); err == nil {
				byAuthor[authorKey(c)] = h
			}
		}
		var news []gitlog.Hash
		var cur gitlog.Hash
		for _, o := range before {
			c, err := repo.Commit(o)
			if err != nil {
				return nil, nil, err
			}
			if n, ok := byAuthor[authorKey(c)]; ok {
				cur = n
			}
			if cur.IsZero() {
				continue
			}
			if _, ok := olds[cur]; !ok {
				news = append(news, cur)
			}
			olds[cur] = append(olds[cur], o)
		}
		return news, olds, nil
	}
	return nil, nil, nil
}

func authorKey(c *gitlog.Commit) string {
	return fmt.Sprintf("%s\x00%s\x00%d", c.Author.Name, c.Author.Email, c.Author.When.Unix())
}

// annotateFrom annotates commits, each with the prompts of the commits it
// came from (rewritten or cherry-picked, as how says: see origin),
// whatever their time.
func (e *Handlers) annotateFrom(ctx context.Context, commits []gitlog.Hash, from map[gitlog.Hash][]gitlog.Hash, how string) error {
	origins := map[gitlog.Hash]*origin{}
	for _, n := range commits {
		if len(from[n]) == 0 {
			continue
		}
		o := &origin{commits: from[n], how: how}
		seen := map[string]bool{}
		add := func(list *[]store.PromptRef, refs []store.PromptRef) {
			for _, r := range refs {
				k := r.Agent + "\x00" + r.SessionID + "\x00" + r.Key
				if !seen[k] {
					seen[k] = true
					*list = append(*list, r)
				}
			}
		}
		for _, c := range from[n] {
			authors, context, err := e.promptsOf(ctx, c)
			if err != nil {
				return err
			}
			add(&o.authors, authors)
			add(&o.context, context)
		}
		origins[n] = o
	}
	_, err := e.annotate(ctx, commits, origins, false)
	return err
}

// jobAnnotate is the kind of queued job that annotates a commit after
// post-commit (its argument is job's; the origin is a cherry-pick's
// source). Post-rewrite's jobs have the kind fromAmend or fromRebase.
const jobAnnotate = "annotate"

// job encodes an annotation for the queue: the commit, and after a colon
// the commits it came from.
func job(commit gitlog.Hash, from []gitlog.Hash) string {
	s := commit.String()
	for i, f := range from {
		sep := ","
		if i == 0 {
			sep = ":"
		}
		s += sep + f.String()
	}
	return s
}

// parseJob decodes what job encoded.
func parseJob(s string) (gitlog.Hash, []gitlog.Hash, error) {
	c, rest, _ := strings.Cut(s, ":")
	commit, err := gitlog.ParseHash(c)
	if err != nil {
		return commit, nil, err
	}
	var from []gitlog.Hash
	if rest != "" {
		for _, f := range strings.Split(rest, ",") {
			h, err := gitlog.ParseHash(f)
			if err != nil {
				return commit, nil, err
			}
			from = append(from, h)
		}
	}
	return commit, from, nil
}

// PrepareCommitMsg adds an Assisted-by trailer per agent whose lines are
// staged, to the message file git gives (args: file [source [sha]]). Merges,
// squashes, amends and sequencer steps are left alone.
func (e *Handlers) PrepareCommitMsg(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("prepare-commit-msg: no message file")
	}
	if len(args) > 1 && args[1] != "message" && args[1] != "template" {
		return nil
	}
	if e.Repo.Sequencer().Op != "" {
		return nil
	}
	if err := e.Ingest(ctx); err != nil {
		return err
	}
	a, err := report.CorrelateStaged(ctx, e.DB, e.Repo, e.now(), e.Correlate)
	if err != nil {
		return err
	}
	if a.AI == 0 {
		return nil
	}
	var trailers []string
	for _, s := range a.Sessions {
		trailers = append(trailers, "Assisted-by: "+report.AgentLabel(s))
	}
	// Atomic: git reads the file once the hook returns, whole or cut.
	return e.Budget.Atomic(func() error { return e.Repo.AddTrailers(args[0], trailers) })
}

// catchUp annotates commits before HEAD that have no record, oldest first.
func (e *Handlers) catchUp(ctx context.Context) error {
	// The usual case: the parent has its record, so every earlier commit
	// was seen when the parent was annotated.
	if head, err := e.Repo.Head(); err == nil {
		if c, err := e.Repo.Commit(head); err == nil && len(c.Parents) == 1 {
			known, err := e.DB.KnownCommits(ctx, e.RepoKey, []string{c.Parents[0].String()})
			if err == nil && known[c.Parents[0].String()] {
				return nil
			}
		}
	}
	return e.annotateMissing(ctx)
}

// annotateMissing annotates the recent commits that have neither a record
// nor a note, oldest first.
func (e *Handlers) annotateMissing(ctx context.Context) error {
	n := e.CatchUp
	if n == 0 {
		n = 50
	}
	if n < 0 {
		return nil
	}
	missing, err := e.Missing(ctx, n, false)
	if err != nil {
		return err
	}
	for _, h := range missing {
		if _, err := e.Annotate(ctx, []gitlog.Hash{h}, false); err != nil {
			return err
		}
	}
	return nil
}

// Missing returns up to limit recent commits of HEAD that have neither a
// record nor a note, oldest first; with noAI, also those recorded without
// AI involvement that have no note (an agent's log written after the
// commit may link them now). A commit with a note but no record, here or
// in a remote's fetched notes not merged yet, was annotated elsewhere (a
// teammate's clone, a CI job that ran 'aitrail carry'): its note is not
// replaced.
func (e *Handlers) Missing(ctx context.Context, limit int, noAI bool) ([]gitlog.Hash, error) {
	head, err := e.Repo.Head()
	if errors.Is(err, gitlog.ErrNoCommits) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	list, err := e.Repo.RevList(gitlog.Hash{}, head, limit)
	if err != nil {
		return nil, err
	}
	shas := make([]string, len(list))
	for i, h := range list {
		shas[i] = h.String()
	}
	status, err := e.DB.CommitStatuses(ctx, e.RepoKey, shas)
	if err != nil {
		return nil, err
	}
	var out []gitlog.Hash
	var notes *gitlog.NoteReader
	for _, h := range list {
		if st := status[h.String()]; st != "" && !(noAI && st == store.CommitNoAI) {
			continue
		}
		if notes == nil {
			if notes, err = e.Repo.NoteReader(e.ref()); err != nil {
				return nil, err
			}
		}
		noted, err := notes.Noted(h)
		if err != nil {
			return nil, err
		}
		if !noted {
			out = append(out, h)
		}
	}
	return out, nil
}

func short(h gitlog.Hash) string { return h.String()[:10] }
