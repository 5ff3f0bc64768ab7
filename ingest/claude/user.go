package claude

import (
	"regexp"
	"strings"
	"time"

	"github.com/aitrail/aitrail/ingest/lenient"
	"github.com/aitrail/aitrail/store"
)

// injectedTags are the blocks Claude Code and its IDE integrations add to
// what the user typed; they become the prompt's Context.
var injectedTags = []string{
	"system-reminder",
	"ide_opened_file",
	"ide_selection",
	"ide_diagnostics",
	"user-prompt-submit-hook",
}

var (
	reInjected    = injectedRegexp()
	reCommandName = regexp.MustCompile(`(?s)<command-name>\s*(.*?)\s*</command-name>`)
	reCommandArgs = regexp.MustCompile(`(?s)<command-args>(.*?)</command-args>`)
	reBashInput   = regexp.MustCompile(`(?s)<bash-input>(.*?)</bash-input>`)
	reOutputTag   = regexp.MustCompile(`</?(?:local-command-stdout|local-command-stderr|bash-stdout|bash-stderr)>`)
	reANSI        = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]")
)

func injectedRegexp() *regexp.Regexp {
	alts := make([]string, len(injectedTags))
	for i, t := range injectedTags {
		alts[i] = "<" + t + ">.*?</" + t + ">"
	}
	return regexp.MustCompile(`(?s)` + strings.Join(alts, "|"))
}

// textPiece is the text of one block of a user line; i is its block index,
// -1 when the content was a plain string.
type textPiece struct {
	i    int
	text string
}

// user decodes a user line: tool results, then the prompt, slash command,
// command output, interruption or compaction summary its text holds.
func (d *Decoder) user(c *lineCtx, m *rawMessage) {
	bs, whole := contentBlocks(m.Content)
	results := 0
	for _, b := range bs {
		if b.Type == "tool_result" {
			results++
		}
	}
	var texts []textPiece
	for i, b := range bs {
		switch b.Type {
		case "tool_result":
			d.toolResult(c, b, results == 1)
		case "text":
			if whole {
				i = -1
			}
			texts = append(texts, textPiece{i, b.Text})
		}
	}
	if len(texts) == 0 {
		return
	}
	s := d.st.sess(c.session)
	l := c.l
	if l.IsCompactSummary {
		if t := strings.TrimSpace(joinTexts(texts)); t != "" {
			c.emit(store.Message{Session: c.session, Prompt: s.Prompt, Key: c.key(-1), Time: c.t, Kind: store.MessageSystem, Text: t})
		}
		return
	}
	if l.IsMeta || l.IsVisibleInTranscriptOnly {
		// The expansion of a slash command is written as an isMeta line
		// right after it: it becomes the command's Context.
		if s.Cmd != nil && l.ParentUUID != "" && l.ParentUUID == s.Prompt {
			var t time.Time
			if s.Cmd.Time != "" {
				t, _ = time.Parse(time.RFC3339Nano, s.Cmd.Time)
				t = t.UTC()
			}
			c.emit(store.Prompt{Session: c.session, Key: s.Prompt, Time: t, Text: s.Cmd.Text,
				Context: joinTexts(texts), Cwd: s.Cmd.Cwd})
			s.Cmd = nil
		}
		return
	}
	var typed, context []string
	command := false
	for _, p := range texts {
		trimmed := strings.TrimSpace(p.text)
		switch {
		case strings.HasPrefix(trimmed, "<command-") && reCommandName.MatchString(trimmed):
			typed = append(typed, commandText(trimmed))
			command = true
		case strings.HasPrefix(trimmed, "<bash-input>"):
			if mm := reBashInput.FindStringSubmatch(trimmed); mm != nil {
				typed = append(typed, "!"+strings.TrimSpace(mm[1]))
			}
		case isOutput(trimmed):
			out := strings.TrimSpace(reANSI.ReplaceAllString(reOutputTag.ReplaceAllString(trimmed, ""), ""))
			if out != "" && out != "(no content)" {
				c.emit(store.Message{Session: c.session, Prompt: s.Prompt, Key: c.key(p.i), Time: c.t, Kind: store.MessageSystem, Text: out})
			}
		case strings.HasPrefix(trimmed, "[Request interrupted by user"):
			c.emit(store.Message{Session: c.session, Prompt: s.Prompt, Key: c.key(p.i), Time: c.t, Kind: store.MessageSystem, Text: trimmed})
		case strings.HasPrefix(trimmed, "<local-command-caveat>"):
		default:
			t, ctx := splitInjected(p.text)
			context = append(context, ctx...)
			if t != "" {
				typed = append(typed, t)
			}
		}
	}
	if len(typed) == 0 {
		return
	}
	p := store.Prompt{
		Session: c.session,
		Key:     c.key(-1),
		Time:    c.t,
		Text:    strings.Join(typed, "\n\n"),
		Context: strings.Join(context, "\n\n"),
		Cwd:     c.cwd,
	}
	// Its model is the one that answers it: the first assistant line after
	// it completes it (see assistant).
	s.Prompt, s.Unanswered = p.Key, true
	s.Cmd = nil
	if command && len(typed) == 1 && p.Context == "" {
		s.Cmd = &cmdPrompt{Text: p.Text, Cwd: p.Cwd}
		if !p.Time.IsZero() {
			s.Cmd.Time = p.Time.Format(time.RFC3339Nano)
		}
	}
	c.emit(p)
}

