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
)

var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func snapshot() stixmap.Snapshot {
	return stixmap.Snapshot{
		Node: stixmap.Node{Name: "csirt-nl", Title: "CSIRT NL", MemberState: "NL"},
		Incident: store.Incident{ID: "inc-1", OrganisationID: "org-1", Reference: "NL-2026-000042", Kind: store.KindIncident,
			Title: "DNS outage", State: store.StateTriaged, TLP: "TLP:GREEN", Sectors: []string{"digital_infrastructure"}, Regimes: []string{"nis2"},
			RSIT: "availability/outage", ImpactSeverity: "red", Facts: json.RawMessage(`{"incident":{"cross_border_impact":true,"affected_member_states":["BE","DE"]}}`),
			CreatedAt: t0, UpdatedAt: t0.Add(time.Hour)},
		Organisation: store.Organisation{ID: "org-1", Name: "Example DNS B.V.", CreatedAt: t0.Add(-time.Hour)},
		Submissions: []store.Submission{
			{ID: "sub-1", Report: "nis2.early_warning", Body: json.RawMessage(`{"summary":"resolvers down","suspected_malicious":true}`),
				SubmittedAt: t0.Add(2 * time.Hour), SubmittedBy: "user-7"},
			{ID: "sub-2", Report: "gdpr.notification", Body: json.RawMessage(`{"nature":"logs exposed","contact":"Jan Jansen, +31 6 1234 5678"}`),
				SubmittedAt: t0.Add(3 * time.Hour), SubmittedBy: "user-7"},
		},
		Notes:      []store.IncidentEvent{{ID: "ev-1", Kind: store.EventNote, At: t0.Add(4 * time.Hour), Actor: "analyst-1", Body: json.RawMessage(`{"text":"ISP informed"}`)}},
		Indicators: []stixmap.Indicator{{ID: "ind-1", Name: "C2", Pattern: "[ipv4-addr:value = '198.51.100.7']", PatternType: "stix", ValidFrom: t0, CreatedAt: t0.Add(5 * time.Hour)}},
	}
}

func byType(t *testing.T, objs []json.RawMessage) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for _, raw := range objs {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		out[m["type"].(string)] = append(out[m["type"].(string)], m)
	}
	return out
}

// Every object nisnet emits passes nisnet's validator and the official
// STIX 2.1 JSON Schemas.
func TestEmittedObjectsValidate(t *testing.T) {
	v := &stix.Validator{Pattern: func(s string) error { _, err := pattern.Parse(s); return err }}
	for _, revoked := range []bool{false, true} {
		s := snapshot()
		s.Revoked, s.RevokedAt = revoked, t0.Add(24*time.Hour)
		objs, err := stixmap.Incident(s, stixmap.Options{PseudonymKey: []byte("k")})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			if _, err := v.Validate(o); err != nil {
				t.Errorf("validator: %v\n%s", err, o)
			}
		}
	}
	schemas := stixtest.Schemas(t)
	objs, _ := stixmap.Incident(snapshot(), stixmap.Options{})
	for _, o := range objs {
		if err := schemas.Validate(o); err != nil {
			t.Errorf("schema: %v\n%s", err, o)
		}
	}
}

