package codex

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/aitrail/aitrail/store"
)

// Token accounting follows ccusage (adapter/codex/parser.rs, aggregate.rs)
// so that per-session totals equal what `ccusage session` reports:
//
//   - Each event_msg/token_count counts info.last_token_usage when present,
//     else total_token_usage minus the previous total (saturating).
//   - The previous total is updated whenever a total is present. A
//     token_count whose total equals the previous total is a repeat (Codex
//     re-sends snapshots) and counts nothing; info:null (a rate-limit
//     refresh) and all-zero deltas count nothing either.
//   - A line without a timestamp is ignored entirely, as ccusage does.
//   - Input is input_tokens minus cached_input_tokens (cached is clamped to
//     input); CacheRead the cached tokens; Output output_tokens, reasoning
//     included. cache_write_input_tokens stays inside Input and CacheWrite
//     is 0: Codex counts cache writes inside input_tokens, and ccusage
//     reports cacheCreationTokens 0 for Codex.
//   - The model is the token_count's own (payload or info model,
//     model_name, metadata.model), else the latest turn_context model, else
//     "gpt-5" as ccusage's fallback (until a turn_context names one).
//     ccusage prices codex-auto-review as a dated fallback model; the raw
//     name is kept here and pricing is left to its consumer.
//   - Usage.Key is the session id, the timestamp in ms, the model and the
//     counts: ccusage's de-duplication key, so the copies of one rollout in
//     sessions/ and archived_sessions/ count once.
//
// Sub-agent replay: a file whose first 16 KiB contain "thread_spawn" is a
// sub-agent's. When its first two token_count events with usage fall in the
// same second (first 19 characters of the timestamp), the leading
// token_count events of that second are the parent's history replayed:
// they count nothing but their totals become the baseline. Read line by
// line, the first such event cannot be judged until the second one, or a
// line of a later second, arrives; it waits in the state (Pending) until
// then. Edge: a sub-agent file that ends within the second of its only
// token_count never emits it (ccusage counts it), because a decoder is not
// told where a file ends.

// Token phases of a sub-agent file.
const (
	phaseStart   = iota // no token_count with usage yet
	phaseWaiting        // the first one waits in Pending
	phaseReplay         // skipping the replayed history
	phaseNormal         // counting
)

// usage is Codex's TokenUsage as ccusage reads it.
type usage struct {
	In     int64 `json:"in"`
	Cached int64 `json:"cached"`
	Out    int64 `json:"out"`
	Reason int64 `json:"reason"`
	Total  int64 `json:"total"`
}

// parseUsage reads a TokenUsage object with ccusage's field aliases.
func parseUsage(o obj) (usage, bool) {
	if o == nil {
		return usage{}, false
	}
	first := func(keys ...string) int64 {
		for _, k := range keys {
			if n, ok := o.uint(k); ok {
				return n
			}
		}
		return 0
	}
	u := usage{
		In:     first("input_tokens", "prompt_tokens", "input"),
		Cached: first("cached_input_tokens", "cache_read_input_tokens", "cached_tokens"),
		Out:    first("output_tokens", "completion_tokens", "output"),
		Reason: first("reasoning_output_tokens", "reasoning_tokens"),
	}
	u.Total = u.In + u.Out + u.Reason
	if t, ok := o.uint("total_tokens"); ok && (t > 0 || u.Total == 0) {
		u.Total = t
	}
	return u, true
}

func (u usage) minus(p *usage) usage {
	if p == nil {
		return u
	}
	sub := func(a, b int64) int64 { return max(a-b, 0) }
	return usage{sub(u.In, p.In), sub(u.Cached, p.Cached), sub(u.Out, p.Out), sub(u.Reason, p.Reason), sub(u.Total, p.Total)}
}

func (u usage) zero() bool { return u.In == 0 && u.Cached == 0 && u.Out == 0 && u.Reason == 0 }

// modelOf returns the model a payload names, as ccusage looks for it.
func modelOf(o obj) string {
	for _, m := range []string{o.str("model"), o.str("model_name"), o.obj("metadata").str("model")} {
		if m = strings.TrimSpace(m); m != "" {
			return m
		}
	}
	return ""
}

// second is the part of a timestamp ccusage compares for replays, or "!"
// when it is too short to compare.
func second(ts string) string {
	if len(ts) < 19 {
		return "!"
	}
	return ts[:19]
}

// subagentWindow is how much of a file ccusage searches for thread_spawn.
const subagentWindow = 16 << 10

