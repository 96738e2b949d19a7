package api

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
)

func TestStats(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	a := bearer(f.token)
	grid, err := f.db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: "Grid B", MemberState: "NL",
		Profile: json.RawMessage(`{"member_state":"NL","entity_types":["energy/electricity/dso"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	b := bearer(f.tokenFor(t, grid, store.RoleEntityReporter))
	f.newUser(t, f.authority.ID, store.RoleAuthorityAnalyst, "ana@csirt.example")
	analyst := cookie(f.login(t, "ana@csirt.example", testPassword))

	f.report(t, a, "A1 fresh", awareAgo(2*time.Hour))
	a2 := f.report(t, a, "A2 overdue", awareAgo(30*time.Hour))
	b1 := f.report(t, b, "B1 overdue longer", awareAgo(40*time.Hour))
	resp, out := f.do(t, "POST", "/api/v1/incidents", a, jsonBody(map[string]any{"title": "A3 near miss", "kind": "near_miss",
		"facts": map[string]any{"incident": map[string]any{}}}))
	wantStatus(t, "report a near miss", resp, out, 201)
	resp, out = f.do(t, "POST", "/api/v1/incidents/"+a2.Incident.ID+"/state", analyst, jsonBody(StateRequest{State: "triaged", Version: a2.Incident.Version}))
	wantStatus(t, "triage A2", resp, out, 200)

	stats := func(caller reqOpt) Stats {
		t.Helper()
		resp, out := f.do(t, "GET", "/api/v1/stats", caller)
		wantStatus(t, "stats", resp, out, 200)
		return decode[Stats](t, out)
	}
	queueLen := func(caller reqOpt, q string) int {
		t.Helper()
		resp, out := f.do(t, "GET", "/api/v1/incidents?limit=500"+q, caller)
		wantStatus(t, "queue"+q, resp, out, 200)
		return len(decode[IncidentPage](t, out).Items)
	}
	overdueIDs := func(st Stats) []string {
		var ids []string
		for _, o := range st.OverdueIncidents {
			ids = append(ids, o.ID)
		}
		return ids
	}

	all := stats(analyst)
	if all.Total != 4 || all.Overdue != 2 {
		t.Errorf("authority: total %d, overdue %d; want 4, 2", all.Total, all.Overdue)
	}
	if want := map[string]int{"received": 3, "triaged": 1, "in_progress": 0, "closed": 0}; fmt.Sprint(all.ByState) != fmt.Sprint(want) {
		t.Errorf("by state %v, want %v", all.ByState, want)
	}
	if all.BySector["energy"] != 1 || all.ByRegime["nis2"] < 3 {
		t.Errorf("by sector %v, by regime %v; want energy 1 and nis2 for the three incidents", all.BySector, all.ByRegime)
	}
	// The figures agree with the queue's filters.
	for sector, n := range all.BySector {
		if q := queueLen(analyst, "&sector="+sector); q != n {
			t.Errorf("sector %s: %d in the statistics, %d in the queue", sector, n, q)
		}
	}
	for regime, n := range all.ByRegime {
		if q := queueLen(analyst, "&regime="+regime); q != n {
			t.Errorf("regime %s: %d in the statistics, %d in the queue", regime, n, q)
		}
	}
	if q := queueLen(analyst, "&overdue=true"); q != all.Overdue {
		t.Errorf("overdue: %d in the statistics, %d in the queue", all.Overdue, q)
	}
	if got, want := overdueIDs(all), []string{b1.Incident.ID, a2.Incident.ID}; !slices.Equal(got, want) {
		t.Errorf("overdue list %v, want %v (longest overdue first)", got, want)
	}
	if o := all.OverdueIncidents[0]; o.Reference != b1.Incident.Reference || o.Title != "B1 overdue longer" || o.OrganisationID != grid.ID ||
		o.OrganisationName != "Grid B" || o.NextDueAt == nil || !o.NextDueAt.Before(time.Now()) {
		t.Errorf("first overdue %+v", o)
	}

	// An entity sees its own figures only.
	own := stats(a)
	if own.Total != 3 || own.Overdue != 1 || own.BySector["energy"] != 0 || own.ByState["received"] != 2 {
		t.Errorf("entity A: %+v", own)
	}
	if got := overdueIDs(own); !slices.Equal(got, []string{a2.Incident.ID}) || own.OverdueIncidents[0].OrganisationName != "Hospital A" {
		t.Errorf("entity A's overdue list %+v, want A2 only", own.OverdueIncidents)
	}
	if other := stats(bearer(f.tokenFor(t, f.org(t, "Quiet C"), store.RoleEntityAdmin))); other.Total != 0 || other.Overdue != 0 ||
		len(other.OverdueIncidents) != 0 || len(other.BySector) != 0 || other.ByState["received"] != 0 {
		t.Errorf("an entity without incidents: %+v", other)
	}

	// The authority's reads are audited; the entities' are not.
	recs := auditOf(t, f, "incident.stats")
	if len(recs) != 1 {
		t.Fatalf("%d incident.stats records, want 1 (the analyst's)", len(recs))
	}
	if d := string(recs[0].Detail); d != `{"overdue":2,"overdue_listed":2,"total":4}` {
		t.Errorf("audited %s", d)
	}
}

// TestStatsOverdueListIsCapped checks that at most 100 overdue incidents
// are listed, while all are counted.
func TestStatsOverdueListIsCapped(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	const n = maxOverdueListed + 3
	past := time.Now().Add(-time.Hour)
	for i := range n {
		inc, err := f.db.CreateIncident(ctx, "NL", store.Incident{OrganisationID: f.entity.ID, Title: fmt.Sprint("late ", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.SaveAssessment(ctx, store.Assessment{IncidentID: inc.ID, Result: json.RawMessage(`{}`), NextDueAt: past.Add(time.Duration(i) * time.Second), Overdue: true}); err != nil {
			t.Fatal(err)
		}
	}
	resp, out := f.do(t, "GET", "/api/v1/stats", bearer(f.token))
	wantStatus(t, "stats", resp, out, 200)
	st := decode[Stats](t, out)
	if st.Overdue != n || len(st.OverdueIncidents) != maxOverdueListed || st.OverdueIncidents[0].Title != "late 0" {
		t.Errorf("overdue %d, listed %d (first %q); want %d, %d, late 0", st.Overdue, len(st.OverdueIncidents), st.OverdueIncidents[0].Title, n, maxOverdueListed)
	}
}
