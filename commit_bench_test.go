package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/ingest/claude"
	"github.com/aitrail/aitrail/ingest/ingesttest"
)

// BenchmarkCommit measures what the hooks add to a git commit, with the
// binary built from this tree, against a history of agent logs already
// ingested: 600 logs of real size (about 200 MB) or 6,000 logs cut to their
// first 16 KiB (about 90 MB; what the hooks must not depend on is the
// number of logs). The same commits are made in a repository without hooks
// and in one with aitrail's hooks installed, alternating, in two cases: an
// agent session working in the repository wrote a line to its log since
// the last commit, or nothing was written. It reports the medians of each,
// wall time and CPU time (user + system, the hooks' processes included),
// and the overheads: the hooks' commit minus the bare one.
//
//	go test -run '^$' -bench Commit -benchtime 20x .
func BenchmarkCommit(b *testing.B) {
	type setup struct {
		e            *benchEnv
		size         int64
		bare, hooked string
		agent        *liveSession
		commit       func(repo string, i int) cost
	}
	setups := map[int]*setup{} // go test runs each sub-benchmark twice (b.N = 1 first): set up once
	for _, bc := range []struct {
		logs, head int
	}{{600, 0}, {6000, 16 << 10}} {
		b.Run(fmt.Sprintf("logs=%d", bc.logs), func(sb *testing.B) {
			s := setups[bc.logs]
			if s == nil {
				s = &setup{e: newBenchEnv(b, fmt.Sprintf("commit-%d", bc.logs))}
				e := s.e
				s.size = e.corpus(bc.logs, bc.head)
				e.run(e.dir, "aitrail", "ingest", "--quiet")
				s.bare, s.hooked = filepath.Join(e.home, "src", "bare"), filepath.Join(e.home, "src", "hooked")
				for _, r := range []string{s.bare, s.hooked} {
					e.run(e.dir, "git", "init", "-q", r)
					e.run(r, "git", "commit", "-q", "--allow-empty", "-m", "init")
				}
				e.run(s.hooked, "aitrail", "install")
				s.agent = newLiveSession(b, e, s.hooked)
				n := 0
				s.commit = func(repo string, i int) cost {
					n++
					os.WriteFile(filepath.Join(repo, "file.txt"), []byte(fmt.Sprintf("line %d\n", n)), 0o644)
					e.run(repo, "git", "add", "file.txt")
					return e.run(repo, "git", "commit", "-q", "-m", fmt.Sprint(n))
				}
				// The first hooked commit annotates the repository's history.
				s.agent.write()
				s.commit(s.hooked, 0)
				setups[bc.logs] = s
			}
			var wall, cpu [4]durations // bare, hooks with a new line, bare, hooks with nothing new
			sb.ResetTimer()
			for i := 1; i <= sb.N; i++ {
				for k, repo := range []string{s.bare, s.hooked, s.bare, s.hooked} {
					if k == 1 {
						s.agent.write() // the agent keeps working
					}
					c := s.commit(repo, i*4+k)
					wall[k], cpu[k] = append(wall[k], c.wall), append(cpu[k], c.cpu)
				}
			}
			sb.StopTimer()
			over := func(d [4]durations, k int) float64 { return ms(d[k].median() - d[k-1].median()) }
			sb.ReportMetric(ms(wall[0].median()), "ms-bare")
			sb.ReportMetric(ms(wall[1].median()), "ms-new")
			sb.ReportMetric(ms(wall[3].median()), "ms-idle")
			sb.ReportMetric(over(wall, 1), "ms-over-new")
			sb.ReportMetric(over(wall, 3), "ms-over-idle")
			sb.ReportMetric(over(cpu, 1), "cpu-ms-over-new")
			sb.ReportMetric(over(cpu, 3), "cpu-ms-over-idle")
			sb.ReportMetric(float64(s.size)/(1<<20), "MB-logs")
			sb.Logf("logs=%d: bare %s, new line %s, nothing new %s (wall); CPU: bare %s, new line %s, nothing new %s",
				bc.logs, wall[0].spread(), wall[1].spread(), wall[3].spread(), cpu[0].spread(), cpu[1].spread(), cpu[3].spread())
			s.e.keep("commit with the hooks", "git", "-C", s.hooked, "commit", "--allow-empty", "-m", "x")
		})
	}
}

// liveSession is an agent session working in a repository: each write
// appends the next line of the demo Claude Code session to its log, as
// the agent wrote it now.
type liveSession struct {
	tb    testing.TB
	repo  string
	path  string
	lines []string
	n     int
}

func newLiveSession(tb testing.TB, e *benchEnv, repo string) *liveSession {
	tb.Helper()
	data, err := os.ReadFile(demoClaudePath)
	if err != nil {
		tb.Fatal(err)
	}
	s := &liveSession{tb: tb, repo: repo, lines: strings.SplitAfter(strings.TrimSpace(string(data)), "\n")}
	dir := filepath.Join(e.logs, "claude", "projects", claude.ProjectDir(repo))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	s.path = filepath.Join(dir, "5b7c9d2e-3f41-4a6b-8c9d-000000000001.jsonl")
	return s
}

func (s *liveSession) write() {
	line := s.lines[s.n%len(s.lines)]
	line = ingesttest.Rewrite(line, s.n/len(s.lines)+1) // a new round of the session: new ids
	line = strings.ReplaceAll(line, `"cwd":"/home/dev/todo-api"`, `"cwd":"`+s.repo+`"`)
	line = timestamp.ReplaceAllLiteralString(line, `"timestamp":"`+time.Now().UTC().Format("2006-01-02T15:04:05.000Z")+`"`)
	if !strings.HasSuffix(line, "\n") {
		line += "\n"
	}
	s.n++
	f, err := os.OpenFile(s.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line); err != nil {
		s.tb.Fatal(err)
	}
}

var timestamp = regexp.MustCompile(`"timestamp":"[^"]*"`)

const demoClaudePath = "testdata/demo/claude/projects/-home-dev-todo-api/5b7c9d2e-3f41-4a6b-8c9d-0e1f2a3b4c5d.jsonl"
