package hooks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSpool checks the hand-over of jobs: a job held by its hook is listed
// but not taken; done removes it; released, it waits for a worker, which
// takes it once; a file a dead hook left half written is cleaned up.
func TestSpool(t *testing.T) {
	s := NewSpool(t.TempDir())
	if n := s.Release(); n != 0 {
		t.Errorf("an empty spool has %d waiting jobs", n)
	}
	doneA, err := s.Hold("annotate", "aaa")
	if err != nil {
		t.Fatal(err)
	}
	doneB, err := s.Hold("annotate", "bbb:ccc")
	if err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.Jobs(); len(jobs) != 2 || jobs[0].Arg != "aaa" || jobs[1].Arg != "bbb:ccc" {
		t.Errorf("Jobs() = %+v, want both held jobs in order", jobs)
	}
	worker := NewSpool(filepath.Dir(s.dir)) // another process's view: its locks conflict
	if n, err := worker.Take(func(string, string) error { t.Error("took a held job"); return nil }); n != 0 || err != nil {
		t.Errorf("Take of held jobs: %d, %v", n, err)
	}
	doneA() // finished
	if n := s.Release(); n != 1 {
		t.Errorf("after one job done and the other released, %d jobs wait, want 1", n)
	}
	doneB() // after Release: the worker's now, the file stays
	if err := os.WriteFile(filepath.Join(s.dir, ".new-123"), []byte("annot"), 0o600); err != nil {
		t.Fatal(err)
	}
	var took []string
	failing := errors.New("database is locked")
	if _, err := worker.Take(func(kind, arg string) error { return failing }); err != failing {
		t.Errorf("Take passed on %v, want the callback's error", err)
	}
	n, err := worker.Take(func(kind, arg string) error { took = append(took, kind+" "+arg); return nil })
	if err != nil || n != 1 || len(took) != 1 || took[0] != "annotate bbb:ccc" {
		t.Errorf("Take: %d %v %q, want the released job once", n, err, took)
	}
	if entries, _ := os.ReadDir(s.dir); len(entries) != 0 {
		t.Errorf("left in the spool: %v", entries)
	}
}

// TestLockFile checks the worker locks: one holder at a time; a waiter
// gets the lock once it is freed, and gives up when its context ends.
func TestLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	ctx := context.Background()
	release, ok, err := lockFile(ctx, path, 0, 0)
	if err != nil || !ok {
		t.Fatalf("lockFile: %v %v", ok, err)
	}
	if _, ok, err := lockFile(ctx, path, 0, 0); ok || err != nil {
		t.Errorf("a second lockFile got the lock (%v, %v)", ok, err)
	}
	got := make(chan bool)
	go func() {
		r, ok, _ := lockFile(ctx, path, time.Hour, time.Millisecond)
		if ok {
			r()
		}
		got <- ok
	}()
	release()
	if !<-got {
		t.Error("a waiter did not get the lock once it was freed")
	}
	release, _, _ = lockFile(ctx, path, 0, 0)
	defer release()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok, err := lockFile(cctx, path, time.Hour, time.Millisecond); ok || !errors.Is(err, context.Canceled) {
		t.Errorf("a waiter whose context ended: %v, %v", ok, err)
	}
}

// BenchmarkSpoolHandoff measures what the hand-off costs a hook that
// finishes: holding its job, removing it, and looking for jobs left.
//
//	go test -run '^$' -bench SpoolHandoff ./hooks
func BenchmarkSpoolHandoff(b *testing.B) {
	s := NewSpool(b.TempDir())
	for b.Loop() {
		done, err := s.Hold("annotate", "0123456789012345678901234567890123456789")
		if err != nil {
			b.Fatal(err)
		}
		done()
		if s.Release() != 0 {
			b.Fatal("a job was left")
		}
	}
}
