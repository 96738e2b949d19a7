package stixmap

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/report"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// industrySectors maps the NIS2 sectors (rules' entity-type catalogue) that
// have a matching value in STIX's industry-sector-ov. The others —
// digital-infrastructure, postal, waste-management, food, research,
// domain-registration — have none and are left out of the identity's
// sectors (they stay in nisnet's extension).
var industrySectors = map[string]string{
	"energy":                          "energy",
	"transport":                       "transportation",
	"banking":                         "financial-services",
	"financial-market-infrastructure": "financial-services",
	"health":                          "healthcare",
	"drinking-water":                  "water",
	"waste-water":                     "water",
	"ict-service-management":          "technology",
	"digital-providers":               "technology",
	"public-administration":           "government",
	"local-public-administration":     "government-local",
	"space":                           "aerospace",
	"chemicals":                       "chemical",
	"manufacturing":                   "manufacturing",
	"education":                       "education",
}

// organisation returns the reporting organisation's identity. Its sectors
// are those of the organisation's NIS2 entity types (profile, else facts),
// else the incident's sectors, where STIX has an equivalent.
func (m *mapper) organisation() json.RawMessage {
	org := m.s.Organisation
	obj := m.object("identity", m.org, org.CreatedAt, org.CreatedAt, false)
	obj["name"] = cmp.Or(org.Name, org.ID)
	obj["identity_class"] = "organization"
	var nis2 []string
	for _, code := range m.entityTypes() {
		if et, ok := rules.LookupEntityType(code); ok {
			nis2 = append(nis2, et.Sector)
		}
	}
	if len(nis2) == 0 {
		nis2 = m.s.Incident.Sectors
	}
	var sectors []string
	for _, s := range nis2 {
		if v, ok := industrySectors[s]; ok {
			sectors = append(sectors, v)
		}
	}
	slices.Sort(sectors)
	setList(obj, "sectors", slices.Compact(sectors))
	desc := "Entity that reported the incident"
	if ms := m.entityMemberState(); ms != "" {
		desc += ", established in " + ms
	}
	obj["description"] = desc + "."
	return mustJSON(obj)
}

// report returns the report SDO of one submission. subs are all the
// snapshot's submissions (to name the one it replaces).
func (m *mapper) report(sub store.Submission, subs []store.Submission) (json.RawMessage, error) {
	var body map[string]any
	if len(bytes.TrimSpace(sub.Body)) > 0 {
		d := json.NewDecoder(bytes.NewReader(sub.Body))
		d.UseNumber()
		if err := d.Decode(&body); err != nil {
			return nil, fmt.Errorf("stixmap: submission %s: the body is not a JSON object: %v", sub.ID, err)
		}
	}
	if !m.o.PersonalData {
		for _, f := range redact(body, "") {
			m.redacted = append(m.redacted, sub.Report+"."+f)
		}
	}
	typ, known := report.Lookup(sub.Report)

	obj := m.object("report", derivedID(m.s.Node, "report", sub.ID), sub.SubmittedAt, sub.SubmittedAt, true)
	name := sub.Report
	if known {
		name = strings.ToUpper(typ.Regime) + " " + typ.Title
	}
	obj["name"] = name + " — " + cmp.Or(m.s.Incident.Reference, m.s.Incident.ID)
	obj["labels"] = []string{sub.Report}
	obj["published"] = stix.Timestamp(sub.SubmittedAt)
	obj["object_refs"] = []string{m.incident, m.org}

	var head []string
	if known {
		head = append(head, typ.Title+" ("+typ.Basis+")")
	}
	line := "Submitted " + stix.Timestamp(sub.SubmittedAt)
	if sub.SubmittedBy != "" {
		line += " by " + m.person(sub.SubmittedBy)
	}
	if !sub.DueAt.IsZero() {
		line += "; due " + stix.Timestamp(sub.DueAt)
	}
	if sub.OnTime != nil {
		line += map[bool]string{true: "; on time", false: "; late"}[*sub.OnTime]
	}
	head = append(head, line+".")
	if sub.SupersedesID != "" {
		prev := derivedID(m.s.Node, "report", sub.SupersedesID)
		if i := slices.IndexFunc(subs, func(s store.Submission) bool { return s.ID == sub.SupersedesID }); i >= 0 {
			head = append(head, "Replaces the submission of "+stix.Timestamp(subs[i].SubmittedAt)+" ("+prev+").")
		} else {
			head = append(head, "Replaces an earlier submission ("+prev+").")
		}
	}
	var lines []string
	for _, f := range typ.Fields {
		if v, ok := body[f.Name]; ok {
			lines = append(lines, f.Label+": "+fieldText(v))
			delete(body, f.Name)
		}
	}
	rest := make([]string, 0, len(body))
	for k := range body {
		rest = append(rest, k)
	}
	slices.Sort(rest)
	for _, k := range rest {
		lines = append(lines, k+": "+fieldText(body[k]))
	}
	desc := strings.Join(head, "\n")
	if len(lines) > 0 {
		desc += "\n\n" + strings.Join(lines, "\n")
	}
	obj["description"] = desc
	return mustJSON(obj), nil
}

