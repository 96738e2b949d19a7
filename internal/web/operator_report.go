package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/report"
)

// reportFormData is the form of one staged report.
type reportFormData struct {
	Incident incidentInfo
	Report   report.Type
	Title    string
	Fields   []formField
	Error    string
	Saved    bool       // the draft was saved (after a redirect)
	DraftAt  *time.Time // when the prefilled draft was saved
	Update   bool       // a report of this id was submitted: this supersedes it
}

// reportFields are the form fields of a report type, in its order:
// exactly the fields internal/report defines for it.
func reportFields(v *view, t report.Type) []formField {
	fields := make([]formField, 0, len(t.Fields))
	for _, f := range t.Fields {
		ff := formField{Name: f.Name, Label: reportFieldLabel(v, t.ID, f.Name), Hint: f.Basis, Required: f.Required}
		switch f.Kind {
		case report.Text:
			ff.Kind = kLongText
		case report.Bool:
			ff.Kind = kBool
			if f.Required {
				ff.Kind = kYesNo
				ff.Options = []option{{"", v.T("form.unanswered")}, {"yes", v.T("op.yes")}, {"no", v.T("op.no")}}
			}
		case report.Count:
			ff.Kind = kInt
		case report.Amount:
			ff.Kind = kNumber
		case report.Instant:
			ff.Kind = kInstant
			ff.Hint = f.Basis + " · " + v.T("form.hint_instant", "zone", v.Zone.String())
		case report.States:
			ff.Kind = kStates
			ff.Hint = f.Basis + " · " + v.T("op.hint_states")
		case report.TextList:
			ff.Kind = kList
			ff.Hint = f.Basis + " · " + v.T("op.hint_list")
		case report.Severity:
			ff.Kind = kSelect
			ff.Options = []option{{"", v.T("form.unanswered")}}
			for _, s := range []string{"low", "medium", "high", "critical"} {
				ff.Options = append(ff.Options, option{s, v.T("op.severity." + s)})
			}
		default: // report.Reference
			ff.Kind = kText
		}
		fields = append(fields, ff)
	}
	return fields
}

// fillFromJSON sets the fields' values from a report body or draft.
func fillFromJSON(fields []formField, body map[string]any, zone *time.Location) {
	for i := range fields {
		f := &fields[i]
		x, ok := body[f.Name]
		if !ok || x == nil {
			continue
		}
		switch val := x.(type) {
		case bool:
			f.Checked = val
			if f.Kind == kYesNo {
				f.Value = map[bool]string{true: "yes", false: "no"}[val]
			}
		case []any:
			parts := make([]string, 0, len(val))
			for _, p := range val {
				parts = append(parts, fmt.Sprint(p))
			}
			sep := "\n"
			if f.Kind == kStates {
				sep = ", "
			}
			f.Value = strings.Join(parts, sep)
		case string:
			f.Value = val
			if f.Kind == kInstant {
				if t, err := time.Parse(time.RFC3339, val); err == nil {
					f.Value = localInput(t, zone)
				}
			}
		case json.Number:
			f.Value = val.String()
		case float64:
			f.Value = strconv.FormatFloat(val, 'f', -1, 64)
		default:
			f.Value = fmt.Sprint(val)
		}
	}
}

// reportBase checks the report id and reads the incident: an unknown
// report or an incident the reader may not see is a 404 page.
func (u *UI) reportBase(r *http.Request, v *view) (*reportFormData, error) {
	if v.Me == nil {
		return nil, errSignIn
	}
	t, ok := report.Lookup(r.PathValue("report"))
	if !ok || !v.Entity() {
		return nil, &pageError{Status: http.StatusNotFound, Message: v.T("error.not_found")}
	}
	var iv incidentView
	if _, err := u.call(r, http.MethodGet, "/api/v1/incidents/"+url.PathEscape(r.PathValue("id")), nil, &iv); err != nil {
		return nil, err
	}
	d := &reportFormData{Incident: iv.Incident, Report: t, Title: reportTitle(v, t.ID), Fields: reportFields(v, t)}
	var reports struct {
		Items []receiptInfo `json:"items"`
	}
	if _, err := u.call(r, http.MethodGet, "/api/v1/incidents/"+url.PathEscape(iv.Incident.ID)+"/reports?limit=100", nil, &reports); err != nil {
		return nil, err
	}
	for _, rc := range reports.Items {
		d.Update = d.Update || rc.Report == t.ID
	}
	v.Title, v.Nav = d.Title+" · "+iv.Incident.Reference, "incidents"
	return d, nil
}

