package report

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/rules"
)

func TestEveryReportIsAnEngineObligation(t *testing.T) {
	ids := rules.ReportIDs()
	for _, ty := range Types() {
		if !slices.Contains(ids, ty.ID) {
			t.Errorf("report %s is not an obligation id of the engine", ty.ID)
		}
		if len(ty.Fields) == 0 || ty.Basis == "" {
			t.Errorf("report %s has no fields or no legal basis", ty.ID)
		}
		for _, f := range ty.Fields {
			if f.Basis == "" || f.Label == "" {
				t.Errorf("%s.%s lacks a label or a basis", ty.ID, f.Name)
			}
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, report, body string
		wantField          string // "" = valid
		wantMsg            string
	}{
		{"NIS2 Art 23(4)(a): early warning with both flags", "nis2.early_warning", `{"suspected_malicious":true,"cross_border_impact":false}`, "", ""},
		{"NIS2 Art 23(4)(a): early warning without the malicious flag", "nis2.early_warning", `{"cross_border_impact":false}`, "suspected_malicious", "required"},
		{"NIS2 Art 23(4)(a): flag must be boolean", "nis2.early_warning", `{"suspected_malicious":"yes","cross_border_impact":false}`, "suspected_malicious", "true or false"},
		{"unknown field rejected", "nis2.early_warning", `{"suspected_malicious":true,"cross_border_impact":false,"colour":"red"}`, "colour", "unknown field"},
		{"NIS2 Art 23(4)(b): notification needs an initial assessment", "nis2.notification", `{"severity":"high","impact":"x"}`, "initial_assessment", "required"},
		{"NIS2 Art 23(4)(b): severity vocabulary", "nis2.notification", `{"initial_assessment":"a","severity":"huge","impact":"x"}`, "severity", "low, medium, high, critical"},
		{"NIS2 Art 23(4)(d): final report complete", "nis2.final", `{"description":"d","severity":"low","impact":"i","root_cause":"r","mitigation_applied":"m"}`, "", ""},
		{"NIS2 Art 23(4)(d)(ii): final report without root cause", "nis2.final", `{"description":"d","severity":"low","impact":"i","mitigation_applied":"m"}`, "root_cause", "Art 23(4)(d)(ii)"},
		{"2025/301 Art 2: DORA initial with a bad instant", "dora.initial", `{"reference_code":"R1","detected_at":"yesterday","classified_at":"2026-01-01T00:00:00Z","description":"d","criteria_triggered":["9(1)"],"discovery":"SOC","bcp_activated":false}`, "detected_at", "RFC 3339"},
		{"2025/301 Art 2: Member State codes", "dora.initial", `{"reference_code":"R1","detected_at":"2026-01-01T00:00:00Z","classified_at":"2026-01-01T00:00:00Z","description":"d","criteria_triggered":["9(1)"],"discovery":"SOC","bcp_activated":false,"member_states_impacted":["nl"]}`, "member_states_impacted", "Member State code"},
		{"2024/1772 Art 7: negative costs", "dora.final", `{"reference_code":"R1","root_cause":"r","impact":"i","economic_impact_eur":-1,"resolved_at":"2026-01-01T00:00:00Z","measures":"m"}`, "economic_impact_eur", "non-negative"},
		{"GDPR Art 33(3)(a): whole number of data subjects", "gdpr.sa_notification", `{"nature":"n","contact":"c","likely_consequences":"l","measures":"m","data_subjects_approx":1.5}`, "data_subjects_approx", "whole number"},
		{"not an object", "nis2.intermediate", `[1,2]`, "", "JSON object"},
		{"trailing data", "nis2.intermediate", `{"status_update":"s"} {}`, "", "unexpected data"},
		{"unknown report", "nis2.poem", `{}`, "", "unknown report"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Parse(tc.report, strings.NewReader(tc.body))
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("got error %v, want valid", err)
				}
				if len(b.SHA256()) != 64 {
					t.Errorf("receipt hash %q", b.SHA256())
				}
				return
			}
			var e *Errors
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want *Errors", err)
			}
			found := false
			for _, fe := range e.List {
				if fe.Field == tc.wantField && strings.Contains(fe.Message, tc.wantMsg) {
					found = true
				}
			}
			if !found {
				t.Errorf("errors %+v lack field %q with %q", e.List, tc.wantField, tc.wantMsg)
			}
		})
	}
}

func TestCanonicalHashIgnoresKeyOrderAndWhitespace(t *testing.T) {
	a, err := Parse("nis2.early_warning", strings.NewReader(`{"suspected_malicious":true, "cross_border_impact":false, "summary":"<x> & y"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("nis2.early_warning", strings.NewReader("{\n \"summary\": \"<x> & y\",\n \"cross_border_impact\": false,\n \"suspected_malicious\": true}"))
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256() != b.SHA256() {
		t.Errorf("equal content hashes differently: %s vs %s", a.JSON, b.JSON)
	}
	want := `{"cross_border_impact":false,"summary":"<x> & y","suspected_malicious":true}`
	if string(a.JSON) != want {
		t.Errorf("canonical = %s, want %s", a.JSON, want)
	}
	c, _ := Parse("nis2.early_warning", strings.NewReader(`{"suspected_malicious":false,"cross_border_impact":false,"summary":"<x> & y"}`))
	if c.SHA256() == a.SHA256() {
		t.Error("different content gives the same hash")
	}
}

func TestBodyTooLarge(t *testing.T) {
	big := `{"status_update":"` + strings.Repeat("x", MaxBodySize) + `"}`
	_, err := Parse("nis2.intermediate", strings.NewReader(big))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("got %v, want a size error", err)
	}
}
