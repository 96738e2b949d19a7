package rules

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Dates of application.
var (
	nis2Applies = time.Date(2024, 10, 18, 0, 0, 0, 0, time.UTC) // NIS2 Art 41(1)
	doraApplies = time.Date(2025, 1, 17, 0, 0, 0, 0, time.UTC)  // DORA Art 64
	craApplies  = time.Date(2026, 9, 11, 0, 0, 0, 0, time.UTC)  // CRA Art 71(2)
)

// SizeClass is an enterprise size under Recommendation 2003/361/EC.
type SizeClass string

// Size classes.
const (
	SizeMicro   SizeClass = "micro"
	SizeSmall   SizeClass = "small"
	SizeMedium  SizeClass = "medium"
	SizeLarge   SizeClass = "large"
	SizeUnknown SizeClass = "unknown"
)

type tri int

const (
	triNo tri = iota
	triYes
	triUnknown
)

func (a tri) and(b tri) tri {
	if a == triNo || b == triNo {
		return triNo
	}
	if a == triYes && b == triYes {
		return triYes
	}
	return triUnknown
}

// ceilings: fewer than staff persons, and turnover ≤ t and/or balance ≤ b.
func ceilings(s *Size, staff int64, t, b float64) tri {
	if s == nil {
		return triUnknown
	}
	head := triUnknown
	if s.Employees != nil {
		head = triNo
		if *s.Employees < staff {
			head = triYes
		}
	}
	// "and/or": meeting either financial ceiling is enough.
	fin := triUnknown
	var known, within int
	if s.AnnualTurnoverEUR != nil {
		known++
		if *s.AnnualTurnoverEUR <= t {
			within++
		}
	}
	if s.BalanceSheetEUR != nil {
		known++
		if *s.BalanceSheetEUR <= b {
			within++
		}
	}
	switch {
	case within > 0:
		fin = triYes
	case known == 2:
		fin = triNo
	}
	return head.and(fin)
}

// ClassifySize applies Recommendation 2003/361/EC Annex Art 2: micro (< 10
// persons, ≤ EUR 2 m), small (< 50, ≤ EUR 10 m), medium (< 250, turnover
// ≤ EUR 50 m and/or balance sheet ≤ EUR 43 m), otherwise large. Art 3(4) of
// that Annex is not applied (NIS2 Art 2(1)).
func ClassifySize(s *Size) (SizeClass, string) {
	micro := ceilings(s, 10, 2e6, 2e6)
	small := ceilings(s, 50, 10e6, 10e6)
	sme := ceilings(s, 250, 50e6, 43e6)
	desc := describeSize(s)
	switch {
	case micro == triYes:
		return SizeMicro, desc + " is micro (fewer than 10 persons, turnover and/or balance sheet ≤ EUR 2 000 000)"
	case small == triYes:
		return SizeSmall, desc + " is small (fewer than 50 persons, turnover and/or balance sheet ≤ EUR 10 000 000)"
	case sme == triNo:
		return SizeLarge, desc + " exceeds the medium-sized ceilings (250 persons; turnover EUR 50 000 000 and balance sheet EUR 43 000 000)"
	case sme == triYes && small == triNo:
		return SizeMedium, desc + " is medium-sized (fewer than 250 persons, turnover ≤ EUR 50 000 000 and/or balance sheet ≤ EUR 43 000 000)"
	}
	return SizeUnknown, desc + " do not determine the size class (headcount and turnover or balance sheet needed)"
}

func describeSize(s *Size) string {
	if s == nil {
		return "no size figures"
	}
	var parts []string
	if s.Employees != nil {
		parts = append(parts, fmt.Sprintf("%s persons", fmtInt(*s.Employees)))
	}
	if s.AnnualTurnoverEUR != nil {
		parts = append(parts, "turnover "+fmtEUR(*s.AnnualTurnoverEUR))
	}
	if s.BalanceSheetEUR != nil {
		parts = append(parts, "balance sheet "+fmtEUR(*s.BalanceSheetEUR))
	}
	if len(parts) == 0 {
		return "no size figures"
	}
	return joinAnd(parts)
}

func joinAnd(p []string) string {
	switch len(p) {
	case 0:
		return ""
	case 1:
		return p[0]
	}
	out := p[0]
	for _, s := range p[1 : len(p)-1] {
		out += ", " + s
	}
	return out + " and " + p[len(p)-1]
}

// nis2Scope is the outcome of NIS2 Art 2–3 and 26 for an entity.
type nis2Scope struct {
	inScope      bool
	class        string // essential, important, or "art_2_4" (domain registration)
	types        []EntityType
	implReg      []EntityType // in-scope types covered by 2024/2690
	otherTypes   []EntityType // in-scope types outside 2024/2690
	tsp          bool
	art23        bool // Art 23 duty applies (before DORA precedence)
	jurisdiction []string
}