// reportForm shows the form of a report, prefilled with its draft if one
// was saved.
func (u *UI) reportForm(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := u.reportBase(r, v)
	if err != nil {
		return err
	}
	var draft struct {
		UpdatedAt time.Time       `json:"updated_at"`
		Body      json.RawMessage `json:"body"`
	}
	_, err = u.call(r, http.MethodGet, u.reportPath(d, "drafts"), nil, &draft)
	var ae *apiError
	switch {
	case err == nil:
		var body map[string]any
		dec := json.NewDecoder(strings.NewReader(string(draft.Body)))
		dec.UseNumber()
		if dec.Decode(&body) == nil {
			fillFromJSON(d.Fields, body, v.Zone)
		}
		d.DraftAt = &draft.UpdatedAt
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
	default:
		return err
	}
	d.Saved = r.URL.Query().Get("saved") == "1"
	u.render(w, http.StatusOK, "report_form", v, d)
	return nil
}

func (u *UI) reportPath(d *reportFormData, what string) string {
	return "/api/v1/incidents/" + url.PathEscape(d.Incident.ID) + "/" + what + "/" + url.PathEscape(d.Report.ID)
}

// reportPost saves the form as a draft (action=draft, PUT …/drafts/{report})
// or submits it (POST …/reports/{report}) and shows the receipt.
func (u *UI) reportPost(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := u.reportBase(r, v)
	if err != nil {
		return err
	}
	for i := range d.Fields {
		d.Fields[i].fill(r.PostForm)
	}
	body, bad := toJSON(d.Fields, v.Zone, v)
	if bad > 0 {
		d.Error = v.T("form.fix_fields")
		u.render(w, http.StatusBadRequest, "report_form", v, d)
		return nil
	}
	self := "/incidents/" + url.PathEscape(d.Incident.ID) + "/reports/" + url.PathEscape(d.Report.ID)
	if r.PostFormValue("action") == "draft" {
		if _, err := u.call(r, http.MethodPut, u.reportPath(d, "drafts"), body, nil); err != nil {
			return u.reportFailed(w, v, d, err)
		}
		return redirect(w, r, self+"?saved=1")
	}
	var res struct {
		Receipt struct {
			ID string `json:"id"`
		} `json:"receipt"`
	}
	if _, err := u.call(r, http.MethodPost, u.reportPath(d, "reports"), body, &res); err != nil {
		return u.reportFailed(w, v, d, err)
	}
	return redirect(w, r, "/incidents/"+url.PathEscape(d.Incident.ID)+"/receipts/"+url.PathEscape(res.Receipt.ID))
}

// reportFailed shows the API's objections next to the fields they concern.
func (u *UI) reportFailed(w http.ResponseWriter, v *view, d *reportFormData, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		return err
	}
	markErrors(d.Fields, ae, "")
	d.Error = v.T("form.fix_fields")
	for _, f := range ae.Fields {
		if f.Field == "" {
			d.Error += " " + f.Message
		}
	}
	if len(ae.Fields) == 0 {
		d.Error = ae.Message
	}
	u.render(w, http.StatusBadRequest, "report_form", v, d)
	return nil
}

// receiptRow is one field of a submitted report, labelled.
type receiptRow struct {
	Label string
	Value string
	Time  string // an instant, RFC 3339, shown with view.Time
}

// receiptData is the printable receipt of a submission.
type receiptData struct {
	Receipt  receiptInfo
	Incident incidentInfo
	Title    string
	Rows     []receiptRow
}

// receipt shows a submission's receipt and what was submitted.
func (u *UI) receipt(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Me == nil {
		return errSignIn
	}
	base := "/api/v1/incidents/" + url.PathEscape(r.PathValue("id"))
	var iv incidentView
	if _, err := u.call(r, http.MethodGet, base, nil, &iv); err != nil {
		return err
	}
	var rc receiptInfo
	if _, err := u.call(r, http.MethodGet, base+"/reports/"+url.PathEscape(r.PathValue("submission")), nil, &rc); err != nil {
		return err
	}
	d := &receiptData{Receipt: rc, Incident: iv.Incident, Title: reportTitle(v, rc.Report)}
	var body map[string]any
	dec := json.NewDecoder(strings.NewReader(string(rc.Body)))
	dec.UseNumber()
	_ = dec.Decode(&body)
	if t, ok := report.Lookup(rc.Report); ok {
		for _, f := range t.Fields {
			x, ok := body[f.Name]
			if !ok || x == nil {
				continue
			}
			row := receiptRow{Label: reportFieldLabel(v, t.ID, f.Name)}
			switch val := x.(type) {
			case bool:
				row.Value = map[bool]string{true: v.T("op.yes"), false: v.T("op.no")}[val]
			case []any:
				parts := make([]string, 0, len(val))
				for _, p := range val {
					parts = append(parts, fmt.Sprint(p))
				}
				row.Value = strings.Join(parts, ", ")
			case string:
				row.Value = val
				if f.Kind == report.Instant {
					row.Time = val
				}
				if f.Kind == report.Severity {
					row.Value = v.T("op.severity." + val)
				}
			default:
				row.Value = fmt.Sprint(val)
			}
			d.Rows = append(d.Rows, row)
		}
	}
	v.Title, v.Nav = v.T("op.receipt.title")+" · "+d.Title, "incidents"
	u.render(w, http.StatusOK, "receipt", v, d)
	return nil
}
