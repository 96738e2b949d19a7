// Package stixmap maps one nisnet incident — its reporting organisation,
// assessment, staged reports, notes and indicators — to the STIX 2.1 objects
// a node shares with other nodes over TAXII 2.1. The functions are pure: the
// same snapshot and options give the same objects, byte for byte, in a fixed
// order.
//
// # Identifiers and versions
//
//   - Ids are derived, never random: stix.DerivedID(type, node name + ":" +
//     record id), so a record keeps its STIX id in every version. The
//     relationship and the sighting of an indicator are derived from the
//     indicator's id (the type is part of the derivation). The node identity
//     is stix.DerivedID("identity", "node:" + name); nisnet's own identity
//     and extension-definition have ids fixed for every node.
//   - created is the record's creation. modified is the record's latest
//     change, at least the incident's UpdatedAt (every object carries the
//     incident's marking, so a re-marking is a change of every object), and
//     strictly after Options.NotBefore. The incident's own modified is also
//     at least the latest submission, note, indicator and assessment.
//     Submissions, notes and indicators never change after creation.
//   - Timestamps are written by stix.Timestamp (UTC, milliseconds); modified
//     is compared at that precision, so "after NotBefore" is at least one
//     millisecond after it as written.
//   - A revoked snapshot emits the incident, its reports, notes,
//     indicators, relationships and sightings with "revoked": true and a
//     modified at RevokedAt, but at least one millisecond after the version
//     the same snapshot gives unrevoked. Not revoked, because they are not
//     the incident's alone: the TLP marking-definition, nisnet's identity and
//     extension-definition, the node identity and the reporting
//     organisation's identity (referenced by the node's other incidents of
//     that organisation).
//
// # Markings and authorship
//
// Every object made from the snapshot carries created_by_ref = the node
// identity and object_marking_refs = [the TLP 2.0 marking-definition of
// Incident.TLP]; an incident without a valid TLP 2.0 label is an error, so
// nothing leaves unmarked. The objects that are the same in every incident
// and on every node — the marking-definition itself, nisnet's identity and
// extension-definition (ExtensionDefinition) and the node identity
// (NodeIdentity) — carry no marking and fixed timestamps. The node identity
// is created by itself.
//
// # Objects
//
//   - Reporting organisation: identity, identity_class "organization", its
//     name, "sectors" where a NIS2 sector has an industry-sector-ov
//     equivalent (see industrySectors; the NIS2 codes themselves are in
//     nisnet's extension), and its Member State in the description. No
//     contact information.
//   - Incident: name = title, a generated description (kind, node,
//     reference) and two property extensions. nisnet's own
//     (ExtensionDefinitionID; properties under ExtensionDefinition) carries
//     the regulatory properties; values nisnet does not know are absent,
//     never guessed. The OASIS Incident Core Extension
//     (IncidentCoreExtensionID) carries: determination (required) —
//     "suspected" while the incident is received and for a cyber threat,
//     else "blocked" for a near miss (NIS2 Art 6(5): prevented from
//     materialising) and "successful-attempt" for an incident (Art 6(6));
//     investigation_status — received "new", triaged and in_progress
//     "open", closed "closed"; criticality from the NIS CG impact severity
//     on the extension's "None, Low, High, Extreme" scale (its Appendix
//     A) — white 0, green 20, yellow 65, red 95; incident_types from the
//     RSIT class/type where incident-type-ov has an equivalent
//     (rsitIncidentTypes), "unauthorized-access" when the facts record a
//     malicious unauthorised access, "major" when significant under some
//     regime; impacted_entity_counts from the facts, where given:
//     "individuals" (data subjects of a personal data breach), "users" (the
//     largest NIS2 user count), "clients" and "counterparts" (DORA).
//   - Significant means that some regime of the assessment is "reportable"
//     (a mandatory report is due: significant under NIS2, major under
//     DORA, a notifiable breach or a severe CRA incident); significance_basis
//     are the rules met among those regimes' significance findings.
//     Without an assessment, or when no regime is in scope, significant is
//     absent.
//   - Each submission (a staged report) is a report SDO: name = regime, the
//     report's title and the incident's reference ("NIS2 Early warning —
//     NL-2026-000042"), labels = [the report id], published = submitted_at,
//     object_refs = [incident, organisation identity], description = a
//     header (legal basis, who submitted, due time, which submission it
//     replaces) and one "Label: value" line per field, in the report
//     template's order (package report), fields unknown to the template
//     after them by name.
//   - Each note event (kind "note"; other kinds are skipped) with text is a
//     note SDO: content = the text, authors = [the author],
//     object_refs = [incident].
//   - Each indicator is an indicator SDO (indicator_types
//     ["malicious-activity"]: nisnet records indicators of compromise;
//     pattern_type "stix" when empty; valid_from = ValidFrom, else
//     CreatedAt), a relationship indicator "related-to" incident — STIX 2.1
//     defines "indicates" only towards attack-pattern, campaign,
//     infrastructure, intrusion-set, malware, threat-actor and tool — and a
//     sighting of the indicator where_sighted_refs = [organisation identity]
//     with first_seen = the facts' occurred_at, else detected_at, else
//     aware_at (omitted when none is known) and no count (unknown).
//
// Output order: marking-definition, nisnet identity, extension-definition,
// node identity, organisation identity, incident, reports (by submission
// time, then id), notes (by time, then id), then per indicator (by creation,
// then id) the indicator, its relationship and its sighting.
//
// # Personal data
//
// Unless Options.PersonalData (the recipient is entitled to personal data):
//
//   - Report fields holding contact details of a person are left out of the
//     report's description: fields whose name is, or has as one of its
//     underscore-separated words, one of contact, dpo, email, phone or
//     telephone (so "contact" of the GDPR notification, GDPR Art 33(3)(b),
//     and also "contact_email", "dpo_phone"), at any depth. Their names,
//     as "<report id>.<field>", are listed in nisnet's extension as
//     redacted_fields, so that the recipient knows they exist.
//   - Identifiers of people — who submitted a report (SubmittedBy) and who
//     wrote a note (the event's Actor) — are pseudonymised as "pseudonym:"
//     and the first 16 hex digits of HMAC-SHA256(PseudonymKey, id): stable
//     for one node, so that a recipient can tell that two notes have the
//     same author, and not reversible without the node's key. "system" is
//     not a person and is kept. An empty PseudonymKey is an error when there
//     is an identifier to pseudonymise (an unkeyed hash of a user id could
//     be reversed by trying ids).
//
// With Options.PersonalData, the fields and identifiers are shared as they
// are and redacted_fields is absent. Free text (titles, report texts other
// than the fields above, note texts) is shared as written: the people who
// write it decide what it says. Assignees and the organisation's profile
// are never shared. The options do not change versions: a recipient that
// gets one incident both with and without personal data (through two
// audiences) keeps whichever copy of a version it stores first.
package stixmap

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// Node is the node that shares: the authority (national CSIRT or competent
// authority) running it.
type Node struct {
	Name        string // stable machine name, e.g. "csirt-nl"; part of every derived id
	Title       string // display name, e.g. "CSIRT NL"
	MemberState string // EU country code, e.g. "NL"
}

