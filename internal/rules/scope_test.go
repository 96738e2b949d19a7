package rules

import (
	"strings"
	"testing"
)

func TestClassifySize(t *testing.T) {
	size := func(emp *int64, turnover, balance *float64) *Size {
		return &Size{Employees: emp, AnnualTurnoverEUR: turnover, BalanceSheetEUR: balance}
	}
	tests := []struct {
		name string
		s    *Size
		want SizeClass
	}{
		{"Rec 2003/361 Art 2(3): 9 persons and EUR 2 000 000 turnover is micro", size(i64p(9), f64p(2e6), nil), SizeMicro},
		{"Rec 2003/361 Art 2(3): 9 persons, turnover EUR 2 000 000.01 but balance sheet EUR 2 000 000 is micro (and/or)", size(i64p(9), f64p(2000000.01), f64p(2e6)), SizeMicro},
		{"Rec 2003/361 Art 2(3): 10 persons is not micro", size(i64p(10), f64p(1e6), f64p(1e6)), SizeSmall},
		{"Rec 2003/361 Art 2(2): 49 persons and EUR 10 000 000 turnover is small", size(i64p(49), f64p(10e6), nil), SizeSmall},
		{"Rec 2003/361 Art 2(2): 49 persons, turnover EUR 12 000 000 but balance sheet EUR 10 000 000 is small (and/or)", size(i64p(49), f64p(12e6), f64p(10e6)), SizeSmall},
		{"Rec 2003/361 Art 2(2): 49 persons, turnover and balance sheet EUR 10 000 000.01 is medium", size(i64p(49), f64p(10000000.01), f64p(10000000.01)), SizeMedium},
		{"Rec 2003/361 Art 2(2): 50 persons is not small", size(i64p(50), f64p(1e6), f64p(1e6)), SizeMedium},
		{"Rec 2003/361 Art 2(1): 249 persons and EUR 50 000 000 turnover is medium", size(i64p(249), f64p(50e6), nil), SizeMedium},
		{"Rec 2003/361 Art 2(1): 249 persons, turnover EUR 50 000 000.01 but balance sheet EUR 43 000 000 is medium (and/or)", size(i64p(249), f64p(50000000.01), f64p(43e6)), SizeMedium},
		{"Rec 2003/361 Art 2(1): 249 persons over both financial ceilings is large", size(i64p(249), f64p(50000000.01), f64p(43000000.01)), SizeLarge},
		{"Rec 2003/361 Art 2(1): 250 persons is large whatever the finances", size(i64p(250), f64p(1e6), f64p(1e6)), SizeLarge},
		{"Rec 2003/361 Art 2(1): 30 persons over both medium financial ceilings is large", size(i64p(30), f64p(60e6), f64p(50e6)), SizeLarge},
		{"Rec 2003/361: 100 persons and turnover EUR 60 000 000 without balance sheet is unknown", size(i64p(100), f64p(60e6), nil), SizeUnknown},
		{"Rec 2003/361: 5 persons without financial figures is unknown", size(i64p(5), nil, nil), SizeUnknown},
		{"Rec 2003/361: turnover EUR 1 000 000 without headcount is unknown", size(nil, f64p(1e6), nil), SizeUnknown},
		{"Rec 2003/361: 300 persons without financial figures is large", size(i64p(300), nil, nil), SizeLarge},
		{"Rec 2003/361: no size figures is unknown", nil, SizeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := ClassifySize(tt.s)
			if got != tt.want {
				t.Errorf("got %s, want %s (%s)", got, tt.want, why)
			}
			if why == "" {
				t.Error("empty explanation")
			}
		})
	}
}

func TestClassifySizeExplains(t *testing.T) {
	_, why := ClassifySize(&Size{Employees: i64p(3200), AnnualTurnoverEUR: f64p(400e6)})
	for _, want := range []string{"3 200 persons", "turnover EUR 400 000 000", "exceeds the medium-sized ceilings"} {
		if !strings.Contains(why, want) {
			t.Errorf("explanation %q does not contain %q", why, want)
		}
	}
}

// scopeCase is one NIS2 scope or classification case. The incident has no
// measured impact and no Art 23(3) judgement, so an in-scope entity outside
// 2024/2690 is reportable under the default unassessed_nis2=significant and
// one inside it is not reportable.
type scopeCase struct {
	name    string
	types   []string
	size    *Size
	mod     func(*Facts)
	inScope bool
	class   string
	status  string // "" to skip
	rule    string // a scope finding that must be present
	outcome Outcome
}

