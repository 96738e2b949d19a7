// Package remind is the background worker that turns deadline reminders
// into notifications and e-mail.
//
// Reminders are jobs in the database (package incident queues them whenever
// an incident is reassessed), so they survive restarts, and several replicas
// may run a Worker on one PostgreSQL database: each job is leased to one
// worker at a time (store.ClaimJobs, FOR UPDATE SKIP LOCKED).
//
// # Notifications: exactly once
//
// When a reminder job runs, the worker re-reads the incident's current
// assessment and notifies only if the obligation is still open or overdue
// with the due instant the job was queued for — a report filed since, or a
// deadline that moved, makes the job stale and it completes silently. The
// notification is created and the job completed in one transaction: a
// worker that crashes, or whose lease runs out and passes to another
// worker, leaves neither behind, and the store deduplicates notifications
// by recipient, incident, report, kind and due instant besides.
//
// # E-mail: once in effect, at least once on a crash
//
// When e-mail is configured, the same transaction queues an e-mail job for
// the new notification. The e-mail worker holds that job's lease while it
// sends (the claim), sends only if the notification is not marked e-mailed
// yet, and then marks it e-mailed and completes the job in one transaction.
// A failed send is retried with exponential backoff; the notification is
// visible in the API all along. If the process dies between a successful
// send and the mark, the job's lease expires and the message is sent again:
// delivery is at least once, and once in effect otherwise. The e-mail names
// the incident's reference, the report and its due instant, never the
// incident's contents.
package remind

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/incident"
	"github.com/nisnet-eu/nisnet/internal/mail"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// JobEmail is the job kind that e-mails a notification.
const JobEmail = "notification_email"

// EmailPayload is the payload of a JobEmail job.
type EmailPayload struct {
	NotificationID string `json:"notification_id"`
	OrganisationID string `json:"organisation_id"` // the recipient
}

// Defaults of the Worker's settings.
const (
	DefaultPoll  = 2 * time.Second
	DefaultLease = time.Minute
	DefaultBatch = 20
)

// Retry backoff: the first retry after RetryBase, doubling up to RetryMax.
const (
	RetryBase = 30 * time.Second
	RetryMax  = time.Hour
)

// Worker runs reminder and e-mail jobs until its context ends. Set the
// fields, then call Run (or RunOnce) from one goroutine; the zero values of
// the optional fields are the defaults. For more throughput run more
// Workers, each with its own ID.
type Worker struct {
	DB *store.DB
	// Mail sends the e-mails; nil: no e-mail. Set it only when an SMTP
	// host is configured: without one, e-mail jobs complete unsent.
	Mail *mail.Sender
	Log  *slog.Logger // nil: discard
	// ID names the worker in job leases; unique per process. Empty: the
	// host name, process id and a random suffix.
	ID    string
	Poll  time.Duration // pause when the queue is empty (DefaultPoll)
	Lease time.Duration // how long a claimed job is the worker's (DefaultLease)
	Batch int           // jobs claimed at once (DefaultBatch)
	// Now is the worker's clock (time.Now): it decides which jobs are due
	// and how the reminders word the time left.
	Now func() time.Time
	// Observe, if set, is told the outcome of every job the worker ran: its
	// kind and nil when the job completed, or the error that failed it.
	Observe func(kind string, err error)
}

// Run claims and runs due jobs until ctx ends, then returns nil once the
// job in hand is finished. Failures are logged and retried, never
// returned; the error is for a worker that cannot start.
func (w *Worker) Run(ctx context.Context) error {
	if w.DB == nil {
		return errors.New("remind: worker without a database")
	}
	w.defaults()
	w.Log.Info("reminder worker started", "worker", w.ID, "email", w.mailEnabled())
	defer w.Log.Info("reminder worker stopped", "worker", w.ID)
	for {
		n, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.Log.Error("claiming jobs", "worker", w.ID, "err", err)
		}
		wait := w.Poll
		if n > 0 && err == nil {
			wait = 0 // more may be due, such as the e-mails just queued
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// RunOnce claims one batch of due jobs and runs them, and returns how many
// it claimed. It stops early, leaving the rest to their lease, when ctx
// ends; the job in hand is finished first.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.defaults()
	jobs, err := w.DB.ClaimJobs(ctx, w.ID, w.Now(), w.Batch, w.Lease)
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		w.run(ctx, j)
	}
	return len(jobs), nil
}

