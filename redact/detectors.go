package redact

import (
	"strings"
)

// detector is a hand-written scanner of the built-in pack, for matches a
// regular expression would find slowly (it would have to run everywhere)
// or could not validate (checksums, address parsing, context).
type detector struct {
	secret   bool                   // a secret rule: the placeholder filter applies
	keywords []string               // default keywords
	dynamic  func(*Engine) []string // keywords derived from the Config
	active   func(*Engine) string   // "" when the policy enables it, else why not
	hit      func(sc *scanner, r *compiledRule, start, end int)
	whole    func(sc *scanner, r *compiledRule)
	digit    int // index in Engine.digitIdx for the shared digit scan, or -1
}

// detectors are the scanners a built-in rule can name.
var detectors = map[string]*detector{
	"assignment":   {hit: assignmentHit, digit: -1, keywords: assignmentKeywords},
	"url-password": {hit: urlPasswordHit, digit: -1, keywords: []string{"://"}},
	"pem":          {hit: pemHit, digit: -1, keywords: []string{"-----BEGIN"}},
	"home-dir": {hit: homeHit, digit: -1, dynamic: homeKeywords, active: func(e *Engine) string {
		if len(e.homes) == 0 {
			return "no home directory configured"
		}
		return ""
	}},
	"username": {hit: usernameHit, digit: -1, dynamic: func(e *Engine) []string { return []string{e.user} },
		active: func(e *Engine) string {
			if e.user == "" {
				return "no username configured, or too short or generic to redact as a word"
			}
			return ""
		}},
	"user-path": {hit: userPathHit, digit: -1, keywords: []string{"/users/", "/home/", `\users\`, "-users-", "-home-"},
		active: policy(func(c *Config) bool { return c.UserPaths })},
	"email": {whole: emailScan, digit: -1, active: policy(func(c *Config) bool { return c.Emails })},
	"ip":    {whole: digitScan, digit: digitIP, active: policy(func(c *Config) bool { return c.IPPolicy != IPOff })},
	"phone": {whole: digitScan, digit: digitPhone, active: policy(func(c *Config) bool { return c.Phones })},
	"card":  {whole: digitScan, digit: digitCard, active: policy(func(c *Config) bool { return c.Cards })},
	"iban":  {whole: digitScan, digit: digitIBAN, active: policy(func(c *Config) bool { return c.IBANs })},
}

const (
	digitIP = iota
	digitPhone
	digitCard
	digitIBAN
)

func policy(on func(*Config) bool) func(*Engine) string {
	return func(e *Engine) string {
		if on(&e.cfg) {
			return ""
		}
		return "turned off by policy"
	}
}

// detectorActive reports whether the policy enables a detector, and if not,
// why.
func detectorActive(e *Engine, name string) (bool, string) {
	d, ok := detectors[name]
	if !ok {
		return true, "" // compileRule reports the unknown name
	}
	if d.active == nil {
		return true, ""
	}
	why := d.active(e)
	return why == "", why
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

func lowerASCII(s string) string {
	if !hasUpper(s) {
		return s
	}
	return strings.ToLower(s)
}

// ---- home directory and username -------------------------------------

// homeTerm is one spelling of the home directory.
type homeTerm struct {
	text    string
	repl    string
	encoded bool // Claude's project-directory encoding (-Users-name)
}

// homeTerms lists the spellings of home: as is, JSON-escaped and with
// forward slashes (Windows), and Claude's encoding of it in project
// directory names.
func homeTerms(home string) []homeTerm {
	home = strings.TrimRight(home, `/\`)
	if len(home) < 3 {
		return nil
	}
	terms := []homeTerm{{text: home, repl: "~"}}
	if strings.Contains(home, `\`) {
		terms = append(terms,
			homeTerm{text: strings.ReplaceAll(home, `\`, `\\`), repl: "~"},
			homeTerm{text: strings.ReplaceAll(home, `\`, "/"), repl: "~"})
	}
	enc := []byte(home)
	for i, c := range enc {
		if !isAlnum(c) {
			enc[i] = '-'
		}
	}
	terms = append(terms, homeTerm{text: string(enc), repl: "-~", encoded: true})
	return terms
}

func homeKeywords(e *Engine) []string {
	var k []string
	for _, t := range e.homes {
		k = append(k, t.text)
	}
	return k
}

func homeHit(sc *scanner, r *compiledRule, start, end int) {
	s := sc.s
	for _, t := range sc.e.homes {
		if len(t.text) != end-start || !strings.EqualFold(s[start:end], t.text) {
			continue
		}
		if end < len(s) && isPathNameByte(s[end]) && !(t.encoded && s[end] == '-') {
			continue // a longer name: /Users/dain2
		}
		if t.encoded && end < len(s) && isAlnum(s[end]) {
			continue
		}
		sc.emit(int32(r.idx), start, end, t.repl)
		return
	}
}

// genericUsers are account names too common to redact as words.
var genericUsers = map[string]bool{
	"root": true, "admin": true, "administrator": true, "user": true, "users": true, "ubuntu": true,
	"runner": true, "vagrant": true, "ec2-user": true, "node": true, "app": true, "dev": true,
	"test": true, "guest": true, "docker": true, "git": true, "www-data": true, "nobody": true,
	"shared": true, "default": true, "public": true, "home": true, "build": true, "ci": true,
}

// usableUsername returns u when it can be redacted as a word without
// mangling ordinary text.
func usableUsername(u string) string {
	if len(u) < 3 || genericUsers[strings.ToLower(u)] {
		return ""
	}
	return u
}

func usernameHit(sc *scanner, r *compiledRule, start, end int) {
	if wordStart(sc.s, start) && wordEnd(sc.s, end) {
		sc.emit(int32(r.idx), start, end, "")
	}
}

func isPathNameByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.'
}

// notPersonalDirs are /home or /Users entries that name no person.
var notPersonalDirs = map[string]bool{
	"shared": true, "guest": true, "public": true, "default": true, "runner": true, "linuxbrew": true,
	"user": true, "username": true, "you": true, "me": true, "yourname": true, "your-name": true,
	"your_name": true, "name": true, "ubuntu": true, "ec2-user": true, "root": true, "admin": true,
	"vagrant": true, "node": true, "app": true, "jenkins": true, "circleci": true, "travis": true,
	"runneradmin": true, "all users": true, "default user": true,
}

// userPathHit redacts the user name in /Users/<name>, /home/<name>,
// C:\Users\<name> and in Claude's encoding -Users-<name>-.
func userPathHit(sc *scanner, r *compiledRule, start, end int) {
	s := sc.s
	kw := s[start:end]
	i := end
	switch kw[0] {
	case '/':
		if start > 0 {
			p := s[start-1]
			switch {
			case strings.IndexByte(" \t\n\r\"'`=:(,[{;|>", p) >= 0:
			case p == '/' && start >= 3 && s[start-2] == '/' && s[start-3] == ':': // file:///home
			case strings.IndexByte("nrtbf", p) >= 0 && start >= 2 && s[start-2] == '\\':
			default:
				return // a URL path or a deeper directory
			}
		}
	case '\\':
		switch {
		case start > 0 && s[start-1] == ':':
		case start > 1 && s[start-1] == '\\' && s[start-2] == ':':
			if i < len(s) && s[i] == '\\' {
				i++ // JSON-escaped C:\\Users\\name
			}
		default:
			return
		}
	case '-':
		if start > 0 && strings.IndexByte("/\\\"' \t\n", s[start-1]) < 0 {
			return
		}
	}
	j := i
	for j < len(s) && j-i < 64 && (isAlnum(s[j]) || s[j] == '_' || s[j] == '.' || (s[j] == '-' && kw[0] != '-')) {
		j++
	}
	if j == i || s[i] == '.' || (j < len(s) && isPathNameByte(s[j]) && kw[0] != '-') {
		return
	}
	if notPersonalDirs[lowerASCII(s[i:j])] {
		return
	}
	sc.emit(int32(r.idx), i, j, "")
}

// ---- assignments to secret-looking names ------------------------------

var assignmentKeywords = []string{
	"secret", "token", "passw", "pwd", "passphrase", "api_key", "apikey", "api-key",
	"access_key", "accesskey", "private_key", "privatekey", "private-key", "credential", "auth",
	"pass", "key", "_pat", "-pat",
}

type nameKind uint8

const (
	nameNone nameKind = iota
	nameSecret
	namePassword
	nameKey // a weaker name (license_key, ado_pat): the value must look random
	// nameKeyStrict is a key name whose first word often names no secret
	// (search_key, storage_key): the value must be a generated token.
	nameKeyStrict
)

// notSecretSuffixes end names that hold no secret: token_url, secret_name,
// password_file, auth_type, …
var notSecretSuffixes = map[string]bool{
	"url": true, "uri": true, "path": true, "file": true, "dir": true, "env": true, "id": true,
	"ids": true, "length": true, "len": true, "size": true, "ttl": true, "expiry": true, "expires": true,
	"expiration": true, "type": true, "name": true, "names": true, "count": true, "endpoint": true,
	"hint": true, "label": true, "description": true, "desc": true, "prompt": true, "mode": true,
	"field": true, "header": true, "format": true, "timeout": true, "version": true, "provider": true,
	"policy": true, "enabled": true, "required": true, "source": true, "location": true, "scope": true,
	"scopes": true, "usage": true, "limit": true, "limits": true, "budget": true, "tokens": true,
	"used": true, "min": true, "max": true, "ref": true, "arn": true, "index": true, "params": true,
	"config": true, "manager": true, "service": true, "store": true, "handler": true, "helper": true,
	"validator": true, "generator": true, "reset": true, "confirmation": true, "hash": true,
	"hashed": true, "digest": true, "regex": true, "pattern": true, "rotation": true, "strength": true,
	"placeholder": true, "input": true, "form": true, "button": true, "text": true, "title": true,
	"message": true, "error": true, "errors": true, "status": true, "state": true, "flow": true,
	"grant": true, "method": true, "scheme": true, "kind": true, "class": true, "module": true,
	"page": true, "view": true, "route": true, "callback": true, "request": true, "response": true,
	"changed": true, "updated": true, "created": true, "at": true, "date": true, "time": true,
	"mask": true, "masked": true, "visible": true, "visibility": true, "len_": true, "var": true,
	"variable": true, "key_id": true, "keyid": true, "fingerprint": true, "dialog": true, "modal": true,
	"screen": true, "test": true, "tests": true, "spec": true, "example": true, "sample": true,
	"host": true, "hosts": true, "server": true, "domain": true, "audience": true, "issuer": true,
	"realm": true, "algorithm": true, "algo": true, "mechanism": true,
}

// secretContinuations are words allowed to follow a keyword inside a name
// without a separator (apikey, authtoken, passwordd…).
var secretContinuations = []string{"key", "token", "secret", "pass", "access", "orization", "ord", "d", "phrase", "value"}

// classifyName says whether name, which contains a keyword at kwStart (in
// name), names a secret or a password.
func classifyName(name string, kwStart, kwEnd int) nameKind {
	lname := lowerASCII(name)
	kw := lname[kwStart:kwEnd]
	rest := lname[kwEnd:]
	switch kw {
	case "key", "_pat", "-pat", "pass":
		return classifyWeakName(name, lname, kwStart, kwEnd)
	}
	// the keyword must not continue as another lower-case word: tokens,
	// authority, secretary, passwords
	if kwEnd < len(name) && 'a' <= name[kwEnd] && name[kwEnd] <= 'z' {
		ok := false
		for _, c := range secretContinuations {
			if strings.HasPrefix(rest, c) {
				ok = true
				after := kwEnd + len(c)
				if after < len(name) && 'a' <= name[after] && name[after] <= 'z' && c != "pass" && c != "access" {
					ok = false // passwords, authorizations, tokenizer
				}
				break
			}
		}
		if !ok {
			return nameNone
		}
	}
	switch kw {
	case "pwd":
		if kwStart > 0 && isAlnum(name[kwStart-1]) && !isUpper(name[kwStart]) {
			return nameNone
		}
	case "auth":
		if !strings.HasPrefix(rest, "orization") && kwEnd < len(name) && isAlnum(name[kwEnd]) && !isUpper(name[kwEnd]) {
			// auth followed by key/token/secret is fine, anything else (author) is not
			if !(strings.HasPrefix(rest, "key") || strings.HasPrefix(rest, "token") || strings.HasPrefix(rest, "secret") || strings.HasPrefix(rest, "pass")) {
				return nameNone
			}
		}
	}
	if last := lastNameWord(name); notSecretSuffixes[last] {
		return nameNone
	}
	if kw == "passw" || kw == "pwd" || kw == "passphrase" {
		return namePassword
	}
	return nameSecret
}

// notSecretKeys are words before "key" that make a name that holds no
// secret: primary_key, cache_key, public_key, …
var notSecretKeys = map[string]bool{
	"primary": true, "foreign": true, "sort": true, "partition": true, "cache": true, "map": true,
	"dict": true, "lookup": true, "unique": true, "index": true, "public": true, "pub": true, "hash": true,
	"row": true, "object": true, "s3": true, "storage": true, "ssh": true, "gpg": true, "pgp": true,
	"idempotency": true, "hot": true, "short": true, "shortcut": true, "group": true, "composite": true,
	"natural": true, "surrogate": true, "translation": true, "i18n": true, "message": true, "route": true,
	"react": true, "list": true, "item": true, "query": true, "search": true, "cursor": true, "state": true,
	"store": true, "registry": true, "dedup": true, "sorting": true, "primarykey": true, "field": true,
	"column": true, "table": true, "entry": true, "node": true, "child": true, "parent": true, "the": true,
	"a": true, "this": true, "of": true, "cache_": true, "row_": true, "join": true, "next": true, "prev": true,
	"nav": true, "menu": true, "tab": true, "form": true, "label": true, "event": true, "mouse": true,
}

// neverSecretKeys are words before "key" whose values are never secrets,
// however random they look: public keys, content hashes, database keys.
var neverSecretKeys = map[string]bool{
	"primary": true, "foreign": true, "sort": true, "partition": true, "public": true, "pub": true,
	"hash": true, "cache": true, "dedup": true, "idempotency": true, "gpg": true, "pgp": true,
	"primarykey": true, "composite": true, "surrogate": true, "natural": true, "unique": true,
	"the": true, "a": true, "this": true, "of": true, "react": true, "i18n": true, "translation": true,
}

// classifyWeakName handles the short keywords key, pat and pass, which
// must be a whole word of the name.
func classifyWeakName(name, lname string, kwStart, kwEnd int) nameKind {
	kw := lname[kwStart:kwEnd]
	word := kwStart
	if kw[0] == '_' || kw[0] == '-' {
		word++
	}
	// a whole word: not inside monkey, keyboard, bypass, compass, path
	if kwEnd < len(name) && 'a' <= name[kwEnd] && name[kwEnd] <= 'z' {
		if kw != "pass" || !strings.HasPrefix(lname[kwEnd:], "wd") {
			return nameNone
		}
	}
	if word > 0 && 'a' <= name[word-1] && name[word-1] <= 'z' && !isUpper(name[word]) {
		return nameNone
	}
	if kw == "pass" {
		if notSecretSuffixes[lastNameWord(name)] {
			return nameNone
		}
		return namePassword
	}
	// key and pat name secrets only when qualified: license_key, ado_pat
	prefix := strings.TrimRight(lname[:word], "_-.")
	if prefix == "" {
		return nameNone
	}
	if i := strings.LastIndexAny(prefix, "_-."); i >= 0 {
		prefix = prefix[i+1:]
	} else if j := lastHump(name[:len(prefix)]); j > 0 {
		prefix = lname[j:len(prefix)]
	}
	if kwEnd < len(name) && isAlnum(name[kwEnd]) || neverSecretKeys[prefix] {
		return nameNone
	}
	if notSecretKeys[prefix] {
		return nameKeyStrict
	}
	return nameKey
}

// lastHump returns where the last camelCase word of s starts.
func lastHump(s string) int {
	for i := len(s) - 1; i > 0; i-- {
		if isUpper(s[i]) && !isUpper(s[i-1]) {
			return i
		}
	}
	return 0
}

// lastNameWord returns the last word of an identifier, lower-cased:
// "tokenUrl" → "url", "SECRET_NAME" → "name".
func lastNameWord(name string) string {
	end := len(name)
	for end > 0 && !isAlnum(name[end-1]) {
		end--
	}
	i := end
	for i > 0 && isAlnum(name[i-1]) {
		if isUpper(name[i-1]) && i < end && !isUpper(name[i]) {
			i--
			break // camelCase hump
		}
		if i-1 > 0 && isUpper(name[i-1]) && !isUpper(name[i-2]) && isAlnum(name[i-2]) {
			i--
			break
		}
		i--
	}
	return lowerASCII(name[i:end])
}

// assignmentHit redacts the value in NAME=VALUE, name: value, "name":
// "value", name := "value", name => 'value', --name value,
// <name>value</name>, and in prose or log lines "the deploy token VALUE",
// when NAME looks like a secret's name and VALUE like a secret.
func assignmentHit(sc *scanner, r *compiledRule, start, end int) {
	s := sc.s
	a := start
	for a > 0 && start-a < 64 && isNameByte(s[a-1]) {
		a--
	}
	b := end
	for b < len(s) && b-end < 64 && isNameByte(s[b]) {
		b++
	}
	for a < start && (s[a] == '.' || s[a] == '-') && !(s[a] == '-' && a+1 < len(s) && s[a+1] == '-') {
		a++
	}
	if a+1 < start && a > 0 && s[a-1] == '\\' && strings.IndexByte("nrtbf", s[a]) >= 0 {
		a++ // "\nPASSWORD=…" in raw JSON
	}
	if a > 0 && s[a-1] == '/' {
		return // a path component: /forgot-password
	}
	name := s[a:b]
	kind := classifyName(name, start-a, end-a)
	if kind == nameNone {
		if vs, ve := proseValue(s, a, b); vs >= 0 {
			sc.emit(int32(r.idx), vs, ve, "")
		}
		return
	}
	if a > 0 && s[a-1] == '<' && b < len(s) && s[b] == '>' {
		if vs, ve := xmlValue(s, name, b+1); vs >= 0 && acceptAssigned(kind, s[vs:ve], true, "=") {
			sc.emit(int32(r.idx), vs, ve, "")
		}
		return
	}
	vs, ve, quoted, op := assignedValue(s, b, strings.HasPrefix(name, "--"), &sc.longTo)
	if vs < 0 {
		if vs, ve = proseValue(s, a, b); vs >= 0 {
			sc.emit(int32(r.idx), vs, ve, "")
		}
		return
	}
	v := s[vs:ve]
	if !acceptAssigned(kind, v, quoted, op) {
		return
	}
	sc.emit(int32(r.idx), vs, ve, "")
}

func isNameByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.'
}

// assignScan is how many bytes of an assigned value are read before the
// value must look like one token to be followed further: a secret is not
// cut at any length, and prose is not read to its end from every keyword.
const assignScan = 256

// isTokenByte reports the bytes of a long generated value: base64,
// base64url, hex, dotted tokens, percent-encoding.
func isTokenByte(c byte) bool {
	return isAlnum(c) || strings.IndexByte("+/=_-.~%", c) >= 0
}

func isTokenRun(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTokenByte(s[i]) {
			return false
		}
	}
	return true
}

