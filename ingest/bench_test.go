package ingest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/ingest/ingesttest"
	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// The benchmarks ingest generated corpora: copies of the shared fixtures'
// real Codex and Claude Code sessions when they are there (else of the
// project's sample logs), each copy a session of its own. docs/performance.md
// reports their numbers and how to run them.

// templates returns the logs that generated corpora copy (see
// ingesttest.Samples).
func templates(tb testing.TB) []ingesttest.Template {
	tb.Helper()
	ts, _, err := ingesttest.Samples("..")
	if err != nil {
		tb.Fatal(err)
	}
	return ts
}

// sizeOf is the size of n logs taken from ts in turn.
func sizeOf(ts []ingesttest.Template, n int) int64 {
	var size int64
	for i := 0; i < n; i++ {
		size += int64(len(ts[i%len(ts)].Data))
	}
	return size
}

// writeCorpus writes copies of ts, about size bytes, in a temporary
// directory and discovers them as --source would.
func writeCorpus(tb testing.TB, ts []ingesttest.Template, size int64) (ingesttest.Corpus, []File) {
	tb.Helper()
	c, err := ingesttest.Write(tb.TempDir(), ts, size)
	if err != nil {
		tb.Fatal(err)
	}
	return c, discoverCorpus(tb, c)
}

func discoverCorpus(tb testing.TB, c ingesttest.Corpus) []File {
	tb.Helper()
	var srcs []AgentPath
	for _, s := range c.Sources() {
		src, err := ParseSource(s)
		if err != nil {
			tb.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	files, err := Discover(Agents(), srcs, func(string) string { return "" }, "/nonexistent")
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) != c.Files {
		tb.Fatalf("discovered %d files, wrote %d", len(files), c.Files)
	}
	return files
}

// engine returns the real redaction engine with its default policies and a
// fixed key.
func engine(tb testing.TB) *redact.Engine {
	tb.Helper()
	cfg := redact.DefaultConfig()
	cfg.Key = []byte("aitrail ingest tests")
	eng, err := redact.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return eng
}

// benchIngest ingests files into a new database per iteration; the
// database's creation is not timed.
func benchIngest(b *testing.B, c ingesttest.Corpus, files []File) {
	eng := engine(b)
	ctx := context.Background()
	dir := b.TempDir()
	b.SetBytes(c.Bytes)
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		path := filepath.Join(dir, strconv.Itoa(i)+".db")
		db, err := store.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := Run(ctx, db, eng, files, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if sum.Bytes != c.Bytes {
			b.Fatalf("read %d bytes of %d", sum.Bytes, c.Bytes)
		}
		db.Close()
		os.Remove(path)
		b.StartTimer()
	}
	b.ReportMetric(float64(c.Files), "files")
}

// BenchmarkIngest ingests a generated corpus of 100 MB (AITRAIL_BENCH_MB
// sets another size) into a new database with the real agents and the
// real redaction engine: the first run of aitrail on a machine with that
// much history. MB/s is corpus bytes per second.
func BenchmarkIngest(b *testing.B) {
	mb := 100
	if v := os.Getenv("AITRAIL_BENCH_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("AITRAIL_BENCH_MB=%q: want a positive number of megabytes", v)
		}
		mb = n
	}
	c, files := writeCorpus(b, templates(b), int64(mb)<<20)
	benchIngest(b, c, files)
}

// BenchmarkIngestSmallLogs ingests 2,000 short logs (the first 16 KiB of
// each template) into a new database: what each file costs beyond its
// bytes.
func BenchmarkIngestSmallLogs(b *testing.B) {
	ts := ingesttest.Head(templates(b), 16<<10)
	c, files := writeCorpus(b, ts, sizeOf(ts, 2000))
	benchIngest(b, c, files)
}

// BenchmarkNothingNew measures a re-run with nothing new over 2,000 logs:
// discovery, then the watermark check of every file. This is what every
// pre-commit hook pays when the agents wrote nothing since the last commit.
func BenchmarkNothingNew(b *testing.B) {
	ts := ingesttest.Head(templates(b), 16<<10)
	c, files := writeCorpus(b, ts, sizeOf(ts, 2000))
	eng := engine(b)
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "trail.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := Run(ctx, db, eng, files, Options{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		sum, err := Run(ctx, db, eng, discoverCorpus(b, c), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if sum.FilesRead != 0 || sum.Files != c.Files {
			b.Fatalf("re-run read %d of %d files, want 0 of %d", sum.FilesRead, sum.Files, c.Files)
		}
	}
	b.ReportMetric(float64(c.Files), "files")
}

// BenchmarkLongLine ingests a log whose one line is 100 MB (a Claude Code
// tool result holding a huge output) with the real engine: the line is
// read to its end in bounded memory, kept to the cap (16 MiB) and stored
// cut. The output is code, or text dense with what the redaction engine
// looks at (a password assignment, a user's path, an address every 55
// bytes: a million values). MiB-sys is the memory the process took from
// the system: the peak of its heap, stacks and runtime.
func BenchmarkLongLine(b *testing.B) {
	for _, bc := range []struct{ name, chunk string }{
		{"code", "func handler(w http.ResponseWriter, r *http.Request) {\\n\\tfmt.Fprintln(w, \\\"ok\\\")\\n}\\n"},
		{"dense", `password=hunter2 token api_key: x /home/user/ 10.1.2.3 `},
	} {
		b.Run(bc.name, func(b *testing.B) { benchLongLine(b, bc.chunk) })
	}
}

func benchLongLine(b *testing.B, chunk string) {
	dir := b.TempDir()
	path := filepath.Join(dir, "claude", "projects", "-long", "5b7c9d2e-3f41-4a6b-8c9d-0e1f2a3b4c5d.jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	const size = 100 << 20
	f.WriteString(`{"type":"user","sessionId":"5b7c9d2e-3f41-4a6b-8c9d-0e1f2a3b4c5d","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"`)
	chunk = strings.Repeat(chunk, 1<<10)
	for n := 0; n < size; n += len(chunk) {
		f.WriteString(chunk)
	}
	f.WriteString(`"}]}}` + "\n")
	f.Close()
	claude, err := Find(Agents(), "claude")
	if err != nil {
		b.Fatal(err)
	}
	eng := engine(b)
	ctx := context.Background()
	b.SetBytes(size)
	runtime.GC()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		db, err := store.Open(ctx, filepath.Join(dir, strconv.Itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := Run(ctx, db, eng, []File{{claude, path}}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if sum.BadLines != 1 {
			b.Fatalf("%d malformed lines, want the long one", sum.BadLines)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MiB-sys")
}
