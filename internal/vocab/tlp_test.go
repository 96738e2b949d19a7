package vocab

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseTLP(t *testing.T) {
	tests := []struct {
		in   string
		want TLPLabel
	}{
		{"TLP:CLEAR", TLPClear},
		{"TLP:GREEN", TLPGreen},
		{"TLP:AMBER", TLPAmber},
		{"TLP:AMBER+STRICT", TLPAmberStrict},
		{"TLP:RED", TLPRed},
		{"amber+strict", TLPAmberStrict},
		{"tlp:amber+strict", TLPAmberStrict},
		{"Tlp:Red", TLPRed},
		{"clear", TLPClear},
		{"green", TLPGreen},
		{" TLP:AMBER\n", TLPAmber},
		{"TLP:WHITE", TLPClear}, // TLP 1.0
		{"white", TLPClear},
	}
	for _, tt := range tests {
		got, err := ParseTLP(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseTLP(%q): got (%q, %v), want (%q, nil)", tt.in, got, err, tt.want)
		}
	}
}

func TestParseTLPRejects(t *testing.T) {
	tests := []struct {
		in   string
		want string // substring of the error
	}{
		{"", "invalid TLP label: empty; want one of TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT, TLP:RED"},
		{"   ", "invalid TLP label: empty"},
		{"TLP:AMBER STRICT", `invalid TLP label: "TLP:AMBER STRICT": TLP 2.0 spells it TLP:AMBER+STRICT`},
		{"amber-strict", `invalid TLP label: "amber-strict": TLP 2.0 spells it TLP:AMBER+STRICT`},
		{"AMBER_STRICT", "TLP 2.0 spells it TLP:AMBER+STRICT"},
		{"TLP: RED", `invalid TLP label: "TLP: RED"; want one of`},
		{"TLP-RED", `invalid TLP label: "TLP-RED"; want one of`},
		{"TLP:TLP:RED", "want one of"},
		{"TLP:", "want one of"},
		{"orange", `invalid TLP label: "orange"; want one of`},
		{"TLP:EX:CHEMICAL", "want one of"},
		{"TLP:WHITE+STRICT", "want one of"},
	}
	for _, tt := range tests {
		got, err := ParseTLP(tt.in)
		if err == nil {
			t.Errorf("ParseTLP(%q): got (%q, nil), want error containing %q", tt.in, got, tt.want)
			continue
		}
		if !errors.Is(err, ErrInvalidTLP) {
			t.Errorf("ParseTLP(%q): got error %v, want it to wrap ErrInvalidTLP", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTLP(%q): got error %q, want it to contain %q", tt.in, err, tt.want)
		}
		if got != "" {
			t.Errorf("ParseTLP(%q): got label %q with the error, want \"\"", tt.in, got)
		}
	}
}

func TestTLPRank(t *testing.T) {
	tests := []struct {
		label TLPLabel
		want  int
	}{
		{TLPClear, 0},
		{TLPGreen, 1},
		{TLPAmber, 2},
		{TLPAmberStrict, 3},
		{TLPRed, 4},
		{"TLP:WHITE", -1},
		{"tlp:red", -1},
		{"", -1},
	}
	for _, tt := range tests {
		if got := tt.label.Rank(); got != tt.want {
			t.Errorf("%q.Rank(): got %d, want %d", tt.label, got, tt.want)
		}
	}
	order := []TLPLabel{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed}
	for i := 1; i < len(order); i++ {
		if order[i-1].Rank() >= order[i].Rank() {
			t.Errorf("Rank: got %s (%d) >= %s (%d), want strictly less restrictive first",
				order[i-1], order[i-1].Rank(), order[i], order[i].Rank())
		}
	}
}

func TestTLPValid(t *testing.T) {
	tests := []struct {
		label TLPLabel
		want  bool
	}{
		{TLPAmberStrict, true},
		{TLPClear, true},
		{"TLP:WHITE", false},
		{"TLP:amber", false},
		{"AMBER", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := tt.label.Valid(); got != tt.want {
			t.Errorf("%q.Valid(): got %v, want %v", tt.label, got, tt.want)
		}
	}
}

func TestTLPMarkingIDs(t *testing.T) {
	tests := []struct {
		label TLPLabel
		want  string
	}{
		{TLPClear, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
		{TLPGreen, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
		{TLPAmber, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
		{TLPAmberStrict, "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"},
		{TLPRed, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
		{"TLP:WHITE", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := tt.label.MarkingID(); got != tt.want {
			t.Errorf("%q.MarkingID(): got %q, want %q", tt.label, got, tt.want)
		}
	}
}

func TestTLPFromMarkingID(t *testing.T) {
	tests := []struct {
		id     string
		want   TLPLabel
		wantOK bool
	}{
		{TLP2ClearMarkingID, TLPClear, true},
		{TLP2GreenMarkingID, TLPGreen, true},
		{TLP2AmberMarkingID, TLPAmber, true},
		{TLP2AmberStrictMarkingID, TLPAmberStrict, true},
		{TLP2RedMarkingID, TLPRed, true},
		// TLP 1.0, STIX 2.1 §7.2.1.4.
		{"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TLPClear, true},
		{"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TLPGreen, true},
		{"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TLPAmber, true},
		{"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLPRed, true},
		// Rejections.
		{"", "", false},
		{"TLP:RED", "", false},
		{"marking-definition--00000000-0000-4000-8000-000000000000", "", false},
		{TLP2ExtensionDefinitionID, "", false},
	}
	for _, tt := range tests {
		got, ok := TLPFromMarkingID(tt.id)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("TLPFromMarkingID(%q): got (%q, %v), want (%q, %v)", tt.id, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestTLPVocabulary(t *testing.T) {
	v := TLP()
	if v.Name != "tlp" || v.Version != "2.0" {
		t.Errorf("TLP(): got name %q version %q, want %q %q", v.Name, v.Version, "tlp", "2.0")
	}
	tests := []struct {
		label       TLPLabel
		colour      string
		tlp1        string
		description string
	}{
		{TLPClear, "#FFFFFF", TLP1WhiteMarkingID, "Recipients can spread this to the world, there is no limit on disclosure."},
		{TLPGreen, "#33FF00", TLP1GreenMarkingID, "Limited disclosure, recipients can spread this within their community."},
		{TLPAmber, "#FFC000", TLP1AmberMarkingID, "Limited disclosure, recipients can only spread this on a need-to-know basis within their organization and its clients."},
		{TLPAmberStrict, "#FFC000", "", "Limited disclosure, recipients can only spread this on a need-to-know basis within their own organization, not to its clients."},
		{TLPRed, "#FF2B2B", TLP1RedMarkingID, "For the eyes and ears of individual recipients only, no further disclosure."},
	}
	if len(v.Entries) != len(tests) {
		t.Fatalf("entries: got %d, want %d", len(v.Entries), len(tests))
	}
	for i, tt := range tests {
		e := v.Entries[i]
		if e.Code != string(tt.label) || e.Label != string(tt.label) {
			t.Errorf("entry %d: got code %q label %q, want both %q", i, e.Code, e.Label, tt.label)
		}
		if e.Description != tt.description {
			t.Errorf("%s: got description %q, want %q", tt.label, e.Description, tt.description)
		}
		want := map[string]string{
			"stix_marking_id": tt.label.MarkingID(),
			"colour":          tt.colour,
			"rank":            strconv.Itoa(tt.label.Rank()),
		}
		if tt.tlp1 != "" {
			want["stix_tlp1_marking_id"] = tt.tlp1
		}
		if !mapsEqual(e.Attributes, want) {
			t.Errorf("%s: got attributes %v, want %v", tt.label, e.Attributes, want)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestTLPMatchesConformance checks the marking-definition ids and names
// against the TLP 2.0 marking-definition objects in the shared conformance
// data.
func TestTLPMatchesConformance(t *testing.T) {
	conf := conformanceDir(t, "TLP marking-id check")
	files, err := filepath.Glob(filepath.Join(conf, "tlp2", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("../shared/conformance/tlp2 has no marking definitions; TLP marking-id check skipped")
	}
	var seen []TLPLabel
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var md struct {
			Type       string                       `json:"type"`
			ID         string                       `json:"id"`
			Name       string                       `json:"name"`
			Extensions map[string]map[string]string `json:"extensions"`
		}
		if err := json.Unmarshal(b, &md); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		base := filepath.Base(f)
		if md.Type != "marking-definition" {
			t.Errorf("%s: got type %q, want marking-definition", base, md.Type)
		}
		label := TLPLabel(md.Name)
		if !label.Valid() {
			t.Errorf("%s: got name %q, want a canonical TLP 2.0 label", base, md.Name)
			continue
		}
		seen = append(seen, label)
		if got := label.MarkingID(); got != md.ID {
			t.Errorf("%s: %s.MarkingID() got %q, want %q", base, label, got, md.ID)
		}
		if got, ok := TLPFromMarkingID(md.ID); !ok || got != label {
			t.Errorf("%s: TLPFromMarkingID(%q) got (%q, %v), want (%q, true)", base, md.ID, got, ok, label)
		}
		if got, err := ParseTLP(md.Name); err != nil || got != label {
			t.Errorf("%s: ParseTLP(%q) got (%q, %v), want (%q, nil)", base, md.Name, got, err, label)
		}
		ext, ok := md.Extensions[TLP2ExtensionDefinitionID]
		if !ok {
			t.Errorf("%s: got extensions %v, want one keyed %s", base, md.Extensions, TLP2ExtensionDefinitionID)
			continue
		}
		if got, err := ParseTLP(ext["tlp_2_0"]); err != nil || got != label {
			t.Errorf("%s: ParseTLP(tlp_2_0 %q) got (%q, %v), want (%q, nil)", base, ext["tlp_2_0"], got, err, label)
		}
	}
	slices.SortFunc(seen, func(a, b TLPLabel) int { return a.Rank() - b.Rank() })
	if want := []TLPLabel{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed}; !slices.Equal(seen, want) {
		t.Errorf("conformance labels: got %v, want %v", seen, want)
	}
}
