package ingest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// Redactor is what ingest needs of redaction; *redact.Engine implements it.
type Redactor interface {
	Text(scope redact.Scope, s string) (string, []redact.Finding)
	JSON(raw []byte) ([]byte, []redact.Finding)
}

// locator is implemented by redactors that apply manual redactions scoped
// to a session, a prompt or a field (*redact.Engine): they need to know
// where each text is stored.
type locator interface {
	NeedsLocation() bool
	TextAt(scope redact.Scope, loc redact.Location, s string) (string, []redact.Finding)
	JSONAt(loc redact.Location, raw []byte) ([]byte, []redact.Finding)
}

// manualTracker is implemented by redactors that hold manual redactions
// (*redact.Engine): the largest id among them tells whether the database
// got a new one since the redactor was built.
type manualTracker interface {
	LastManual() int64
}

// ErrRedactionsChanged is returned when a manual redaction was added while
// the run was going on: the rows it would write would miss it. The batch in
// progress is rolled back; running again (with a new redactor) goes on.
var ErrRedactionsChanged = errors.New("manual redactions changed while ingesting: run again to ingest the rest with them")

// Options tune a run.
type Options struct {
	// Rebuild re-reads every file from the start, replacing what was read
	// from it before.
	Rebuild bool
	// Progress, when set, is called as bytes are read.
	Progress func(done, total int64)
	// Warn, when set, receives each malformed line as "path:line: reason".
	Warn func(string)
	// BatchBytes is how many bytes of a file one transaction covers
	// (default 4 MiB): a crash loses at most the batch in progress.
	BatchBytes int64
	// MaxOutput caps stored tool outputs in bytes (default 64 KiB); the
	// raw line keeps the rest.
	MaxOutput int
	// Home is the user's home directory, used to find the repository that
	// holds an edited file when the logs abbreviate it as "~".
	Home string
}

// Summary reports what a run did.
type Summary struct {
	Files        int   `json:"files"`        // files examined
	FilesRead    int   `json:"filesRead"`    // files with new bytes
	Bytes        int64 `json:"bytes"`        // bytes read
	Lines        int   `json:"lines"`        // lines read
	BadLines     int   `json:"badLines"`     // malformed lines
	UnknownLines int   `json:"unknownLines"` // lines of unknown record types
	Sessions     int   `json:"sessions"`     // sessions that received records
	// New rows in the database (records already stored, such as copies in
	// a resumed session, are not counted again).
	Prompts    int            `json:"prompts"`
	Messages   int            `json:"messages"`
	ToolCalls  int            `json:"toolCalls"`
	Edits      int            `json:"edits"`
	Usage      int            `json:"usage"` // token usage entries
	Resets     int            `json:"resets"`
	Unknown    map[string]int `json:"unknownTypes,omitempty"` // unknown record type → lines
	Redactions map[string]int `json:"redactions,omitempty"`   // rule id → values redacted
	sessions   map[[2]string]bool
}

// Run ingests files into db, redacting with red.
func Run(ctx context.Context, db *store.DB, red Redactor, files []File, opt Options) (*Summary, error) {
	if opt.BatchBytes <= 0 {
		opt.BatchBytes = 4 << 20
	}
	if opt.MaxOutput <= 0 {
		opt.MaxOutput = 64 << 10
	}
	sum := &Summary{Unknown: map[string]int{}, Redactions: map[string]int{}, sessions: map[[2]string]bool{}}
	r := &run{db: db, red: red, opt: opt, sum: sum, roots: map[string]string{}}
	if l, ok := red.(locator); ok && l.NeedsLocation() {
		r.loc, r.calls = l, map[[3]string]string{}
	}
	work, total, err := changed(ctx, db, files, opt)
	sum.Files = len(files)
	if err != nil {
		return sum, err
	}
	r.total = total
	if len(work) == 0 {
		return sum, nil
	}
	before, err := db.Counts(ctx)
	if err != nil {
		return sum, err
	}
	defer func() {
		after, err := db.Counts(context.WithoutCancel(ctx))
		if err != nil {
			return
		}
		// A file read again from the start (truncated, rewritten, --rebuild)
		// may hold fewer rows than before: nothing new, not a negative count.
		delta := func(t string) int { return int(max(after[t]-before[t], 0)) }
		sum.Prompts, sum.Messages, sum.ToolCalls = delta("prompts"), delta("messages"), delta("tool_calls")
		sum.Edits, sum.Usage = delta("file_edits"), delta("token_usage")
	}()
	for _, f := range work {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		if err := r.file(ctx, f); err != nil {
			shown, _ := red.Text(redact.ScopeField, f.Path)
			return sum, fmt.Errorf("ingest %s: %w", shown, err)
		}
	}
	sum.Sessions = len(sum.sessions)
	return sum, nil
}

