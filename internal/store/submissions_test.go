package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func mustSubmit(t *testing.T, db *store.DB, s store.Submission) store.Submission {
	t.Helper()
	if s.SubmittedBy == "" {
		s.SubmittedBy = "user-1"
	}
	if s.Body == nil {
		s.Body = json.RawMessage(`{"summary":"` + s.Report + `"}`)
	}
	got, created, err := db.CreateSubmission(context.Background(), s)
	if err != nil {
		t.Fatalf("create submission: %v", err)
	}
	if !created {
		t.Fatalf("create submission: replayed %s, want a new one", got.ID)
	}
	return got
}

func TestSubmissions(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	orgA := mustOrg(t, db, store.OrgEntity)
	orgB := mustOrg(t, db, store.OrgEntity)
	in := mustIncident(t, db, orgA.ID, store.Incident{})
	inB := mustIncident(t, db, orgB.ID, store.Incident{})
	due := time.Date(2026, 3, 3, 9, 0, 0, 123456789, time.UTC)
	onTime := true

	body := json.RawMessage(`{"summary":"Ransomware","suspected_malicious":true}`)
	ew1, created, err := db.CreateSubmission(ctx, store.Submission{
		IncidentID: in.ID, OrganisationID: orgA.ID, Report: "nis2.early_warning", Body: body,
		SubmittedBy: "user-1", DueAt: due, OnTime: &onTime, IdempotencyKey: "key-1",
	})
	if err != nil || !created {
		t.Fatalf("create = %v, %v; want created", created, err)
	}
	t.Run("receipt fields", func(t *testing.T) {
		sum := sha256.Sum256(body)
		if ew1.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("SHA256 = %s, want the hash of the body", ew1.SHA256)
		}
		if ew1.ID == "" || ew1.SubmittedAt.IsZero() || ew1.SupersedesID != "" {
			t.Errorf("first submission: %+v", ew1)
		}
		if !ew1.DueAt.Equal(due.Truncate(time.Microsecond)) || ew1.OnTime == nil || !*ew1.OnTime {
			t.Errorf("DueAt, OnTime = %v, %v", ew1.DueAt, ew1.OnTime)
		}
		got, err := db.GetSubmission(ctx, ew1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, ew1) {
			t.Errorf("stored %+v, want %+v", got, ew1)
		}
	})

	ew2 := mustSubmit(t, db, store.Submission{IncidentID: in.ID, OrganisationID: orgA.ID, Report: "nis2.early_warning"})
	notif := mustSubmit(t, db, store.Submission{IncidentID: in.ID, OrganisationID: orgA.ID, Report: "nis2.notification"})
	ew3 := mustSubmit(t, db, store.Submission{IncidentID: in.ID, OrganisationID: orgA.ID, Report: "nis2.early_warning"})
	otherIncident := mustSubmit(t, db, store.Submission{IncidentID: inB.ID, OrganisationID: orgB.ID, Report: "nis2.early_warning"})

	t.Run("each submission supersedes the previous one of its report", func(t *testing.T) {
		if ew2.SupersedesID != ew1.ID || ew3.SupersedesID != ew2.ID {
			t.Errorf("chain: ew2 → %q, ew3 → %q; want ew2 → ew1, ew3 → ew2", ew2.SupersedesID, ew3.SupersedesID)
		}
		if notif.SupersedesID != "" || otherIncident.SupersedesID != "" {
			t.Errorf("first of their report supersede %q and %q, want nothing", notif.SupersedesID, otherIncident.SupersedesID)
		}
		if ew1.OnTime == nil || ew2.OnTime != nil {
			t.Errorf("OnTime: ew1 %v, ew2 %v; want set, nil", ew1.OnTime, ew2.OnTime)
		}
	})
	t.Run("list is oldest first", func(t *testing.T) {
		got, err := db.ListSubmissions(ctx, in.ID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{ew1.ID, ew2.ID, notif.ID, ew3.ID}
		if len(got) != len(want) {
			t.Fatalf("got %d submissions, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i].ID != want[i] {
				t.Errorf("submission %d = %s, want %s", i, got[i].ID, want[i])
			}
		}
	})
	t.Run("latest of each report", func(t *testing.T) {
		got, err := db.LatestSubmissions(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got["nis2.early_warning"].ID != ew3.ID || got["nis2.notification"].ID != notif.ID {
			t.Errorf("got %+v, want ew3 and the notification", got)
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			got, err := tx.LatestSubmissions(ctx, in.ID)
			if err == nil && len(got) != 2 {
				t.Errorf("in tx: got %d, want 2", len(got))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		none, err := db.LatestSubmissions(ctx, "nope")
		if err != nil || len(none) != 0 {
			t.Errorf("unknown incident: got %v, %v; want empty", none, err)
		}
	})
	t.Run("replaying an idempotency key returns the original receipt", func(t *testing.T) {
		again, created, err := db.CreateSubmission(ctx, store.Submission{
			IncidentID: in.ID, OrganisationID: orgA.ID, Report: "nis2.early_warning", Body: body,
			SubmittedBy: "user-1", IdempotencyKey: "key-1",
		})
		if err != nil {
			t.Fatal(err)
		}
		if created || !reflect.DeepEqual(again, ew1) {
			t.Errorf("replay = %+v, created %v; want the original %+v", again, created, ew1)
		}
		list, _ := db.ListSubmissions(ctx, in.ID, store.Page{})
		if len(list) != 4 {
			t.Errorf("%d submissions after a replay, want 4", len(list))
		}
	})
	t.Run("reusing a key for another request is a conflict", func(t *testing.T) {
		_, _, err := db.CreateSubmission(ctx, store.Submission{
			IncidentID: in.ID, OrganisationID: orgA.ID, Report: "nis2.early_warning", Body: json.RawMessage(`{"other":1}`),
			SubmittedBy: "user-1", IdempotencyKey: "key-1",
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("different body: got %v, want ErrConflict", err)
		}
		_, _, err = db.CreateSubmission(ctx, store.Submission{
			IncidentID: in.ID, OrganisationID: orgA.ID, Report: "nis2.notification", Body: body,
			SubmittedBy: "user-1", IdempotencyKey: "key-1",
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("different report: got %v, want ErrConflict", err)
		}
	})
	t.Run("keys are per organisation", func(t *testing.T) {
		s, created, err := db.CreateSubmission(ctx, store.Submission{
			IncidentID: inB.ID, OrganisationID: orgB.ID, Report: "nis2.notification", Body: body,
			SubmittedBy: "user-2", IdempotencyKey: "key-1",
		})
		if err != nil || !created || s.ID == ew1.ID {
			t.Errorf("got %+v, %v, %v; want a new submission", s, created, err)
		}
	})
	t.Run("lookup by idempotency key", func(t *testing.T) {
		got, err := db.LookupSubmissionByIdempotencyKey(ctx, orgA.ID, "key-1")
		if err != nil || got.ID != ew1.ID {
			t.Errorf("got %+v, %v; want ew1", got, err)
		}
		for _, tc := range []struct{ org, key string }{{orgA.ID, "key-2"}, {orgA.ID, ""}, {"nope", "key-1"}} {
			if _, err := db.LookupSubmissionByIdempotencyKey(ctx, tc.org, tc.key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("lookup(%q, %q) = %v, want ErrNotFound", tc.org, tc.key, err)
			}
		}
	})
	t.Run("another organisation's submission is not found", func(t *testing.T) {
		if _, err := db.GetSubmissionForOrg(ctx, orgB.ID, ew1.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
		got, err := db.GetSubmissionForOrg(ctx, orgA.ID, ew1.ID)
		if err != nil || got.ID != ew1.ID {
			t.Errorf("own: got %+v, %v", got, err)
		}
		if _, err := db.GetSubmission(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown: got %v, want ErrNotFound", err)
		}
	})
	t.Run("submitting to another organisation's incident is not found", func(t *testing.T) {
		_, _, err := db.CreateSubmission(ctx, store.Submission{
			IncidentID: in.ID, OrganisationID: orgB.ID, Report: "nis2.final", Body: body, SubmittedBy: "user-2",
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("rejected submissions", func(t *testing.T) {
		base := store.Submission{IncidentID: in.ID, OrganisationID: orgA.ID, Report: "nis2.final", Body: body, SubmittedBy: "u"}
		tests := []struct {
			name   string
			change func(*store.Submission)
			want   error
		}{
			{"no report", func(s *store.Submission) { s.Report = "" }, store.ErrInvalid},
			{"no submitter", func(s *store.Submission) { s.SubmittedBy = "" }, store.ErrInvalid},
			{"no body", func(s *store.Submission) { s.Body = nil }, store.ErrInvalid},
			{"broken body", func(s *store.Submission) { s.Body = json.RawMessage(`{"a":`) }, store.ErrInvalid},
			{"long key", func(s *store.Submission) { s.IdempotencyKey = string(make([]byte, 300)) }, store.ErrInvalid},
			{"unknown incident", func(s *store.Submission) { s.IncidentID = "nope" }, store.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := base
				tt.change(&s)
				if _, _, err := db.CreateSubmission(ctx, s); !errors.Is(err, tt.want) {
					t.Errorf("got %v, want %v", err, tt.want)
				}
			})
		}
	})
}

func TestSubmissionsAreImmutable(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	in := mustIncident(t, db, org.ID, store.Incident{})
	s := mustSubmit(t, db, store.Submission{IncidentID: in.ID, OrganisationID: org.ID, Report: "nis2.early_warning"})
	later := mustSubmit(t, db, store.Submission{IncidentID: in.ID, OrganisationID: org.ID, Report: "nis2.early_warning"})

	for _, stmt := range []string{
		`UPDATE submissions SET body = '{"forged":true}' WHERE id = ?`,
		`UPDATE submissions SET submitted_at = submitted_at WHERE id = ?`,
		`DELETE FROM submissions WHERE id = ?`,
	} {
		if err := db.Exec(ctx, stmt, s.ID); err == nil {
			t.Errorf("%s: succeeded, want the database to refuse", stmt)
		}
	}
	if err := db.Exec(ctx, `DELETE FROM submissions`); err == nil {
		t.Error("DELETE of every submission succeeded")
	}
	if storetest.Dialect() == "postgres" {
		if err := db.Exec(ctx, `TRUNCATE submissions CASCADE`); err == nil {
			t.Error("TRUNCATE succeeded")
		}
	}
	if err := db.Exec(ctx, `DELETE FROM incidents WHERE id = ?`, in.ID); err == nil {
		t.Error("deleting the incident of a submission succeeded")
	}
	got, err := db.GetSubmission(ctx, s.ID)
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Errorf("after tampering: %+v, %v; want %+v", got, err, s)
	}

	t.Run("the schema refuses forked chains", func(t *testing.T) {
		insert := `INSERT INTO submissions (id, incident_id, organisation_id, report, body, sha256, submitted_at, submitted_by, supersedes_id)
			VALUES (?, ?, ?, ?, '{}', 'x', ?, 'u', ?)`
		tests := []struct {
			name, report string
			supersedes   any
		}{
			{"second first submission", "nis2.early_warning", nil},
			{"second successor of one submission", "nis2.early_warning", s.ID},
			{"successor of another report", "nis2.final", later.ID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := db.Exec(ctx, insert, store.NewID(), in.ID, org.ID, tt.report, time.Now(), tt.supersedes)
				if err == nil {
					t.Error("inserted")
				}
			})
		}
		other := mustOrg(t, db, store.OrgEntity)
		if err := db.Exec(ctx, insert, store.NewID(), in.ID, other.ID, "nis2.final", time.Now(), nil); err == nil {
			t.Error("inserted a submission for another organisation's incident")
		}
	})
}

func TestLatestSubmissionsAfterTheClockWentBack(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	in := mustIncident(t, db, org.ID, store.Incident{})
	// Chains stamped with a clock that stepped back: the latest
	// submission of each report is stamped before the one it supersedes,
	// and the other report's submissions are interleaved.
	insert := `INSERT INTO submissions (id, incident_id, organisation_id, report, body, sha256, submitted_at, submitted_by, supersedes_id)
		VALUES (?, ?, ?, ?, '{}', 'x', ?, 'u', ?)`
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	heads := map[string]string{}
	for i, at := range []time.Duration{0, 3 * time.Hour, time.Hour} {
		for j, report := range []string{"nis2.early_warning", "nis2.notification"} {
			id := store.NewID()
			var supersedes any
			if prev, ok := heads[report]; ok {
				supersedes = prev
			}
			if err := db.Exec(ctx, insert, id, in.ID, org.ID, report, t0.Add(at+time.Duration(j)*time.Minute), supersedes); err != nil {
				t.Fatalf("insert %d %s: %v", i, report, err)
			}
			heads[report] = id
		}
	}
	got, err := db.LatestSubmissions(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(heads) {
		t.Errorf("got %d reports, want %d", len(got), len(heads))
	}
	for report, id := range heads {
		if got[report].ID != id {
			t.Errorf("latest %s = %s, want %s", report, got[report].ID, id)
		}
	}
	// The next submission supersedes the head, not the latest stamped.
	next := mustSubmit(t, db, store.Submission{IncidentID: in.ID, OrganisationID: org.ID, Report: "nis2.early_warning"})
	if next.SupersedesID != heads["nis2.early_warning"] {
		t.Errorf("new submission supersedes %s, want %s", next.SupersedesID, heads["nis2.early_warning"])
	}
}

func TestConcurrentSubmissionsFormOneChain(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	in := mustIncident(t, db, org.ID, store.Incident{})
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, _, errs[i] = db.CreateSubmission(ctx, store.Submission{
				IncidentID: in.ID, OrganisationID: org.ID, Report: "nis2.progress",
				Body: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), SubmittedBy: "u",
			})
		})
	}
	// Replays of one request, at the same time: one submission.
	replays := make([]store.Submission, n)
	replayErrs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			replays[i], _, replayErrs[i] = db.CreateSubmission(ctx, store.Submission{
				IncidentID: in.ID, OrganisationID: org.ID, Report: "nis2.final",
				Body: json.RawMessage(`{"final":true}`), SubmittedBy: "u", IdempotencyKey: "final-1",
			})
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || replayErrs[i] != nil {
			t.Fatalf("submission %d: %v; replay: %v", i, errs[i], replayErrs[i])
		}
	}
	for i := range replays {
		if replays[i].ID != replays[0].ID {
			t.Errorf("replay %d got submission %s, replay 0 got %s", i, replays[i].ID, replays[0].ID)
		}
	}
	list, err := db.ListSubmissions(ctx, in.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]store.Submission{}
	successor := map[string]string{}
	var progress int
	for _, s := range list {
		byID[s.ID] = s
		if s.Report == "nis2.progress" {
			progress++
			if _, dup := successor[s.SupersedesID]; dup {
				t.Errorf("two submissions supersede %q", s.SupersedesID)
			}
			successor[s.SupersedesID] = s.ID
		}
	}
	if progress != n || len(list) != n+1 {
		t.Fatalf("%d progress reports and %d in all, want %d and %d", progress, len(list), n, n+1)
	}
	// Walk the chain from its first submission: it must visit all n.
	steps, id := 0, successor[""]
	for id != "" {
		steps++
		id = successor[id]
	}
	if steps != n {
		t.Errorf("chain from the first submission has %d links, want %d", steps, n)
	}
}
