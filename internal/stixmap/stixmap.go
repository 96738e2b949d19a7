// Package stixmap maps nisnet's records to STIX 2.1 objects for sharing
// between nodes. The functions are pure: the same snapshot gives the same
// objects, byte for byte.
//
// Choices:
//   - Ids are derived (UUIDv5, stix.DerivedID) from the node's name and the
//     record's id, so a record keeps its STIX id in every version and on
//     every node that receives it.
//   - created is the record's creation; modified its latest change. The
//     incident's modified is the latest of its own update, its staged
//     reports, notes and indicators, so any change gives a new version.
//     A revoked snapshot gives every object revoked: true and a modified
//     after the one before.
//   - The incident SDO (a stub in STIX 2.1) carries the OASIS incident-core
//     extension (investigation_status, criticality) and nisnet's own
//     property extension with the NIS2/DORA fields (ExtensionProperties).
//   - A staged report becomes a report SDO, an internal note a note SDO, an
//     indicator an indicator SDO with a related-to relationship to the
//     incident and a sighting where the reporting organisation saw it.
//   - Every object made for the incident carries the incident's TLP 2.0
//     marking and created_by_ref the node's identity.
//   - Personal data: report fields that hold contact details (PersonalFields)
//     are left out, and people's ids (who submitted, who wrote a note) are
//     pseudonymised with an HMAC keyed per node, unless the recipient is
//     entitled (Options.PersonalData). What was left out is listed in the
//     extension's redacted_fields.
package stixmap

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// Node is the node that shares.
type Node struct{ Name, Title, MemberState string }

// Extension ids.
const (
	IncidentCoreExtensionID = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
	extensionCreated        = "2026-11-28T00:00:00.000Z"
)

// ExtensionID is nisnet's property extension of incident, the same on
// every node.
var ExtensionID = stix.DerivedID("extension-definition", "nisnet-nis2")

// nisnetIdentityID is the identity that defines nisnet's extension.
var nisnetIdentityID = stix.DerivedID("identity", "nisnet")

// PersonalFields are the report fields that hold personal data (contact
// details of a person, GDPR Art 33(3)(b)).
var PersonalFields = []string{"contact", "dpo", "email", "phone", "contact_person"}

// NodeIdentityID is the STIX identity id of a node.
func NodeIdentityID(n Node) string { return stix.DerivedID("identity", "node:"+n.Name) }

// NodeIdentity is the identity object of the authority running the node.
func NodeIdentity(n Node) json.RawMessage {
	title := n.Title
	if title == "" {
		title = n.Name
	}
	return mustJSON(map[string]any{"type": "identity", "spec_version": stix.SpecVersion, "id": NodeIdentityID(n),
		"created": extensionCreated, "modified": extensionCreated, "name": title, "identity_class": "organization",
		"sectors": []string{"government-national"}, "description": "nisnet node " + n.Name + " (" + n.MemberState + ")"})
}

// IncidentID is the STIX id of an incident's incident SDO.
func IncidentID(n Node, incidentID string) string { return derived(n, "incident", incidentID) }

func derived(n Node, typ, id string) string { return stix.DerivedID(typ, n.Name+":"+id) }

// ExtensionDefinition returns nisnet's extension-definition and the identity
// that defines it.
func ExtensionDefinition() []json.RawMessage {
	return []json.RawMessage{
		mustJSON(map[string]any{"type": "identity", "spec_version": stix.SpecVersion, "id": nisnetIdentityID,
			"created": extensionCreated, "modified": extensionCreated, "name": "nisnet", "identity_class": "system"}),
		mustJSON(map[string]any{"type": "extension-definition", "spec_version": stix.SpecVersion, "id": ExtensionID,
			"created_by_ref": nisnetIdentityID, "created": extensionCreated, "modified": extensionCreated,
			"name": "nisnet NIS2/DORA incident fields", "version": "1.0.0", "extension_types": []string{"property-extension"},
			"description": "Regulatory fields of an incident reported under NIS2 (Directive (EU) 2022/2555), DORA, GDPR or the CRA: " + strings.Join(ExtensionProperties, ", "),
			"schema":      "https://nisnet.eu/stix/extensions/nis2/1.0.0"}),
	}
}

// ExtensionProperties are the properties of nisnet's extension.
var ExtensionProperties = []string{"reference", "state", "kind", "regimes", "report_stage", "reports_submitted", "sectors",
	"significant", "cross_border", "member_states_affected", "reporting_member_state", "rsit", "impact_severity",
	"impact_outlook", "redacted_fields"}

