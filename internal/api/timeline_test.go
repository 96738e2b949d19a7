package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// notifications lists the caller's notifications.
func (f *fixture) notifications(t testing.TB, caller reqOpt, q string) []Notification {
	t.Helper()
	resp, out := f.do(t, "GET", "/api/v1/notifications"+q, caller)
	wantStatus(t, "notifications", resp, out, 200)
	return decode[Page[Notification]](t, out).Items
}

// timeline reads an incident's timeline as caller.
func (f *fixture) timeline(t testing.TB, caller reqOpt, id string) []TimelineEntry {
	t.Helper()
	resp, out := f.do(t, "GET", "/api/v1/incidents/"+id+"/timeline", caller)
	wantStatus(t, "timeline", resp, out, 200)
	return decode[Page[TimelineEntry]](t, out).Items
}

// TestIntermediateRequest checks that the authority's request creates the
// entity's intermediate report obligation, due when requested, and
// notifies the entity.
func TestIntermediateRequest(t *testing.T) {
	f := newServer(t)
	entity := bearer(f.token)
	view := f.report(t, entity, "Storage failure", awareAgo(3*time.Hour))
	analyst := bearer(f.tokenFor(t, f.authority, store.RoleAuthorityAnalyst))
	path := "/api/v1/incidents/" + view.Incident.ID + "/intermediate-requests"
	due := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)

	resp, out := f.do(t, "POST", path, analyst, jsonBody(IntermediateReportRequest{Regime: "nis2", DueAt: &due, Message: "Please send a status update."}))
	wantStatus(t, "request", resp, out, 201)
	res := decode[EventResult](t, out)
	o := obligation(t, res.Assessment.Obligations, "nis2.intermediate")
	if o.Party != "entity" || o.Status != rules.DueOpen || o.DueAt == nil || !o.DueAt.Equal(due) {
		t.Errorf("intermediate report %+v, want open for the entity, due %s (NIS2 Art 23(4)(c))", o, due)
	}
	if res.Entry.Kind != "request" || res.Entry.Visibility != "shared" {
		t.Errorf("entry %+v, want a shared request", res.Entry)
	}
	// The entity reads the obligation and is notified.
	resp, out = f.do(t, "GET", "/api/v1/incidents/"+view.Incident.ID, entity)
	if o := obligation(t, decode[IncidentView](t, out).Assessment.Obligations, "nis2.intermediate"); !o.DueAt.Equal(due) {
		t.Errorf("the entity reads the intermediate report due %s, want %s", o.DueAt, due)
	}
	notes := f.notifications(t, entity, "?unread=true")
	if len(notes) != 1 || notes[0].Kind != "request" || notes[0].Obligation != "nis2.intermediate" || notes[0].DueAt == nil || !notes[0].DueAt.Equal(due) ||
		notes[0].IncidentID != view.Incident.ID || !strings.Contains(notes[0].Message, view.Incident.Reference) {
		t.Errorf("entity notifications %+v, want one request for nis2.intermediate due %s naming %s", notes, due, view.Incident.Reference)
	}
	// Filing it satisfies it.
	filed := f.file(t, entity, view.Incident.ID, "nis2.intermediate", map[string]any{"status_update": "Restored from backup"})
	if rc := filed.Receipt; rc.OnTime == nil || !*rc.OnTime || rc.DueAt == nil || !rc.DueAt.Equal(due) {
		t.Errorf("intermediate report receipt %+v, want on time against %s", rc, due)
	}

	for _, tc := range []struct {
		name, body, field string
	}{
		{"unknown regime", `{"regime":"dora"}`, "regime"},
		{"due in the past", `{"regime":"cra","due_at":"2020-01-01T00:00:00Z"}`, "due_at"},
		{"message with a control character", `{"regime":"nis2","message":"a\u0000b"}`, "message"},
	} {
		resp, out := f.do(t, "POST", path, analyst, rawBody(tc.body))
		wantStatus(t, tc.name, resp, out, 400)
		if fields := fieldsOf(t, out); !slices.Contains(fields, tc.field) {
			t.Errorf("%s: fields %v do not name %q", tc.name, fields, tc.field)
		}
	}
}

