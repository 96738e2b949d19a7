package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func TestNotifications(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	orgA := mustOrg(t, db, store.OrgEntity)
	orgB := mustOrg(t, db, store.OrgEntity)
	authority := mustOrg(t, db, store.OrgAuthority)
	in := mustIncident(t, db, orgA.ID, store.Incident{})
	due := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)

	reminder := store.Notification{
		OrganisationID: orgA.ID, IncidentID: in.ID, Obligation: "nis2.early_warning", Kind: store.NotifyDueSoon,
		Message: "Early warning due in 4 hours", DueAt: due,
	}
	first, created, err := db.CreateNotification(ctx, reminder)
	if err != nil || !created {
		t.Fatalf("create = %v, %v; want created", created, err)
	}
	t.Run("created notification is unread and not e-mailed", func(t *testing.T) {
		if first.ID == "" || first.CreatedAt.IsZero() || !first.ReadAt.IsZero() || !first.EmailedAt.IsZero() || !first.DueAt.Equal(due) {
			t.Errorf("created %+v", first)
		}
		got, err := db.GetNotification(ctx, orgA.ID, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != first {
			t.Errorf("stored %+v, want %+v", got, first)
		}
	})
	t.Run("the same reminder is created once", func(t *testing.T) {
		again, created, err := db.CreateNotification(ctx, reminder)
		if err != nil {
			t.Fatal(err)
		}
		if created || again != first {
			t.Errorf("got %+v, created %v; want the first %+v", again, created, first)
		}
	})
	t.Run("another due instant, kind or recipient is another notification", func(t *testing.T) {
		variants := []store.Notification{reminder, reminder, reminder}
		variants[0].DueAt = due.Add(time.Hour)
		variants[1].Kind = store.NotifyOverdue
		variants[2].OrganisationID = authority.ID
		for i, v := range variants {
			n, created, err := db.CreateNotification(ctx, v)
			if err != nil || !created || n.ID == first.ID {
				t.Errorf("variant %d: %+v, %v, %v; want a new notification", i, n, created, err)
			}
		}
	})
	t.Run("notifications without a due instant are not deduplicated", func(t *testing.T) {
		msg := store.Notification{OrganisationID: orgA.ID, IncidentID: in.ID, Kind: store.NotifyMessage, Message: "New message"}
		a, _, err := db.CreateNotification(ctx, msg)
		if err != nil {
			t.Fatal(err)
		}
		b, created, err := db.CreateNotification(ctx, msg)
		if err != nil || !created || a.ID == b.ID {
			t.Errorf("second message notification: %+v, %v, %v; want a new one", b, created, err)
		}
	})
	t.Run("list is newest first and scoped", func(t *testing.T) {
		got, err := db.ListNotifications(ctx, orgA.ID, false, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 {
			t.Fatalf("got %d notifications, want 5", len(got))
		}
		for i := 1; i < len(got); i++ {
			if got[i].CreatedAt.After(got[i-1].CreatedAt) {
				t.Errorf("not newest first: %v before %v", got[i-1].CreatedAt, got[i].CreatedAt)
			}
		}
		for _, n := range got {
			if n.OrganisationID != orgA.ID {
				t.Errorf("listed another organisation's notification %+v", n)
			}
		}
		none, err := db.ListNotifications(ctx, orgB.ID, false, store.Page{})
		if err != nil || len(none) != 0 {
			t.Errorf("org B: %d notifications, %v; want none", len(none), err)
		}
	})
	t.Run("mark read", func(t *testing.T) {
		if err := db.MarkNotificationRead(ctx, orgB.ID, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other organisation: got %v, want ErrNotFound", err)
		}
		if err := db.MarkNotificationRead(ctx, orgA.ID, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown: got %v, want ErrNotFound", err)
		}
		if err := db.MarkNotificationRead(ctx, orgA.ID, first.ID); err != nil {
			t.Fatal(err)
		}
		read, _ := db.GetNotification(ctx, orgA.ID, first.ID)
		if read.ReadAt.IsZero() {
			t.Fatal("ReadAt not set")
		}
		time.Sleep(2 * time.Millisecond)
		if err := db.MarkNotificationRead(ctx, orgA.ID, first.ID); err != nil {
			t.Errorf("marking again: %v", err)
		}
		again, _ := db.GetNotification(ctx, orgA.ID, first.ID)
		if again.ReadAt != read.ReadAt {
			t.Errorf("ReadAt moved from %v to %v", read.ReadAt, again.ReadAt)
		}
		unread, err := db.ListNotifications(ctx, orgA.ID, true, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range unread {
			if n.ID == first.ID {
				t.Error("read notification listed as unread")
			}
		}
		if n, err := db.CountUnreadNotifications(ctx, orgA.ID); err != nil || n != len(unread) || n != 4 {
			t.Errorf("unread count = %d, %v; want 4", n, err)
		}
	})
	t.Run("another organisation's notification is not found", func(t *testing.T) {
		if _, err := db.GetNotification(ctx, orgB.ID, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("mark e-mailed once", func(t *testing.T) {
		if err := db.MarkNotificationEmailed(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkNotificationEmailed(ctx, first.ID); !errors.Is(err, store.ErrConflict) {
			t.Errorf("again: got %v, want ErrConflict", err)
		}
		if err := db.MarkNotificationEmailed(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown: got %v, want ErrNotFound", err)
		}
		got, _ := db.GetNotification(ctx, orgA.ID, first.ID)
		if got.EmailedAt.IsZero() {
			t.Error("EmailedAt not set")
		}
	})
	t.Run("rejected", func(t *testing.T) {
		tests := []struct {
			name string
			n    store.Notification
			want error
		}{
			{"empty message", store.Notification{OrganisationID: orgA.ID, Kind: store.NotifyMessage}, store.ErrInvalid},
			{"unknown kind", store.Notification{OrganisationID: orgA.ID, Kind: "spam", Message: "x"}, store.ErrInvalid},
			{"unknown organisation", store.Notification{OrganisationID: "nope", Kind: store.NotifyMessage, Message: "x"}, store.ErrNotFound},
			{"unknown incident", store.Notification{OrganisationID: orgA.ID, IncidentID: "nope", Kind: store.NotifyMessage, Message: "x"}, store.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, _, err := db.CreateNotification(ctx, tt.n); !errors.Is(err, tt.want) {
					t.Errorf("got %v, want %v", err, tt.want)
				}
			})
		}
	})
	t.Run("concurrent creations of one reminder make one", func(t *testing.T) {
		r := reminder
		r.Kind = store.NotifyOverdue
		r.DueAt = due.Add(24 * time.Hour)
		const n = 8
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				got, _, err := db.CreateNotification(ctx, r)
				ids[i], errs[i] = got.ID, err
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Errorf("creation %d: %s, %v; want %s", i, ids[i], errs[i], ids[0])
			}
		}
	})
}
