package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aitrail/aitrail/store"
)

// The read-ahead of a batch. One goroutine reads the batch's lines and
// decodes them in order (a decoder is a state machine: line n+1 depends on
// line n); the redaction of each line and of its records, the CPU work of
// ingest, runs on a pool of workers, one per core; the writer (the run's
// goroutine, the only one that uses the transaction) stores the lines in
// order as they are ready. Lines whose records need the database to be
// redacted (scoped manual redactions look records up) are redacted by the
// writer. What is in flight is bounded in bytes, so that memory follows
// the longest line, not the log.

// inFlight bounds the bytes of lines read ahead of the writer.
const inFlight = 16 << 20

// cutWindow is how far past MaxLine a line longer than it is kept for
// redaction, so that a secret across the cut is seen whole before the line
// is cut.
const cutWindow = 64 << 10

// lineJob is one line on its way from the reader to the writer: read and
// decoded by the reader, redacted by a worker (or the writer), stored by
// the writer.
type lineJob struct {
	no      int
	off     int64
	content []byte         // the line as the agent wrote it
	recs    []store.Record // decoded from it
	derr    error          // the decoder's complaint: the line is malformed
	root    string         // the repository whose rules apply
	err     error          // why the line cannot be stored (ErrRepoRules)
	agent   string
	long    int64         // the size of a line longer than MaxLine (0: not longer)
	ready   chan struct{} // closed once p is set
	p       prepared
}

// startWorkers starts the redaction workers of the run.
func (r *run) startWorkers() {
	n := runtime.GOMAXPROCS(0)
	r.work = make(chan *lineJob, n)
	for range n {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for j := range r.work {
				j.p = r.prepare(nil, j)
				close(j.ready)
			}
		}()
	}
}

func (r *run) stopWorkers() {
	close(r.work)
	r.wg.Wait()
}

// readResult is what the reader of a batch did, once its queue is closed.
type readResult struct {
	last int   // the number of the last line read
	n    int64 // bytes read
	err  error // a read error
}

// batch reads at most BatchBytes of new lines of log f in b.
func (r *run) batch(ctx context.Context, b *store.Batch, f File, key string, first bool) (batchResult, error) {
	o, err := r.open(b, f, key, first)
	if err != nil {
		return batchResult{}, err
	}
	defer o.fh.Close()
	r.sidecars(f, o.dec)
	if u, ok := o.dec.(Undated); ok {
		u.ModTime(o.fi.ModTime().UTC())
	}
	if err := r.resume(b, o.src); err != nil {
		return batchResult{}, err
	}
	var res readResult
	if o.whole {
		res, err = r.readWhole(b, o)
	} else {
		limit := r.opt.BatchBytes
		if o.replay {
			limit = math.MaxInt64 // the whole log, or its records are not known
		}
		res, err = r.readLines(b, o, f.Path, limit)
	}
	if err != nil {
		return batchResult{}, err
	}
	o.src.Line = res.last
	if err := r.flush(b, &o.src, f.Path, o.dec); err != nil {
		return batchResult{}, err
	}
	more := !o.whole && !o.replay && res.n >= r.opt.BatchBytes
	if err := r.close(b, o, res.n, more); err != nil {
		return batchResult{}, err
	}
	return batchResult{read: res.n, more: more}, nil
}

// readWhole reads a log rewritten whole (Agent.Whole) as one line, up to
// MaxLine bytes of it.
func (r *run) readWhole(b *store.Batch, o *opened) (readResult, error) {
	data, err := io.ReadAll(io.LimitReader(o.fh, int64(r.opt.MaxLine)+cutWindow))
	if err != nil {
		return readResult{}, unreadable(err)
	}
	res := readResult{last: 1, n: int64(len(data))}
	if len(data) > r.opt.MaxLine {
		// The rest is not read: the file is taken as read to its end.
		res.n = max(res.n, o.fi.Size())
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return res, nil
	}
	j := r.decode(o.src.Agent, o.dec, 1, 0, data, res.n)
	j.p = r.prepare(b, j)
	return res, r.write(b, &o.src, o.fh.Name(), j)
}

// readLines reads the lines of o from its offset, up to limit bytes, and
// stores them.
func (r *run) readLines(b *store.Batch, o *opened, path string, limit int64) (readResult, error) {
	queue := make(chan *lineJob, 64)
	stop := make(chan struct{})
	var once sync.Once
	halt := func() { once.Do(func() { close(stop) }) }
	defer halt()
	budget := newGate(inFlight, stop)
	var res readResult
	go func() {
		defer close(queue)
		res = r.readAhead(o, limit, queue, budget, stop)
	}()
	var werr error
	for j := range queue {
		if werr == nil {
			if r.loc != nil {
				j.p = r.prepare(b, j) // its records are located in the database
			} else {
				<-j.ready
			}
			if werr = r.write(b, &o.src, path, j); werr != nil {
				halt() // the reader gives up; the queue is drained
			}
		}
		budget.release(int64(len(j.content)))
	}
	// The queue is closed: the reader is done, res is set.
	if werr != nil {
		return res, werr
	}
	return res, res.err
}

