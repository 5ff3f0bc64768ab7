package gitlog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// errRefChanged reports a lost compare-and-swap: the ref no longer holds the
// expected value.
var errRefChanged = errors.New("ref changed concurrently")

// refLockTimeout bounds how long updateRef waits for another writer's
// <ref>.lock to go away. git itself waits 100 ms (core.filesRefLockTimeout);
// writers hold the lock for well under a millisecond.
const refLockTimeout = 2 * time.Second

// refFile returns the loose file of ref name: per-worktree refs live in the
// git dir, all others in the common dir.
func (r *Repo) refFile(name string) string {
	base := r.commonDir
	if name == "HEAD" || !strings.HasPrefix(name, "refs/") ||
		strings.HasPrefix(name, "refs/worktree/") || strings.HasPrefix(name, "refs/bisect/") ||
		strings.HasPrefix(name, "refs/rewritten/") {
		base = r.gitDir
	}
	return filepath.Join(base, filepath.FromSlash(name))
}

// readRef returns the object a ref points to, following symbolic refs, read
// fresh from disk: the loose file first, then packed-refs. ok is false when
// the ref (or the branch a symbolic ref names) does not exist.
func (r *Repo) readRef(name string) (h Hash, ok bool, err error) {
	if r.reftable {
		return r.readRefGit(name)
	}
	for range 6 {
		target, h, ok, err := r.readRefOnce(name)
		if err != nil || !ok || target == "" {
			return h, ok, err
		}
		name = target
	}
	return Hash{}, false, fmt.Errorf("read ref %s: symbolic ref loop", name)
}

// readRefOnce reads one level: either a hash or a symbolic target.
func (r *Repo) readRefOnce(name string) (target string, h Hash, ok bool, err error) {
	b, err := os.ReadFile(r.refFile(name))
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if t, isSym := strings.CutPrefix(s, "ref:"); isSym {
			return strings.TrimSpace(t), Hash{}, true, nil
		}
		h, perr := ParseHash(s)
		if perr != nil {
			return "", Hash{}, false, fmt.Errorf("read ref %s: %w", name, perr)
		}
		return "", h, true, nil
	case errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTDIR):
		h, ok, err := r.packedRef(name)
		return "", h, ok, err
	default:
		return "", Hash{}, false, fmt.Errorf("read ref %s: %w", name, err)
	}
}

// packedRef looks name up in <common>/packed-refs.
func (r *Repo) packedRef(name string) (Hash, bool, error) {
	f, err := os.Open(filepath.Join(r.commonDir, "packed-refs"))
	if errors.Is(err, os.ErrNotExist) {
		return Hash{}, false, nil
	}
	if err != nil {
		return Hash{}, false, fmt.Errorf("read packed-refs: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	suffix := []byte(" " + name)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 41+len(name) && bytes.HasSuffix(line, suffix) {
			h, err := ParseHash(string(line[:40]))
			if err != nil {
				return Hash{}, false, fmt.Errorf("read packed-refs: %w", err)
			}
			return h, true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return Hash{}, false, fmt.Errorf("read packed-refs: %w", err)
	}
	return Hash{}, false, nil
}

// refUpdate describes one compare-and-swap of a ref.
type refUpdate struct {
	name     string
	old, new Hash // old zero: the ref must not exist
	msg      string
	ident    ident
	reflog   bool // append to logs/<name> (the log is always appended when it exists)
}

// updateRef performs u with git's files-backend protocol, so it interlocks
// with git processes: create <ref>.lock exclusively (waiting up to
// refLockTimeout while another writer holds it), check the current value under
// the lock, write the new value into the lock file, append the reflog, and
// rename the lock over the ref. It returns errRefChanged when the ref no
// longer holds u.old.
func (r *Repo) updateRef(u refUpdate) error {
	path := r.refFile(u.name)
	lock := path + ".lock"
	f, err := acquireLock(lock)
	if errors.Is(err, os.ErrNotExist) {
		if err = os.MkdirAll(filepath.Dir(path), 0o777); err == nil {
			f, err = acquireLock(lock)
		}
	}
	if err != nil {
		return fmt.Errorf("update ref %s: %w", u.name, err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(lock)
		}
	}()

	// Under the lock, look at the ref itself (not through symbolic refs).
	target, cur, ok, err := r.readRefOnce(u.name)
	if err != nil {
		return fmt.Errorf("update ref %s: %w", u.name, err)
	}
	if target != "" {
		return fmt.Errorf("update ref %s: is a symbolic ref to %s", u.name, target)
	}
	if !ok {
		cur = Hash{}
	}
	if cur != u.old {
		return errRefChanged
	}
	if _, err := fmt.Fprintf(f, "%s\n", u.new); err != nil {
		return fmt.Errorf("update ref %s: %w", u.name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("update ref %s: %w", u.name, err)
	}
	if err := r.appendReflog(u); err != nil {
		return err
	}
	if err := os.Rename(lock, path); err != nil {
		return fmt.Errorf("update ref %s: %w", u.name, err)
	}
	committed = true
	return nil
}

// acquireLock creates path exclusively, retrying with jittered backoff while
// it exists.
func acquireLock(path string) (*os.File, error) {
	deadline := time.Now().Add(refLockTimeout)
	wait := 500 * time.Microsecond
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("unable to create %s: file exists (another git process may be running; if not, remove the file)", path)
		}
		time.Sleep(wait + rand.N(wait))
		wait = min(2*wait, 20*time.Millisecond)
	}
}

