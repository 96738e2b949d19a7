package rules

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/calendar"
)

// Engine assesses facts. The zero value is not usable; use New.
type Engine struct {
	cal *calendar.Calendar
}

// New returns an engine that uses the holiday calendar cal for DORA's
// weekend relief and Reg. 1182/71 day counting; nil means calendar.Default().
func New(cal *calendar.Calendar) *Engine {
	if cal == nil {
		cal = calendar.Default()
	}
	return &Engine{cal: cal}
}

// assessment holds the state of one Assess call.
type assessment struct {
	f     *Facts
	opt   Options
	clk   clock
	cal   *calendar.Calendar
	res   *Result
	home  string // the entity's Member State for calendars
	nis2  nis2Scope
	dora  doraScope
	sig   bool // NIS2 significant
	major bool // DORA major
}

// Assess applies the law to the facts. It validates them first and returns a
// *FieldErrors when they are invalid.
func (e *Engine) Assess(f Facts) (Result, error) {
	if err := f.Validate(); err != nil {
		return Result{}, err
	}
	f.Now = f.Now.UTC()
	a := &assessment{f: &f, opt: f.Options.withDefaults(), cal: e.cal}
	a.home = homeState(f.Entity)
	loc, err := calendar.Location(a.home)
	if err != nil {
		loc = time.UTC
	}
	a.clk = clock{reading: a.opt.PeriodReading, monthClock: a.opt.MonthClock, loc: loc, ms: a.home, cal: e.cal}
	a.res = &Result{AssessedAt: f.Now, EngineVersion: Version, Readings: f.Options.readings()}
	a.assessNIS2()
	a.assessDORA()
	a.assessGDPR()
	a.assessCRA()
	a.route()
	a.finish()
	return *a.res, nil
}

func homeState(e Entity) string {
	for _, c := range []string{e.MainEstablishment, e.MemberState, e.EURepresentative} {
		if c != "" {
			return c
		}
	}
	return ""
}

func (a *assessment) warn(format string, args ...any) {
	a.res.Warnings = append(a.res.Warnings, fmt.Sprintf(format, args...))
}

// refTime is the instant that decides which rules were in force.
func (a *assessment) refTime() time.Time {
	if t := a.f.Incident.AwareAt; t != nil {
		return t.UTC()
	}
	return a.f.Now
}

func (a *assessment) occurred() time.Time {
	in := a.f.Incident
	for _, t := range []*time.Time{in.OccurredAt, in.DetectedAt, in.AwareAt} {
		if t != nil {
			return t.UTC()
		}
	}
	return a.f.Now
}

func (a *assessment) kind() string {
	if a.f.Incident.Kind == "" {
		return "incident"
	}
	return a.f.Incident.Kind
}

func (a *assessment) submitted(id string) *time.Time {
	if t, ok := a.f.Events.Submitted[id]; ok {
		u := t.UTC()
		return &u
	}
	return nil
}

func (a *assessment) addRegime(r RegimeResult) { a.res.Regimes = append(a.res.Regimes, r) }

