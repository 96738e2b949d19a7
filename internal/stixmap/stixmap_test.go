package stixmap_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/stix/pattern"
	"github.com/nisnet-eu/nisnet/internal/stix/stixtest"
	"github.com/nisnet-eu/nisnet/internal/stixmap"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func snapshot() stixmap.Snapshot {
	return stixmap.Snapshot{
		Node: stixmap.Node{Name: "csirt-nl", Title: "CSIRT NL", MemberState: "NL"},
		Incident: store.Incident{ID: "inc1", OrganisationID: "org1", Reference: "NL-2026-0001", Kind: store.KindIncident,
			Title: "Ransomware at grid operator", State: store.StateTriaged,
			Facts:   json.RawMessage(`{"entity":{"member_state":"NL"},"incident":{"cross_border_impact":true,"affected_member_states":["NL","BE"]}}`),
			Sectors: []string{"energy/electricity"}, Regimes: []string{"nis2", "gdpr"}, RSIT: "malicious-code/ransomware",
			TLP: "TLP:AMBER", ImpactSeverity: "red", ImpactOutlook: "stable", CreatedAt: t0, UpdatedAt: t0.Add(time.Hour)},
		Organisation: store.Organisation{ID: "org1", Name: "GridCo", MemberState: "NL", CreatedAt: t0.Add(-24 * time.Hour)},
		Assessment: &store.Assessment{IncidentID: "inc1", ComputedAt: t0,
			Result: json.RawMessage(`{"regimes":[{"regime":"nis2","status":"reportable","in_scope":true}]}`)},
		Submissions: []store.Submission{
			{ID: "sub2", IncidentID: "inc1", Report: "gdpr.breach_notification", SubmittedAt: t0.Add(3 * time.Hour),
				Body: json.RawMessage(`{"nature":"encryption of customer records","contact":{"name":"Jan Jansen","email":"jan@gridco.example"},"records":1200}`)},
			{ID: "sub1", IncidentID: "inc1", Report: "nis2.early_warning", SubmittedAt: t0.Add(2 * time.Hour),
				Body: json.RawMessage(`{"suspected_malicious":true,"summary":"ransomware"}`)},
		},
		Notes: []store.IncidentEvent{{ID: "ev1", IncidentID: "inc1", At: t0.Add(4 * time.Hour), Actor: "user-42",
			Kind: store.EventNote, Body: json.RawMessage(`{"text":"Called the entity."}`)}},
		Indicators: []stixmap.Indicator{{ID: "ind1", Name: "C2 server", Pattern: "[ipv4-addr:value = '198.51.100.7']",
			PatternType: "stix", ValidFrom: t0, CreatedAt: t0.Add(5 * time.Hour)}},
	}
}

var opts = stixmap.Options{PseudonymKey: []byte("test-key")}

