package vocab

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestNewSetRejects(t *testing.T) {
	ok := func(code string) Entry { return Entry{Code: code, Label: strings.ToUpper(code)} }
	child := func(code, parent string) Entry { e := ok(code); e.Parent = parent; return e }
	valid := Vocabulary{Name: "a", Title: "A", Source: "test", Entries: []Entry{ok("x")}}
	tests := []struct {
		name string
		vs   []Vocabulary
		want string // substring of the error
	}{
		{"duplicate name", []Vocabulary{valid, valid}, `duplicate vocabulary name "a"`},
		{"empty name", []Vocabulary{{Name: "", Entries: []Entry{ok("x")}}}, "name must be non-empty"},
		{"name not URL-safe", []Vocabulary{{Name: "a/b", Entries: []Entry{ok("x")}}}, "name must be non-empty"},
		{"upper-case name", []Vocabulary{{Name: "RSIT", Entries: []Entry{ok("x")}}}, "name must be non-empty"},
		{"dot-dot name", []Vocabulary{{Name: "..", Entries: []Entry{ok("x")}}}, "name must be non-empty"},
		{"empty code", []Vocabulary{{Name: "a", Entries: []Entry{ok("x"), {Label: "L"}}}}, "entry 1: empty code"},
		{"empty label", []Vocabulary{{Name: "a", Entries: []Entry{{Code: "x"}}}}, `entry "x": empty label`},
		{"duplicate code", []Vocabulary{{Name: "a", Entries: []Entry{ok("x"), ok("y"), ok("x")}}}, `duplicate code "x"`},
		{"missing parent", []Vocabulary{{Name: "a", Entries: []Entry{ok("x"), child("y", "z")}}}, `entry "y": parent "z" is not a code`},
		{"parent in other vocabulary", []Vocabulary{valid, {Name: "b", Entries: []Entry{child("y", "x")}}}, `entry "y": parent "x" is not a code`},
		{"self parent", []Vocabulary{{Name: "a", Entries: []Entry{child("x", "x")}}}, `entry "x": parents form a cycle`},
		{"parent cycle", []Vocabulary{{Name: "a", Entries: []Entry{child("x", "y"), child("y", "x")}}}, "parents form a cycle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSet(tt.vs...)
			if err == nil {
				t.Fatalf("NewSet: got set with %v, want error containing %q", s.Names(), tt.want)
			}
			if !errors.Is(err, ErrInvalidVocabulary) {
				t.Errorf("NewSet: got error %v, want it to wrap ErrInvalidVocabulary", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewSet: got error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestNewSetAccepts(t *testing.T) {
	tests := []struct {
		name string
		vs   []Vocabulary
	}{
		{"none", nil},
		{"empty vocabulary", []Vocabulary{{Name: "empty"}}},
		{"tree", []Vocabulary{{Name: "t", Entries: []Entry{
			{Code: "a", Label: "A"},
			{Code: "a/b", Label: "B", Parent: "a"},
			{Code: "a/b/c", Label: "C", Parent: "a/b"},
		}}}},
		{"child before parent", []Vocabulary{{Name: "t", Entries: []Entry{
			{Code: "c", Label: "C", Parent: "p"},
			{Code: "p", Label: "P"},
		}}}},
		{"same code in two vocabularies", []Vocabulary{
			{Name: "x", Entries: []Entry{{Code: "red", Label: "Red"}}},
			{Name: "y", Entries: []Entry{{Code: "red", Label: "Red"}}},
		}},
		{"builtin", Builtin()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewSet(tt.vs...); err != nil {
				t.Errorf("NewSet: got error %v, want nil", err)
			}
		})
	}
}

func TestSetGetAndNames(t *testing.T) {
	s, err := NewSet(Builtin()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"incident-kinds",
		"nis-cg-impact-outlook",
		"nis-cg-impact-severity",
		"nis-cg-root-cause",
		"nis-cg-threat-severity",
		"rsit",
		"tlp",
	}
	if got := s.Names(); !slices.Equal(got, want) {
		t.Errorf("Names: got %v, want %v", got, want)
	}
	for _, name := range want {
		v, ok := s.Get(name)
		if !ok {
			t.Errorf("Get(%q): got not found, want found", name)
			continue
		}
		if v.Name != name {
			t.Errorf("Get(%q).Name: got %q, want %q", name, v.Name, name)
		}
		if v.Title == "" || v.Source == "" || len(v.Entries) == 0 {
			t.Errorf("Get(%q): got title %q, source %q, %d entries; want all set", name, v.Title, v.Source, len(v.Entries))
		}
	}
	if _, ok := s.Get("nope"); ok {
		t.Errorf("Get(%q): got found, want not found", "nope")
	}
}

func TestSetIsImmutable(t *testing.T) {
	in := Vocabulary{Name: "v", Title: "V", Source: "test", Entries: []Entry{
		{Code: "a", Label: "A", Attributes: map[string]string{"k": "orig"}},
	}}
	s, err := NewSet(in)
	if err != nil {
		t.Fatal(err)
	}
	// Changing the input after NewSet must not reach the set.
	in.Entries[0].Label = "changed"
	in.Entries[0].Attributes["k"] = "changed"
	// Nor may changing what Get and Names return.
	got, _ := s.Get("v")
	got.Entries[0].Code = "changed"
	got.Entries[0].Attributes["k"] = "changed"
	s.Names()[0] = "changed"

	again, _ := s.Get("v")
	e := again.Entries[0]
	if e.Code != "a" || e.Label != "A" || e.Attributes["k"] != "orig" {
		t.Errorf("Get after mutations: got %+v, want code a, label A, attribute k=orig", e)
	}
	if got := s.Names(); !slices.Equal(got, []string{"v"}) {
		t.Errorf("Names after mutation: got %v, want [v]", got)
	}
}

func TestSetConcurrentReads(t *testing.T) {
	s, err := NewSet(Builtin()...)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, name := range s.Names() {
				if _, ok := s.Get(name); !ok {
					t.Errorf("Get(%q): got not found, want found", name)
				}
			}
		})
	}
	wg.Wait()
}

func TestBuiltinReturnsCopies(t *testing.T) {
	a := Builtin()
	a[0].Entries[0].Label = "changed"
	a[1].Entries[0].Attributes["colour"] = "changed"
	b := Builtin()
	if b[0].Entries[0].Label == "changed" || b[1].Entries[0].Attributes["colour"] == "changed" {
		t.Errorf("Builtin: got a shared copy, want a fresh one on every call")
	}
}

func TestVocabularyJSON(t *testing.T) {
	tests := []struct {
		name string
		v    Vocabulary
		want string
	}{
		{
			"omits empty optional fields",
			Vocabulary{Name: "n", Title: "T", Source: "S", Entries: []Entry{{Code: "c", Label: "L"}}},
			`{"name":"n","title":"T","source":"S","entries":[{"code":"c","label":"L"}]}`,
		},
		{
			"all fields",
			Vocabulary{Name: "n", Title: "T", Source: "S", Version: "1", Entries: []Entry{
				{Code: "c", Label: "L", Description: "D", Parent: "p", Attributes: map[string]string{"k": "v"}},
			}},
			`{"name":"n","title":"T","source":"S","version":"1","entries":[{"code":"c","label":"L","description":"D","parent":"p","attributes":{"k":"v"}}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("json.Marshal: got %s, want %s", b, tt.want)
			}
		})
	}
}

func TestEmptyVocabularyMarshalsEntriesAsArray(t *testing.T) {
	s, err := NewSet(Vocabulary{Name: "empty", Title: "E", Source: "S"})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := s.Get("empty")
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"entries":[]`; !strings.Contains(string(b), want) {
		t.Errorf("json.Marshal: got %s, want it to contain %s", b, want)
	}
}

func TestLookup(t *testing.T) {
	v := TLP()
	tests := []struct {
		code      string
		wantFound bool
	}{
		{"TLP:RED", true},
		{"TLP:AMBER+STRICT", true},
		{"tlp:red", false},
		{"", false},
	}
	for _, tt := range tests {
		e, ok := v.Lookup(tt.code)
		if ok != tt.wantFound {
			t.Errorf("Lookup(%q): got found=%v, want %v", tt.code, ok, tt.wantFound)
		}
		if ok && e.Code != tt.code {
			t.Errorf("Lookup(%q).Code: got %q, want %q", tt.code, e.Code, tt.code)
		}
	}
}
