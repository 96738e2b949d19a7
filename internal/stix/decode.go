package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxDepth bounds how deeply JSON objects and arrays may nest in one STIX
// object (the object itself is depth 1). The deepest structures STIX 2.1
// defines (an email-message body part inside an extension, a granular
// marking selector's target) stay well below it.
const MaxDepth = 32

// strictDecoder reads one JSON object into map[string]any (numbers as
// json.Number) and refuses what encoding/json silently accepts: duplicate
// keys, where json.Unmarshal keeps the last value (RFC 8259 §4, RFC 7493
// §2.3, STIX 2.1 §2.3), nesting deeper than MaxDepth and data after the
// object.
type strictDecoder struct {
	dec  *json.Decoder
	path []string // for messages: the keys and indexes leading to the value being read
}

// decodeObject decodes raw, which must be exactly one JSON object.
func decodeObject(raw []byte) (map[string]any, error) {
	d := &strictDecoder{dec: json.NewDecoder(bytes.NewReader(raw))}
	d.dec.UseNumber()
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.syntax(err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return nil, errors.New("not a JSON object")
	}
	m, err := d.object(1)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, errors.New("not valid JSON: data after the object")
	}
	return m, nil
}

func (d *strictDecoder) syntax(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not valid JSON: %s (at byte %d)", strings.TrimPrefix(se.Error(), "json: "), se.Offset)
	}
	return fmt.Errorf("not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func (d *strictDecoder) where() string { return joinPath(d.path) }

func (d *strictDecoder) value(tok json.Token, depth int) (any, error) {
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, json.Number, bool or nil
	}
	if depth > MaxDepth {
		return nil, fmt.Errorf("%s: nested more than %d levels deep", d.where(), MaxDepth)
	}
	if delim == '{' {
		return d.object(depth)
	}
	return d.array(depth)
}

func (d *strictDecoder) object(depth int) (map[string]any, error) {
	m := map[string]any{}
	for {
		tok, err := d.dec.Token()
		if err != nil {
			return nil, d.syntax(err)
		}
		if delim, ok := tok.(json.Delim); ok && delim == '}' {
			return m, nil
		}
		key, _ := tok.(string) // the decoder only returns strings in key position
		if _, dup := m[key]; dup {
			if len(d.path) == 0 {
				return nil, fmt.Errorf("duplicate property %q", key)
			}
			return nil, fmt.Errorf("%s: duplicate key %q", d.where(), key)
		}
		if tok, err = d.dec.Token(); err != nil {
			return nil, d.syntax(err)
		}
		d.path = append(d.path, key)
		v, err := d.value(tok, depth+1)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return nil, err
		}
		m[key] = v
	}
}

func (d *strictDecoder) array(depth int) ([]any, error) {
	a := []any{}
	for {
		tok, err := d.dec.Token()
		if err != nil {
			return nil, d.syntax(err)
		}
		if delim, ok := tok.(json.Delim); ok && delim == ']' {
			return a, nil
		}
		d.path = append(d.path, "["+strconv.Itoa(len(a))+"]")
		v, err := d.value(tok, depth+1)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
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
