package pattern

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// writeObservation writes e in canonical form. An operand is put in
// parentheses when it is a compound whose operator binds no tighter than its
// parent's: needed for a looser operator, and for the same operator it keeps
// the nesting the tree has (the parser builds one node per unparenthesised
// chain).
func writeObservation(b *strings.Builder, e ObservationExpr) {
	switch e := e.(type) {
	case *Observation:
		b.WriteByte('[')
		writeComparisonExpr(b, e.Expr)
		b.WriteByte(']')
	case *CompoundObservation:
		for i, o := range e.Operands {
			if i > 0 {
				b.WriteByte(' ')
				b.WriteString(e.Op.String())
				b.WriteByte(' ')
			}
			c, ok := o.(*CompoundObservation)
			if ok && c.Op <= e.Op {
				b.WriteByte('(')
				writeObservation(b, o)
				b.WriteByte(')')
			} else {
				writeObservation(b, o)
			}
		}
	case *QualifiedObservation:
		if _, ok := e.Expr.(*Observation); ok {
			writeObservation(b, e.Expr)
		} else {
			b.WriteByte('(')
			writeObservation(b, e.Expr)
			b.WriteByte(')')
		}
		for _, q := range e.Qualifiers {
			b.WriteByte(' ')
			b.WriteString(q.String())
		}
	case nil:
		// Only reachable for a hand-built tree; write nothing.
	default:
		b.WriteString(e.String())
	}
}

// writeComparisonExpr writes e in canonical form, with the same parenthesis
// rule as writeObservation.
func writeComparisonExpr(b *strings.Builder, e ComparisonExpr) {
	switch e := e.(type) {
	case *BooleanExpr:
		for i, o := range e.Operands {
			if i > 0 {
				b.WriteByte(' ')
				b.WriteString(e.Op.String())
				b.WriteByte(' ')
			}
			c, ok := o.(*BooleanExpr)
			if ok && c.Op <= e.Op {
				b.WriteByte('(')
				writeComparisonExpr(b, o)
				b.WriteByte(')')
			} else {
				writeComparisonExpr(b, o)
			}
		}
	case *Comparison:
		if e.Op == OpExists {
			if e.Negated {
				b.WriteString("NOT ")
			}
			b.WriteString("EXISTS ")
			writePath(b, e.Path)
			return
		}
		writePath(b, e.Path)
		if e.Negated {
			b.WriteString(" NOT")
		}
		b.WriteByte(' ')
		b.WriteString(e.Op.String())
		b.WriteByte(' ')
		if e.Value != nil {
			b.WriteString(e.Value.String())
		}
	case nil:
	default:
		b.WriteString(e.String())
	}
}

// writePath writes p, quoting the names that are not plain identifiers.
func writePath(b *strings.Builder, p ObjectPath) {
	b.WriteString(p.ObjectType)
	b.WriteByte(':')
	for i, s := range p.Steps {
		switch s.Kind {
		case StepProperty:
			if i > 0 {
				b.WriteByte('.')
			}
			if isPlainName(s.Name) {
				b.WriteString(s.Name)
			} else {
				b.WriteString(quote(s.Name))
			}
		case StepIndex:
			b.WriteByte('[')
			b.WriteString(strconv.FormatInt(s.Index, 10))
			b.WriteByte(']')
		case StepAnyIndex:
			b.WriteString("[*]")
		}
	}
}

// isPlainName reports whether a property name can be written without
// apostrophes: an ASCII letter or underscore followed by letters, digits and
// underscores.
func isPlainName(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentStart(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// quote returns s as a string constant: in apostrophes, with ' and \
// escaped by a backslash (section 9.2).
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}

func hexString(p []byte) string    { return hex.EncodeToString(p) }
func base64String(p []byte) string { return base64.StdEncoding.EncodeToString(p) }
