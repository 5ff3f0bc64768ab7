package report

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// NoteRecord is one aitrail note read back from its text: its Agent Trace
// record, and what the Markdown around the record shows that the record
// does not (the agents' labels and the prompts' texts). Release notes are
// built from these, so that a clone that fetched the notes but has no
// database can still write them.
type NoteRecord struct {
	Trace Trace
	// Agents are the labels of the note's Agents line, such as
	// "Codex CLI 0.77.0 (gpt-5.1-codex)".
	Agents []string
	// Prompts are the record's linked prompts, in its order, with what the
	// note's Prompts list shows of each (nothing under the prompt policy
	// "none", or when the list cannot be matched to the record).
	Prompts []NotePrompt
}

// NotePrompt is a prompt linked to a commit as its note shows it.
type NotePrompt struct {
	MetaPrompt
	Seq  int       // the prompt's number in its session; 0 when not shown
	Time time.Time // when it was sent (to the minute); zero when not shown
	// Text is the prompt as the note shows it: redacted when the note was
	// written and cut per the note's prompt policy; "" when not shown.
	Text string
}

// Meta returns the record's aitrail metadata.
func (r NoteRecord) Meta() Meta { return r.Trace.Metadata["dev.aitrail"] }

// ReadNotes reads every aitrail note in text (several when git
// concatenated notes), skipping anything else and notes without a record
// (the configured text of commits without AI involvement).
func ReadNotes(text string) []NoteRecord {
	var out []NoteRecord
	for _, section := range noteSections(text) {
		trace, ok := sectionTrace(section)
		if !ok {
			continue
		}
		r := NoteRecord{Trace: trace, Agents: noteAgents(section)}
		shown := notePromptList(section)
		meta := r.Meta()
		for i, mp := range meta.Prompts {
			p := NotePrompt{MetaPrompt: mp}
			if len(shown) == len(meta.Prompts) {
				p.Seq, p.Time, p.Text = shown[i].Seq, shown[i].Time, shown[i].Text
			}
			r.Prompts = append(r.Prompts, p)
		}
		out = append(out, r)
	}
	return out
}

// noteSections cuts text into its aitrail notes, each from its begin
// marker to its end marker (or the end of the text).
func noteSections(text string) []string {
	var out []string
	for {
		i := strings.Index(text, noteBegin)
		if i < 0 {
			return out
		}
		text = text[i:]
		end := strings.Index(text, noteEnd)
		if end < 0 {
			return append(out, text)
		}
		out = append(out, text[:end+len(noteEnd)])
		text = text[end+len(noteEnd):]
	}
}

// noteAgents reads the labels of a note's Agents line.
func noteAgents(section string) []string {
	for _, l := range strings.Split(section, "\n") {
		if rest, ok := strings.CutPrefix(l, "- **Agents:** "); ok {
			return strings.Split(rest, "; ")
		}
	}
	return nil
}

// noteItemHeader matches the first line of an item of a note's Prompts
// list: "1. Codex CLI session `0199e0a1-5c3e`, prompt 1, 2026-01-02 09:00 UTC".
var noteItemHeader = regexp.MustCompile("^\\d+\\. .* session `[^`]*`(?:, prompt (\\d+))?(?:, (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d) UTC)?$")

// notePromptList reads the items of a note's Prompts list, in order.
func notePromptList(section string) []NotePrompt {
	_, list, ok := strings.Cut(section, "\n### Prompts\n\n")
	if !ok {
		return nil
	}
	list, _, _ = strings.Cut(list, "\n### Files")
	var items []NotePrompt
	var text []string
	flush := func() {
		if len(items) > 0 {
			items[len(items)-1].Text = strings.Join(text, "\n")
		}
		text = nil
	}
	for _, l := range strings.Split(list, "\n") {
		if m := noteItemHeader.FindStringSubmatch(l); m != nil {
			flush()
			var p NotePrompt
			p.Seq, _ = strconv.Atoi(m[1])
			p.Time, _ = time.Parse("2006-01-02 15:04", m[2])
			items = append(items, p)
			continue
		}
		if t, ok := strings.CutPrefix(l, "   >"); ok && len(items) > 0 {
			text = append(text, strings.TrimPrefix(t, " "))
		}
	}
	flush()
	return items
}
