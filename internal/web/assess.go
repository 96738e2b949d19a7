package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
)

// The guided form "Is this reportable?": the incident facts of the
// reportability engine (docs/assess.md) that an operator knows, in
// sections. The entity's part comes from the organisation's profile.
type guidedSection struct {
	Key    string // names the section's heading message: assess.s.<key>
	Fields []formField
}

func guidedSections() []guidedSection {
	f := func(name, kind string, opts ...string) formField {
		ff := formField{Name: name, Kind: kind}
		for _, o := range opts {
			ff.Options = append(ff.Options, option{Value: o})
		}
		return ff
	}
	return []guidedSection{
		{"incident", []formField{
			f("incident.kind", kSelect, "incident", "near_miss", "cyber_threat"),
			f("incident.title", kText),
			f("incident.aware_at", kInstant),
			f("incident.occurred_at", kInstant),
			f("incident.detected_at", kInstant),
			f("incident.suspected_malicious", kBool),
			f("incident.cross_border_impact", kBool),
			f("incident.affected_member_states", kStates),
			f("incident.scheduled_maintenance", kBool),
		}},
		{"nis2", []formField{
			f("incident.nis2_judgement.severe_operational_disruption", kYesNo, "", "yes", "no"),
			f("incident.nis2_judgement.financial_loss", kYesNo, "", "yes", "no"),
			f("incident.nis2_judgement.considerable_damage_to_others", kYesNo, "", "yes", "no"),
		}},
		{"impact", []formField{
			f("incident.impact.complete_unavailability", kDuration),
			f("incident.impact.limited_availability", kDuration),
			f("incident.impact.eu_users", kInt),
			f("incident.impact.users_completely_unavailable", kInt),
			f("incident.impact.users_limited_availability", kInt),
			f("incident.impact.direct_financial_loss_eur", kNumber),
			f("incident.impact.data_compromised", kBool),
			f("incident.impact.data_compromise_malicious", kBool),
			f("incident.impact.users_data_compromised", kInt),
			f("incident.impact.malicious_unauthorised_access", kBool),
			f("incident.impact.capable_of_severe_disruption", kBool),
			f("incident.impact.trade_secrets_exfiltrated", kBool),
			f("incident.impact.physical_access_compromised", kBool),
			f("incident.impact.health_damage", kBool),
			f("incident.impact.death", kBool),
		}},
		{"dora", []formField{
			f("incident.dora.classified_major_at", kInstant),
			f("incident.dora.affects_critical_functions", kBool),
			f("incident.dora.clients_affected", kInt),
			f("incident.dora.clients_total", kInt),
			f("incident.dora.service_downtime", kDuration),
			f("incident.dora.duration", kDuration),
			f("incident.dora.malicious_unauthorised_access", kBool),
			f("incident.dora.data_loss_adverse", kBool),
			f("incident.dora.economic_impact_eur", kNumber),
			f("incident.dora.member_states_impacted", kStates),
		}},
		{"gdpr", []formField{
			f("incident.personal_data.breach", kBool),
			f("incident.personal_data.risk", kSelect, "", "unlikely", "risk", "high"),
			f("incident.personal_data.data_subjects", kInt),
		}},
		{"cra", []formField{
			f("incident.cra.product", kText),
			f("incident.cra.actively_exploited_vulnerability", kBool),
			f("incident.cra.affects_protection", kBool),
			f("incident.cra.malicious_code", kBool),
		}},
	}
}

// assessData is the guided form with, after a POST, the engine's verdict.
type assessData struct {
	Sections []guidedSection
	Profile  string // the entity profile (JSON) for authority readers
	Error    string
	Result   *rules.Result
	CanFile  bool // the reader may report the incident from here
}

// label fills the translated labels of the guided form.
func (d *assessData) label(v *view, form url.Values) {
	for si := range d.Sections {
		for fi := range d.Sections[si].Fields {
			f := &d.Sections[si].Fields[fi]
			f.Label = v.T("assess.f." + f.Name)
			if f.Kind == kDuration {
				f.Hint = v.T("form.hint_duration")
			}
			if f.Kind == kInstant {
				f.Hint = v.T("form.hint_instant", "zone", v.Zone.String())
			}
			for oi := range f.Options {
				if f.Options[oi].Value == "" {
					f.Options[oi].Label = v.T("form.unanswered")
				} else {
					f.Options[oi].Label = v.T("assess.o." + f.Options[oi].Value)
				}
			}
			if form != nil {
				f.fill(form)
			}
		}
	}
	if f := &d.Sections[0].Fields[2]; f.Name == "incident.aware_at" {
		f.Required = true
	}
}

