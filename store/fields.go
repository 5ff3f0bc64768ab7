package store

import (
	"reflect"
	"slices"
)

// FieldClass says how a stored string field is redacted: which rules apply
// when it is written, and whether a manual redaction added later rewrites
// it. It is the store's word for what the redaction engine calls a scope
// (the ingest pipeline and 'redact add' translate it).
type FieldClass int

// Classes of stored text.
const (
	// ClassText is content, and the display copies of paths: every rule
	// applies (prompt-scoped ones too: any field may hold a copy of a
	// prompt), and a manual redaction added later rewrites it.
	ClassText FieldClass = iota
	// ClassJSON is a JSON document (tool arguments, a raw log line): its
	// string values are redacted, and those under secret-looking keys
	// whole; a manual redaction added later rewrites it.
	ClassJSON
	// ClassID is an identifier or the name of a thing (a session id, a key,
	// a model): only manual redactions apply when it is written, and it is
	// never rewritten later, since rows are found and joined by it.
	ClassID
	// ClassKey is aitrail's own keyed hash of a path (see PathKeys):
	// nothing to redact.
	ClassKey
)

// Rewritten reports whether a manual redaction added later rewrites the
// stored fields of the class.
func (c FieldClass) Rewritten() bool { return c == ClassText || c == ClassJSON }

// Field is one string field of a record: the column it is stored in (or
// the name it is known by, for the ids that are stored as row links), its
// class, and where its value is.
type Field struct {
	Column string
	Class  FieldClass
	Text   *string
}

// Fields is the table of the text of every record: the table a record is
// stored in and each of its string fields with its class. It is the one
// list of what is text and how it is redacted, which the ingest pipeline
// (when it writes a record), 'redact add' and the rewrite of stored rows
// (AddManualRedaction, through textTables) all read; a test checks that it
// names every string field of every record type. The fields point into a
// copy of rec, which done returns once they are changed.
//
// A record type it does not know yet has every string field as text, so
// that nothing reaches the database unredacted.
func Fields(rec Record) (table string, fs []Field, done func() Record) {
	text := func(col string, p *string) Field { return Field{col, ClassText, p} }
	id := func(col string, p *string) Field { return Field{col, ClassID, p} }
	key := func(col string, p *string) Field { return Field{col, ClassKey, p} }
	switch x := rec.(type) {
	case Session:
		return "sessions", []Field{
			id("external_id", &x.ID), id("parent_id", &x.ParentID), id("relation", &x.Relation),
			text("cwd", &x.Cwd), key("cwd_key", &x.CwdKey), text("git_remote", &x.GitRemote),
			text("git_branch", &x.GitBranch), id("git_commit", &x.GitCommit), id("agent_version", &x.AgentVersion),
			id("originator", &x.Originator), text("title", &x.Title), id("model", &x.Model),
		}, func() Record { return x }
	case Prompt:
		return "prompts", []Field{
			id("session", &x.Session), id("key", &x.Key), text("text", &x.Text), text("context", &x.Context),
			text("cwd", &x.Cwd), key("cwd_key", &x.CwdKey), id("model", &x.Model),
		}, func() Record { return x }
	case Message:
		return "messages", []Field{
			id("session", &x.Session), id("prompt", &x.Prompt), id("key", &x.Key), id("kind", &x.Kind),
			text("text", &x.Text),
		}, func() Record { return x }
	case ToolCall:
		return "tool_calls", []Field{
			id("session", &x.Session), id("prompt", &x.Prompt), id("call_id", &x.CallID), text("name", &x.Name),
			{"input", ClassJSON, &x.Input},
		}, func() Record { return x }
	case ToolResult:
		return "tool_calls", []Field{
			id("session", &x.Session), id("call_id", &x.CallID), text("output", &x.Output), id("status", &x.Status),
		}, func() Record { return x }
	case FileEdit:
		return "file_edits", []Field{
			id("session", &x.Session), id("prompt", &x.Prompt), id("call_id", &x.CallID), text("path", &x.Path),
			text("move_path", &x.MovePath), id("op", &x.Op), text("diff", &x.Diff), id("via", &x.Source),
			id("status", &x.Status), text("repo_root", &x.Root), text("rel_path", &x.RelPath),
			key("path_key", &x.PathKey), key("move_key", &x.MoveKey),
		}, func() Record { return x }
	case Usage:
		return "token_usage", []Field{
			id("session", &x.Session), id("prompt", &x.Prompt), id("model", &x.Model), id("dedupe_key", &x.Key),
			id("grp", &x.Group),
		}, func() Record { return x }
	case Link:
		return "links", []Field{
			id("session", &x.Session), id("prompt", &x.Prompt), id("kind", &x.Kind), text("url", &x.URL),
			text("title", &x.Title),
		}, func() Record { return x }
	case Unknown:
		return "", []Field{id("session", &x.Session), id("type", &x.Type)}, func() Record { return x }
	}
	v := reflect.New(reflect.TypeOf(rec)).Elem()
	v.Set(reflect.ValueOf(rec))
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.String && f.CanSet() {
			fs = append(fs, text(v.Type().Field(i).Name, f.Addr().Interface().(*string)))
		}
	}
	return "", fs, func() Record { return v.Interface().(Record) }
}

