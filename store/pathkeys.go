package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"sync"
)

// PathKeys makes the keys by which paths are compared in the database, so
// that comparing needs no stored path: a path under the home directory is
// stored only redacted (~/…), and a redacted path cannot be compared.
//
// The key of a canonical absolute path (see package canon) is a chain with
// one element per path element: "/" followed by 16 hex digits of an
// HMAC-SHA-256, keyed with the database's own secret, of the parent's key
// and the element's name, as bytes. The root's key is "". So a path lies
// inside a directory exactly when its key starts with the directory's key
// followed by "/", which SQL can test on an index (see inside), and the key
// tells nothing of a name without the database's secret.
type PathKeys struct {
	secret []byte
	mu     sync.Mutex
	dirs   map[string]string // canonical directory → its key
}

// PathKeys returns a maker of path keys with the database's secret.
func (db *DB) PathKeys(ctx context.Context) (*PathKeys, error) {
	key, err := db.secret(ctx)
	if err != nil {
		return nil, err
	}
	return &PathKeys{secret: key, dirs: map[string]string{}}, nil
}

// Key returns the key of the canonical absolute path p, or "" when p is ""
// or not absolute (it names no local file, so nothing compares with it).
// It is safe for concurrent use.
func (k *PathKeys) Key(p string) string {
	if p == "" || !filepath.IsAbs(p) {
		return ""
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.key(filepath.Clean(p))
}

func (k *PathKeys) key(p string) string {
	dir, name := filepath.Split(p)
	if name == "" {
		return "" // the root
	}
	dir = filepath.Clean(dir)
	dk, ok := k.dirs[dir]
	if !ok {
		dk = k.key(dir)
		k.dirs[dir] = dk
	}
	return k.Child(dk, name)
}

// Child returns the key of the element name inside the directory whose key
// is dir: the key of a repository's file from the key of its root and the
// slash-separated path git gives, element by element.
func (k *PathKeys) Child(dir, name string) string {
	for _, e := range strings.Split(name, "/") {
		if e == "" || e == "." {
			continue
		}
		m := hmac.New(sha256.New, k.secret)
		m.Write([]byte("path\x00" + dir + "\x00" + e))
		dir += "/" + hex.EncodeToString(m.Sum(nil)[:8])
	}
	return dir
}

// inside builds a condition selecting the rows whose key column is one of
// keys or lies inside one (see PathKeys). Every element of a key is 16 hex
// digits after a "/", so the keys from k up to k+"0" (excluded; "0" follows
// "/" in byte order) are k itself and those that continue it with "/".
// Empty keys (paths that were not local) match nothing, and select
// nothing.
func inside(col string, keys []string) (string, []any) {
	var conds []string
	var args []any
	for _, k := range keys {
		if k == "" {
			continue // not a local directory: nothing is inside it
		}
		conds = append(conds, "("+col+" >= ? AND "+col+" < ?)")
		args = append(args, k, k+"0")
	}
	if len(conds) == 0 {
		return "0", nil
	}
	return "(" + col + " != '' AND (" + strings.Join(conds, " OR ") + "))", args
}
