package gitlog

import (
	"bytes"
	"container/heap"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// revListSlop is how many extra excluded commits RevList walks after the
// point where, by commit times, nothing more could be excluded (git's SLOP).
const revListSlop = 5

// ErrUnknownRevision is returned by Resolve when a revision names no commit.
var ErrUnknownRevision = errors.New("unknown revision")

// Commit is a decoded commit object.
type Commit struct {
	Hash      Hash
	Parents   []Hash
	Author    Signature
	Committer Signature
	Message   string // full message, including the trailing newline git stores
}

// Signature is an author or committer line; When keeps the recorded time zone.
type Signature struct {
	Name, Email string
	When        time.Time
}

// Head returns the commit HEAD points to, or ErrNoCommits when HEAD is unborn.
func (r *Repo) Head() (Hash, error) {
	h, ok, err := r.readRef("HEAD")
	if err != nil {
		return Hash{}, err
	}
	if !ok {
		return Hash{}, ErrNoCommits
	}
	return h, nil
}

// Resolve returns the commit a revision names: "HEAD", "HEAD~2", "main^2",
// branch and tag names, full or abbreviated object names. It uses go-git and
// falls back to `git rev-parse` for syntax go-git lacks (e.g. "@{u}",
// "HEAD@{1}", ":/text"). Unknown revisions give an error wrapping
// ErrUnknownRevision.
func (r *Repo) Resolve(rev string) (Hash, error) {
	if rev == "" {
		return Hash{}, fmt.Errorf("resolve %q: %w", rev, ErrUnknownRevision)
	}
	if rev == "HEAD" {
		h, err := r.Head()
		if errors.Is(err, ErrNoCommits) {
			return Hash{}, fmt.Errorf("resolve HEAD: %w: %w", ErrUnknownRevision, err)
		}
		return h, err
	}
	if h, err := r.resolveGoGit(rev); err == nil {
		return h, nil
	}
	out, err := r.git(nil, "rev-parse", "-q", "--verify", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return Hash{}, fmt.Errorf("resolve %q: %w", rev, ErrUnknownRevision)
	}
	return ParseHash(strings.TrimSpace(string(out)))
}

func (r *Repo) resolveGoGit(rev string) (Hash, error) {
	if r.reftable {
		return Hash{}, errors.New("reftable: use git")
	}
	if strings.Contains(rev, "@{") {
		// go-git parses reflog entries (HEAD@{1}) and then ignores them,
		// resolving the ref itself.
		return Hash{}, errors.New("reflog: use git")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gr == nil {
		gr, err := git.Open(r.st, nil)
		if err != nil {
			return Hash{}, err
		}
		r.gr = gr
	}
	h, err := r.gr.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return Hash{}, err
	}
	// go-git accepts any object for a bare hash; insist on a commit.
	if _, err := r.readObject(plumbing.CommitObject, *h); err != nil {
		return Hash{}, err
	}
	return *h, nil
}

// Commit reads and decodes commit h.
func (r *Repo) Commit(h Hash) (*Commit, error) {
	r.mu.Lock()
	data, err := r.readObject(plumbing.CommitObject, h)
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	mo := &plumbing.MemoryObject{}
	mo.SetType(plumbing.CommitObject)
	if _, err := mo.Write(data); err != nil {
		return nil, err
	}
	var c object.Commit
	if err := c.Decode(mo); err != nil {
		return nil, fmt.Errorf("decode commit %s: %w", h, err)
	}
	return &Commit{
		Hash:      h,
		Parents:   c.ParentHashes,
		Author:    Signature{Name: c.Author.Name, Email: c.Author.Email, When: c.Author.When},
		Committer: Signature{Name: c.Committer.Name, Email: c.Committer.Email, When: c.Committer.When},
		Message:   c.Message,
	}, nil
}

// commitInfo reads what a history walk needs: tree, parents, commit time.
func (r *Repo) commitInfo(h Hash) (tree Hash, parents []Hash, when int64, err error) {
	data, err := r.readObject(plumbing.CommitObject, h)
	if err != nil {
		return Hash{}, nil, 0, err
	}
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl <= 0 { // end of headers (or malformed)
			break
		}
		line := data[:nl]
		data = data[nl+1:]
		switch {
		case bytes.HasPrefix(line, []byte("tree ")):
			tree, err = ParseHash(string(line[5:]))
		case bytes.HasPrefix(line, []byte("parent ")):
			var p Hash
			if p, err = ParseHash(string(line[7:])); err == nil {
				parents = append(parents, p)
			}
		case bytes.HasPrefix(line, []byte("committer ")):
			// "committer Name <email> 1700000000 +0100"
			if gt := bytes.LastIndexByte(line, '>'); gt >= 0 {
				f := strings.Fields(string(line[gt+1:]))
				if len(f) > 0 {
					when, _ = strconv.ParseInt(f[0], 10, 64)
				}
			}
		}
		if err != nil {
			return Hash{}, nil, 0, fmt.Errorf("commit %s: %w", h, err)
		}
	}
	return tree, parents, when, nil
}