// assignedValue parses what follows a name at i: a closing quote, an
// operator and a value. It returns the value's span, whether it was
// quoted, and the operator. A value longer than assignScan bytes is
// followed to its end when it is one token; longTo (the scanner's) keeps
// that from happening twice over the same bytes.
func assignedValue(s string, i int, flag bool, longTo *int) (vs, ve int, quoted bool, op string) {
	n := len(s)
	// closing quote of a quoted name, maybe JSON-escaped, or ] of ENV["X"]
	if i < n && s[i] == '\\' && i+1 < n && (s[i+1] == '"' || s[i+1] == '\'') {
		i += 2
	} else if i < n && (s[i] == '"' || s[i] == '\'' || s[i] == '`') {
		i++
	}
	if i < n && s[i] == ']' {
		i++
	}
	sp := i
	if i > 0 && (s[i-1] == '"' || s[i-1] == '\'') && i+7 < n && (s[i] == ' ' || s[i] == '\t') {
		// <add key="Password" value="…"/>
		j := i
		for j < n && j-i < 8 && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if strings.HasPrefix(s[j:], "value=") {
			i = j + 5
		}
	}
	if strings.HasPrefix(s[i:], " is ") && i+4 < n && (s[i+4] == '"' || s[i+4] == '\'') {
		// prose: the password is 'x'
		i += 3
		op = "is"
	}
	for i < n && i-sp < 16 && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	opStart := i
	switch {
	case i < n && s[i] == '=':
		i++
		if i < n && (s[i] == '>' || s[i] == '=') {
			i++
		}
	case i < n && s[i] == ':':
		i++
		if i < n && s[i] == '=' {
			i++
		}
		if i < n && s[i] == ':' {
			return -1, -1, false, "" // Ruby/C++ scope
		}
	case i < n && s[i] == '!' && i+1 < n && s[i+1] == '=':
		i += 2
	case op == "is":
	case flag && i > sp && i < n:
		// --password value
	default:
		return -1, -1, false, ""
	}
	if op != "is" {
		op = s[opStart:i]
	}
	for i < n && i-opStart < 24 && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i >= n {
		return -1, -1, false, ""
	}
	// opening quote
	var closeQ byte
	escaped := false
	switch {
	case s[i] == '\\' && i+1 < n && (s[i+1] == '"' || s[i+1] == '\''):
		closeQ, escaped = s[i+1], true
		i += 2
	case s[i] == '"' || s[i] == '\'' || s[i] == '`':
		closeQ = s[i]
		i++
	}
	vs = i
	if closeQ != 0 {
		for i < n && i-vs < assignScan {
			c := s[i]
			if c == closeQ && !escaped || c == '\\' && escaped || c == '\n' {
				break
			}
			if c == '\\' && !escaped && i+1 < n && s[i+1] == closeQ {
				i += 2 // \" inside "…"
				continue
			}
			if c == '\\' && !escaped && i+1 < n && s[i+1] == 'n' {
				break // JSON-escaped newline in raw text
			}
			i++
		}
		if i-vs >= assignScan {
			// A long value: one token to its closing quote (or to the end
			// of the line, when the text was cut).
			j, ok := longValue(s, vs, i, longTo)
			if !ok {
				return -1, -1, false, ""
			}
			switch {
			case j == n, s[j] == '\n', s[j] == closeQ && !escaped:
			case s[j] == '\\' && j+1 < n && (s[j+1] == 'n' || escaped && s[j+1] == closeQ):
			default:
				return -1, -1, false, ""
			}
			return vs, j, true, op
		}
		if i >= n || s[i] == '\n' {
			return -1, -1, false, ""
		}
		if escaped && !(i+1 < n && s[i+1] == closeQ) {
			return -1, -1, false, ""
		}
		return vs, i, true, op
	}
	for i < n && i-vs < assignScan {
		c := s[i]
		if c <= ' ' || strings.IndexByte("\"'`,;()[]{}<>&\\|", c) >= 0 {
			break
		}
		i++
	}
	if i-vs >= assignScan {
		j, ok := longValue(s, vs, i, longTo)
		if !ok || j < n && !(s[j] <= ' ' || strings.IndexByte("\"'`,;)]}<&\\|", s[j]) >= 0) {
			return -1, -1, false, ""
		}
		return vs, j, false, op
	}
	if i < n && (s[i] == '(' || s[i] == '[') {
		return -1, -1, false, ""
	}
	return vs, i, false, op
}