// Indicator is an indicator of compromise of an incident.
type Indicator struct {
	ID, Name, Pattern, PatternType string
	ValidFrom, CreatedAt           time.Time
}

// Snapshot is what is shared of one incident.
type Snapshot struct {
	Node         Node
	Incident     store.Incident
	Organisation store.Organisation
	Assessment   *store.Assessment
	Submissions  []store.Submission
	Notes        []store.IncidentEvent
	Indicators   []Indicator
	Revoked      bool
	RevokedAt    time.Time
}

// Options are the recipient's entitlements.
type Options struct {
	PersonalData bool
	PseudonymKey []byte
}

type mapper struct {
	s        Snapshot
	o        Options
	marking  string
	node     string
	redacted []string
}

// Incident returns the objects that share one incident, in a fixed order.
func Incident(s Snapshot, o Options) ([]json.RawMessage, error) {
	l := vocab.TLPLabel(s.Incident.TLP)
	if !l.Valid() {
		return nil, fmt.Errorf("stixmap: incident %s: TLP %q is not a TLP 2.0 label", s.Incident.ID, s.Incident.TLP)
	}
	m := &mapper{s: s, o: o, marking: l.MarkingID(), node: NodeIdentityID(s.Node)}
	out := []json.RawMessage{stix.MarkingDefinition(l), NodeIdentity(s.Node)}
	out = append(out, ExtensionDefinition()...)
	orgID := derived(s.Node, "identity", "org:"+s.Organisation.ID)
	incID := IncidentID(s.Node, s.Incident.ID)
	orgChanged := s.Organisation.CreatedAt
	out = append(out, m.object("identity", orgID, s.Organisation.CreatedAt, orgChanged, map[string]any{
		"name": s.Organisation.Name, "identity_class": "organization"}))

	var reports []json.RawMessage
	latest := s.Incident.UpdatedAt
	stage, submitted := "", []string{}
	for _, sub := range s.Submissions {
		latest = later(latest, sub.SubmittedAt)
		stage = sub.Report
		if !slices.Contains(submitted, sub.Report) {
			submitted = append(submitted, sub.Report)
		}
		props := map[string]any{"name": sub.Report + " — " + s.Incident.Reference, "published": stix.Timestamp(sub.SubmittedAt),
			"report_types": []string{"threat-report"}, "object_refs": []string{incID, orgID},
			"external_references": []map[string]any{{"source_name": "nisnet", "external_id": sub.ID,
				"description": "submitted by " + m.person(sub.SubmittedBy)}}}
		if d := m.fields(sub.Body); d != "" {
			props["description"] = d
		}
		reports = append(reports, m.object("report", derived(s.Node, "report", sub.ID), sub.SubmittedAt, sub.SubmittedAt, props))
	}
	var notes []json.RawMessage
	for _, e := range s.Notes {
		latest = later(latest, e.At)
		var b struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal(e.Body, &b)
		if b.Text == "" {
			continue
		}
		notes = append(notes, m.object("note", derived(s.Node, "note", e.ID), e.At, e.At, map[string]any{
			"content": b.Text, "authors": []string{m.person(e.Actor)}, "object_refs": []string{incID}}))
	}
	var inds []json.RawMessage
	for _, in := range s.Indicators {
		latest = later(latest, in.CreatedAt)
		indID := derived(s.Node, "indicator", in.ID)
		props := map[string]any{"pattern": in.Pattern, "pattern_type": in.PatternType, "valid_from": stix.Timestamp(in.ValidFrom),
			"indicator_types": []string{"malicious-activity"}}
		if in.Name != "" {
			props["name"] = in.Name
		}
		inds = append(inds,
			m.object("indicator", indID, in.CreatedAt, in.CreatedAt, props),
			m.object("relationship", derived(s.Node, "relationship", in.ID), in.CreatedAt, in.CreatedAt, map[string]any{
				"relationship_type": "related-to", "source_ref": indID, "target_ref": incID}),
			m.object("sighting", derived(s.Node, "sighting", in.ID), in.CreatedAt, in.CreatedAt, map[string]any{
				"sighting_of_ref": indID, "where_sighted_refs": []string{orgID}, "count": 1}))
	}
	out = append(out, m.object("incident", incID, s.Incident.CreatedAt, latest, m.incidentProps(stage, submitted)))
	out = append(out, reports...)
	out = append(out, notes...)
	out = append(out, inds...)
	return out, nil
}