// TestFeedbackFulfilsInitialFeedback checks that the authority's feedback
// marks its NIS2 Art 23(5) duty submitted and reaches the entity.
func TestFeedbackFulfilsInitialFeedback(t *testing.T) {
	f := newServer(t)
	entity := bearer(f.token)
	view := f.report(t, entity, "Credential stuffing", awareAgo(2*time.Hour))
	filed := f.file(t, entity, view.Incident.ID, "nis2.early_warning", map[string]any{"suspected_malicious": true, "cross_border_impact": false})
	fb := obligation(t, filed.Obligations, "nis2.initial_feedback")
	if fb.Status != rules.DueOpen || fb.Party != "authority" {
		t.Fatalf("initial feedback %+v, want open for the authority", fb)
	}
	// The queue shows the authority's own due instant.
	analyst := bearer(f.tokenFor(t, f.authority, store.RoleAuthorityAnalyst))
	resp, out := f.do(t, "GET", "/api/v1/incidents", analyst)
	if pg := decode[IncidentPage](t, out); len(pg.Items) != 1 || pg.Items[0].AuthorityNextDueAt == nil || !pg.Items[0].AuthorityNextDueAt.Equal(*fb.DueAt) {
		t.Errorf("queue %s, want authority_next_due_at %s", out, fb.DueAt)
	}

	resp, out = f.do(t, "POST", "/api/v1/incidents/"+view.Incident.ID+"/feedback", analyst, jsonBody(TextRequest{Text: "Received; reset the affected credentials."}))
	wantStatus(t, "feedback", resp, out, 201)
	res := decode[EventResult](t, out)
	if o := obligation(t, res.Assessment.Obligations, "nis2.initial_feedback"); o.Status != rules.DueSubmitted || o.OnTime == nil || !*o.OnTime {
		t.Errorf("initial feedback after giving it: %s on time %v, want submitted on time", o.Status, o.OnTime)
	}
	resp, out = f.do(t, "GET", "/api/v1/incidents", analyst)
	if pg := decode[IncidentPage](t, out); pg.Items[0].AuthorityNextDueAt != nil {
		t.Errorf("authority_next_due_at %v after the feedback, want null", pg.Items[0].AuthorityNextDueAt)
	}
	entries := f.timeline(t, entity, view.Incident.ID)
	if len(entries) != 1 || entries[0].Kind != "feedback" || !strings.Contains(string(entries[0].Body), "reset the affected credentials") {
		t.Errorf("entity timeline %+v, want the feedback", entries)
	}
	if notes := f.notifications(t, entity, ""); len(notes) != 1 || notes[0].Kind != "message" {
		t.Errorf("entity notifications %+v, want one message", notes)
	}
}

