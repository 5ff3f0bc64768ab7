package dectest

import (
	"fmt"
	"iter"
	"reflect"
	"strings"

	"github.com/aitrail/aitrail/store"
)

// Key names a prompt or a message (by its key) or a tool call or result
// (by its call id) within a session.
type Key struct{ Session, ID string }

// EditKey names a file edit as the store does.
type EditKey struct{ Session, Call, Path string }

// LinkKey names a link as the store does.
type LinkKey struct{ Session, Kind, URL string }

// Keyed holds the records of one kind by key: for each key the record the
// store keeps, in the order the keys first came (the order of the store's
// row ids, and of a session's prompt numbers).
type Keyed[K comparable, V any] struct {
	keys  []K
	vals  []V
	index map[K]int
}

// put stores the record of key, merged with the one kept when there is one.
func (k *Keyed[K, V]) put(key K, v V, merge func(old, v V) V) {
	if i, ok := k.index[key]; ok {
		k.vals[i] = merge(k.vals[i], v)
		return
	}
	if k.index == nil {
		k.index = map[K]int{}
	}
	k.index[key] = len(k.keys)
	k.keys = append(k.keys, key)
	k.vals = append(k.vals, v)
}

// Len returns the number of keys.
func (k *Keyed[K, V]) Len() int { return len(k.keys) }

// Lookup returns the record of key, and whether there is one.
func (k *Keyed[K, V]) Lookup(key K) (V, bool) {
	i, ok := k.index[key]
	if !ok {
		var zero V
		return zero, false
	}
	return k.vals[i], true
}

// Get returns the record of key, the zero value when there is none.
func (k *Keyed[K, V]) Get(key K) V {
	v, _ := k.Lookup(key)
	return v
}

// Keys returns the keys in order.
func (k *Keyed[K, V]) Keys() []K { return k.keys }

// Values returns the records in order.
func (k *Keyed[K, V]) Values() []V { return k.vals }

// All yields the keys and their records in order.
func (k *Keyed[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for i, key := range k.keys {
			if !yield(key, k.vals[i]) {
				return
			}
		}
	}
}

// Map returns the records by key, without their order.
func (k *Keyed[K, V]) Map() map[K]V {
	out := make(map[K]V, len(k.keys))
	for i, key := range k.keys {
		out[key] = k.vals[i]
	}
	return out
}

// View is what the store would hold after a list of records, merged the
// way store.Batch.Add merges them:
//   - sessions with store.MergeSession (the store also widens a session's
//     span by the times of its records, which the view leaves out);
//   - prompts with store.MergePrompt; of a tool result, the last record;
//     of a message, the first
//     with the last one's text; of a tool call, the last, its prompt kept
//     when the last names none; of a file edit the same, its time kept too
//     when the last has none, and an empty status read as applied; of a
//     link, the first with the last one's title and prompt;
//   - usage entries one per de-duplication key (store.Usage.Replaces), all
//     those without a key, in the order they first came; Counted drops the
//     sidechain replays;
//   - unknown records counted by type, as the ingest summary counts them.
type View struct {
	Sessions map[string]store.Session
	Prompts  Keyed[Key, store.Prompt]
	Messages Keyed[Key, store.Message]
	Calls    Keyed[Key, store.ToolCall]
	Results  Keyed[Key, store.ToolResult]
	Edits    Keyed[EditKey, store.FileEdit]
	Links    Keyed[LinkKey, store.Link]
	Usage    []store.Usage
	Unknown  map[string]int
}

func last[V any](_, v V) V { return v }

// NewView returns the view of recs.
func NewView(recs []store.Record) *View {
	v := &View{Sessions: map[string]store.Session{}, Unknown: map[string]int{}}
	var usage []store.Usage
	for _, r := range recs {
		switch x := r.(type) {
		case store.Session:
			s := v.Sessions[x.ID]
			s.ID = x.ID
			store.MergeSession(&s, x)
			v.Sessions[x.ID] = s
		case store.Prompt:
			v.Prompts.put(Key{x.Session, x.Key}, x, func(old, p store.Prompt) store.Prompt {
				store.MergePrompt(&old, p)
				return old
			})
		case store.Message:
			v.Messages.put(Key{x.Session, x.Key}, x, func(old, m store.Message) store.Message {
				old.Text = m.Text
				return old
			})
		case store.ToolCall:
			v.Calls.put(Key{x.Session, x.CallID}, x, func(old, c store.ToolCall) store.ToolCall {
				if c.Prompt == "" {
					c.Prompt = old.Prompt
				}
				return c
			})
		case store.ToolResult:
			v.Results.put(Key{x.Session, x.CallID}, x, last)
		case store.FileEdit:
			if x.Status == "" {
				x.Status = store.EditApplied
			}
			v.Edits.put(EditKey{x.Session, x.CallID, x.Path}, x, func(old, e store.FileEdit) store.FileEdit {
				if e.Prompt == "" {
					e.Prompt = old.Prompt
				}
				if e.Time.IsZero() {
					e.Time = old.Time
				}
				return e
			})
		case store.Link:
			v.Links.put(LinkKey{x.Session, x.Kind, x.URL}, x, func(old, l store.Link) store.Link {
				old.Title = l.Title
				if l.Prompt != "" {
					old.Prompt = l.Prompt
				}
				return old
			})
		case store.Usage:
			usage = append(usage, x)
		case store.Unknown:
			v.Unknown[x.Type]++
		}
	}
	for _, i := range perKey(usage) {
		v.Usage = append(v.Usage, usage[i])
	}
	return v
}