func runScopeCases(t *testing.T, tests []scopeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := nis2Facts(tt.types...)
			f.Entity.Size = tt.size
			if tt.mod != nil {
				tt.mod(&f)
			}
			res := assess(t, f)
			r := regimeOf(t, res, "nis2")
			if r.InScope != tt.inScope {
				t.Errorf("in scope: got %v, want %v (%s)", r.InScope, tt.inScope, r.Summary)
			}
			if r.Class != tt.class {
				t.Errorf("class: got %q, want %q", r.Class, tt.class)
			}
			if tt.status != "" && r.Status != tt.status {
				t.Errorf("status: got %q, want %q (%s)", r.Status, tt.status, r.Summary)
			}
			if tt.rule != "" {
				wantOutcome(t, r.Scope, tt.rule, tt.outcome)
			}
		})
	}
}

func TestNIS2Scope(t *testing.T) {
	designate := func(set func(*Designations)) func(*Facts) {
		return func(f *Facts) { set(&f.Entity.Designation) }
	}
	nationalScope := designate(func(d *Designations) { d.NationalScope = true })
	tests := []scopeCase{
		{name: "NIS2 Art 2(1): a medium-sized Annex I entity is in scope", types: []string{"health/healthcare-provider"}, size: mediumSize(),
			inScope: true, class: "important", status: StatusReportable, rule: "NIS2 Art 2(1), NIS2 Annex I point 5", outcome: Met},
		{name: "NIS2 Art 2(1): a small Annex I entity is out of scope (may notify voluntarily, Art 30(1)(b))", types: []string{"health/healthcare-provider"}, size: smallSize(),
			inScope: false, status: StatusVoluntary, rule: "NIS2 Art 2(1), NIS2 Annex I point 5", outcome: NotMet},
		{name: "NIS2 Art 2(1), Rec 2003/361: 49 persons over both small financial ceilings is medium, in scope", types: []string{"energy/electricity/dso"},
			size: &Size{Employees: i64p(49), AnnualTurnoverEUR: f64p(12e6), BalanceSheetEUR: f64p(11e6)}, inScope: true, class: "important", rule: "NIS2 Art 2(1), NIS2 Annex I point 1(a)", outcome: Met},
		{name: "NIS2 Art 2(1), Rec 2003/361 and/or: 49 persons with balance sheet EUR 10 000 000 is small, out of scope", types: []string{"energy/electricity/dso"},
			size: &Size{Employees: i64p(49), AnnualTurnoverEUR: f64p(12e6), BalanceSheetEUR: f64p(10e6)}, inScope: false, rule: "NIS2 Art 2(1), NIS2 Annex I point 1(a)", outcome: NotMet},
		{name: "NIS2 Art 2(1): unknown size is read as in scope by default (unknown_size=assume_in_scope)", types: []string{"health/healthcare-provider"}, size: nil,
			inScope: true, class: "important", status: StatusReportable, rule: "NIS2 Art 2(1), NIS2 Annex I point 5", outcome: Unknown},
		{name: "NIS2 Art 2(1): partial figures that do not decide the size are unknown, in scope by default", types: []string{"health/healthcare-provider"},
			size: &Size{Employees: i64p(100), AnnualTurnoverEUR: f64p(60e6)}, inScope: true, class: "important", rule: "NIS2 Art 2(1), NIS2 Annex I point 5", outcome: Unknown},
		{name: "NIS2 Art 2(1): unknown size with unknown_size=assume_small is out of scope", types: []string{"health/healthcare-provider"}, size: nil,
			mod: func(f *Facts) { f.Options.UnknownSize = SizeAssumeSmall }, inScope: false, rule: "NIS2 Art 2(1), NIS2 Annex I point 5", outcome: NotMet},
		{name: "NIS2 Art 2(1): a medium-sized Annex II entity is in scope", types: []string{"manufacturing/machinery"}, size: mediumSize(),
			inScope: true, class: "important", rule: "NIS2 Art 2(1), NIS2 Annex II point 5", outcome: Met},
		{name: "NIS2 Art 2(1): no NIS2 entity type is out of scope", types: nil, size: largeSize(),
			inScope: false, status: StatusVoluntary, rule: "NIS2 Art 2(1), Annexes I–II", outcome: NotMet},

		{name: "NIS2 Art 2(2)(a)(i): a small public electronic communications network provider is in scope regardless of size", types: []string{"digital-infrastructure/public-ecomms-network"}, size: smallSize(),
			inScope: true, class: "important", status: StatusReportable, rule: "NIS2 Art 2(2)(a)(i)", outcome: Met},
		{name: "NIS2 Art 2(2)(a)(ii): a small trust service provider is in scope regardless of size", types: []string{"digital-infrastructure/trust-service-provider"}, size: smallSize(),
			inScope: true, class: "important", status: StatusNotReportable, rule: "NIS2 Art 2(2)(a)(ii)", outcome: Met},
		{name: "NIS2 Art 2(2)(a)(iii): a small DNS service provider is in scope regardless of size", types: []string{"digital-infrastructure/dns"}, size: smallSize(),
			inScope: true, class: "essential", status: StatusNotReportable, rule: "NIS2 Art 2(2)(a)(iii)", outcome: Met},
		{name: "NIS2 Art 2(2)(a)(iii): a small TLD name registry is in scope regardless of size", types: []string{"digital-infrastructure/tld-registry"}, size: smallSize(),
			inScope: true, class: "essential", rule: "NIS2 Art 2(2)(a)(iii)", outcome: Met},
		{name: "NIS2 Art 2(2)(b): a small sole provider of an essential service is in scope", types: []string{"energy/electricity/dso"}, size: smallSize(),
			mod: designate(func(d *Designations) { d.SoleProvider = true }), inScope: true, class: "essential", rule: "NIS2 Art 2(2)(b)–(e)", outcome: Met},
		{name: "NIS2 Art 2(2)(c): a small entity whose disruption could impact public safety is in scope", types: []string{"drinking-water/supplier"}, size: smallSize(),
			mod: designate(func(d *Designations) { d.PublicSafetyImpact = true }), inScope: true, class: "essential", rule: "NIS2 Art 2(2)(b)–(e)", outcome: Met},
		{name: "NIS2 Art 2(2)(d): a small entity with systemic risk is in scope", types: []string{"food/business"}, size: smallSize(),
			mod: designate(func(d *Designations) { d.SystemicRisk = true }), inScope: true, class: "essential", rule: "NIS2 Art 2(2)(b)–(e)", outcome: Met},
		{name: "NIS2 Art 2(2)(e): a small entity of national or regional importance is in scope", types: []string{"research/organisation"}, size: smallSize(),
			mod: designate(func(d *Designations) { d.NationalImportance = true }), inScope: true, class: "essential", rule: "NIS2 Art 2(2)(b)–(e)", outcome: Met},
		{name: "NIS2 Art 2(2)(f)(i): a small central government public administration entity is in scope", types: []string{"public-administration/central"}, size: smallSize(),
			inScope: true, class: "essential", status: StatusReportable, rule: "NIS2 Art 2(2)(f)(i)", outcome: Met},
		{name: "NIS2 Art 2(2)(f)(ii): regional public administration is out of scope without the Member State's decision", types: []string{"public-administration/regional"}, size: largeSize(),
			inScope: false, rule: "NIS2 Art 2(2)(f)(ii)", outcome: NotMet},
		{name: "NIS2 Art 2(2)(f)(ii): regional public administration is in scope after the Member State's risk-based decision", types: []string{"public-administration/regional"}, size: smallSize(),
			mod: nationalScope, inScope: true, class: "important", status: StatusReportable, rule: "NIS2 Art 2(2)(f)(ii)", outcome: Met},
		{name: "NIS2 Art 2(3): a small CER critical entity is in scope regardless of size", types: []string{"transport/rail/infrastructure-manager"}, size: smallSize(),
			mod: designate(func(d *Designations) { d.CERCritical = true }), inScope: true, class: "essential", rule: "NIS2 Art 2(3)", outcome: Met},
		{name: "NIS2 Art 2(4): a small domain name registration service provider is in scope; Art 23 applies by default (ambiguity 8)", types: []string{"domain-registration/provider"}, size: smallSize(),
			inScope: true, class: "art_2_4", status: StatusReportable, rule: "NIS2 Art 2(4)", outcome: Met},
		{name: "NIS2 Art 2(4), ambiguity 8 does_not_apply: a domain name registration service provider has no Art 23 duty", types: []string{"domain-registration/provider"}, size: smallSize(),
			mod: func(f *Facts) { f.Options.DomainRegistrationArt23 = DoesNotApply }, inScope: true, class: "art_2_4", status: StatusNotReportable, rule: "NIS2 Art 23", outcome: NotMet},
		{name: "NIS2 Art 2(4), ambiguity 8: a registrar that is also a DNS provider is essential and reports whatever the reading", types: []string{"domain-registration/provider", "digital-infrastructure/dns"}, size: smallSize(),
			mod: func(f *Facts) {
				f.Options.DomainRegistrationArt23 = DoesNotApply
				f.Incident.Impact.CompleteUnavailability = dur("31m")
			}, inScope: true, class: "essential", status: StatusReportable, rule: "NIS2 Art 2(4)", outcome: Met},
		{name: "NIS2 Art 2(5)(a): local public administration is out of scope without the Member State's decision", types: []string{"local-public-administration/entity"}, size: largeSize(),
			inScope: false, rule: "NIS2 Art 2(5)(a)", outcome: NotMet},
		{name: "NIS2 Art 2(5)(a): local public administration is in scope under the national option", types: []string{"local-public-administration/entity"}, size: smallSize(),
			mod: nationalScope, inScope: true, class: "important", status: StatusReportable, rule: "NIS2 Art 2(5)(a)", outcome: Met},
		{name: "NIS2 Art 2(5)(b): an education institution is out of scope without the Member State's decision", types: []string{"education/institution"}, size: largeSize(),
			inScope: false, rule: "NIS2 Art 2(5)(b)", outcome: NotMet},
		{name: "NIS2 Art 2(5)(b): an education institution is in scope under the national option", types: []string{"education/institution"}, size: smallSize(),
			mod: nationalScope, inScope: true, class: "important", rule: "NIS2 Art 2(5)(b)", outcome: Met},
		{name: "NIS2 Art 2(7): central public administration working mainly in defence is excluded", types: []string{"public-administration/central"}, size: largeSize(),
			mod: designate(func(d *Designations) { d.ExcludedArea = "defence" }), inScope: false, rule: "NIS2 Art 2(7)", outcome: Met},
		{name: "NIS2 Art 2(7): local public administration in law enforcement is excluded", types: []string{"local-public-administration/entity"}, size: largeSize(),
			mod: designate(func(d *Designations) { d.NationalScope, d.ExcludedArea = true, "law_enforcement" }), inScope: false, rule: "NIS2 Art 2(7)", outcome: Met},
		{name: "NIS2 Art 2(7): the exclusion concerns public administration only, not a hospital", types: []string{"health/healthcare-provider"}, size: largeSize(),
			mod: designate(func(d *Designations) { d.ExcludedArea = "national_security" }), inScope: true, class: "essential"},
		{name: "NIS2 Art 2(8): an entity exempted from Art 23 is in scope but not reportable", types: []string{"health/healthcare-provider"}, size: largeSize(),
			mod: designate(func(d *Designations) { d.ExemptedArt23 = true }), inScope: true, class: "essential", status: StatusNotReportable, rule: "NIS2 Art 2(8)", outcome: Met},
		{name: "NIS2 Art 2(9): the Art 2(8) exemption does not apply to a trust service provider", types: []string{"digital-infrastructure/trust-service-provider"}, size: smallSize(),
			mod: func(f *Facts) {
				f.Entity.Designation.ExemptedArt23 = true
				f.Incident.Impact.CompleteUnavailability = dur("21m")
			}, inScope: true, class: "important", status: StatusReportable, rule: "NIS2 Art 2(9)", outcome: Met},
		{name: "NIS2 Art 2(10): an entity exempted from DORA under its Art 2(4) is out of NIS2 scope", types: []string{"banking/credit-institution"}, size: largeSize(),
			mod: func(f *Facts) { f.Entity.DORA = &DORA{EntityType: "credit-institution", Exempted: true} }, inScope: false, rule: "NIS2 Art 2(10)", outcome: Met},
		{name: "NIS2 Art 41(1): an incident before 18 October 2024 is before the national measures apply", types: []string{"health/healthcare-provider"}, size: largeSize(),
			mod: func(f *Facts) { f.Incident.AwareAt = atp("2024-10-17T23:59:59Z") }, inScope: false, status: StatusNotApplicable, rule: "NIS2 Art 41(1)", outcome: NotMet},
		{name: "NIS2 Art 41(1): an incident at 18 October 2024 00:00 UTC is covered", types: []string{"health/healthcare-provider"}, size: largeSize(),
			mod: func(f *Facts) { f.Incident.AwareAt = atp("2024-10-18T00:00:00Z") }, inScope: true, class: "essential", status: StatusReportable},
	}
	runScopeCases(t, tests)
}

