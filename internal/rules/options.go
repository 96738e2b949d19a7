package rules

import "fmt"

// Options are the points of the ambiguity register (RULES.md §10) that the
// engine touches. Each is a named reading; the zero value of every field is
// its documented default, which is the conservative reading (the one that
// makes more reports due, or due earlier). Every Result lists the readings it
// used in Result.Readings.
type Options struct {
	// PeriodReading (ambiguity 2): how hour, day and month periods are
	// counted. Default "exact".
	PeriodReading PeriodReading `json:"period_reading,omitempty"`
	// MonthClock (ambiguity 17): whether "one month later" keeps the UTC
	// clock time or the local clock time of the entity's Member State.
	// Default "utc".
	MonthClock MonthClock `json:"month_clock,omitempty"`
	// TSPSubmissions (ambiguity 4): whether a trust service provider's early
	// warning and notification, both due 24 h after awareness, are two
	// submissions or one. Default "separate".
	TSPSubmissions TSPSubmissions `json:"tsp_submissions,omitempty"`
	// UnassessedNIS2 (ambiguity 5): what the engine concludes about an
	// incident of an entity outside Impl. Reg. 2024/2690 for which the entity
	// has not yet recorded its Art 23(3) judgement. Default "significant".
	UnassessedNIS2 UnassessedNIS2 `json:"unassessed_nis2,omitempty"`
	// CalendarWeekStart (ambiguity 6): the first day of the "calendar week"
	// of 2024/2690 Art 14(b). Informational: the entity reports the weekly
	// unavailability it measured. Default "monday" (ISO 8601).
	CalendarWeekStart string `json:"calendar_week_start,omitempty"`
	// RecurrenceWindow (ambiguity 7): how "within six months" of 2024/2690
	// Art 4 and 2024/1772 Art 8(2) is read. Default "rolling": every earlier
	// incident within six calendar months before this incident's occurrence.
	RecurrenceWindow RecurrenceWindow `json:"recurrence_window,omitempty"`
	// DomainRegistrationArt23 (ambiguity 8): whether domain name
	// registration service providers (in scope by Art 2(4), but not Annex
	// entities) have the Art 23 reporting duty. Default "applies".
	DomainRegistrationArt23 Applicability `json:"domain_registration_art23,omitempty"`
	// DORAWeekendRelief (ambiguity 9): how 2025/301 Art 5(4)–(6) is used.
	// Default "report": due_at keeps the statutory limit and the relief is
	// shown beside it; "apply" moves due_at to the relieved instant; "off"
	// does not compute it.
	DORAWeekendRelief WeekendRelief `json:"dora_weekend_relief,omitempty"`
	// CRAEarlyAwareness (ambiguity 11): an event the manufacturer became
	// aware of before CRA Art 14 applied (11 September 2026). Default
	// "clock_from_application": the duty applies and its clocks start at the
	// date of application.
	CRAEarlyAwareness CRAEarlyAwareness `json:"cra_early_awareness,omitempty"`
	// LawEnforcement (ambiguity 12): NIS2 only obliges the CSIRT to give
	// guidance on reporting to law enforcement (Art 23(5)); national law may
	// require forwarding. Default "guidance".
	LawEnforcement LawEnforcementRouting `json:"law_enforcement,omitempty"`
	// UnknownSize: an Annex entity whose size figures are missing. Default
	// "assume_in_scope" (treated as at least medium-sized).
	UnknownSize UnknownSize `json:"unknown_size,omitempty"`
}

// PeriodReading selects the time arithmetic (ambiguity 2).
type PeriodReading string

// MonthClock selects the clock kept when adding months (ambiguity 17).
type MonthClock string

// TSPSubmissions selects one or two TSP submissions (ambiguity 4).
type TSPSubmissions string

// UnassessedNIS2 selects the default significance (ambiguity 5).
type UnassessedNIS2 string

// RecurrenceWindow selects the six-month window semantics (ambiguity 7).
type RecurrenceWindow string