// longValue follows a value whose first assignScan bytes, s[vs:i], were
// read without finding its end: when they are one token, it returns where
// the token ends. A stretch already followed from an earlier keyword is
// not followed again.
func longValue(s string, vs, i int, longTo *int) (int, bool) {
	if vs < *longTo || !isTokenRun(s[vs:i]) {
		return 0, false
	}
	for i < len(s) && isTokenByte(s[i]) {
		i++
	}
	*longTo = i
	return i, true
}

// xmlValue returns the span of the text of <name>…</name> starting at i.
func xmlValue(s, name string, i int) (int, int) {
	limit := min(len(s), i+assignScan)
	j := strings.Index(s[i:limit], "</")
	if j <= 0 || !strings.HasPrefix(s[i+j+2:], name) || !strings.HasPrefix(s[i+j+2+len(name):], ">") {
		return -1, -1
	}
	return i, i + j
}

// proseWords are the bare words after which a token may follow without an
// operator: "the deploy token VALUE", "api key VALUE".
var proseWords = map[string]bool{
	"key": true, "token": true, "secret": true, "password": true, "passwd": true, "passphrase": true,
	"apikey": true, "api-key": true, "api_key": true, "credential": true, "pat": true,
}

// proseNotSecret are words before a bare "key", "token" or "secret" that
// name no secret: the cache key 9f86…, gpg: using RSA key 5DE3…
var proseNotSecret = map[string]bool{
	"public": true, "pub": true, "primary": true, "foreign": true, "sort": true, "partition": true,
	"cache": true, "hash": true, "lookup": true, "map": true, "dict": true, "index": true, "unique": true,
	"rsa": true, "dsa": true, "ecdsa": true, "ed25519": true, "gpg": true, "pgp": true, "ssh": true,
	"host": true, "signing": true, "fingerprint": true, "next": true, "page": true, "continuation": true,
	"cursor": true, "sync": true, "idempotency": true, "row": true, "object": true, "s3": true,
	"storage": true, "sha": true, "sha256": true, "commit": true, "gpgsig": true,
}

