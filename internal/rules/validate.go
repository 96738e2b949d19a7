package rules

import (
	"fmt"
	"time"

	"github.com/nisnet-eu/nisnet/internal/calendar"
)

// Validate checks the facts for unknown codes, impossible values and
// contradictions, and returns a *FieldErrors naming every bad field.
func (f *Facts) Validate() error {
	var errs FieldErrors
	v := validator{errs: &errs, now: f.Now}
	if f.Now.IsZero() {
		errs.add("now", "required: the instant of the assessment (RFC 3339)")
	} else {
		v.year("now", f.Now)
	}
	f.Entity.validate(&v)
	f.Incident.validate(&v, f)
	f.Events.validate(&v, f)
	f.Options.validate(&errs)
	return errs.orNil()
}

type validator struct {
	errs *FieldErrors
	now  time.Time
}

func (v *validator) ms(field, code string) {
	if code == "" {
		return
	}
	if _, ok := calendar.LookupMemberState(code); !ok {
		msg := fmt.Sprintf("unknown Member State code %q (EU codes such as NL, DE, EL)", code)
		if code == "GR" {
			msg = "Greece is \"EL\" in EU usage, not \"GR\""
		}
		v.errs.add(field, msg)
	}
}

func (v *validator) msList(field string, codes []string) {
	if len(codes) > 100 {
		v.errs.add(field, "too many Member States")
		return
	}
	seen := map[string]bool{}
	for i, c := range codes {
		f := fmt.Sprintf("%s[%d]", field, i)
		if c == "" {
			v.errs.add(f, "empty Member State code")
			continue
		}
		v.ms(f, c)
		if seen[c] {
			v.errs.add(f, fmt.Sprintf("%s listed twice", c))
		}
		seen[c] = true
	}
}

func (v *validator) instant(field string, t *time.Time) {
	if t == nil {
		return
	}
	if t.IsZero() {
		v.errs.add(field, "must be a real instant, not the zero time")
		return
	}
	if !v.year(field, *t) {
		return
	}
	if !v.now.IsZero() && t.After(v.now) {
		v.errs.add(field, fmt.Sprintf("%s is after now (%s)", t.UTC().Format(time.RFC3339), v.now.UTC().Format(time.RFC3339)))
	}
}

// Instants are limited to the years a holiday calendar can describe
// (calendar.Load), which also keeps every due instant computed from them
// within the years RFC 3339 can write.
const minYear, maxYear = 1900, 2200

func (v *validator) year(field string, t time.Time) bool {
	if y := t.UTC().Year(); y < minYear || y > maxYear {
		v.errs.add(field, fmt.Sprintf("year %d is out of range (%d to %d)", y, minYear, maxYear))
		return false
	}
	return true
}

func (v *validator) before(fieldA string, a *time.Time, fieldB string, b *time.Time) {
	if a != nil && b != nil && a.After(*b) {
		v.errs.add(fieldB, fmt.Sprintf("%s is before %s (%s)", b.UTC().Format(time.RFC3339), fieldA, a.UTC().Format(time.RFC3339)))
	}
}

func (v *validator) nonNeg(field string, x float64) {
	if x < 0 {
		v.errs.add(field, fmt.Sprintf("must not be negative (got %v)", x))
	}
}

func (v *validator) nonNegInt(field string, x int64) {
	if x < 0 {
		v.errs.add(field, fmt.Sprintf("must not be negative (got %d)", x))
	}
}

func (v *validator) part(field string, part, whole int64, wholeField string) {
	if whole > 0 && part > whole {
		v.errs.add(field, fmt.Sprintf("%d is more than %s (%d)", part, wholeField, whole))
	}
}

var excludedAreas = map[string]bool{"": true, "national_security": true, "public_security": true, "defence": true, "law_enforcement": true}

