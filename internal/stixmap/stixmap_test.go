package stixmap_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/stix/pattern"
	"github.com/nisnet-eu/nisnet/internal/stix/stixtest"
	"github.com/nisnet-eu/nisnet/internal/stixmap"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// t0 is when the entity became aware of the incident.
var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

var (
	node = stixmap.Node{Name: "csirt-nl", Title: "CSIRT NL", MemberState: "NL"}
	key  = []byte("0123456789abcdef0123456789abcdef")
	opts = stixmap.Options{PseudonymKey: key}
)

func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

func mustJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// energy is a ransomware incident at an electricity distribution operator:
// NIS2 early warning and notification, a GDPR notification with a contact,
// notes and indicators.
func energy(t testing.TB) stixmap.Snapshot {
	occurred, detected, aware := at(-6), at(-2), t0
	facts := rules.Facts{
		Entity: rules.Entity{Name: "Noord Netbeheer B.V.", MemberState: "NL", EntityTypes: []string{"energy/electricity/dso"}, GDPRRole: "controller"},
		Incident: rules.Incident{Kind: "incident", Title: "Ransomware on SCADA historian", OccurredAt: &occurred, DetectedAt: &detected, AwareAt: &aware,
			SuspectedMalicious: true, CrossBorderImpact: true, AffectedMemberStates: []string{"NL", "DE", "BE"},
			Impact:       rules.Impact{MaliciousUnauthorisedAccess: true, CapableOfSevereDisruption: true, UsersLimitedAvailability: 42000},
			PersonalData: &rules.PersonalData{Breach: true, Risk: "high", DataSubjects: 1200, Records: 5400}},
	}
	result := rules.Result{AssessedAt: at(0.5), Regimes: []rules.RegimeResult{
		{Regime: "nis2", Status: rules.StatusReportable, InScope: true, Class: "essential", Significance: []rules.Finding{
			{Rule: "2024/2690 Art 3(1)(a)", Outcome: rules.NotMet, Explanation: "no direct financial loss"},
			{Rule: "2024/2690 Art 3(1)(e)", Outcome: rules.Met, Explanation: "malicious access capable of severe disruption"},
		}},
		{Regime: "dora", Status: rules.StatusOutOfScope},
		{Regime: "gdpr", Status: rules.StatusReportable, InScope: true, Significance: []rules.Finding{
			{Rule: "GDPR Art 33(1)", Outcome: rules.Met, Explanation: "a personal data breach likely to result in a risk"},
		}},
	}}
	onTime := true
	return stixmap.Snapshot{
		Node: node,
		Incident: store.Incident{ID: "inc-0042", OrganisationID: "org-7", Reference: "NL-2026-000042", Kind: store.KindIncident,
			Title: "Ransomware on SCADA historian", State: store.StateInProgress, Facts: mustJSON(t, facts),
			Sectors: []string{"energy"}, Regimes: []string{"gdpr", "nis2"}, AssignedUserID: "user-analyst-3",
			RSIT: "malicious-code/infected-system", TLP: "TLP:AMBER", ImpactSeverity: "red", ImpactOutlook: "worsening",
			CreatedAt: at(0.25), UpdatedAt: at(6), Version: 9},
		Organisation: store.Organisation{ID: "org-7", Kind: "entity", Name: "Noord Netbeheer B.V.", MemberState: "NL",
			Profile: json.RawMessage(`{"entity_types":["energy/electricity/dso"],"member_state":"NL"}`), CreatedAt: at(-24 * 200)},
		Assessment: &store.Assessment{IncidentID: "inc-0042", Result: mustJSON(t, result), ComputedAt: at(5)},
		Submissions: []store.Submission{
			{ID: "sub-3", IncidentID: "inc-0042", OrganisationID: "org-7", Report: "gdpr.sa_notification", SubmittedAt: at(30), SubmittedBy: "user-entity-9",
				Body: json.RawMessage(`{"contact":"Jan de Vries, DPO, dpo@noord-netbeheer.example, +31 20 555 0100","data_subjects_approx":1200,` +
					`"likely_consequences":"Customer names and addresses may be published","measures":"Passwords reset; customers informed",` +
					`"nature":"Exfiltration of the customer database before encryption","record_categories":["name","address","meter id"]}`)},
			{ID: "sub-1", IncidentID: "inc-0042", OrganisationID: "org-7", Report: "nis2.early_warning", SubmittedAt: at(3), SubmittedBy: "user-entity-9",
				DueAt: at(24), OnTime: &onTime,
				Body: json.RawMessage(`{"cross_border_impact":true,"summary":"Ransomware encrypted the SCADA historian","suspected_malicious":true}`)},
			{ID: "sub-2", IncidentID: "inc-0042", OrganisationID: "org-7", Report: "nis2.notification", SubmittedAt: at(20), SubmittedBy: "token-api-1",
				DueAt: at(72), OnTime: &onTime,
				Body: json.RawMessage(`{"impact":"Remote monitoring of 3 substations lost for 4 h","indicators_of_compromise":["198.51.100.7","update-check.example"],` +
					`"initial_assessment":"LockBit affiliate; entry through VPN appliance","severity":"high"}`)},
		},
		Notes: []store.IncidentEvent{
			{ID: "ev-12", IncidentID: "inc-0042", At: at(4), Actor: "user-analyst-3", Kind: store.EventNote, Visibility: store.VisibilityAuthority,
				Body: json.RawMessage(`{"text":"Called the operator; grid operations unaffected.","from":"authority"}`)},
			{ID: "ev-15", IncidentID: "inc-0042", At: at(21), Actor: "user-analyst-8", Kind: store.EventNote, Visibility: store.VisibilityAuthority,
				Body: json.RawMessage(`{"text":"Same VPN appliance CVE as in DE-2026-000311.","from":"authority"}`)},
			{ID: "ev-13", IncidentID: "inc-0042", At: at(5), Actor: "user-entity-9", Kind: store.EventMessage, Visibility: store.VisibilityShared,
				Body: json.RawMessage(`{"text":"A message, not a note: never shared.","from":"entity"}`)},
		},
		Indicators: []stixmap.Indicator{
			{ID: "ioc-2", Name: "Payload download", Pattern: "[domain-name:value = 'update-check.example']", PatternType: "stix", ValidFrom: at(-6), CreatedAt: at(22)},
			{ID: "ioc-1", Name: "C2 server", Pattern: "[ipv4-addr:value = '198.51.100.7']", ValidFrom: at(-6), CreatedAt: at(21)},
			{ID: "ioc-3", Pattern: "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']", CreatedAt: at(23)},
		},
	}
}

