// Package recordtest gathers the records a decoder emits the way the store
// keeps them (one row per key, the last record winning, sessions merged),
// for the decoders' tests. It imports store only.
package recordtest

import (
	"bytes"
	"encoding/json"
	"os"
	"sort"

	"github.com/aitrail/aitrail/store"
)

// Decoder is what Decode needs of a decoder (an ingest.Decoder).
type Decoder interface {
	Line(no int, line []byte, emit func(store.Record)) error
}

// Decode decodes data as the pipeline does: as one line when whole, else
// line by line, and then, for a decoder that holds records back (a
// Flusher), flushed. It returns the records and the errors of the lines.
func Decode(d Decoder, data []byte, whole bool) ([]store.Record, []error) {
	var recs []store.Record
	var errs []error
	emit := func(r store.Record) { recs = append(recs, r) }
	lines := [][]byte{data}
	if !whole {
		lines = bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	}
	for i, l := range lines {
		if err := d.Line(i+1, l, emit); err != nil {
			errs = append(errs, err)
		}
	}
	if f, ok := d.(interface{ Flush(func(store.Record)) }); ok {
		f.Flush(emit)
	}
	return recs, errs
}

// Key is a record's key within its session: a prompt's or message's key, a
// tool call's id.
type Key struct{ Session, ID string }

// EditKey is a file edit's key.
type EditKey struct{ Session, Call, Path string }

// Set is what the store would hold after a list of records (sessions
// merged with the store's own rule, store.MergeSession).
type Set struct {
	Sessions map[string]store.Session
	Prompts  map[Key]store.Prompt
	Messages map[Key]store.Message
	Calls    map[Key]store.ToolCall
	Results  map[Key]store.ToolResult
	Edits    map[EditKey]store.FileEdit
	// Usage holds the usage entries, one per key (the last one; entries
	// without a key are all kept), in the order they came.
	Usage   []store.Usage
	Unknown []store.Unknown
	Order   []Key // prompts in the order they were first emitted
}

// Gather builds the Set of records.
func Gather(recs []store.Record) *Set {
	s := &Set{
		Sessions: map[string]store.Session{},
		Prompts:  map[Key]store.Prompt{},
		Messages: map[Key]store.Message{},
		Calls:    map[Key]store.ToolCall{},
		Results:  map[Key]store.ToolResult{},
		Edits:    map[EditKey]store.FileEdit{},
	}
	usage := map[string]int{}
	for _, r := range recs {
		switch x := r.(type) {
		case store.Session:
			m := s.Sessions[x.ID]
			m.ID = x.ID
			store.MergeSession(&m, x)
			s.Sessions[x.ID] = m
		case store.Prompt:
			k := Key{x.Session, x.Key}
			if _, ok := s.Prompts[k]; !ok {
				s.Order = append(s.Order, k)
			}
			s.Prompts[k] = x
		case store.Message:
			s.Messages[Key{x.Session, x.Key}] = x
		case store.ToolCall:
			s.Calls[Key{x.Session, x.CallID}] = x
		case store.ToolResult:
			s.Results[Key{x.Session, x.CallID}] = x
		case store.FileEdit:
			s.Edits[EditKey{x.Session, x.CallID, x.Path}] = x
		case store.Usage:
			if i, ok := usage[x.Key]; ok && x.Key != "" {
				s.Usage[i] = x
				continue
			}
			usage[x.Key] = len(s.Usage)
			s.Usage = append(s.Usage, x)
		case store.Unknown:
			s.Unknown = append(s.Unknown, x)
		}
	}
	return s
}

// PromptTexts returns the texts of a session's prompts in the order they
// were first emitted.
func (s *Set) PromptTexts(session string) []string {
	var out []string
	for _, k := range s.Order {
		if k.Session == session {
			out = append(out, s.Prompts[k].Text)
		}
	}
	return out
}

// EditedFiles returns the paths of the applied edits, sorted.
func (s *Set) EditedFiles() []string {
	set := map[string]bool{}
	for _, e := range s.Edits {
		if e.Status != store.EditFailed {
			set[e.Path] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Lines returns the lines added and removed by the applied edits.
func (s *Set) Lines() (added, removed int) {
	for _, e := range s.Edits {
		if e.Status != store.EditFailed {
			added += e.Added
			removed += e.Removed
		}
	}
	return added, removed
}

// Counted returns the usage entries the store counts: a sidechain entry
// whose Group also has a non-sidechain entry is a replay, and is not.
func (s *Set) Counted() []store.Usage {
	main := map[string]bool{}
	for _, u := range s.Usage {
		if !u.Sidechain && u.Group != "" {
			main[u.Group] = true
		}
	}
	var out []store.Usage
	for _, u := range s.Usage {
		if !u.Sidechain || !main[u.Group] {
			out = append(out, u)
		}
	}
	return out
}

// Tokens sums a session's counted usage by model (every session's with "").
func (s *Set) Tokens(session string) map[string]store.Usage {
	out := map[string]store.Usage{}
	for _, u := range s.Counted() {
		if session != "" && u.Session != session {
			continue
		}
		t := out[u.Model]
		t.Model = u.Model
		t.Input += u.Input
		t.CacheRead += u.CacheRead
		t.CacheWrite += u.CacheWrite
		t.Output += u.Output
		t.Reasoning += u.Reasoning
		out[u.Model] = t
	}
	return out
}

// Tokens are token counts as ccusage reports them.
type Tokens struct{ Input, Output, CacheWrite, CacheRead int64 }

// Ccusage reads ccusage's session report (`ccusage session --json`) at
// path and returns the tokens of agent's sessions by "<period>/<model>".
func Ccusage(path, agent string) (map[string]Tokens, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var report struct {
		Session []struct {
			Agent           string `json:"agent"`
			Period          string `json:"period"`
			ModelBreakdowns []struct {
				ModelName           string `json:"modelName"`
				InputTokens         int64  `json:"inputTokens"`
				OutputTokens        int64  `json:"outputTokens"`
				CacheCreationTokens int64  `json:"cacheCreationTokens"`
				CacheReadTokens     int64  `json:"cacheReadTokens"`
			} `json:"modelBreakdowns"`
		} `json:"session"`
	}
	if err := json.Unmarshal(data, &report); err != nil {
		return nil, err
	}
	out := map[string]Tokens{}
	for _, s := range report.Session {
		if s.Agent != agent {
			continue
		}
		for _, b := range s.ModelBreakdowns {
			out[s.Period+"/"+b.ModelName] = Tokens{b.InputTokens, b.OutputTokens, b.CacheCreationTokens, b.CacheReadTokens}
		}
	}
	return out, nil
}