func (a *assessment) scopeNIS2(fs *findings) nis2Scope {
	e := a.f.Entity
	var sc nis2Scope
	anchor := a.refTime()
	if anchor.Before(nis2Applies) {
		fs.add("NIS2 Art 41(1)", NotMet, "national measures apply from %s; the incident (%s) is earlier", nis2Applies.Format("2006-01-02"), fmtTime(anchor))
		return sc
	}
	if len(e.EntityTypes) == 0 {
		fs.add("NIS2 Art 2(1), Annexes I–II", NotMet, "the entity has no NIS2 entity type; it may still notify voluntarily (Art 30(1)(b))")
		return sc
	}
	size, sizeWhy := ClassifySize(e.Size)
	atLeastMedium := size == SizeMedium || size == SizeLarge
	if size == SizeUnknown {
		atLeastMedium = a.opt.UnknownSize == SizeAssumeInScope
	}
	d := e.Designation
	designated := d.SoleProvider || d.PublicSafetyImpact || d.SystemicRisk || d.NationalImportance
	essential := false
	for _, code := range e.EntityTypes {
		et, _ := LookupEntityType(code)
		in := false
		rule := "NIS2 Art 2(1), " + et.Basis
		switch {
		case et.NationalOption != "" && !d.NationalScope:
			fs.add("NIS2 "+et.NationalOption, NotMet, "%s: in scope only where the Member State so decides; not designated", et.Label)
			continue
		case et.RegardlessOfSize != "":
			in = true
			fs.add("NIS2 "+et.RegardlessOfSize, Met, "%s are in scope regardless of size", et.Label)
		case designated:
			in = true
			fs.add("NIS2 Art 2(2)(b)–(e)", Met, "%s: designated by the Member State (%s), in scope regardless of size", et.Label, designationList(d))
		case d.CERCritical:
			in = true
			fs.add("NIS2 Art 2(3)", Met, "%s: a critical entity under Directive (EU) 2022/2557, in scope regardless of size", et.Label)
		case atLeastMedium:
			in = true
			if size == SizeUnknown {
				fs.add(rule, Unknown, "%s: %s; treated as at least medium-sized (option unknown_size=%s)", et.Label, sizeWhy, a.opt.UnknownSize)
			} else {
				fs.add(rule, Met, "%s: %s, at least medium-sized", et.Label, sizeWhy)
			}
		default:
			fs.add(rule, NotMet, "%s: %s, below the medium-sized threshold of Recommendation 2003/361/EC", et.Label, sizeWhy)
			continue
		}
		if d.ExcludedArea != "" && (et.Sector == "public-administration" || et.Sector == "local-public-administration") && !et.TrustService {
			fs.add("NIS2 Art 2(7)", Met, "public administration entity carrying out its activities mainly in %s: excluded", d.ExcludedArea)
			continue
		}
		if !in {
			continue
		}
		sc.types = append(sc.types, et)
		if et.TrustService {
			sc.tsp = true
		}
		// Art 3(1): essential entities.
		switch {
		case et.Annex == 1 && size == SizeLarge:
			essential = true
			fs.add("NIS2 Art 3(1)(a)", Met, "%s: Annex I entity exceeding the medium-sized ceilings: essential", et.Label)
		case et.EssentialRegardlessOfSize != "":
			essential = true
			fs.add("NIS2 "+et.EssentialRegardlessOfSize, Met, "%s: essential regardless of size", et.Label)
		case et.TrustService && e.QualifiedTrustServiceProvider:
			essential = true
			fs.add("NIS2 Art 3(1)(b)", Met, "qualified trust service provider: essential regardless of size")
		case et.PublicEComms && size == SizeMedium:
			essential = true
			fs.add("NIS2 Art 3(1)(c)", Met, "%s that is medium-sized: essential", et.Label)
		}
	}
	if len(sc.types) == 0 {
		return sc
	}
	if e.DORA != nil && e.DORA.Exempted {
		fs.add("NIS2 Art 2(10)", Met, "the entity is exempted from DORA under its Art 2(4): NIS2 does not apply to it")
		sc.types = nil
		return sc
	}
	sc.inScope = true
	switch {
	case designated:
		essential = true
		fs.add("NIS2 Art 3(1)(e)", Met, "designated by the Member State under Art 2(2)(b)–(e): essential")
	case d.CERCritical:
		essential = true
		fs.add("NIS2 Art 3(1)(f)", Met, "critical entity under Directive (EU) 2022/2557: essential")
	case d.IdentifiedOES:
		essential = true
		fs.add("NIS2 Art 3(1)(g)", Met, "identified as an operator of essential services before 16 January 2023: essential")
	}
	onlyArt24 := true
	for _, et := range sc.types {
		if et.Annex != 0 || et.Sector != "domain-registration" {
			onlyArt24 = false
		}
		if et.ImplRegArticle != 0 {
			sc.implReg = append(sc.implReg, et)
		} else {
			sc.otherTypes = append(sc.otherTypes, et)
		}
	}
	switch {
	case essential:
		sc.class = "essential"
	case onlyArt24:
		sc.class = "art_2_4"
		fs.add("NIS2 Art 3", Unknown, "domain name registration service providers are in scope by Art 2(4) but neither essential nor important entities (ambiguity 8)")
	default:
		sc.class = "important"
		fs.add("NIS2 Art 3(2)", Met, "in scope and not essential: important entity (reporting duties are the same)")
	}
	sc.art23 = true
	if onlyArt24 && a.opt.DomainRegistrationArt23 == DoesNotApply {
		sc.art23 = false
		fs.add("NIS2 Art 23", NotMet, "Art 23 read as not applying to domain name registration service providers (option domain_registration_art23=does_not_apply)")
	}
	if d.ExemptedArt23 {
		if sc.tsp {
			fs.add("NIS2 Art 2(9)", Met, "the Art 2(8) exemption does not apply where the entity acts as a trust service provider")
		} else {
			sc.art23 = false
			fs.add("NIS2 Art 2(8)", Met, "the Member State exempted the entity from Art 23")
		}
	}
	sc.jurisdiction = a.jurisdiction(sc.types, fs)
	return sc
}