// bank is a major ICT-related incident at a credit institution with two
// DORA reports.
func bank(t testing.TB) stixmap.Snapshot {
	detected, classified := at(1), at(3)
	facts := rules.Facts{
		Entity: rules.Entity{Name: "Banque Exemple S.A.", MemberState: "LU", EntityTypes: []string{"banking/credit-institution"},
			DORA: &rules.DORA{EntityType: "credit_institution"}},
		Incident: rules.Incident{Kind: "incident", DetectedAt: &detected, AwareAt: &detected,
			DORA: &rules.DORAImpact{AffectsCriticalFunctions: true, ClientsAffected: 250000, ClientsTotal: 900000,
				MemberStatesImpacted: []string{"LU", "FR"}, ClassifiedMajorAt: &classified}},
	}
	result := rules.Result{Regimes: []rules.RegimeResult{
		{Regime: "dora", Status: rules.StatusReportable, InScope: true, Class: "major", Significance: []rules.Finding{
			{Rule: "2024/1772 Art 8(1)", Outcome: rules.Met, Explanation: "critical functions affected"},
			{Rule: "2024/1772 Art 9(1)", Outcome: rules.Met, Explanation: "28 % of clients affected"},
		}},
		{Regime: "nis2", Status: rules.StatusDisplaced, InScope: true},
	}}
	return stixmap.Snapshot{
		Node: stixmap.Node{Name: "csirt-lu", Title: "CIRCL", MemberState: "LU"},
		Incident: store.Incident{ID: "inc-7", OrganisationID: "org-bank", Reference: "LU-2026-000007", Kind: store.KindIncident,
			Title: "Payment gateway outage", State: store.StateTriaged, Facts: mustJSON(t, facts), Sectors: []string{"banking"},
			Regimes: []string{"dora"}, RSIT: "availability/ddos", TLP: "TLP:GREEN", ImpactSeverity: "yellow",
			CreatedAt: at(2), UpdatedAt: at(3)},
		Organisation: store.Organisation{ID: "org-bank", Kind: "entity", Name: "Banque Exemple S.A.", MemberState: "LU", CreatedAt: at(-9000)},
		Assessment:   &store.Assessment{IncidentID: "inc-7", Result: mustJSON(t, result), ComputedAt: at(3)},
		Submissions: []store.Submission{
			{ID: "d-1", IncidentID: "inc-7", Report: "dora.initial", SubmittedAt: at(5), SubmittedBy: "user-bank-1",
				Body: json.RawMessage(`{"bcp_activated":true,"classified_at":"2026-11-20T11:00:00Z","criteria_triggered":["clients","critical_services"],` +
					`"description":"DDoS on the payment gateway","detected_at":"2026-11-20T09:00:00Z","discovery":"Monitoring alert",` +
					`"member_states_impacted":["LU","FR"],"reference_code":"BEX-2026-17"}`)},
			{ID: "d-2", IncidentID: "inc-7", Report: "dora.intermediate", SubmittedAt: at(70), SubmittedBy: "user-bank-1", SupersedesID: "",
				Body: json.RawMessage(`{"clients_affected":250000,"economic_impact_eur":125000.5,"reference_code":"BEX-2026-17",` +
					`"regular_activities_recovered":true,"status_update":"Traffic scrubbing in place since 14:00"}`)},
		},
	}
}

func latestOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func sameJSON(a, b json.RawMessage) bool { return bytes.Equal(a, b) }

// decoded is one emitted object, decoded.
type decoded = map[string]any

func objects(t *testing.T, s stixmap.Snapshot, o stixmap.Options) ([]json.RawMessage, []decoded) {
	t.Helper()
	raws, err := stixmap.Incident(s, o)
	if err != nil {
		t.Fatal(err)
	}
	var out []decoded
	for _, raw := range raws {
		var m decoded
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		out = append(out, m)
	}
	return raws, out
}

func ofType(objs []decoded, typ string) []decoded {
	var out []decoded
	for _, o := range objs {
		if o["type"] == typ {
			out = append(out, o)
		}
	}
	return out
}

func byID(objs []decoded, id string) decoded {
	for _, o := range objs {
		if o["id"] == id {
			return o
		}
	}
	return nil
}

func ext(o decoded, id string) decoded {
	e, _ := o["extensions"].(decoded)
	b, _ := e[id].(decoded)
	return b
}

func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, e := range l {
		out[i], _ = e.(string)
	}
	return out
}

func ts(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	tm, err := stix.ParseTimestamp(s)
	if err != nil {
		t.Fatalf("timestamp %v: %v", v, err)
	}
	return tm
}

