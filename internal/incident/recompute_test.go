package incident

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/report"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

// TestRecomputeAgainstTheStore runs the whole cycle on a real database:
// an incident, an early warning, a request and a notification, each
// followed by a recomputation, with the reminders they leave.
func TestRecomputeAgainstTheStore(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org, err := db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: "Example DNS", MemberState: "NL"})
	if err != nil {
		t.Fatal(err)
	}
	// The store stamps submissions and events with its own clock, so the
	// scenario runs around the real present.
	aware := time.Now().UTC().Truncate(time.Second).Add(-2 * time.Hour)
	f := rules.Facts{Now: aware.Add(time.Hour), Entity: rules.Entity{MemberState: "NL", EntityTypes: []string{"digital-infrastructure/dns"}},
		Incident: rules.Incident{AwareAt: &aware, Impact: rules.Impact{CompleteUnavailability: rules.Duration(45 * time.Minute)}}}
	stored, err := StoredFacts(f, f.Now)
	if err != nil {
		t.Fatal(err)
	}
	rec := Record{Facts: stored}
	inc, err := db.CreateIncident(ctx, "NL", store.Incident{OrganisationID: org.ID, Title: "DNS outage", Facts: rec.Facts})
	if err != nil {
		t.Fatal(err)
	}
	eng := rules.New(nil)
	step := func(now time.Time, fn func(tx *store.Tx) error) rules.Result {
		t.Helper()
		var res rules.Result
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if fn != nil {
				if err := fn(tx); err != nil {
					return err
				}
			}
			cur, err := tx.GetIncident(ctx, inc.ID)
			if err != nil {
				return err
			}
			res, inc, err = Recompute(ctx, tx, eng, rules.Options{}, cur, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// 1. Freshly reported: early warning due aware + 24 h (NIS2 Art 23(4)(a)).
	ewDue := aware.Add(24 * time.Hour)
	res := step(time.Now(), nil)
	if ob(res, "nis2.early_warning").Status != rules.DueOpen {
		t.Fatalf("early warning status %s, want open", ob(res, "nis2.early_warning").Status)
	}
	a, err := db.GetAssessment(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !a.NextDueAt.Equal(ewDue) || a.Overdue {
		t.Errorf("assessment next due %s overdue %v, want %s, false", a.NextDueAt, a.Overdue, ewDue)
	}
	if len(inc.Sectors) != 1 || inc.Sectors[0] != "digital-infrastructure" || len(inc.Regimes) != 1 || inc.Regimes[0] != "nis2" {
		t.Errorf("incident sectors %v regimes %v", inc.Sectors, inc.Regimes)
	}
	// The early warning's reminders are queued: due soon at due − 4 h (a
	// sixth of 24 h) and overdue at the due instant.
	jobs, err := db.ClaimJobs(ctx, "w1", ewDue.Add(-4*time.Hour), 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, j := range jobs {
		var p ReminderPayload
		json.Unmarshal(j.Payload, &p)
		if p.Obligation == "nis2.early_warning" {
			kinds = append(kinds, p.Kind)
		}
		db.CompleteJob(ctx, j.ID, "w1")
	}
	if len(kinds) != 1 || kinds[0] != "due_soon" {
		t.Errorf("reminders claimable 4 h before the due instant for the early warning: %v, want [due_soon]", kinds)
	}

	// 2. The early warning is filed; recomputing twice queues nothing twice.
	body, err := report.Parse("nis2.early_warning", jsonReader(`{"suspected_malicious":true,"cross_border_impact":false}`))
	if err != nil {
		t.Fatal(err)
	}
	res = step(time.Now(), func(tx *store.Tx) error {
		_, _, err := tx.CreateSubmission(ctx, store.Submission{IncidentID: inc.ID, OrganisationID: org.ID, Report: body.Report, Body: body.JSON, SubmittedBy: "test"})
		return err
	})
	ew := ob(res, "nis2.early_warning")
	if ew.Status != rules.DueSubmitted || ew.OnTime == nil || !*ew.OnTime {
		t.Errorf("early warning after filing: %+v, want submitted on time", ew)
	}
	fb := ob(res, "nis2.initial_feedback")
	if fb.DueAt == nil || fb.Party != "authority" {
		t.Errorf("the CSIRT's 24 h feedback (Art 23(5)) is not scheduled: %+v", fb)
	}
	// The filed early warning's overdue reminder was cancelled.
	jobs, _ = db.ClaimJobs(ctx, "w1", ewDue.Add(time.Hour), 100, time.Minute)
	for _, j := range jobs {
		var p ReminderPayload
		json.Unmarshal(j.Payload, &p)
		if p.Obligation == "nis2.early_warning" {
			t.Errorf("a reminder for the filed early warning is still queued: %+v", p)
		}
	}

	// 3. The authority asks for an intermediate report and gives feedback.
	due := aware.Add(96 * time.Hour)
	res = step(time.Now(), func(tx *store.Tx) error {
		b, _ := json.Marshal(RequestBody{Regime: "nis2", DueAt: &due})
		if _, err := tx.AddIncidentEvent(ctx, store.IncidentEvent{IncidentID: inc.ID, Actor: "analyst", Kind: store.EventRequest, Visibility: store.VisibilityShared, Body: b}); err != nil {
			return err
		}
		_, err := tx.AddIncidentEvent(ctx, store.IncidentEvent{IncidentID: inc.ID, Actor: "analyst", Kind: store.EventFeedback, Visibility: store.VisibilityShared, Body: json.RawMessage(`{"message":"received"}`)})
		return err
	})
	if o := ob(res, "nis2.intermediate"); o.DueAt == nil || !o.DueAt.Equal(due) {
		t.Errorf("requested intermediate report: %+v, want due %s (NIS2 Art 23(4)(c))", o, due)
	}
	if o := ob(res, "nis2.initial_feedback"); o.Status != rules.DueSubmitted {
		t.Errorf("initial feedback status %s, want submitted once the authority gave it", o.Status)
	}
}

func ob(res rules.Result, id string) rules.Obligation {
	for _, o := range res.Obligations {
		if o.ID == id {
			return o
		}
	}
	return rules.Obligation{}
}
