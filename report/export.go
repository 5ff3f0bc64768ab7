package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aitrail/aitrail/store"
)

// Export formats.
var ExportFormats = []string{"md", "csv", "json", "jsonl", "html"}

// ExportSchema names the version of the JSON and JSONL export schema
// (docs/reports.md).
const ExportSchema = "aitrail.export/v1"

// ExportMeta is what an export says about itself.
type ExportMeta struct {
	Generated time.Time
	Version   string   // aitrail's
	Filters   []Filter // as given on the command line, in order
	// Stored counts, per rule, the placeholders of the exported text as it
	// was stored (what was redacted at ingest); AtExport the findings
	// redacted while exporting (rules added since the rows were stored).
	Stored, AtExport map[string]int
}

// Filter is one filter of an export, for the record.
type Filter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// RedactionCount is one rule's line of an export's redaction summary.
type RedactionCount struct {
	Rule     string `json:"rule"`
	Stored   int    `json:"stored"`   // redacted before the rows were stored
	AtExport int    `json:"atExport"` // redacted while exporting
}

// RedactionSummary lists per rule the findings redacted in the exported
// records, by rule.
func RedactionSummary(m ExportMeta) []RedactionCount {
	byRule := map[string]*RedactionCount{}
	get := func(r string) *RedactionCount {
		if byRule[r] == nil {
			byRule[r] = &RedactionCount{Rule: r}
		}
		return byRule[r]
	}
	for r, n := range m.Stored {
		get(r).Stored += n
	}
	for r, n := range m.AtExport {
		get(r).AtExport += n
	}
	out := []RedactionCount{}
	for _, c := range byRule {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rule < out[j].Rule })
	return out
}

// exportTotals sums an export.
type exportTotals struct {
	Sessions int          `json:"sessions"`
	Prompts  int          `json:"prompts"`
	Tokens   store.Tokens `json:"tokens"`
	Cost     float64      `json:"costUSD"`
}

func totals(x *store.Export) exportTotals {
	var t exportTotals
	t.Sessions = len(x.Sessions)
	for _, s := range x.Sessions {
		for _, p := range turns(s) {
			if !p.Preamble {
				t.Prompts++
			}
			t.Tokens.Add(p.tokens())
			t.Cost += p.Cost
		}
	}
	return t
}

// turn is what an export shows for one prompt of a session, or for the
// session's preamble: what the agent did before the first prompt.
type turn struct {
	*store.ExportPrompt
	Preamble bool
}

// turns lists what every export format shows of a session, in order: the
// preamble when there is one, then the prompts. Each format renders a
// session through it, so that the rows of every format add up to the
// session's usage, as stats counts it.
func turns(s store.ExportSession) []turn {
	out := make([]turn, 0, len(s.Prompts)+1)
	if s.Preamble != nil {
		out = append(out, turn{s.Preamble, true})
	}
	for i := range s.Prompts {
		out = append(out, turn{&s.Prompts[i], false})
	}
	return out
}

// tokens sums the turn's usage over its models.
func (p turn) tokens() store.Tokens {
	var t store.Tokens
	for _, u := range p.Usage {
		t.Add(u.Tokens)
	}
	return t
}

// WriteExport renders x in format (one of ExportFormats).
func WriteExport(w io.Writer, format string, x *store.Export, m ExportMeta) error {
	switch format {
	case "json":
		return writeExportJSON(w, x, m)
	case "jsonl":
		return writeExportJSONL(w, x, m)
	case "csv":
		return writeExportCSV(w, x, m)
	case "md":
		return writeExportMarkdown(w, x, m)
	case "html":
		return WriteHTML(w, x, m)
	}
	return fmt.Errorf("unknown export format %q (want %s)", format, strings.Join(ExportFormats, ", "))
}

func encoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// marshal is json.Marshal with <, > and & as they are, as the encoders
// write them.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encoder(&b).Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func filtersOf(m ExportMeta) []Filter {
	if m.Filters == nil {
		return []Filter{}
	}
	return m.Filters
}

func writeExportJSON(w io.Writer, x *store.Export, m ExportMeta) error {
	enc := encoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Schema     string                `json:"schema"`
		Generated  time.Time             `json:"generatedAt"`
		Version    string                `json:"aitrailVersion"`
		Filters    []Filter              `json:"filters"`
		Totals     exportTotals          `json:"totals"`
		Sessions   []store.ExportSession `json:"sessions"`
		Commits    []store.ExportCommit  `json:"commits"`
		Redactions []RedactionCount      `json:"redactions"`
	}{ExportSchema, m.Generated.UTC(), m.Version, filtersOf(m), totals(x), x.Sessions, x.Commits, RedactionSummary(m)})
}

