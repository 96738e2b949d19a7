package stix

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var decodeSeeds = []string{
	`{}`, `{"a":1}`, ` {"type":"x","n":[1,-0.5e+3,2E-2,0],"o":{"t":true,"f":false,"z":null}} `,
	`{"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"}`, `{"a":1,"a":2}`, `{"a":{"b":1,"b":1}}`,
	`{"s":"\ud800"}`, `{"s":"\udc00\ud800"}`, `{"a":[1,]}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":tru}`,
	`{"a":"b"}x`, `[1]`, `"s"`, ``, `{`, `{"a"}`, `{"a":1,}`, "{\"a\":\"\x01\"}", "{\"\xff\":1}",
	`{"d":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`,
}

// The decoder agrees with encoding/json on every input except the ones it
// refuses on purpose: duplicate keys, unpaired surrogates, invalid UTF-8
// and deep nesting.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeObject(b)
		var want any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		refErr := dec.Decode(&want)
		isObject := refErr == nil && json.Valid(b)
		if isObject {
			_, isObject = want.(map[string]any)
		}
		if err == nil {
			if !isObject {
				t.Fatalf("decodeObject accepted %q, which encoding/json does not read as one object (%v)", b, refErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decodeObject(%q) = %#v, encoding/json reads %#v", b, got, want)
			}
			return
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("message on two lines: %q", err)
		}
		if isObject {
			for _, reason := range []string{"duplicate", "unpaired UTF-16 surrogate", "not UTF-8", "nested more than"} {
				if strings.Contains(err.Error(), reason) {
					return
				}
			}
			if !utf8.Valid(b) {
				return
			}
			t.Fatalf("decodeObject(%q): %v; encoding/json reads it", b, err)
		}
	})
}

func TestDecodeObjectMessages(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1,"a":2}`:         `duplicate property "a"`,
		`{"a":[{"b":1,"b":2}]}`: `a[0]: duplicate key "b"`,
		`{"s":"\ud800x"}`:       "s: escape of an unpaired UTF-16 surrogate",
		`{"a":1} {}`:            "data after the object",
		`[1]`:                   "not a JSON object",
		`{"a":01}`:              `unexpected '1' at byte 6`,
		`{"a":`:                 "unexpected end of input",
		`{"x":` + strings.Repeat("[", 33) + strings.Repeat("]", 33) + `}`: "x" + strings.Repeat("[0]", 31) + ": nested more than 32 levels deep",
	} {
		if _, err := decodeObject([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("decodeObject(%s): %v, want %q", in, err, want)
		}
	}
	// 32 levels are allowed.
	if _, err := decodeObject([]byte(`{"x":` + strings.Repeat("[", 31) + strings.Repeat("]", 31) + `}`)); err != nil {
		t.Errorf("32 levels: %v", err)
	}
}