func objects(t *testing.T, s stixmap.Snapshot, o stixmap.Options) []map[string]any {
	t.Helper()
	raws, err := stixmap.Incident(s, o)
	if err != nil {
		t.Fatal(err)
	}
	v := &stix.Validator{Pattern: func(p string) error { _, err := pattern.Parse(p); return err }}
	var out []map[string]any
	for _, raw := range raws {
		if _, err := v.Validate(raw); err != nil {
			t.Errorf("validate %s: %v", raw, err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func byType(objs []map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, o := range objs {
		if o["type"] == typ {
			out = append(out, o)
		}
	}
	return out
}

// shared reports whether o is exempt from markings and revocation: the
// marking-definition, the nisnet identity and extension definition, and the
// shared identities.
func shared(o map[string]any) bool {
	return o["type"] == "marking-definition" || o["type"] == "extension-definition" || o["type"] == "identity"
}

func TestSchemas(t *testing.T) {
	schemas := stixtest.Schemas(t)
	for _, s := range []stixmap.Snapshot{snapshot(), func() stixmap.Snapshot {
		s := snapshot()
		s.Revoked = true
		s.RevokedAt = t0.Add(48 * time.Hour)
		return s
	}()} {
		raws, err := stixmap.Incident(s, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range raws {
			if err := schemas.Validate(raw); err != nil {
				t.Errorf("schema %s: %v", raw, err)
			}
		}
	}
}

func TestObjects(t *testing.T) {
	objs := objects(t, snapshot(), opts)
	want := []string{"marking-definition", "identity", "extension-definition", "identity", "identity", "incident",
		"report", "report", "note", "indicator", "relationship", "sighting"}
	if len(objs) != len(want) {
		t.Fatalf("got %d objects, want %d", len(objs), len(want))
	}
	amber := vocab.TLPAmber.MarkingID()
	for i, o := range objs {
		if o["type"] != want[i] {
			t.Errorf("object %d: type %v, want %s", i, o["type"], want[i])
		}
		if i >= 4 {
			refs, _ := o["object_marking_refs"].([]any)
			if len(refs) != 1 || refs[0] != amber {
				t.Errorf("%s: object_marking_refs %v", o["id"], refs)
			}
			if o["created_by_ref"] != objs[3]["id"] {
				t.Errorf("%s: created_by_ref %v", o["id"], o["created_by_ref"])
			}
		}
	}
	inc := objs[5]
	if inc["id"] != stixmap.IncidentID(snapshot().Node, "inc1") || inc["name"] != "Ransomware at grid operator" {
		t.Errorf("incident: %v", inc)
	}
	if inc["modified"] != stix.Timestamp(t0.Add(5*time.Hour)) {
		t.Errorf("incident modified %v, want the latest indicator", inc["modified"])
	}
	exts := inc["extensions"].(map[string]any)
	core := exts[stixmap.IncidentCoreExtensionID].(map[string]any)
	if core["investigation_status"] != "open" || core["criticality"] != float64(90) {
		t.Errorf("incident core: %v", core)
	}
	ext := exts[stixmap.ExtensionDefinitionID].(map[string]any)
	if ext["report_stage"] != "gdpr.breach_notification" || ext["significant"] != true || ext["cross_border"] != true ||
		ext["reporting_member_state"] != "NL" || len(ext["reports_submitted"].([]any)) != 2 {
		t.Errorf("nisnet extension: %v", ext)
	}
	if red := ext["redacted_fields"].([]any); len(red) != 1 || red[0] != "gdpr.breach_notification.contact" {
		t.Errorf("redacted_fields %v", red)
	}
	reports := byType(objs, "report")
	if reports[0]["name"] != "nis2.early_warning — NL-2026-0001" || reports[0]["published"] != stix.Timestamp(t0.Add(2*time.Hour)) {
		t.Errorf("first report: %v", reports[0])
	}
	gdpr := reports[1]["description"].(string)
	if strings.Contains(gdpr, "contact") || strings.Contains(gdpr, "jan@") || !strings.Contains(gdpr, "records: 1200") {
		t.Errorf("gdpr report description: %q", gdpr)
	}
	note := byType(objs, "note")[0]
	if a := note["authors"].([]any); a[0] != stixmap.Pseudonym([]byte("test-key"), "user-42") || !strings.HasPrefix(a[0].(string), "pseudonym:") || len(a[0].(string)) != len("pseudonym:")+16 {
		t.Errorf("note authors %v", a)
	}
	if note["content"] != "Called the entity." {
		t.Errorf("note content %v", note["content"])
	}
	rel := byType(objs, "relationship")[0]
	if rel["relationship_type"] != "related-to" || rel["target_ref"] != inc["id"] {
		t.Errorf("relationship %v", rel)
	}
	sig := byType(objs, "sighting")[0]
	if sig["count"] != float64(1) || sig["where_sighted_refs"].([]any)[0] != objs[4]["id"] {
		t.Errorf("sighting %v", sig)
	}
}

func TestPersonalData(t *testing.T) {
	objs := objects(t, snapshot(), stixmap.Options{PersonalData: true})
	if d := byType(objs, "report")[1]["description"].(string); !strings.Contains(d, "jan@gridco.example") {
		t.Errorf("entitled recipient lost the contact: %q", d)
	}
	if a := byType(objs, "note")[0]["authors"].([]any); a[0] != "user-42" {
		t.Errorf("entitled recipient: authors %v", a)
	}
	ext := byType(objs, "incident")[0]["extensions"].(map[string]any)[stixmap.ExtensionDefinitionID].(map[string]any)
	if _, ok := ext["redacted_fields"]; ok {
		t.Errorf("redacted_fields with personal data: %v", ext["redacted_fields"])
	}
	if _, err := stixmap.Incident(snapshot(), stixmap.Options{}); err == nil {
		t.Error("notes without personal data and without a pseudonym key: no error")
	}
}

func TestStableVersions(t *testing.T) {
	a := objects(t, snapshot(), opts)
	b := objects(t, snapshot(), opts)
	ra, _ := json.Marshal(a)
	rb, _ := json.Marshal(b)
	if string(ra) != string(rb) {
		t.Fatal("two calls differ")
	}
	s := snapshot()
	s.Incident.UpdatedAt = t0.Add(10 * time.Hour)
	s.Incident.State = store.StateClosed
	c := objects(t, s, opts)
	for i := range a {
		if a[i]["id"] != c[i]["id"] {
			t.Errorf("object %d: id changed from %v to %v", i, a[i]["id"], c[i]["id"])
		}
		if a[i]["type"] == "incident" {
			if c[i]["modified"] != stix.Timestamp(t0.Add(10*time.Hour)) {
				t.Errorf("incident modified %v", c[i]["modified"])
			}
		} else if a[i]["modified"] != c[i]["modified"] {
			t.Errorf("%s: modified changed from %v to %v", a[i]["id"], a[i]["modified"], c[i]["modified"])
		}
	}
}

func TestRevoked(t *testing.T) {
	before := objects(t, snapshot(), opts)
	for _, at := range []time.Time{t0.Add(48 * time.Hour), t0} { // t0: before the latest changes
		s := snapshot()
		s.Revoked, s.RevokedAt = true, at
		after := objects(t, s, opts)
		for i, o := range after {
			if o["id"] != before[i]["id"] {
				t.Fatalf("object %d: id changed", i)
			}
			if shared(o) {
				if o["revoked"] != nil || o["modified"] != before[i]["modified"] {
					t.Errorf("shared %s revoked: %v", o["id"], o)
				}
				continue
			}
			prev, _ := stix.ParseTimestamp(before[i]["modified"].(string))
			mod, _ := stix.ParseTimestamp(o["modified"].(string))
			if o["revoked"] != true || !mod.After(prev) {
				t.Errorf("%s: revoked %v, modified %v after %v", o["id"], o["revoked"], mod, prev)
			}
			if at.After(prev) && !mod.Equal(at) {
				t.Errorf("%s: modified %v, want RevokedAt %v", o["id"], mod, at)
			}
		}
	}
}

func TestInvalidTLP(t *testing.T) {
	for _, l := range []string{"", "TLP:WHITE", "amber"} {
		s := snapshot()
		s.Incident.TLP = l
		if _, err := stixmap.Incident(s, opts); err == nil {
			t.Errorf("TLP %q: no error", l)
		}
	}
}

func TestNodeIdentity(t *testing.T) {
	n := stixmap.Node{Name: "csirt-nl", Title: "CSIRT NL", MemberState: "NL"}
	o, err := (&stix.Validator{}).Validate(stixmap.NodeIdentity(n))
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != stix.DerivedID("identity", "node:csirt-nl") {
		t.Errorf("node identity id %s", o.ID)
	}
}
