package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Event bodies the node writes on an incident's timeline and reads back
// here.
type (
	// RequestBody is the body of an EventRequest: the authority requests an
	// intermediate report (NIS2 Art 23(4)(c), CRA Art 14(6)).
	RequestBody struct {
		Regime  string     `json:"regime"`
		DueAt   *time.Time `json:"due_at,omitempty"`
		Message string     `json:"message,omitempty"`
	}
	// HandlingBody is the body of an EventState written by the entity when
	// its handling of the incident ended (NIS2 Art 23(4)(e)).
	HandlingBody struct {
		HandlingEndedAt time.Time `json:"handling_ended_at"`
	}
)

// Load reads, inside tx, what the engine needs about an incident.
func Load(ctx context.Context, tx *store.Tx, inc store.Incident) (Record, error) {
	rec := Record{Facts: inc.Facts}
	latest, err := tx.LatestSubmissions(ctx, inc.ID)
	if err != nil {
		return Record{}, err
	}
	for _, s := range latest {
		var fields map[string]any
		if err := json.Unmarshal(s.Body, &fields); err != nil {
			return Record{}, fmt.Errorf("submission %s: %w", s.ID, err)
		}
		rec.Submissions = append(rec.Submissions, Submission{Report: s.Report, At: s.SubmittedAt, Fields: fields})
	}
	for off := 0; ; off += store.MaxPageSize {
		evs, err := tx.ListIncidentEvents(ctx, inc.ID, true, store.Page{Limit: store.MaxPageSize, Offset: off})
		if err != nil {
			return Record{}, err
		}
		for _, e := range evs {
			switch e.Kind {
			case store.EventRequest:
				var b RequestBody
				if json.Unmarshal(e.Body, &b) == nil && b.Regime != "" {
					rec.Requests = append(rec.Requests, Request{Regime: b.Regime, RequestedAt: e.At, DueAt: b.DueAt})
				}
			case store.EventFeedback:
				if rec.FeedbackAt == nil {
					at := e.At
					rec.FeedbackAt = &at
				}
			case store.EventState:
				var b HandlingBody
				if json.Unmarshal(e.Body, &b) == nil && !b.HandlingEndedAt.IsZero() {
					at := b.HandlingEndedAt
					rec.HandlingEndedAt = &at
				}
			}
		}
		if len(evs) < store.MaxPageSize {
			break
		}
	}
	return rec, nil
}

// Recompute reassesses an incident inside tx at now: it builds the engine's
// facts from the stored incident, its latest submissions, the authority's
// requests and feedback, runs the engine, saves the assessment snapshot and
// the queue figures, and schedules reminders for the open obligations. It
// returns the result and the incident as updated.
func Recompute(ctx context.Context, tx *store.Tx, eng *rules.Engine, opts rules.Options, inc store.Incident, now time.Time) (rules.Result, store.Incident, error) {
	// The incident before its assessment (see store.(*Tx).LockIncident).
	if err := tx.LockIncident(ctx, inc.ID); err != nil {
		return rules.Result{}, inc, err
	}
	rec, err := Load(ctx, tx, inc)
	if err != nil {
		return rules.Result{}, inc, err
	}
	return Reassess(ctx, tx, eng, opts, inc, rec, now)
}

// Reassess is Recompute with the incident's record already at hand: read
// by Load inside tx, and brought up to date with what tx wrote since (see
// WithSubmission), so that it is the record Load would read now. The
// caller locked the incident first (store.(*Tx).GetIncidentForUpdate).
func Reassess(ctx context.Context, tx *store.Tx, eng *rules.Engine, opts rules.Options, inc store.Incident, rec Record, now time.Time) (rules.Result, store.Incident, error) {
	// The store stamps what it writes with its own clock; an instant taken
	// before this transaction's writes must not precede them.
	now = maxTime(now, rec.latest())
	facts, res, err := rec.Assess(eng, now, opts)
	if err != nil {
		return rules.Result{}, inc, err
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return rules.Result{}, inc, err
	}
	sum := Summarise(facts, res)
	a := store.Assessment{IncidentID: inc.ID, Result: raw, ComputedAt: res.AssessedAt, Overdue: sum.Overdue}
	if sum.NextDueAt != nil {
		a.NextDueAt = *sum.NextDueAt
	}
	if sum.AuthorityNextDueAt != nil {
		a.AuthorityNextDueAt = *sum.AuthorityNextDueAt
	}
	if _, err := tx.SaveAssessment(ctx, a); err != nil {
		return rules.Result{}, inc, err
	}
	if !slices.Equal(inc.Sectors, sum.Sectors) || !slices.Equal(inc.Regimes, sum.Regimes) {
		inc.Sectors, inc.Regimes = sum.Sectors, sum.Regimes
		if inc, err = tx.UpdateIncident(ctx, inc); err != nil {
			return rules.Result{}, inc, err
		}
	}
	if err := Schedule(ctx, tx, inc, res, now); err != nil {
		return rules.Result{}, inc, err
	}
	return res, inc, nil
}

