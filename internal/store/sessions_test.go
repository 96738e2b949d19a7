package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func TestSessions(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	u := mustUser(t, db, org.ID, "a@example.eu")

	live, err := db.CreateSession(ctx, store.Session{TokenHash: hash("live"), UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if live.CreatedAt.IsZero() || live.LastSeenAt != live.CreatedAt {
		t.Errorf("created session times: %+v", live)
	}
	expired, err := db.CreateSession(ctx, store.Session{TokenHash: hash("expired"), UserID: u.ID, ExpiresAt: time.Now().Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("get live session", func(t *testing.T) {
		got, err := db.GetSession(ctx, live.TokenHash)
		if err != nil {
			t.Fatal(err)
		}
		if got != live {
			t.Errorf("got %+v, want %+v", got, live)
		}
	})
	t.Run("expired session is not found", func(t *testing.T) {
		if _, err := db.GetSession(ctx, expired.TokenHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
		if err := db.TouchSession(ctx, expired.TokenHash, time.Time{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("touch: got %v, want ErrNotFound", err)
		}
	})
	t.Run("unknown session is not found", func(t *testing.T) {
		if _, err := db.GetSession(ctx, hash("nope")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("duplicate hash is a conflict", func(t *testing.T) {
		_, err := db.CreateSession(ctx, store.Session{TokenHash: live.TokenHash, UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
	})
	t.Run("unknown user is not found", func(t *testing.T) {
		_, err := db.CreateSession(ctx, store.Session{TokenHash: hash("x"), UserID: "nope", ExpiresAt: time.Now().Add(time.Hour)})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("missing expiry is rejected", func(t *testing.T) {
		if _, err := db.CreateSession(ctx, store.Session{TokenHash: hash("y"), UserID: u.ID}); err == nil {
			t.Error("created a session that never expires")
		}
	})
	t.Run("touch slides expiry", func(t *testing.T) {
		later := time.Now().Add(48 * time.Hour)
		if err := db.TouchSession(ctx, live.TokenHash, later); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetSession(ctx, live.TokenHash)
		if err != nil {
			t.Fatal(err)
		}
		if !got.ExpiresAt.Equal(later.Truncate(time.Microsecond)) {
			t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, later)
		}
		if got.LastSeenAt.Before(live.LastSeenAt) {
			t.Errorf("LastSeenAt went back: %v before %v", got.LastSeenAt, live.LastSeenAt)
		}
		// A zero expiry leaves it alone.
		if err := db.TouchSession(ctx, live.TokenHash, time.Time{}); err != nil {
			t.Fatal(err)
		}
		again, _ := db.GetSession(ctx, live.TokenHash)
		if again.ExpiresAt != got.ExpiresAt {
			t.Errorf("ExpiresAt changed to %v by a touch without expiry", again.ExpiresAt)
		}
	})
	t.Run("delete expired sessions", func(t *testing.T) {
		n, err := db.DeleteExpiredSessions(ctx)
		if err != nil || n != 1 {
			t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := db.DeleteSession(ctx, live.TokenHash); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetSession(ctx, live.TokenHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("get after delete: got %v, want ErrNotFound", err)
		}
		if err := db.DeleteSession(ctx, live.TokenHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete twice: got %v, want ErrNotFound", err)
		}
	})
	t.Run("delete a user's sessions", func(t *testing.T) {
		for _, s := range []string{"s1", "s2"} {
			if _, err := db.CreateSession(ctx, store.Session{TokenHash: hash(s), UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		var n int64
		err := db.Transact(ctx, func(tx *store.Tx) (err error) {
			n, err = tx.DeleteUserSessions(ctx, u.ID)
			return err
		})
		if err != nil || n != 2 {
			t.Errorf("DeleteUserSessions = %d, %v; want 2", n, err)
		}
	})
}
