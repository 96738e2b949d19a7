// Package stixmap maps one nisnet incident, with its reports, notes and
// indicators, to the STIX 2.1 objects a node shares with other nodes over
// TAXII 2.1.
//
// Mapping choices:
//
//   - Identifiers are derived, never random: every object's id is
//     stix.DerivedID(type, node name + ":" + record id), so the same record
//     keeps the same id in every version and on every call. Relationships and
//     sightings, which have no record of their own, use the node name, the
//     incident id and the indicator id.
//   - created is the record's creation; modified is the record's latest
//     change: submissions, notes and indicators never change, so for them
//     modified = created; the incident's modified is the latest of its
//     UpdatedAt, its submissions, notes and indicators (and never before its
//     creation). Timestamps are written by stix.Timestamp (UTC, milliseconds).
//   - Every object carries created_by_ref = the node identity and
//     object_marking_refs = the TLP 2.0 marking-definition of Incident.TLP,
//     except the marking-definition itself, the two fixed nisnet objects
//     (identity "nisnet" and its extension-definition) and the node identity,
//     which NodeIdentity builds from the Node alone so that it is one and the
//     same object in every incident shared by the node. An invalid TLP label
//     is an error: nothing is shared unmarked.
//   - Caveat: reports, notes and indicators keep their modified when only
//     the incident changes, so a re-marking of the incident (another TLP)
//     gives them new markings under an unchanged version, which a TAXII
//     collection that already holds that version ignores. Callers that
//     re-mark within one collection should revoke and re-share.
//   - A revoked snapshot emits every incident-specific object as a new
//     version with "revoked": true and modified = max(RevokedAt, previous
//     modified + 1 ms). The shared identities (node, reporting organisation,
//     nisnet) and the meta objects are not revoked: they are referenced by
//     other incidents too.
//   - The reporting organisation is an identity with identity_class
//     "organization", its name and, as contact-free description, its Member
//     State. Its id is derived from the node name and the organisation id.
//     No sectors: nisnet's NIS2 sector codes do not map one-to-one to the
//     STIX industry-sector-ov; the NIS2 sectors are in the nisnet extension.
//   - The incident SDO has name = title and a generated description (kind,
//     reporting organisation's Member State, reference). It carries the OASIS
//     Incident Core Extension (extension-definition--ef765651-…) with only
//     investigation_status (received → "new"; triaged, in_progress → "open";
//     closed → "closed") and criticality (integer 0–100 from the impact
//     severity: red 90, yellow 60, green 30, white 10; omitted when unknown).
//     determination is omitted: nisnet records do not say whether an attempt
//     was blocked, failed or succeeded (the extension's JSON Schema lists it
//     as required; the specification text does not, and guessing would
//     mislead the recipient).
//   - nisnet's own property extension (extension-definition fixed as
//     ExtensionDefinitionID) carries the regulatory properties that STIX has
//     no place for: reference, state, regimes, report_stage (the report id of
//     the latest submission), reports_submitted, sectors, significant (true if
//     the assessment found any regime "reportable", false if some regime is
//     in scope and none reportable, omitted otherwise or without assessment),
//     cross_border and member_states_affected (from the facts' incident),
//     reporting_member_state (the facts' entity, else the organisation's),
//     rsit, impact_severity, impact_outlook and redacted_fields. Empty lists
//     and unknown values are omitted.
//   - Each submission is a report SDO: name "<report id> — <reference>",
//     published = SubmittedAt, object_refs = [incident, organisation
//     identity], description = the body's top-level fields as sorted
//     "key: value" lines (values that are not strings as compact JSON).
//     Unless the recipient is entitled to personal data, fields named
//     contact, dpo, email or phone, or whose name has one of these as an
//     underscore-separated word (contact_email, dpo_phone), are removed at any
//     depth; their paths, prefixed with the report id, are listed in the
//     incident's redacted_fields.
//   - Each note event is a note SDO: content = the body's "text",
//     object_refs = [incident], authors = [the actor's pseudonym] — or the
//     actor itself when the recipient is entitled to personal data. The
//     pseudonym is "pseudonym:" + the first 16 hex digits of
//     HMAC-SHA256(PseudonymKey, actor); an empty key is an error.
//   - Each indicator is an indicator SDO (indicator_types
//     ["malicious-activity"], valid_from = ValidFrom or else CreatedAt,
//     pattern_type "stix" when empty) with a relationship "related-to" the
//     incident (STIX 2.1 "indicates" does not target incidents) and a
//     sighting (sighting_of_ref the indicator, where_sighted_refs the
//     reporting organisation, count 1).
//   - Output order is fixed: marking-definition, nisnet identity, extension
//     definition, node identity, organisation identity, incident, reports
//     (by submission time, then id), notes (by time, then id), then for each
//     indicator (by creation, then id) the indicator, its relationship and
//     its sighting.
package stixmap

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
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

