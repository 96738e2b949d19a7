package vocab

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRSITMatchesConformanceCopy(t *testing.T) {
	conf := conformanceDir(t, "RSIT drift check")
	path := filepath.Join(conf, "rsit", "machinev1")
	want, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skip("../shared/conformance not present; RSIT drift check skipped")
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("data", "rsit-machinev1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("data/rsit-machinev1.json: got %d bytes differing from %s (%d bytes), want a byte-identical copy; run go generate ./internal/vocab/", len(got), path, len(want))
	}
	if !bytes.Equal(rsitMachineV1, want) {
		t.Errorf("embedded RSIT data: got %d bytes differing from %s, want a byte-identical copy", len(rsitMachineV1), path)
	}
}

func TestRSITVocabulary(t *testing.T) {
	v := RSIT()
	if v.Name != "rsit" {
		t.Errorf("Name: got %q, want %q", v.Name, "rsit")
	}
	if v.Version != "1003" {
		t.Errorf("Version: got %q, want %q", v.Version, "1003")
	}
	if v.Title != "Reference Security Incident Taxonomy" {
		t.Errorf("Title: got %q, want %q", v.Title, "Reference Security Incident Taxonomy")
	}
	var classes, types int
	seenClass := map[string]bool{}
	for _, e := range v.Entries {
		if e.Parent == "" {
			classes++
			seenClass[e.Code] = true
			if strings.Contains(e.Code, "/") {
				t.Errorf("class %q: got a code with '/', want a bare class", e.Code)
			}
			continue
		}
		types++
		if !seenClass[e.Parent] {
			t.Errorf("type %q: got parent %q not listed before it, want parents first", e.Code, e.Parent)
		}
		if !strings.HasPrefix(e.Code, e.Parent+"/") {
			t.Errorf("type %q: got code not of the form %q, want class/type", e.Code, e.Parent+"/<type>")
		}
		if e.Label == "" || e.Description == "" {
			t.Errorf("type %q: got label %q, description %q; want both set", e.Code, e.Label, e.Description)
		}
	}
	if classes != 11 {
		t.Errorf("classes: got %d, want 11", classes)
	}
	if types != 39 {
		t.Errorf("types: got %d, want 39", types)
	}
}

func TestRSITKnownValues(t *testing.T) {
	v := RSIT()
	tests := []struct {
		code, parent, label, mispTag string
	}{
		{"intrusions", "", "Intrusions", "rsit:intrusions"},
		{"intrusions/system-compromise", "intrusions", "System Compromise", `rsit:intrusions="system-compromise"`},
		{"information-content-security/data-leak", "information-content-security", "Leak of Confidential Information", `rsit:information-content-security="data-leak"`},
		{"fraud/unauthorised-use-of-resources", "fraud", "Unauthorised Use of Resources", `rsit:fraud="unauthorised-use-of-resources"`},
		{"vulnerable/vulnerable-system", "vulnerable", "Vulnerable System", `rsit:vulnerable="vulnerable-system"`},
		{"abusive-content/violence", "abusive-content", "(Child) Sexual Exploitation/Sexual/Violent Content", `rsit:abusive-content="violence"`},
		{"other/undetermined", "other", "Undetermined", `rsit:other="undetermined"`},
		{"test/test", "test", "Test", `rsit:test="test"`},
	}
	for _, tt := range tests {
		e, ok := v.Lookup(tt.code)
		if !ok {
			t.Errorf("Lookup(%q): got not found, want found", tt.code)
			continue
		}
		if e.Parent != tt.parent {
			t.Errorf("%s: got parent %q, want %q", tt.code, e.Parent, tt.parent)
		}
		if e.Label != tt.label {
			t.Errorf("%s: got label %q, want %q", tt.code, e.Label, tt.label)
		}
		if got := e.Attributes["misp_tag"]; got != tt.mispTag {
			t.Errorf("%s: got misp_tag %q, want %q", tt.code, got, tt.mispTag)
		}
	}
	e, _ := v.Lookup("fraud/phishing")
	if want := "Masquerading as another entity"; !strings.HasPrefix(e.Description, want) {
		t.Errorf("fraud/phishing: got description %q, want it to start with %q", e.Description, want)
	}
}

