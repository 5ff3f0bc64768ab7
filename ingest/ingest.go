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
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"

	"github.com/aitrail/aitrail/canon"
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

// repoScoper is implemented by redactors that apply each repository's own
// rules to the texts of its sessions (*redact.Engine): a text's
// redact.Location then names the repository its session works in.
type repoScoper interface {
	RepoScoped() bool
	Repo(root string) (int, error)
}

// ErrRepoRules is wrapped by the error of a log whose session works in a
// repository whose rule file cannot apply: nothing of the log is stored
// (the rules would be missed), the run goes on with the other logs, and
// the log is read again once the file is fixed.
var ErrRepoRules = errors.New("the repository's redaction rules cannot apply")

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
	// Home is the user's home directory: a path a log writes as "~/…" is
	// inside it.
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
	r := &run{db: db, red: red, opt: opt, sum: sum, paths: canon.NewResolver(opt.Home)}
	if l, ok := red.(locator); ok {
		r.at = l
		if l.NeedsLocation() {
			r.loc, r.calls = l, map[[3]string]string{}
		}
	}
	if rs, ok := red.(repoScoper); ok && rs.RepoScoped() && r.at != nil {
		r.repos, r.sessRoot = rs, map[[2]string]string{}
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
	if r.keys, err = db.PathKeys(ctx); err != nil {
		return sum, err
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
			if errors.Is(err, ErrRepoRules) {
				r.warn(fmt.Sprintf("%s: %v; skipped until it is fixed", shown, err))
				continue
			}
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
	keys  *store.PathKeys
	pmu   sync.Mutex           // guards paths: lines are prepared by the reader or the writer
	paths *canon.Resolver      // canonical forms and worktrees of the paths records name
	loc   locator              // set when scoped manual redactions apply
	calls map[[3]string]string // (agent, session, call id) → prompt key, for tool results
	// Repository rules: set when the redactor applies them.
	repos    repoScoper
	at       locator              // the redactor, with locations (when it takes them)
	sessRoot map[[2]string]string // (agent, session) → repository root ("" when none)
	fileRoot string               // the repository of the file's latest session
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
	r.fileRoot = ""
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
		src = store.Watermark{ID: src.ID, Agent: src.Agent, Path: src.Path}
	}
	dec, err := f.Agent.New(f.Path, src.State)
	if err != nil {
		// A state this decoder cannot read (an older aitrail's): start over.
		if err := b.ResetSource(src.ID); err != nil {
			return false, err
		}
		src = store.Watermark{ID: src.ID, Agent: src.Agent, Path: src.Path}
		if dec, err = f.Agent.New(f.Path, nil); err != nil {
			return false, err
		}
	}
	src.Agent = f.Agent.Name
	r.sidecars(f, dec)
	if u, ok := dec.(Undated); ok {
		u.ModTime(fi.ModTime().UTC())
	}
	if r.repos != nil && src.Offset > 0 {
		// Resuming in the middle of a log: its sessions' repositories
		// were named by lines read before.
		cwds, err := b.SourceSessions(src.ID)
		if err != nil {
			return false, err
		}
		for id, cwd := range cwds {
			root := r.repoRootDir(cwd)
			r.sessRoot[[2]string{src.Agent, id}] = root
			r.fileRoot = root
		}
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
	if err := r.flush(b, &src, f.Path, dec); err != nil {
		return false, err
	}
	src.Offset += read
	state, err := dec.State()
	if err != nil {
		return false, fmt.Errorf("decoder state: %w", err)
	}
	src.State = r.redactState(state)
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
func (r *run) commit(b *store.Batch, src store.Watermark, read int64) error {
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
// for a replayed log, read in one batch, the records of the whole. A usage
// entry it rejects is reported at the batch's last line.
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
	recs, err := r.redactRecords(b, src.Agent, raw)
	if err != nil {
		return err
	}
	_, err = r.records(b, src, recs)
	return err
}

// redactRecords redacts records a decoder emitted outside any line
// (Flusher), with the rules of their sessions' repository.
func (r *run) redactRecords(b *store.Batch, agent string, raw []store.Record) ([]preparedRecord, error) {
	root, err := r.lineRoot(agent, raw)
	if err != nil {
		return nil, err
	}
	recs := make([]preparedRecord, 0, len(raw))
	for _, rec := range raw {
		recs = append(recs, r.redactRecord(b, agent, root, rec))
	}
	return recs, nil
}

// redactState redacts a decoder's state before it is stored: it holds what
// the decoder keeps of lines it read (a pending prompt, the edits of a patch
// not yet confirmed, the cwd), which it read unredacted. The decoder of the
// next run starts from the redacted state, as it started from redacted
// lines before: the paths it carries over are compared again once their
// "~" is expanded (see canon.Resolver.Path).
func (r *run) redactState(state []byte) []byte {
	if len(state) == 0 {
		return state
	}
	if r.loc != nil || r.fileRoot != "" {
		out, _ := r.at.JSONAt(redact.Location{Raw: true, Repo: r.fileRoot}, state)
		return out
	}
	out, _ := r.red.JSON(state)
	return out
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
func (r *run) readAhead(fh *os.File, src store.Watermark, dec Decoder, limit int64) (q lineQueue, last *int, n *int64, err *error) {
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
	err      error // why the line cannot be stored (ErrRepoRules)
}

type preparedRecord struct {
	rec     store.Record
	session string
	found   []fieldFindings
}

// prepare redacts and decodes one line. The decoder reads the line as the
// agent wrote it, so that the paths it names are the real ones (a home
// directory redacted to "~" cannot be compared); the stored copy of the
// line, and every field of the records, are redacted here (redactRecord).
// b is used only to locate records for scoped manual redactions (r.loc);
// it may be nil otherwise.
func (r *run) prepare(b *store.Batch, agent string, dec Decoder, no int, off int64, content []byte) prepared {
	red, findings := r.red.JSON(content)
	p := prepared{no: no, off: off, stored: red, findings: findings}
	if r.loc != nil {
		// The stored copy may hold any field of any session: every manual
		// redaction applies to it.
		var more []redact.Finding
		p.stored, more = r.loc.JSONAt(redact.Location{Raw: true}, red)
		p.findings = append(p.findings, more...)
	}
	var recs []store.Record
	derr := dec.Line(no, content, func(rec store.Record) { recs = append(recs, rec) })
	recs, rejected := rejectUsage(recs)
	p.derr = errors.Join(derr, rejected)
	root, err := r.lineRoot(agent, recs)
	if err != nil {
		p.err = err
		return p
	}
	if root != "" {
		// The repository's own rules, on everything of the line.
		var more []redact.Finding
		p.stored, more = r.at.JSONAt(redact.Location{Raw: true, Repo: root}, p.stored)
		p.findings = append(p.findings, more...)
	}
	// A value redacted in the line is known from there: the records'
	// fields record only what the line's redaction did not see (as when
	// records were decoded from the redacted line), so that provenance
	// does not depend on where a run stopped.
	seen := map[[2]string]bool{}
	for _, f := range findings { // not those of redactions scoped to a record, which the fields record
		seen[[2]string{f.RuleID, f.ValueHash}] = true
	}
	for _, rec := range recs {
		pr := r.redactRecord(b, agent, root, rec)
		kept := pr.found[:0]
		for _, ff := range pr.found {
			ff.found = slices.DeleteFunc(ff.found, func(f redact.Finding) bool { return seen[[2]string{f.RuleID, f.ValueHash}] })
			if len(ff.found) > 0 {
				kept = append(kept, ff)
			}
		}
		pr.found = kept
		p.recs = append(p.recs, pr)
	}
	return p
}

// lineRoot returns the repository whose rules apply to a line: the one
// its session works in (named by the line's own records, or by earlier
// lines), else the one of the file's latest session. An error means the
// repository's rules cannot apply.
func (r *run) lineRoot(agent string, recs []store.Record) (string, error) {
	if r.repos == nil {
		return "", nil
	}
	root, known := r.fileRoot, false
	for _, rec := range recs {
		session, cwd := sessionOf(rec), ""
		switch x := rec.(type) {
		case store.Session:
			cwd = x.Cwd
		case store.Prompt:
			cwd = x.Cwd
		}
		if session == "" {
			continue
		}
		key := [2]string{agent, session}
		if cwd != "" {
			r.sessRoot[key] = r.repoRootDir(cwd)
		}
		if sr, ok := r.sessRoot[key]; ok && !known {
			root, known = sr, true
			r.fileRoot = sr
		}
	}
	if root == "" {
		return "", nil
	}
	if _, err := r.repos.Repo(root); err != nil {
		return "", fmt.Errorf("%w: %v", ErrRepoRules, err)
	}
	return root, nil
}

// repoRootDir returns the git worktree that holds directory dir (a
// session's working directory), "" when none.
func (r *run) repoRootDir(dir string) string {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	return r.paths.Root(r.paths.Path(dir))
}

// write stores a prepared line and its records.
func (r *run) write(b *store.Batch, src *store.Watermark, path string, p prepared) error {
	if p.err != nil {
		return p.err
	}
	r.sum.Lines++
	rawID, err := b.AddRaw(src.ID, p.no, p.off, string(p.stored))
	if err != nil {
		return err
	}
	if err := r.findings(b, src.ID, store.Ref{Table: "raw_records", ID: rawID}, "json", p.findings, true); err != nil {
		return err
	}
	if p.derr != nil {
		r.bad(src, path, p.no, p.derr)
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
		for _, ff := range pr.found {
			if err := r.findings(b, src.ID, ref, ff.field, ff.found, false); err != nil {
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

// field is one string field of a record, redacted before it is written.
type field struct {
	name  string
	class fieldClass
	text  *string
}

// fieldClass says how a field of a decoded record is redacted.
type fieldClass int

const (
	classText fieldClass = iota // content and the display copies of paths: every rule (redact.ScopeRecord)
	classArgs                   // tool arguments, usually JSON: redacted as JSON (secret-looking keys)
	classID                     // identifiers and names of things: only manual redactions (redact.ScopeID)
	classKey                    // aitrail's own keyed hashes of paths (store.PathKeys): nothing to redact
)

// fields lists every string field of a record with its class: the one
// table of what is redacted how (a test checks that it names every string
// field of every record type). table names the record's table, for scoped
// manual redactions and findings; fs point into a copy of rec, which done
// returns once they are changed.
func fields(rec store.Record) (table string, fs []field, done func() store.Record) {
	text := func(name string, p *string) field { return field{name, classText, p} }
	id := func(name string, p *string) field { return field{name, classID, p} }
	key := func(name string, p *string) field { return field{name, classKey, p} }
	switch x := rec.(type) {
	case store.Session:
		return "sessions", []field{
			id("external_id", &x.ID), id("parent_id", &x.ParentID), id("relation", &x.Relation),
			text("cwd", &x.Cwd), key("cwd_key", &x.CwdKey), text("git_remote", &x.GitRemote),
			text("git_branch", &x.GitBranch), id("git_commit", &x.GitCommit), id("agent_version", &x.AgentVersion),
			id("originator", &x.Originator), text("title", &x.Title), id("model", &x.Model),
		}, func() store.Record { return x }
	case store.Prompt:
		return "prompts", []field{
			id("session", &x.Session), id("key", &x.Key), text("text", &x.Text), text("context", &x.Context),
			text("cwd", &x.Cwd), key("cwd_key", &x.CwdKey), id("model", &x.Model),
		}, func() store.Record { return x }
	case store.Message:
		return "messages", []field{
			id("session", &x.Session), id("prompt", &x.Prompt), id("key", &x.Key), id("kind", &x.Kind),
			text("text", &x.Text),
		}, func() store.Record { return x }
	case store.ToolCall:
		return "tool_calls", []field{
			id("session", &x.Session), id("prompt", &x.Prompt), id("call_id", &x.CallID), text("name", &x.Name),
			{"input", classArgs, &x.Input},
		}, func() store.Record { return x }
	case store.ToolResult:
		return "tool_calls", []field{
			id("session", &x.Session), id("call_id", &x.CallID), text("output", &x.Output), id("status", &x.Status),
		}, func() store.Record { return x }
	case store.FileEdit:
		return "file_edits", []field{
			id("session", &x.Session), id("prompt", &x.Prompt), id("call_id", &x.CallID), text("path", &x.Path),
			text("move_path", &x.MovePath), id("op", &x.Op), text("diff", &x.Diff), id("via", &x.Source),
			id("status", &x.Status), text("repo_root", &x.Root), text("rel_path", &x.RelPath),
			key("path_key", &x.PathKey), key("move_key", &x.MoveKey),
		}, func() store.Record { return x }
	case store.Usage:
		return "token_usage", []field{
			id("session", &x.Session), id("prompt", &x.Prompt), id("model", &x.Model), id("dedupe_key", &x.Key),
			id("grp", &x.Group),
		}, func() store.Record { return x }
	case store.Link:
		return "links", []field{
			id("session", &x.Session), id("prompt", &x.Prompt), id("kind", &x.Kind), text("url", &x.URL),
			text("title", &x.Title),
		}, func() store.Record { return x }
	case store.Unknown:
		return "", []field{id("session", &x.Session), id("type", &x.Type)}, func() store.Record { return x }
	}
	// A record type this table does not know yet: every string field is
	// text, so that nothing reaches the database unredacted.
	v := reflect.New(reflect.TypeOf(rec)).Elem()
	v.Set(reflect.ValueOf(rec))
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.String && f.CanSet() {
			fs = append(fs, text(v.Type().Field(i).Name, f.Addr().Interface().(*string)))
		}
	}
	return "", fs, func() store.Record { return v.Interface().(store.Record) }
}

// redactRecord redacts every string field of a record, and keys its paths
// (see place and key); root is the repository its session works in, whose
// rules apply too.
func (r *run) redactRecord(b *store.Batch, agent, root string, rec store.Record) preparedRecord {
	rec = r.place(rec)
	var loc redact.Location // where the record's texts go, for scoped manual redactions
	if r.loc != nil {
		loc = r.locate(b, agent, rec)
	}
	var found []fieldFindings
	table, fs, done := fields(rec)
	for _, f := range fs {
		if *f.text == "" || f.class == classKey {
			continue
		}
		var out string
		var fnd []redact.Finding
		located := r.loc != nil || root != ""
		l := loc
		l.Field, l.Repo = table+"."+f.name, root
		switch {
		case f.class == classArgs && located:
			raw, more := r.at.JSONAt(l, []byte(*f.text))
			out, fnd = string(raw), more
		case f.class == classArgs:
			raw, more := r.red.JSON([]byte(*f.text))
			out, fnd = string(raw), more
		case located:
			out, fnd = r.at.TextAt(f.class.scope(), l, *f.text)
		default:
			out, fnd = r.red.Text(f.class.scope(), *f.text)
		}
		*f.text = out
		if len(fnd) > 0 {
			found = append(found, fieldFindings{f.name, fnd})
		}
	}
	rec = r.key(done())
	if x, ok := rec.(store.ToolResult); ok {
		x.Output = capText(x.Output, r.opt.MaxOutput)
		rec = x
	}
	return preparedRecord{rec: rec, session: sessionOf(rec), found: found}
}

func (c fieldClass) scope() redact.Scope {
	if c == classID {
		return redact.ScopeID
	}
	return redact.ScopeRecord
}

// sessionOf returns the session a record belongs to, for the summary's
// count of sessions ("" for an unknown record).
func sessionOf(rec store.Record) string {
	switch x := rec.(type) {
	case store.Session:
		return x.ID
	case store.Prompt:
		return x.Session
	case store.Message:
		return x.Session
	case store.ToolCall:
		return x.Session
	case store.ToolResult:
		return x.Session
	case store.FileEdit:
		return x.Session
	case store.Usage:
		return x.Session
	case store.Link:
		return x.Session
	}
	return ""
}

// place sets, for an edit, the git worktree that holds the file and the
// file's path inside it, for people to read (they are redacted like the
// path). The paths themselves are kept as the decoder wrote them.
func (r *run) place(rec store.Record) store.Record {
	x, ok := rec.(store.FileEdit)
	if !ok {
		return rec
	}
	r.pmu.Lock()
	defer r.pmu.Unlock()
	if p := r.paths.Abs(x.Path); p != "" {
		if root := r.paths.Root(p); root != "" {
			x.Root = root
			x.RelPath, _ = canon.Within(root, p)
		}
	}
	return x
}

// key sets the keys by which the paths of a record are compared (see
// store.PathKeys): those of their canonical forms (see package canon).
// A key is made from the path as stored, redacted, reading "~" as the home
// directory: it is the real path's when redaction only shortened the home
// directory, and it is the same whether the path came from the log line
// or, across runs, from the decoder's stored (redacted) state. A path that
// redaction changed otherwise compares with nothing real.
func (r *run) key(rec store.Record) store.Record {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	key := func(p string) string { return r.keys.Key(r.paths.Path(p)) }
	switch x := rec.(type) {
	case store.Session:
		x.CwdKey = key(x.Cwd)
		return x
	case store.Prompt:
		x.CwdKey = key(x.Cwd)
		return x
	case store.FileEdit:
		x.PathKey, x.MoveKey = key(x.Path), key(x.MovePath)
		return x
	}
	return rec
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

// findings records the provenance of the values redacted in one stored
// field. The summary counts those of the lines read (count): a value
// redacted in a line is redacted again in the fields decoded from it.
func (r *run) findings(b *store.Batch, src int64, ref store.Ref, field string, fs []redact.Finding, count bool) error {
	if len(fs) == 0 || ref.ID == 0 {
		return nil
	}
	out := make([]store.FieldRedaction, len(fs))
	for i, f := range fs {
		out[i] = store.FieldRedaction{RuleID: f.RuleID, RuleFingerprint: f.RuleFingerprint, ValueHash: f.ValueHash, Actor: f.Actor}
		if count {
			r.sum.Redactions[f.RuleID]++
		}
	}
	return b.AddFindings(src, ref, field, out)
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
