package aider

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/aitrail/aitrail/store"
)

func state0() state { return state{V: stateVersion} }

// closeAll ends the open blocks, emitting them.
func (d *Decoder) closeAll() {
	d.closePrompt()
	d.closeReply()
	d.closeNote()
}

func (d *Decoder) closePrompt() {
	if p := d.st.Prompt; p != nil {
		d.emit(d.promptRecord(p))
		d.st.Prompt = nil
	}
}

// closeReply emits the reply and keeps its edit blocks for the "Applied
// edit to" lines that follow it.
func (d *Decoder) closeReply() {
	m := d.st.Reply
	if m == nil {
		return
	}
	d.emit(d.message(m, store.MessageAssistant))
	d.st.Reply = nil
	d.st.ReplyKey = m.Key
	d.st.Edits = nil
	if !m.Cut {
		d.st.Edits = parseEdits(m.Text)
		size := 0
		for _, e := range d.st.Edits {
			size += len(e.Old) + len(e.New) + len(e.Text)
		}
		if size > maxBlocks {
			d.st.Edits = nil // edits are then recorded without their diffs
		}
	}
}

func (d *Decoder) closeNote() {
	if m := d.st.Note; m != nil {
		d.emit(d.message(m, store.MessageSystem))
		d.st.Note = nil
	}
}

func (d *Decoder) promptRecord(p *block) store.Prompt {
	return store.Prompt{Session: d.session(), Key: p.Key, Time: d.st.Start, Text: p.Text, Cwd: d.dir, Model: d.st.Model}
}

func (d *Decoder) message(m *block, kind string) store.Message {
	return store.Message{Session: d.session(), Prompt: d.st.PromptKey, Key: m.Key, Time: d.st.Start, Kind: kind, Text: m.Text}
}

// promptLine reads a line of the user's input. Each line of a multi-line
// input is prefixed "#### "; a new input follows a blank line. Aider ends
// the lines with two spaces.
func (d *Decoder) promptLine(s string) {
	text := strings.TrimRight(strings.TrimPrefix(strings.TrimPrefix(s, "####"), " "), " ")
	if p := d.st.Prompt; p != nil && !d.gap {
		p.add("\n", text)
		return
	}
	d.closeAll()
	d.session()
	d.st.Prompt = &block{Key: d.prefix, Text: text}
	d.st.PromptKey = d.prefix
	d.st.ReplyKey, d.st.Edits = "", nil
}

// replyLine reads a line of the assistant's reply: what is neither input
// nor Aider's own output.
func (d *Decoder) replyLine(s string) {
	d.closePrompt()
	d.closeNote()
	if m := d.st.Reply; m != nil {
		m.add(d.gapLines(), s)
		return
	}
	d.st.Reply = &block{Key: d.prefix, Text: s}
}

// toolLine reads a line of Aider's own output ("> …"): consecutive lines
// make one system note. A message whose first line does not end with the
// two spaces Aider ends messages with goes on over the following lines.
func (d *Decoder) toolLine(s string) {
	d.closePrompt()
	d.closeReply()
	body := strings.TrimPrefix(strings.TrimPrefix(s, ">"), " ")
	d.st.Cont = !strings.HasSuffix(s, "  ") && s != ">"
	body = strings.TrimRight(body, " ")
	if m := d.st.Note; m != nil && !d.gap {
		m.add("\n", body)
	} else {
		d.closeNote()
		d.session()
		d.st.Note = &block{Key: d.prefix, Text: body}
	}
	d.toolMessage(body)
}

// toolText adds a continuation line of a tool message.
func (d *Decoder) toolText(s, sep string) {
	if m := d.st.Note; m != nil {
		m.add(sep, strings.TrimRight(s, " "))
	}
}

var (
	versionRe = regexp.MustCompile(`^Aider v(\S+)`)
	modelRe   = regexp.MustCompile(`^(?:Main model|Models?): (\S+)`)
	appliedRe = regexp.MustCompile(`^Applied edit to (.+)$`)
	commitRe  = regexp.MustCompile(`^Commit ([0-9a-fA-F]{7,40}) (.*)$`)
	tokensRe  = regexp.MustCompile(`^Tokens: ([\d.,]+[kKmM]?) sent(?:, ([\d.,]+[kKmM]?) cache write)?(?:, ([\d.,]+[kKmM]?) cache hit)?, ([\d.,]+[kKmM]?) received`)
)

// toolMessage reads what Aider reports about the session: its version and
// model in the banner, token counts after each reply, the files it
// applied edits to, and the commits it made.
func (d *Decoder) toolMessage(body string) {
	id := d.session()
	switch {
	case versionRe.MatchString(body):
		d.st.Version = versionRe.FindStringSubmatch(body)[1]
		d.emit(store.Session{ID: id, AgentVersion: d.st.Version})
	case modelRe.MatchString(body):
		d.st.Model = modelRe.FindStringSubmatch(body)[1]
		d.emit(store.Session{ID: id, Model: d.st.Model})
	case tokensRe.MatchString(body):
		m := tokensRe.FindStringSubmatch(body)
		sent, write, hit, received := count(m[1]), count(m[2]), count(m[3]), count(m[4])
		d.emit(store.Usage{Session: id, Prompt: d.st.PromptKey, Time: d.st.Start, Model: d.st.Model,
			Input: max(sent-hit-write, 0), CacheRead: hit, CacheWrite: write, Output: received, Key: id + ":" + d.prefix})
	case appliedRe.MatchString(body):
		d.applied(appliedRe.FindStringSubmatch(body)[1])
	case commitRe.MatchString(body):
		m := commitRe.FindStringSubmatch(body)
		d.emit(store.Link{Session: id, Prompt: d.st.PromptKey, Time: d.st.Start, Kind: store.LinkCommit,
			URL: strings.ToLower(m[1]), Title: strings.TrimSpace(m[2])})
	}
}

// count reads a token count as Aider prints it: "5,244", "12k" (rounded
// to thousands), "4.2k".
func count(s string) int64 {
	if s == "" {
		return 0
	}
	mult := 1.0
	switch s[len(s)-1] {
	case 'k', 'K':
		mult, s = 1e3, s[:len(s)-1]
	case 'm', 'M':
		mult, s = 1e6, s[:len(s)-1]
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil || f < 0 {
		return 0
	}
	return int64(f*mult + 0.5)
}
