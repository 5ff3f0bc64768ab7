package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// streams owns the command's input and output: where human output,
// diagnostics and progress go, and what the terminal allows (progress bars
// on a terminal only, colour unless NO_COLOR or TERM=dumb).
type streams struct {
	in       io.Reader
	out, err io.Writer
	progress bool // stderr is a terminal that takes a progress bar
	color    bool // stdout is a terminal that takes ANSI colours
}

func newStreams(in io.Reader, out, err io.Writer, getenv func(string) string) *streams {
	dumb := getenv("TERM") == "dumb"
	return &streams{
		in: in, out: out, err: err,
		progress: !dumb && isTerminal(err),
		color:    !dumb && getenv("NO_COLOR") == "" && isTerminal(out),
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// bar returns a progress bar on stderr; it draws nothing unless stderr is a
// terminal and show is true.
func (s *streams) bar(show bool) *progressBar {
	return &progressBar{w: s.err, on: s.progress && show, units: humanBytes}
}

// progressBar draws a one-line bar on a terminal; it is silent elsewhere.
type progressBar struct {
	w     io.Writer
	on    bool
	units func(int64) string // writes done and total (default: bytes)
	last  time.Time
	drawn bool
}

func (p *progressBar) update(done, total int64) {
	if !p.on || total <= 0 || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	frac := min(float64(done)/float64(total), 1)
	n := int(frac * width)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %s / %s", strings.Repeat("=", n), strings.Repeat(" ", width-n), frac*100,
		p.units(done), p.units(total))
	p.drawn = true
}

func (p *progressBar) clear() {
	if p.drawn {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 60))
		p.drawn = false
	}
}
