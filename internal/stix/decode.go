package stix

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth bounds how deeply JSON objects and arrays may nest in one STIX
// object (the object itself is depth 1). The deepest structures STIX 2.1
// defines (an email-message body part inside an extension, a granular
// marking selector's target) stay well below it.
const MaxDepth = 32

// decodeObject decodes raw, which must be exactly one JSON object (RFC 8259
// with the restrictions of I-JSON, RFC 7493, which STIX 2.1 §1.2.10 names),
// into map[string]any with numbers as json.Number. Unlike encoding/json it
// refuses duplicate keys (json.Unmarshal keeps the last value: RFC 7493
// §2.3, STIX 2.1 §2.3), escapes of unpaired surrogates (json.Unmarshal
// makes them U+FFFD: RFC 7493 §2.1), invalid UTF-8, nesting deeper than
// MaxDepth and data after the object.
func decodeObject(raw []byte) (map[string]any, error) {
	if !utf8.Valid(raw) {
		return nil, errors.New("not valid JSON: not UTF-8")
	}
	d := &decoder{b: raw}
	d.space()
	if d.i < len(d.b) && d.b[d.i] != '{' {
		if json.Valid(raw) {
			return nil, errors.New("not a JSON object")
		}
	}
	if err := d.expect('{'); err != nil {
		return nil, err
	}
	m, err := d.object(1)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.i != len(d.b) {
		return nil, errors.New("not valid JSON: data after the object")
	}
	return m, nil
}

// decoder is a recursive-descent JSON parser over a byte slice.
type decoder struct {
	b    []byte
	i    int
	path []string // for messages: the keys and indexes leading to the value being read
}

func (d *decoder) where() string { return joinPath(d.path) }

func (d *decoder) syntax() error {
	if d.i >= len(d.b) {
		return errors.New("not valid JSON: unexpected end of input")
	}
	return fmt.Errorf("not valid JSON: unexpected %q at byte %d", d.b[d.i], d.i)
}

func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// expect consumes c after optional white space.
func (d *decoder) expect(c byte) error {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != c {
		return d.syntax()
	}
	d.i++
	return nil
}

func (d *decoder) value(depth int) (any, error) {
	d.space()
	if d.i >= len(d.b) {
		return nil, d.syntax()
	}
	switch c := d.b[d.i]; {
	case c == '{' || c == '[':
		if depth > MaxDepth {
			return nil, fmt.Errorf("%s: nested more than %d levels deep", d.where(), MaxDepth)
		}
		d.i++
		if c == '{' {
			return d.object(depth)
		}
		return d.array(depth)
	case c == '"':
		return d.string()
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, d.syntax()
}

func (d *decoder) literal(word string) error {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return d.syntax()
	}
	d.i += len(word)
	return nil
}

// object reads the members of an object whose '{' has been read.
func (d *decoder) object(depth int) (map[string]any, error) {
	m := map[string]any{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return m, nil
	}
	for {
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, d.syntax()
		}
		key, err := d.string()
		if err != nil {
			return nil, err
		}
		if _, dup := m[key]; dup {
			if len(d.path) == 0 {
				return nil, fmt.Errorf("duplicate property %q", key)
			}
			return nil, fmt.Errorf("%s: duplicate key %q", d.where(), key)
		}
		if err := d.expect(':'); err != nil {
			return nil, err
		}
		d.path = append(d.path, key)
		v, err := d.value(depth + 1)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return nil, err
		}
		m[key] = v
		d.space()
		if d.i < len(d.b) && d.b[d.i] == ',' {
			d.i++
			continue
		}
		if err := d.expect('}'); err != nil {
			return nil, err
		}
		return m, nil
	}
}

// array reads the elements of an array whose '[' has been read.
func (d *decoder) array(depth int) ([]any, error) {
	a := []any{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return a, nil
	}
	for {
		d.path = append(d.path, "["+strconv.Itoa(len(a))+"]")
		v, err := d.value(depth + 1)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		d.space()
		if d.i < len(d.b) && d.b[d.i] == ',' {
			d.i++
			continue
		}
		if err := d.expect(']'); err != nil {
			return nil, err
		}
		return a, nil
	}
}

// string reads a string at its opening quote.
func (d *decoder) string() (string, error) {
	d.i++
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			s := string(d.b[start:d.i])
			d.i++
			return s, nil
		case c == '\\':
			return d.escapedString(start)
		case c < 0x20:
			return "", d.syntax()
		}
		d.i++
	}
	return "", d.syntax()
}

// escapedString finishes a string that has escapes, from its first
// character at start.
func (d *decoder) escapedString(start int) (string, error) {
	buf := make([]byte, 0, d.i-start+16)
	buf = append(buf, d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return string(buf), nil
		case c < 0x20:
			return "", d.syntax()
		case c != '\\':
			buf = append(buf, c)
			d.i++
			continue
		}
		d.i++ // the backslash
		if d.i >= len(d.b) {
			return "", d.syntax()
		}
		switch e := d.b[d.i]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := d.hex4(d.i + 1)
			if !ok {
				return "", d.syntax()
			}
			d.i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := d.hex4(d.i + 3)
				if !ok || d.b[d.i+1] != '\\' || d.b[d.i+2] != 'u' {
					return "", d.unpaired()
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return "", d.unpaired()
				}
				d.i += 6
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", d.syntax()
		}
		d.i++
	}
	return "", d.syntax()
}

func (d *decoder) unpaired() error {
	return fmt.Errorf("not valid JSON: %s: escape of an unpaired UTF-16 surrogate at byte %d (RFC 7493 §2.1)", d.where(), d.i)
}

// hex4 reads four hexadecimal digits at i.
func (d *decoder) hex4(i int) (rune, bool) {
	if i+4 > len(d.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(d.b[i:i+4]), 16, 16)
	return rune(n), err == nil
}

// number reads a number (RFC 8259 §6) as written.
func (d *decoder) number() (json.Number, error) {
	start := d.i
	digits := func() int {
		n := 0
		for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.b[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.b) && d.b[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		return "", d.syntax()
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return "", d.syntax()
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return "", d.syntax()
		}
	}
	return json.Number(d.b[start:d.i]), nil
}

// joinPath writes a property path the way STIX granular-marking selectors
// do (§7.2.3.1), except that list indexes follow their list directly:
// external_references[0].source_name.
func joinPath(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 && !strings.HasPrefix(p, "[") {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}
