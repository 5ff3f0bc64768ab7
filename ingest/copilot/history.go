package copilot

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// rawHistory is a legacy history file (up to about 0.0.33x, October 2025).
// chatMessages repeats the conversation in OpenAI's chat format without
// times; timeline has it with times, and is what is read.
type rawHistory struct {
	SessionID string            `json:"sessionId"`
	StartTime string            `json:"startTime"`
	Timeline  []json.RawMessage `json:"timeline"`
}

// rawEntry is one timeline entry.
type rawEntry struct {
	Type      string          `json:"type"`
	ID        string          `json:"id"`
	Timestamp string          `json:"timestamp"`
	Text      string          `json:"text"`
	CallID    string          `json:"callId"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	Result    struct {
		Type string          `json:"type"`
		Log  json.RawMessage `json:"log"`
	} `json:"result"`
}

// history decodes a legacy history file. It records no working directory:
// the session's is the one its shell commands cd into first, else the
// deepest directory that holds every file its tools named.
func (d *Decoder) history(data []byte, emit func(store.Record)) error {
	var h rawHistory
	if err := lenient.Unmarshal(data, &h); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	entries := make([]rawEntry, len(h.Timeline))
	for i, raw := range h.Timeline {
		if lenient.Kind(raw) == '{' {
			_ = lenient.Unmarshal(raw, &entries[i])
		}
	}
	d.emit = emit // entries are decoded as events are, with a state of their own
	d.st.Session = h.SessionID
	if d.st.Session == "" {
		d.st.Session = pathSession(d.path)
	}
	d.st.Cwd = historyCwd(entries)
	d.t = d.lineTime(h.StartTime)
	d.st.Known = true
	emit(store.Session{ID: d.st.Session, Cwd: d.st.Cwd, Started: d.t, Ended: d.t})
	for i, e := range entries {
		d.t = d.lineTime(e.Timestamp)
		key := e.ID
		if key == "" {
			key = fmt.Sprintf("T%d", i+1)
		}
		switch e.Type {
		case "user":
			d.user(key, &eventData{Content: jsonString(e.Text)})
		case "copilot":
			d.message(key, store.MessageAssistant, e.Text)
		case "info", "error", "warning":
			d.message(key, store.MessageSystem, e.Text)
		case "tool_call_completed", "tool_call_requested":
			d.call(e.CallID, e.Name, e.Arguments)
			if e.Type == "tool_call_completed" {
				ok := e.Result.Type == "success"
				d.complete(&eventData{ToolCallID: e.CallID, Success: &ok, Result: &toolResult{Content: e.Result.Log, DetailedContent: e.Result.Log}})
			}
		default:
			typ := e.Type
			if typ == "" {
				typ = "(none)"
			}
			emit(store.Unknown{Session: d.st.Session, Type: "timeline:" + typ})
		}
	}
	d.st = state{V: stateVersion}
	return nil
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// historyCwd guesses a legacy session's working directory: the directory
// its first shell command changes to ("cd /abs/dir && …"), else the
// deepest directory holding every absolute path its tools named.
func historyCwd(entries []rawEntry) string {
	var paths []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Type, "tool_call") {
			continue
		}
		a := parseArgs(e.Arguments)
		var cmd struct {
			Command string `json:"command"`
		}
		if e.Name == "bash" && lenient.Unmarshal(object(e.Arguments), &cmd) == nil {
			if dir, ok := strings.CutPrefix(cmd.Command, "cd "); ok {
				if i := strings.Index(dir, " &&"); i > 0 && strings.HasPrefix(dir, "/") {
					return path.Clean(dir[:i])
				}
			}
		}
		if strings.HasPrefix(a.Path, "/") {
			paths = append(paths, path.Clean(a.Path))
		}
	}
	return commonDir(paths)
}

// commonDir returns the deepest directory that holds each path: their
// common prefix, unless that is a file (a path no other one is below).
func commonDir(paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	common := strings.Split(paths[0], "/")
	for _, p := range paths[1:] {
		parts := strings.Split(p, "/")
		n := 0
		for n < len(common) && n < len(parts) && common[n] == parts[n] {
			n++
		}
		common = common[:n]
	}
	dir := strings.Join(common, "/")
	if dir == "" {
		return "/"
	}
	for _, p := range paths {
		if strings.HasPrefix(p, dir+"/") {
			return dir
		}
	}
	return path.Dir(dir)
}
