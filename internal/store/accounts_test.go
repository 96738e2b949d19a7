package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func ptr[T any](v T) *T { return &v }

func TestUpdateUser(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	u := mustUser(t, db, org.ID, "ana@example.eu")
	if u.Locale != "" || u.TimeZone != "" {
		t.Fatalf("new user has locale %q and time zone %q, want both empty", u.Locale, u.TimeZone)
	}
	update := func(ch store.UserChange) (store.User, error) {
		var out store.User
		err := db.Transact(ctx, func(tx *store.Tx) error {
			var err error
			out, err = tx.UpdateUser(ctx, u.ID, ch)
			return err
		})
		return out, err
	}

	t.Run("sets only the fields given", func(t *testing.T) {
		got, err := update(store.UserChange{Locale: ptr("nl"), TimeZone: ptr("Europe/Amsterdam")})
		if err != nil {
			t.Fatal(err)
		}
		want := u
		want.Locale, want.TimeZone = "nl", "Europe/Amsterdam"
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if read, _ := db.GetUser(ctx, u.ID); read != want {
			t.Errorf("read back %+v, want %+v", read, want)
		}
	})
	t.Run("every field", func(t *testing.T) {
		got, err := update(store.UserChange{DisplayName: ptr("Ana B."), Role: ptr(store.RoleEntityAdmin), Disabled: ptr(true),
			Locale: ptr(""), TimeZone: ptr("UTC"), PasswordHash: ptr("$argon2id$new")})
		if err != nil {
			t.Fatal(err)
		}
		if got.DisplayName != "Ana B." || got.Role != store.RoleEntityAdmin || !got.Disabled || got.Locale != "" ||
			got.TimeZone != "UTC" || got.PasswordHash != "$argon2id$new" || got.Email != u.Email {
			t.Errorf("got %+v", got)
		}
		got, err = update(store.UserChange{Disabled: ptr(false)})
		if err != nil || got.Disabled || got.DisplayName != "Ana B." {
			t.Errorf("re-enable: got %+v, %v", got, err)
		}
	})
	t.Run("nothing to set returns the user", func(t *testing.T) {
		got, err := update(store.UserChange{})
		if err != nil || got.ID != u.ID || got.DisplayName != "Ana B." {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("unknown role is invalid", func(t *testing.T) {
		if _, err := update(store.UserChange{Role: ptr(store.Role("god"))}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("got %v, want ErrInvalid", err)
		}
	})
	t.Run("unknown user is not found", func(t *testing.T) {
		err := db.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.UpdateUser(ctx, "nope", store.UserChange{Locale: ptr("de")})
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}

func TestActiveNodeAdmins(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	authority := mustOrg(t, db, store.OrgAuthority)
	mk := func(email string, role store.Role, disabled bool) store.User {
		u, err := db.CreateUser(ctx, store.User{OrganisationID: authority.ID, Email: email, Role: role, Disabled: disabled})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	a := mk("a@csirt.example", store.RoleNodeAdmin, false)
	b := mk("b@csirt.example", store.RoleNodeAdmin, false)
	mk("c@csirt.example", store.RoleNodeAdmin, true)
	mk("d@csirt.example", store.RoleAuthoritySupervisor, false)
	var got []string
	err := db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		got, err = tx.ActiveNodeAdmins(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{a.ID, b.ID}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (enabled node admins only)", got, want)
	}
}

func TestDeleteUserSessionsExcept(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	u := mustUser(t, db, org.ID, "ana@example.eu")
	other := mustUser(t, db, org.ID, "ben@example.eu")
	exp := time.Now().Add(time.Hour)
	for _, s := range []store.Session{{TokenHash: hash("1"), UserID: u.ID}, {TokenHash: hash("2"), UserID: u.ID},
		{TokenHash: hash("3"), UserID: u.ID}, {TokenHash: hash("4"), UserID: other.ID}} {
		s.ExpiresAt = exp
		if _, err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.DeleteUserSessionsExcept(ctx, u.ID, hash("2"))
		return err
	})
	if err != nil || n != 2 {
		t.Fatalf("deleted %d, %v; want 2", n, err)
	}
	for h, want := range map[string]bool{"1": false, "2": true, "3": false, "4": true} {
		_, err := db.GetSession(ctx, hash(h))
		if got := err == nil; got != want {
			t.Errorf("session %s exists: %v, want %v (err %v)", h, got, want, err)
		}
	}
}

func TestRevokeAPITokensCreatedBy(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	u := mustUser(t, db, org.ID, "ana@example.eu")
	other := mustUser(t, db, org.ID, "ben@example.eu")
	n := 0
	mk := func(createdBy string) store.APIToken {
		n++
		tok, err := db.CreateAPIToken(ctx, store.APIToken{TokenHash: hash("t" + string(rune('a'+n))), OrganisationID: org.ID,
			Role: store.RoleEntityAdmin, Name: "t", CreatedBy: createdBy})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	t1 := mk(u.ID)
	t2 := mk(t1.ID) // created with t1
	t3 := mk(t2.ID)
	already := mk(u.ID)
	if err := db.RevokeAPIToken(ctx, org.ID, already.ID); err != nil {
		t.Fatal(err)
	}
	keep := mk(other.ID)
	keepSys := mk("system")

	var revoked []string
	err := db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		revoked, err = tx.RevokeAPITokensCreatedBy(ctx, u.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(revoked)
	want := []string{t1.ID, t2.ID, t3.ID}
	slices.Sort(want)
	if !slices.Equal(revoked, want) {
		t.Errorf("revoked %v, want %v (the user's tokens and theirs, not the one revoked before)", revoked, want)
	}
	for _, tok := range []store.APIToken{t1, t2, t3, already} {
		if _, err := db.LookupAPIToken(ctx, tok.TokenHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token %s still usable: %v", tok.ID, err)
		}
	}
	for _, tok := range []store.APIToken{keep, keepSys} {
		if _, err := db.LookupAPIToken(ctx, tok.TokenHash); err != nil {
			t.Errorf("token %s of someone else: %v, want usable", tok.ID, err)
		}
	}
}

func TestUpdateOrganisation(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	o := mustOrg(t, db, store.OrgEntity)
	update := func(id string, ch store.OrganisationChange) (store.Organisation, error) {
		var out store.Organisation
		err := db.Transact(ctx, func(tx *store.Tx) error {
			var err error
			out, err = tx.UpdateOrganisation(ctx, id, ch)
			return err
		})
		return out, err
	}
	got, err := update(o.ID, store.OrganisationChange{Name: ptr("Renamed")})
	if err != nil {
		t.Fatal(err)
	}
	want := o
	want.Name = "Renamed"
	if got.Name != want.Name || got.MemberState != o.MemberState || string(got.Profile) != string(o.Profile) || got.Kind != o.Kind {
		t.Errorf("got %+v, want %+v", got, want)
	}
	got, err = update(o.ID, store.OrganisationChange{MemberState: ptr("BE"), Profile: json.RawMessage(`{"member_state":"BE"}`)})
	if err != nil {
		t.Fatal(err)
	}
	read, err := db.GetOrganisation(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if read.Name != "Renamed" || read.MemberState != "BE" || string(read.Profile) != `{"member_state":"BE"}` || read.Kind != store.OrgEntity {
		t.Errorf("read back %+v", read)
	}
	if got.MemberState != read.MemberState || string(got.Profile) != string(read.Profile) {
		t.Errorf("returned %+v, stored %+v", got, read)
	}
	if _, err := update(o.ID, store.OrganisationChange{Profile: json.RawMessage(`{"x":`)}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("malformed profile: got %v, want ErrInvalid", err)
	}
	if _, err := update("nope", store.OrganisationChange{Name: ptr("x")}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown organisation: got %v, want ErrNotFound", err)
	}
}
