package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// significantNIS2 decides whether the incident is significant under NIS2
// Art 23(3) and, for the entity types it covers, Impl. Reg. 2024/2690.
func (a *assessment) significantNIS2(sc nis2Scope, fs *findings) bool {
	in := a.f.Incident
	sig := false
	if len(sc.implReg) > 0 {
		if a.implReg(sc, fs) {
			sig = true
		}
	}
	if len(sc.otherTypes) > 0 || len(sc.types) == 0 {
		j := in.NIS2
		switch {
		case j == nil && a.opt.UnassessedNIS2 == UnassessedSignificant:
			fs.add("NIS2 Art 23(3)", Unknown, "the entity has not recorded its judgement of severe operational disruption, financial loss or considerable damage; treated as significant (option unassessed_nis2=significant)")
			sig = true
		case j == nil:
			fs.add("NIS2 Art 23(3)", Unknown, "the entity has not recorded its judgement; treated as not significant (option unassessed_nis2=not_significant)")
		default:
			reason := ""
			if j.Reasons != "" {
				reason = " (reasons recorded: " + truncate(j.Reasons, 200) + ")"
			}
			a1 := fs.check("NIS2 Art 23(3)(a)", j.SevereOperationalDisruption || j.FinancialLoss,
				"the entity judges that the incident has caused or can cause severe operational disruption of its services or financial loss"+reason,
				"the entity judges that the incident causes neither severe operational disruption nor financial loss"+reason)
			b := fs.check("NIS2 Art 23(3)(b)", j.ConsiderableDamageToOthers,
				"the entity judges that the incident has affected or can affect other persons by causing considerable material or non-material damage",
				"the entity judges that no other persons suffer considerable damage")
			sig = sig || a1 || b
		}
	}
	return sig
}

// truncate shortens s to at most n bytes, cutting before a character rather
// than through it, and marks the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// threshold of "more than pct of EU users or more than abs, whichever is
// smaller" (2024/2690 Arts 7, 9–14).
func userThreshold(pct float64, abs int64, base int64) (float64, string) {
	p := pct / 100 * float64(base)
	if base > 0 && p < float64(abs) {
		return p, fmt.Sprintf("%g %% of %s EU users = %s, smaller than %s", pct, fmtInt(base), fmtNum(p), fmtInt(abs))
	}
	if base == 0 {
		return float64(abs), fmt.Sprintf("%s (no EU user base given)", fmtInt(abs))
	}
	return float64(abs), fmt.Sprintf("%s, smaller than %g %% of %s EU users = %s", fmtInt(abs), pct, fmtInt(base), fmtNum(p))
}

// usersOver records "affected > min(pct × base, abs)".
func (fs *findings) usersOver(rule, what string, affected int64, pct float64, abs int64, base int64) bool {
	th, why := userThreshold(pct, abs, base)
	if float64(affected) > th {
		fs.add(rule, Met, "%s: %s users affected is more than the threshold (%s)", what, fmtInt(affected), why)
		return true
	}
	fs.add(rule, NotMet, "%s: %s users affected is not more than the threshold (%s)", what, fmtInt(affected), why)
	return false
}

// longer records "d > limit".
func (fs *findings) longer(rule, what string, d, limit time.Duration) bool {
	if d > limit {
		fs.add(rule, Met, "%s of %s is more than %s", what, fmtDur(d), fmtDur(limit))
		return true
	}
	if d == 0 {
		fs.add(rule, NotMet, "no %s", what)
		return false
	}
	fs.add(rule, NotMet, "%s of %s is not more than %s", what, fmtDur(d), fmtDur(limit))
	return false
}

