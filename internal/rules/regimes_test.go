package rules

import (
	"strings"
	"testing"
	"time"
)

func TestDORAMajorThresholds(t *testing.T) {
	// withMedia: critical functions affected (Art 6(a)) and one other
	// threshold (Art 9(2), media), so the incident is major exactly when the
	// threshold under test is met too (Art 8(1)(b)).
	withMedia := func(d DORAImpact) DORAImpact {
		d.AffectsCriticalFunctions, d.MediaCoverage = true, true
		return d
	}
	// withTwoStates: the same, with Art 9(4) as the other threshold.
	withTwoStates := func(d DORAImpact) DORAImpact {
		d.AffectsCriticalFunctions, d.MemberStatesImpacted = true, []string{"LU", "BE"}
		return d
	}
	tests := []struct {
		name    string
		d       DORAImpact
		rule    string
		want    Outcome
		explain []string
	}{
		{"2024/1772 Art 9(1)(a): exactly 10 % of clients (10 000 of 100 000) is not more than 10 %", withMedia(DORAImpact{ClientsAffected: 10000, ClientsTotal: 100000}), "2024/1772 Art 9(1)", NotMet, nil},
		{"2024/1772 Art 9(1)(a): 10 001 of 100 000 clients is more than 10 %", withMedia(DORAImpact{ClientsAffected: 10001, ClientsTotal: 100000}), "2024/1772 Art 9(1)", Met,
			[]string{"(a) 10 001 of 100 000 clients"}},
		{"2024/1772 Art 9(1)(b): exactly 100 000 clients (1 %) is not more than 100 000", withMedia(DORAImpact{ClientsAffected: 100000, ClientsTotal: 10000000}), "2024/1772 Art 9(1)", NotMet, nil},
		{"2024/1772 Art 9(1)(b): 100 001 clients (1 %) is more than 100 000", withMedia(DORAImpact{ClientsAffected: 100001, ClientsTotal: 10000000}), "2024/1772 Art 9(1)", Met,
			[]string{"(b) 100 001 clients > 100 000"}},
		{"2024/1772 Art 9(1)(c): exactly 30 % of counterparts is not more than 30 %", withMedia(DORAImpact{CounterpartsAffected: 30, CounterpartsTotal: 100}), "2024/1772 Art 9(1)", NotMet, nil},
		{"2024/1772 Art 9(1)(c): 31 of 100 counterparts is more than 30 %", withMedia(DORAImpact{CounterpartsAffected: 31, CounterpartsTotal: 100}), "2024/1772 Art 9(1)", Met,
			[]string{"(c) 31 of 100 counterparts > 30 %"}},
		{"2024/1772 Art 9(1)(d): exactly 10 % of the daily transactions is not more than 10 %", withMedia(DORAImpact{TransactionsAffected: 1000, TransactionsDailyAverage: 10000}), "2024/1772 Art 9(1)", NotMet, nil},
		{"2024/1772 Art 9(1)(d): 1 001 of 10 000 daily transactions is more than 10 %", withMedia(DORAImpact{TransactionsAffected: 1001, TransactionsDailyAverage: 10000}), "2024/1772 Art 9(1)", Met, nil},
		{"2024/1772 Art 9(1)(e): exactly 10 % of the daily value (EUR 100 000 of 1 000 000) is not more than 10 %", withMedia(DORAImpact{TransactionValueAffectedEUR: 100000, TransactionValueDailyEUR: 1e6}), "2024/1772 Art 9(1)", NotMet, nil},
		{"2024/1772 Art 9(1)(e): one cent over 10 % of the daily value", withMedia(DORAImpact{TransactionValueAffectedEUR: 100000.01, TransactionValueDailyEUR: 1e6}), "2024/1772 Art 9(1)", Met,
			[]string{"(e) EUR 100 000.01 affected > 10 % of the daily average value EUR 1 000 000"}},
		{"2024/1772 Art 9(1)(f): relevant clients or counterparts affected", withMedia(DORAImpact{RelevantClientsAffected: true}), "2024/1772 Art 9(1)", Met, nil},
		{"2024/1772 Art 9(2)(a): reflected in the media", withTwoStates(DORAImpact{MediaCoverage: true}), "2024/1772 Art 9(2)", Met, nil},
		{"2024/1772 Art 9(2)(b): repetitive complaints", withTwoStates(DORAImpact{RepetitiveComplaints: true}), "2024/1772 Art 9(2)", Met, nil},
		{"2024/1772 Art 9(2)(c): regulatory requirements not met", withTwoStates(DORAImpact{RegulatoryBreach: true}), "2024/1772 Art 9(2)", Met, nil},
		{"2024/1772 Art 9(2)(d): loss of clients or counterparts", withTwoStates(DORAImpact{ClientLoss: true}), "2024/1772 Art 9(2)", Met, nil},
		{"2024/1772 Art 9(2): no reputational impact", withTwoStates(DORAImpact{}), "2024/1772 Art 9(2)", NotMet, nil},
		{"2024/1772 Art 9(3)(a): exactly 24 h duration is not more than 24 h", withMedia(DORAImpact{Duration: dur("24h")}), "2024/1772 Art 9(3)", NotMet, nil},
		{"2024/1772 Art 9(3)(a): 24 h 1 s duration", withMedia(DORAImpact{Duration: dur("24h0m1s")}), "2024/1772 Art 9(3)", Met,
			[]string{"duration of 24 h 1 s is more than 24 h"}},
		{"2024/1772 Art 9(3)(b): exactly 2 h downtime is not more than 2 h", withMedia(DORAImpact{ServiceDowntime: dur("2h")}), "2024/1772 Art 9(3)", NotMet, nil},
		{"2024/1772 Art 9(3)(b): 2 h 1 s downtime of ICT services supporting critical functions", withMedia(DORAImpact{ServiceDowntime: dur("2h0m1s")}), "2024/1772 Art 9(3)", Met,
			[]string{"service downtime of 2 h 1 s is more than 2 h"}},
		{"2024/1772 Art 9(3)(b): 3 h downtime of services not supporting critical or important functions", DORAImpact{AffectsSupervisedServices: true, MediaCoverage: true, ServiceDowntime: dur("3h")}, "2024/1772 Art 9(3)", NotMet, nil},
		{"2024/1772 Art 9(4): one Member State is not two", withMedia(DORAImpact{MemberStatesImpacted: []string{"LU"}}), "2024/1772 Art 9(4)", NotMet, nil},
		{"2024/1772 Art 9(4): two Member States", withMedia(DORAImpact{MemberStatesImpacted: []string{"LU", "DE"}}), "2024/1772 Art 9(4)", Met,
			[]string{"impact in 2 Member States (LU and DE)"}},
		{"2024/1772 Art 9(5)(a): data losses with adverse impact", withMedia(DORAImpact{DataLossAdverse: true}), "2024/1772 Art 9(5)(a)", Met, nil},
		{"2024/1772 Art 9(6): exactly EUR 100 000 does not exceed EUR 100 000", withMedia(DORAImpact{EconomicImpactEUR: 100000}), "2024/1772 Art 9(6)", NotMet,
			[]string{"EUR 100 000 do not exceed EUR 100 000"}},
		{"2024/1772 Art 9(6): EUR 100 000.01 exceeds EUR 100 000", withMedia(DORAImpact{EconomicImpactEUR: 100000.01}), "2024/1772 Art 9(6)", Met, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := doraFacts()
			d := tt.d
			f.Incident.DORA = &d
			res := assess(t, f)
			want := StatusNotReportable
			if tt.want == Met {
				want = StatusReportable
			}
			r := wantRegime(t, res, "dora", want)
			fd := wantOutcome(t, r.Significance, tt.rule, tt.want)
			wantExplanation(t, fd, tt.explain...)
		})
	}
}