// readAhead reads and decodes the lines of o for the writer, up to limit
// bytes, handing each to the workers (or leaving it to the writer) and
// queueing it in order.
func (r *run) readAhead(o *opened, limit int64, queue chan<- *lineJob, budget *gate, stop <-chan struct{}) readResult {
	res := readResult{last: o.src.Line}
	if r.lr == nil {
		r.lr = newLineReader(o.fh, r.opt.MaxLine)
	}
	lr := r.lr // one batch is read at a time
	lr.br.Reset(o.fh)
	for res.n < limit {
		line, size, err := lr.next()
		if err == io.EOF {
			return res // nothing left, or a partial line that waits for the next run
		}
		if err != nil {
			res.err = unreadable(err)
			return res
		}
		no, off := res.last+1, o.src.Offset+res.n
		res.n += size
		res.last++
		content := bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(content)) == 0 {
			continue
		}
		if !budget.acquire(int64(len(content))) {
			return res
		}
		content = bytes.Clone(content) // the reader's buffer is reused
		j := r.decode(o.src.Agent, o.dec, no, off, content, int64(len(content))+size-int64(len(line)))
		if r.loc == nil {
			select {
			case r.work <- j:
			case <-stop:
				return res
			}
		}
		select {
		case queue <- j:
		case <-stop:
			return res
		}
	}
	return res
}

// lineReader reads complete lines, keeping at most keep bytes of each:
// the rest of a longer line is read and dropped, so that memory is bounded
// by keep, not by the line.
type lineReader struct {
	br   *bufio.Reader
	buf  []byte
	keep int
}

// newLineReader returns a reader of lines that keeps max bytes of each,
// and a window beyond (see cutWindow).
func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 256<<10), keep: max + cutWindow}
}

// next returns the next complete line, including its newline (cut to
// keep bytes), and its whole size; io.EOF when none is complete.
func (lr *lineReader) next() (line []byte, size int64, err error) {
	lr.buf = lr.buf[:0]
	keep := lr.keep
	for {
		chunk, err := lr.br.ReadSlice('\n')
		switch {
		case err == nil || errors.Is(err, bufio.ErrBufferFull):
			size += int64(len(chunk))
			if room := keep - len(lr.buf); room > 0 {
				lr.buf = append(lr.buf, chunk[:min(len(chunk), room)]...)
			}
			if err == nil {
				return lr.buf, size, nil
			}
		case err == io.EOF:
			return nil, 0, io.EOF
		default:
			return nil, 0, err
		}
	}
}

// decode decodes one line (in the reader, in order) and finds the
// repository whose rules apply to it; size is the line's whole size, of
// which content may be only the start. A line longer than MaxLine is not
// given to the decoder: it is malformed, and stored cut.
func (r *run) decode(agent string, dec Decoder, no int, off int64, content []byte, size int64) *lineJob {
	j := &lineJob{no: no, off: off, content: content, agent: agent, ready: make(chan struct{})}
	if size > int64(r.opt.MaxLine) {
		j.long = size
		j.derr = fmt.Errorf("a line of %d bytes, longer than the cap of %d (ingest.max_line): stored cut, not decoded", size, r.opt.MaxLine)
	} else {
		derr := dec.Line(no, content, func(rec store.Record) { j.recs = append(j.recs, rec) })
		var rejected error
		j.recs, rejected = rejectUsage(j.recs)
		j.derr = errors.Join(derr, rejected)
	}
	j.root, j.err = r.lineRoot(agent, j.recs)
	return j
}

// cutLine cuts the redacted start of a line of size bytes, longer than
// maxLine, at maxLine or a little before (not inside a character), and
// says so at its end.
func cutLine(red []byte, maxLine int, size int64) []byte {
	if len(red) > maxLine {
		n := maxLine
		for n > 0 && !utf8.RuneStart(red[n]) {
			n--
		}
		red = red[:n]
	}
	return fmt.Appendf(red[:len(red):len(red)], "… [aitrail: a line of %d bytes, cut to %d]", size, len(red))
}

// gate bounds the bytes in flight between a reader and a writer: acquire
// waits until they fit (one item bigger than the bound passes alone).
type gate struct {
	mu   sync.Mutex
	cond *sync.Cond
	used int64
	max  int64
	stop <-chan struct{}
}

func newGate(max int64, stop <-chan struct{}) *gate {
	g := &gate{max: max, stop: stop}
	g.cond = sync.NewCond(&g.mu)
	go func() {
		<-stop
		g.mu.Lock()
		g.cond.Broadcast()
		g.mu.Unlock()
	}()
	return g
}

