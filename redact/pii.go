package redact

import (
	"net/netip"
	"strings"
)

// digitScan runs the IP, phone, card and IBAN scanners in one pass over
// the digits of the text; the first of these rules to run does it for all.
func digitScan(sc *scanner, _ *compiledRule) {
	if sc.digitsDone {
		return
	}
	sc.digitsDone = true
	e, s := sc.e, sc.s
	idx := e.digitIdx
	for k, ri := range idx {
		if ri >= 0 && e.rules[ri].scopes&sc.bits == 0 {
			idx[k] = -1
		}
	}
	ip, phone, card, iban := idx[digitIP], idx[digitPhone], idx[digitCard], idx[digitIBAN]
	if ip >= 0 {
		sc.ipv6Scan(ip)
	}
	n := len(s)
	for i := 0; i < n; {
		if !isDigit(s[i]) {
			i++
			continue
		}
		// s[i] starts a run of digits
		next := i + 1
		if ip >= 0 {
			if end := sc.ipv4At(i); end > 0 {
				sc.emit(ip, i, end, "")
				next = end
			}
		}
		if iban >= 0 && i >= 2 {
			if end := ibanAt(s, i-2); end > 0 {
				sc.emit(iban, i-2, end, "")
				next = max(next, end)
			}
		}
		if card >= 0 {
			if end := cardAt(s, i); end > 0 {
				sc.emit(card, i, end, "")
				next = max(next, end)
			}
		}
		if phone >= 0 {
			if st, end := phoneAt(s, i); end > 0 {
				sc.emit(phone, st, end, "")
				next = max(next, end)
			}
		}
		for next < n && isDigit(s[next]) {
			next++
		}
		i = next
	}
}

// ---- IP addresses --------------------------------------------------------

// ipv4At returns the end of a dotted-quad address starting at i that the
// policy redacts, or 0. Version numbers (v1.2.3.4, 1.2.3.4.5,
// "version 1.2.3.4") are skipped.
func (sc *scanner) ipv4At(i int) int {
	s := sc.s
	if i > 0 {
		p := s[i-1]
		if isAlnum(p) || p == '_' || p == '.' || p == '-' && i > 1 && isAlnum(s[i-2]) {
			return 0
		}
	}
	j := i
	for g := 0; g < 4; g++ {
		k := j
		for k < len(s) && k-j < 3 && isDigit(s[k]) {
			k++
		}
		if k == j || k < len(s) && isDigit(s[k]) {
			return 0
		}
		j = k
		if g < 3 {
			if j >= len(s) || s[j] != '.' {
				return 0
			}
			j++
		}
	}
	if j < len(s) {
		c := s[j]
		if isAlnum(c) || c == '_' || (c == '.' || c == '-') && j+1 < len(s) && isAlnum(s[j+1]) {
			return 0
		}
	}
	if before := lowerASCII(s[max(0, i-12):i]); strings.Contains(before, "version") || strings.HasSuffix(strings.TrimRight(before, " :="), "ver") {
		return 0
	}
	a, err := netip.ParseAddr(s[i:j])
	if err != nil || !sc.e.redactIP(a) {
		return 0
	}
	return j
}

// ipv6Scan finds IPv6 addresses around colons.
func (sc *scanner) ipv6Scan(rule int32) {
	s := sc.s
	for i := 0; i < len(s); {
		k := strings.IndexByte(s[i:], ':')
		if k < 0 {
			return
		}
		k += i
		i = k + 1
		if k+1 >= len(s) || !(isHexByte(s[k+1]) || s[k+1] == ':') || !(k > 0 && isHexByte(s[k-1]) || s[k+1] == ':') {
			continue
		}
		a := k
		for a > 0 && k-a < 40 && (isHexByte(s[a-1]) || s[a-1] == ':') {
			a--
		}
		b := k + 1
		for b < len(s) && b-a < 45 && (isHexByte(s[b]) || s[b] == ':' || s[b] == '.') {
			b++
		}
		for b > k+1 && (s[b-1] == '.' || s[b-1] == ':' && s[b-2] != ':') {
			b--
		}
		i = b
		if a > 0 && (isAlnum(s[a-1]) || s[a-1] == '_' || s[a-1] == '.') || b < len(s) && (isAlnum(s[b]) || s[b] == '_') {
			continue
		}
		cand := s[a:b]
		colons := strings.Count(cand, ":")
		if colons < 2 || !strings.Contains(cand, "::") && colons != 7 || !strings.ContainsAny(cand, "0123456789") {
			continue
		}
		groups := 0
		for _, g := range strings.Split(cand, ":") {
			if g != "" {
				groups++
			}
		}
		if groups < 2 {
			continue // ::add, a::b
		}
		addr, err := netip.ParseAddr(cand)
		if err != nil || !addr.Is6() || !sc.e.redactIP(addr) {
			continue
		}
		sc.emit(rule, a, b, "")
	}
}