// writeExportJSONL writes one record per line, each with its "type" and
// the keys that join it to its session and prompt.
func writeExportJSONL(w io.Writer, x *store.Export, m ExportMeta) error {
	enc := encoder(w)
	type ref struct {
		Type    string `json:"type"`
		Agent   string `json:"agent"`
		Session string `json:"session"`
		Prompt  string `json:"prompt,omitempty"`
	}
	line := func(r ref, v any) error {
		b, err := marshal(v)
		if err != nil {
			return err
		}
		head, err := marshal(r)
		if err != nil {
			return err
		}
		// The record's own fields follow the type and keys.
		body := strings.TrimPrefix(string(b), "{")
		if body != "}" {
			body = "," + body
		}
		_, err = fmt.Fprintf(w, "%s%s\n", strings.TrimSuffix(string(head), "}"), body)
		return err
	}
	if err := enc.Encode(struct {
		Type      string    `json:"type"`
		Schema    string    `json:"schema"`
		Generated time.Time `json:"generatedAt"`
		Version   string    `json:"aitrailVersion"`
		Filters   []Filter  `json:"filters"`
	}{"export", ExportSchema, m.Generated.UTC(), m.Version, filtersOf(m)}); err != nil {
		return err
	}
	for _, s := range x.Sessions {
		// A session's own fields name it (agent, sessionId).
		if err := enc.Encode(struct {
			Type string `json:"type"`
			store.SessionInfo
			Links []store.LinkInfo `json:"links,omitempty"`
			Cost  float64          `json:"costUSD"`
		}{"session", s.SessionInfo, s.Links, s.Cost}); err != nil {
			return err
		}
		for _, p := range turns(s) {
			r := ref{Agent: s.Agent, Session: s.SessionID, Prompt: p.Key}
			// The prompt's own fields; its messages, tool calls, edits
			// and usage follow as records of their own. The preamble's
			// records have no prompt key.
			var err error
			if p.Preamble {
				r.Type = "preamble"
				err = line(r, struct {
					Time   time.Time    `json:"time"`
					Tokens store.Tokens `json:"tokens"`
					Cost   float64      `json:"costUSD"`
				}{p.Time, p.Tokens, p.Cost})
			} else {
				r.Type = "prompt"
				err = line(r, struct {
					store.PromptDetail
					// Shallower fields of the same JSON names hide the
					// embedded ones; zero, they are left out.
					Key       struct{} `json:"key,omitzero"`
					Messages  struct{} `json:"messages,omitzero"`
					ToolCalls struct{} `json:"toolCalls,omitzero"`
					Edits     struct{} `json:"fileEdits,omitzero"`
					Cost      float64  `json:"costUSD"`
					Commits   []string `json:"commits"`
				}{PromptDetail: p.PromptDetail, Cost: p.Cost, Commits: p.Commits})
			}
			if err != nil {
				return err
			}
			for _, msg := range p.Messages {
				r.Type = "message"
				if err := line(r, msg); err != nil {
					return err
				}
			}
			for _, c := range p.ToolCalls {
				r.Type = "tool_call"
				if err := line(r, c); err != nil {
					return err
				}
			}
			for _, e := range p.Edits {
				r.Type = "file_edit"
				if err := line(r, e); err != nil {
					return err
				}
			}
			for _, u := range p.Usage {
				r.Type = "usage"
				if err := line(r, usageView(u)); err != nil {
					return err
				}
			}
		}
	}
	for _, c := range x.Commits {
		if err := enc.Encode(struct {
			Type string `json:"type"`
			store.ExportCommit
		}{"commit", c}); err != nil {
			return err
		}
	}
	return enc.Encode(struct {
		Type  string           `json:"type"`
		Rules []RedactionCount `json:"rules"`
	}{"redactions", RedactionSummary(m)})
}

// usageJSON is one model's usage with its cost, as exports show it.
type usageJSON struct {
	Model string `json:"model"`
	store.Tokens
	Cost   float64 `json:"costUSD"`
	Priced bool    `json:"priced"`
}

func usageView(u store.ModelTokens) usageJSON {
	return usageJSON{u.Model, u.Tokens, u.Cost, u.Priced}
}

// CSVColumns are the export's CSV columns, in order (docs/reports.md).
var CSVColumns = []string{"record", "agent", "session", "session_title", "prompt_seq", "prompt_key", "time", "model", "cwd",
	"text", "files", "lines_added", "lines_removed", "tool_calls", "input_tokens", "output_tokens", "cache_write_tokens",
	"cache_read_tokens", "reasoning_tokens", "total_tokens", "cost_usd", "commits", "rule", "redacted_stored", "redacted_at_export",
	"member"}

// writeExportCSV writes a session's "preamble" row, when it has one, and
// one "prompt" row per prompt, then one "redaction" row per rule.
func writeExportCSV(w io.Writer, x *store.Export, m ExportMeta) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, s := range x.Sessions {
		for _, p := range turns(s) {
			var files []string
			added, removed := 0, 0
			for _, e := range p.Edits {
				name := e.RelPath
				if name == "" {
					name = e.Path
				}
				if !contains(files, name) {
					files = append(files, name)
				}
				added += e.Added
				removed += e.Removed
			}
			t := p.tokens()
			record, seq := "prompt", strconv.Itoa(p.Seq)
			if p.Preamble {
				record, seq = "preamble", ""
			}
			row := []string{record, s.Agent, s.SessionID, s.Title, seq, p.Key, csvTime(p.Time), p.Model, p.Cwd,
				p.Text, strings.Join(files, ";"), strconv.Itoa(added), strconv.Itoa(removed), strconv.Itoa(len(p.ToolCalls)),
				itoa(t.Input), itoa(t.Output), itoa(t.CacheWrite), itoa(t.CacheRead), itoa(t.Reasoning), itoa(t.Total),
				strconv.FormatFloat(p.Cost, 'f', 6, 64), strings.Join(p.Commits, ";"), "", "", "", s.Member}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	for _, r := range RedactionSummary(m) {
		row := make([]string, len(CSVColumns))
		row[0] = "redaction"
		row[len(row)-4], row[len(row)-3], row[len(row)-2] = r.Rule, strconv.Itoa(r.Stored), strconv.Itoa(r.AtExport)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