func TestDORAArt8_1(t *testing.T) {
	tests := []struct {
		name     string
		d        DORAImpact
		major    bool
		outcomes map[string]Outcome
		explain  map[string]string
	}{
		{"2024/1772 Art 8(1)(a): critical services and the materiality threshold of Art 9(5)(b) alone make it major",
			DORAImpact{MaliciousUnauthorisedAccess: true, AccessMayCauseDataLoss: true}, true,
			map[string]Outcome{"2024/1772 Art 6": Met, "2024/1772 Art 9(5)(b)": Met, "2024/1772 Art 8(1)(a)": Met}, nil},
		{"2024/1772 Art 9(5)(b): malicious access that may not result in data losses is not the materiality threshold",
			DORAImpact{MaliciousUnauthorisedAccess: true}, false,
			map[string]Outcome{"2024/1772 Art 6": Met, "2024/1772 Art 9(5)(b)": NotMet, "2024/1772 Art 8(1)": NotMet}, nil},
		{"2024/1772 Art 8(1)(b): critical services and two other thresholds",
			DORAImpact{AffectsCriticalFunctions: true, MediaCoverage: true, MemberStatesImpacted: []string{"LU", "FR"}}, true,
			map[string]Outcome{"2024/1772 Art 8(1)(b)": Met}, map[string]string{"2024/1772 Art 8(1)(b)": "2 other thresholds met"}},
		{"2024/1772 Art 8(1)(b): critical services and one other threshold are not enough",
			DORAImpact{AffectsCriticalFunctions: true, MediaCoverage: true}, false,
			map[string]Outcome{"2024/1772 Art 8(1)": NotMet}, map[string]string{"2024/1772 Art 8(1)": "only 1 other threshold(s)"}},
		{"2024/1772 Art 6: without a critical service affected, every threshold is not enough",
			DORAImpact{AccessMayCauseDataLoss: true, MediaCoverage: true, DataLossAdverse: true, EconomicImpactEUR: 5e6, MemberStatesImpacted: []string{"LU", "FR"}}, false,
			map[string]Outcome{"2024/1772 Art 6": NotMet, "2024/1772 Art 8(1)": NotMet}, map[string]string{"2024/1772 Art 8(1)": "no critical service affected"}},
		{"2024/1772 Art 6(b): authorised or supervised financial services are critical services",
			DORAImpact{AffectsSupervisedServices: true, MediaCoverage: true, EconomicImpactEUR: 150000}, true,
			map[string]Outcome{"2024/1772 Art 6": Met, "2024/1772 Art 8(1)(b)": Met}, map[string]string{"2024/1772 Art 6": "(Art 6(b))"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := doraFacts()
			d := tt.d
			f.Incident.DORA = &d
			res := assess(t, f)
			r := regimeOf(t, res, "dora")
			if got := r.Class == "major"; got != tt.major {
				t.Errorf("major: got %v (class %q), want %v", got, r.Class, tt.major)
			}
			for rule, want := range tt.outcomes {
				wantOutcome(t, r.Significance, rule, want)
			}
			for rule, part := range tt.explain {
				wantExplanation(t, findingOf(t, r.Significance, rule), part)
			}
			if _, ok := findObligation(res, "dora.initial"); ok != tt.major {
				t.Errorf("initial notification present: got %v, want %v", ok, tt.major)
			}
		})
	}
}