func TestMapping(t *testing.T) {
	key := stixmap.Options{PseudonymKey: []byte("node-key")}
	a, err := stixmap.Incident(snapshot(), key)
	if err != nil {
		t.Fatal(err)
	}
	m := byType(t, a)
	for _, typ := range []string{"incident", "report", "note", "indicator", "sighting", "relationship", "identity", "marking-definition", "extension-definition"} {
		if len(m[typ]) == 0 {
			t.Errorf("no %s emitted", typ)
		}
	}
	inc := m["incident"][0]
	if inc["id"] != stixmap.IncidentID(snapshot().Node, "inc-1") {
		t.Errorf("incident id %v", inc["id"])
	}
	ext := inc["extensions"].(map[string]any)[stixmap.ExtensionID].(map[string]any)
	if ext["reference"] != "NL-2026-000042" || ext["cross_border"] != true || ext["report_stage"] != "gdpr.notification" {
		t.Errorf("nisnet extension %v", ext)
	}
	if rf, _ := ext["redacted_fields"].([]any); len(rf) != 1 || rf[0] != "contact" {
		t.Errorf("redacted_fields %v", ext["redacted_fields"])
	}
	// TLP 2.0 marking on every object made for the incident.
	for typ, list := range m {
		for _, o := range list {
			if typ == "marking-definition" || typ == "extension-definition" || o["created_by_ref"] == nil {
				continue
			}
			if refs, _ := o["object_marking_refs"].([]any); len(refs) != 1 || refs[0] != "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb" {
				t.Errorf("%s %v: markings %v", typ, o["id"], o["object_marking_refs"])
			}
		}
	}
	// Personal data: the GDPR contact left out, people pseudonymised.
	all := ""
	for _, o := range a {
		all += string(o)
	}
	if strings.Contains(all, "Jan Jansen") || strings.Contains(all, "analyst-1") || strings.Contains(all, "user-7") {
		t.Error("personal data left the node unredacted")
	}
	if !strings.Contains(all, "pseudonym:") {
		t.Error("no pseudonyms")
	}
	full, _ := stixmap.Incident(snapshot(), stixmap.Options{PersonalData: true})
	fullText := ""
	for _, o := range full {
		fullText += string(o)
	}
	if !strings.Contains(fullText, "Jan Jansen") || !strings.Contains(fullText, "analyst-1") {
		t.Error("an entitled recipient did not get the personal data")
	}

	// Stable ids; a change of the incident (here a re-marking) gives a later
	// version of every object carrying its marking, with the new marking.
	s2 := snapshot()
	s2.Incident.UpdatedAt = t0.Add(48 * time.Hour)
	s2.Incident.TLP = "TLP:AMBER"
	b, _ := stixmap.Incident(s2, key)
	m2 := byType(t, b)
	if m2["incident"][0]["id"] != inc["id"] || m2["incident"][0]["modified"].(string) <= inc["modified"].(string) {
		t.Errorf("update: %v → %v", inc["modified"], m2["incident"][0]["modified"])
	}
	for _, typ := range []string{"note", "report", "indicator", "sighting"} {
		o := m2[typ][0]
		if o["id"] != m[typ][0]["id"] || o["modified"].(string) <= m[typ][0]["modified"].(string) {
			t.Errorf("re-marked %s: id %v, modified %v → %v; want the same id, a later version", typ, o["id"], m[typ][0]["modified"], o["modified"])
		}
		if refs := o["object_marking_refs"].([]any); refs[0] != "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421" {
			t.Errorf("re-marked %s keeps marking %v", typ, refs)
		}
	}
	// A note added later does not change the other records' versions.
	s4 := snapshot()
	s4.Notes = append(s4.Notes, store.IncidentEvent{ID: "ev-2", Kind: store.EventNote, At: t0.Add(50 * time.Hour), Actor: "analyst-1", Body: json.RawMessage(`{"text":"more"}`)})
	d, _ := stixmap.Incident(s4, key)
	if byType(t, d)["report"][0]["modified"] != m["report"][0]["modified"] {
		t.Error("adding a note gave an unchanged report a new version")
	}
	// Revocation: every object revoked, with a later modified.
	s3 := snapshot()
	s3.Revoked, s3.RevokedAt = true, t0.Add(72*time.Hour)
	c, _ := stixmap.Incident(s3, key)
	for typ, list := range byType(t, c) {
		for _, o := range list {
			if o["created_by_ref"] != stixmap.NodeIdentityID(s3.Node) {
				continue // the marking, the node and nisnet's extension are not the incident's
			}
			if o["revoked"] != true || o["modified"] != "2026-11-23T08:00:00.000Z" {
				t.Errorf("revoked %s: revoked=%v modified=%v", typ, o["revoked"], o["modified"])
			}
		}
	}
	bad := snapshot()
	bad.Incident.TLP = "TLP:WHITE"
	if _, err := stixmap.Incident(bad, key); err == nil {
		t.Error("a TLP 1.0 label was accepted")
	}
}
