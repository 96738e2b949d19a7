package rules

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The significant DNS incident of significantDNS became known on Thursday
// 5 March 2026 at 10:00 UTC.

func TestNIS2Art23_4Deadlines(t *testing.T) {
	res := assess(t, significantDNS())
	ew := obligationOf(t, res, "nis2.early_warning")
	if ew.LegalBasis != "NIS2 Art 23(4)(a)" || ew.Party != "entity" || ew.Duty != "mandatory" || ew.Recipient != "csirt_or_competent_authority" {
		t.Errorf("early warning: got basis %q party %q duty %q recipient %q", ew.LegalBasis, ew.Party, ew.Duty, ew.Recipient)
	}
	wantAnchor(t, ew, "2026-03-05T10:00:00Z")
	wantDue(t, ew, "2026-03-06T10:00:00Z")
	wantStatus(t, ew, DueOpen)
	if ew.DueRule != "aware + 24 h" {
		t.Errorf("early warning due rule: got %q, want %q", ew.DueRule, "aware + 24 h")
	}
	n := obligationOf(t, res, "nis2.notification")
	if n.LegalBasis != "NIS2 Art 23(4)(b)" {
		t.Errorf("notification basis: got %q", n.LegalBasis)
	}
	wantDue(t, n, "2026-03-08T10:00:00Z")
	fin := obligationOf(t, res, "nis2.final")
	wantAnchor(t, fin, "")
	wantDue(t, fin, "")
	wantStatus(t, fin, DuePending)
	wantStatus(t, obligationOf(t, res, "nis2.service_recipients"), DueNoDeadline)
	fb := obligationOf(t, res, "nis2.initial_feedback")
	if fb.Party != "authority" || fb.LegalBasis != "NIS2 Art 23(5)" {
		t.Errorf("initial feedback: got party %q basis %q", fb.Party, fb.LegalBasis)
	}
	wantStatus(t, fb, DuePending)
	wantNoObligation(t, res, "nis2.intermediate")
	wantNoObligation(t, res, "nis2.progress")

	// Obligations with a due instant come first, in due order.
	if got := obligationIDs(res)[:2]; !equalStrings(got, []string{"nis2.early_warning", "nis2.notification"}) {
		t.Errorf("first obligations: got %v, want early warning then notification", got)
	}
	if want := "next due: Early warning by 2026-03-06T10:00:00Z"; !strings.Contains(res.Summary, want) {
		t.Errorf("summary %q does not contain %q", res.Summary, want)
	}
}