func TestDORAWithoutMeasurements(t *testing.T) {
	f := doraFacts()
	f.Incident.DORA = nil
	r := wantRegime(t, assess(t, f), "dora", StatusNotReportable)
	wantOutcome(t, r.Significance, "2024/1772 Art 8(1)", Unknown)
}

func TestDORAArt8_2Recurring(t *testing.T) {
	// This incident: critical functions and media (one threshold), EUR 50 000
	// of costs; root cause "faulty release".
	current := func() Facts {
		f := doraFacts()
		f.Incident.OccurredAt = atp("2026-05-13T08:00:00Z")
		f.Incident.RootCause = "faulty release"
		f.Incident.DORA = &DORAImpact{AffectsCriticalFunctions: true, MediaCoverage: true, EconomicImpactEUR: 50000,
			ClientsAffected: 60000, ClientsTotal: 1000000}
		return f
	}
	earlier := func(at0 string, d DORAImpact) EarlierIncident {
		return EarlierIncident{Ref: "INC-1", OccurredAt: at(at0), RootCause: "faulty release", DORA: &d}
	}
	tests := []struct {
		name    string
		mod     func(*Facts)
		major   bool
		outcome Outcome
		extra   map[string]Outcome
	}{
		{"2024/1772 Art 8(2): costs of two non-major incidents together exceed EUR 100 000 (Art 9(6)): one major incident",
			func(f *Facts) {
				f.Incident.EarlierIncidents = []EarlierIncident{earlier("2026-02-01T10:00:00Z", DORAImpact{EconomicImpactEUR: 50000.01})}
			}, true, Met, map[string]Outcome{"aggregate: 2024/1772 Art 9(6)": Met, "aggregate: 2024/1772 Art 8(1)(b)": Met}},
		{"2024/1772 Art 8(2): costs of exactly EUR 100 000 together do not exceed EUR 100 000",
			func(f *Facts) {
				f.Incident.EarlierIncidents = []EarlierIncident{earlier("2026-02-01T10:00:00Z", DORAImpact{EconomicImpactEUR: 50000})}
			}, false, NotMet, map[string]Outcome{"aggregate: 2024/1772 Art 9(6)": NotMet}},
		{"2024/1772 Art 8(2): clients of two incidents are added (110 000 of 1 000 000)",
			func(f *Facts) {
				f.Incident.EarlierIncidents = []EarlierIncident{earlier("2026-02-01T10:00:00Z", DORAImpact{ClientsAffected: 50000, ClientsTotal: 1000000})}
			}, true, Met, map[string]Outcome{"aggregate: 2024/1772 Art 9(1)": Met}},
		{"2024/1772 Art 8(2): not applied to microenterprises",
			func(f *Facts) {
				f.Entity.DORA.Microenterprise = true
				f.Incident.EarlierIncidents = []EarlierIncident{earlier("2026-02-01T10:00:00Z", DORAImpact{EconomicImpactEUR: 90000})}
			}, false, NotMet, nil},
		{"2024/1772 Art 8(2): not applied to entities under the simplified framework of DORA Art 16(1)",
			func(f *Facts) {
				f.Entity.DORA.Art16Simplified = true
				f.Incident.EarlierIncidents = []EarlierIncident{earlier("2026-02-01T10:00:00Z", DORAImpact{EconomicImpactEUR: 90000})}
			}, false, NotMet, nil},
		{"2024/1772 Art 8(2): an earlier major incident does not aggregate",
			func(f *Facts) {
				e := earlier("2026-02-01T10:00:00Z", DORAImpact{EconomicImpactEUR: 90000})
				e.Significant = true
				f.Incident.EarlierIncidents = []EarlierIncident{e}
			}, false, NotMet, nil},
		{"2024/1772 Art 8(2)(a): an incident more than six months earlier does not aggregate",
			func(f *Facts) {
				f.Incident.EarlierIncidents = []EarlierIncident{earlier("2025-11-13T07:59:59Z", DORAImpact{EconomicImpactEUR: 90000})}
			}, false, NotMet, nil},
		{"2024/1772 Art 8(2)(b): a different root cause does not aggregate",
			func(f *Facts) {
				e := earlier("2026-02-01T10:00:00Z", DORAImpact{EconomicImpactEUR: 90000})
				e.RootCause = "power failure"
				f.Incident.EarlierIncidents = []EarlierIncident{e}
			}, false, NotMet, nil},
		{"2024/1772 Art 8(2): an earlier incident without DORA measurements does not count",
			func(f *Facts) {
				f.Incident.EarlierIncidents = []EarlierIncident{{OccurredAt: at("2026-02-01T10:00:00Z"), RootCause: "faulty release", DirectFinancialLossEUR: 1e6}}
			}, false, NotMet, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := current()
			tt.mod(&f)
			r := regimeOf(t, assess(t, f), "dora")
			if got := r.Class == "major"; got != tt.major {
				t.Errorf("major: got %v (class %q), want %v", got, r.Class, tt.major)
			}
			wantOutcome(t, r.Significance, "2024/1772 Art 8(1)", NotMet) // not major on its own
			wantOutcome(t, r.Significance, "2024/1772 Art 8(2)", tt.outcome)
			for rule, want := range tt.extra {
				wantOutcome(t, r.Significance, rule, want)
			}
		})
	}
}