// implReg applies Impl. Reg. 2024/2690 Arts 3–14.
func (a *assessment) implReg(sc nis2Scope, fs *findings) bool {
	in := a.f.Incident
	im := in.Impact
	if in.ScheduledMaintenance {
		fs.add("2024/2690 Art 3(2)", Met, "a scheduled interruption or planned consequence of scheduled maintenance is not a significant incident")
		return false
	}
	sig := false
	// Art 3(1)(a)
	lossTh, lossWhy := a.lossThreshold()
	switch {
	case im.DirectFinancialLossEUR > lossTh:
		fs.add("2024/2690 Art 3(1)(a)", Met, "direct financial loss of %s exceeds %s", fmtEUR(im.DirectFinancialLossEUR), lossWhy)
		sig = true
	case a.f.Entity.Size == nil || a.f.Entity.Size.AnnualTurnoverEUR == nil:
		if im.DirectFinancialLossEUR > 0 {
			fs.add("2024/2690 Art 3(1)(a)", Unknown, "direct financial loss of %s does not exceed EUR 500 000, but 5 %% of the preceding year's turnover may be lower: give entity.size.annual_turnover_eur", fmtEUR(im.DirectFinancialLossEUR))
			a.warn("%s", "2024/2690 Art 3(1)(a) could not be decided: the annual turnover is needed for the 5 % threshold")
		} else {
			fs.add("2024/2690 Art 3(1)(a)", NotMet, "no direct financial loss")
		}
	default:
		fs.add("2024/2690 Art 3(1)(a)", NotMet, "direct financial loss of %s does not exceed %s", fmtEUR(im.DirectFinancialLossEUR), lossWhy)
	}
	sig = fs.check("2024/2690 Art 3(1)(b)", im.TradeSecretsExfiltrated, "exfiltration of trade secrets (Dir. 2016/943 Art 2(1))", "no exfiltration of trade secrets") || sig
	sig = fs.check("2024/2690 Art 3(1)(c)", im.Death, "caused or capable of causing the death of a natural person", "no death caused or possible") || sig
	sig = fs.check("2024/2690 Art 3(1)(d)", im.HealthDamage, "caused or capable of causing considerable damage to a natural person's health", "no considerable damage to health") || sig
	e := im.MaliciousUnauthorisedAccess && im.CapableOfSevereDisruption
	why := "no successful, suspectedly malicious and unauthorised access"
	if im.MaliciousUnauthorisedAccess {
		why = "successful, suspectedly malicious and unauthorised access, but not capable of causing severe operational disruption"
	}
	sig = fs.check("2024/2690 Art 3(1)(e)", e, "successful, suspectedly malicious and unauthorised access capable of causing severe operational disruption", why) || sig
	if a.recurringImplReg(lossTh, lossWhy, fs) {
		fs.add("2024/2690 Art 3(1)(f)", Met, "meets the recurring-incident criteria of Art 4")
		sig = true
	}
	seen := map[int]bool{}
	for _, et := range sc.implReg {
		if seen[et.ImplRegArticle] {
			continue
		}
		seen[et.ImplRegArticle] = true
		if a.entityCriteria(et.ImplRegArticle, fs) {
			sig = true
		}
	}
	return sig
}

func (a *assessment) lossThreshold() (float64, string) {
	s := a.f.Entity.Size
	if s == nil || s.AnnualTurnoverEUR == nil {
		return 500000, "EUR 500 000"
	}
	five := 0.05 * *s.AnnualTurnoverEUR
	if five < 500000 {
		return five, fmt.Sprintf("5 %% of the turnover of %s = %s, lower than EUR 500 000", fmtEUR(*s.AnnualTurnoverEUR), fmtEUR(five))
	}
	return 500000, fmt.Sprintf("EUR 500 000, lower than 5 %% of the turnover of %s = %s", fmtEUR(*s.AnnualTurnoverEUR), fmtEUR(five))
}

