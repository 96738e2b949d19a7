package pattern

import (
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Pattern is a parsed STIX pattern (a Pattern Expression, section 9.4).
type Pattern struct {
	// Expr is the root observation expression.
	Expr ObservationExpr
}

// ObservationExpr is an Observation Expression (section 9.5): an
// *Observation, a *CompoundObservation or a *QualifiedObservation.
type ObservationExpr interface {
	fmt.Stringer
	isObservationExpr()
}

// Observation is one bracketed observation expression, "[ ... ]", which
// matches a single Observation.
type Observation struct {
	// Expr is the comparison expression between the brackets.
	Expr ComparisonExpr
}

// ObservationOperator is an Observation Operator (section 9.5.2).
type ObservationOperator int

// The observation operators, in increasing order of precedence.
const (
	ObsFollowedBy ObservationOperator = iota + 1
	ObsOr
	ObsAnd
)

// String returns the operator's keyword.
func (op ObservationOperator) String() string {
	switch op {
	case ObsFollowedBy:
		return "FOLLOWEDBY"
	case ObsOr:
		return "OR"
	case ObsAnd:
		return "AND"
	}
	return "ObservationOperator(" + strconv.Itoa(int(op)) + ")"
}

// CompoundObservation is two or more observation expressions joined by one
// observation operator, evaluated left to right. A chain such as
// "[a] AND [b] AND [c]" is one node with three operands; a parenthesised
// operand of the same operator stays a nested node.
type CompoundObservation struct {
	Op       ObservationOperator
	Operands []ObservationExpr
}

// QualifiedObservation is an observation expression followed by one or more
// qualifiers (section 9.5.1), in the order written. It holds at most one
// qualifier of each kind.
type QualifiedObservation struct {
	Expr       ObservationExpr
	Qualifiers []Qualifier
}

// Qualifier is an Observation Expression Qualifier (section 9.5.1): a
// Within, a Repeats or a StartStop.
type Qualifier interface {
	fmt.Stringer
	isQualifier()
}

// Within is the qualifier "WITHIN x SECONDS"; Seconds is positive.
type Within struct {
	Seconds float64
}

// Repeats is the qualifier "REPEATS x TIMES"; Times is positive.
type Repeats struct {
	Times int64
}

// StartStop is the qualifier "START x STOP y"; Start is earlier than Stop.
type StartStop struct {
	Start, Stop TimestampConst
}

// ComparisonExpr is a comparison expression inside an observation
// expression (section 9.6): a *BooleanExpr or a *Comparison.
type ComparisonExpr interface {
	fmt.Stringer
	isComparisonExpr()
}

// BooleanOperator is a Boolean Operator joining comparison expressions
// (section 9.6).
type BooleanOperator int

// The boolean operators, in increasing order of precedence.
const (
	BoolOr BooleanOperator = iota + 1
	BoolAnd
)

// String returns the operator's keyword.
func (op BooleanOperator) String() string {
	switch op {
	case BoolOr:
		return "OR"
	case BoolAnd:
		return "AND"
	}
	return "BooleanOperator(" + strconv.Itoa(int(op)) + ")"
}

// BooleanExpr is two or more comparison expressions joined by one boolean
// operator. As with CompoundObservation, a chain is one node and a
// parenthesised operand of the same operator stays a nested node.
type BooleanExpr struct {
	Op       BooleanOperator
	Operands []ComparisonExpr
}

// ComparisonOperator is a Comparison Operator (section 9.6.1).
type ComparisonOperator int

// The comparison operators.
const (
	OpEqual ComparisonOperator = iota + 1
	OpNotEqual
	OpGreater
	OpLess
	OpGreaterOrEqual
	OpLessOrEqual
	OpIn
	OpLike
	OpMatches
	OpIsSubset
	OpIsSuperset
	OpExists
)

var comparisonOperatorText = [...]string{
	OpEqual:          "=",
	OpNotEqual:       "!=",
	OpGreater:        ">",
	OpLess:           "<",
	OpGreaterOrEqual: ">=",
	OpLessOrEqual:    "<=",
	OpIn:             "IN",
	OpLike:           "LIKE",
	OpMatches:        "MATCHES",
	OpIsSubset:       "ISSUBSET",
	OpIsSuperset:     "ISSUPERSET",
	OpExists:         "EXISTS",
}

// String returns the operator as written in a pattern.
func (op ComparisonOperator) String() string {
	if op > 0 && int(op) < len(comparisonOperatorText) {
		return comparisonOperatorText[op]
	}
	return "ComparisonOperator(" + strconv.Itoa(int(op)) + ")"
}

// Comparison is a single Comparison Expression: an object path compared with
// a constant, or "EXISTS path".
type Comparison struct {
	Path ObjectPath
	// Negated is true when the operator is preceded by NOT.
	Negated bool
	Op      ComparisonOperator
	// Value is the constant compared with; nil for OpExists, a SetConst for
	// OpIn.
	Value Constant
}

// ObjectPath is an Object Path (section 9.7): an SCO type and the steps
// through its properties, e.g. file:extensions.'windows-pebinary-ext'.sections[*].entropy.
type ObjectPath struct {
	ObjectType string
	// Steps has at least one element and the first is a StepProperty.
	Steps []PathStep
}

// StepKind tells what a PathStep selects.
type StepKind int

// The kinds of path step.
const (
	// StepProperty selects a property or dictionary key, PathStep.Name.
	StepProperty StepKind = iota + 1
	// StepIndex selects the list item PathStep.Index ("[0]").
	StepIndex
	// StepAnyIndex selects every list item ("[*]").
	StepAnyIndex
)

// PathStep is one step of an object path.
type PathStep struct {
	Kind  StepKind
	Name  string // for StepProperty
	Index int64  // for StepIndex; not negative
}

// Constant is a constant operand of a comparison (section 9.2): StringConst,
// IntConst, FloatConst, BoolConst, HexConst, BinaryConst, TimestampConst or,
// for IN, SetConst.
type Constant interface {
	fmt.Stringer
	isConstant()
}

// StringConst is a string constant, 'text', holding the unescaped text.
type StringConst string

// IntConst is an integer constant, within [-(2^53)+1, 2^53-1].
type IntConst int64

// FloatConst is a floating-point constant such as 7.0; it is finite.
type FloatConst float64

// BoolConst is a boolean constant, true or false.
type BoolConst bool

// HexConst is a hex constant, h'ffd8', holding the decoded octets.
type HexConst []byte

// BinaryConst is a binary constant, b'ABI=', holding the decoded octets.
type BinaryConst []byte

// TimestampConst is a timestamp constant, t'2014-01-13T07:03:17Z', holding
// the text between the apostrophes, a valid YYYY-MM-DDTHH:mm:ss[.s+]Z
// timestamp (section 2.16).
type TimestampConst string

// SetConst is the set of constants after IN, "('a', 'b')". Its members are
// of one data type (integers and floats count as one) and are never sets.
type SetConst []Constant

func (*Observation) isObservationExpr()          {}
func (*CompoundObservation) isObservationExpr()  {}
func (*QualifiedObservation) isObservationExpr() {}

func (Within) isQualifier()    {}
func (Repeats) isQualifier()   {}
func (StartStop) isQualifier() {}

func (*BooleanExpr) isComparisonExpr() {}
func (*Comparison) isComparisonExpr()  {}

func (StringConst) isConstant()    {}
func (IntConst) isConstant()       {}
func (FloatConst) isConstant()     {}
func (BoolConst) isConstant()      {}
func (HexConst) isConstant()       {}
func (BinaryConst) isConstant()    {}
func (TimestampConst) isConstant() {}
func (SetConst) isConstant()       {}

// Time returns the instant the timestamp denotes, in UTC. Sub-second digits
// beyond nanoseconds are truncated, and a leap second (:60) is the first
// instant of the next minute.
func (t TimestampConst) Time() time.Time {
	f, ok := parseTimestamp(string(t))
	if !ok {
		return time.Time{}
	}
	ns := 0
	for i := range 9 {
		ns *= 10
		if i < len(f.frac) {
			ns += int(f.frac[i] - '0')
		}
	}
	return time.Date(f.year, time.Month(f.month), f.day, f.hour, f.min, f.sec, ns, time.UTC)
}

// ObjectTypes returns the distinct SCO types that the pattern's object paths
// start from (e.g. "file", "ipv4-addr"), sorted. Types reached by
// dereferencing a _ref property are not included.
func (p *Pattern) ObjectTypes() []string {
	var types []string
	for c := range p.Comparisons() {
		types = append(types, c.Path.ObjectType)
	}
	slices.Sort(types)
	return slices.Compact(types)
}

// Comparisons returns an iterator over the pattern's comparisons, in the
// order they are written.
func (p *Pattern) Comparisons() iter.Seq[*Comparison] {
	return func(yield func(*Comparison) bool) {
		if p != nil && p.Expr != nil {
			walkObservation(p.Expr, yield)
		}
	}
}

func walkObservation(e ObservationExpr, yield func(*Comparison) bool) bool {
	switch e := e.(type) {
	case *Observation:
		return walkComparison(e.Expr, yield)
	case *CompoundObservation:
		for _, o := range e.Operands {
			if !walkObservation(o, yield) {
				return false
			}
		}
	case *QualifiedObservation:
		return walkObservation(e.Expr, yield)
	}
	return true
}

func walkComparison(e ComparisonExpr, yield func(*Comparison) bool) bool {
	switch e := e.(type) {
	case *Comparison:
		return yield(e)
	case *BooleanExpr:
		for _, o := range e.Operands {
			if !walkComparison(o, yield) {
				return false
			}
		}
	}
	return true
}

// String renders the pattern in canonical form: one space around operators
// and keywords, no space inside brackets, parentheses only where the tree
// needs them, and constants in their shortest standard spelling. The result
// parses back to an equal Pattern.
func (p *Pattern) String() string {
	if p == nil || p.Expr == nil {
		return ""
	}
	return p.Expr.String()
}

// String renders the observation expression in canonical form.
func (o *Observation) String() string {
	var b strings.Builder
	writeObservation(&b, o)
	return b.String()
}

// String renders the observation expression in canonical form.
func (c *CompoundObservation) String() string {
	var b strings.Builder
	writeObservation(&b, c)
	return b.String()
}

// String renders the observation expression in canonical form.
func (q *QualifiedObservation) String() string {
	var b strings.Builder
	writeObservation(&b, q)
	return b.String()
}

// String renders the qualifier, e.g. "WITHIN 300 SECONDS".
func (w Within) String() string {
	s := strconv.FormatFloat(w.Seconds, 'f', -1, 64)
	if w.Seconds > maxInt && !strings.Contains(s, ".") {
		s += ".0" // too large for an integer constant: write a float
	}
	return "WITHIN " + s + " SECONDS"
}

// String renders the qualifier, e.g. "REPEATS 5 TIMES".
func (r Repeats) String() string {
	return "REPEATS " + strconv.FormatInt(r.Times, 10) + " TIMES"
}

// String renders the qualifier, e.g. "START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'".
func (s StartStop) String() string {
	return "START " + s.Start.String() + " STOP " + s.Stop.String()
}

// String renders the comparison expression in canonical form.
func (e *BooleanExpr) String() string {
	var b strings.Builder
	writeComparisonExpr(&b, e)
	return b.String()
}

// String renders the comparison in canonical form, e.g. "file:size > 256".
func (c *Comparison) String() string {
	var b strings.Builder
	writeComparisonExpr(&b, c)
	return b.String()
}

// String renders the object path, quoting names that need it.
func (p ObjectPath) String() string {
	var b strings.Builder
	writePath(&b, p)
	return b.String()
}

// String renders the constant as a pattern string literal.
func (s StringConst) String() string { return quote(string(s)) }

// String renders the integer in decimal.
func (i IntConst) String() string { return strconv.FormatInt(int64(i), 10) }

// String renders the float in decimal with at least one fractional digit,
// so that it reads back as a float.
func (f FloatConst) String() string {
	if f == 0 {
		return "0.0" // also for -0
	}
	s := strconv.FormatFloat(float64(f), 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// String renders true or false.
func (v BoolConst) String() string { return strconv.FormatBool(bool(v)) }

// String renders the octets as h'…' with lower-case hex digits.
func (h HexConst) String() string { return "h'" + hexString(h) + "'" }

// String renders the octets as b'…' in padded standard base64.
func (v BinaryConst) String() string { return "b'" + base64String(v) + "'" }

// String renders the timestamp as t'…'.
func (t TimestampConst) String() string { return "t'" + string(t) + "'" }

// String renders the set as "(a, b, …)".
func (s SetConst) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, c := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.String())
	}
	b.WriteByte(')')
	return b.String()
}