// Applicability says whether a contested duty applies.
type Applicability string

// WeekendRelief selects how DORA's weekend relief is used (ambiguity 9).
type WeekendRelief string

// CRAEarlyAwareness selects the CRA transition reading (ambiguity 11).
type CRAEarlyAwareness string

// LawEnforcementRouting selects the law-enforcement route (ambiguity 12).
type LawEnforcementRouting string

// UnknownSize selects how missing size figures are read.
type UnknownSize string

// The readings.
const (
	ReadingExact    PeriodReading = "exact"
	ReadingReg1182  PeriodReading = "reg_1182_71"
	MonthClockUTC   MonthClock    = "utc"
	MonthClockLocal MonthClock    = "local"

	TSPSeparate TSPSubmissions = "separate"
	TSPCombined TSPSubmissions = "combined"

	UnassessedSignificant    UnassessedNIS2 = "significant"
	UnassessedNotSignificant UnassessedNIS2 = "not_significant"

	WindowRolling    RecurrenceWindow  = "rolling"
	WindowHalfYear   RecurrenceWindow  = "calendar_half_year"
	Applies          Applicability     = "applies"
	DoesNotApply     Applicability     = "does_not_apply"
	ReliefReport     WeekendRelief     = "report"
	ReliefApply      WeekendRelief     = "apply"
	ReliefOff        WeekendRelief     = "off"
	CRAFromApply     CRAEarlyAwareness = "clock_from_application"
	CRANotApplicable CRAEarlyAwareness = "not_applicable"

	LEGuidance LawEnforcementRouting = "guidance"
	LEForward  LawEnforcementRouting = "forward"

	SizeAssumeInScope UnknownSize = "assume_in_scope"
	SizeAssumeSmall   UnknownSize = "assume_small"
)

// option describes one configurable reading for documentation and results.
type option struct {
	name      string
	ambiguity int // number in RULES.md §10, 0 if none
	allowed   []string
	dflt      string
	about     string
}

var optionTable = []option{
	{"period_reading", 2, []string{string(ReadingExact), string(ReadingReg1182)}, string(ReadingExact),
		"exact: N h = anchor + N×1 h, N days = N×24 h, months clamp to month end (RULES.md §0.2); reg_1182_71: Council Reg. 1182/71 Art 3 (event hour/day not counted, periods end at the expiry of the last hour/day, day and month periods ending on a non-working day roll to the next working day)"},
	{"month_clock", 17, []string{string(MonthClockUTC), string(MonthClockLocal)}, string(MonthClockUTC),
		"utc: one month later keeps the UTC clock time; local: keeps the Member State's local clock time across a daylight-saving change"},
	{"tsp_submissions", 4, []string{string(TSPSeparate), string(TSPCombined)}, string(TSPSeparate),
		"separate: a trust service provider files the early warning and the notification, both due aware + 24 h; combined: one submission serves both"},
	{"unassessed_nis2", 5, []string{string(UnassessedSignificant), string(UnassessedNotSignificant)}, string(UnassessedSignificant),
		"NIS2 Art 23(3) has no numeric threshold outside 2024/2690: an incident whose severity the entity has not judged yet is treated as significant (default) or not"},
	{"calendar_week_start", 6, []string{"monday", "sunday"}, "monday",
		"first day of the 'calendar week' of 2024/2690 Art 14(b) (ISO 8601 Monday by default); the entity reports the weekly unavailability measured on that basis"},
	{"recurrence_window", 7, []string{string(WindowRolling), string(WindowHalfYear)}, string(WindowRolling),
		"rolling: earlier incidents within six calendar months before this one's occurrence count (2024/2690 Art 4, 2024/1772 Art 8(2)); calendar_half_year: only those in the same January–June or July–December half-year. The aggregate counts as known when the entity became aware of the latest incident"},
	{"domain_registration_art23", 8, []string{string(Applies), string(DoesNotApply)}, string(Applies),
		"domain name registration service providers are in scope by Art 2(4) but not Annex I/II entities: whether Art 23 applies to them"},
	{"dora_weekend_relief", 9, []string{string(ReliefReport), string(ReliefApply), string(ReliefOff)}, string(ReliefReport),
		"2025/301 Art 5(4)–(6): report shows the relieved instant beside the statutory one; apply moves due_at to it; off ignores it"},
	{"cra_early_awareness", 11, []string{string(CRAFromApply), string(CRANotApplicable)}, string(CRAFromApply),
		"awareness before CRA Art 14 applied (2026-09-11): clocks start at the date of application (default) or the duty does not apply"},
	{"law_enforcement", 12, []string{string(LEGuidance), string(LEForward)}, string(LEGuidance),
		"guidance: the CSIRT guides the entity on reporting to law enforcement (NIS2 Art 23(5)); forward: national law requires the authority to forward"},
	{"unknown_size", 0, []string{string(SizeAssumeInScope), string(SizeAssumeSmall)}, string(SizeAssumeInScope),
		"an Annex entity whose size figures are missing is treated as at least medium-sized (default) or as small"},
}

