package redact

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"slices"
)

// Position is where a finding starts or ends in a stream: its line and its
// byte column, both from 1.
type Position struct {
	Line, Column int
}

// streamPiece is how many bytes of a stream Stream scans at a time, and
// streamOverlap how many of them it scans twice: the pieces overlap so that
// a value across their border is seen whole in one of them.
const (
	streamPiece   = 1 << 20
	streamOverlap = 64 << 10
)

// Stream finds what Text(scope, …) would in what r holds, reading it in
// pieces of about a mebibyte: memory follows the piece, not the input. It
// calls fn with each finding (its Start and End offsets in the whole
// input) and the positions of its first and last byte, in the order of
// their starts. Each piece overlaps its neighbours by 64 KiB and gives the
// findings that start in its middle: a value that starts within 64 KiB of
// a border is found in the piece that holds that much on both sides of it,
// and no finding is given twice. head, when not nil, is given the first
// bytes of the input (up to 8000) before anything is scanned; an error it
// returns stops the scan and is returned.
func (e *Engine) Stream(scope Scope, r io.Reader, head func([]byte) error, fn func(f Finding, start, end Position)) error {
	buf := make([]byte, 0, streamPiece+2*streamOverlap)
	var (
		base    int64 // offset of buf[0] in the input
		line    = 1   // the line of buf[0]
		lineAt  int64 // offset where that line starts
		owned   int   // buf[:owned] was given by the piece before
		headed  = head == nil
		reached bool
	)
	for {
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			reached = true
		case err != nil:
			return err
		}
		if !headed {
			headed = true
			if err := head(buf[:min(len(buf), 8000)]); err != nil {
				return err
			}
		}
		// The piece gives the findings that start before its last
		// streamOverlap bytes (all of them at the end of the input).
		until := len(buf)
		if !reached {
			until = len(buf) - streamOverlap
		}
		text := string(buf)
		_, fs := e.Text(scope, text)
		slices.SortStableFunc(fs, func(a, b Finding) int {
			if a.Start != b.Start {
				return cmp.Compare(a.Start, b.Start)
			}
			return cmp.Compare(b.End, a.End)
		})
		starts := lineStarts(buf)
		pos := func(off int) Position {
			i := lineIndex(starts, off)
			if i == 0 {
				return Position{Line: line, Column: int(base + int64(off) - lineAt + 1)}
			}
			return Position{Line: line + i, Column: off - starts[i] + 1}
		}
		for _, f := range fs {
			if f.Start < owned || f.Start >= until {
				continue
			}
			start, end := pos(f.Start), pos(max(f.Start, f.End-1))
			f.Start, f.End = int(base)+f.Start, int(base)+f.End
			fn(f, start, end)
		}
		if reached {
			return nil
		}
		// Keep the last 2*streamOverlap bytes: the next piece starts
		// streamOverlap before the first byte it gives.
		drop := until - streamOverlap
		if i := bytes.LastIndexByte(buf[:drop], '\n'); i >= 0 {
			line += bytes.Count(buf[:drop], []byte{'\n'})
			lineAt = base + int64(i) + 1
		}
		base += int64(drop)
		owned = until - drop
		buf = append(buf[:0], buf[drop:]...)
	}
}

// lineStarts returns the offsets in b after each newline, with 0 first.
func lineStarts(b []byte) []int {
	starts := []int{0}
	for i, c := range b {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineIndex returns the index in starts of the line holding offset off.
func lineIndex(starts []int, off int) int {
	lo, hi := 0, len(starts)
	for hi-lo > 1 {
		m := (lo + hi) / 2
		if starts[m] <= off {
			lo = m
		} else {
			hi = m
		}
	}
	return lo
}
