package rules

import "sort"

// Jurisdiction rules of NIS2 Art 26(1).
const (
	jurEstablishment     = "establishment"      // Art 26(1) first sentence
	jurServices          = "services"           // Art 26(1)(a)
	jurMainEstablishment = "main_establishment" // Art 26(1)(b)
	jurPublicAdmin       = "public_admin"       // Art 26(1)(c)
)

// EntityType is one NIS2 entity type of Annex I or II (or a type brought in
// scope by Art 2(4) or 2(5)). Its code is "sector/subsector/type" or
// "sector/type".
type EntityType struct {
	Code           string `json:"code"`
	Label          string `json:"label"`
	Sector         string `json:"sector"`
	SectorLabel    string `json:"sector_label"`
	Subsector      string `json:"subsector,omitempty"`
	SubsectorLabel string `json:"subsector_label,omitempty"`
	Annex          int    `json:"annex"` // 1, 2, or 0 for Art 2(4)/2(5) types
	Basis          string `json:"basis"` // where the type is listed
	// RegardlessOfSize names the Art 2(2)–(4) point that brings the type in
	// scope whatever its size, if any.
	RegardlessOfSize string `json:"regardless_of_size,omitempty"`
	// EssentialRegardlessOfSize names the Art 3(1) point that makes the type
	// essential whatever its size, if any.
	EssentialRegardlessOfSize string `json:"essential_regardless_of_size,omitempty"`
	// NationalOption names the Art 2 point under which the type is in scope
	// only if the Member State so decides.
	NationalOption string `json:"national_option,omitempty"`
	Jurisdiction   string `json:"jurisdiction"`
	// ImplRegArticle is the article of Impl. Reg. 2024/2690 with this type's
	// significance criteria (5 to 14), or 0 when the type is outside it.
	ImplRegArticle int  `json:"impl_reg_2024_2690_article,omitempty"`
	PublicEComms   bool `json:"public_electronic_communications,omitempty"`
	TrustService   bool `json:"trust_service,omitempty"`
}

type sectorDef struct {
	code, label string
	annex       int
	point       string
	subs        []subDef
}

type subDef struct {
	code, label string
	point       string
	types       []EntityType // Code holds only the last segment here
}

func t(code, label string) EntityType { return EntityType{Code: code, Label: label} }