// proseValue finds a token written after a bare secret word without an
// operator: "the mailgun api key 3f9a…", "using deploy token Xq…",
// "password is Qw9…". The value must look generated (proseToken).
func proseValue(s string, a, b int) (int, int) {
	word := lowerASCII(s[a:b])
	if !proseWords[word] && !proseWords[lastNameWord(word)] {
		return -1, -1
	}
	if !wordStart(s, a) {
		return -1, -1
	}
	// the word before: "cache key", "RSA key" name no secret
	p := a
	for p > 0 && a-p < 4 && (s[p-1] == ' ' || s[p-1] == '\t') {
		p--
	}
	q := p
	for q > 0 && p-q < 32 && (isAlnum(s[q-1]) || s[q-1] == '_' || s[q-1] == '-') {
		q--
	}
	if proseNotSecret[lowerASCII(s[q:p])] || proseNotSecret[lastNameWord(s[q:p])] {
		return -1, -1
	}
	i := b
	sp := i
	for i < len(s) && i-sp < 3 && s[i] == ' ' {
		i++
	}
	if i == sp {
		return -1, -1
	}
	for _, w := range []string{"is ", "was ", "= "} {
		if strings.HasPrefix(s[i:], w) {
			i += len(w)
			for i < len(s) && s[i] == ' ' {
				i++
			}
			break
		}
	}
	var q0 byte
	if i < len(s) && (s[i] == '`' || s[i] == '"' || s[i] == '\'') {
		q0 = s[i]
		i++
	}
	vs := i
	for i < len(s) && i-vs < assignScan && isTokenByte(s[i]) {
		i++
	}
	ve := i
	for ve > vs && (s[ve-1] == '.' || s[ve-1] == '-') {
		ve-- // the end of a sentence
	}
	if q0 != 0 && (ve != i || i >= len(s) || s[i] != q0) {
		return -1, -1
	}
	if i < len(s) && i-vs < assignScan && isAlnum(s[i]) || !proseToken(s[vs:ve]) {
		return -1, -1
	}
	return vs, ve
}

