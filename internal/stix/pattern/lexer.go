package pattern

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxInt is the largest STIX integer magnitude, 2^53-1 (section 2.10).
const maxInt = 1<<53 - 1

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokInt
	tokFloat
	tokHex
	tokBinary
	tokTimestamp
	tokLBracket
	tokRBracket
	tokLParen
	tokRParen
	tokComma
	tokColon
	tokDot
	tokStar
	tokEq
	tokNeq
	tokLt
	tokLe
	tokGt
	tokGe
)

// token is one lexical token. pos and end are byte offsets into the input.
type token struct {
	kind     tokenKind
	pos, end int
	text     string  // source text; for tokString the unescaped value, for tokTimestamp the text inside t'…'
	num      int64   // tokInt
	flt      float64 // tokFloat
	octets   []byte  // tokHex, tokBinary
}

// describe names the token for an error message.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of pattern"
	case tokIdent:
		return strconv.Quote(t.text)
	case tokString:
		return "string " + shorten(quote(t.text))
	case tokInt:
		return "integer " + t.text
	case tokFloat:
		return "float " + t.text
	case tokHex:
		return "hex constant"
	case tokBinary:
		return "binary constant"
	case tokTimestamp:
		return "timestamp constant"
	}
	return "'" + t.text + "'"
}

// shorten cuts a long quoted constant for an error message.
func shorten(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// lexer splits a pattern into tokens on demand. Errors panic with a
// *SyntaxError, recovered by Parse.
type lexer struct {
	src string
	pos int
}

func (l *lexer) fail(pos int, format string, args ...any) {
	panic(&SyntaxError{Offset: pos, Msg: fmt.Sprintf(format, args...)})
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '-' }

// skipSpace skips Unicode White_Space (section 9.4).
func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c < utf8.RuneSelf {
			if c == ' ' || '\t' <= c && c <= '\r' {
				l.pos++
				continue
			}
			return
		}
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		l.pos += n
	}
}

func (l *lexer) next() token {
	l.skipSpace()
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tokEOF, pos: start, end: start}
	}
	c := l.src[start]
	simple := func(k tokenKind, n int) token {
		l.pos += n
		return token{kind: k, pos: start, end: l.pos, text: l.src[start:l.pos]}
	}
	switch c {
	case '[':
		return simple(tokLBracket, 1)
	case ']':
		return simple(tokRBracket, 1)
	case '(':
		return simple(tokLParen, 1)
	case ')':
		return simple(tokRParen, 1)
	case ',':
		return simple(tokComma, 1)
	case ':':
		return simple(tokColon, 1)
	case '.':
		return simple(tokDot, 1)
	case '*':
		return simple(tokStar, 1)
	case '=':
		return simple(tokEq, 1)
	case '!':
		if strings.HasPrefix(l.src[start:], "!=") {
			return simple(tokNeq, 2)
		}
		l.fail(start, "unexpected character '!': did you mean '!='?")
	case '<':
		if strings.HasPrefix(l.src[start:], "<=") {
			return simple(tokLe, 2)
		}
		return simple(tokLt, 1)
	case '>':
		if strings.HasPrefix(l.src[start:], ">=") {
			return simple(tokGe, 2)
		}
		return simple(tokGt, 1)
	case '\'':
		return l.lexString(start)
	case '+':
		if start+1 < len(l.src) && isDigit(l.src[start+1]) {
			l.fail(start, "a positive number must be written without a '+' sign (§9.2)")
		}
	case '-':
		if start+1 < len(l.src) && isDigit(l.src[start+1]) {
			return l.lexNumber(start)
		}
	}
	if isDigit(c) {
		return l.lexNumber(start)
	}
	if isIdentStart(c) {
		end := start + 1
		for end < len(l.src) && isIdentChar(l.src[end]) {
			end++
		}
		if end == start+1 && end < len(l.src) && l.src[end] == '\'' {
			switch c {
			case 't':
				return l.lexTimestamp(start)
			case 'h':
				return l.lexHex(start)
			case 'b':
				return l.lexBinary(start)
			}
		}
		l.pos = end
		return token{kind: tokIdent, pos: start, end: end, text: l.src[start:end]}
	}
	r, _ := utf8.DecodeRuneInString(l.src[start:])
	l.fail(start, "unexpected character %s", quoteRune(r))
	panic("unreachable")
}

