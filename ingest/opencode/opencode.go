package opencode

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/ingest/spec"
	"github.com/aitrail/aitrail/store"
)

// Dirs returns OpenCode's stores: in each data directory (the
// comma-separated OPENCODE_DATA_DIR, else ${XDG_DATA_HOME:-~/.local/share}/opencode
// and ~/.local/share/opencode) the database opencode.db and the older
// JSON tree storage/.
func Dirs(getenv func(string) string, home string) []string {
	var roots []string
	for _, p := range strings.Split(getenv("OPENCODE_DATA_DIR"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			roots = append(roots, p)
		}
	}
	if len(roots) == 0 {
		if xdg := getenv("XDG_DATA_HOME"); xdg != "" {
			roots = append(roots, filepath.Join(xdg, "opencode"))
		}
		roots = append(roots, filepath.Join(home, ".local", "share", "opencode"))
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range roots {
		if !seen[r] {
			seen[r] = true
			out = append(out, HomeDirs(r)...)
		}
	}
	return out
}

// HomeDirs returns the stores in a data directory given with --source
// opencode:PATH.
func HomeDirs(root string) []string {
	return []string{filepath.Join(root, dbName), filepath.Join(root, treeName)}
}

const (
	dbName   = "opencode.db"
	treeName = "storage"
)

// Match reports whether rel is one of OpenCode's stores: the database
// (opencode.db, or a channel's opencode-<name>.db) or the storage tree.
func Match(rel string) bool {
	base := path.Base(strings.TrimSuffix(rel, "/"))
	if strings.HasSuffix(rel, "/") {
		return base == treeName
	}
	return base == dbName || strings.HasPrefix(base, "opencode-") && strings.HasSuffix(base, ".db")
}

// Collections returns what is read of a store: sessions, parts (each with
// its message), then messages, each in the order written (time_updated in
// the database, file times in the tree). Parts come before messages: a
// user message's text part makes the prompt that the assistant message's
// token counts belong to.
func Collections(p string) []spec.Collection {
	if path.Base(filepath.ToSlash(p)) == treeName {
		return []spec.Collection{
			{Name: "session"},
			{Name: "part", Join: &spec.Join{Path: "message/{sessionID}/{messageID}.json"}},
			{Name: "message"},
		}
	}
	if !strings.HasSuffix(p, ".db") {
		return nil
	}
	table := func(name string, cols ...string) spec.Collection {
		return spec.Collection{Name: name, Key: "id", Order: "time_updated", Columns: cols, JSON: []string{"data"}}
	}
	part := table("part", "id", "message_id", "session_id", "data")
	part.Join = &spec.Join{Table: "message", On: "message_id", Key: "id", Columns: []string{"id", "session_id", "data"}, JSON: []string{"data"}}
	return []spec.Collection{
		table("session", "id", "parent_id", "directory", "title", "version", "time_created", "time_updated"),
		part,
		table("message", "id", "session_id", "data"),
	}
}

// Decoder decodes the records of one store. It implements ingest.Decoder.
type Decoder struct {
	st  state
	out func(store.Record)
}

// New returns a decoder for the store at p, resuming from state.
func New(p string, state []byte) (*Decoder, error) {
	d := &Decoder{}
	ok, err := spec.RestoreState("opencode", state, &d.st, &d.st.V, stateVersion)
	if err != nil {
		return nil, err
	}
	if !ok {
		d.st = newState()
	}
	return d, nil
}

// State returns the decoder's state.
func (d *Decoder) State() ([]byte, error) { return json.Marshal(d.st) }

// item is a record as the pipeline gives it.
type item struct {
	C lenient.Str     `json:"c"`
	K lenient.Str     `json:"k"`
	V json.RawMessage `json:"v"`
	J json.RawMessage `json:"j"`
}

// Line decodes one record: a session, a message or a part.
func (d *Decoder) Line(no int, line []byte, emit func(store.Record)) error {
	d.out = emit
	defer func() { d.out = nil }()
	var it item
	if !lenient.Object(line, &it) {
		return lenient.ErrNotObject
	}
	switch it.C {
	case "session":
		var s sessionDoc
		if !decodeDoc(it.V, &s) {
			return fmt.Errorf("%s: session is not a JSON object", it.K)
		}
		d.session(s)
	case "message":
		var m messageDoc
		if !decodeDoc(it.V, &m) {
			return fmt.Errorf("%s: message is not a JSON object", it.K)
		}
		d.message(m)
	case "part":
		var p partDoc
		if !decodeDoc(it.V, &p) {
			return fmt.Errorf("%s: part is not a JSON object", it.K)
		}
		var m messageDoc
		decodeDoc(it.J, &m)
		d.part(p, m)
	default:
		d.emit(store.Unknown{Type: "collection/" + string(it.C)})
	}
	return nil
}

func (d *Decoder) emit(r store.Record) {
	if d.out != nil {
		d.out(r)
	}
}