func (u *UI) assessForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Me == nil {
		return errSignIn
	}
	d := &assessData{Sections: guidedSections(), Profile: "{}", CanFile: v.Entity()}
	d.label(v, nil)
	d.Sections[0].Fields[2].Value = localInput(time.Now(), v.Zone)
	v.Title, v.Nav = v.T("assess.title"), "assess"
	u.render(w, http.StatusOK, "assess", v, d)
	return nil
}

// assess runs the engine on the form (POST /api/v1/assessments) and shows
// the verdict under it; with action=report it files the incident instead
// (POST /api/v1/incidents) and opens it.
func (u *UI) assess(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Me == nil {
		return errSignIn
	}
	d := &assessData{Sections: guidedSections(), Profile: r.PostFormValue("profile"), CanFile: v.Entity()}
	d.label(v, r.PostForm)
	v.Title, v.Nav = v.T("assess.title"), "assess"
	facts, bad := d.facts(v)
	if bad > 0 {
		d.Error = v.T("form.fix_fields")
		u.render(w, http.StatusBadRequest, "assess", v, d)
		return nil
	}
	if r.PostFormValue("action") == "report" && d.CanFile {
		var created struct {
			Incident struct {
				ID string `json:"id"`
			} `json:"incident"`
		}
		title, _ := facts["incident"].(map[string]any)["title"].(string)
		_, err := u.call(r, http.MethodPost, "/api/v1/incidents", map[string]any{"title": title, "facts": facts}, &created)
		if err == nil {
			return redirect(w, r, "/incidents/"+url.PathEscape(created.Incident.ID))
		}
		return u.assessFailed(w, v, d, err, "facts.")
	}

	facts["now"] = time.Now().UTC().Format(time.RFC3339)
	if v.Entity() {
		var org struct {
			Profile json.RawMessage `json:"profile"`
		}
		if _, err := u.call(r, http.MethodGet, "/api/v1/organisations/"+url.PathEscape(v.Me.Organisation.ID), nil, &org); err != nil {
			return err
		}
		facts["entity"] = org.Profile
	} else {
		var profile map[string]any
		if err := json.Unmarshal([]byte(d.Profile), &profile); err != nil {
			d.Error = v.T("assess.bad_profile")
			u.render(w, http.StatusBadRequest, "assess", v, d)
			return nil
		}
		facts["entity"] = profile
	}
	var res rules.Result
	if _, err := u.call(r, http.MethodPost, "/api/v1/assessments", facts, &res); err != nil {
		return u.assessFailed(w, v, d, err, "")
	}
	d.Result = &res
	u.render(w, http.StatusOK, "assess", v, d)
	return nil
}

// assessFailed shows the API's objections next to the fields they concern.
func (u *UI) assessFailed(w http.ResponseWriter, v *view, d *assessData, err error, prefix string) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		return err
	}
	n := 0
	for si := range d.Sections {
		n += markErrors(d.Sections[si].Fields, ae, prefix)
	}
	d.Error = v.T("form.fix_fields")
	if n == 0 {
		d.Error = ae.Message
	}
	u.render(w, http.StatusBadRequest, "assess", v, d)
	return nil
}

// facts builds the facts document from the form. A section of optional
// objects (nis2_judgement, dora, personal_data, cra) appears only when one
// of its fields was answered, so "not answered" stays unknown to the engine.
func (d *assessData) facts(v *view) (map[string]any, int) {
	var all []formField
	for _, s := range d.Sections {
		all = append(all, s.Fields...)
	}
	facts, bad := toJSON(all, v.Zone, v)
	// Copy the per-field errors back into the sections.
	i := 0
	for si := range d.Sections {
		for fi := range d.Sections[si].Fields {
			d.Sections[si].Fields[fi].Error = all[i].Error
			i++
		}
	}
	inc, _ := facts["incident"].(map[string]any)
	if inc == nil {
		inc = map[string]any{}
		facts["incident"] = inc
	}
	if pd, ok := inc["personal_data"].(map[string]any); ok {
		if _, ok := pd["breach"]; !ok {
			pd["breach"] = false
		}
	}
	if cra, ok := inc["cra"].(map[string]any); ok && len(cra) == 1 && cra["product"] != nil {
		delete(inc, "cra") // a product name alone says nothing happened to it
	}
	return facts, bad
}