var (
	docNets = []netip.Prefix{
		netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("240.0.0.0/4"),
	}
)

// redactIP applies the IP policy: "all" redacts every address, "public"
// only globally routable ones (not private, loopback, link-local, shared,
// benchmark or documentation ranges).
func (e *Engine) redactIP(a netip.Addr) bool {
	switch e.cfg.IPPolicy {
	case IPOff:
		return false
	case IPAll:
		return true
	}
	a = a.Unmap()
	if !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range docNets {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// ---- payment cards -------------------------------------------------------

// cardAt returns the end of a payment card number starting at i: 12 to 19
// digits, plain or in groups separated by one space or dash, with a known
// issuer prefix and length and a valid Luhn checksum.
func cardAt(s string, i int) int {
	if i > 0 && (isAlnum(s[i-1]) || strings.IndexByte(".-+_/:", s[i-1]) >= 0) {
		return 0
	}
	var d [19]byte
	nd := 0
	j := i
	var sep byte
	group, groups := 0, 0
	for j < len(s) {
		c := s[j]
		if isDigit(c) {
			if nd == len(d) {
				return 0 // too long
			}
			d[nd] = c
			nd++
			group++
			j++
			continue
		}
		if (c == ' ' || c == '-') && j+1 < len(s) && isDigit(s[j+1]) && (sep == 0 || sep == c) && group >= 4 && group <= 6 {
			if groups == 0 && group != 4 {
				return 0
			}
			sep = c
			groups++
			group = 0
			j++
			continue
		}
		break
	}
	if nd < 12 || sep != 0 && group > 6 {
		return 0
	}
	if j < len(s) && (isAlnum(s[j]) || s[j] == '_' || (s[j] == '.' || s[j] == '-') && j+1 < len(s) && isDigit(s[j+1])) {
		return 0
	}
	num := d[:nd]
	if !knownIssuer(num) || !luhn(num) || sameByte(string(num)) {
		return 0
	}
	return j
}

// maestroPrefixes are the four- and six-digit prefixes of Maestro cards,
// which may be 12 to 19 digits long.
var maestroPrefixes = map[int]bool{
	5018: true, 5020: true, 5038: true, 5893: true, 6304: true, 6759: true, 6761: true, 6762: true,
	6763: true, 676770: true, 676774: true,
}

// knownIssuer reports whether a number of len(d) digits lies in a range
// a card network issues at that length (published IIN ranges).
func knownIssuer(d []byte) bool {
	prefix := func(k int) int {
		v := 0
		for _, c := range d[:k] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	p2, p3, p4, p6 := prefix(2), prefix(3), prefix(4), prefix(6)
	n := len(d)
	in := func(v, lo, hi int) bool { return lo <= v && v <= hi }
	switch {
	case maestroPrefixes[p4] || maestroPrefixes[p6]:
		return n >= 12 // Maestro: 12 to 19 digits
	case d[0] == '4':
		return n == 13 || n == 16 || n == 19 // Visa
	case in(p2, 51, 55), in(p4, 2221, 2720):
		return n == 16 // Mastercard
	case p2 == 34 || p2 == 37:
		return n == 15 // American Express
	case p4 == 1800 || p4 == 2131:
		return n == 15 // JCB, 15-digit ranges
	case in(p4, 3528, 3589):
		return n >= 16 // JCB
	case in(p4, 2200, 2204):
		return n >= 16 // Mir
	case p2 == 36, in(p3, 300, 305), p4 == 3095, p2 == 38, p2 == 39:
		return n >= 14 // Diners Club
	case p4 == 6011, in(p3, 644, 649), p2 == 65, p2 == 62:
		return n >= 16 // Discover, UnionPay
	case in(p6, 506099, 506198), in(p6, 650002, 650027):
		return n == 16 || n == 18 || n == 19 // Verve
	case p2 == 60, p3 == 508, p2 == 81, p2 == 82:
		return n == 16 // RuPay
	case p4 == 9792, in(p3, 637, 639):
		return n == 16 // Troy, InstaPayment
	case p3 == 636:
		return n >= 16 // InterPayment
	case p2 == 50, in(p2, 56, 69):
		return n >= 16 // Maestro's wider ranges
	}
	return false
}

func luhn(d []byte) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// ---- phone numbers -------------------------------------------------------

// phoneAt finds a phone number whose first digit is at i, conservatively:
// international numbers written with "+" or "00" (8 to 15 digits), North
// American numbers written (555) 123-4567, 555-123-4567 or 555.123.4567,
// each with an extension (x4587, ext. 12) when one follows.
func phoneAt(s string, i int) (int, int) {
	st, end := phoneNumberAt(s, i)
	if end > 0 {
		end = phoneExt(s, end)
	}
	return st, end
}

func phoneNumberAt(s string, i int) (int, int) {
	if i > 0 && s[i-1] == '+' {
		if i > 1 && (isAlnum(s[i-2]) || s[i-2] == '+' || s[i-2] == '_') || s[i] == '0' {
			return 0, 0
		}
		j, nd, groups := intlDigits(s, i)
		if nd < 8 || nd > 15 || groups > 6 || j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
			return 0, 0
		}
		return i - 1, j
	}
	// North American: (ddd) ddd-dddd
	if i > 0 && s[i-1] == '(' {
		if i > 1 && isAlnum(s[i-2]) {
			return 0, 0
		}
		if len(s) >= i+12 && digits(s[i:i+3]) && s[i+3] == ')' {
			j := i + 4
			if s[j] == ' ' {
				j++
			}
			if len(s) >= j+8 && digits(s[j:j+3]) && (s[j+3] == '-' || s[j+3] == '.' || s[j+3] == ' ') && digits(s[j+4:j+8]) &&
				s[i] >= '2' && s[j] >= '2' && (j+8 == len(s) || !isAlnum(s[j+8]) && s[j+8] != '-') {
				return i - 1, j + 8
			}
		}
		return 0, 0
	}
	if i > 0 && (isAlnum(s[i-1]) || strings.IndexByte("-._/:+", s[i-1]) >= 0) {
		return 0, 0
	}
	// 00 and a country code: 0044 20 7946 0958, 00 33 1 42 68 53 00
	if strings.HasPrefix(s[i:], "00") {
		k := i + 2
		if k < len(s) && (s[k] == ' ' || s[k] == '-' || s[k] == '.') {
			k++
		}
		if k >= len(s) || s[k] < '1' || s[k] > '9' {
			return 0, 0
		}
		j, nd, groups := intlDigits(s, k)
		if nd < 8 || nd > 15 || groups > 6 || j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
			return 0, 0
		}
		if groups < 3 && !phoneContext(s, i) {
			return 0, 0 // a plain run of digits is a phone number only where the text says so
		}
		return i, j
	}
	// ddd-ddd-dddd, ddd.ddd.dddd
	if len(s) < i+12 || !digits(s[i:i+3]) {
		return 0, 0
	}
	sep := s[i+3]
	if (sep != '-' && sep != '.') || s[i+7] != sep || !digits(s[i+4:i+7]) || !digits(s[i+8:i+12]) {
		return 0, 0
	}
	if s[i] < '2' || s[i+4] < '2' {
		return 0, 0
	}
	if e := i + 12; e < len(s) && (isAlnum(s[e]) || s[e] == '_' || (s[e] == '-' || s[e] == '.') && e+1 < len(s) && isDigit(s[e+1])) {
		return 0, 0
	}
	return i, i + 12
}

// intlDigits reads the digits of an international number from i: groups
// separated by one space, dash or dot, an area code maybe in parentheses.
// It returns the end, the number of digits and of groups; it stops past
// 15 digits or 6 groups, which no number has, so that a long run of digits
// costs little from each of its starts.
func intlDigits(s string, i int) (j, nd, groups int) {
	groups = 1
	j = i
	for j < len(s) && nd <= 15 && groups <= 6 {
		c := s[j]
		if isDigit(c) {
			nd++
			j++
			continue
		}
		if (c == ' ' || c == '-' || c == '.') && j+1 < len(s) && (isDigit(s[j+1]) || s[j+1] == '(') {
			groups++
			j++
			continue
		}
		if c == '(' && j+1 < len(s) && isDigit(s[j+1]) {
			j++
			continue
		}
		if c == ')' && j+1 < len(s) && (s[j+1] == ' ' || isDigit(s[j+1])) {
			j++
			continue
		}
		break
	}
	return j, nd, groups
}

// phoneWords are words that announce a phone number shortly before it.
var phoneWords = []string{"phone", "tel", "fax", "mobile", "cell", "call", "whatsapp", "ph.", "telefon", "téléphone"}

// phoneContext reports whether a phone word precedes offset i closely.
func phoneContext(s string, i int) bool {
	before := lowerASCII(s[max(0, i-24):i])
	for _, w := range phoneWords {
		if strings.Contains(before, w) {
			return true
		}
	}
	return false
}

// phoneExt returns the end of the extension that follows a phone number
// ending at i (" x4587", " ext. 12", ", extension 204", " #12"), or i.
func phoneExt(s string, i int) int {
	j := i
	if j < len(s) && (s[j] == ',' || s[j] == ';') {
		j++
	}
	k := j
	for k < len(s) && k-j < 2 && s[k] == ' ' {
		k++
	}
	rest := s[k:min(len(s), k+10)]
	l := lowerASCII(rest)
	var word int
	switch {
	case strings.HasPrefix(l, "extension"):
		word = 9
	case strings.HasPrefix(l, "extn"):
		word = 4
	case strings.HasPrefix(l, "ext"):
		word = 3
	case strings.HasPrefix(l, "x"), strings.HasPrefix(l, "#"):
		word = 1
	default:
		return i
	}
	if word == 1 && k == j && s[k] != 'x' {
		return i // "#12" needs a space before it
	}
	k += word
	if k < len(s) && (s[k] == '.' || s[k] == ':') {
		k++
	}
	if k < len(s) && s[k] == ' ' {
		k++
	}
	d := k
	for d < len(s) && d-k < 6 && isDigit(s[d]) {
		d++
	}
	if d == k || d < len(s) && (isAlnum(s[d]) || s[d] == '_') {
		return i
	}
	return d
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

// ---- IBANs -----------------------------------------------------------------

// ibanLengths are the IBAN lengths of the registry's countries.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
	"RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// ibanAt returns the end of an IBAN starting at i (country code), written
// plain or in groups of four separated by single spaces, or 0.
func ibanAt(s string, i int) int {
	if !isUpper(s[i]) || !isUpper(s[i+1]) || i > 0 && (isAlnum(s[i-1]) || s[i-1] == '_') {
		return 0
	}
	want, ok := ibanLengths[s[i:i+2]]
	if !ok {
		return 0
	}
	var buf [34]byte
	n := 0
	j := i
	group := 0
	for j < len(s) && n < want {
		c := s[j]
		switch {
		case isDigit(c) || isUpper(c):
			buf[n] = c
			n++
			group++
			j++
		case c == ' ' && group == 4 && j+1 < len(s) && isAlnum(s[j+1]):
			group = 0
			j++
		default:
			return 0
		}
	}
	if n != want || !isDigit(buf[2]) || !isDigit(buf[3]) {
		return 0
	}
	if j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
		return 0
	}
	// mod 97 of BBAN + country + check digits, letters as 10..35
	rem := 0
	for k := 0; k < n; k++ {
		c := buf[(k+4)%n]
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A') + 10) % 97
		}
	}
	if rem != 1 {
		return 0
	}
	return j
}
