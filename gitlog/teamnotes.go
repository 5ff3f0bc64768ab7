package gitlog

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// A remote's notes are fetched into a tracking ref, never over the local
// notes ref: a plain `git fetch` with a refspec onto the local ref would
// silently replace the notes written in this clone. The local ref only ever
// moves by a merge that keeps both sides (MergeNotes).

// TrackingRef returns where remote's copy of notes ref is kept:
// refs/notes/remotes/<remote>/<name> (refs/notes/aitrail of origin is
// refs/notes/remotes/origin/aitrail).
func TrackingRef(remote, ref string) string {
	return "refs/notes/remotes/" + remote + "/" + strings.TrimPrefix(ref, "refs/notes/")
}

// NotesRefspec returns the fetch refspec that makes `git fetch remote`
// bring remote's notes ref into its tracking ref. It is a pattern
// ("+refs/notes/aitrail*:refs/notes/remotes/origin/aitrail*"): a refspec
// naming one ref makes every fetch fail while the remote has no notes yet,
// whereas a pattern that matches nothing is not an error.
func NotesRefspec(remote, ref string) string {
	return "+" + ref + "*:" + TrackingRef(remote, ref) + "*"
}

// Remotes returns the names of the repository's remotes, sorted.
func (r *Repo) Remotes() ([]string, error) {
	out, err := r.git(nil, "config", "-z", "--get-regexp", `^remote\..*\.url$`)
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return nil, nil
		}
		return nil, fmt.Errorf("list remotes: %w", err)
	}
	seen := map[string]bool{}
	var names []string
	for _, rec := range strings.Split(string(out), "\x00") {
		key, _, _ := strings.Cut(rec, "\n")
		name, ok := strings.CutPrefix(key, "remote.")
		if name, ok2 := strings.CutSuffix(name, ".url"); ok && ok2 && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// FetchesNotes reports whether remote's fetch refspecs include
// NotesRefspec(remote, ref).
func (r *Repo) FetchesNotes(remote, ref string) (bool, error) {
	ref, err := ExpandNotesRef(ref)
	if err != nil {
		return false, err
	}
	specs, err := r.ConfigAll("remote." + remote + ".fetch")
	return contains(specs, NotesRefspec(remote, ref)), err
}

// AddNotesFetch adds NotesRefspec to remote's fetch refspecs; added is false
// when it was there already.
func (r *Repo) AddNotesFetch(remote, ref string) (added bool, err error) {
	ref, err = ExpandNotesRef(ref)
	if err != nil {
		return false, err
	}
	if ok, err := r.FetchesNotes(remote, ref); err != nil || ok {
		return false, err
	}
	return true, r.AddConfig("remote."+remote+".fetch", NotesRefspec(remote, ref))
}

// RemoveNotesFetch removes NotesRefspec from remote's fetch refspecs;
// removed is false when it was not there.
func (r *Repo) RemoveNotesFetch(remote, ref string) (removed bool, err error) {
	ref, err = ExpandNotesRef(ref)
	if err != nil {
		return false, err
	}
	if ok, err := r.FetchesNotes(remote, ref); err != nil || !ok {
		return false, err
	}
	return true, r.UnsetConfig("remote."+remote+".fetch", NotesRefspec(remote, ref))
}

// MergeResult says what MergeNotes did to the local notes ref.
type MergeResult struct {
	Changed  int  // notes added, replaced or combined locally
	Combined int  // of those, commits both sides annotated differently: combined
	FastFwd  bool // the local ref simply moved to the other side's tip
}

// MergeNotes merges the notes of the notes commit at ref from (a remote's
// tracking ref) into notes ref ref, three-way like `git notes merge`: a note
// only one side changed since their merge base takes that side's version,
// and a note both sides changed is combine(ours, theirs), so that neither is
// lost; a note one side removed and the other changed is kept. combine must
// be deterministic and symmetric for clones to converge; nil joins the two
// texts, in byte order, with a blank line between. The merge is a
// notes commit with both tips as parents (or a fast-forward), written with a
// compare-and-swap like WriteNotes, with subject as its message. A missing
// from is nothing to merge.
func (r *Repo) MergeNotes(ref, from string, combine func(ours, theirs string) string, subject string) (MergeResult, error) {
	var res MergeResult
	name, err := ExpandNotesRef(ref)
	if err != nil {
		return res, err
	}
	theirs, ok, err := r.readRef(from)
	if err != nil || !ok {
		return res, err
	}
	if combine == nil {
		combine = joinNotes
	}
	err = r.commitNotes(name, subject, r.notesConfig, func(ours Hash) (notesCommit, bool, error) {
		res = MergeResult{}
		if ours == theirs {
			return notesCommit{}, false, nil
		}
		base, err := r.mergeBase(ours, theirs)
		if err != nil {
			return notesCommit{}, false, err
		}
		if base == theirs {
			return notesCommit{}, false, nil // already merged
		}
		ops, combined, err := r.mergeOps(base, ours, theirs, combine)
		if err != nil {
			return notesCommit{}, false, err
		}
		res.Changed, res.Combined = len(ops), combined
		if base == ours {
			res.FastFwd = true
			return notesCommit{ff: theirs}, true, nil
		}
		tree, _, err := r.notesTree(ours, ops)
		return notesCommit{tree: tree, parents: []Hash{theirs}}, true, err
	})
	if err != nil {
		return res, fmt.Errorf("merge notes %s into %s: %w", from, name, err)
	}
	return res, nil
}

// mergeOps returns the changes that merge the notes of commit theirs into
// those of ours, three-way from base (zero: none), as notesTree takes
// them, and how many notes it combined (see MergeNotes).
func (r *Repo) mergeOps(base, ours, theirs Hash, combine func(ours, theirs string) string) (map[string]Hash, int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	notes := func(tip Hash) (map[Hash]Hash, error) {
		if tip.IsZero() {
			return map[Hash]Hash{}, nil
		}
		return r.notesAt(tip)
	}
	baseNotes, err := notes(base)
	if err != nil {
		return nil, 0, err
	}
	ourNotes, err := notes(ours)
	if err != nil {
		return nil, 0, err
	}
	theirNotes, err := notes(theirs)
	if err != nil {
		return nil, 0, err
	}
	ops := map[string]Hash{}
	combined := 0
	for obj, t := range theirNotes {
		o, b := ourNotes[obj], baseNotes[obj]
		switch {
		case o == t || t == b:
		case o == b || o.IsZero():
			ops[obj.String()] = t
		default:
			ob, err := r.readObject(plumbing.BlobObject, o)
			if err != nil {
				return nil, 0, err
			}
			tb, err := r.readObject(plumbing.BlobObject, t)
			if err != nil {
				return nil, 0, err
			}
			blob, err := r.writeObject("blob", []byte(combine(string(ob), string(tb))))
			if err != nil {
				return nil, 0, err
			}
			if blob != o {
				ops[obj.String()] = blob
				combined++
			}
		}
	}
	// A note they removed stays when we changed it; else it goes.
	for obj, b := range baseNotes {
		if _, kept := theirNotes[obj]; !kept && ourNotes[obj] == b {
			ops[obj.String()] = Hash{}
		}
	}
	return ops, combined, nil
}

// joinNotes keeps both notes, in an order that does not depend on which
// side is ours.
func joinNotes(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return strings.TrimRight(a, "\n") + "\n\n" + b
}

// mergeBase returns the best common ancestor of two commits (zero when a
// is zero or they have none).
func (r *Repo) mergeBase(a, b Hash) (Hash, error) {
	if a.IsZero() {
		return Hash{}, nil
	}
	out, err := r.git(nil, "merge-base", a.String(), b.String())
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return Hash{}, nil
		}
		return Hash{}, err
	}
	return ParseHash(strings.TrimSpace(string(out)))
}

