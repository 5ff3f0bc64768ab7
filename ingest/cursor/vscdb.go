package cursor

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aitrail/aitrail/canon"
	"github.com/aitrail/aitrail/ingest/fileedit"
	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// row is a row of cursorDiskKV as the pipeline gives it.
type row struct {
	C lenient.Str `json:"c"`
	K lenient.Str `json:"k"`
	V struct {
		Value json.RawMessage `json:"value"`
	} `json:"v"`
}

// composerDoc is the part of a composerData value that is read.
type composerDoc struct {
	ComposerID    lenient.Str `json:"composerId"`
	Name          lenient.Str `json:"name"`
	CreatedAt     lenient.Int `json:"createdAt"`
	LastUpdatedAt lenient.Int `json:"lastUpdatedAt"`
	ModelConfig   struct {
		ModelName lenient.Str `json:"modelName"`
	} `json:"modelConfig"`
	CreatedOnBranch     lenient.Str                      `json:"createdOnBranch"`
	WorkspaceIdentifier json.RawMessage                  `json:"workspaceIdentifier"`
	SubComposerIDs      []lenient.Str                    `json:"subComposerIds"`
	Conversation        []lenient.Of[bubbleDoc]          `json:"conversation"`
	ConversationMap     map[string]lenient.Of[bubbleDoc] `json:"conversationMap"`
	Headers             []lenient.Of[struct {
		BubbleID lenient.Str `json:"bubbleId"`
	}] `json:"fullConversationHeadersOnly"`
}

// bubbleDoc is the part of a message ("bubble") that is read.
type bubbleDoc struct {
	BubbleID  lenient.Str `json:"bubbleId"`
	Type      lenient.Int `json:"type"` // 1 user, 2 assistant
	Text      lenient.Str `json:"text"`
	CreatedAt lenient.Str `json:"createdAt"`
	ModelInfo struct {
		ModelName lenient.Str `json:"modelName"`
	} `json:"modelInfo"`
	WorkspaceURIs []lenient.Str `json:"workspaceUris"`
	Thinking      struct {
		Text lenient.Str `json:"text"`
	} `json:"thinking"`
	TokenCount struct {
		InputTokens  lenient.Int `json:"inputTokens"`
		OutputTokens lenient.Int `json:"outputTokens"`
	} `json:"tokenCount"`
	TimingInfo struct {
		ClientRPCSendTime lenient.Int `json:"clientRpcSendTime"`
		ClientEndTime     lenient.Int `json:"clientEndTime"`
	} `json:"timingInfo"`
	Tool lenient.Of[toolFormer] `json:"toolFormerData"`
}

// toolFormer is a message's tool call.
type toolFormer struct {
	ToolCallID lenient.Str     `json:"toolCallId"`
	Name       lenient.Str     `json:"name"`
	RawArgs    json.RawMessage `json:"rawArgs"`
	Params     json.RawMessage `json:"params"`
	Result     json.RawMessage `json:"result"`
	Status     lenient.Str     `json:"status"`
}

// row decodes one composer or message of the state database.
func (d *Decoder) row(line []byte) error {
	var r row
	if !lenient.Object(line, &r) {
		return lenient.ErrNotObject
	}
	key := string(r.K)
	switch {
	case strings.HasPrefix(key, "composerData:"):
		var c composerDoc
		if !lenient.Object(r.V.Value, &c) {
			return fmt.Errorf("%s: value is not a JSON object", key)
		}
		id := string(c.ComposerID)
		if id == "" {
			id = strings.TrimPrefix(key, "composerData:")
		}
		d.composerRow(id, c)
	case strings.HasPrefix(key, "bubbleId:"):
		ids := strings.SplitN(strings.TrimPrefix(key, "bubbleId:"), ":", 2)
		if len(ids) != 2 || ids[0] == "" {
			return fmt.Errorf("%s: no composer id in the key", key)
		}
		var b bubbleDoc
		if string(r.V.Value) == "null" {
			return nil // a deleted message
		}
		if !lenient.Object(r.V.Value, &b) {
			return fmt.Errorf("%s: value is not a JSON object", key)
		}
		if b.BubbleID == "" {
			b.BubbleID = lenient.Str(ids[1])
		}
		d.bubble(ids[0], b)
	default:
		d.emit(store.Unknown{Type: "key/" + strings.SplitN(key, ":", 2)[0]})
	}
	return nil
}

