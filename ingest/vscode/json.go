package vscode

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/aitrail/aitrail/ingest/lenient"
)

// chatDoc is a chat session: the .json document, or what a .jsonl log
// builds.
type chatDoc struct {
	SessionID       string    `json:"sessionId"`
	CreationDate    int64     `json:"creationDate"`
	LastMessageDate int64     `json:"lastMessageDate"`
	CustomTitle     string    `json:"customTitle"`
	Requests        []request `json:"requests"`
}

// request is one turn: what the user asked and the response.
type request struct {
	RequestID string `json:"requestId"`
	Message   struct {
		Text string `json:"text"`
	} `json:"message"`
	VariableData struct {
		Variables []variable `json:"variables"`
	} `json:"variableData"`
	Response []json.RawMessage `json:"response"`
	Result   struct {
		Details      string `json:"details"`
		ErrorDetails *struct {
			Message string `json:"message"`
		} `json:"errorDetails"`
		Metadata struct {
			CacheKey              string          `json:"cacheKey"`
			RenderedGlobalContext json.RawMessage `json:"renderedGlobalContext"`
			ToolCallRounds        []round         `json:"toolCallRounds"`
			ToolCallResults       map[string]any  `json:"toolCallResults"`
		} `json:"metadata"`
	} `json:"result"`
	Agent struct {
		ExtensionVersion string `json:"extensionVersion"`
		ID               string `json:"id"`
	} `json:"agent"`
	Timestamp  int64  `json:"timestamp"`
	ModelID    string `json:"modelId"`
	IsCanceled bool   `json:"isCanceled"`
}

// round is one model call of a response and the tools it called.
type round struct {
	ToolCalls []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"toolCalls"`
}

// variable is something attached to a request (a file, a selection).
type variable struct {
	Kind  string          `json:"kind"`
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

// uri is VS Code's serialized URI.
type uri struct {
	FsPath   string `json:"fsPath"`
	Path     string `json:"path"`
	External string `json:"external"`
	Scheme   string `json:"scheme"`
}

// file returns the file a URI names: fsPath, else path (a remote window's
// path on its host).
func (u *uri) file() string {
	if u == nil {
		return ""
	}
	if u.FsPath != "" {
		return u.FsPath
	}
	return winPath(u.Path)
}

// part is one part of a response, the union of the kinds read here.
type part struct {
	Kind            string          `json:"kind"`
	Value           json.RawMessage `json:"value"`
	Content         json.RawMessage `json:"content"`
	InlineReference json.RawMessage `json:"inlineReference"`
	URI             *uri            `json:"uri"`
	BaseURI         *uri            `json:"baseUri"`
	IsEdit          bool            `json:"isEdit"`
	Edits           [][]textEdit    `json:"edits"`
	ToolID          string          `json:"toolId"`
	ToolCallID      string          `json:"toolCallId"`
	Invocation      json.RawMessage `json:"invocationMessage"`
	PastTense       json.RawMessage `json:"pastTenseMessage"`
	IsComplete      bool            `json:"isComplete"`
}

// textEdit is a Monaco edit: Text replaces Range.
type textEdit struct {
	Text  string `json:"text"`
	Range struct {
		StartLineNumber int `json:"startLineNumber"`
		StartColumn     int `json:"startColumn"`
		EndLineNumber   int `json:"endLineNumber"`
		EndColumn       int `json:"endColumn"`
	} `json:"range"`
}

// markdown returns the text of a string or a {value} markdown string.
func markdown(raw json.RawMessage) string {
	switch lenient.Kind(raw) {
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	case '{':
		var m struct {
			Value string `json:"value"`
		}
		_ = lenient.Unmarshal(raw, &m)
		return m.Value
	case '[':
		var list []json.RawMessage
		_ = json.Unmarshal(raw, &list)
		var out []string
		for _, x := range list {
			if s := markdown(x); s != "" {
				out = append(out, s)
			}
		}
		return strings.Join(out, "\n")
	}
	return ""
}

// texts gathers the text leaves of a tool result (the prompt-tsx tree
// Copilot Chat serializes: "text" and "value" strings).
func texts(v any, b *strings.Builder) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range []string{"text", "value"} {
			if s, ok := x[k].(string); ok {
				b.WriteString(s)
			}
		}
		for _, k := range []string{"value", "node", "children", "content"} {
			if c, ok := x[k]; ok {
				if _, isString := c.(string); !isString {
					texts(c, b)
				}
			}
		}
	case []any:
		for _, c := range x {
			texts(c, b)
		}
	}
}

// uriPath turns a workspace URI (file:///home/u/repo, or a remote one) into
// the path it names, percent-decoded; a path already redacted to ~/… is
// kept.
func uriPath(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		switch {
		case strings.HasPrefix(rest, "~"):
			s = rest
		case strings.HasPrefix(s, "file:"):
			s = rest // file:///path: no authority
		default:
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				s = rest[j:] // vscode-remote://ssh-remote+host/path
			} else {
				return ""
			}
		}
	}
	if p, err := url.PathUnescape(s); err == nil {
		s = p
	}
	return winPath(s)
}

// winPath turns a URI path of a Windows drive (/c:/Users/x) into a path.
func winPath(p string) string {
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		return p[1:]
	}
	return p
}
