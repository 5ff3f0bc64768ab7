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

// FuzzReadLine checks the pipeline's line reader on any input and any
// buffer size: it returns the complete lines, each with its one newline
// at the end, in order; what follows the last newline (a line still being
// written) is not returned.
func FuzzReadLine(f *testing.F) {
	for _, s := range []string{
		"", "\n", "a\nb\n", "a\r\nb\r\n", "a\r\nb", "no newline", "\n\n\r\n", "{\"x\":1}\n{\"x\":",
		string(bytes.Repeat([]byte("x"), 100)) + "\n" + "tail",
	} {
		f.Add([]byte(s), uint8(16))
	}
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		// bufio's minimum buffer is 16 bytes: lines longer than that take
		// readLine's ErrBufferFull path.
		br := bufio.NewReaderSize(bytes.NewReader(data), int(size)+16)
		var buf []byte
		var got []byte
		for {
			line, err := readLine(br, &buf)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(line) == 0 || line[len(line)-1] != '\n' || bytes.IndexByte(line, '\n') != len(line)-1 {
				t.Fatalf("line %q is not one complete line", line)
			}
			got = append(got, line...)
		}
		want := data[:bytes.LastIndexByte(data, '\n')+1]
		if !bytes.Equal(got, want) {
			t.Fatalf("lines add up to %q, want %q", got, want)
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