func designationList(d Designations) string {
	var p []string
	if d.SoleProvider {
		p = append(p, "sole provider, Art 2(2)(b)")
	}
	if d.PublicSafetyImpact {
		p = append(p, "impact on public safety, security or health, Art 2(2)(c)")
	}
	if d.SystemicRisk {
		p = append(p, "systemic risk, Art 2(2)(d)")
	}
	if d.NationalImportance {
		p = append(p, "national or regional importance, Art 2(2)(e)")
	}
	return joinAnd(p)
}

// jurisdiction applies NIS2 Art 26.
func (a *assessment) jurisdiction(types []EntityType, fs *findings) []string {
	e := a.f.Entity
	set := map[string]bool{}
	add := func(codes ...string) {
		for _, c := range codes {
			if c != "" {
				set[c] = true
			}
		}
	}
	for _, et := range types {
		switch et.Jurisdiction {
		case jurServices:
			ms := e.ServicesIn
			if len(ms) == 0 {
				ms = []string{e.MemberState}
			}
			add(ms...)
			fs.add("NIS2 Art 26(1)(a)", Met, "%s: the Member States where the services are provided (%s)", et.Label, joinAnd(ms))
		case jurMainEstablishment:
			switch {
			case e.MainEstablishment != "":
				add(e.MainEstablishment)
				fs.add("NIS2 Art 26(1)(b), 26(2)", Met, "%s: the Member State of the main establishment (%s)", et.Label, e.MainEstablishment)
			case e.MemberState != "":
				add(e.MemberState)
				fs.add("NIS2 Art 26(1)(b), 26(2)", Met, "%s: main establishment not given; taken as the Member State of establishment (%s)", et.Label, e.MemberState)
			default:
				add(e.EURepresentative)
				fs.add("NIS2 Art 26(3)", Met, "%s not established in the Union: the Member State of its representative (%s)", et.Label, e.EURepresentative)
			}
		case jurPublicAdmin:
			add(e.MemberState)
			fs.add("NIS2 Art 26(1)(c)", Met, "public administration: the Member State that established it (%s)", e.MemberState)
		default:
			if e.MemberState == "" {
				add(e.EURepresentative)
				fs.add("NIS2 Art 26(1)", Unknown, "%s: not established in the Union; taken as the Member State of its representative (%s)", et.Label, e.EURepresentative)
				continue
			}
			add(e.MemberState)
			add(e.OtherEstablishments...)
			fs.add("NIS2 Art 26(1)", Met, "%s: the Member State(s) of establishment (%s)", et.Label, joinAnd(append([]string{e.MemberState}, e.OtherEstablishments...)))
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// doraScope is the outcome of DORA Art 2 for an entity.
type doraScope struct {
	inScope bool
	typ     DORAType
}

func (a *assessment) scopeDORA(fs *findings) doraScope {
	e := a.f.Entity
	if e.DORA == nil {
		fs.add("DORA Art 2(1)", NotMet, "the entity is not a financial entity")
		return doraScope{}
	}
	typ, _ := LookupDORAType(e.DORA.EntityType)
	if a.refTime().Before(doraApplies) {
		fs.add("DORA Art 64", NotMet, "DORA applies from %s", doraApplies.Format("2006-01-02"))
		return doraScope{typ: typ}
	}
	if !typ.FinancialEntity {
		fs.add("DORA Art 2(2), Art 19", NotMet, "%s are in DORA's scope but are not financial entities: no incident-reporting duty under Art 19", typ.Label)
		return doraScope{typ: typ}
	}
	if e.DORA.Exempted {
		fs.add("DORA Art 2(3)–(4)", Met, "the entity is excluded or exempted from DORA")
		return doraScope{typ: typ}
	}
	fs.add(typ.Basis, Met, "%s: a financial entity reporting major ICT-related incidents under Art 19", typ.Label)
	return doraScope{inScope: true, typ: typ}
}

// crossBorder lists the Member States other than home that the incident
// touches.
func (a *assessment) otherMemberStates(home []string) []string {
	in := a.f.Incident
	set := map[string]bool{}
	for _, c := range in.AffectedMemberStates {
		set[c] = true
	}
	if in.DORA != nil {
		for _, c := range in.DORA.MemberStatesImpacted {
			set[c] = true
		}
	}
	var out []string
	for c := range set {
		if !slices.Contains(home, c) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}
