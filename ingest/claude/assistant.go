package claude

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// synthetic is the model of messages Claude Code writes itself (API errors,
// interruptions, "No response requested."); they cost nothing.
const synthetic = "<synthetic>"

// assistant decodes an assistant line: one content block per line in
// practice, several lines per API response.
func (d *Decoder) assistant(c *lineCtx, m *rawMessage) {
	s := d.st.sess(c.session)
	model := lenient.String(m.Model)
	if model != "" && model != synthetic && model != s.Model {
		s.Model = model
		c.emit(store.Session{ID: c.session, Model: model})
	}
	if model != "" && model != synthetic && s.Prompt != "" && s.Unanswered {
		// The prompt's model is the one answering it; the store merges
		// this record of its key and model into the prompt.
		s.Unanswered = false
		c.emit(store.Prompt{Session: c.session, Key: s.Prompt, Model: model})
	}
	local := model == synthetic
	if apiErr, _ := boolean(c.l.IsAPIErrorMessage); apiErr {
		local = true
	}
	bs, whole := contentBlocks(m.Content)
	for i, b := range bs {
		if whole {
			i = -1
		}
		switch b.Type {
		case "text":
			if strings.TrimSpace(b.Text) == "" {
				continue
			}
			k := store.MessageAssistant
			if local {
				k = store.MessageSystem
			}
			c.emit(store.Message{Session: c.session, Prompt: s.Prompt, Key: c.key(i), Time: c.t, Kind: k, Text: b.Text})
		case "thinking":
			if strings.TrimSpace(b.Thinking) == "" {
				continue // 2.x keeps only a signature
			}
			c.emit(store.Message{Session: c.session, Prompt: s.Prompt, Key: c.key(i), Time: c.t, Kind: store.MessageReasoning, Text: b.Thinking})
		case "tool_use":
			d.toolUse(c, s, b, i)
		}
	}
}

// toolUse emits a tool call, and for the edit tools the FileEdit its input
// asks for; the call then waits for its result.
func (d *Decoder) toolUse(c *lineCtx, s *sessState, b rawBlock, i int) {
	id := b.ID
	if id == "" {
		id = c.key(i)
	}
	c.emit(store.ToolCall{Session: c.session, Prompt: s.Prompt, CallID: id, Time: c.t, Name: b.Name, Input: string(b.Input)})
	pc := pendingCall{ID: id, Session: c.session, Prompt: s.Prompt, Name: b.Name, Cwd: c.cwd}
	if fe, ok := inputEdit(b.Name, b.Input, c.cwd); ok {
		fe.Session, fe.Prompt, fe.CallID, fe.Time = c.session, s.Prompt, id, c.t
		pc.Path = fe.Path
		c.emit(fe)
	}
	d.st.addPending(pc)
}

// usage emits the token usage of one API call as ccusage counts it: every
// line carrying message.usage, keyed by message.id and requestId (the lines
// of one response repeat it, the early ones with a partial output count;
// the store keeps the largest), skipping what ccusage skips.
func (d *Decoder) usage(c *lineCtx, m *rawMessage) {
	l := c.l
	if !c.tsOK {
		return
	}
	// ccusage drops a line where one of these fields is null…
	for _, raw := range []json.RawMessage{l.Cwd, l.Version, l.SessionID, l.RequestID, l.IsAPIErrorMessage, l.CostUSD, m.ID, m.Model} {
		if isNull(raw) {
			return
		}
	}
	// …where one of these is present but not a non-empty string…
	for _, raw := range []json.RawMessage{l.SessionID, l.RequestID, m.ID, m.Model, l.Version} {
		if len(raw) > 0 {
			if s, ok := str(raw); !ok || s == "" {
				return
			}
		}
	}
	// …whose version is not semver-like, or whose fields do not parse.
	if v, ok := str(l.Version); ok && !semverPrefix(v) {
		return
	}
	if _, ok := boolean(l.IsSidechain); !ok {
		return
	}
	var u rawUsage
	if lenient.Unmarshal(m.Usage, &u) != nil {
		return
	}
	in, ok := uint64Of(u.InputTokens)
	if !ok {
		return
	}
	out, ok := uint64Of(u.OutputTokens)
	if !ok {
		return
	}
	var cw, cr uint64
	if len(u.CacheCreationInputTokens) > 0 {
		if cw, ok = uint64Of(u.CacheCreationInputTokens); !ok {
			return
		}
	}
	if len(u.CacheReadInputTokens) > 0 {
		if cr, ok = uint64Of(u.CacheReadInputTokens); !ok {
			return
		}
	}
	// The one-hour part of the cache writes (1.0.95 on) costs more.
	w1h, _ := uint64Of(u.CacheCreation.Ephemeral1h)
	w1h = min(w1h, cw)
	model := lenient.String(m.Model)
	if len(u.Speed) > 0 {
		sp, ok := str(u.Speed)
		if !ok || sp != "standard" && sp != "fast" {
			return
		}
		if sp == "fast" && model != "" && model != synthetic {
			model += "-fast" // fast mode is priced apart; ccusage names it so
		}
	}
	rec := store.Usage{
		Session:      c.session,
		Prompt:       d.st.sess(c.session).Prompt,
		Time:         c.t,
		Model:        model,
		Input:        int64(in),
		CacheRead:    int64(cr),
		CacheWrite:   int64(cw),
		Output:       int64(out),
		Sidechain:    c.sidechain,
		CacheWrite1h: int64(w1h),
	}
	if id, ok := str(m.ID); ok {
		rec.Key = id + ":" + lenient.String(l.RequestID)
		rec.Group = id
	}
	c.emit(rec)
}