// perKey returns the indexes of the entries of us the store keeps of each
// de-duplication key (store.Usage.Replaces) and of those without one, in
// the order the keys first came.
func perKey(us []store.Usage) []int {
	var kept []int
	at := map[string]int{} // key → its place in kept
	for i, u := range us {
		if u.Key == "" {
			kept = append(kept, i)
			continue
		}
		if j, ok := at[u.Key]; ok {
			if u.Replaces(us[kept[j]]) {
				kept[j] = i
			}
			continue
		}
		at[u.Key] = len(kept)
		kept = append(kept, i)
	}
	return kept
}

// CountedUsage returns the indexes of the entries of us that the store
// holds once all were added: one per de-duplication key (see View), and no
// sidechain entry of a Group that has a non-sidechain one (a replay of its
// parent's API call, which the store drops whichever comes first).
func CountedUsage(us []store.Usage) []int {
	kept := perKey(us)
	main := map[string]bool{}
	for _, i := range kept {
		if u := us[i]; u.Group != "" && !u.Sidechain {
			main[u.Group] = true
		}
	}
	out := kept[:0]
	for _, i := range kept {
		if u := us[i]; !u.Sidechain || !main[u.Group] {
			out = append(out, i)
		}
	}
	return out
}

// Counted returns the usage entries the store counts (see CountedUsage).
func (v *View) Counted() []store.Usage {
	var out []store.Usage
	for _, i := range CountedUsage(v.Usage) {
		out = append(out, v.Usage[i])
	}
	return out
}

// Tokens sums a session's counted usage by model (every session's with
// "").
func (v *View) Tokens(session string) map[string]store.Tokens {
	out := map[string]store.Tokens{}
	for _, u := range v.Counted() {
		if session != "" && u.Session != session {
			continue
		}
		t := out[u.Model]
		t.Add(tokens(u))
		out[u.Model] = t
	}
	return out
}

// Total sums the counted usage.
func (v *View) Total() store.Tokens {
	var t store.Tokens
	for _, u := range v.Counted() {
		t.Add(tokens(u))
	}
	return t
}

// tokens is one usage entry's tokens, in ccusage's terms.
func tokens(u store.Usage) store.Tokens {
	return store.Tokens{Input: u.Input, Output: u.Output, CacheWrite: u.CacheWrite, CacheRead: u.CacheRead,
		Reasoning: u.Reasoning, Total: u.Total(), CacheWrite1h: u.CacheWrite1h}
}

// PromptTexts returns the texts of a session's prompts in the order the
// store numbers them (that of their first record).
func (v *View) PromptTexts(session string) []string {
	var out []string
	for k, p := range v.Prompts.All() {
		if k.Session == session {
			out = append(out, p.Text)
		}
	}
	return out
}

// EditedFiles returns the paths of the edits not marked failed, with the
// lines they add and remove, summed.
func (v *View) EditedFiles() map[string][2]int {
	out := map[string][2]int{}
	for _, e := range v.Edits.Values() {
		if e.Status == store.EditFailed {
			continue
		}
		c := out[e.Path]
		out[e.Path] = [2]int{c[0] + e.Added, c[1] + e.Removed}
	}
	return out
}

// Lines returns the lines added and removed by the edits not marked
// failed.
func (v *View) Lines() (added, removed int) {
	for _, c := range v.EditedFiles() {
		added += c[0]
		removed += c[1]
	}
	return added, removed
}

// Diff describes how v differs from want ("" when they hold the same).
// Prompts must also come in the same order (the store numbers them so);
// the order of other records is the order of row ids, which means nothing.
func (v *View) Diff(want *View) string {
	var out []string
	check := func(name string, got, want any) {
		if !reflect.DeepEqual(got, want) {
			out = append(out, fmt.Sprintf("%s:\n got  %+v\n want %+v", name, got, want))
		}
	}
	check("sessions", v.Sessions, want.Sessions)
	check("prompts", v.Prompts.Map(), want.Prompts.Map())
	check("prompt order", v.Prompts.Keys(), want.Prompts.Keys())
	check("messages", v.Messages.Map(), want.Messages.Map())
	check("tool calls", v.Calls.Map(), want.Calls.Map())
	check("tool results", v.Results.Map(), want.Results.Map())
	check("edits", v.Edits.Map(), want.Edits.Map())
	check("links", v.Links.Map(), want.Links.Map())
	check("usage", v.Usage, want.Usage)
	check("unknown", v.Unknown, want.Unknown)
	return strings.Join(out, "\n")
}