// composerRow decodes a conversation's metadata, and the messages older
// versions keep inline.
func (d *Decoder) composerRow(id string, c composerDoc) {
	st := d.st.composer(id)
	if m := string(c.ModelConfig.ModelName); m != "" {
		st.Model = m
	}
	if st.Cwd == "" {
		st.Cwd = workspacePath(c.WorkspaceIdentifier)
	}
	if c.CreatedAt > 0 {
		st.Started = int64(c.CreatedAt)
	}
	s := store.Session{ID: id, Title: string(c.Name), Model: st.Model, Cwd: st.Cwd, GitBranch: string(c.CreatedOnBranch),
		Started: millis(int64(c.CreatedAt)), Ended: millis(int64(max(c.LastUpdatedAt, c.CreatedAt)))}
	d.emit(s)
	for _, sub := range c.SubComposerIDs {
		if sub != "" {
			d.emit(store.Session{ID: string(sub), ParentID: id, Relation: "subagent"})
		}
	}
	for _, b := range c.Conversation {
		if b.OK {
			d.bubble(id, b.V)
		}
	}
	// A map has no order: its messages follow the headers' order.
	for _, h := range c.Headers {
		if b, ok := c.ConversationMap[string(h.V.BubbleID)]; ok && b.OK {
			if b.V.BubbleID == "" {
				b.V.BubbleID = h.V.BubbleID
			}
			d.bubble(id, b.V)
		}
	}
}

// workspacePath reads the folder of a composer's workspace identifier,
// {"uri":{"fsPath"|"path"|"external"}} or a file URI string.
func workspacePath(raw json.RawMessage) string {
	var w struct {
		URI lenient.Of[struct {
			FSPath   lenient.Str `json:"fsPath"`
			Path     lenient.Str `json:"path"`
			External lenient.Str `json:"external"`
		}] `json:"uri"`
	}
	if lenient.Object(raw, &w) && w.URI.OK {
		u := w.URI.V
		switch {
		case u.FSPath != "":
			return string(u.FSPath)
		case u.Path != "":
			return string(u.Path)
		}
		return uriPath(string(u.External))
	}
	return uriPath(lenient.Text(raw))
}

