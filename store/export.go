package store

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"sort"
	"time"
)

// ExportFilter selects what an export holds. Zero fields do not filter.
type ExportFilter struct {
	// SessionFilter selects sessions; its Since and Until also keep only
	// the prompts sent in that time.
	SessionFilter
	// Session is one session: an id, a unique prefix of one, or AGENT:ID.
	Session string
	// Prompts, when not nil, keeps only these prompts (by agent, session
	// and key): those of a range of commits.
	Prompts []PromptRef
}

// Export is the normalized record that exports are rendered from: the
// selected sessions with their prompts and everything done for them, and
// the commits those prompts are linked to.
type Export struct {
	Sessions []ExportSession `json:"sessions"`
	Commits  []ExportCommit  `json:"commits"`
}

// ExportSession is a session in an export. Its tokens and cost are the
// whole session's, whichever of its prompts the filters keep.
type ExportSession struct {
	SessionInfo
	Links []LinkInfo `json:"links,omitempty"`
	// Preamble is what the agent did before the first prompt (or what could
	// not be tied to a prompt): messages, tool calls, edits and token usage,
	// as a prompt without key or text, its Time that of its first record.
	// Nil when there was none, or when the filters leave it out.
	Preamble *ExportPrompt  `json:"preamble,omitempty"`
	Prompts  []ExportPrompt `json:"prompts"`
	Cost     float64        `json:"costUSD"`
}

// ExportPrompt is a prompt in an export, with its token usage per model and
// the commits it is linked to.
type ExportPrompt struct {
	PromptDetail
	Usage   []ModelTokens `json:"usage"`
	Cost    float64       `json:"costUSD"`
	Commits []string      `json:"commits"` // shas of the commits whose files it edited
}

// ExportCommit is an annotated commit that exported prompts are linked to.
type ExportCommit struct {
	SHA         string    `json:"sha"`
	CommittedAt time.Time `json:"committedAt"`
	Added       int       `json:"addedLines"`
	AI          int       `json:"aiLines"`
	Prompts     int       `json:"prompts"` // linked prompts in the export
}

// Export loads what f selects, pricing each API call with price.
func (db *DB) Export(ctx context.Context, f ExportFilter, price Pricer) (*Export, error) {
	var sessions []SessionInfo
	if f.Session != "" {
		s, err := db.FindMemberSession(ctx, f.Session, f.Member)
		if err != nil {
			return nil, err
		}
		sessions = []SessionInfo{s}
	} else {
		var err error
		if sessions, err = db.Sessions(ctx, f.SessionFilter); err != nil {
			return nil, err
		}
		// Oldest first reads better in a record.
		sort.SliceStable(sessions, func(i, j int) bool { return sessions[i].Started.Before(sessions[j].Started) })
	}
	var want map[string]bool
	if f.Prompts != nil {
		want = map[string]bool{}
		for _, p := range f.Prompts {
			want[p.Agent+"\x00"+p.SessionID+"\x00"+p.Key] = true
		}
	}
	x := &Export{Sessions: []ExportSession{}, Commits: []ExportCommit{}}
	commits := map[string]*ExportCommit{}
	for _, s := range sessions {
		if f.Agent != "" && s.Agent != f.Agent {
			continue // --session with --agent
		}
		d, err := db.Detail(ctx, s)
		if err != nil {
			return nil, err
		}
		usage, err := db.promptUsage(ctx, s.ID, price)
		if err != nil {
			return nil, err
		}
		linked, err := db.promptCommits(ctx, s)
		if err != nil {
			return nil, err
		}
		es := ExportSession{SessionInfo: s, Links: d.Links, Prompts: []ExportPrompt{}}
		// Summed in a fixed order, so that the same calls give the same
		// figure to the last digit, run after run.
		for _, id := range slices.Sorted(maps.Keys(usage)) {
			for _, u := range usage[id] {
				es.Cost += u.Cost
			}
		}
		inTime := func(t time.Time) bool {
			return (f.Since.IsZero() || !t.Before(f.Since)) && (f.Until.IsZero() || !t.After(f.Until))
		}
		// The preamble is linked to no commit: a commit range leaves it out.
		if pre := exportPreamble(d, usage[0]); pre != nil && want == nil && inTime(pre.Time) {
			es.Preamble = pre
		}
		for _, p := range d.Prompts {
			if want != nil && !want[s.Agent+"\x00"+s.SessionID+"\x00"+p.Key] {
				continue
			}
			if !inTime(p.Time) {
				continue
			}
			ep := newExportPrompt(p, usage[p.ID])
			for _, c := range linked[p.Key] {
				ep.Commits = append(ep.Commits, c.SHA)
				if commits[c.SHA] == nil {
					cc := c
					commits[c.SHA] = &cc
				}
				commits[c.SHA].Prompts++
			}
			es.Prompts = append(es.Prompts, ep)
		}
		if len(es.Prompts) == 0 && es.Preamble == nil && (want != nil || !f.Since.IsZero() || !f.Until.IsZero()) {
			continue
		}
		x.Sessions = append(x.Sessions, es)
	}
	for _, c := range commits {
		x.Commits = append(x.Commits, *c)
	}
	sort.Slice(x.Commits, func(i, j int) bool {
		if !x.Commits[i].CommittedAt.Equal(x.Commits[j].CommittedAt) {
			return x.Commits[i].CommittedAt.Before(x.Commits[j].CommittedAt)
		}
		return x.Commits[i].SHA < x.Commits[j].SHA
	})
	return x, nil
}