// RecordTypes lists a value of every record type a decoder may emit.
func RecordTypes() []Record {
	return []Record{Session{}, Prompt{}, Message{}, ToolCall{}, ToolResult{}, FileEdit{}, Usage{}, Link{}, Unknown{}}
}

// Kinds of stored text: where a text field is, which says which manual
// redactions apply to it.
const (
	TextContent = "content" // a field of a session's record: every manual redaction whose scope covers it
	TextRaw     = "raw"     // a copy of a whole log line (raw_records): every manual redaction, whatever its scope
	TextKey     = "key"     // a log's shown path (sources.path): global manual redactions only
)

// textTable describes the text columns of one table and how their rows
// are located.
type textTable struct {
	table   string
	columns []textColumn
	kind    string
	join    string // joins that give s (sessions) and p (prompts)
	agent   string // expressions of the row's location
	session string
	prompt  string
	source  string // expression of the row's source id (may be NULL)
}

type textColumn struct {
	name  string
	class FieldClass
}

// textTables lists every stored text column with how its rows are located:
// the tables of records, with the columns Fields names, then the raw copies
// of log lines and the logs' shown paths. AddManualRedaction rewrites the
// columns of the classes a manual redaction rewrites.
func textTables() []textTable {
	const (
		session = "JOIN sessions s ON s.id = x.session_id"
		prompt  = "JOIN sessions s ON s.id = x.session_id LEFT JOIN prompts p ON p.id = x.prompt_id"
	)
	// How the rows of each table of records are located (a table Fields
	// names without a place here makes TestTextTables fail).
	located := map[string]textTable{
		"sessions":    {agent: "x.agent", session: "x.external_id", prompt: "''"},
		"prompts":     {join: session, agent: "s.agent", session: "s.external_id", prompt: "x.key"},
		"messages":    {join: prompt, agent: "s.agent", session: "s.external_id", prompt: "COALESCE(p.key, '')"},
		"tool_calls":  {join: prompt, agent: "s.agent", session: "s.external_id", prompt: "COALESCE(p.key, '')"},
		"file_edits":  {join: prompt, agent: "s.agent", session: "s.external_id", prompt: "COALESCE(p.key, '')"},
		"token_usage": {join: prompt, agent: "s.agent", session: "s.external_id", prompt: "COALESCE(p.key, '')"},
		"links":       {join: session, agent: "s.agent", session: "s.external_id", prompt: "''"},
	}
	var out []textTable
	for _, rec := range RecordTypes() {
		table, fs, _ := Fields(rec)
		if table == "" {
			continue
		}
		i := slices.IndexFunc(out, func(t textTable) bool { return t.table == table })
		if i < 0 {
			t := located[table]
			t.table, t.kind, t.source = table, TextContent, "x.source_id"
			out = append(out, t)
			i = len(out) - 1
		}
		for _, f := range fs {
			if f.Class.Rewritten() && !slices.ContainsFunc(out[i].columns, func(c textColumn) bool { return c.name == f.Column }) {
				out[i].columns = append(out[i].columns, textColumn{f.Column, f.Class})
			}
		}
	}
	return append(out,
		textTable{table: "raw_records", columns: []textColumn{{"json", ClassJSON}}, kind: TextRaw, agent: "''", session: "''", prompt: "''", source: "x.source_id"},
		textTable{table: "sources", columns: []textColumn{{"path", ClassText}}, kind: TextKey, agent: "''", session: "''", prompt: "''", source: "x.id"})
}

// TextFields lists the stored text fields of sessions' records, as
// table.column: the fields a manual redaction can be scoped to.
func TextFields() []string {
	var out []string
	for _, t := range textTables() {
		if t.kind != TextContent {
			continue
		}
		for _, c := range t.columns {
			out = append(out, t.table+"."+c.name)
		}
	}
	return out
}