// Reading records one option and the value a result used.
type Reading struct {
	Option    string `json:"option"`
	Value     string `json:"value"`
	Default   bool   `json:"default"`
	Ambiguity int    `json:"ambiguity,omitempty"`
	About     string `json:"about"`
}

// withDefaults fills empty options with their defaults.
func (o Options) withDefaults() Options {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def((*string)(&o.PeriodReading), string(ReadingExact))
	def((*string)(&o.MonthClock), string(MonthClockUTC))
	def((*string)(&o.TSPSubmissions), string(TSPSeparate))
	def((*string)(&o.UnassessedNIS2), string(UnassessedSignificant))
	def(&o.CalendarWeekStart, "monday")
	def((*string)(&o.RecurrenceWindow), string(WindowRolling))
	def((*string)(&o.DomainRegistrationArt23), string(Applies))
	def((*string)(&o.DORAWeekendRelief), string(ReliefReport))
	def((*string)(&o.CRAEarlyAwareness), string(CRAFromApply))
	def((*string)(&o.LawEnforcement), string(LEGuidance))
	def((*string)(&o.UnknownSize), string(SizeAssumeInScope))
	return o
}

func (o Options) values() map[string]string {
	return map[string]string{
		"period_reading":            string(o.PeriodReading),
		"month_clock":               string(o.MonthClock),
		"tsp_submissions":           string(o.TSPSubmissions),
		"unassessed_nis2":           string(o.UnassessedNIS2),
		"calendar_week_start":       o.CalendarWeekStart,
		"recurrence_window":         string(o.RecurrenceWindow),
		"domain_registration_art23": string(o.DomainRegistrationArt23),
		"dora_weekend_relief":       string(o.DORAWeekendRelief),
		"cra_early_awareness":       string(o.CRAEarlyAwareness),
		"law_enforcement":           string(o.LawEnforcement),
		"unknown_size":              string(o.UnknownSize),
	}
}

// validate checks every set option against its allowed values.
func (o Options) validate(errs *FieldErrors) {
	vals := o.values()
	for _, opt := range optionTable {
		v := vals[opt.name]
		if v == "" {
			continue
		}
		ok := false
		for _, a := range opt.allowed {
			if v == a {
				ok = true
			}
		}
		if !ok {
			errs.add("options."+opt.name, fmt.Sprintf("unknown reading %q; allowed: %v", v, opt.allowed))
		}
	}
}

// readings lists every option with the value used.
func (o Options) readings() []Reading {
	vals := o.withDefaults().values()
	out := make([]Reading, 0, len(optionTable))
	for _, opt := range optionTable {
		out = append(out, Reading{Option: opt.name, Value: vals[opt.name], Default: vals[opt.name] == opt.dflt, Ambiguity: opt.ambiguity, About: opt.about})
	}
	return out
}

// OptionDocs returns the documentation of every option, for the API and docs.
func OptionDocs() []Reading {
	return Options{}.readings()
}
