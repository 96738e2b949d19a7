package stix_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/stix/stixtest"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

const (
	uuid   = "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
	uuid2  = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
	t0     = "2026-11-28T09:30:00.000Z"
	t1     = "2026-11-29T10:00:00.000Z"
	ident  = "identity--" + uuid
	ipv4ID = "ipv4-addr--" + uuid
)

func id(typ string) string { return typ + "--" + uuid }

// sdo is a minimal SDO, SRO or meta object of type typ with props added.
func sdo(typ string, props map[string]any) map[string]any {
	m := map[string]any{"type": typ, "spec_version": "2.1", "id": id(typ), "created": t0, "modified": t0}
	for k, v := range props {
		m[k] = v
	}
	return m
}

// sco is a cyber-observable object of type typ with props added.
func sco(typ string, props map[string]any) map[string]any {
	m := map[string]any{"type": typ, "spec_version": "2.1", "id": id(typ)}
	for k, v := range props {
		m[k] = v
	}
	return m
}

// valid objects, one or more of each type the validator knows and of
// custom and extension-defined types. Each must be accepted; the invalid
// cases below are variants of them.
var valid = map[string]map[string]any{
	"attack-pattern": sdo("attack-pattern", map[string]any{"name": "Spear phishing",
		"kill_chain_phases": []any{map[string]any{"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": "delivery"}}}),
	"campaign":         sdo("campaign", map[string]any{"name": "Glass Gazelle", "first_seen": t0, "last_seen": t1}),
	"course-of-action": sdo("course-of-action", map[string]any{"name": "Patch"}),
	"grouping":         sdo("grouping", map[string]any{"context": "suspicious-activity", "object_refs": []any{id("indicator")}}),
	"identity":         sdo("identity", map[string]any{"name": "CSIRT NL", "identity_class": "organization"}),
	"incident":         sdo("incident", map[string]any{"name": "Ransomware at a hospital"}),
	"indicator": sdo("indicator", map[string]any{"name": "C2", "pattern": "[ipv4-addr:value = '198.51.100.1']",
		"pattern_type": "stix", "valid_from": t0, "valid_until": t1, "created_by_ref": ident,
		"object_marking_refs": []any{vocab.TLP2AmberMarkingID, vocab.TLP1GreenMarkingID}}),
	"indicator-full": sdo("indicator", map[string]any{"name": "C2", "description": "Beschreibung",
		"pattern": "rule x { condition: true }", "pattern_type": "yara", "valid_from": "2026-11-28T09:30:00Z",
		"labels": []any{"c2"}, "confidence": 85, "lang": "en-GB", "revoked": false,
		"external_references": []any{map[string]any{"source_name": "acme", "url": "https://example.com/r",
			"hashes": map[string]any{"SHA-256": strings.Repeat("ab", 32), "x_acme_hash": "q1w2"}}},
		"granular_markings": []any{
			map[string]any{"selectors": []any{"description"}, "lang": "de"},
			map[string]any{"selectors": []any{"external_references.[0].url", "labels.[0]"}, "marking_ref": vocab.TLP2RedMarkingID}},
		"extensions":          map[string]any{"extension-definition--" + uuid2: map[string]any{"extension_type": "property-extension", "rank": 5}},
		"x_acme_score":        7,
		"x_acme_seen_by_refs": []any{ident}}),
	"infrastructure":  sdo("infrastructure", map[string]any{"name": "Poison Ivy C2", "first_seen": t0, "last_seen": t0}),
	"intrusion-set":   sdo("intrusion-set", map[string]any{"name": "APT0"}),
	"location":        sdo("location", map[string]any{"region": "western-europe"}),
	"location-coords": sdo("location", map[string]any{"latitude": 48.8566, "longitude": 2.3522, "precision": 100}),
	"malware":         sdo("malware", map[string]any{"name": "Poison Ivy", "is_family": true, "sample_refs": []any{id("file")}}),
	"malware-instance": sdo("malware", map[string]any{"is_family": false,
		"operating_system_refs": []any{id("software")}}),
	"malware-analysis": sdo("malware-analysis", map[string]any{"product": "sandbox", "result": "malicious",
		"sample_ref": id("artifact"), "analysis_started": t0, "analysis_ended": t1}),
	"note":    sdo("note", map[string]any{"content": "Seen on a forum.", "authors": []any{"analyst"}, "object_refs": []any{id("campaign")}}),
	"opinion": sdo("opinion", map[string]any{"opinion": "agree", "object_refs": []any{id("relationship")}}),
	"observed-data": sdo("observed-data", map[string]any{"first_observed": t0, "last_observed": t1,
		"number_observed": 50, "object_refs": []any{ipv4ID, id("relationship")}}),
	"observed-data-container": sdo("observed-data", map[string]any{"first_observed": t0, "last_observed": t0,
		"number_observed": 1, "objects": map[string]any{
			"0": map[string]any{"type": "ipv4-addr", "value": "198.51.100.2"},
			"1": map[string]any{"type": "network-traffic", "dst_ref": "0", "protocols": []any{"tcp"}}}}),
	"report": sdo("report", map[string]any{"name": "Weekly", "published": t1, "report_types": []any{"threat-report"},
		"object_refs": []any{id("indicator"), id("x-acme-widget")}}),
	"threat-actor":  sdo("threat-actor", map[string]any{"name": "Disco Team", "first_seen": t0}),
	"tool":          sdo("tool", map[string]any{"name": "nmap"}),
	"vulnerability": sdo("vulnerability", map[string]any{"name": "CVE-2024-3094", "external_references": []any{map[string]any{"source_name": "cve", "external_id": "CVE-2024-3094"}}}),
	"relationship": sdo("relationship", map[string]any{"relationship_type": "indicates", "source_ref": id("indicator"),
		"target_ref": id("malware"), "start_time": t0, "stop_time": t1}),
	"relationship-sco": sdo("relationship", map[string]any{"relationship_type": "resolves-to", "source_ref": id("domain-name"),
		"target_ref": ipv4ID}),
	"sighting": sdo("sighting", map[string]any{"sighting_of_ref": id("indicator"), "count": 0, "first_seen": t0, "last_seen": t1,
		"observed_data_refs": []any{id("observed-data")}, "where_sighted_refs": []any{ident, id("location")}, "summary": false}),
	"sighting-custom-sdo": sdo("sighting", map[string]any{"sighting_of_ref": id("x-acme-widget"), "count": 999999999}),

	"artifact":          sco("artifact", map[string]any{"mime_type": "application/zip", "payload_bin": "UEsDBA==", "encryption_algorithm": "mime-type-indicated", "decryption_key": "infected"}),
	"artifact-url":      sco("artifact", map[string]any{"url": "https://example.com/a.zip", "hashes": map[string]any{"MD5": strings.Repeat("0f", 16)}}),
	"autonomous-system": sco("autonomous-system", map[string]any{"number": 15139, "name": "Slime Industries"}),
	"directory":         sco("directory", map[string]any{"path": `C:\Windows`, "contains_refs": []any{id("file")}}),
	"domain-name":       sco("domain-name", map[string]any{"value": "example.com", "resolves_to_refs": []any{ipv4ID}}),
	"email-addr":        sco("email-addr", map[string]any{"value": "jdoe@example.com", "display_name": "John Doe"}),
	"email-message": sco("email-message", map[string]any{"is_multipart": false, "body": "Hello", "date": "1997-11-21T15:55:06Z",
		"from_ref": id("email-addr"), "to_refs": []any{id("email-addr")}, "additional_header_fields": map[string]any{"X-Mailer_ref": "not an id: a header"}}),
	"email-multipart": sco("email-message", map[string]any{"is_multipart": true, "body_multipart": []any{
		map[string]any{"content_type": "text/plain", "body": "Hi"},
		map[string]any{"content_type": "application/zip", "body_raw_ref": id("artifact")}}}),
	"file":      sco("file", map[string]any{"name": "qêry.dll", "name_enc": "windows-1252", "size": 25537, "hashes": map[string]any{"SHA-256": strings.Repeat("e", 64)}}),
	"file-hash": sco("file", map[string]any{"hashes": map[string]any{"SSDEEP": "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C"}}),
	"ipv4-addr": sco("ipv4-addr", map[string]any{"value": "198.51.100.0/24"}),
	"ipv6-addr": sco("ipv6-addr", map[string]any{"value": "2001:db8::1"}),
	"mac-addr":  sco("mac-addr", map[string]any{"value": "00:00:ab:cd:ef:01"}),
	"mutex":     sco("mutex", map[string]any{"name": "__CLEANSWEEP__"}),
	"network-traffic": sco("network-traffic", map[string]any{"src_ref": ipv4ID, "dst_ref": id("domain-name"), "src_port": 0, "dst_port": 65535,
		"protocols": []any{"ipv4", "tcp", "http"}, "start": t0, "end": t0, "is_active": false,
		"ipfix": map[string]any{"minimumIpTotalLength": 32},
		"extensions": map[string]any{
			"http-request-ext":  map[string]any{"request_method": "get", "request_value": "/", "request_header": map[string]any{"User-Agent": []any{"x"}}},
			"icmp-ext":          map[string]any{"icmp_type_hex": "08", "icmp_code_hex": "00"},
			"x-acme-sensor-ext": map[string]any{"sensor_id": "s1"}}}),
	"process":              sco("process", map[string]any{"pid": 1221, "command_line": "./gedit-bin --new-window", "image_ref": id("file")}),
	"software":             sco("software", map[string]any{"name": "Word", "vendor": "Microsoft"}),
	"url":                  sco("url", map[string]any{"value": "https://example.com/research/index.html"}),
	"user-account":         sco("user-account", map[string]any{"user_id": "1001", "account_created": t0}),
	"windows-registry-key": sco("windows-registry-key", map[string]any{"key": `HKEY_LOCAL_MACHINE\System\Foo`, "modified_time": t0}),
	"x509-certificate":     sco("x509-certificate", map[string]any{"serial_number": "36:f7:d4:32", "validity_not_before": t0}),
	"sco-no-spec-version":  {"type": "ipv4-addr", "id": ipv4ID, "value": "198.51.100.3", "defanged": true},

	"marking-statement": {"type": "marking-definition", "spec_version": "2.1", "id": id("marking-definition"), "created": t0,
		"definition_type": "statement", "definition": map[string]any{"statement": "Copyright 2026, Example Corp"},
		"object_marking_refs": []any{vocab.TLP2ClearMarkingID}},
	"marking-extension": {"type": "marking-definition", "spec_version": "2.1", "id": id("marking-definition"), "created": t0,
		"name": "PAP:GREEN", "extensions": map[string]any{"extension-definition--" + uuid2: map[string]any{"extension_type": "property-extension", "pap": "green"}}},
	"extension-definition": sdo("extension-definition", map[string]any{"name": "NIS2", "schema": "https://example.com/nis2.json",
		"version": "1.0.0", "extension_types": []any{"property-extension", "toplevel-property-extension"},
		"extension_properties": []any{"nis2_sector"}, "created_by_ref": ident}),
	"language-content": sdo("language-content", map[string]any{"object_ref": id("campaign"), "object_modified": t0,
		"contents": map[string]any{"de": map[string]any{"name": "Bank Angriff"}, "fr-BE": map[string]any{"name": "Attaque"}}}),

	// §11.2: custom objects (deprecated mechanism) need only valid common properties.
	"custom-object": {"type": "x-acme-widget", "id": id("x-acme-widget"), "created": t0, "modified": t0, "some_custom_stuff": 14},
	// §7.3: new SDOs of the incident-core extension suite.
	"event": sdo("event", map[string]any{"status": "occurred", "description": "Port scanning", "start_time": t0, "end_time": t1,
		"sighting_refs": []any{id("sighting")},
		"extensions":    map[string]any{"extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e": map[string]any{"extension_type": "new-sdo"}}}),
	"impact": sdo("impact", map[string]any{"impact_category": "monetary", "criticality": 99, "superseded_by_ref": "impact--" + uuid2,
		"extensions": map[string]any{"extension-definition--7cc33dd6-f6a1-489b-98ea-522d351d71b9": map[string]any{"extension_type": "new-sdo"},
			"monetary": map[string]any{"currency": "usd", "max_amount": 14413.05}}}),
	"task": sdo("task", map[string]any{"outcome": "successful", "name": "Negotiated", "task_types": []any{"negotiation"}, "priority": 30,
		"changed_objects": []any{map[string]any{"state_change_type": "mitigated", "initial_ref": "impact--" + uuid2, "result_ref": id("impact")}},
		"extensions":      map[string]any{"extension-definition--2074a052-8be4-4932-849e-f5e7798e0030": map[string]any{"extension_type": "new-sdo"}}}),
	// §7.3: a top-level property extension adds properties without x_.
	"toplevel-extension": sdo("incident", map[string]any{"name": "Outage", "nis2_sector": "energy",
		"extensions": map[string]any{"extension-definition--" + uuid2: map[string]any{"extension_type": "toplevel-property-extension"}}}),
}

