package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/aitrail/aitrail/ingest/ingesttest"
)

// leakWindow is the length of the substrings of a secret that must not
// appear anywhere: long enough not to occur by chance, short enough to
// catch a partly redacted secret.
const leakWindow = 8

// noleak VAR... -- FILE... fails when a FILE holds any leakWindow bytes of
// the value of an environment variable VAR. A FILE is a path or a glob
// (read as bytes: a database with its -wal and -shm files), or stdout or
// stderr of the last command. An aitrail database is also read through
// SQLite for what its bytes do not show: the raw lines, which it keeps
// compressed. Negated, it fails when no FILE holds any, which checks that
// a fixture does carry its secrets.
func noleak(ts *testscript.TestScript, neg bool, args []string) {
	i := slices.Index(args, "--")
	if i < 1 || i == len(args)-1 {
		ts.Fatalf("usage: noleak VAR... -- FILE...")
	}
	vars, files := args[:i], args[i+1:]
	type file struct{ name, data string }
	var all []file
	for _, f := range files {
		if f == "stdout" || f == "stderr" {
			all = append(all, file{f, ts.ReadFile(f)})
			continue
		}
		matches, err := filepath.Glob(ts.MkAbs(f))
		ts.Check(err)
		if len(matches) == 0 {
			ts.Fatalf("noleak: no file matches %s", f)
		}
		for _, m := range matches {
			data := ts.ReadFile(m)
			all = append(all, file{m, data})
			if strings.HasPrefix(data, "SQLite format 3\x00") {
				raw, err := ingesttest.RawText(m)
				ts.Check(err)
				all = append(all, file{m + " (raw lines, decompressed)", raw})
			}
		}
	}
	var found []string
	for _, v := range vars {
		secret := ts.Getenv(v)
		if len(secret) < leakWindow {
			ts.Fatalf("noleak: $%s is shorter than %d bytes", v, leakWindow)
		}
		for _, f := range all {
			for k := 0; k+leakWindow <= len(secret); k++ {
				if at := strings.Index(f.data, secret[k:k+leakWindow]); at >= 0 {
					found = append(found, fmt.Sprintf("%s holds bytes %d..%d of $%s at offset %d", filepath.Base(f.name), k, k+leakWindow, v, at))
					break
				}
			}
		}
	}
	switch {
	case neg && len(found) == 0:
		ts.Fatalf("no file holds any part of %s", strings.Join(vars, ", "))
	case !neg && len(found) > 0:
		ts.Fatalf("leak:\n%s", strings.Join(found, "\n"))
	}
}
