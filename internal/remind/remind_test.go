package remind

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/incident"
	"github.com/nisnet-eu/nisnet/internal/mail"
	"github.com/nisnet-eu/nisnet/internal/store"
)

func TestDueSoonReminderNotifiesOnce(t *testing.T) {
	f := newFixture(t)
	inc := f.newIncident(t, time.Now().Add(-time.Hour))
	p := f.reminder(t, inc, "nis2.early_warning", "due_soon")
	// Two jobs for one reminder — as if it had been queued twice — make
	// one notification.
	j1, j2 := f.enqueue(t, p), f.enqueue(t, p)
	w := &Worker{DB: f.db, ID: "w1"}
	runAll(t, w)

	ns := f.notifications(t, f.entity.ID)
	if len(ns) != 1 {
		t.Fatalf("%d notifications, want 1: %+v", len(ns), ns)
	}
	n := ns[0]
	if n.Kind != store.NotifyDueSoon || n.IncidentID != inc.ID || n.Obligation != "nis2.early_warning" || !n.DueAt.Equal(p.DueAt) {
		t.Errorf("notification %+v, want due_soon for the early warning due %s", n, p.DueAt)
	}
	wantStart := "Early warning for " + inc.Reference + " is due at " + p.DueAt.UTC().Format("2006-01-02T15:04Z") + " (in 2"
	if !strings.HasPrefix(n.Message, wantStart) {
		t.Errorf("message %q, want it to start %q", n.Message, wantStart)
	}
	for _, id := range []int64{j1.ID, j2.ID} {
		if j := f.job(t, id); j.State != store.JobDone {
			t.Errorf("job %d is %s, want done", id, j.State)
		}
	}
	if ns := f.notifications(t, f.authority.ID); len(ns) != 0 {
		t.Errorf("the authority got %d notifications for the entity's report", len(ns))
	}
}

func TestAuthorityReminderGoesToTheAuthority(t *testing.T) {
	f := newFixture(t)
	inc := f.newIncident(t, time.Now().Add(-time.Hour))
	f.file(t, inc, "nis2.early_warning", `{"suspected_malicious":false,"cross_border_impact":false}`)
	// The early warning starts the CSIRT's 24 h for initial feedback (NIS2
	// Art 23(5)).
	p := f.reminder(t, inc, "nis2.initial_feedback", "due_soon")
	if p.Party != "authority" {
		t.Fatalf("initial feedback is the %s's, want the authority's", p.Party)
	}
	f.enqueue(t, p)
	runAll(t, &Worker{DB: f.db, ID: "w1"})
	if ns := f.notifications(t, f.authority.ID); len(ns) != 1 || ns[0].Obligation != "nis2.initial_feedback" {
		t.Errorf("authority notifications %+v, want one for initial feedback", ns)
	}
	if ns := f.notifications(t, f.entity.ID); len(ns) != 0 {
		t.Errorf("the entity got %+v for the authority's duty", ns)
	}
}

func TestStaleRemindersNotifyNobody(t *testing.T) {
	f := newFixture(t)
	filed := f.newIncident(t, time.Now().Add(-time.Hour))
	stalePayload := f.reminder(t, filed, "nis2.early_warning", "due_soon")
	f.file(t, filed, "nis2.early_warning", `{"suspected_malicious":true,"cross_border_impact":false}`)
	open := f.newIncident(t, time.Now().Add(-time.Hour))
	current := f.reminder(t, open, "nis2.early_warning", "due_soon")

	for _, tc := range []struct {
		name    string
		payload any
	}{
		{"the report was filed since", stalePayload},
		{"the due instant moved", func() incident.ReminderPayload {
			p := current
			p.DueAt = p.DueAt.Add(time.Hour)
			return p
		}()},
		{"the due instant has passed for a due-soon reminder", func() incident.ReminderPayload {
			p := current
			p.DueAt = time.Now().Add(-time.Minute)
			return p
		}()},
		{"the obligation does not exist", func() incident.ReminderPayload {
			p := current
			p.Obligation = "nis2.no_such_report"
			return p
		}()},
		{"the incident does not exist", func() incident.ReminderPayload {
			p := current
			p.IncidentID = "no-such-incident"
			return p
		}()},
		{"the reminder kind is unknown", func() incident.ReminderPayload {
			p := current
			p.Kind = "someday"
			return p
		}()},
		{"the payload is malformed", map[string]any{"incident_id": 42}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := json.Marshal(tc.payload)
			j, _, err := f.db.EnqueueJob(context.Background(), store.Job{Kind: incident.JobReminder, Payload: b})
			if err != nil {
				t.Fatal(err)
			}
			runAll(t, &Worker{DB: f.db, ID: "w1"})
			if got := f.job(t, j.ID); got.State != store.JobDone {
				t.Errorf("job is %s (%s), want done", got.State, got.LastError)
			}
			for _, org := range []store.Organisation{f.entity, f.authority} {
				if ns := f.notifications(t, org.ID); len(ns) != 0 {
					t.Errorf("%s got %+v, want nothing", org.Name, ns)
				}
			}
		})
	}
}