// proseToken reports whether a value written without an operator looks
// generated: 16 bytes or more of one token, digits and letters, high
// entropy, no typed run.
func proseToken(v string) bool {
	if len(v) < 16 || !isTokenRun(v) || isPlaceholder(v) || strings.Count(v, "/") >= 2 || hasSequentialRun(v, 6) || wordy(v) {
		return false
	}
	c := classes(v)
	return c.digit > 0 && c.lower+c.upper > 0 && entropy(v) >= 3.5
}

// wordy reports whether v is made of words joined by - _ or . (two parts
// or more of three lower-case letters or more): a cache key, a build name
// or a slug such as setup-uv-1-x86_64-unknown-linux-gnu-…, not a token.
func wordy(v string) bool {
	words := 0
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if len(part) >= 3 && isLetters(part) && strings.ToLower(part) == part {
			words++
		}
	}
	return words >= 2
}

// strictKeyValue is the value check of a name such as search_key or
// storage_key, whose first word often names no secret: only a generated
// token of 20 bytes or more counts.
func strictKeyValue(v string) bool {
	if len(v) < 20 || strings.Count(v, "/") >= 2 || isPlaceholder(v) || hasSequentialRun(v, 6) || wordy(v) {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isAlnum(c) && strings.IndexByte("+/=_-", c) < 0 {
			return false
		}
	}
	c := classes(v)
	return c.digit > 0 && c.lower+c.upper > 0 && entropy(v) >= 3.5
}