func TestNIS2EssentialOrImportant(t *testing.T) {
	designate := func(set func(*Designations)) func(*Facts) {
		return func(f *Facts) { set(&f.Entity.Designation) }
	}
	tests := []scopeCase{
		{name: "NIS2 Art 3(1)(a): a large Annex I entity is essential", types: []string{"health/healthcare-provider"}, size: largeSize(),
			inScope: true, class: "essential", rule: "NIS2 Art 3(1)(a)", outcome: Met},
		{name: "NIS2 Art 3(2): a medium-sized Annex I entity is important", types: []string{"health/healthcare-provider"}, size: mediumSize(),
			inScope: true, class: "important", rule: "NIS2 Art 3(2)", outcome: Met},
		{name: "NIS2 Art 3(2): a large Annex II entity is important, not essential", types: []string{"manufacturing/machinery"}, size: largeSize(),
			inScope: true, class: "important", rule: "NIS2 Art 3(2)", outcome: Met},
		{name: "NIS2 Art 3(1)(a): a large Annex I and Annex II entity is essential", types: []string{"manufacturing/machinery", "energy/hydrogen/operator"}, size: largeSize(),
			inScope: true, class: "essential", rule: "NIS2 Art 3(1)(a)", outcome: Met},
		{name: "NIS2 Art 3(1)(b): a small qualified trust service provider is essential", types: []string{"digital-infrastructure/trust-service-provider"}, size: smallSize(),
			mod: func(f *Facts) { f.Entity.QualifiedTrustServiceProvider = true }, inScope: true, class: "essential", rule: "NIS2 Art 3(1)(b)", outcome: Met},
		{name: "NIS2 Art 3(2): a small non-qualified trust service provider is important", types: []string{"digital-infrastructure/trust-service-provider"}, size: smallSize(),
			inScope: true, class: "important", rule: "NIS2 Art 3(2)", outcome: Met},
		{name: "NIS2 Art 3(1)(a): a large non-qualified trust service provider is essential as a large Annex I entity", types: []string{"digital-infrastructure/trust-service-provider"}, size: largeSize(),
			inScope: true, class: "essential", rule: "NIS2 Art 3(1)(a)", outcome: Met},
		{name: "NIS2 Art 3(1)(b): a small DNS service provider is essential", types: []string{"digital-infrastructure/dns"}, size: smallSize(),
			inScope: true, class: "essential", rule: "NIS2 Art 3(1)(b)", outcome: Met},
		{name: "NIS2 Art 3(1)(b): a small TLD name registry is essential", types: []string{"digital-infrastructure/tld-registry"}, size: smallSize(),
			inScope: true, class: "essential", rule: "NIS2 Art 3(1)(b)", outcome: Met},
		{name: "NIS2 Art 3(1)(c): a medium-sized public electronic communications provider is essential", types: []string{"digital-infrastructure/public-ecomms-service"}, size: mediumSize(),
			inScope: true, class: "essential", rule: "NIS2 Art 3(1)(c)", outcome: Met},
		{name: "NIS2 Art 3(1)(c): a small public electronic communications provider is important", types: []string{"digital-infrastructure/public-ecomms-service"}, size: smallSize(),
			inScope: true, class: "important", rule: "NIS2 Art 3(2)", outcome: Met},
		{name: "NIS2 Art 3(1)(a): a large public electronic communications provider is essential", types: []string{"digital-infrastructure/public-ecomms-network"}, size: largeSize(),
			inScope: true, class: "essential", rule: "NIS2 Art 3(1)(a)", outcome: Met},
		{name: "NIS2 Art 3(1)(d): central government public administration is essential", types: []string{"public-administration/central"}, size: mediumSize(),
			inScope: true, class: "essential", rule: "NIS2 Art 3(1)(d)", outcome: Met},
		{name: "NIS2 Art 3(1)(e): a medium Annex II entity designated under Art 2(2)(b)–(e) is essential", types: []string{"manufacturing/machinery"}, size: mediumSize(),
			mod: designate(func(d *Designations) { d.SystemicRisk = true }), inScope: true, class: "essential", rule: "NIS2 Art 3(1)(e)", outcome: Met},
		{name: "NIS2 Art 3(1)(f): a CER critical entity is essential", types: []string{"waste-water/undertaking"}, size: mediumSize(),
			mod: designate(func(d *Designations) { d.CERCritical = true }), inScope: true, class: "essential", rule: "NIS2 Art 3(1)(f)", outcome: Met},
		{name: "NIS2 Art 3(1)(g): a medium entity identified as operator of essential services before 16 January 2023 is essential", types: []string{"transport/air/airport"}, size: mediumSize(),
			mod: designate(func(d *Designations) { d.IdentifiedOES = true }), inScope: true, class: "essential", rule: "NIS2 Art 3(1)(g)", outcome: Met},
		{name: "NIS2 Art 3(1)(g): the OES identification does not bring a small entity into scope", types: []string{"transport/air/airport"}, size: smallSize(),
			mod: designate(func(d *Designations) { d.IdentifiedOES = true }), inScope: false, rule: "NIS2 Art 2(1), NIS2 Annex I point 2(a)", outcome: NotMet},
	}
	runScopeCases(t, tests)
}

