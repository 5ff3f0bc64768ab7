package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"sync"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// The ingest pipeline, by concern:
//
//   - ingest.go: a run over the log files, in transactions shared by small
//     files (this file);
//   - watermark.go: which files changed, and where a file's batch resumes;
//   - pipeline.go: the read-ahead of one batch of a log: lines read and
//     decoded in order, redacted on every core, stored by one writer;
//   - redaction.go: how a line and each field of its records are redacted
//     (through store.Fields, the table of text fields);
//   - collections.go: sources that are stores rewritten in place;
//   - discover.go: where the logs are.

// Redactor is what ingest needs of redaction; *redact.Engine implements it.
type Redactor interface {
	Text(scope redact.Scope, s string) (string, []redact.Finding)
	JSON(raw []byte) ([]byte, []redact.Finding)
}

// ErrRepoRules is wrapped by the error of a log whose session works in a
// repository whose rule file cannot apply: nothing of the log is stored
// (the rules would be missed), the run goes on with the other logs, and
// the log is read again once the file is fixed.
var ErrRepoRules = errors.New("the repository's redaction rules cannot apply")

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
	// Warn, when set, receives each malformed line as "path:line: reason",
	// and each log that could not be read as "path: reason; skipped".
	Warn func(string)
	// BatchBytes is how many bytes of logs one transaction covers (default
	// 4 MiB): a crash loses at most the transaction in progress. Small logs
	// share a transaction; a larger one takes several.
	BatchBytes int64
	// MaxOutput caps stored tool outputs in bytes (default 64 KiB); the
	// raw line keeps the rest.
	MaxOutput int
	// MaxLine caps the bytes of one line that are processed (default 16
	// MiB): a longer line is scanned up to the cap and a little beyond (so
	// that a secret across the cut is seen whole), stored cut with a marker
	// saying how much was cut, and counted as malformed.
	MaxLine int
	// Home is the user's home directory: a path a log writes as "~/…" is
	// inside it.
	Home string
	// NoCounts leaves the summary's counts of new rows (prompts, messages,
	// …) at zero: they cost a count of each table, which grows with the
	// database (a hook does without them).
	NoCounts bool
}