func (e *Entity) validate(v *validator) {
	if e.MemberState == "" && e.EURepresentative == "" {
		v.errs.add("entity.member_state", "required: the Member State of establishment (or entity.eu_representative for an entity outside the Union)")
	}
	v.ms("entity.member_state", e.MemberState)
	v.ms("entity.main_establishment", e.MainEstablishment)
	v.ms("entity.eu_representative", e.EURepresentative)
	v.msList("entity.other_establishments", e.OtherEstablishments)
	v.msList("entity.services_in", e.ServicesIn)
	if len(e.EntityTypes) > 50 {
		v.errs.add("entity.entity_types", "too many entity types (at most 50)")
	}
	seen := map[string]bool{}
	for i, c := range e.EntityTypes {
		f := fmt.Sprintf("entity.entity_types[%d]", i)
		if _, ok := LookupEntityType(c); !ok {
			v.errs.add(f, fmt.Sprintf("unknown NIS2 entity type %q (see the nis2-entity-types vocabulary)", c))
		}
		if seen[c] {
			v.errs.add(f, fmt.Sprintf("%q listed twice", c))
		}
		seen[c] = true
	}
	if s := e.Size; s != nil {
		if s.Employees != nil {
			v.nonNegInt("entity.size.employees", *s.Employees)
		}
		if s.AnnualTurnoverEUR != nil {
			v.nonNeg("entity.size.annual_turnover_eur", *s.AnnualTurnoverEUR)
		}
		if s.BalanceSheetEUR != nil {
			v.nonNeg("entity.size.balance_sheet_eur", *s.BalanceSheetEUR)
		}
	}
	if !excludedAreas[e.Designation.ExcludedArea] {
		v.errs.add("entity.designations.excluded_area", fmt.Sprintf("unknown area %q; allowed: national_security, public_security, defence, law_enforcement", e.Designation.ExcludedArea))
	}
	if e.DORA != nil {
		if _, ok := LookupDORAType(e.DORA.EntityType); !ok {
			v.errs.add("entity.dora.entity_type", fmt.Sprintf("unknown DORA entity type %q (see the dora-entity-types vocabulary)", e.DORA.EntityType))
		}
		if e.DORA.SignificantCreditInstitution && e.DORA.EntityType != "credit-institution" {
			v.errs.add("entity.dora.significant_credit_institution", "only a credit institution can be a significant credit institution")
		}
	}
	if e.CRA != nil {
		v.ms("entity.cra.main_establishment", e.CRA.MainEstablishment)
	}
	switch e.GDPRRole {
	case "", "controller", "processor":
	default:
		v.errs.add("entity.gdpr_role", fmt.Sprintf("unknown role %q; allowed: controller, processor", e.GDPRRole))
	}
}

