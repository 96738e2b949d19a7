package rules

import (
	"fmt"
	"time"
)

// knownReport lists the obligation ids that can be recorded as submitted.
var knownReport = map[string]bool{
	"nis2.early_warning": true, "nis2.notification": true, "nis2.intermediate": true, "nis2.final": true,
	"nis2.progress": true, "nis2.voluntary": true, "nis2.service_recipients": true, "nis2.threat_recipients": true,
	"dora.initial": true, "dora.intermediate": true, "dora.final": true, "dora.voluntary_threat": true,
	"gdpr.sa_notification": true, "gdpr.controller_notification": true, "gdpr.data_subjects": true,
	"cra.vulnerability_early_warning": true, "cra.vulnerability_notification": true, "cra.vulnerability_final": true,
	"cra.incident_early_warning": true, "cra.incident_notification": true, "cra.incident_final": true,
	"cra.intermediate": true, "cra.users": true,
}

// ReportIDs returns the ids of every report the engine knows, for clients.
func ReportIDs() []string {
	out := make([]string, 0, len(knownReport))
	for id := range knownReport {
		out = append(out, id)
	}
	sortStrings(out)
	return out
}

// ob completes an obligation (due instant, status) and adds it.
func (a *assessment) ob(o Obligation) *Obligation {
	if o.AnchorAt != nil {
		t := o.AnchorAt.UTC()
		o.AnchorAt = &t
	}
	if o.period.n > 0 {
		if o.DueRule == "" {
			o.DueRule = fmt.Sprintf("%s + %s", o.AnchorEvent, o.period)
		}
		if o.AnchorAt != nil {
			d := a.clk.due(*o.AnchorAt, o.period)
			o.DueAt = &d
		}
		o.Readings = append(o.Readings, "period_reading="+string(a.opt.PeriodReading))
		if o.period.unit == unitMonths {
			o.Readings = append(o.Readings, "month_clock="+string(a.opt.MonthClock))
		}
	}
	if o.Content == nil {
		o.Content = []string{}
	}
	a.res.Obligations = append(a.res.Obligations, o)
	p := &a.res.Obligations[len(a.res.Obligations)-1]
	a.status(p)
	return p
}

// status sets Status, SubmittedAt and OnTime relative to now.
func (a *assessment) status(o *Obligation) {
	sub := a.submitted(o.ID)
	if o.ID == "nis2.initial_feedback" && a.f.Events.FeedbackGivenAt != nil {
		t := a.f.Events.FeedbackGivenAt.UTC()
		sub = &t
	}
	if sub != nil {
		o.Status, o.SubmittedAt = DueSubmitted, sub
		if o.DueAt != nil {
			limit := *o.DueAt
			if o.Relief != nil && o.Relief.Applies && o.Relief.LatestPermittedAt != nil && o.Relief.LatestPermittedAt.After(limit) {
				limit = *o.Relief.LatestPermittedAt
			}
			on := !sub.After(limit)
			o.OnTime = &on
		}
		return
	}
	switch {
	case o.DueAt != nil && a.f.Now.After(*o.DueAt):
		o.Status = DueOverdue
	case o.DueAt != nil:
		o.Status = DueOpen
	case o.period.n > 0:
		o.Status = DuePending
	default:
		o.Status = DueNoDeadline
	}
}

func (a *assessment) latestRequest(regime string) *IntermediateRequest {
	var last *IntermediateRequest
	for i, r := range a.f.Events.IntermediateRequests {
		if r.Regime == regime && (last == nil || r.RequestedAt.After(last.RequestedAt)) {
			last = &a.f.Events.IntermediateRequests[i]
		}
	}
	return last
}

// intermediate adds the on-request intermediate report of a regime.
func (a *assessment) intermediate(id, regime, basis, recipient string, content []string) {
	req := a.latestRequest(regime)
	if req == nil {
		return
	}
	ra := req.RequestedAt.UTC()
	o := Obligation{ID: id, Regime: regime, Title: "Intermediate report (on request)", Party: "entity", Duty: "on_request", LegalBasis: basis,
		Recipient: recipient, AnchorEvent: "request of the authority", AnchorAt: &ra, Content: content}
	if req.DueAt != nil {
		d := req.DueAt.UTC()
		o.DueAt = &d
		o.DueRule = "the deadline set in the request (no statutory deadline; ambiguity 3)"
	} else {
		o.DueRule = "no statutory deadline; the request sets none (ambiguity 3)"
	}
	a.ob(o)
}