// semverPrefix reports whether v starts like a semantic version
// (digits.digits.digit), ccusage's test for a real Claude Code line.
func semverPrefix(v string) bool {
	i := 0
	for part := 0; part < 2; part++ {
		j := i
		for j < len(v) && v[j] >= '0' && v[j] <= '9' {
			j++
		}
		if j == i || j >= len(v) || v[j] != '.' {
			return false
		}
		i = j + 1
	}
	return i < len(v) && v[i] >= '0' && v[i] <= '9'
}

// system decodes a system line into a system message: hook output,
// compaction boundaries, API errors, stop-hook summaries…; bookkeeping
// subtypes without text (turn_duration, session_start) give none.
func (d *Decoder) system(c *lineCtx) {
	t := systemText(c.l)
	if t == "" {
		return
	}
	s := d.st.sess(c.session)
	c.emit(store.Message{Session: c.session, Prompt: s.Prompt, Key: c.key(-1), Time: c.t, Kind: store.MessageSystem, Text: t})
}

func systemText(l *rawLine) string {
	content := ""
	if s, ok := str(l.Content); ok {
		content = strings.TrimSpace(reANSI.ReplaceAllString(s, ""))
	}
	switch l.Subtype {
	case "turn_duration":
		return ""
	case "stop_hook_summary":
		var cmds []string
		for _, h := range l.HookInfos {
			if h.Command != "" {
				cmds = append(cmds, h.Command)
			}
		}
		t := "Stop hooks"
		if len(cmds) > 0 {
			t += ": " + strings.Join(cmds, "; ")
		}
		if n := len(l.HookErrors); n > 0 {
			t += fmt.Sprintf(" (%d failed)", n)
		}
		if l.PreventedContinuation {
			t += "; prevented continuation"
			if l.StopReason != "" {
				t += ": " + l.StopReason
			}
		}
		if content != "" {
			t += "\n" + content
		}
		return t
	case "api_error", "error":
		t := "API error"
		if e := errorText(l.Error); e != "" {
			t += ": " + e
		}
		if a, m := numberText(l.RetryAttempt), numberText(l.MaxRetries); a != "" && m != "" && m != "0" {
			t += fmt.Sprintf(" (retry %s/%s)", a, m)
		}
		if content != "" {
			t += "\n" + content
		}
		return t
	case "compact_boundary", "microcompact_boundary":
		meta := l.CompactMetadata
		if l.Subtype == "microcompact_boundary" {
			meta = l.MicrocompactMetadata
		}
		if content == "" {
			content = "Conversation compacted"
		}
		var about []string
		if meta.Trigger != "" {
			about = append(about, meta.Trigger)
		}
		if n := numberText(meta.PreTokens); n != "" {
			about = append(about, n+" tokens before")
		}
		if len(about) > 0 {
			content += " (" + strings.Join(about, ", ") + ")"
		}
		return content
	case "api_refusal":
		if l.APIRefusalExplanation != "" {
			if content == "" {
				return "API refusal: " + l.APIRefusalExplanation
			}
			return content + ": " + l.APIRefusalExplanation
		}
	case "model_refusal_fallback":
		if l.OriginalModel != "" && l.FallbackModel != "" {
			t := "Model fallback: " + l.OriginalModel + " → " + l.FallbackModel
			if content != "" {
				t += "\n" + content
			}
			return t
		}
	}
	return content
}

// errorText is the message of a system line's error: a string, or the
// message or status of an object.
func errorText(raw json.RawMessage) string {
	if s, ok := str(raw); ok {
		return s
	}
	if lenient.Kind(raw) != '{' {
		return ""
	}
	var e struct {
		Message json.RawMessage `json:"message"`
		Status  json.RawMessage `json:"status"`
		Error   json.RawMessage `json:"error"`
	}
	if lenient.Unmarshal(raw, &e) != nil {
		return ""
	}
	if s, ok := str(e.Message); ok && s != "" {
		return s
	}
	if s := errorText(e.Error); s != "" {
		return s
	}
	if n := numberText(e.Status); n != "" && n != "0" {
		return "status " + n
	}
	return ""
}
