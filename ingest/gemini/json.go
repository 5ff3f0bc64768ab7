package gemini

import (
	"encoding/json"
	"strings"

	"github.com/aitrail/aitrail/ingest/lenient"
)

// rawConv is a conversation record: the whole legacy JSON document, or the
// metadata of a JSONL chat (its first line and the $set lines after it).
type rawConv struct {
	SessionID   string            `json:"sessionId"`
	ProjectHash string            `json:"projectHash"`
	StartTime   string            `json:"startTime"`
	LastUpdated string            `json:"lastUpdated"`
	Summary     string            `json:"summary"`
	Kind        string            `json:"kind"`
	Messages    []json.RawMessage `json:"messages"`
}

// rawMessage is one message of a conversation.
type rawMessage struct {
	ID             string          `json:"id"`
	Timestamp      string          `json:"timestamp"`
	Type           string          `json:"type"`
	Content        json.RawMessage `json:"content"`
	DisplayContent json.RawMessage `json:"displayContent"`
	ToolCalls      []rawToolCall   `json:"toolCalls"`
	Thoughts       []rawThought    `json:"thoughts"`
	Tokens         *rawTokens      `json:"tokens"`
	Model          string          `json:"model"`
}

type rawThought struct {
	Subject     string `json:"subject"`
	Description string `json:"description"`
}

// rawTokens is a gemini message's usage: Input includes Cached; Thoughts
// and Tool are apart from Input and Output.
type rawTokens struct {
	Input    int64 `json:"input"`
	Output   int64 `json:"output"`
	Cached   int64 `json:"cached"`
	Thoughts int64 `json:"thoughts"`
	Tool     int64 `json:"tool"`
}

// rawToolCall is one tool call of a gemini message, with its result.
type rawToolCall struct {
	ID            string          `json:"id"`
	Name          string          `json:"name"`
	Args          json.RawMessage `json:"args"`
	Result        json.RawMessage `json:"result"`
	Status        string          `json:"status"`
	Timestamp     string          `json:"timestamp"`
	ResultDisplay json.RawMessage `json:"resultDisplay"`
}

// fileDisplay is the resultDisplay of a tool that changed a file.
type fileDisplay struct {
	FileDiff        string  `json:"fileDiff"`
	FilePath        string  `json:"filePath"`
	OriginalContent *string `json:"originalContent"`
	NewContent      *string `json:"newContent"`
	IsNewFile       bool    `json:"isNewFile"`
}

// editArgs are the arguments of the file-changing tools.
type editArgs struct {
	FilePath     string `json:"file_path"`
	AbsolutePath string `json:"absolute_path"`
	Path         string `json:"path"`
	Content      string `json:"content"`
	OldString    string `json:"old_string"`
	NewString    string `json:"new_string"`
}

// part is one part of a content list.
type part struct {
	Text             *string `json:"text"`
	FunctionResponse *struct {
		Response struct {
			Output json.RawMessage `json:"output"`
			Error  json.RawMessage `json:"error"`
		} `json:"response"`
	} `json:"functionResponse"`
}

// parts returns the parts of a content value: a string is one text part.
func parts(raw json.RawMessage) []part {
	switch lenient.Kind(raw) {
	case '"':
		s := lenient.String(raw)
		return []part{{Text: &s}}
	case '[':
		return lenient.Objects[part](raw)
	case '{':
		var x part
		_ = lenient.Unmarshal(raw, &x)
		return []part{x}
	}
	return nil
}

// text joins the text parts of a content value; ok reports whether it had
// any text part at all.
func text(raw json.RawMessage) (s string, ok bool) {
	var ts []string
	for _, p := range parts(raw) {
		if p.Text != nil {
			ts = append(ts, *p.Text)
		}
	}
	return strings.Join(ts, "\n"), len(ts) > 0
}

// resultText is what a tool returned: the output (or error) of its
// function responses, else its display string.
func resultText(tc *rawToolCall) string {
	var out []string
	for _, p := range parts(tc.Result) {
		if p.FunctionResponse == nil {
			continue
		}
		r := p.FunctionResponse.Response
		for _, v := range []json.RawMessage{r.Output, r.Error} {
			switch lenient.Kind(v) {
			case '"':
				out = append(out, lenient.String(v))
			case 0, 'n':
			default:
				out = append(out, string(v))
			}
		}
	}
	if len(out) == 0 {
		return lenient.String(tc.ResultDisplay)
	}
	return strings.Join(out, "\n")
}
