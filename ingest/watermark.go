package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// Pending returns how many of files have bytes that were not ingested yet
// (or changed otherwise): the cheap check a hook makes before it builds
// anything else.
func Pending(ctx context.Context, db *store.DB, files []File) (int, error) {
	work, _, _, err := changed(ctx, db, files, Options{})
	return len(work), err
}

// changed returns the files whose size, modification time or inode differ
// from their watermark (all of them with Rebuild), and how many bytes they
// hold beyond it. A file that cannot be read (or is gone) is reported
// through opt.Warn ("path: reason; skipped"), counted in skipped and left
// out.
func changed(ctx context.Context, db *store.DB, files []File, opt Options) (work []File, total int64, skipped int, err error) {
	pathKey, err := db.PathKeyer(ctx)
	if err != nil {
		return nil, 0, 0, err
	}
	keys := make([]string, len(files))
	for i, f := range files {
		keys[i] = pathKey(f.Path)
	}
	known, err := db.Sources(ctx, keys)
	if err != nil {
		return nil, 0, 0, err
	}
	stats := statAll(files)
	for i, f := range files {
		size, mtime, ino, err := stats[i].size, stats[i].mtime, stats[i].ino, stats[i].err
		if err != nil {
			skipped++
			if opt.Warn != nil {
				opt.Warn(fmt.Sprintf("%s: %v; skipped", f.Path, unwrapPath(err)))
			}
			continue
		}
		s, ok := known[keys[i]]
		if ok && !opt.Rebuild && s.Size == size && s.MtimeNS == mtime && s.Inode == ino {
			continue
		}
		work = append(work, f)
		if ok && !opt.Rebuild && s.Offset <= size {
			total += size - s.Offset
		} else {
			total += size
		}
	}
	return work, total, skipped, nil
}

// unwrapPath drops the path an *fs.PathError repeats: the warning names it
// first.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// status is what statSource returns.
type status struct {
	size, mtime, ino int64
	err              error
}

// statAll takes the status of each of files (statSource), several at a
// time: with thousands of logs, a run with nothing new spends most of its
// time waiting on the kernel for them, and the walk of the directories
// that found them.
func statAll(files []File) []status {
	out := make([]status, len(files))
	concurrently(len(files), min(len(files)/64+1, 8), func(i int) {
		s := &out[i]
		s.size, s.mtime, s.ino, s.err = statSource(files[i])
	})
	return out
}

// concurrently calls fn(i) for each i below n, in at most workers
// goroutines at a time, and returns when all calls have.
func concurrently(n, workers int, fn func(i int)) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// statSource returns what a source's watermark compares: a log's size,
// modification time and inode, or a collection source's fingerprint.
func statSource(f File) (size, mtime, ino int64, err error) {
	if colls := collections(f); len(colls) > 0 {
		return fingerprint(f, colls)
	}
	fi, err := os.Stat(f.Path)
	if err != nil {
		return 0, 0, 0, err
	}
	return fi.Size(), fi.ModTime().UnixNano(), inode(fi), nil
}

func inode(fi os.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int64(st.Ino)
	}
	return 0
}

// headHash hashes the first n bytes of f, returning how many there were.
func headHash(f *os.File, n int) (string, int, error) {
	buf := make([]byte, n)
	m, err := f.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		return "", 0, err
	}
	h := sha256.Sum256(buf[:m])
	return hex.EncodeToString(h[:]), m, nil
}

// unreadableError is the error of a log that cannot be read (opened, its
// status taken, read): it is skipped with a warning that says why.
type unreadableError struct{ err error }

func (e unreadableError) Error() string { return e.err.Error() }
func (e unreadableError) Unwrap() error { return e.err }

// unreadable wraps an error reading a log.
func unreadable(err error) error {
	return unreadableError{unwrapPath(err)}
}

