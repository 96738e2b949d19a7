package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
)

// incidentOps are the documented routes of one incident.
func incidentOps() []operation {
	var ops []operation
	for _, op := range operations {
		if strings.HasPrefix(op.path, "/api/v1/incidents/{id}") {
			ops = append(ops, op)
		}
	}
	return ops
}

// fill puts values into a path's {parameters}.
func fill(path string, values map[string]string) string {
	for name, v := range values {
		path = strings.ReplaceAll(path, "{"+name+"}", v)
	}
	return path
}

// TestIncidentIsolation checks that another entity's incident answers
// every incident route exactly like an incident that does not exist, and
// that the attempts change nothing.
func TestIncidentIsolation(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	a := bearer(f.token)
	view := f.report(t, a, "A's incident", awareAgo(time.Hour))
	sub := f.file(t, a, view.Incident.ID, "nis2.early_warning", map[string]any{"suspected_malicious": false, "cross_border_impact": false})

	b := f.org(t, "Hospital B")
	f.newUser(t, b.ID, store.RoleEntityAdmin, "bea@b.example")
	callers := map[string]reqOpt{
		"reporter token":  bearer(f.tokenFor(t, b, store.RoleEntityReporter)),
		"admin token":     bearer(f.tokenFor(t, b, store.RoleEntityAdmin)),
		"signed-in admin": cookie(f.login(t, "bea@b.example", testPassword)),
	}
	ops := incidentOps()
	if len(ops) < 14 {
		t.Fatalf("only %d incident routes documented", len(ops))
	}
	for name, caller := range callers {
		for _, op := range ops {
			t.Run(name+" "+op.method+" "+op.path, func(t *testing.T) {
				other := fill(op.path, map[string]string{"id": view.Incident.ID, "report": "nis2.early_warning", "submission_id": sub.Receipt.ID})
				missing := fill(op.path, map[string]string{"id": missingID, "report": "nis2.early_warning", "submission_id": sub.Receipt.ID})
				var body1, body2 any
				if op.request != nil {
					body1, body2 = rawBody(`{}`), rawBody(`{}`)
				}
				resp1, out1 := f.do(t, op.method, other, body1, caller)
				resp2, out2 := f.do(t, op.method, missing, body2, caller)
				wantStatus(t, "another entity's incident", resp1, out1, 404)
				wantStatus(t, "a missing incident", resp2, out2, 404)
				if string(out1) != string(out2) {
					t.Errorf("bodies differ:\nother:   %s\nmissing: %s", out1, out2)
				}
			})
		}
	}

	// B's queue does not list A's incident, even when asked for A's.
	for _, q := range []string{"", "?organisation=" + f.entity.ID} {
		resp, out := f.do(t, "GET", "/api/v1/incidents"+q, callers["reporter token"])
		wantStatus(t, "B's queue", resp, out, 200)
		if pg := decode[IncidentPage](t, out); len(pg.Items) != 0 {
			t.Errorf("B's queue%s lists %d incidents, want none", q, len(pg.Items))
		}
	}
	// Nothing happened to A's incident.
	inc, err := f.db.GetIncident(ctx, view.Incident.ID)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Version != view.Incident.Version || inc.State != store.StateReceived {
		t.Errorf("A's incident after B's attempts: version %d state %s, want version %d, received", inc.Version, inc.State, view.Incident.Version)
	}
	if subs, _ := f.db.ListSubmissions(ctx, inc.ID, store.Page{}); len(subs) != 1 {
		t.Errorf("%d submissions on A's incident, want 1", len(subs))
	}
	if ds, _ := f.db.ListDrafts(ctx, f.entity.ID, inc.ID); len(ds) != 0 {
		t.Errorf("%d drafts on A's incident, want none", len(ds))
	}
	if evs, _ := f.db.ListIncidentEvents(ctx, inc.ID, true, store.Page{}); len(evs) != 0 {
		t.Errorf("%d timeline entries on A's incident, want none", len(evs))
	}
	for _, org := range []string{b.ID, f.entity.ID} {
		if n, _ := f.db.CountUnreadNotifications(ctx, org); n != 0 {
			t.Errorf("%d notifications for %s, want none", n, org)
		}
	}
}

// TestIncidentRoleDecisions checks who may act on a visible incident: the
// entity reports, the authority triages; the other side's routes answer
// 403.
func TestIncidentRoleDecisions(t *testing.T) {
	f := newServer(t)
	entity := bearer(f.token)
	analyst := bearer(f.tokenFor(t, f.authority, store.RoleAuthorityAnalyst))
	view := f.report(t, entity, "Phishing wave", awareAgo(time.Hour))
	id := view.Incident.ID
	path := func(p string) string { return "/api/v1/incidents/" + id + p }
	future := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)

	tests := []struct {
		name         string
		caller       reqOpt
		method, path string
		body         any
		status       int
	}{
		{"analyst reports an incident", analyst, "POST", "/api/v1/incidents", jsonBody(map[string]any{"title": "x", "facts": awareAgo(time.Hour)}), 403},
		{"analyst replaces the facts", analyst, "PUT", path("/facts"), jsonBody(map[string]any{"facts": awareAgo(time.Hour), "version": view.Incident.Version}), 403},
		{"analyst files a report", analyst, "POST", path("/reports/nis2.early_warning"), jsonBody(map[string]any{"suspected_malicious": false, "cross_border_impact": false}), 403},
		{"analyst ends the handling", analyst, "POST", path("/handling-ended"), jsonBody(map[string]any{"handling_ended_at": time.Now()}), 403},
		{"entity moves the state", entity, "POST", path("/state"), jsonBody(StateRequest{State: "triaged", Version: view.Incident.Version}), 403},
		{"entity assigns", entity, "POST", path("/assignment"), jsonBody(AssignmentRequest{}), 403},
		{"entity classifies", entity, "POST", path("/classification"), jsonBody(map[string]string{"tlp": "TLP:RED"}), 403},
		{"entity writes a note", entity, "POST", path("/notes"), jsonBody(TextRequest{Text: "internal?"}), 403},
		{"entity requests a report", entity, "POST", path("/intermediate-requests"), jsonBody(IntermediateReportRequest{Regime: "nis2", DueAt: &future}), 403},
		{"entity gives feedback", entity, "POST", path("/feedback"), jsonBody(TextRequest{Text: "thanks"}), 403},
		{"entity reads its incident", entity, "GET", path(""), nil, 200},
		{"analyst reads the incident", analyst, "GET", path(""), nil, 200},
		{"analyst reads the timeline", analyst, "GET", path("/timeline"), nil, 200},
		{"analyst lists the reports", analyst, "GET", path("/reports"), nil, 200},
		{"analyst writes a message", analyst, "POST", path("/messages"), jsonBody(TextRequest{Text: "Please call us"}), 201},
		{"entity writes a message", entity, "POST", path("/messages"), jsonBody(TextRequest{Text: "Calling now"}), 201},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, tc.method, tc.path, tc.body, tc.caller)
			wantStatus(t, tc.name, resp, out, tc.status)
			if tc.status == 403 && errorCode(t, out) != "forbidden" {
				t.Errorf("code %q, want forbidden", errorCode(t, out))
			}
		})
	}
}