// WithSubmission returns the record with s as the latest submission of its
// report: the record Load reads once s is stored.
func (r Record) WithSubmission(s store.Submission) (Record, error) {
	var fields map[string]any
	if err := json.Unmarshal(s.Body, &fields); err != nil {
		return Record{}, fmt.Errorf("submission %s: %w", s.ID, err)
	}
	subs := make([]Submission, 0, len(r.Submissions)+1)
	for _, old := range r.Submissions {
		if old.Report != s.Report {
			subs = append(subs, old)
		}
	}
	r.Submissions = append(subs, Submission{Report: s.Report, At: s.SubmittedAt, Fields: fields})
	return r, nil
}

// latest is the last instant the record holds.
func (r Record) latest() time.Time {
	var t time.Time
	for _, s := range r.Submissions {
		t = maxTime(t, s.At)
	}
	for _, q := range r.Requests {
		t = maxTime(t, q.RequestedAt)
	}
	if r.FeedbackAt != nil {
		t = maxTime(t, *r.FeedbackAt)
	}
	return t
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// JobReminder is the job kind of deadline reminders.
const JobReminder = "reminder"

// ReminderPayload is the payload of a reminder job. The worker re-reads
// the incident's current assessment when the job runs and notifies only if
// the obligation is still open or overdue with the same due instant, so a
// stale job is harmless.
type ReminderPayload struct {
	IncidentID string    `json:"incident_id"`
	Obligation string    `json:"obligation"`
	Party      string    `json:"party"` // entity or authority
	DueAt      time.Time `json:"due_at"`
	Kind       string    `json:"kind"` // due_soon or overdue
}

// ReminderPrefix is the dedupe-key prefix of an obligation's reminders.
func ReminderPrefix(incidentID, obligation string) string {
	return "remind:" + incidentID + ":" + obligation + ":"
}

// Schedule enqueues, inside tx, a "due soon" and an "overdue" reminder for
// every open or overdue obligation with a due instant, and cancels the
// reminders of submitted ones. Jobs are deduplicated by key, so calling it
// after every change is cheap and never queues a reminder twice.
func Schedule(ctx context.Context, tx *store.Tx, inc store.Incident, res rules.Result, now time.Time) error {
	var jobs []store.Job
	for _, o := range res.Obligations {
		prefix := ReminderPrefix(inc.ID, o.ID)
		switch {
		case o.Status == rules.DueSubmitted:
			if _, err := tx.CancelJobs(ctx, prefix); err != nil {
				return err
			}
			continue
		case o.DueAt == nil || (o.Status != rules.DueOpen && o.Status != rules.DueOverdue):
			continue
		}
		due := o.DueAt.UTC()
		add := func(kind string, at time.Time) {
			payload, _ := json.Marshal(ReminderPayload{IncidentID: inc.ID, Obligation: o.ID, Party: o.Party, DueAt: due, Kind: kind})
			if at.Before(now) {
				at = now
			}
			key := prefix + strconv.FormatInt(due.Unix(), 10) + ":" + kind
			jobs = append(jobs, store.Job{Kind: JobReminder, DedupeKey: key, RunAt: at, Payload: payload})
		}
		add("overdue", due)
		if o.Status == rules.DueOpen {
			add("due_soon", due.Add(-reminderLead(o, due)))
		}
	}
	// One statement for all of them.
	_, err := tx.EnqueueJobs(ctx, jobs...)
	return err
}

// reminderLead is how long before the due instant the "due soon" reminder
// goes out: a sixth of the time the obligation had, between 1 h and 3 days.
func reminderLead(o rules.Obligation, due time.Time) time.Duration {
	span := 24 * time.Hour
	if o.AnchorAt != nil {
		span = due.Sub(*o.AnchorAt)
	}
	return min(max(span/6, time.Hour), 72*time.Hour)
}
