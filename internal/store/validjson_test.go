package store

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

var validJSONCases = []string{
	``, ` `, `1`, ` 1 `, `-`, `-0`, `-01`, `01`, `0.`, `0.5`, `.5`, `1e`, `1e+`, `1E-7`, `1e07`, `1true`,
	`true`, `tru`, `truex`, `false`, `null`, `nul`, `"`, `""`, `"\"`, `"\\"`, `"\/\b\f\n\r\t"`, `"\x"`,
	`"\u00e9"`, `"\u00G9"`, `"\u00e"`, "\"\x01\"", "\"\t\"", "\"\xff\xfe\"", `"é"`, `{}`, `[]`, `{ }`, `[ ]`,
	`{"a":1}`, `{"a" : 1 , "b":[1,2,{"c":null}]}`, `{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`, `{1:2}`, `[1,]`,
	`[,1]`, `[1 2]`, `[1,2]]`, `[[1,2]`, `{"a":1}}`, `{"a":1`, `[`, `]`, `}`, `{`, "[1,\n\t2\r]", `1 2`,
	`{"a":[{"b":{}}]}`, `[true,false,null,"x",-1.5e3]`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
}

func TestValidJSONAgreesWithEncodingJSON(t *testing.T) {
	result, err := os.ReadFile("testdata/assessment.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := append([]string{string(result), string(result[:len(result)-1]), string(result) + "x"}, validJSONCases...)
	for _, c := range cases {
		if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("validJSON(%.60q) = %v, want %v", c, got, want)
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, c := range validJSONCases {
		f.Add([]byte(c))
	}
	if result, err := os.ReadFile("testdata/assessment.json"); err == nil {
		f.Add(result)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Errorf("validJSON(%q) = %v, want %v", b, got, want)
		}
	})
}

func BenchmarkValidJSON(b *testing.B) {
	result, err := os.ReadFile("testdata/assessment.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("validJSON", func(b *testing.B) {
		b.SetBytes(int64(len(result)))
		for b.Loop() {
			validJSON(result)
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.SetBytes(int64(len(result)))
		for b.Loop() {
			json.Valid(result)
		}
	})
}