// acceptAssigned decides whether an assigned value is a secret.
func acceptAssigned(kind nameKind, v string, quoted bool, op string) bool {
	if len(v) < 4 || isPlaceholder(v) || strings.Contains(v, "://") {
		return false
	}
	switch v[0] {
	case '/', '~', '#', '(', '[', '{', '!', '*', '?':
		if kind != namePassword || v[0] == '/' || v[0] == '~' || v[0] == '(' || v[0] == '[' || v[0] == '{' {
			return false
		}
	}
	if strings.HasPrefix(v, "./") || strings.HasPrefix(v, "http") && strings.Contains(v, ":") {
		return false
	}
	if (op == "==" || op == "!=" || op == "is") && !quoted {
		return false
	}
	switch v[0] {
	case '"', '\'', ',', ';', ':', ')', '}', ']', '.', '+':
		return false // a quote closed before the value: code, not a value
	}
	switch last := v[len(v)-1]; last {
	case '(', '[', '{':
		return false
	}
	if strings.HasPrefix(v, "arn:") || strings.Contains(v, "::") || quoted && strings.Contains(v, "(") && strings.Contains(v, " ") {
		return false
	}
	if v[0] == '#' && isLetters(strings.ReplaceAll(v[1:], "-", "")) {
		return false // a CSS selector: #add-password
	}
	switch kind {
	case nameKeyStrict:
		return strictKeyValue(v)
	case nameKey:
		return !strings.Contains(v, " ") && !hasSequentialRun(v, 6) && looksRandom(v, 3.0)
	case namePassword:
		if strings.Count(v, "/") >= 2 {
			return false // a path or a route
		}
		if strings.Count(v, " ") > 2 || len(v) > 64 && strings.Contains(v, " ") {
			return false
		}
		if !quoted {
			if strings.Contains(v, " ") || isIdentifierPath(v) && strings.Contains(v, ".") {
				return false // env.PASSWORD, config.db.password
			}
			// An identifier without digits is a variable, a type or an
			// environment variable's name (password: string, SecretStr,
			// DB_PASSWORD); with digits it is a password (s3cr3tP4ss).
			if isIdentifierPath(v) && classes(v).digit == 0 &&
				(op == ":" || strings.ToUpper(v) == v && strings.Contains(v, "_")) {
				return false
			}
		}
		return true
	}
	if strings.Contains(v, " ") || isIdentifierPath(v) && !hasDigitAndLetter(v) || len(v) <= assignScan && hasSequentialRun(v, 6) ||
		!quoted && wordy(v) {
		return false // scram-sha-256, setup-uv-1-x86_64-…: words, not a token
	}
	if quoted {
		if len(v) < 8 || entropy(v) < 2.8 || isSequential(v) {
			return false
		}
		c := classes(v)
		return c.digit != len(v) && !(c.lower+c.other == len(v) && c.other <= 1 && isIdentifierPath(v))
	}
	return looksRandom(v, 3.0)
}

