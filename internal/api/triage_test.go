package api

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// titles lists the titles of a queue page.
func titles(pg IncidentPage) []string {
	var out []string
	for _, it := range pg.Items {
		out = append(out, it.Title)
	}
	return out
}

// TestQueue checks that the authority sees every entity's incidents,
// ordered by the next due report, that the filters select and that the
// cursor pages; and that an entity's queue is its own.
func TestQueue(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	a := bearer(f.token)
	grid, err := f.db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: "Grid B", MemberState: "NL",
		Profile: json.RawMessage(`{"member_state":"NL","entity_types":["energy/electricity/dso"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	b := bearer(f.tokenFor(t, grid, store.RoleEntityReporter))
	analystUser := f.newUser(t, f.authority.ID, store.RoleAuthorityAnalyst, "ana@csirt.example")
	analyst := cookie(f.login(t, "ana@csirt.example", testPassword))

	a1 := f.report(t, a, "A1 fresh", awareAgo(2*time.Hour))    // early warning due in 22 h
	a2 := f.report(t, a, "A2 urgent", awareAgo(20*time.Hour))  // due in 4 h
	b1 := f.report(t, b, "B1 overdue", awareAgo(30*time.Hour)) // overdue by 6 h
	resp, out := f.do(t, "POST", "/api/v1/incidents", a, jsonBody(map[string]any{"title": "A3 near miss", "kind": "near_miss",
		"facts": map[string]any{"incident": map[string]any{}}}))
	wantStatus(t, "report a near miss", resp, out, 201)
	a3 := decode[IncidentView](t, out)
	if a3.Incident.Kind != "near_miss" || a3.Incident.Facts.Incident.Kind != "near_miss" {
		t.Errorf("near miss reported as %s with facts kind %q", a3.Incident.Kind, a3.Incident.Facts.Incident.Kind)
	}

	list := func(caller reqOpt, q string) IncidentPage {
		t.Helper()
		resp, out := f.do(t, "GET", "/api/v1/incidents"+q, caller)
		wantStatus(t, "queue "+q, resp, out, 200)
		return decode[IncidentPage](t, out)
	}
	all := list(analyst, "")
	if got, want := titles(all), []string{"B1 overdue", "A2 urgent", "A1 fresh", "A3 near miss"}; !slices.Equal(got, want) {
		t.Fatalf("analyst's queue %v, want %v (by next due, undated last)", got, want)
	}
	first := all.Items[0]
	if !first.Overdue || first.NextDueAt == nil || first.OrganisationID != grid.ID || first.Assignment == nil || first.TLP != store.DefaultTLP ||
		!slices.Equal(first.Sectors, []string{"energy"}) || !slices.Equal(first.Regimes, []string{"nis2"}) {
		t.Errorf("first item %+v, want B1 overdue with its due instant, sectors and regimes", first)
	}
	if last := all.Items[3]; last.NextDueAt != nil || last.Overdue {
		t.Errorf("near miss in the queue %+v, want nothing due", last)
	}

	// Triage some, then filter.
	resp, out = f.do(t, "POST", "/api/v1/incidents/"+a1.Incident.ID+"/assignment", analyst, jsonBody(AssignmentRequest{UserID: analystUser.ID}))
	wantStatus(t, "assign A1", resp, out, 200)
	resp, out = f.do(t, "POST", "/api/v1/incidents/"+a2.Incident.ID+"/state", analyst, jsonBody(StateRequest{State: "closed", Version: a2.Incident.Version}))
	wantStatus(t, "close A2", resp, out, 200)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"?organisation=" + f.entity.ID, []string{"A2 urgent", "A1 fresh", "A3 near miss"}},
		{"?overdue=true", []string{"B1 overdue"}},
		{"?kind=near_miss", []string{"A3 near miss"}},
		{"?kind=incident,cyber_threat", []string{"B1 overdue", "A2 urgent", "A1 fresh"}},
		{"?sector=energy", []string{"B1 overdue"}},
		{"?sector=health&regime=nis2", []string{"A2 urgent", "A1 fresh"}},
		{"?state=closed", []string{"A2 urgent"}},
		{"?state=received&state=triaged", []string{"B1 overdue", "A1 fresh", "A3 near miss"}},
		{"?assigned_user=" + analystUser.ID, []string{"A1 fresh"}},
		{"?assigned_user=me", []string{"A1 fresh"}},
		{"?assigned_team=" + missingID, nil},
	} {
		if got := titles(list(analyst, tc.q)); !slices.Equal(got, tc.want) {
			t.Errorf("queue%s = %v, want %v", tc.q, got, tc.want)
		}
	}

	// The cursor pages through the same order.
	var paged []string
	next := ""
	for pages := 0; ; pages++ {
		pg := list(analyst, "?limit=1&next="+next)
		paged = append(paged, titles(pg)...)
		if pg.Next == nil {
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		next = *pg.Next
	}
	if !slices.Equal(paged, titles(all)) {
		t.Errorf("paged through %v, want %v", paged, titles(all))
	}

	// An entity's queue is its own and shows no assignment.
	own := list(a, "")
	if got, want := titles(own), []string{"A2 urgent", "A1 fresh", "A3 near miss"}; !slices.Equal(got, want) {
		t.Errorf("A's queue %v, want %v", got, want)
	}
	for _, it := range own.Items {
		if it.Assignment != nil {
			t.Errorf("A's queue shows the assignment of %s", it.Title)
		}
	}
	if got := titles(list(b, "")); !slices.Equal(got, []string{"B1 overdue"}) {
		t.Errorf("B's queue %v, want B1 only", got)
	}

	for _, tc := range []struct {
		caller reqOpt
		q      string
		status int
	}{
		{analyst, "?state=open", 400},
		{analyst, "?kind=outage", 400},
		{analyst, "?regime=nis3", 400},
		{analyst, "?overdue=yes", 400},
		{analyst, "?limit=501", 400},
		{analyst, "?next=garbage", 400},
		{bearer(f.tokenFor(t, f.authority, store.RoleAuthorityAnalyst)), "?assigned_user=me", 400},
		{a, "?assigned_user=" + analystUser.ID, 403},
	} {
		resp, out := f.do(t, "GET", "/api/v1/incidents"+tc.q, tc.caller)
		wantStatus(t, "queue"+tc.q, resp, out, tc.status)
	}
	_ = b1
}

// TestStateTransitions moves an incident through its states, reopens it,
// and refuses a transition the life cycle does not have and a stale
// version.
func TestStateTransitions(t *testing.T) {
	f := newServer(t)
	view := f.report(t, bearer(f.token), "Data leak", awareAgo(time.Hour))
	sup := bearer(f.tokenFor(t, f.authority, store.RoleAuthoritySupervisor))
	id := view.Incident.ID
	version := view.Incident.Version
	move := func(state string, v int64, status int) ReportedIncident {
		t.Helper()
		resp, out := f.do(t, "POST", "/api/v1/incidents/"+id+"/state", sup, jsonBody(StateRequest{State: state, Version: v}))
		wantStatus(t, "to "+state, resp, out, status)
		if status != 200 {
			if status == 409 && !strings.Contains(decode[envelope](t, out).Error.Message, "version") && !strings.Contains(decode[envelope](t, out).Error.Message, "cannot go") {
				t.Errorf("409 without a reason: %s", out)
			}
			return ReportedIncident{}
		}
		inc := decode[ReportedIncident](t, out)
		version = inc.Version
		return inc
	}
	move("triaged", version, 200)
	move("received", version, 409) // no way back to received
	move("in_progress", version-1, 409)
	move("in_progress", version, 200)
	if closed := move("closed", version, 200); closed.State != "closed" || closed.ClosedAt == nil {
		t.Errorf("closed incident %+v, want closed_at", closed)
	}
	move("triaged", version, 409)
	if reopened := move("in_progress", version, 200); reopened.State != "in_progress" || reopened.ClosedAt != nil {
		t.Errorf("reopened incident %+v, want in_progress without closed_at", reopened)
	}
	move("done", version, 400)
	move("closed", 0, 400)

	resp, out := f.do(t, "POST", "/api/v1/incidents/"+id+"/state", sup, jsonBody(StateRequest{State: "received", Version: version}))
	wantStatus(t, "to received", resp, out, 409)
	if msg := decode[envelope](t, out).Error.Message; !strings.Contains(msg, "cannot go from in_progress to received") {
		t.Errorf("message %q does not explain the refused transition", msg)
	}

	// The entity sees the state changes on its timeline.
	resp, out = f.do(t, "GET", "/api/v1/incidents/"+id+"/timeline", bearer(f.token))
	wantStatus(t, "timeline", resp, out, 200)
	var moves []string
	for _, e := range decode[Page[TimelineEntry]](t, out).Items {
		if e.Kind == "state" {
			var b map[string]string
			json.Unmarshal(e.Body, &b)
			moves = append(moves, b["from"]+">"+b["to"])
		}
	}
	if want := []string{"received>triaged", "triaged>in_progress", "in_progress>closed", "closed>in_progress"}; !slices.Equal(moves, want) {
		t.Errorf("state entries %v, want %v", moves, want)
	}
}

// TestClassificationAndAssignment checks the vocabularies a classification
// is validated against and whom an incident may be assigned to.
func TestClassificationAndAssignment(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	view := f.report(t, bearer(f.token), "Defacement", awareAgo(time.Hour))
	analyst := bearer(f.tokenFor(t, f.authority, store.RoleAuthorityAnalyst))
	path := "/api/v1/incidents/" + view.Incident.ID

	resp, out := f.do(t, "POST", path+"/classification", analyst, rawBody(`{"rsit":" Intrusions/System-Compromise ","tlp":"amber","impact_severity":"yellow","impact_outlook":"stable"}`))
	wantStatus(t, "classify", resp, out, 200)
	inc := decode[ReportedIncident](t, out)
	if inc.RSIT != "intrusions/system-compromise" || inc.TLP != "TLP:AMBER" || inc.ImpactSeverity != "yellow" || inc.ImpactOutlook != "stable" {
		t.Errorf("classified %+v, want canonical RSIT and TLP", inc)
	}
	resp, out = f.do(t, "POST", path+"/classification", analyst, rawBody(`{"tlp":"TLP:WHITE"}`))
	wantStatus(t, "reclassify TLP", resp, out, 200)
	if inc := decode[ReportedIncident](t, out); inc.TLP != "TLP:CLEAR" || inc.RSIT != "intrusions/system-compromise" {
		t.Errorf("after changing the TLP alone: %+v, want TLP:CLEAR and the RSIT kept", inc)
	}
	for _, tc := range []struct{ name, body, field string }{
		{"unknown RSIT type", `{"rsit":"intrusions/teleportation"}`, "rsit"},
		{"RSIT class alone", `{"rsit":"intrusions"}`, "rsit"},
		{"TLP 2.0 spelled with a space", `{"tlp":"TLP:AMBER STRICT"}`, "tlp"},
		{"empty TLP", `{"tlp":""}`, "tlp"},
		{"unknown severity", `{"impact_severity":"orange"}`, "impact_severity"},
		{"unknown outlook", `{"impact_outlook":"better"}`, "impact_outlook"},
		{"unknown field", `{"colour":"red"}`, "colour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, "POST", path+"/classification", analyst, rawBody(tc.body))
			wantStatus(t, tc.name, resp, out, 400)
			if fields := fieldsOf(t, out); !slices.Contains(fields, tc.field) {
				t.Errorf("fields %v do not name %q: %s", fields, tc.field, out)
			}
		})
	}
	resp, out = f.do(t, "POST", path+"/classification", analyst, rawBody(`{}`))
	wantStatus(t, "nothing to change", resp, out, 400)

	team, err := f.db.CreateTeam(ctx, store.Team{OrganisationID: f.authority.ID, Name: "Health"})
	if err != nil {
		t.Fatal(err)
	}
	ana := f.newUser(t, f.authority.ID, store.RoleAuthorityAnalyst, "ana@csirt.example")
	entityUser := f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "eve@a.example")
	resp, out = f.do(t, "POST", path+"/assignment", analyst, jsonBody(AssignmentRequest{UserID: ana.ID, TeamID: team.ID}))
	wantStatus(t, "assign", resp, out, 200)
	if inc := decode[ReportedIncident](t, out); inc.Assignment == nil || inc.Assignment.UserID != ana.ID || inc.Assignment.TeamID != team.ID {
		t.Errorf("assignment %+v, want Ana and the team", inc.Assignment)
	}
	for _, tc := range []struct {
		name  string
		req   AssignmentRequest
		field string
	}{
		{"an entity's user", AssignmentRequest{UserID: entityUser.ID}, "user_id"},
		{"a missing user", AssignmentRequest{UserID: missingID}, "user_id"},
		{"a missing team", AssignmentRequest{TeamID: missingID}, "team_id"},
	} {
		resp, out := f.do(t, "POST", path+"/assignment", analyst, jsonBody(tc.req))
		wantStatus(t, tc.name, resp, out, 400)
		if fields := fieldsOf(t, out); !slices.Contains(fields, tc.field) {
			t.Errorf("%s: fields %v do not name %q", tc.name, fields, tc.field)
		}
	}
	resp, out = f.do(t, "POST", path+"/assignment", analyst, jsonBody(AssignmentRequest{}))
	wantStatus(t, "unassign", resp, out, 200)
	if inc := decode[ReportedIncident](t, out); *inc.Assignment != (Assignment{}) {
		t.Errorf("after unassigning: %+v", inc.Assignment)
	}
	// The entity sees the classification, not the assignment.
	resp, out = f.do(t, "GET", "/api/v1/incidents/"+view.Incident.ID+"/timeline", bearer(f.token))
	for _, e := range decode[Page[TimelineEntry]](t, out).Items {
		if e.Kind == "assignment" || e.Visibility != "shared" {
			t.Errorf("the entity's timeline holds %s entry %s", e.Visibility, e.Kind)
		}
	}
	resp, out = f.do(t, "GET", "/api/v1/incidents/"+view.Incident.ID, bearer(f.token))
	if v := decode[IncidentView](t, out); v.Incident.Assignment != nil || v.Incident.RSIT != "intrusions/system-compromise" {
		t.Errorf("the entity reads %+v", v.Incident)
	}
}

// TestFactsUpdate replaces an incident's facts with optimistic
// concurrency and reassesses it.
func TestFactsUpdate(t *testing.T) {
	f := newServer(t)
	siem := bearer(f.token)
	view := f.report(t, siem, "Slow DNS", awareAgo(time.Hour))
	path := "/api/v1/incidents/" + view.Incident.ID + "/facts"
	earlier := awareAgo(30 * time.Hour)

	resp, out := f.do(t, "PUT", path, siem, jsonBody(map[string]any{"facts": earlier, "version": view.Incident.Version}))
	wantStatus(t, "update", resp, out, 200)
	upd := decode[IncidentView](t, out)
	if upd.Incident.Version <= view.Incident.Version {
		t.Errorf("version %d after the update, want more than %d", upd.Incident.Version, view.Incident.Version)
	}
	if o := obligation(t, upd.Assessment.Obligations, "nis2.early_warning"); o.Status != rules.DueOverdue {
		t.Errorf("early warning after moving awareness 30 h back: %s, want overdue", o.Status)
	}
	resp, out = f.do(t, "PUT", path, siem, jsonBody(map[string]any{"facts": earlier, "version": view.Incident.Version}))
	wantStatus(t, "stale version", resp, out, 409)

	// An explicit entity overrides the profile.
	own := map[string]any{"entity": map[string]any{"member_state": "BE", "entity_types": []string{"health/healthcare-provider"}}, "incident": earlier["incident"]}
	resp, out = f.do(t, "PUT", path, siem, jsonBody(map[string]any{"facts": own, "version": upd.Incident.Version}))
	wantStatus(t, "own entity", resp, out, 200)
	if v := decode[IncidentView](t, out); v.Incident.Facts.Entity.MemberState != "BE" {
		t.Errorf("entity %+v, want the one given", v.Incident.Facts.Entity)
	}

	future := map[string]any{"incident": map[string]any{"aware_at": time.Now().Add(time.Hour)}}
	for _, tc := range []struct{ name, body, field string }{
		{"awareness in the future", mustJSON(t, map[string]any{"facts": future, "version": 99}), "facts.incident.aware_at"},
		{"now given", `{"version":1,"facts":{"now":"2026-01-01T00:00:00Z","incident":{}}}`, "facts.now"},
		{"events given", `{"version":1,"facts":{"events":{},"incident":{}}}`, "facts.events"},
		{"unknown nested field", `{"version":1,"facts":{"incident":{"severity":"high"}}}`, "facts"},
		{"no facts", `{"version":1}`, "facts"},
		{"bad duration", `{"version":1,"facts":{"incident":{"impact":{"complete_unavailability":"-5m"}}}}`, "facts.incident.impact.complete_unavailability"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, "PUT", path, siem, rawBody(tc.body))
			wantStatus(t, tc.name, resp, out, 400)
			if code := errorCode(t, out); code != "invalid_facts" {
				t.Errorf("code %q, want invalid_facts", code)
			}
			if fields := fieldsOf(t, out); !slices.Contains(fields, tc.field) {
				t.Errorf("fields %v do not name %q: %s", fields, tc.field, out)
			}
		})
	}
	// A near miss stays one unless its facts say otherwise.
	resp, out = f.do(t, "POST", "/api/v1/incidents", siem, jsonBody(map[string]any{"title": "Probe", "kind": "near_miss",
		"facts": map[string]any{"incident": map[string]any{}}}))
	wantStatus(t, "report a near miss", resp, out, 201)
	nm := decode[IncidentView](t, out).Incident
	resp, out = f.do(t, "PUT", "/api/v1/incidents/"+nm.ID+"/facts", siem, jsonBody(map[string]any{"version": nm.Version,
		"facts": map[string]any{"incident": map[string]any{"root_cause": "misconfigured firewall"}}}))
	wantStatus(t, "update a near miss", resp, out, 200)
	if v := decode[IncidentView](t, out).Incident; v.Kind != "near_miss" || v.Facts.Incident.Kind != "near_miss" {
		t.Errorf("after updating its facts the near miss is a %s with facts kind %q", v.Kind, v.Facts.Incident.Kind)
	}
	resp, out = f.do(t, "PUT", "/api/v1/incidents/"+nm.ID+"/facts", siem, jsonBody(map[string]any{"version": latestVersion(t, f, nm.ID),
		"facts": awareAgo(time.Hour)}))
	wantStatus(t, "update a near miss with awareness", resp, out, 200)
	if v := decode[IncidentView](t, out).Incident; v.Kind != "near_miss" {
		t.Errorf("kind after facts without a kind: %s, want near_miss kept", v.Kind)
	}
	facts := awareAgo(time.Hour)
	facts["incident"].(map[string]any)["kind"] = "incident"
	resp, out = f.do(t, "PUT", "/api/v1/incidents/"+nm.ID+"/facts", siem, jsonBody(map[string]any{"version": latestVersion(t, f, nm.ID), "facts": facts}))
	wantStatus(t, "a near miss becomes an incident", resp, out, 200)
	if v := decode[IncidentView](t, out); v.Incident.Kind != "incident" || !slices.Contains(v.Incident.Regimes, "nis2") {
		t.Errorf("after the facts say incident: kind %s regimes %v, want a reportable incident", v.Incident.Kind, v.Incident.Regimes)
	}

	resp, out = f.do(t, "POST", "/api/v1/incidents", siem, jsonBody(map[string]any{"title": "x", "kind": "near_miss",
		"facts": map[string]any{"incident": map[string]any{"kind": "cyber_threat"}}}))
	wantStatus(t, "kinds differ", resp, out, 400)
	if fields := fieldsOf(t, out); !slices.Contains(fields, "facts.incident.kind") {
		t.Errorf("fields %v do not name facts.incident.kind", fields)
	}
}