func sameCause(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// recurring returns the earlier incidents that aggregate with this one: not
// significant themselves, same apparent root cause, within six months.
func (a *assessment) recurring() []EarlierIncident {
	in := a.f.Incident
	if in.RootCause == "" || len(in.EarlierIncidents) == 0 {
		return nil
	}
	ref := a.occurred()
	from := addMonths(ref, -6, time.UTC)
	var out []EarlierIncident
	for _, e := range in.EarlierIncidents {
		if e.Significant || !sameCause(e.RootCause, in.RootCause) {
			continue
		}
		if a.opt.RecurrenceWindow == WindowHalfYear {
			// Both instants on the UTC calendar, whatever offset they were written with.
			eo := e.OccurredAt.UTC()
			if eo.Year() != ref.Year() || (eo.Month() <= 6) != (ref.Month() <= 6) {
				continue
			}
		} else if e.OccurredAt.Before(from) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// recurringImplReg applies 2024/2690 Art 4.
func (a *assessment) recurringImplReg(lossTh float64, lossWhy string, fs *findings) bool {
	in := a.f.Incident
	if len(in.EarlierIncidents) == 0 {
		return false
	}
	rule := "2024/2690 Art 4"
	if in.RootCause == "" {
		fs.add(rule, Unknown, "earlier incidents given, but this incident has no root cause to compare (incident.root_cause)")
		return false
	}
	rec := a.recurring()
	if len(rec) == 0 {
		fs.add(rule, NotMet, "no earlier non-significant incident with the same apparent root cause (%q) within six months (%s window)", in.RootCause, a.opt.RecurrenceWindow)
		return false
	}
	total := in.Impact.DirectFinancialLossEUR
	for _, e := range rec {
		total += e.DirectFinancialLossEUR
	}
	n := len(rec) + 1
	if total > lossTh {
		fs.add(rule, Met, "%d incidents with the same apparent root cause (%q) within six months (%s window) caused together a direct financial loss of %s, exceeding %s", n, in.RootCause, a.opt.RecurrenceWindow, fmtEUR(total), lossWhy)
		return true
	}
	fs.add(rule, NotMet, "%d incidents with the same apparent root cause (%q) within six months caused together %s, not exceeding %s", n, in.RootCause, fmtEUR(total), lossWhy)
	return false
}

// entityCriteria applies the entity-type criteria of 2024/2690 Arts 5–14.
func (a *assessment) entityCriteria(art int, fs *findings) bool {
	im := a.f.Incident.Impact
	r := func(p string) string { return fmt.Sprintf("2024/2690 Art %d(%s)", art, p) }
	cu, slow, lim := im.CompleteUnavailability.Std(), im.SlowResponse.Std(), im.LimitedAvailability.Std()
	base := im.EUUsers
	met := false
	or := func(b bool) { met = met || b }
	maliciousData := func(p string) {
		or(fs.check(r(p), im.DataCompromised && im.DataCompromiseMalicious,
			"integrity, confidentiality or authenticity of data related to the provision of the service compromised as a result of a suspectedly malicious action",
			"no data compromise resulting from a suspectedly malicious action"))
	}
	dataUsers := func(p string, pct float64, abs int64) {
		if !im.DataCompromised {
			fs.add(r(p), NotMet, "no data related to the provision of the service compromised")
			return
		}
		or(fs.usersOver(r(p), "data compromise", im.UsersDataCompromised, pct, abs, base))
	}
	switch art {
	case 5, 6:
		name := map[int]string{5: "recursive or authoritative domain name resolution", 6: "authoritative domain name resolution"}[art]
		if art == 5 {
			or(fs.longer(r("a"), "complete unavailability of "+name, cu, 30*time.Minute))
		} else {
			or(fs.check(r("a"), cu > 0, fmt.Sprintf("%s completely unavailable (%s; no minimum duration)", name, fmtDur(cu)), name+" not completely unavailable"))
		}
		slowMet := slow > time.Hour && im.AverageResponseSeconds > 10
		switch {
		case slow == 0:
			fs.add(r("b"), NotMet, "no period of slow responses")
		case slowMet:
			fs.add(r("b"), Met, "for %s (more than 1 h) the average response time of %s was %g s, more than 10 s", fmtDur(slow), name, im.AverageResponseSeconds)
		default:
			fs.add(r("b"), NotMet, "average response time %g s for %s: needs more than 10 s for more than 1 h", im.AverageResponseSeconds, fmtDur(slow))
		}
		or(slowMet)
		if art == 6 {
			or(fs.check(r("c"), im.DataCompromised, "integrity, confidentiality or authenticity of data related to the technical operation of the TLD compromised", "no data related to the technical operation of the TLD compromised"))
			break
		}
		switch {
		case !im.DataCompromised:
			fs.add(r("c"), NotMet, "no data related to the authoritative resolution service compromised")
		case im.MisconfiguredDomainNames > 0 && im.MisconfiguredDomainNames < 1000 && im.ManagedDomainNames > 0 &&
			float64(im.MisconfiguredDomainNames) <= 0.01*float64(im.ManagedDomainNames):
			fs.add(r("c"), NotMet, "data of %s domain names (fewer than 1 000 and no more than 1 %% of %s managed) incorrect because of misconfiguration: excepted", fmtInt(im.MisconfiguredDomainNames), fmtInt(im.ManagedDomainNames))
		default:
			fs.add(r("c"), Met, "integrity, confidentiality or authenticity of data related to the authoritative resolution service compromised")
			met = true
		}
	case 7, 9, 10:
		svc := map[int]string{7: "cloud computing service", 9: "content delivery network", 10: "managed (security) service"}[art]
		or(fs.longer(r("a"), "complete unavailability of the "+svc, cu, 30*time.Minute))
		if lim > time.Hour {
			or(fs.usersOver(r("b"), fmt.Sprintf("limited availability for %s (more than 1 h)", fmtDur(lim)), im.UsersLimitedAvailability, 5, 1000000, base))
		} else {
			fs.longer(r("b"), "limited availability", lim, time.Hour)
		}
		maliciousData("c")
		dataUsers("d", 5, 1000000)
	case 8:
		or(fs.check(r("a"), cu > 0, fmt.Sprintf("a data centre service completely unavailable (%s; no minimum duration)", fmtDur(cu)), "no data centre service completely unavailable"))
		or(fs.longer(r("b"), "limited availability of a data centre service", lim, time.Hour))
		maliciousData("c")
		or(fs.check(r("d"), im.PhysicalAccessCompromised, "physical access to a data centre operated by the provider compromised", "physical access not compromised"))
	case 11, 12, 13:
		or(fs.usersOver(r("a"), "complete unavailability (no minimum duration)", im.UsersCompletelyUnavailable, 5, 1000000, base))
		or(fs.usersOver(r("b"), "limited availability (no minimum duration)", im.UsersLimitedAvailability, 5, 1000000, base))
		maliciousData("c")
		dataUsers("d", 5, 1000000)
	case 14:
		or(fs.longer(r("a"), "complete unavailability of a trust service", cu, 20*time.Minute))
		or(fs.longer(r("b"), fmt.Sprintf("unavailability to users or relying parties in a calendar week (starting %s)", a.opt.CalendarWeekStart), im.WeeklyUnavailability.Std(), time.Hour))
		or(fs.usersOver(r("c"), "limited availability of a trust service", im.UsersLimitedAvailability, 1, 200000, base))
		or(fs.check(r("d"), im.PhysicalAccessCompromised, "physical access to an area with network and information systems restricted to trusted personnel, or its protection, compromised", "physical access not compromised"))
		dataUsers("e", 0.1, 100)
	}
	return met
}

// --- DORA: Del. Reg. 2024/1772 ---

// doraMajor decides whether the incident is major (Art 8).
func (a *assessment) doraMajor(sc doraScope, fs *findings) bool {
	d := a.f.Incident.DORA
	if d == nil {
		fs.add("2024/1772 Art 8(1)", Unknown, "no DORA classification measurements given (incident.dora)")
		return false
	}
	if a.majorCriteria(*d, fs, "") {
		return true
	}
	return a.doraRecurring(*d, fs)
}

func (a *assessment) majorCriteria(d DORAImpact, fs *findings, prefix string) bool {
	r := func(s string) string { return prefix + "2024/1772 " + s }
	crit := fs.check(r("Art 6"), d.AffectsCriticalFunctions || d.AffectsSupervisedServices || d.MaliciousUnauthorisedAccess,
		"critical services affected: "+criticalWhy(d),
		"no critical service affected: no ICT service supporting critical or important functions, no authorised/supervised financial service, no successful malicious unauthorised access (Art 6(a)–(c))")
	// The materiality threshold of Art 9(5)(b).
	mat := fs.check(r("Art 9(5)(b)"), d.MaliciousUnauthorisedAccess && d.AccessMayCauseDataLoss,
		"successful, malicious and unauthorised access to network and information systems that may result in data losses",
		"no successful, malicious and unauthorised access that may result in data losses")
	others := 0
	count := func(b bool) {
		if b {
			others++
		}
	}
	// Art 9(1)
	var c []string
	c1 := false
	pct := func(part, whole int64) float64 { return float64(part) / float64(whole) * 100 }
	if d.ClientsTotal > 0 && pct(d.ClientsAffected, d.ClientsTotal) > 10 {
		c1 = true
		c = append(c, fmt.Sprintf("(a) %s of %s clients = %s %% > 10 %%", fmtInt(d.ClientsAffected), fmtInt(d.ClientsTotal), fmtPct(pct(d.ClientsAffected, d.ClientsTotal))))
	}
	if d.ClientsAffected > 100000 {
		c1 = true
		c = append(c, fmt.Sprintf("(b) %s clients > 100 000", fmtInt(d.ClientsAffected)))
	}
	if d.CounterpartsTotal > 0 && pct(d.CounterpartsAffected, d.CounterpartsTotal) > 30 {
		c1 = true
		c = append(c, fmt.Sprintf("(c) %s of %s counterparts > 30 %%", fmtInt(d.CounterpartsAffected), fmtInt(d.CounterpartsTotal)))
	}
	if d.TransactionsDailyAverage > 0 && pct(d.TransactionsAffected, d.TransactionsDailyAverage) > 10 {
		c1 = true
		c = append(c, fmt.Sprintf("(d) %s transactions > 10 %% of the daily average %s", fmtInt(d.TransactionsAffected), fmtInt(d.TransactionsDailyAverage)))
	}
	if d.TransactionValueDailyEUR > 0 && d.TransactionValueAffectedEUR/d.TransactionValueDailyEUR*100 > 10 {
		c1 = true
		c = append(c, fmt.Sprintf("(e) %s affected > 10 %% of the daily average value %s", fmtEUR(d.TransactionValueAffectedEUR), fmtEUR(d.TransactionValueDailyEUR)))
	}
	if d.RelevantClientsAffected {
		c1 = true
		c = append(c, "(f) relevant clients or counterparts affected")
	}
	if c1 {
		fs.add(r("Art 9(1)"), Met, "clients, counterparts and transactions: %s", strings.Join(c, "; "))
	} else {
		fs.add(r("Art 9(1)"), NotMet, "clients %s of %s (needs > 10 %% or > 100 000), counterparts %s of %s (> 30 %%), transactions %s of daily %s (> 10 %%), value %s of daily %s (> 10 %%), no relevant clients",
			fmtInt(d.ClientsAffected), fmtInt(d.ClientsTotal), fmtInt(d.CounterpartsAffected), fmtInt(d.CounterpartsTotal),
			fmtInt(d.TransactionsAffected), fmtInt(d.TransactionsDailyAverage), fmtEUR(d.TransactionValueAffectedEUR), fmtEUR(d.TransactionValueDailyEUR))
	}
	count(c1)
	count(fs.check(r("Art 9(2)"), d.MediaCoverage || d.RepetitiveComplaints || d.RegulatoryBreach || d.ClientLoss,
		"reputational impact: "+reputationWhy(d), "no reputational impact (media, repetitive complaints, regulatory breach, client loss: Art 2(a)–(d))"))
	dur, down := d.Duration.Std(), d.ServiceDowntime.Std()
	c3 := dur > 24*time.Hour || (down > 2*time.Hour && d.AffectsCriticalFunctions)
	switch {
	case dur > 24*time.Hour:
		fs.add(r("Art 9(3)"), Met, "duration of %s is more than 24 h", fmtDur(dur))
	case down > 2*time.Hour && d.AffectsCriticalFunctions:
		fs.add(r("Art 9(3)"), Met, "service downtime of %s is more than 2 h for ICT services supporting critical or important functions", fmtDur(down))
	default:
		fs.add(r("Art 9(3)"), NotMet, "duration %s (needs > 24 h), downtime %s (needs > 2 h of ICT services supporting critical or important functions)", fmtDur(dur), fmtDur(down))
	}
	count(c3)
	n := len(d.MemberStatesImpacted)
	count(fs.check(r("Art 9(4)"), n >= 2, fmt.Sprintf("impact in %d Member States (%s)", n, joinAnd(d.MemberStatesImpacted)), fmt.Sprintf("impact in %d Member State(s); needs two or more", n)))
	count(fs.check(r("Art 9(5)(a)"), d.DataLossAdverse, "data losses with adverse impact on business objectives or regulatory compliance", "no data losses with adverse impact"))
	count(fs.check(r("Art 9(6)"), d.EconomicImpactEUR > 100000, fmt.Sprintf("costs and losses of %s exceed EUR 100 000", fmtEUR(d.EconomicImpactEUR)), fmt.Sprintf("costs and losses of %s do not exceed EUR 100 000", fmtEUR(d.EconomicImpactEUR))))
	major := crit && (mat || others >= 2)
	switch {
	case major && mat:
		fs.add(r("Art 8(1)(a)"), Met, "critical services affected and the materiality threshold of Art 9(5)(b) met: major incident")
	case major:
		fs.add(r("Art 8(1)(b)"), Met, "critical services affected and %d other thresholds met (two or more needed): major incident", others)
	case !crit:
		fs.add(r("Art 8(1)"), NotMet, "no critical service affected: not major")
	default:
		fs.add(r("Art 8(1)"), NotMet, "critical services affected, but the materiality threshold is not met and only %d other threshold(s) (two or more needed)", others)
	}
	return major
}

func criticalWhy(d DORAImpact) string {
	var p []string
	if d.AffectsCriticalFunctions {
		p = append(p, "ICT services supporting critical or important functions (Art 6(a))")
	}
	if d.AffectsSupervisedServices {
		p = append(p, "authorised, registered or supervised financial services (Art 6(b))")
	}
	if d.MaliciousUnauthorisedAccess {
		p = append(p, "successful, malicious and unauthorised access (Art 6(c))")
	}
	return joinAnd(p)
}

func reputationWhy(d DORAImpact) string {
	var p []string
	if d.MediaCoverage {
		p = append(p, "reflected in the media (Art 2(a))")
	}
	if d.RepetitiveComplaints {
		p = append(p, "repetitive complaints (Art 2(b))")
	}
	if d.RegulatoryBreach {
		p = append(p, "regulatory requirements not met (Art 2(c))")
	}
	if d.ClientLoss {
		p = append(p, "loss of clients or counterparts (Art 2(d))")
	}
	return joinAnd(p)
}

// doraRecurring applies 2024/1772 Art 8(2).
func (a *assessment) doraRecurring(d DORAImpact, fs *findings) bool {
	in := a.f.Incident
	if len(in.EarlierIncidents) == 0 {
		return false
	}
	rule := "2024/1772 Art 8(2)"
	if e := a.f.Entity.DORA; e.Microenterprise || e.Art16Simplified {
		fs.add(rule, NotMet, "recurring incidents are not aggregated for microenterprises and entities under DORA Art 16(1)")
		return false
	}
	rec := a.recurring()
	agg := d
	// A copy of its own: appending must not write into the facts' slice.
	agg.MemberStatesImpacted = append([]string(nil), d.MemberStatesImpacted...)
	n := 1
	for _, e := range rec {
		if e.DORA == nil {
			continue
		}
		n++
		x := *e.DORA
		agg.AffectsCriticalFunctions = agg.AffectsCriticalFunctions || x.AffectsCriticalFunctions
		agg.AffectsSupervisedServices = agg.AffectsSupervisedServices || x.AffectsSupervisedServices
		agg.MaliciousUnauthorisedAccess = agg.MaliciousUnauthorisedAccess || x.MaliciousUnauthorisedAccess
		agg.AccessMayCauseDataLoss = agg.AccessMayCauseDataLoss || x.AccessMayCauseDataLoss
		agg.ClientsAffected += x.ClientsAffected
		agg.ClientsTotal = max(agg.ClientsTotal, x.ClientsTotal)
		agg.CounterpartsAffected += x.CounterpartsAffected
		agg.CounterpartsTotal = max(agg.CounterpartsTotal, x.CounterpartsTotal)
		agg.TransactionsAffected += x.TransactionsAffected
		agg.TransactionsDailyAverage = max(agg.TransactionsDailyAverage, x.TransactionsDailyAverage)
		agg.TransactionValueAffectedEUR += x.TransactionValueAffectedEUR
		agg.TransactionValueDailyEUR = math.Max(agg.TransactionValueDailyEUR, x.TransactionValueDailyEUR)
		agg.RelevantClientsAffected = agg.RelevantClientsAffected || x.RelevantClientsAffected
		agg.MediaCoverage = agg.MediaCoverage || x.MediaCoverage
		agg.RepetitiveComplaints = agg.RepetitiveComplaints || x.RepetitiveComplaints
		agg.RegulatoryBreach = agg.RegulatoryBreach || x.RegulatoryBreach
		agg.ClientLoss = agg.ClientLoss || x.ClientLoss
		agg.Duration += x.Duration
		agg.ServiceDowntime += x.ServiceDowntime
		agg.DataLossAdverse = agg.DataLossAdverse || x.DataLossAdverse
		agg.EconomicImpactEUR += x.EconomicImpactEUR
		for _, ms := range x.MemberStatesImpacted {
			if !containsStr(agg.MemberStatesImpacted, ms) {
				agg.MemberStatesImpacted = append(agg.MemberStatesImpacted, ms)
			}
		}
	}
	if n < 2 {
		fs.add(rule, NotMet, "no earlier non-major incident with the same apparent root cause and DORA measurements within six months")
		return false
	}
	var sub findings
	major := a.majorCriteria(agg, &sub, "aggregate: ")
	*fs = append(*fs, sub...)
	if major {
		fs.add(rule, Met, "%d non-major incidents with the same apparent root cause (%q) within six months collectively meet Art 8(1): one major incident (assessed monthly)", n, in.RootCause)
		return true
	}
	fs.add(rule, NotMet, "%d incidents with the same apparent root cause (%q) within six months do not collectively meet Art 8(1)", n, in.RootCause)
	return false
}

// fmtPct shows a percentage with enough digits that a value just over a
// threshold never prints as the threshold itself (10.001, not 10.00).
func fmtPct(p float64) string {
	for digits := 2; digits <= 6; digits++ {
		s := strconv.FormatFloat(p, 'f', digits, 64)
		if v, _ := strconv.ParseFloat(s, 64); v != math.Trunc(p) || p == math.Trunc(p) {
			return strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
	}
	return strconv.FormatFloat(p, 'f', -1, 64)
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
