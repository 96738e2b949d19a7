package rules

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNIS2Art23_3Judgement(t *testing.T) {
	tests := []struct {
		name     string
		j        *NIS2Judgement
		opt      UnassessedNIS2
		status   string
		outcomes map[string]Outcome
	}{
		{"NIS2 Art 23(3), ambiguity 5: no judgement recorded is read as significant by default", nil, "",
			StatusReportable, map[string]Outcome{"NIS2 Art 23(3)": Unknown}},
		{"NIS2 Art 23(3), ambiguity 5: no judgement recorded with unassessed_nis2=not_significant", nil, UnassessedNotSignificant,
			StatusNotReportable, map[string]Outcome{"NIS2 Art 23(3)": Unknown}},
		{"NIS2 Art 23(3)(a): severe operational disruption is significant", &NIS2Judgement{SevereOperationalDisruption: true}, "",
			StatusReportable, map[string]Outcome{"NIS2 Art 23(3)(a)": Met, "NIS2 Art 23(3)(b)": NotMet}},
		{"NIS2 Art 23(3)(a): financial loss for the entity is significant", &NIS2Judgement{FinancialLoss: true}, UnassessedNotSignificant,
			StatusReportable, map[string]Outcome{"NIS2 Art 23(3)(a)": Met}},
		{"NIS2 Art 23(3)(b): considerable damage to other persons is significant", &NIS2Judgement{ConsiderableDamageToOthers: true}, "",
			StatusReportable, map[string]Outcome{"NIS2 Art 23(3)(a)": NotMet, "NIS2 Art 23(3)(b)": Met}},
		{"NIS2 Art 23(3): judged neither (a) nor (b) is not significant, whatever unassessed_nis2 says", &NIS2Judgement{Reasons: "contained within minutes"}, UnassessedSignificant,
			StatusNotReportable, map[string]Outcome{"NIS2 Art 23(3)(a)": NotMet, "NIS2 Art 23(3)(b)": NotMet}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := nis2Facts("health/healthcare-provider")
			f.Incident.NIS2 = tt.j
			f.Options.UnassessedNIS2 = tt.opt
			res := assess(t, f)
			r := wantRegime(t, res, "nis2", tt.status)
			for rule, want := range tt.outcomes {
				wantOutcome(t, r.Significance, rule, want)
			}
			_, ew := findObligation(res, "nis2.early_warning")
			if ew != (tt.status == StatusReportable) {
				t.Errorf("early warning present: got %v, want %v", ew, tt.status == StatusReportable)
			}
			if tt.status == StatusNotReportable {
				if o := obligationOf(t, res, "nis2.voluntary"); o.LegalBasis != "NIS2 Art 30(1)(a)" {
					t.Errorf("voluntary notification basis: got %q, want NIS2 Art 30(1)(a)", o.LegalBasis)
				}
			}
		})
	}
}

func TestNIS2JudgementReasonsAreQuoted(t *testing.T) {
	f := nis2Facts("health/healthcare-provider")
	f.Incident.NIS2 = &NIS2Judgement{SevereOperationalDisruption: true, Reasons: "Outpatient appointments cancelled for two days."}
	r := regimeOf(t, assess(t, f), "nis2")
	wantExplanation(t, findingOf(t, r.Significance, "NIS2 Art 23(3)(a)"), "Outpatient appointments cancelled for two days.")
}

func TestTruncateKeepsUTF8(t *testing.T) {
	// 199 ASCII bytes then "é" (2 bytes): cutting at 200 bytes would split it.
	s := strings.Repeat("a", 199) + "é and more"
	got := truncate(s, 200)
	if !utf8.ValidString(got) {
		t.Errorf("truncate split a character: %q", got[190:])
	}
	if !strings.HasSuffix(got, "…") || len(got) > 200+len("…") {
		t.Errorf("got %q (%d bytes), want at most 200 bytes and an ellipsis", got, len(got))
	}
	if got := truncate("short", 200); got != "short" {
		t.Errorf("truncate(short): got %q", got)
	}
}

