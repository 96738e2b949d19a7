package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// awareAgo returns facts of an incident the entity became aware of d ago,
// with no entity: the organisation's profile (a healthcare provider in NL,
// whose significance defaults to significant) supplies it.
func awareAgo(d time.Duration) map[string]any {
	aware := time.Now().UTC().Add(-d).Truncate(time.Second)
	return map[string]any{"incident": map[string]any{"aware_at": aware}}
}

// report creates an incident over the API as caller and returns it.
func (f *fixture) report(t testing.TB, caller reqOpt, title string, facts map[string]any) IncidentView {
	t.Helper()
	resp, out := f.do(t, "POST", "/api/v1/incidents", caller, jsonBody(map[string]any{"title": title, "facts": facts}))
	wantStatus(t, "report "+title, resp, out, 201)
	return decode[IncidentView](t, out)
}

// file submits a report over the API as caller.
func (f *fixture) file(t testing.TB, caller reqOpt, incidentID, reportID string, body map[string]any, opts ...reqOpt) SubmissionResult {
	t.Helper()
	args := []any{caller, jsonBody(body)}
	for _, o := range opts {
		args = append(args, o)
	}
	resp, out := f.do(t, "POST", "/api/v1/incidents/"+incidentID+"/reports/"+reportID, args...)
	wantStatus(t, "file "+reportID, resp, out, 201)
	return decode[SubmissionResult](t, out)
}

// obligation returns the obligation with the given id, failing the test if
// there is none.
func obligation(t testing.TB, obs []rules.Obligation, id string) rules.Obligation {
	t.Helper()
	for _, o := range obs {
		if o.ID == id {
			return o
		}
	}
	var ids []string
	for _, o := range obs {
		ids = append(ids, o.ID)
	}
	t.Fatalf("no obligation %s among %v", id, ids)
	return rules.Obligation{}
}

// sha256Hex is the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// canonicalHash is the hash a client computes of a report body it holds:
// compact JSON with sorted keys (json.Marshal sorts map keys); the bodies
// here contain no characters that encoding/json escapes as HTML.
func canonicalHash(t testing.TB, body any) string {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	canon, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return sha256Hex(canon)
}

