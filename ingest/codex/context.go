package codex

import (
	"strings"
)

// injected lists the blocks Codex and its front ends put into the
// conversation as user messages although no user typed them: start marker
// and end marker (codex-rs contextual user fragments, and the legacy ones
// older rollouts hold). An empty end marker means the rest of the text.
var injected = [][2]string{
	{"# AGENTS.md instructions", "</INSTRUCTIONS>"},
	{"<user_instructions>", "</user_instructions>"},
	{"<environment_context>", "</environment_context>"},
	{"<turn_aborted>", "</turn_aborted>"},
	{"<user_shell_command>", "</user_shell_command>"},
	{"<skill>", "</skill>"},
	{"<subagent_notification>", "</subagent_notification>"},
	{"<agent_message_board_notification>", "</agent_message_board_notification>"},
	{"<codex_internal_context", "</codex_internal_context>"},
	{"<goal_context>", "</goal_context>"},
	{"<recommended_plugins>", "</recommended_plugins>"},
	{"<hook_prompt ", "</hook_prompt>"},
	{"<user_action>", "</user_action>"},
	{"<INSTRUCTIONS>", "</INSTRUCTIONS>"},
	{"Warning: The maximum number of unified exec processes you can keep open is", ""},
	{"Warning: apply_patch was requested via ", ""},
}

// The VS Code extension's preamble: `# Context from my IDE setup:` (open
// files, selection) and then the request under `## My request for Codex:`.
const (
	idePreamble = "# Context from my IDE setup:"
	ideRequest  = "## My request for Codex:"
)

// splitInjected separates the injected blocks at the start of a user text
// from what follows them, which is what the user typed.
func splitInjected(text string) (ctx []string, rest string) {
	t := text
	for {
		s := strings.TrimLeft(t, " \t\r\n")
		end, ok := injectedEnd(s)
		if !ok {
			break
		}
		if end == "" {
			ctx = append(ctx, strings.TrimSpace(s))
			return ctx, ""
		}
		i := strings.Index(strings.ToLower(s), strings.ToLower(end))
		if i < 0 {
			ctx = append(ctx, strings.TrimSpace(s))
			return ctx, ""
		}
		ctx = append(ctx, s[:i+len(end)])
		t = s[i+len(end):]
	}
	return ctx, strings.TrimSpace(t)
}

// injectedEnd returns the end marker of the injected block s starts with.
func injectedEnd(s string) (string, bool) {
	for _, m := range injected {
		if len(s) >= len(m[0]) && strings.EqualFold(s[:len(m[0])], m[0]) {
			return m[1], true
		}
	}
	return "", false
}

// splitIDE separates the VS Code preamble from the request it wraps. A
// preamble without a request is all context.
func splitIDE(text string) (ctx, rest string) {
	if i := strings.Index(text, ideRequest); i >= 0 {
		return strings.TrimSpace(text[:i]), strings.TrimSpace(text[i+len(ideRequest):])
	}
	if strings.HasPrefix(strings.TrimSpace(text), idePreamble) {
		return strings.TrimSpace(text), ""
	}
	return "", text
}

// userText is a user message split into what the user typed and the
// context around it.
type userText struct {
	Text    string
	Context []string
	Image   bool // the message holds an image
}

// splitUser splits the text parts of one user message.
func splitUser(parts []string, image bool) userText {
	u := userText{Image: image}
	var texts []string
	for _, p := range parts {
		ctx, rest := splitInjected(p)
		u.Context = append(u.Context, ctx...)
		ide, rest := splitIDE(rest)
		if ide != "" {
			u.Context = append(u.Context, ide)
		}
		if rest != "" {
			texts = append(texts, rest)
		}
	}
	u.Text = strings.Join(texts, "\n")
	return u
}

// prompt reports whether the message is a prompt: something the user typed
// or an image, not only injected context.
func (u userText) prompt() bool { return u.Text != "" || u.Image && len(u.Context) == 0 }
