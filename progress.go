package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// progressBar draws a one-line bar on a terminal; it is silent elsewhere.
type progressBar struct {
	w     io.Writer
	on    bool
	last  time.Time
	drawn bool
}

func (p *progressBar) update(done, total int64) {
	if !p.on || total <= 0 || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	frac := float64(done) / float64(total)
	if frac > 1 {
		frac = 1
	}
	n := int(frac * width)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %s / %s", strings.Repeat("=", n), strings.Repeat(" ", width-n), frac*100,
		humanBytes(done), humanBytes(total))
	p.drawn = true
}

func (p *progressBar) clear() {
	if p.drawn {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 60))
		p.drawn = false
	}
}

// repoRootOf returns the git worktree containing dir, or "".
func repoRootOf(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