// SyncOptions tune SyncNotes.
type SyncOptions struct {
	// FetchOnly fetches and merges, and pushes nothing (reviewers, CI jobs
	// with a read-only token).
	FetchOnly bool
	// Tries bounds the fetch-merge-push rounds when another push wins the
	// race (default 3).
	Tries int
	// Combine joins two notes of one commit (see MergeNotes).
	Combine func(ours, theirs string) string
}

// SyncResult says what SyncNotes did.
type SyncResult struct {
	Remote   string      `json:"remote"`
	Tracking string      `json:"trackingRef"`
	Fetched  bool        `json:"fetched"` // the remote has the notes ref; false: it has none yet
	Merge    MergeResult `json:"merge"`
	Pushed   bool        `json:"pushed"`
}

// SyncNotes shares a notes ref with a remote: it fetches the remote's notes
// into TrackingRef (never over the local ref), merges them into the local
// ref with MergeNotes, and, unless o.FetchOnly, pushes the result, fetching
// and merging again when the push is rejected because another one won the
// race. A remote without the notes ref is not an error. AITRAIL_SYNCING is
// set for the push, so that aitrail's own pre-push hook does not recurse.
func (r *Repo) SyncNotes(remote, ref string, o SyncOptions) (SyncResult, error) {
	res := SyncResult{Remote: remote}
	ref, err := ExpandNotesRef(ref)
	if err != nil {
		return res, err
	}
	res.Tracking = TrackingRef(remote, ref)
	var last error
	for i := 0; i < max(o.Tries, 1); i++ {
		if _, err := r.git(nil, "fetch", "--quiet", remote, "+"+ref+":"+res.Tracking); err != nil {
			if !strings.Contains(err.Error(), "couldn't find remote ref") {
				return res, fmt.Errorf("fetch notes from %s: %w", remote, err)
			}
		} else {
			res.Fetched = true
			m, err := r.MergeNotes(ref, res.Tracking, o.Combine, "chore: merge AI transparency notes from "+remote)
			if err != nil {
				return res, err
			}
			res.Merge.Changed += m.Changed
			res.Merge.Combined += m.Combined
			res.Merge.FastFwd = res.Merge.FastFwd || m.FastFwd
		}
		if o.FetchOnly {
			return res, nil
		}
		local, ok, err := r.readRef(ref)
		if err != nil || !ok {
			return res, err // nothing to push
		}
		if remoteTip, ok, _ := r.readRef(res.Tracking); res.Fetched && ok && remoteTip == local {
			return res, nil // the remote has it all
		}
		_, last = r.gitEnv([]string{"AITRAIL_SYNCING=1"}, nil, "push", "--quiet", remote, ref+":"+ref)
		if last == nil {
			res.Pushed = true
			// The tracking ref records what the remote now holds, so that
			// NoteReader does not think this clone is behind it.
			if _, err := r.git(nil, "update-ref", res.Tracking, local.String()); err != nil {
				return res, err
			}
			return res, nil
		}
	}
	return res, fmt.Errorf("push notes to %s: %w", remote, last)
}