var nis2FinalContent = []string{
	"a detailed description of the incident, including its severity and impact (Art 23(4)(d)(i))",
	"the type of threat or root cause that is likely to have triggered the incident (23(4)(d)(ii))",
	"applied and ongoing mitigation measures (23(4)(d)(iii))",
	"where applicable, the cross-border impact of the incident (23(4)(d)(iv))",
}

// obligationsNIS2 emits the Art 23 staged reports of a significant incident.
func (a *assessment) obligationsNIS2() {
	aware := a.f.Incident.AwareAt
	const rcpt = "csirt_or_competent_authority"
	ewContent := []string{"whether the incident is suspected of being caused by unlawful or malicious acts (Art 23(4)(a))", "whether it could have a cross-border impact (23(4)(a))"}
	nContent := []string{"where applicable, an update of the early warning (Art 23(4)(b))", "an initial assessment of the incident, including its severity and impact (23(4)(b))", "where available, the indicators of compromise (23(4)(b))"}
	tsp := a.nis2.tsp
	notifID := "nis2.notification"
	if tsp && a.opt.TSPSubmissions == TSPCombined {
		a.ob(Obligation{ID: "nis2.early_warning", Regime: "nis2", Title: "Early warning and incident notification (trust service provider, one submission)", Party: "entity", Duty: "mandatory",
			LegalBasis: "NIS2 Art 23(4)(a) and second subparagraph", Recipient: rcpt, AnchorEvent: "aware", AnchorAt: aware, period: hours(24),
			Content: append(append([]string{}, ewContent...), nContent...), Readings: []string{"tsp_submissions=combined"}})
		notifID = "nis2.early_warning"
	} else {
		a.ob(Obligation{ID: "nis2.early_warning", Regime: "nis2", Title: "Early warning", Party: "entity", Duty: "mandatory", LegalBasis: "NIS2 Art 23(4)(a)",
			Recipient: rcpt, AnchorEvent: "aware", AnchorAt: aware, period: hours(24), Content: ewContent,
			Notes: []string{"without undue delay and in any event within 24 h of becoming aware of the significant incident"}})
		n := Obligation{ID: "nis2.notification", Regime: "nis2", Title: "Incident notification", Party: "entity", Duty: "mandatory", LegalBasis: "NIS2 Art 23(4)(b)",
			Recipient: rcpt, AnchorEvent: "aware", AnchorAt: aware, period: hours(72), Content: nContent}
		if tsp {
			n.period = hours(24)
			n.LegalBasis = "NIS2 Art 23(4), second subparagraph (derogation from point (b) for trust service providers)"
			n.Notes = []string{"a trust service provider notifies within 24 h of becoming aware for significant incidents impacting the provision of its trust services"}
			n.Readings = []string{"tsp_submissions=separate"}
		}
		a.ob(n)
	}
	a.intermediate("nis2.intermediate", "nis2", "NIS2 Art 23(4)(c)", rcpt, []string{"relevant status updates"})

	// Final report, or progress report and deferred final report (Art 23(4)(d)–(e)).
	notifSub := a.submitted(notifID)
	final := Obligation{ID: "nis2.final", Regime: "nis2", Title: "Final report", Party: "entity", Duty: "mandatory", LegalBasis: "NIS2 Art 23(4)(d)",
		Recipient: rcpt, AnchorEvent: "submission of the incident notification", AnchorAt: notifSub, period: months(1), Content: nis2FinalContent}
	if notifSub == nil {
		final.Notes = []string{"the clock starts when the incident notification is submitted"}
		a.ob(final)
	} else {
		finalDue := a.clk.due(*notifSub, months(1))
		ended := a.f.Events.HandlingEndedAt
		ongoing := (ended == nil && !a.f.Now.Before(finalDue)) || (ended != nil && ended.After(finalDue))
		if ongoing {
			a.ob(Obligation{ID: "nis2.progress", Regime: "nis2", Title: "Progress report (incident ongoing when the final report was due)", Party: "entity", Duty: "mandatory",
				LegalBasis: "NIS2 Art 23(4)(e)", Recipient: rcpt, AnchorEvent: "submission of the incident notification", AnchorAt: notifSub, period: months(1),
				Content: []string{"the state of the incident and of its handling at that time"}})
			final.LegalBasis = "NIS2 Art 23(4)(e)"
			final.AnchorEvent = "end of the entity's handling of the incident"
			final.AnchorAt = nil
			if ended != nil {
				e := ended.UTC()
				final.AnchorAt = &e
			} else {
				final.Notes = []string{"deferred: due within one month of the end of the entity's handling of the incident"}
			}
		} else if ended == nil {
			final.Notes = []string{"if the incident is still ongoing at the due time, a progress report is due then instead, and the final report within one month of the end of the handling (Art 23(4)(e))"}
		}
		a.ob(final)
	}

	a.ob(Obligation{ID: "nis2.service_recipients", Regime: "nis2", Title: "Notify recipients of the services likely to be adversely affected", Party: "entity", Duty: "where_appropriate",
		LegalBasis: "NIS2 Art 23(1), second sentence; 23(2)", Recipient: "service_recipients", AnchorEvent: "aware", AnchorAt: aware, DueRule: "without undue delay, where appropriate",
		Content: []string{"the significant incident likely to affect the provision of the services", "measures or remedies recipients can take (Art 23(2))"}})

	ew := a.submitted("nis2.early_warning")
	fb := Obligation{ID: "nis2.initial_feedback", Regime: "nis2", Title: "Initial feedback to the entity", Party: "authority", Duty: "where_possible",
		LegalBasis: "NIS2 Art 23(5)", Recipient: "entity", AnchorEvent: "receipt of the early warning", AnchorAt: ew, period: hours(24),
		Content: []string{"initial feedback on the significant incident", "on request, guidance or operational advice on mitigation measures", "on request, additional technical support"}}
	if a.f.Incident.SuspectedMalicious {
		fb.Content = append(fb.Content, "guidance on reporting the incident to law enforcement authorities (suspected criminal nature)")
	}
	fb.Notes = []string{"without undue delay and, where possible, within 24 h of receiving the early warning"}
	a.ob(fb)
}

