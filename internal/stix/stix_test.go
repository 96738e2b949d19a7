package stix_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/stix/stixtest"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// The marking definitions nisnet emits are exactly the published TLP 2.0
// objects (OASIS CTI TC TLP 2.0 extension), and the schema accepts them.
func TestMarkingDefinitionsAreTheOfficialObjects(t *testing.T) {
	dir := filepath.Join(stixtest.ConformanceDir(t), "tlp2")
	schemas := stixtest.Schemas(t)
	files := map[vocab.TLPLabel]string{vocab.TLPClear: "clear.json", vocab.TLPGreen: "green.json",
		vocab.TLPAmber: "amber.json", vocab.TLPAmberStrict: "amber-strict.json", vocab.TLPRed: "red.json"}
	for l, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		var want, got any
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(stix.MarkingDefinition(l), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: MarkingDefinition = %s\nwant %s", l, stix.MarkingDefinition(l), b)
		}
		if err := schemas.Validate(stix.MarkingDefinition(l)); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
}

// STIX 2.1 §7.2.1.4 (TLP 1.0 ids accepted on input) and TLP 2.0: the most
// restrictive marking wins.
func TestTLPOf(t *testing.T) {
	for _, c := range []struct {
		name string
		refs []string
		want vocab.TLPLabel
		ok   bool
	}{
		{"no markings", nil, "", false},
		{"a statement marking only", []string{"marking-definition--" + "00000000-0000-4000-8000-000000000000"}, "", false},
		{"TLP 2.0 green", []string{vocab.TLP2GreenMarkingID}, vocab.TLPGreen, true},
		{"TLP 1.0 white is clear", []string{vocab.TLP1WhiteMarkingID}, vocab.TLPClear, true},
		{"TLP 1.0 amber", []string{vocab.TLP1AmberMarkingID}, vocab.TLPAmber, true},
		{"most restrictive of green and red", []string{vocab.TLP2GreenMarkingID, vocab.TLP2RedMarkingID}, vocab.TLPRed, true},
		{"amber+strict over amber", []string{vocab.TLP1AmberMarkingID, vocab.TLP2AmberStrictMarkingID}, vocab.TLPAmberStrict, true},
	} {
		got, ok := stix.TLPOf(c.refs)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: TLPOf = %q, %v; want %q, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestIDs(t *testing.T) {
	a, b := stix.NewID("incident"), stix.NewID("incident")
	if a == b {
		t.Fatalf("NewID twice gave %s", a)
	}
	for _, id := range []string{a, stix.DerivedID("identity", "node:csirt-nl")} {
		if err := stix.CheckID(id, ""); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	if stix.DerivedID("identity", "x") != stix.DerivedID("identity", "x") || stix.DerivedID("identity", "x") == stix.DerivedID("identity", "y") {
		t.Error("DerivedID is not a function of its name")
	}
	if !strings.HasPrefix(stix.DerivedID("identity", "x"), "identity--") || stix.DerivedID("identity", "x")[10+14] != '5' {
		t.Errorf("DerivedID %s: want a version 5 UUID", stix.DerivedID("identity", "x"))
	}
	for _, bad := range []string{"", "incident", "incident--x", "Incident--6ba7b810-9dad-11d1-80b4-00c04fd430c8", "incident--6ba7b810-9dad-01d1-80b4-00c04fd430c8"} {
		if stix.CheckID(bad, "") == nil {
			t.Errorf("CheckID(%q) accepted it", bad)
		}
	}
	if stix.CheckID("indicator--6ba7b810-9dad-11d1-80b4-00c04fd430c8", "incident") == nil {
		t.Error("CheckID accepted an id of another type")
	}
}

// STIX 2.1 §3.2: timestamps are RFC 3339 in UTC with a Z.
func TestTimestamps(t *testing.T) {
	at := time.Date(2026, 11, 28, 9, 30, 1, 123456789, time.UTC)
	if got := stix.Timestamp(at); got != "2026-11-28T09:30:01.123Z" {
		t.Errorf("Timestamp = %s", got)
	}
	for _, ok := range []string{"2026-11-28T09:30:01Z", "2026-11-28T09:30:01.1Z", "2026-11-28T09:30:01.123456789Z"} {
		if _, err := stix.ParseTimestamp(ok); err != nil {
			t.Errorf("ParseTimestamp(%s): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "2026-11-28", "2026-11-28T09:30:01+01:00", "2026-11-28 09:30:01Z", "2026-13-28T09:30:01Z"} {
		if _, err := stix.ParseTimestamp(bad); err == nil {
			t.Errorf("ParseTimestamp(%q) accepted it", bad)
		}
	}
}

// Every object of the official example bundles parses, and the schemas
// accept them: the loader compiled the right schemas.
func TestOfficialExamples(t *testing.T) {
	schemas := stixtest.Schemas(t)
	files, _ := filepath.Glob(filepath.Join(stixtest.ConformanceDir(t), "stix2-json-schemas", "examples", "*", "*.json"))
	more, _ := filepath.Glob(filepath.Join(stixtest.ConformanceDir(t), "stix2-json-schemas", "examples", "*.json"))
	files = append(files, more...)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var bundle struct {
			Type    string            `json:"type"`
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(b, &bundle); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		objs := bundle.Objects
		if bundle.Type != "bundle" {
			objs = []json.RawMessage{b}
		}
		for _, o := range objs {
			p, err := stix.Parse(o)
			if err != nil {
				t.Errorf("%s: Parse: %v", filepath.Base(f), err)
				continue
			}
			if err := schemas.Validate(o); err != nil {
				t.Errorf("%s: %s: %v", filepath.Base(f), p.ID, err)
			}
			n++
		}
	}
	if n < 200 {
		t.Errorf("checked %d example objects, want the 250-odd of the corpus", n)
	}
}

// A schema-invalid object is rejected with a message naming the problem.
func TestSchemaRejects(t *testing.T) {
	schemas := stixtest.Schemas(t)
	bad := `{"type":"indicator","spec_version":"2.1","id":"indicator--6ba7b810-9dad-11d1-80b4-00c04fd430c8",
		"created":"2026-11-28T09:30:01.000Z","modified":"2026-11-28T09:30:01.000Z","pattern_type":"stix","valid_from":"2026-11-28T09:30:01Z"}`
	err := schemas.Validate(json.RawMessage(bad))
	if err == nil || !strings.Contains(err.Error(), "pattern") {
		t.Errorf("indicator without pattern: %v", err)
	}
}