// Note is a commit's note as NoteReader found it.
type Note struct {
	Text string `json:"text"`
	// Ref is where it was read: the notes ref, or a remote's tracking ref
	// when only that remote's fetched notes have it (not merged yet).
	Ref    string `json:"ref"`
	Remote string `json:"remote,omitempty"` // the remote of a tracking ref
}

// Reasons a NotesGap gives.
const (
	GapNeverFetched = "never-fetched" // this clone has no copy of the remote's notes
	GapBehind       = "behind"        // the copy is older than the commit
)

// NotesGap is a remote whose notes may hold a note that this clone lacks.
type NotesGap struct {
	Remote string `json:"remote"`
	Reason string `json:"reason"` // GapNeverFetched or GapBehind
	// AsOf is when the remote's notes in this clone were last fetched (the
	// tracking ref's reflog), or else written (its notes commit), for
	// GapBehind.
	AsOf time.Time `json:"asOf,omitzero"`
}

func (g NotesGap) String() string {
	if g.Reason == GapBehind {
		return fmt.Sprintf("%s's notes in this clone date from %s, before this commit", g.Remote, g.AsOf.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return fmt.Sprintf("%s's notes have never been fetched into this clone (or %s has none)", g.Remote, g.Remote)
}

// Hint says how to close the gap.
func (g NotesGap) Hint() string {
	return "run 'aitrail sync-notes --fetch-only " + g.Remote + "'"
}

// NoteReader reads a notes ref the way a teammate's clone needs: the local
// note first, else a remote's fetched copy, and when neither has one it tells
// a commit without AI involvement from one whose note this clone has not
// fetched. Everything it consults is local (refs, config, objects): no
// network.
type NoteReader struct {
	repo    *Repo
	ref     string
	remotes []remoteNotes
}

type remoteNotes struct {
	name, tracking string
	tip            Hash      // zero: never fetched
	asOf           time.Time // the tip's commit time
	// local: the notes ref exists here, so notes that were never fetched
	// into the tracking ref may have come another way (a refspec of the
	// user's own, 'git fetch origin refs/notes/…:refs/notes/…'): a missing
	// note is then not said to be on the remote.
	local bool
}

// NoteReader returns a reader of notes ref ref.
func (r *Repo) NoteReader(ref string) (*NoteReader, error) {
	name, err := ExpandNotesRef(ref)
	if err != nil {
		return nil, err
	}
	nr := &NoteReader{repo: r, ref: name}
	remotes, err := r.Remotes()
	if err != nil {
		return nil, err
	}
	_, local, err := r.readRef(name)
	if err != nil {
		return nil, err
	}
	for _, rm := range remotes {
		rn := remoteNotes{name: rm, tracking: TrackingRef(rm, name), local: local}
		tip, ok, err := r.readRef(rn.tracking)
		if err != nil {
			return nil, err
		}
		if ok {
			c, err := r.Commit(tip)
			if err != nil {
				return nil, err
			}
			rn.tip, rn.asOf = tip, c.Committer.When
			// The remote held these notes when they were fetched: a later
			// commit of its that has none still had none then.
			if t, ok := r.lastReflogTime(rn.tracking); ok && t.After(rn.asOf) {
				rn.asOf = t
			}
		}
		nr.remotes = append(nr.remotes, rn)
	}
	return nr, nil
}

// Read returns commit's note. ok is false when neither the notes ref nor any
// remote's fetched notes have one; gaps then lists the remotes whose notes
// may have one that this clone lacks: those whose branches (as last
// fetched) contain the commit, and whose notes were never fetched or date
// from before the commit. No gaps means that the commit has no note
// anywhere this clone could know of.
func (nr *NoteReader) Read(commit Hash) (n Note, ok bool, gaps []NotesGap, err error) {
	if text, ok, err := nr.repo.ReadNote(nr.ref, commit); err != nil || ok {
		return Note{Text: text, Ref: nr.ref}, ok, nil, err
	}
	for _, rm := range nr.remotes {
		if rm.tip.IsZero() {
			continue
		}
		if text, ok, err := nr.repo.ReadNote(rm.tracking, commit); err != nil || ok {
			return Note{Text: text, Ref: rm.tracking, Remote: rm.name}, ok, nil, err
		}
	}
	if len(nr.remotes) == 0 {
		return Note{}, false, nil, nil
	}
	containing, err := nr.repo.remotesContaining(commit, nr.remotes)
	if err != nil || len(containing) == 0 {
		return Note{}, false, nil, err
	}
	c, err := nr.repo.Commit(commit)
	if err != nil {
		return Note{}, false, nil, err
	}
	for _, rm := range nr.remotes {
		if g, ok := rm.gap(c.Committer.When); ok && containing[rm.name] {
			gaps = append(gaps, g)
		}
	}
	return Note{}, false, gaps, nil
}

// Noted reports whether commit has a note here or in a remote's fetched
// notes (without Read's search for remotes that may have one).
func (nr *NoteReader) Noted(commit Hash) (bool, error) {
	if _, ok, err := nr.repo.ReadNote(nr.ref, commit); err != nil || ok {
		return ok, err
	}
	for _, rm := range nr.remotes {
		if rm.tip.IsZero() {
			continue
		}
		if _, ok, err := nr.repo.ReadNote(rm.tracking, commit); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// gap says whether this remote's notes in this clone may lack the note of
// a commit (of its branches) made at when.
func (rm remoteNotes) gap(when time.Time) (NotesGap, bool) {
	switch {
	case rm.tip.IsZero() && rm.local:
		return NotesGap{}, false
	case rm.tip.IsZero():
		return NotesGap{Remote: rm.name, Reason: GapNeverFetched}, true
	case rm.asOf.Before(when):
		return NotesGap{Remote: rm.name, Reason: GapBehind, AsOf: rm.asOf}, true
	}
	return NotesGap{}, false
}

// lastReflogTime returns when ref was last updated, from its reflog (files
// backend; git logs refs/notes/ updates by default).
func (r *Repo) lastReflogTime(ref string) (time.Time, bool) {
	data, err := os.ReadFile(filepath.Join(r.commonDir, "logs", filepath.FromSlash(ref)))
	if err != nil {
		return time.Time{}, false
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	ident, _, _ := strings.Cut(lines[len(lines)-1], "\t")
	gt := strings.LastIndexByte(ident, '>')
	if gt < 0 {
		return time.Time{}, false
	}
	f := strings.Fields(ident[gt+1:])
	if len(f) == 0 {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// Refs returns the notes refs Read consults, in its order: the notes ref,
// then each remote's fetched copy.
func (nr *NoteReader) Refs() []string {
	out := []string{nr.ref}
	for _, rm := range nr.remotes {
		if !rm.tip.IsZero() {
			out = append(out, rm.tracking)
		}
	}
	return out
}

// Gaps returns the gaps Read would report for each of commits, which must
// have no note on any of Refs: many commits at the cost of one git process
// per remote that may have a gap. Commits without a gap are left out.
func (nr *NoteReader) Gaps(commits []Hash) (map[Hash][]NotesGap, error) {
	out := map[Hash][]NotesGap{}
	when := make(map[Hash]time.Time, len(commits))
	var latest time.Time
	for _, h := range commits {
		c, err := nr.repo.Commit(h)
		if err != nil {
			return nil, err
		}
		when[h] = c.Committer.When
		if when[h].After(latest) {
			latest = when[h]
		}
	}
	for _, rm := range nr.remotes {
		if _, ok := rm.gap(latest); !ok {
			continue // its notes are newer than every commit asked about
		}
		raw, err := nr.repo.git(nil, "rev-list", "--glob=refs/remotes/"+rm.name+"/*")
		if err != nil {
			return nil, fmt.Errorf("list the commits of %s's branches: %w", rm.name, err)
		}
		onRemote := map[string]bool{}
		for _, l := range strings.Fields(string(raw)) {
			onRemote[l] = true
		}
		for _, h := range commits {
			if g, ok := rm.gap(when[h]); ok && onRemote[h.String()] {
				out[h] = append(out[h], g)
			}
		}
	}
	return out, nil
}

// remotesContaining returns which remotes' remote-tracking branches contain
// commit.
func (r *Repo) remotesContaining(commit Hash, remotes []remoteNotes) (map[string]bool, error) {
	out, err := r.git(nil, "for-each-ref", "--format=%(refname)", "--contains", commit.String(), "refs/remotes/")
	if err != nil {
		return nil, fmt.Errorf("find remote branches containing %s: %w", commit, err)
	}
	found := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		for _, rm := range remotes {
			if strings.HasPrefix(line, "refs/remotes/"+rm.name+"/") {
				found[rm.name] = true
			}
		}
	}
	return found, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// GapsHint says how to fetch the notes that gaps name, each hint once.
func GapsHint(gaps []NotesGap) string {
	var hints []string
	for _, g := range gaps {
		if h := g.Hint(); !slices.Contains(hints, h) {
			hints = append(hints, h)
		}
	}
	return strings.Join(hints, "; ")
}