// obligationsDORA emits the 2025/301 Art 5 reports of a major incident.
func (a *assessment) obligationsDORA() {
	aware := a.f.Incident.AwareAt.UTC()
	rcpt := "financial_competent_authority"
	awareDue := a.clk.due(aware, hours(24))
	init := Obligation{ID: "dora.initial", Regime: "dora", Title: "Initial notification", Party: "entity", Duty: "mandatory", LegalBasis: "DORA Art 19(4)(a); 2025/301 Art 5(1)(a)",
		Recipient: rcpt, AnchorEvent: "classification as major (+4 h) or awareness (+24 h), whichever expires first", AnchorAt: &aware,
		DueRule: "min(classified + 4 h, aware + 24 h)",
		Content: []string{"incident reference code", "date and time of detection and of classification (ISO 8601 UTC)", "description of the incident", "classification criteria triggered",
			"Member States impacted", "how the incident was discovered", "origin, if available", "whether business continuity plans were activated", "reclassification information, if applicable", "other information (2025/301 Art 2)"}}
	due := awareDue
	if c := a.f.Incident.DORA.ClassifiedMajorAt; c != nil {
		cls := c.UTC()
		clsDue := a.clk.due(cls, hours(4))
		switch {
		case cls.After(awareDue):
			due = clsDue
			init.LegalBasis = "DORA Art 19(4)(a); 2025/301 Art 5(2)"
			init.DueRule = "classified + 4 h (classified as major only after the 24 h from awareness)"
			init.AnchorEvent, init.AnchorAt = "classification as major", &cls
		case clsDue.Before(awareDue):
			due = clsDue
			init.AnchorEvent, init.AnchorAt = "classification as major", &cls
		}
	} else {
		init.Notes = append(init.Notes, "not yet classified as major: due 24 h after awareness at the latest, and within 4 h of classification if that is earlier")
	}
	init.DueAt = &due
	init.Readings = []string{"period_reading=" + string(a.opt.PeriodReading)}
	a.relief(&init, true)
	a.ob(init)

	initSub := a.submitted("dora.initial")
	inter := Obligation{ID: "dora.intermediate", Regime: "dora", Title: "Intermediate report", Party: "entity", Duty: "mandatory", LegalBasis: "DORA Art 19(4)(b); 2025/301 Art 5(1)(b)",
		Recipient: rcpt, AnchorEvent: "submission of the initial notification", AnchorAt: initSub,
		Content: []string{"updated information on the incident and its handling (2025/301 Art 3)", "updated whenever the status changes significantly and when regular activities have been recovered"},
		Notes:   []string{"within 72 h of the initial notification even if the status or handling has not changed"}}
	a.scheduleRelieved(&inter, hours(72), true)

	interSub := a.submitted("dora.intermediate")
	final := Obligation{ID: "dora.final", Regime: "dora", Title: "Final report", Party: "entity", Duty: "mandatory", LegalBasis: "DORA Art 19(4)(c); 2025/301 Art 5(1)(c)",
		Recipient: rcpt, AnchorEvent: "submission of the (latest updated) intermediate report", AnchorAt: interSub,
		Content: []string{"root cause analysis", "actual impact figures", "costs and losses (2025/301 Art 4)"}}
	a.scheduleRelieved(&final, months(1), false)
	if a.f.Entity.DORA.SignificantCreditInstitution {
		a.warn("significant credit institution: the national competent authority transmits the reports to the ECB immediately (DORA Art 19(1))")
	}
}