// Indicator is an indicator of compromise attached to an incident.
type Indicator struct {
	ID          string
	Name        string // optional
	Pattern     string // required
	PatternType string // empty: "stix"
	ValidFrom   time.Time
	CreatedAt   time.Time
}

// Snapshot is an incident with everything that is shared of it.
type Snapshot struct {
	Node         Node
	Incident     store.Incident
	Organisation store.Organisation
	Assessment   *store.Assessment // may be nil
	Submissions  []store.Submission
	Notes        []store.IncidentEvent // kind "note"; Body {"text": …}
	Indicators   []Indicator
	// Revoked: emit the incident and its reports, notes, indicators,
	// relationships and sightings as revoked versions, at RevokedAt.
	Revoked   bool
	RevokedAt time.Time
}

// Options are what the recipient is entitled to, and the versions already
// shared.
type Options struct {
	// PersonalData: the recipient is entitled to personal data. Otherwise
	// personal fields are removed and people's identifiers pseudonymised
	// (see the package documentation).
	PersonalData bool
	// PseudonymKey keys the HMAC that pseudonymises identifiers; it must be
	// stable per node.
	PseudonymKey []byte
	// NotBefore: every modified made from the snapshot is after this
	// instant (the last version already shared), so that a change within
	// the same millisecond still gives a new version. Zero: no bound.
	NotBefore time.Time
}

// NodeIdentityID returns the id of a node's identity.
func NodeIdentityID(n Node) string { return stix.DerivedID("identity", "node:"+n.Name) }

// IncidentID returns the STIX id of the incident SDO of a node's incident.
func IncidentID(n Node, incidentID string) string { return derivedID(n, "incident", incidentID) }

// derivedID is the id of the object of type typ made from a record of the
// node.
func derivedID(n Node, typ, recordID string) string {
	return stix.DerivedID(typ, n.Name+":"+recordID)
}

