package rules

import (
	"strings"
	"testing"
)

func wantRoute(t *testing.T, res Result, recipient, basisPrefix, level string, states []string) {
	t.Helper()
	r := routeOf(t, res, recipient, basisPrefix)
	if r.Level != level {
		t.Errorf("route to %s (%s) level: got %q, want %q", recipient, r.Basis, r.Level, level)
	}
	if !equalStrings(r.MemberStates, states) {
		t.Errorf("route to %s (%s) member states: got %v, want %v", recipient, r.Basis, r.MemberStates, states)
	}
	if r.Reason == "" {
		t.Errorf("route to %s has no reason", recipient)
	}
}

func TestRoutingNIS2(t *testing.T) {
	t.Run("RULES.md §9, NIS2 Art 23(1), 13(3): a significant incident goes to the CSIRT or competent authority, and the SPOC is informed", func(t *testing.T) {
		f := significantDNS()
		f.Entity.MainEstablishment = "BE"
		res := assess(t, f)
		wantRoute(t, res, "csirt_or_competent_authority", "NIS2 Art 23(1)", "must", []string{"BE"})
		wantRoute(t, res, "spoc", "NIS2 Art 13(3)", "must", []string{"BE"})
		wantNoRoute(t, res, "law_enforcement")
		wantNoRoute(t, res, "other_member_states")
		wantNoRoute(t, res, "cyber_crisis_management_authority")
		wantNoRoute(t, res, "defence_or_national_security")
		wantNoRoute(t, res, "eidas_supervisory_body")
	})
	t.Run("RULES.md §9: a non-significant incident is not routed", func(t *testing.T) {
		res := assess(t, nis2Facts("digital-infrastructure/dns"))
		if len(res.Routes) != 0 {
			t.Errorf("routes: got %+v, want none", res.Routes)
		}
	})
	t.Run("RULES.md §9, NIS2 Art 23(5), ambiguity 12 guidance (default): suspected malice: guidance on reporting to law enforcement", func(t *testing.T) {
		f := significantDNS()
		f.Incident.SuspectedMalicious = true
		wantRoute(t, assess(t, f), "law_enforcement", "NIS2 Art 23(5)", "guidance", []string{"NL"})
	})
	t.Run("RULES.md §9, ambiguity 12 forward: national law requires forwarding to law enforcement", func(t *testing.T) {
		f := significantDNS()
		f.Incident.SuspectedMalicious = true
		f.Options.LawEnforcement = LEForward
		res := assess(t, f)
		wantRoute(t, res, "law_enforcement", "national law", "must", []string{"NL"})
		if n := len(routesTo(res, "law_enforcement")); n != 1 {
			t.Errorf("law enforcement routes: got %d, want 1", n)
		}
	})
	t.Run("RULES.md §9: suspected malice of an incident nobody reports is not routed to law enforcement", func(t *testing.T) {
		f := nis2Facts("digital-infrastructure/dns")
		f.Incident.SuspectedMalicious = true
		wantNoRoute(t, assess(t, f), "law_enforcement")
	})
	t.Run("RULES.md §9: suspected malice of a voluntary notification gets the guidance too", func(t *testing.T) {
		f := nis2Facts()
		f.Incident.SuspectedMalicious = true
		wantRoute(t, assess(t, f), "law_enforcement", "NIS2 Art 23(5)", "guidance", []string{"NL"})
	})
	t.Run("RULES.md §9, GDPR Art 33; NIS2 Art 31(3), 35: personal data: the controller's authority, and the CA informs it", func(t *testing.T) {
		f := significantDNS()
		f.Entity.GDPRRole = "controller"
		f.Incident.PersonalData = &PersonalData{Breach: true, Risk: "risk"}
		res := assess(t, f)
		wantRoute(t, res, "data_protection_authority", "GDPR Art 33(1)", "must", []string{"NL"})
		wantRoute(t, res, "data_protection_authority", "NIS2 Art 31(3)", "should", []string{"NL"})
	})
	t.Run("RULES.md §9: personal data of a non-significant incident: only the controller's own duty", func(t *testing.T) {
		f := nis2Facts("digital-infrastructure/dns")
		f.Incident.PersonalData = &PersonalData{Breach: true, Risk: "high"}
		res := assess(t, f)
		if n := len(routesTo(res, "data_protection_authority")); n != 1 {
			t.Errorf("routes to the DPA: got %d, want 1 (GDPR only)", n)
		}
		routeOf(t, res, "data_protection_authority", "GDPR Art 33(1)")
	})
	t.Run("RULES.md §9: a breach unlikely to result in a risk is not routed to the DPA", func(t *testing.T) {
		f := nis2Facts("digital-infrastructure/dns")
		f.Incident.PersonalData = &PersonalData{Breach: true, Risk: "unlikely"}
		wantNoRoute(t, assess(t, f), "data_protection_authority")
	})
	t.Run("RULES.md §9, NIS2 Art 23(6), 23(8): cross-border impact: the other Member States and ENISA", func(t *testing.T) {
		f := significantDNS()
		f.Incident.CrossBorderImpact = true
		f.Incident.AffectedMemberStates = []string{"NL", "DE", "BE"}
		res := assess(t, f)
		wantRoute(t, res, "other_member_states", "NIS2 Art 23(6)", "should", []string{"BE", "DE"})
		wantRoute(t, res, "enisa", "NIS2 Art 23(6)", "should", nil)
	})
	t.Run("RULES.md §9, NIS2 Art 23(6): another affected Member State is cross-border without the flag", func(t *testing.T) {
		f := significantDNS()
		f.Incident.AffectedMemberStates = []string{"LU"}
		res := assess(t, f)
		wantRoute(t, res, "other_member_states", "NIS2 Art 23(6)", "should", []string{"LU"})
		wantNoRoute(t, res, "cyber_crisis_management_authority")
	})
	t.Run("RULES.md §9: cross-border impact of a non-significant incident is not routed", func(t *testing.T) {
		f := nis2Facts("digital-infrastructure/dns")
		f.Incident.CrossBorderImpact = true
		f.Incident.AffectedMemberStates = []string{"NL", "DE"}
		res := assess(t, f)
		wantNoRoute(t, res, "other_member_states")
		wantNoRoute(t, res, "enisa")
	})
	t.Run("RULES.md §9, NIS2 Art 23(10): a CER critical entity: the CER competent authority", func(t *testing.T) {
		f := significantDNS()
		f.Entity.Designation.CERCritical = true
		wantRoute(t, assess(t, f), "cer_competent_authority", "NIS2 Art 23(10)", "must", []string{"NL"})
	})
	t.Run("RULES.md §9, NIS2 Art 23(10): also for a CER critical bank whose NIS2 duty DORA displaces", func(t *testing.T) {
		f := bankFacts()
		f.Entity.Designation.CERCritical = true
		res := assess(t, f)
		wantRegime(t, res, "nis2", StatusDisplaced)
		wantRoute(t, res, "cer_competent_authority", "NIS2 Art 23(10)", "must", []string{"NL"})
	})
	t.Run("RULES.md §9, NIS2 Art 6(7), 9, 16: exceeding a Member State's capacity: crisis authority and EU-CyCLONe", func(t *testing.T) {
		f := significantDNS()
		f.Incident.ExceedsNationalCapacity = true
		res := assess(t, f)
		wantRoute(t, res, "cyber_crisis_management_authority", "NIS2 Art 6(7)", "should", []string{"NL"})
		wantRoute(t, res, "eu_cyclone", "NIS2 Art 16", "should", nil)
	})
	t.Run("RULES.md §9, NIS2 Art 6(7): a significant incident with cross-border impact in two Member States is possibly large-scale", func(t *testing.T) {
		f := significantDNS()
		f.Incident.CrossBorderImpact = true
		f.Incident.AffectedMemberStates = []string{"NL", "BE"}
		res := assess(t, f)
		routeOf(t, res, "cyber_crisis_management_authority", "NIS2 Art 6(7)")
		routeOf(t, res, "eu_cyclone", "NIS2 Art 16")
	})
	t.Run("RULES.md §9: one Member State with the cross-border flag is not large-scale", func(t *testing.T) {
		f := significantDNS()
		f.Incident.CrossBorderImpact = true
		res := assess(t, f)
		routeOf(t, res, "enisa", "NIS2 Art 23(6)")
		wantNoRoute(t, res, "cyber_crisis_management_authority")
		wantNoRoute(t, res, "eu_cyclone")
	})
	t.Run("RULES.md §9, NIS2 Art 2(6),(7),(11), ambiguity 12: suspected state sponsorship: defence or national security may be involved", func(t *testing.T) {
		f := significantDNS()
		f.Incident.SuspectedStateSponsored = true
		wantRoute(t, assess(t, f), "defence_or_national_security", "national law", "may", []string{"NL"})
	})
	t.Run("RULES.md §9, NIS2 Art 13(4): a trust service provider: the eIDAS supervisory body", func(t *testing.T) {
		f := nis2Facts("digital-infrastructure/trust-service-provider")
		f.Incident.Impact.CompleteUnavailability = dur("21m")
		wantRoute(t, assess(t, f), "eidas_supervisory_body", "NIS2 Art 13(4)", "should", []string{"NL"})
	})
	t.Run("RULES.md §9: a trust service provider's non-significant incident is not routed to the eIDAS body", func(t *testing.T) {
		f := nis2Facts("digital-infrastructure/trust-service-provider")
		f.Incident.Impact.CompleteUnavailability = dur("20m")
		wantNoRoute(t, assess(t, f), "eidas_supervisory_body")
	})
}