// sniffSubagent marks the file as a sub-agent's when thread_spawn occurs in
// its first 16 KiB; off is the offset of line in the file, counted from the
// lines given (so blank lines the pipeline skips and CRs are not counted).
func (d *Decoder) sniffSubagent(off int64, line []byte) {
	if d.st.Tok.Subagent || off >= subagentWindow {
		return
	}
	end := min(int64(len(line)), subagentWindow-off)
	if bytes.Contains(line[:end], []byte("thread_spawn")) {
		d.st.Tok.Subagent = true
	}
}

// tokenClock settles a waiting first token_count once a line of a later
// second shows no replay can follow in its second.
func (d *Decoder) tokenClock() {
	t := &d.st.Tok
	if t.Phase != phaseWaiting || d.ln.ts == "" {
		return
	}
	if s := second(d.ln.ts); s != "!" && s > t.First {
		d.flushPending()
		t.Phase = phaseNormal
	}
}

func (d *Decoder) flushPending() {
	if p := d.st.Tok.Pending; p != nil {
		d.st.Tok.Pending = nil
		d.emit(*p)
	}
}

// tokenCount accounts one event_msg/token_count.
func (d *Decoder) tokenCount(p obj) {
	if d.ln.ts == "" {
		return
	}
	info := p.obj("info")
	if info != nil {
		d.activity()
	}
	t := &d.st.Tok
	_, hasLast := parseUsage(info.obj("last_token_usage"))
	total, hasTotal := parseUsage(info.obj("total_token_usage"))
	counted := hasLast || hasTotal
	sec := second(d.ln.ts)

	if t.Phase == phaseStart && !t.Subagent {
		t.Phase = phaseNormal
	}
	switch t.Phase {
	case phaseStart:
		if !counted {
			if t.Early == "" {
				t.Early = sec
			}
			return
		}
		if sec == "!" || t.Early != "" && t.Early != sec {
			// ccusage finds no replay second, or a token_count of another
			// second ended its replay before it began.
			t.Phase = phaseNormal
			break
		}
		t.First = sec
		t.Pending = d.usage(p, info)
		t.Phase = phaseWaiting
		return
	case phaseWaiting:
		if !counted {
			return
		}
		if sec == t.First {
			// The parent's history replayed: nothing of it counts.
			t.Pending = nil
			if hasTotal {
				t.Prev = &total
			}
			t.Phase = phaseReplay
			return
		}
		d.flushPending()
		t.Phase = phaseNormal
	case phaseReplay:
		if sec == t.First {
			if hasTotal {
				t.Prev = &total
			}
			return
		}
		t.Phase = phaseNormal
	}
	if u := d.usage(p, info); u != nil {
		d.emit(*u)
	}
}

// usage computes the usage one token_count adds, updating the running
// total and model; nil when it adds nothing.
func (d *Decoder) usage(p, info obj) *store.Usage {
	if info == nil {
		return nil
	}
	t := &d.st.Tok
	last, hasLast := parseUsage(info.obj("last_token_usage"))
	total, hasTotal := parseUsage(info.obj("total_token_usage"))
	var delta usage
	switch {
	case hasLast:
		delta = last
	case hasTotal:
		delta = total.minus(t.Prev)
	default:
		return nil
	}
	repeat := hasTotal && t.Prev != nil && *t.Prev == total
	if hasTotal {
		t.Prev = &total
	}
	if repeat || delta.zero() {
		return nil
	}
	model := modelOf(p)
	if model == "" {
		model = modelOf(info)
	}
	switch {
	case model != "":
		t.Model = model
	case t.Model == "":
		t.Model = "gpt-5"
	}
	cached := min(delta.Cached, delta.In)
	stamp := d.ln.ts
	if !d.ln.t.IsZero() && d.ln.parsed {
		stamp = strconv.FormatInt(d.ln.t.UnixMilli(), 10)
	}
	return &store.Usage{
		Session:   d.st.Session,
		Prompt:    d.st.Prompt,
		Time:      d.ln.t,
		Model:     t.Model,
		Input:     delta.In - cached,
		CacheRead: cached,
		Output:    delta.Out,
		Reasoning: delta.Reason,
		Key: fmt.Sprintf("%s|%s|%s|%d|%d|%d|%d|%d", d.st.Session, stamp, t.Model,
			delta.In, cached, delta.Out, delta.Reason, delta.Total),
	}
}