func hasDigitAndLetter(s string) bool {
	c := classes(s)
	return c.digit > 0 && c.lower+c.upper > 0
}

// ---- passwords in URLs --------------------------------------------------

// urlPasswordHit redacts the password between "user:" and "@host" after
// a scheme's "://": database connection strings, HTTP basic auth, AMQP,
// Redis, … A password that is the word itself ("password") is redacted too:
// people do use it.
func urlPasswordHit(sc *scanner, r *compiledRule, start, end int) {
	s := sc.s
	a := start
	for a > 0 && start-a < 32 && (isAlnum(s[a-1]) || s[a-1] == '+' || s[a-1] == '.' || s[a-1] == '-') {
		a--
	}
	if start-a < 2 {
		return
	}
	at := -1
	for i := end; i < len(s) && i-end < 512; i++ {
		c := s[i]
		if c <= ' ' || strings.IndexByte("/?#\"'<>`\\", c) >= 0 {
			break
		}
		if c == '@' {
			at = i
		}
	}
	if at < 0 {
		return
	}
	colon := strings.IndexByte(s[end:at], ':')
	if colon < 0 {
		return
	}
	ps := end + colon + 1
	pw := s[ps:at]
	if pw == "" || strings.Contains(pw, "[REDACTED") || strings.Contains(pw, "${") || strings.Contains(pw, "{{") ||
		pw[0] == '$' || pw[0] == '<' || pw[0] == '%' && len(pw) > 1 && pw[1] == 's' || sameByte(pw) {
		return
	}
	sc.emit(int32(r.idx), ps, at, "")
}

// ---- e-mail addresses ---------------------------------------------------

var botLocals = map[string]bool{
	"noreply": true, "no-reply": true, "donotreply": true, "do-not-reply": true, "notifications": true,
	"notification": true, "mailer-daemon": true, "git": true, "bot": true, "actions": true,
}

// fileExtensions are TLD-like suffixes that end file names (icon@2x.png),
// not domains.
var fileExtensions = map[string]bool{
	"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true, "ico": true,
	"bmp": true, "js": true, "mjs": true, "cjs": true, "ts": true, "tsx": true, "jsx": true,
	"css": true, "scss": true, "json": true, "yaml": true, "yml": true, "toml": true, "lock": true,
	"txt": true, "py": true, "go": true, "rb": true, "java": true, "kt": true, "swift": true,
	"cpp": true, "hpp": true, "php": true, "html": true, "xml": true, "zip": true, "gz": true,
	"tar": true, "log": true, "map": true, "wasm": true, "vue": true, "svelte": true, "mdx": true,
	"min": true, "prototype": true, "then": true, "catch": true, "length": true, "value": true,
}

func isLocalByte(c byte) bool {
	return isAlnum(c) || strings.IndexByte("._%+-", c) >= 0
}

func isDomainByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '-'
}