// IncidentCoreExtensionID is the OASIS CTI TC Incident Core Extension.
const IncidentCoreExtensionID = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"

// fixedCreated is the created and modified timestamp of the objects that do
// not depend on any record: the nisnet identity, its extension definition
// and node identities.
const fixedCreated = "2026-11-28T00:00:00.000Z"

var (
	// ExtensionDefinitionID is the id of nisnet's property extension.
	ExtensionDefinitionID = stix.DerivedID("extension-definition", "nisnet-nis2")
	// NisnetIdentityID is the identity that created the extension definition.
	NisnetIdentityID = stix.DerivedID("identity", "nisnet")
)

// extensionSchema is the schema property of nisnet's extension definition.
const extensionSchema = `nisnet NIS2 incident properties (property-extension of incident): ` +
	`reference (string, the node's incident reference), state (received, triaged, in_progress, closed), ` +
	`regimes (list: nis2, dora, gdpr, cra), report_stage (string, latest submitted report id, e.g. nis2.early_warning), ` +
	`reports_submitted (list of report ids), sectors (list of NIS2 sector codes), significant (boolean), ` +
	`cross_border (boolean), member_states_affected (list of EU country codes), reporting_member_state (EU country code), ` +
	`rsit (RSIT class/type), impact_severity (red, yellow, green, white), impact_outlook (improving, stable, worsening), ` +
	`redacted_fields (list of report fields withheld from the recipient as personal data).`

// Node is the sharing node (a national authority or CSIRT).
type Node struct {
	Name        string // stable machine name, e.g. "csirt-nl"
	Title       string // display name
	MemberState string // ISO 3166-1 alpha-2 code
}

// Indicator is an indicator of compromise attached to an incident.
type Indicator struct {
	ID          string
	Name        string
	Pattern     string
	PatternType string // empty: "stix"
	ValidFrom   time.Time
	CreatedAt   time.Time
}

// Snapshot is an incident with everything shared about it.
type Snapshot struct {
	Node         Node
	Incident     store.Incident
	Organisation store.Organisation
	Assessment   *store.Assessment // may be nil
	Submissions  []store.Submission
	Notes        []store.IncidentEvent // kind "note"; Body is {"text": "...", ...}
	Indicators   []Indicator
	Revoked      bool // emit every object of the snapshot as a revoked version
	RevokedAt    time.Time
}

// Options are what the recipient is entitled to.
type Options struct {
	PersonalData bool   // recipient entitled to personal data
	PseudonymKey []byte // HMAC key for pseudonyms
}

// NodeIdentity returns the identity object of a node: identity_class
// "organization", id stix.DerivedID("identity", "node:"+n.Name), with fixed
// timestamps so that it is the same object wherever it is shared.
func NodeIdentity(n Node) json.RawMessage {
	id := nodeIdentityID(n)
	o := map[string]any{
		"type":           "identity",
		"spec_version":   stix.SpecVersion,
		"id":             id,
		"created":        fixedCreated,
		"modified":       fixedCreated,
		"created_by_ref": id,
		"name":           nonEmpty(n.Title, n.Name),
		"identity_class": "organization",
	}
	if n.MemberState != "" {
		o["description"] = "nisnet node " + n.Name + " (" + n.MemberState + ")"
	} else {
		o["description"] = "nisnet node " + n.Name
	}
	return mustJSON(o)
}

func nodeIdentityID(n Node) string { return stix.DerivedID("identity", "node:"+n.Name) }

// IncidentID returns the STIX id of the incident SDO of a node's incident.
func IncidentID(n Node, incidentID string) string {
	return stix.DerivedID("incident", n.Name+":"+incidentID)
}