func (a *assessment) assessNIS2() {
	var scope, sig findings
	a.nis2 = a.scopeNIS2(&scope)
	r := RegimeResult{Regime: "nis2", Title: "NIS2 Directive (EU) 2022/2555", InScope: a.nis2.inScope, Class: a.nis2.class, Jurisdiction: a.nis2.jurisdiction}
	kind := a.kind()
	switch {
	case a.refTime().Before(nis2Applies):
		r.Status = StatusNotApplicable
		r.Summary = "NIS2 national measures apply from 18 October 2024"
	case !a.nis2.inScope:
		r.Status = StatusVoluntary
		r.Summary = "not an essential or important entity under NIS2; it may notify significant incidents, cyber threats and near misses voluntarily (Art 30(1)(b))"
		a.voluntaryNIS2("Art 30(1)(b)")
	case a.f.Entity.DORA != nil && a.isDORAFinancial():
		scope.add("DORA Art 1(2); NIS2 Art 4", Met, "a financial entity under DORA: DORA is the sector-specific Union act, so DORA's incident reporting replaces NIS2 Art 23; the DORA competent authority forwards to the NIS2 CSIRT/SPOC (DORA Art 19(6)(c))")
		r.Status = StatusDisplaced
		r.Summary = fmt.Sprintf("%s entity, but reports under DORA instead of NIS2 Art 23 (DORA Art 1(2))", a.nis2.class)
	case !a.nis2.art23:
		r.Status = StatusNotReportable
		r.Summary = "in scope, but the Art 23 reporting duty does not apply (see scope findings)"
	case kind != "incident":
		r.Status = StatusVoluntary
		what := map[string]string{"near_miss": "near miss", "cyber_threat": "cyber threat"}[kind]
		sig.add("NIS2 Art 30(1)(a)", Met, "a %s: essential and important entities may notify it voluntarily", what)
		r.Summary = fmt.Sprintf("a %s: voluntary notification (Art 30(1)(a))", what)
		a.voluntaryNIS2("Art 30(1)(a)")
		if kind == "cyber_threat" {
			a.ob(Obligation{ID: "nis2.threat_recipients", Regime: "nis2", Title: "Communicate measures against the significant cyber threat to the recipients of the services", Party: "entity", Duty: "mandatory",
				LegalBasis: "NIS2 Art 23(2)", Recipient: "service_recipients", AnchorEvent: "significant cyber threat identified", DueRule: "without undue delay, where applicable",
				Content: []string{"measures or remedies the recipients can take in response to the threat", "where appropriate, the significant cyber threat itself"}})
		}
	default:
		a.sig = a.significantNIS2(a.nis2, &sig)
		if a.sig {
			r.Status = StatusReportable
			r.Summary = fmt.Sprintf("significant incident of an %s entity: report to the CSIRT or competent authority of %s", a.nis2.class, joinAnd(a.nis2.jurisdiction))
			a.obligationsNIS2()
		} else {
			r.Status = StatusNotReportable
			r.Summary = "not a significant incident: no mandatory report; voluntary notification possible (Art 30(1)(a))"
			a.voluntaryNIS2("Art 30(1)(a)")
		}
	}
	r.Scope, r.Significance = scope, sig
	a.addRegime(r)
}

func (a *assessment) isDORAFinancial() bool {
	d := a.f.Entity.DORA
	t, ok := LookupDORAType(d.EntityType)
	return ok && t.FinancialEntity && !d.Exempted && !a.refTime().Before(doraApplies)
}

func (a *assessment) voluntaryNIS2(basis string) {
	a.ob(Obligation{ID: "nis2.voluntary", Regime: "nis2", Title: "Voluntary notification", Party: "entity", Duty: "voluntary",
		LegalBasis: "NIS2 " + basis, Recipient: "csirt_or_competent_authority", AnchorEvent: "none", DueRule: "none; processed under the Art 23 procedure, mandatory notifications may be prioritised (Art 30(2))",
		Content: []string{"the information the entity chooses to share; no additional obligations arise from it (Art 30(2))"}})
}

func (a *assessment) assessDORA() {
	var scope, sig findings
	a.dora = a.scopeDORA(&scope)
	r := RegimeResult{Regime: "dora", Title: "DORA Regulation (EU) 2022/2554", InScope: a.dora.inScope}
	if a.dora.inScope {
		r.Jurisdiction = []string{a.home}
	}
	switch {
	case !a.dora.inScope:
		r.Status = StatusOutOfScope
		r.Summary = "no DORA incident-reporting duty"
	case a.kind() == "cyber_threat":
		r.Status = StatusVoluntary
		sig.add("DORA Art 19(2); 2024/1772 Art 10", Met, "significant cyber threats may be notified voluntarily")
		r.Summary = "cyber threat: voluntary notification (Art 19(2))"
		a.ob(Obligation{ID: "dora.voluntary_threat", Regime: "dora", Title: "Voluntary notification of a significant cyber threat", Party: "entity", Duty: "voluntary",
			LegalBasis: "DORA Art 19(2)", Recipient: "financial_competent_authority", AnchorEvent: "none", DueRule: "none",
			Content: []string{"the threat, its probability and the functions it could affect (2024/1772 Art 10)"}})
	case a.kind() == "near_miss":
		r.Status = StatusNotReportable
		r.Summary = "a near miss: no DORA report"
	default:
		a.major = a.doraMajor(a.dora, &sig)
		if a.major {
			r.Status = StatusReportable
			r.Class = "major"
			r.Summary = "major ICT-related incident: initial, intermediate and final reports to the financial competent authority"
			a.obligationsDORA()
		} else {
			r.Status = StatusNotReportable
			r.Class = "not_major"
			r.Summary = "not a major ICT-related incident: no DORA report (record it; recurring incidents are assessed monthly, 2024/1772 Art 8(2))"
		}
	}
	r.Scope, r.Significance = scope, sig
	a.addRegime(r)
}

