package pricing

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// fixtures is the shared fixture tree: agents' session logs under sessions/
// and what ccusage 20.0.24 reported for them under expected/.
const fixtures = "../../shared/fixtures"

// ccusageReport is the part of `ccusage session --json` this test reads.
type ccusageReport struct {
	Session []struct {
		Agent           string `json:"agent"`
		Period          string `json:"period"`
		TotalCost       float64
		ModelBreakdowns []struct {
			ModelName           string  `json:"modelName"`
			InputTokens         int64   `json:"inputTokens"`
			OutputTokens        int64   `json:"outputTokens"`
			CacheCreationTokens int64   `json:"cacheCreationTokens"`
			CacheReadTokens     int64   `json:"cacheReadTokens"`
			Cost                float64 `json:"cost"`
		} `json:"modelBreakdowns"`
	} `json:"session"`
	Totals struct {
		TotalCost float64 `json:"totalCost"`
	} `json:"totals"`
}

// callStats is what a session's per-call logs tell beyond ccusage's
// per-model sums, keyed by agent/period/model.
type callStats struct {
	write1h   int64 // Claude: cache writes with a 1-hour TTL, folded into cacheCreationTokens by the report
	thoughts  int64 // Gemini: thinking tokens, priced as output by ccusage but left out of its outputTokens
	maxPrompt int64 // the largest prompt of one call: whether a long-context tier could apply
}

// TestMatchesCcusage prices every per-model breakdown of ccusage's session
// report with this table and requires ccusage's cost within 0.5%.
func TestMatchesCcusage(t *testing.T) {
	file := filepath.Join(fixtures, "expected", "ccusage-session.json")
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s absent: comparing with ccusage's costs needs the shared fixtures next to the repository", file)
	}
	if err != nil {
		t.Fatal(err)
	}
	var report ccusageReport
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	calls := map[string]*callStats{}
	readClaudeCalls(t, filepath.Join(fixtures, "sessions", "claude", "projects"), calls)
	readGeminiCalls(t, filepath.Join(fixtures, "sessions", "gemini", "tmp"), calls)

	breakdowns, total := 0, 0.0
	for _, s := range report.Session {
		for _, b := range s.ModelBreakdowns {
			breakdowns++
			t.Run(s.Agent+"/"+path.Base(s.Period)+"/"+b.ModelName, func(t *testing.T) {
				p, ok := Lookup(b.ModelName)
				if !ok {
					t.Fatalf("unknown model; ccusage priced it at $%.6f", b.Cost)
				}
				c := calls[s.Agent+"/"+s.Period+"/"+b.ModelName]
				if c == nil {
					c = &callStats{}
				}
				if p.Above200k != nil {
					if c.maxPrompt == 0 {
						t.Fatalf("%s has a long-context tier, and the per-call usage of this session was not read: cannot tell whether the tier applied", b.ModelName)
					}
					if c.maxPrompt > LongContextThreshold {
						t.Fatalf("a call's prompt of %d tokens is over the long-context threshold: compare call by call", c.maxPrompt)
					}
				}
				// The breakdown sums many calls. No call crossed the
				// long-context threshold (checked above), so the sum is
				// priced at the base tier, as each of its calls was.
				p.Above200k = nil
				u := Usage{
					Input:        b.InputTokens,
					CacheRead:    b.CacheReadTokens,
					CacheWrite:   b.CacheCreationTokens,
					CacheWrite1h: c.write1h,
					Output:       b.OutputTokens + c.thoughts,
				}
				got := p.Cost(u)
				total += got
				if !within(got, b.Cost, 0.005) {
					t.Errorf("cost of %+v = $%.6f; ccusage $%.6f (%+.2f%%)", u, got, b.Cost, 100*(got-b.Cost)/b.Cost)
				}
			})
		}
	}
	if breakdowns == 0 {
		t.Fatalf("%s: no model breakdowns", file)
	}
	if !within(total, report.Totals.TotalCost, 0.005) {
		t.Errorf("total = $%.6f; ccusage $%.6f", total, report.Totals.TotalCost)
	}
}

// within reports whether got is within frac of want.
func within(got, want, frac float64) bool {
	return math.Abs(got-want) <= frac*math.Abs(want)
}

// stats returns the entry for key, creating it.
func stats(calls map[string]*callStats, key string) *callStats {
	c := calls[key]
	if c == nil {
		c = &callStats{}
		calls[key] = c
	}
	return c
}

