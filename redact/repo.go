package redact

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
)

// RepoRuleFile is a repository's rule file, relative to its work tree.
const RepoRuleFile = ".aitrail/redactions.yml"

// LoadRepoRules reads and parses the rule file of the repository at root
// with read, which must open a repository's files safely (the caller's
// repofile.Read): a cloned repository chooses what the file is. A missing
// file means no rules. Messages name the file relative to the repository.
func LoadRepoRules(root string, read func(root, rel string) ([]byte, error)) ([]Rule, error) {
	data, err := read(root, RepoRuleFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseRules(data, RepoRuleFile, OriginRepo)
}

// repoEngine is a repository's rules, compiled, or why they cannot apply.
type repoEngine struct {
	eng *Engine // nil when the repository has no rules
	err error
}

// repoRulesID is the rule id of a text replaced whole because the rules
// of its repository could not be loaded.
const repoRulesID = "repository-rules"

// Repo loads, checks and compiles the rules of the repository at root, once
// (Config.RepoRules), and reports how many there are. An error means they
// cannot apply: the caller must not store the repository's texts (texts
// located in it are then replaced whole, so that nothing escapes its rules
// by mistake).
func (e *Engine) Repo(root string) (int, error) {
	r := e.repo(root)
	if r == nil || r.eng == nil {
		if r != nil {
			return 0, r.err
		}
		return 0, nil
	}
	return len(r.eng.rules), nil
}

// RepoScoped reports whether the engine applies repository rules: only
// then do texts need a Location.Repo.
func (e *Engine) RepoScoped() bool { return e.cfg.RepoRules != nil }

// repo returns the rules of the repository at root, loading them the first
// time; nil without a root or a loader.
func (e *Engine) repo(root string) *repoEngine {
	if root == "" || e.cfg.RepoRules == nil {
		return nil
	}
	e.repoMu.Lock()
	defer e.repoMu.Unlock()
	if r, ok := e.repos[root]; ok {
		return r
	}
	if e.repos == nil {
		e.repos = map[string]*repoEngine{}
	}
	r := &repoEngine{}
	e.repos[root] = r
	rules, err := e.cfg.RepoRules(root)
	if err != nil {
		r.err = err
		return r
	}
	if len(rules) == 0 {
		return r
	}
	for _, rule := range rules {
		if rule.Origin != OriginRepo {
			r.err = fmt.Errorf("%s: rule %q: not a repository rule (origin %q)", rule.Source, rule.ID, rule.Origin)
			return r
		}
		if i := slices.IndexFunc(e.infos, func(in RuleInfo) bool { return in.ID == rule.ID }); i >= 0 {
			prev := firstNonEmpty(e.infos[i].Source, string(e.infos[i].Origin))
			r.err = fmt.Errorf("%s: rule %q: id: already defined by %s; choose another id", rule.Source, rule.ID, prev)
			return r
		}
	}
	// The repository's rules alone, with the engine's key and no policy:
	// the engine itself has applied everything else.
	r.eng, r.err = newEngine(Config{Key: e.key, IPPolicy: IPOff, Pseudonyms: e.cfg.Pseudonyms}, rules)
	return r
}

// stages redacts s with the engine, then with the rules of the repository
// loc names; it returns the output, the findings (offsets in s) and the
// edits of every pass of both.
func (e *Engine) stages(bits uint8, s string, loc *Location) (string, []Finding, [][]edit) {
	out, findings, passes := e.redactPasses(bits, s, nil, loc)
	if loc == nil {
		return out, findings, passes
	}
	r := e.repo(loc.Repo)
	switch {
	case r == nil:
		return out, findings, passes
	case r.err != nil:
		// Fail closed: the repository's rules cannot run, so nothing of
		// the text is kept.
		repl := "[REDACTED:" + repoRulesID + "]"
		f := Finding{RuleID: repoRulesID, ValueHash: e.hash(s), Start: 0, End: len(s)}
		return repl, []Finding{f}, [][]edit{{{inStart: 0, inEnd: len(s), outStart: 0, outEnd: len(repl)}}}
	case r.eng == nil:
		return out, findings, passes
	}
	out2, more, passes2 := r.eng.redactPasses(bits, out, nil, loc)
	for i := range more {
		more[i].Start, more[i].End = mapBack(passes, more[i].Start, more[i].End)
	}
	return out2, append(findings, more...), append(passes, passes2...)
}
