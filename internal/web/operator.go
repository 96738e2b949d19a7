package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/report"
	"github.com/nisnet-eu/nisnet/internal/rules"
)

// operatorRoutes registers the pages of reporting entities.
func (u *UI) operatorRoutes(page func(string, pageFunc)) {
	page("POST /incidents/{id}/messages", u.postMessage)
	page("GET /incidents/{id}/reports/{report}", u.reportForm)
	page("POST /incidents/{id}/reports/{report}", u.reportPost)
	page("GET /incidents/{id}/receipts/{submission}", u.receipt)
	page("GET /account", u.accountForm)
	page("POST /account", u.accountPost)
	page("GET /organisation/users", u.orgUsers)
	page("POST /organisation/users", u.orgUserCreate)
	page("POST /organisation/users/{user}", u.orgUserToggle)
	page("GET /organisation/tokens", u.orgTokens)
	page("POST /organisation/tokens", u.orgTokenCreate)
	page("POST /organisation/tokens/{token}/revoke", u.orgTokenRevoke)
}

// myIncidents lists the entity's incidents with what is due next.
func (u *UI) myIncidents(w http.ResponseWriter, r *http.Request, v *view) error {
	var list incidentPage
	if _, err := u.call(r, http.MethodGet, "/api/v1/incidents?limit=100", nil, &list); err != nil {
		return err
	}
	v.Title, v.Nav = v.T("nav.my_incidents"), "incidents"
	u.render(w, http.StatusOK, "incidents", v, list)
	return nil
}

