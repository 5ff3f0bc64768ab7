package hooks

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestBudgetRun checks what Run returns: work that ends in time reports
// its result; work still going at the deadline is left behind (Run returns
// while it is still blocked), and work that gave up because time was up is
// not reported as an error.
func TestBudgetRun(t *testing.T) {
	boom := errors.New("boom")
	done, err := NewBudget(time.Now().Add(time.Hour)).Run(context.Background(), func(context.Context) error { return boom })
	if !done || err != boom {
		t.Errorf("work that failed in time: done %v, err %v; want true, boom", done, err)
	}

	release := make(chan struct{})
	ended := make(chan struct{})
	done, err = NewBudget(time.Now().Add(20*time.Millisecond)).Run(context.Background(), func(context.Context) error {
		defer close(ended)
		<-release // ignores its context: a step that cannot be interrupted
		return nil
	})
	select {
	case <-ended:
		t.Error("Run waited for work that ignores the deadline")
	default:
	}
	if done || err != nil {
		t.Errorf("work cut by the deadline: done %v, err %v; want false, nil", done, err)
	}
	close(release)
	<-ended

	done, err = NewBudget(time.Now().Add(20*time.Millisecond)).Run(context.Background(), func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err() // e.g. a SQLite lock wait that ended with the context
	})
	if done || err != nil {
		t.Errorf("work that gave up at the deadline: done %v, err %v; want false, nil", done, err)
	}
}

// TestBudgetAtomic checks that the deadline waits for an Atomic step in
// progress, and that no step starts once the budget is spent.
func TestBudgetAtomic(t *testing.T) {
	b := NewBudget(time.Now().Add(20 * time.Millisecond))
	stepDone := false
	b.Run(context.Background(), func(ctx context.Context) error {
		return b.Atomic(func() error {
			<-ctx.Done() // the deadline passes during the step
			stepDone = true
			return nil
		})
	})
	if !stepDone {
		t.Error("Run returned before the Atomic step in progress ended")
	}
	ran := false
	if err := b.Atomic(func() error { ran = true; return nil }); !errors.Is(err, ErrBudgetSpent) || ran {
		t.Errorf("Atomic after the deadline: %v (ran %v), want ErrBudgetSpent without running", err, ran)
	}
	var none *Budget
	if err := none.Atomic(func() error { ran = true; return nil }); err != nil || !ran {
		t.Errorf("a nil Budget's Atomic: %v (ran %v), want the step run", err, ran)
	}
}