// appendReflog appends "<old> <new> <ident>\t<msg>" to logs/<ref>, as git's
// files backend does, when the log exists or u.reflog asks for one.
func (r *Repo) appendReflog(u refUpdate) error {
	path := filepath.Join(r.commonDir, "logs", filepath.FromSlash(u.name))
	if r.refFile(u.name) != filepath.Join(r.commonDir, filepath.FromSlash(u.name)) {
		path = filepath.Join(r.gitDir, "logs", filepath.FromSlash(u.name))
	}
	flags := os.O_WRONLY | os.O_APPEND
	if u.reflog {
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			return fmt.Errorf("update reflog %s: %w", u.name, err)
		}
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flags, 0o666)
	if errors.Is(err, os.ErrNotExist) && !u.reflog {
		return nil
	}
	if err != nil {
		return fmt.Errorf("update reflog %s: %w", u.name, err)
	}
	msg := strings.Join(strings.Fields(u.msg), " ")
	_, werr := fmt.Fprintf(f, "%s %s %s\t%s\n", u.old, u.new, u.ident, msg)
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("update reflog %s: %w", u.name, err)
	}
	return nil
}

// updateRefGit performs u with `git update-ref`, for ref backends other than
// files (reftable).
func (r *Repo) updateRefGit(u refUpdate) error {
	_, err := r.git(nil, "update-ref", "-m", u.msg, u.name, u.new.String(), u.old.String())
	if err != nil {
		// git cannot tell a lost race from other failures by exit code; re-read.
		if cur, _, rerr := r.readRefGit(u.name); rerr == nil && cur != u.old {
			return errRefChanged
		}
		return fmt.Errorf("update ref %s: %w", u.name, err)
	}
	return nil
}

// readRefGit reads a ref with `git rev-parse`, for ref backends other than files.
func (r *Repo) readRefGit(name string) (Hash, bool, error) {
	out, err := r.git(nil, "rev-parse", "-q", "--verify", name+"^{commit}")
	if err != nil {
		return Hash{}, false, nil
	}
	h, err := ParseHash(strings.TrimSpace(string(out)))
	return h, err == nil, err
}

// usesReftable reports whether the repository in commonDir stores refs in
// reftable format (git >= 2.45, extensions.refStorage=reftable), which this
// package does not read directly: refs then go through the git CLI.
func usesReftable(commonDir string) bool {
	fi, err := os.Stat(filepath.Join(commonDir, "reftable"))
	return err == nil && fi.IsDir()
}