func TestAssessDoesNotModifyTheFacts(t *testing.T) {
	// The aggregate of 2024/1772 Art 8(2) must not write into the caller's
	// slices, even when they have spare capacity.
	impacted := make([]string, 1, 4)
	impacted[0] = "LU"
	f := doraFacts()
	f.Incident.RootCause = "faulty release"
	f.Incident.DORA = &DORAImpact{AffectsCriticalFunctions: true, MediaCoverage: true, MemberStatesImpacted: impacted}
	f.Incident.EarlierIncidents = []EarlierIncident{{OccurredAt: at("2026-02-01T10:00:00Z"), RootCause: "faulty release",
		DORA: &DORAImpact{MemberStatesImpacted: []string{"DE", "FR"}}}}
	r := regimeOf(t, assess(t, f), "dora")
	if r.Class != "major" {
		t.Fatalf("class: got %q, want major (aggregate impact in LU, DE and FR)", r.Class)
	}
	if spare := impacted[:4]; spare[1] != "" || spare[2] != "" {
		t.Errorf("Assess wrote into the facts' member_states_impacted: %q", spare)
	}
}

func TestDORAScope(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*Facts)
		status string
		rule   string
		want   Outcome
	}{
		{"DORA Art 2(1)(b): a payment institution reports major incidents", nil, StatusReportable, "DORA Art 2(1)(b)", Met},
		{"DORA Art 2(1)(a): a credit institution reports major incidents", func(f *Facts) { f.Entity.DORA.EntityType = "credit-institution" }, StatusReportable, "DORA Art 2(1)(a)", Met},
		{"DORA Art 2(1)(n): an insurance undertaking reports major incidents", func(f *Facts) { f.Entity.DORA.EntityType = "insurance-undertaking" }, StatusReportable, "DORA Art 2(1)(n)", Met},
		{"DORA Art 2(2): an ICT third-party service provider is not a financial entity and has no Art 19 duty",
			func(f *Facts) { f.Entity.DORA.EntityType = "ict-third-party-service-provider" }, StatusOutOfScope, "DORA Art 2(2), Art 19", NotMet},
		{"DORA Art 2(3)–(4): an excluded or exempted entity has no duty", func(f *Facts) { f.Entity.DORA.Exempted = true }, StatusOutOfScope, "DORA Art 2(3)–(4)", Met},
		{"DORA Art 64: DORA applies from 17 January 2025", func(f *Facts) {
			f.Now = at("2025-01-20T00:00:00Z")
			f.Incident.AwareAt = atp("2025-01-16T23:59:59Z")
		}, StatusOutOfScope, "DORA Art 64", NotMet},
		{"DORA Art 2(1): not a financial entity", func(f *Facts) { f.Entity.DORA = nil; f.Incident.DORA = nil }, StatusOutOfScope, "DORA Art 2(1)", NotMet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := doraFacts()
			if tt.mod != nil {
				tt.mod(&f)
			}
			r := wantRegime(t, assess(t, f), "dora", tt.status)
			wantOutcome(t, r.Scope, tt.rule, tt.want)
		})
	}
}

// bankFacts is a large Dutch credit institution, an Annex I banking entity
// under NIS2 and a credit institution under DORA, with a major incident.
func bankFacts() Facts {
	f := nis2Facts("banking/credit-institution")
	f.Entity.DORA = &DORA{EntityType: "credit-institution"}
	f.Incident.DORA = &DORAImpact{MaliciousUnauthorisedAccess: true, AccessMayCauseDataLoss: true, ClassifiedMajorAt: atp("2026-03-05T11:00:00Z")}
	f.Incident.NIS2 = &NIS2Judgement{SevereOperationalDisruption: true}
	return f
}

func TestPrecedenceDORADisplacesNIS2(t *testing.T) {
	f := bankFacts()
	f.Entity.GDPRRole = "controller"
	f.Incident.PersonalData = &PersonalData{Breach: true, Risk: "risk"}
	res := assess(t, f)
	nis2 := wantRegime(t, res, "nis2", StatusDisplaced)
	if !nis2.InScope || nis2.Class != "essential" {
		t.Errorf("nis2: got in scope %v class %q, want in scope, essential", nis2.InScope, nis2.Class)
	}
	wantOutcome(t, nis2.Scope, "DORA Art 1(2); NIS2 Art 4", Met)
	wantRegime(t, res, "dora", StatusReportable)
	wantRegime(t, res, "gdpr", StatusReportable)
	for _, o := range res.Obligations {
		if o.Regime == "nis2" {
			t.Errorf("NIS2 obligation %s for a DORA financial entity; Art 23 is displaced", o.ID)
		}
	}
	obligationOf(t, res, "dora.initial")
	obligationOf(t, res, "gdpr.sa_notification")
	wantNoRoute(t, res, "spoc")
	routeOf(t, res, "csirt_or_competent_authority", "DORA Art 19(6)(c)")
	if !strings.Contains(res.Summary, "DORA and GDPR") {
		t.Errorf("summary %q does not name DORA and GDPR", res.Summary)
	}
}

func TestPrecedenceBeforeDORAApplies(t *testing.T) {
	f := bankFacts()
	f.Now = at("2025-01-17T12:00:00Z")
	f.Incident.AwareAt = atp("2025-01-16T23:59:59Z")
	f.Incident.DORA.ClassifiedMajorAt = nil
	res := assess(t, f)
	wantRegime(t, res, "nis2", StatusReportable)
	wantRegime(t, res, "dora", StatusOutOfScope)
	o := obligationOf(t, res, "nis2.early_warning")
	wantDue(t, o, "2025-01-17T23:59:59Z")
}