// TestSIEMFilesIncidentAndEarlyWarning walks an entity's SIEM through an
// incident with nothing but its API token: the incident, an early warning
// with a receipt it can verify, a retried request, a notification that
// starts the final report's month, and a second early warning that
// supersedes the first.
func TestSIEMFilesIncidentAndEarlyWarning(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	siem := bearer(f.token)

	view := f.report(t, siem, "Ransomware on the scheduling system", awareAgo(2*time.Hour))
	inc := view.Incident
	if !strings.HasPrefix(inc.Reference, "NL-") || inc.OrganisationID != f.entity.ID || inc.State != "received" || inc.Kind != "incident" {
		t.Errorf("created %+v, want a received incident of the entity with an NL reference", inc)
	}
	if inc.Facts.Entity == nil || inc.Facts.Entity.MemberState != "NL" || !slices.Equal(inc.Facts.Entity.EntityTypes, []string{"health/healthcare-provider"}) {
		t.Errorf("facts.entity %+v, want the organisation's profile", inc.Facts.Entity)
	}
	if inc.Assignment != nil {
		t.Errorf("an entity sees the assignment %+v", inc.Assignment)
	}
	if view.Assessment == nil {
		t.Fatal("no assessment")
	}
	ew := obligation(t, view.Assessment.Obligations, "nis2.early_warning")
	if ew.Status != rules.DueOpen || ew.AnchorAt == nil || !ew.DueAt.Equal(ew.AnchorAt.Add(24*time.Hour)) || time.Since(*ew.AnchorAt) > 3*time.Hour {
		t.Fatalf("early warning %s due %v, want open, due 24 h after awareness (NIS2 Art 23(4)(a))", ew.Status, ew.DueAt)
	}
	if !slices.Contains(inc.Regimes, "nis2") || !slices.Contains(inc.Sectors, "health") {
		t.Errorf("regimes %v sectors %v, want nis2 and health", inc.Regimes, inc.Sectors)
	}

	// The early warning, with an idempotency key.
	ewBody := map[string]any{"suspected_malicious": true, "cross_border_impact": false, "summary": "Ransomware encrypted the scheduling servers"}
	first := f.file(t, siem, inc.ID, "nis2.early_warning", ewBody, header("Idempotency-Key", "siem-4711"))
	rc := first.Receipt
	if rc.SHA256 != canonicalHash(t, ewBody) {
		t.Errorf("receipt sha256 %s, want the SHA-256 of the canonical body %s", rc.SHA256, canonicalHash(t, ewBody))
	}
	if rc.OnTime == nil || !*rc.OnTime || rc.DueAt == nil || !rc.DueAt.Equal(*ew.DueAt) || rc.SupersedesID != nil {
		t.Errorf("receipt %+v, want on time, due %s, superseding nothing", rc, ew.DueAt)
	}
	if rc.IncidentID != inc.ID || rc.Report != "nis2.early_warning" || time.Since(rc.SubmittedAt) > time.Minute {
		t.Errorf("receipt %+v does not name the incident, the report and a recent submission time", rc)
	}
	if o := obligation(t, first.Obligations, "nis2.early_warning"); o.Status != rules.DueSubmitted || o.OnTime == nil || !*o.OnTime {
		t.Errorf("early warning after filing: %s on time %v, want submitted on time", o.Status, o.OnTime)
	}
	if o := obligation(t, first.Obligations, "nis2.initial_feedback"); o.Party != "authority" || o.Status != rules.DueOpen {
		t.Errorf("the authority's initial feedback (NIS2 Art 23(5)) is %s for %s, want open for the authority", o.Status, o.Party)
	}

	// A retried request gets the original receipt and stores nothing.
	resp, out := f.do(t, "POST", "/api/v1/incidents/"+inc.ID+"/reports/nis2.early_warning", siem, jsonBody(ewBody), header("Idempotency-Key", "siem-4711"))
	wantStatus(t, "replay", resp, out, 200)
	if replay := decode[SubmissionResult](t, out); mustJSON(t, replay.Receipt) != mustJSON(t, rc) {
		t.Errorf("replayed receipt %+v, want the original %+v", replay.Receipt, rc)
	}
	resp, out = f.do(t, "POST", "/api/v1/incidents/"+inc.ID+"/reports/nis2.early_warning", siem,
		jsonBody(map[string]any{"suspected_malicious": false, "cross_border_impact": false}), header("Idempotency-Key", "siem-4711"))
	wantStatus(t, "key reused for another body", resp, out, 409)
	if msg := decode[envelope](t, out).Error.Message; !strings.Contains(msg, "Idempotency-Key") {
		t.Errorf("409 message %q does not name the Idempotency-Key", msg)
	}
	if subs, _ := f.db.ListSubmissions(ctx, inc.ID, store.Page{}); len(subs) != 1 {
		t.Fatalf("%d submissions after a replay and a refused reuse, want 1", len(subs))
	}

	// The receipt verifies the body as stored and read back.
	resp, out = f.do(t, "GET", "/api/v1/incidents/"+inc.ID+"/reports/"+rc.ID, siem)
	wantStatus(t, "read the report", resp, out, 200)
	got := decode[SubmittedReport](t, out)
	if got.SHA256 != rc.SHA256 || sha256Hex(compact(t, got.Body)) != rc.SHA256 {
		t.Errorf("report read back: sha256 %s, body hashes to %s; want both %s", got.SHA256, sha256Hex(compact(t, got.Body)), rc.SHA256)
	}

	// The notification starts the final report's month (NIS2 Art 23(4)(d)).
	notif := f.file(t, siem, inc.ID, "nis2.notification", map[string]any{"initial_assessment": "Contained to one site", "severity": "high",
		"impact": "Appointments rescheduled for two days", "indicators_of_compromise": []string{"203.0.113.7"}})
	final := obligation(t, notif.Obligations, "nis2.final")
	sub := notif.Receipt.SubmittedAt.UTC()
	if final.DueAt == nil || final.AnchorAt == nil || !final.AnchorAt.Equal(sub) {
		t.Fatalf("final report %+v, want anchored at the notification's submission %s", final, sub)
	}
	if want := sub.AddDate(0, 1, 0); sub.Day() <= 28 && !final.DueAt.Equal(want) {
		t.Errorf("final report due %s, want one month after the notification: %s", final.DueAt, want)
	}
	if o := obligation(t, notif.Obligations, "nis2.notification"); o.Status != rules.DueSubmitted {
		t.Errorf("notification status %s, want submitted", o.Status)
	}

	// A second early warning supersedes the first; both stay listed.
	second := f.file(t, siem, inc.ID, "nis2.early_warning", map[string]any{"suspected_malicious": true, "cross_border_impact": true})
	if second.Receipt.SupersedesID == nil || *second.Receipt.SupersedesID != rc.ID {
		t.Errorf("second early warning supersedes %v, want %s", second.Receipt.SupersedesID, rc.ID)
	}
	resp, out = f.do(t, "GET", "/api/v1/incidents/"+inc.ID+"/reports", siem)
	wantStatus(t, "list reports", resp, out, 200)
	list := decode[Page[SubmittedReport]](t, out)
	var ids []string
	for _, r := range list.Items {
		ids = append(ids, r.ID)
		if sha256Hex(compact(t, r.Body)) != r.SHA256 {
			t.Errorf("listed report %s: body does not hash to its sha256", r.ID)
		}
	}
	if want := []string{rc.ID, notif.Receipt.ID, second.Receipt.ID}; !slices.Equal(ids, want) {
		t.Errorf("listed reports %v, want %v, oldest first", ids, want)
	}

	// Reports cannot be changed or withdrawn: there is no route, and the
	// report is as it was.
	for _, op := range operations {
		if strings.HasPrefix(op.path, "/api/v1/incidents/{id}/reports") && op.method != "GET" && op.method != "POST" {
			t.Errorf("%s %s changes a filed report", op.method, op.path)
		}
	}
	for _, method := range []string{"PUT", "PATCH", "DELETE"} {
		resp, out := f.do(t, method, "/api/v1/incidents/"+inc.ID+"/reports/"+rc.ID, siem, jsonBody(map[string]any{"suspected_malicious": false}))
		if resp.StatusCode < 400 {
			t.Errorf("%s on a filed report: status %d: %s", method, resp.StatusCode, out)
		}
	}
	if s, err := f.db.GetSubmission(ctx, rc.ID); err != nil || s.SHA256 != rc.SHA256 {
		t.Errorf("the first early warning after the attempts: %+v, %v", s, err)
	}
}

