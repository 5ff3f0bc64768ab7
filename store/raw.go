package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// The raw copy of every log line (redacted) is kept in pages: the lines of
// one log that one batch read, up to rawPageBytes of them, compressed
// together with zstd. Log lines repeat much of one another (the same file
// contents, tool outputs and metadata), so a page takes about a sixth of
// its lines' bytes, where a row per line took more than the lines; and a
// page is one row to write instead of hundreds.

// rawPageBytes is how many bytes of lines a page holds before the next
// line starts another one (a longer line is a page of its own).
const rawPageBytes = 1 << 20

// RawLine is one line of a log as kept: its number, the byte offset where
// it starts in the log (for a collection source, its order), and its text,
// redacted.
type RawLine struct {
	Line   int
	Offset int64
	Text   string
}

// rawPage is the page a batch is filling: its lines already encoded (see
// encodeRawPage), not yet compressed.
type rawPage struct {
	src          int64
	buf          []byte
	first, last  int   // line numbers
	line, offset int64 // the last line's number and offset, which the next one's are relative to
	count, size  int   // lines, and their bytes
	findings     []FieldRedaction
}

// AddRaw stores one line of source src (already redacted), with the
// redactions that were applied to it. The line goes to the batch's current
// page of that source, which is written when it is full, when a line of
// another source comes, and at the batch's commit; the redactions of a
// page's lines are recorded once per page and rule (raw_records, field
// "json"), with counts.
func (b *Batch) AddRaw(src int64, line int, offset int64, text []byte, fs []FieldRedaction) error {
	if b.ctx.Err() != nil {
		return context.Cause(b.ctx) // as a statement would say (see cause)
	}
	if p := b.page; p != nil && (p.src != src || p.size > 0 && p.size+len(text) > rawPageBytes) {
		if err := b.flushRaw(); err != nil {
			return err
		}
	}
	p := b.page
	if p == nil {
		p = &rawPage{src: src, first: line, buf: b.spare}
		if p.buf == nil {
			p.buf = make([]byte, 0, rawPageBytes+rawPageBytes/8)
		}
		b.spare = nil
		b.page = p
	}
	p.buf = appendRawLine(p.buf, int64(line)-p.line, offset-p.offset, text)
	p.line, p.offset, p.last = int64(line), offset, line
	p.count++
	p.size += len(text)
	p.findings = append(p.findings, fs...)
	return nil
}

