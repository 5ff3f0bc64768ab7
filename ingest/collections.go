package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aitrail/aitrail/ingest/spec"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// Collection declares one kind of record of a store an agent rewrites in
// place; spec.Collection tells how its rows reach decoders.
type Collection = spec.Collection

// treeRecheck is the Recheck of a tree's collections when none is given:
// file systems keep modification times in coarse ticks.
const treeRecheck = 2e9

// collState is what the pipeline keeps of a collection source between
// batches: how far each collection was read, and the decoder's state.
type collState struct {
	Dec json.RawMessage        `json:"dec,omitempty"`
	At  map[string]*collCursor `json:"at,omitempty"`
}

// collCursor is how far one collection was read.
type collCursor struct {
	Order int64 `json:"o"` // the highest order read
	// Seen holds the order and size of the rows read at orders at least
	// Order-Recheck, so that reading them again passes them over unless
	// they changed.
	Seen map[string][2]int64 `json:"seen,omitempty"`
}

// collItem is one row or file read.
type collItem struct {
	coll, key   string
	order, size int64
	value       []byte // JSON
	join        []byte // JSON of the joined record; nil without a Join
}

// collections returns the collections of f, nil when f is a log.
func collections(f File) []Collection {
	if f.Agent.Collections == nil {
		return nil
	}
	return f.Agent.Collections(f.Path)
}

// fingerprint stands for a collection source's size, modification time and
// inode in the watermark: a database's with its write-ahead log, a tree's
// largest modification time and summed sizes (and count) of its files.
func fingerprint(f File, colls []Collection) (size, mtime, ino int64, err error) {
	fi, err := os.Stat(f.Path)
	if err != nil {
		return 0, 0, 0, err
	}
	if !fi.IsDir() {
		size, mtime = fi.Size(), fi.ModTime().UnixNano()
		if w, err := os.Stat(f.Path + "-wal"); err == nil {
			size += w.Size()
			mtime = max(mtime, w.ModTime().UnixNano())
		}
		return size, mtime, inode(fi), nil
	}
	for _, c := range colls {
		err := walkJSON(filepath.Join(f.Path, filepath.FromSlash(c.Name)), func(_ string, fi fs.FileInfo) {
			size += fi.Size() + 1
			mtime = max(mtime, fi.ModTime().UnixNano())
		})
		if err != nil {
			return 0, 0, 0, err
		}
	}
	return size, mtime, 0, nil
}

// walkJSON calls fn for the regular *.json files below dir; a missing dir
// has none.
func walkJSON(dir string, fn func(path string, fi fs.FileInfo)) error {
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipDir
			}
			return nil // an unreadable subdirectory is skipped
		}
		if !e.Type().IsRegular() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		if fi, err := e.Info(); err == nil {
			fn(p, fi)
		}
		return nil
	})
	return err
}