func (w *Worker) defaults() {
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	if w.ID == "" {
		host, _ := os.Hostname()
		w.ID = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), strings.ToLower(rand.Text()[:8]))
	}
	if w.Poll <= 0 {
		w.Poll = DefaultPoll
	}
	if w.Lease <= 0 {
		w.Lease = DefaultLease
	}
	if w.Batch <= 0 {
		w.Batch = DefaultBatch
	}
	if w.Now == nil {
		w.Now = time.Now
	}
}

func (w *Worker) mailEnabled() bool { return w.Mail != nil }

// skipError marks a job that can never succeed (a stale reminder, an unknown
// kind, a broken payload): it is completed with a log line, not retried.
type skipError struct{ reason string }

func (e skipError) Error() string { return e.reason }

func skip(format string, args ...any) error { return skipError{fmt.Sprintf(format, args...)} }

// run runs one job and records its outcome. The job's work is not cut short
// by ctx ending: it gets the rest of its lease, so that a shutdown does not
// waste the attempt.
func (w *Worker) run(ctx context.Context, j store.Job) {
	jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.Lease)
	defer cancel()
	kind := j.Kind
	var err error
	switch j.Kind {
	case incident.JobReminder:
		err = w.remind(jctx, j)
	case JobEmail:
		err = w.email(jctx, j)
	default:
		kind = "unknown"
		err = skip("unknown job kind %q", j.Kind)
	}
	var s skipError
	switch {
	case err == nil:
	case errors.As(err, &s):
		w.Log.Info("job completed without effect", "job", j.ID, "kind", j.Kind, "reason", s.reason)
		err = w.DB.CompleteJob(jctx, j.ID, w.ID)
	case errors.Is(err, store.ErrConflict):
		// The lease passed to another worker, or the job was cancelled
		// (its report was filed): nothing of this attempt was kept.
		w.Log.Warn("job no longer held", "job", j.ID, "kind", j.Kind, "err", err)
	default:
		retry := w.Now().Add(Backoff(j.Attempts))
		failed, ferr := w.DB.FailJob(jctx, j.ID, w.ID, err, retry)
		switch {
		case ferr != nil:
			w.Log.Error("job failed; recording the failure failed too", "job", j.ID, "kind", j.Kind, "err", err, "fail_err", ferr)
		case failed.State == store.JobFailed:
			w.Log.Error("job failed for good", "job", j.ID, "kind", j.Kind, "attempts", failed.Attempts, "err", err)
		default:
			w.Log.Warn("job failed; will retry", "job", j.ID, "kind", j.Kind, "attempt", failed.Attempts, "retry_at", retry, "err", err)
		}
	}
	if w.Observe != nil {
		w.Observe(kind, err)
	}
}

// Backoff is how long a job waits after its attempts-th failed attempt:
// RetryBase, doubling each time, at most RetryMax.
func Backoff(attempts int) time.Duration {
	d := RetryBase
	for i := 1; i < attempts && d < RetryMax; i++ {
		d *= 2
	}
	return min(d, RetryMax)
}