// Summary reports what a run did.
type Summary struct {
	Files        int   `json:"files"`        // files examined
	FilesRead    int   `json:"filesRead"`    // files with new bytes
	Bytes        int64 `json:"bytes"`        // bytes read
	Lines        int   `json:"lines"`        // lines read
	BadLines     int   `json:"badLines"`     // malformed lines
	UnknownLines int   `json:"unknownLines"` // lines of unknown record types
	Skipped      int   `json:"skipped"`      // logs that could not be read (each was warned about)
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

// Run ingests files into db, redacting with red. A log that cannot be read
// (permissions, removed meanwhile) is reported through Options.Warn and
// skipped; the others are read.
func Run(ctx context.Context, db *store.DB, red Redactor, files []File, opt Options) (*Summary, error) {
	if opt.BatchBytes <= 0 {
		opt.BatchBytes = 4 << 20
	}
	if opt.MaxOutput <= 0 {
		opt.MaxOutput = 64 << 10
	}
	if opt.MaxLine <= 0 {
		opt.MaxLine = 16 << 20
	}
	sum := &Summary{Unknown: map[string]int{}, Redactions: map[string]int{}, sessions: map[[2]string]bool{}}
	r := newRun(db, red, opt, sum)
	work, total, skipped, err := changed(ctx, db, files, opt)
	sum.Files, sum.Skipped = len(files), skipped
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
	before, err := r.counts(ctx)
	if err != nil {
		return sum, err
	}
	defer func() {
		after, err := r.counts(context.WithoutCancel(ctx))
		if err != nil {
			return
		}
		// A file read again from the start (truncated, rewritten, --rebuild)
		// may hold fewer rows than before: nothing new, not a negative count.
		delta := func(t string) int { return int(max(after[t]-before[t], 0)) }
		sum.Prompts, sum.Messages, sum.ToolCalls = delta("prompts"), delta("messages"), delta("tool_calls")
		sum.Edits, sum.Usage = delta("file_edits"), delta("token_usage")
	}()
	r.startWorkers()
	defer r.stopWorkers()
	defer r.rollback()
	for _, f := range work {
		if err := ctx.Err(); err != nil {
			return sum, err // the transaction in progress ended with ctx
		}
		if err := r.file(ctx, f); err != nil {
			shown, _ := red.Text(redact.ScopeField, f.Path)
			return sum, fmt.Errorf("ingest %s: %w", shown, err)
		}
	}
	if err := r.commitTx(); err != nil {
		return sum, err
	}
	sum.Sessions = len(sum.sessions)
	return sum, nil
}

// run is the state of one Run.
type run struct {
	db    *store.DB
	red   Redactor
	opt   Options
	sum   *Summary
	done  int64 // bytes committed
	total int64 // bytes to read
	keys  *store.PathKeys
	pmu   sync.Mutex      // guards paths: records are redacted on several goroutines
	paths *canon.Resolver // canonical forms and worktrees of the paths records name
	// Redaction: the redactor's optional parts (see redaction.go).
	lines lineRedactor         // redacts a line once, its fields from it
	at    locator              // takes locations (scoped manual redactions, repository rules)
	loc   locator              // set when scoped manual redactions apply: lines are prepared by the writer
	calls map[[3]string]string // (agent, session, call id) → prompt key, for tool results
	// Repository rules: set when the redactor applies them.
	repos    repoScoper
	sessRoot map[[2]string]string // (agent, session) → repository root ("" when none)
	fileRoot string               // the repository of the file's latest session
	// The transaction in progress, shared by consecutive small logs.
	tx      *store.Batch
	txBytes int64        // bytes of logs read in it
	txFiles []*fileStats // the logs it read, counted in the summary at its commit
	txWarn  []string     // warnings about them, given at its commit
	mark    Summary      // the summary when it began
	// work feeds the redaction workers (see pipeline.go).
	work chan *lineJob
	wg   sync.WaitGroup
	lr   *lineReader // reused by the batches, which are read one at a time
}

func newRun(db *store.DB, red Redactor, opt Options, sum *Summary) *run {
	r := &run{db: db, red: red, opt: opt, sum: sum, paths: canon.NewResolver(opt.Home)}
	if l, ok := red.(lineRedactor); ok {
		r.lines = l
	}
	if l, ok := red.(locator); ok {
		r.at = l
		if l.NeedsLocation() {
			r.loc, r.calls = l, map[[3]string]string{}
		}
	}
	if rs, ok := red.(repoScoper); ok && rs.RepoScoped() && r.at != nil {
		r.repos, r.sessRoot = rs, map[[2]string]string{}
	}
	return r
}

// counts returns the number of rows of each table, unless NoCounts.
func (r *run) counts(ctx context.Context) (map[string]int64, error) {
	if r.opt.NoCounts {
		return map[string]int64{}, nil
	}
	return r.db.Counts(ctx)
}

// warn reports a problem with a log; those found in a transaction wait
// for its commit (it may be rolled back and its logs read again).
func (r *run) warn(msg string) {
	switch {
	case r.opt.Warn == nil:
	case r.tx != nil:
		r.txWarn = append(r.txWarn, msg)
	default:
		r.opt.Warn(msg)
	}
}

// fileStats is a log's batch in the transaction in progress: what it adds
// to the summary once committed, and how to read it again.
type fileStats struct {
	f     File
	read  int64 // bytes
	first bool  // the log's first batch of the run
}

// file ingests one log, in batches, until its end.
func (r *run) file(ctx context.Context, f File) error {
	return r.fileFrom(ctx, f, true)
}

// fileFrom ingests log f from its batch in the run (first: its first). A
// log that cannot be read, or whose repository's rules cannot apply, is
// warned about and skipped: the transaction is rolled back and its other
// logs are read again. (A savepoint would undo only the failed log's part,
// but it costs a copy of every page each log changes: more than reading
// again the few times a log fails midway.)
func (r *run) fileFrom(ctx context.Context, f File, first bool) error {
	key, err := r.db.PathKey(ctx, f.Path)
	if err != nil {
		return err
	}
	clear(r.calls) // tool calls and their results share a file; the database knows older ones
	r.fileRoot = ""
	colls := collections(f)
	for ; ; first = false {
		b, err := r.txn(ctx)
		if err != nil {
			return err
		}
		var res batchResult
		if len(colls) > 0 {
			res, err = r.collectionBatch(ctx, b, f, key, colls, first)
		} else {
			res, err = r.batch(ctx, b, f, key, first)
		}
		if err != nil {
			skip := r.skippable(f, err)
			if skip == "" {
				return err
			}
			if err := r.redo(ctx); err != nil {
				return err
			}
			r.sum.Skipped++
			r.warn(skip)
			return nil
		}
		r.txBytes += res.read
		r.txFiles = append(r.txFiles, &fileStats{f: f, read: res.read, first: first})
		if r.txBytes >= r.opt.BatchBytes {
			if err := r.commitTx(); err != nil {
				return err
			}
		}
		if !res.more {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// redo rolls the transaction in progress back, with what it added to the
// summary and the warnings it held, and reads its logs again.
func (r *run) redo(ctx context.Context) error {
	files := r.txFiles
	if r.tx != nil {
		*r.sum = r.mark.restore()
	}
	r.rollback()
	for _, fs := range files {
		if err := r.fileFrom(ctx, fs.f, fs.first); err != nil {
			return err
		}
	}
	return nil
}

// batchResult is what one batch of a log read.
type batchResult struct {
	read int64 // bytes
	more bool  // the log has more to read
}

// skippable returns the warning for a log whose batch failed in a way that
// concerns that log only (it cannot be read, or its repository's rules
// cannot apply), "" when the run must stop.
func (r *run) skippable(f File, err error) string {
	shown, _ := r.red.Text(redact.ScopeField, f.Path)
	switch {
	case errors.Is(err, ErrRepoRules):
		return fmt.Sprintf("%s: %v; skipped until it is fixed", shown, err)
	case errors.As(err, new(unreadableError)):
		msg, _ := r.red.Text(redact.ScopeField, err.Error())
		return fmt.Sprintf("%s: %s; skipped", shown, msg)
	}
	return ""
}

// txn returns the transaction in progress, or begins one, unless a manual
// redaction was added since the redactor was built.
func (r *run) txn(ctx context.Context) (*store.Batch, error) {
	if r.tx != nil {
		return r.tx, nil
	}
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
	r.tx, r.txBytes, r.txFiles, r.txWarn, r.mark = b, 0, nil, nil, r.sum.snapshot()
	return b, nil
}

// commitTx commits the transaction in progress, if any, and counts what it
// read.
func (r *run) commitTx() error {
	b := r.tx
	if b == nil {
		return nil
	}
	r.tx = nil
	if err := b.Commit(); err != nil {
		b.Rollback()
		return err
	}
	for _, w := range r.txWarn {
		r.warn(w)
	}
	for _, fs := range r.txFiles {
		r.sum.Bytes += fs.read
		r.done += fs.read
		if fs.first && fs.read > 0 {
			r.sum.FilesRead++
		}
	}
	if r.opt.Progress != nil {
		r.opt.Progress(r.done, r.total)
	}
	return nil
}

// rollback abandons the transaction in progress, if any, with the
// warnings it held.
func (r *run) rollback() {
	if r.tx != nil {
		r.tx.Rollback()
		r.tx, r.txFiles, r.txWarn = nil, nil, nil
	}
}

// snapshot returns a copy of the summary, to restore (with restore) when
// the transaction it was taken at is rolled back.
func (s *Summary) snapshot() Summary {
	c := *s
	c.Unknown, c.Redactions, c.sessions = maps.Clone(s.Unknown), maps.Clone(s.Redactions), maps.Clone(s.sessions)
	return c
}

func (s Summary) restore() Summary { return s.snapshot() }

// manualTracker is implemented by redactors that hold manual redactions
// (*redact.Engine): the largest id among them tells whether the database
// got a new one since the redactor was built.
type manualTracker interface {
	LastManual() int64
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