// emailScan finds e-mail addresses around each '@'.
func emailScan(sc *scanner, r *compiledRule) {
	s := sc.s
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '@')
		if j < 0 {
			return
		}
		at := i + j
		i = at + 1
		a := at
		for a > 0 && at-a < 64 && isLocalByte(s[a-1]) {
			a--
		}
		if a > 0 && s[a-1] == '\\' && a < at {
			switch s[a] {
			case 'n', 'r', 't', 'b', 'f':
				a++ // "\n@decorator" in raw JSON
			case 'u':
				if at-a > 5 {
					a += 5 // \u003c
				}
			}
		}
		for a < at && s[a] == '.' {
			a++
		}
		if a == at || s[at-1] == '.' || strings.Contains(s[a:at], "..") {
			continue
		}
		b := at + 1
		for b < len(s) && b-at < 254 && isDomainByte(s[b]) {
			b++
		}
		for b > at+1 && (s[b-1] == '.' || s[b-1] == '-') {
			b--
		}
		domain := s[at+1 : b]
		dot := strings.LastIndexByte(domain, '.')
		if dot <= 0 {
			continue
		}
		tld := domain[dot+1:]
		if len(tld) < 2 || len(tld) > 24 || !isLetters(tld) || fileExtensions[lowerASCII(tld)] {
			continue
		}
		if strings.Contains(domain, "..") || domain[0] == '-' || domain[0] == '.' {
			continue
		}
		if a > 0 && s[a-1] == ':' && strings.LastIndex(s[max(0, a-80):a], "://") >= 0 || inUserinfo(s, a) {
			continue // user:password@host: the url-password rule's business
		}
		if allowedEmail(lowerASCII(s[a:at]), lowerASCII(domain)) {
			continue
		}
		sc.emit(int32(r.idx), a, b, "")
		i = b
	}
}

// inUserinfo reports whether offset a lies in the user:password part of a
// URL, after its first byte: an '@' there belongs to a password that holds
// one, not to an e-mail address.
func inUserinfo(s string, a int) bool {
	for j := a; j > 0 && a-j < 256; j-- {
		c := s[j-1]
		if c == '/' {
			return j >= 3 && j < a && s[j-3:j] == "://" && strings.ContainsAny(s[j:a], ":@")
		}
		if c <= ' ' || strings.IndexByte("\"'<>`", c) >= 0 {
			return false
		}
	}
	return false
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !('a' <= s[i] && s[i] <= 'z' || 'A' <= s[i] && s[i] <= 'Z') {
			return false
		}
	}
	return true
}

// allowedEmail reports the addresses that identify no person: noreply and
// bot addresses, git@host remotes, reserved example domains.
func allowedEmail(local, domain string) bool {
	if botLocals[local] || strings.HasSuffix(local, "-noreply") || strings.HasSuffix(local, "[bot]") ||
		strings.HasSuffix(local, "+noreply") {
		return true
	}
	switch {
	case domain == "users.noreply.github.com", strings.HasSuffix(domain, ".noreply.github.com"),
		domain == "noreply.github.com", domain == "example.com", domain == "example.org",
		domain == "example.net", strings.HasSuffix(domain, ".example.com"),
		strings.HasSuffix(domain, ".example"), strings.HasSuffix(domain, ".test"),
		strings.HasSuffix(domain, ".invalid"), strings.HasSuffix(domain, ".localhost"),
		strings.HasSuffix(domain, ".local"):
		return true
	}
	return false
}

// ---- PEM private keys ----------------------------------------------------

func isPEMBody(c byte, spaces bool) bool {
	switch {
	case isAlnum(c), strings.IndexByte("+/=\\:,._\"'-\r\n", c) >= 0:
		return true
	case c == ' ' || c == '\t':
		return spaces
	}
	return false
}

// pemHit redacts a PEM private key block from its BEGIN line to its END
// line. Without an END line (cut-off output), it redacts the base64 body
// that follows the BEGIN line.
func pemHit(sc *scanner, r *compiledRule, start, end int) {
	s := sc.s
	j := end
	for j < len(s) && j-end < 48 && (isUpper(s[j]) || isDigit(s[j]) || s[j] == ' ') {
		j++
	}
	label := strings.TrimSuffix(s[end:j], " BLOCK")
	if !strings.HasSuffix(label, "PRIVATE KEY") || !strings.HasPrefix(s[j:], "-----") {
		return
	}
	body := j + 5
	limit := min(len(s), body+maxExtend)
	f := body
	for f < limit && isPEMBody(s[f], true) && !strings.HasPrefix(s[f:], "-----") {
		f++
	}
	if strings.HasPrefix(s[f:], "-----END") {
		g := f + 8
		for g < len(s) && g-f < 56 && (isUpper(s[g]) || isDigit(s[g]) || s[g] == ' ') {
			g++
		}
		if strings.HasPrefix(s[g:], "-----") {
			g += 5
		}
		sc.emit(int32(r.idx), start, g, "")
		return
	}
	f = body
	for f < limit && isPEMBody(s[f], false) && !strings.HasPrefix(s[f:], "-----") {
		f++
	}
	if f-body >= 16 {
		sc.emit(int32(r.idx), start, f, "")
	}
}

// hasSequentialRun reports whether s holds a run like "abcdef" or "123456"
// of at least n bytes: typed by a person, not generated.
func hasSequentialRun(s string, n int) bool {
	run := 1
	for i := 1; i < len(s); i++ {
		if isAlnum(s[i]) && int(foldByte(s[i]))-int(foldByte(s[i-1])) == 1 {
			run++
			if run >= n {
				return true
			}
		} else {
			run = 1
		}
	}
	return false
}