// incidentInfo is an incident as the operator pages read it
// (api.ReportedIncident).
type incidentInfo struct {
	ID        string    `json:"id"`
	Reference string    `json:"reference"`
	Title     string    `json:"title"`
	Kind      string    `json:"kind"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
}

// incidentView is GET /api/v1/incidents/{id} (api.IncidentView).
type incidentView struct {
	Incident   incidentInfo  `json:"incident"`
	Assessment *rules.Result `json:"assessment"`
}

// receiptInfo is a submission's receipt with its body
// (api.SubmittedReport).
type receiptInfo struct {
	ID           string          `json:"id"`
	IncidentID   string          `json:"incident_id"`
	Report       string          `json:"report"`
	SubmittedAt  time.Time       `json:"submitted_at"`
	SHA256       string          `json:"sha256"`
	OnTime       *bool           `json:"on_time"`
	DueAt        *time.Time      `json:"due_at"`
	SupersedesID *string         `json:"supersedes_id"`
	SubmittedBy  string          `json:"submitted_by"`
	Body         json.RawMessage `json:"body"`
}

// timelineEntry is an entry of an incident's timeline (api.TimelineEntry).
type timelineEntry struct {
	ID         string          `json:"id"`
	At         time.Time       `json:"at"`
	Kind       string          `json:"kind"`
	Visibility string          `json:"visibility"`
	Body       json.RawMessage `json:"body"`
}

// message is a message of the shared thread.
type message struct {
	At   time.Time
	From string // entity or authority
	Text string
}

// reportAction is a report the entity may file from the incident page.
type reportAction struct {
	ID     string
	Title  string
	Status string
	DueAt  *time.Time
	Update bool // a report of this id was submitted: this one supersedes it
}

// submittedRow is a submitted report in the incident page's list.
type submittedRow struct {
	receiptInfo
	Title string
}

// entityIncidentData is the incident page of the reporting entity.
type entityIncidentData struct {
	Incident   incidentInfo
	Assessment *rules.Result
	Actions    []reportAction
	Reports    []submittedRow
	Messages   []message
	Reply      formField
}

// entityIncident is an incident as its reporting entity sees it.
func (u *UI) entityIncident(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := u.loadEntityIncident(r, v, r.PathValue("id"))
	if err != nil {
		return err
	}
	u.renderEntityIncident(w, http.StatusOK, v, d)
	return nil
}

func (u *UI) renderEntityIncident(w http.ResponseWriter, status int, v *view, d *entityIncidentData) {
	v.Title, v.Nav = d.Incident.Reference+" · "+d.Incident.Title, "incidents"
	u.render(w, status, "incident_entity", v, d)
}

// loadEntityIncident reads the incident, its assessment, its reports and
// its shared messages.
func (u *UI) loadEntityIncident(r *http.Request, v *view, id string) (*entityIncidentData, error) {
	base := "/api/v1/incidents/" + url.PathEscape(id)
	var iv incidentView
	if _, err := u.call(r, http.MethodGet, base, nil, &iv); err != nil {
		return nil, err
	}
	d := &entityIncidentData{Incident: iv.Incident, Assessment: iv.Assessment,
		Reply: formField{Name: "text", Kind: kLongText, Label: v.T("op.thread.reply"), Required: true}}
	var reports struct {
		Items []receiptInfo `json:"items"`
	}
	if _, err := u.call(r, http.MethodGet, base+"/reports?limit=100", nil, &reports); err != nil {
		return nil, err
	}
	submitted := map[string]bool{}
	for _, rc := range reports.Items {
		submitted[rc.Report] = true
		d.Reports = append(d.Reports, submittedRow{receiptInfo: rc, Title: reportTitle(v, rc.Report)})
	}
	if iv.Assessment != nil {
		for _, o := range iv.Assessment.Obligations {
			if o.Party != "entity" {
				continue
			}
			if _, ok := report.Lookup(o.ID); !ok {
				continue
			}
			switch o.Status {
			case "open", "overdue", "pending", "submitted":
				d.Actions = append(d.Actions, reportAction{ID: o.ID, Title: reportTitle(v, o.ID), Status: o.Status,
					DueAt: o.DueAt, Update: o.Status == "submitted" || submitted[o.ID]})
			}
		}
	}
	var tl struct {
		Items []timelineEntry `json:"items"`
	}
	if _, err := u.call(r, http.MethodGet, base+"/timeline?limit=500", nil, &tl); err != nil {
		return nil, err
	}
	for _, e := range tl.Items {
		if e.Kind != "message" || e.Visibility != "shared" {
			continue
		}
		var b struct {
			Text string `json:"text"`
			From string `json:"from"`
		}
		if json.Unmarshal(e.Body, &b) == nil {
			d.Messages = append(d.Messages, message{At: e.At, From: b.From, Text: b.Text})
		}
	}
	return d, nil
}

// postMessage adds a message to the incident's shared thread (POST
// /api/v1/incidents/{id}/messages) and returns to the thread.
func (u *UI) postMessage(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Me == nil {
		return errSignIn
	}
	if v.Authority() {
		return u.anAction(actMessage)(w, r, v)
	}
	id := r.PathValue("id")
	text := r.PostFormValue("text")
	_, err := u.call(r, http.MethodPost, "/api/v1/incidents/"+url.PathEscape(id)+"/messages", map[string]string{"text": text}, nil)
	var ae *apiError
	switch {
	case err == nil:
		return redirect(w, r, "/incidents/"+url.PathEscape(id)+"#thread")
	case !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || v.Authority():
		return err
	}
	d, lerr := u.loadEntityIncident(r, v, id)
	if lerr != nil {
		return lerr
	}
	d.Reply.Value = text
	d.Reply.Error = ae.field("text")
	if d.Reply.Error == "" {
		d.Reply.Error = ae.Message
	}
	u.renderEntityIncident(w, http.StatusBadRequest, v, d)
	return nil
}

// reportTitle is a report type's translated title.
func reportTitle(v *view, id string) string {
	return v.T("report." + id + ".title")
}

// reportFieldLabel is the translated label of a report field: the
// report's own wording where it differs, else the common one.
func reportFieldLabel(v *view, id, name string) string {
	switch name {
	case "zero", "one", "two", "few", "many", "other":
		// Keys ending in a plural form's name are plural groups.
		name += "_field"
	}
	if s := v.T("report." + id + "." + name); !strings.HasPrefix(s, "[[") {
		return s
	}
	return v.T("report.field." + name)
}

// Timeliness says whether the report was on time: "on_time", "late" or
// "no_deadline" (message keys op.<…>).
func (rc receiptInfo) Timeliness() string {
	switch {
	case rc.OnTime == nil:
		return "no_deadline"
	case *rc.OnTime:
		return "on_time"
	}
	return "late"
}