func TestValidRSIT(t *testing.T) {
	tests := []struct {
		class, typ string
		want       bool
	}{
		{"intrusions", "system-compromise", true},
		{"intrusions", "", true},
		{"information-content-security", "data-leak", true},
		{"fraud", "unauthorised-use-of-resources", true},
		{"vulnerable", "vulnerable-system", true},
		{"other", "undetermined", true},
		{"test", "test", true},
		{"", "", false},
		{"", "system-compromise", false},
		{"intrusions", "data-leak", false},                // type of another class
		{"fraud", "unauthorized-use-of-resources", false}, // IntelMQ spelling is not canonical
		{"other", "unknown", false},                       // legacy alias is not canonical
		{"Intrusions", "system-compromise", false},        // case matters
		{"intrusions", " system-compromise", false},
		{"intrusions/system-compromise", "", false},
		{"nonsense", "", false},
	}
	for _, tt := range tests {
		if got := ValidRSIT(tt.class, tt.typ); got != tt.want {
			t.Errorf("ValidRSIT(%q, %q): got %v, want %v", tt.class, tt.typ, got, tt.want)
		}
	}
}

func TestNormalizeRSIT(t *testing.T) {
	tests := []struct {
		class, typ         string
		wantClass, wantTyp string
		wantOK             bool
	}{
		{"intrusions", "system-compromise", "intrusions", "system-compromise", true},
		{"intrusions", "", "intrusions", "", true},
		{" Fraud ", "Phishing", "fraud", "phishing", true},
		{"fraud", "unauthorized-use-of-resources", "fraud", "unauthorised-use-of-resources", true},
		{"FRAUD", "Unauthorized-Use-Of-Resources", "fraud", "unauthorised-use-of-resources", true},
		{"information-content-security", "unauthorized-information-access", "information-content-security", "unauthorised-information-access", true},
		{"other", "unknown", "other", "undetermined", true},
		{"information-content-security", "leak", "information-content-security", "data-leak", true},
		{"malicious-code", "ransomware", "malicious-code", "infected-system", true},
		{"malicious-code", "Ransomware", "malicious-code", "infected-system", true},
		// Rejections.
		{"fraud", "ransomware", "", "", false}, // alias in the wrong class
		{"intrusions", "unknown", "", "", false},
		{"", "leak", "", "", false}, // class required
		{"", "", "", "", false},
		{"malicious-code", "malware", "", "", false},
		{"nonsense", "", "", "", false},
		{"intrusions", "nonsense", "", "", false},
		{"fraud", "unauthorized_use_of_resources", "", "", false},
	}
	for _, tt := range tests {
		c, typ, ok := NormalizeRSIT(tt.class, tt.typ)
		if c != tt.wantClass || typ != tt.wantTyp || ok != tt.wantOK {
			t.Errorf("NormalizeRSIT(%q, %q): got (%q, %q, %v), want (%q, %q, %v)",
				tt.class, tt.typ, c, typ, ok, tt.wantClass, tt.wantTyp, tt.wantOK)
		}
	}
}

func TestParseRSITRejectsBadData(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", `{`, "unexpected end"},
		{"wrong namespace", `{"namespace":"x","predicates":[{"value":"a"}]}`, `namespace "x"`},
		{"no classes", `{"namespace":"rsit"}`, "no classes"},
		{"empty class", `{"namespace":"rsit","predicates":[{"value":""}]}`, "class with empty value"},
		{"duplicate class", `{"namespace":"rsit","predicates":[{"value":"a"},{"value":"a"}]}`, `duplicate class "a"`},
		{"unknown class", `{"namespace":"rsit","predicates":[{"value":"a"}],"values":[{"predicate":"b","entry":[{"value":"t"}]}]}`, `unknown class "b"`},
		{"empty type", `{"namespace":"rsit","predicates":[{"value":"a"}],"values":[{"predicate":"a","entry":[{"value":""}]}]}`, "type with empty value"},
		{"duplicate type", `{"namespace":"rsit","predicates":[{"value":"a"}],"values":[{"predicate":"a","entry":[{"value":"t"},{"value":"t"}]}]}`, `duplicate type "t"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRSIT([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseRSIT: got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
