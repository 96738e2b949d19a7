package rules

import (
	"strconv"

	"github.com/nisnet-eu/nisnet/internal/calendar"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// Vocabularies returns the vocabularies the engine defines (entity types,
// DORA types, Member States, report ids, options) together with the
// package vocab's built-in ones, ready for vocab.NewSet.
func Vocabularies() []vocab.Vocabulary {
	out := vocab.Builtin()

	et := vocab.Vocabulary{Name: "nis2-entity-types", Title: "NIS2 sectors, subsectors and entity types",
		Source: "Directive (EU) 2022/2555 Annexes I and II, Art 2(4) and 2(5)"}
	sectors := map[string]bool{}
	subsectors := map[string]bool{}
	for _, t := range EntityTypes() {
		if !sectors[t.Sector] {
			sectors[t.Sector] = true
			et.Entries = append(et.Entries, vocab.Entry{Code: t.Sector, Label: t.SectorLabel, Attributes: map[string]string{"level": "sector", "annex": strconv.Itoa(t.Annex)}})
		}
		parent := t.Sector
		if t.Subsector != "" {
			sc := t.Sector + "/" + t.Subsector
			if !subsectors[sc] {
				subsectors[sc] = true
				et.Entries = append(et.Entries, vocab.Entry{Code: sc, Label: t.SubsectorLabel, Parent: t.Sector, Attributes: map[string]string{"level": "subsector"}})
			}
			parent = sc
		}
		attrs := map[string]string{"level": "entity_type", "annex": strconv.Itoa(t.Annex), "basis": t.Basis, "jurisdiction": t.Jurisdiction}
		if t.RegardlessOfSize != "" {
			attrs["regardless_of_size"] = t.RegardlessOfSize
		}
		if t.EssentialRegardlessOfSize != "" {
			attrs["essential_regardless_of_size"] = t.EssentialRegardlessOfSize
		}
		if t.NationalOption != "" {
			attrs["national_option"] = t.NationalOption
		}
		if t.ImplRegArticle != 0 {
			attrs["impl_reg_2024_2690_article"] = strconv.Itoa(t.ImplRegArticle)
		}
		et.Entries = append(et.Entries, vocab.Entry{Code: t.Code, Label: t.Label, Parent: parent, Attributes: attrs})
	}
	out = append(out, et)

	dt := vocab.Vocabulary{Name: "dora-entity-types", Title: "DORA financial entities", Source: "Regulation (EU) 2022/2554 Art 2(1)"}
	for _, d := range DORATypes() {
		dt.Entries = append(dt.Entries, vocab.Entry{Code: d.Code, Label: d.Label, Attributes: map[string]string{
			"basis": d.Basis, "financial_entity": strconv.FormatBool(d.FinancialEntity), "no_weekend_relief": strconv.FormatBool(d.NoWeekendRelief)}})
	}
	out = append(out, dt)

	ms := vocab.Vocabulary{Name: "member-states", Title: "EU Member States", Source: "EU country codes (Interinstitutional Style Guide; Greece = EL)"}
	for _, m := range calendar.MemberStates() {
		ms.Entries = append(ms.Entries, vocab.Entry{Code: m.Code, Label: m.Name, Attributes: map[string]string{"time_zone": m.TimeZone}})
	}
	out = append(out, ms)

	rp := vocab.Vocabulary{Name: "report-ids", Title: "Reports and duties the reportability engine emits", Source: "nisnet reportability engine " + Version}
	for _, id := range ReportIDs() {
		rp.Entries = append(rp.Entries, vocab.Entry{Code: id, Label: id})
	}
	out = append(out, rp)

	op := vocab.Vocabulary{Name: "assessment-options", Title: "Readings of ambiguous points (RULES.md §10) and their defaults", Source: "nisnet reportability engine " + Version}
	for _, o := range optionTable {
		attrs := map[string]string{"default": o.dflt}
		for i, a := range o.allowed {
			attrs["allowed_"+strconv.Itoa(i+1)] = a
		}
		if o.ambiguity != 0 {
			attrs["ambiguity"] = strconv.Itoa(o.ambiguity)
		}
		op.Entries = append(op.Entries, vocab.Entry{Code: o.name, Label: o.name, Description: o.about, Attributes: attrs})
	}
	out = append(out, op)
	return out
}
