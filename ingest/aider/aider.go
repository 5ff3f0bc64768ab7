package aider

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aitrail/aitrail/ingest/spec"
	"github.com/aitrail/aitrail/store"
)

// HistoryFile is the name of Aider's chat history in a repository's root.
const HistoryFile = ".aider.chat.history.md"

// InRepo lists the logs Aider keeps in the repositories it works in.
var InRepo = []string{HistoryFile}

// Dirs returns the chat history named by AIDER_CHAT_HISTORY_FILE (Aider's
// own variable for --chat-history-file) when it is an absolute path.
// Histories in repositories are found through InRepo.
func Dirs(getenv func(string) string, home string) []string {
	if p := getenv("AIDER_CHAT_HISTORY_FILE"); filepath.IsAbs(p) {
		return []string{p}
	}
	return nil
}

// Match reports whether rel, relative to a scanned directory, is a chat
// history.
func Match(rel string) bool { return path.Base(rel) == HistoryFile }

// Decoder decodes one chat history into store records. It implements
// ingest.Decoder and ingest.Flusher.
type Decoder struct {
	st     state
	tag    string         // short hash of the file's path: sessions of different repositories differ
	dir    string         // the repository root: the history's directory
	loc    *time.Location // the zone of the headers' local times
	out    func(store.Record)
	no     int    // number of the line being decoded
	gap    bool   // blank lines precede it
	prefix string // "L<no>"
}

// New returns a decoder for the chat history at p, resuming from state
// (nil to start). Header times are taken in the local time zone, as Aider
// writes them.
func New(p string, state []byte) (*Decoder, error) {
	sum := sha256.Sum256([]byte(p))
	d := &Decoder{tag: hex.EncodeToString(sum[:4]), dir: filepath.Dir(p), loc: time.Local}
	ok, err := spec.RestoreState("aider", state, &d.st, &d.st.V, stateVersion)
	if err != nil {
		return nil, err
	}
	if !ok {
		d.st = state0()
	}
	return d, nil
}

// State returns the decoder's state.
func (d *Decoder) State() ([]byte, error) { return json.Marshal(d.st) }

var headerRe = regexp.MustCompile(`^# aider chat started at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\s*$`)

// Line decodes line number no of the history. Every line is valid
// Markdown: Line never fails.
func (d *Decoder) Line(no int, line []byte, emit func(store.Record)) error {
	d.out = emit
	defer func() { d.out = nil }()
	s := strings.TrimRight(string(line), "\r")
	d.no, d.prefix = no, "L"+strconv.Itoa(no)
	d.gap = d.st.Last > 0 && no > d.st.Last+1
	d.st.Last = no
	if d.st.Cont {
		// A tool message whose first line did not end the way Aider ends
		// its messages (two spaces) goes on until one does, unless Aider
		// clearly started something else.
		if !headerRe.MatchString(s) && !isPrompt(s) {
			d.toolText(s, d.gapLines())
			d.st.Cont = !strings.HasSuffix(s, "  ")
			return nil
		}
		d.st.Cont = false
	}
	switch {
	case headerRe.MatchString(s):
		d.closeAll()
		d.startSession(headerRe.FindStringSubmatch(s)[1])
	case isPrompt(s):
		d.promptLine(s)
	case s == ">" || strings.HasPrefix(s, "> "):
		d.toolLine(s)
	default:
		d.replyLine(s)
	}
	return nil
}

// isPrompt reports whether s is a line of the user's input ("#### …").
func isPrompt(s string) bool { return s == "####" || strings.HasPrefix(s, "#### ") }

// Flush emits the blocks still open (the prompt, reply or tool output the
// next line may extend) as they are; they are emitted again when they end.
func (d *Decoder) Flush(emit func(store.Record)) {
	d.out = emit
	defer func() { d.out = nil }()
	if p := d.st.Prompt; p != nil {
		d.emit(d.promptRecord(p))
	}
	if m := d.st.Reply; m != nil {
		d.emit(d.message(m, store.MessageAssistant))
	}
	if m := d.st.Note; m != nil {
		d.emit(d.message(m, store.MessageSystem))
	}
}

func (d *Decoder) emit(r store.Record) {
	if d.out != nil {
		d.out(r)
	}
}

// gapLines returns the blank lines before the current line as newlines.
func (d *Decoder) gapLines() string {
	if !d.gap {
		return "\n"
	}
	return "\n\n"
}

// session returns the current session id, starting one without a header
// (a history that begins in the middle) when there is none.
func (d *Decoder) session() string {
	if d.st.Session == "" {
		d.st.Session = d.tag + "-start"
		d.emit(store.Session{ID: d.st.Session, Cwd: d.dir})
	}
	return d.st.Session
}

// startSession begins the session a header announces. Its id is the
// history's path hash and the header's time (plus the line when the
// previous session started in the same second).
func (d *Decoder) startSession(local string) {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", local, d.loc)
	if err != nil {
		return
	}
	id := d.tag + "-" + t.Format("20060102T150405")
	if strings.HasPrefix(d.st.Session, id) {
		id += "-" + d.prefix
	}
	d.st = state{V: stateVersion, Session: id, Start: t.UTC(), Last: d.st.Last}
	d.emit(store.Session{ID: id, Cwd: d.dir, Started: d.st.Start, Ended: d.st.Start})
}
