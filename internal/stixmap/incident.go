package stixmap

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// IncidentCoreExtensionID is the OASIS CTI TC Incident Core Extension
// (oasis-open/cti-stix-common-objects, extension-definition-specifications/
// incident-core).
const IncidentCoreExtensionID = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"

// kindLabels name the kinds of incident in the incident's description.
var kindLabels = map[store.IncidentKind]string{
	store.KindIncident:    "Incident",
	store.KindNearMiss:    "Near miss",
	store.KindCyberThreat: "Significant cyber threat",
}

func (m *mapper) incidentSDO(subs []store.Submission, notes []store.IncidentEvent, inds []Indicator) json.RawMessage {
	in := m.s.Incident
	changed := in.UpdatedAt
	for _, s := range subs {
		changed = latest(changed, s.SubmittedAt)
	}
	for _, e := range notes {
		changed = latest(changed, e.At)
	}
	for _, i := range inds {
		changed = latest(changed, i.CreatedAt)
	}
	if m.s.Assessment != nil {
		changed = latest(changed, m.s.Assessment.ComputedAt)
	}
	obj := m.object("incident", m.incident, in.CreatedAt, changed, true)
	obj["name"] = cmp.Or(in.Title, in.Reference, in.ID)

	desc := cmp.Or(kindLabels[in.Kind], "Incident") + " reported to " + cmp.Or(m.s.Node.Title, m.s.Node.Name)
	if ms := m.entityMemberState(); ms != "" {
		desc += " by an entity established in " + ms
	}
	if in.Reference != "" {
		desc += " (reference " + in.Reference + ")"
	}
	obj["description"] = desc + "."

	sig, basis, assessed := m.significance()
	obj["extensions"] = map[string]any{
		IncidentCoreExtensionID: m.incidentCore(sig && assessed),
		ExtensionDefinitionID:   m.nisnetExtension(subs, sig, basis, assessed),
	}
	return mustJSON(obj)
}

// incidentCore returns the Incident Core Extension block (mapping in the
// package documentation).
func (m *mapper) incidentCore(significant bool) map[string]any {
	in := m.s.Incident
	core := map[string]any{"extension_type": "property-extension"}
	switch {
	case in.State == store.StateReceived || in.State == "" || in.Kind == store.KindCyberThreat:
		core["determination"] = "suspected"
	case in.Kind == store.KindNearMiss:
		core["determination"] = "blocked"
	default:
		core["determination"] = "successful-attempt"
	}
	switch in.State {
	case store.StateReceived, "":
		core["investigation_status"] = "new"
	case store.StateClosed:
		core["investigation_status"] = "closed"
	default:
		core["investigation_status"] = "open"
	}
	if c, ok := criticality[in.ImpactSeverity]; ok {
		core["criticality"] = c
	}

	var types []string
	if t, ok := rsitIncidentTypes[in.RSIT]; ok {
		types = append(types, t)
	}
	f := m.facts.Incident
	if m.factsOK && (f.Impact.MaliciousUnauthorisedAccess || (f.DORA != nil && f.DORA.MaliciousUnauthorisedAccess)) {
		types = append(types, "unauthorized-access")
	}
	if significant {
		types = append(types, "major")
	}
	slices.Sort(types)
	setList(core, "incident_types", slices.Compact(types))

	if m.factsOK {
		counts := map[string]int64{}
		if f.PersonalData != nil && f.PersonalData.DataSubjects > 0 {
			counts["individuals"] = f.PersonalData.DataSubjects
		}
		if u := max(f.Impact.UsersCompletelyUnavailable, f.Impact.UsersLimitedAvailability, f.Impact.UsersDataCompromised); u > 0 {
			counts["users"] = u
		}
		if f.DORA != nil && f.DORA.ClientsAffected > 0 {
			counts["clients"] = f.DORA.ClientsAffected
		}
		if f.DORA != nil && f.DORA.CounterpartsAffected > 0 {
			counts["counterparts"] = f.DORA.CounterpartsAffected
		}
		if len(counts) > 0 {
			core["impacted_entity_counts"] = counts
		}
	}
	return core
}

// criticality maps the NIS CG impact severity to the Incident Core
// Extension's criticality.
var criticality = map[string]int{"white": 0, "green": 20, "yellow": 65, "red": 95}

// rsitIncidentTypes maps the RSIT class/type values that have one to the
// Incident Core Extension's incident-type-ov.
var rsitIncidentTypes = map[string]string{
	"malicious-code/infected-system":                               "compromised-system",
	"intrusions/privileged-account-compromise":                     "compromised-system",
	"intrusions/unprivileged-account-compromise":                   "compromised-system",
	"intrusions/application-compromise":                            "compromised-system",
	"intrusions/system-compromise":                                 "compromised-system",
	"availability/dos":                                             "denial-of-service",
	"availability/ddos":                                            "denial-of-service",
	"availability/outage":                                          "denial-of-service",
	"availability/sabotage":                                        "destruction",
	"information-content-security/unauthorised-information-access": "unauthorized-access",
	"information-content-security/data-leak":                       "unauthorized-release",
	"fraud/unauthorised-use-of-resources":                          "unauthorized-use",
}

