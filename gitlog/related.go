package gitlog

import "container/heap"

// relatedSlop is how much older than a commit its descendants' ancestors
// may be before a walk stops looking for it there: commit times tolerate
// a day of clock skew between a commit and its parents.
const relatedSlop = 24 * 60 * 60

// Related reports which of others lie on one line of history with c: c
// itself, its ancestors and its descendants. Commits that are not on it are
// on other branches, abandoned (reset, amended or rebased away) or gone
// from the repository. Like RevList, the walks stop at commits older than
// what they look for, tolerating a day of clock skew.
func (r *Repo) Related(c Hash, others []Hash) (map[Hash]bool, error) {
	out := map[Hash]bool{}
	if len(others) == 0 {
		return out, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _, cWhen, err := r.commitInfo(c)
	if err != nil {
		return nil, err
	}
	targets := map[Hash]int64{}
	for _, o := range others {
		if o == c {
			out[o] = true
			continue
		}
		if _, _, when, err := r.commitInfo(o); err == nil {
			targets[o] = when
		}
	}
	if len(targets) == 0 {
		return out, nil
	}
	// c's ancestors, in one walk down to the oldest target.
	oldest := cWhen
	for _, when := range targets {
		oldest = min(oldest, when)
	}
	found, err := r.walkBack(c, oldest-relatedSlop, targets)
	if err != nil {
		return nil, err
	}
	for h := range found {
		out[h] = true
	}
	// c's descendants: c is among their ancestors.
	for o, when := range targets {
		if out[o] || when < cWhen-relatedSlop {
			continue
		}
		found, err := r.walkBack(o, cWhen-relatedSlop, map[Hash]int64{c: cWhen})
		if err != nil {
			return nil, err
		}
		if found[c] {
			out[o] = true
		}
	}
	return out, nil
}

// walkBack walks the ancestors of from (from excluded), newest first, and
// returns those of targets it met; it does not go past commits older than
// stop. A commit it cannot read ends that path (a shallow clone's edge).
func (r *Repo) walkBack(from Hash, stop int64, targets map[Hash]int64) (map[Hash]bool, error) {
	found := map[Hash]bool{}
	seen := map[Hash]bool{from: true}
	var q revQueue
	seq := 0
	push := func(h Hash) {
		if seen[h] {
			return
		}
		seen[h] = true
		_, parents, when, err := r.commitInfo(h)
		if err != nil {
			return
		}
		heap.Push(&q, &revNode{hash: h, parents: parents, when: when, seq: seq})
		seq++
	}
	_, parents, _, err := r.commitInfo(from)
	if err != nil {
		return nil, err
	}
	for _, p := range parents {
		push(p)
	}
	for q.Len() > 0 && len(found) < len(targets) {
		n := heap.Pop(&q).(*revNode)
		if n.when < stop {
			break
		}
		if _, ok := targets[n.hash]; ok {
			found[n.hash] = true
		}
		for _, p := range n.parents {
			push(p)
		}
	}
	return found, nil
}