// annexes is NIS2 Annex I and II (RULES.md §1.2–1.3) plus Art 2(4) and 2(5).
var annexes = []sectorDef{
	{"energy", "Energy", 1, "Annex I point 1", []subDef{
		{"electricity", "Electricity", "(a)", []EntityType{
			t("supply", "Electricity undertakings carrying out 'supply'"),
			t("dso", "Distribution system operators"),
			t("tso", "Transmission system operators"),
			t("producer", "Producers"),
			t("nemo", "Nominated electricity market operators"),
			t("market-participant", "Market participants providing aggregation, demand response or energy storage services"),
			t("recharging-point-operator", "Operators of a recharging point"),
		}},
		{"district-heating-cooling", "District heating and cooling", "(b)", []EntityType{
			t("operator", "Operators of district heating or district cooling"),
		}},
		{"oil", "Oil", "(c)", []EntityType{
			t("pipeline-operator", "Operators of oil transmission pipelines"),
			t("facility-operator", "Operators of oil production, refining and treatment facilities, storage and transmission"),
			t("central-stockholding-entity", "Central stockholding entities"),
		}},
		{"gas", "Gas", "(d)", []EntityType{
			t("supply", "Supply undertakings"),
			t("dso", "Distribution system operators"),
			t("tso", "Transmission system operators"),
			t("storage-operator", "Storage system operators"),
			t("lng-operator", "LNG system operators"),
			t("natural-gas-undertaking", "Natural gas undertakings"),
			t("refining-treatment-operator", "Operators of natural gas refining and treatment facilities"),
		}},
		{"hydrogen", "Hydrogen", "(e)", []EntityType{
			t("operator", "Operators of hydrogen production, storage and transmission"),
		}},
	}},
	{"transport", "Transport", 1, "Annex I point 2", []subDef{
		{"air", "Air", "(a)", []EntityType{
			t("air-carrier", "Air carriers used for commercial purposes"),
			t("airport", "Airport managing bodies, airports and entities operating ancillary installations in airports"),
			t("traffic-management", "Traffic management control operators providing air traffic control services"),
		}},
		{"rail", "Rail", "(b)", []EntityType{
			t("infrastructure-manager", "Infrastructure managers"),
			t("railway-undertaking", "Railway undertakings, including operators of service facilities"),
		}},
		{"water", "Water", "(c)", []EntityType{
			t("transport-company", "Inland, sea and coastal passenger and freight water transport companies"),
			t("port-managing-body", "Managing bodies of ports, including their port facilities, and entities operating works and equipment in ports"),
			t("vts-operator", "Operators of vessel traffic services"),
		}},
		{"road", "Road", "(d)", []EntityType{
			t("road-authority", "Road authorities responsible for traffic management control"),
			t("its-operator", "Operators of Intelligent Transport Systems"),
		}},
	}},
	{"banking", "Banking", 1, "Annex I point 3", []subDef{
		{"", "", "", []EntityType{t("credit-institution", "Credit institutions (Art 4(1) Reg. 575/2013)")}},
	}},
	{"financial-market-infrastructure", "Financial market infrastructures", 1, "Annex I point 4", []subDef{
		{"", "", "", []EntityType{
			t("trading-venue", "Operators of trading venues"),
			t("ccp", "Central counterparties (CCPs)"),
		}},
	}},
	{"health", "Health", 1, "Annex I point 5", []subDef{
		{"", "", "", []EntityType{
			t("healthcare-provider", "Healthcare providers"),
			t("eu-reference-laboratory", "EU reference laboratories"),
			t("medicinal-rnd", "Entities carrying out research and development activities of medicinal products"),
			t("pharmaceutical-manufacturing", "Entities manufacturing basic pharmaceutical products and pharmaceutical preparations (NACE C 21)"),
			t("critical-medical-devices", "Entities manufacturing medical devices considered critical during a public health emergency"),
		}},
	}},
	{"drinking-water", "Drinking water", 1, "Annex I point 6", []subDef{
		{"", "", "", []EntityType{t("supplier", "Suppliers and distributors of water intended for human consumption")}},
	}},
	{"waste-water", "Waste water", 1, "Annex I point 7", []subDef{
		{"", "", "", []EntityType{t("undertaking", "Undertakings collecting, disposing of or treating urban, domestic or industrial waste water")}},
	}},
	{"digital-infrastructure", "Digital infrastructure", 1, "Annex I point 8", []subDef{
		{"", "", "", []EntityType{
			t("ixp", "Internet Exchange Point providers"),
			{Code: "dns", Label: "DNS service providers, excluding operators of root name servers", RegardlessOfSize: "Art 2(2)(a)(iii)", EssentialRegardlessOfSize: "Art 3(1)(b)", Jurisdiction: jurMainEstablishment, ImplRegArticle: 5},
			{Code: "tld-registry", Label: "TLD name registries", RegardlessOfSize: "Art 2(2)(a)(iii)", EssentialRegardlessOfSize: "Art 3(1)(b)", Jurisdiction: jurMainEstablishment, ImplRegArticle: 6},
			{Code: "cloud", Label: "Cloud computing service providers", Jurisdiction: jurMainEstablishment, ImplRegArticle: 7},
			{Code: "data-centre", Label: "Data centre service providers", Jurisdiction: jurMainEstablishment, ImplRegArticle: 8},
			{Code: "cdn", Label: "Content delivery network providers", Jurisdiction: jurMainEstablishment, ImplRegArticle: 9},
			{Code: "trust-service-provider", Label: "Trust service providers", RegardlessOfSize: "Art 2(2)(a)(ii)", ImplRegArticle: 14, TrustService: true},
			{Code: "public-ecomms-network", Label: "Providers of public electronic communications networks", RegardlessOfSize: "Art 2(2)(a)(i)", Jurisdiction: jurServices, PublicEComms: true},
			{Code: "public-ecomms-service", Label: "Providers of publicly available electronic communications services", RegardlessOfSize: "Art 2(2)(a)(i)", Jurisdiction: jurServices, PublicEComms: true},
		}},
	}},
	{"ict-service-management", "ICT service management (business-to-business)", 1, "Annex I point 9", []subDef{
		{"", "", "", []EntityType{
			{Code: "msp", Label: "Managed service providers", Jurisdiction: jurMainEstablishment, ImplRegArticle: 10},
			{Code: "mssp", Label: "Managed security service providers", Jurisdiction: jurMainEstablishment, ImplRegArticle: 10},
		}},
	}},
	{"public-administration", "Public administration", 1, "Annex I point 10", []subDef{
		{"", "", "", []EntityType{
			{Code: "central", Label: "Public administration entities of central governments", RegardlessOfSize: "Art 2(2)(f)(i)", EssentialRegardlessOfSize: "Art 3(1)(d)", Jurisdiction: jurPublicAdmin},
			{Code: "regional", Label: "Public administration entities at regional level", RegardlessOfSize: "Art 2(2)(f)(ii)", NationalOption: "Art 2(2)(f)(ii)", Jurisdiction: jurPublicAdmin},
		}},
	}},
	{"space", "Space", 1, "Annex I point 11", []subDef{
		{"", "", "", []EntityType{t("ground-infrastructure", "Operators of ground-based infrastructure supporting space-based services")}},
	}},
	{"postal", "Postal and courier services", 2, "Annex II point 1", []subDef{
		{"", "", "", []EntityType{t("provider", "Postal service providers, including courier services")}},
	}},
	{"waste-management", "Waste management", 2, "Annex II point 2", []subDef{
		{"", "", "", []EntityType{t("undertaking", "Undertakings carrying out waste management")}},
	}},
	{"chemicals", "Manufacture, production and distribution of chemicals", 2, "Annex II point 3", []subDef{
		{"", "", "", []EntityType{
			t("substances", "Manufacture of substances and distribution of substances or mixtures"),
			t("articles", "Production of articles from substances or mixtures"),
		}},
	}},
	{"food", "Production, processing and distribution of food", 2, "Annex II point 4", []subDef{
		{"", "", "", []EntityType{t("business", "Food businesses engaged in wholesale distribution and industrial production and processing")}},
	}},
	{"manufacturing", "Manufacturing", 2, "Annex II point 5", []subDef{
		{"", "", "", []EntityType{
			t("medical-devices", "Manufacture of medical devices and in vitro diagnostic medical devices (point 5(a))"),
			t("computer-electronic-optical", "Manufacture of computer, electronic and optical products (NACE C 26, point 5(b))"),
			t("electrical-equipment", "Manufacture of electrical equipment (NACE C 27, point 5(c))"),
			t("machinery", "Manufacture of machinery and equipment n.e.c. (NACE C 28, point 5(d))"),
			t("motor-vehicles", "Manufacture of motor vehicles, trailers and semi-trailers (NACE C 29, point 5(e))"),
			t("other-transport-equipment", "Manufacture of other transport equipment (NACE C 30, point 5(f))"),
		}},
	}},
	{"digital-providers", "Digital providers", 2, "Annex II point 6", []subDef{
		{"", "", "", []EntityType{
			{Code: "online-marketplace", Label: "Providers of online marketplaces", Jurisdiction: jurMainEstablishment, ImplRegArticle: 11},
			{Code: "search-engine", Label: "Providers of online search engines", Jurisdiction: jurMainEstablishment, ImplRegArticle: 12},
			{Code: "social-network", Label: "Providers of social networking services platforms", Jurisdiction: jurMainEstablishment, ImplRegArticle: 13},
		}},
	}},
	{"research", "Research", 2, "Annex II point 7", []subDef{
		{"", "", "", []EntityType{t("organisation", "Research organisations")}},
	}},
	{"domain-registration", "Domain name registration services", 0, "Art 2(4)", []subDef{
		{"", "", "", []EntityType{{Code: "provider", Label: "Entities providing domain name registration services", RegardlessOfSize: "Art 2(4)", Jurisdiction: jurMainEstablishment}}},
	}},
	{"local-public-administration", "Local public administration", 0, "Art 2(5)(a)", []subDef{
		{"", "", "", []EntityType{{Code: "entity", Label: "Public administration entities at local level", NationalOption: "Art 2(5)(a)", RegardlessOfSize: "Art 2(5)(a)", Jurisdiction: jurPublicAdmin}}},
	}},
	{"education", "Education", 0, "Art 2(5)(b)", []subDef{
		{"", "", "", []EntityType{{Code: "institution", Label: "Education institutions, in particular where they carry out critical research activities", NationalOption: "Art 2(5)(b)", RegardlessOfSize: "Art 2(5)(b)"}}},
	}},
}

