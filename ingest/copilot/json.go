package copilot

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/aitrail/aitrail/ingest/lenient"
)

// event is the envelope of every line of events.jsonl.
type event struct {
	Type      string          `json:"type"`
	Data      json.RawMessage `json:"data"`
	ID        string          `json:"id"`
	Timestamp string          `json:"timestamp"`
}

// eventData is the union of the data fields decoded here.
type eventData struct {
	// session.start, session.resume
	SessionID      string   `json:"sessionId"`
	CopilotVersion string   `json:"copilotVersion"`
	StartTime      string   `json:"startTime"`
	SelectedModel  string   `json:"selectedModel"`
	Context        *context `json:"context"`
	// session.model_change, assistant.turn_start
	NewModel string `json:"newModel"`
	Model    string `json:"model"`
	// user.message, assistant.message, system.notification
	Content            json.RawMessage `json:"content"`
	TransformedContent string          `json:"transformedContent"`
	MessageID          string          `json:"messageId"`
	ReasoningText      string          `json:"reasoningText"`
	ToolRequests       []toolRequest   `json:"toolRequests"`
	OutputTokens       *int64          `json:"outputTokens"`
	// tool.execution_start, tool.execution_complete
	ToolCallID string          `json:"toolCallId"`
	ToolName   string          `json:"toolName"`
	Arguments  json.RawMessage `json:"arguments"`
	Success    *bool           `json:"success"`
	Result     *toolResult     `json:"result"`
	Error      json.RawMessage `json:"error"`
	// session.shutdown
	ModelMetrics map[string]struct {
		Usage *usage `json:"usage"`
	} `json:"modelMetrics"`
	TokenDetails map[string]struct {
		TokenCount int64 `json:"tokenCount"`
	} `json:"tokenDetails"`
	CurrentModel string `json:"currentModel"`
	// session.info, session.error, abort
	Message string `json:"message"`
	Reason  string `json:"reason"`
}

// toolResult is what a tool returned: for the file tools, DetailedContent
// is the diff applied.
type toolResult struct {
	Content         json.RawMessage `json:"content"`
	DetailedContent json.RawMessage `json:"detailedContent"`
}

// context is where a session started (or resumed).
type context struct {
	Cwd            string `json:"cwd"`
	GitRoot        string `json:"gitRoot"`
	Branch         string `json:"branch"`
	HeadCommit     string `json:"headCommit"`
	Repository     string `json:"repository"`
	RepositoryHost string `json:"repositoryHost"`
}

// toolRequest is a tool call an assistant message asks for.
type toolRequest struct {
	ToolCallID string          `json:"toolCallId"`
	Name       string          `json:"name"`
	Arguments  json.RawMessage `json:"arguments"`
}

// usage is one model's totals in session.shutdown: InputTokens includes
// CacheReadTokens.
type usage struct {
	InputTokens      int64 `json:"inputTokens"`
	OutputTokens     int64 `json:"outputTokens"`
	CacheReadTokens  int64 `json:"cacheReadTokens"`
	CacheWriteTokens int64 `json:"cacheWriteTokens"`
	ReasoningTokens  int64 `json:"reasoningTokens"`
}

// textOf returns a JSON value as text: a string as is, null or nothing as
// "", anything else as its JSON.
func textOf(raw json.RawMessage) string {
	switch lenient.Kind(raw) {
	case '"':
		return lenient.String(raw)
	case 0, 'n':
		return ""
	}
	return string(bytes.TrimSpace(raw))
}

// object returns arguments as a JSON object: Copilot writes them as an
// object, or (some tools, some versions) as a JSON string holding one.
func object(raw json.RawMessage) json.RawMessage {
	if lenient.Kind(raw) == '"' {
		if s := lenient.String(raw); lenient.Kind([]byte(s)) == '{' && json.Valid([]byte(s)) {
			return json.RawMessage(s)
		}
	}
	return raw
}

// parseTime parses an ISO-8601 timestamp; ok is false when it is not one.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