func TestImplReg2690Art3_1(t *testing.T) {
	dns := func(turnover *float64, im Impact) Facts {
		f := nis2Facts("digital-infrastructure/dns")
		f.Entity.Size = &Size{Employees: i64p(100), AnnualTurnoverEUR: turnover}
		f.Incident.Impact = im
		return f
	}
	tests := []struct {
		name     string
		turnover *float64
		im       Impact
		rule     string
		want     Outcome
		explain  []string
	}{
		{"2024/2690 Art 3(1)(a): 5 % of a EUR 4 000 000 turnover is lower than EUR 500 000; exactly EUR 200 000 does not exceed it", f64p(4e6),
			Impact{DirectFinancialLossEUR: 200000}, "2024/2690 Art 3(1)(a)", NotMet,
			[]string{"EUR 200 000 does not exceed 5 % of the turnover of EUR 4 000 000 = EUR 200 000, lower than EUR 500 000"}},
		{"2024/2690 Art 3(1)(a): one cent over 5 % of a EUR 4 000 000 turnover exceeds it", f64p(4e6),
			Impact{DirectFinancialLossEUR: 200000.01}, "2024/2690 Art 3(1)(a)", Met,
			[]string{"EUR 200 000.01 exceeds 5 % of the turnover of EUR 4 000 000 = EUR 200 000"}},
		{"2024/2690 Art 3(1)(a): one euro over 5 % of a EUR 4 000 000 turnover exceeds it", f64p(4e6),
			Impact{DirectFinancialLossEUR: 200001}, "2024/2690 Art 3(1)(a)", Met, nil},
		{"2024/2690 Art 3(1)(a): EUR 500 000 is lower than 5 % of EUR 20 000 000; exactly EUR 500 000 does not exceed it", f64p(20e6),
			Impact{DirectFinancialLossEUR: 500000}, "2024/2690 Art 3(1)(a)", NotMet,
			[]string{"EUR 500 000, lower than 5 % of the turnover of EUR 20 000 000 = EUR 1 000 000"}},
		{"2024/2690 Art 3(1)(a): one cent over EUR 500 000 exceeds it", f64p(20e6),
			Impact{DirectFinancialLossEUR: 500000.01}, "2024/2690 Art 3(1)(a)", Met, []string{"EUR 500 000.01 exceeds EUR 500 000"}},
		{"2024/2690 Art 3(1)(a): one euro over EUR 500 000 exceeds it", f64p(20e6),
			Impact{DirectFinancialLossEUR: 500001}, "2024/2690 Art 3(1)(a)", Met, nil},
		{"2024/2690 Art 3(1)(a): with a EUR 10 000 000 turnover both thresholds are EUR 500 000", f64p(10e6),
			Impact{DirectFinancialLossEUR: 500000}, "2024/2690 Art 3(1)(a)", NotMet, nil},
		{"2024/2690 Art 3(1)(a): without turnover, more than EUR 500 000 exceeds the threshold anyway", nil,
			Impact{DirectFinancialLossEUR: 500000.01}, "2024/2690 Art 3(1)(a)", Met, nil},
		{"2024/2690 Art 3(1)(a): without turnover, EUR 400 000 may exceed 5 % of the unknown turnover", nil,
			Impact{DirectFinancialLossEUR: 400000}, "2024/2690 Art 3(1)(a)", Unknown, []string{"annual_turnover_eur"}},
		{"2024/2690 Art 3(1)(a): no loss", f64p(20e6), Impact{}, "2024/2690 Art 3(1)(a)", NotMet, []string{"EUR 0 does not exceed EUR 500 000"}},
		{"2024/2690 Art 3(1)(b): exfiltration of trade secrets", f64p(20e6), Impact{TradeSecretsExfiltrated: true}, "2024/2690 Art 3(1)(b)", Met, nil},
		{"2024/2690 Art 3(1)(c): capable of causing the death of a natural person", f64p(20e6), Impact{Death: true}, "2024/2690 Art 3(1)(c)", Met, nil},
		{"2024/2690 Art 3(1)(d): considerable damage to a natural person's health", f64p(20e6), Impact{HealthDamage: true}, "2024/2690 Art 3(1)(d)", Met, nil},
		{"2024/2690 Art 3(1)(e): malicious unauthorised access capable of causing severe operational disruption", f64p(20e6),
			Impact{MaliciousUnauthorisedAccess: true, CapableOfSevereDisruption: true}, "2024/2690 Art 3(1)(e)", Met, nil},
		{"2024/2690 Art 3(1)(e): malicious unauthorised access not capable of severe disruption is not enough", f64p(20e6),
			Impact{MaliciousUnauthorisedAccess: true}, "2024/2690 Art 3(1)(e)", NotMet, []string{"not capable of causing severe operational disruption"}},
		{"2024/2690 Art 3(1)(e): capability of severe disruption without malicious access is not enough", f64p(20e6),
			Impact{CapableOfSevereDisruption: true}, "2024/2690 Art 3(1)(e)", NotMet, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := assess(t, dns(tt.turnover, tt.im))
			want := StatusNotReportable
			if tt.want == Met {
				want = StatusReportable
			}
			r := wantRegime(t, res, "nis2", want)
			f := wantOutcome(t, r.Significance, tt.rule, tt.want)
			wantExplanation(t, f, tt.explain...)
			if tt.want == Unknown && len(res.Warnings) == 0 {
				t.Error("an undecidable Art 3(1)(a) gives no warning")
			}
		})
	}
}

func TestImplReg2690Art3_2ScheduledMaintenance(t *testing.T) {
	f := significantDNS()
	f.Incident.ScheduledMaintenance = true
	res := assess(t, f)
	r := wantRegime(t, res, "nis2", StatusNotReportable)
	wantOutcome(t, r.Significance, "2024/2690 Art 3(2)", Met)
	if hasFinding(r.Significance, "2024/2690 Art 5(a)") {
		t.Error("2024/2690 Art 5(a) was checked for a scheduled maintenance interruption")
	}
	wantNoObligation(t, res, "nis2.early_warning")
}