var entityTypes = buildEntityTypes()

func buildEntityTypes() map[string]EntityType {
	m := make(map[string]EntityType)
	for _, s := range annexes {
		for _, sub := range s.subs {
			for _, et := range sub.types {
				code := s.code + "/" + et.Code
				basis := s.point
				if sub.code != "" {
					code = s.code + "/" + sub.code + "/" + et.Code
					basis += sub.point
				}
				et.Code = code
				et.Sector, et.SectorLabel, et.Annex = s.code, s.label, s.annex
				et.Subsector, et.SubsectorLabel = sub.code, sub.label
				et.Basis = "NIS2 " + basis
				if et.Jurisdiction == "" {
					et.Jurisdiction = jurEstablishment
				}
				if _, dup := m[code]; dup {
					panic("rules: duplicate entity type " + code)
				}
				m[code] = et
			}
		}
	}
	return m
}

// EntityTypes returns the NIS2 entity-type catalogue, sorted by code.
func EntityTypes() []EntityType {
	out := make([]EntityType, 0, len(entityTypes))
	for _, et := range entityTypes {
		out = append(out, et)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// LookupEntityType finds a NIS2 entity type by code.
func LookupEntityType(code string) (EntityType, bool) {
	et, ok := entityTypes[code]
	return et, ok
}

// DORAType is a kind of financial entity of DORA Art 2(1).
type DORAType struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Basis string `json:"basis"`
	// FinancialEntity is false for ICT third-party service providers
	// (Art 2(1)(u)), which are in DORA's scope but have no Art 19 duty.
	FinancialEntity bool `json:"financial_entity"`
	// ECB is true where the competent authority passes reports to the ECB
	// (Art 19(6)(b): Art 2(1)(a), (b) and (d)).
	ECB bool `json:"ecb"`
	// NoWeekendRelief is true for the types 2025/301 Art 5(5) excludes from
	// the weekend relief of initial and intermediate reports.
	NoWeekendRelief bool `json:"no_weekend_relief"`
	// PaymentIncidents is true where Chapter III also covers operational or
	// security payment-related incidents (Art 23).
	PaymentIncidents bool `json:"payment_incidents,omitempty"`
}

var doraTypes = func() map[string]DORAType {
	list := []DORAType{
		{"credit-institution", "Credit institutions", "DORA Art 2(1)(a)", true, true, true, true},
		{"payment-institution", "Payment institutions, including those exempted under Directive (EU) 2015/2366", "DORA Art 2(1)(b)", true, true, false, true},
		{"account-information-service-provider", "Account information service providers", "DORA Art 2(1)(c)", true, false, false, true},
		{"e-money-institution", "Electronic money institutions, including those exempted under Directive 2009/110/EC", "DORA Art 2(1)(d)", true, true, false, true},
		{"investment-firm", "Investment firms", "DORA Art 2(1)(e)", true, false, false, false},
		{"crypto-asset-service-provider", "Crypto-asset service providers and issuers of asset-referenced tokens", "DORA Art 2(1)(f)", true, false, false, false},
		{"csd", "Central securities depositories", "DORA Art 2(1)(g)", true, false, false, false},
		{"ccp", "Central counterparties", "DORA Art 2(1)(h)", true, false, true, false},
		{"trading-venue", "Trading venues", "DORA Art 2(1)(i)", true, false, true, false},
		{"trade-repository", "Trade repositories", "DORA Art 2(1)(j)", true, false, false, false},
		{"aifm", "Managers of alternative investment funds", "DORA Art 2(1)(k)", true, false, false, false},
		{"management-company", "Management companies", "DORA Art 2(1)(l)", true, false, false, false},
		{"data-reporting-service-provider", "Data reporting service providers", "DORA Art 2(1)(m)", true, false, false, false},
		{"insurance-undertaking", "Insurance and reinsurance undertakings", "DORA Art 2(1)(n)", true, false, false, false},
		{"insurance-intermediary", "Insurance intermediaries, reinsurance intermediaries and ancillary insurance intermediaries", "DORA Art 2(1)(o)", true, false, false, false},
		{"iorp", "Institutions for occupational retirement provision", "DORA Art 2(1)(p)", true, false, false, false},
		{"credit-rating-agency", "Credit rating agencies", "DORA Art 2(1)(q)", true, false, false, false},
		{"critical-benchmark-administrator", "Administrators of critical benchmarks", "DORA Art 2(1)(r)", true, false, false, false},
		{"crowdfunding-service-provider", "Crowdfunding service providers", "DORA Art 2(1)(s)", true, false, false, false},
		{"securitisation-repository", "Securitisation repositories", "DORA Art 2(1)(t)", true, false, false, false},
		{"ict-third-party-service-provider", "ICT third-party service providers", "DORA Art 2(1)(u)", false, false, false, false},
	}
	m := make(map[string]DORAType, len(list))
	for _, d := range list {
		m[d.Code] = d
	}
	return m
}()

// DORATypes returns DORA's entity types, in the order of Art 2(1).
func DORATypes() []DORAType {
	out := make([]DORAType, 0, len(doraTypes))
	for _, d := range doraTypes {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Basis < out[j].Basis })
	return out
}

// LookupDORAType finds a DORA entity type by code.
func LookupDORAType(code string) (DORAType, bool) {
	d, ok := doraTypes[code]
	return d, ok
}
