package store

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestFieldsNameEveryString checks that the table of fields names every
// string field of every record type once: decoders read lines unredacted,
// so a field the table forgot would be stored as the agent wrote it.
func TestFieldsNameEveryString(t *testing.T) {
	for _, rec := range RecordTypes() {
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
			_, fs, done := Fields(v.Interface().(Record))
			var got []string
			for _, f := range fs {
				got = append(got, *f.Text)
				*f.Text = strings.ToUpper(*f.Text)
			}
			if !sameSet(got, want) {
				t.Errorf("Fields names %v, want every string field %v", got, want)
			}
			// done returns the record with the changes made through fs.
			back := reflect.ValueOf(done())
			for i := 0; i < typ.NumField(); i++ {
				if f := back.Field(i); f.Kind() == reflect.String && f.String() != strings.ToUpper(typ.Field(i).Name) {
					t.Errorf("%s = %q after done, want the change made through Fields", typ.Field(i).Name, f.String())
				}
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestTextTables checks that every table a record goes to is located for
// the rewrite of stored rows, that its rewritten columns are those Fields
// gives the classes a rewrite covers, and that each is a column of the
// table.
func TestTextTables(t *testing.T) {
	db, _ := open(t)
	tables := textTables()
	for _, rec := range RecordTypes() {
		table, fs, _ := Fields(rec)
		if table == "" {
			continue
		}
		i := slices.IndexFunc(tables, func(t textTable) bool { return t.table == table })
		if i < 0 || tables[i].agent == "" || tables[i].session == "" || tables[i].prompt == "" {
			t.Errorf("%s (of %T) has no location for rewrites: %+v", table, rec, tables)
			continue
		}
		for _, f := range fs {
			has := slices.ContainsFunc(tables[i].columns, func(c textColumn) bool { return c.name == f.Column })
			if has != f.Class.Rewritten() {
				t.Errorf("%s.%s (class %d): rewritten = %v", table, f.Column, f.Class, has)
			}
		}
	}
	for _, tt := range tables {
		if tt.kind == TextRaw {
			continue // pages of lines (see rewriteRaw)
		}
		for _, c := range tt.columns {
			if _, err := db.sql.Exec(`SELECT x.` + c.name + `, ` + tt.agent + `, ` + tt.session + `, ` + tt.prompt + `, ` + tt.source +
				` FROM ` + tt.table + ` x ` + tt.join + ` LIMIT 1`); err != nil {
				t.Errorf("%s.%s: %v", tt.table, c.name, err)
			}
		}
	}
}