// opened is a log opened for a batch: its watermark (reset when the log
// must be read again from the start), its decoder, and the file positioned
// at the watermark's offset.
type opened struct {
	src    store.Watermark
	fh     *os.File
	fi     os.FileInfo
	dec    Decoder
	whole  bool // read whole as one line (Agent.Whole)
	replay bool // read whole in one batch, line by line (Agent.Replay)
}

// open opens log f for a batch in b: finds its watermark (creating the
// source), decides whether the log must be read again from the start
// (replaced, truncated, rewritten, rebuilt, an older decoder state), and
// creates its decoder.
func (r *run) open(b *store.Batch, f File, key string, first bool) (*opened, error) {
	shown, _ := r.red.Text(redact.ScopeField, f.Path) // the path as stored: redacted like everything else
	src, err := b.Source(f.Agent.Name, key, shown)
	if err != nil {
		return nil, err
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		return nil, unreadable(err)
	}
	o := &opened{fh: fh}
	fail := func(err error) (*opened, error) {
		fh.Close()
		return nil, err
	}
	if o.fi, err = fh.Stat(); err != nil {
		return fail(unreadable(err))
	}
	o.whole = f.Agent.Whole != nil && f.Agent.Whole(f.Path)
	o.replay = f.Agent.Replay != nil && f.Agent.Replay(f.Path)
	reset := first && r.opt.Rebuild
	switch {
	case src.Inode != 0 && src.Inode != inode(o.fi):
		reset = true // replaced by another file
	case o.fi.Size() < src.Offset:
		reset = true // truncated
	case (o.whole || o.replay) && src.Offset > 0 && (o.fi.Size() != src.Size || o.fi.ModTime().UnixNano() != src.MtimeNS):
		reset = true // rewritten whole, or a log to replay from its start
	case src.HeadLen > 0:
		h, n, err := headHash(fh, src.HeadLen)
		if err != nil {
			return fail(unreadable(err))
		}
		if n != src.HeadLen || h != src.HeadHash {
			reset = true // rewritten in place
		}
	}
	if reset && src.Offset > 0 {
		if err := b.ResetSource(src.ID); err != nil {
			return fail(err)
		}
		r.sum.Resets++
	}
	if reset {
		src = store.Watermark{ID: src.ID, Agent: src.Agent, Path: src.Path}
	}
	if o.dec, err = f.Agent.New(f.Path, src.State); err != nil {
		// A state this decoder cannot read (an older aitrail's): start over.
		if err := b.ResetSource(src.ID); err != nil {
			return fail(err)
		}
		src = store.Watermark{ID: src.ID, Agent: src.Agent, Path: src.Path}
		if o.dec, err = f.Agent.New(f.Path, nil); err != nil {
			return fail(err)
		}
	}
	src.Agent = f.Agent.Name
	o.src = src
	if _, err := fh.Seek(src.Offset, io.SeekStart); err != nil {
		return fail(unreadable(err))
	}
	return o, nil
}

// close saves the watermark of a batch that read n bytes of the log, in
// the batch's transaction. more says that the batch stopped before the
// log's end: the watermark's size is then unknown (-1), so that a run
// stopped before the next batch (a hook's budget, an interrupt) leaves the
// log for the next run to go on with, instead of a status that says it
// was read.
func (r *run) close(b *store.Batch, o *opened, n int64, more bool) error {
	defer o.fh.Close()
	o.src.Offset += n
	state, err := o.dec.State()
	if err != nil {
		return fmt.Errorf("decoder state: %w", err)
	}
	o.src.State = r.redactState(state)
	o.src.Size, o.src.MtimeNS, o.src.Inode = o.fi.Size(), o.fi.ModTime().UnixNano(), inode(o.fi)
	if more {
		o.src.Size = -1
	}
	if o.src.HeadLen < 1024 {
		n := int(min(o.src.Offset, 1024))
		if o.src.HeadHash, o.src.HeadLen, err = headHash(o.fh, n); err != nil {
			return unreadable(err)
		}
	}
	return b.SaveSource(o.src)
}
