package hooks

import (
	"context"
	"errors"
	"sync"
	"time"
)

// DefaultBudget is how long a hook works when the configuration does not
// say (hooks.budget).
const DefaultBudget = time.Second

// ErrBudgetSpent is returned by Budget.Atomic once the budget is spent.
var ErrBudgetSpent = errors.New("the hook's time budget is spent")

// Budget bounds a hook's wall time. Run gives the work a context that ends
// at the deadline, which stops what checks it (waiting for a SQLite lock,
// reading logs between lines, correlating), and does not wait for what
// does not: at the deadline Run returns, the hook hands what is left to the
// worker (Spool) and its process exits, abandoning the work wherever it
// is. Everything the work writes is either a transaction (the database) or
// written whole under a new name (git objects), except the few steps that
// must not be cut, which run through Atomic. A nil *Budget does not bound
// anything.
type Budget struct {
	deadline time.Time
	mu       sync.Mutex // held by an Atomic step, and by Run to spend the budget
	spent    bool
}

// NewBudget returns a budget that ends at deadline.
func NewBudget(deadline time.Time) *Budget { return &Budget{deadline: deadline} }

// Run runs work on a goroutine of its own and returns when work returns or
// when the deadline (or ctx's end) comes, whichever is first. done is
// false when the deadline came first or work stopped because of it: then
// the budget is spent (no Atomic step runs any more, and one in progress
// was waited for), err is nil, and the caller should hand the work over and
// exit rather than wait for it.
func (b *Budget) Run(ctx context.Context, work func(ctx context.Context) error) (done bool, err error) {
	ctx, cancel := context.WithDeadline(ctx, b.deadline)
	defer cancel()
	result := make(chan error, 1)
	go func() { result <- work(ctx) }()
	select {
	case err := <-result:
		if err != nil && ctx.Err() != nil {
			b.spend() // it gave up because time was up
			return false, nil
		}
		return true, err
	case <-ctx.Done():
		b.spend()
		select {
		case err := <-result: // it finished while an Atomic step was waited for
			if err == nil {
				return true, nil
			}
		default:
		}
		return false, nil
	}
}

// spend ends the budget, waiting for an Atomic step in progress.
func (b *Budget) spend() {
	b.mu.Lock()
	b.spent = true
	b.mu.Unlock()
}

// Atomic runs step whole, unless the budget is spent (ErrBudgetSpent):
// the steps a process exit must not cut, such as moving a notes ref (whose
// lock file would be left behind) or rewriting the commit message file.
// They take milliseconds; the deadline waits for them.
func (b *Budget) Atomic(step func() error) error {
	if b == nil {
		return step()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.spent {
		return ErrBudgetSpent
	}
	return step()
}
