package redact

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file parses the subset of TOML that secret-scanner rule packs
// (gitleaks' format) are written in: comments, [tables] and [[arrays of
// tables]] with dotted names, key = value with bare, quoted or dotted
// keys, and values that are strings (basic, literal and both multi-line
// forms), integers, floats, booleans, arrays and inline tables. Dates and
// times are refused: no rule pack needs them.

// tomlTable is a parsed table; line is where it starts (1-based).
type tomlTable struct {
	line int
	keys map[string]*tomlValue
	// array marks a table made by [[name]]: its parent holds an array of
	// them under name.
	array bool
}

// tomlValue is a value and the line it starts on. v is a string, int64,
// float64, bool, []*tomlValue or *tomlTable.
type tomlValue struct {
	line int
	v    any
}

// maxTOMLDepth bounds the nesting of arrays and inline tables.
const maxTOMLDepth = 32

type tomlParser struct {
	src   string
	pos   int
	line  int
	name  string // for messages
	depth int
	// defined tables: a table may be declared once
	declared map[*tomlTable]bool
}

// parseTOML parses a document; errors read "name:line: problem".
func parseTOML(src, name string) (*tomlTable, error) {
	if !utf8.ValidString(src) {
		return nil, fmt.Errorf("%s: not UTF-8 text", name)
	}
	p := &tomlParser{src: src, line: 1, name: name, declared: map[*tomlTable]bool{}}
	root := &tomlTable{line: 1, keys: map[string]*tomlValue{}}
	cur := root
	for {
		p.skipSpaceAndNewlines()
		if p.pos >= len(p.src) {
			return root, nil
		}
		var err error
		if p.src[p.pos] == '[' {
			cur, err = p.header(root)
		} else {
			err = p.keyValue(cur)
		}
		if err != nil {
			return nil, err
		}
		if err := p.endOfLine(); err != nil {
			return nil, err
		}
	}
}

func (p *tomlParser) errf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.name, p.line, fmt.Sprintf(format, args...))
}