// NodeIdentity returns the identity of the authority running the node:
// identity_class "organization", no sectors, the Member State in the
// description, created by itself, unmarked, with fixed timestamps, so that
// it is one and the same object in everything the node shares.
func NodeIdentity(n Node) json.RawMessage {
	id := NodeIdentityID(n)
	desc := "Authority running the nisnet node " + n.Name
	if n.MemberState != "" {
		desc += ", " + n.MemberState
	}
	return mustJSON(map[string]any{
		"type":           "identity",
		"spec_version":   stix.SpecVersion,
		"id":             id,
		"created":        fixedTimestamp,
		"modified":       fixedTimestamp,
		"created_by_ref": id,
		"name":           cmp.Or(n.Title, n.Name),
		"identity_class": "organization",
		"description":    desc + ".",
	})
}

// Incident returns the STIX objects that share one incident, in the order
// the package documentation gives.
func Incident(s Snapshot, o Options) ([]json.RawMessage, error) {
	tlp := vocab.TLPLabel(s.Incident.TLP)
	switch {
	case !tlp.Valid():
		return nil, fmt.Errorf("stixmap: incident %s: TLP %q is not a TLP 2.0 label", s.Incident.ID, s.Incident.TLP)
	case s.Node.Name == "":
		return nil, errors.New("stixmap: the node has no name")
	case s.Incident.ID == "":
		return nil, errors.New("stixmap: the incident has no id")
	case s.Revoked && s.RevokedAt.IsZero():
		return nil, fmt.Errorf("stixmap: incident %s: revoked without RevokedAt", s.Incident.ID)
	}
	m := &mapper{s: s, o: o, marking: tlp.MarkingID(), node: NodeIdentityID(s.Node),
		org: derivedID(s.Node, "identity", s.Organisation.ID), incident: IncidentID(s.Node, s.Incident.ID)}
	if len(s.Incident.Facts) > 0 {
		m.factsOK = json.Unmarshal(s.Incident.Facts, &m.facts) == nil
	}
	if err := m.checkPseudonymKey(); err != nil {
		return nil, err
	}

	subs := slices.Clone(s.Submissions)
	slices.SortStableFunc(subs, func(a, b store.Submission) int {
		return cmp.Or(a.SubmittedAt.Compare(b.SubmittedAt), cmp.Compare(a.ID, b.ID))
	})
	var notes []store.IncidentEvent
	for _, e := range s.Notes {
		if e.Kind == store.EventNote {
			notes = append(notes, e)
		}
	}
	slices.SortStableFunc(notes, func(a, b store.IncidentEvent) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
	})
	inds := slices.Clone(s.Indicators)
	slices.SortStableFunc(inds, func(a, b Indicator) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})

	// Reports first: they collect the redacted fields the incident lists.
	var reports []json.RawMessage
	for _, sub := range subs {
		r, err := m.report(sub, subs)
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
	}
	out := []json.RawMessage{stix.MarkingDefinition(tlp)}
	out = append(out, ExtensionDefinition()...)
	out = append(out, NodeIdentity(s.Node), m.organisation(), m.incidentSDO(subs, notes, inds))
	out = append(out, reports...)
	for _, e := range notes {
		if n, ok := m.note(e); ok {
			out = append(out, n)
		}
	}
	for _, ind := range inds {
		objs, err := m.indicator(ind)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// mapper holds what the objects of one snapshot share.
type mapper struct {
	s        Snapshot
	o        Options
	marking  string // TLP 2.0 marking-definition id
	node     string // node identity id
	org      string // organisation identity id
	incident string // incident SDO id
	facts    rules.Facts
	factsOK  bool     // facts were given and could be read
	redacted []string // "<report id>.<field>" left out as personal data
}

// object returns the common properties of an object made from the
// snapshot. changed is the record's latest change; revocable says whether
// the object is the incident's alone (and so revoked with it).
func (m *mapper) object(typ, id string, created, changed time.Time, revocable bool) map[string]any {
	modified := latest(ms(created), ms(changed), ms(m.s.Incident.UpdatedAt))
	if !m.o.NotBefore.IsZero() {
		modified = latest(modified, ms(m.o.NotBefore).Add(time.Millisecond))
	}
	obj := map[string]any{
		"type":                typ,
		"spec_version":        stix.SpecVersion,
		"id":                  id,
		"created":             stix.Timestamp(created),
		"created_by_ref":      m.node,
		"object_marking_refs": []string{m.marking},
	}
	if revocable && m.s.Revoked {
		modified = latest(ms(m.s.RevokedAt), modified.Add(time.Millisecond))
		obj["revoked"] = true
	}
	obj["modified"] = stix.Timestamp(modified)
	return obj
}

// ms truncates t to the millisecond precision of stix.Timestamp.
func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// latest returns the latest of ts.
func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("stixmap: " + err.Error())
	}
	return b
}

// setList sets a list property unless the list is empty (STIX lists are
// never empty).
func setList(obj map[string]any, key string, list []string) {
	if len(list) > 0 {
		obj[key] = list
	}
}