// fieldText writes a field's value for a report's description: text as it
// is, booleans as yes or no, lists joined by "; ", numbers and anything
// else as JSON.
func fieldText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		if t {
			return "yes"
		}
		return "no"
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = fieldText(e)
		}
		return strings.Join(parts, "; ")
	default:
		return string(mustJSON(v))
	}
}

// personalWords are the words that make a report field personal data
// (contact details of a person): a field whose name is one of them, or has
// one of them as an underscore-separated word.
var personalWords = []string{"contact", "dpo", "email", "phone", "telephone"}

// personalField reports whether a field's name marks it as personal data.
func personalField(name string) bool {
	for _, w := range strings.Split(strings.ToLower(name), "_") {
		if slices.Contains(personalWords, w) {
			return true
		}
	}
	return false
}

// redact removes the personal fields of v, at any depth, and returns their
// paths (dot-separated, list elements as [i]) under prefix.
func redact(v any, prefix string) []string {
	var out []string
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			path := k
			if prefix != "" {
				path = prefix + "." + k
			}
			if personalField(k) {
				delete(t, k)
				out = append(out, path)
				continue
			}
			out = append(out, redact(t[k], path)...)
		}
	case []any:
		for i, e := range t {
			out = append(out, redact(e, fmt.Sprintf("%s[%d]", prefix, i))...)
		}
	}
	return out
}

// note returns the note SDO of a note event; ok is false for a note
// without text (STIX requires content).
func (m *mapper) note(e store.IncidentEvent) (json.RawMessage, bool) {
	var body struct {
		Text string `json:"text"`
	}
	if json.Unmarshal(e.Body, &body) != nil || strings.TrimSpace(body.Text) == "" {
		return nil, false
	}
	obj := m.object("note", derivedID(m.s.Node, "note", e.ID), e.At, e.At, true)
	obj["content"] = body.Text
	if e.Actor != "" {
		obj["authors"] = []string{m.person(e.Actor)}
	}
	obj["object_refs"] = []string{m.incident}
	return mustJSON(obj), true
}

// indicator returns an indicator SDO, its relationship to the incident and
// its sighting by the reporting organisation.
func (m *mapper) indicator(ind Indicator) ([]json.RawMessage, error) {
	if ind.Pattern == "" {
		return nil, fmt.Errorf("stixmap: indicator %s has no pattern", ind.ID)
	}
	id := derivedID(m.s.Node, "indicator", ind.ID)
	obj := m.object("indicator", id, ind.CreatedAt, ind.CreatedAt, true)
	if ind.Name != "" {
		obj["name"] = ind.Name
	}
	obj["indicator_types"] = []string{"malicious-activity"}
	obj["pattern"] = ind.Pattern
	obj["pattern_type"] = cmp.Or(ind.PatternType, "stix")
	validFrom := ind.ValidFrom
	if validFrom.IsZero() {
		validFrom = ind.CreatedAt
	}
	obj["valid_from"] = stix.Timestamp(validFrom)

	rel := m.object("relationship", derivedID(m.s.Node, "relationship", ind.ID), ind.CreatedAt, ind.CreatedAt, true)
	rel["relationship_type"] = "related-to"
	rel["source_ref"] = id
	rel["target_ref"] = m.incident

	sig := m.object("sighting", derivedID(m.s.Node, "sighting", ind.ID), ind.CreatedAt, ind.CreatedAt, true)
	sig["sighting_of_ref"] = id
	sig["where_sighted_refs"] = []string{m.org}
	if m.factsOK {
		f := m.facts.Incident
		for _, t := range []*time.Time{f.OccurredAt, f.DetectedAt, f.AwareAt} {
			if t != nil && !t.IsZero() {
				sig["first_seen"] = stix.Timestamp(*t)
				break
			}
		}
	}
	return []json.RawMessage{mustJSON(obj), mustJSON(rel), mustJSON(sig)}, nil
}

// person returns how a person's identifier is shared: as it is when the
// recipient is entitled to personal data (and for "system"), else its
// pseudonym.
func (m *mapper) person(id string) string {
	if m.o.PersonalData || id == "system" || id == "" {
		return id
	}
	return Pseudonym(m.o.PseudonymKey, id)
}

// checkPseudonymKey fails when an identifier is to be pseudonymised without
// a key.
func (m *mapper) checkPseudonymKey() error {
	if m.o.PersonalData || len(m.o.PseudonymKey) > 0 {
		return nil
	}
	for _, s := range m.s.Submissions {
		if s.SubmittedBy != "" && s.SubmittedBy != "system" {
			return fmt.Errorf("stixmap: submission %s: a pseudonym key is needed to share who submitted it without personal data", s.ID)
		}
	}
	for _, e := range m.s.Notes {
		if e.Kind == store.EventNote && e.Actor != "" && e.Actor != "system" {
			return fmt.Errorf("stixmap: note %s: a pseudonym key is needed to share its author without personal data", e.ID)
		}
	}
	return nil
}

// Pseudonym returns the pseudonym of an identifier: "pseudonym:" and the
// first 16 hex digits of HMAC-SHA256(key, value).
func Pseudonym(key []byte, value string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(value))
	return "pseudonym:" + hex.EncodeToString(h.Sum(nil))[:16]
}