func newExportPrompt(p PromptDetail, usage []ModelTokens) ExportPrompt {
	ep := ExportPrompt{PromptDetail: p, Usage: usage, Commits: []string{}}
	if ep.Usage == nil {
		ep.Usage = []ModelTokens{}
	}
	for _, u := range ep.Usage {
		ep.Cost += u.Cost
	}
	return ep
}

// exportPreamble is d's preamble with its usage (the calls of no prompt),
// or nil when the agent did nothing before the first prompt. Its time is
// that of its first message, tool call or edit, else the session's start.
func exportPreamble(d *SessionDetail, usage []ModelTokens) *ExportPrompt {
	p := d.Preamble
	if len(p.Messages)+len(p.ToolCalls)+len(p.Edits)+len(usage) == 0 {
		return nil
	}
	first := func(t time.Time) {
		if !t.IsZero() && (p.Time.IsZero() || t.Before(p.Time)) {
			p.Time = t
		}
	}
	for _, m := range p.Messages {
		first(m.Time)
	}
	for _, c := range p.ToolCalls {
		first(c.Time)
	}
	for _, e := range p.Edits {
		first(e.Time)
	}
	if p.Time.IsZero() {
		p.Time = d.Started
	}
	ep := newExportPrompt(p, usage)
	return &ep
}

// EachText calls fn with every text field of the export that came from an
// agent's log, and whether it is a prompt (prompts are redacted with the
// prompt rules too), so that an export can be redacted again on its way out.
func (x *Export) EachText(fn func(prompt bool, s *string)) {
	for i := range x.Sessions {
		s := &x.Sessions[i]
		for _, p := range []*string{&s.Title, &s.Cwd, &s.GitRemote, &s.GitBranch} {
			fn(false, p)
		}
		for j := range s.Links {
			fn(false, &s.Links[j].URL)
			fn(false, &s.Links[j].Title)
		}
		var prompts []*ExportPrompt
		if s.Preamble != nil {
			prompts = append(prompts, s.Preamble)
		}
		for j := range s.Prompts {
			prompts = append(prompts, &s.Prompts[j])
		}
		for _, p := range prompts {
			fn(true, &p.Text)
			fn(true, &p.Context)
			fn(false, &p.Cwd)
			for k := range p.Messages {
				fn(false, &p.Messages[k].Text)
			}
			for k := range p.ToolCalls {
				fn(false, &p.ToolCalls[k].Input)
				fn(false, &p.ToolCalls[k].Output)
			}
			for k := range p.Edits {
				e := &p.Edits[k]
				for _, t := range []*string{&e.Path, &e.RelPath, &e.MovePath, &e.Diff} {
					fn(false, t)
				}
			}
		}
	}
}

// promptUsage sums a session's token usage per prompt and model, pricing
// each API call on its own.
func (db *DB) promptUsage(ctx context.Context, session int64, price Pricer) (map[int64][]ModelTokens, error) {
	out := map[int64][]ModelTokens{}
	err := db.each(ctx, `SELECT COALESCE(prompt_id, 0), model, `+tokenCols+`
		FROM token_usage WHERE session_id = ? AND `+usageCounts+` ORDER BY model, id`, []any{session}, func(r *sql.Rows) error {
		var pid int64
		var model string
		var t Tokens
		if err := r.Scan(append([]any{&pid, &model}, t.dest()...)...); err != nil {
			return err
		}
		t.scanned()
		list := out[pid]
		i := 0
		for i < len(list) && list[i].Model != model {
			i++
		}
		if i == len(list) {
			list = append(list, ModelTokens{Model: model})
		}
		list[i].Tokens.Add(t)
		if price != nil {
			if c, ok := price(model, t); ok {
				list[i].Cost += c
				list[i].Priced = true
			}
		}
		out[pid] = list
		return nil
	})
	return out, err
}

// promptCommits returns the annotated commits each prompt of a session is
// linked to as an author, by prompt key, oldest first; commits a rewrite
// replaced do not count (CommitCounts).
func (db *DB) promptCommits(ctx context.Context, s SessionInfo) (map[string][]ExportCommit, error) {
	out := map[string][]ExportCommit{}
	err := db.each(ctx, `SELECT cp.prompt_key, c.sha, c.committed_at, c.added_lines, c.ai_lines
		FROM commit_prompts cp JOIN commits c ON c.id = cp.commit_id
		WHERE cp.agent = ? AND cp.session = ? AND cp.role = 'author' AND `+db.dialect.member("cp")+` = ? AND `+CommitCounts+`
		ORDER BY c.committed_at, c.sha`,
		[]any{s.Agent, s.SessionID, s.Member}, func(r *sql.Rows) error {
			var key, at string
			var c ExportCommit
			if err := r.Scan(&key, &c.SHA, &at, &c.Added, &c.AI); err != nil {
				return err
			}
			c.CommittedAt = ParseTime(at)
			for _, o := range out[key] {
				if o.SHA == c.SHA {
					return nil // the same commit recorded for two repositories
				}
			}
			out[key] = append(out[key], c)
			return nil
		})
	return out, err
}