// remind runs a reminder job: see the package documentation.
func (w *Worker) remind(ctx context.Context, j store.Job) error {
	var p incident.ReminderPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.IncidentID == "" || p.Obligation == "" || p.DueAt.IsZero() {
		return skip("malformed reminder payload %s", j.Payload)
	}
	var kind store.NotificationKind
	switch p.Kind {
	case string(store.NotifyDueSoon):
		kind = store.NotifyDueSoon
	case string(store.NotifyOverdue):
		kind = store.NotifyOverdue
	default:
		return skip("unknown reminder kind %q", p.Kind)
	}
	now := w.Now()
	if kind == store.NotifyDueSoon && !now.Before(p.DueAt) {
		return skip("due-soon reminder ran after the due instant; the overdue reminder covers it")
	}
	var authority string
	if p.Party == "authority" {
		o, err := w.DB.AuthorityOrganisation(ctx)
		if err != nil {
			return err
		}
		authority = o.ID
	}
	var stale error
	err := w.DB.Transact(ctx, func(tx *store.Tx) error {
		inc, err := tx.GetIncident(ctx, p.IncidentID)
		if errors.Is(err, store.ErrNotFound) {
			stale = skip("incident %s no longer exists", p.IncidentID)
			return tx.CompleteJob(ctx, j.ID, w.ID)
		}
		if err != nil {
			return err
		}
		o, why, err := currentObligation(ctx, tx, p)
		if err != nil {
			return err
		}
		if why != "" {
			stale = skip("%s", why)
			return tx.CompleteJob(ctx, j.ID, w.ID)
		}
		recipient := inc.OrganisationID
		if p.Party == "authority" {
			recipient = authority
		}
		n, _, err := tx.CreateNotification(ctx, store.Notification{OrganisationID: recipient, IncidentID: inc.ID,
			Obligation: o.ID, Kind: kind, Message: Message(o.Title, inc.Reference, kind, p.DueAt, now), DueAt: p.DueAt})
		if err != nil {
			return err
		}
		if w.mailEnabled() && n.EmailedAt.IsZero() {
			payload, _ := json.Marshal(EmailPayload{NotificationID: n.ID, OrganisationID: n.OrganisationID})
			if _, _, err := tx.EnqueueJob(ctx, store.Job{Kind: JobEmail, DedupeKey: "email:" + n.ID, RunAt: now, Payload: payload}); err != nil {
				return err
			}
		}
		return tx.CompleteJob(ctx, j.ID, w.ID)
	})
	if err != nil {
		return err
	}
	if stale != nil {
		w.Log.Info("stale reminder completed", "job", j.ID, "incident", p.IncidentID, "obligation", p.Obligation, "reason", stale.Error())
	}
	return nil
}

// currentObligation finds the reminder's obligation in the incident's
// current assessment. why is not empty when the reminder is stale: the
// obligation is gone, no longer open or overdue, or due at another instant.
func currentObligation(ctx context.Context, tx *store.Tx, p incident.ReminderPayload) (o rules.Obligation, why string, err error) {
	a, err := tx.GetAssessment(ctx, p.IncidentID)
	if errors.Is(err, store.ErrNotFound) {
		return o, "the incident has no assessment", nil
	}
	if err != nil {
		return o, "", err
	}
	var res rules.Result
	if err := json.Unmarshal(a.Result, &res); err != nil {
		return o, "", fmt.Errorf("assessment of incident %s: %w", p.IncidentID, err)
	}
	for _, ob := range res.Obligations {
		if ob.ID != p.Obligation {
			continue
		}
		switch {
		case ob.Status != rules.DueOpen && ob.Status != rules.DueOverdue:
			return o, fmt.Sprintf("%s is %s", ob.ID, ob.Status), nil
		case ob.DueAt == nil || !ob.DueAt.Equal(p.DueAt):
			return o, fmt.Sprintf("%s is no longer due at %s", ob.ID, p.DueAt.UTC().Format(time.RFC3339)), nil
		}
		return ob, "", nil
	}
	return o, fmt.Sprintf("the assessment has no obligation %s", p.Obligation), nil
}

// Message words a reminder: "Early warning for NL-2026-000042 is due at
// 2026-03-06T21:40Z (in 4 h)." or "… is overdue: it was due at …".
func Message(report, reference string, kind store.NotificationKind, due, now time.Time) string {
	at := due.UTC().Format("2006-01-02T15:04Z")
	if kind == store.NotifyOverdue {
		return fmt.Sprintf("%s for %s is overdue: it was due at %s.", report, reference, at)
	}
	return fmt.Sprintf("%s for %s is due at %s (in %s).", report, reference, at, humanDuration(due.Sub(now)))
}

// humanDuration words a positive duration to the minute: "4 h", "3 h 20
// min", "2 d 5 h", "less than a minute".
func humanDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "less than a minute"
	}
	days, d := d/(24*time.Hour), d%(24*time.Hour)
	hours, mins := d/time.Hour, (d%time.Hour)/time.Minute
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%d d", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d h", hours))
	}
	if mins > 0 && days == 0 {
		parts = append(parts, fmt.Sprintf("%d min", mins))
	}
	return strings.Join(parts, " ")
}
