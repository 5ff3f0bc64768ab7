package gitlog

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// Identity used for notes commits when git has none configured (git itself
// would refuse to commit).
const (
	FallbackName  = "aitrail"
	FallbackEmail = "aitrail@localhost"
)

// maxWriteAttempts bounds WriteNotes' compare-and-swap retries.
const maxWriteAttempts = 20

// ExpandNotesRef expands a notes ref name as git does (expand_notes_ref):
// "refs/notes/x" stays, "notes/x" becomes "refs/notes/x", anything else "x"
// becomes "refs/notes/x". It rejects names git would reject.
func ExpandNotesRef(ref string) (string, error) {
	switch {
	case ref == "":
		return "", errors.New("notes ref: empty name")
	case strings.HasPrefix(ref, "refs/notes/"):
	case strings.HasPrefix(ref, "notes/"):
		ref = "refs/" + ref
	default:
		ref = "refs/notes/" + ref
	}
	if err := checkRefName(ref); err != nil {
		return "", err
	}
	return ref, nil
}

// checkRefName applies git's check-ref-format rules.
func checkRefName(name string) error {
	bad := strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".") ||
		strings.Contains(name, "..") || strings.Contains(name, "@{")
	for _, comp := range strings.Split(name, "/") {
		if comp == "" || strings.HasPrefix(comp, ".") || strings.HasSuffix(comp, ".lock") {
			bad = true
		}
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f || strings.IndexByte(" ~^:?*[\\", c) >= 0 {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("notes ref %q: not a valid ref name", name)
	}
	return nil
}