// Pending returns how many of files have bytes that were not ingested yet
// (or changed otherwise): the cheap check a hook makes before it builds
// anything else.
func Pending(ctx context.Context, db *store.DB, files []File) (int, error) {
	work, _, err := changed(ctx, db, files, Options{})
	return len(work), err
}

// changed returns the files whose size, modification time or inode differ
// from their watermark (all of them with Rebuild), and how many bytes they
// hold beyond it. Files that cannot be read are reported through opt.Warn.
func changed(ctx context.Context, db *store.DB, files []File, opt Options) ([]File, int64, error) {
	known, err := db.Sources(ctx)
	if err != nil {
		return nil, 0, err
	}
	var work []File
	var total int64
	for _, f := range files {
		size, mtime, ino, err := statSource(f)
		if err != nil {
			if opt.Warn != nil {
				opt.Warn(fmt.Sprintf("%s: %v", f.Path, err))
			}
			continue
		}
		key, err := db.PathKey(ctx, f.Path)
		if err != nil {
			return nil, 0, err
		}
		s, ok := known[key]
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
	return work, total, nil
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

type run struct {
	db    *store.DB
	red   Redactor
	opt   Options
	sum   *Summary
	done  int64
	total int64
	roots map[string]string    // directory → repository root ("" when none)
	loc   locator              // set when scoped manual redactions apply
	calls map[[3]string]string // (agent, session, call id) → prompt key, for tool results
}

func (r *run) warn(msg string) {
	if r.opt.Warn != nil {
		r.opt.Warn(msg)
	}
}

// file ingests one file in batches until its end.
func (r *run) file(ctx context.Context, f File) error {
	key, err := r.db.PathKey(ctx, f.Path)
	if err != nil {
		return err
	}
	clear(r.calls) // tool calls and their results share a file; the database knows older ones
	read := r.sum.Bytes
	defer func() {
		if r.sum.Bytes > read {
			r.sum.FilesRead++ // once per file, however many batches
		}
	}()
	colls := collections(f)
	first := true
	for {
		var more bool
		if len(colls) > 0 {
			more, err = r.collectionBatch(ctx, f, key, colls, first)
		} else {
			more, err = r.batch(ctx, f, key, first)
		}
		if err != nil {
			return err
		}
		first = false
		if !more {
			return nil
		}
	}
}

// batch reads at most BatchBytes of new lines of f in one transaction and
// reports whether more remain.
func (r *run) batch(ctx context.Context, f File, key string, first bool) (more bool, err error) {
	b, err := r.begin(ctx)
	if err != nil {
		return false, err
	}
	defer b.Rollback()
	shown, _ := r.red.Text(redact.ScopeField, f.Path) // the path as stored: redacted like everything else
	src, err := b.Source(f.Agent.Name, key, shown)
	if err != nil {
		return false, err
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		return false, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return false, err
	}
	whole := f.Agent.Whole != nil && f.Agent.Whole(f.Path)
	replay := f.Agent.Replay != nil && f.Agent.Replay(f.Path)
	reset := first && r.opt.Rebuild
	switch {
	case src.Inode != 0 && src.Inode != inode(fi):
		reset = true // replaced by another file
	case fi.Size() < src.Offset:
		reset = true // truncated
	case (whole || replay) && src.Offset > 0 && (fi.Size() != src.Size || fi.ModTime().UnixNano() != src.MtimeNS):
		reset = true // rewritten whole, or a log to replay from its start
	case src.HeadLen > 0:
		h, n, err := headHash(fh, src.HeadLen)
		if err != nil {
			return false, err
		}
		if n != src.HeadLen || h != src.HeadHash {
			reset = true // rewritten in place
		}
	}
	if reset && src.Offset > 0 {
		if err := b.ResetSource(src.ID); err != nil {
			return false, err
		}
		r.sum.Resets++
	}
	if reset {
		src = store.Source{ID: src.ID, Agent: src.Agent, Path: src.Path}
	}
	dec, err := f.Agent.New(f.Path, src.State)
	if err != nil {
		// A state this decoder cannot read (an older aitrail's): start over.
		if err := b.ResetSource(src.ID); err != nil {
			return false, err
		}
		src = store.Source{ID: src.ID, Agent: src.Agent, Path: src.Path}
		if dec, err = f.Agent.New(f.Path, nil); err != nil {
			return false, err
		}
	}
	src.Agent = f.Agent.Name
	r.sidecars(f, dec)
	if u, ok := dec.(Undated); ok {
		u.ModTime(fi.ModTime().UTC())
	}
	if _, err := fh.Seek(src.Offset, io.SeekStart); err != nil {
		return false, err
	}
	var read int64
	if whole {
		data, err := io.ReadAll(fh)
		if err != nil {
			return false, err
		}
		if len(bytes.TrimSpace(data)) > 0 {
			if err := r.write(b, &src, f.Path, r.prepare(b, src.Agent, dec, 1, 0, data)); err != nil {
				return false, err
			}
		}
		src.Line = 1
		read = int64(len(data))
	} else {
		limit := r.opt.BatchBytes
		if replay {
			limit = math.MaxInt64 // the whole log, or its records are not known
		}
		lines, last, n, rerr := r.readAhead(fh, src, dec, limit)
		for item := range lines.out {
			p := item.p
			if p == nil {
				prep := r.prepare(b, src.Agent, dec, item.no, item.off, item.content)
				p = &prep
			}
			if err := r.write(b, &src, f.Path, *p); err != nil {
				lines.stop()
				return false, err
			}
		}
		// The channel is closed: the reader is done, its results are set.
		if *rerr != nil {
			return false, *rerr
		}
		src.Line, read = *last, *n
	}
	if err := r.flush(b, &src, dec); err != nil {
		return false, err
	}
	src.Offset += read
	state, err := dec.State()
	if err != nil {
		return false, fmt.Errorf("decoder state: %w", err)
	}
	src.State = state
	src.Size, src.MtimeNS, src.Inode = fi.Size(), fi.ModTime().UnixNano(), inode(fi)
	if src.HeadLen < 1024 {
		n := int(min(src.Offset, 1024))
		if src.HeadHash, src.HeadLen, err = headHash(fh, n); err != nil {
			return false, err
		}
	}
	if err := r.commit(b, src, read); err != nil {
		return false, err
	}
	return !whole && !replay && read >= r.opt.BatchBytes, ctx.Err()
}

// commit saves a batch's watermark and commits it with the batch, then
// counts the bytes read.
func (r *run) commit(b *store.Batch, src store.Source, read int64) error {
	if err := b.SaveSource(src); err != nil {
		return err
	}
	if err := b.Commit(); err != nil {
		return err
	}
	r.sum.Bytes += read
	r.done += read
	if r.opt.Progress != nil {
		r.opt.Progress(r.done, r.total)
	}
	return nil
}

// begin starts a batch's transaction, unless a manual redaction was added
// since the redactor was built.
func (r *run) begin(ctx context.Context) (*store.Batch, error) {
	b, err := r.db.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if mt, ok := r.red.(manualTracker); ok {
		last, err := b.LastManual()
		if err == nil && last != mt.LastManual() {
			err = ErrRedactionsChanged
		}
		if err != nil {
			b.Rollback()
			return nil, err
		}
	}
	return b, nil
}

// flush writes what a decoder held back at the end of a batch (Flusher):
// for a replayed log, read in one batch, the records of the whole.
func (r *run) flush(b *store.Batch, src *store.Source, dec Decoder) error {
	fl, ok := dec.(Flusher)
	if !ok {
		return nil
	}
	var recs []preparedRecord
	fl.Flush(func(rec store.Record) { recs = append(recs, r.redactRecord(b, src.Agent, rec)) })
	_, err := r.records(b, src, recs)
	return err
}

// queued is a line on its way from the reader to the writer, prepared
// already unless the writer must prepare it.
type queued struct {
	no      int
	off     int64
	content []byte
	p       *prepared
}

// lineQueue carries the lines of a batch from the reader to the writer.
type lineQueue struct {
	out  chan queued
	done chan struct{}
}

// stop makes the reader give up and waits for it.
func (q lineQueue) stop() {
	close(q.done)
	for range q.out {
	}
}

// readAhead reads the batch's lines of fh from src's offset, up to limit
// bytes, in a goroutine, and prepares them there when nothing needs the
// database: the writer then stores one line while the next is prepared, on
// another core. (Scoped
// manual redactions look records up in the batch, which only the writer
// may use: the writer prepares those lines itself.) When the queue is
// closed, last holds the number of the last line read, n the bytes read,
// and err a read error.
func (r *run) readAhead(fh *os.File, src store.Source, dec Decoder, limit int64) (q lineQueue, last *int, n *int64, err *error) {
	q = lineQueue{out: make(chan queued, 8), done: make(chan struct{})}
	last, n, err = new(int), new(int64), new(error)
	*last = src.Line
	go func() {
		defer close(q.out)
		br := bufio.NewReaderSize(fh, 256<<10)
		var buf []byte
		for *n < limit {
			line, rerr := readLine(br, &buf)
			if rerr == io.EOF {
				return // nothing left, or a partial line that waits for the next run
			}
			if rerr != nil {
				*err = rerr
				return
			}
			item := queued{no: *last + 1, off: src.Offset + *n}
			*n += int64(len(line))
			*last++
			content := bytes.TrimRight(line, "\r\n")
			if len(bytes.TrimSpace(content)) == 0 {
				continue
			}
			item.content = bytes.Clone(content) // the reader's buffer is reused
			if r.loc == nil {
				p := r.prepare(nil, src.Agent, dec, item.no, item.off, item.content)
				item.p = &p
			}
			select {
			case q.out <- item:
			case <-q.done:
				return
			}
		}
	}()
	return q, last, n, err
}

// readLine returns the next complete line including its newline, or io.EOF
// when none is complete. Memory grows only to the longest line.
func readLine(br *bufio.Reader, buf *[]byte) ([]byte, error) {
	*buf = (*buf)[:0]
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case err == nil:
			if len(*buf) == 0 {
				return chunk, nil
			}
			*buf = append(*buf, chunk...)
			return *buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			*buf = append(*buf, chunk...)
		case err == io.EOF:
			return nil, io.EOF
		default:
			return nil, err
		}
	}
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

// prepared is a line made ready to write: redacted, decoded, and the
// texts of its records redacted. Preparing is the CPU work of ingest and
// needs no database (except to locate records for scoped manual
// redactions), so it runs ahead of the writer, on another core.
type prepared struct {
	no       int
	off      int64
	stored   []byte           // the redacted line, as kept in raw_records
	findings []redact.Finding // what redacting the line found
	recs     []preparedRecord
	derr     error // the decoder's complaint: the line is malformed
}

type preparedRecord struct {
	rec     store.Record
	session string
	found   []fieldFindings
}

// prepare redacts and decodes one line. b is used only to locate records
// for scoped manual redactions (r.loc); it may be nil otherwise.
func (r *run) prepare(b *store.Batch, agent string, dec Decoder, no int, off int64, content []byte) prepared {
	red, findings := r.red.JSON(content)
	p := prepared{no: no, off: off, stored: red, findings: findings}
	if r.loc != nil {
		// The stored copy may hold any field of any session: every manual
		// redaction applies to it. Decoding uses red, so that records take
		// only the redactions scoped to them.
		var more []redact.Finding
		p.stored, more = r.loc.JSONAt(redact.Location{Raw: true}, red)
		p.findings = append(p.findings, more...)
	}
	var recs []store.Record
	p.derr = dec.Line(no, red, func(rec store.Record) { recs = append(recs, rec) })
	for _, rec := range recs {
		p.recs = append(p.recs, r.redactRecord(b, agent, rec))
	}
	return p
}

// write stores a prepared line and its records.
func (r *run) write(b *store.Batch, src *store.Source, path string, p prepared) error {
	r.sum.Lines++
	rawID, err := b.AddRaw(src.ID, p.no, p.off, string(p.stored))
	if err != nil {
		return err
	}
	if err := r.findings(b, src.ID, store.Ref{Table: "raw_records", ID: rawID}, "json", p.findings); err != nil {
		return err
	}
	if p.derr != nil {
		src.Bad++
		r.sum.BadLines++
		r.warn(fmt.Sprintf("%s:%d: %v", path, p.no, p.derr))
	} else {
		src.Good++
	}
	unknown, err := r.records(b, src, p.recs)
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
func (r *run) records(b *store.Batch, src *store.Source, recs []preparedRecord) (unknown bool, err error) {
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
		for _, ff := range pr.found {
			if err := r.findings(b, src.ID, ref, ff.field, ff.found); err != nil {
				return unknown, err
			}
		}
	}
	return unknown, nil
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

// field is one text field of a record, redacted before it is written.
type field struct {
	name  string
	scope redact.Scope
	text  *string
}

// redactRecord redacts the text fields of one record.
func (r *run) redactRecord(b *store.Batch, agent string, rec store.Record) preparedRecord {
	var found []fieldFindings
	var loc redact.Location // where the record's texts go, for scoped manual redactions
	text := func(table string, f field) (string, []redact.Finding) {
		if r.loc == nil {
			return r.red.Text(f.scope, *f.text)
		}
		l := loc
		l.Field = table + "." + f.name
		return r.loc.TextAt(f.scope, l, *f.text)
	}
	table := ""
	redactAll := func(fs ...field) {
		for _, f := range fs {
			out, fnd := text(table, f)
			*f.text = out
			if len(fnd) > 0 {
				found = append(found, fieldFindings{f.name, fnd})
			}
		}
	}
	var session string
	if r.loc != nil {
		loc = r.locate(b, agent, rec)
	}
	switch x := rec.(type) {
	case store.Session:
		session, table = x.ID, "sessions"
		redactAll(field{"title", redact.ScopeField, &x.Title}, field{"cwd", redact.ScopeField, &x.Cwd},
			field{"git_remote", redact.ScopeField, &x.GitRemote}, field{"git_branch", redact.ScopeField, &x.GitBranch})
		rec = x
	case store.Prompt:
		session, table = x.Session, "prompts"
		redactAll(field{"text", redact.ScopePrompt, &x.Text}, field{"context", redact.ScopeField, &x.Context},
			field{"cwd", redact.ScopeField, &x.Cwd})
		rec = x
	case store.Message:
		session, table = x.Session, "messages"
		redactAll(field{"text", redact.ScopeField, &x.Text})
		rec = x
	case store.ToolCall:
		session, table = x.Session, "tool_calls"
		redactAll(field{"input", redact.ScopeField, &x.Input})
		rec = x
	case store.ToolResult:
		session, table = x.Session, "tool_calls"
		redactAll(field{"output", redact.ScopeField, &x.Output})
		x.Output = capText(x.Output, r.opt.MaxOutput)
		rec = x
	case store.FileEdit:
		session, table = x.Session, "file_edits"
		redactAll(field{"path", redact.ScopeField, &x.Path}, field{"move_path", redact.ScopeField, &x.MovePath},
			field{"diff", redact.ScopeField, &x.Diff})
		if root := r.repoRoot(x.Path); root != "" {
			x.Root, _ = text(table, field{"repo_root", redact.ScopeField, &root})
		}
		rec = x
	case store.Usage:
		session = x.Session
	case store.Link:
		session, table = x.Session, "links"
		redactAll(field{"url", redact.ScopeField, &x.URL}, field{"title", redact.ScopeField, &x.Title})
		rec = x
	}
	return preparedRecord{rec: rec, session: session, found: found}
}

// locate returns where a record's texts are stored: its session and
// prompt. A tool result names only its call, whose prompt is looked up.
func (r *run) locate(b *store.Batch, agent string, rec store.Record) redact.Location {
	loc := redact.Location{Agent: agent}
	switch x := rec.(type) {
	case store.Session:
		loc.Session = x.ID
	case store.Prompt:
		loc.Session, loc.Prompt = x.Session, x.Key
	case store.Message:
		loc.Session, loc.Prompt = x.Session, x.Prompt
	case store.ToolCall:
		loc.Session, loc.Prompt = x.Session, x.Prompt
		r.calls[[3]string{agent, x.Session, x.CallID}] = x.Prompt
	case store.ToolResult:
		loc.Session = x.Session
		k := [3]string{agent, x.Session, x.CallID}
		p, ok := r.calls[k]
		if !ok {
			// Unknown in this run: ask the database (an error leaves the
			// prompt unknown; the session's redactions still apply).
			p, _ = b.CallPrompt(agent, x.Session, x.CallID)
			r.calls[k] = p
		}
		loc.Prompt = p
	case store.FileEdit:
		loc.Session, loc.Prompt = x.Session, x.Prompt
	case store.Link:
		loc.Session = x.Session
	}
	return loc
}

type fieldFindings struct {
	field string
	found []redact.Finding
}

func (r *run) findings(b *store.Batch, src int64, ref store.Ref, field string, fs []redact.Finding) error {
	if len(fs) == 0 || ref.ID == 0 {
		return nil
	}
	out := make([]store.Finding, len(fs))
	for i, f := range fs {
		out[i] = store.Finding{RuleID: f.RuleID, RuleFingerprint: f.RuleFingerprint, ValueHash: f.ValueHash, Actor: f.Actor}
		r.sum.Redactions[f.RuleID]++
	}
	return b.AddFindings(src, ref, field, out)
}

// repoRoot returns the git worktree that holds path, if it still exists on
// this machine ("~" stands for the home directory in redacted paths).
func (r *run) repoRoot(path string) string {
	if strings.HasPrefix(path, "~/") && r.opt.Home != "" {
		path = filepath.Join(r.opt.Home, path[2:])
	}
	if !filepath.IsAbs(path) {
		return ""
	}
	dir := filepath.Dir(path)
	var visited []string
	root := ""
	for {
		if v, ok := r.roots[dir]; ok {
			root = v
			break
		}
		visited = append(visited, dir)
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			root = dir
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	for _, v := range visited {
		r.roots[v] = root
	}
	return root
}

// capText keeps the head and the tail of a text longer than max bytes.
func capText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	head, tail := max*3/4, max/4
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	start := len(s) - tail
	for start < len(s) && !utf8.RuneStart(s[start]) {
		start++
	}
	return s[:head] + fmt.Sprintf("\n… [%d bytes omitted] …\n", start-head) + s[start:]
}

func inode(fi os.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int64(st.Ino)
	}
	return 0
}

// Sorted returns the keys of a count map in descending count order.
func Sorted(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}
