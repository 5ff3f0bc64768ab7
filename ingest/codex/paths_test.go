package codex

import (
	"reflect"
	"testing"
)

func TestSplitUser(t *testing.T) {
	env := "<environment_context>\n  <cwd>/w</cwd>\n</environment_context>"
	tests := []struct {
		name   string
		parts  []string
		image  bool
		want   userText
		prompt bool
	}{
		{"plain", []string{"fix it"}, false, userText{Text: "fix it"}, true},
		{"environment only", []string{env}, false, userText{Context: []string{env}}, false},
		{
			"agents.md", []string{"# AGENTS.md instructions for /w\n\n<INSTRUCTIONS>\nbe nice\n</INSTRUCTIONS>"}, false,
			userText{Context: []string{"# AGENTS.md instructions for /w\n\n<INSTRUCTIONS>\nbe nice\n</INSTRUCTIONS>"}}, false,
		},
		{"turn aborted", []string{"<turn_aborted>\nx\n</turn_aborted>"}, false, userText{Context: []string{"<turn_aborted>\nx\n</turn_aborted>"}}, false},
		{"context then text in one part", []string{env + "\n\nnow this"}, false, userText{Text: "now this", Context: []string{env}}, true},
		{"context and text parts", []string{env, "do it"}, false, userText{Text: "do it", Context: []string{env}}, true},
		{
			"IDE preamble", []string{"# Context from my IDE setup:\n\n## Active file: a.ts\n\n## My request for Codex:\nfix a.ts\n"}, false,
			userText{Text: "fix a.ts", Context: []string{"# Context from my IDE setup:\n\n## Active file: a.ts"}}, true,
		},
		{"request header only", []string{"## My request for Codex:\nHelp me"}, false, userText{Text: "Help me"}, true},
		{"IDE preamble without a request", []string{"# Context from my IDE setup:\n\n## Active file: a.ts"}, false,
			userText{Context: []string{"# Context from my IDE setup:\n\n## Active file: a.ts"}}, false},
		{"image only", nil, true, userText{Image: true}, true},
		{"unclosed block", []string{"<user_instructions>\nno end"}, false, userText{Context: []string{"<user_instructions>\nno end"}}, false},
		{"legacy warning", []string{"Warning: apply_patch was requested via shell. Use the apply_patch tool instead."}, false,
			userText{Context: []string{"Warning: apply_patch was requested via shell. Use the apply_patch tool instead."}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitUser(tt.parts, tt.image)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitUser = %#v, want %#v", got, tt.want)
			}
			if got.prompt() != tt.prompt {
				t.Errorf("prompt() = %v, want %v", got.prompt(), tt.prompt)
			}
		})
	}
}

func TestOutputText(t *testing.T) {
	tests := []struct {
		name, raw, text, status string
	}{
		{"plain string", `"Plan updated"`, "Plan updated", ""},
		{"legacy JSON string ok", `"{\"output\":\"done\\n\",\"metadata\":{\"exit_code\":0,\"duration_seconds\":0.1}}"`, "done\n", "ok"},
		{"legacy JSON string failed", `"{\"output\":\"boom\",\"metadata\":{\"exit_code\":2}}"`, "boom", "error"},
		{"exit code header", `"Exit code: 1\nWall time: 0.2 seconds\nOutput:\nno such file"`, "Exit code: 1\nWall time: 0.2 seconds\nOutput:\nno such file", "error"},
		{"unified exec header", `"Process exited with code 0\nOutput:\nok"`, "Process exited with code 0\nOutput:\nok", "ok"},
		{"content array", `[{"type":"input_text","text":"a"},{"type":"input_image","image_url":"data:"},{"type":"input_text","text":"b"}]`, "a\n[image]\nb", ""},
		{"object text", `{"type":"input_text","text":"a.txt\n","detail":null}`, "a.txt\n", ""},
		{"object with success", `{"content":"nope","success":false}`, "nope", "error"},
		{"null", `null`, "", ""},
		{"number", `42`, "42", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, status := outputText([]byte(tt.raw))
			if text != tt.text || status != tt.status {
				t.Errorf("outputText = %q, %q; want %q, %q", text, status, tt.text, tt.status)
			}
		})
	}
}

func TestPatchStatus(t *testing.T) {
	tests := map[string]string{
		"Success. Updated the following files:\nM a\n":                  "ok",
		"Exit code: 0\nWall time: 0 seconds\nOutput:\nSuccess. Updated": "ok",
		"Done!":                       "ok",
		"patch rejected: empty patch": "error",
		"apply_patch verification failed: Failed to find expected lines": "error",
		"Failed to apply patch":          "error",
		"Exit code: 1\nOutput:\nSuccess": "error",
		"something else":                 "",
	}
	for in, want := range tests {
		if got := patchStatus(in); got != want {
			t.Errorf("patchStatus(%q) = %q, want %q", in, got, want)
		}
	}
}