func (p *tomlParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// skipSpace skips blanks and a comment, not newlines.
func (p *tomlParser) skipSpace() {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t':
			p.pos++
		case c == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *tomlParser) skipSpaceAndNewlines() {
	for {
		p.skipSpace()
		switch {
		case strings.HasPrefix(p.src[p.pos:], "\r\n"):
			p.pos += 2
			p.line++
		case p.peek() == '\n':
			p.pos++
			p.line++
		default:
			return
		}
	}
}

// endOfLine requires the rest of the line to be blank or a comment.
func (p *tomlParser) endOfLine() error {
	p.skipSpace()
	switch {
	case p.pos >= len(p.src):
	case strings.HasPrefix(p.src[p.pos:], "\r\n"):
		p.pos += 2
		p.line++
	case p.src[p.pos] == '\n':
		p.pos++
		p.line++
	default:
		return p.errf("unexpected %q after a value (one key = value per line)", p.src[p.pos])
	}
	return nil
}

// header parses [a.b] or [[a.b]] and returns the table it opens.
func (p *tomlParser) header(root *tomlTable) (*tomlTable, error) {
	line := p.line
	array := strings.HasPrefix(p.src[p.pos:], "[[")
	if array {
		p.pos += 2
	} else {
		p.pos++
	}
	p.skipSpace()
	path, err := p.keyPath()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	closing := "]"
	if array {
		closing = "]]"
	}
	if !strings.HasPrefix(p.src[p.pos:], closing) {
		return nil, p.errf("table header: want %q", closing)
	}
	p.pos += len(closing)
	// Walk to the parent, creating implicit tables; the last element of
	// an array of tables stands for the array.
	t := root
	for _, k := range path[:len(path)-1] {
		if t, err = p.child(t, k, line); err != nil {
			return nil, err
		}
	}
	last := path[len(path)-1]
	v, ok := t.keys[last]
	if array {
		if !ok {
			v = &tomlValue{line: line, v: []*tomlValue{}}
			t.keys[last] = v
		}
		arr, isArr := v.v.([]*tomlValue)
		if !isArr || len(arr) > 0 && !isTableArray(arr) {
			return nil, p.errf("[[%s]]: %q is already defined as another kind of value", strings.Join(path, "."), last)
		}
		nt := &tomlTable{line: line, keys: map[string]*tomlValue{}, array: true}
		v.v = append(arr, &tomlValue{line: line, v: nt})
		p.declared[nt] = true
		return nt, nil
	}
	if !ok {
		nt := &tomlTable{line: line, keys: map[string]*tomlValue{}}
		t.keys[last] = &tomlValue{line: line, v: nt}
		p.declared[nt] = true
		return nt, nil
	}
	nt, isTable := v.v.(*tomlTable)
	if !isTable || nt.array {
		return nil, p.errf("[%s]: %q is already defined as another kind of value", strings.Join(path, "."), last)
	}
	if p.declared[nt] {
		return nil, p.errf("[%s]: table defined twice", strings.Join(path, "."))
	}
	p.declared[nt] = true
	return nt, nil
}

func isTableArray(arr []*tomlValue) bool {
	t, ok := arr[0].v.(*tomlTable)
	return ok && t.array
}

// child returns the table under key k of t (the last one of an array of
// tables), creating an implicit table when there is none.
func (p *tomlParser) child(t *tomlTable, k string, line int) (*tomlTable, error) {
	v, ok := t.keys[k]
	if !ok {
		nt := &tomlTable{line: line, keys: map[string]*tomlValue{}}
		t.keys[k] = &tomlValue{line: line, v: nt}
		return nt, nil
	}
	switch x := v.v.(type) {
	case *tomlTable:
		return x, nil
	case []*tomlValue:
		if len(x) > 0 && isTableArray(x) {
			return x[len(x)-1].v.(*tomlTable), nil
		}
	}
	return nil, p.errf("%q is already defined as a value, not a table", k)
}

// keyPath parses a bare, quoted or dotted key.
func (p *tomlParser) keyPath() ([]string, error) {
	var path []string
	for {
		p.skipSpace()
		var k string
		switch c := p.peek(); {
		case c == '"':
			s, err := p.basicString()
			if err != nil {
				return nil, err
			}
			k = s
		case c == '\'':
			s, err := p.literalString()
			if err != nil {
				return nil, err
			}
			k = s
		case isBareKeyByte(c):
			start := p.pos
			for p.pos < len(p.src) && isBareKeyByte(p.src[p.pos]) {
				p.pos++
			}
			k = p.src[start:p.pos]
		default:
			return nil, p.errf("want a key")
		}
		path = append(path, k)
		p.skipSpace()
		if p.peek() != '.' {
			return path, nil
		}
		p.pos++
	}
}

func isBareKeyByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-'
}

// keyValue parses key = value into t.
func (p *tomlParser) keyValue(t *tomlTable) error {
	line := p.line
	path, err := p.keyPath()
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.peek() != '=' {
		return p.errf("key %q: want '='", strings.Join(path, "."))
	}
	p.pos++
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return err
	}
	for _, k := range path[:len(path)-1] {
		if t, err = p.child(t, k, line); err != nil {
			return err
		}
	}
	last := path[len(path)-1]
	if _, dup := t.keys[last]; dup {
		return p.errf("key %q defined twice", strings.Join(path, "."))
	}
	v.line = line
	t.keys[last] = v
	return nil
}

// value parses one value.
func (p *tomlParser) value() (*tomlValue, error) {
	line := p.line
	switch c := p.peek(); {
	case strings.HasPrefix(p.src[p.pos:], `"""`):
		s, err := p.multiBasic()
		return &tomlValue{line: line, v: s}, err
	case strings.HasPrefix(p.src[p.pos:], `'''`):
		s, err := p.multiLiteral()
		return &tomlValue{line: line, v: s}, err
	case c == '"':
		s, err := p.basicString()
		return &tomlValue{line: line, v: s}, err
	case c == '\'':
		s, err := p.literalString()
		return &tomlValue{line: line, v: s}, err
	case c == '[':
		return p.array()
	case c == '{':
		return p.inlineTable()
	case strings.HasPrefix(p.src[p.pos:], "true") && !isBareKeyByte(p.at(4)):
		p.pos += 4
		return &tomlValue{line: line, v: true}, nil
	case strings.HasPrefix(p.src[p.pos:], "false") && !isBareKeyByte(p.at(5)):
		p.pos += 5
		return &tomlValue{line: line, v: false}, nil
	case c == '+' || c == '-' || isDigit(c) || c == 'i' || c == 'n':
		return p.number()
	case c == 0 || c == '\n' || c == '\r':
		return nil, p.errf("missing value")
	}
	return nil, p.errf("unexpected %q: want a string, number, boolean, array or inline table", p.peek())
}

