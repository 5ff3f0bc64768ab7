package gitlog

import "strings"

// ResolveRange resolves what a command takes as commits: "A..B" (B
// defaults to HEAD) lists the commits reachable from B and not from A,
// oldest first and at most limit of them; anything else is one revision.
func (r *Repo) ResolveRange(spec string, limit int) ([]Hash, error) {
	from, to, ok := strings.Cut(spec, "..")
	if !ok {
		h, err := r.Resolve(spec)
		if err != nil {
			return nil, err
		}
		return []Hash{h}, nil
	}
	if to == "" {
		to = "HEAD"
	}
	f, err := r.Resolve(from)
	if err != nil {
		return nil, err
	}
	t, err := r.Resolve(to)
	if err != nil {
		return nil, err
	}
	return r.RevList(f, t, limit)
}