func (in *Incident) validate(v *validator, f *Facts) {
	switch in.Kind {
	case "", "incident", "near_miss", "cyber_threat":
	default:
		v.errs.add("incident.kind", fmt.Sprintf("unknown kind %q; allowed: incident, near_miss, cyber_threat", in.Kind))
	}
	if in.AwareAt == nil && (in.Kind == "" || in.Kind == "incident") {
		v.errs.add("incident.aware_at", "required: when the entity became aware of the incident (every deadline runs from it)")
	}
	v.instant("incident.occurred_at", in.OccurredAt)
	v.instant("incident.detected_at", in.DetectedAt)
	v.instant("incident.aware_at", in.AwareAt)
	v.before("incident.occurred_at", in.OccurredAt, "incident.detected_at", in.DetectedAt)
	v.before("incident.occurred_at", in.OccurredAt, "incident.aware_at", in.AwareAt)
	if len(in.RootCause) > 1000 || len(in.Title) > 1000 {
		v.errs.add("incident.root_cause", "title and root cause are limited to 1000 bytes")
	}
	v.msList("incident.affected_member_states", in.AffectedMemberStates)

	im := in.Impact
	v.nonNeg("incident.impact.direct_financial_loss_eur", im.DirectFinancialLossEUR)
	v.nonNeg("incident.impact.average_response_seconds", im.AverageResponseSeconds)
	for _, c := range []struct {
		f string
		n int64
	}{
		{"eu_users", im.EUUsers}, {"users_completely_unavailable", im.UsersCompletelyUnavailable},
		{"users_limited_availability", im.UsersLimitedAvailability}, {"users_data_compromised", im.UsersDataCompromised},
		{"misconfigured_domain_names", im.MisconfiguredDomainNames}, {"managed_domain_names", im.ManagedDomainNames},
	} {
		v.nonNegInt("incident.impact."+c.f, c.n)
	}
	v.part("incident.impact.users_completely_unavailable", im.UsersCompletelyUnavailable, im.EUUsers, "incident.impact.eu_users")
	v.part("incident.impact.users_limited_availability", im.UsersLimitedAvailability, im.EUUsers, "incident.impact.eu_users")
	v.part("incident.impact.users_data_compromised", im.UsersDataCompromised, im.EUUsers, "incident.impact.eu_users")
	v.part("incident.impact.misconfigured_domain_names", im.MisconfiguredDomainNames, im.ManagedDomainNames, "incident.impact.managed_domain_names")
	if im.EUUsers == 0 && (im.UsersCompletelyUnavailable > 0 || im.UsersLimitedAvailability > 0 || im.UsersDataCompromised > 0) && usesUserThresholds(f.Entity) {
		v.errs.add("incident.impact.eu_users", "required when affected users are given: the thresholds of 2024/2690 Arts 7 and 9–14 are the smaller of a share of the EU user base and an absolute number (Art 3(3) user counting)")
	}
	if im.SlowResponse > 0 && im.AverageResponseSeconds == 0 {
		v.errs.add("incident.impact.average_response_seconds", "required with slow_response: the average response time during that period (2024/2690 Arts 5(b), 6(b))")
	}
	if in.NIS2 != nil && len(in.NIS2.Reasons) > 10000 {
		v.errs.add("incident.nis2_judgement.reasons", "limited to 10000 bytes")
	}

	if d := in.DORA; d != nil {
		d.validate(v, "incident.dora")
		v.instant("incident.dora.classified_major_at", d.ClassifiedMajorAt)
		v.before("incident.occurred_at", in.OccurredAt, "incident.dora.classified_major_at", d.ClassifiedMajorAt)
		// Classifying an incident as major presupposes being aware of it; an
		// earlier classification would make the initial notification due
		// before the entity knew of the incident.
		v.before("incident.aware_at", in.AwareAt, "incident.dora.classified_major_at", d.ClassifiedMajorAt)
		if f.Entity.DORA == nil {
			v.errs.add("incident.dora", "DORA measurements given but entity.dora (the financial entity's type) is missing")
		}
	}
	if p := in.PersonalData; p != nil {
		switch p.Risk {
		case "", "unlikely", "risk", "high":
		default:
			v.errs.add("incident.personal_data.risk", fmt.Sprintf("unknown judgement %q; allowed: unlikely, risk, high", p.Risk))
		}
		switch p.Art34Exemption {
		case "", "unintelligible", "mitigated", "disproportionate":
		default:
			v.errs.add("incident.personal_data.art34_exemption", fmt.Sprintf("unknown exemption %q; allowed: unintelligible, mitigated, disproportionate", p.Art34Exemption))
		}
		v.nonNegInt("incident.personal_data.data_subjects", p.DataSubjects)
		v.nonNegInt("incident.personal_data.records", p.Records)
		v.ms("incident.personal_data.lead_authority", p.LeadAuthority)
		if len(p.Reasons) > 10000 {
			v.errs.add("incident.personal_data.reasons", "limited to 10000 bytes")
		}
	}
	if c := in.CRA; c != nil {
		v.instant("incident.cra.fix_available_at", c.FixAvailableAt)
		v.msList("incident.cra.made_available_in", c.MadeAvailableIn)
		if (c.ActivelyExploitedVulnerability || c.AffectsProtection || c.MaliciousCode) && in.AwareAt == nil {
			v.errs.add("incident.aware_at", "required for CRA Art 14 reports: when the manufacturer became aware")
		}
		v.before("incident.aware_at", in.AwareAt, "incident.cra.fix_available_at", c.FixAvailableAt)
		if f.Entity.CRA == nil || !f.Entity.CRA.Manufacturer {
			v.errs.add("incident.cra", "CRA facts given but entity.cra.manufacturer is not true")
		}
	}
	if len(in.EarlierIncidents) > maxList {
		v.errs.add("incident.earlier_incidents", fmt.Sprintf("at most %d earlier incidents", maxList))
	}
	for i, e := range in.EarlierIncidents {
		p := fmt.Sprintf("incident.earlier_incidents[%d]", i)
		if e.OccurredAt.IsZero() {
			v.errs.add(p+".occurred_at", "required")
		} else {
			v.instant(p+".occurred_at", &e.OccurredAt)
			if in.OccurredAt != nil && e.OccurredAt.After(*in.OccurredAt) {
				v.errs.add(p+".occurred_at", "is after incident.occurred_at: an earlier incident must have occurred before this one")
			}
		}
		if e.RootCause == "" {
			v.errs.add(p+".root_cause", "required: the apparent root cause, to compare with this incident's")
		}
		v.nonNeg(p+".direct_financial_loss_eur", e.DirectFinancialLossEUR)
		if e.DORA != nil {
			e.DORA.validate(v, p+".dora")
		}
	}
}

