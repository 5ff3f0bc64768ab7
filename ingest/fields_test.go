package ingest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

// records lists a value of every record type a decoder may emit.
var records = []store.Record{
	store.Session{}, store.Prompt{}, store.Message{}, store.ToolCall{}, store.ToolResult{},
	store.FileEdit{}, store.Usage{}, store.Link{}, store.Unknown{},
}

// TestFieldsNameEveryString checks that the table of fields names every
// string field of every record type once: decoders read lines unredacted,
// so a field the table forgot would be stored as the agent wrote it.
func TestFieldsNameEveryString(t *testing.T) {
	for _, rec := range records {
		typ := reflect.TypeOf(rec)
		t.Run(typ.Name(), func(t *testing.T) {
			// Give every string field its own name as value, then see which
			// values the table points at.
			v := reflect.New(typ).Elem()
			var want []string
			for i := 0; i < typ.NumField(); i++ {
				if typ.Field(i).Type.Kind() == reflect.String {
					v.Field(i).SetString(typ.Field(i).Name)
					want = append(want, typ.Field(i).Name)
				}
			}
			_, fs, done := fields(v.Interface().(store.Record))
			var got []string
			for _, f := range fs {
				got = append(got, *f.text)
				*f.text = strings.ToUpper(*f.text)
			}
			if !sameSet(got, want) {
				t.Errorf("fields names %v, want every string field %v", got, want)
			}
			// done returns the record with the changes made through fs.
			back := reflect.ValueOf(done())
			for i := 0; i < typ.NumField(); i++ {
				if f := back.Field(i); f.Kind() == reflect.String && f.String() != strings.ToUpper(typ.Field(i).Name) {
					t.Errorf("%s = %q after done, want the change made through fields", typ.Field(i).Name, f.String())
				}
			}
		})
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		if m[s]--; m[s] < 0 {
			return false
		}
	}
	return true
}

// futureRecord stands for a record type added to store without a row in
// the table of fields.
type futureRecord struct {
	store.Unknown
	Note string
}

// TestRedactRecordUnknownType checks that a record type the table does not
// know has all its string fields redacted as text.
func TestRedactRecordUnknownType(t *testing.T) {
	eng, err := redact.New(redact.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	secret := "ghp_" + strings.Repeat("Ab3Cd5Ef7G", 4)[:36]
	r := &run{red: eng}
	pr := r.redactRecord(nil, "test", "", futureRecord{Note: "token " + secret})
	got := pr.rec.(futureRecord)
	if strings.Contains(got.Note, secret) || !strings.Contains(got.Note, "[REDACTED:") {
		t.Errorf("an unknown record type kept its text: %q", got.Note)
	}
}