// uriPath returns the path of a file:// URI, "" for anything else. A URI
// that arrives redacted ("file://~/src", from a redacted state or sidecar)
// gives "~/src".
func uriPath(s string) string {
	rest, ok := strings.CutPrefix(s, "file://")
	if !ok {
		return ""
	}
	p, err := url.PathUnescape(rest)
	if err != nil {
		p = rest
	}
	switch {
	case strings.HasPrefix(p, "~"):
		return p
	case len(p) >= 3 && p[0] == '/' && p[2] == ':':
		return strings.ReplaceAll(p[1:], "/", `\`) // file:///c:/x is c:\x
	case strings.HasPrefix(p, "/"):
		return p
	}
	return ""
}

func millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// bubbleTime is when a message was written: its createdAt, else the
// client's timing, else its conversation's start.
func bubbleTime(b bubbleDoc, c *composer) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, string(b.CreatedAt)); err == nil {
		return t.UTC()
	}
	for _, ms := range []lenient.Int{b.TimingInfo.ClientRPCSendTime, b.TimingInfo.ClientEndTime} {
		if ms > 1e12 {
			return millis(int64(ms))
		}
	}
	return millis(c.Started)
}

// bubble decodes one message: a user's prompt, or the assistant's text,
// thinking, tool call and token counts.
func (d *Decoder) bubble(composerID string, b bubbleDoc) {
	c := d.st.composer(composerID)
	id := string(b.BubbleID)
	t := bubbleTime(b, c)
	model := string(b.ModelInfo.ModelName)
	if model == "" {
		model = c.Model
	}
	if b.Type == 1 {
		if c.Cwd == "" && len(b.WorkspaceURIs) > 0 {
			if p := uriPath(string(b.WorkspaceURIs[0])); p != "" {
				c.Cwd = p
				d.emit(store.Session{ID: composerID, Cwd: p})
			}
		}
		c.Prompt = id
		d.emit(store.Prompt{Session: composerID, Key: id, Time: t, Text: string(b.Text), Cwd: c.Cwd, Model: model})
		return
	}
	if text := strings.TrimSpace(string(b.Thinking.Text)); text != "" {
		d.emit(store.Message{Session: composerID, Prompt: c.Prompt, Key: id + ".thinking", Time: t,
			Kind: store.MessageReasoning, Text: text})
	}
	if text := strings.TrimSpace(string(b.Text)); text != "" {
		d.emit(store.Message{Session: composerID, Prompt: c.Prompt, Key: id, Time: t, Kind: store.MessageAssistant, Text: text})
	}
	if b.Tool.OK && b.Tool.V.Name != "" {
		d.toolRow(composerID, c, id, t, b.Tool.V)
	}
	if in, out := int64(b.TokenCount.InputTokens), int64(b.TokenCount.OutputTokens); in > 0 || out > 0 {
		d.emit(store.Usage{Session: composerID, Prompt: c.Prompt, Time: t, Model: model, Input: in, Output: out,
			Key: "bubble:" + id})
	}
}

// toolRow decodes a message's tool call, its result, and the edit it made.
func (d *Decoder) toolRow(composerID string, c *composer, bubbleID string, t time.Time, tf toolFormer) {
	id := string(tf.ToolCallID)
	if id == "" {
		id = bubbleID
	}
	args := lenient.Text(tf.RawArgs)
	if args == "" {
		args = lenient.Text(tf.Params)
	}
	d.emit(store.ToolCall{Session: composerID, Prompt: c.Prompt, CallID: id, Time: t, Name: string(tf.Name), Input: args})
	status := ""
	switch strings.ToLower(string(tf.Status)) {
	case "completed", "success", "succeeded":
		status = "ok"
	case "error", "failed", "cancelled", "rejected":
		status = "error"
	}
	if out := lenient.Text(tf.Result); out != "" || status != "" {
		d.emit(store.ToolResult{Session: composerID, CallID: id, Time: t, Output: out, Status: status})
	}
	fe, ok := toolEdit(string(tf.Name), json.RawMessage(args), c.Cwd)
	if !ok {
		return
	}
	if fe.Diff == "" {
		resultDiff(&fe, tf.Result, c.Cwd)
	}
	if status == "error" {
		fe.Status = store.EditFailed
	}
	fe.Session, fe.Prompt, fe.CallID, fe.Time = composerID, c.Prompt, id, t
	d.emit(fe)
}

// resultDiff reads the diff an edit_file result reports applied, as chunks
// of lines marked "+", "-" or " " with their places in the file.
func resultDiff(fe *store.FileEdit, raw json.RawMessage, cwd string) {
	var r struct {
		Diff struct {
			Chunks []lenient.Of[struct {
				DiffString lenient.Str `json:"diffString"`
				OldStart   lenient.Int `json:"oldStart"`
				NewStart   lenient.Int `json:"newStart"`
			}] `json:"chunks"`
		} `json:"diff"`
	}
	if !lenient.Object([]byte(lenient.Text(raw)), &r) || len(r.Diff.Chunks) == 0 {
		return
	}
	var hunks strings.Builder
	for _, ch := range r.Diff.Chunks {
		if !ch.OK || ch.V.DiffString == "" {
			continue
		}
		lines := strings.Split(strings.TrimSuffix(string(ch.V.DiffString), "\n"), "\n")
		oldN, newN := 0, 0
		for _, l := range lines {
			switch {
			case strings.HasPrefix(l, "+"):
				newN++
			case strings.HasPrefix(l, "-"):
				oldN++
			default:
				oldN++
				newN++
			}
		}
		fmt.Fprintf(&hunks, "@@ -%d,%d +%d,%d @@\n", max(ch.V.OldStart, 1), oldN, max(ch.V.NewStart, 1), newN)
		for _, l := range lines {
			if l == "" || !strings.ContainsAny(l[:1], "+- ") {
				l = " " + l
			}
			hunks.WriteString(l + "\n")
		}
	}
	files := fileedit.Parse("--- a/f\n+++ b/f\n" + hunks.String())
	if len(files) != 1 || files[0].Added+files[0].Removed == 0 {
		return
	}
	diff := files[0].Diff(canon.Rel(cwd, fe.Path))
	fe.Diff, fe.Added, fe.Removed, fe.Source = diff.Text, diff.Added, diff.Removed, "toolFormerData.result"
}