// readClaudeCalls reads Claude Code transcripts under projects. ccusage's
// session period is the transcript's name, and a sub-agent transcript
// (<session>/subagents/*.jsonl) belongs to its parent's session. A response
// logged more than once (same message id and request id) counts once, with
// its largest usage, as ccusage keeps it.
func readClaudeCalls(t *testing.T, projects string, calls map[string]*callStats) {
	t.Helper()
	type usage struct {
		Input         int64 `json:"input_tokens"`
		CacheWrite    int64 `json:"cache_creation_input_tokens"`
		CacheRead     int64 `json:"cache_read_input_tokens"`
		Output        int64 `json:"output_tokens"`
		CacheCreation *struct {
			OneHour int64 `json:"ephemeral_1h_input_tokens"`
		} `json:"cache_creation"`
	}
	type call struct {
		key string
		u   usage
	}
	var order []string
	byID := map[string]call{}
	err := filepath.WalkDir(projects, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".jsonl") {
			return err
		}
		rel, err := filepath.Rel(projects, p)
		if err != nil {
			return err
		}
		parts := strings.Split(filepath.ToSlash(rel), "/") // project/session.jsonl or project/session/subagents/x.jsonl
		if len(parts) < 2 {
			return nil
		}
		session := strings.TrimSuffix(parts[1], ".jsonl")
		return eachLine(p, func(line []byte) {
			var rec struct {
				RequestID string `json:"requestId"`
				Message   struct {
					ID    string `json:"id"`
					Model string `json:"model"`
					Usage *usage `json:"usage"`
				} `json:"message"`
			}
			if json.Unmarshal(line, &rec) != nil || rec.Message.Usage == nil || rec.Message.Model == "" {
				return
			}
			c := call{key: "claude/" + session + "/" + rec.Message.Model, u: *rec.Message.Usage}
			id := rec.Message.ID + "\x00" + rec.RequestID
			if rec.Message.ID == "" {
				id = p + "\x00" + string(line) // never deduplicated
			}
			prev, seen := byID[id]
			if !seen {
				order = append(order, id)
			}
			if !seen || sum(c.u.Input, c.u.CacheWrite, c.u.CacheRead, c.u.Output) > sum(prev.u.Input, prev.u.CacheWrite, prev.u.CacheRead, prev.u.Output) {
				byID[id] = c
			}
		})
	})
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatalf("read Claude transcripts: %v", err)
	}
	for _, id := range order {
		c := byID[id]
		s := stats(calls, c.key)
		if c.u.CacheCreation != nil {
			s.write1h += c.u.CacheCreation.OneHour
		}
		s.maxPrompt = max(s.maxPrompt, c.u.Input+c.u.CacheWrite+c.u.CacheRead)
	}
}

// readGeminiCalls reads Gemini CLI chats (tmp/*/chats/*.json and *.jsonl).
// ccusage's period is the chat's sessionId; a message id seen again replaces
// the earlier message (JSONL chats re-append messages).
func readGeminiCalls(t *testing.T, tmp string, calls map[string]*callStats) {
	t.Helper()
	type message struct {
		ID     string `json:"id"`
		Type   string `json:"type"`
		Model  string `json:"model"`
		Tokens *struct {
			Input    int64 `json:"input"`
			Thoughts int64 `json:"thoughts"`
			Tool     int64 `json:"tool"`
		} `json:"tokens"`
	}
	files, err := filepath.Glob(filepath.Join(tmp, "*", "chats", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		var session string
		var messages []message
		switch filepath.Ext(file) {
		case ".json":
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var chat struct {
				SessionID string    `json:"sessionId"`
				Messages  []message `json:"messages"`
			}
			if err := json.Unmarshal(data, &chat); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			session, messages = chat.SessionID, chat.Messages
		case ".jsonl":
			err := eachLine(file, func(line []byte) {
				var rec struct {
					SessionID string `json:"sessionId"`
					message
				}
				if json.Unmarshal(line, &rec) != nil {
					return
				}
				if session == "" {
					session = rec.SessionID
				}
				messages = append(messages, rec.message)
			})
			if err != nil {
				t.Fatal(err)
			}
		default:
			continue
		}
		last := map[string]int{} // message id → index of its last copy
		for i, m := range messages {
			if m.ID != "" {
				last[m.ID] = i
			}
		}
		for i, m := range messages {
			if m.Type != "gemini" || m.Tokens == nil || (m.ID != "" && last[m.ID] != i) {
				continue
			}
			s := stats(calls, "gemini/"+session+"/"+m.Model)
			s.thoughts += m.Tokens.Thoughts
			s.maxPrompt = max(s.maxPrompt, m.Tokens.Input+m.Tokens.Tool)
		}
	}
}

// eachLine calls f with each non-empty line of the file at p.
func eachLine(p string, f func([]byte)) error {
	file, err := os.Open(p)
	if err != nil {
		return err
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			f(line)
		}
	}
	return sc.Err()
}

func sum(xs ...int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}