func TestPrecedenceNotForICTProviders(t *testing.T) {
	// An ICT third-party service provider is in DORA's scope but not a
	// financial entity: its NIS2 duty as a cloud provider stays.
	f := nis2Facts("digital-infrastructure/cloud")
	f.Entity.DORA = &DORA{EntityType: "ict-third-party-service-provider"}
	f.Incident.Impact.CompleteUnavailability = dur("2h")
	res := assess(t, f)
	wantRegime(t, res, "nis2", StatusReportable)
	wantRegime(t, res, "dora", StatusOutOfScope)
}

func TestGDPR(t *testing.T) {
	tests := []struct {
		name      string
		role      string
		pd        *PersonalData
		status    string
		class     string
		outcomes  map[string]Outcome
		has, lack []string
		explain   map[string]string
	}{
		{"GDPR Art 4(12): no personal data breach recorded", "controller", nil, StatusOutOfScope, "",
			map[string]Outcome{}, nil, []string{"gdpr.documentation", "gdpr.sa_notification"}, nil},
		{"GDPR Art 4(12): personal data involved but no breach", "controller", &PersonalData{Breach: false}, StatusOutOfScope, "",
			map[string]Outcome{}, nil, []string{"gdpr.documentation"}, nil},
		{"GDPR Art 33(1): a breach unlikely to result in a risk is documented, not notified", "controller", &PersonalData{Breach: true, Risk: "unlikely", Reasons: "encrypted backup tape, key intact"},
			StatusNotReportable, "unlikely_risk", map[string]Outcome{"GDPR Art 33(1)": NotMet},
			[]string{"gdpr.documentation"}, []string{"gdpr.sa_notification", "gdpr.data_subjects"},
			map[string]string{"GDPR Art 33(1)": "encrypted backup tape, key intact"}},
		{"GDPR Art 33(1): an unassessed breach is treated as likely to result in a risk", "controller", &PersonalData{Breach: true},
			StatusReportable, "risk", map[string]Outcome{"GDPR Art 33(1)": Unknown, "GDPR Art 34(1)": NotMet},
			[]string{"gdpr.documentation", "gdpr.sa_notification"}, []string{"gdpr.data_subjects"}, nil},
		{"GDPR Art 33(1): a breach likely to result in a risk is notified to the supervisory authority", "controller", &PersonalData{Breach: true, Risk: "risk"},
			StatusReportable, "risk", map[string]Outcome{"GDPR Art 33(1)": Met, "GDPR Art 34(1)": NotMet},
			[]string{"gdpr.sa_notification"}, []string{"gdpr.data_subjects"}, nil},
		{"GDPR Art 34(1): a likely high risk is communicated to the data subjects", "controller", &PersonalData{Breach: true, Risk: "high"},
			StatusReportable, "high_risk", map[string]Outcome{"GDPR Art 33(1)": Met, "GDPR Art 34(1)": Met},
			[]string{"gdpr.sa_notification", "gdpr.data_subjects"}, nil, nil},
		{"GDPR Art 34(3)(a): data rendered unintelligible: no communication to data subjects", "controller", &PersonalData{Breach: true, Risk: "high", Art34Exemption: "unintelligible"},
			StatusReportable, "high_risk", map[string]Outcome{"GDPR Art 34(3)": Met},
			[]string{"gdpr.sa_notification"}, []string{"gdpr.data_subjects"}, map[string]string{"GDPR Art 34(3)": "(34(3)(a))"}},
		{"GDPR Art 34(3)(b): subsequent measures remove the high risk: no communication to data subjects", "controller", &PersonalData{Breach: true, Risk: "high", Art34Exemption: "mitigated"},
			StatusReportable, "high_risk", map[string]Outcome{"GDPR Art 34(3)": Met},
			[]string{"gdpr.sa_notification"}, []string{"gdpr.data_subjects"}, map[string]string{"GDPR Art 34(3)": "(34(3)(b))"}},
		{"GDPR Art 34(3)(c): disproportionate effort: a public communication instead", "controller", &PersonalData{Breach: true, Risk: "high", Art34Exemption: "disproportionate"},
			StatusReportable, "high_risk", map[string]Outcome{"GDPR Art 34(3)(c)": Met},
			[]string{"gdpr.sa_notification", "gdpr.data_subjects"}, nil, nil},
		{"GDPR Art 34(3): an exemption is irrelevant without a high risk", "controller", &PersonalData{Breach: true, Risk: "risk", Art34Exemption: "unintelligible"},
			StatusReportable, "risk", map[string]Outcome{"GDPR Art 34(1)": NotMet},
			[]string{"gdpr.sa_notification"}, []string{"gdpr.data_subjects"}, nil},
		{"GDPR Art 33(2): a processor notifies the controller, whatever the risk", "processor", &PersonalData{Breach: true, Risk: "unlikely"},
			StatusReportable, "processor", map[string]Outcome{"GDPR Art 33(2)": Met},
			[]string{"gdpr.documentation", "gdpr.controller_notification"}, []string{"gdpr.sa_notification", "gdpr.data_subjects"}, nil},
		{"GDPR Art 4(7): without a role the entity is treated as controller", "", &PersonalData{Breach: true, Risk: "risk"},
			StatusReportable, "risk", map[string]Outcome{"GDPR Art 33(1)": Met},
			[]string{"gdpr.sa_notification"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := nis2Facts()
			f.Entity.GDPRRole = tt.role
			f.Incident.PersonalData = tt.pd
			res := assess(t, f)
			r := wantRegime(t, res, "gdpr", tt.status)
			if r.Class != tt.class {
				t.Errorf("class: got %q, want %q", r.Class, tt.class)
			}
			for rule, want := range tt.outcomes {
				wantOutcome(t, r.Significance, rule, want)
			}
			for _, id := range tt.has {
				obligationOf(t, res, id)
			}
			for _, id := range tt.lack {
				wantNoObligation(t, res, id)
			}
			for rule, part := range tt.explain {
				wantExplanation(t, findingOf(t, r.Significance, rule), part)
			}
		})
	}
}

