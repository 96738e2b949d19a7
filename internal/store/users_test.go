package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func TestUsers(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)

	if n, err := db.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers on a new database = %d, %v; want 0", n, err)
	}
	org := mustOrg(t, db, store.OrgEntity)
	other := mustOrg(t, db, store.OrgAuthority)
	u, err := db.CreateUser(ctx, store.User{
		OrganisationID: org.ID, Email: "  Ana.Berzina@Example.EU ", DisplayName: "Ana",
		Role: store.RoleEntityAdmin, PasswordHash: "$argon2id$…", Disabled: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ana.berzina@example.eu" {
		t.Errorf("email stored as %q, want it trimmed and lower-cased", u.Email)
	}

	t.Run("get by id", func(t *testing.T) {
		got, err := db.GetUser(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != u {
			t.Errorf("got %+v, want %+v", got, u)
		}
	})
	t.Run("get by email ignores case", func(t *testing.T) {
		got, err := db.GetUserByEmail(ctx, "ANA.BERZINA@example.eu")
		if err != nil {
			t.Fatal(err)
		}
		if got != u {
			t.Errorf("got %+v, want %+v", got, u)
		}
	})
	t.Run("unknown id and email are not found", func(t *testing.T) {
		if _, err := db.GetUser(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUser: got %v, want ErrNotFound", err)
		}
		if _, err := db.GetUserByEmail(ctx, "nobody@example.eu"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUserByEmail: got %v, want ErrNotFound", err)
		}
	})
	t.Run("email in other case is a conflict", func(t *testing.T) {
		_, err := db.CreateUser(ctx, store.User{OrganisationID: other.ID, Email: "ANA.berzina@example.eu", Role: store.RoleAuthorityAnalyst})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
	})
	t.Run("unknown organisation is not found", func(t *testing.T) {
		_, err := db.CreateUser(ctx, store.User{OrganisationID: "nope", Email: "x@example.eu", Role: store.RoleEntityReporter})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("unknown role is rejected by the schema", func(t *testing.T) {
		_, err := db.CreateUser(ctx, store.User{OrganisationID: org.ID, Email: "y@example.eu", Role: "god"})
		if err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want a plain error", err)
		}
	})
	t.Run("empty email is rejected", func(t *testing.T) {
		if _, err := db.CreateUser(ctx, store.User{OrganisationID: org.ID, Email: " ", Role: store.RoleEntityReporter}); err == nil {
			t.Error("created a user without an email")
		}
	})
	t.Run("list and count", func(t *testing.T) {
		u2 := mustUser(t, db, org.ID, "b@example.eu")
		mustUser(t, db, other.ID, "c@example.eu")
		got, err := db.ListUsers(ctx, org.ID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != u.ID || got[1].ID != u2.ID {
			t.Errorf("ListUsers = %+v, want [%s %s]", got, u.ID, u2.ID)
		}
		if n, err := db.CountUsers(ctx); err != nil || n != 3 {
			t.Errorf("CountUsers = %d, %v; want 3", n, err)
		}
	})
}

func TestTeams(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	other := mustOrg(t, db, store.OrgAuthority)

	team, err := db.CreateTeam(ctx, store.Team{OrganisationID: org.ID, Name: "SOC"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("get", func(t *testing.T) {
		got, err := db.GetTeam(ctx, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != team {
			t.Errorf("got %+v, want %+v", got, team)
		}
		if _, err := db.GetTeam(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown team: got %v, want ErrNotFound", err)
		}
	})
	t.Run("same name in the organisation is a conflict", func(t *testing.T) {
		if _, err := db.CreateTeam(ctx, store.Team{OrganisationID: org.ID, Name: "SOC"}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
	})
	t.Run("same name in another organisation is fine", func(t *testing.T) {
		if _, err := db.CreateTeam(ctx, store.Team{OrganisationID: other.ID, Name: "SOC"}); err != nil {
			t.Error(err)
		}
	})
	t.Run("unknown organisation is not found", func(t *testing.T) {
		if _, err := db.CreateTeam(ctx, store.Team{OrganisationID: "nope", Name: "SOC"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("list", func(t *testing.T) {
		got, err := db.ListTeams(ctx, org.ID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != team {
			t.Errorf("got %+v, want [%+v]", got, team)
		}
	})

	t.Run("members", func(t *testing.T) {
		a := mustUser(t, db, org.ID, "a@example.eu")
		b := mustUser(t, db, org.ID, "b@example.eu")
		outsider := mustUser(t, db, other.ID, "o@example.eu")
		for _, u := range []store.User{a, b} {
			if err := db.AddTeamMember(ctx, team.ID, u.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.AddTeamMember(ctx, team.ID, a.ID); !errors.Is(err, store.ErrConflict) {
			t.Errorf("adding a member twice: got %v, want ErrConflict", err)
		}
		if err := db.AddTeamMember(ctx, team.ID, outsider.ID); !errors.Is(err, store.ErrConflict) {
			t.Errorf("adding a user of another organisation: got %v, want ErrConflict", err)
		}
		if err := db.AddTeamMember(ctx, "nope", a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown team: got %v, want ErrNotFound", err)
		}
		if err := db.AddTeamMember(ctx, team.ID, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown user: got %v, want ErrNotFound", err)
		}
		got, err := db.ListTeamMembers(ctx, team.ID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID {
			t.Errorf("members = %+v, want [a b]", got)
		}
		if err := db.RemoveTeamMember(ctx, team.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveTeamMember(ctx, team.ID, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("removing twice: got %v, want ErrNotFound", err)
		}
		got, _ = db.ListTeamMembers(ctx, team.ID, store.Page{})
		if len(got) != 1 || got[0].ID != b.ID {
			t.Errorf("members after removal = %+v, want [b]", got)
		}
	})
}