// TestMessagesNotesAndNotifications checks that messages reach and notify
// the other side, that internal notes stay with the authority, and that
// notifications are read per organisation.
func TestMessagesNotesAndNotifications(t *testing.T) {
	f := newServer(t)
	entity := bearer(f.token)
	view := f.report(t, entity, "Suspicious logins", awareAgo(time.Hour))
	id := view.Incident.ID
	analyst := bearer(f.tokenFor(t, f.authority, store.RoleAuthorityAnalyst))
	supervisor := bearer(f.tokenFor(t, f.authority, store.RoleAuthoritySupervisor))
	post := func(caller reqOpt, what, text string, status int) TimelineEntry {
		t.Helper()
		resp, out := f.do(t, "POST", "/api/v1/incidents/"+id+"/"+what, caller, jsonBody(TextRequest{Text: text}))
		wantStatus(t, what, resp, out, status)
		if status != 201 {
			return TimelineEntry{}
		}
		return decode[TimelineEntry](t, out)
	}

	m1 := post(entity, "messages", "We see logins from unusual countries.\nDetails follow.", 201)
	var body TextBody
	if err := json.Unmarshal(m1.Body, &body); err != nil || body.From != "entity" || !strings.HasPrefix(body.Text, "We see logins") {
		t.Errorf("message body %s, want the text from the entity", m1.Body)
	}
	post(analyst, "notes", "Matches the campaign of last week; internal only.", 201)
	post(analyst, "messages", "Please reset the credentials.", 201)
	post(supervisor, "notes", "Escalate if it spreads.", 201)
	post(entity, "messages", "", 400)
	post(entity, "messages", strings.Repeat("x", maxTextBytes+1), 400)
	post(entity, "messages", strings.Repeat("é", maxTextBytes/2), 201) // 20000 bytes

	for _, e := range f.timeline(t, entity, id) {
		if e.Kind == "note" || e.Visibility != "shared" || strings.Contains(string(e.Body), "internal only") {
			t.Errorf("the entity's timeline holds %+v", e)
		}
	}
	var kinds []string
	for _, e := range f.timeline(t, analyst, id) {
		kinds = append(kinds, e.Kind)
	}
	if want := []string{"message", "note", "message", "note", "message"}; !slices.Equal(kinds, want) {
		t.Errorf("the authority's timeline %v, want %v", kinds, want)
	}

	// Each side is notified of the other's messages, never of its own.
	authNotes := f.notifications(t, analyst, "?unread=true")
	if len(authNotes) != 2 || authNotes[0].OrganisationID != f.authority.ID || authNotes[0].Kind != "message" {
		t.Fatalf("authority notifications %+v, want 2 messages", authNotes)
	}
	entNotes := f.notifications(t, entity, "")
	if len(entNotes) != 1 || entNotes[0].IncidentID != id || entNotes[0].ReadAt != nil {
		t.Fatalf("entity notifications %+v, want 1 unread message", entNotes)
	}
	// Reading is per organisation, idempotent, and seen by colleagues.
	for range 2 {
		resp, out := f.do(t, "POST", "/api/v1/notifications/"+entNotes[0].ID+"/read", bearer(f.tokenFor(t, f.entity, store.RoleEntityAdmin)))
		wantStatus(t, "mark read", resp, out, 204)
	}
	if unread := f.notifications(t, entity, "?unread=true"); len(unread) != 0 {
		t.Errorf("unread after marking: %+v", unread)
	}
	if all := f.notifications(t, entity, ""); len(all) != 1 || all[0].ReadAt == nil {
		t.Errorf("all notifications %+v, want the one, read", all)
	}
	resp, out := f.do(t, "POST", "/api/v1/notifications/"+authNotes[0].ID+"/read", entity)
	resp2, out2 := f.do(t, "POST", "/api/v1/notifications/"+missingID+"/read", entity)
	wantStatus(t, "another organisation's notification", resp, out, 404)
	wantStatus(t, "a missing notification", resp2, out2, 404)
	if string(out) != string(out2) {
		t.Errorf("bodies differ:\n%s\n%s", out, out2)
	}
	resp, out = f.do(t, "GET", "/api/v1/notifications?unread=perhaps", entity)
	wantStatus(t, "bad unread", resp, out, 400)
}

// TestHandlingEnded checks the entity's record of the end of its handling.
func TestHandlingEnded(t *testing.T) {
	f := newServer(t)
	entity := bearer(f.token)
	view := f.report(t, entity, "Worm", awareAgo(5*time.Hour))
	path := "/api/v1/incidents/" + view.Incident.ID + "/handling-ended"
	ended := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	resp, out := f.do(t, "POST", path, entity, jsonBody(HandlingEndedRequest{HandlingEndedAt: ended}))
	wantStatus(t, "handling ended", resp, out, 201)
	res := decode[EventResult](t, out)
	var body map[string]time.Time
	if err := json.Unmarshal(res.Entry.Body, &body); err != nil || !body["handling_ended_at"].Equal(ended) || res.Entry.Kind != "state" {
		t.Errorf("entry %+v, want a state entry with handling_ended_at %s", res.Entry, ended)
	}
	for _, tc := range []struct{ name, body string }{
		{"missing", `{}`},
		{"in the future", mustJSON(t, HandlingEndedRequest{HandlingEndedAt: time.Now().Add(time.Hour)})},
		{"before awareness", mustJSON(t, HandlingEndedRequest{HandlingEndedAt: time.Now().Add(-10 * time.Hour)})},
	} {
		resp, out := f.do(t, "POST", path, entity, rawBody(tc.body))
		wantStatus(t, tc.name, resp, out, 400)
		if fields := fieldsOf(t, out); !slices.Contains(fields, "handling_ended_at") {
			t.Errorf("%s: fields %v do not name handling_ended_at", tc.name, fields)
		}
	}
}

