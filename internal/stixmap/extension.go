package stixmap

import (
	"encoding/json"

	"github.com/nisnet-eu/nisnet/internal/stix"
)

// fixedTimestamp is created and modified of the objects that are the same
// on every node: nisnet's identity and extension-definition, and node
// identities. A change of nisnet's extension is a new version of the
// extension-definition with a later modified (and version).
const fixedTimestamp = "2026-11-28T00:00:00.000Z"

// Fixed ids, the same on every node.
var (
	// NisnetIdentityID is the identity of the nisnet project, which defines
	// nisnet's extension.
	NisnetIdentityID = stix.DerivedID("identity", "nisnet")
	// ExtensionDefinitionID is nisnet's property extension of incident
	// (the NIS2, DORA, GDPR and CRA properties).
	ExtensionDefinitionID = stix.DerivedID("extension-definition", "nisnet-nis2")
)

// ExtensionVersion is the version of nisnet's extension.
const ExtensionVersion = "1.0.0"

// ExtensionDefinition returns nisnet's extension-definition and the nisnet
// identity that creates it (identity first). Both are the same objects on
// every node: fixed ids, fixed timestamps, no marking. Its schema is a JSON
// Schema (draft 2020-12) of the extension's properties, as a string:
//
//	extension_type          "property-extension" (required)
//	reference               the node's reference of the incident, e.g. "NL-2026-000042" (required)
//	state                   received, triaged, in_progress or closed (required)
//	kind                    incident, near_miss or cyber_threat (NIS2 Art 6(6), 6(5), 6(8))
//	regimes                 list of nis2, dora, gdpr, cra: the regimes under which the incident is reported
//	report_stage            the report id of the latest submission, e.g. "nis2.notification"
//	reports_submitted       list of the report ids submitted, in order
//	sectors                 list of NIS2 sector codes, e.g. "energy"
//	entity_type_codes       list of NIS2 entity-type codes, e.g. "energy/electricity/dso"
//	significant             boolean: significant (NIS2), major (DORA) or notifiable (GDPR, CRA) under some regime
//	significance_basis      list of the rules (articles) met that make it so, e.g. "2024/2690 Art 3(1)(a)"
//	cross_border            boolean: the facts say it could have a cross-border impact, or member_states_affected names another Member State
//	member_states_affected  list of EU country codes
//	reporting_member_state  EU country code of the node that shares the incident
//	rsit                    {"class", "type"} of the Reference Security Incident Taxonomy
//	impact                  {"severity": red|yellow|green|white, "outlook": improving|stable|worsening} (NIS CG taxonomy)
//	redacted_fields         list of "<report id>.<field>" withheld from the recipient as personal data
func ExtensionDefinition() []json.RawMessage {
	return []json.RawMessage{
		mustJSON(map[string]any{
			"type":           "identity",
			"spec_version":   stix.SpecVersion,
			"id":             NisnetIdentityID,
			"created":        fixedTimestamp,
			"modified":       fixedTimestamp,
			"name":           "nisnet",
			"identity_class": "organization",
			"description":    "The nisnet project: incident reporting and sharing for EU cybersecurity authorities. It defines nisnet's STIX extensions.",
		}),
		mustJSON(map[string]any{
			"type":            "extension-definition",
			"spec_version":    stix.SpecVersion,
			"id":              ExtensionDefinitionID,
			"created_by_ref":  NisnetIdentityID,
			"created":         fixedTimestamp,
			"modified":        fixedTimestamp,
			"name":            "nisnet NIS2/DORA incident properties",
			"description":     "Regulatory properties of an incident reported to an EU authority under NIS2 (Directive (EU) 2022/2555), DORA (Regulation (EU) 2022/2554), the GDPR or the CRA, as shared between authorities by nisnet. Property extension of incident.",
			"schema":          string(extensionSchema),
			"version":         ExtensionVersion,
			"extension_types": []string{"property-extension"},
		}),
	}
}

// extensionSchema is the JSON Schema of nisnet's extension, the
// extension-definition's "schema".
var extensionSchema = func() []byte {
	str := map[string]any{"type": "string", "minLength": 1}
	list := func(items map[string]any) map[string]any {
		return map[string]any{"type": "array", "minItems": 1, "items": items}
	}
	country := map[string]any{"type": "string", "pattern": "^[A-Z]{2}$"}
	enum := func(values ...string) map[string]any { return map[string]any{"type": "string", "enum": values} }
	return mustJSON(map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://nisnet.eu/stix/extension-definition/nisnet-nis2/" + ExtensionVersion,
		"title":       "nisnet NIS2/DORA incident properties",
		"description": "Property extension of the STIX 2.1 incident: the regulatory properties of an incident reported under NIS2, DORA, GDPR or the CRA.",
		"type":        "object",
		"required":    []string{"extension_type", "reference", "state"},
		"properties": map[string]any{
			"extension_type":         map[string]any{"const": "property-extension"},
			"reference":              str,
			"state":                  enum("received", "triaged", "in_progress", "closed"),
			"kind":                   enum("incident", "near_miss", "cyber_threat"),
			"regimes":                list(enum("nis2", "dora", "gdpr", "cra")),
			"report_stage":           str,
			"reports_submitted":      list(str),
			"sectors":                list(str),
			"entity_type_codes":      list(str),
			"significant":            map[string]any{"type": "boolean"},
			"significance_basis":     list(str),
			"cross_border":           map[string]any{"type": "boolean"},
			"member_states_affected": list(country),
			"reporting_member_state": country,
			"rsit": map[string]any{"type": "object", "required": []string{"class"}, "additionalProperties": false,
				"properties": map[string]any{"class": str, "type": str}},
			"impact": map[string]any{"type": "object", "minProperties": 1, "additionalProperties": false,
				"properties": map[string]any{"severity": enum("red", "yellow", "green", "white"),
					"outlook": enum("improving", "stable", "worsening")}},
			"redacted_fields": list(str),
		},
		"additionalProperties": false,
	})
}()