// collectionBatch reads at most BatchBytes of the rows of a collection
// source written since the last run, in b.
func (r *run) collectionBatch(ctx context.Context, b *store.Batch, f File, key string, colls []Collection, first bool) (res batchResult, err error) {
	shown, _ := r.red.Text(redact.ScopeField, f.Path)
	src, err := b.Source(f.Agent.Name, key, shown)
	if err != nil {
		return res, err
	}
	// Taken before reading: what is written meanwhile is read next time.
	size, mtime, ino, err := fingerprint(f, colls)
	if err != nil {
		return res, unreadable(err)
	}
	var cs collState
	reset := first && r.opt.Rebuild || src.Inode != 0 && ino != 0 && src.Inode != ino
	if !reset && len(src.State) > 0 && json.Unmarshal(src.State, &cs) != nil {
		reset = true // an older aitrail's state
	}
	dec, err := f.Agent.New(f.Path, cs.Dec)
	if err != nil {
		reset = true
		if dec, err = f.Agent.New(f.Path, nil); err != nil {
			return res, err
		}
	}
	if reset {
		if src.Line > 0 {
			if err := b.ResetSource(src.ID); err != nil {
				return res, err
			}
			r.sum.Resets++
		}
		src = store.Watermark{ID: src.ID, Agent: src.Agent, Path: src.Path}
		cs = collState{}
	}
	src.Agent = f.Agent.Name
	if cs.At == nil {
		cs.At = map[string]*collCursor{}
	}
	items, more, err := readCollections(ctx, f.Path, colls, cs.At, r.opt.BatchBytes, r.warn)
	if err != nil {
		return res, unreadable(err)
	}
	for _, it := range items {
		env, err := json.Marshal(struct {
			C string          `json:"c"`
			K string          `json:"k"`
			V json.RawMessage `json:"v"`
			J json.RawMessage `json:"j,omitempty"`
		}{it.coll, it.key, it.value, it.join})
		if err != nil {
			return res, err
		}
		src.Line++
		j := r.decode(src.Agent, dec, src.Line, it.order, env, int64(len(env)))
		j.p = r.prepare(b, j)
		if err := r.write(b, &src, f.Path, j); err != nil {
			return res, err
		}
		res.read += it.size
	}
	if err := r.flush(b, &src, f.Path, dec); err != nil {
		return res, err
	}
	if cs.Dec, err = dec.State(); err != nil {
		return res, fmt.Errorf("decoder state: %w", err)
	}
	if src.State, err = json.Marshal(cs); err != nil {
		return res, err
	}
	src.Size, src.MtimeNS, src.Inode, src.Offset = size, mtime, ino, size
	if more {
		src.Size = -1 // not all read: the next run must look again
	}
	res.more = more
	return res, b.SaveSource(src)
}

// readCollections reads the rows of the collections of the source at path
// (a database file or a tree's directory) written since the cursors at,
// which it advances, until limit bytes are read; more reports that rows
// remain. A collection that cannot be read (a table an older version of the
// agent lacks) is reported through warn and passed over.
func readCollections(ctx context.Context, path string, colls []Collection, at map[string]*collCursor, limit int64, warn func(string)) (items []collItem, more bool, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, false, err
	}
	var db *sql.DB
	if !fi.IsDir() {
		db, err = sql.Open("sqlite", store.FileURI(path)+"?mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(1)")
		if err != nil {
			return nil, false, fmt.Errorf("open %s: %w", path, err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
	}
	var total int64
	for _, c := range colls {
		cur := at[c.ID()]
		if cur == nil {
			cur = &collCursor{Order: math.MinInt64}
			at[c.ID()] = cur
		}
		var got []collItem
		var full bool
		if db != nil {
			got, full, err = readTable(ctx, db, c, cur, limit-total)
		} else {
			c.Recheck = cmpOr(c.Recheck, treeRecheck)
			got, full, err = readTree(path, c, cur, limit-total)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, false, ctx.Err()
			}
			warn(fmt.Sprintf("%s: %s: %v", path, c.ID(), err))
			continue
		}
		items = append(items, got...)
		for _, it := range got {
			total += it.size
		}
		if full {
			return items, true, nil
		}
	}
	return items, false, nil
}

func cmpOr(v, def int64) int64 {
	if v == 0 {
		return def
	}
	return v
}

// take decides whether a row read at (order, size) is new or changed since
// the cursor saw it, and records it.
func (cur *collCursor) take(key string, order, size int64) bool {
	if prev, ok := cur.Seen[key]; ok && prev == [2]int64{order, size} {
		return false
	}
	if cur.Seen == nil {
		cur.Seen = map[string][2]int64{}
	}
	cur.Seen[key] = [2]int64{order, size}
	return true
}

// advance moves the cursor to the highest order read and forgets the rows
// that fell out of the recheck window.
func (cur *collCursor) advance(order, recheck int64) {
	cur.Order = max(cur.Order, order)
	for k, v := range cur.Seen {
		if v[0] < cur.Order-recheck {
			delete(cur.Seen, k)
		}
	}
}

