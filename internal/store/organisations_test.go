package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func TestOrganisations(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)

	authority, err := db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgAuthority, Name: "CERT.LV", MemberState: "LV"})
	if err != nil {
		t.Fatal(err)
	}
	if authority.ID == "" || authority.CreatedAt.IsZero() {
		t.Errorf("created organisation lacks id or time: %+v", authority)
	}
	if string(authority.Profile) != "{}" {
		t.Errorf("default profile = %s, want {}", authority.Profile)
	}
	profile := json.RawMessage(`{"sector":"energy","size":"large","annex":1}`)
	entity, err := db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: "Grid Ltd", MemberState: "LV", Profile: profile})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("get returns what was created", func(t *testing.T) {
		got, err := db.GetOrganisation(ctx, entity.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != entity.ID || got.Kind != store.OrgEntity || got.Name != "Grid Ltd" ||
			got.MemberState != "LV" || string(got.Profile) != string(profile) || got.CreatedAt != entity.CreatedAt {
			t.Errorf("got %+v, want %+v", got, entity)
		}
	})
	t.Run("unknown id is not found", func(t *testing.T) {
		if _, err := db.GetOrganisation(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("duplicate id is a conflict", func(t *testing.T) {
		_, err := db.CreateOrganisation(ctx, store.Organisation{ID: entity.ID, Kind: store.OrgEntity, Name: "X", MemberState: "LV"})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
	})
	t.Run("invalid profile is rejected", func(t *testing.T) {
		_, err := db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: "X", MemberState: "LV", Profile: json.RawMessage(`{`)})
		if err == nil {
			t.Error("created an organisation with a broken profile")
		}
	})
	t.Run("unknown kind is rejected by the schema", func(t *testing.T) {
		_, err := db.CreateOrganisation(ctx, store.Organisation{Kind: "club", Name: "X", MemberState: "LV"})
		if err == nil {
			t.Error("created an organisation of kind club")
		}
	})
	t.Run("list is oldest first", func(t *testing.T) {
		got, err := db.ListOrganisations(ctx, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != authority.ID || got[1].ID != entity.ID {
			t.Errorf("got %+v, want [authority entity]", got)
		}
	})
}