func TestRoutingDORA(t *testing.T) {
	t.Run("RULES.md §9, DORA Art 19(1): a significant credit institution: NCA, which transmits to the ECB", func(t *testing.T) {
		f := bankFacts()
		f.Entity.DORA.SignificantCreditInstitution = true
		res := assess(t, f)
		wantRoute(t, res, "financial_competent_authority", "DORA Art 19(1)", "must", []string{"NL"})
		wantRoute(t, res, "ecb", "DORA Art 19(1)", "must", nil)
		wantRoute(t, res, "european_supervisory_authorities", "DORA Art 19(6)(a)", "must", nil)
		wantRoute(t, res, "csirt_or_competent_authority", "DORA Art 19(6)(c)", "must", []string{"NL"})
		wantRoute(t, res, "resolution_authority", "DORA Art 19(6)(d)", "should", nil)
		if n := len(routesTo(res, "ecb")); n != 1 {
			t.Errorf("ECB routes: got %d, want 1", n)
		}
		if !strings.Contains(strings.Join(res.Warnings, "\n"), "ECB") {
			t.Errorf("warnings %q do not mention the transmission to the ECB", res.Warnings)
		}
	})
	t.Run("RULES.md §9, DORA Art 19(6)(b): a payment institution's report reaches the ECB through the competent authority", func(t *testing.T) {
		res := assess(t, doraFacts())
		wantRoute(t, res, "financial_competent_authority", "DORA Art 19(1)", "must", []string{"LU"})
		wantRoute(t, res, "ecb", "DORA Art 19(6)(b)", "must", nil)
	})
	t.Run("RULES.md §9, DORA Art 19(6)(b): no ECB route for an insurance undertaking", func(t *testing.T) {
		f := doraFacts()
		f.Entity.DORA.EntityType = "insurance-undertaking"
		res := assess(t, f)
		routeOf(t, res, "financial_competent_authority", "DORA Art 19(1)")
		wantNoRoute(t, res, "ecb")
	})
	t.Run("RULES.md §9: a DORA incident that is not major is not routed", func(t *testing.T) {
		f := doraFacts()
		f.Incident.DORA = &DORAImpact{AffectsCriticalFunctions: true}
		f.Incident.SuspectedMalicious = true
		res := assess(t, f)
		wantNoRoute(t, res, "financial_competent_authority")
		wantNoRoute(t, res, "ecb")
	})
	t.Run("RULES.md §9: suspected malice of a major DORA incident gets the law-enforcement guidance", func(t *testing.T) {
		f := doraFacts()
		f.Incident.SuspectedMalicious = true
		routeOf(t, assess(t, f), "law_enforcement", "NIS2 Art 23(5)")
	})
}

func TestRoutingCRA(t *testing.T) {
	res := assess(t, craFacts(CRAEvent{ActivelyExploitedVulnerability: true}))
	wantRoute(t, res, "enisa_single_reporting_platform", "CRA Art 14(1)", "must", []string{"DE"})
	t.Run("RULES.md §9: nothing reportable under the CRA is not routed to the platform", func(t *testing.T) {
		wantNoRoute(t, assess(t, craFacts(CRAEvent{})), "enisa_single_reporting_platform")
	})
}
