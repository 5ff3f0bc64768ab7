package ingesttest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRewrite(t *testing.T) {
	tests := []struct {
		name, in, want string
		k              int
	}{
		{"uuid", `"sessionId":"01996135-afde-7911-97f0-d863511eca56"`, `"sessionId":"01996134-afde-7911-97f0-d863511eca56"`, 1},
		{"uuid in a file name", "rollout-2025-09-19T09-02-12-00000000-0000-0000-0000-000000000001.jsonl",
			"rollout-2025-09-19T09-02-12-0000002a-0000-0000-0000-000000000001.jsonl", 42},
		{"message and request ids", `"id":"msg_01Ke9F","requestId":"req_011CXQ"`, `"id":"msg_000301Ke9F","requestId":"req_0003011CXQ"`, 3},
		{"sub-agent ids", `agent-a2271d1.jsonl {"agentId":"a2271d1"}`, `agent-a2261d1.jsonl {"agentId":"a2261d1"}`, 1},
		{"tool call ids stay", `"call_id":"call_AbCdEf123456","id":"toolu_01Lv3x"`, `"call_id":"call_AbCdEf123456","id":"toolu_01Lv3x"`, 7},
		{"timestamps and numbers stay", `"timestamp":"2026-01-23T17:34:46.972Z","input_tokens":16341`, `"timestamp":"2026-01-23T17:34:46.972Z","input_tokens":16341`, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rewrite(tt.in, tt.k); got != tt.want {
				t.Errorf("Rewrite(%q, %d)\ngot  %q\nwant %q", tt.in, tt.k, got, tt.want)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	ts := []Template{
		{Agent: "codex", Rel: "2026/01/02/rollout-2026-01-02T10-00-00-0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f.jsonl",
			Data: []byte(`{"type":"session_meta","payload":{"id":"0199e0a1-5c3e-7d2a-9f10-6a1b2c3d4e5f"}}` + "\n")},
		{Agent: "claude", Rel: "-home-dev/5b7c9d2e-3f41-4a6b-8c9d-0e1f2a3b4c5d.jsonl",
			Data: []byte(`{"sessionId":"5b7c9d2e-3f41-4a6b-8c9d-0e1f2a3b4c5d","message":{"id":"msg_demo01"}}` + "\n")},
	}
	dst := t.TempDir()
	c, err := Write(dst, ts, 300)
	if err != nil {
		t.Fatal(err)
	}
	if c.Files != 4 || c.Bytes < 300 {
		t.Fatalf("wrote %d files, %d bytes; want 4 files, at least 300 bytes", c.Files, c.Bytes)
	}
	for _, p := range []string{
		"codex/sessions/2026/01/02/rollout-2026-01-02T10-00-00-0199e0a0-5c3e-7d2a-9f10-6a1b2c3d4e5f.jsonl",
		"codex/sessions/2026/01/01/rollout-2026-01-02T10-00-00-0199e0a3-5c3e-7d2a-9f10-6a1b2c3d4e5f.jsonl",
		"claude/projects/-home-dev-c1/5b7c9d2f-3f41-4a6b-8c9d-0e1f2a3b4c5d.jsonl",
		"claude/projects/-home-dev-c2/5b7c9d2c-3f41-4a6b-8c9d-0e1f2a3b4c5d.jsonl",
	} {
		data, err := os.ReadFile(filepath.Join(dst, p))
		if err != nil {
			t.Error(err)
			continue
		}
		if strings.Contains(string(data), "0199e0a1") || strings.Contains(string(data), "5b7c9d2e") || strings.Contains(string(data), "msg_demo01") {
			t.Errorf("%s keeps the template's ids: %s", p, data)
		}
	}
	if got := c.Sources(); got[0] != "codex:"+filepath.Join(dst, "codex") || got[1] != "claude:"+filepath.Join(dst, "claude") {
		t.Errorf("Sources() = %q", got)
	}
}
