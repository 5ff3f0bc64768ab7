package redact

import (
	"strings"
)

// benignSample is ordinary text of the kinds agent logs hold, with no
// secret and no personal data in it: prose, Markdown, Go, Python,
// JavaScript, shell sessions, git output, build and server logs, JSON,
// YAML, SQL, a stack trace. A repository rule that fires on many of its
// lines would hide ordinary text, not a secret (checkBenign); the built-in
// pack must find nothing in it (TestBenignSampleIsClean).
const benignSample = `# Release checklist

Before tagging a release, make sure the changelog lists every user-visible change,
the version in version.go matches the tag, and the CI pipeline is green on main.
Run the full test suite locally with the race detector enabled; it takes about
four minutes on a laptop. If a test is flaky, open an issue instead of retrying
until it passes. Reviewers should check that new options are documented and that
error messages say what to do next.

The cache stores compiled templates for an hour. When the configuration changes,
the server reloads it without dropping connections, and the old workers finish
the requests they already accepted. Keys in the cache are derived from the
template name and its modification time, so a renamed file is compiled again.

## Design notes

- The parser reads one line at a time and never holds the whole file in memory.
- Each request gets a context with a deadline; handlers must honour it.
- Retries use exponential backoff with jitter, capped at thirty seconds.
- Passwords are never logged; the login form posts to /api/session over TLS.
- The token bucket allows 100 requests per minute per client.
- Secrets live in the vault and are injected as environment variables at start.

package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Config holds the server settings read from config.yaml.
type Config struct {
	Addr         string        ` + "`" + `yaml:"addr"` + "`" + `
	ReadTimeout  time.Duration ` + "`" + `yaml:"read_timeout"` + "`" + `
	MaxBodyBytes int64         ` + "`" + `yaml:"max_body_bytes"` + "`" + `
	CacheSize    int           ` + "`" + `yaml:"cache_size"` + "`" + `
}

var ErrNotFound = errors.New("not found")

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	item, err := s.store.Get(ctx, r.PathValue("id"))
	if errors.Is(err, ErrNotFound) {
		http.Error(w, "no such item", http.StatusNotFound)
		return
	}
	if err != nil {
		s.log.Error("get item", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "%s\n", item.Name)
}

func retry(ctx context.Context, attempts int, fn func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(1<<i) * 100 * time.Millisecond):
		}
	}
	return fmt.Errorf("after %d attempts: %w", attempts, err)
}

def load_users(path):
    """Read the users file and return a dict keyed by user name."""
    users = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            name, _, role = line.strip().partition(",")
            if not name or name.startswith("#"):
                continue
            users[name] = role or "reader"
    return users


class RateLimiter:
    def __init__(self, rate, burst):
        self.rate = rate
        self.burst = burst
        self.tokens = burst

    def allow(self):
        if self.tokens > 0:
            self.tokens -= 1
            return True
        return False

export function formatDuration(ms) {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  if (minutes > 0) {
    return minutes + "m " + (seconds % 60) + "s";
  }
  return seconds + "s";
}

const routes = [
  { path: "/", component: Home },
  { path: "/settings", component: Settings },
  { path: "/reset-password", component: ResetPassword },
];

$ go test ./...
ok  	example.org/app/server	0.412s
ok  	example.org/app/store	1.207s
?   	example.org/app/cmd/app	[no test files]
$ git log --oneline -3
4f2a9c1 server: retry store reads with backoff
b81e07d store: close rows on every path
9c3d5e2 docs: explain the cache keys
$ git status --short
 M server/handler.go
?? notes.txt
$ ls -la /usr/local/bin
total 24
drwxr-xr-x  2 root root 4096 Mar  3 09:12 .
-rwxr-xr-x  1 root root 8192 Mar  3 09:12 app
$ docker compose ps
NAME        IMAGE            STATUS          PORTS
app-web-1   app:1.4.2        Up 3 minutes    0.0.0.0:8080->8080/tcp
app-db-1    postgres:16      Up 3 minutes    5432/tcp
$ npm run build
> app@1.4.2 build
> vite build
vite v5.2.8 building for production...
✓ 412 modules transformed.
dist/index.html                  0.46 kB
dist/assets/index-4b9f2c1a.js  143.20 kB │ gzip: 46.11 kB

2026-03-03T09:14:02.118Z INFO  server started addr=:8080 version=1.4.2 commit=4f2a9c1
2026-03-03T09:14:05.530Z INFO  request method=GET path=/api/items/42 status=200 duration=3.1ms
2026-03-03T09:14:07.004Z WARN  slow query table=orders rows=1834 duration=412ms
2026-03-03T09:14:09.771Z ERROR request failed path=/api/items/999 status=404 err="not found"
2026-03-03T09:15:00.000Z INFO  cache stats hits=9812 misses=211 evictions=17 size=512
[build] step 3/7 : RUN go build -o /out/app ./cmd/app
[build] step 4/7 : COPY --from=build /out/app /usr/local/bin/app
[ci] job lint finished in 48s (exit 0)

{"id": 42, "name": "Blue chair", "price": 129.5, "currency": "EUR", "tags": ["office", "wood"],
 "created_at": "2026-02-11T08:30:00Z", "request_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
 "links": {"self": "/api/items/42", "docs": "https://go.dev/doc/effective_go"}}
{"status": "ok", "items": 3, "next": null, "elapsed_ms": 12}

server:
  addr: ":8080"
  read_timeout: 5s
  max_body_bytes: 1048576
database:
  host: db
  port: 5432
  name: app
  pool_size: 10
logging:
  level: info
  format: json
features:
  new_checkout: false
  dark_mode: true

SELECT o.id, o.total, c.name
FROM orders o
JOIN customers c ON c.id = o.customer_id
WHERE o.created_at >= '2026-01-01' AND o.status = 'paid'
ORDER BY o.total DESC
LIMIT 20;

CREATE INDEX orders_created ON orders (created_at);

Traceback (most recent call last):
  File "/usr/lib/python3.12/runpy.py", line 198, in _run_module_as_main
  File "app/worker.py", line 88, in process
    result = handler(job)
  File "app/handlers.py", line 41, in resize_image
    raise ValueError(f"unsupported format: {fmt}")
ValueError: unsupported format: tiff

panic: runtime error: index out of range [3] with length 3

goroutine 1 [running]:
main.parse(...)
	/tmp/build/main.go:27 +0x1d
main.main()
	/tmp/build/main.go:12 +0x45
exit status 2

| metric        | before | after |
|---------------|--------|-------|
| p50 latency   | 41 ms  | 18 ms |
| p99 latency   | 380 ms | 95 ms |
| memory (RSS)  | 210 MB | 96 MB |

The migration adds a nullable column first, backfills it in batches of 10,000 rows,
then makes it NOT NULL in a second release. Rolling back is safe until the second
release, because old code ignores the new column. See docs/migrations.md and the
runbook at https://example.org/runbooks/migrations for the exact commands.

Thanks for the review! I renamed the helper to parseHeader, split the long test
into table-driven cases, and removed the unused import. The benchmark went from
2.4 µs to 1.1 µs per call on my machine (Go 1.26, linux/amd64).
`

// benignLines returns the non-empty lines of benignSample.
func benignLines() []string {
	var lines []string
	for _, l := range strings.Split(benignSample, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}