// scheduleRelieved computes a DORA due instant and its relief, then adds it.
func (a *assessment) scheduleRelieved(o *Obligation, p period, initialOrIntermediate bool) {
	o.DueRule = fmt.Sprintf("%s + %s", o.AnchorEvent, p)
	if o.AnchorAt != nil {
		o.Readings = []string{"period_reading=" + string(a.opt.PeriodReading)}
		d := a.clk.due(*o.AnchorAt, p)
		o.DueAt = &d
		a.relief(o, initialOrIntermediate)
	} else {
		o.period = p // pending
	}
	a.ob(*o)
}

// relief applies 2025/301 Art 5(4)–(6) to a DORA obligation's due instant.
func (a *assessment) relief(o *Obligation, initialOrIntermediate bool) {
	if a.opt.DORAWeekendRelief == ReliefOff || o.DueAt == nil {
		return
	}
	o.Readings = append(o.Readings, "dora_weekend_relief="+string(a.opt.DORAWeekendRelief))
	due := *o.DueAt
	typ, _ := LookupDORAType(a.f.Entity.DORA.EntityType)
	rel := &Relief{StatutoryDueAt: due}
	o.Relief = rel
	switch {
	case initialOrIntermediate && typ.NoWeekendRelief:
		rel.Explanation = fmt.Sprintf("2025/301 Art 5(5): no weekend relief for initial notifications and intermediate reports of %s", typ.Label)
		return
	case initialOrIntermediate && (a.nis2.class == "essential" || a.nis2.class == "important"):
		rel.Explanation = fmt.Sprintf("2025/301 Art 5(5): no weekend relief for initial notifications and intermediate reports of entities identified as %s under NIS2 Art 3", a.nis2.class)
		return
	case a.f.Entity.DORA.ReliefDisapplied:
		rel.Explanation = "2025/301 Art 5(6): the competent authority disapplied the weekend relief for this entity"
		return
	}
	off, err := a.cal.FallsOnNonWorkingDay(a.home, due)
	if err != nil {
		rel.Explanation = "weekend relief not computed: " + err.Error()
		return
	}
	loc, _ := calendarLocation(a.home)
	if !a.cal.Covers(a.home, due.In(loc).Year()) {
		a.warn("the holiday calendar has no data for %s in %d: only weekends were considered for the DORA weekend relief", a.home, due.In(loc).Year())
	}
	if !off {
		rel.Explanation = fmt.Sprintf("2025/301 Art 5(4): %s is a working day in %s; no relief", due.In(loc).Format("Monday 2 January 2006 15:04 MST"), a.home)
		return
	}
	latest, err := a.cal.NextWorkingDayNoon(a.home, due)
	if err != nil {
		rel.Explanation = "weekend relief not computed: " + err.Error()
		return
	}
	rel.Applies = true
	rel.LatestPermittedAt = &latest
	rel.Explanation = fmt.Sprintf("2025/301 Art 5(4): the time limit falls on %s, a weekend day or bank holiday in %s; the report may be submitted by noon of the next working day, %s",
		due.In(loc).Format("Monday 2 January 2006"), a.home, latest.In(loc).Format("Monday 2 January 2006 15:04 MST"))
	if a.opt.DORAWeekendRelief == ReliefApply {
		o.DueAt = &latest
		o.DueRule += " (relieved to noon of the next working day, 2025/301 Art 5(4))"
	}
}