func TestUnknownJobKindIsCompleted(t *testing.T) {
	f := newFixture(t)
	j, _, err := f.db.EnqueueJob(context.Background(), store.Job{Kind: "telepathy"})
	if err != nil {
		t.Fatal(err)
	}
	var observed []string
	runAll(t, &Worker{DB: f.db, ID: "w1", Observe: func(kind string, err error) { observed = append(observed, fmt.Sprint(kind, " ", err)) }})
	if got := f.job(t, j.ID); got.State != store.JobDone {
		t.Errorf("job is %s, want done", got.State)
	}
	if len(observed) != 1 || observed[0] != "unknown <nil>" {
		t.Errorf("observed %q, want [unknown <nil>]", observed)
	}
}

// TestConcurrentWorkersNotifyOnce runs two workers over 100 reminder jobs
// at once: every reminder becomes one notification, every job is done
// once. On PostgreSQL the workers claim with SKIP LOCKED side by side.
func TestConcurrentWorkersNotifyOnce(t *testing.T) {
	f := newFixture(t)
	want := map[string]bool{}
	var jobs []int64
	for range 50 {
		inc := f.newIncident(t, time.Now().Add(-time.Hour))
		for _, ob := range []string{"nis2.early_warning", "nis2.notification"} {
			jobs = append(jobs, f.enqueue(t, f.reminder(t, inc, ob, "due_soon")).ID)
			want[inc.ID+" "+ob] = true
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var completed, failed atomic.Int64
	perWorker := map[string]*atomic.Int64{"a": {}, "b": {}}
	var wg sync.WaitGroup
	for id, n := range perWorker {
		w := &Worker{DB: f.db, ID: id, Poll: 5 * time.Millisecond, Batch: 7, Observe: func(kind string, err error) {
			if err != nil {
				failed.Add(1)
				t.Errorf("worker %s: %s job failed: %v", id, kind, err)
				return
			}
			completed.Add(1)
			n.Add(1)
		}}
		wg.Go(func() { w.Run(ctx) })
	}
	deadline := time.Now().Add(60 * time.Second)
	for completed.Load()+failed.Load() < int64(len(jobs)) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()

	if got := completed.Load(); got != int64(len(jobs)) {
		t.Errorf("%d jobs completed, want %d", got, len(jobs))
	}
	t.Logf("worker a completed %d jobs, worker b %d", perWorker["a"].Load(), perWorker["b"].Load())
	for _, id := range jobs {
		if j := f.job(t, id); j.State != store.JobDone || j.Attempts != 1 {
			t.Errorf("job %d is %s after %d attempts, want done after 1", id, j.State, j.Attempts)
		}
	}
	ns := f.notifications(t, f.entity.ID)
	seen := map[string]int{}
	for _, n := range ns {
		seen[n.IncidentID+" "+n.Obligation]++
	}
	if len(ns) != len(want) {
		t.Errorf("%d notifications, want %d", len(ns), len(want))
	}
	for k := range want {
		if seen[k] != 1 {
			t.Errorf("%s: %d notifications, want 1", k, seen[k])
		}
	}
}

// TestLeaseExpiryHandsTheJobOn: a worker that claimed a job and died holds
// it until its lease ends; then another worker runs it, and notifies once.
func TestLeaseExpiryHandsTheJobOn(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	inc := f.newIncident(t, time.Now().Add(-time.Hour))
	j := f.enqueue(t, f.reminder(t, inc, "nis2.early_warning", "due_soon"))
	now := time.Now()
	claimed, err := f.db.ClaimJobs(ctx, "crashed", now, 100, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].ID != j.ID {
		t.Fatalf("the doomed worker claimed %+v (%v), want job %d", claimed, err, j.ID)
	}

	clock := now
	w := &Worker{DB: f.db, ID: "survivor", Lease: time.Minute, Now: func() time.Time { return clock }}
	if n, err := w.RunOnce(ctx); err != nil || n != 0 {
		t.Fatalf("within the lease the survivor claimed %d jobs (%v), want 0", n, err)
	}
	clock = now.Add(time.Minute + time.Second)
	runAll(t, w)
	if got := f.job(t, j.ID); got.State != store.JobDone || got.LockedBy != "survivor" || got.Attempts != 2 {
		t.Errorf("job %+v, want done by the survivor on the second attempt", got)
	}
	if ns := f.notifications(t, f.entity.ID); len(ns) != 1 {
		t.Errorf("%d notifications, want 1", len(ns))
	}
	// Were the first worker to come back, it could not complete the job.
	if err := f.db.CompleteJob(ctx, j.ID, "crashed"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("the crashed worker completing its lost job: %v, want ErrConflict", err)
	}
}

func TestEmailToTheEntitysReporters(t *testing.T) {
	f := newFixture(t)
	f.addUser(t, f.entity, "admin@dns.example", store.RoleEntityAdmin, false)
	f.addUser(t, f.entity, "soc@dns.example", store.RoleEntityReporter, false)
	f.addUser(t, f.entity, "left@dns.example", store.RoleEntityReporter, true)
	f.addUser(t, f.authority, "analyst@csirt.example", store.RoleAuthorityAnalyst, false)
	srv := newSMTP(t)
	inc := f.newIncident(t, time.Now().Add(-time.Hour))
	f.enqueue(t, f.reminder(t, inc, "nis2.early_warning", "due_soon"))

	w := &Worker{DB: f.db, ID: "w1", Mail: mail.New(mail.Config{Host: "127.0.0.1", Port: srv.port(), From: "nisnet@csirt.example", Timeout: 5 * time.Second})}
	runAll(t, w)

	msgs := srv.received()
	if len(msgs) != 1 {
		t.Fatalf("the SMTP server received %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if got := strings.Join(m.to, ","); got != "admin@dns.example,soc@dns.example" {
		t.Errorf("recipients %s, want the entity's active admin and reporter", got)
	}
	if m.from != "nisnet@csirt.example" {
		t.Errorf("sender %s", m.from)
	}
	if !strings.Contains(m.data, "Early warning for "+inc.Reference+" is due at") {
		t.Errorf("message lacks the reminder:\n%s", m.data)
	}
	if strings.Contains(m.data, "DNS outage") {
		t.Errorf("the e-mail carries the incident's title:\n%s", m.data)
	}
	ns := f.notifications(t, f.entity.ID)
	if len(ns) != 1 || ns[0].EmailedAt.IsZero() {
		t.Errorf("notifications %+v, want one, marked e-mailed", ns)
	}
	// Running again sends nothing more.
	f.enqueue(t, f.reminder(t, inc, "nis2.early_warning", "due_soon"))
	runAll(t, w)
	if n := len(srv.received()); n != 1 {
		t.Errorf("%d messages after the reminder ran again, want still 1", n)
	}
}

func TestSMTPDownRetriesTheEmail(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.addUser(t, f.entity, "soc@dns.example", store.RoleEntityReporter, false)
	srv := newSMTP(t)
	srv.stop() // the relay is down
	inc := f.newIncident(t, time.Now().Add(-time.Hour))
	f.enqueue(t, f.reminder(t, inc, "nis2.early_warning", "due_soon"))

	now := time.Now()
	clock := now
	var failures []string
	w := &Worker{DB: f.db, ID: "w1", Now: func() time.Time { return clock },
		Mail:    mail.New(mail.Config{Host: "127.0.0.1", Port: srv.port(), From: "nisnet@csirt.example", Timeout: 5 * time.Second}),
		Observe: func(kind string, err error) { failures = append(failures, fmt.Sprint(kind, ": ", err)) }}
	runAll(t, w)

	ns := f.notifications(t, f.entity.ID)
	if len(ns) != 1 || !ns[0].EmailedAt.IsZero() {
		t.Fatalf("notifications %+v, want one, visible and not e-mailed", ns)
	}
	emailJob := emailJob(t, f, ns[0])
	if emailJob.State != store.JobQueued || emailJob.Attempts != 1 || emailJob.LastError == "" || emailJob.LockedBy != "" {
		t.Errorf("e-mail job %+v, want queued for a retry with the error", emailJob)
	}
	if want := now.Add(RetryBase); emailJob.RunAt.Before(want.Add(-time.Second)) || emailJob.RunAt.After(want.Add(time.Second)) {
		t.Errorf("retry at %s, want %s (after %s)", emailJob.RunAt, want, RetryBase)
	}
	if len(failures) != 2 || !strings.HasPrefix(failures[1], JobEmail+": mail:") {
		t.Errorf("observed %q, want the reminder done and the e-mail failed", failures)
	}

	// The relay comes back; the retry is not due before its time.
	srv.start(t)
	if n, _ := w.RunOnce(ctx); n != 0 {
		t.Errorf("claimed %d jobs before the retry was due", n)
	}
	clock = now.Add(RetryBase + time.Second)
	runAll(t, w)
	if got := len(srv.received()); got != 1 {
		t.Errorf("%d messages after the retry, want 1", got)
	}
	if got := f.job(t, emailJob.ID); got.State != store.JobDone || got.Attempts != 2 {
		t.Errorf("e-mail job %+v, want done on the second attempt", got)
	}
	if ns := f.notifications(t, f.entity.ID); ns[0].EmailedAt.IsZero() {
		t.Error("the notification is not marked e-mailed")
	}
}

func TestNoEmailWithoutSMTP(t *testing.T) {
	f := newFixture(t)
	f.addUser(t, f.entity, "soc@dns.example", store.RoleEntityReporter, false)
	inc := f.newIncident(t, time.Now().Add(-time.Hour))
	f.enqueue(t, f.reminder(t, inc, "nis2.early_warning", "due_soon"))
	var kinds []string
	runAll(t, &Worker{DB: f.db, ID: "w1", Observe: func(kind string, _ error) { kinds = append(kinds, kind) }})
	if len(kinds) != 1 || kinds[0] != incident.JobReminder {
		t.Errorf("ran %v, want only the reminder (no e-mail job without SMTP)", kinds)
	}
}

func TestOverdueReminder(t *testing.T) {
	f := newFixture(t)
	// Aware 30 h ago: the early warning was due 6 h ago, and Recompute
	// queued its overdue reminder to run at once.
	inc := f.newIncident(t, time.Now().Add(-30*time.Hour))
	runAll(t, &Worker{DB: f.db, ID: "w1"})
	ns := f.notifications(t, f.entity.ID)
	if len(ns) != 1 || ns[0].Kind != store.NotifyOverdue || ns[0].Obligation != "nis2.early_warning" {
		t.Fatalf("notifications %+v, want one overdue early warning", ns)
	}
	if want := "Early warning for " + inc.Reference + " is overdue: it was due at "; !strings.HasPrefix(ns[0].Message, want) {
		t.Errorf("message %q, want it to start %q", ns[0].Message, want)
	}
}

func TestWorkerStopsWithItsContext(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- (&Worker{DB: f.db, Poll: time.Hour}).Run(ctx) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		want     time.Duration
	}{
		{0, 30 * time.Second},
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{5, 8 * time.Minute},
		{8, time.Hour},
		{100, time.Hour},
	} {
		if got := Backoff(tc.attempts); got != tc.want {
			t.Errorf("Backoff(%d) = %s, want %s", tc.attempts, got, tc.want)
		}
	}
}

func TestMessage(t *testing.T) {
	due := time.Date(2026, 3, 6, 21, 40, 0, 0, time.UTC)
	for _, tc := range []struct {
		kind store.NotificationKind
		now  time.Time
		want string
	}{
		{store.NotifyDueSoon, due.Add(-4 * time.Hour), "Early warning for NL-2026-000042 is due at 2026-03-06T21:40Z (in 4 h)."},
		{store.NotifyDueSoon, due.Add(-3*time.Hour - 20*time.Minute - 10*time.Second), "Early warning for NL-2026-000042 is due at 2026-03-06T21:40Z (in 3 h 20 min)."},
		{store.NotifyDueSoon, due.Add(-53 * time.Hour), "Early warning for NL-2026-000042 is due at 2026-03-06T21:40Z (in 2 d 5 h)."},
		{store.NotifyDueSoon, due.Add(-20 * time.Second), "Early warning for NL-2026-000042 is due at 2026-03-06T21:40Z (in less than a minute)."},
		{store.NotifyOverdue, due, "Early warning for NL-2026-000042 is overdue: it was due at 2026-03-06T21:40Z."},
	} {
		if got := Message("Early warning", "NL-2026-000042", tc.kind, due, tc.now); got != tc.want {
			t.Errorf("Message(%s, %s before) = %q, want %q", tc.kind, due.Sub(tc.now), got, tc.want)
		}
	}
}

// emailJob returns the e-mail job of the notification: enqueueing it
// again returns the existing one.
func emailJob(t *testing.T, f *fixture, n store.Notification) store.Job {
	t.Helper()
	j, created, err := f.db.EnqueueJob(context.Background(), store.Job{Kind: JobEmail, DedupeKey: "email:" + n.ID})
	if err != nil || created {
		t.Fatalf("the e-mail job of notification %s: created %v, %v; want the existing job", n.ID, created, err)
	}
	return j
}
