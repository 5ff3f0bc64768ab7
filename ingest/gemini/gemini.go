package gemini

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// Decoder decodes one Gemini CLI chat into store records. It implements
// ingest.Decoder, ingest.Flusher and ingest.SidecarDecoder: a legacy JSON
// chat is given whole as one line; a JSONL chat is replayed line by line
// and its records emitted by Flush, once the conversation is known.
type Decoder struct {
	file  fileInfo
	conv  conv
	root  string            // the project root a sidecar names
	slugs map[string]string // projects.json: project root → directory name
}

// New returns a decoder for the chat at path. Chats are read whole or
// replayed from their start, so there is no state to resume from: state is
// ignored.
func New(path string, state []byte) (*Decoder, error) {
	return &Decoder{file: parsePath(path), conv: conv{msgs: map[string]*rawMessage{}}}, nil
}

// State returns nothing to remember: every read starts from the beginning.
func (d *Decoder) State() ([]byte, error) { return nil, nil }

// Sidecar takes the project root from the project directory's
// .project_root marker, or the registry projects.json.
func (d *Decoder) Sidecar(path string, data []byte) {
	switch filepath.Base(path) {
	case ".project_root":
		d.root = strings.TrimSpace(string(data))
	case "projects.json":
		var reg struct {
			Projects map[string]string `json:"projects"`
		}
		if lenient.Unmarshal(data, &reg) == nil {
			d.slugs = reg.Projects
		}
	}
}

var errNoID = errors.New("a message line without an id")

// knownTypes are the message types decoded here.
var knownTypes = map[string]bool{"user": true, "gemini": true, "info": true, "error": true, "warning": true}

// Line decodes line no: the whole document of a legacy JSON chat, or one
// line of a JSONL chat.
func (d *Decoder) Line(no int, line []byte, emit func(store.Record)) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	if err := lenient.CheckObject(line); err != nil {
		return err
	}
	if !d.file.jsonl {
		return d.document(line, emit)
	}
	var ctl struct {
		ID        json.RawMessage `json:"id"`
		Set       json.RawMessage `json:"$set"`
		RewindTo  json.RawMessage `json:"$rewindTo"`
		SessionID json.RawMessage `json:"sessionId"`
	}
	if err := lenient.Unmarshal(line, &ctl); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	switch {
	case ctl.RewindTo != nil:
		d.conv.rewind(lenient.String(ctl.RewindTo))
	case ctl.Set != nil:
		if lenient.Kind(ctl.Set) == '{' {
			_ = lenient.Unmarshal(ctl.Set, &d.conv.meta)
		}
	case ctl.ID != nil:
		var m rawMessage
		_ = lenient.Unmarshal(line, &m)
		if m.ID == "" {
			return errNoID
		}
		d.conv.add(&m)
		if !knownTypes[m.Type] {
			emit(store.Unknown{Session: d.sessionID(), Type: typeName(m.Type)})
		}
	case ctl.SessionID != nil:
		_ = lenient.Unmarshal(line, &d.conv.meta) // the metadata line
	default:
		emit(store.Unknown{Session: d.sessionID(), Type: "(none)"})
	}
	return nil
}

// document decodes a legacy JSON chat, which holds the whole conversation.
func (d *Decoder) document(data []byte, emit func(store.Record)) error {
	if err := lenient.Unmarshal(data, &d.conv.meta); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	for _, raw := range d.conv.meta.Messages {
		var m rawMessage
		if lenient.Kind(raw) == '{' {
			_ = lenient.Unmarshal(raw, &m)
		}
		if m.ID == "" {
			emit(store.Unknown{Session: d.sessionID(), Type: "(message without id)"})
			continue
		}
		d.conv.add(&m)
		if !knownTypes[m.Type] {
			emit(store.Unknown{Session: d.sessionID(), Type: typeName(m.Type)})
		}
	}
	d.conv.meta.Messages = nil
	d.emitConv(emit)
	return nil
}

func typeName(t string) string {
	if t == "" {
		return "(none)"
	}
	return t
}

// sessionID is the chat's session id: the metadata's, else what the file
// name tells.
func (d *Decoder) sessionID() string {
	if d.conv.meta.SessionID != "" {
		return d.conv.meta.SessionID
	}
	return d.file.id
}

// projectRoot returns the directory the chat's project is: a sidecar's,
// else the one the chat's edits imply (a relative file_path whose
// resolved absolute filePath the tool reported).
func (d *Decoder) projectRoot() string {
	if d.root != "" {
		return d.root
	}
	for root, slug := range d.slugs {
		if slug == d.file.project || hashOf(root) == d.file.project {
			return root
		}
	}
	for _, id := range d.conv.order {
		for _, tc := range d.conv.msgs[id].ToolCalls {
			var a editArgs
			var fd fileDisplay
			if lenient.Kind(tc.Args) != '{' || lenient.Kind(tc.ResultDisplay) != '{' || lenient.Unmarshal(tc.Args, &a) != nil || lenient.Unmarshal(tc.ResultDisplay, &fd) != nil {
				continue
			}
			rel := strings.TrimPrefix(a.FilePath, "./")
			if rel == "" || canon.IsAbs(rel) || !canon.IsAbs(fd.FilePath) {
				continue
			}
			if root, ok := strings.CutSuffix(fd.FilePath, "/"+rel); ok && root != "" {
				return root
			}
		}
	}
	return ""
}

// hashOf is Gemini CLI's name of a project directory before slugs: the
// sha256 of the project root. (A root redacted before it reaches the
// decoder no longer hashes to it.)
func hashOf(root string) string {
	h := sha256.Sum256([]byte(root))
	return hex.EncodeToString(h[:])
}
