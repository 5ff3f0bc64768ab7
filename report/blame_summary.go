package report

import (
	"context"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aitrail/aitrail/gitlog"
)

// Share counts the non-blank lines of a file, a directory or everything.
type Share struct {
	Path    string `json:"path,omitempty"` // a file, or a directory ending in "/"
	Lines   int    `json:"lines"`
	AI      int    `json:"ai"`
	Human   int    `json:"human"`
	Unknown int    `json:"unknown"`
}

func (s *Share) add(o Share) {
	s.Lines += o.Lines
	s.AI += o.AI
	s.Human += o.Human
	s.Unknown += o.Unknown
}

// AgentShare counts the lines one agent and model wrote.
type AgentShare struct {
	Agent string `json:"agent"`
	Model string `json:"model"`
	Lines int    `json:"lines"`
}

// UnknownCommit is a commit whose lines count as unknown, and why.
type UnknownCommit struct {
	Commit  string    `json:"commit"`
	Author  string    `json:"author"`
	Time    time.Time `json:"time"`
	Summary string    `json:"summary"`
	Lines   int       `json:"lines"`
	Why     string    `json:"why"`
	// Gaps name the remotes whose notes may have the commit's, when Why is
	// UnknownUnfetched.
	Gaps []gitlog.NotesGap `json:"notesGaps,omitempty"`
}

// Summary is the share of a tree's non-blank lines that agents wrote.
type Summary struct {
	Commit  string          `json:"commit"`
	Total   Share           `json:"total"`
	Agents  []AgentShare    `json:"agents"`
	Dirs    []Share         `json:"directories"`
	Files   []Share         `json:"files"`
	Unknown []UnknownCommit `json:"unknownCommits"`
	Skipped []string        `json:"skipped"` // binary or too large to have lines
}

// fileResult is one file's blame, counted.
type fileResult struct {
	share   Share
	agents  map[[2]string]int
	unknown map[gitlog.Hash]*UnknownCommit
	err     error
}

// Summarize blames each of files (slash paths from the root) at rev, as
// many at a time as there are CPUs (each is one git process), and counts
// their non-blank lines by agent, person and unknown. progress, when set,
// is called from the caller's goroutine after each file.
func Summarize(ctx context.Context, repo *gitlog.Repo, ix *NoteIndex, rev gitlog.Hash, files []string, opt BlameOptions, progress func(done, total int)) (*Summary, error) {
	jobs := make(chan string)
	results := make(chan fileResult)
	var wg sync.WaitGroup
	for range max(1, min(runtime.NumCPU(), len(files))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				results <- summarizeFile(repo, ix, rev, f, opt)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, f := range files {
			select {
			case jobs <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	s := &Summary{Commit: rev.String(), Agents: []AgentShare{}, Dirs: []Share{}, Files: []Share{}, Unknown: []UnknownCommit{}}
	dirs := map[string]*Share{}
	agents := map[[2]string]int{}
	unknown := map[gitlog.Hash]*UnknownCommit{}
	var firstErr error
	done := 0
	for r := range results {
		done++
		if r.err != nil {
			if firstErr == nil {
				firstErr = r.err
			}
			continue
		}
		s.Files = append(s.Files, r.share)
		s.Total.add(r.share)
		for d := dirOf(r.share.Path); d != ""; d = dirOf(strings.TrimSuffix(d, "/")) {
			if dirs[d] == nil {
				dirs[d] = &Share{Path: d}
			}
			dirs[d].add(r.share)
		}
		for k, n := range r.agents {
			agents[k] += n
		}
		for h, u := range r.unknown {
			if have := unknown[h]; have != nil {
				have.Lines += u.Lines
			} else {
				unknown[h] = u
			}
		}
		if progress != nil {
			progress(done, len(files))
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Slice(s.Files, func(i, j int) bool { return s.Files[i].Path < s.Files[j].Path })
	for _, d := range dirs {
		s.Dirs = append(s.Dirs, *d)
	}
	sort.Slice(s.Dirs, func(i, j int) bool { return s.Dirs[i].Path < s.Dirs[j].Path })
	for k, n := range agents {
		s.Agents = append(s.Agents, AgentShare{Agent: k[0], Model: k[1], Lines: n})
	}
	sort.Slice(s.Agents, func(i, j int) bool {
		a, b := s.Agents[i], s.Agents[j]
		if a.Lines != b.Lines {
			return a.Lines > b.Lines
		}
		return a.Agent+"\x00"+a.Model < b.Agent+"\x00"+b.Model
	})
	var noNote []gitlog.Hash
	for h, u := range unknown {
		if u.Why == UnknownNoNote {
			noNote = append(noNote, h)
		}
	}
	gaps, err := ix.unfetched(noNote)
	if err != nil {
		return nil, err
	}
	for h, u := range unknown {
		if g := gaps[h]; g != nil {
			u.Why, u.Gaps = UnknownUnfetched, g
		}
		s.Unknown = append(s.Unknown, *u)
	}
	sort.Slice(s.Unknown, func(i, j int) bool {
		a, b := s.Unknown[i], s.Unknown[j]
		if a.Lines != b.Lines {
			return a.Lines > b.Lines
		}
		return a.Commit < b.Commit
	})
	return s, nil
}

// dirOf returns the directory holding p, with a trailing "/" ("" at the root).
func dirOf(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i+1]
}

// summarizeFile blames one file and counts its non-blank lines.
func summarizeFile(repo *gitlog.Repo, ix *NoteIndex, rev gitlog.Hash, path string, opt BlameOptions) fileResult {
	r := fileResult{share: Share{Path: path}, agents: map[[2]string]int{}, unknown: map[gitlog.Hash]*UnknownCommit{}}
	b, err := repo.Blame(rev, path, opt.BlameOptions)
	if err == nil {
		err = ix.learn(b.Commits)
	}
	if err != nil {
		r.err = err
		return r
	}
	for _, l := range b.Lines {
		if strings.TrimSpace(l.Text) == "" {
			continue
		}
		r.share.Lines++
		_, conv, unknown, err := ix.origin(l)
		if err != nil {
			r.err = err
			return r
		}
		switch {
		case conv != nil:
			r.share.AI++
			r.agents[[2]string{conv.agent, conv.model}]++
		case unknown != "":
			r.share.Unknown++
			u := r.unknown[l.Commit]
			if u == nil {
				c := b.Commits[l.Commit]
				u = &UnknownCommit{Commit: l.Commit.String(), Author: c.Author, Time: c.AuthorTime, Summary: opt.redact(c.Summary), Why: unknown}
				r.unknown[l.Commit] = u
			}
			u.Lines++
		default:
			r.share.Human++
		}
	}
	return r
}