// isOutput reports whether a user text is the output of a local slash
// command or of a "!" shell command, which Claude Code logs as user lines.
func isOutput(s string) bool {
	for _, t := range []string{"<local-command-stdout>", "<local-command-stderr>", "<bash-stdout>", "<bash-stderr>"} {
		if strings.HasPrefix(s, t) {
			return true
		}
	}
	return false
}

func joinTexts(ps []textPiece) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.text
	}
	return strings.Join(parts, "\n\n")
}

// commandText renders a slash command as the user typed it: "/name args".
func commandText(s string) string {
	name := ""
	if m := reCommandName.FindStringSubmatch(s); m != nil {
		name = m[1]
	}
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	if m := reCommandArgs.FindStringSubmatch(s); m != nil {
		if args := strings.TrimSpace(m[1]); args != "" {
			name += " " + args
		}
	}
	return name
}

// splitInjected separates what the user typed from the blocks injected
// into it (system reminders, IDE selections…). A text that opens an
// injected block it never closes is context as a whole.
func splitInjected(s string) (typed string, context []string) {
	blocks := reInjected.FindAllString(s, -1)
	if len(blocks) > 0 {
		context = append(context, blocks...)
		s = reInjected.ReplaceAllString(s, "")
	}
	trimmed := strings.TrimSpace(s)
	for _, t := range injectedTags {
		if strings.HasPrefix(trimmed, "<"+t+">") {
			return "", append(context, trimmed)
		}
	}
	if trimmed == "" {
		return "", context
	}
	if len(blocks) > 0 {
		return trimmed, context
	}
	return s, context
}

// toolResult joins a tool_result block to its call: a ToolResult, and for
// the edit tools the FileEdit as applied (from toolUseResult, when the line
// holds this one result) or as failed. A result whose call this file did
// not show in the same session (a copy at the head of a resumed session)
// is dropped.
func (d *Decoder) toolResult(c *lineCtx, b rawBlock, single bool) {
	if b.ToolUseID == "" {
		return
	}
	pc, ok := d.st.takePending(c.session, b.ToolUseID)
	if !ok {
		return
	}
	isErr, _ := boolean(b.IsError)
	status := "ok"
	if isErr {
		status = "error"
	}
	c.emit(store.ToolResult{Session: c.session, CallID: pc.ID, Time: c.t, Output: resultText(b.Content), Status: status})
	if pc.Path == "" {
		return
	}
	if isErr {
		// Nothing was applied: the edit changed no line.
		c.emit(store.FileEdit{Session: c.session, Prompt: pc.Prompt, CallID: pc.ID, Time: c.t, Path: pc.Path,
			Op: store.OpUpdate, Source: "tool_result", Status: store.EditFailed})
		return
	}
	if single && lenient.Kind(c.l.ToolUseResult) == '{' {
		if fe, ok := resultEdit(pc, c.l.ToolUseResult); ok {
			fe.Session, fe.Time = c.session, c.t
			c.emit(fe)
		}
	}
}