// Incident returns the objects sharing one incident, in a fixed order (see
// the package documentation).
func Incident(s Snapshot, o Options) ([]json.RawMessage, error) {
	tlp := vocab.TLPLabel(s.Incident.TLP)
	if !tlp.Valid() {
		return nil, fmt.Errorf("stixmap: incident %s: invalid TLP label %q", s.Incident.ID, s.Incident.TLP)
	}
	if s.Node.Name == "" {
		return nil, errors.New("stixmap: node name is required")
	}
	if !o.PersonalData && len(o.PseudonymKey) == 0 && len(s.Notes) > 0 {
		return nil, errors.New("stixmap: a pseudonym key is required to share notes without personal data")
	}
	m := mapper{s: s, o: o, marking: tlp.MarkingID(), node: nodeIdentityID(s.Node)}
	m.org = stix.DerivedID("identity", s.Node.Name+":"+s.Organisation.ID)
	m.incident = IncidentID(s.Node, s.Incident.ID)

	subs := slices.Clone(s.Submissions)
	sort.SliceStable(subs, func(i, j int) bool {
		if !subs[i].SubmittedAt.Equal(subs[j].SubmittedAt) {
			return subs[i].SubmittedAt.Before(subs[j].SubmittedAt)
		}
		return subs[i].ID < subs[j].ID
	})
	notes := slices.Clone(s.Notes)
	sort.SliceStable(notes, func(i, j int) bool {
		if !notes[i].At.Equal(notes[j].At) {
			return notes[i].At.Before(notes[j].At)
		}
		return notes[i].ID < notes[j].ID
	})
	inds := slices.Clone(s.Indicators)
	sort.SliceStable(inds, func(i, j int) bool {
		if !inds[i].CreatedAt.Equal(inds[j].CreatedAt) {
			return inds[i].CreatedAt.Before(inds[j].CreatedAt)
		}
		return inds[i].ID < inds[j].ID
	})

	out := []json.RawMessage{
		stix.MarkingDefinition(tlp),
		nisnetIdentity(),
		extensionDefinition(),
		NodeIdentity(s.Node),
		m.organisation(),
	}

	var reports []json.RawMessage
	var redacted []string
	for _, sub := range subs {
		r, red, err := m.report(sub)
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
		redacted = append(redacted, red...)
	}
	out = append(out, m.incidentSDO(subs, notes, inds, redacted))
	out = append(out, reports...)
	for _, n := range notes {
		out = append(out, m.note(n))
	}
	for _, ind := range inds {
		out = append(out, m.indicator(ind)...)
	}
	return out, nil
}

// mapper holds what every object of one snapshot shares.
type mapper struct {
	s        Snapshot
	o        Options
	marking  string
	node     string // node identity id
	org      string // organisation identity id
	incident string // incident SDO id
}

// object returns the common properties of an incident-specific object,
// applying the revocation of the snapshot when revocable.
func (m *mapper) object(typ, id string, created, modified time.Time, revocable bool) map[string]any {
	if modified.Before(created) {
		modified = created
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
		modified = revokedAt(m.s.RevokedAt, modified)
		obj["revoked"] = true
	}
	obj["modified"] = stix.Timestamp(modified)
	return obj
}

// revokedAt is the modified timestamp of a revoked version: RevokedAt, but
// at least a millisecond after the previous version's modified (STIX
// timestamps have millisecond precision here).
func revokedAt(at, previous time.Time) time.Time {
	next := previous.Truncate(time.Millisecond).Add(time.Millisecond)
	if at.Truncate(time.Millisecond).Before(next) {
		return next
	}
	return at
}

func (m *mapper) organisation() json.RawMessage {
	org := m.s.Organisation
	obj := m.object("identity", m.org, org.CreatedAt, org.CreatedAt, false)
	obj["name"] = nonEmpty(org.Name, org.ID)
	obj["identity_class"] = "organization"
	if org.MemberState != "" {
		obj["description"] = "Reporting entity established in " + org.MemberState
	}
	return mustJSON(obj)
}

