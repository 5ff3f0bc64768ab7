package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/aitrail/aitrail/ingest/ingesttest"
	"github.com/aitrail/aitrail/store"
)

// FuzzReadLine checks the pipeline's line reader on any input, any buffer
// size and any cap: it returns the complete lines, in order, each with its
// one newline at the end and its whole size, cut to the cap; what follows
// the last newline (a line still being written) is not returned.
func FuzzReadLine(f *testing.F) {
	for _, s := range []string{
		"", "\n", "a\nb\n", "a\r\nb\r\n", "a\r\nb", "no newline", "\n\n\r\n", "{\"x\":1}\n{\"x\":",
		string(bytes.Repeat([]byte("x"), 100)) + "\n" + "tail",
	} {
		f.Add([]byte(s), uint8(16), uint16(1000))
	}
	f.Add([]byte("abcdef\nxy\nlonger line\n"), uint8(0), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, size uint8, keep uint16) {
		// bufio's minimum buffer is 16 bytes: lines longer than that take
		// the reader's ErrBufferFull path.
		lr := &lineReader{br: bufio.NewReaderSize(bytes.NewReader(data), int(size)+16), keep: int(keep) + 1}
		var whole []byte
		for {
			line, n, err := lr.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			full := whole
			whole = append(whole, data[len(full):len(full)+int(n)]...)
			if w := whole[len(full):]; len(w) == 0 || w[len(w)-1] != '\n' || bytes.IndexByte(w, '\n') != len(w)-1 {
				t.Fatalf("line %q is not one complete line", w)
			}
			if want := whole[len(full):][:min(int(n), lr.keep)]; !bytes.Equal(line, want) {
				t.Fatalf("line %q, want %q (the first %d bytes of it)", line, want, lr.keep)
			}
		}
		want := data[:bytes.LastIndexByte(data, '\n')+1]
		if !bytes.Equal(whole, want) {
			t.Fatalf("lines add up to %q, want %q", whole, want)
		}
	})
}

// FuzzAppendAnywhere checks that a log ingested in two runs, cut at any
// byte (within a line, between CR and LF, in a run of blank lines), ends
// up in the database exactly as when ingested in one run: the partial
// line waits, line numbers and offsets stay right, nothing is duplicated.
func FuzzAppendAnywhere(f *testing.F) {
	two := lines(2, "a")
	for _, seed := range []struct {
		data string
		cut  uint16
	}{
		{two, 5},
		{two, uint16(len(two) / 2)},
		{"{\"s\":\"a\",\"p\":\"x\"}\r\n{\"s\":\"a\",\"p\":\"y\"}\r\n", 18},
		{"{\"s\":\"a\"}\n\n\n{\"s\":\"b\"}\n", 11},
		{"{not json\n{\"s\":\"a\"}\n{\"x\":\"odd\"}\n", 3},
		{"{\"s\":\"a\"}\n{\"s\":\"b\"}", 12},
	} {
		f.Add([]byte(seed.data), seed.cut)
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		c := int(cut) % (len(data) + 1)
		dir := t.TempDir()
		log := filepath.Join(dir, "log.jsonl")
		write(t, log, string(data[:c]))
		twice := filepath.Join(dir, "twice.db")
		ingestDB(t, twice, log)
		appendTo(t, log, string(data[c:]))
		ingestDB(t, twice, log)
		once := filepath.Join(dir, "once.db")
		ingestDB(t, once, log)
		got, err := ingesttest.Dump(twice)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ingesttest.Dump(once)
		if err != nil {
			t.Fatal(err)
		}
		if d := ingesttest.Diff(got, want); d != "" {
			t.Errorf("cut at %d of %q:\n%s", c, data, d)
		}
	})
}

// ingestDB ingests one log of the test agent into the database at path.
func ingestDB(t *testing.T, path, log string) *Summary {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := lineAgent()
	sum, err := Run(context.Background(), db, nopRedactor{}, []File{{&a, log}}, Options{BatchBytes: 64})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestFilesReadCountsFilesNotBatches: a file read in many batches is one
// file read, and a file whose only change is a partial line is none.
func TestFilesReadCountsFilesNotBatches(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log.jsonl")
	write(t, log, lines(50, "a"))
	db := filepath.Join(dir, "trail.db")
	if sum := ingestDB(t, db, log); sum.FilesRead != 1 || sum.Prompts != 50 {
		t.Errorf("got %d files read, %d prompts; want 1, 50", sum.FilesRead, sum.Prompts)
	}
	appendTo(t, log, `{"s":"a","p":"half`)
	if sum := ingestDB(t, db, log); sum.FilesRead != 0 || sum.Bytes != 0 {
		t.Errorf("a partial line: got %d files read, %d bytes; want 0, 0", sum.FilesRead, sum.Bytes)
	}
}