func TestImplReg2690Art4Recurring(t *testing.T) {
	// A DNS provider with a EUR 20 000 000 turnover (threshold EUR 500 000).
	// This incident occurred on 5 March 2026 at 10:00 UTC with a loss of
	// EUR 300 000; the six calendar months before start on 5 September 2025
	// at 10:00 UTC.
	type earlier struct {
		at, cause   string
		loss        float64
		significant bool
	}
	tests := []struct {
		name     string
		occurred string
		loss     float64
		cause    string
		turnover float64
		window   RecurrenceWindow
		earlier  []earlier
		want     Outcome
		explain  []string
	}{
		{"2024/2690 Art 4(a): an earlier incident one second inside the six-month window aggregates", "2026-03-05T10:00:00Z", 300000, "expired certificate", 20e6, "",
			[]earlier{{"2025-09-05T10:00:01Z", "expired certificate", 250000, false}}, Met,
			[]string{"2 incidents", "EUR 550 000, exceeding EUR 500 000"}},
		{"2024/2690 Art 4(a): an incident exactly six months earlier is within the rolling window", "2026-03-05T10:00:00Z", 300000, "expired certificate", 20e6, "",
			[]earlier{{"2025-09-05T10:00:00Z", "expired certificate", 250000, false}}, Met, nil},
		{"2024/2690 Art 4(a): an earlier incident one second outside the six-month window does not aggregate", "2026-03-05T10:00:00Z", 300000, "expired certificate", 20e6, "",
			[]earlier{{"2025-09-05T09:59:59Z", "expired certificate", 250000, false}}, NotMet, nil},
		{"2024/2690 Art 4(a): the window is six calendar months, clamped (31 August → 28 February)", "2026-08-31T10:00:00Z", 300000, "expired certificate", 20e6, "",
			[]earlier{{"2026-02-28T10:00:00Z", "expired certificate", 250000, false}}, Met, nil},
		{"2024/2690 Art 4(b): a different apparent root cause does not aggregate", "2026-03-05T10:00:00Z", 300000, "expired certificate", 20e6, "",
			[]earlier{{"2026-01-10T10:00:00Z", "fibre cut", 250000, false}}, NotMet, nil},
		{"2024/2690 Art 4(b): root causes are compared ignoring case and surrounding spaces", "2026-03-05T10:00:00Z", 300000, "expired certificate", 20e6, "",
			[]earlier{{"2026-01-10T10:00:00Z", " Expired Certificate ", 250000, false}}, Met, nil},
		{"2024/2690 Art 4: an earlier incident that was itself significant does not aggregate", "2026-03-05T10:00:00Z", 300000, "expired certificate", 20e6, "",
			[]earlier{{"2026-01-10T10:00:00Z", "expired certificate", 250000, true}}, NotMet, nil},
		{"2024/2690 Art 4(c): a collective loss of exactly EUR 500 000 does not exceed the threshold", "2026-03-05T10:00:00Z", 300000, "expired certificate", 20e6, "",
			[]earlier{{"2026-01-10T10:00:00Z", "expired certificate", 200000, false}}, NotMet,
			[]string{"EUR 500 000, not exceeding EUR 500 000"}},
		{"2024/2690 Art 4(c): three incidents collectively exceed EUR 500 000", "2026-03-05T10:00:00Z", 300000, "expired certificate", 20e6, "",
			[]earlier{{"2026-01-10T10:00:00Z", "expired certificate", 150000, false}, {"2025-12-01T10:00:00Z", "expired certificate", 50000.01, false}}, Met,
			[]string{"3 incidents", "EUR 500 000.01"}},
		{"2024/2690 Art 4(c): the aggregate is compared with 5 % of a EUR 4 000 000 turnover", "2026-03-05T10:00:00Z", 120000, "expired certificate", 4e6, "",
			[]earlier{{"2026-01-10T10:00:00Z", "expired certificate", 80000.01, false}}, Met, []string{"EUR 200 000.01"}},
		{"2024/2690 Art 4, ambiguity 7 rolling: 30 June counts for an incident of 2 July", "2026-07-02T10:00:00Z", 300000, "expired certificate", 20e6, WindowRolling,
			[]earlier{{"2026-06-30T10:00:00Z", "expired certificate", 250000, false}}, Met, []string{"rolling window"}},
		{"2024/2690 Art 4, ambiguity 7 calendar_half_year: 30 June is in the previous half-year", "2026-07-02T10:00:00Z", 300000, "expired certificate", 20e6, WindowHalfYear,
			[]earlier{{"2026-06-30T10:00:00Z", "expired certificate", 250000, false}}, NotMet, nil},
		{"2024/2690 Art 4, ambiguity 7 calendar_half_year: 1 July counts for an incident of 2 July", "2026-07-02T10:00:00Z", 300000, "expired certificate", 20e6, WindowHalfYear,
			[]earlier{{"2026-07-01T09:00:00Z", "expired certificate", 250000, false}}, Met, []string{"calendar_half_year window"}},
		{"2024/2690 Art 4, ambiguity 7 calendar_half_year: the same half-year of an earlier year does not count", "2026-02-02T10:00:00Z", 300000, "expired certificate", 20e6, WindowHalfYear,
			[]earlier{{"2025-01-20T09:00:00Z", "expired certificate", 250000, false}}, NotMet, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := nis2Facts("digital-infrastructure/dns")
			f.Entity.Size = &Size{Employees: i64p(100), AnnualTurnoverEUR: f64p(tt.turnover)}
			f.Now = at("2026-09-01T00:00:00Z")
			f.Incident.OccurredAt = atp(tt.occurred)
			f.Incident.AwareAt = atp(tt.occurred)
			f.Incident.RootCause = tt.cause
			f.Incident.Impact.DirectFinancialLossEUR = tt.loss
			f.Options.RecurrenceWindow = tt.window
			for i, e := range tt.earlier {
				f.Incident.EarlierIncidents = append(f.Incident.EarlierIncidents, EarlierIncident{
					Ref: string(rune('A' + i)), OccurredAt: at(e.at), RootCause: e.cause, DirectFinancialLossEUR: e.loss, Significant: e.significant})
			}
			res := assess(t, f)
			want := StatusNotReportable
			if tt.want == Met {
				want = StatusReportable
			}
			r := wantRegime(t, res, "nis2", want)
			// Each incident alone stays at or under the threshold.
			wantOutcome(t, r.Significance, "2024/2690 Art 3(1)(a)", NotMet)
			fd := wantOutcome(t, r.Significance, "2024/2690 Art 4", tt.want)
			wantExplanation(t, fd, tt.explain...)
			if got := hasFinding(r.Significance, "2024/2690 Art 3(1)(f)"); got != (tt.want == Met) {
				t.Errorf("2024/2690 Art 3(1)(f) finding present: got %v, want %v", got, tt.want == Met)
			}
		})
	}
}