// mustJSON encodes v.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLateEarlyWarning(t *testing.T) {
	f := newServer(t)
	siem := bearer(f.token)
	view := f.report(t, siem, "Outage noticed late", awareAgo(30*time.Hour))
	if o := obligation(t, view.Assessment.Obligations, "nis2.early_warning"); o.Status != rules.DueOverdue {
		t.Errorf("early warning 30 h after awareness: %s, want overdue", o.Status)
	}
	res := f.file(t, siem, view.Incident.ID, "nis2.early_warning", map[string]any{"suspected_malicious": false, "cross_border_impact": false})
	if rc := res.Receipt; rc.OnTime == nil || *rc.OnTime || rc.DueAt == nil || !rc.DueAt.Before(rc.SubmittedAt) {
		t.Errorf("receipt %+v, want late: due before its submission", rc)
	}
	if o := obligation(t, res.Obligations, "nis2.early_warning"); o.Status != rules.DueSubmitted || o.OnTime == nil || *o.OnTime {
		t.Errorf("early warning after filing late: %s on time %v, want submitted, not on time", o.Status, o.OnTime)
	}
	// A report without a due instant is not judged.
	res = f.file(t, siem, view.Incident.ID, "nis2.voluntary", map[string]any{"description": "more detail"})
	if rc := res.Receipt; rc.OnTime != nil || rc.DueAt != nil {
		t.Errorf("voluntary report receipt %+v, want on_time and due_at null", rc)
	}
}