func (a *assessment) obligationsCRAVuln(anchor time.Time) {
	const rcpt = "enisa_single_reporting_platform"
	a.ob(Obligation{ID: "cra.vulnerability_early_warning", Regime: "cra", Title: "Early warning of an actively exploited vulnerability", Party: "entity", Duty: "mandatory",
		LegalBasis: "CRA Art 14(2)(a)", Recipient: rcpt, AnchorEvent: "aware", AnchorAt: &anchor, period: hours(24),
		Content: []string{"where applicable, the Member States on whose territory the product has been made available"}})
	a.ob(Obligation{ID: "cra.vulnerability_notification", Regime: "cra", Title: "Vulnerability notification", Party: "entity", Duty: "mandatory",
		LegalBasis: "CRA Art 14(2)(b)", Recipient: rcpt, AnchorEvent: "aware", AnchorAt: &anchor, period: hours(72),
		Content: []string{"general information about the product", "general nature of the exploit and of the vulnerability", "corrective or mitigating measures taken and those users can take", "how sensitive the manufacturer considers the information"},
		Notes:   []string{"unless already provided in the early warning"}})
	var fix *time.Time
	if f := a.f.Incident.CRA.FixAvailableAt; f != nil {
		t := f.UTC()
		if t.Before(anchor) {
			// A fix available before Art 14 applied: under
			// cra_early_awareness=clock_from_application its clock too starts
			// at the date of application.
			t = anchor
		}
		fix = &t
	}
	o := Obligation{ID: "cra.vulnerability_final", Regime: "cra", Title: "Final report on the vulnerability", Party: "entity", Duty: "mandatory",
		LegalBasis: "CRA Art 14(2)(c)", Recipient: rcpt, AnchorEvent: "a corrective or mitigating measure is available", AnchorAt: fix, period: days(14),
		Content: []string{"description of the vulnerability, including its severity and impact", "where available, information on any malicious actor that exploited it", "details of the security update or other corrective measures"}}
	if fix == nil {
		o.Notes = []string{"the clock starts when a corrective or mitigating measure is available; if none ever is, it never starts (ambiguity 11)"}
	}
	a.ob(o)
	a.craCommon()
}

func (a *assessment) obligationsCRAIncident(anchor time.Time) {
	const rcpt = "enisa_single_reporting_platform"
	a.ob(Obligation{ID: "cra.incident_early_warning", Regime: "cra", Title: "Early warning of a severe incident", Party: "entity", Duty: "mandatory",
		LegalBasis: "CRA Art 14(4)(a)", Recipient: rcpt, AnchorEvent: "aware", AnchorAt: &anchor, period: hours(24),
		Content: []string{"at least whether the incident is suspected of being caused by unlawful or malicious acts", "where applicable, the Member States where the product has been made available"}})
	a.ob(Obligation{ID: "cra.incident_notification", Regime: "cra", Title: "Incident notification", Party: "entity", Duty: "mandatory",
		LegalBasis: "CRA Art 14(4)(b)", Recipient: rcpt, AnchorEvent: "aware", AnchorAt: &anchor, period: hours(72),
		Content: []string{"nature of the incident", "initial assessment", "corrective or mitigating measures taken and those users can take", "how sensitive the manufacturer considers the information"},
		Notes:   []string{"unless already provided in the early warning"}})
	a.ob(Obligation{ID: "cra.incident_final", Regime: "cra", Title: "Final report on the severe incident", Party: "entity", Duty: "mandatory",
		LegalBasis: "CRA Art 14(4)(c)", Recipient: rcpt, AnchorEvent: "submission of the incident notification", AnchorAt: a.submitted("cra.incident_notification"), period: months(1),
		Content: []string{"detailed description, including severity and impact", "type of threat or root cause likely to have triggered it", "applied and ongoing mitigation measures"}})
	a.craCommon()
}

// craCommon adds the duties both CRA tracks share, once.
func (a *assessment) craCommon() {
	for _, o := range a.res.Obligations {
		if o.ID == "cra.users" {
			return
		}
	}
	a.intermediate("cra.intermediate", "cra", "CRA Art 14(6)", "csirt_coordinator", []string{"relevant status updates"})
	aware := a.f.Incident.AwareAt
	a.ob(Obligation{ID: "cra.users", Regime: "cra", Title: "Inform impacted users", Party: "entity", Duty: "mandatory", LegalBasis: "CRA Art 14(8)",
		Recipient: "product_users", AnchorEvent: "aware", AnchorAt: aware, DueRule: "without undue delay after becoming aware",
		Content: []string{"the vulnerability or incident", "where needed, risk mitigation and corrective measures users can take", "where appropriate in a structured, machine-readable format"}})
}