func quoteRune(r rune) string {
	if r == '\'' {
		return `"'"`
	}
	return strconv.QuoteRune(r)
}

// lexString reads a string constant starting at the apostrophe at start.
// The only escapes are \' and \\ (section 9.2).
func (l *lexer) lexString(start int) token {
	var b strings.Builder
	i := start + 1
	for {
		j := strings.IndexAny(l.src[i:], `'\`)
		if j < 0 {
			l.fail(start, "unterminated string constant: no closing apostrophe")
		}
		b.WriteString(l.src[i : i+j])
		i += j
		if l.src[i] == '\'' {
			l.pos = i + 1
			return token{kind: tokString, pos: start, end: l.pos, text: b.String()}
		}
		if i+1 >= len(l.src) {
			l.fail(start, "unterminated string constant: no closing apostrophe")
		}
		switch e := l.src[i+1]; e {
		case '\'', '\\':
			b.WriteByte(e)
			i += 2
		default:
			r, _ := utf8.DecodeRuneInString(l.src[i+1:])
			l.fail(i, "invalid escape sequence %s in string constant: only \\' and \\\\ are allowed (§9.2)", strconv.Quote(`\`+string(r)))
		}
	}
}

// quotedBody returns the text of a prefixed constant such as h'…', whose
// prefix letter is at start, and moves past its closing apostrophe. These
// constants have no escapes.
func (l *lexer) quotedBody(start int, what string) (body string, bodyPos int) {
	bodyPos = start + 2
	j := strings.IndexByte(l.src[bodyPos:], '\'')
	if j < 0 {
		l.fail(start, "unterminated %s constant: no closing apostrophe", what)
	}
	l.pos = bodyPos + j + 1
	return l.src[bodyPos : bodyPos+j], bodyPos
}

func (l *lexer) lexHex(start int) token {
	body, bodyPos := l.quotedBody(start, "hex")
	for i := 0; i < len(body); i++ {
		c := body[i]
		if isDigit(c) || 'a' <= c && c <= 'f' {
			continue
		}
		if 'A' <= c && c <= 'F' {
			l.fail(bodyPos+i, "hex constant must use lower-case digits a-f, found %q (§2.8, §9.2)", c)
		}
		r, _ := utf8.DecodeRuneInString(body[i:])
		l.fail(bodyPos+i, "hex constant may contain only 0-9 and a-f, found %s (§9.2)", quoteRune(r))
	}
	if len(body)%2 != 0 {
		l.fail(start, "hex constant must have an even number of digits, found %d (§9.2)", len(body))
	}
	octets, err := hex.DecodeString(body)
	if err != nil { // not reached: checked above
		l.fail(start, "invalid hex constant: %v", err)
	}
	return token{kind: tokHex, pos: start, end: l.pos, text: l.src[start:l.pos], octets: octets}
}

func (l *lexer) lexBinary(start int) token {
	body, bodyPos := l.quotedBody(start, "binary")
	// Line feeds in the base64 data are ignored (section 9.2); so is a
	// carriage return before one.
	clean := strings.NewReplacer("\r\n", "", "\n", "").Replace(body)
	octets, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		msg := "binary constant is not valid padded base64 (RFC 4648, §9.2)"
		if ce, ok := err.(base64.CorruptInputError); ok {
			// Map the offset in clean back to the body.
			off, k := int(ce), 0
			for i := 0; i < len(body); i++ {
				if body[i] == '\n' || body[i] == '\r' && i+1 < len(body) && body[i+1] == '\n' {
					continue
				}
				if k == off {
					l.fail(bodyPos+i, "%s", msg)
				}
				k++
			}
		}
		l.fail(start, "%s", msg)
	}
	return token{kind: tokBinary, pos: start, end: l.pos, text: l.src[start:l.pos], octets: octets}
}

func (l *lexer) lexTimestamp(start int) token {
	body, bodyPos := l.quotedBody(start, "timestamp")
	if _, ok := parseTimestamp(body); !ok {
		l.fail(bodyPos, "invalid timestamp %s: want an existing UTC date and time written YYYY-MM-DDTHH:mm:ss[.s+]Z (§2.16)", strconv.Quote(shorten(body)))
	}
	return token{kind: tokTimestamp, pos: start, end: l.pos, text: body}
}

// lexNumber reads an integer or float constant, with an optional leading
// '-', starting at start.
func (l *lexer) lexNumber(start int) token {
	i := start
	if l.src[i] == '-' {
		i++
	}
	intStart := i
	for i < len(l.src) && isDigit(l.src[i]) {
		i++
	}
	if i-intStart > 1 && l.src[intStart] == '0' {
		l.fail(start, "number %s has a leading zero", l.src[start:i])
	}
	isFloat := false
	if i < len(l.src) && l.src[i] == '.' {
		j := i + 1
		for j < len(l.src) && isDigit(l.src[j]) {
			j++
		}
		if j == i+1 {
			l.fail(start, "malformed number %s: a '.' must be followed by digits", l.src[start:j])
		}
		i, isFloat = j, true
	}
	if i < len(l.src) && (isIdentChar(l.src[i]) || l.src[i] == '.') {
		j := i
		for j < len(l.src) && (isIdentChar(l.src[j]) || l.src[j] == '.') {
			j++
		}
		l.fail(start, "malformed number %s", strconv.Quote(l.src[start:j]))
	}
	l.pos = i
	text := l.src[start:i]
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(f, 0) {
			l.fail(start, "float %s is out of range", shorten(text))
		}
		return token{kind: tokFloat, pos: start, end: i, text: text, flt: f}
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n > maxInt || n < -maxInt {
		l.fail(start, "integer %s is out of range: STIX integers lie in [-(2^53)+1, 2^53-1] (§2.10)", shorten(text))
	}
	return token{kind: tokInt, pos: start, end: i, text: text, num: n}
}

// timestampFields are the parts of a YYYY-MM-DDTHH:mm:ss[.s+]Z timestamp.
type timestampFields struct {
	year, month, day, hour, min, sec int
	frac                             string // sub-second digits, possibly empty
}

// parseTimestamp checks s against the STIX timestamp format (section 2.16)
// and that it names an existing date and time; a leap second (:60) is
// accepted only at 23:59, as RFC 3339 allows.
func parseTimestamp(s string) (timestampFields, bool) {
	var f timestampFields
	// YYYY-MM-DDTHH:mm:ss = 19 bytes, then [.digits] and Z.
	if len(s) < 20 || s[len(s)-1] != 'Z' {
		return f, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for k := i; k < i+n; k++ {
			if !isDigit(s[k]) {
				return 0, false
			}
			v = v*10 + int(s[k]-'0')
		}
		return v, true
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return f, false
	}
	var ok [6]bool
	f.year, ok[0] = num(0, 4)
	f.month, ok[1] = num(5, 2)
	f.day, ok[2] = num(8, 2)
	f.hour, ok[3] = num(11, 2)
	f.min, ok[4] = num(14, 2)
	f.sec, ok[5] = num(17, 2)
	for _, o := range ok {
		if !o {
			return f, false
		}
	}
	rest := s[19 : len(s)-1]
	if rest != "" {
		if rest[0] != '.' || len(rest) == 1 {
			return f, false
		}
		for i := 1; i < len(rest); i++ {
			if !isDigit(rest[i]) {
				return f, false
			}
		}
		f.frac = rest[1:]
	}
	if f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysIn(f.year, f.month) ||
		f.hour > 23 || f.min > 59 || f.sec > 60 || f.sec == 60 && (f.hour != 23 || f.min != 59) {
		return f, false
	}
	return f, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// compareTimestamps compares two valid timestamps exactly, including
// sub-second digits beyond nanoseconds: -1, 0 or +1.
func compareTimestamps(a, b string) int {
	fa, _ := parseTimestamp(a)
	fb, _ := parseTimestamp(b)
	for _, d := range [][2]int{
		{fa.year, fb.year}, {fa.month, fb.month}, {fa.day, fb.day},
		{fa.hour, fb.hour}, {fa.min, fb.min}, {fa.sec, fb.sec},
	} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	x := strings.TrimRight(fa.frac, "0")
	y := strings.TrimRight(fb.frac, "0")
	// Equal-length digit strings compare like numbers; pad the shorter.
	for len(x) < len(y) {
		x += "0"
	}
	for len(y) < len(x) {
		y += "0"
	}
	return strings.Compare(x, y)
}