// TestReportBodies checks what a report submission refuses, before
// anything is stored.
func TestReportBodies(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	siem := bearer(f.token)
	view := f.report(t, siem, "Bodies", awareAgo(time.Hour))
	url := "/api/v1/incidents/" + view.Incident.ID + "/reports/"
	huge := `{"suspected_malicious":true,"cross_border_impact":false,"summary":"` + strings.Repeat("x", 300<<10) + `"}`
	for _, tc := range []struct {
		name, report, body string
		opts               []reqOpt
		status             int
		code, field        string
	}{
		{"unknown report", "nis2.early_warnings", `{}`, nil, 400, "invalid", "report"},
		{"missing required field", "nis2.early_warning", `{"suspected_malicious":true}`, nil, 400, "invalid_report", "cross_border_impact"},
		{"unknown field", "nis2.early_warning", `{"suspected_malicious":true,"cross_border_impact":false,"colour":"red"}`, nil, 400, "invalid_report", "colour"},
		{"wrong type", "nis2.early_warning", `{"suspected_malicious":"yes","cross_border_impact":false}`, nil, 400, "invalid_report", "suspected_malicious"},
		{"not an object", "nis2.early_warning", `[true]`, nil, 400, "invalid_report", ""},
		{"too large", "nis2.early_warning", huge, nil, 413, "too_large", ""},
		{"not JSON", "nis2.early_warning", `{}`, []reqOpt{header("Content-Type", "text/plain")}, 415, "unsupported_media_type", ""},
		{"idempotency key with a space", "nis2.early_warning", `{"suspected_malicious":true,"cross_border_impact":false}`,
			[]reqOpt{header("Idempotency-Key", "a b")}, 400, "invalid", "Idempotency-Key"},
		{"idempotency key too long", "nis2.early_warning", `{"suspected_malicious":true,"cross_border_impact":false}`,
			[]reqOpt{header("Idempotency-Key", strings.Repeat("k", 256))}, 400, "invalid", "Idempotency-Key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []any{siem, rawBody(tc.body)}
			for _, o := range tc.opts {
				args = append(args, o)
			}
			resp, out := f.do(t, "POST", url+tc.report, args...)
			wantStatus(t, tc.name, resp, out, tc.status)
			if code := errorCode(t, out); code != tc.code {
				t.Errorf("code %q, want %q", code, tc.code)
			}
			if tc.field != "" && !slices.Contains(fieldsOf(t, out), tc.field) {
				t.Errorf("fields %v do not name %q: %s", fieldsOf(t, out), tc.field, out)
			}
			if tc.report == "nis2.early_warnings" && !strings.Contains(string(out), "nis2.early_warning,") {
				t.Errorf("the error does not list the valid report ids: %s", out)
			}
		})
	}
	if subs, _ := f.db.ListSubmissions(ctx, view.Incident.ID, store.Page{}); len(subs) != 0 {
		t.Errorf("%d submissions stored from refused requests", len(subs))
	}
}

// TestOpenAPIIncidentSchemas checks that the incident routes document
// meaningful schemas.
func TestOpenAPIIncidentSchemas(t *testing.T) {
	doc := OpenAPI()
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	props := func(name string) map[string]any {
		t.Helper()
		s, ok := schemas[name].(map[string]any)
		if !ok {
			t.Fatalf("no schema %s", name)
		}
		return s["properties"].(map[string]any)
	}
	for _, p := range []string{"id", "sha256", "on_time", "due_at", "supersedes_id", "body", "submitted_by"} {
		if _, ok := props("SubmittedReport")[p]; !ok {
			t.Errorf("SubmittedReport lacks %s (the receipt's fields are promoted)", p)
		}
	}
	if facts := schemas["IncidentFacts"].(map[string]any); facts["additionalProperties"] != false {
		t.Error("IncidentFacts does not forbid unknown fields, but the decoder rejects them")
	}
	if _, ok := props("IncidentFacts")["now"]; ok {
		t.Error("IncidentFacts documents now, which the node supplies")
	}
	if ref := props("CreateIncidentRequest")["facts"].(map[string]any)["$ref"]; ref != "#/components/schemas/IncidentFacts" {
		t.Errorf("CreateIncidentRequest.facts is %v, want IncidentFacts", ref)
	}
	for _, name := range []string{"IncidentView", "IncidentPage", "SubmissionResult", "EventResult", "TimelineEntryPage", "NotificationPage", "Result"} {
		if _, ok := schemas[name]; !ok {
			t.Errorf("no schema %s", name)
		}
	}
}