func (m *mapper) incidentProps(stage string, submitted []string) map[string]any {
	in := m.s.Incident
	ext := map[string]any{"extension_type": "property-extension", "reference": in.Reference, "state": string(in.State),
		"kind": string(in.Kind), "reporting_member_state": m.s.Node.MemberState}
	if stage != "" {
		ext["report_stage"] = stage
		ext["reports_submitted"] = submitted
	}
	if len(in.Sectors) > 0 {
		ext["sectors"] = in.Sectors
	}
	if in.RSIT != "" {
		ext["rsit"] = in.RSIT
	}
	if in.ImpactSeverity != "" {
		ext["impact_severity"] = in.ImpactSeverity
	}
	if in.ImpactOutlook != "" {
		ext["impact_outlook"] = in.ImpactOutlook
	}
	var facts struct {
		Incident struct {
			CrossBorderImpact    bool     `json:"cross_border_impact"`
			AffectedMemberStates []string `json:"affected_member_states"`
		} `json:"incident"`
	}
	_ = json.Unmarshal(in.Facts, &facts)
	ext["cross_border"] = facts.Incident.CrossBorderImpact
	if len(facts.Incident.AffectedMemberStates) > 0 {
		ext["member_states_affected"] = facts.Incident.AffectedMemberStates
	}
	regimes := in.Regimes
	if m.s.Assessment != nil {
		var r rules.Result
		if json.Unmarshal(m.s.Assessment.Result, &r) == nil {
			significant := false
			regimes = nil
			for _, rr := range r.Regimes {
				if rr.InScope {
					regimes = append(regimes, rr.Regime)
				}
				significant = significant || rr.Status == rules.StatusReportable
			}
			ext["significant"] = significant
		}
	}
	if len(regimes) > 0 {
		ext["regimes"] = regimes
	}
	if len(m.redacted) > 0 {
		sort.Strings(m.redacted)
		ext["redacted_fields"] = slices.Compact(m.redacted)
	}
	core := map[string]any{"extension_type": "property-extension",
		"investigation_status": map[store.IncidentState]string{store.StateReceived: "new", store.StateTriaged: "open",
			store.StateInProgress: "open", store.StateClosed: "closed"}[in.State]}
	if c, ok := map[string]int{"red": 90, "yellow": 60, "green": 30, "white": 10}[in.ImpactSeverity]; ok {
		core["criticality"] = c
	}
	props := map[string]any{"name": in.Title, "extensions": map[string]any{IncidentCoreExtensionID: core, ExtensionID: ext}}
	return props
}

// fields renders a report body as "key: value" lines, leaving out personal
// fields unless the recipient is entitled.
func (m *mapper) fields(body json.RawMessage) string {
	var f map[string]any
	if json.Unmarshal(body, &f) != nil {
		return ""
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if !m.o.PersonalData && slices.Contains(PersonalFields, k) {
			m.redacted = append(m.redacted, k)
			continue
		}
		v := f[k]
		if s, ok := v.(string); ok {
			fmt.Fprintf(&b, "%s: %s\n", k, s)
		} else {
			j, _ := json.Marshal(v)
			fmt.Fprintf(&b, "%s: %s\n", k, j)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// person is a person's id, or its pseudonym.
func (m *mapper) person(id string) string {
	if m.o.PersonalData || id == "system" || id == "" {
		return id
	}
	h := hmac.New(sha256.New, m.o.PseudonymKey)
	h.Write([]byte(id))
	return "pseudonym:" + hex.EncodeToString(h.Sum(nil))[:16]
}

// object builds one object with the common properties.
func (m *mapper) object(typ, id string, created, modified time.Time, props map[string]any) json.RawMessage {
	// A change of the incident (its TLP marking above all) is a new version
	// of every object that carries its marking: otherwise a re-marked
	// object would keep its version and receivers its old marking.
	modified = later(later(modified, created), m.s.Incident.UpdatedAt)
	if m.s.Revoked {
		modified = later(m.s.RevokedAt, modified.Add(time.Millisecond))
		props["revoked"] = true
	}
	props["type"], props["spec_version"], props["id"] = typ, stix.SpecVersion, id
	props["created"], props["modified"] = stix.Timestamp(created), stix.Timestamp(modified)
	props["created_by_ref"] = m.node
	props["object_marking_refs"] = []string{m.marking}
	return mustJSON(props)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
