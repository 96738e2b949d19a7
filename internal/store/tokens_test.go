package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func TestAPITokens(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	other := mustOrg(t, db, store.OrgAuthority)

	create := func(plain string, expires time.Time) store.APIToken {
		t.Helper()
		tok, err := db.CreateAPIToken(ctx, store.APIToken{
			TokenHash: hash(plain), OrganisationID: org.ID, Role: store.RoleEntityReporter,
			Name: plain, CreatedBy: "system", ExpiresAt: expires,
		})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	forever := create("forever", time.Time{})
	later := create("later", time.Now().Add(time.Hour))
	expired := create("expired", time.Now().Add(-time.Second))

	t.Run("look up usable tokens", func(t *testing.T) {
		for _, want := range []store.APIToken{forever, later} {
			got, err := db.LookupAPIToken(ctx, want.TokenHash)
			if err != nil {
				t.Fatalf("%s: %v", want.Name, err)
			}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		}
	})
	t.Run("expired token is not found", func(t *testing.T) {
		if _, err := db.LookupAPIToken(ctx, expired.TokenHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("unknown token is not found", func(t *testing.T) {
		if _, err := db.LookupAPIToken(ctx, hash("nope")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("duplicate hash is a conflict", func(t *testing.T) {
		_, err := db.CreateAPIToken(ctx, store.APIToken{TokenHash: forever.TokenHash, OrganisationID: org.ID, Role: store.RoleEntityReporter, CreatedBy: "system"})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
	})
	t.Run("unknown organisation is not found", func(t *testing.T) {
		_, err := db.CreateAPIToken(ctx, store.APIToken{TokenHash: hash("x"), OrganisationID: "nope", Role: store.RoleEntityReporter, CreatedBy: "system"})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("revoke is scoped to the organisation", func(t *testing.T) {
		if err := db.RevokeAPIToken(ctx, other.ID, later.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking another organisation's token: got %v, want ErrNotFound", err)
		}
		if _, err := db.LookupAPIToken(ctx, later.TokenHash); err != nil {
			t.Errorf("token unusable after a refused revocation: %v", err)
		}
	})
	t.Run("revoked token is not found", func(t *testing.T) {
		if err := db.RevokeAPIToken(ctx, org.ID, later.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LookupAPIToken(ctx, later.TokenHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
		if err := db.RevokeAPIToken(ctx, org.ID, later.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking twice: got %v, want ErrNotFound", err)
		}
	})
	t.Run("list shows all of the organisation's tokens", func(t *testing.T) {
		got, err := db.ListAPITokens(ctx, org.ID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].ID != forever.ID || got[1].ID != later.ID || got[2].ID != expired.ID {
			t.Fatalf("got %+v, want [forever later expired]", got)
		}
		if got[1].RevokedAt.IsZero() {
			t.Error("revoked token listed without RevokedAt")
		}
		if !got[0].ExpiresAt.IsZero() || !got[0].RevokedAt.IsZero() {
			t.Errorf("token without expiry listed as %+v", got[0])
		}
		if others, _ := db.ListAPITokens(ctx, other.ID, store.Page{}); len(others) != 0 {
			t.Errorf("other organisation lists %d tokens, want 0", len(others))
		}
	})
}

func TestSetupTokens(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	h := hash("setup")
	if err := db.CreateSetupToken(ctx, h); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSetupToken(ctx, h); !errors.Is(err, store.ErrConflict) {
		t.Errorf("creating twice: got %v, want ErrConflict", err)
	}
	if err := db.ConsumeSetupToken(ctx, hash("nope")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token: got %v, want ErrNotFound", err)
	}

	// Consumed together with creating the first administrator: a failure
	// leaves the token usable.
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.ConsumeSetupToken(ctx, h); err != nil {
			return err
		}
		_, err := tx.CreateUser(ctx, store.User{OrganisationID: "nope", Email: "admin@example.eu", Role: store.RoleNodeAdmin})
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("setup with a missing organisation: got %v, want ErrNotFound", err)
	}
	if err := db.ConsumeSetupToken(ctx, h); err != nil {
		t.Errorf("first successful use: %v", err)
	}
	if err := db.ConsumeSetupToken(ctx, h); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second use: got %v, want ErrNotFound", err)
	}
}
