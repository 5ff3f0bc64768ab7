package hooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

// Spool is where a hook hands over the work it could not finish in its
// budget: one small file per job in the git directory
// (<git-dir>/aitrail-spool/<time>-<pid>-<n>.job, "kind\narg\n"), written
// without the database, which another process may hold locked. A hook
// holds each job it is doing (an flock on its file) and removes the file
// when the job is done; a job no live process holds was handed over
// (Release) or left by a hook that died, and the worker takes it over
// (Take). A nil *Spool holds nothing: commands run by hand do their work
// themselves.
type Spool struct {
	dir  string
	mu   sync.Mutex
	held map[*os.File]bool
	seq  int
}

// NewSpool returns the spool of the repository whose git directory is
// gitDir.
func NewSpool(gitDir string) *Spool {
	return &Spool{dir: filepath.Join(gitDir, "aitrail-spool"), held: map[*os.File]bool{}}
}

// Hold records a job the hook is about to do and holds it until done is
// called (the job is finished: its file is removed) or Release hands it
// over.
func (s *Spool) Hold(kind, arg string) (done func(), err error) {
	if s == nil {
		return func() {}, nil
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	// Locked before it has its name, so that no worker takes it over
	// between the two.
	f, err := os.CreateTemp(s.dir, ".new-*")
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if _, err := tryLock(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("spool: lock %s: %w", f.Name(), err)
	}
	s.mu.Lock()
	s.seq++
	name := filepath.Join(s.dir, fmt.Sprintf("%020d-%d-%d.job", time.Now().UnixNano(), os.Getpid(), s.seq))
	s.held[f] = true
	s.mu.Unlock()
	if _, err := fmt.Fprintf(f, "%s\n%s\n", kind, arg); err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		s.drop(f)
		os.Remove(f.Name())
		return nil, fmt.Errorf("spool: %w", err)
	}
	return func() {
		if s.drop(f) {
			os.Remove(name)
		}
	}, nil
}

// drop stops holding f, reporting whether it was held (not released).
func (s *Spool) drop(f *os.File) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.held[f] {
		return false
	}
	delete(s.held, f)
	f.Close()
	return true
}

// Release hands every held job over to a worker, and returns how many jobs
// wait for one (Waiting): when there are any, a worker should be started.
func (s *Spool) Release() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	for f := range s.held {
		f.Close()
	}
	clear(s.held)
	s.mu.Unlock()
	return s.Waiting()
}

// Waiting returns how many jobs no live process holds: handed over, or left
// by a hook that died.
func (s *Spool) Waiting() int {
	n := 0
	s.each(false, func(store.Job) error {
		n++
		return nil
	})
	return n
}

// Jobs lists the jobs in the spool, oldest first, whether a process holds
// them (a hook doing them, a worker moving them to the database) or not
// (Attempts and Repo are not set).
func (s *Spool) Jobs() ([]store.Job, error) {
	names, err := s.names()
	if err != nil {
		return nil, err
	}
	var out []store.Job
	for _, name := range names {
		if !strings.HasSuffix(name, ".job") {
			continue
		}
		f, err := os.Open(filepath.Join(s.dir, name))
		if err != nil {
			continue // done meanwhile
		}
		j, err := readJob(f)
		f.Close()
		if err == nil && j.Kind != "" {
			out = append(out, j)
		}
	}
	return out, nil
}