func (m *mapper) incidentSDO(subs []store.Submission, notes []store.IncidentEvent, inds []Indicator, redacted []string) json.RawMessage {
	inc := m.s.Incident
	modified := inc.UpdatedAt
	for _, s := range subs {
		modified = maxTime(modified, s.SubmittedAt)
	}
	for _, n := range notes {
		modified = maxTime(modified, n.At)
	}
	for _, i := range inds {
		modified = maxTime(modified, i.CreatedAt)
	}
	obj := m.object("incident", m.incident, inc.CreatedAt, modified, true)
	obj["name"] = nonEmpty(inc.Title, inc.Reference, inc.ID)

	var facts rules.Facts
	factsOK := len(inc.Facts) > 0 && json.Unmarshal(inc.Facts, &facts) == nil
	reportingMS := m.s.Organisation.MemberState
	if factsOK && facts.Entity.MemberState != "" {
		reportingMS = facts.Entity.MemberState
	}
	desc := strings.ReplaceAll(nonEmpty(string(inc.Kind), "incident"), "_", " ")
	desc = strings.ToUpper(desc[:1]) + desc[1:] + " reported"
	if reportingMS != "" {
		desc += " by an entity established in " + reportingMS
	}
	desc += " to " + nonEmpty(m.s.Node.Title, m.s.Node.Name)
	if inc.Reference != "" {
		desc += " (reference " + inc.Reference + ")"
	}
	obj["description"] = desc + "."

	core := map[string]any{
		"extension_type":       "property-extension",
		"investigation_status": investigationStatus(inc.State),
	}
	if c, ok := criticality[inc.ImpactSeverity]; ok {
		core["criticality"] = c
	}

	ext := map[string]any{
		"extension_type": "property-extension",
		"reference":      inc.Reference,
		"state":          string(inc.State),
	}
	setList(ext, "regimes", inc.Regimes)
	setList(ext, "sectors", inc.Sectors)
	setList(ext, "redacted_fields", redacted)
	var reported []string
	for _, s := range subs {
		if !slices.Contains(reported, s.Report) {
			reported = append(reported, s.Report)
		}
	}
	if len(subs) > 0 {
		ext["report_stage"] = subs[len(subs)-1].Report
		ext["reports_submitted"] = reported
	}
	if sig, ok := significant(m.s.Assessment); ok {
		ext["significant"] = sig
	}
	if factsOK {
		ext["cross_border"] = facts.Incident.CrossBorderImpact
		setList(ext, "member_states_affected", facts.Incident.AffectedMemberStates)
	}
	if reportingMS != "" {
		ext["reporting_member_state"] = reportingMS
	}
	for k, v := range map[string]string{"rsit": inc.RSIT, "impact_severity": inc.ImpactSeverity, "impact_outlook": inc.ImpactOutlook} {
		if v != "" {
			ext[k] = v
		}
	}
	obj["extensions"] = map[string]any{IncidentCoreExtensionID: core, ExtensionDefinitionID: ext}
	return mustJSON(obj)
}

// criticality maps nisnet's impact severity to the Incident Core
// Extension's criticality (0–100).
var criticality = map[string]int{"red": 90, "yellow": 60, "green": 30, "white": 10}

func investigationStatus(s store.IncidentState) string {
	switch s {
	case store.StateReceived, "":
		return "new"
	case store.StateClosed:
		return "closed"
	default:
		return "open"
	}
}

// significant reads an assessment: true if some regime is reportable, false
// if some regime is in scope and none is, unknown otherwise.
func significant(a *store.Assessment) (sig, ok bool) {
	if a == nil || len(a.Result) == 0 {
		return false, false
	}
	var r rules.Result
	if json.Unmarshal(a.Result, &r) != nil {
		return false, false
	}
	inScope := false
	for _, reg := range r.Regimes {
		if reg.Status == rules.StatusReportable {
			return true, true
		}
		if reg.InScope && reg.Status == rules.StatusNotReportable {
			inScope = true
		}
	}
	return false, inScope
}

func (m *mapper) report(sub store.Submission) (json.RawMessage, []string, error) {
	obj := m.object("report", stix.DerivedID("report", m.s.Node.Name+":"+sub.ID), sub.SubmittedAt, sub.SubmittedAt, true)
	obj["name"] = sub.Report + " — " + nonEmpty(m.s.Incident.Reference, m.s.Incident.ID)
	obj["published"] = stix.Timestamp(sub.SubmittedAt)
	obj["object_refs"] = []string{m.incident, m.org}

	var body map[string]any
	var redacted []string
	if len(sub.Body) > 0 {
		d := json.NewDecoder(bytes.NewReader(sub.Body))
		d.UseNumber()
		if err := d.Decode(&body); err != nil {
			return nil, nil, fmt.Errorf("stixmap: submission %s: body is not a JSON object: %v", sub.ID, err)
		}
	}
	if !m.o.PersonalData {
		redacted = redact(body, sub.Report)
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines []string
	for _, k := range keys {
		v := body[k]
		s, ok := v.(string)
		if !ok {
			s = string(mustJSON(v))
		}
		lines = append(lines, k+": "+s)
	}
	if len(lines) > 0 {
		obj["description"] = strings.Join(lines, "\n")
	}
	return mustJSON(obj), redacted, nil
}

// personalWords are the field names (or underscore-separated words of
// field names) withheld as personal data.
var personalWords = []string{"contact", "dpo", "email", "phone"}

func personalField(name string) bool {
	for _, w := range strings.Split(strings.ToLower(name), "_") {
		if slices.Contains(personalWords, w) {
			return true
		}
	}
	return false
}

// redact removes the personal fields of v at any depth and returns their
// paths under prefix, sorted.
func redact(v any, prefix string) []string {
	var out []string
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			if personalField(k) {
				delete(t, k)
				out = append(out, prefix+"."+k)
				continue
			}
			out = append(out, redact(c, prefix+"."+k)...)
		}
	case []any:
		for i, c := range t {
			out = append(out, redact(c, fmt.Sprintf("%s[%d]", prefix, i))...)
		}
	}
	sort.Strings(out)
	return out
}

