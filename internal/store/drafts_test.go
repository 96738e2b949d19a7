package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func TestDrafts(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	orgA := mustOrg(t, db, store.OrgEntity)
	orgB := mustOrg(t, db, store.OrgEntity)
	inc := mustIncident(t, db, orgA.ID, store.Incident{})
	other := mustIncident(t, db, orgA.ID, store.Incident{})

	first, err := db.PutDraft(ctx, store.Draft{IncidentID: inc.ID, OrganisationID: orgA.ID, Report: "nis2.early_warning",
		Body: json.RawMessage(`{"suspected_malicious": true}`), UpdatedBy: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.GetDraft(ctx, orgA.ID, inc.ID, "nis2.early_warning")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Body) != `{"suspected_malicious": true}` || got.UpdatedBy != "u1" || !got.UpdatedAt.Equal(first.UpdatedAt) {
		t.Errorf("got %+v, want the body as given, u1, %v", got, first.UpdatedAt)
	}

	t.Run("saving again replaces the draft", func(t *testing.T) {
		if _, err := db.PutDraft(ctx, store.Draft{IncidentID: inc.ID, OrganisationID: orgA.ID, Report: "nis2.early_warning",
			Body: json.RawMessage(`{}`), UpdatedBy: "u2"}); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetDraft(ctx, orgA.ID, inc.ID, "nis2.early_warning")
		if err != nil || string(got.Body) != `{}` || got.UpdatedBy != "u2" {
			t.Errorf("got %+v, %v; want {} by u2", got, err)
		}
	})
	t.Run("list by report, without bodies", func(t *testing.T) {
		if _, err := db.PutDraft(ctx, store.Draft{IncidentID: inc.ID, OrganisationID: orgA.ID, Report: "gdpr.art33",
			Body: json.RawMessage(`{"a":1}`), UpdatedBy: "u1"}); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListDrafts(ctx, orgA.ID, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Report != "gdpr.art33" || list[1].Report != "nis2.early_warning" || list[0].Body != nil {
			t.Errorf("got %+v", list)
		}
		if list, _ := db.ListDrafts(ctx, orgA.ID, other.ID); len(list) != 0 {
			t.Errorf("another incident lists %d drafts, want none", len(list))
		}
	})
	t.Run("another organisation sees nothing and cannot write", func(t *testing.T) {
		if _, err := db.GetDraft(ctx, orgB.ID, inc.ID, "nis2.early_warning"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("get: got %v, want ErrNotFound", err)
		}
		if list, _ := db.ListDrafts(ctx, orgB.ID, inc.ID); len(list) != 0 {
			t.Errorf("list: %d drafts, want none", len(list))
		}
		_, err := db.PutDraft(ctx, store.Draft{IncidentID: inc.ID, OrganisationID: orgB.ID, Report: "nis2.early_warning",
			Body: json.RawMessage(`{}`), UpdatedBy: "x"})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("put: got %v, want ErrNotFound", err)
		}
		if got, _ := db.GetDraft(ctx, orgA.ID, inc.ID, "nis2.early_warning"); got.UpdatedBy == "x" {
			t.Errorf("another organisation's put replaced the draft: %+v", got)
		}
		err = db.Transact(ctx, func(tx *store.Tx) error { return tx.DeleteDraft(ctx, orgB.ID, inc.ID, "gdpr.art33") })
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete: got %v, want ErrNotFound", err)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for name, d := range map[string]store.Draft{
			"malformed body": {IncidentID: inc.ID, OrganisationID: orgA.ID, Report: "r", Body: json.RawMessage(`{`), UpdatedBy: "u"},
			"no report":      {IncidentID: inc.ID, OrganisationID: orgA.ID, Body: json.RawMessage(`{}`), UpdatedBy: "u"},
		} {
			if _, err := db.PutDraft(ctx, d); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: got %v, want ErrInvalid", name, err)
			}
		}
		if _, err := db.PutDraft(ctx, store.Draft{IncidentID: "nope", OrganisationID: orgA.ID, Report: "r", Body: json.RawMessage(`{}`), UpdatedBy: "u"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown incident: got %v, want ErrNotFound", err)
		}
	})
	t.Run("delete and discard", func(t *testing.T) {
		err := db.Transact(ctx, func(tx *store.Tx) error { return tx.DeleteDraft(ctx, orgA.ID, inc.ID, "gdpr.art33") })
		if err != nil {
			t.Fatal(err)
		}
		err = db.Transact(ctx, func(tx *store.Tx) error { return tx.DeleteDraft(ctx, orgA.ID, inc.ID, "gdpr.art33") })
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second delete: got %v, want ErrNotFound", err)
		}
		for range 2 { // discarding what is not there is fine
			if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.DiscardDraft(ctx, inc.ID, "nis2.early_warning") }); err != nil {
				t.Fatal(err)
			}
		}
		if list, _ := db.ListDrafts(ctx, orgA.ID, inc.ID); len(list) != 0 {
			t.Errorf("%d drafts left, want none", len(list))
		}
	})
}