func (a *assessment) assessGDPR() {
	var scope, sig findings
	p := a.f.Incident.PersonalData
	role := a.f.Entity.GDPRRole
	r := RegimeResult{Regime: "gdpr", Title: "GDPR Regulation (EU) 2016/679"}
	if p == nil || !p.Breach {
		scope.add("GDPR Art 4(12)", NotMet, "no personal data breach recorded")
		r.Status, r.Summary = StatusOutOfScope, "no personal data breach"
		r.Scope = scope
		a.addRegime(r)
		return
	}
	r.InScope = true
	scope.add("GDPR Art 4(12)", Met, "a personal data breach: destruction, loss, alteration, unauthorised disclosure of or access to personal data")
	if role == "" {
		role = "controller"
		scope.add("GDPR Art 4(7)", Unknown, "role not given; treated as controller (the role with the notification duty)")
	} else {
		scope.add("GDPR Art 4(7)–(8)", Met, "the entity acts as %s", role)
	}
	lead := p.LeadAuthority
	if lead == "" {
		lead = a.home
	}
	r.Jurisdiction = []string{lead}
	a.ob(Obligation{ID: "gdpr.documentation", Regime: "gdpr", Title: "Document the breach", Party: "entity", Duty: "mandatory", LegalBasis: "GDPR Art 33(5)",
		Recipient: "internal_record", AnchorEvent: "breach", DueRule: "every breach, whether notified or not",
		Content: []string{"facts of the breach", "its effects", "remedial action taken"}})
	if role == "processor" {
		r.Status, r.Class = StatusReportable, "processor"
		r.Summary = "processor: notify the controller without undue delay"
		sig.add("GDPR Art 33(2)", Met, "a processor notifies the controller without undue delay after becoming aware, whatever the risk")
		a.ob(Obligation{ID: "gdpr.controller_notification", Regime: "gdpr", Title: "Notify the controller", Party: "entity", Duty: "mandatory", LegalBasis: "GDPR Art 33(2)",
			Recipient: "controller", AnchorEvent: "aware", AnchorAt: a.f.Incident.AwareAt, DueRule: "without undue delay (no hour limit)",
			Content: []string{"nature of the breach", "categories and approximate numbers of data subjects and records, where possible"}})
		r.Scope, r.Significance = scope, sig
		a.addRegime(r)
		return
	}
	risk := p.Risk
	if risk == "" {
		risk = "risk"
		sig.add("GDPR Art 33(1)", Unknown, "the controller has not recorded its risk judgement; treated as likely to result in a risk (notify)")
	}
	reasons := ""
	if p.Reasons != "" {
		reasons = " Reasons recorded: " + truncate(p.Reasons, 200)
	}
	if risk == "unlikely" {
		sig.add("GDPR Art 33(1)", NotMet, "the controller judges the breach unlikely to result in a risk to the rights and freedoms of natural persons: no notification to the supervisory authority.%s", reasons)
		r.Status, r.Class = StatusNotReportable, "unlikely_risk"
		r.Summary = "breach judged unlikely to result in a risk: document it (Art 33(5)), no notification"
		r.Scope, r.Significance = scope, sig
		a.addRegime(r)
		return
	}
	if p.Risk != "" {
		sig.add("GDPR Art 33(1)", Met, "the controller judges the breach likely to result in a risk: notify the supervisory authority.%s", reasons)
	}
	r.Status, r.Class = StatusReportable, "risk"
	r.Summary = fmt.Sprintf("notify the supervisory authority (%s) within 72 h of awareness", lead)
	a.ob(Obligation{ID: "gdpr.sa_notification", Regime: "gdpr", Title: "Notify the supervisory authority", Party: "entity", Duty: "mandatory",
		LegalBasis: "GDPR Art 33(1)", Recipient: "supervisory_authority", AnchorEvent: "aware", AnchorAt: a.f.Incident.AwareAt, period: hours(72),
		Content: []string{"nature of the breach, categories and approximate numbers of data subjects and records (Art 33(3)(a))", "name and contact details of the DPO or other contact point (33(3)(b))",
			"likely consequences (33(3)(c))", "measures taken or proposed, including mitigation (33(3)(d))"},
		Notes: []string{"'where feasible' within 72 h: a later notification must give the reasons for the delay; information may be provided in phases (Art 33(4))"}})
	if risk == "high" {
		r.Class = "high_risk"
		switch p.Art34Exemption {
		case "unintelligible", "mitigated":
			sig.add("GDPR Art 34(3)", Met, "likely high risk, but communication to data subjects is not required: %s", map[string]string{
				"unintelligible": "the data were rendered unintelligible to unauthorised persons, e.g. by encryption (34(3)(a))",
				"mitigated":      "subsequent measures ensure the high risk is no longer likely to materialise (34(3)(b))"}[p.Art34Exemption])
		case "disproportionate":
			sig.add("GDPR Art 34(3)(c)", Met, "individual communication would involve disproportionate effort: a public communication or equally effective measure instead")
			a.ob(Obligation{ID: "gdpr.data_subjects", Regime: "gdpr", Title: "Public communication instead of informing data subjects individually", Party: "entity", Duty: "mandatory",
				LegalBasis: "GDPR Art 34(3)(c)", Recipient: "public", AnchorEvent: "aware", AnchorAt: a.f.Incident.AwareAt, DueRule: "without undue delay",
				Content: gdprSubjectContent})
		default:
			sig.add("GDPR Art 34(1)", Met, "likely to result in a high risk: communicate the breach to the data subjects without undue delay")
			a.ob(Obligation{ID: "gdpr.data_subjects", Regime: "gdpr", Title: "Communicate the breach to the data subjects", Party: "entity", Duty: "mandatory",
				LegalBasis: "GDPR Art 34(1)", Recipient: "data_subjects", AnchorEvent: "aware", AnchorAt: a.f.Incident.AwareAt, DueRule: "without undue delay",
				Content: gdprSubjectContent})
		}
	} else {
		sig.add("GDPR Art 34(1)", NotMet, "not judged likely to result in a high risk: no communication to data subjects required")
	}
	r.Scope, r.Significance = scope, sig
	a.addRegime(r)
}