func (m *mapper) note(e store.IncidentEvent) json.RawMessage {
	obj := m.object("note", stix.DerivedID("note", m.s.Node.Name+":"+e.ID), e.At, e.At, true)
	var body struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(e.Body, &body)
	obj["content"] = nonEmpty(body.Text, "(no text)")
	obj["object_refs"] = []string{m.incident}
	author := e.Actor
	if !m.o.PersonalData {
		author = Pseudonym(m.o.PseudonymKey, e.Actor)
	}
	if author != "" {
		obj["authors"] = []string{author}
	}
	return mustJSON(obj)
}

// Pseudonym returns "pseudonym:" and the first 16 hex digits of
// HMAC-SHA256(key, value).
func Pseudonym(key []byte, value string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(value))
	return "pseudonym:" + hex.EncodeToString(h.Sum(nil))[:16]
}

func (m *mapper) indicator(ind Indicator) []json.RawMessage {
	name := m.s.Node.Name
	id := stix.DerivedID("indicator", name+":"+ind.ID)
	obj := m.object("indicator", id, ind.CreatedAt, ind.CreatedAt, true)
	if ind.Name != "" {
		obj["name"] = ind.Name
	}
	obj["indicator_types"] = []string{"malicious-activity"}
	obj["pattern"] = ind.Pattern
	obj["pattern_type"] = nonEmpty(ind.PatternType, "stix")
	validFrom := ind.ValidFrom
	if validFrom.IsZero() {
		validFrom = ind.CreatedAt
	}
	obj["valid_from"] = stix.Timestamp(validFrom)

	link := name + ":" + m.s.Incident.ID + ":" + ind.ID
	rel := m.object("relationship", stix.DerivedID("relationship", link), ind.CreatedAt, ind.CreatedAt, true)
	rel["relationship_type"] = "related-to"
	rel["source_ref"] = id
	rel["target_ref"] = m.incident

	sig := m.object("sighting", stix.DerivedID("sighting", link), ind.CreatedAt, ind.CreatedAt, true)
	sig["sighting_of_ref"] = id
	sig["where_sighted_refs"] = []string{m.org}
	sig["count"] = 1
	return []json.RawMessage{mustJSON(obj), mustJSON(rel), mustJSON(sig)}
}

func nisnetIdentity() json.RawMessage {
	return mustJSON(map[string]any{
		"type":           "identity",
		"spec_version":   stix.SpecVersion,
		"id":             NisnetIdentityID,
		"created":        fixedCreated,
		"modified":       fixedCreated,
		"name":           "nisnet",
		"identity_class": "organization",
	})
}

func extensionDefinition() json.RawMessage {
	return mustJSON(map[string]any{
		"type":            "extension-definition",
		"spec_version":    stix.SpecVersion,
		"id":              ExtensionDefinitionID,
		"created_by_ref":  NisnetIdentityID,
		"created":         fixedCreated,
		"modified":        fixedCreated,
		"name":            "nisnet NIS2 incident properties",
		"description":     "Regulatory properties of incidents reported under NIS2, DORA, GDPR and the CRA, as shared between EU authorities by nisnet.",
		"schema":          extensionSchema,
		"version":         "1.0.0",
		"extension_types": []string{"property-extension"},
	})
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("stixmap: " + err.Error())
	}
	return b
}

func nonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// setList sets a list property unless it is empty: STIX lists are never
// empty, so an empty list is omitted.
func setList(obj map[string]any, key string, s []string) {
	if len(s) > 0 {
		obj[key] = s
	}
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
