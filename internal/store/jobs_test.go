package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func mustEnqueue(t *testing.T, db *store.DB, j store.Job) store.Job {
	t.Helper()
	if j.Kind == "" {
		j.Kind = "reminder"
	}
	got, created, err := db.EnqueueJob(context.Background(), j)
	if err != nil {
		t.Fatalf("enqueue job: %v", err)
	}
	if !created {
		t.Fatalf("enqueue job: got existing job %d, want a new one", got.ID)
	}
	return got
}

func TestEnqueueJob(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)

	j := mustEnqueue(t, db, store.Job{Kind: "reminder", DedupeKey: "remind:i1:nis2.early_warning:due_soon", Payload: json.RawMessage(`{"incident":"i1"}`)})
	t.Run("defaults are filled in", func(t *testing.T) {
		if j.ID == 0 || j.State != store.JobQueued || j.RunAt.IsZero() || j.CreatedAt.IsZero() ||
			j.MaxAttempts != store.DefaultMaxAttempts || j.Attempts != 0 || j.LockedBy != "" {
			t.Errorf("enqueued %+v", j)
		}
		got, err := db.GetJob(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != j.ID || got.DedupeKey != j.DedupeKey || string(got.Payload) != string(j.Payload) ||
			!got.RunAt.Equal(j.RunAt) || got.State != store.JobQueued {
			t.Errorf("stored %+v, want %+v", got, j)
		}
	})
	t.Run("the same dedupe key returns the existing job", func(t *testing.T) {
		again, created, err := db.EnqueueJob(ctx, store.Job{Kind: "reminder", DedupeKey: j.DedupeKey, Payload: json.RawMessage(`{"other":true}`)})
		if err != nil {
			t.Fatal(err)
		}
		if created || again.ID != j.ID || string(again.Payload) != string(j.Payload) {
			t.Errorf("got %+v, created %v; want the existing job %d", again, created, j.ID)
		}
	})
	t.Run("jobs without a dedupe key are all kept", func(t *testing.T) {
		a := mustEnqueue(t, db, store.Job{})
		b := mustEnqueue(t, db, store.Job{})
		if a.ID == b.ID {
			t.Errorf("both got id %d", a.ID)
		}
	})
	t.Run("rejected", func(t *testing.T) {
		if _, _, err := db.EnqueueJob(ctx, store.Job{}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("no kind: got %v, want ErrInvalid", err)
		}
		if _, _, err := db.EnqueueJob(ctx, store.Job{Kind: "x", Payload: json.RawMessage(`[`)}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("broken payload: got %v, want ErrInvalid", err)
		}
		if _, _, err := db.EnqueueJob(ctx, store.Job{Kind: "x", MaxAttempts: -1}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("negative max attempts: got %v, want ErrInvalid", err)
		}
	})
	t.Run("unknown job is not found", func(t *testing.T) {
		if _, err := db.GetJob(ctx, 99999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("concurrent enqueues of one key make one job", func(t *testing.T) {
		const n = 8
		ids := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var j store.Job
				j, _, errs[i] = db.EnqueueJob(ctx, store.Job{Kind: "reminder", DedupeKey: "race"})
				ids[i] = j.ID
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Errorf("enqueue %d: job %d, %v; want job %d", i, ids[i], errs[i], ids[0])
			}
		}
	})
}

func TestClaimCompleteFail(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	later := mustEnqueue(t, db, store.Job{RunAt: t0.Add(time.Hour)})
	first := mustEnqueue(t, db, store.Job{RunAt: t0.Add(-time.Minute), MaxAttempts: 2})
	second := mustEnqueue(t, db, store.Job{RunAt: t0})

	got, err := db.ClaimJobs(ctx, "w1", t0, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("claims due jobs in run order", func(t *testing.T) {
		if len(got) != 2 || got[0].ID != first.ID || got[1].ID != second.ID {
			t.Fatalf("claimed %+v, want jobs %d and %d", got, first.ID, second.ID)
		}
		for _, j := range got {
			if j.LockedBy != "w1" || !j.LockedUntil.Equal(t0.Add(time.Minute)) || j.Attempts != 1 {
				t.Errorf("claimed job %+v, want locked by w1 until %v after 1 attempt", j, t0.Add(time.Minute))
			}
		}
	})
	t.Run("a job is not claimed before RunAt", func(t *testing.T) {
		j, err := db.GetJob(ctx, later.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Attempts != 0 || j.LockedBy != "" {
			t.Errorf("later job %+v was claimed", j)
		}
	})
	t.Run("leased jobs are not claimed again", func(t *testing.T) {
		again, err := db.ClaimJobs(ctx, "w2", t0.Add(30*time.Second), 10, time.Minute)
		if err != nil || len(again) != 0 {
			t.Errorf("claimed %+v, %v; want nothing", again, err)
		}
	})
	t.Run("only the holder completes", func(t *testing.T) {
		if err := db.CompleteJob(ctx, second.ID, "w2"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("other worker: got %v, want ErrConflict", err)
		}
		if err := db.CompleteJob(ctx, second.ID, "w1"); err != nil {
			t.Fatal(err)
		}
		j, _ := db.GetJob(ctx, second.ID)
		if j.State != store.JobDone || j.DoneAt.IsZero() || !j.LockedUntil.IsZero() {
			t.Errorf("completed job %+v", j)
		}
		if err := db.CompleteJob(ctx, second.ID, "w1"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("completing twice: got %v, want ErrConflict", err)
		}
		if err := db.CompleteJob(ctx, 99999, "w1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown job: got %v, want ErrNotFound", err)
		}
	})
	t.Run("a failed attempt is retried at retryAt", func(t *testing.T) {
		if _, err := db.FailJob(ctx, first.ID, "w2", errors.New("x"), time.Time{}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("other worker: got %v, want ErrConflict", err)
		}
		retry := t0.Add(10 * time.Minute)
		j, err := db.FailJob(ctx, first.ID, "w1", errors.New("smtp: connection refused"), retry)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != store.JobQueued || !j.RunAt.Equal(retry) || j.LastError != "smtp: connection refused" || j.LockedBy != "" || !j.LockedUntil.IsZero() {
			t.Errorf("after a failed attempt: %+v", j)
		}
		if err := db.CompleteJob(ctx, first.ID, "w1"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("completing a released job: got %v, want ErrConflict", err)
		}
		early, _ := db.ClaimJobs(ctx, "w2", retry.Add(-time.Second), 10, time.Minute)
		if len(early) != 0 {
			t.Errorf("claimed %+v before its retry time", early)
		}
	})
	t.Run("the last failed attempt gives up", func(t *testing.T) {
		again, err := db.ClaimJobs(ctx, "w2", t0.Add(10*time.Minute), 10, time.Minute)
		if err != nil || len(again) != 1 || again[0].ID != first.ID || again[0].Attempts != 2 {
			t.Fatalf("claimed %+v, %v; want job %d at attempt 2", again, err, first.ID)
		}
		j, err := db.FailJob(ctx, first.ID, "w2", errors.New("still refused"), t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if j.State != store.JobFailed || j.DoneAt.IsZero() || j.LastError != "still refused" {
			t.Errorf("after the last attempt: %+v", j)
		}
		none, _ := db.ClaimJobs(ctx, "w3", t0.Add(2*time.Hour), 10, time.Minute)
		for _, c := range none {
			if c.ID == first.ID {
				t.Errorf("claimed the failed job %d", first.ID)
			}
		}
	})
	t.Run("a long error is truncated", func(t *testing.T) {
		j := mustEnqueue(t, db, store.Job{RunAt: t0})
		if _, err := db.ClaimJobs(ctx, "w9", t0, 1, time.Minute); err != nil {
			t.Fatal(err)
		}
		failed, err := db.FailJob(ctx, j.ID, "w9", errors.New(strings.Repeat("é", 5000)), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(failed.LastError) > 4000 || !strings.HasPrefix(failed.LastError, "éé") || strings.ContainsRune(failed.LastError, '\uFFFD') {
			t.Errorf("LastError has %d bytes", len(failed.LastError))
		}
	})
	t.Run("rejected claims", func(t *testing.T) {
		if _, err := db.ClaimJobs(ctx, "", t0, 1, time.Minute); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("no worker: got %v, want ErrInvalid", err)
		}
		if _, err := db.ClaimJobs(ctx, "w", t0, 1, 0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("no lease: got %v, want ErrInvalid", err)
		}
	})
}

func TestDeadWorkersJobsComeBack(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	j := mustEnqueue(t, db, store.Job{RunAt: t0, MaxAttempts: 2})

	dead, err := db.ClaimJobs(ctx, "dead", t0, 1, time.Minute)
	if err != nil || len(dead) != 1 {
		t.Fatalf("claim = %+v, %v", dead, err)
	}
	// "dead" never completes. Before the lease ends nobody gets the job…
	if got, _ := db.ClaimJobs(ctx, "alive", t0.Add(59*time.Second), 1, time.Minute); len(got) != 0 {
		t.Fatalf("claimed %+v during the lease", got)
	}
	// …after it, another worker does.
	got, err := db.ClaimJobs(ctx, "alive", t0.Add(time.Minute), 1, time.Minute)
	if err != nil || len(got) != 1 || got[0].ID != j.ID || got[0].LockedBy != "alive" || got[0].Attempts != 2 {
		t.Fatalf("after the lease: claimed %+v, %v; want job %d for alive at attempt 2", got, err, j.ID)
	}
	if err := db.CompleteJob(ctx, j.ID, "dead"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("the dead worker completing: got %v, want ErrConflict", err)
	}

	t.Run("a lease that expires on the last attempt fails the job", func(t *testing.T) {
		// "alive" dies too, on the last attempt.
		got, err := db.ClaimJobs(ctx, "third", t0.Add(3*time.Minute), 1, time.Minute)
		if err != nil || len(got) != 0 {
			t.Fatalf("claimed %+v, %v; want nothing", got, err)
		}
		stored, _ := db.GetJob(ctx, j.ID)
		if stored.State != store.JobFailed || stored.LastError == "" {
			t.Errorf("job %+v, want failed with an error", stored)
		}
	})
}

func TestCancelJobs(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := mustEnqueue(t, db, store.Job{DedupeKey: "remind:inc-1:nis2.early_warning:due_soon", RunAt: t0})
	b := mustEnqueue(t, db, store.Job{DedupeKey: "remind:inc-1:nis2.early_warning:overdue", RunAt: t0})
	running := mustEnqueue(t, db, store.Job{DedupeKey: "remind:inc-1:nis2.early_warning:x", RunAt: t0.Add(-time.Hour)})
	done := mustEnqueue(t, db, store.Job{DedupeKey: "remind:inc-1:nis2.early_warning:done", RunAt: t0.Add(-2 * time.Hour)})
	other := mustEnqueue(t, db, store.Job{DedupeKey: "remind:inc-1:nis2.notification:due_soon", RunAt: t0})
	lookalike := mustEnqueue(t, db, store.Job{DedupeKey: "remind:inc-1:nis2xearly_warning:due_soon", RunAt: t0})
	upper := mustEnqueue(t, db, store.Job{DedupeKey: "REMIND:inc-1:nis2.early_warning:due_soon", RunAt: t0})

	claimed, err := db.ClaimJobs(ctx, "w", t0.Add(-time.Hour), 2, time.Hour)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim = %+v, %v", claimed, err)
	}
	if err := db.CompleteJob(ctx, done.ID, "w"); err != nil {
		t.Fatal(err)
	}

	n, err := db.CancelJobs(ctx, "remind:inc-1:nis2.early_warning:")
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("cancelled %d jobs, want 3", n)
	}
	want := map[int64]store.JobState{
		a.ID: store.JobCancelled, b.ID: store.JobCancelled, running.ID: store.JobCancelled, done.ID: store.JobDone,
		other.ID: store.JobQueued, lookalike.ID: store.JobQueued, upper.ID: store.JobQueued,
	}
	for id, state := range want {
		j, err := db.GetJob(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != state {
			t.Errorf("job %d (%s) is %s, want %s", id, j.DedupeKey, j.State, state)
		}
	}
	if err := db.CompleteJob(ctx, running.ID, "w"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("completing a cancelled job: got %v, want ErrConflict", err)
	}
	if _, err := db.CancelJobs(ctx, ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("empty prefix: got %v, want ErrInvalid", err)
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		n, err := tx.CancelJobs(ctx, "remind:inc-1:")
		if err == nil && n != 2 { // other and lookalike
			t.Errorf("in tx: cancelled %d, want 2", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWorkersCompleteEveryJobOnce runs four workers claiming from one queue
// at the same time, after a fifth claimed some jobs and died: every job is
// completed exactly once.
func TestEnqueueJobs(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	existing := mustEnqueue(t, db, store.Job{DedupeKey: "k1", RunAt: t0, Payload: json.RawMessage(`{"old":true}`)})
	var added int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		added, err = tx.EnqueueJobs(ctx,
			store.Job{Kind: "reminder", DedupeKey: "k1", RunAt: t0.Add(time.Hour)}, // in use: unchanged
			store.Job{Kind: "reminder", DedupeKey: "k2", RunAt: t0, Payload: json.RawMessage(`{"n":2}`)},
			store.Job{Kind: "reminder", DedupeKey: "k2", RunAt: t0.Add(time.Hour)}, // used earlier in the call
			store.Job{Kind: "mail"}, // no key, defaults
		)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if added != 2 {
		t.Errorf("added %d jobs, want 2", added)
	}
	got, err := db.GetJob(ctx, existing.ID)
	if err != nil || !reflect.DeepEqual(got, existing) {
		t.Errorf("the job whose key was in use: %+v, %v; want it unchanged: %+v", got, err, existing)
	}
	claimed, err := db.ClaimJobs(ctx, "w", time.Now().Add(time.Minute), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]store.Job{}
	for _, j := range claimed {
		byKey[j.DedupeKey] = j
	}
	if j := byKey["k2"]; !j.RunAt.Equal(t0) || string(j.Payload) != `{"n":2}` || j.State != store.JobQueued || j.MaxAttempts != store.DefaultMaxAttempts {
		t.Errorf("k2 = %+v, want the first of the call's two", j)
	}
	if j := byKey[""]; j.Kind != "mail" || string(j.Payload) != "{}" || j.RunAt.IsZero() || j.CreatedAt.IsZero() {
		t.Errorf("job without key = %+v, want defaults filled in", j)
	}
	if len(claimed) != 3 {
		t.Errorf("claimed %d jobs, want 3", len(claimed))
	}
	for _, bad := range []store.Job{{}, {Kind: "reminder", Payload: json.RawMessage(`{`)}} {
		err := db.Transact(ctx, func(tx *store.Tx) error { _, err := tx.EnqueueJobs(ctx, store.Job{Kind: "ok"}, bad); return err })
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("EnqueueJobs with %+v: got %v, want ErrInvalid", bad, err)
		}
	}
	if err := db.Transact(ctx, func(tx *store.Tx) error {
		n, err := tx.EnqueueJobs(ctx)
		if n != 0 {
			t.Errorf("no jobs: added %d", n)
		}
		return err
	}); err != nil {
		t.Errorf("no jobs: %v", err)
	}
}

func TestCancelJobsMatchesExactlyThePrefix(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	// Keys on both sides of the byte ranges the prefixes span: the next
	// byte after the prefix's last, and the next character after a
	// multi-byte last character.
	keys := map[string]bool{ // key: cancelled by one of the prefixes below
		"p:":            true,
		"p:a":           true,
		"p:\uffff":      true,
		"p;":            false,
		"p":             false,
		"p9":            false,
		"q:":            false,
		"x:é":           true,
		"x:éé":          true,
		"x:ê":           false, // é is C3 A9, ê C3 AA
		"x:e":           false,
		"x:\U0010ffff":  true,
		"x:\U0010ffffz": true,
	}
	ids := map[string]int64{}
	for k := range keys {
		ids[k] = mustEnqueue(t, db, store.Job{DedupeKey: k}).ID
	}
	total := int64(0)
	for _, prefix := range []string{"p:", "x:é", "x:\U0010ffff"} {
		n, err := db.CancelJobs(ctx, prefix)
		if err != nil {
			t.Fatalf("cancel %q: %v", prefix, err)
		}
		total += n
	}
	want := int64(0)
	for k, cancelled := range keys {
		j, err := db.GetJob(ctx, ids[k])
		if err != nil {
			t.Fatal(err)
		}
		if cancelled {
			want++
		}
		if got := j.State == store.JobCancelled; got != cancelled {
			t.Errorf("job %q: state %s, want cancelled %v", k, j.State, cancelled)
		}
	}
	if total != want {
		t.Errorf("cancelled %d jobs in all, want %d", total, want)
	}
}

func TestWorkersCompleteEveryJobOnce(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	const jobs, workers = 200, 4
	const lease = time.Minute
	for i := range jobs {
		mustEnqueue(t, db, store.Job{Kind: "work", DedupeKey: fmt.Sprintf("job-%03d", i)})
	}
	start := time.Now()
	dead, err := db.ClaimJobs(ctx, "dead", start, 10, lease)
	if err != nil || len(dead) != 10 {
		t.Fatalf("dead worker claimed %d, %v", len(dead), err)
	}
	// The live workers' clock is past the dead worker's lease.
	clock := start.Add(lease + time.Second)

	var (
		mu        sync.Mutex
		completed = map[int64][]string{}
		wg        sync.WaitGroup
		errs      = make([]error, workers)
	)
	for w := range workers {
		name := fmt.Sprintf("worker-%d", w)
		wg.Go(func() {
			for {
				batch, err := db.ClaimJobs(ctx, name, clock, 3, lease)
				if err != nil {
					errs[w] = err
					return
				}
				if len(batch) == 0 {
					return
				}
				for _, j := range batch {
					if err := db.CompleteJob(ctx, j.ID, name); err != nil {
						errs[w] = fmt.Errorf("complete %d: %w", j.ID, err)
						return
					}
					mu.Lock()
					completed[j.ID] = append(completed[j.ID], name)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", w, err)
		}
	}
	if len(completed) != jobs {
		t.Errorf("%d jobs completed, want %d", len(completed), jobs)
	}
	for id, by := range completed {
		if len(by) != 1 {
			t.Errorf("job %d completed by %v, want once", id, by)
		}
	}
	for _, j := range dead {
		got, err := db.GetJob(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != store.JobDone || got.LockedBy == "dead" || got.Attempts != 2 {
			t.Errorf("dead worker's job %+v, want done by a live worker at attempt 2", got)
		}
	}
	if more, err := db.ClaimJobs(ctx, "late", clock.Add(time.Hour), 10, lease); err != nil || len(more) != 0 {
		t.Errorf("after the run: claimed %d, %v; want nothing", len(more), err)
	}
}