// flushRaw writes the batch's current page.
func (b *Batch) flushRaw() error {
	p := b.page
	b.page = nil
	if p == nil || p.count == 0 {
		return nil
	}
	data, err := b.compress(p.buf)
	if err != nil {
		return err
	}
	if cap(p.buf) <= 2*rawPageBytes {
		b.spare = p.buf[:0] // the next page's
	}
	var id int64
	err = b.queryRow(`INSERT INTO raw_records (source_id, first_line, last_line, last_offset, count, size, lines)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.src, p.first, p.last, p.offset, p.count, p.size, data).Scan(&id)
	if err != nil {
		return fmt.Errorf("store raw lines %d-%d: %w", p.first, p.last, err)
	}
	return b.addFindings(sql.NullInt64{Int64: p.src, Valid: true}, Ref{Table: "raw_records", ID: id}, "json", p.findings)
}

// rawEncoder compresses pages: zstd's fastest level, which takes half the
// time of its default for a page a tenth larger, with a window the size of
// a page.
type rawEncoder struct {
	once sync.Once
	enc  *zstd.Encoder
	err  error
}

func (r *rawEncoder) encode(src []byte) ([]byte, error) {
	r.once.Do(func() {
		r.enc, r.err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
			zstd.WithWindowSize(rawPageBytes), zstd.WithLowerEncoderMem(true))
	})
	if r.err != nil {
		return nil, r.err
	}
	return r.enc.EncodeAll(src, make([]byte, 0, len(src)/4)), nil
}

// A page is the lines' encoding, compressed with zstd: for each line, the
// difference of its number and of its offset from the previous line's
// (varints), its length and its bytes.
func appendRawLine(buf []byte, dline, doff int64, text []byte) []byte {
	buf = binary.AppendVarint(buf, dline)
	buf = binary.AppendVarint(buf, doff)
	buf = binary.AppendUvarint(buf, uint64(len(text)))
	return append(buf, text...)
}

// encodeRawPage returns the compressed form of a page of lines.
func (b *Batch) encodeRawPage(lines []RawLine) ([]byte, error) {
	var buf []byte
	var line, off int64
	for _, l := range lines {
		buf = appendRawLine(buf, int64(l.Line)-line, l.Offset-off, []byte(l.Text))
		line, off = int64(l.Line), l.Offset
	}
	return b.compress(buf)
}

// compress compresses an encoded page.
func (b *Batch) compress(buf []byte) ([]byte, error) {
	if b.db == nil {
		return zstd.EncodeTo(nil, buf), nil // the migration's, before the database is open
	}
	return b.db.raw.encode(buf)
}

var errRawPage = errors.New("corrupt page of raw lines")

// DecodeRawPage returns the lines of a page of raw_records.lines.
func DecodeRawPage(data []byte) ([]RawLine, error) {
	buf, err := zstd.DecodeTo(nil, data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errRawPage, err)
	}
	var out []RawLine
	var line, off int64
	for len(buf) > 0 {
		dl, n := binary.Varint(buf)
		if n <= 0 {
			return nil, errRawPage
		}
		buf = buf[n:]
		do, n := binary.Varint(buf)
		if n <= 0 {
			return nil, errRawPage
		}
		buf = buf[n:]
		size, n := binary.Uvarint(buf)
		if n <= 0 || size > uint64(len(buf)-n) {
			return nil, errRawPage
		}
		buf = buf[n:]
		line, off = line+dl, off+do
		out = append(out, RawLine{Line: int(line), Offset: off, Text: string(buf[:size])})
		buf = buf[size:]
	}
	return out, nil
}

// RawLines calls fn with every raw line kept of source src (of every source
// when src is 0), in order.
func (db *DB) RawLines(ctx context.Context, src int64, fn func(src int64, l RawLine) error) error {
	return db.each(ctx, `SELECT source_id, lines FROM raw_records WHERE ? = 0 OR source_id = ? ORDER BY source_id, first_line`,
		[]any{src, src}, func(r *sql.Rows) error {
			var s int64
			var data []byte
			if err := r.Scan(&s, &data); err != nil {
				return err
			}
			lines, err := DecodeRawPage(data)
			if err != nil {
				return err
			}
			for _, l := range lines {
				if err := fn(s, l); err != nil {
					return err
				}
			}
			return nil
		})
}

// rewriteRaw is rewriteColumn for the pages of raw lines: each line is
// given to fn (those that hold f.ContainsRaw, when set), and a page whose
// lines changed is written again, with the findings of its changed lines.
func (b *Batch) rewriteRaw(t textTable, column textColumn, f RewriteFilter, fn RewriteFunc, st *RewriteStats) error {
	var last int64
	for {
		type page struct {
			id, src int64
			data    []byte
		}
		var pages []page
		err := func() error {
			rows, err := b.tx.QueryContext(b.ctx, `SELECT id, source_id, lines FROM raw_records WHERE id > ? ORDER BY id LIMIT 16`, last)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var p page
				if err := rows.Scan(&p.id, &p.src, &p.data); err != nil {
					return err
				}
				pages = append(pages, p)
			}
			return rows.Err()
		}()
		if err != nil || len(pages) == 0 {
			return err
		}
		for _, p := range pages {
			last = p.id
			lines, err := DecodeRawPage(p.data)
			if err != nil {
				return fmt.Errorf("raw lines of page %d: %w", p.id, err)
			}
			var changed int
			var found []FieldRedaction
			size := 0
			for i, l := range lines {
				if f.ContainsRaw == "" || strings.Contains(l.Text, f.ContainsRaw) {
					out, fs := fn(StoredText{Table: t.table, Column: column.name, Kind: t.kind, Class: column.class, Text: l.Text})
					if out != l.Text {
						lines[i].Text = out
						changed++
						found = append(found, fs...)
					}
				}
				size += len(lines[i].Text)
			}
			if changed == 0 {
				continue
			}
			data, err := b.encodeRawPage(lines)
			if err != nil {
				return err
			}
			if _, err := b.exec(`UPDATE raw_records SET lines = ?, size = ? WHERE id = ?`, data, size, p.id); err != nil {
				return err
			}
			st.Rows[t.table+"."+column.name] += changed
			st.Values += len(found)
			if err := b.addFindings(sql.NullInt64{Int64: p.src, Valid: true}, Ref{Table: t.table, ID: p.id}, column.name, found); err != nil {
				return err
			}
		}
	}
}

// convertRawLines moves the raw lines that schema 7 and older kept one per row
// (raw_lines_v6) into pages, and drops that table: the part of migration 8
// that SQL cannot do. Their redaction findings move to their page.
func convertRawLines(ctx context.Context, tx *sql.Tx) error {
	b := &Batch{ctx: ctx, tx: tx} // no db: statements run on tx as they come
	rows, err := tx.QueryContext(ctx, `SELECT id, source_id, line, offset, json FROM raw_lines_v6 ORDER BY source_id, line`)
	if err != nil {
		return err
	}
	type moved struct{ from, src, first int64 }
	var ids []moved
	for rows.Next() {
		var id, src, off int64
		var line int
		var text string
		if err := rows.Scan(&id, &src, &line, &off, &text); err != nil {
			rows.Close()
			return err
		}
		if err := b.AddRaw(src, line, off, []byte(text), nil); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, moved{id, src, int64(b.page.first)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := b.flushRaw(); err != nil {
		return err
	}
	for _, m := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE redactions SET row_id = (SELECT id FROM raw_records WHERE source_id = ? AND first_line = ?)
			WHERE tbl = 'raw_records' AND row_id = ?`, m.src, m.first, m.from); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE raw_lines_v6`)
	return err
}