func (p *tomlParser) at(off int) byte {
	if p.pos+off < len(p.src) {
		return p.src[p.pos+off]
	}
	return 0
}

func (p *tomlParser) number() (*tomlValue, error) {
	line := p.line
	start := p.pos
	for p.pos < len(p.src) && (isAlnum(p.src[p.pos]) || strings.IndexByte("+-._:", p.src[p.pos]) >= 0) {
		p.pos++
	}
	tok := p.src[start:p.pos]
	clean := strings.ReplaceAll(tok, "_", "")
	if strings.ContainsAny(tok, ":") || strings.Count(tok, "-") > 1 && !strings.ContainsAny(tok, "eE") {
		return nil, p.errf("%q: dates and times are not supported", tok)
	}
	if strings.HasPrefix(clean, "0x") || strings.HasPrefix(clean, "0o") || strings.HasPrefix(clean, "0b") {
		n, err := strconv.ParseInt(clean, 0, 64)
		if err != nil {
			return nil, p.errf("%q: not a number", tok)
		}
		return &tomlValue{line: line, v: n}, nil
	}
	if n, err := strconv.ParseInt(clean, 10, 64); err == nil {
		return &tomlValue{line: line, v: n}, nil
	}
	switch strings.TrimLeft(clean, "+-") {
	case "inf", "nan":
	default:
		if strings.ContainsAny(strings.TrimLeft(clean, "+-"), "in") {
			return nil, p.errf("%q: not a number", tok)
		}
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil {
		return nil, p.errf("%q: not a number", tok)
	}
	return &tomlValue{line: line, v: f}, nil
}

func (p *tomlParser) nest() error {
	p.depth++
	if p.depth > maxTOMLDepth {
		return p.errf("values nested more than %d deep", maxTOMLDepth)
	}
	return nil
}

// array parses [v, v, ...] over any number of lines.
func (p *tomlParser) array() (*tomlValue, error) {
	line := p.line
	if err := p.nest(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // [
	var items []*tomlValue
	for {
		p.skipSpaceAndNewlines()
		if p.peek() == ']' {
			p.pos++
			return &tomlValue{line: line, v: items}, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		p.skipSpaceAndNewlines()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
		default:
			return nil, p.errf("array: want ',' or ']'")
		}
	}
}

// inlineTable parses { k = v, ... } on one line.
func (p *tomlParser) inlineTable() (*tomlValue, error) {
	line := p.line
	if err := p.nest(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // {
	t := &tomlTable{line: line, keys: map[string]*tomlValue{}}
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
		return &tomlValue{line: line, v: t}, nil
	}
	for {
		p.skipSpace()
		if err := p.keyValue(t); err != nil {
			return nil, err
		}
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return &tomlValue{line: line, v: t}, nil
		default:
			return nil, p.errf("inline table: want ',' or '}'")
		}
	}
}

func (p *tomlParser) literalString() (string, error) {
	p.pos++ // '
	start := p.pos
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '\'':
			s := p.src[start:p.pos]
			p.pos++
			return s, nil
		case '\n':
			return "", p.errf("unterminated string")
		}
		p.pos++
	}
	return "", p.errf("unterminated string")
}

// skipFirstNewline skips the newline right after the opening quotes of a
// multi-line string, which is not part of it.
func (p *tomlParser) skipFirstNewline() {
	if strings.HasPrefix(p.src[p.pos:], "\r\n") {
		p.pos += 2
		p.line++
	} else if p.peek() == '\n' {
		p.pos++
		p.line++
	}
}

func (p *tomlParser) multiLiteral() (string, error) {
	p.pos += 3
	p.skipFirstNewline()
	end := strings.Index(p.src[p.pos:], `'''`)
	if end < 0 {
		return "", p.errf("unterminated ''' string")
	}
	// up to two more quotes belong to the string: ''''' ends with ''
	for extra := 0; extra < 2 && p.pos+end+3 < len(p.src) && p.src[p.pos+end+3] == '\''; extra++ {
		end++
	}
	s := p.src[p.pos : p.pos+end]
	p.line += strings.Count(s, "\n")
	p.pos += end + 3
	return s, nil
}