// low is the lowest order to read again.
func (cur *collCursor) low(recheck int64) int64 {
	if cur.Order == math.MinInt64 {
		return cur.Order
	}
	return cur.Order - recheck
}

// tablePage is how many rows one query reads: each query is its own short
// read transaction, so that the agent's writes wait at most that long.
const tablePage = 256

// readTable reads rows of table c from the cursor on, page by page.
func readTable(ctx context.Context, db *sql.DB, c Collection, cur *collCursor, limit int64) (items []collItem, full bool, err error) {
	ident := func(name string) string {
		if strings.EqualFold(name, "rowid") {
			return "rowid"
		}
		return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	}
	key, order := "t."+ident(c.Key), "t."+ident(c.Order)
	cols := []string{key, order}
	for _, col := range c.Columns {
		cols = append(cols, "t."+ident(col))
	}
	from := ident(c.Name) + " t"
	if j := c.Join; j != nil {
		for _, col := range j.Columns {
			cols = append(cols, "j."+ident(col))
		}
		from += " LEFT JOIN " + ident(j.Table) + " j ON j." + ident(j.Key) + " = t." + ident(j.On)
	}
	where := order + " >= ? AND (" + order + " > ? OR " + order + " = ? AND " + key + " > ?)"
	var prefixArgs []any
	if len(c.Prefixes) > 0 {
		var alts []string
		for _, p := range c.Prefixes {
			alts = append(alts, "("+key+" >= ? AND "+key+" < ?)")
			prefixArgs = append(prefixArgs, p, p+"\xff")
		}
		where += " AND (" + strings.Join(alts, " OR ") + ")"
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s, %s LIMIT %d",
		strings.Join(cols, ", "), from, where, order, key, tablePage)
	lo := cur.low(c.Recheck)
	lastOrder, lastKey := lo, ""
	if lo > math.MinInt64 {
		lastOrder = lo - 1
	}
	isJSON := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, j := range list {
			m[j] = true
		}
		return m
	}
	ownJSON := isJSON(c.JSON)
	var joinJSON map[string]bool
	if c.Join != nil {
		joinJSON = isJSON(c.Join.JSON)
	}
	var read int64
	highest := cur.Order
	defer func() { cur.advance(highest, c.Recheck) }()
	for {
		args := append([]any{lo, lastOrder, lastOrder, lastKey}, prefixArgs...)
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return items, false, err
		}
		n := 0
		for rows.Next() {
			n++
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return items, false, err
			}
			k := fmt.Sprint(text(vals[0]))
			o, _ := vals[1].(int64)
			lastOrder, lastKey = o, k
			highest = max(highest, o)
			value, size := rowJSON(c.Columns, vals[2:2+len(c.Columns)], ownJSON, c.Omit)
			var join []byte
			if c.Join != nil {
				var n int64
				join, n = rowJSON(c.Join.Columns, vals[2+len(c.Columns):], joinJSON, c.Omit)
				if vals[2+len(c.Columns)] == nil && len(c.Join.Columns) > 0 {
					join = []byte("null") // no joined row
				}
				size += n
			}
			if !cur.take(k, o, size) {
				continue
			}
			items = append(items, collItem{coll: c.ID(), key: k, order: o, size: size, value: value, join: join})
			read += size
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return items, false, err
		}
		if read >= limit {
			return items, true, nil
		}
		if n < tablePage {
			return items, false, nil
		}
	}
}

// rowJSON encodes a row's columns as a JSON object and returns its size in
// bytes.
func rowJSON(cols []string, vals []any, isJSON map[string]bool, omit []string) ([]byte, int64) {
	var buf bytes.Buffer
	size := int64(0)
	buf.WriteByte('{')
	for i, col := range cols {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(col)
		buf.Write(name)
		buf.WriteByte(':')
		enc, n := columnJSON(vals[i], isJSON[col], omit)
		buf.Write(enc)
		size += n
	}
	buf.WriteByte('}')
	return buf.Bytes(), size
}