func TestGDPRObligations(t *testing.T) {
	f := nis2Facts()
	f.Entity.GDPRRole = "controller"
	f.Incident.PersonalData = &PersonalData{Breach: true, Risk: "high"}
	res := assess(t, f)
	o := obligationOf(t, res, "gdpr.sa_notification")
	if o.LegalBasis != "GDPR Art 33(1)" || o.Recipient != "supervisory_authority" {
		t.Errorf("SA notification: got basis %q recipient %q", o.LegalBasis, o.Recipient)
	}
	wantAnchor(t, o, "2026-03-05T10:00:00Z")
	wantDue(t, o, "2026-03-08T10:00:00Z")
	wantStatus(t, o, DueOpen)
	ds := obligationOf(t, res, "gdpr.data_subjects")
	if ds.LegalBasis != "GDPR Art 34(1)" || ds.Recipient != "data_subjects" {
		t.Errorf("data subjects: got basis %q recipient %q", ds.LegalBasis, ds.Recipient)
	}
	wantDue(t, ds, "")
	wantStatus(t, ds, DueNoDeadline)
	if r := regimeOf(t, res, "gdpr"); !equalStrings(r.Jurisdiction, []string{"NL"}) {
		t.Errorf("jurisdiction: got %v, want [NL]", r.Jurisdiction)
	}

	t.Run("GDPR Art 33(1): a notification after 72 h is late and must give reasons", func(t *testing.T) {
		f := f
		f.Now = at("2026-03-09T12:00:00Z")
		f.Events.Submitted = map[string]time.Time{"gdpr.sa_notification": at("2026-03-08T10:00:01Z")}
		o := obligationOf(t, assess(t, f), "gdpr.sa_notification")
		wantStatus(t, o, DueSubmitted)
		wantOnTime(t, o, false)
		if len(o.Notes) == 0 || !strings.Contains(o.Notes[0], "reasons for the delay") {
			t.Errorf("notes %q do not mention the reasons for the delay", o.Notes)
		}
	})
	t.Run("GDPR Art 34(3)(c): the public communication goes to the public", func(t *testing.T) {
		f := f
		f.Incident.PersonalData = &PersonalData{Breach: true, Risk: "high", Art34Exemption: "disproportionate"}
		o := obligationOf(t, assess(t, f), "gdpr.data_subjects")
		if o.Recipient != "public" || o.LegalBasis != "GDPR Art 34(3)(c)" {
			t.Errorf("got recipient %q basis %q, want public, GDPR Art 34(3)(c)", o.Recipient, o.LegalBasis)
		}
	})
	t.Run("GDPR Art 56: the lead supervisory authority decides the jurisdiction", func(t *testing.T) {
		f := f
		f.Incident.PersonalData = &PersonalData{Breach: true, Risk: "risk", LeadAuthority: "DE"}
		res := assess(t, f)
		if r := regimeOf(t, res, "gdpr"); !equalStrings(r.Jurisdiction, []string{"DE"}) {
			t.Errorf("jurisdiction: got %v, want [DE]", r.Jurisdiction)
		}
		if rt := routeOf(t, res, "data_protection_authority", "GDPR Art 33(1)"); !equalStrings(rt.MemberStates, []string{"DE"}) {
			t.Errorf("route member states: got %v, want [DE]", rt.MemberStates)
		}
	})
	t.Run("GDPR Art 33(2): the processor's notification has no hour limit", func(t *testing.T) {
		f := f
		f.Entity.GDPRRole = "processor"
		res := assess(t, f)
		o := obligationOf(t, res, "gdpr.controller_notification")
		wantDue(t, o, "")
		wantStatus(t, o, DueNoDeadline)
		if rt := routeOf(t, res, "controller", "GDPR Art 33(2)"); rt.Level != "must" {
			t.Errorf("route level: got %q, want must", rt.Level)
		}
		wantNoRoute(t, res, "data_protection_authority")
	})
}

// craFacts is a German manufacturer of products with digital elements that
// became aware on Tuesday 29 September 2026 at 15:00 UTC (after CRA Art 14
// applies on 11 September 2026).
func craFacts(ev CRAEvent) Facts {
	return Facts{
		Now:      at("2026-10-01T09:00:00Z"),
		Entity:   Entity{Name: "Router Maker", MemberState: "DE", CRA: &CRA{Manufacturer: true}},
		Incident: Incident{AwareAt: atp("2026-09-29T15:00:00Z"), CRA: &ev},
	}
}

