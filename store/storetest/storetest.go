// Package storetest writes records into a database for the tests of the
// packages that read them (correlation, the hook handlers), as the ingest
// pipeline would have written them, without logs to decode.
package storetest

import (
	"context"
	"testing"

	"github.com/aitrail/aitrail/store"
)

// Add writes recs in one batch, as read from a log of agent, with the keys
// of their paths set as ingest sets them (the paths given are absolute and
// canonical already).
func Add(t testing.TB, db *store.DB, agent string, recs ...store.Record) {
	t.Helper()
	ctx := context.Background()
	keys, err := db.PathKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback()
	src, err := b.Source(agent, "storetest:"+agent, "/logs/"+agent+".jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		switch x := r.(type) {
		case store.Session:
			x.CwdKey = keys.Key(x.Cwd)
			r = x
		case store.Prompt:
			x.CwdKey = keys.Key(x.Cwd)
			r = x
		case store.FileEdit:
			x.PathKey, x.MoveKey = keys.Key(x.Path), keys.Key(x.MovePath)
			r = x
		}
		if _, err := b.Add(src, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
}