// text returns a scanned TEXT or BLOB value as a string, other values as
// they are.
func text(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

// columnJSON encodes a column's value, a JSON document when asJSON and it is
// one (with the omitted members dropped), and returns its size in bytes.
func columnJSON(v any, asJSON bool, omit []string) ([]byte, int64) {
	switch x := v.(type) {
	case nil:
		return []byte("null"), 0
	case []byte, string:
		s := []byte(fmt.Sprint(text(x)))
		if asJSON && json.Valid(s) {
			return omitMembers(s, omit), int64(len(s))
		}
		enc, _ := json.Marshal(string(s))
		return enc, int64(len(s))
	}
	enc, err := json.Marshal(v)
	if err != nil {
		enc, _ = json.Marshal(fmt.Sprint(v))
	}
	return enc, int64(len(enc))
}

// omitMembers drops the named members of a JSON object's top level.
func omitMembers(doc []byte, omit []string) []byte {
	if len(omit) == 0 {
		return doc
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(doc, &m) != nil || m == nil {
		return doc
	}
	dropped := false
	for _, k := range omit {
		if _, ok := m[k]; ok {
			delete(m, k)
			dropped = true
		}
	}
	if !dropped {
		return doc
	}
	out, err := json.Marshal(m)
	if err != nil {
		return doc
	}
	return out
}

// maxTreeFile caps the size of one file of a tree read as a record.
const maxTreeFile = 64 << 20

// readTree reads the files of the tree directory c modified since the
// cursor, oldest first.
func readTree(root string, c Collection, cur *collCursor, limit int64) (items []collItem, full bool, err error) {
	type file struct {
		path, rel   string
		order, size int64
	}
	lo := cur.low(c.Recheck)
	var files []file
	err = walkJSON(filepath.Join(root, filepath.FromSlash(c.Name)), func(p string, fi fs.FileInfo) {
		if t := fi.ModTime().UnixNano(); t >= lo {
			rel, _ := filepath.Rel(root, p)
			files = append(files, file{p, filepath.ToSlash(rel), t, fi.Size()})
		}
	})
	if err != nil {
		return nil, false, err
	}
	sort.Slice(files, func(i, j int) bool {
		if files[i].order != files[j].order {
			return files[i].order < files[j].order
		}
		return files[i].rel < files[j].rel
	})
	highest := cur.Order
	defer func() { cur.advance(highest, c.Recheck) }()
	var read int64
	for _, f := range files {
		if read >= limit {
			return items, true, nil
		}
		highest = max(highest, f.order)
		if !cur.take(f.rel, f.order, f.size) {
			continue
		}
		if f.size > maxTreeFile {
			continue
		}
		data, err := os.ReadFile(f.path)
		if err != nil {
			continue // removed or unreadable since the walk
		}
		value, _ := columnJSON(data, true, c.Omit)
		it := collItem{coll: c.ID(), key: f.rel, order: f.order, size: f.size, value: value}
		if c.Join != nil {
			it.join = []byte("null")
			if p := joinPath(c.Join.Path, value); p != "" {
				if data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p))); err == nil && len(data) <= maxTreeFile {
					it.join, _ = columnJSON(data, true, c.Omit)
					it.size += int64(len(data))
				}
			}
		}
		items = append(items, it)
		read += it.size
	}
	return items, false, nil
}

// joinPath fills a Join's path template with the document's top-level
// string fields; "" when one is missing or would leave the tree.
func joinPath(tmpl string, doc []byte) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(doc, &fields) != nil {
		return ""
	}
	var out strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			out.WriteString(tmpl)
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return ""
		}
		var v string
		if json.Unmarshal(fields[tmpl[i+1:i+j]], &v) != nil || v == "" || strings.ContainsAny(v, `/\`) || v == ".." {
			return ""
		}
		out.WriteString(tmpl[:i] + v)
		tmpl = tmpl[i+j+1:]
	}
	return out.String()
}
