package store_test

import (
	"context"
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func TestIncidentStats(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	orgA := mustOrg(t, db, store.OrgEntity)
	orgB := mustOrg(t, db, store.OrgEntity)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	assess := func(in store.Incident, next time.Time, overdue bool) {
		t.Helper()
		if _, err := db.SaveAssessment(ctx, store.Assessment{IncidentID: in.ID, Result: json.RawMessage(`{}`), ComputedAt: t0, NextDueAt: next, Overdue: overdue}); err != nil {
			t.Fatal(err)
		}
	}
	a1 := mustIncident(t, db, orgA.ID, store.Incident{Sectors: []string{"energy", "health"}, Regimes: []string{"nis2", "gdpr"}})
	a2 := mustIncident(t, db, orgA.ID, store.Incident{State: store.StateTriaged, Sectors: []string{"energy"}, Regimes: []string{"nis2"}})
	mustIncident(t, db, orgA.ID, store.Incident{State: store.StateClosed, Sectors: []string{"energy"}})
	b1 := mustIncident(t, db, orgB.ID, store.Incident{Regimes: []string{"dora"}})
	mustIncident(t, db, orgB.ID, store.Incident{})
	assess(a1, t0.Add(-time.Minute), false) // its next due instant has passed by t0
	assess(a2, t0.Add(time.Hour), true)     // the assessment found it overdue
	assess(b1, t0.Add(time.Hour), false)    // not overdue

	tests := []struct {
		name   string
		org    string
		want   store.IncidentStats
		filter store.IncidentFilter
	}{
		{"every incident", "", store.IncidentStats{Total: 5, Overdue: 2,
			ByState:  map[store.IncidentState]int{store.StateReceived: 3, store.StateTriaged: 1, store.StateClosed: 1},
			BySector: map[string]int{"energy": 3, "health": 1},
			ByRegime: map[string]int{"nis2": 2, "gdpr": 1, "dora": 1}}, store.IncidentFilter{}},
		{"one organisation", orgB.ID, store.IncidentStats{Total: 2, Overdue: 0,
			ByState:  map[store.IncidentState]int{store.StateReceived: 2},
			BySector: map[string]int{},
			ByRegime: map[string]int{"dora": 1}}, store.IncidentFilter{OrganisationID: orgB.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.IncidentStats(ctx, tc.org, t0)
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != tc.want.Total || got.Overdue != tc.want.Overdue || !maps.Equal(got.ByState, tc.want.ByState) ||
				!maps.Equal(got.BySector, tc.want.BySector) || !maps.Equal(got.ByRegime, tc.want.ByRegime) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			// The count agrees with the queue's overdue filter.
			f := tc.filter
			f.Overdue, f.Now = true, t0
			items, _, err := db.ListIncidents(ctx, f, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != got.Overdue {
				t.Errorf("queue lists %d overdue, statistics count %d", len(items), got.Overdue)
			}
		})
	}
}
