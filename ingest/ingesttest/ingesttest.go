// Package ingesttest builds corpora of agent session logs for the tests and
// benchmarks of the ingest pipeline: copies of real (or hand-written) logs,
// each copy with its ids rewritten so that it is a session of its own, laid
// out as the agents lay them out on disk. It knows the shape of ids in the
// logs and the two directory layouts, and nothing of decoding or storage.
package ingesttest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Template is one session log to copy.
type Template struct {
	Agent string // "codex" or "claude"
	// Rel is the log's slash-separated path below the agent's log
	// directory: sessions/ under a Codex home, projects/ under a Claude one.
	Rel  string
	Data []byte
}

// Load reads the logs below dir that match (a function of the path
// relative to dir, such as codex.Match or claude.Match), sorted by path.
func Load(agent, dir string, match func(rel string) bool) ([]Template, error) {
	var out []Template
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !match(rel) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, Template{Agent: agent, Rel: rel, Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load templates from %s: %w", dir, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rel < out[j].Rel })
	return out, nil
}

// Corpus is a written corpus.
type Corpus struct {
	Dir   string // holds codex/sessions/… and claude/projects/…
	Files int
	Bytes int64
}

// Sources returns the --source values (AGENT:PATH) that name the corpus.
func (c Corpus) Sources() []string {
	return []string{"codex:" + filepath.Join(c.Dir, "codex"), "claude:" + filepath.Join(c.Dir, "claude")}
}

// Write writes copies of the templates below dst, round after round (copy
// 1 of every template, then copy 2, …), until at least size bytes are
// written; a size of 0 writes one round. Copy k of a template lives in a
// directory of its own (the first element of its path gets a "-c<k>"
// suffix) and has its ids rewritten (see Rewrite), so that copies are
// distinct sessions with distinct API calls. Logs are written as the
// agents write them: dst/codex/sessions/… and dst/claude/projects/….
func Write(dst string, ts []Template, size int64) (Corpus, error) {
	c := Corpus{Dir: dst}
	if len(ts) == 0 {
		return c, fmt.Errorf("no templates")
	}
	spans := make([][][]int, len(ts))
	for i, t := range ts {
		spans[i] = idPattern.FindAllSubmatchIndex(t.Data, -1)
	}
	for k := 1; ; k++ {
		for i, t := range ts {
			rel := copyPath(Rewrite(t.Rel, k), k)
			p := filepath.Join(dst, t.Agent, agentDir(t.Agent), filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return c, err
			}
			data := rewrite(t.Data, spans[i], k)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return c, err
			}
			c.Files++
			c.Bytes += int64(len(data))
			if size > 0 && c.Bytes >= size {
				return c, nil
			}
		}
		if size <= 0 {
			return c, nil
		}
	}
}

func agentDir(agent string) string {
	if agent == "claude" {
		return "projects"
	}
	return "sessions"
}

// copyPath puts copy k of a log in a directory of its own.
func copyPath(rel string, k int) string {
	first, rest, ok := strings.Cut(rel, "/")
	if !ok {
		return fmt.Sprintf("c%d/%s", k, rel)
	}
	return fmt.Sprintf("%s-c%d/%s", first, k, rest)
}

// idPattern finds the ids that name sessions, lines and API calls:
// UUIDs (session ids, line uuids, Codex turn ids), Claude Code's message
// and request ids (the key of its token de-duplication across files) and
// sub-agent ids. Tool call ids need no rewriting: the store keys them by
// session.
var idPattern = regexp.MustCompile(`([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}` +
	`|\b(?:msg|req)_([A-Za-z0-9]{4,})` +
	`|agent-([0-9a-f]{4})[0-9a-f]{3,}` +
	`|"agentId":\s*"([0-9a-f]{4})[0-9a-f]{3,}"`)

// Rewrite returns data with its ids changed for copy k (k ≥ 1): the first
// 8 hex digits of a UUID and the first 4 of a sub-agent id are XORed with
// k, and message and request ids get k in 4 hex digits after their
// prefix. Within one copy, distinct ids stay distinct and lengths of UUIDs
// stay the same.
func Rewrite(s string, k int) string {
	data := []byte(s)
	return string(rewrite(data, idPattern.FindAllSubmatchIndex(data, -1), k))
}

func rewrite(data []byte, spans [][]int, k int) []byte {
	out := make([]byte, 0, len(data)+len(data)/64)
	last := 0
	for _, m := range spans {
		switch {
		case m[2] >= 0: // UUID
			out = append(out, data[last:m[2]]...)
			out = appendXOR(out, data[m[2]:m[3]], uint64(k), 8)
			last = m[3]
		case m[4] >= 0: // msg_/req_
			out = append(out, data[last:m[4]]...)
			out = fmt.Appendf(out, "%04x", k&0xffff)
			last = m[4]
		case m[6] >= 0:
			out = append(out, data[last:m[6]]...)
			out = appendXOR(out, data[m[6]:m[7]], uint64(k), 4)
			last = m[7]
		case m[8] >= 0:
			out = append(out, data[last:m[8]]...)
			out = appendXOR(out, data[m[8]:m[9]], uint64(k), 4)
			last = m[9]
		}
	}
	return append(out, data[last:]...)
}

// appendXOR appends the n hex digits of h XORed with k, as n hex digits.
func appendXOR(out, h []byte, k uint64, n int) []byte {
	v, err := strconv.ParseUint(string(h), 16, 64)
	if err != nil {
		return append(out, h...)
	}
	v ^= k & (1<<(4*n) - 1)
	return fmt.Appendf(out, "%0*x", n, v)
}
