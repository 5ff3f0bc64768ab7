package gitlog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// BlameOptions choose how far blame follows lines, as git blame's options do.
type BlameOptions struct {
	// Moves (-M) follows lines moved or copied within the file.
	Moves bool
	// Copies (-C, up to 3 times) follows lines moved or copied from other
	// files: of the same commit (1), of the commit that created the file
	// (2), of any commit (3).
	Copies int
	// Ranges are -L arguments as git takes them ("10,20", "10,+5",
	// ":funcname", "/regex/,+3"); none means the whole file.
	Ranges []string
}

// args returns the options as git blame arguments.
func (o BlameOptions) args() []string {
	var out []string
	if o.Moves {
		out = append(out, "-M")
	}
	for i := 0; i < min(o.Copies, 3); i++ {
		out = append(out, "-C")
	}
	for _, r := range o.Ranges {
		out = append(out, "-L", r)
	}
	return out
}

// BlameLine is one line of a file at a revision and where it came from.
type BlameLine struct {
	Line     int    // 1-based number in the blamed file
	Commit   Hash   // the commit that wrote the line as it is
	OrigPath string // the file in that commit (slash-separated, from the root)
	OrigLine int    // the line's number in that commit's version of OrigPath
	Text     string // without the line terminator
	// Boundary is set when the commit is where the history available here
	// ends (the shallow end of a shallow clone): the line may be older.
	Boundary bool
}

// BlameCommit is what blame reports of an origin commit.
type BlameCommit struct {
	Author     string
	AuthorTime time.Time
	Summary    string // the first line of its message
}

// Blame is the origin of every line of a file at a revision.
type Blame struct {
	Lines   []BlameLine
	Commits map[Hash]*BlameCommit
}

// Blame runs `git blame --porcelain` on path (relative to the root) as it is
// in commit rev. Git itself is the authority on how lines move: this is its
// algorithm, with its rename following and its -M/-C. Root commits are not
// boundaries (--root); commits the clone's shallow file lists are.
func (r *Repo) Blame(rev Hash, path string, opt BlameOptions) (*Blame, error) {
	args := append([]string{"blame", "--porcelain", "--root"}, opt.args()...)
	args = append(args, rev.String(), "--", path)
	out, err := r.git(nil, args...)
	if err != nil {
		return nil, fmt.Errorf("blame %s at %s: %w", path, shortHash(rev), err)
	}
	b, err := parsePorcelain(out)
	if err != nil {
		return nil, fmt.Errorf("blame %s at %s: %w", path, shortHash(rev), err)
	}
	shallow, err := r.shallowCommits()
	if err != nil {
		return nil, err
	}
	for i := range b.Lines {
		if shallow[b.Lines[i].Commit] {
			b.Lines[i].Boundary = true
		}
	}
	return b, nil
}

func shortHash(h Hash) string { return h.String()[:10] }

// shallowCommits lists the commits whose parents this clone lacks.
func (r *Repo) shallowCommits() (map[Hash]bool, error) {
	data, err := os.ReadFile(filepath.Join(r.commonDir, "shallow"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[Hash]bool{}
	for _, l := range strings.Fields(string(data)) {
		if h, err := ParseHash(l); err == nil {
			out[h] = true
		}
	}
	return out, nil
}

// parsePorcelain reads git blame's porcelain format: per group of lines a
// header "<sha> <orig line> <final line> [<count>]", the commit's details the
// first time it appears (and its "filename" whenever it may differ), then
// each line as a tab and its text.
func parsePorcelain(out []byte) (*Blame, error) {
	b := &Blame{Commits: map[Hash]*BlameCommit{}}
	paths := map[Hash]string{}
	boundary := map[Hash]bool{}
	var cur BlameLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), MaxDiffSize+1024)
	no := 0
	var authorTime int64
	for sc.Scan() {
		no++
		line := sc.Text()
		if strings.HasPrefix(line, "\t") {
			if b.Commits[cur.Commit] == nil {
				return nil, fmt.Errorf("porcelain line %d: a line before any commit header", no)
			}
			cur.Text = line[1:]
			cur.OrigPath = paths[cur.Commit]
			cur.Boundary = boundary[cur.Commit]
			b.Lines = append(b.Lines, cur)
			continue
		}
		key, val, _ := strings.Cut(line, " ")
		if len(key) == 40 && isHex(key) {
			f := strings.Fields(val)
			if len(f) < 2 {
				return nil, fmt.Errorf("porcelain line %d: want \"<sha> <orig> <final>\", got %q", no, line)
			}
			orig, err1 := strconv.Atoi(f[0])
			final, err2 := strconv.Atoi(f[1])
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("porcelain line %d: bad line numbers in %q", no, line)
			}
			cur = BlameLine{Commit: plumbing.NewHash(key), OrigLine: orig, Line: final}
			if b.Commits[cur.Commit] == nil {
				b.Commits[cur.Commit] = &BlameCommit{}
			}
			continue
		}
		c := b.Commits[cur.Commit]
		if c == nil {
			return nil, fmt.Errorf("porcelain line %d: %q before any commit header", no, line)
		}
		switch key {
		case "author":
			c.Author = val
		case "author-time":
			authorTime, _ = strconv.ParseInt(val, 10, 64)
			c.AuthorTime = time.Unix(authorTime, 0).UTC()
		case "author-tz":
			if loc, ok := parseTZ(val); ok {
				c.AuthorTime = c.AuthorTime.In(loc)
			}
		case "summary":
			c.Summary = val
		case "boundary":
			boundary[cur.Commit] = true
		case "filename":
			paths[cur.Commit] = unquoteGitPath(val)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return b, nil
}

// parseTZ reads git's "+0130" time zone offsets.
func parseTZ(s string) (*time.Location, bool) {
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		return nil, false
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[3:5])
	if err1 != nil || err2 != nil {
		return nil, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return time.FixedZone(s, off), true
}

// unquoteGitPath undoes git's C-style quoting of unusual path names
// ("a\tb", "\303\251"); plain names are returned as they are.
func unquoteGitPath(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			out = append(out, c)
			continue
		}
		i++
		e := s[i]
		if k := strings.IndexByte("abfnrtv", e); k >= 0 {
			out = append(out, "\a\b\f\n\r\t\v"[k])
			continue
		}
		if '0' <= e && e <= '3' && i+2 < len(s) {
			if n, err := strconv.ParseUint(s[i:i+3], 8, 8); err == nil {
				out = append(out, byte(n))
				i += 2
				continue
			}
		}
		out = append(out, e)
	}
	return string(out)
}
