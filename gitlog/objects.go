package gitlog

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
)

// File modes as git stores them in trees.
const (
	modeTree    = 0o040000
	modeBlob    = 0o100644
	modeSymlink = 0o120000
	modeGitlink = 0o160000
	modeTypeBit = 0o170000
)

// treeEntry is one entry of a tree object, decoded without normalizing the mode
// so that rewritten notes trees keep foreign entries byte for byte.
type treeEntry struct {
	mode uint32
	name string
	hash Hash
}

func (e treeEntry) isTree() bool    { return e.mode&modeTypeBit == modeTree }
func (e treeEntry) isGitlink() bool { return e.mode&modeTypeBit == modeGitlink }
func (e treeEntry) isBlob() bool {
	t := e.mode & modeTypeBit
	return t == 0o100000 || t == modeSymlink
}

// readObject returns the content of object h, which must have type t. When the
// object is missing it rescans the pack directory once: go-git caches the list
// of packs, and another process (git gc, fast-import) may have added one.
func (r *Repo) readObject(t plumbing.ObjectType, h Hash) ([]byte, error) {
	o, err := r.st.EncodedObject(t, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		r.st.Reindex()
		o, err = r.st.EncodedObject(t, h)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", t, h, err)
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", t, h, err)
	}
	defer rd.Close()
	buf := bytes.NewBuffer(make([]byte, 0, o.Size()))
	if _, err := io.Copy(buf, rd); err != nil {
		return nil, fmt.Errorf("read %s %s: %w", t, h, err)
	}
	return buf.Bytes(), nil
}

// objectSize returns the size of object h without reading large blobs whole.
func (r *Repo) objectSize(h Hash) (int64, error) {
	n, err := r.st.EncodedObjectSize(h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		r.st.Reindex()
		n, err = r.st.EncodedObjectSize(h)
	}
	if err != nil {
		return 0, fmt.Errorf("size of object %s: %w", h, err)
	}
	return n, nil
}

// readTree decodes tree h; the zero hash is the empty tree.
func (r *Repo) readTree(h Hash) ([]treeEntry, error) {
	if h.IsZero() || h == emptyTreeHash {
		return nil, nil
	}
	data, err := r.readObject(plumbing.TreeObject, h)
	if err != nil {
		return nil, err
	}
	return parseTree(data, h)
}

func parseTree(data []byte, h Hash) ([]treeEntry, error) {
	var out []treeEntry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("tree %s: malformed entry", h)
		}
		mode, err := strconv.ParseUint(string(data[:sp]), 8, 32)
		if err != nil {
			return nil, fmt.Errorf("tree %s: bad mode %q", h, data[:sp])
		}
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul < 0 || len(data) < nul+1+20 {
			return nil, fmt.Errorf("tree %s: malformed entry", h)
		}
		e := treeEntry{mode: uint32(mode), name: string(data[:nul])}
		copy(e.hash[:], data[nul+1:nul+21])
		out = append(out, e)
		data = data[nul+21:]
	}
	return out, nil
}

// encodeTree sorts entries in git's tree order and encodes them.
func encodeTree(entries []treeEntry) []byte {
	sort.Slice(entries, func(i, j int) bool { return treeLess(entries[i], entries[j]) })
	var b bytes.Buffer
	for _, e := range entries {
		b.WriteString(strconv.FormatUint(uint64(e.mode), 8))
		b.WriteByte(' ')
		b.WriteString(e.name)
		b.WriteByte(0)
		b.Write(e.hash[:])
	}
	return b.Bytes()
}

// treeLess is git's tree entry order: names compared bytewise, a tree's name
// as if it ended in "/".
func treeLess(a, b treeEntry) bool {
	an, bn := a.name, b.name
	n := min(len(an), len(bn))
	if c := bytes.Compare([]byte(an[:n]), []byte(bn[:n])); c != 0 {
		return c < 0
	}
	ac, bc := byte(0), byte(0)
	if len(an) > n {
		ac = an[n]
	} else if a.isTree() {
		ac = '/'
	}
	if len(bn) > n {
		bc = bn[n]
	} else if b.isTree() {
		bc = '/'
	}
	return ac < bc
}

var emptyTreeHash = objectHash("tree", nil)

func objectHash(typ string, content []byte) Hash {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(content))
	h.Write(content)
	var out Hash
	copy(out[:], h.Sum(nil))
	return out
}

// writeObject stores a loose object the way git does: zlib-compressed into a
// temporary file in its objects/xx directory, then renamed into place,
// read-only. An object that already exists loose is not rewritten; one that
// exists only packed gets a harmless loose duplicate.
func (r *Repo) writeObject(typ string, content []byte) (Hash, error) {
	h := objectHash(typ, content)
	hex := h.String()
	dir := filepath.Join(r.commonDir, "objects", hex[:2])
	path := filepath.Join(dir, hex[2:])
	if _, err := os.Stat(path); err == nil {
		return h, nil
	}
	tmpName := filepath.Join(dir, fmt.Sprintf("tmp_obj_%d_%x", os.Getpid(), rand.Uint64()))
	tmp, err := os.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if errors.Is(err, os.ErrNotExist) {
		if err = os.MkdirAll(dir, 0o777); err == nil {
			tmp, err = os.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
		}
	}
	if err != nil {
		return h, fmt.Errorf("write object: %w", err)
	}
	r.zmu.Lock()
	if r.zw == nil {
		r.zw, _ = zlib.NewWriterLevel(tmp, zlib.BestSpeed)
	} else {
		r.zw.Reset(tmp)
	}
	fmt.Fprintf(r.zw, "%s %d\x00", typ, len(content))
	_, werr := r.zw.Write(content)
	werr = errors.Join(werr, r.zw.Close())
	r.zmu.Unlock()
	if err := errors.Join(werr, tmp.Close()); err != nil {
		os.Remove(tmpName)
		return h, fmt.Errorf("write object %s: %w", hex, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		os.Remove(tmpName)
		return h, fmt.Errorf("write object %s: %w", hex, err)
	}
	return h, nil
}
