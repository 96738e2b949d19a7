package vocab

import (
	"strings"
	"testing"
)

func TestNISAndIncidentKindVocabularies(t *testing.T) {
	tests := []struct {
		name    string
		codes   []string
		misp    string // MISP predicate, "" if none
		sources []string
	}{
		{"nis-cg-impact-severity", []string{"red", "yellow", "green", "white"}, "impact-severity", []string{"CG Publication 04/2018", "MISP"}},
		{"nis-cg-impact-outlook", []string{"improving", "stable", "worsening"}, "impact-outlook", []string{"CG Publication 04/2018"}},
		{"nis-cg-root-cause", []string{"system-failures", "natural-phenomena", "human-errors", "malicious-actions", "third-party-failures"}, "nature-root-cause", []string{"CG Publication 04/2018"}},
		{"nis-cg-threat-severity", []string{"high", "medium", "low"}, "nature-severity", []string{"CG Publication 04/2018"}},
		{"incident-kinds", []string{"incident", "near_miss", "cyber_threat"}, "", []string{"2022/2555", "Article 6"}},
	}
	byName := map[string]Vocabulary{}
	for _, v := range Builtin() {
		byName[v.Name] = v
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := byName[tt.name]
			if !ok {
				t.Fatalf("Builtin: got no %q, want it", tt.name)
			}
			var codes []string
			for _, e := range v.Entries {
				codes = append(codes, e.Code)
				if e.Label == "" || e.Description == "" {
					t.Errorf("%s: got label %q, description %q; want both set", e.Code, e.Label, e.Description)
				}
				if e.Parent != "" {
					t.Errorf("%s: got parent %q, want none", e.Code, e.Parent)
				}
				if tt.misp != "" {
					want := "nis:" + tt.misp + `="` + e.Code + `"`
					if got := e.Attributes["misp_tag"]; got != want {
						t.Errorf("%s: got misp_tag %q, want %q", e.Code, got, want)
					}
				}
			}
			if strings.Join(codes, ",") != strings.Join(tt.codes, ",") {
				t.Errorf("codes: got %v, want %v", codes, tt.codes)
			}
			for _, s := range tt.sources {
				if !strings.Contains(v.Source, s) {
					t.Errorf("Source: got %q, want it to mention %q", v.Source, s)
				}
			}
		})
	}
}

func TestNISImpactSeverityDescriptions(t *testing.T) {
	v := nisCGImpactSeverity()
	tests := []struct{ code, want string }{
		{"red", "Very large impact"},
		{"yellow", "Large impact"},
		{"green", "Minor impact"},
		{"white", "No impact"},
	}
	for _, tt := range tests {
		e, ok := v.Lookup(tt.code)
		if !ok || !strings.HasPrefix(e.Description, tt.want) {
			t.Errorf("%s: got description %q (found %v), want it to start with %q", tt.code, e.Description, ok, tt.want)
		}
	}
}

func TestIncidentKindsCiteArticles(t *testing.T) {
	v := incidentKinds()
	tests := []struct{ code, article string }{
		{KindIncident, "Art. 6(6)"},
		{KindNearMiss, "Art. 6(5)"},
		{KindCyberThreat, "Art. 6(10)"},
		{KindCyberThreat, "Art. 6(11)"},
	}
	for _, tt := range tests {
		e, ok := v.Lookup(tt.code)
		if !ok {
			t.Errorf("Lookup(%q): got not found, want found", tt.code)
			continue
		}
		if !strings.Contains(e.Description, tt.article) || !strings.Contains(e.Attributes["legal_basis"], tt.article) {
			t.Errorf("%s: got description %q, legal_basis %q; want both to cite %s", tt.code, e.Description, e.Attributes["legal_basis"], tt.article)
		}
	}
}