// TestIncidentAuditTrail checks that every change and every read by the
// authority is recorded, entity reads are not, and the chain verifies.
func TestIncidentAuditTrail(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	entity := bearer(f.token)
	analystUser := f.newUser(t, f.authority.ID, store.RoleAuthorityAnalyst, "ana@csirt.example")
	analyst := cookie(f.login(t, "ana@csirt.example", testPassword))

	view := f.report(t, entity, "Audit me", awareAgo(2*time.Hour))
	id := view.Incident.ID
	ew := f.file(t, entity, id, "nis2.early_warning", map[string]any{"suspected_malicious": false, "cross_border_impact": false})
	f.file(t, entity, id, "nis2.notification", map[string]any{"initial_assessment": "x", "severity": "low", "impact": "y"})
	for _, p := range []string{"", "/reports", "/reports/" + ew.Receipt.ID, "/timeline"} { // entity reads: not recorded
		resp, out := f.do(t, "GET", "/api/v1/incidents/"+id+p, entity)
		wantStatus(t, "entity read "+p, resp, out, 200)
	}
	for _, p := range []string{"", "/reports", "/reports/" + ew.Receipt.ID, "/timeline"} {
		resp, out := f.do(t, "GET", "/api/v1/incidents/"+id+p, analyst)
		wantStatus(t, "analyst read "+p, resp, out, 200)
	}
	steps := []struct {
		caller reqOpt
		method string
		path   string
		body   any
	}{
		{analyst, "POST", "/state", jsonBody(StateRequest{State: "triaged", Version: latestVersion(t, f, id)})},
		{analyst, "POST", "/assignment", jsonBody(AssignmentRequest{UserID: analystUser.ID})},
		{analyst, "POST", "/classification", jsonBody(map[string]string{"rsit": "fraud/phishing"})},
		{analyst, "POST", "/notes", jsonBody(TextRequest{Text: "n"})},
		{analyst, "POST", "/messages", jsonBody(TextRequest{Text: "m"})},
		{analyst, "POST", "/feedback", jsonBody(TextRequest{Text: "fb"})},
		{analyst, "POST", "/intermediate-requests", jsonBody(IntermediateReportRequest{Regime: "nis2"})},
		{entity, "POST", "/handling-ended", jsonBody(HandlingEndedRequest{HandlingEndedAt: time.Now().Add(-time.Minute)})},
		{entity, "PUT", "/facts", jsonBody(map[string]any{"facts": awareAgo(3 * time.Hour), "version": -1})}, // version filled below
	}
	for _, st := range steps {
		if st.path == "/facts" {
			st.body = jsonBody(map[string]any{"facts": awareAgo(3 * time.Hour), "version": latestVersion(t, f, id)})
		}
		resp, out := f.do(t, st.method, "/api/v1/incidents/"+id+st.path, st.caller, st.body)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: status %d: %s", st.method, st.path, resp.StatusCode, out)
		}
	}
	notes := f.notifications(t, entity, "")
	resp, out := f.do(t, "POST", "/api/v1/notifications/"+notes[0].ID+"/read", entity)
	wantStatus(t, "read notification", resp, out, 204)

	recs, err := f.db.ListAudit(ctx, "", 0, store.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range recs {
		count[r.Action]++
		if r.Action == "incident.read" || r.Action == "report.read" {
			if r.Actor != analystUser.ID || r.OrganisationID != f.entity.ID {
				t.Errorf("read record %+v, want by the analyst, for the entity", r)
			}
		}
		if strings.Contains(string(r.Detail), "Audit me") {
			t.Errorf("audit record %d holds the incident's title: %s", r.Seq, r.Detail)
		}
	}
	for action, n := range map[string]int{
		"incident.create":         1,
		"report.submit":           2,
		"incident.read":           2, // the incident and its timeline
		"report.read":             3, // two listed, one read alone
		"incident.state":          1,
		"incident.assign":         1,
		"incident.classify":       1,
		"incident.note":           1,
		"incident.message":        1,
		"incident.feedback":       1,
		"incident.request":        1,
		"incident.handling_ended": 1,
		"incident.facts.update":   1,
		"notification.read":       1,
	} {
		if count[action] != n {
			t.Errorf("%d %s records, want %d", count[action], action, n)
		}
	}
	rep, err := f.db.VerifyAudit(ctx)
	if err != nil || !rep.OK || rep.Records != int64(len(recs)) {
		t.Errorf("VerifyAudit = %+v, %v; want OK over %d records", rep, err, len(recs))
	}
}