func TestImplReg2690Art4NeedsARootCause(t *testing.T) {
	f := nis2Facts("digital-infrastructure/dns")
	f.Incident.Impact.DirectFinancialLossEUR = 300000
	f.Incident.EarlierIncidents = []EarlierIncident{{OccurredAt: at("2026-01-10T10:00:00Z"), RootCause: "expired certificate", DirectFinancialLossEUR: 300000}}
	r := regimeOf(t, assess(t, f), "nis2")
	wantOutcome(t, r.Significance, "2024/2690 Art 4", Unknown)
}

func TestImplReg2690Art4HalfYearIgnoresNotation(t *testing.T) {
	// 2026-06-30T23:00Z is the same instant as 2026-07-01T01:00+02:00; the
	// half-year it belongs to must not depend on how it is written.
	outcome := func(earlier string) Outcome {
		f := nis2Facts("digital-infrastructure/dns")
		f.Now = at("2026-09-01T00:00:00Z")
		f.Incident.OccurredAt = atp("2026-07-02T10:00:00Z")
		f.Incident.AwareAt = atp("2026-07-02T10:00:00Z")
		f.Incident.RootCause = "expired certificate"
		f.Incident.Impact.DirectFinancialLossEUR = 300000
		f.Incident.EarlierIncidents = []EarlierIncident{{OccurredAt: at(earlier), RootCause: "expired certificate", DirectFinancialLossEUR: 250000}}
		f.Options.RecurrenceWindow = WindowHalfYear
		return findingOf(t, regimeOf(t, assess(t, f), "nis2").Significance, "2024/2690 Art 4").Outcome
	}
	utc, offset := outcome("2026-06-30T23:00:00Z"), outcome("2026-07-01T01:00:00+02:00")
	if utc != offset {
		t.Errorf("same instant, different outcome: written in UTC %s, with +02:00 %s", utc, offset)
	}
	if utc != NotMet {
		t.Errorf("30 June 23:00 UTC under calendar_half_year for an incident of 2 July: got %s, want %s", utc, NotMet)
	}
}

// critCase is one entity-type criterion of 2024/2690 Arts 5–14. The impact
// meets at most the criterion under test, so the incident is significant
// exactly when the criterion is met.
type critCase struct {
	name    string
	typ     string
	im      Impact
	rule    string
	want    Outcome
	explain []string
}