func (p *tomlParser) basicString() (string, error) {
	p.pos++ // "
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\n':
			return "", p.errf("unterminated string")
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", p.errf("unterminated string")
}

func (p *tomlParser) multiBasic() (string, error) {
	p.pos += 3
	p.skipFirstNewline()
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case strings.HasPrefix(p.src[p.pos:], `"""`):
			p.pos += 3
			for n := 0; n < 2 && p.peek() == '"'; n++ {
				b.WriteByte('"')
				p.pos++
			}
			return b.String(), nil
		case c == '\\':
			// a backslash at the end of a line trims it and the blanks after
			rest := p.pos + 1
			for rest < len(p.src) && (p.src[rest] == ' ' || p.src[rest] == '\t') {
				rest++
			}
			if rest < len(p.src) && (p.src[rest] == '\n' || p.src[rest] == '\r') {
				p.pos = rest
				for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
					if p.src[p.pos] == '\n' {
						p.line++
					}
					p.pos++
				}
				continue
			}
			if err := p.escape(&b); err != nil {
				return "", err
			}
		default:
			if c == '\n' {
				p.line++
			}
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", p.errf(`unterminated """ string`)
}

// escape decodes the escape sequence at p.pos.
func (p *tomlParser) escape(b *strings.Builder) error {
	if p.pos+1 >= len(p.src) {
		return p.errf("unterminated escape")
	}
	c := p.src[p.pos+1]
	p.pos += 2
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case 'e':
		b.WriteByte(0x1b)
	case '"', '\\':
		b.WriteByte(c)
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if p.pos+n > len(p.src) {
			return p.errf("short \\%c escape", c)
		}
		v, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
		if err != nil || !utf8.ValidRune(rune(v)) {
			return p.errf("bad \\%c escape %q", c, p.src[p.pos:p.pos+n])
		}
		b.WriteRune(rune(v))
		p.pos += n
	default:
		return p.errf("unknown escape \\%c (a regular expression belongs in a '''literal''' string)", c)
	}
	return nil
}

// Accessors used by the conversion. Each reports a value of the wrong kind
// with its line.

var errTOMLType = errors.New("wrong type")

func (t *tomlTable) str(key string) (string, int, error) {
	v, ok := t.keys[key]
	if !ok {
		return "", 0, nil
	}
	s, ok := v.v.(string)
	if !ok {
		return "", v.line, fmt.Errorf("%w: want a string", errTOMLType)
	}
	return s, v.line, nil
}

func (t *tomlTable) strList(key string) ([]string, int, error) {
	v, ok := t.keys[key]
	if !ok {
		return nil, 0, nil
	}
	arr, ok := v.v.([]*tomlValue)
	if !ok {
		return nil, v.line, fmt.Errorf("%w: want an array of strings", errTOMLType)
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.v.(string)
		if !ok {
			return nil, x.line, fmt.Errorf("%w: want an array of strings", errTOMLType)
		}
		out = append(out, s)
	}
	return out, v.line, nil
}

func (t *tomlTable) number(key string) (float64, bool, int, error) {
	v, ok := t.keys[key]
	if !ok {
		return 0, false, 0, nil
	}
	switch x := v.v.(type) {
	case int64:
		return float64(x), true, v.line, nil
	case float64:
		return x, true, v.line, nil
	}
	return 0, false, v.line, fmt.Errorf("%w: want a number", errTOMLType)
}

// tables returns the tables under key: an array of tables, or one table.
func (t *tomlTable) tables(key string) ([]*tomlTable, int, error) {
	v, ok := t.keys[key]
	if !ok {
		return nil, 0, nil
	}
	switch x := v.v.(type) {
	case *tomlTable:
		return []*tomlTable{x}, v.line, nil
	case []*tomlValue:
		var out []*tomlTable
		for _, e := range x {
			tt, ok := e.v.(*tomlTable)
			if !ok {
				return nil, e.line, fmt.Errorf("%w: want tables", errTOMLType)
			}
			out = append(out, tt)
		}
		return out, v.line, nil
	}
	return nil, v.line, fmt.Errorf("%w: want tables", errTOMLType)
}