// latestVersion reads an incident's version from the store.
func latestVersion(t testing.TB, f *fixture, id string) int64 {
	t.Helper()
	inc, err := f.db.GetIncident(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return inc.Version
}

// TestConcurrentIncidentWrites runs both sides' writes on one incident at
// once: every request succeeds, the reports form one chain and the audit
// trail verifies.
func TestConcurrentIncidentWrites(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	entity := bearer(f.token)
	analyst := bearer(f.tokenFor(t, f.authority, store.RoleAuthorityAnalyst))
	view := f.report(t, entity, "Busy incident", awareAgo(2*time.Hour))
	base := "/api/v1/incidents/" + view.Incident.ID
	due := time.Now().Add(96 * time.Hour).UTC().Truncate(time.Second)

	type call struct {
		caller reqOpt
		path   string
		body   any
	}
	var calls []call
	for i := range 4 {
		calls = append(calls,
			call{entity, "/reports/nis2.early_warning", map[string]any{"suspected_malicious": i%2 == 0, "cross_border_impact": false}},
			call{entity, "/messages", TextRequest{Text: "update"}},
			call{analyst, "/notes", TextRequest{Text: "note"}},
		)
	}
	calls = append(calls, call{analyst, "/feedback", TextRequest{Text: "received"}},
		call{analyst, "/intermediate-requests", IntermediateReportRequest{Regime: "nis2", DueAt: &due}})
	errs := make(chan string, len(calls))
	for _, c := range calls {
		req, err := http.NewRequest("POST", f.ts.URL+base+c.path, jsonBody(c.body).r)
		if err != nil {
			t.Fatal(err)
		}
		c.caller(req)
		go func() { // no t.Fatal off the test's goroutine
			resp, err := f.ts.Client().Do(req)
			if err != nil {
				errs <- c.path + ": " + err.Error()
				return
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(resp.Body)
			if resp.StatusCode/100 != 2 {
				errs <- c.path + ": " + resp.Status + ": " + string(out)
				return
			}
			errs <- ""
		}()
	}
	for range calls {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
	subs, err := f.db.ListSubmissions(ctx, view.Incident.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 4 {
		t.Fatalf("%d submissions, want 4", len(subs))
	}
	for i, s := range subs[1:] {
		if s.SupersedesID != subs[i].ID {
			t.Errorf("submission %d supersedes %q, want %q: the chain forked", i+1, s.SupersedesID, subs[i].ID)
		}
	}
	resp, out := f.do(t, "GET", base, entity)
	wantStatus(t, "read", resp, out, 200)
	obs := decode[IncidentView](t, out).Assessment.Obligations
	if o := obligation(t, obs, "nis2.intermediate"); !o.DueAt.Equal(due) {
		t.Errorf("intermediate report due %v, want %s", o.DueAt, due)
	}
	if o := obligation(t, obs, "nis2.initial_feedback"); o.Status != rules.DueSubmitted {
		t.Errorf("initial feedback %s, want submitted", o.Status)
	}
	rep, err := f.db.VerifyAudit(ctx)
	if err != nil || !rep.OK {
		t.Errorf("VerifyAudit = %+v, %v", rep, err)
	}
}