func TestNIS2StatusAndSubmissions(t *testing.T) {
	tests := []struct {
		name      string
		now       string
		submitted string // nis2.early_warning, "" if not submitted
		status    string
		onTime    *bool
	}{
		{"NIS2 Art 23(4)(a): open before the 24 h expire", "2026-03-06T09:59:59Z", "", DueOpen, nil},
		{"NIS2 Art 23(4)(a): still open at exactly 24 h", "2026-03-06T10:00:00Z", "", DueOpen, nil},
		{"NIS2 Art 23(4)(a): overdue 1 s after the 24 h", "2026-03-06T10:00:01Z", "", DueOverdue, nil},
		{"NIS2 Art 23(4)(a): submitted at exactly 24 h is on time", "2026-03-07T00:00:00Z", "2026-03-06T10:00:00Z", DueSubmitted, ptrTo(true)},
		{"NIS2 Art 23(4)(a): submitted 1 s after the 24 h is late", "2026-03-07T00:00:00Z", "2026-03-06T10:00:01Z", DueSubmitted, ptrTo(false)},
		{"NIS2 Art 23(4)(a): a submission is read as an instant, whatever its offset", "2026-03-07T00:00:00Z", "2026-03-06T11:00:00+01:00", DueSubmitted, ptrTo(true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := significantDNS()
			f.Now = at(tt.now)
			if tt.submitted != "" {
				f.Events.Submitted = map[string]time.Time{"nis2.early_warning": at(tt.submitted)}
			}
			o := obligationOf(t, assess(t, f), "nis2.early_warning")
			wantStatus(t, o, tt.status)
			if tt.onTime != nil {
				wantOnTime(t, o, *tt.onTime)
				if o.SubmittedAt == nil || !o.SubmittedAt.Equal(at(tt.submitted)) {
					t.Errorf("submitted at: got %v, want %s", o.SubmittedAt, tt.submitted)
				}
			} else if o.OnTime != nil {
				t.Errorf("on_time: got %v, want none before submission", *o.OnTime)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestNIS2TrustServiceProvider(t *testing.T) {
	tsp := func(sub TSPSubmissions) Facts {
		f := nis2Facts("digital-infrastructure/trust-service-provider")
		f.Incident.Impact.CompleteUnavailability = dur("21m")
		f.Options.TSPSubmissions = sub
		return f
	}
	t.Run("NIS2 Art 23(4) second subparagraph, ambiguity 4 separate (default): early warning and notification both within 24 h", func(t *testing.T) {
		res := assess(t, tsp(""))
		wantDue(t, obligationOf(t, res, "nis2.early_warning"), "2026-03-06T10:00:00Z")
		n := obligationOf(t, res, "nis2.notification")
		wantDue(t, n, "2026-03-06T10:00:00Z")
		if !strings.Contains(n.LegalBasis, "second subparagraph") {
			t.Errorf("notification basis %q does not name the TSP derogation", n.LegalBasis)
		}
		if !slices.Contains(n.Readings, "tsp_submissions=separate") {
			t.Errorf("notification readings %v lack tsp_submissions=separate", n.Readings)
		}
	})
	t.Run("NIS2 Art 23(4) second subparagraph, ambiguity 4 combined: one submission within 24 h", func(t *testing.T) {
		f := tsp(TSPCombined)
		res := assess(t, f)
		ew := obligationOf(t, res, "nis2.early_warning")
		wantDue(t, ew, "2026-03-06T10:00:00Z")
		if !strings.Contains(ew.Title, "one submission") || !slices.Contains(ew.Readings, "tsp_submissions=combined") {
			t.Errorf("combined report: got title %q readings %v", ew.Title, ew.Readings)
		}
		if len(ew.Content) != 5 {
			t.Errorf("combined content: got %d items, want the 2 of the early warning and the 3 of the notification", len(ew.Content))
		}
		wantNoObligation(t, res, "nis2.notification")
	})
	t.Run("NIS2 Art 23(4)(d), ambiguity 4 combined: the final report runs from the combined submission", func(t *testing.T) {
		f := tsp(TSPCombined)
		f.Now = at("2026-03-06T08:00:00Z")
		f.Events.Submitted = map[string]time.Time{"nis2.early_warning": at("2026-03-05T20:00:00Z")}
		res := assess(t, f)
		wantDue(t, obligationOf(t, res, "nis2.final"), "2026-04-05T20:00:00Z")
		wantDue(t, obligationOf(t, res, "nis2.initial_feedback"), "2026-03-06T20:00:00Z")
	})
}

func TestNIS2IntermediateOnRequest(t *testing.T) {
	req := func(regime, at0 string, due *time.Time) IntermediateRequest {
		return IntermediateRequest{Regime: regime, RequestedAt: at(at0), DueAt: due}
	}
	t.Run("NIS2 Art 23(4)(c), ambiguity 3: a request with a deadline", func(t *testing.T) {
		f := significantDNS()
		f.Events.IntermediateRequests = []IntermediateRequest{req("nis2", "2026-03-06T07:00:00Z", atp("2026-03-09T17:00:00Z"))}
		o := obligationOf(t, assess(t, f), "nis2.intermediate")
		if o.Duty != "on_request" || o.LegalBasis != "NIS2 Art 23(4)(c)" {
			t.Errorf("got duty %q basis %q", o.Duty, o.LegalBasis)
		}
		wantAnchor(t, o, "2026-03-06T07:00:00Z")
		wantDue(t, o, "2026-03-09T17:00:00Z")
		wantStatus(t, o, DueOpen)
	})
	t.Run("NIS2 Art 23(4)(c), ambiguity 3: a request without a deadline has none", func(t *testing.T) {
		f := significantDNS()
		f.Events.IntermediateRequests = []IntermediateRequest{req("nis2", "2026-03-06T07:00:00Z", nil)}
		o := obligationOf(t, assess(t, f), "nis2.intermediate")
		wantDue(t, o, "")
		wantStatus(t, o, DueNoDeadline)
	})
	t.Run("NIS2 Art 23(4)(c): the latest request counts", func(t *testing.T) {
		f := significantDNS()
		f.Events.IntermediateRequests = []IntermediateRequest{
			req("nis2", "2026-03-06T07:00:00Z", nil),
			req("nis2", "2026-03-05T12:00:00Z", atp("2026-03-06T12:00:00Z")),
		}
		o := obligationOf(t, assess(t, f), "nis2.intermediate")
		wantAnchor(t, o, "2026-03-06T07:00:00Z")
		wantDue(t, o, "")
	})
	t.Run("NIS2 Art 23(4)(c): a CRA request is not a NIS2 request", func(t *testing.T) {
		f := significantDNS()
		f.Events.IntermediateRequests = []IntermediateRequest{req("cra", "2026-03-06T07:00:00Z", nil)}
		wantNoObligation(t, assess(t, f), "nis2.intermediate")
	})
}

func TestNIS2FinalReport(t *testing.T) {
	// The notification was submitted on Saturday 7 March 2026 at 15:30 UTC;
	// one month later is Tuesday 7 April 2026 at 15:30 UTC.
	withNotification := func(now string) Facts {
		f := significantDNS()
		f.Now = at(now)
		f.Events.Submitted = map[string]time.Time{"nis2.early_warning": at("2026-03-05T18:00:00Z"), "nis2.notification": at("2026-03-07T15:30:00Z")}
		return f
	}
	t.Run("NIS2 Art 23(4)(d): one month after the notification is submitted", func(t *testing.T) {
		res := assess(t, withNotification("2026-03-08T00:00:00Z"))
		fin := obligationOf(t, res, "nis2.final")
		if fin.LegalBasis != "NIS2 Art 23(4)(d)" {
			t.Errorf("basis: got %q", fin.LegalBasis)
		}
		wantAnchor(t, fin, "2026-03-07T15:30:00Z")
		wantDue(t, fin, "2026-04-07T15:30:00Z")
		wantStatus(t, fin, DueOpen)
		if len(fin.Notes) == 0 || !strings.Contains(fin.Notes[0], "Art 23(4)(e)") {
			t.Errorf("notes %q do not warn about Art 23(4)(e)", fin.Notes)
		}
		wantNoObligation(t, res, "nis2.progress")
		n := obligationOf(t, res, "nis2.notification")
		wantStatus(t, n, DueSubmitted)
		wantOnTime(t, n, true)
	})
	t.Run("NIS2 Art 23(4)(d): 1 s before the final report is due an ongoing incident needs no progress report yet", func(t *testing.T) {
		res := assess(t, withNotification("2026-04-07T15:29:59Z"))
		wantNoObligation(t, res, "nis2.progress")
		wantDue(t, obligationOf(t, res, "nis2.final"), "2026-04-07T15:30:00Z")
	})
	t.Run("NIS2 Art 23(4)(e): ongoing when the final report is due: progress report then, final report deferred", func(t *testing.T) {
		res := assess(t, withNotification("2026-04-08T00:00:00Z"))
		p := obligationOf(t, res, "nis2.progress")
		if p.LegalBasis != "NIS2 Art 23(4)(e)" {
			t.Errorf("progress basis: got %q", p.LegalBasis)
		}
		wantDue(t, p, "2026-04-07T15:30:00Z")
		wantStatus(t, p, DueOverdue)
		fin := obligationOf(t, res, "nis2.final")
		if fin.LegalBasis != "NIS2 Art 23(4)(e)" || fin.AnchorEvent != "end of the entity's handling of the incident" {
			t.Errorf("final: got basis %q anchor event %q", fin.LegalBasis, fin.AnchorEvent)
		}
		wantAnchor(t, fin, "")
		wantDue(t, fin, "")
		wantStatus(t, fin, DuePending)
	})
	t.Run("NIS2 Art 23(4)(e): at exactly the final due instant an ongoing incident needs the progress report", func(t *testing.T) {
		res := assess(t, withNotification("2026-04-07T15:30:00Z"))
		wantStatus(t, obligationOf(t, res, "nis2.progress"), DueOpen)
	})
	t.Run("NIS2 Art 23(4)(d): handling ended before the final due: the ordinary final report", func(t *testing.T) {
		f := withNotification("2026-04-08T00:00:00Z")
		f.Events.HandlingEndedAt = atp("2026-03-20T12:00:00Z")
		res := assess(t, f)
		wantNoObligation(t, res, "nis2.progress")
		fin := obligationOf(t, res, "nis2.final")
		wantDue(t, fin, "2026-04-07T15:30:00Z")
		wantStatus(t, fin, DueOverdue)
		if len(fin.Notes) != 0 {
			t.Errorf("notes: got %q, want none once the handling ended", fin.Notes)
		}
	})
	t.Run("NIS2 Art 23(4)(e): handling ended after the final due: final report one month after the end", func(t *testing.T) {
		f := withNotification("2026-04-21T00:00:00Z")
		f.Events.HandlingEndedAt = atp("2026-04-20T08:00:00Z")
		f.Events.Submitted["nis2.progress"] = at("2026-04-07T10:00:00Z")
		res := assess(t, f)
		p := obligationOf(t, res, "nis2.progress")
		wantStatus(t, p, DueSubmitted)
		wantOnTime(t, p, true)
		fin := obligationOf(t, res, "nis2.final")
		wantAnchor(t, fin, "2026-04-20T08:00:00Z")
		wantDue(t, fin, "2026-05-20T08:00:00Z")
		wantStatus(t, fin, DueOpen)
	})
	t.Run("NIS2 Art 23(4)(d), ambiguity 17 month_clock: one month across the autumn daylight-saving change", func(t *testing.T) {
		for _, tt := range []struct {
			clock MonthClock
			want  string
		}{{MonthClockUTC, "2025-11-06T18:00:00Z"}, {MonthClockLocal, "2025-11-06T19:00:00Z"}} {
			f := significantDNS()
			f.Now = at("2025-10-07T00:00:00Z")
			f.Incident.AwareAt = atp("2025-10-05T10:00:00Z")
			f.Events.Submitted = map[string]time.Time{"nis2.notification": at("2025-10-06T18:00:00Z")}
			f.Options.MonthClock = tt.clock
			fin := obligationOf(t, assess(t, f), "nis2.final")
			wantDue(t, fin, tt.want)
			if !slices.Contains(fin.Readings, "month_clock="+string(tt.clock)) {
				t.Errorf("readings %v lack month_clock=%s", fin.Readings, tt.clock)
			}
		}
	})
}

func TestNIS2PeriodReadingReg1182(t *testing.T) {
	f := significantDNS()
	f.Incident.AwareAt = atp("2026-03-05T10:20:00Z")
	f.Events.Submitted = map[string]time.Time{"nis2.notification": at("2026-03-05T12:00:00Z")}
	f.Options.PeriodReading = ReadingReg1182
	res := assess(t, f)
	ew := obligationOf(t, res, "nis2.early_warning")
	wantDue(t, ew, "2026-03-06T11:00:00Z")
	if !slices.Contains(ew.Readings, "period_reading=reg_1182_71") {
		t.Errorf("readings %v lack period_reading=reg_1182_71", ew.Readings)
	}
	// Submitted 12:00 on Thursday 5 March: the month ends with 5 April
	// (Easter Sunday), rolled past Easter Monday to the end of Tuesday 7 April.
	wantDue(t, obligationOf(t, res, "nis2.final"), "2026-04-07T21:59:59.999999999Z")
	var reading Reading
	for _, r := range res.Readings {
		if r.Option == "period_reading" {
			reading = r
		}
	}
	if reading.Value != "reg_1182_71" || reading.Default || reading.Ambiguity != 2 {
		t.Errorf("result reading: got %+v, want reg_1182_71, not default, ambiguity 2", reading)
	}
}

func TestNIS2InitialFeedback(t *testing.T) {
	f := significantDNS()
	f.Incident.SuspectedMalicious = true
	f.Events.Submitted = map[string]time.Time{"nis2.early_warning": at("2026-03-05T18:00:00Z")}
	res := assess(t, f)
	fb := obligationOf(t, res, "nis2.initial_feedback")
	wantAnchor(t, fb, "2026-03-05T18:00:00Z")
	wantDue(t, fb, "2026-03-06T18:00:00Z")
	wantStatus(t, fb, DueOpen)
	if fb.Duty != "where_possible" || fb.Recipient != "entity" {
		t.Errorf("got duty %q recipient %q", fb.Duty, fb.Recipient)
	}
	if !slices.ContainsFunc(fb.Content, func(s string) bool { return strings.Contains(s, "law enforcement") }) {
		t.Errorf("content %q lacks the guidance on reporting to law enforcement (Art 23(5))", fb.Content)
	}
	for _, tt := range []struct {
		name, given string
		onTime      bool
	}{
		{"NIS2 Art 23(5): feedback within 24 h of the early warning", "2026-03-06T09:00:00Z", true},
		{"NIS2 Art 23(5): feedback after 24 h of the early warning", "2026-03-06T18:00:01Z", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f
			f.Now = at("2026-03-07T00:00:00Z")
			f.Events.FeedbackGivenAt = atp(tt.given)
			fb := obligationOf(t, assess(t, f), "nis2.initial_feedback")
			wantStatus(t, fb, DueSubmitted)
			wantOnTime(t, fb, tt.onTime)
		})
	}
	t.Run("NIS2 Art 23(5): no law-enforcement guidance without suspected malice", func(t *testing.T) {
		fb := obligationOf(t, assess(t, significantDNS()), "nis2.initial_feedback")
		if slices.ContainsFunc(fb.Content, func(s string) bool { return strings.Contains(s, "law enforcement") }) {
			t.Errorf("content %q mentions law enforcement", fb.Content)
		}
	})
}

// --- DORA: Delegated Regulation 2025/301 Art 5 ---

func TestDORAInitialTimeLimit(t *testing.T) {
	// Aware on Monday 11 May 2026 at 09:00 UTC; aware + 24 h is Tuesday 12 May
	// 09:00 UTC, a working day in Luxembourg.
	tests := []struct {
		name       string
		classified string
		due        string
		anchor     string
		basis      string
	}{
		{"2025/301 Art 5(1)(a): classified 1 h after awareness: classified + 4 h expires first", "2026-05-11T10:00:00Z", "2026-05-11T14:00:00Z", "2026-05-11T10:00:00Z", "2025/301 Art 5(1)(a)"},
		{"2025/301 Art 5(1)(a): classified 23 h after awareness: aware + 24 h expires first", "2026-05-12T08:00:00Z", "2026-05-12T09:00:00Z", "2026-05-11T09:00:00Z", "2025/301 Art 5(1)(a)"},
		{"2025/301 Art 5(1)(a): classified 20 h after awareness: both limits end together", "2026-05-12T05:00:00Z", "2026-05-12T09:00:00Z", "2026-05-11T09:00:00Z", "2025/301 Art 5(1)(a)"},
		{"2025/301 Art 5(2): classified 1 s after aware + 24 h: classified + 4 h", "2026-05-12T09:00:01Z", "2026-05-12T13:00:01Z", "2026-05-12T09:00:01Z", "2025/301 Art 5(2)"},
		{"2025/301 Art 5(2): classified 3 days after awareness: classified + 4 h", "2026-05-14T22:00:00Z", "2026-05-15T02:00:00Z", "2026-05-14T22:00:00Z", "2025/301 Art 5(2)"},
		{"2025/301 Art 5(1)(a): not classified yet: aware + 24 h", "", "2026-05-12T09:00:00Z", "2026-05-11T09:00:00Z", "2025/301 Art 5(1)(a)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := doraFacts()
			f.Now = at("2026-05-16T00:00:00Z")
			f.Incident.AwareAt = atp("2026-05-11T09:00:00Z")
			if tt.classified != "" {
				f.Incident.DORA.ClassifiedMajorAt = atp(tt.classified)
			}
			o := obligationOf(t, assess(t, f), "dora.initial")
			wantDue(t, o, tt.due)
			wantAnchor(t, o, tt.anchor)
			if !strings.Contains(o.LegalBasis, tt.basis) {
				t.Errorf("basis %q does not contain %q", o.LegalBasis, tt.basis)
			}
			if tt.classified == "" && (len(o.Notes) == 0 || !strings.Contains(o.Notes[0], "not yet classified")) {
				t.Errorf("notes %q do not say the incident is not yet classified", o.Notes)
			}
		})
	}
}

func TestDORALaterReports(t *testing.T) {
	f := doraFacts()
	f.Incident.DORA.ClassifiedMajorAt = atp("2026-05-13T10:00:00Z")
	res := assess(t, f)
	in := obligationOf(t, res, "dora.intermediate")
	wantDue(t, in, "")
	wantStatus(t, in, DuePending)
	if in.DueRule != "submission of the initial notification + 72 h" {
		t.Errorf("intermediate due rule: got %q", in.DueRule)
	}
	fin := obligationOf(t, res, "dora.final")
	wantStatus(t, fin, DuePending)

	t.Run("2025/301 Art 5(1)(b): intermediate report 72 h after the initial notification is submitted", func(t *testing.T) {
		f := f
		f.Now = at("2026-05-15T00:00:00Z")
		f.Events.Submitted = map[string]time.Time{"dora.initial": at("2026-05-12T08:00:00Z")}
		f.Incident.AwareAt = atp("2026-05-11T09:00:00Z")
		f.Incident.DORA = &DORAImpact{MaliciousUnauthorisedAccess: true, AccessMayCauseDataLoss: true, ClassifiedMajorAt: atp("2026-05-12T05:00:00Z")}
		res := assess(t, f)
		init := obligationOf(t, res, "dora.initial")
		wantStatus(t, init, DueSubmitted)
		wantOnTime(t, init, true)
		in := obligationOf(t, res, "dora.intermediate")
		wantAnchor(t, in, "2026-05-12T08:00:00Z")
		wantDue(t, in, "2026-05-15T08:00:00Z")
		wantStatus(t, in, DueOpen)
		wantStatus(t, obligationOf(t, res, "dora.final"), DuePending)
	})
	t.Run("2025/301 Art 5(1)(c): final report one month after the (latest) intermediate report", func(t *testing.T) {
		f := f
		f.Now = at("2026-05-16T00:00:00Z")
		f.Incident.AwareAt = atp("2026-05-11T09:00:00Z")
		f.Incident.DORA = &DORAImpact{MaliciousUnauthorisedAccess: true, AccessMayCauseDataLoss: true, ClassifiedMajorAt: atp("2026-05-11T10:00:00Z")}
		f.Events.Submitted = map[string]time.Time{"dora.initial": at("2026-05-11T13:00:00Z"), "dora.intermediate": at("2026-05-15T07:00:00Z")}
		res := assess(t, f)
		fin := obligationOf(t, res, "dora.final")
		wantAnchor(t, fin, "2026-05-15T07:00:00Z")
		wantDue(t, fin, "2026-06-15T07:00:00Z")
		wantStatus(t, fin, DueOpen)
		if fin.Relief == nil || fin.Relief.Applies {
			t.Errorf("relief: got %+v, want computed and not applying (Monday 15 June is a working day)", fin.Relief)
		}
	})
}

// reliefFacts: aware Wednesday 13 May 2026 09:00 UTC, classified 10:00,
// initial notification submitted 13:30, so the intermediate report is due
// Saturday 16 May 13:30 UTC; noon of the next working day in Luxembourg is
// Monday 18 May 12:00 CEST = 10:00 UTC.
func reliefFacts(mode WeekendRelief) Facts {
	f := doraFacts()
	f.Now = at("2026-05-16T00:00:00Z")
	f.Incident.DORA.ClassifiedMajorAt = atp("2026-05-13T10:00:00Z")
	f.Events.Submitted = map[string]time.Time{"dora.initial": at("2026-05-13T13:30:00Z")}
	f.Options.DORAWeekendRelief = mode
	return f
}

func wantRelief(t *testing.T, o Obligation, applies bool, latest string, explain string) {
	t.Helper()
	if o.Relief == nil {
		t.Fatalf("%s: no relief computed", o.ID)
	}
	if o.Relief.Applies != applies {
		t.Errorf("%s relief applies: got %v, want %v (%s)", o.ID, o.Relief.Applies, applies, o.Relief.Explanation)
	}
	switch {
	case latest == "" && o.Relief.LatestPermittedAt != nil:
		t.Errorf("%s latest permitted: got %s, want none", o.ID, o.Relief.LatestPermittedAt)
	case latest != "" && o.Relief.LatestPermittedAt == nil:
		t.Errorf("%s latest permitted: got none, want %s", o.ID, latest)
	case latest != "" && !o.Relief.LatestPermittedAt.Equal(at(latest)):
		t.Errorf("%s latest permitted: got %s, want %s", o.ID, o.Relief.LatestPermittedAt.UTC().Format(time.RFC3339), latest)
	}
	if !strings.Contains(o.Relief.Explanation, explain) {
		t.Errorf("%s relief explanation %q does not contain %q", o.ID, o.Relief.Explanation, explain)
	}
}

func TestDORAWeekendRelief(t *testing.T) {
	t.Run("2025/301 Art 5(4), ambiguity 9 report (default): due_at stays, relief to noon of the next working day beside it", func(t *testing.T) {
		res := assess(t, reliefFacts(""))
		o := obligationOf(t, res, "dora.intermediate")
		wantDue(t, o, "2026-05-16T13:30:00Z")
		wantRelief(t, o, true, "2026-05-18T10:00:00Z", "Monday 18 May 2026 12:00 CEST")
		wantExplanationOf(t, o, "Saturday 16 May 2026")
		if !o.Relief.StatutoryDueAt.Equal(at("2026-05-16T13:30:00Z")) {
			t.Errorf("statutory due: got %s", o.Relief.StatutoryDueAt)
		}
		if !slices.Contains(o.Readings, "dora_weekend_relief=report") {
			t.Errorf("readings %v lack dora_weekend_relief=report", o.Readings)
		}
		// The initial notification was due on a working day.
		wantRelief(t, obligationOf(t, res, "dora.initial"), false, "", "is a working day in LU")
	})
	t.Run("2025/301 Art 5(4), ambiguity 9 apply: due_at moves to noon of the next working day", func(t *testing.T) {
		o := obligationOf(t, assess(t, reliefFacts(ReliefApply)), "dora.intermediate")
		wantDue(t, o, "2026-05-18T10:00:00Z")
		wantRelief(t, o, true, "2026-05-18T10:00:00Z", "2025/301 Art 5(4)")
		if !o.Relief.StatutoryDueAt.Equal(at("2026-05-16T13:30:00Z")) {
			t.Errorf("statutory due: got %s, want 2026-05-16T13:30:00Z", o.Relief.StatutoryDueAt)
		}
		if !strings.Contains(o.DueRule, "relieved") {
			t.Errorf("due rule %q does not say it was relieved", o.DueRule)
		}
		wantStatus(t, o, DueOpen)
	})
	t.Run("2025/301 Art 5(4), ambiguity 9 off: no relief", func(t *testing.T) {
		o := obligationOf(t, assess(t, reliefFacts(ReliefOff)), "dora.intermediate")
		wantDue(t, o, "2026-05-16T13:30:00Z")
		if o.Relief != nil {
			t.Errorf("relief: got %+v, want none", o.Relief)
		}
	})
	for _, tt := range []struct {
		name      string
		mode      WeekendRelief
		submitted string
		onTime    bool
	}{
		{"2025/301 Art 5(4) report: submitted Monday before noon is on time", ReliefReport, "2026-05-18T09:59:59Z", true},
		{"2025/301 Art 5(4) report: submitted Monday at noon is on time", ReliefReport, "2026-05-18T10:00:00Z", true},
		{"2025/301 Art 5(4) report: submitted Monday after noon is late", ReliefReport, "2026-05-18T10:00:01Z", false},
		{"2025/301 Art 5(4) apply: submitted Monday before noon is on time", ReliefApply, "2026-05-18T09:59:59Z", true},
		{"2025/301 Art 5(4) off: submitted Monday is late", ReliefOff, "2026-05-18T09:59:59Z", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := reliefFacts(tt.mode)
			f.Now = at("2026-05-19T00:00:00Z")
			f.Events.Submitted["dora.intermediate"] = at(tt.submitted)
			o := obligationOf(t, assess(t, f), "dora.intermediate")
			wantStatus(t, o, DueSubmitted)
			wantOnTime(t, o, tt.onTime)
		})
	}
}

func wantExplanationOf(t *testing.T, o Obligation, part string) {
	t.Helper()
	if o.Relief == nil || !strings.Contains(o.Relief.Explanation, part) {
		t.Errorf("%s relief explanation does not contain %q: %+v", o.ID, part, o.Relief)
	}
}

func TestDORAReliefDays(t *testing.T) {
	tests := []struct {
		name   string
		ms     string
		aware  string
		sub    map[string]string
		id     string
		due    string
		latest string
		what   string
	}{
		{"2025/301 Art 5(4): a limit on Friday 22:30 UTC is Saturday 00:30 in Luxembourg", "LU", "2026-05-12T09:00:00Z",
			map[string]string{"dora.initial": "2026-05-12T22:30:00Z"}, "dora.intermediate", "2026-05-15T22:30:00Z", "2026-05-18T10:00:00Z", "Saturday 16 May 2026"},
		{"2025/301 Art 5(4): a limit on King's Day (Monday 27 April 2026, NL) runs to Tuesday noon", "NL", "2026-04-26T10:00:00Z",
			nil, "dora.initial", "2026-04-27T10:00:00Z", "2026-04-28T10:00:00Z", "Monday 27 April 2026"},
		{"2025/301 Art 5(4): a limit on Easter Monday (6 April 2026, LU) runs to Tuesday noon", "LU", "2026-03-05T09:00:00Z",
			map[string]string{"dora.initial": "2026-03-05T12:00:00Z", "dora.intermediate": "2026-03-06T08:00:00Z"}, "dora.final", "2026-04-06T08:00:00Z", "2026-04-07T10:00:00Z", "Monday 6 April 2026"},
		{"2025/301 Art 5(4): a limit on Ascension Day (Thursday 14 May 2026, LU) runs to Friday noon", "LU", "2026-05-13T09:00:00Z",
			nil, "dora.initial", "2026-05-14T09:00:00Z", "2026-05-15T10:00:00Z", "Thursday 14 May 2026"},
		{"2025/301 Art 5(4): King's Day is a Dutch holiday, a working day in Luxembourg", "LU", "2026-04-26T10:00:00Z",
			nil, "dora.initial", "2026-04-27T10:00:00Z", "", "working day in LU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := doraFacts()
			f.Entity.MemberState = tt.ms
			f.Incident.AwareAt = atp(tt.aware)
			f.Now = at("2026-06-30T00:00:00Z")
			if tt.sub != nil {
				f.Events.Submitted = map[string]time.Time{}
				for id, s := range tt.sub {
					f.Events.Submitted[id] = at(s)
				}
			}
			o := obligationOf(t, assess(t, f), tt.id)
			wantDue(t, o, tt.due)
			wantRelief(t, o, tt.latest != "", tt.latest, tt.what)
		})
	}
}

func TestDORAReliefExclusions(t *testing.T) {
	// Intermediate due on Saturday 16 May 2026 13:30 UTC (reliefFacts); a
	// final report due on Saturday 16 May 2026 10:00 UTC after an
	// intermediate report of Thursday 16 April.
	finalOnSaturday := func(f *Facts) {
		f.Incident.AwareAt = atp("2026-04-15T09:00:00Z")
		f.Incident.DORA.ClassifiedMajorAt = atp("2026-04-15T10:00:00Z")
		f.Events.Submitted = map[string]time.Time{"dora.initial": at("2026-04-15T12:00:00Z"), "dora.intermediate": at("2026-04-16T10:00:00Z")}
	}
	tests := []struct {
		name    string
		entity  func(*Facts)
		explain string
	}{
		{"2025/301 Art 5(5): a credit institution", func(f *Facts) { f.Entity.DORA.EntityType = "credit-institution" }, "Credit institutions"},
		{"2025/301 Art 5(5): a central counterparty", func(f *Facts) { f.Entity.DORA.EntityType = "ccp" }, "Central counterparties"},
		{"2025/301 Art 5(5): an operator of a trading venue", func(f *Facts) { f.Entity.DORA.EntityType = "trading-venue" }, "Trading venues"},
		{"2025/301 Art 5(5): a financial entity that is an essential or important entity under NIS2", func(f *Facts) {
			f.Entity.EntityTypes, f.Entity.Size = []string{"digital-infrastructure/data-centre"}, largeSize()
		}, "identified as essential under NIS2 Art 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name+": no relief for the intermediate report", func(t *testing.T) {
			f := reliefFacts("")
			tt.entity(&f)
			o := obligationOf(t, assess(t, f), "dora.intermediate")
			wantDue(t, o, "2026-05-16T13:30:00Z")
			wantRelief(t, o, false, "", "2025/301 Art 5(5)")
			wantExplanationOf(t, o, tt.explain)
		})
		t.Run(tt.name+": no relief for the initial notification", func(t *testing.T) {
			f := doraFacts()
			tt.entity(&f)
			f.Now = at("2026-05-16T12:00:00Z")
			f.Incident.AwareAt = atp("2026-05-15T10:00:00Z") // Friday: aware + 24 h is Saturday
			o := obligationOf(t, assess(t, f), "dora.initial")
			wantDue(t, o, "2026-05-16T10:00:00Z")
			wantRelief(t, o, false, "", "2025/301 Art 5(5)")
			wantStatus(t, o, DueOverdue)
		})
		t.Run(tt.name+": the final report keeps the relief", func(t *testing.T) {
			f := reliefFacts("")
			tt.entity(&f)
			finalOnSaturday(&f)
			o := obligationOf(t, assess(t, f), "dora.final")
			wantDue(t, o, "2026-05-16T10:00:00Z")
			wantRelief(t, o, true, "2026-05-18T10:00:00Z", "2025/301 Art 5(4)")
		})
	}
	t.Run("2025/301 Art 5(6): the competent authority disapplied the relief, for every report", func(t *testing.T) {
		f := reliefFacts(ReliefApply)
		f.Entity.DORA.ReliefDisapplied = true
		o := obligationOf(t, assess(t, f), "dora.intermediate")
		wantDue(t, o, "2026-05-16T13:30:00Z")
		wantRelief(t, o, false, "", "2025/301 Art 5(6)")
		finalOnSaturday(&f)
		o = obligationOf(t, assess(t, f), "dora.final")
		wantDue(t, o, "2026-05-16T10:00:00Z")
		wantRelief(t, o, false, "", "2025/301 Art 5(6)")
	})
}

func TestDORAReliefOutsideTheCalendar(t *testing.T) {
	// The embedded calendar covers 2025–2030: a weekday limit in 2031 cannot
	// be checked for holidays and the engine says so instead of guessing.
	f := doraFacts()
	f.Now = at("2031-03-12T12:00:00Z")
	f.Incident.AwareAt = atp("2031-03-11T09:00:00Z")
	o := obligationOf(t, assess(t, f), "dora.initial")
	wantDue(t, o, "2031-03-12T09:00:00Z")
	wantRelief(t, o, false, "", "weekend relief not computed")
}