// names returns the names in the spool's directory, oldest job first.
func (s *Spool) names() ([]string, error) {
	if s == nil {
		return nil, nil
	}
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// Take calls fn with each job no live process holds, oldest first,
// removing it once fn returns nil, and returns how many it took. The jobs
// are taken one at a time: another worker skips the one being taken.
func (s *Spool) Take(fn func(kind, arg string) error) (int, error) {
	n := 0
	err := s.each(true, func(j store.Job) error {
		if err := fn(j.Kind, j.Arg); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// each calls fn with each job no live process holds; with take, the job's
// file is removed after fn succeeds, and so are files a dead hook left
// half written.
func (s *Spool) each(take bool, fn func(store.Job) error) error {
	names, err := s.names()
	if err != nil {
		return err
	}
	for _, name := range names {
		job := strings.HasSuffix(name, ".job")
		if !job && !(take && strings.HasPrefix(name, ".new-")) {
			continue
		}
		path := filepath.Join(s.dir, name)
		j, ok, err := s.claim(path)
		if err != nil || !ok {
			continue // gone, or held by a live process
		}
		if !job || j.Kind == "" {
			if take {
				os.Remove(path) // half written by a hook that died
			}
			j.close()
			continue
		}
		err = fn(j.Job)
		if err == nil && take {
			os.Remove(path)
		}
		j.close()
		if err != nil {
			return err
		}
	}
	return nil
}

// claimed is a job file locked by this process.
type claimed struct {
	store.Job
	f *os.File
}

func (c claimed) close() { c.f.Close() }

// claim locks the job file at path and reads it; ok is false when the file
// is gone or another live process holds it.
func (s *Spool) claim(path string) (claimed, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return claimed{}, false, err
	}
	locked, err := tryLock(f)
	if err != nil || !locked {
		f.Close()
		return claimed{}, false, err
	}
	// Its hook may have finished it, and removed it, just before.
	fi, err := f.Stat()
	now, err2 := os.Stat(path)
	if err != nil || err2 != nil || !os.SameFile(fi, now) {
		f.Close()
		return claimed{}, false, nil
	}
	j, err := readJob(f)
	if err != nil {
		f.Close()
		return claimed{}, false, err
	}
	return claimed{j, f}, true, nil
}

// readJob reads a job file; a file not written whole has no Kind.
func readJob(f *os.File) (store.Job, error) {
	fi, err := f.Stat()
	if err != nil {
		return store.Job{}, err
	}
	data, err := io.ReadAll(io.LimitReader(f, 4<<10))
	if err != nil {
		return store.Job{}, err
	}
	j := store.Job{Created: fi.ModTime().UTC()}
	if kind, rest, ok := bytes.Cut(data, []byte("\n")); ok && bytes.HasSuffix(rest, []byte("\n")) {
		j.Kind, j.Arg = string(kind), string(bytes.TrimSuffix(rest, []byte("\n")))
	}
	return j, nil
}

// workerLock is the lock that makes a worker the only one of its
// repository; lockDatabase makes it the only one of its database.
func (s *Spool) workerLock() string { return filepath.Join(s.dir, "worker.lock") }

// lockFile takes an exclusive lock on the file at path (created when
// missing), trying every poll until wait has passed or ctx ends (wait 0:
// one try). ok is false when another process kept it; release frees it.
func lockFile(ctx context.Context, path string, wait, poll time.Duration) (release func(), ok bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, err
	}
	end := time.Now().Add(wait)
	for {
		locked, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, false, err
		}
		if locked {
			return func() { f.Close() }, true, nil
		}
		if !time.Now().Add(poll).Before(end) {
			f.Close()
			return nil, false, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, false, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// tryLock takes an exclusive flock on f without waiting; locked is false
// when another process holds one. The kernel frees it when the process
// ends, however it ends.
func tryLock(f *os.File) (locked bool, err error) {
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// Handoff holds in spool what a worker does in a hook's place if the hook
// does not finish (within its budget, or at all), worked out from git
// alone before the budget runs, since the database may be what is locked:
// for post-commit, HEAD's annotation (with the commit it was cherry-picked
// from); for post-rewrite, each new commit's, with the commits it
// replaces. The other hooks leave only ingest, which post-commit and the
// worker do anyway. finished removes the jobs, once the hook did them; it
// is set even with an error (the jobs held before it). With push (team.push:
// auto), a push follows the annotations, and is left to the worker in any
// case, so that it never adds to a commit's time.
func Handoff(spool *Spool, repo *gitlog.Repo, hook string, rw Rewrites, push bool) (finished func(), err error) {
	var jobs [][2]string // kind, argument
	switch hook {
	case "post-commit":
		head, from, ok, err := headJob(repo)
		if err != nil {
			return func() {}, err
		}
		if ok {
			jobs = append(jobs, [2]string{jobAnnotate, job(head, from)})
		}
	case "post-rewrite":
		for _, n := range rw.New {
			jobs = append(jobs, [2]string{rw.How, job(n, rw.Olds[n])})
		}
	}
	var dones []func()
	finished = func() {
		for _, done := range dones {
			done()
		}
	}
	for _, j := range jobs {
		done, err := spool.Hold(j[0], j[1])
		if err != nil {
			return finished, err
		}
		dones = append(dones, done)
	}
	if push && len(jobs) > 0 {
		if _, err := spool.Hold(jobPush, ""); err != nil { // never finished here
			return finished, err
		}
	}
	return finished, nil
}