// fixed reports whether an object is one of those that are the same in
// every incident: never marked, never revoked, fixed timestamps.
func fixed(o decoded) bool {
	return o["type"] == "marking-definition" || o["type"] == "extension-definition" ||
		o["id"] == stixmap.NisnetIdentityID || o["id"] == stixmap.NodeIdentityID(node) ||
		o["id"] == stixmap.NodeIdentityID(stixmap.Node{Name: "csirt-lu"})
}

// variants are the snapshots and options every emitted object of which
// must be valid.
func variants(t *testing.T) map[string]struct {
	s stixmap.Snapshot
	o stixmap.Options
} {
	revoked := energy(t)
	revoked.Revoked, revoked.RevokedAt = true, at(100)
	red := energy(t)
	red.Incident.TLP = "TLP:RED"
	bare := energy(t)
	bare.Incident.Facts, bare.Assessment, bare.Organisation.Profile = nil, nil, nil
	return map[string]struct {
		s stixmap.Snapshot
		o stixmap.Options
	}{
		"energy":               {energy(t), opts},
		"energy personal data": {energy(t), stixmap.Options{PersonalData: true}},
		"energy not before":    {energy(t), stixmap.Options{PseudonymKey: key, NotBefore: at(50)}},
		"energy revoked":       {revoked, opts},
		"energy red":           {red, opts},
		"energy without facts": {bare, opts},
		"bank":                 {bank(t), opts},
	}
}

// TestSchemas validates every emitted object against the official STIX 2.1
// JSON Schemas, nisnet's own validator (with the pattern parser), the
// JSON Schema of nisnet's extension and the Incident Core Extension's
// properties and vocabularies.
func TestSchemas(t *testing.T) {
	schemas := stixtest.Schemas(t)
	v := &stix.Validator{Pattern: func(p string) error { _, err := pattern.Parse(p); return err }}
	extSchema := compileExtensionSchema(t)
	check := func(name string, raw json.RawMessage) {
		t.Helper()
		if err := schemas.Validate(raw); err != nil {
			t.Errorf("%s: official schema: %v\n%s", name, err, raw)
		}
		if _, err := v.Validate(raw); err != nil {
			t.Errorf("%s: validator: %v\n%s", name, err, raw)
		}
	}
	for _, raw := range stixmap.ExtensionDefinition() {
		check("extension definition", raw)
	}
	check("node identity", stixmap.NodeIdentity(node))
	for name, c := range variants(t) {
		raws, objs := objects(t, c.s, c.o)
		for i, raw := range raws {
			check(name, raw)
			if objs[i]["type"] != "incident" {
				continue
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(mustJSON(t, ext(objs[i], stixmap.ExtensionDefinitionID))))
			if err != nil {
				t.Fatal(err)
			}
			if err := extSchema.Validate(doc); err != nil {
				t.Errorf("%s: nisnet extension: %v", name, err)
			}
			checkIncidentCore(t, name, ext(objs[i], stixmap.IncidentCoreExtensionID))
		}
	}
}

func compileExtensionSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	var def struct{ Schema string }
	if err := json.Unmarshal(stixmap.ExtensionDefinition()[1], &def); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(def.Schema))
	if err != nil {
		t.Fatalf("the extension's schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("nisnet-nis2.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("nisnet-nis2.json")
	if err != nil {
		t.Fatalf("the extension's schema does not compile: %v", err)
	}
	return sch
}

// checkIncidentCore checks a block of the Incident Core Extension against
// its specification (oasis-open/cti-stix-common-objects,
// extension-definition-specifications/incident-core): required properties,
// enumerations and vocabularies of the properties nisnet uses.
func checkIncidentCore(t *testing.T, name string, core decoded) {
	t.Helper()
	allowed := []string{"extension_type", "determination", "investigation_status", "criticality", "incident_types",
		"impacted_entity_counts", "detection_methods", "recoverability", "scores"}
	for k := range core {
		if !slices.Contains(allowed, k) {
			t.Errorf("%s: incident core: property %q is not one nisnet means to use", name, k)
		}
	}
	if core["extension_type"] != "property-extension" {
		t.Errorf("%s: incident core: extension_type %v", name, core["extension_type"])
	}
	if d, _ := core["determination"].(string); !slices.Contains([]string{"blocked", "failed-attempt", "false-positive", "low-value", "successful-attempt", "suspected"}, d) {
		t.Errorf("%s: incident core: determination %v", name, core["determination"])
	}
	if s, _ := core["investigation_status"].(string); !slices.Contains([]string{"new", "open", "closed"}, s) {
		t.Errorf("%s: incident core: investigation_status %v", name, core["investigation_status"])
	}
	if c, ok := core["criticality"]; ok {
		if f, _ := c.(float64); f != float64(int(f)) || f < 0 || f > 100 {
			t.Errorf("%s: incident core: criticality %v", name, c)
		}
	}
	types := []string{"compromised-system", "denial-of-service", "destruction", "equipment-loss", "equipment-theft", "major",
		"supply-chain-customer", "supply-chain-vendor", "unauthorized-access", "unauthorized-equipment", "unauthorized-release", "unauthorized-use"}
	for _, it := range strs(core["incident_types"]) {
		if !slices.Contains(types, it) {
			t.Errorf("%s: incident core: incident type %q is not in incident-type-ov", name, it)
		}
	}
	if c, ok := core["impacted_entity_counts"].(decoded); ok {
		for k, v := range c {
			if f, _ := v.(float64); strings.Trim(k, "abcdefghijklmnopqrstuvwxyz-") != "" || f < 0 || f != float64(int64(f)) {
				t.Errorf("%s: incident core: impacted_entity_counts %q: %v", name, k, v)
			}
		}
	}
}

func TestEnergy(t *testing.T) {
	s := energy(t)
	raws, objs := objects(t, s, opts)
	want := []string{"marking-definition", "identity", "extension-definition", "identity", "identity", "incident",
		"report", "report", "report", "note", "note",
		"indicator", "relationship", "sighting", "indicator", "relationship", "sighting", "indicator", "relationship", "sighting"}
	var got []string
	for _, o := range objs {
		got = append(got, o["type"].(string))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("types %v\nwant  %v", got, want)
	}

	// Markings and authorship.
	amber := vocab.TLPAmber.MarkingID()
	if objs[0]["id"] != amber || !bytes.Equal(raws[0], stix.MarkingDefinition(vocab.TLPAmber)) {
		t.Errorf("first object %s, want the TLP:AMBER marking-definition", raws[0])
	}
	nodeID := stixmap.NodeIdentityID(node)
	if objs[3]["id"] != nodeID || !bytes.Equal(raws[3], stixmap.NodeIdentity(node)) {
		t.Errorf("node identity %s", raws[3])
	}
	for i, o := range objs {
		if fixed(o) {
			if _, ok := o["object_marking_refs"]; ok {
				t.Errorf("fixed object %s is marked", o["id"])
			}
			continue
		}
		if refs := strs(o["object_marking_refs"]); !slices.Equal(refs, []string{amber}) {
			t.Errorf("object %d %s: object_marking_refs %v", i, o["id"], refs)
		}
		if o["created_by_ref"] != nodeID || o["spec_version"] != "2.1" {
			t.Errorf("object %d %s: created_by_ref %v, spec_version %v", i, o["id"], o["created_by_ref"], o["spec_version"])
		}
		if ts(t, o["modified"]).Before(ts(t, o["created"])) {
			t.Errorf("%s: modified before created", o["id"])
		}
	}

	// Organisation.
	org := objs[4]
	if org["name"] != "Noord Netbeheer B.V." || org["identity_class"] != "organization" || !slices.Equal(strs(org["sectors"]), []string{"energy"}) ||
		!strings.Contains(org["description"].(string), "NL") || org["contact_information"] != nil {
		t.Errorf("organisation %v", org)
	}

	// Incident.
	inc := objs[5]
	if inc["id"] != stixmap.IncidentID(node, "inc-0042") || inc["name"] != "Ransomware on SCADA historian" ||
		inc["description"] != "Incident reported to CSIRT NL by an entity established in NL (reference NL-2026-000042)." {
		t.Errorf("incident %v", inc)
	}
	if ts(t, inc["created"]) != at(0.25) || ts(t, inc["modified"]) != at(30) {
		t.Errorf("incident created %v, modified %v; want the creation and the latest submission", inc["created"], inc["modified"])
	}
	core := ext(inc, stixmap.IncidentCoreExtensionID)
	if core["determination"] != "successful-attempt" || core["investigation_status"] != "open" || core["criticality"] != float64(95) ||
		!slices.Equal(strs(core["incident_types"]), []string{"compromised-system", "major", "unauthorized-access"}) {
		t.Errorf("incident core %v", core)
	}
	if c := core["impacted_entity_counts"].(decoded); c["individuals"] != float64(1200) || c["users"] != float64(42000) || len(c) != 2 {
		t.Errorf("impacted_entity_counts %v", c)
	}
	n := ext(inc, stixmap.ExtensionDefinitionID)
	wantExt := decoded{
		"extension_type": "property-extension", "reference": "NL-2026-000042", "state": "in_progress", "kind": "incident",
		"regimes": []any{"gdpr", "nis2"}, "report_stage": "gdpr.sa_notification",
		"reports_submitted": []any{"nis2.early_warning", "nis2.notification", "gdpr.sa_notification"},
		"sectors":           []any{"energy"}, "entity_type_codes": []any{"energy/electricity/dso"},
		"significant": true, "significance_basis": []any{"2024/2690 Art 3(1)(e)", "GDPR Art 33(1)"},
		"cross_border": true, "member_states_affected": []any{"BE", "DE", "NL"}, "reporting_member_state": "NL",
		"rsit":            decoded{"class": "malicious-code", "type": "infected-system"},
		"impact":          decoded{"severity": "red", "outlook": "worsening"},
		"redacted_fields": []any{"gdpr.sa_notification.contact"},
	}
	if string(mustJSON(t, n)) != string(mustJSON(t, wantExt)) {
		t.Errorf("nisnet extension\n got %s\nwant %s", mustJSON(t, n), mustJSON(t, wantExt))
	}

	// Reports, by submission time.
	reports := ofType(objs, "report")
	names := []string{"NIS2 Early warning — NL-2026-000042", "NIS2 Incident notification — NL-2026-000042",
		"GDPR Notification of a personal data breach — NL-2026-000042"}
	for i, r := range reports {
		if r["name"] != names[i] || !slices.Equal(strs(r["object_refs"]), []string{inc["id"].(string), org["id"].(string)}) {
			t.Errorf("report %d: name %v, object_refs %v", i, r["name"], r["object_refs"])
		}
		if created := ts(t, r["created"]); r["published"] != r["created"] || ts(t, r["modified"]) != latestOf(created, at(6)) {
			t.Errorf("report %d: published %v, created %v, modified %v; want modified the later of created and the incident's update",
				i, r["published"], r["created"], r["modified"])
		}
	}
	if ts(t, reports[0]["published"]) != at(3) || !slices.Equal(strs(reports[0]["labels"]), []string{"nis2.early_warning"}) {
		t.Errorf("early warning %v", reports[0])
	}
	ew := "Early warning (NIS2 Art 23(4)(a))\nSubmitted 2026-11-20T11:00:00.000Z by " + stixmap.Pseudonym(key, "user-entity-9") +
		"; due 2026-11-21T08:00:00.000Z; on time.\n\n" +
		"Suspected of being caused by unlawful or malicious acts: yes\nCould have a cross-border impact: yes\nShort description: Ransomware encrypted the SCADA historian"
	if reports[0]["description"] != ew {
		t.Errorf("early warning description\n%v\nwant\n%v", reports[0]["description"], ew)
	}
	if d := reports[1]["description"].(string); !strings.Contains(d, "\n\nInitial assessment of the incident: LockBit affiliate; entry through VPN appliance\nSeverity: high\nImpact: ") ||
		!strings.Contains(d, "Indicators of compromise, where available: 198.51.100.7; update-check.example") {
		t.Errorf("notification description %q", d)
	}
	gdpr := reports[2]["description"].(string)
	if strings.Contains(gdpr, "Jan de Vries") || strings.Contains(gdpr, "dpo@") || strings.Contains(gdpr, "contact") ||
		!strings.Contains(gdpr, "Approximate number of data subjects: 1200") || !strings.Contains(gdpr, "Categories of personal data records: name; address; meter id") {
		t.Errorf("GDPR description %q", gdpr)
	}

	// Notes: the message event is not a note and is not shared.
	notes := ofType(objs, "note")
	if len(notes) != 2 || notes[0]["content"] != "Called the operator; grid operations unaffected." ||
		!slices.Equal(strs(notes[0]["authors"]), []string{stixmap.Pseudonym(key, "user-analyst-3")}) ||
		!slices.Equal(strs(notes[0]["object_refs"]), []string{inc["id"].(string)}) || ts(t, notes[0]["created"]) != at(4) {
		t.Errorf("notes %v", notes)
	}
	for _, raw := range raws {
		if bytes.Contains(raw, []byte("never shared")) {
			t.Errorf("a message event was shared: %s", raw)
		}
	}

	// Indicators, relationships and sightings.
	ind := ofType(objs, "indicator")
	rels := ofType(objs, "relationship")
	sights := ofType(objs, "sighting")
	if ind[0]["name"] != "C2 server" || ind[0]["pattern"] != "[ipv4-addr:value = '198.51.100.7']" || ind[0]["pattern_type"] != "stix" ||
		ts(t, ind[0]["valid_from"]) != at(-6) || !slices.Equal(strs(ind[0]["indicator_types"]), []string{"malicious-activity"}) {
		t.Errorf("indicator %v", ind[0])
	}
	if ind[2]["name"] != nil || ind[2]["valid_from"] != ind[2]["created"] {
		t.Errorf("indicator without name and valid_from: %v", ind[2])
	}
	for i := range ind {
		if rels[i]["relationship_type"] != "related-to" || rels[i]["source_ref"] != ind[i]["id"] || rels[i]["target_ref"] != inc["id"] {
			t.Errorf("relationship %v", rels[i])
		}
		if sights[i]["sighting_of_ref"] != ind[i]["id"] || !slices.Equal(strs(sights[i]["where_sighted_refs"]), []string{org["id"].(string)}) ||
			ts(t, sights[i]["first_seen"]) != at(-6) || sights[i]["count"] != nil {
			t.Errorf("sighting %v", sights[i])
		}
	}

	// Ids are derived from the node and the record.
	for id, o := range map[string]decoded{
		stix.DerivedID("identity", "csirt-nl:org-7"): org, stix.DerivedID("report", "csirt-nl:sub-1"): reports[0],
		stix.DerivedID("note", "csirt-nl:ev-12"): notes[0], stix.DerivedID("indicator", "csirt-nl:ioc-1"): ind[0],
	} {
		if o["id"] != id {
			t.Errorf("id %v, want %s", o["id"], id)
		}
	}
	// Another node's copy of the same records has other ids.
	other := energy(t)
	other.Node.Name = "csirt-be"
	_, objs2 := objects(t, other, opts)
	if objs2[5]["id"] == inc["id"] {
		t.Error("two nodes derive the same incident id")
	}
}

func TestDORA(t *testing.T) {
	_, objs := objects(t, bank(t), opts)
	org := ofType(objs, "identity")[2]
	if !slices.Equal(strs(org["sectors"]), []string{"financial-services"}) {
		t.Errorf("bank sectors %v", org["sectors"])
	}
	inc := ofType(objs, "incident")[0]
	core := ext(inc, stixmap.IncidentCoreExtensionID)
	if core["criticality"] != float64(65) || !slices.Equal(strs(core["incident_types"]), []string{"denial-of-service", "major"}) ||
		core["impacted_entity_counts"].(decoded)["clients"] != float64(250000) {
		t.Errorf("incident core %v", core)
	}
	n := ext(inc, stixmap.ExtensionDefinitionID)
	if n["report_stage"] != "dora.intermediate" || !slices.Equal(strs(n["regimes"]), []string{"dora"}) || n["significant"] != true ||
		!slices.Equal(strs(n["significance_basis"]), []string{"2024/1772 Art 8(1)", "2024/1772 Art 9(1)"}) ||
		!slices.Equal(strs(n["member_states_affected"]), []string{"FR", "LU"}) || n["cross_border"] != true ||
		n["reporting_member_state"] != "LU" || n["redacted_fields"] != nil || n["impact"].(decoded)["outlook"] != nil {
		t.Errorf("nisnet extension %v", n)
	}
	// A corrected initial notification replaces the first one.
	b := bank(t)
	b.Submissions = append(b.Submissions, store.Submission{ID: "d-3", IncidentID: "inc-7", Report: "dora.initial", SubmittedAt: at(6),
		SubmittedBy: "user-bank-1", SupersedesID: "d-1", Body: json.RawMessage(`{"reference_code":"BEX-2026-17","other":"corrected"}`)})
	_, objs2 := objects(t, b, opts)
	if d := ofType(objs2, "report")[1]["description"].(string); !strings.Contains(d, "\nReplaces the submission of 2026-11-20T13:00:00.000Z ("+
		stix.DerivedID("report", "csirt-lu:d-1")+").\n\nIncident reference code assigned by the entity: BEX-2026-17\nOther information: corrected") {
		t.Errorf("replacing report: %q", d)
	}
	if n := ext(ofType(objs2, "incident")[0], stixmap.ExtensionDefinitionID); n["report_stage"] != "dora.intermediate" ||
		!slices.Equal(strs(n["reports_submitted"]), []string{"dora.initial", "dora.intermediate"}) {
		t.Errorf("stage %v, submitted %v", n["report_stage"], n["reports_submitted"])
	}

	reports := ofType(objs, "report")
	if reports[0]["name"] != "DORA Initial notification — LU-2026-000007" || reports[1]["name"] != "DORA Intermediate report — LU-2026-000007" {
		t.Errorf("report names %v, %v", reports[0]["name"], reports[1]["name"])
	}
	d := reports[1]["description"].(string)
	for _, line := range []string{"Incident reference code: BEX-2026-17", "Clients affected: 250000", "Costs and losses so far (EUR): 125000.5",
		"Regular activities have been recovered: yes"} {
		if !strings.Contains(d, "\n"+line) {
			t.Errorf("DORA intermediate description lacks %q:\n%s", line, d)
		}
	}
	if !strings.HasPrefix(reports[0]["description"].(string), "Initial notification (DORA Art 19(4)(a); 2025/301 Art 2)\nSubmitted 2026-11-20T13:00:00.000Z by pseudonym:") {
		t.Errorf("DORA initial description %q", reports[0]["description"])
	}
	if len(ofType(objs, "sighting")) != 0 || len(ofType(objs, "note")) != 0 {
		t.Error("objects for records the snapshot does not have")
	}
}

func TestPersonalData(t *testing.T) {
	people := []string{"user-entity-9", "token-api-1", "user-analyst-3", "user-analyst-8", "Jan de Vries", "dpo@noord-netbeheer.example"}
	raws, objs := objects(t, energy(t), opts)
	for _, raw := range raws {
		for _, p := range people {
			if bytes.Contains(raw, []byte(p)) {
				t.Errorf("%q shared without entitlement: %s", p, raw)
			}
		}
	}
	notes := ofType(objs, "note")
	a, b := strs(notes[0]["authors"])[0], strs(notes[1]["authors"])[0]
	if !strings.HasPrefix(a, "pseudonym:") || len(a) != len("pseudonym:")+16 || a == b {
		t.Errorf("pseudonyms %q, %q: want two distinct pseudonym:<16 hex>", a, b)
	}
	if _, objs2 := objects(t, energy(t), opts); strs(ofType(objs2, "note")[0]["authors"])[0] != a {
		t.Error("the same key gave another pseudonym")
	}
	if _, objs3 := objects(t, energy(t), stixmap.Options{PseudonymKey: []byte("another node's key")}); strs(ofType(objs3, "note")[0]["authors"])[0] == a {
		t.Error("another key gave the same pseudonym")
	}

	// Entitled: everything as it is, nothing listed as redacted.
	raws, objs = objects(t, energy(t), stixmap.Options{PersonalData: true})
	var all []byte
	for _, raw := range raws {
		all = append(all, raw...)
	}
	for _, p := range people {
		if !bytes.Contains(all, []byte(p)) {
			t.Errorf("%q not shared with an entitled recipient", p)
		}
	}
	if r := ext(ofType(objs, "incident")[0], stixmap.ExtensionDefinitionID)["redacted_fields"]; r != nil {
		t.Errorf("redacted_fields %v for an entitled recipient", r)
	}
	if !strings.Contains(ofType(objs, "report")[2]["description"].(string), "\nName and contact details of the DPO or other contact point: Jan de Vries") {
		t.Error("the contact's label and value are missing for an entitled recipient")
	}

	// Contact details in any field whose name says so, at any depth.
	s := energy(t)
	s.Submissions = []store.Submission{{ID: "x", Report: "nis2.voluntary", SubmittedAt: at(1), SubmittedBy: "system",
		Body: json.RawMessage(`{"description":"Phishing wave","reporter":{"contact_email":"a@b.example","org":"CERT"},"dpo_phone":"+31 6"}`)}}
	_, objs = objects(t, s, opts)
	if r := strs(ext(ofType(objs, "incident")[0], stixmap.ExtensionDefinitionID)["redacted_fields"]); !slices.Equal(r, []string{"nis2.voluntary.dpo_phone", "nis2.voluntary.reporter.contact_email"}) {
		t.Errorf("redacted_fields %v", r)
	}
	if d := ofType(objs, "report")[0]["description"].(string); strings.Contains(d, "a@b.example") || strings.Contains(d, "+31") ||
		!strings.Contains(d, `reporter: {"org":"CERT"}`) || !strings.Contains(d, "Submitted 2026-11-20T09:00:00.000Z by system.") {
		t.Errorf("description %q", d)
	}

	// A person to pseudonymise without a key is an error; none to, not.
	if _, err := stixmap.Incident(energy(t), stixmap.Options{}); err == nil {
		t.Error("no pseudonym key: no error")
	}
	if _, err := stixmap.Incident(bank(t), stixmap.Options{PersonalData: true}); err != nil {
		t.Errorf("entitled, no key: %v", err)
	}
	noPeople := bank(t)
	noPeople.Submissions = nil
	if _, err := stixmap.Incident(noPeople, stixmap.Options{}); err != nil {
		t.Errorf("nobody to pseudonymise, no key: %v", err)
	}
}

func TestVersions(t *testing.T) {
	raws1, a := objects(t, energy(t), opts)
	raws2, _ := objects(t, energy(t), opts)
	if !slices.EqualFunc(raws1, raws2, sameJSON) {
		t.Fatal("two calls with the same snapshot differ")
	}

	// The incident changes (and is re-marked): same ids, every object
	// carrying the marking gets a later version with the new marking.
	s := energy(t)
	s.Incident.State, s.Incident.TLP, s.Incident.UpdatedAt = store.StateClosed, "TLP:GREEN", at(40)
	_, b := objects(t, s, opts)
	if len(a) != len(b) {
		t.Fatalf("%d objects, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i]["type"] == "marking-definition" {
			continue
		}
		if a[i]["id"] != b[i]["id"] {
			t.Errorf("object %d: id %v became %v", i, a[i]["id"], b[i]["id"])
		}
		if fixed(a[i]) {
			if a[i]["modified"] != b[i]["modified"] {
				t.Errorf("fixed %s changed its version", a[i]["id"])
			}
			continue
		}
		if ts(t, b[i]["modified"]) != at(40) || b[i]["created"] != a[i]["created"] {
			t.Errorf("%s: created %v → %v, modified %v → %v; want the same created and the incident's change",
				a[i]["id"], a[i]["created"], b[i]["created"], a[i]["modified"], b[i]["modified"])
		}
		if refs := strs(b[i]["object_marking_refs"]); !slices.Equal(refs, []string{vocab.TLPGreen.MarkingID()}) {
			t.Errorf("%s: marking %v after the re-marking", b[i]["id"], refs)
		}
	}
	if ext(ofType(b, "incident")[0], stixmap.IncidentCoreExtensionID)["investigation_status"] != "closed" {
		t.Error("closed incident not closed")
	}

	// A note added later gives a new version of the incident only.
	s = energy(t)
	s.Notes = append(s.Notes, store.IncidentEvent{ID: "ev-30", At: at(45), Actor: "user-analyst-3", Kind: store.EventNote, Body: json.RawMessage(`{"text":"Closed."}`)})
	_, c := objects(t, s, opts)
	if len(c) != len(a)+1 {
		t.Fatalf("%d objects after a new note, want %d", len(c), len(a)+1)
	}
	for _, o := range a {
		after := byID(c, o["id"].(string))
		if o["type"] == "incident" {
			if ts(t, after["modified"]) != at(45) {
				t.Errorf("incident modified %v after a new note", after["modified"])
			}
		} else if o["modified"] != after["modified"] {
			t.Errorf("%s: modified %v → %v after an unrelated note", o["id"], o["modified"], after["modified"])
		}
	}

	// NotBefore: a change inside the millisecond of the last version shared
	// still gives a new version of every object made from the snapshot.
	last := ts(t, ofType(a, "incident")[0]["modified"])
	for _, nb := range []time.Time{last, last.Add(400 * time.Microsecond), at(200)} {
		s := energy(t)
		s.Incident.UpdatedAt = last.Add(300 * time.Microsecond)
		_, d := objects(t, s, stixmap.Options{PseudonymKey: key, NotBefore: nb})
		for _, o := range d {
			if fixed(o) {
				continue
			}
			if m := ts(t, o["modified"]); !m.After(nb) || m.Sub(nb) > time.Millisecond {
				t.Errorf("NotBefore %v: %s modified %v; want within a millisecond after it", nb, o["id"], o["modified"])
			}
		}
	}
}

func TestRevoked(t *testing.T) {
	_, before := objects(t, energy(t), opts)
	for _, revokedAt := range []time.Time{at(100), at(1)} { // at(1): before most records' last change
		s := energy(t)
		s.Revoked, s.RevokedAt = true, revokedAt
		_, after := objects(t, s, opts)
		for i, o := range after {
			prev := before[i]
			if o["id"] != prev["id"] {
				t.Fatalf("object %d: id changed", i)
			}
			if fixed(o) || o["type"] == "identity" {
				if o["revoked"] != nil || o["modified"] != prev["modified"] {
					t.Errorf("%s revoked: %v", o["id"], o)
				}
				continue
			}
			pm, m := ts(t, prev["modified"]), ts(t, o["modified"])
			if o["revoked"] != true || !m.After(pm) {
				t.Errorf("%s: revoked %v, modified %v after %v", o["id"], o["revoked"], m, pm)
			}
			if revokedAt.After(pm) && m != revokedAt {
				t.Errorf("%s: modified %v, want RevokedAt %v", o["id"], m, revokedAt)
			}
			if !revokedAt.After(pm) && m != pm.Add(time.Millisecond) {
				t.Errorf("%s: modified %v, want a millisecond after %v", o["id"], m, pm)
			}
		}
	}
	s := energy(t)
	s.Revoked = true
	if _, err := stixmap.Incident(s, opts); err == nil {
		t.Error("revoked without RevokedAt: no error")
	}
}

func TestTLP(t *testing.T) {
	for _, l := range []vocab.TLPLabel{vocab.TLPClear, vocab.TLPGreen, vocab.TLPAmber, vocab.TLPAmberStrict, vocab.TLPRed} {
		s := energy(t)
		s.Incident.TLP = string(l)
		raws, objs := objects(t, s, opts)
		if !bytes.Equal(raws[0], stix.MarkingDefinition(l)) {
			t.Errorf("%s: first object %s", l, raws[0])
		}
		for _, o := range objs {
			if !fixed(o) {
				if got, ok := stix.TLPOf(strs(o["object_marking_refs"])); !ok || got != l {
					t.Errorf("%s: %s marked %v", l, o["id"], o["object_marking_refs"])
				}
			}
		}
	}
	for _, l := range []string{"", "TLP:WHITE", "amber", "TLP:AMBER+"} {
		s := energy(t)
		s.Incident.TLP = l
		if _, err := stixmap.Incident(s, opts); err == nil {
			t.Errorf("TLP %q: no error", l)
		}
	}
}

func TestCoreMappings(t *testing.T) {
	for _, c := range []struct {
		kind          store.IncidentKind
		state         store.IncidentState
		determination string
		status        string
	}{
		{store.KindIncident, store.StateReceived, "suspected", "new"},
		{store.KindIncident, store.StateTriaged, "successful-attempt", "open"},
		{store.KindNearMiss, store.StateInProgress, "blocked", "open"},
		{store.KindCyberThreat, store.StateClosed, "suspected", "closed"},
	} {
		s := energy(t)
		s.Incident.Kind, s.Incident.State = c.kind, c.state
		_, objs := objects(t, s, opts)
		core := ext(ofType(objs, "incident")[0], stixmap.IncidentCoreExtensionID)
		if core["determination"] != c.determination || core["investigation_status"] != c.status {
			t.Errorf("%s %s: determination %v, investigation_status %v", c.kind, c.state, core["determination"], core["investigation_status"])
		}
	}
	// Without facts, assessment or RSIT nothing is guessed.
	s := energy(t)
	s.Incident.Facts, s.Assessment, s.Incident.RSIT, s.Incident.ImpactSeverity, s.Incident.ImpactOutlook = nil, nil, "", "", ""
	_, objs := objects(t, s, opts)
	inc := ofType(objs, "incident")[0]
	core := ext(inc, stixmap.IncidentCoreExtensionID)
	for _, k := range []string{"criticality", "incident_types", "impacted_entity_counts"} {
		if core[k] != nil {
			t.Errorf("incident core %s = %v without data", k, core[k])
		}
	}
	n := ext(inc, stixmap.ExtensionDefinitionID)
	for _, k := range []string{"significant", "significance_basis", "cross_border", "member_states_affected", "rsit", "impact"} {
		if n[k] != nil {
			t.Errorf("nisnet extension %s = %v without data", k, n[k])
		}
	}
	if !slices.Equal(strs(n["entity_type_codes"]), []string{"energy/electricity/dso"}) {
		t.Errorf("entity types from the profile: %v", n["entity_type_codes"])
	}
	if first := ofType(objs, "sighting")[0]["first_seen"]; first != nil {
		t.Errorf("first_seen %v without facts", first)
	}
}

func TestFixedObjects(t *testing.T) {
	a, b := stixmap.ExtensionDefinition(), stixmap.ExtensionDefinition()
	if len(a) != 2 || !slices.EqualFunc(a, b, sameJSON) {
		t.Fatal("ExtensionDefinition is not one fixed pair of objects")
	}
	var id, def decoded
	if json.Unmarshal(a[0], &id) != nil || json.Unmarshal(a[1], &def) != nil {
		t.Fatal("not JSON")
	}
	if id["id"] != stixmap.NisnetIdentityID || def["id"] != stixmap.ExtensionDefinitionID || def["created_by_ref"] != id["id"] ||
		def["id"] != stix.DerivedID("extension-definition", "nisnet-nis2") || !slices.Equal(strs(def["extension_types"]), []string{"property-extension"}) {
		t.Errorf("extension definition %v, identity %v", def, id)
	}
	var sch decoded
	if err := json.Unmarshal([]byte(def["schema"].(string)), &sch); err != nil {
		t.Fatalf("schema: %v", err)
	}
	var props []string
	for k := range sch["properties"].(decoded) {
		props = append(props, k)
	}
	slices.Sort(props)
	want := []string{"cross_border", "entity_type_codes", "extension_type", "impact", "kind", "member_states_affected", "redacted_fields",
		"reference", "regimes", "report_stage", "reporting_member_state", "reports_submitted", "rsit", "sectors", "significance_basis",
		"significant", "state"}
	if !slices.Equal(props, want) {
		t.Errorf("extension properties %v\nwant %v", props, want)
	}

	var n decoded
	if json.Unmarshal(stixmap.NodeIdentity(node), &n) != nil {
		t.Fatal("node identity is not JSON")
	}
	if n["id"] != stix.DerivedID("identity", "node:csirt-nl") || n["name"] != "CSIRT NL" || n["identity_class"] != "organization" ||
		n["created_by_ref"] != n["id"] || n["sectors"] != nil || !bytes.Equal(stixmap.NodeIdentity(node), stixmap.NodeIdentity(node)) {
		t.Errorf("node identity %v", n)
	}
}
