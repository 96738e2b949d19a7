package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/report"
	"github.com/nisnet-eu/nisnet/internal/rules"
)

// anIncident is an incident as GET /api/v1/incidents/{id} shows it to the
// authority.
type anIncident struct {
	ID             string   `json:"id"`
	OrganisationID string   `json:"organisation_id"`
	Reference      string   `json:"reference"`
	Kind           string   `json:"kind"`
	Title          string   `json:"title"`
	State          string   `json:"state"`
	Sectors        []string `json:"sectors"`
	Regimes        []string `json:"regimes"`
	Assignment     *struct {
		UserID string `json:"user_id"`
		TeamID string `json:"team_id"`
	} `json:"assignment"`
	RSIT           string     `json:"rsit"`
	TLP            string     `json:"tlp"`
	ImpactSeverity string     `json:"impact_severity"`
	ImpactOutlook  string     `json:"impact_outlook"`
	CreatedAt      time.Time  `json:"created_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	Version        int64      `json:"version"`
}

// kv is one labelled value: text, or an instant when At is set.
type kv struct {
	Label, Value string
	At           *time.Time
}

// reportView is a submitted report with its fields.
type reportView struct {
	ID, Report, Title, SHA256 string
	SubmittedAt               time.Time
	DueAt                     *time.Time
	Timeliness                string // on_time, late or "" (no due time)
	Supersedes                bool
	By                        string
	Fields                    []kv
}

// timelineItem is an entry of the timeline or a submitted report, in the
// order they happened.
type timelineItem struct {
	At       time.Time
	Kind     string
	Internal bool
	Actor    string
	Heading  string // translated: what happened
	Text     string // the message, note or feedback as written (escaped by the template)
	Details  []kv
	Report   *reportView
}

// anForm is one of the analyst's forms: its fields, the API field each
// fills, and a message when the API refused it.
type anForm struct {
	Fields []formField
	api    []string
	Error  string
}

func (f *anForm) field(name string) *formField {
	for i := range f.Fields {
		if f.Fields[i].Name == name {
			return &f.Fields[i]
		}
	}
	return nil
}

// incidentData is the authority's incident page.
type incidentData struct {
	Inc         anIncident
	Assessment  *rules.Result
	Entity      string
	Assignee    string
	TeamName    string
	RSITLabel   string
	Reports     []reportView
	Timeline    []timelineItem
	Transitions []option // state changes offered: value and button text
	Forms       map[string]*anForm
	Done        string // a notice after a successful change
}

// TLPClass is the CSS class suffix of the incident's TLP label.
func (d *incidentData) TLPClass() string { return tlpClass(d.Inc.TLP) }

// stateTransitions mirrors the API's transitions (package incident); the
// API decides, and a refused change shows its message.
var stateTransitions = map[string][]string{
	"received":    {"triaged", "in_progress", "closed"},
	"triaged":     {"in_progress", "closed"},
	"in_progress": {"closed"},
	"closed":      {"in_progress"},
}

// The analyst's actions, each a POST under /incidents/{id}/.
const (
	actState    = "state"
	actAssign   = "assignment"
	actClassify = "classification"
	actNote     = "notes"
	actMessage  = "messages"
	actRequest  = "intermediate-requests"
	actFeedback = "feedback"
)

var anActions = []string{actState, actAssign, actClassify, actNote, actMessage, actRequest, actFeedback}

// newForms builds the analyst's forms for inc, with their options.
func (u *UI) newForms(r *http.Request, v *view, inc anIncident, dir *directory) (map[string]*anForm, string, error) {
	sel := func(name, label string, opts []option) formField {
		return formField{Name: name, Label: label, Kind: kSelect, Options: opts}
	}
	text := func(name, label string) formField {
		return formField{Name: name, Label: label, Kind: kLongText, Required: true}
	}
	forms := map[string]*anForm{}

	forms[actState] = &anForm{}

	users := append([]option{{"", v.T("an.assign.nobody")}}, dir.userOpts...)
	teams := append([]option{{"", v.T("an.assign.no_team")}}, dir.teamOpts...)
	as := &anForm{Fields: []formField{sel("assign_user", v.T("an.assign.user"), users), sel("assign_team", v.T("an.assign.team"), teams)},
		api: []string{"user_id", "team_id"}}
	if a := inc.Assignment; a != nil {
		as.Fields[0].Value, as.Fields[1].Value = a.UserID, a.TeamID
		if a.UserID != "" && dir.users[a.UserID] == "" {
			as.Fields[0].Options = append(as.Fields[0].Options, option{a.UserID, dir.user(a.UserID)})
		}
	}
	forms[actAssign] = as

	rsit, err := u.vocabulary(r, "rsit")
	if err != nil {
		return nil, "", err
	}
	tlp, err := u.vocabulary(r, "tlp")
	if err != nil {
		return nil, "", err
	}
	classes := map[string]string{}
	rsitOpts := []option{{"", v.T("an.classify.unclassified")}}
	rsitLabel := inc.RSIT
	for _, e := range rsit {
		if e.Parent == "" {
			classes[e.Code] = e.Label
			continue
		}
		label := classes[e.Parent] + " / " + e.Label
		rsitOpts = append(rsitOpts, option{e.Code, label})
		if e.Code == inc.RSIT {
			rsitLabel = label
		}
	}
	tlpOpts := []option{}
	for _, e := range tlp {
		tlpOpts = append(tlpOpts, option{e.Code, e.Label})
	}
	sevOpts := []option{{"", v.T("an.classify.unset")}}
	for _, s := range []string{"red", "yellow", "green", "white"} {
		sevOpts = append(sevOpts, option{s, v.T("an.sev." + s)})
	}
	outOpts := []option{{"", v.T("an.classify.unset")}}
	for _, s := range []string{"improving", "stable", "worsening"} {
		outOpts = append(outOpts, option{s, v.T("an.outlook." + s)})
	}
	cl := &anForm{Fields: []formField{
		sel("rsit", v.T("an.classify.rsit"), rsitOpts),
		sel("tlp", v.T("tlp.label"), tlpOpts),
		sel("impact_severity", v.T("an.classify.severity"), sevOpts),
		sel("impact_outlook", v.T("an.classify.outlook"), outOpts),
	}, api: []string{"rsit", "tlp", "impact_severity", "impact_outlook"}}
	cl.Fields[0].Value, cl.Fields[1].Value, cl.Fields[2].Value, cl.Fields[3].Value = inc.RSIT, inc.TLP, inc.ImpactSeverity, inc.ImpactOutlook
	cl.Fields[2].Hint, cl.Fields[3].Hint = v.T("an.classify.severity_hint"), v.T("an.classify.outlook_hint")
	forms[actClassify] = cl

	forms[actNote] = &anForm{Fields: []formField{text("note_text", v.T("an.note.text"))}, api: []string{"text"}}
	forms[actNote].Fields[0].Hint = v.T("an.note.hint")
	forms[actMessage] = &anForm{Fields: []formField{text("message_text", v.T("an.message.text"))}, api: []string{"text"}}
	forms[actMessage].Fields[0].Hint = v.T("an.message.hint")
	forms[actFeedback] = &anForm{Fields: []formField{text("feedback_text", v.T("an.feedback.text"))}, api: []string{"text"}}
	forms[actFeedback].Fields[0].Hint = v.T("an.feedback.hint")

	regOpts := []option{{"nis2", v.T("an.request.regime_nis2")}, {"cra", v.T("an.request.regime_cra")}}
	rq := &anForm{Fields: []formField{
		sel("request_regime", v.T("an.request.regime"), regOpts),
		{Name: "request_due_at", Label: v.T("an.request.due_at"), Kind: kInstant, Hint: v.T("form.hint_instant", "zone", v.Zone.String())},
		{Name: "request_message", Label: v.T("an.request.message"), Kind: kLongText},
	}, api: []string{"regime", "due_at", "message"}}
	if has(inc.Regimes, "cra") && !has(inc.Regimes, "nis2") {
		rq.Fields[0].Value = "cra"
	}
	forms[actRequest] = rq
	return forms, rsitLabel, nil
}

// loadIncident reads everything the authority's incident page shows.
func (u *UI) loadIncident(r *http.Request, v *view, id string) (*incidentData, error) {
	var got struct {
		Incident   anIncident    `json:"incident"`
		Assessment *rules.Result `json:"assessment"`
	}
	path := "/api/v1/incidents/" + url.PathEscape(id)
	if _, err := u.call(r, http.MethodGet, path, nil, &got); err != nil {
		return nil, err
	}
	dir, err := u.loadDirectory(r, v)
	if err != nil {
		return nil, err
	}
	inc := got.Incident
	d := &incidentData{Inc: inc, Assessment: got.Assessment, Entity: dir.orgs[inc.OrganisationID]}
	if d.Entity == "" {
		d.Entity = inc.OrganisationID
	}
	if a := inc.Assignment; a != nil {
		if a.UserID != "" {
			d.Assignee = dir.user(a.UserID)
		}
		d.TeamName = dir.teams[a.TeamID]
	}
	for _, s := range stateTransitions[inc.State] {
		label := v.T("an.state.to", "state", v.T("state."+s))
		if inc.State == "closed" {
			label = v.T("an.state.reopen")
		}
		d.Transitions = append(d.Transitions, option{s, label})
	}
	if d.Forms, d.RSITLabel, err = u.newForms(r, v, inc, dir); err != nil {
		return nil, err
	}

	var reports struct {
		Items []struct {
			ID           string          `json:"id"`
			Report       string          `json:"report"`
			SubmittedAt  time.Time       `json:"submitted_at"`
			SHA256       string          `json:"sha256"`
			OnTime       *bool           `json:"on_time"`
			DueAt        *time.Time      `json:"due_at"`
			SupersedesID *string         `json:"supersedes_id"`
			SubmittedBy  string          `json:"submitted_by"`
			Body         json.RawMessage `json:"body"`
		} `json:"items"`
	}
	if _, err := u.call(r, http.MethodGet, path+"/reports?limit=500", nil, &reports); err != nil {
		return nil, err
	}
	for _, s := range reports.Items {
		rv := reportView{ID: s.ID, Report: s.Report, Title: s.Report, SHA256: s.SHA256, SubmittedAt: s.SubmittedAt, DueAt: s.DueAt,
			Supersedes: s.SupersedesID != nil, By: d.Entity}
		if s.OnTime != nil {
			rv.Timeliness = map[bool]string{true: "on_time", false: "late"}[*s.OnTime]
		}
		if n, ok := dir.users[s.SubmittedBy]; ok {
			rv.By = n
		}
		rv.Fields = reportBodyFields(v, s.Report, s.Body, &rv.Title)
		d.Reports = append(d.Reports, rv)
		item := timelineItem{At: s.SubmittedAt, Kind: "report", Actor: rv.By, Heading: v.T("an.tl.report", "report", rv.Title)}
		d.Timeline = append(d.Timeline, item)
	}
	// The reports point into d.Reports; fix them now that it has its length.
	for i, j := 0, 0; i < len(d.Timeline); i++ {
		if d.Timeline[i].Kind == "report" {
			d.Timeline[i].Report = &d.Reports[j]
			j++
		}
	}

	var tl struct {
		Items []struct {
			At         time.Time       `json:"at"`
			Actor      string          `json:"actor"`
			Kind       string          `json:"kind"`
			Visibility string          `json:"visibility"`
			Body       json.RawMessage `json:"body"`
		} `json:"items"`
	}
	if _, err := u.call(r, http.MethodGet, path+"/timeline?limit=500", nil, &tl); err != nil {
		return nil, err
	}
	for _, e := range tl.Items {
		item := timelineItem{At: e.At, Kind: e.Kind, Internal: e.Visibility == "authority"}
		var body struct {
			Text, From, Regime, Message string
			To, RSIT, TLP               string
			UserID                      string     `json:"user_id"`
			TeamID                      string     `json:"team_id"`
			ImpactSeverity              string     `json:"impact_severity"`
			ImpactOutlook               string     `json:"impact_outlook"`
			DueAt                       *time.Time `json:"due_at"`
			HandlingEndedAt             *time.Time `json:"handling_ended_at"`
		}
		json.Unmarshal(e.Body, &body)
		var raw map[string]any
		json.Unmarshal(e.Body, &raw)
		switch e.Kind {
		case "message", "note", "feedback":
			item.Text = body.Text
			item.Heading = v.T("an.tl." + e.Kind)
		case "state":
			if body.HandlingEndedAt != nil {
				item.Heading = v.T("an.tl.handling_ended")
				item.Details = append(item.Details, kv{Label: v.T("an.tl.handling_ended_at"), At: body.HandlingEndedAt})
			} else {
				from, _ := raw["from"].(string)
				item.Heading = v.T("an.tl.state", "from", v.T("state."+from), "to", v.T("state."+body.To))
			}
		case "assignment":
			if body.UserID == "" && body.TeamID == "" {
				item.Heading = v.T("an.tl.unassigned")
			} else {
				item.Heading = v.T("an.tl.assigned")
				if body.UserID != "" {
					item.Details = append(item.Details, kv{Label: v.T("an.assign.user"), Value: dir.user(body.UserID)})
				}
				if body.TeamID != "" {
					item.Details = append(item.Details, kv{Label: v.T("an.assign.team"), Value: dir.teams[body.TeamID]})
				}
			}
		case "classification":
			item.Heading = v.T("an.tl.classification")
			add := func(label, value string) {
				if value != "" {
					item.Details = append(item.Details, kv{Label: label, Value: value})
				}
			}
			add(v.T("an.classify.rsit"), body.RSIT)
			add(v.T("tlp.label"), body.TLP)
			if body.ImpactSeverity != "" {
				add(v.T("an.classify.severity"), v.T("an.sev."+body.ImpactSeverity))
			}
			if body.ImpactOutlook != "" {
				add(v.T("an.classify.outlook"), v.T("an.outlook."+body.ImpactOutlook))
			}
		case "request":
			item.Heading = v.T("an.tl.request", "regime", v.T("regime."+body.Regime))
			if body.DueAt != nil {
				item.Details = append(item.Details, kv{Label: v.T("an.request.due_at"), At: body.DueAt})
			}
			item.Text = body.Message
		default:
			item.Heading = e.Kind
		}
		switch {
		case dir.users[e.Actor] != "":
			item.Actor = dir.users[e.Actor]
		case body.From == "entity":
			item.Actor = d.Entity
		case body.From == "authority" || e.Kind != "message":
			item.Actor = v.T("an.actor.authority")
		default:
			item.Actor = e.Actor
		}
		if e.Kind == "state" && body.HandlingEndedAt != nil && dir.users[e.Actor] == "" {
			item.Actor = d.Entity
		}
		d.Timeline = append(d.Timeline, item)
	}
	sort.SliceStable(d.Timeline, func(i, j int) bool { return d.Timeline[i].At.Before(d.Timeline[j].At) })
	return d, nil
}

// reportBodyFields lists a report body's fields in the order of its type, with
// their labels; fields the type does not name follow by name.
func reportBodyFields(v *view, id string, body json.RawMessage, title *string) []kv {
	var m map[string]any
	json.Unmarshal(body, &m)
	var out []kv
	seen := map[string]bool{}
	show := func(label string, k report.Kind, x any) {
		item := kv{Label: label}
		switch val := x.(type) {
		case bool:
			item.Value = v.T("an.no")
			if val {
				item.Value = v.T("an.yes")
			}
		case []any:
			parts := make([]string, 0, len(val))
			for _, p := range val {
				parts = append(parts, fmt.Sprint(p))
			}
			item.Value = strings.Join(parts, ", ")
		case string:
			if k == report.Instant {
				if t, err := time.Parse(time.RFC3339Nano, val); err == nil {
					item.At = &t
					break
				}
			}
			item.Value = val
		case float64:
			item.Value = fmt.Sprint(val)
		case nil:
			item.Value = "–"
		default:
			b, _ := json.Marshal(val)
			item.Value = string(b)
		}
		out = append(out, item)
	}
	if t, ok := report.Lookup(id); ok {
		*title = reportTitle(v, t.ID)
		for _, f := range t.Fields {
			if x, ok := m[f.Name]; ok {
				show(reportFieldLabel(v, t.ID, f.Name), f.Kind, x)
				seen[f.Name] = true
			}
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		show(k, "", m[k])
	}
	return out
}

// authorityIncident is an incident as the authority sees it.
func (u *UI) authorityIncident(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := u.loadIncident(r, v, r.PathValue("id"))
	if err != nil {
		return err
	}
	if done := r.URL.Query().Get("done"); has(anActions, done) {
		d.Done = v.T("an.done." + strings.ReplaceAll(done, "-", "_"))
	}
	v.Title, v.Nav = d.Inc.Reference+" · "+d.Inc.Title, "incidents"
	u.render(w, http.StatusOK, "incident_authority", v, d)
	return nil
}

// anAction handles one of the analyst's forms: it sends the API request
// and, when that succeeds, returns to the incident page at the form; when
// the API refuses it (400, 409), the page shows why next to the form.
func (u *UI) anAction(act string) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, v *view) error {
		if v.Me == nil {
			return errSignIn
		}
		if !v.Authority() {
			return &pageError{Status: http.StatusForbidden, Message: v.T("error.forbidden")}
		}
		id := r.PathValue("id")
		d, err := u.loadIncident(r, v, id)
		if err != nil {
			return err
		}
		f := d.Forms[act]
		for i := range f.Fields {
			f.Fields[i].fill(r.PostForm)
		}
		body, bad := actionBody(act, r, v, f)
		if bad {
			f.Error = v.T("form.fix_fields")
			return u.actionFailed(w, v, d, http.StatusBadRequest)
		}
		path := "/api/v1/incidents/" + url.PathEscape(id) + "/" + act
		if _, err := u.call(r, http.MethodPost, path, body, nil); err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || (ae.Status != http.StatusBadRequest && ae.Status != http.StatusConflict) {
				return err
			}
			f.Error = ae.Message
			if ae.Status == http.StatusConflict {
				f.Error = v.T("an.conflict", "message", ae.Message)
			}
			for i := range f.Fields {
				if i < len(f.api) {
					if m := ae.field(f.api[i]); m != "" {
						f.Fields[i].Error = m
					}
				}
			}
			return u.actionFailed(w, v, d, ae.Status)
		}
		return redirect(w, r, "/incidents/"+url.PathEscape(id)+"?done="+act+"#"+anchorOf(act))
	}
}

// anchorOf is where the page opens after an action.
func anchorOf(act string) string {
	switch act {
	case actNote, actMessage, actFeedback, actRequest:
		return "timeline"
	}
	return "handling"
}

func (u *UI) actionFailed(w http.ResponseWriter, v *view, d *incidentData, status int) error {
	v.Title, v.Nav = d.Inc.Reference+" · "+d.Inc.Title, "incidents"
	u.render(w, status, "incident_authority", v, d)
	return nil
}

// actionBody builds the API request of an action from the form; bad is
// true when a field cannot be read (its Error says why).
func actionBody(act string, r *http.Request, v *view, f *anForm) (map[string]any, bool) {
	form := r.PostForm
	switch act {
	case actState:
		return map[string]any{"state": form.Get("state"), "version": atoi(form.Get("version"))}, false
	case actAssign:
		return map[string]any{"user_id": form.Get("assign_user"), "team_id": form.Get("assign_team")}, false
	case actClassify:
		body := map[string]any{}
		for _, k := range []string{"rsit", "tlp", "impact_severity", "impact_outlook"} {
			if vals, ok := form[k]; ok && len(vals) > 0 {
				body[k] = vals[0]
			}
		}
		return body, false
	case actNote:
		return map[string]any{"text": form.Get("note_text")}, false
	case actMessage:
		return map[string]any{"text": form.Get("message_text")}, false
	case actFeedback:
		return map[string]any{"text": form.Get("feedback_text")}, false
	case actRequest:
		body := map[string]any{"regime": form.Get("request_regime")}
		if m := strings.TrimSpace(form.Get("request_message")); m != "" {
			body["message"] = m
		}
		due := f.field("request_due_at")
		if s := strings.TrimSpace(due.Value); s != "" {
			t, err := parseLocal(s, v.Zone)
			if err != nil {
				due.Error = v.T("form.invalid_instant")
				return nil, true
			}
			body["due_at"] = t.UTC().Format(time.RFC3339)
		}
		return body, false
	}
	return nil, true
}
