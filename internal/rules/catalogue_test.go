package rules

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"testing"
)

// typesWhere lists the codes of the NIS2 entity types for which keep is true.
func typesWhere(keep func(EntityType) bool) []string {
	var out []string
	for _, et := range EntityTypes() {
		if keep(et) {
			out = append(out, et.Code)
		}
	}
	sort.Strings(out)
	return out
}

func wantCodes(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

func TestEntityTypeCatalogue(t *testing.T) {
	all := EntityTypes()
	if !slices.IsSortedFunc(all, func(a, b EntityType) int {
		if a.Code < b.Code {
			return -1
		}
		if a.Code > b.Code {
			return 1
		}
		return 0
	}) {
		t.Error("EntityTypes is not sorted by code")
	}
	for _, et := range all {
		if got, ok := LookupEntityType(et.Code); !ok || got.Code != et.Code {
			t.Errorf("LookupEntityType(%q) fails", et.Code)
		}
		if et.Label == "" || et.Basis == "" || et.Jurisdiction == "" {
			t.Errorf("%s: incomplete: %+v", et.Code, et)
		}
	}
	if _, ok := LookupEntityType("energy"); ok {
		t.Error("a sector code is accepted as an entity type")
	}

	sectors := map[int]map[string]bool{0: {}, 1: {}, 2: {}}
	for _, et := range all {
		sectors[et.Annex][et.Sector] = true
	}
	wantCodes(t, "NIS2 Annex I sectors (RULES.md §1.2)", slices.Sorted(maps.Keys(sectors[1])),
		"energy", "transport", "banking", "financial-market-infrastructure", "health", "drinking-water", "waste-water",
		"digital-infrastructure", "ict-service-management", "public-administration", "space")
	wantCodes(t, "NIS2 Annex II sectors (RULES.md §1.3)", slices.Sorted(maps.Keys(sectors[2])),
		"postal", "waste-management", "chemicals", "food", "manufacturing", "digital-providers", "research")
	wantCodes(t, "types outside the Annexes (Art 2(4), 2(5))", slices.Sorted(maps.Keys(sectors[0])),
		"domain-registration", "local-public-administration", "education")

	article := func(n int) []string { return typesWhere(func(et EntityType) bool { return et.ImplRegArticle == n }) }
	for n, want := range map[int][]string{
		5:  {"digital-infrastructure/dns"},
		6:  {"digital-infrastructure/tld-registry"},
		7:  {"digital-infrastructure/cloud"},
		8:  {"digital-infrastructure/data-centre"},
		9:  {"digital-infrastructure/cdn"},
		10: {"ict-service-management/msp", "ict-service-management/mssp"},
		11: {"digital-providers/online-marketplace"},
		12: {"digital-providers/search-engine"},
		13: {"digital-providers/social-network"},
		14: {"digital-infrastructure/trust-service-provider"},
	} {
		wantCodes(t, "2024/2690 Art "+strconv.Itoa(n)+" entity types", article(n), want...)
	}
	if n := len(typesWhere(func(et EntityType) bool { return et.ImplRegArticle != 0 })); n != 11 {
		t.Errorf("2024/2690 Art 1 covers %d entity types, want 11", n)
	}

	wantCodes(t, "NIS2 Art 26(1)(a) entity types", typesWhere(func(et EntityType) bool { return et.Jurisdiction == jurServices }),
		"digital-infrastructure/public-ecomms-network", "digital-infrastructure/public-ecomms-service")
	wantCodes(t, "NIS2 Art 26(1)(b) entity types", typesWhere(func(et EntityType) bool { return et.Jurisdiction == jurMainEstablishment }),
		"digital-infrastructure/dns", "digital-infrastructure/tld-registry", "domain-registration/provider", "digital-infrastructure/cloud",
		"digital-infrastructure/data-centre", "digital-infrastructure/cdn", "ict-service-management/msp", "ict-service-management/mssp",
		"digital-providers/online-marketplace", "digital-providers/search-engine", "digital-providers/social-network")
	wantCodes(t, "NIS2 Art 26(1)(c) entity types", typesWhere(func(et EntityType) bool { return et.Jurisdiction == jurPublicAdmin }),
		"public-administration/central", "public-administration/regional", "local-public-administration/entity")
	wantCodes(t, "NIS2 Art 2(2)–(5): in scope regardless of size", typesWhere(func(et EntityType) bool { return et.RegardlessOfSize != "" }),
		"digital-infrastructure/public-ecomms-network", "digital-infrastructure/public-ecomms-service", "digital-infrastructure/trust-service-provider",
		"digital-infrastructure/dns", "digital-infrastructure/tld-registry", "public-administration/central", "public-administration/regional",
		"domain-registration/provider", "local-public-administration/entity", "education/institution")
	wantCodes(t, "NIS2 Art 3(1)(b),(d): essential regardless of size", typesWhere(func(et EntityType) bool { return et.EssentialRegardlessOfSize != "" }),
		"digital-infrastructure/dns", "digital-infrastructure/tld-registry", "public-administration/central")
	wantCodes(t, "NIS2 Art 2(2)(f)(ii), 2(5): national options", typesWhere(func(et EntityType) bool { return et.NationalOption != "" }),
		"public-administration/regional", "local-public-administration/entity", "education/institution")
}

func TestDORATypeCatalogue(t *testing.T) {
	all := DORATypes()
	if len(all) != 21 {
		t.Errorf("DORA Art 2(1)(a)–(u): got %d types, want 21", len(all))
	}
	where := func(keep func(DORAType) bool) []string {
		var out []string
		for _, d := range all {
			if keep(d) {
				out = append(out, d.Code)
			}
		}
		sort.Strings(out)
		return out
	}
	wantCodes(t, "not financial entities (DORA Art 2(2))", where(func(d DORAType) bool { return !d.FinancialEntity }), "ict-third-party-service-provider")
	wantCodes(t, "2025/301 Art 5(5): no weekend relief for initial and intermediate reports", where(func(d DORAType) bool { return d.NoWeekendRelief }),
		"credit-institution", "ccp", "trading-venue")
	wantCodes(t, "DORA Art 19(6)(b): reports passed to the ECB (Art 2(1)(a), (b), (d))", where(func(d DORAType) bool { return d.ECB }),
		"credit-institution", "payment-institution", "e-money-institution")
	wantCodes(t, "DORA Art 23: payment-related incidents", where(func(d DORAType) bool { return d.PaymentIncidents }),
		"credit-institution", "payment-institution", "account-information-service-provider", "e-money-institution")
	if all[0].Code != "credit-institution" || all[len(all)-1].Code != "ict-third-party-service-provider" {
		t.Errorf("DORATypes is not in the order of Art 2(1): first %s, last %s", all[0].Code, all[len(all)-1].Code)
	}
}

func TestReportIDs(t *testing.T) {
	ids := ReportIDs()
	if !slices.IsSorted(ids) || len(ids) != len(knownReport) {
		t.Errorf("ReportIDs: %v", ids)
	}
	for _, id := range []string{"nis2.early_warning", "nis2.notification", "nis2.final", "nis2.progress", "dora.initial", "dora.intermediate", "dora.final", "gdpr.sa_notification", "cra.vulnerability_final", "cra.incident_final"} {
		if !slices.Contains(ids, id) {
			t.Errorf("ReportIDs lacks %s", id)
		}
	}
}

func TestOptionDocs(t *testing.T) {
	docs := OptionDocs()
	if len(docs) != len(optionTable) {
		t.Fatalf("OptionDocs: got %d, want %d", len(docs), len(optionTable))
	}
	byName := map[string]Reading{}
	for _, r := range docs {
		byName[r.Option] = r
		if !r.Default || r.About == "" {
			t.Errorf("%s: got %+v, want its documented default", r.Option, r)
		}
	}
	for name, want := range map[string]struct {
		value     string
		ambiguity int
	}{
		"period_reading": {"exact", 2}, "month_clock": {"utc", 17}, "tsp_submissions": {"separate", 4}, "unassessed_nis2": {"significant", 5},
		"calendar_week_start": {"monday", 6}, "recurrence_window": {"rolling", 7}, "domain_registration_art23": {"applies", 8},
		"dora_weekend_relief": {"report", 9}, "cra_early_awareness": {"clock_from_application", 11}, "law_enforcement": {"guidance", 12},
		"unknown_size": {"assume_in_scope", 0},
	} {
		r, ok := byName[name]
		if !ok || r.Value != want.value || r.Ambiguity != want.ambiguity {
			t.Errorf("%s: got %+v, want default %q, ambiguity %d", name, r, want.value, want.ambiguity)
		}
	}
}

func TestVocabularies(t *testing.T) {
	names := map[string]int{}
	for _, v := range Vocabularies() {
		names[v.Name] = len(v.Entries)
	}
	for name, min := range map[string]int{"nis2-entity-types": len(EntityTypes()), "dora-entity-types": 21, "member-states": 27, "report-ids": len(knownReport), "assessment-options": len(optionTable)} {
		if names[name] < min {
			t.Errorf("vocabulary %s: got %d entries, want at least %d", name, names[name], min)
		}
	}
}