func TestCRAScope(t *testing.T) {
	t.Run("CRA Art 14(1): not a manufacturer", func(t *testing.T) {
		f := nis2Facts()
		r := wantRegime(t, assess(t, f), "cra", StatusOutOfScope)
		wantOutcome(t, r.Scope, "CRA Art 14(1)", NotMet)
	})
	t.Run("CRA Art 14(1), 14(3): a manufacturer with nothing reportable", func(t *testing.T) {
		f := craFacts(CRAEvent{Product: "XR-500"})
		res := assess(t, f)
		r := wantRegime(t, res, "cra", StatusNotReportable)
		wantOutcome(t, r.Scope, "CRA Art 14(1), 14(3)", NotMet)
		for _, o := range res.Obligations {
			if o.Regime == "cra" {
				t.Errorf("CRA obligation %s with nothing reportable", o.ID)
			}
		}
	})
	t.Run("CRA Art 71(2): before 11 September 2026 Art 14 does not apply yet", func(t *testing.T) {
		f := craFacts(CRAEvent{ActivelyExploitedVulnerability: true})
		f.Now = at("2026-09-10T23:59:59Z")
		f.Incident.AwareAt = atp("2026-09-10T08:00:00Z")
		res := assess(t, f)
		r := wantRegime(t, res, "cra", StatusNotApplicable)
		wantOutcome(t, r.Scope, "CRA Art 71(2)", NotMet)
		wantNoObligation(t, res, "cra.vulnerability_early_warning")
		wantNoRoute(t, res, "enisa_single_reporting_platform")
	})
	t.Run("CRA Art 71(2): awareness at 11 September 2026 00:00 UTC is covered", func(t *testing.T) {
		f := craFacts(CRAEvent{ActivelyExploitedVulnerability: true})
		f.Incident.AwareAt = atp("2026-09-11T00:00:00Z")
		r := wantRegime(t, assess(t, f), "cra", StatusReportable)
		wantOutcome(t, r.Scope, "CRA Art 71(2)", Met)
	})
}

func TestCRAVulnerability(t *testing.T) {
	res := assess(t, craFacts(CRAEvent{Product: "XR-500", ActivelyExploitedVulnerability: true}))
	r := wantRegime(t, res, "cra", StatusReportable)
	wantOutcome(t, r.Significance, "CRA Art 14(1), 3(42)", Met)
	wantOutcome(t, r.Significance, "CRA Art 14(3), 14(5)", NotMet)
	if !equalStrings(r.Jurisdiction, []string{"DE"}) {
		t.Errorf("jurisdiction: got %v, want [DE]", r.Jurisdiction)
	}
	ew := obligationOf(t, res, "cra.vulnerability_early_warning")
	wantDue(t, ew, "2026-09-30T15:00:00Z")
	wantStatus(t, ew, DueOverdue)
	n := obligationOf(t, res, "cra.vulnerability_notification")
	wantDue(t, n, "2026-10-02T15:00:00Z")
	wantStatus(t, n, DueOpen)
	fin := obligationOf(t, res, "cra.vulnerability_final")
	wantAnchor(t, fin, "")
	wantDue(t, fin, "")
	wantStatus(t, fin, DuePending)
	if len(fin.Notes) == 0 || !strings.Contains(fin.Notes[0], "never starts") {
		t.Errorf("final report notes %q do not explain the pending clock (ambiguity 11)", fin.Notes)
	}
	wantStatus(t, obligationOf(t, res, "cra.users"), DueNoDeadline)
	wantNoObligation(t, res, "cra.incident_early_warning")

	t.Run("CRA Art 14(2)(c): the final report is due 14 days after a fix is available", func(t *testing.T) {
		f := craFacts(CRAEvent{ActivelyExploitedVulnerability: true, FixAvailableAt: atp("2026-09-30T18:00:00Z")})
		fin := obligationOf(t, assess(t, f), "cra.vulnerability_final")
		wantAnchor(t, fin, "2026-09-30T18:00:00Z")
		wantDue(t, fin, "2026-10-14T18:00:00Z")
		wantStatus(t, fin, DueOpen)
	})
	t.Run("CRA Art 14(2)(c), Reg 1182/71: 14 days end at the end of the 14th day in Germany", func(t *testing.T) {
		f := craFacts(CRAEvent{ActivelyExploitedVulnerability: true, FixAvailableAt: atp("2026-09-30T18:00:00Z")})
		f.Options.PeriodReading = ReadingReg1182
		res := assess(t, f)
		wantDue(t, obligationOf(t, res, "cra.vulnerability_final"), "2026-10-14T21:59:59.999999999Z")
		wantDue(t, obligationOf(t, res, "cra.vulnerability_early_warning"), "2026-09-30T16:00:00Z")
	})
}