// nisnetExtension returns the block of nisnet's extension (see
// ExtensionDefinition for its properties). Values nisnet does not know are
// absent, never guessed.
func (m *mapper) nisnetExtension(subs []store.Submission, significant bool, basis []string, assessed bool) map[string]any {
	in := m.s.Incident
	ext := map[string]any{
		"extension_type": "property-extension",
		"reference":      cmp.Or(in.Reference, in.ID),
		"state":          string(cmp.Or(in.State, store.StateReceived)),
	}
	if in.Kind != "" {
		ext["kind"] = string(in.Kind)
	}
	setList(ext, "regimes", in.Regimes)
	if len(subs) > 0 {
		var ids []string
		for _, s := range subs {
			if !slices.Contains(ids, s.Report) {
				ids = append(ids, s.Report)
			}
		}
		ext["report_stage"] = subs[len(subs)-1].Report
		ext["reports_submitted"] = ids
	}
	setList(ext, "sectors", in.Sectors)
	setList(ext, "entity_type_codes", m.entityTypes())
	if assessed {
		ext["significant"] = significant
		setList(ext, "significance_basis", basis)
	}
	if m.factsOK {
		affected := slices.Clone(m.facts.Incident.AffectedMemberStates)
		if d := m.facts.Incident.DORA; d != nil {
			affected = append(affected, d.MemberStatesImpacted...)
		}
		slices.Sort(affected)
		affected = slices.Compact(affected)
		setList(ext, "member_states_affected", affected)
		cross := m.facts.Incident.CrossBorderImpact
		if home := m.reportingMemberState(); home != "" {
			cross = cross || slices.ContainsFunc(affected, func(ms string) bool { return ms != home })
		}
		ext["cross_border"] = cross
	}
	if ms := m.reportingMemberState(); ms != "" {
		ext["reporting_member_state"] = ms
	}
	if class, typ, _ := strings.Cut(in.RSIT, "/"); class != "" {
		r := map[string]string{"class": class}
		if typ != "" {
			r["type"] = typ
		}
		ext["rsit"] = r
	}
	impact := map[string]string{}
	if in.ImpactSeverity != "" {
		impact["severity"] = in.ImpactSeverity
	}
	if in.ImpactOutlook != "" {
		impact["outlook"] = in.ImpactOutlook
	}
	if len(impact) > 0 {
		ext["impact"] = impact
	}
	if len(m.redacted) > 0 {
		red := slices.Clone(m.redacted)
		slices.Sort(red)
		ext["redacted_fields"] = slices.Compact(red)
	}
	return ext
}

// significance reads the assessment (see the package documentation):
// assessed is false when there is none or no regime is in scope.
func (m *mapper) significance() (significant bool, basis []string, assessed bool) {
	a := m.s.Assessment
	if a == nil || len(a.Result) == 0 {
		return false, nil, false
	}
	var r rules.Result
	if json.Unmarshal(a.Result, &r) != nil {
		return false, nil, false
	}
	for _, reg := range r.Regimes {
		switch {
		case reg.Status == rules.StatusReportable:
			significant, assessed = true, true
			for _, f := range reg.Significance {
				if f.Outcome == rules.Met && !slices.Contains(basis, f.Rule) {
					basis = append(basis, f.Rule)
				}
			}
		case reg.InScope:
			assessed = true
		}
	}
	return significant, basis, assessed
}

// reportingMemberState is the Member State of the node that shares the
// incident, else the one where the entity is established.
func (m *mapper) reportingMemberState() string {
	return cmp.Or(m.s.Node.MemberState, m.entityMemberState())
}

// entityMemberState is where the reporting entity is established: the
// facts' entity, else the organisation.
func (m *mapper) entityMemberState() string {
	if m.factsOK && m.facts.Entity.MemberState != "" {
		return m.facts.Entity.MemberState
	}
	return m.s.Organisation.MemberState
}

// entityTypes are the entity's NIS2 entity-type codes: the facts', else
// the organisation profile's.
func (m *mapper) entityTypes() []string {
	if m.factsOK && len(m.facts.Entity.EntityTypes) > 0 {
		return m.facts.Entity.EntityTypes
	}
	var p struct {
		EntityTypes []string `json:"entity_types"`
	}
	if len(m.s.Organisation.Profile) > 0 && json.Unmarshal(m.s.Organisation.Profile, &p) == nil {
		return p.EntityTypes
	}
	return nil
}
