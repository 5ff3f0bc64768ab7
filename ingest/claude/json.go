package claude

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/aitrail/aitrail/ingest/lenient"
)

// rawLine is the union of the fields of every line type decoded here.
// Fields whose presence, nullness or type matters (ccusage's validity rules)
// or whose shape varies stay raw.
type rawLine struct {
	Type        string          `json:"type"`
	Subtype     string          `json:"subtype"`
	UUID        string          `json:"uuid"`
	ParentUUID  string          `json:"parentUuid"`
	SessionID   json.RawMessage `json:"sessionId"`
	Timestamp   json.RawMessage `json:"timestamp"`
	Cwd         json.RawMessage `json:"cwd"`
	GitBranch   string          `json:"gitBranch"`
	Version     json.RawMessage `json:"version"`
	Entrypoint  string          `json:"entrypoint"`
	IsSidechain json.RawMessage `json:"isSidechain"`
	AgentID     string          `json:"agentId"`

	IsMeta                    bool            `json:"isMeta"`
	IsCompactSummary          bool            `json:"isCompactSummary"`
	IsVisibleInTranscriptOnly bool            `json:"isVisibleInTranscriptOnly"`
	IsAPIErrorMessage         json.RawMessage `json:"isApiErrorMessage"`

	RequestID     json.RawMessage `json:"requestId"`
	CostUSD       json.RawMessage `json:"costUSD"`
	Message       json.RawMessage `json:"message"`
	ToolUseResult json.RawMessage `json:"toolUseResult"`

	// system lines
	Content               json.RawMessage `json:"content"`
	Error                 json.RawMessage `json:"error"`
	RetryAttempt          json.RawMessage `json:"retryAttempt"`
	MaxRetries            json.RawMessage `json:"maxRetries"`
	HookInfos             []hookInfo      `json:"hookInfos"`
	HookErrors            []any           `json:"hookErrors"`
	PreventedContinuation bool            `json:"preventedContinuation"`
	StopReason            string          `json:"stopReason"`
	CompactMetadata       compactMeta     `json:"compactMetadata"`
	MicrocompactMetadata  compactMeta     `json:"microcompactMetadata"`
	APIRefusalExplanation string          `json:"apiRefusalExplanation"`
	OriginalModel         string          `json:"originalModel"`
	FallbackModel         string          `json:"fallbackModel"`

	// summary, custom-title, ai-title, pr-link
	Summary      string          `json:"summary"`
	CustomTitle  string          `json:"customTitle"`
	AITitle      string          `json:"aiTitle"`
	PRNumber     json.RawMessage `json:"prNumber"`
	PRURL        string          `json:"prUrl"`
	PRRepository string          `json:"prRepository"`
}

type hookInfo struct {
	Command string `json:"command"`
}

type compactMeta struct {
	Trigger   string          `json:"trigger"`
	PreTokens json.RawMessage `json:"preTokens"`
}

// rawMessage is the API message of a user or assistant line.
type rawMessage struct {
	ID      json.RawMessage `json:"id"`
	Model   json.RawMessage `json:"model"`
	Content json.RawMessage `json:"content"`
	Usage   json.RawMessage `json:"usage"`
}

// rawBlock is one content block.
type rawBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	Thinking  string          `json:"thinking"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"`
	IsError   json.RawMessage `json:"is_error"`
}

// rawUsage is message.usage; every field stays raw for ccusage's checks.
type rawUsage struct {
	InputTokens              json.RawMessage `json:"input_tokens"`
	OutputTokens             json.RawMessage `json:"output_tokens"`
	CacheCreationInputTokens json.RawMessage `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     json.RawMessage `json:"cache_read_input_tokens"`
	Speed                    json.RawMessage `json:"speed"`
	CacheCreation            struct {
		Ephemeral1h json.RawMessage `json:"ephemeral_1h_input_tokens"`
	} `json:"cache_creation"`
}

func isNull(raw json.RawMessage) bool { return lenient.Kind(raw) == 'n' }

// str returns a JSON string value; ok is false when raw is absent or not a
// string.
func str(raw json.RawMessage) (s string, ok bool) {
	if lenient.Kind(raw) != '"' {
		return "", false
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// boolean returns a JSON true; ok is false when raw is present, not null
// and not a boolean.
func boolean(raw json.RawMessage) (v, ok bool) {
	switch string(bytes.TrimSpace(raw)) {
	case "true":
		return true, true
	case "false", "null", "":
		return false, true
	}
	return false, false
}

// uint64Of parses a JSON non-negative integer, as serde reads a u64.
func uint64Of(raw json.RawMessage) (uint64, bool) {
	n, err := strconv.ParseUint(string(bytes.TrimSpace(raw)), 10, 64)
	return n, err == nil
}

// numberText returns a JSON number or string as text.
func numberText(raw json.RawMessage) string {
	if s, ok := str(raw); ok {
		return s
	}
	if k := lenient.Kind(raw); k == '-' || k >= '0' && k <= '9' {
		return string(bytes.TrimSpace(raw))
	}
	return ""
}

// contentBlocks returns the content blocks of a message; a string content
// is one text block, and whole is then true.
func contentBlocks(raw json.RawMessage) (bs []rawBlock, whole bool) {
	if lenient.Kind(raw) == '"' {
		s, _ := str(raw)
		return []rawBlock{{Type: "text", Text: s}}, true
	}
	return blocks(raw), false
}

// blocks returns the blocks of a JSON array of content blocks.
func blocks(raw json.RawMessage) []rawBlock { return lenient.Objects[rawBlock](raw) }

// resultText flattens a tool_result's content: a string, or the text of
// its blocks (images noted as "[image]").
func resultText(raw json.RawMessage) string {
	switch lenient.Kind(raw) {
	case '"':
		s, _ := str(raw)
		return s
	case '[':
		var parts []string
		for _, b := range blocks(raw) {
			switch b.Type {
			case "text":
				parts = append(parts, b.Text)
			case "image":
				parts = append(parts, "[image]")
			}
		}
		return strings.Join(parts, "\n")
	}
	return ""
}