var gdprSubjectContent = []string{"in clear and plain language, the nature of the breach (Art 34(2))", "DPO or contact point (33(3)(b))", "likely consequences (33(3)(c))", "measures taken or proposed (33(3)(d))"}

func (a *assessment) assessCRA() {
	var scope, sig findings
	r := RegimeResult{Regime: "cra", Title: "Cyber Resilience Act Regulation (EU) 2024/2847"}
	c := a.f.Entity.CRA
	ev := a.f.Incident.CRA
	if c == nil || !c.Manufacturer {
		scope.add("CRA Art 14(1)", NotMet, "the entity is not a manufacturer of products with digital elements")
		r.Status, r.Summary, r.Scope = StatusOutOfScope, "not a manufacturer under the CRA", scope
		a.addRegime(r)
		return
	}
	if ev == nil || (!ev.ActivelyExploitedVulnerability && !ev.AffectsProtection && !ev.MaliciousCode) {
		r.InScope = true
		scope.add("CRA Art 14(1), 14(3)", NotMet, "no actively exploited vulnerability and no severe incident affecting the security of a product recorded")
		r.Status, r.Summary, r.Scope = StatusNotReportable, "manufacturer, but nothing reportable under CRA Art 14", scope
		a.addRegime(r)
		return
	}
	if a.f.Now.Before(craApplies) {
		scope.add("CRA Art 71(2)", NotMet, "Art 14 applies from %s; now is %s", craApplies.Format("2006-01-02"), fmtTime(a.f.Now))
		r.Status, r.Summary, r.Scope = StatusNotApplicable, "CRA Art 14 reporting applies from 11 September 2026", scope
		a.addRegime(r)
		return
	}
	aware := a.f.Incident.AwareAt.UTC()
	anchor := aware
	if aware.Before(craApplies) {
		if a.opt.CRAEarlyAwareness == CRANotApplicable {
			scope.add("CRA Art 71(2)", NotMet, "the manufacturer became aware on %s, before Art 14 applied; read as outside the duty (option cra_early_awareness=not_applicable)", fmtTime(aware))
			r.Status, r.Summary, r.Scope = StatusNotApplicable, "awareness before CRA Art 14 applied", scope
			a.addRegime(r)
			return
		}
		anchor = craApplies
		scope.add("CRA Art 71(2)", Unknown, "the manufacturer became aware on %s, before Art 14 applied; clocks start at the date of application %s (option cra_early_awareness=clock_from_application)", fmtTime(aware), craApplies.Format("2006-01-02"))
	} else {
		scope.add("CRA Art 71(2)", Met, "Art 14 applies (from 11 September 2026), also to products placed on the market earlier (Art 69(3))")
	}
	r.InScope = true
	main := c.MainEstablishment
	if main == "" {
		main = a.home
	}
	r.Jurisdiction = []string{main}
	var tracks []string
	if sig.check("CRA Art 14(1), 3(42)", ev.ActivelyExploitedVulnerability, "an actively exploited vulnerability: reliable evidence that a malicious actor exploited it without permission of the system owner", "no actively exploited vulnerability") {
		tracks = append(tracks, "actively exploited vulnerability")
		a.obligationsCRAVuln(anchor)
	}
	severe := ev.AffectsProtection || ev.MaliciousCode
	why := []string{}
	if ev.AffectsProtection {
		why = append(why, "it affects or can affect the product's ability to protect the availability, authenticity, integrity or confidentiality of sensitive or important data or functions (14(5)(a))")
	}
	if ev.MaliciousCode {
		why = append(why, "it has led or can lead to the introduction or execution of malicious code in the product or the user's systems (14(5)(b))")
	}
	if sig.check("CRA Art 14(3), 14(5)", severe, "a severe incident having an impact on the security of the product: "+joinAnd(why), "no severe incident affecting the security of the product") {
		tracks = append(tracks, "severe incident")
		a.obligationsCRAIncident(anchor)
	}
	r.Status = StatusReportable
	r.Summary = fmt.Sprintf("%s: notify the CSIRT coordinator of %s and ENISA through the single reporting platform", strings.Join(tracks, " and "), main)
	r.Scope, r.Significance = scope, sig
	a.addRegime(r)
}