func TestNIS2Jurisdiction(t *testing.T) {
	tests := []struct {
		name    string
		types   []string
		mod     func(*Entity)
		want    []string
		rule    string
		outcome Outcome
	}{
		{"NIS2 Art 26(1): the Member States of establishment", []string{"health/healthcare-provider"},
			func(e *Entity) { e.OtherEstablishments = []string{"BE"} }, []string{"BE", "NL"}, "NIS2 Art 26(1)", Met},
		{"NIS2 Art 26(1)(a): public electronic communications: the Member States where the services are provided", []string{"digital-infrastructure/public-ecomms-service"},
			func(e *Entity) { e.ServicesIn = []string{"FR", "DE"} }, []string{"DE", "FR"}, "NIS2 Art 26(1)(a)", Met},
		{"NIS2 Art 26(1)(a): without services_in, the Member State of establishment", []string{"digital-infrastructure/public-ecomms-network"},
			nil, []string{"NL"}, "NIS2 Art 26(1)(a)", Met},
		{"NIS2 Art 26(1)(b): a cloud provider: the Member State of the main establishment", []string{"digital-infrastructure/cloud"},
			func(e *Entity) { e.MainEstablishment = "IE" }, []string{"IE"}, "NIS2 Art 26(1)(b), 26(2)", Met},
		{"NIS2 Art 26(1)(b): an online marketplace's other establishments do not count", []string{"digital-providers/online-marketplace"},
			func(e *Entity) { e.MainEstablishment, e.OtherEstablishments = "LU", []string{"DE", "FR"} }, []string{"LU"}, "NIS2 Art 26(1)(b), 26(2)", Met},
		{"NIS2 Art 26(2): main establishment not given: the Member State of establishment", []string{"ict-service-management/mssp"},
			nil, []string{"NL"}, "NIS2 Art 26(1)(b), 26(2)", Met},
		{"NIS2 Art 26(3): a DNS provider outside the Union: the Member State of its representative", []string{"digital-infrastructure/dns"},
			func(e *Entity) { e.MemberState, e.EURepresentative = "", "DE" }, []string{"DE"}, "NIS2 Art 26(3)", Met},
		{"NIS2 Art 26(1)(c): public administration: the Member State that established it", []string{"public-administration/central"},
			func(e *Entity) { e.OtherEstablishments = []string{"BE"} }, []string{"NL"}, "NIS2 Art 26(1)(c)", Met},
		{"NIS2 Art 26(1): an entity of another type outside the Union is taken as under its representative", []string{"health/healthcare-provider"},
			func(e *Entity) { e.MemberState, e.EURepresentative = "", "AT" }, []string{"AT"}, "NIS2 Art 26(1)", Unknown},
		{"NIS2 Art 26(1)(a),(b): an entity of two kinds is under each rule", []string{"digital-infrastructure/public-ecomms-service", "digital-infrastructure/cloud"},
			func(e *Entity) { e.MainEstablishment, e.ServicesIn = "IE", []string{"NL", "BE"} }, []string{"BE", "IE", "NL"}, "NIS2 Art 26(1)(a)", Met},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := nis2Facts(tt.types...)
			if tt.mod != nil {
				tt.mod(&f.Entity)
			}
			res := assess(t, f)
			r := regimeOf(t, res, "nis2")
			if !equalStrings(r.Jurisdiction, tt.want) {
				t.Errorf("jurisdiction: got %v, want %v", r.Jurisdiction, tt.want)
			}
			wantOutcome(t, r.Scope, tt.rule, tt.outcome)
		})
	}
}