func TestImplReg2690EntityCriteria(t *testing.T) {
	const (
		dns   = "digital-infrastructure/dns"
		tld   = "digital-infrastructure/tld-registry"
		cloud = "digital-infrastructure/cloud"
		dc    = "digital-infrastructure/data-centre"
		cdn   = "digital-infrastructure/cdn"
		msp   = "ict-service-management/msp"
		mssp  = "ict-service-management/mssp"
		mkt   = "digital-providers/online-marketplace"
		srch  = "digital-providers/search-engine"
		soc   = "digital-providers/social-network"
		tsp   = "digital-infrastructure/trust-service-provider"
	)
	// User bases: 1 000 000 EU users (5 % = 50 000 binds, 1 % = 10 000 binds),
	// 40 000 000 (1 000 000 binds over 5 % = 2 000 000), 50 000 000 (200 000
	// binds over 1 % = 500 000), 50 000 (0.1 % = 50 binds over 100).
	const small, large = 1000000, 40000000
	malicious := Impact{DataCompromised: true, DataCompromiseMalicious: true}
	tests := []critCase{
		// Art 5: DNS service providers.
		{"2024/2690 Art 5(a): exactly 30 min is not more than 30 min", dns, Impact{CompleteUnavailability: dur("30m")}, "2024/2690 Art 5(a)", NotMet,
			[]string{"30 min is not more than 30 min"}},
		{"2024/2690 Art 5(a): 30 min 1 s is more than 30 min", dns, Impact{CompleteUnavailability: dur("30m1s")}, "2024/2690 Art 5(a)", Met,
			[]string{"30 min 1 s is more than 30 min"}},
		{"2024/2690 Art 5(b): exactly 1 h of 10.001 s average response is not more than 1 h", dns, Impact{SlowResponse: dur("1h"), AverageResponseSeconds: 10.001}, "2024/2690 Art 5(b)", NotMet,
			[]string{"10.001 s for 1 h"}},
		{"2024/2690 Art 5(b): 1 h 1 s at exactly 10 s average response is not more than 10 s", dns, Impact{SlowResponse: dur("1h0m1s"), AverageResponseSeconds: 10}, "2024/2690 Art 5(b)", NotMet, nil},
		{"2024/2690 Art 5(b): 1 h 1 s at 10.001 s average response", dns, Impact{SlowResponse: dur("1h0m1s"), AverageResponseSeconds: 10.001}, "2024/2690 Art 5(b)", Met,
			[]string{"for 1 h 1 s (more than 1 h)", "10.001 s, more than 10 s"}},
		{"2024/2690 Art 5(c): data of the authoritative resolution service compromised", dns, Impact{DataCompromised: true}, "2024/2690 Art 5(c)", Met, nil},
		{"2024/2690 Art 5(c): 999 misconfigured of 99 900 managed names (exactly 1 %) is excepted", dns,
			Impact{DataCompromised: true, MisconfiguredDomainNames: 999, ManagedDomainNames: 99900}, "2024/2690 Art 5(c)", NotMet,
			[]string{"999 domain names (fewer than 1 000 and no more than 1 % of 99 900 managed)"}},
		{"2024/2690 Art 5(c): 999 misconfigured of 99 899 managed names is more than 1 %, not excepted", dns,
			Impact{DataCompromised: true, MisconfiguredDomainNames: 999, ManagedDomainNames: 99899}, "2024/2690 Art 5(c)", Met, nil},
		{"2024/2690 Art 5(c): 1 000 misconfigured names are not fewer than 1 000, not excepted", dns,
			Impact{DataCompromised: true, MisconfiguredDomainNames: 1000, ManagedDomainNames: 1000000}, "2024/2690 Art 5(c)", Met, nil},
		{"2024/2690 Art 5(c): 999 misconfigured names without the number managed are not excepted", dns,
			Impact{DataCompromised: true, MisconfiguredDomainNames: 999}, "2024/2690 Art 5(c)", Met, nil},

		// Art 6: TLD name registries.
		{"2024/2690 Art 6(a): any complete unavailability, even 1 s (no minimum duration)", tld, Impact{CompleteUnavailability: dur("1s")}, "2024/2690 Art 6(a)", Met, nil},
		{"2024/2690 Art 6(a): no complete unavailability", tld, Impact{}, "2024/2690 Art 6(a)", NotMet, nil},
		{"2024/2690 Art 6(b): exactly 1 h at 10.001 s is not more than 1 h", tld, Impact{SlowResponse: dur("1h"), AverageResponseSeconds: 10.001}, "2024/2690 Art 6(b)", NotMet, nil},
		{"2024/2690 Art 6(b): 1 h 1 s at 10.001 s average response", tld, Impact{SlowResponse: dur("1h0m1s"), AverageResponseSeconds: 10.001}, "2024/2690 Art 6(b)", Met, nil},
		{"2024/2690 Art 6(c): data compromised; the Art 5(c) misconfiguration exception does not apply to registries", tld,
			Impact{DataCompromised: true, MisconfiguredDomainNames: 999, ManagedDomainNames: 99900}, "2024/2690 Art 6(c)", Met, nil},

		// Art 7: cloud computing service providers.
		{"2024/2690 Art 7(a): exactly 30 min is not more than 30 min", cloud, Impact{CompleteUnavailability: dur("30m")}, "2024/2690 Art 7(a)", NotMet, nil},
		{"2024/2690 Art 7(a): 30 min 1 s is more than 30 min", cloud, Impact{CompleteUnavailability: dur("30m1s")}, "2024/2690 Art 7(a)", Met, nil},
		{"2024/2690 Art 7(b): small base, 5 % binds: exactly 50 000 of 1 000 000 users for 1 h 1 s", cloud,
			Impact{LimitedAvailability: dur("1h0m1s"), EUUsers: small, UsersLimitedAvailability: 50000}, "2024/2690 Art 7(b)", NotMet,
			[]string{"50 000 users affected is not more than the threshold (5 % of 1 000 000 EU users = 50 000, smaller than 1 000 000)"}},
		{"2024/2690 Art 7(b): small base, 5 % binds: one user over, 50 001 of 1 000 000", cloud,
			Impact{LimitedAvailability: dur("1h0m1s"), EUUsers: small, UsersLimitedAvailability: 50001}, "2024/2690 Art 7(b)", Met,
			[]string{"50 001 users affected is more than the threshold (5 % of 1 000 000 EU users = 50 000, smaller than 1 000 000)"}},
		{"2024/2690 Art 7(b): large base, 1 000 000 binds: exactly 1 000 000 of 40 000 000 users", cloud,
			Impact{LimitedAvailability: dur("2h"), EUUsers: large, UsersLimitedAvailability: 1000000}, "2024/2690 Art 7(b)", NotMet,
			[]string{"1 000 000, smaller than 5 % of 40 000 000 EU users = 2 000 000"}},
		{"2024/2690 Art 7(b): large base, 1 000 000 binds: one user over, 1 000 001", cloud,
			Impact{LimitedAvailability: dur("2h"), EUUsers: large, UsersLimitedAvailability: 1000001}, "2024/2690 Art 7(b)", Met, nil},
		{"2024/2690 Art 7(b): exactly 1 h of limited availability is not more than 1 h", cloud,
			Impact{LimitedAvailability: dur("1h"), EUUsers: small, UsersLimitedAvailability: 60000}, "2024/2690 Art 7(b)", NotMet,
			[]string{"1 h is not more than 1 h"}},
		{"2024/2690 Art 7(c): data compromised by a suspectedly malicious action", cloud, malicious, "2024/2690 Art 7(c)", Met, nil},
		{"2024/2690 Art 7(c): data compromised without malice is not (c)", cloud, Impact{DataCompromised: true, EUUsers: small}, "2024/2690 Art 7(c)", NotMet, nil},
		{"2024/2690 Art 7(d): small base: exactly 50 000 of 1 000 000 users' data", cloud,
			Impact{DataCompromised: true, EUUsers: small, UsersDataCompromised: 50000}, "2024/2690 Art 7(d)", NotMet, nil},
		{"2024/2690 Art 7(d): small base: 50 001 of 1 000 000 users' data", cloud,
			Impact{DataCompromised: true, EUUsers: small, UsersDataCompromised: 50001}, "2024/2690 Art 7(d)", Met, nil},
		{"2024/2690 Art 7(d): large base: 1 000 001 of 40 000 000 users' data", cloud,
			Impact{DataCompromised: true, EUUsers: large, UsersDataCompromised: 1000001}, "2024/2690 Art 7(d)", Met, nil},

		// Art 8: data centre service providers.
		{"2024/2690 Art 8(a): any complete unavailability of a data centre service", dc, Impact{CompleteUnavailability: dur("1s")}, "2024/2690 Art 8(a)", Met, nil},
		{"2024/2690 Art 8(b): exactly 1 h of limited availability is not more than 1 h", dc, Impact{LimitedAvailability: dur("1h")}, "2024/2690 Art 8(b)", NotMet, nil},
		{"2024/2690 Art 8(b): 1 h 1 s of limited availability", dc, Impact{LimitedAvailability: dur("1h0m1s")}, "2024/2690 Art 8(b)", Met, nil},
		{"2024/2690 Art 8(c): data compromised by a suspectedly malicious action", dc, malicious, "2024/2690 Art 8(c)", Met, nil},
		{"2024/2690 Art 8(d): physical access to a data centre compromised", dc, Impact{PhysicalAccessCompromised: true}, "2024/2690 Art 8(d)", Met, nil},

		// Art 9: content delivery network providers.
		{"2024/2690 Art 9(a): exactly 30 min is not more than 30 min", cdn, Impact{CompleteUnavailability: dur("30m")}, "2024/2690 Art 9(a)", NotMet, nil},
		{"2024/2690 Art 9(a): 30 min 1 s", cdn, Impact{CompleteUnavailability: dur("30m1s")}, "2024/2690 Art 9(a)", Met, nil},
		{"2024/2690 Art 9(b): small base: exactly 50 000 users", cdn, Impact{LimitedAvailability: dur("1h0m1s"), EUUsers: small, UsersLimitedAvailability: 50000}, "2024/2690 Art 9(b)", NotMet, nil},
		{"2024/2690 Art 9(b): small base: 50 001 users", cdn, Impact{LimitedAvailability: dur("1h0m1s"), EUUsers: small, UsersLimitedAvailability: 50001}, "2024/2690 Art 9(b)", Met, nil},
		{"2024/2690 Art 9(c): data compromised by a suspectedly malicious action", cdn, malicious, "2024/2690 Art 9(c)", Met, nil},
		{"2024/2690 Art 9(d): large base: exactly 1 000 000 users' data", cdn, Impact{DataCompromised: true, EUUsers: large, UsersDataCompromised: 1000000}, "2024/2690 Art 9(d)", NotMet, nil},
		{"2024/2690 Art 9(d): large base: 1 000 001 users' data", cdn, Impact{DataCompromised: true, EUUsers: large, UsersDataCompromised: 1000001}, "2024/2690 Art 9(d)", Met, nil},

		// Art 10: managed (security) service providers.
		{"2024/2690 Art 10(a): exactly 30 min of a managed service", msp, Impact{CompleteUnavailability: dur("30m")}, "2024/2690 Art 10(a)", NotMet, nil},
		{"2024/2690 Art 10(a): 30 min 1 s of a managed security service", mssp, Impact{CompleteUnavailability: dur("30m1s")}, "2024/2690 Art 10(a)", Met, nil},
		{"2024/2690 Art 10(b): large base: exactly 1 000 000 users", mssp, Impact{LimitedAvailability: dur("3h"), EUUsers: large, UsersLimitedAvailability: 1000000}, "2024/2690 Art 10(b)", NotMet, nil},
		{"2024/2690 Art 10(b): large base: 1 000 001 users", msp, Impact{LimitedAvailability: dur("3h"), EUUsers: large, UsersLimitedAvailability: 1000001}, "2024/2690 Art 10(b)", Met, nil},
		{"2024/2690 Art 10(c): data compromised by a suspectedly malicious action", mssp, malicious, "2024/2690 Art 10(c)", Met, nil},
		{"2024/2690 Art 10(d): small base: 50 001 users' data", msp, Impact{DataCompromised: true, EUUsers: small, UsersDataCompromised: 50001}, "2024/2690 Art 10(d)", Met, nil},

		// Arts 11–13: online marketplaces, search engines, social networks.
		{"2024/2690 Art 11(a): small base: exactly 50 000 users without any service (no duration floor)", mkt, Impact{EUUsers: small, UsersCompletelyUnavailable: 50000}, "2024/2690 Art 11(a)", NotMet, nil},
		{"2024/2690 Art 11(a): small base: 50 001 users without any service (no duration floor)", mkt, Impact{EUUsers: small, UsersCompletelyUnavailable: 50001}, "2024/2690 Art 11(a)", Met, nil},
		{"2024/2690 Art 11(b): large base: exactly 1 000 000 users with limited availability", mkt, Impact{EUUsers: large, UsersLimitedAvailability: 1000000}, "2024/2690 Art 11(b)", NotMet, nil},
		{"2024/2690 Art 11(b): large base: 1 000 001 users with limited availability", mkt, Impact{EUUsers: large, UsersLimitedAvailability: 1000001}, "2024/2690 Art 11(b)", Met, nil},
		{"2024/2690 Art 11(c): data compromised by a suspectedly malicious action", mkt, malicious, "2024/2690 Art 11(c)", Met, nil},
		{"2024/2690 Art 11(d): small base: 50 001 users' data", mkt, Impact{DataCompromised: true, EUUsers: small, UsersDataCompromised: 50001}, "2024/2690 Art 11(d)", Met, nil},
		{"2024/2690 Art 12(a): large base: exactly 1 000 000 users without the search engine", srch, Impact{EUUsers: large, UsersCompletelyUnavailable: 1000000}, "2024/2690 Art 12(a)", NotMet, nil},
		{"2024/2690 Art 12(a): large base: 1 000 001 users without the search engine", srch, Impact{EUUsers: large, UsersCompletelyUnavailable: 1000001}, "2024/2690 Art 12(a)", Met, nil},
		{"2024/2690 Art 12(c): data compromised by a suspectedly malicious action", srch, malicious, "2024/2690 Art 12(c)", Met, nil},
		{"2024/2690 Art 13(b): small base: exactly 50 000 users with limited availability", soc, Impact{EUUsers: small, UsersLimitedAvailability: 50000}, "2024/2690 Art 13(b)", NotMet, nil},
		{"2024/2690 Art 13(b): small base: 50 001 users with limited availability", soc, Impact{EUUsers: small, UsersLimitedAvailability: 50001}, "2024/2690 Art 13(b)", Met, nil},
		{"2024/2690 Art 13(d): large base: exactly 1 000 000 users' data", soc, Impact{DataCompromised: true, EUUsers: large, UsersDataCompromised: 1000000}, "2024/2690 Art 13(d)", NotMet, nil},
		{"2024/2690 Art 13(d): large base: 1 000 001 users' data", soc, Impact{DataCompromised: true, EUUsers: large, UsersDataCompromised: 1000001}, "2024/2690 Art 13(d)", Met, nil},

		// Art 14: trust service providers.
		{"2024/2690 Art 14(a): exactly 20 min is not more than 20 min", tsp, Impact{CompleteUnavailability: dur("20m")}, "2024/2690 Art 14(a)", NotMet,
			[]string{"20 min is not more than 20 min"}},
		{"2024/2690 Art 14(a): 20 min 1 s is more than 20 min", tsp, Impact{CompleteUnavailability: dur("20m1s")}, "2024/2690 Art 14(a)", Met, nil},
		{"2024/2690 Art 14(b): exactly 1 h in a calendar week is not more than 1 h", tsp, Impact{WeeklyUnavailability: dur("1h")}, "2024/2690 Art 14(b)", NotMet, nil},
		{"2024/2690 Art 14(b): 1 h 1 s in a calendar week (starting Monday by default, ambiguity 6)", tsp, Impact{WeeklyUnavailability: dur("1h0m1s")}, "2024/2690 Art 14(b)", Met,
			[]string{"starting monday"}},
		{"2024/2690 Art 14(c): small base, 1 % binds: exactly 10 000 of 1 000 000", tsp, Impact{EUUsers: small, UsersLimitedAvailability: 10000}, "2024/2690 Art 14(c)", NotMet,
			[]string{"1 % of 1 000 000 EU users = 10 000, smaller than 200 000"}},
		{"2024/2690 Art 14(c): small base, 1 % binds: 10 001 of 1 000 000", tsp, Impact{EUUsers: small, UsersLimitedAvailability: 10001}, "2024/2690 Art 14(c)", Met, nil},
		{"2024/2690 Art 14(c): large base, 200 000 binds: exactly 200 000 of 50 000 000", tsp, Impact{EUUsers: 50000000, UsersLimitedAvailability: 200000}, "2024/2690 Art 14(c)", NotMet,
			[]string{"200 000, smaller than 1 % of 50 000 000 EU users = 500 000"}},
		{"2024/2690 Art 14(c): large base, 200 000 binds: 200 001 of 50 000 000", tsp, Impact{EUUsers: 50000000, UsersLimitedAvailability: 200001}, "2024/2690 Art 14(c)", Met, nil},
		{"2024/2690 Art 14(d): physical access to a restricted area compromised", tsp, Impact{PhysicalAccessCompromised: true}, "2024/2690 Art 14(d)", Met, nil},
		{"2024/2690 Art 14(e): small base, 0.1 % binds: exactly 50 of 50 000", tsp, Impact{DataCompromised: true, EUUsers: 50000, UsersDataCompromised: 50}, "2024/2690 Art 14(e)", NotMet,
			[]string{"0.1 % of 50 000 EU users = 50, smaller than 100"}},
		{"2024/2690 Art 14(e): small base, 0.1 % binds: 51 of 50 000", tsp, Impact{DataCompromised: true, EUUsers: 50000, UsersDataCompromised: 51}, "2024/2690 Art 14(e)", Met, nil},
		{"2024/2690 Art 14(e): large base, 100 binds: exactly 100 of 1 000 000", tsp, Impact{DataCompromised: true, EUUsers: small, UsersDataCompromised: 100}, "2024/2690 Art 14(e)", NotMet, nil},
		{"2024/2690 Art 14(e): large base, 100 binds: 101 of 1 000 000", tsp, Impact{DataCompromised: true, EUUsers: small, UsersDataCompromised: 101}, "2024/2690 Art 14(e)", Met,
			[]string{"101 users affected is more than the threshold (100, smaller than 0.1 % of 1 000 000 EU users = 1 000)"}},
		{"2024/2690 Art 14(e): no data compromised", tsp, Impact{EUUsers: small}, "2024/2690 Art 14(e)", NotMet, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := nis2Facts(tt.typ)
			f.Incident.Impact = tt.im
			res := assess(t, f)
			want := StatusNotReportable
			if tt.want == Met {
				want = StatusReportable
			}
			r := wantRegime(t, res, "nis2", want)
			fd := wantOutcome(t, r.Significance, tt.rule, tt.want)
			wantExplanation(t, fd, tt.explain...)
		})
	}
}

