package hooks

import (
	"context"
	"fmt"
	"time"

	"github.com/aitrail/aitrail/gitlog"
)

// How long a worker waits for another worker of the same database to
// finish, and how often it looks.
const (
	workerWait = 10 * time.Minute
	workerPoll = 200 * time.Millisecond
)

// Work is the detached worker ("aitrail hook worker"): it moves the jobs
// hooks handed over (Spool) into the database's queue, ingests, does the
// queued jobs of this repository one at a time (memory holds one job, and
// ingest one batch), and catches up on recent commits without a record
// (which a hook cut short may not have reached). One worker runs per
// database at a time, and at most one waits per repository: a second one
// for the same repository leaves at once, the one there takes its jobs too.
func (e *Handlers) Work(ctx context.Context, spool *Spool) error {
	for {
		worked, err := e.workOnce(ctx, spool)
		if err != nil || !worked {
			return err
		}
		// A hook may have handed over a job after the last look, while
		// its worker found this one's lock taken and left.
		if spool.Waiting() == 0 {
			return nil
		}
	}
}

// workOnce takes the repository's and then the database's worker locks,
// and does the work; worked is false when another worker of the repository
// is there, or the database's did not finish in workerWait.
func (e *Handlers) workOnce(ctx context.Context, spool *Spool) (worked bool, err error) {
	release, ok, err := lockFile(ctx, spool.workerLock(), 0, 0)
	if err != nil || !ok {
		return false, err
	}
	defer release()
	releaseDB, ok, err := lockFile(ctx, e.DB.Path()+"-worker.lock", workerWait, workerPoll)
	if err != nil || !ok {
		return false, err
	}
	defer releaseDB()
	_, err = spool.Take(func(kind, arg string) error { return e.DB.Enqueue(ctx, e.RepoKey, kind, arg) })
	if err != nil {
		return true, err
	}
	if err := e.Ingest(ctx); err != nil {
		return true, err
	}
	var last int64 // each job once: one that fails waits for the next worker
	for {
		j, ok, err := e.DB.Claim(ctx, e.RepoKey, last, 10*time.Minute)
		if err != nil {
			return true, err
		}
		if !ok {
			return true, e.annotateMissing(ctx)
		}
		last = j.ID
		var jerr error
		switch j.Kind {
		case jobAnnotate, fromAmend, fromRebase:
			h, from, err := parseJob(j.Arg)
			if err != nil {
				jerr = err
				break
			}
			how := j.Kind
			if how == jobAnnotate {
				how = fromCherryPick // post-commit's: only a cherry-pick has origins
			}
			jerr = e.annotateFrom(ctx, []gitlog.Hash{h}, map[gitlog.Hash][]gitlog.Hash{h: from}, how)
		case jobPush:
			if e.Push == nil {
				break // team.push is no longer auto
			}
			jerr = e.Push(ctx)
		default:
			jerr = fmt.Errorf("unknown job kind %q", j.Kind)
		}
		if err := e.DB.Finish(ctx, j.ID, jerr); err != nil {
			return true, err
		}
	}
}
