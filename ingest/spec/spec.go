// Package spec declares what the ingest pipeline and the agent packages
// agree on beyond ingest.Decoder, in a leaf package that both can import:
// the shape of the sources that are not logs, the stores some agents
// rewrite in place (a SQLite database, a tree of JSON files), which agent
// packages describe and the pipeline reads; and how a decoder's saved
// state is restored (RestoreState).
package spec

// Collection is one kind of record of a store that an agent rewrites in
// place rather than appends to: a table of a SQLite database, or a
// directory of JSON files (one record each) in a tree; ingest.Agent
// Collections declares them. Each run reads what was written since the last one: the
// collections in the order given, and within one the rows (files) in the
// order they were written. Each row is given to the decoder's Line as one
// line, the JSON object
//
//	{"c": "<collection name>", "k": "<key>", "v": <value>, "j": <joined>}
//
// where value is the row as an object (column → value; a JSON column holds
// its document) or the file's document (a string when it is no JSON), and
// joined the record Join names (only with a Join).
//
// Databases are opened read-only, without holding a lock between short
// queries, so that the agent writing them is never locked out.
type Collection struct {
	// Name is the table, or the slash-separated directory (below the tree's
	// root) whose *.json files are read at any depth.
	Name string
	// As names the collection in the lines and the watermark (Name when
	// empty), so that one table can be read as several collections, each
	// with its Prefixes: Cursor's composers before their messages.
	As string
	// Key is the column that names a row; Order a column whose value grows
	// whenever a row is written ("rowid" for tables whose rows are replaced
	// rather than updated). Trees use neither: a file is named by its path
	// below the root and ordered by its modification time.
	Key, Order string
	// Columns are the columns read; those also in JSON hold JSON documents.
	Columns, JSON []string
	// Prefixes, when set, keep only the rows whose key starts with one of
	// them.
	Prefixes []string
	// Omit names members dropped from the top level of JSON documents
	// before anything else sees them (not stored, not decoded): secrets and
	// bulk the decoder has no use for.
	Omit []string
	// Join, when set, adds to each row the record it refers to in another
	// table or file, as the line's "j" member (null when there is none).
	Join *Join
	// Recheck is how far below the highest Order read a row may still be
	// rewritten without a higher Order (file times are coarse: trees use 2
	// seconds when it is 0): rows there are read again, and given to the
	// decoder again when their size or order changed. Rows at the highest
	// Order are always looked at again.
	Recheck int64
}

// ID is the collection's name in lines and watermarks.
func (c Collection) ID() string {
	if c.As != "" {
		return c.As
	}
	return c.Name
}

// Join names the record each row of a collection refers to, which its
// decoder needs with it (OpenCode's message of a part).
type Join struct {
	// Tables: the joined table, the column of the collection's table that
	// holds the joined row's key, the joined table's key column, and the
	// joined row's columns read (those in JSON hold JSON documents).
	Table, On, Key string
	Columns, JSON  []string
	// Trees: the joined file's path below the tree's root, with "{field}"
	// standing for the value of a top-level string field of the document
	// ("message/{sessionID}/{messageID}.json").
	Path string
}
