package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkVsCcusage compares aitrail with ccusage (`ccusage session --json
// --offline`, which reads the same logs for their token counts) on a
// generated corpus of 200 MB ($AITRAIL_BENCH_MB sets another size), run
// alternately in the same benchmark so that both see the same load:
//
//   - cold: a first `aitrail ingest` into a new database. It reports the
//     medians of wall and CPU time of each, their ratios (x-ccusage,
//     cpu-x-ccusage), the database's size over the logs' (db/logs, after
//     the run, write-ahead log included) and the ingest's peak memory.
//
//   - stats: `aitrail stats --by session --json` over the ingested
//     database, ccusage's report for the same sessions.
//
//     go test -run '^$' -bench VsCcusage -benchtime 3x .
func BenchmarkVsCcusage(b *testing.B) {
	mb := 200
	if v := os.Getenv("AITRAIL_BENCH_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("AITRAIL_BENCH_MB=%q: want a positive number of megabytes", v)
		}
		mb = n
	}
	e := newBenchEnv(b, "vs-ccusage")
	size := e.corpusBytes(int64(mb) << 20)
	if e.ccusage == "" {
		b.Log("ccusage is not installed (set AITRAIL_BENCH_CCUSAGE or put it in PATH): no ratios")
	}
	db := filepath.Join(e.dir, "trail.db")
	b.Run("cold", func(b *testing.B) {
		var ai, aiCPU, cc, ccCPU durations
		var peak, dbSize int64
		for i := 0; i < b.N; i++ {
			for _, f := range []string{db, db + "-wal", db + "-shm"} {
				os.Remove(f)
			}
			c := e.run(e.dir, "aitrail", "ingest", "--quiet", "--db", db)
			ai, aiCPU, peak = append(ai, c.wall), append(aiCPU, c.cpu), max(peak, c.maxRSS)
			dbSize = fileSize(db) + fileSize(db+"-wal")
			if c, ok := e.ccusageSession(); ok {
				cc, ccCPU = append(cc, c.wall), append(ccCPU, c.cpu)
			}
		}
		reportVs(b, "ingest", ai, aiCPU, cc, ccCPU)
		b.ReportMetric(float64(dbSize)/float64(size), "db/logs")
		b.ReportMetric(float64(peak)/(1<<20), "MiB-peak")
		b.ReportMetric(float64(size)/(1<<20), "MB-logs")
		e.keep("cold ingest", "aitrail", "ingest", "--db", db)
	})
	b.Run("stats", func(b *testing.B) {
		if fileSize(db) == 0 {
			e.run(e.dir, "aitrail", "ingest", "--quiet", "--db", db)
		}
		var ai, aiCPU, cc, ccCPU durations
		for i := 0; i < b.N; i++ {
			c := e.run(e.dir, "aitrail", "stats", "--by", "session", "--json", "--db", db)
			ai, aiCPU = append(ai, c.wall), append(aiCPU, c.cpu)
			if c, ok := e.ccusageSession(); ok {
				cc, ccCPU = append(cc, c.wall), append(ccCPU, c.cpu)
			}
		}
		reportVs(b, "stats", ai, aiCPU, cc, ccCPU)
	})
}

// BenchmarkNothingNew times `aitrail ingest` when no log changed since the
// last run (the binary: start, configuration, discovery, the watermark of
// every log), over 600 and 6,000 logs (cut to 16 KiB: only their number
// matters here).
//
//	go test -run '^$' -bench NothingNew -benchtime 20x .
func BenchmarkNothingNew(b *testing.B) {
	envs := map[int]*benchEnv{} // go test runs each sub-benchmark twice (b.N = 1 first): set up once
	for _, n := range []int{600, 6000} {
		b.Run("logs="+strconv.Itoa(n), func(sb *testing.B) {
			e := envs[n]
			if e == nil {
				e = newBenchEnv(b, "nothing-new-"+strconv.Itoa(n))
				e.corpus(n, 16<<10)
				e.run(e.dir, "aitrail", "ingest", "--quiet")
				envs[n] = e
			}
			var wall, cpu durations
			sb.ResetTimer()
			for i := 0; i < sb.N; i++ {
				c := e.run(e.dir, "aitrail", "ingest", "--quiet")
				wall, cpu = append(wall, c.wall), append(cpu, c.cpu)
			}
			sb.StopTimer()
			sb.ReportMetric(ms(wall.median()), "ms")
			sb.ReportMetric(ms(cpu.median()), "cpu-ms")
			sb.Logf("logs=%d: %s wall, %s CPU", n, wall.spread(), cpu.spread())
		})
	}
}

// reportVs reports the medians of what aitrail's and ccusage's runs took,
// and their ratios when ccusage ran.
func reportVs(b *testing.B, what string, ai, aiCPU, cc, ccCPU durations) {
	b.ReportMetric(ai.median().Seconds(), "s-"+what)
	b.ReportMetric(aiCPU.median().Seconds(), "cpu-s-"+what)
	b.Logf("%s: %s wall, %s CPU", what, ai.spread(), aiCPU.spread())
	if len(cc) == 0 {
		return
	}
	b.ReportMetric(cc.median().Seconds(), "s-ccusage")
	b.ReportMetric(float64(ai.median())/float64(cc.median()), "x-ccusage")
	b.ReportMetric(float64(aiCPU.median())/float64(ccCPU.median()), "cpu-x-ccusage")
	b.Logf("ccusage: %s wall, %s CPU", cc.spread(), ccCPU.spread())
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}