// RevList lists the commits reachable from to and not from from (from zero:
// all ancestors of to), oldest first, like `git rev-list --topo-order --reverse
// from..to`: parents always come before their children, ties broken by commit
// time. With limit > 0 it keeps the limit newest commits (in commit-time
// walk order, as `git rev-list -n`), still returned oldest first.
//
// The walk stops a few commits after every pending commit is excluded and
// older than the oldest listed one, so it reads history only down to about
// the merge base; like git, it tolerates small clock skew between parents and
// children, not arbitrary skew.
func (r *Repo) RevList(from, to Hash, limit int) ([]Hash, error) {
	if to.IsZero() {
		return nil, errors.New("rev-list: no tip commit given")
	}
	r.mu.Lock()
	defer r.mu.Unlock()

	nodes := map[Hash]*revNode{}
	var q revQueue
	interestingQueued := 0
	seq := 0
	push := func(h Hash, excluded bool) error {
		if _, ok := nodes[h]; ok {
			return nil
		}
		_, parents, when, err := r.commitInfo(h)
		if err != nil {
			return err
		}
		n := &revNode{hash: h, parents: parents, when: when, excluded: excluded, queued: true, seq: seq}
		seq++
		nodes[h] = n
		heap.Push(&q, n)
		if !excluded {
			interestingQueued++
		}
		return nil
	}
	// exclude marks n and everything already walked below it as excluded.
	exclude := func(n *revNode) {
		stack := []*revNode{n}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n.excluded {
				continue
			}
			n.excluded = true
			if n.queued {
				interestingQueued--
				continue
			}
			for _, p := range n.parents {
				if pn, ok := nodes[p]; ok {
					stack = append(stack, pn)
				}
			}
		}
	}

	if !from.IsZero() {
		if err := push(from, true); err != nil {
			return nil, err
		}
	}
	if err := push(to, false); err != nil {
		return nil, err
	}
	var listed []*revNode
	oldestListed := int64(math.MaxInt64)
	slop := revListSlop
	for q.Len() > 0 {
		// git's still_interesting: once only excluded commits older than
		// everything listed remain, walk a few more (for clock skew) and stop.
		if interestingQueued == 0 && q[0].when < oldestListed {
			if slop--; slop < 0 {
				break
			}
		} else {
			slop = revListSlop
		}
		if from.IsZero() && limit > 0 && len(listed) >= limit {
			break
		}
		n := heap.Pop(&q).(*revNode)
		n.queued = false
		if !n.excluded {
			interestingQueued--
			listed = append(listed, n)
			oldestListed = min(oldestListed, n.when)
		}
		for _, p := range n.parents {
			if pn, ok := nodes[p]; ok {
				if n.excluded {
					exclude(pn)
				}
				continue
			}
			if err := push(p, n.excluded); err != nil {
				return nil, err
			}
		}
	}

	var keep []*revNode
	for _, n := range listed {
		if !n.excluded {
			keep = append(keep, n)
		}
	}
	if limit > 0 && len(keep) > limit {
		keep = keep[:limit]
	}
	return topoOldestFirst(keep), nil
}

type revNode struct {
	hash     Hash
	parents  []Hash
	when     int64
	seq      int
	excluded bool
	queued   bool
	// for the topological sort
	pending  int
	children []*revNode
}

// revQueue pops the newest commit first; among equal times, the first queued.
type revQueue []*revNode

func (q revQueue) Len() int { return len(q) }
func (q revQueue) Less(i, j int) bool {
	if q[i].when != q[j].when {
		return q[i].when > q[j].when
	}
	return q[i].seq < q[j].seq
}
func (q revQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *revQueue) Push(x any)   { *q = append(*q, x.(*revNode)) }
func (q *revQueue) Pop() any {
	old := *q
	n := old[len(old)-1]
	*q = old[:len(old)-1]
	return n
}

// readyQueue pops the oldest commit first; among equal times, the one walked last.
type readyQueue []*revNode

func (q readyQueue) Len() int { return len(q) }
func (q readyQueue) Less(i, j int) bool {
	if q[i].when != q[j].when {
		return q[i].when < q[j].when
	}
	return q[i].seq > q[j].seq
}
func (q readyQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *readyQueue) Push(x any)   { *q = append(*q, x.(*revNode)) }
func (q *readyQueue) Pop() any {
	old := *q
	n := old[len(old)-1]
	*q = old[:len(old)-1]
	return n
}

// topoOldestFirst orders nodes so that every parent precedes its children.
func topoOldestFirst(nodes []*revNode) []Hash {
	in := make(map[Hash]*revNode, len(nodes))
	for _, n := range nodes {
		in[n.hash] = n
		n.pending = 0
		n.children = nil
	}
	for _, n := range nodes {
		for _, p := range n.parents {
			if pn, ok := in[p]; ok {
				n.pending++
				pn.children = append(pn.children, n)
			}
		}
	}
	var ready readyQueue
	for _, n := range nodes {
		if n.pending == 0 {
			ready = append(ready, n)
		}
	}
	heap.Init(&ready)
	out := make([]Hash, 0, len(nodes))
	for ready.Len() > 0 {
		n := heap.Pop(&ready).(*revNode)
		out = append(out, n.hash)
		for _, c := range n.children {
			c.pending--
			if c.pending == 0 {
				heap.Push(&ready, c)
			}
		}
	}
	return out
}