// acquire takes n bytes, waiting for room; false once stop is closed.
func (g *gate) acquire(n int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.used > 0 && g.used+n > g.max {
		select {
		case <-g.stop:
			return false
		default:
		}
		g.cond.Wait()
	}
	g.used += n
	return true
}

func (g *gate) release(n int64) {
	g.mu.Lock()
	g.used -= n
	g.cond.Broadcast()
	g.mu.Unlock()
}

// maxSidecar caps the bytes read of a sidecar file: they are a few lines.
const maxSidecar = 64 << 10

// sidecars hands the decoder the files its agent keeps beside the log,
// redacted; one that cannot be read is skipped (it only adds context).
func (r *run) sidecars(f File, dec Decoder) {
	sd, ok := dec.(SidecarDecoder)
	if !ok || f.Agent.Sidecars == nil {
		return
	}
	for _, p := range f.Agent.Sidecars(f.Path) {
		fh, err := os.Open(p)
		if err != nil {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(fh, maxSidecar))
		fh.Close()
		if err != nil {
			continue
		}
		red, _ := r.red.JSON(data)
		sd.Sidecar(p, red)
	}
}

// write stores a prepared line and its records (the writer).
func (r *run) write(b *store.Batch, src *store.Watermark, path string, j *lineJob) error {
	if j.err != nil {
		return j.err
	}
	r.sum.Lines++
	for _, f := range j.p.findings {
		r.sum.Redactions[f.RuleID]++
	}
	if err := b.AddRaw(src.ID, j.no, j.off, j.p.stored, StoreFindings(j.p.findings)); err != nil {
		return err
	}
	if j.derr != nil {
		r.bad(src, path, j.no, j.derr)
	} else {
		src.Good++
	}
	unknown, err := r.records(b, src, j.p.recs)
	if err != nil {
		return err
	}
	if unknown {
		src.Unknown++
		r.sum.UnknownLines++
	}
	return nil
}

// records stores redacted records and their findings, counting those of
// unknown types (which are not stored: their line is) and reporting whether
// there were any.
func (r *run) records(b *store.Batch, src *store.Watermark, recs []preparedRecord) (unknown bool, err error) {
	for _, pr := range recs {
		if u, ok := pr.rec.(store.Unknown); ok {
			unknown = true
			r.sum.Unknown[u.Type]++
			continue
		}
		ref, err := b.Add(*src, pr.rec)
		if err != nil {
			return unknown, err
		}
		if pr.session != "" {
			r.sum.sessions[[2]string{src.Agent, pr.session}] = true
		}
		if ref.ID == 0 {
			continue
		}
		for _, ff := range pr.found {
			if err := b.AddFindings(src.ID, ref, ff.field, StoreFindings(ff.found)); err != nil {
				return unknown, err
			}
		}
	}
	return unknown, nil
}

// bad counts a malformed line and reports it as path:line: reason.
func (r *run) bad(src *store.Watermark, path string, line int, reason error) {
	src.Bad++
	r.sum.BadLines++
	r.warn(fmt.Sprintf("%s:%d: %s", path, line, strings.ReplaceAll(reason.Error(), "\n", "; ")))
}

// rejectUsage leaves out of recs the usage entries that cannot be one API
// call's (store.Usage.Check), and says why. Every agent's records pass
// here, so that no decoder has to check counts of its own.
func rejectUsage(recs []store.Record) ([]store.Record, error) {
	var errs []error
	kept := recs[:0]
	for _, rec := range recs {
		if u, ok := rec.(store.Usage); ok {
			if err := u.Check(); err != nil {
				errs = append(errs, fmt.Errorf("%w; entry skipped", err))
				continue
			}
		}
		kept = append(kept, rec)
	}
	return kept, errors.Join(errs...)
}

// flush writes what a decoder held back at the end of a batch (Flusher):
// for a replayed log, read in one batch, the records of the whole, redacted
// with the rules of their sessions' repository. A usage entry it rejects
// is reported at the batch's last line.
func (r *run) flush(b *store.Batch, src *store.Watermark, path string, dec Decoder) error {
	fl, ok := dec.(Flusher)
	if !ok {
		return nil
	}
	var raw []store.Record
	fl.Flush(func(rec store.Record) { raw = append(raw, rec) })
	raw, rejected := rejectUsage(raw)
	if rejected != nil {
		r.bad(src, path, src.Line, rejected)
	}
	root, err := r.lineRoot(src.Agent, raw)
	if err != nil {
		return err
	}
	recs := make([]preparedRecord, 0, len(raw))
	for _, rec := range raw {
		recs = append(recs, r.redactRecord(b, nil, src.Agent, root, rec))
	}
	_, err = r.records(b, src, recs)
	return err
}