// tlp1 are the TLP 1.0 marking definitions of STIX 2.1 §7.2.1.4.
var tlp1 = map[string]string{
	"white": `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:WHITE","definition":{"tlp":"white"}}`,
	"green": `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:GREEN","definition":{"tlp":"green"}}`,
	"amber": `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:AMBER","definition":{"tlp":"amber"}}`,
	"red":   `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:RED","definition":{"tlp":"red"}}`,
}

func encode(t testing.TB, m map[string]any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// clone deep-copies a fixture through JSON.
func clone(t testing.TB, m map[string]any) map[string]any {
	t.Helper()
	var out map[string]any
	d := json.NewDecoder(bytes.NewReader(encode(t, m)))
	d.UseNumber()
	if err := d.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every valid fixture is accepted, and Validate returns what Parse reads.
func TestValidateAcceptsValidObjects(t *testing.T) {
	var v stix.Validator
	names := make([]string, 0, len(valid))
	for n := range valid {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		raw := encode(t, valid[n])
		got, err := v.Validate(raw)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		want, err := stix.Parse(raw)
		if err != nil {
			t.Fatalf("%s: Parse: %v", n, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Validate = %+v\nParse = %+v", n, got, want)
		}
	}
	for colour, raw := range tlp1 {
		if _, err := v.Validate(json.RawMessage(raw)); err != nil {
			t.Errorf("§7.2.1.4 TLP 1.0 %s: %v", colour, err)
		}
	}
	for _, l := range []vocab.TLPLabel{vocab.TLPClear, vocab.TLPGreen, vocab.TLPAmber, vocab.TLPAmberStrict, vocab.TLPRed} {
		if _, err := v.Validate(stix.MarkingDefinition(l)); err != nil {
			t.Errorf("TLP 2.0 %s: %v", l, err)
		}
	}
}

// edit changes a copy of a fixture.
type edit func(m map[string]any)

func set(k string, v any) edit { return func(m map[string]any) { m[k] = v } }
func del(k string) edit        { return func(m map[string]any) { delete(m, k) } }

// setIn sets a property of the object at m[k] (an object, or the first
// object of a list).
func setIn(k, sub string, v any) edit {
	return func(m map[string]any) {
		switch x := m[k].(type) {
		case map[string]any:
			x[sub] = v
		case []any:
			x[0].(map[string]any)[sub] = v
		}
	}
}

func delIn(k, sub string) edit {
	return func(m map[string]any) {
		switch x := m[k].(type) {
		case map[string]any:
			delete(x, sub)
		case []any:
			delete(x[0].(map[string]any), sub)
		}
	}
}

func deep(n int) any {
	var v any = "x"
	for range n {
		v = []any{v}
	}
	return v
}

var errNotAPattern = errors.New("unexpected token at 0")

// Invalid variants of valid objects are rejected with a message naming the
// property and the problem. Each case names the section it tests.
func TestValidateRejects(t *testing.T) {
	cases := []struct {
		name  string
		base  string // a key of valid, or "" with raw
		edits []edit
		raw   string
		v     stix.Validator
		want  string
	}{
		// JSON (§1.2.10: UTF-8 JSON per RFC 8259 and RFC 7493)
		{name: "§1.2.10 not JSON", raw: `{"type": "indicator",`, want: "not valid JSON"},
		{name: "§1.2.10 not an object", raw: `["indicator"]`, want: "not a JSON object"},
		{name: "§1.2.10 empty input", raw: ``, want: "not valid JSON"},
		{name: "§1.2.10 data after the object", raw: `{"type":"x"} {}`, want: "data after the object"},
		{name: "§1.2.10 not UTF-8", raw: "{\"type\":\"ind\xffcator\"}", want: "not UTF-8"},
		{name: "RFC 7493 duplicate top-level key", raw: `{"type":"identity","id":"identity--` + uuid + `","type":"indicator"}`, want: `duplicate property "type"`},
		{name: "§2.3 duplicate nested key", raw: `{"type":"identity","x_acme":{"a_b":1,"a_b":2}}`, want: `x_acme: duplicate key "a_b"`},
		{name: "nesting depth bound", base: "indicator", edits: []edit{set("x_deep", deep(40))}, want: "nested more than 32 levels"},
		{name: "size bound", base: "indicator", v: stix.Validator{MaxObjectBytes: 100}, want: "more than the 100 bytes"},
		// §3.2 type and §2.9 id
		{name: "§3.2 type missing", base: "indicator", edits: []edit{del("type")}, want: "type is required"},
		{name: "§3.1 type not lower case", base: "indicator", edits: []edit{set("type", "Indicator")}, want: `type "Indicator": want a STIX type name`},
		{name: "§3.2 type not a string", base: "indicator", edits: []edit{set("type", 3)}, want: "type: want a string, found a number"},
		{name: "§8 a bundle is not an object", raw: `{"type":"bundle","id":"bundle--` + uuid + `","objects":[]}`, want: "bundle is not a STIX object"},
		{name: "§3.2 id missing", base: "indicator", edits: []edit{del("id")}, want: "id is required"},
		{name: "§2.9 id of another type", base: "indicator", edits: []edit{set("id", id("malware"))}, want: "id: " + `"` + id("malware") + `": the part before -- must be the object's type "indicator"`},
		{name: "§2.9 id not a UUID", base: "indicator", edits: []edit{set("id", "indicator--1234")}, want: "is not an RFC 4122 UUID"},
		// §3.2 spec_version
		{name: "§3.2 spec_version missing on an SDO", base: "indicator", edits: []edit{del("spec_version")}, want: "spec_version is required"},
		{name: "§3.2 spec_version 2.0", base: "indicator", edits: []edit{set("spec_version", "2.0")}, want: `spec_version "2.0": only STIX 2.1 is accepted`},
		{name: "§3.2 spec_version 2.0 on an SCO", base: "ipv4-addr", edits: []edit{set("spec_version", "2.0")}, want: "only STIX 2.1 is accepted"},
		{name: "§3.2 spec_version missing on a marking definition", base: "marking-statement", edits: []edit{del("spec_version")}, want: "spec_version is required"},
		{name: "§7.3 spec_version missing on a new SDO", base: "event", edits: []edit{del("spec_version")}, want: "spec_version is required"},
		// §3.2 created, modified (§2.16 timestamps, §3.6 versioning)
		{name: "§3.2 created missing", base: "relationship", edits: []edit{del("created")}, want: "created is required"},
		{name: "§3.2 modified missing", base: "report", edits: []edit{del("modified")}, want: "modified is required"},
		{name: "§7.3 modified missing on a new SDO", base: "task", edits: []edit{del("modified")}, want: "modified is required"},
		{name: "§3.2 modified before created", base: "indicator", edits: []edit{set("modified", "2026-11-27T09:30:00.000Z")},
			want: `modified "2026-11-27T09:30:00.000Z" is before created "2026-11-28T09:30:00.000Z"`},
		{name: "§3.2 created without milliseconds", base: "indicator", edits: []edit{set("created", "2026-11-28T09:30:00Z")}, want: "created \"2026-11-28T09:30:00Z\": want at least millisecond precision"},
		{name: "§2.16 timestamp with an offset", base: "indicator", edits: []edit{set("modified", "2026-11-28T09:30:00.000+01:00")}, want: "modified: \"2026-11-28T09:30:00.000+01:00\": want an RFC 3339 UTC timestamp"},
		{name: "§2.16 impossible date", base: "campaign", edits: []edit{set("first_seen", "2026-02-30T00:00:00Z")}, want: "first_seen:"},
		// §3.2 other common properties
		{name: "§3.2 created_by_ref not an identity", base: "indicator", edits: []edit{set("created_by_ref", id("indicator"))},
			want: `created_by_ref: "` + id("indicator") + `" is not an identity id`},
		{name: "§3.2 created_by_ref not an identifier", base: "indicator", edits: []edit{set("created_by_ref", "CSIRT NL")}, want: `created_by_ref: "CSIRT NL": want <type>--<UUID>`},
		{name: "§3.2 object_marking_refs not a marking definition", base: "indicator",
			edits: []edit{set("object_marking_refs", []any{vocab.TLP2AmberMarkingID, ident})},
			want:  `object_marking_refs[1]: "` + ident + `" is not a marking-definition id`},
		{name: "§2.12 empty object_marking_refs", base: "indicator", edits: []edit{set("object_marking_refs", []any{})}, want: "object_marking_refs: empty list"},
		{name: "§3.2 revoked not a boolean", base: "indicator", edits: []edit{set("revoked", "true")}, want: "revoked: want true or false, found a string"},
		{name: "§3.2 labels not strings", base: "indicator", edits: []edit{set("labels", []any{"a", 2})}, want: "labels[1]: want a string"},
		{name: "§2.12 labels empty", base: "indicator", edits: []edit{set("labels", []any{})}, want: "labels: empty list"},
		{name: "§3.2 confidence above 100", base: "indicator", edits: []edit{set("confidence", 101)}, want: "confidence: 101 is out of range: want 0 to 100"},
		{name: "§3.2 confidence below 0", base: "indicator", edits: []edit{set("confidence", -1)}, want: "confidence: -1 is out of range"},
		{name: "§2.10 confidence not an integer", base: "indicator", edits: []edit{set("confidence", 50.5)}, want: "confidence: 50.5 is not an integer"},
		{name: "§3.2 lang not RFC 5646", base: "indicator", edits: []edit{set("lang", "en_US")}, want: `lang: "en_US" is not an RFC 5646 language tag`},
		{name: "§3.2 defanged on an SDO", base: "indicator", edits: []edit{set("defanged", true)}, want: "defanged: only cyber-observable objects"},
		// §2.5 external references, §2.7 hashes
		{name: "§2.5 external reference without source_name", base: "vulnerability", edits: []edit{delIn("external_references", "source_name")},
			want: "external_references[0].source_name is required"},
		{name: "§2.5.2 external reference with source_name only", base: "vulnerability", edits: []edit{delIn("external_references", "external_id")},
			want: "external_references[0]: needs description, url or external_id"},
		{name: "§2.5 external_references not a list", base: "vulnerability", edits: []edit{set("external_references", map[string]any{"source_name": "cve"})},
			want: "external_references: want a list, found an object"},
		{name: "§2.7 SHA-256 of the wrong length", base: "indicator-full", edits: []edit{setIn("external_references", "hashes", map[string]any{"SHA-256": "abcd"})},
			want: `external_references[0].hashes.SHA-256: "abcd" is not a SHA-256 digest`},
		{name: "§2.7 hash algorithm name too short", base: "file", edits: []edit{set("hashes", map[string]any{"md": "00"})}, want: `"md" is not a hash algorithm name`},
		{name: "§2.7 empty hashes", base: "file", edits: []edit{set("hashes", map[string]any{})}, want: "file: hashes: empty object"},
		// §7.2.3 granular markings
		{name: "§7.2.3 selector selecting nothing", base: "indicator-full", edits: []edit{setIn("granular_markings", "selectors", []any{"pattern_version"})},
			want: `granular_markings[0].selectors[0]: "pattern_version" selects nothing`},
		{name: "§7.2.3 selector index out of range", base: "indicator-full", edits: []edit{setIn("granular_markings", "selectors", []any{"labels.[3]"})},
			want: "selects nothing: the list has 1 items"},
		{name: "§7.2.3 selector into a string", base: "indicator-full", edits: []edit{setIn("granular_markings", "selectors", []any{"description.[0]"})},
			want: "is not a list"},
		{name: "§7.2.3 both lang and marking_ref", base: "indicator-full", edits: []edit{setIn("granular_markings", "marking_ref", vocab.TLP2RedMarkingID)},
			want: "granular_markings[0]: needs exactly one of marking_ref and lang"},
		{name: "§7.2.3 marking_ref not a marking definition", base: "indicator-full",
			edits: []edit{set("granular_markings", []any{map[string]any{"selectors": []any{"name"}, "marking_ref": ident}})},
			want:  `granular_markings[0].marking_ref: "` + ident + `" is not a marking-definition id`},
		{name: "§7.2.3 selectors missing", base: "indicator-full", edits: []edit{delIn("granular_markings", "selectors")}, want: "granular_markings[0].selectors is required"},
		// §3.2 extensions, §7.3 extension definitions
		{name: "§2.3 empty extensions", base: "indicator-full", edits: []edit{set("extensions", map[string]any{})}, want: "extensions: empty object"},
		{name: "§3.2 extension without extension_type", base: "indicator-full",
			edits: []edit{set("extensions", map[string]any{"extension-definition--" + uuid2: map[string]any{"rank": 5}})},
			want:  `extensions["extension-definition--` + uuid2 + `"].extension_type is required`},
		{name: "§10.5 unknown extension_type", base: "indicator-full",
			edits: []edit{set("extensions", map[string]any{"extension-definition--" + uuid2: map[string]any{"extension_type": "new-thing"}})},
			want:  `extension_type: "new-thing" is not one of new-sdo`},
		{name: "§2.9 extension key not an extension-definition id", base: "indicator-full",
			edits: []edit{set("extensions", map[string]any{"extension-definition--1234": map[string]any{"extension_type": "property-extension"}})},
			want:  "extensions: key"},
		{name: "§7.3 new-sdo redefining a STIX type", base: "indicator",
			edits: []edit{set("extensions", map[string]any{"extension-definition--" + uuid2: map[string]any{"extension_type": "new-sdo"}})},
			want:  `cannot redefine "indicator"`},
		{name: "§7.3.2.1 extension property name with capitals", base: "indicator-full",
			edits: []edit{set("extensions", map[string]any{"extension-definition--" + uuid2: map[string]any{"extension_type": "property-extension", "Rank": 5}})},
			want:  `property name "Rank"`},
		{name: "§3.10 extension not an object", base: "network-traffic", edits: []edit{setIn("extensions", "icmp-ext", "08")}, want: `extensions["icmp-ext"]: want an object`},
		// §3.1, §11.1 property names, §3.8 reserved names
		{name: "§11.1 custom property with capitals", base: "indicator", edits: []edit{set("X_acme_score", 1)}, want: `property name "X_acme_score": want 3 to 250 of a-z, 0-9 and _`},
		{name: "§11.1 custom property too short", base: "indicator", edits: []edit{set("xy", 1)}, want: `property name "xy"`},
		{name: "§11.1 custom property with a hyphen", base: "indicator", edits: []edit{set("x-acme", 1)}, want: `property name "x-acme"`},
		{name: "§11.1 custom property too long", base: "indicator", edits: []edit{set("x_"+strings.Repeat("a", 249), 1)}, want: "property name"},
		{name: "§3.8 reserved property name", base: "indicator", edits: []edit{set("severity", "high")}, want: `property name "severity" is reserved`},
		{name: "§3.1 custom _ref not an identifier", base: "indicator", edits: []edit{set("x_acme_owner_ref", "alice")}, want: `x_acme_owner_ref: "alice": want <type>--<UUID>`},
		{name: "§3.1 custom _refs empty", base: "indicator", edits: []edit{set("x_acme_seen_by_refs", []any{})}, want: "x_acme_seen_by_refs: empty list"},
		{name: "§3.1 nested _ref not an identifier", base: "task", edits: []edit{setIn("changed_objects", "initial_ref", 7)}, want: "changed_objects[0].initial_ref: want an identifier"},
		{name: "§2.1 _bin not base64", base: "artifact", edits: []edit{set("payload_bin", "not base64!")}, want: "payload_bin: not base64"},
		{name: "§2.8 _hex odd length", base: "network-traffic", edits: []edit{setIn("extensions", "icmp-ext", map[string]any{"icmp_type_hex": "8", "icmp_code_hex": "00"})},
			want: `extensions.icmp-ext.icmp_type_hex: "8" is not hexadecimal octets`},
		// §4 SDOs
		{name: "§4.1 attack-pattern without name", base: "attack-pattern", edits: []edit{del("name")}, want: "attack-pattern: name is required"},
		{name: "§2.11 kill chain phase without phase_name", base: "attack-pattern", edits: []edit{delIn("kill_chain_phases", "phase_name")},
			want: "attack-pattern: kill_chain_phases[0].phase_name is required"},
		{name: "§4.2 campaign last_seen before first_seen", base: "campaign", edits: []edit{set("last_seen", "2026-01-01T00:00:00Z")},
			want: `campaign: last_seen "2026-01-01T00:00:00Z" is before first_seen "` + t0 + `"`},
		{name: "§4.3 course-of-action without name", base: "course-of-action", edits: []edit{del("name")}, want: "course-of-action: name is required"},
		{name: "§4.4 grouping without context", base: "grouping", edits: []edit{del("context")}, want: "grouping: context is required"},
		{name: "§4.4 grouping without object_refs", base: "grouping", edits: []edit{del("object_refs")}, want: "grouping: object_refs is required"},
		{name: "§4.5 identity without name", base: "identity", edits: []edit{del("name")}, want: "identity: name is required"},
		{name: "§4.6 incident without name", base: "incident", edits: []edit{del("name")}, want: "incident: name is required"},
		{name: "§4.7 indicator without pattern", base: "indicator", edits: []edit{del("pattern")}, want: "indicator: pattern is required"},
		{name: "§4.7 indicator without pattern_type", base: "indicator", edits: []edit{del("pattern_type")}, want: "indicator: pattern_type is required"},
		{name: "§4.7 indicator without valid_from", base: "indicator", edits: []edit{del("valid_from")}, want: "indicator: valid_from is required"},
		{name: "§4.7 valid_until equal to valid_from", base: "indicator", edits: []edit{set("valid_until", t0), set("valid_from", t0)},
			want: `indicator: valid_until "` + t0 + `" is not after valid_from`},
		{name: "§4.7 valid_until before valid_from", base: "indicator", edits: []edit{set("valid_until", "2020-01-01T00:00:00Z")}, want: "is before valid_from"},
		{name: "§9 STIX pattern refused by the pattern parser", base: "indicator", v: stix.Validator{Pattern: func(string) error { return errNotAPattern }},
			want: `indicator: pattern_type "stix" needs a STIX pattern: unexpected token at 0`},
		{name: "§4.8 infrastructure without name", base: "infrastructure", edits: []edit{del("name")}, want: "infrastructure: name is required"},
		{name: "§4.9 intrusion-set without name", base: "intrusion-set", edits: []edit{del("name")}, want: "intrusion-set: name is required"},
		{name: "§4.10 location without region, country or coordinates", base: "location", edits: []edit{del("region")}, want: "location: needs region, country, or latitude and longitude"},
		{name: "§4.10 latitude without longitude", base: "location-coords", edits: []edit{del("longitude")}, want: "location: latitude and longitude go together"},
		{name: "§4.10 latitude out of range", base: "location-coords", edits: []edit{set("latitude", 91)}, want: "location: latitude: 91 is out of range"},
		{name: "§4.10 latitude as a string", base: "location-coords", edits: []edit{set("latitude", "48.85")}, want: "location: latitude: want a number, found a string"},
		{name: "§4.10 precision without coordinates", base: "location", edits: []edit{set("precision", 10)}, want: "location: precision needs latitude and longitude"},
		{name: "§4.11 malware without is_family", base: "malware", edits: []edit{del("is_family")}, want: "malware: is_family is required"},
		{name: "§4.11 malware family without name", base: "malware", edits: []edit{del("name")}, want: "malware: name is required for a malware family"},
		{name: "§4.11 operating_system_refs not software", base: "malware-instance", edits: []edit{set("operating_system_refs", []any{id("file")})},
			want: `malware: operating_system_refs[0]: "` + id("file") + `" is not a software id`},
		{name: "§4.12 malware-analysis without product", base: "malware-analysis", edits: []edit{del("product")}, want: "malware-analysis: product is required"},
		{name: "§4.12 malware-analysis without result", base: "malware-analysis", edits: []edit{del("result")}, want: "malware-analysis: needs result or analysis_sco_refs"},
		{name: "§4.12 sample_ref of a wrong type", base: "malware-analysis", edits: []edit{set("sample_ref", ipv4ID)}, want: "is not a file, network-traffic or artifact id"},
		{name: "§4.13 note without content", base: "note", edits: []edit{del("content")}, want: "note: content is required"},
		{name: "§4.13 note without object_refs", base: "note", edits: []edit{del("object_refs")}, want: "note: object_refs is required"},
		{name: "§4.14 number_observed 0", base: "observed-data", edits: []edit{set("number_observed", 0)}, want: "observed-data: number_observed: 0 is out of range: want 1 to 999999999"},
		{name: "§4.14 number_observed too large", base: "observed-data", edits: []edit{set("number_observed", 1000000000)}, want: "number_observed: 1000000000 is out of range"},
		{name: "§4.14 last_observed before first_observed", base: "observed-data", edits: []edit{set("last_observed", "2020-01-01T00:00:00Z")}, want: "observed-data: last_observed"},
		{name: "§4.14 objects and object_refs", base: "observed-data", edits: []edit{set("objects", map[string]any{"0": map[string]any{"type": "file", "name": "a"}})},
			want: "observed-data: objects and object_refs must not both be present"},
		{name: "§4.14 neither objects nor object_refs", base: "observed-data", edits: []edit{del("object_refs")}, want: "observed-data: object_refs is required"},
		{name: "§4.14 object_refs to an SDO", base: "observed-data", edits: []edit{set("object_refs", []any{id("indicator")})}, want: "is not an SCO or SRO id"},
		{name: "§4.14 object_refs without an SCO", base: "observed-data", edits: []edit{set("object_refs", []any{id("relationship")})}, want: "object_refs: needs at least one SCO"},
		{name: "§10.18 opinion not in opinion-enum", base: "opinion", edits: []edit{set("opinion", "maybe")}, want: `opinion: opinion: "maybe" is not one of strongly-disagree`},
		{name: "§4.16 report without published", base: "report", edits: []edit{del("published")}, want: "report: published is required"},
		{name: "§4.16 report without name", base: "report", edits: []edit{del("name")}, want: "report: name is required"},
		{name: "§4.17 threat-actor without name", base: "threat-actor", edits: []edit{del("name")}, want: "threat-actor: name is required"},
		{name: "§4.18 tool without name", base: "tool", edits: []edit{del("name")}, want: "tool: name is required"},
		{name: "§4.19 vulnerability without name", base: "vulnerability", edits: []edit{del("name")}, want: "vulnerability: name is required"},
		// §5 SROs
		{name: "§5.1 relationship without relationship_type", base: "relationship", edits: []edit{del("relationship_type")}, want: "relationship: relationship_type is required"},
		{name: "§5.1 relationship_type with capitals", base: "relationship", edits: []edit{set("relationship_type", "Uses")}, want: `relationship: relationship_type "Uses": want a-z, 0-9 and - only`},
		{name: "§5.1 relationship without target_ref", base: "relationship", edits: []edit{del("target_ref")}, want: "relationship: target_ref is required"},
		{name: "§5.1 source_ref to a marking definition", base: "relationship", edits: []edit{set("source_ref", vocab.TLP2RedMarkingID)}, want: "is not an SDO or SCO id"},
		{name: "§5.1 target_ref to a sighting", base: "relationship", edits: []edit{set("target_ref", id("sighting"))}, want: "is not an SDO or SCO id"},
		{name: "§5.1 stop_time equal to start_time", base: "relationship", edits: []edit{set("stop_time", t0)}, want: "relationship: stop_time"},
		{name: "§5.2 sighting without sighting_of_ref", base: "sighting", edits: []edit{del("sighting_of_ref")}, want: "sighting: sighting_of_ref is required"},
		{name: "§5.2 sighting_of_ref to an SRO", base: "sighting", edits: []edit{set("sighting_of_ref", id("relationship"))}, want: "sighting: sighting_of_ref: \"" + id("relationship") + `" is not an SDO id`},
		{name: "§5.2 sighting_of_ref to an SCO", base: "sighting", edits: []edit{set("sighting_of_ref", ipv4ID)}, want: "is not an SDO id"},
		{name: "§5.2 count negative", base: "sighting", edits: []edit{set("count", -1)}, want: "sighting: count: -1 is out of range: want 0 to 999999999"},
		{name: "§5.2 count too large", base: "sighting", edits: []edit{set("count", 1000000000)}, want: "count: 1000000000 is out of range"},
		{name: "§5.2 last_seen before first_seen", base: "sighting", edits: []edit{set("last_seen", "2026-11-28T09:29:59.999Z")},
			want: `sighting: last_seen "2026-11-28T09:29:59.999Z" is before first_seen`},
		{name: "§5.2 where_sighted_refs to an indicator", base: "sighting", edits: []edit{set("where_sighted_refs", []any{id("indicator")})}, want: "is not an identity or location id"},
		{name: "§5.2 observed_data_refs to a report", base: "sighting", edits: []edit{set("observed_data_refs", []any{id("report")})}, want: "is not an observed-data id"},
		// §6 SCOs
		{name: "§3.2 SCO without id", base: "ipv4-addr", edits: []edit{del("id")}, want: "id is required"},
		{name: "§6.1 artifact with payload_bin and url", base: "artifact-url", edits: []edit{set("payload_bin", "UEsDBA==")}, want: "artifact: payload_bin and url must not both be present"},
		{name: "§6.1 artifact url without hashes", base: "artifact-url", edits: []edit{del("hashes")}, want: "artifact: hashes is required with url"},
		{name: "§6.1 decryption_key without encryption_algorithm", base: "artifact", edits: []edit{del("encryption_algorithm")}, want: "artifact: decryption_key needs encryption_algorithm"},
		{name: "§10.4 encryption_algorithm not in the enum", base: "artifact", edits: []edit{set("encryption_algorithm", "rot13")}, want: `encryption_algorithm: "rot13" is not one of`},
		{name: "§6.2 autonomous-system without number", base: "autonomous-system", edits: []edit{del("number")}, want: "autonomous-system: number is required"},
		{name: "§6.3 directory without path", base: "directory", edits: []edit{del("path")}, want: "directory: path is required"},
		{name: "§6.4 domain-name without value", base: "domain-name", edits: []edit{del("value")}, want: "domain-name: value is required"},
		{name: "§6.4 resolves_to_refs to a url", base: "domain-name", edits: []edit{set("resolves_to_refs", []any{id("url")})}, want: "is not an ipv4-addr, ipv6-addr or domain-name id"},
		{name: "§6.5 email-addr without value", base: "email-addr", edits: []edit{del("value")}, want: "email-addr: value is required"},
		{name: "§6.6 email-message without is_multipart", base: "email-message", edits: []edit{del("is_multipart")}, want: "email-message: is_multipart is required"},
		{name: "§6.6 body with is_multipart true", base: "email-message", edits: []edit{set("is_multipart", true)}, want: "email-message: body is only for is_multipart false"},
		{name: "§6.6 to_refs not email-addr", base: "email-message", edits: []edit{set("to_refs", []any{ipv4ID})}, want: "is not an email-addr id"},
		{name: "§6.6.2 MIME part with body and body_raw_ref", base: "email-multipart", edits: []edit{setIn("body_multipart", "body_raw_ref", id("file"))},
			want: "email-message: body_multipart[0]: needs exactly one of body and body_raw_ref"},
		{name: "§6.7 file without name or hashes", base: "file", edits: []edit{del("name"), del("hashes")}, want: "file: needs hashes or name"},
		{name: "§6.7 file MD5 not hexadecimal", base: "file", edits: []edit{set("hashes", map[string]any{"MD5": strings.Repeat("z", 32)})}, want: "is not a MD5 digest"},
		{name: "§6.7 file size negative", base: "file", edits: []edit{set("size", -1)}, want: "file: size: -1 is out of range"},
		{name: "§6.8 ipv4-addr without value", base: "ipv4-addr", edits: []edit{del("value")}, want: "ipv4-addr: value is required"},
		{name: "§6.8 ipv4-addr value not an address", base: "ipv4-addr", edits: []edit{set("value", "300.1.2.3")}, want: `ipv4-addr: value "300.1.2.3": want an IPv4 address or CIDR block`},
		{name: "§6.8 ipv4-addr with an IPv6 value", base: "ipv4-addr", edits: []edit{set("value", "2001:db8::/32")}, want: "want an IPv4 address"},
		{name: "§6.9 ipv6-addr with an IPv4 value", base: "ipv6-addr", edits: []edit{set("value", "198.51.100.1")}, want: "want an IPv6 address"},
		{name: "§6.10 mac-addr in capitals", base: "mac-addr", edits: []edit{set("value", "00:00:AB:CD:EF:01")}, want: "mac-addr: value \"00:00:AB:CD:EF:01\": want a lowercase colon-delimited MAC-48"},
		{name: "§6.11 mutex without name", base: "mutex", edits: []edit{del("name")}, want: "mutex: name is required"},
		{name: "§6.12 network-traffic without protocols", base: "network-traffic", edits: []edit{del("protocols")}, want: "network-traffic: protocols is required"},
		{name: "§6.12 network-traffic without src_ref and dst_ref", base: "network-traffic", edits: []edit{del("src_ref"), del("dst_ref")}, want: "network-traffic: needs src_ref or dst_ref"},
		{name: "§6.12 port out of range", base: "network-traffic", edits: []edit{set("dst_port", 65536)}, want: "network-traffic: dst_port: 65536 is out of range: want 0 to 65535"},
		{name: "§6.12 end while active", base: "network-traffic", edits: []edit{set("is_active", true)}, want: "network-traffic: end must not be present while is_active is true"},
		{name: "§6.12 end before start", base: "network-traffic", edits: []edit{set("end", "2026-11-28T09:29:00.000Z")}, want: "network-traffic: end"},
		{name: "§6.12 src_ref to a url", base: "network-traffic", edits: []edit{set("src_ref", id("url"))}, want: "is not an ipv4-addr, ipv6-addr, mac-addr or domain-name id"},
		{name: "§6.13 process without properties", base: "process", edits: []edit{del("pid"), del("command_line"), del("image_ref")}, want: "process: needs at least one property"},
		{name: "§6.13 process parent_ref to a file", base: "process", edits: []edit{set("parent_ref", id("file"))}, want: "is not a process id"},
		{name: "§6.14 software without name", base: "software", edits: []edit{del("name")}, want: "software: name is required"},
		{name: "§6.15 url without value", base: "url", edits: []edit{del("value")}, want: "url: value is required"},
		{name: "§6.16 user-account without properties", base: "user-account", edits: []edit{del("user_id"), del("account_created")}, want: "user-account: needs at least one property"},
		{name: "§6.18 x509-certificate with a bad timestamp", base: "x509-certificate", edits: []edit{set("validity_not_before", "yesterday")}, want: "x509-certificate: validity_not_before:"},
		// §7.1 language content
		{name: "§7.1 language-content without object_ref", base: "language-content", edits: []edit{del("object_ref")}, want: "language-content: object_ref is required"},
		{name: "§7.1 language-content without contents", base: "language-content", edits: []edit{del("contents")}, want: "language-content: contents is required"},
		{name: "§7.1 contents key not a language tag", base: "language-content", edits: []edit{setIn("contents", "deutsch!", map[string]any{"name": "x"})}, want: `contents: key "deutsch!" is not an RFC 5646`},
		{name: "§7.1 language-content without modified", base: "language-content", edits: []edit{del("modified")}, want: "modified is required"},
		// §7.2.1 marking definitions
		{name: "§7.2.1 marking without definition_type or extensions", base: "marking-statement", edits: []edit{del("definition_type")}, want: "marking-definition: definition_type is required"},
		{name: "§7.2.1.3 statement marking without statement", base: "marking-statement", edits: []edit{set("definition", map[string]any{"text": "x"})}, want: "marking-definition: definition.statement is required"},
		{name: "§7.2.1.4 a TLP 1.0 marking with another id", base: "marking-statement",
			edits: []edit{set("definition_type", "tlp"), set("definition", map[string]any{"tlp": "white"})}, want: "no other TLP marking may be created"},
		{name: "§7.2.1.4 TLP 1.0 marking tampered", raw: strings.Replace(tlp1["green"], `"TLP:GREEN"`, `"TLP:RED"`, 1),
			want: `is the TLP:GREEN marking and must be exactly the official object: name is "TLP:RED", want "TLP:GREEN"`},
		{name: "TLP 2.0 marking tampered (right id, wrong name)", raw: strings.Replace(string(stix.MarkingDefinition(vocab.TLPGreen)), `"TLP:GREEN"`, `"TLP:CLEAR"`, 1),
			want: `marking-definition: "` + vocab.TLP2GreenMarkingID + `" is the TLP:GREEN marking and must be exactly the official object: name is "TLP:CLEAR", want "TLP:GREEN"`},
		{name: "TLP 2.0 marking with an extra property", raw: strings.Replace(string(stix.MarkingDefinition(vocab.TLPRed)), `{`, `{"x_acme_note":"ok",`, 1),
			want: "it has x_acme_note, the official object has not"},
		{name: "TLP 2.0 extension on an unofficial marking", base: "marking-extension",
			edits: []edit{set("extensions", map[string]any{vocab.TLP2ExtensionDefinitionID: map[string]any{"extension_type": "property-extension", "tlp_2_0": "red"}})},
			want:  "uses the TLP 2.0 extension but is not one of its five official marking definitions"},
		{name: "§3.2 a marking definition marking itself", base: "marking-statement", edits: []edit{set("object_marking_refs", []any{id("marking-definition")})},
			want: "a marking definition cannot mark itself"},
		{name: "§7.2.1 marking definition without created", base: "marking-statement", edits: []edit{del("created")}, want: "created is required"},
		// §7.3 extension definitions
		{name: "§7.3 extension-definition without created_by_ref", base: "extension-definition", edits: []edit{del("created_by_ref")},
			want: "extension-definition: created_by_ref is required"},
		{name: "§7.3 extension-definition without schema", base: "extension-definition", edits: []edit{del("schema")}, want: "extension-definition: schema is required"},
		{name: "§7.3 extension-definition without version", base: "extension-definition", edits: []edit{del("version")}, want: "extension-definition: version is required"},
		{name: "§7.3 extension_types outside the enum", base: "extension-definition", edits: []edit{set("extension_types", []any{"new-widget"})},
			want: `extension-definition: extension_types[0]: "new-widget" is not one of`},
		{name: "§7.3 extension_properties without toplevel-property-extension", base: "extension-definition", edits: []edit{set("extension_types", []any{"new-sdo"})},
			want: "extension_properties is only for extension_types with toplevel-property-extension"},
		// §11.2, §7.3.2.2 custom objects
		{name: "§11.2 custom object with a bad created", base: "custom-object", edits: []edit{set("created", "now")}, want: `created: "now"`},
		{name: "§11.2 custom object modified before created", base: "custom-object", edits: []edit{set("modified", "2020-01-01T00:00:00.000Z")}, want: "is before created"},
		{name: "§11.2 custom object with spec_version 2.0", base: "custom-object", edits: []edit{set("spec_version", "2.0")}, want: "only STIX 2.1 is accepted"},
		{name: "§11.2 custom type with a double hyphen", base: "custom-object", edits: []edit{set("type", "x--widget")}, want: "want a STIX type name"},
	}
	for _, c := range cases {
		raw := json.RawMessage(c.raw)
		if c.base != "" {
			base, ok := valid[c.base]
			if !ok {
				t.Fatalf("%s: no valid object %q", c.name, c.base)
			}
			m := clone(t, base)
			for _, e := range c.edits {
				e(m)
			}
			raw = encode(t, m)
		}
		_, err := c.v.Validate(raw)
		switch {
		case err == nil:
			t.Errorf("%s: accepted %s", c.name, raw)
		case !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: error %q, want it to contain %q", c.name, err, c.want)
		case strings.Contains(err.Error(), "\n"):
			t.Errorf("%s: error on more than one line: %q", c.name, err)
		}
	}
}

// §9: the pattern checker sees the pattern of indicators whose
// pattern_type is "stix" only.
func TestValidatePatternHook(t *testing.T) {
	var seen []string
	v := stix.Validator{Pattern: func(p string) error { seen = append(seen, p); return nil }}
	for _, n := range []string{"indicator", "indicator-full"} {
		if _, err := v.Validate(encode(t, valid[n])); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	if want := []string{"[ipv4-addr:value = '198.51.100.1']"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("Pattern saw %q, want %q (only pattern_type stix)", seen, want)
	}
}

// The object returned is the trimmed input; the size bound applies to the
// input as received.
func TestValidateRaw(t *testing.T) {
	raw := append(append([]byte(" \n"), encode(t, valid["identity"])...), '\n')
	o, err := (&stix.Validator{}).Validate(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(o.Raw, bytes.TrimSpace(raw)) || o.Type != "identity" || o.Version != t0 {
		t.Errorf("Validate = %+v", o)
	}
	big := clone(t, valid["note"])
	big["content"] = strings.Repeat("a", stix.DefaultMaxObjectBytes)
	if _, err := (&stix.Validator{}).Validate(encode(t, big)); err == nil || !strings.Contains(err.Error(), "more than the 1048576 bytes") {
		t.Errorf("object over 1 MiB: %v", err)
	}
	if _, err := (&stix.Validator{MaxObjectBytes: 2 << 20}).Validate(encode(t, big)); err != nil {
		t.Errorf("object under a raised bound: %v", err)
	}
}

func TestValidLanguageTag(t *testing.T) {
	for _, ok := range []string{"en", "de-CH", "zh-Hant-TW", "sr-Latn-RS", "es-419", "en-GB-oed", "x-private", "de-DE-1996", "i-klingon"} {
		if !stix.ValidLanguageTag(ok) {
			t.Errorf("ValidLanguageTag(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "e", "en_US", "english!", "de-", "-de", "en--gb"} {
		if stix.ValidLanguageTag(bad) {
			t.Errorf("ValidLanguageTag(%q) = true", bad)
		}
	}
}

// exampleObjects returns every object of the official example bundles.
func exampleObjects(t testing.TB) []json.RawMessage {
	t.Helper()
	dir := filepath.Join(stixtest.ConformanceDir(t), "stix2-json-schemas", "examples")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	more, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var out []json.RawMessage
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var bundle struct {
			Type    string            `json:"type"`
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(b, &bundle); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if bundle.Type != "bundle" {
			bundle.Objects = []json.RawMessage{b}
		}
		out = append(out, bundle.Objects...)
	}
	return out
}

// Every object of the official example bundles is accepted, with and
// without the official schemas, and Validate reads what Parse reads.
func TestValidateOfficialExamples(t *testing.T) {
	objs := exampleObjects(t)
	if len(objs) < 200 {
		t.Fatalf("found %d example objects, want the 250-odd of the corpus", len(objs))
	}
	for _, v := range []*stix.Validator{{}, {Schemas: stixtest.Schemas(t)}} {
		for _, raw := range objs {
			got, err := v.Validate(raw)
			if err != nil {
				t.Errorf("schemas %v: %v\n%s", v.Schemas != nil, err, raw)
				continue
			}
			if want, _ := stix.Parse(raw); !reflect.DeepEqual(got, want) {
				t.Errorf("Validate = %+v, Parse = %+v", got, want)
			}
		}
	}
}

// With the official schemas, the objects of the types STIX defines are
// checked against them too; custom and extension-defined objects (here the
// incident-core event, impact and task) are not, since core.json refuses
// what the specification allows.
func TestValidateWithSchemas(t *testing.T) {
	v := stix.Validator{Schemas: stixtest.Schemas(t)}
	for _, n := range []string{"indicator", "malware", "sighting", "ipv4-addr", "network-traffic", "marking-statement",
		"extension-definition", "language-content", "event", "impact", "task", "custom-object"} {
		if _, err := v.Validate(encode(t, valid[n])); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	// Something only the schema checks: a tool_types value that is not a list.
	m := clone(t, valid["tool"])
	m["tool_types"] = "remote-access"
	if _, err := (&stix.Validator{}).Validate(encode(t, m)); err != nil {
		t.Fatalf("without schemas: %v", err)
	}
	if _, err := v.Validate(encode(t, m)); err == nil || !strings.Contains(err.Error(), "schema of tool") {
		t.Errorf("with schemas, tool_types not a list: %v", err)
	}
}

// The five published TLP 2.0 marking definitions are accepted, with and
// without schemas; the same object with another name is not.
func TestValidateTLP2Files(t *testing.T) {
	dir := filepath.Join(stixtest.ConformanceDir(t), "tlp2")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 5 {
		t.Fatalf("found %d TLP 2.0 files in %s, want 5", len(files), dir)
	}
	for _, v := range []*stix.Validator{{}, {Schemas: stixtest.Schemas(t)}} {
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			o, err := v.Validate(b)
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
				continue
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			m["name"] = "TLP:" + strings.ToUpper(strings.TrimSuffix(filepath.Base(f), ".json")) + "-ISH"
			if _, err := v.Validate(encode(t, m)); err == nil || !strings.Contains(err.Error(), "must be exactly the official object: name is") {
				t.Errorf("%s (%s) with name %q: %v", filepath.Base(f), o.ID, m["name"], err)
			}
		}
	}
}

// FuzzValidate: Validate never panics, and what it accepts Parse reads the
// same way.
func FuzzValidate(f *testing.F) {
	for _, m := range valid {
		f.Add([]byte(encode(f, m)))
	}
	for _, raw := range tlp1 {
		f.Add([]byte(raw))
	}
	f.Add([]byte(`{"type":"identity","a":{"b":[1,2,{"c":null}]}}`))
	f.Add([]byte(`{"type":"identity","type":"identity"}`))
	v := stix.Validator{Pattern: func(s string) error {
		if strings.HasPrefix(s, "[") {
			return nil
		}
		return errNotAPattern
	}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		o, err := v.Validate(raw)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error on more than one line: %q", err)
			}
			return
		}
		p, err := stix.Parse(raw)
		if err != nil {
			t.Fatalf("Validate accepted what Parse refuses (%v): %s", err, raw)
		}
		if !reflect.DeepEqual(o, p) {
			t.Fatalf("Validate = %+v, Parse = %+v", o, p)
		}
	})
}

// BenchmarkValidate reports objects/s over a mix of objects: the official
// examples when ../shared is present (also with the schemas), else the
// valid fixtures.
func BenchmarkValidate(b *testing.B) {
	var fixtures []json.RawMessage
	for _, m := range valid {
		fixtures = append(fixtures, encode(b, m))
	}
	run := func(b *testing.B, v *stix.Validator, objs []json.RawMessage) {
		var bytes int64
		for _, o := range objs {
			bytes += int64(len(o))
		}
		b.SetBytes(bytes / int64(len(objs)))
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if _, err := v.Validate(objs[i%len(objs)]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
	}
	b.Run("fixtures", func(b *testing.B) { run(b, &stix.Validator{}, fixtures) })
	b.Run("examples", func(b *testing.B) { run(b, &stix.Validator{}, exampleObjects(b)) })
	b.Run("examples+schemas", func(b *testing.B) { run(b, &stix.Validator{Schemas: stixtest.Schemas(b)}, exampleObjects(b)) })
}