// finish computes statuses, sorts obligations and writes the summary.
func (a *assessment) finish() {
	sort.SliceStable(a.res.Obligations, func(i, j int) bool {
		oi, oj := a.res.Obligations[i], a.res.Obligations[j]
		if (oi.DueAt == nil) != (oj.DueAt == nil) {
			return oi.DueAt != nil
		}
		if oi.DueAt != nil && !oi.DueAt.Equal(*oj.DueAt) {
			return oi.DueAt.Before(*oj.DueAt)
		}
		return false
	})
	var rep []string
	for _, r := range a.res.Regimes {
		if r.Status == StatusReportable {
			rep = append(rep, strings.ToUpper(r.Regime))
		}
	}
	if len(rep) == 0 {
		a.res.Summary = "no mandatory report"
	} else {
		a.res.Summary = "reportable under " + joinAnd(rep)
	}
	for _, o := range a.res.Obligations {
		if o.Party == "entity" && o.Duty == "mandatory" && o.DueAt != nil && o.Status != DueSubmitted {
			a.res.Summary += fmt.Sprintf("; next due: %s by %s", o.Title, fmtTime(*o.DueAt))
			break
		}
	}
	if a.res.Obligations == nil {
		a.res.Obligations = []Obligation{}
	}
	if a.res.Routes == nil {
		a.res.Routes = []Route{}
	}
}