func (d *DORAImpact) validate(v *validator, p string) {
	for _, c := range []struct {
		f string
		n int64
	}{
		{"clients_affected", d.ClientsAffected}, {"clients_total", d.ClientsTotal},
		{"counterparts_affected", d.CounterpartsAffected}, {"counterparts_total", d.CounterpartsTotal},
		{"transactions_affected", d.TransactionsAffected}, {"transactions_daily_average", d.TransactionsDailyAverage},
	} {
		v.nonNegInt(p+"."+c.f, c.n)
	}
	v.nonNeg(p+".transaction_value_affected_eur", d.TransactionValueAffectedEUR)
	v.nonNeg(p+".transaction_value_daily_eur", d.TransactionValueDailyEUR)
	v.nonNeg(p+".economic_impact_eur", d.EconomicImpactEUR)
	v.part(p+".clients_affected", d.ClientsAffected, d.ClientsTotal, p+".clients_total")
	v.part(p+".counterparts_affected", d.CounterpartsAffected, d.CounterpartsTotal, p+".counterparts_total")
	v.msList(p+".member_states_impacted", d.MemberStatesImpacted)
}

func usesUserThresholds(e Entity) bool {
	for _, c := range e.EntityTypes {
		if et, ok := LookupEntityType(c); ok {
			switch et.ImplRegArticle {
			case 7, 9, 10, 11, 12, 13, 14:
				return true
			}
		}
	}
	return false
}

func (ev *Events) validate(v *validator, f *Facts) {
	if len(ev.Submitted) > 100 {
		v.errs.add("events.submitted", "too many entries")
	}
	for id, at := range ev.Submitted {
		field := "events.submitted." + id
		if !knownReport[id] {
			v.errs.add(field, fmt.Sprintf("unknown report %q (ids such as nis2.early_warning, nis2.notification, dora.initial)", id))
			continue
		}
		at := at
		v.instant(field, &at)
		v.before("incident.aware_at", f.Incident.AwareAt, field, &at)
	}
	v.instant("events.handling_ended_at", ev.HandlingEndedAt)
	v.before("incident.aware_at", f.Incident.AwareAt, "events.handling_ended_at", ev.HandlingEndedAt)
	v.instant("events.feedback_given_at", ev.FeedbackGivenAt)
	if len(ev.IntermediateRequests) > 50 {
		v.errs.add("events.intermediate_requests", "at most 50 requests")
	}
	for i, r := range ev.IntermediateRequests {
		p := fmt.Sprintf("events.intermediate_requests[%d]", i)
		if r.Regime != "nis2" && r.Regime != "cra" {
			v.errs.add(p+".regime", fmt.Sprintf("unknown regime %q; allowed: nis2, cra", r.Regime))
		}
		if r.RequestedAt.IsZero() {
			v.errs.add(p+".requested_at", "required")
		} else {
			ra := r.RequestedAt
			v.instant(p+".requested_at", &ra)
			if r.DueAt != nil && v.year(p+".due_at", *r.DueAt) {
				v.before(p+".requested_at", &ra, p+".due_at", r.DueAt)
			}
		}
	}
}
