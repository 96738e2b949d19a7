package rules

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// benchDNS is a NIS2 case: a DNS provider's significant outage with the early
// warning submitted and a cross-border impact.
func benchDNS() Facts {
	f := significantDNS()
	f.Entity.MainEstablishment = "NL"
	f.Incident.SuspectedMalicious = true
	f.Incident.CrossBorderImpact = true
	f.Incident.AffectedMemberStates = []string{"NL", "BE"}
	f.Events.Submitted = map[string]time.Time{"nis2.early_warning": at("2026-03-05T18:00:00Z")}
	return f
}

// benchBank is a DORA case with weekend relief: a significant credit
// institution (NIS2 displaced) whose final report falls on a Saturday.
func benchBank() Facts {
	f := bankFacts()
	f.Now = at("2026-05-16T00:00:00Z")
	f.Entity.MemberState = "LU"
	f.Entity.DORA.SignificantCreditInstitution = true
	f.Incident.AwareAt = atp("2026-04-15T09:00:00Z")
	f.Incident.DORA.ClassifiedMajorAt = atp("2026-04-15T10:00:00Z")
	f.Incident.DORA.MemberStatesImpacted = []string{"LU", "BE"}
	f.Events.Submitted = map[string]time.Time{"dora.initial": at("2026-04-15T12:00:00Z"), "dora.intermediate": at("2026-04-16T10:00:00Z")}
	f.Options.DORAWeekendRelief = ReliefApply
	return f
}

// benchFull is a multi-regime case: a cloud, DNS and trust service provider
// that also manufactures products (CRA), with a personal data breach,
// recurring incidents, requests and every routing flag.
func benchFull() Facts {
	f := nis2Facts("digital-infrastructure/cloud", "digital-infrastructure/dns", "digital-infrastructure/trust-service-provider", "health/healthcare-provider")
	f.Now = at("2026-10-20T12:00:00Z")
	f.Entity.MainEstablishment = "DE"
	f.Entity.OtherEstablishments = []string{"FR", "IT"}
	f.Entity.QualifiedTrustServiceProvider = true
	f.Entity.GDPRRole = "controller"
	f.Entity.CRA = &CRA{Manufacturer: true, MainEstablishment: "DE"}
	f.Entity.Designation.CERCritical = true
	f.Incident = Incident{
		Title:                   "Signing service compromise",
		OccurredAt:              atp("2026-10-01T06:00:00Z"),
		DetectedAt:              atp("2026-10-01T07:00:00Z"),
		AwareAt:                 atp("2026-10-01T09:15:00Z"),
		RootCause:               "stolen credentials",
		SuspectedMalicious:      true,
		SuspectedStateSponsored: true,
		CrossBorderImpact:       true,
		AffectedMemberStates:    []string{"DE", "FR", "NL", "AT"},
		ExceedsNationalCapacity: true,
		NIS2:                    &NIS2Judgement{SevereOperationalDisruption: true, Reasons: "hospital systems offline"},
		Impact: Impact{
			DirectFinancialLossEUR: 250000, CompleteUnavailability: dur("25m"), LimitedAvailability: dur("3h"),
			WeeklyUnavailability: dur("90m"), EUUsers: 12000000, UsersLimitedAvailability: 700000,
			DataCompromised: true, DataCompromiseMalicious: true, UsersDataCompromised: 4000,
		},
		PersonalData: &PersonalData{Breach: true, Risk: "high", DataSubjects: 4000, Records: 90000, Reasons: "certificates and contact data"},
		CRA:          &CRAEvent{Product: "HSM firmware", ActivelyExploitedVulnerability: true, MaliciousCode: true, MadeAvailableIn: []string{"DE", "FR"}, FixAvailableAt: atp("2026-10-05T10:00:00Z")},
		EarlierIncidents: []EarlierIncident{
			{Ref: "INC-7", OccurredAt: at("2026-06-02T10:00:00Z"), RootCause: "stolen credentials", DirectFinancialLossEUR: 200000},
			{Ref: "INC-9", OccurredAt: at("2026-08-20T10:00:00Z"), RootCause: "Stolen Credentials", DirectFinancialLossEUR: 100000},
		},
	}
	f.Events = Events{
		Submitted:            map[string]time.Time{"nis2.early_warning": at("2026-10-01T20:00:00Z"), "nis2.notification": at("2026-10-02T08:00:00Z"), "cra.incident_notification": at("2026-10-03T09:00:00Z")},
		IntermediateRequests: []IntermediateRequest{{Regime: "nis2", RequestedAt: at("2026-10-05T09:00:00Z"), DueAt: atp("2026-10-09T17:00:00Z")}, {Regime: "cra", RequestedAt: at("2026-10-06T09:00:00Z")}},
		FeedbackGivenAt:      atp("2026-10-02T10:00:00Z"),
	}
	f.Options = Options{PeriodReading: ReadingReg1182, MonthClock: MonthClockLocal, LawEnforcement: LEForward}
	return f
}

var benchCases = []struct {
	name  string
	facts func() Facts
}{
	{"nis2-dns", benchDNS},
	{"dora-bank-relief", benchBank},
	{"multi-regime", benchFull},
}

func TestBenchCasesAreWhatTheyClaim(t *testing.T) {
	res := assess(t, benchDNS())
	wantRegime(t, res, "nis2", StatusReportable)
	res = assess(t, benchBank())
	wantRegime(t, res, "nis2", StatusDisplaced)
	wantRegime(t, res, "dora", StatusReportable)
	fin := obligationOf(t, res, "dora.final")
	wantRelief(t, fin, true, "2026-05-18T10:00:00Z", "Saturday 16 May 2026")
	wantDue(t, fin, "2026-05-18T10:00:00Z")
	res = assess(t, benchFull())
	for _, r := range []string{"nis2", "gdpr", "cra"} {
		wantRegime(t, res, r, StatusReportable)
	}
	if len(res.Routes) < 10 {
		t.Errorf("routes: got %d, want the multi-regime case to exercise most of the matrix", len(res.Routes))
	}
}

func BenchmarkAssess(b *testing.B) {
	eng := New(nil)
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			f := bc.facts()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := eng.Assess(f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "assessments/s")
		})
	}
}

func BenchmarkDecodeAndAssess(b *testing.B) {
	eng := New(nil)
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			doc, err := json.Marshal(bc.facts())
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				f, err := DecodeFacts(bytes.NewReader(doc))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := eng.Assess(f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "assessments/s")
		})
	}
}
