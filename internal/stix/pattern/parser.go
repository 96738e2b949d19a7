package pattern

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on the input, which bound the parser's time, memory and stack.
const (
	// MaxLength is the longest pattern Parse accepts, in bytes (64 KiB).
	MaxLength = 64 << 10
	// MaxDepth is the deepest nesting of brackets and parentheses Parse
	// accepts.
	MaxDepth = 100
)

// SyntaxError reports a pattern that is not valid STIX 2.1.
type SyntaxError struct {
	// Offset is the byte offset in the pattern where the problem was found.
	Offset int
	// Msg says what was expected and what was found.
	Msg string
}

// Error returns "stix pattern: offset N: msg".
func (e *SyntaxError) Error() string {
	return "stix pattern: offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// Parse parses and validates a STIX 2.1 pattern. Any error is a
// *SyntaxError giving the byte offset of the problem and a message naming
// what was expected and what was found.
func Parse(s string) (pat *Pattern, err error) {
	if len(s) > MaxLength {
		return nil, &SyntaxError{Offset: MaxLength, Msg: fmt.Sprintf("pattern is %d bytes long; the limit is %d bytes", len(s), MaxLength)}
	}
	if !utf8.ValidString(s) {
		off := 0
		for off < len(s) {
			r, n := utf8.DecodeRuneInString(s[off:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			off += n
		}
		return nil, &SyntaxError{Offset: off, Msg: "invalid UTF-8: a pattern must be a Unicode string (§9.4)"}
	}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*SyntaxError)
			if !ok {
				panic(r)
			}
			pat, err = nil, se
		}
	}()
	p := &parser{lex: lexer{src: s}}
	p.advance()
	if p.tok.kind == tokEOF {
		p.fail(p.tok.pos, "empty pattern: a pattern needs at least one observation expression, such as [file:name = 'foo.dll'] (§9.4)")
	}
	expr := p.parseObservation(ObsFollowedBy)
	if p.tok.kind != tokEOF {
		p.fail(p.tok.pos, "expected AND, OR, FOLLOWEDBY, WITHIN, REPEATS, START or end of pattern, found %s", p.found())
	}
	return &Pattern{Expr: expr}, nil
}

// parser is a recursive-descent parser over the lexer's tokens. Errors
// panic with a *SyntaxError, recovered by Parse.
type parser struct {
	lex   lexer
	tok   token   // current token
	ahead []token // tokens read past tok, for peek
	depth int     // nesting of brackets and parentheses
}