func TestCRAEarlyAwareness(t *testing.T) {
	// Aware on 1 September 2026, before Art 14 applies; assessed on 12 September.
	early := func(opt CRAEarlyAwareness, fix *string) Facts {
		ev := CRAEvent{ActivelyExploitedVulnerability: true}
		if fix != nil {
			ev.FixAvailableAt = atp(*fix)
		}
		f := craFacts(ev)
		f.Now = at("2026-09-12T09:00:00Z")
		f.Incident.AwareAt = atp("2026-09-01T08:00:00Z")
		f.Options.CRAEarlyAwareness = opt
		return f
	}
	t.Run("CRA Art 71(2), ambiguity 11 clock_from_application (default): clocks start on 11 September 2026", func(t *testing.T) {
		res := assess(t, early("", nil))
		r := wantRegime(t, res, "cra", StatusReportable)
		wantOutcome(t, r.Scope, "CRA Art 71(2)", Unknown)
		ew := obligationOf(t, res, "cra.vulnerability_early_warning")
		wantAnchor(t, ew, "2026-09-11T00:00:00Z")
		wantDue(t, ew, "2026-09-12T00:00:00Z")
		wantStatus(t, ew, DueOverdue)
		wantDue(t, obligationOf(t, res, "cra.vulnerability_notification"), "2026-09-14T00:00:00Z")
	})
	t.Run("CRA Art 71(2), ambiguity 11 not_applicable: no duty", func(t *testing.T) {
		res := assess(t, early(CRANotApplicable, nil))
		r := wantRegime(t, res, "cra", StatusNotApplicable)
		wantOutcome(t, r.Scope, "CRA Art 71(2)", NotMet)
		wantNoObligation(t, res, "cra.vulnerability_early_warning")
	})
	t.Run("CRA Art 14(2)(c), ambiguity 11 clock_from_application: a fix available before 11 September starts the 14 days on 11 September", func(t *testing.T) {
		fix := "2026-09-05T12:00:00Z"
		fin := obligationOf(t, assess(t, early(CRAFromApply, &fix)), "cra.vulnerability_final")
		wantAnchor(t, fin, "2026-09-11T00:00:00Z")
		wantDue(t, fin, "2026-09-25T00:00:00Z")
	})
	t.Run("CRA Art 14(2)(c): a fix available after 11 September keeps its own anchor", func(t *testing.T) {
		fix := "2026-09-11T06:00:00Z"
		fin := obligationOf(t, assess(t, early(CRAFromApply, &fix)), "cra.vulnerability_final")
		wantDue(t, fin, "2026-09-25T06:00:00Z")
	})
}

func TestCRASevereIncident(t *testing.T) {
	for _, tt := range []struct {
		name string
		ev   CRAEvent
		part string
	}{
		{"CRA Art 14(5)(a): affects the product's ability to protect data or functions", CRAEvent{AffectsProtection: true}, "(14(5)(a))"},
		{"CRA Art 14(5)(b): malicious code introduced or executed", CRAEvent{MaliciousCode: true}, "(14(5)(b))"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := assess(t, craFacts(tt.ev))
			r := wantRegime(t, res, "cra", StatusReportable)
			wantExplanation(t, wantOutcome(t, r.Significance, "CRA Art 14(3), 14(5)", Met), tt.part)
			wantOutcome(t, r.Significance, "CRA Art 14(1), 3(42)", NotMet)
			wantDue(t, obligationOf(t, res, "cra.incident_early_warning"), "2026-09-30T15:00:00Z")
			wantDue(t, obligationOf(t, res, "cra.incident_notification"), "2026-10-02T15:00:00Z")
			fin := obligationOf(t, res, "cra.incident_final")
			wantDue(t, fin, "")
			wantStatus(t, fin, DuePending)
			wantNoObligation(t, res, "cra.vulnerability_early_warning")
		})
	}
	t.Run("CRA Art 14(4)(c): the final report is due one month after the notification is submitted", func(t *testing.T) {
		f := craFacts(CRAEvent{AffectsProtection: true})
		f.Now = at("2026-10-03T09:00:00Z")
		f.Events.Submitted = map[string]time.Time{"cra.incident_notification": at("2026-10-02T10:00:00Z")}
		res := assess(t, f)
		n := obligationOf(t, res, "cra.incident_notification")
		wantStatus(t, n, DueSubmitted)
		wantOnTime(t, n, true)
		fin := obligationOf(t, res, "cra.incident_final")
		wantAnchor(t, fin, "2026-10-02T10:00:00Z")
		wantDue(t, fin, "2026-11-02T10:00:00Z")
	})
	t.Run("CRA Art 14: both tracks, users informed once, intermediate report on request", func(t *testing.T) {
		f := craFacts(CRAEvent{ActivelyExploitedVulnerability: true, MaliciousCode: true})
		f.Events.IntermediateRequests = []IntermediateRequest{{Regime: "cra", RequestedAt: at("2026-09-30T09:00:00Z"), DueAt: atp("2026-10-05T09:00:00Z")}}
		res := assess(t, f)
		users := 0
		for _, o := range res.Obligations {
			if o.ID == "cra.users" {
				users++
			}
		}
		if users != 1 {
			t.Errorf("cra.users obligations: got %d, want 1", users)
		}
		obligationOf(t, res, "cra.vulnerability_early_warning")
		obligationOf(t, res, "cra.incident_early_warning")
		im := obligationOf(t, res, "cra.intermediate")
		if im.LegalBasis != "CRA Art 14(6)" {
			t.Errorf("intermediate basis: got %q", im.LegalBasis)
		}
		wantDue(t, im, "2026-10-05T09:00:00Z")
		if !strings.Contains(regimeOf(t, res, "cra").Summary, "actively exploited vulnerability and severe incident") {
			t.Errorf("summary %q does not name both tracks", regimeOf(t, res, "cra").Summary)
		}
	})
	t.Run("CRA Art 14(7): the main establishment for CRA decides the CSIRT coordinator", func(t *testing.T) {
		f := craFacts(CRAEvent{MaliciousCode: true})
		f.Entity.CRA.MainEstablishment = "AT"
		res := assess(t, f)
		if r := regimeOf(t, res, "cra"); !equalStrings(r.Jurisdiction, []string{"AT"}) {
			t.Errorf("jurisdiction: got %v, want [AT]", r.Jurisdiction)
		}
		if rt := routeOf(t, res, "enisa_single_reporting_platform", "CRA Art 14(1)"); !equalStrings(rt.MemberStates, []string{"AT"}) {
			t.Errorf("route: got %v, want [AT]", rt.MemberStates)
		}
	})
}