// ReadNote returns the note attached to commit on ref ("aitrail" or
// "refs/notes/aitrail"). ok is false when the ref or the note does not exist.
// Any fanout git wrote is understood: at each level the full remaining name is
// tried, then the subtree named by its next two hex digits.
func (r *Repo) ReadNote(ref string, commit Hash) (text string, ok bool, err error) {
	name, err := ExpandNotesRef(ref)
	if err != nil {
		return "", false, err
	}
	tip, exists, err := r.readRef(name)
	if err != nil || !exists {
		return "", false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	tree, _, _, err := r.commitInfo(tip)
	if err != nil {
		return "", false, err
	}
	rem := commit.String()
	for {
		entries, err := r.readTree(tree)
		if err != nil {
			return "", false, err
		}
		var next Hash
		for _, e := range entries {
			if e.name == rem && e.isBlob() {
				data, err := r.readObject(plumbing.BlobObject, e.hash)
				if err != nil {
					return "", false, err
				}
				return string(data), true, nil
			}
			if len(rem) > 2 && e.name == rem[:2] && e.isTree() {
				next = e.hash
			}
		}
		if next.IsZero() {
			return "", false, nil
		}
		tree, rem = next, rem[2:]
	}
}

// ListNotes maps each annotated object on ref to its note blob. A missing ref
// gives an empty map.
func (r *Repo) ListNotes(ref string) (map[Hash]Hash, error) {
	name, err := ExpandNotesRef(ref)
	if err != nil {
		return nil, err
	}
	tip, exists, err := r.readRef(name)
	if err != nil || !exists {
		return map[Hash]Hash{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.notesAt(tip)
}

// notesAt lists the notes in notes commit tip.
func (r *Repo) notesAt(tip Hash) (map[Hash]Hash, error) {
	out := map[Hash]Hash{}
	tree, _, _, err := r.commitInfo(tip)
	if err != nil {
		return nil, err
	}
	var walk func(tree Hash, prefix string) error
	walk = func(tree Hash, prefix string) error {
		entries, err := r.readTree(tree)
		if err != nil {
			return err
		}
		for _, e := range entries {
			full := prefix + e.name
			switch {
			case e.isBlob() && len(full) == 40 && isHex(full):
				out[plumbing.NewHash(full)] = e.hash
			case e.isTree() && len(e.name) == 2 && len(full) < 40 && isHex(e.name):
				if err := walk(e.hash, full); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(tree, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// WriteNote sets (non-empty text) or removes (empty text) one note; see WriteNotes.
func (r *Repo) WriteNote(ref string, commit Hash, text string) error {
	return r.WriteNotes(ref, map[Hash]string{commit: text}, "")
}

// WriteNotes sets (non-empty text, stored verbatim) or removes (empty text)
// several notes on ref in one notes commit whose message is subject ("Notes
// updated" when empty). Existing notes and the tree's fanout are kept: a note
// goes into the existing "xx/" subtree for its prefix, else flat, and a note
// already present at another level is replaced rather than duplicated; a
// level that grows dense enough for git to fan it out is fanned out the same
// way (see rewriteNotesTree). Nothing is committed when nothing changes.
//
// The ref is updated with a compare-and-swap that follows git's lock-file
// protocol, so it interlocks with git and with other WriteNotes callers in any
// process; a lost race re-reads the tip and re-applies the notes (up to 20
// attempts). `git notes add` itself is not a compare-and-swap: it commits the
// tree it built from the tip it read at start on top of whatever the ref holds
// when it finishes, undoing a WriteNotes that landed in between.
//
// The notes commit's author and committer are GIT_COMMITTER_NAME/EMAIL if
// set, else committer.name/email or user.name/email from git config, else
// FallbackName/FallbackEmail; its time is GIT_COMMITTER_DATE when set and
// parseable, else now. GIT_AUTHOR_* is ignored: git exports the commit's
// author to hooks, which is not who writes the notes.
func (r *Repo) WriteNotes(ref string, notes map[Hash]string, subject string) error {
	name, err := ExpandNotesRef(ref)
	if err != nil {
		return err
	}
	if len(notes) == 0 {
		return nil
	}
	// Reading the identity takes a git process; overlap it with building
	// the objects, which do not depend on it.
	type cfgResult struct {
		cfg map[string]string
		err error
	}
	cfgCh := make(chan cfgResult, 1)
	go func() {
		cfg, err := r.notesConfig()
		cfgCh <- cfgResult{cfg, err}
	}()
	config := func() (map[string]string, error) {
		res := <-cfgCh
		cfgCh <- res
		return res.cfg, res.err
	}

	ops := make(map[string]Hash, len(notes))
	for h, text := range notes {
		if h.IsZero() {
			return errors.New("write notes: zero object name")
		}
		var blob Hash
		if text != "" {
			if blob, err = r.writeObject("blob", []byte(text)); err != nil {
				return fmt.Errorf("write notes: %w", err)
			}
		}
		ops[h.String()] = blob
	}
	err = r.commitNotes(name, subject, config, func(old Hash) (notesCommit, bool, error) {
		tree, changed, err := r.notesTree(old, ops)
		return notesCommit{tree: tree}, changed, err
	})
	if err != nil {
		return fmt.Errorf("write notes: %w", err)
	}
	return nil
}

// notesCommit is what commitNotes puts on a notes ref: a new commit of tree
// on top of the old tip (and parents), or, when ff is set, that existing
// commit itself.
type notesCommit struct {
	tree    Hash
	parents []Hash // parents besides the old tip
	ff      Hash
}

// commitNotes moves notes ref name with a compare-and-swap: build gets the
// ref's current tip (zero when it does not exist) and says what to put there
// (changed false: nothing). A lost race re-reads the tip and builds again, up
// to maxWriteAttempts times. config supplies the git config that gives the
// commit's identity (see WriteNotes) and whether to start a reflog.
func (r *Repo) commitNotes(name, subject string, config func() (map[string]string, error), build func(old Hash) (notesCommit, bool, error)) error {
	if subject == "" {
		subject = "Notes updated"
	}
	msg := subject
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	var cfg map[string]string
	var id ident
	update := r.updateRef
	if r.reftable || r.casViaGit {
		update = r.updateRefGit
	}
	for attempt := 1; ; attempt++ {
		old, _, err := r.readRef(name)
		if err != nil {
			return err
		}
		nc, changed, err := build(old)
		if err != nil {
			return err
		}
		if !changed {
			return nil
		}
		if cfg == nil {
			if cfg, err = config(); err != nil {
				return err
			}
			id = identity(cfg)
		}
		commit := nc.ff
		if commit.IsZero() {
			var b bytes.Buffer
			fmt.Fprintf(&b, "tree %s\n", nc.tree)
			if !old.IsZero() {
				fmt.Fprintf(&b, "parent %s\n", old)
			}
			for _, p := range nc.parents {
				fmt.Fprintf(&b, "parent %s\n", p)
			}
			fmt.Fprintf(&b, "author %s\ncommitter %s\n\n%s", id, id, msg)
			if commit, err = r.writeObject("commit", b.Bytes()); err != nil {
				return err
			}
		}
		err = update(refUpdate{name: name, old: old, new: commit, msg: "notes: " + subject, ident: id,
			reflog: logRefUpdates(cfg, r.root == "")})
		if err == nil {
			return nil
		}
		if !errors.Is(err, errRefChanged) || attempt == maxWriteAttempts {
			return fmt.Errorf("update %s: %w", name, err)
		}
		time.Sleep(time.Duration(rand.N(2*attempt+1)) * time.Millisecond)
	}
}

// notesTree applies ops on top of notes commit old (zero: none yet) and
// returns the new notes tree; changed is false when it equals old's (then
// tree is old's, or zero when there is no old).
func (r *Repo) notesTree(old Hash, ops map[string]Hash) (tree Hash, changed bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var oldTree Hash
	if !old.IsZero() {
		if oldTree, _, _, err = r.commitInfo(old); err != nil {
			return Hash{}, false, err
		}
	}
	newTree, err := r.rewriteNotesTree(oldTree, ops)
	if err != nil {
		return Hash{}, false, err
	}
	if newTree == oldTree || (old.IsZero() && newTree == emptyTreeHash) {
		return oldTree, false, nil
	}
	return newTree, true, nil
}

// rewriteNotesTree applies ops (remaining hex name → blob, zero blob to
// remove) to a notes (sub)tree and returns the new tree, writing only the
// trees that change; it returns tree itself when nothing changes.
//
// Placement follows git. A note goes into the existing subtree for its next
// two hex digits, else flat at this level. When this level becomes dense
// enough that git itself would fan it out (git's determine_fanout: each of
// the 16 first-digit buckets holds a subtree or at least two notes), its flat
// notes move into two-digit subtrees, so a tree written only by WriteNotes
// fans out like one written by `git notes add` instead of growing flat.
func (r *Repo) rewriteNotesTree(tree Hash, ops map[string]Hash) (Hash, error) {
	entries, err := r.readTree(tree)
	if err != nil {
		return Hash{}, err
	}
	var nameLen int // length of a note's name at this level
	for rem := range ops {
		nameLen = len(rem)
		break
	}
	subtrees := map[string]int{} // two-hex subtree name → index in entries
	flat := map[string]Hash{}    // note name → blob, after ops
	for i, e := range entries {
		switch {
		case e.isTree() && len(e.name) == 2 && isHex(e.name) && nameLen > 2:
			subtrees[e.name] = i
		case e.isBlob() && len(e.name) == nameLen && isHex(e.name):
			flat[e.name] = e.hash
		}
	}
	sub := map[string]map[string]Hash{}
	toSub := func(name string, blob Hash) {
		if sub[name[:2]] == nil {
			sub[name[:2]] = map[string]Hash{}
		}
		sub[name[:2]][name[2:]] = blob
	}
	for rem, blob := range ops {
		delete(flat, rem) // replaced or removed; never left beside a fanout copy
		if _, ok := subtrees[rem[:min(2, len(rem))]]; ok && len(rem) > 2 {
			toSub(rem, blob)
		} else if !blob.IsZero() {
			flat[rem] = blob
		}
	}
	if nameLen > 2 && denseLevel(flat, subtrees) {
		for name, blob := range flat {
			toSub(name, blob)
		}
		clear(flat)
	}

	out := make([]treeEntry, 0, len(entries)+len(flat))
	for _, e := range entries {
		_, isSub := subtrees[e.name]
		switch {
		case isSub && sub[e.name] != nil:
			h, err := r.rewriteNotesTree(e.hash, sub[e.name])
			if err != nil {
				return Hash{}, err
			}
			delete(sub, e.name)
			if h == emptyTreeHash {
				continue
			}
			e.hash = h
		case !isSub && e.isBlob() && len(e.name) == nameLen && isHex(e.name):
			continue // re-added from flat below
		}
		out = append(out, e)
	}
	for name, s := range sub { // new subtrees
		h, err := r.rewriteNotesTree(Hash{}, s)
		if err != nil {
			return Hash{}, err
		}
		if h != emptyTreeHash {
			out = append(out, treeEntry{mode: modeTree, name: name, hash: h})
		}
	}
	for name, blob := range flat {
		out = append(out, treeEntry{mode: modeBlob, name: name, hash: blob})
	}
	content := encodeTree(out)
	if h := objectHash("tree", content); h == tree || (tree.IsZero() && h == emptyTreeHash) {
		return h, nil
	}
	return r.writeObject("tree", content)
}

// denseLevel reports whether git would add a fanout level here: every one of
// the 16 first hex digits has a subtree or at least two notes.
func denseLevel(flat map[string]Hash, subtrees map[string]int) bool {
	var full [16]int
	for name := range subtrees {
		full[hexVal(name[0])] += 2
	}
	for name := range flat {
		full[hexVal(name[0])]++
	}
	for _, n := range full {
		if n < 2 {
			return false
		}
	}
	return true
}

func hexVal(c byte) int {
	if c <= '9' {
		return int(c - '0')
	}
	return int(c-'a') + 10
}

// ident is a git identity line: "Name <email> 1700000000 +0100".
type ident struct {
	name, email string
	when        time.Time
}

func (i ident) String() string {
	return fmt.Sprintf("%s <%s> %d %s", i.name, i.email, i.when.Unix(), i.when.Format("-0700"))
}

// notesConfig reads, with one git process, the config WriteNotes needs.
func (r *Repo) notesConfig() (map[string]string, error) {
	out, err := r.git(nil, "config", "-z", "--get-regexp",
		`^(user\.(name|email)|committer\.(name|email)|core\.logallrefupdates)$`)
	cfg := map[string]string{}
	if err != nil {
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == 1 {
			return cfg, nil // none of the keys is set
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	for _, rec := range strings.Split(string(out), "\x00") {
		if k, v, ok := strings.Cut(rec, "\n"); ok {
			cfg[k] = v // later (higher-priority) values win
		} else if rec != "" {
			cfg[rec] = "true" // "key" alone: a boolean written as "[core] key"
		}
	}
	return cfg, nil
}

// identity picks the notes commit identity (see WriteNotes).
func identity(cfg map[string]string) ident {
	first := func(vals ...string) string {
		for _, v := range vals {
			if v = strings.Trim(strings.Map(dropCrud, v), " .,;:"); v != "" {
				return v
			}
		}
		return ""
	}
	id := ident{
		name:  first(os.Getenv("GIT_COMMITTER_NAME"), cfg["committer.name"], cfg["user.name"], FallbackName),
		email: first(os.Getenv("GIT_COMMITTER_EMAIL"), cfg["committer.email"], cfg["user.email"], os.Getenv("EMAIL"), FallbackEmail),
		when:  time.Now(),
	}
	if t, ok := parseGitDate(os.Getenv("GIT_COMMITTER_DATE")); ok {
		id.when = t
	}
	return id
}

// dropCrud removes the characters git strips from identities.
func dropCrud(r rune) rune {
	if r == '<' || r == '>' || r == '\n' {
		return -1
	}
	return r
}

// parseGitDate understands the common GIT_COMMITTER_DATE forms: git's
// internal "<unix> <tz>" (optionally "@"-prefixed), RFC 2822, ISO 8601.
func parseGitDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if f := strings.Fields(strings.TrimPrefix(s, "@")); len(f) >= 1 && len(f) <= 2 {
		if sec, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			loc := time.UTC
			if len(f) == 2 {
				t, err := time.Parse("-0700", f[1])
				if err != nil {
					return time.Time{}, false
				}
				loc = t.Location()
			}
			return time.Unix(sec, 0).In(loc), true
		}
	}
	for _, layout := range []string{time.RFC3339, time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 -0700",
		"2006-01-02 15:04:05 -0700", "2006-01-02T15:04:05 -0700", "2006-01-02T15:04:05-0700", time.RubyDate,
		"Mon Jan 2 15:04:05 2006 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// logRefUpdates reports whether a new reflog should be created for a notes
// ref: core.logAllRefUpdates is "always", or true (the default outside bare
// repositories); git logs refs/notes/ like branches.
func logRefUpdates(cfg map[string]string, bare bool) bool {
	v, ok := cfg["core.logallrefupdates"]
	if !ok {
		return !bare
	}
	switch strings.ToLower(v) {
	case "always", "true", "yes", "on", "1":
		return true
	}
	return false
}