func (p *parser) fail(pos int, format string, args ...any) {
	panic(&SyntaxError{Offset: pos, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) advance() {
	if len(p.ahead) > 0 {
		p.tok = p.ahead[0]
		p.ahead = p.ahead[1:]
		return
	}
	p.tok = p.lex.next()
}

// peek returns the token after the current one.
func (p *parser) peek() token {
	if len(p.ahead) == 0 {
		p.ahead = append(p.ahead, p.lex.next())
	}
	return p.ahead[0]
}

func (p *parser) isKeyword(kw string) bool {
	return p.tok.kind == tokIdent && p.tok.text == kw
}

var keywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "FOLLOWEDBY": true, "LIKE": true,
	"MATCHES": true, "ISSUBSET": true, "ISSUPERSET": true, "EXISTS": true,
	"IN": true, "WITHIN": true, "SECONDS": true, "REPEATS": true,
	"TIMES": true, "START": true, "STOP": true,
}

// found describes the current token for an error message, with a hint when
// it is a keyword or boolean in the wrong case.
func (p *parser) found() string {
	d := p.tok.describe()
	if p.tok.kind != tokIdent {
		return d
	}
	switch up := strings.ToUpper(p.tok.text); {
	case keywords[up] && up != p.tok.text:
		return d + " (keywords are upper case: " + up + ")"
	case (up == "TRUE" || up == "FALSE") && p.tok.text != strings.ToLower(up):
		return d + " (booleans are written true and false)"
	}
	return d
}

// enter and leave track the nesting of brackets and parentheses.
func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.fail(p.tok.pos, "brackets and parentheses are nested more than %d levels deep", MaxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// parseObservation parses a chain of observation expressions joined by op,
// or by operators that bind tighter (obs-followedby, obs-or, obs-and).
func (p *parser) parseObservation(op ObservationOperator) ObservationExpr {
	operand := func() ObservationExpr {
		if op == ObsAnd {
			return p.parseQualified()
		}
		return p.parseObservation(op + 1)
	}
	first := operand()
	if !p.isKeyword(op.String()) {
		return first
	}
	operands := []ObservationExpr{first}
	for p.isKeyword(op.String()) {
		p.advance()
		operands = append(operands, operand())
	}
	return &CompoundObservation{Op: op, Operands: operands}
}

// parseQualified parses an observation atom and the qualifiers after it.
func (p *parser) parseQualified() ObservationExpr {
	expr := p.parseObservationAtom()
	var quals []Qualifier
	var seen [3]bool // WITHIN, REPEATS, START/STOP
	once := func(i int, kw string) {
		if seen[i] {
			p.fail(p.tok.pos, "duplicate %s qualifier: an observation expression may have at most one qualifier of each kind (§9.5.1)", kw)
		}
		seen[i] = true
	}
	for {
		switch {
		case p.isKeyword("WITHIN"):
			once(0, "WITHIN")
			quals = append(quals, p.parseWithin())
		case p.isKeyword("REPEATS"):
			once(1, "REPEATS")
			quals = append(quals, p.parseRepeats())
		case p.isKeyword("START"):
			once(2, "START/STOP")
			quals = append(quals, p.parseStartStop())
		case p.isKeyword("STOP"):
			p.fail(p.tok.pos, "STOP without START: the qualifier is START t'…' STOP t'…' (§9.5.1)")
		default:
			if quals == nil {
				return expr
			}
			return &QualifiedObservation{Expr: expr, Qualifiers: quals}
		}
	}
}

func (p *parser) parseWithin() Qualifier {
	p.advance()
	var secs float64
	switch p.tok.kind {
	case tokInt:
		secs = float64(p.tok.num)
	case tokFloat:
		secs = p.tok.flt
	default:
		p.fail(p.tok.pos, "expected a number of seconds after WITHIN, found %s", p.found())
	}
	if secs <= 0 {
		p.fail(p.tok.pos, "WITHIN needs a positive number of seconds, found %s (§9.5.1)", p.tok.text)
	}
	p.advance()
	if !p.isKeyword("SECONDS") {
		hint := ""
		if p.tok.kind == tokIdent && !keywords[strings.ToUpper(p.tok.text)] {
			hint = " (the only unit is SECONDS)"
		}
		p.fail(p.tok.pos, "expected SECONDS after WITHIN %s, found %s%s", strconv.FormatFloat(secs, 'f', -1, 64), p.found(), hint)
	}
	p.advance()
	return Within{Seconds: secs}
}

func (p *parser) parseRepeats() Qualifier {
	p.advance()
	if p.tok.kind != tokInt && p.tok.kind != tokFloat {
		p.fail(p.tok.pos, "expected a positive integer after REPEATS, found %s", p.found())
	}
	if p.tok.kind == tokFloat || p.tok.num <= 0 {
		p.fail(p.tok.pos, "REPEATS needs a positive integer, found %s (§9.5.1)", p.tok.text)
	}
	n := p.tok.num
	p.advance()
	if !p.isKeyword("TIMES") {
		p.fail(p.tok.pos, "expected TIMES after REPEATS %d, found %s", n, p.found())
	}
	p.advance()
	return Repeats{Times: n}
}

func (p *parser) parseStartStop() Qualifier {
	p.advance()
	if p.tok.kind != tokTimestamp {
		p.fail(p.tok.pos, "expected a timestamp constant such as t'2016-06-01T00:00:00Z' after START, found %s", p.found())
	}
	start := TimestampConst(p.tok.text)
	p.advance()
	if !p.isKeyword("STOP") {
		p.fail(p.tok.pos, "expected STOP after START %s, found %s", start, p.found())
	}
	p.advance()
	if p.tok.kind != tokTimestamp {
		p.fail(p.tok.pos, "expected a timestamp constant such as t'2016-07-01T00:00:00Z' after STOP, found %s", p.found())
	}
	stop := TimestampConst(p.tok.text)
	if compareTimestamps(string(start), string(stop)) >= 0 {
		p.fail(p.tok.pos, "START %s must be earlier than STOP %s (§9.5.1)", start, stop)
	}
	p.advance()
	return StartStop{Start: start, Stop: stop}
}

// parseObservationAtom parses "[ comparison ]" or "( observation )".
func (p *parser) parseObservationAtom() ObservationExpr {
	switch p.tok.kind {
	case tokLBracket:
		p.enter()
		p.advance()
		if p.tok.kind == tokRBracket {
			p.fail(p.tok.pos, "empty observation expression: expected a comparison expression such as file:name = 'foo.dll', found ']'")
		}
		c, _ := p.parseComparisonOr()
		if p.tok.kind != tokRBracket {
			p.fail(p.tok.pos, "expected AND, OR or ']' after comparison expression, found %s", p.found())
		}
		p.advance()
		p.leave()
		return &Observation{Expr: c}
	case tokLParen:
		p.enter()
		p.advance()
		e := p.parseObservation(ObsFollowedBy)
		if p.tok.kind != tokRParen {
			p.fail(p.tok.pos, "expected AND, OR, FOLLOWEDBY, WITHIN, REPEATS, START or ')', found %s", p.found())
		}
		p.advance()
		p.leave()
		return e
	}
	if p.tok.kind == tokIdent && p.peek().kind == tokColon {
		p.fail(p.tok.pos, "expected '[' or '(' to start an observation expression, found %s (comparison expressions go inside square brackets)", p.found())
	}
	p.fail(p.tok.pos, "expected '[' or '(' to start an observation expression, found %s", p.found())
	panic("unreachable")
}

// The comparison parsers return, with each expression, the sorted distinct
// object types of its object paths, to check that AND joins comparisons on
// one type only (section 9.5).

func (p *parser) parseComparisonOr() (ComparisonExpr, []string) {
	first, types := p.parseComparisonAnd()
	if !p.isKeyword("OR") {
		return first, types
	}
	operands := []ComparisonExpr{first}
	for p.isKeyword("OR") {
		p.advance()
		e, t := p.parseComparisonAnd()
		operands = append(operands, e)
		for _, typ := range t {
			if i, found := slices.BinarySearch(types, typ); !found {
				types = slices.Insert(types, i, typ)
			}
		}
	}
	return &BooleanExpr{Op: BoolOr, Operands: operands}, types
}

func (p *parser) parseComparisonAnd() (ComparisonExpr, []string) {
	pos := p.tok.pos
	first, types := p.parseComparisonAtom()
	if !p.isKeyword("AND") {
		return first, types
	}
	p.checkOneType(pos, types)
	operands := []ComparisonExpr{first}
	for p.isKeyword("AND") {
		p.advance()
		pos := p.tok.pos
		e, t := p.parseComparisonAtom()
		p.checkOneType(pos, t)
		if t[0] != types[0] {
			p.fail(pos, "comparison expressions joined by AND must use one object type, found %q after %q; join comparisons on different object types with OR (§9.5)", t[0], types[0])
		}
		operands = append(operands, e)
	}
	return &BooleanExpr{Op: BoolAnd, Operands: operands}, types
}

// checkOneType fails when an operand of AND, starting at pos, refers to
// more than one object type.
func (p *parser) checkOneType(pos int, types []string) {
	if len(types) > 1 {
		q := make([]string, len(types))
		for i, t := range types {
			q[i] = strconv.Quote(t)
		}
		p.fail(pos, "comparison expressions joined by AND must use one object type, but this operand mixes %s; join comparisons on different object types with OR (§9.5)", strings.Join(q, ", "))
	}
}

// parseComparisonAtom parses "( comparison )", "[NOT] EXISTS path" or
// "path [NOT] operator constant".
func (p *parser) parseComparisonAtom() (ComparisonExpr, []string) {
	switch {
	case p.tok.kind == tokLParen:
		p.enter()
		p.advance()
		e, types := p.parseComparisonOr()
		if p.tok.kind != tokRParen {
			p.fail(p.tok.pos, "expected AND, OR or ')' after comparison expression, found %s", p.found())
		}
		p.advance()
		p.leave()
		return e, types
	case p.isKeyword("EXISTS") && p.peek().kind != tokColon:
		p.advance()
		c := &Comparison{Path: p.parsePath("EXISTS"), Op: OpExists}
		return c, []string{c.Path.ObjectType}
	case p.isKeyword("NOT") && p.peek().kind == tokIdent && p.peek().text == "EXISTS":
		p.advance()
		p.advance()
		c := &Comparison{Path: p.parsePath("NOT EXISTS"), Negated: true, Op: OpExists}
		return c, []string{c.Path.ObjectType}
	case p.tok.kind == tokIdent && p.peek().kind == tokColon:
		c := p.parseComparison()
		return c, []string{c.Path.ObjectType}
	case p.isKeyword("NOT"):
		p.fail(p.tok.pos, "NOT goes between the object path and the operator, as in file:name NOT = 'foo.dll' (§9.6.1)")
	case p.tok.kind == tokIdent && !keywords[p.tok.text]:
		p.fail(p.tok.pos, "expected an object path such as file:name, found %s without a ':' after it", p.found())
	}
	p.fail(p.tok.pos, "expected a comparison expression (an object path such as file:name, EXISTS, or '('), found %s", p.found())
	panic("unreachable")
}

var operatorKeywords = map[string]ComparisonOperator{
	"IN": OpIn, "LIKE": OpLike, "MATCHES": OpMatches,
	"ISSUBSET": OpIsSubset, "ISSUPERSET": OpIsSuperset,
}

var operatorTokens = map[tokenKind]ComparisonOperator{
	tokEq: OpEqual, tokNeq: OpNotEqual, tokGt: OpGreater, tokLt: OpLess,
	tokGe: OpGreaterOrEqual, tokLe: OpLessOrEqual,
}

// parseComparison parses "path [NOT] operator constant".
func (p *parser) parseComparison() *Comparison {
	pathPos := p.tok.pos
	c := &Comparison{Path: p.parsePath("")}
	if p.isKeyword("NOT") {
		c.Negated = true
		p.advance()
	}
	op, ok := operatorTokens[p.tok.kind]
	if !ok && p.tok.kind == tokIdent {
		op, ok = operatorKeywords[p.tok.text]
	}
	if !ok {
		if p.isKeyword("EXISTS") {
			p.fail(p.tok.pos, "EXISTS goes before the object path, as in EXISTS %s", c.Path)
		}
		after := "object path " + c.Path.String()
		if c.Negated {
			after = "NOT"
		}
		p.fail(p.tok.pos, "expected a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET or ISSUPERSET) after %s, found %s", after, p.found())
	}
	c.Op = op
	p.advance()

	if op == OpIn {
		if p.tok.kind != tokLParen {
			p.fail(p.tok.pos, "expected a set of constants in parentheses after IN, such as ('a', 'b'), found %s", p.found())
		}
		c.Value = p.parseSet()
		return c
	}
	if p.tok.kind == tokLParen {
		p.fail(p.tok.pos, "%s takes a single constant, not a set: only IN takes a set (§9.6.1)", op)
	}
	valPos := p.tok.pos
	v, ok := p.constant()
	if !ok {
		p.fail(p.tok.pos, "expected a constant (a string, number, true, false, t'…', h'…' or b'…') after %s, found %s", op, p.found())
	}
	p.advance()
	c.Value = v
	switch op {
	case OpGreater, OpLess, OpGreaterOrEqual, OpLessOrEqual:
		if _, isBool := v.(BoolConst); isBool {
			p.fail(valPos, "%s needs an orderable constant (a number, string, timestamp, hex or binary), found boolean %s (§9.6.1)", op, v)
		}
	case OpLike, OpMatches:
		if _, isStr := v.(StringConst); !isStr {
			p.fail(valPos, "%s needs a string constant, found %s %s (§9.6.1)", op, constKind(v), v)
		}
	case OpIsSubset, OpIsSuperset:
		p.checkIPOperand(c, pathPos, valPos)
	}
	return c
}

// checkIPOperand checks ISSUBSET and ISSUPERSET: the constant is an IP
// address or CIDR string and, when the path starts at an ipv4-addr or
// ipv6-addr, the path is its value property and the address of its family
// (section 9.6.1).
func (p *parser) checkIPOperand(c *Comparison, pathPos, valPos int) {
	s, isStr := c.Value.(StringConst)
	if !isStr {
		p.fail(valPos, "%s needs a string holding an IP address or CIDR such as '198.51.100.0/24', found %s %s (§9.6.1)", c.Op, constKind(c.Value), c.Value)
	}
	var addr netip.Addr
	if strings.Contains(string(s), "/") {
		pfx, err := netip.ParsePrefix(string(s))
		if err == nil {
			addr = pfx.Addr()
		}
	} else if a, err := netip.ParseAddr(string(s)); err == nil {
		addr = a
	}
	if !addr.IsValid() || addr.Zone() != "" {
		p.fail(valPos, "%s needs an IP address or CIDR such as '198.51.100.0/24', found %s (§9.6.1)", c.Op, shorten(s.String()))
	}
	var want string
	var ok bool
	switch c.Path.ObjectType {
	case "ipv4-addr":
		want, ok = "IPv4", addr.Is4()
	case "ipv6-addr":
		want, ok = "IPv6", addr.Is6()
	default:
		return
	}
	if len(c.Path.Steps) != 1 || c.Path.Steps[0].Name != "value" {
		p.fail(pathPos, "%s on an %s must compare its value property, found %s (§9.6.1)", c.Op, c.Path.ObjectType, c.Path)
	}
	if !ok {
		p.fail(valPos, "%s %s needs an %s address or CIDR, found %s (§9.6.1)", c.Path, c.Op, want, shorten(s.String()))
	}
}

// parseSet parses "( constant, … )" after IN; the current token is '('.
// The members are constants of one data type.
func (p *parser) parseSet() SetConst {
	p.advance()
	set := SetConst{}
	if p.tok.kind == tokRParen {
		p.advance()
		return set
	}
	for {
		if p.tok.kind == tokLParen {
			p.fail(p.tok.pos, "sets cannot be nested: expected a constant, found '('")
		}
		v, ok := p.constant()
		if !ok {
			p.fail(p.tok.pos, "expected a constant in the set after IN, found %s", p.found())
		}
		if len(set) > 0 && constKind(v) != constKind(set[0]) {
			p.fail(p.tok.pos, "set members must all be of one data type: found %s %s after %s %s (§9.6.1)", constKind(v), shorten(v.String()), constKind(set[0]), shorten(set[0].String()))
		}
		set = append(set, v)
		p.advance()
		switch p.tok.kind {
		case tokComma:
			p.advance()
		case tokRParen:
			p.advance()
			return set
		default:
			p.fail(p.tok.pos, "expected ',' or ')' in the set after IN, found %s", p.found())
		}
	}
}

// constant returns the current token as a constant, without advancing.
func (p *parser) constant() (Constant, bool) {
	t := p.tok
	switch t.kind {
	case tokString:
		return StringConst(t.text), true
	case tokInt:
		return IntConst(t.num), true
	case tokFloat:
		return FloatConst(t.flt), true
	case tokHex:
		return HexConst(t.octets), true
	case tokBinary:
		return BinaryConst(t.octets), true
	case tokTimestamp:
		return TimestampConst(t.text), true
	case tokIdent:
		switch t.text {
		case "true":
			return BoolConst(true), true
		case "false":
			return BoolConst(false), true
		}
	}
	return nil, false
}

// constKind names a constant's data type; integers and floats are both
// "number".
func constKind(c Constant) string {
	switch c.(type) {
	case StringConst:
		return "string"
	case IntConst, FloatConst:
		return "number"
	case BoolConst:
		return "boolean"
	case HexConst:
		return "hex"
	case BinaryConst:
		return "binary"
	case TimestampConst:
		return "timestamp"
	case SetConst:
		return "set"
	}
	return "constant"
}

// parsePath parses an object path; the current token is its object type,
// followed by ':'. after names what precedes the path, for messages.
func (p *parser) parsePath(after string) ObjectPath {
	if p.tok.kind != tokIdent || p.peek().kind != tokColon {
		p.fail(p.tok.pos, "expected an object path such as file:name after %s, found %s", after, p.found())
	}
	p.checkObjectType(p.tok)
	path := ObjectPath{ObjectType: p.tok.text}
	p.advance() // type
	p.advance() // ':'
	path.Steps = append(path.Steps, p.parseName("':'"))
	for {
		switch p.tok.kind {
		case tokDot:
			p.advance()
			path.Steps = append(path.Steps, p.parseName("'.'"))
		case tokLBracket:
			p.advance()
			switch {
			case p.tok.kind == tokStar:
				path.Steps = append(path.Steps, PathStep{Kind: StepAnyIndex})
			case p.tok.kind == tokInt && p.tok.num >= 0:
				path.Steps = append(path.Steps, PathStep{Kind: StepIndex, Index: p.tok.num})
			case p.tok.kind == tokInt:
				p.fail(p.tok.pos, "list index must not be negative, found %s (§9.7.2)", p.tok.text)
			default:
				p.fail(p.tok.pos, "expected a list index (an integer or *) after '[', found %s", p.found())
			}
			p.advance()
			if p.tok.kind != tokRBracket {
				p.fail(p.tok.pos, "expected ']' after list index, found %s", p.found())
			}
			p.advance()
		default:
			return path
		}
	}
}

// parseName parses a property name or dictionary key: an identifier, or a
// string constant for names that are not identifiers.
func (p *parser) parseName(after string) PathStep {
	t := p.tok
	switch t.kind {
	case tokIdent:
		if strings.Contains(t.text, "-") {
			p.fail(t.pos, "property name %s contains '-' and must be quoted: %s (§9.7)", t.text, quote(t.text))
		}
		p.advance()
		return PathStep{Kind: StepProperty, Name: t.text}
	case tokString:
		if t.text == "" {
			p.fail(t.pos, "property name must not be empty")
		}
		p.advance()
		return PathStep{Kind: StepProperty, Name: t.text}
	case tokInt, tokFloat:
		p.fail(t.pos, "expected a property name after %s, found %s (a name that starts with a digit must be quoted)", after, p.found())
	}
	p.fail(t.pos, "expected a property name after %s, found %s", after, p.found())
	panic("unreachable")
}

// checkObjectType checks an object type name against section 3.1: lower
// case, starting with a letter, 3 to 250 characters of a-z, 0-9 and '-'.
func (p *parser) checkObjectType(t token) {
	s := t.text
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', c == '-', isDigit(c):
		case 'A' <= c && c <= 'Z':
			p.fail(t.pos, "object type %q must be lower case (§3.1)", s)
		default:
			p.fail(t.pos+i, "object type %q may contain only a-z, 0-9 and '-', found %q (§3.1)", s, c)
		}
	}
	if s[0] < 'a' || s[0] > 'z' {
		p.fail(t.pos, "object type %q must start with a letter (§3.1)", s)
	}
	if len(s) < 3 || len(s) > 250 {
		p.fail(t.pos, "object type %q must be 3 to 250 characters long (§3.1)", shorten(s))
	}
}
