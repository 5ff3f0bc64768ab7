package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/store"
)

// replayAgent is a minimal agent of a replayed log: each line is
// {"id": key, "p": text} (a prompt, re-appended with a new text when it
// changes; the last copy wins, in the place of the first) or
// {"rewind": key} (that prompt and all after it are dropped); "x" lines are
// of an unknown type. The session is named by the sidecar "<log>.name"
// when there is one, else "s".
func replayAgent() Agent {
	return Agent{
		Name:     "replay",
		Dirs:     func(func(string) string, string) []string { return nil },
		Match:    func(rel string) bool { return strings.HasSuffix(rel, ".jsonl") },
		Replay:   func(string) bool { return true },
		Sidecars: func(path string) []string { return []string{path + ".name", path + ".missing"} },
		New: func(path string, state []byte) (Decoder, error) {
			return &replayDecoder{session: "s", text: map[string]string{}}, nil
		},
	}
}

type replayDecoder struct {
	session string
	order   []string
	text    map[string]string
}

func (d *replayDecoder) Sidecar(path string, data []byte) {
	if strings.HasSuffix(path, ".name") {
		d.session = strings.TrimSpace(string(data))
	}
}

func (d *replayDecoder) Line(no int, line []byte, emit func(store.Record)) error {
	var v struct{ ID, P, Rewind, X string }
	if err := json.Unmarshal(line, &v); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	switch {
	case v.X != "":
		emit(store.Unknown{Session: d.session, Type: v.X})
	case v.Rewind != "":
		for i, k := range d.order {
			if k == v.Rewind {
				for _, gone := range d.order[i:] {
					delete(d.text, gone)
				}
				d.order = d.order[:i]
				break
			}
		}
	case v.ID != "":
		if _, ok := d.text[v.ID]; !ok {
			d.order = append(d.order, v.ID)
		}
		d.text[v.ID] = v.P
	default:
		return fmt.Errorf("neither a prompt nor a rewind")
	}
	return nil
}

func (d *replayDecoder) State() ([]byte, error) { return nil, nil }

func (d *replayDecoder) Flush(emit func(store.Record)) {
	ts := time.Unix(1700000000, 0)
	emit(store.Session{ID: d.session, Started: ts, Ended: ts})
	for _, k := range d.order {
		emit(store.Prompt{Session: d.session, Key: k, Time: ts, Text: d.text[k]})
	}
}

func ingestReplay(t *testing.T, db *store.DB, path string, opt Options) *Summary {
	t.Helper()
	a := replayAgent()
	sum, err := Run(context.Background(), db, nopRedactor{}, []File{{&a, path}}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// promptsOf lists the prompts of the database as "session/seq=text" in
// their sequence.
func promptsOf(t *testing.T, db *store.DB) []string {
	t.Helper()
	list, err := db.Sessions(context.Background(), store.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range list {
		d, err := db.Detail(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range d.Prompts {
			out = append(out, fmt.Sprintf("%s/%d=%s", s.SessionID, p.Seq, p.Text))
		}
	}
	return out
}

func TestReplayedLog(t *testing.T) {
	db := openDB(t)
	p := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, p, `{"id":"a","p":"one"}`+"\n"+`{"id":"b","p":"two"}`+"\n"+`{"x":"mystery"}`+"\n"+"{bad\n"+`{"id":"a","p":"one, revised"}`+"\n"+`{"id":"c","p":"thr`)
	var warnings []string
	sum := ingestReplay(t, db, p, Options{Warn: func(s string) { warnings = append(warnings, s) }})
	if sum.Prompts != 2 || sum.BadLines != 1 || sum.Unknown["mystery"] != 1 || sum.Lines != 5 {
		t.Errorf("got %d prompts, %d bad lines, unknown %v, %d lines; want 2, 1, map[mystery:1], 5", sum.Prompts, sum.BadLines, sum.Unknown, sum.Lines)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], p+":4: invalid JSON") {
		t.Errorf("warnings = %q, want one for line 4", warnings)
	}
	if got, want := strings.Join(promptsOf(t, db), "|"), "s/1=one, revised|s/2=two"; got != want {
		t.Errorf("prompts = %s, want %s (the partial last line waits)", got, want)
	}

	t.Run("a second run adds nothing", func(t *testing.T) {
		before := dump(t, db)
		sum := ingestReplay(t, db, p, Options{})
		if sum.FilesRead != 0 || sum.Lines != 0 {
			t.Errorf("read %d files, %d lines; want none", sum.FilesRead, sum.Lines)
		}
		if after := dump(t, db); after != before {
			t.Errorf("database changed:\n%s\nwant\n%s", after, before)
		}
	})

	t.Run("an appended revision is replayed whole", func(t *testing.T) {
		appendTo(t, p, `ee"}`+"\n"+`{"rewind":"b"}`+"\n"+`{"id":"d","p":"four"}`+"\n")
		sum := ingestReplay(t, db, p, Options{})
		if sum.Resets != 1 || sum.Lines != 8 {
			t.Errorf("got %d resets, %d lines; want 1 and 8 (the log read again from its start)", sum.Resets, sum.Lines)
		}
		if got, want := strings.Join(promptsOf(t, db), "|"), "s/1=one, revised|s/2=four"; got != want {
			t.Errorf("prompts = %s, want %s (b and c rewound)", got, want)
		}
		data, _ := os.ReadFile(p)
		if got, want := dump(t, db), replayOnce(t, string(data)); got != want {
			t.Errorf("got\n%s\nwant what one run gives\n%s", got, want)
		}
	})

	t.Run("rebuild gives the same", func(t *testing.T) {
		before := dump(t, db)
		ingestReplay(t, db, p, Options{Rebuild: true})
		if after := dump(t, db); after != before {
			t.Errorf("rebuild changed the result:\n%s\nwant\n%s", after, before)
		}
	})
}

// TestReplayIgnoresBatchSize reads a replayed log larger than a batch in
// one batch: its records are known only at its end.
func TestReplayIgnoresBatchSize(t *testing.T) {
	var b strings.Builder
	for i := range 50 {
		fmt.Fprintf(&b, `{"id":"k%02d","p":"prompt %d"}`+"\n", i, i)
	}
	db := openDB(t)
	p := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, p, b.String())
	sum := ingestReplay(t, db, p, Options{BatchBytes: 64})
	if sum.Prompts != 50 || sum.Resets != 0 {
		t.Errorf("got %d prompts, %d resets; want 50 and 0", sum.Prompts, sum.Resets)
	}
	if got, want := dump(t, db), replayOnce(t, b.String()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestSidecars(t *testing.T) {
	db := openDB(t)
	p := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, p, `{"id":"a","p":"one"}`+"\n")
	write(t, p+".name", "from-sidecar\n")
	ingestReplay(t, db, p, Options{})
	if got, want := strings.Join(promptsOf(t, db), "|"), "from-sidecar/1=one"; got != want {
		t.Errorf("prompts = %s, want %s", got, want)
	}
}

func replayOnce(t *testing.T, content string) string {
	t.Helper()
	db := openDB(t)
	p := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, p, content)
	ingestReplay(t, db, p, Options{})
	return dump(t, db)
}