func TestImplReg2690OnlyTheEntityTypesArticles(t *testing.T) {
	// A DNS provider's findings are those of Art 5, not of Art 7 or 14.
	r := regimeOf(t, assess(t, significantDNS()), "nis2")
	for _, rule := range []string{"2024/2690 Art 6(a)", "2024/2690 Art 7(a)", "2024/2690 Art 14(a)", "NIS2 Art 23(3)"} {
		if hasFinding(r.Significance, rule) {
			t.Errorf("finding %s present for a DNS provider", rule)
		}
	}
	// An entity of a 2024/2690 type and of another type is judged under both.
	f := nis2Facts("digital-infrastructure/dns", "health/healthcare-provider")
	r = regimeOf(t, assess(t, f), "nis2")
	wantOutcome(t, r.Significance, "2024/2690 Art 5(a)", NotMet)
	wantOutcome(t, r.Significance, "NIS2 Art 23(3)", Unknown)
	if r.Status != StatusReportable {
		t.Errorf("status: got %q, want %q (unassessed Art 23(3) for the hospital)", r.Status, StatusReportable)
	}
}

func TestNearMissesAndCyberThreats(t *testing.T) {
	t.Run("NIS2 Art 30(1)(a): a near miss of an essential entity may be notified voluntarily", func(t *testing.T) {
		f := significantDNS()
		f.Incident.Kind = "near_miss"
		f.Incident.AwareAt = nil
		res := assess(t, f)
		r := wantRegime(t, res, "nis2", StatusVoluntary)
		wantOutcome(t, r.Significance, "NIS2 Art 30(1)(a)", Met)
		o := obligationOf(t, res, "nis2.voluntary")
		if o.Duty != "voluntary" || o.LegalBasis != "NIS2 Art 30(1)(a)" {
			t.Errorf("voluntary notification: got duty %q basis %q", o.Duty, o.LegalBasis)
		}
		wantStatus(t, o, DueNoDeadline)
		wantNoObligation(t, res, "nis2.early_warning")
		wantNoObligation(t, res, "nis2.threat_recipients")
		if rt := routeOf(t, res, "csirt_or_competent_authority", "NIS2 Art 30"); rt.Level != "may" {
			t.Errorf("route level: got %q, want may", rt.Level)
		}
		wantRegime(t, res, "dora", StatusOutOfScope)
	})
	t.Run("NIS2 Art 30(1)(a), 23(2): a significant cyber threat: voluntary notification, measures to the recipients", func(t *testing.T) {
		f := significantDNS()
		f.Incident.Kind = "cyber_threat"
		res := assess(t, f)
		wantRegime(t, res, "nis2", StatusVoluntary)
		obligationOf(t, res, "nis2.voluntary")
		o := obligationOf(t, res, "nis2.threat_recipients")
		if o.Duty != "mandatory" || o.LegalBasis != "NIS2 Art 23(2)" || o.Recipient != "service_recipients" {
			t.Errorf("threat recipients: got duty %q basis %q recipient %q", o.Duty, o.LegalBasis, o.Recipient)
		}
		wantNoObligation(t, res, "nis2.early_warning")
	})
	t.Run("NIS2 Art 30(1)(b): an entity outside NIS2 scope may notify a near miss voluntarily", func(t *testing.T) {
		f := nis2Facts("health/healthcare-provider")
		f.Entity.Size = smallSize()
		f.Incident.Kind = "near_miss"
		res := assess(t, f)
		wantRegime(t, res, "nis2", StatusVoluntary)
		if o := obligationOf(t, res, "nis2.voluntary"); o.LegalBasis != "NIS2 Art 30(1)(b)" {
			t.Errorf("basis: got %q, want NIS2 Art 30(1)(b)", o.LegalBasis)
		}
	})
	t.Run("NIS2 Art 30(1)(b): an entity outside NIS2 scope may notify a cyber threat voluntarily", func(t *testing.T) {
		f := nis2Facts()
		f.Incident.Kind = "cyber_threat"
		f.Incident.AwareAt = nil
		res := assess(t, f)
		wantRegime(t, res, "nis2", StatusVoluntary)
		if o := obligationOf(t, res, "nis2.voluntary"); o.LegalBasis != "NIS2 Art 30(1)(b)" {
			t.Errorf("basis: got %q, want NIS2 Art 30(1)(b)", o.LegalBasis)
		}
		wantNoObligation(t, res, "nis2.threat_recipients")
	})
	t.Run("NIS2 Art 30(1)(b): an entity outside NIS2 scope may notify an incident voluntarily", func(t *testing.T) {
		res := assess(t, nis2Facts())
		wantRegime(t, res, "nis2", StatusVoluntary)
		if o := obligationOf(t, res, "nis2.voluntary"); o.LegalBasis != "NIS2 Art 30(1)(b)" {
			t.Errorf("basis: got %q, want NIS2 Art 30(1)(b)", o.LegalBasis)
		}
	})
	t.Run("DORA Art 19(2): a significant cyber threat may be notified voluntarily", func(t *testing.T) {
		f := doraFacts()
		f.Incident.Kind = "cyber_threat"
		res := assess(t, f)
		r := wantRegime(t, res, "dora", StatusVoluntary)
		wantOutcome(t, r.Significance, "DORA Art 19(2); 2024/1772 Art 10", Met)
		if o := obligationOf(t, res, "dora.voluntary_threat"); o.Duty != "voluntary" {
			t.Errorf("duty: got %q, want voluntary", o.Duty)
		}
		wantNoObligation(t, res, "dora.initial")
		wantNoRoute(t, res, "financial_competent_authority")
	})
	t.Run("DORA: a near miss is not reported", func(t *testing.T) {
		f := doraFacts()
		f.Incident.Kind = "near_miss"
		res := assess(t, f)
		wantRegime(t, res, "dora", StatusNotReportable)
		wantNoObligation(t, res, "dora.initial")
	})
}
