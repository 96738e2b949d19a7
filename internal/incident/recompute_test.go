package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
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

// TestConcurrentTimelineWritesAndSubmissions: on one incident, timeline
// writes that change the incident's regimes (written as the API writes
// them: the entry, its audit record, then the reassessment) run at the
// same time as report submissions (the incident locked, the submission,
// its audit record, the reassessment). On PostgreSQL they once could
// deadlock (the audit chain's lock against the incident's row); every one
// must succeed, and the audit trail must still verify.
func TestConcurrentTimelineWritesAndSubmissions(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org, err := db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: "Example DNS", MemberState: "NL"})
	if err != nil {
		t.Fatal(err)
	}
	aware := time.Now().UTC().Truncate(time.Second).Add(-2 * time.Hour)
	f := rules.Facts{Now: aware.Add(time.Hour), Entity: rules.Entity{MemberState: "NL", EntityTypes: []string{"digital-infrastructure/dns"}},
		Incident: rules.Incident{AwareAt: &aware, Impact: rules.Impact{CompleteUnavailability: rules.Duration(45 * time.Minute)}}}
	stored, err := StoredFacts(f, f.Now)
	if err != nil {
		t.Fatal(err)
	}
	inc, err := db.CreateIncident(ctx, "NL", store.Incident{OrganisationID: org.ID, Title: "DNS outage", Facts: stored})
	if err != nil {
		t.Fatal(err)
	}
	eng := rules.New(nil)
	body, err := report.Parse("nis2.early_warning", jsonReader(`{"suspected_malicious":true,"cross_border_impact":false}`))
	if err != nil {
		t.Fatal(err)
	}

	timeline := func(i int) error {
		return db.Transact(ctx, func(tx *store.Tx) error {
			e, err := tx.AddIncidentEvent(ctx, store.IncidentEvent{IncidentID: inc.ID, Actor: "analyst", Kind: store.EventMessage,
				Visibility: store.VisibilityShared, Body: json.RawMessage(`{"text":"noted"}`)})
			if err != nil {
				return err
			}
			if err := tx.Audit(ctx, store.AuditEvent{Actor: "analyst", OrganisationID: org.ID, Action: "incident.message",
				ObjectType: "incident", ObjectID: inc.ID, Detail: map[string]any{"event_id": e.ID}}); err != nil {
				return err
			}
			cur, err := tx.GetIncident(ctx, inc.ID)
			if err != nil {
				return err
			}
			// Stored regimes the assessment disagrees with: the
			// reassessment updates the incident's row.
			cur.Regimes = []string{"gdpr"}
			if cur, err = tx.UpdateIncident(ctx, cur); err != nil {
				return err
			}
			_, _, err = Recompute(ctx, tx, eng, rules.Options{}, cur, time.Now())
			return err
		})
	}
	submit := func(i int) error {
		return db.Transact(ctx, func(tx *store.Tx) error {
			cur, err := tx.GetIncidentForUpdate(ctx, org.ID, inc.ID)
			if err != nil {
				return err
			}
			rec, err := Load(ctx, tx, cur)
			if err != nil {
				return err
			}
			sub, _, err := tx.CreateSubmission(ctx, store.Submission{IncidentID: inc.ID, OrganisationID: org.ID, Report: body.Report,
				Body: body.JSON, SubmittedBy: "siem", IdempotencyKey: fmt.Sprintf("k-%d", i)})
			if err != nil {
				return err
			}
			if err := tx.Audit(ctx, store.AuditEvent{Actor: "siem", OrganisationID: org.ID, Action: "report.submit",
				ObjectType: "submission", ObjectID: sub.ID}); err != nil {
				return err
			}
			if rec, err = rec.WithSubmission(sub); err != nil {
				return err
			}
			_, _, err = Reassess(ctx, tx, eng, rules.Options{}, cur, rec, time.Now())
			return err
		})
	}

	const rounds = 20
	var wg sync.WaitGroup
	errs := make(chan error, 4*rounds)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				var err error
				if w%2 == 0 {
					err = timeline(i)
				} else {
					err = submit(w*rounds + i)
				}
				if err != nil {
					errs <- fmt.Errorf("%s %d: %w", map[bool]string{true: "timeline write", false: "submission"}[w%2 == 0], i, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	subs, err := db.ListSubmissions(ctx, inc.ID, store.Page{Limit: store.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2*rounds {
		t.Errorf("%d submissions stored, want %d", len(subs), 2*rounds)
	}
	rep, err := db.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Records != 4*rounds {
		t.Errorf("audit trail %+v, want %d records that verify", rep, 4*rounds)
	}
}
