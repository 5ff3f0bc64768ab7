package ingest

import (
	"strings"
	"testing"

	"github.com/aitrail/aitrail/redact"
	"github.com/aitrail/aitrail/store"
)

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
	pr := r.redactRecord(nil, nil, "test", "", futureRecord{Note: "token " + secret})
	got := pr.rec.(futureRecord)
	if strings.Contains(got.Note, secret) || !strings.Contains(got.Note, "[REDACTED:") {
		t.Errorf("an unknown record type kept its text: %q", got.Note)
	}
}
