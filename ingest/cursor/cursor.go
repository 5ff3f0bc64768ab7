package cursor

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/aitrail/aitrail/ingest/spec"
	"github.com/aitrail/aitrail/store"
)

// Dirs returns where Cursor keeps what aitrail reads: ~/.cursor/projects
// (agent transcripts of the IDE and cursor-agent) and the IDE's global
// state database, globalStorage/state.vscdb under the user directory of
// each platform (Linux: ${XDG_CONFIG_HOME:-~/.config}/Cursor/User; macOS:
// ~/Library/Application Support/Cursor/User; Windows: %APPDATA%\Cursor\User).
func Dirs(getenv func(string) string, home string) []string {
	out := []string{filepath.Join(home, ".cursor", "projects")}
	xdg := getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		xdg = filepath.Join(home, ".config")
	}
	users := []string{
		filepath.Join(xdg, "Cursor", "User"),
		filepath.Join(home, "Library", "Application Support", "Cursor", "User"),
	}
	if appdata := getenv("APPDATA"); appdata != "" {
		users = append(users, filepath.Join(appdata, "Cursor", "User"))
	}
	for _, u := range users {
		out = append(out, filepath.Join(u, "globalStorage", dbName))
	}
	return out
}

// dbName is the name of the IDE's state databases.
const dbName = "state.vscdb"

// HomeDirs returns what to scan below a directory given with --source
// cursor:PATH: PATH/projects for a ~/.cursor, PATH/globalStorage for a
// Cursor user directory; when neither exists PATH itself is scanned.
func HomeDirs(root string) []string {
	return []string{filepath.Join(root, "projects"), filepath.Join(root, "globalStorage")}
}

// Match reports whether rel, relative to a scanned directory, is an agent
// transcript (any .jsonl below an agent-transcripts directory: flat,
// nested <id>/<id>.jsonl, and sub-agents) or a global state database.
func Match(rel string) bool {
	if path.Base(rel) == dbName {
		return !strings.Contains(rel, "/") || strings.HasSuffix(rel, "globalStorage/"+dbName)
	}
	if !strings.HasSuffix(rel, ".jsonl") {
		return false
	}
	return strings.HasPrefix(rel, "agent-transcripts/") || strings.Contains(rel, "/agent-transcripts/")
}

// isDB reports whether p is a state database rather than a transcript.
func isDB(p string) bool { return strings.HasSuffix(p, ".vscdb") }

// Omitted are the members of composers and messages that are never read:
// encryption keys, whole-file copies, the rich-text twins of texts.
var omitted = []string{
	"blobEncryptionKey", "speculativeSummarizationEncryptionKey", "originalFileStates", "richText",
	"attachedCodeChunks", "contextPieces", "images", "codeBlockData",
}

// Collections returns what is read of a state database: the composers
// (conversations) of its cursorDiskKV table, then their messages
// ("bubbles"), each in the order written: the table replaces a row on
// every write, which gives it a new rowid after all others. ItemTable,
// which holds credentials, is never read. Transcripts are logs: nil.
func Collections(p string) []spec.Collection {
	if !isDB(p) {
		return nil
	}
	kv := func(as, prefix string) spec.Collection {
		return spec.Collection{Name: "cursorDiskKV", As: as, Key: "key", Order: "rowid", Columns: []string{"value"},
			JSON: []string{"value"}, Prefixes: []string{prefix}, Omit: omitted}
	}
	return []spec.Collection{kv("composer", "composerData:"), kv("bubble", "bubbleId:")}
}

// Decoder decodes one transcript or one state database into store
// records. It implements ingest.Decoder and ingest.Undated.
type Decoder struct {
	st    state
	db    bool
	home  string    // the directory holding .cursor, from the transcript's path
	now   time.Time // the file's modification time (transcripts)
	begun bool      // the session was emitted in this batch
	out   func(store.Record)
	line  string // "L<no>" of the line being decoded
	n     int    // records keyed from it so far
}

// New returns a decoder for the transcript or database at p, resuming
// from state (nil to start).
func New(p string, state []byte) (*Decoder, error) {
	d := &Decoder{db: isDB(p)}
	if i := strings.Index(filepath.ToSlash(p), "/.cursor/projects/"); i > 0 {
		d.home = p[:i]
	}
	ok, err := spec.RestoreState("cursor", state, &d.st, &d.st.V, stateVersion)
	if err != nil {
		return nil, err
	}
	if !ok {
		d.st = newState(p, d.db)
	}
	return d, nil
}

// State returns the decoder's state.
func (d *Decoder) State() ([]byte, error) { return json.Marshal(d.st) }

// ModTime is given the file's modification time before each batch:
// transcripts record no times, so their records take it.
func (d *Decoder) ModTime(t time.Time) { d.now = t.UTC() }

// Line decodes one transcript line, or one row of a state database.
func (d *Decoder) Line(no int, line []byte, emit func(store.Record)) error {
	d.out, d.line, d.n = emit, fmt.Sprintf("L%d", no), 0
	defer func() { d.out = nil }()
	if d.db {
		return d.row(line)
	}
	return d.transcriptLine(line)
}

func (d *Decoder) emit(r store.Record) {
	if d.out != nil {
		d.out(r)
	}
}

// key returns a key for the next record of the line: "L<no>", then
// "L<no>.2", ….
func (d *Decoder) key() string {
	d.n++
	if d.n == 1 {
		return d.line
	}
	return fmt.Sprintf("%s.%d", d.line, d.n)
}
