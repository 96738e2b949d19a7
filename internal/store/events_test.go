package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func TestIncidentEvents(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	in := mustIncident(t, db, org.ID, store.Incident{})
	other := mustIncident(t, db, org.ID, store.Incident{})

	add := func(kind store.EventKind, vis store.Visibility, body string) store.IncidentEvent {
		t.Helper()
		e, err := db.AddIncidentEvent(ctx, store.IncidentEvent{
			IncidentID: in.ID, Actor: "user-1", Kind: kind, Visibility: vis, Body: json.RawMessage(body),
		})
		if err != nil {
			t.Fatalf("add %s event: %v", kind, err)
		}
		return e
	}
	msg := add(store.EventMessage, store.VisibilityShared, `{"text":"Any news?"}`)
	note := add(store.EventNote, "", `{"text":"Looks like LockBit"}`)
	state := add(store.EventState, store.VisibilityShared, `{"from":"received","to":"triaged"}`)
	if _, err := db.AddIncidentEvent(ctx, store.IncidentEvent{IncidentID: other.ID, Actor: "x", Kind: store.EventMessage, Visibility: store.VisibilityShared}); err != nil {
		t.Fatal(err)
	}

	t.Run("visibility defaults to authority only", func(t *testing.T) {
		if note.Visibility != store.VisibilityAuthority {
			t.Errorf("Visibility = %q, want authority", note.Visibility)
		}
	})
	t.Run("authority sees everything in time order", func(t *testing.T) {
		got, err := db.ListIncidentEvents(ctx, in.ID, true, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		want := []store.IncidentEvent{msg, note, state}
		if len(got) != len(want) {
			t.Fatalf("got %d events, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i].ID != want[i].ID || !got[i].At.Equal(want[i].At) || got[i].Kind != want[i].Kind ||
				string(got[i].Body) != string(want[i].Body) || got[i].Actor != want[i].Actor {
				t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
			}
		}
	})
	t.Run("entity never sees authority entries", func(t *testing.T) {
		got, err := db.ListIncidentEvents(ctx, in.ID, false, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != msg.ID || got[1].ID != state.ID {
			t.Errorf("got %+v, want the message and the state change", got)
		}
	})
	t.Run("page bounds the timeline", func(t *testing.T) {
		got, err := db.ListIncidentEvents(ctx, in.ID, true, store.Page{Limit: 1, Offset: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != note.ID {
			t.Errorf("got %+v, want the note", got)
		}
	})
	t.Run("rejected events", func(t *testing.T) {
		tests := []struct {
			name string
			e    store.IncidentEvent
			want error
		}{
			{"shared note", store.IncidentEvent{IncidentID: in.ID, Actor: "a", Kind: store.EventNote, Visibility: store.VisibilityShared}, store.ErrInvalid},
			{"unknown kind", store.IncidentEvent{IncidentID: in.ID, Actor: "a", Kind: "gossip"}, store.ErrInvalid},
			{"unknown visibility", store.IncidentEvent{IncidentID: in.ID, Actor: "a", Kind: store.EventMessage, Visibility: "public"}, store.ErrInvalid},
			{"broken body", store.IncidentEvent{IncidentID: in.ID, Actor: "a", Kind: store.EventMessage, Body: json.RawMessage(`{`)}, store.ErrInvalid},
			{"no actor", store.IncidentEvent{IncidentID: in.ID, Kind: store.EventMessage}, store.ErrInvalid},
			{"unknown incident", store.IncidentEvent{IncidentID: "nope", Actor: "a", Kind: store.EventMessage}, store.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := db.AddIncidentEvent(ctx, tt.e); !errors.Is(err, tt.want) {
					t.Errorf("got %v, want %v", err, tt.want)
				}
			})
		}
	})
	t.Run("unknown incident has an empty timeline", func(t *testing.T) {
		got, err := db.ListIncidentEvents(ctx, "nope", true, store.Page{})
		if err != nil || len(got) != 0 {
			t.Errorf("got %v, %v; want nothing", got, err)
		}
	})
}

func TestAssessments(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	in := mustIncident(t, db, org.ID, store.Incident{})
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

	t.Run("no assessment is not found", func(t *testing.T) {
		if _, err := db.GetAssessment(ctx, in.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	first := store.Assessment{
		IncidentID: in.ID, Result: json.RawMessage(`{"summary":"first"}`), ComputedAt: t0,
		NextDueAt: t0.Add(24 * time.Hour), AuthorityNextDueAt: t0.Add(48 * time.Hour),
	}
	t.Run("save then get", func(t *testing.T) {
		saved, err := db.SaveAssessment(ctx, first)
		if err != nil || !saved {
			t.Fatalf("save = %v, %v; want saved", saved, err)
		}
		got, err := db.GetAssessment(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !equalAssessment(got, first) {
			t.Errorf("got %+v, want %+v", got, first)
		}
	})
	second := store.Assessment{IncidentID: in.ID, Result: json.RawMessage(`{"summary":"second"}`), ComputedAt: t0.Add(time.Hour), Overdue: true}
	t.Run("a newer assessment replaces it", func(t *testing.T) {
		saved, err := db.SaveAssessment(ctx, second)
		if err != nil || !saved {
			t.Fatalf("save = %v, %v; want saved", saved, err)
		}
		got, err := db.GetAssessment(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !equalAssessment(got, second) {
			t.Errorf("got %+v, want %+v", got, second)
		}
	})
	t.Run("an older assessment does not replace a newer one", func(t *testing.T) {
		saved, err := db.SaveAssessment(ctx, first)
		if err != nil || saved {
			t.Fatalf("save = %v, %v; want not saved", saved, err)
		}
		got, _ := db.GetAssessment(ctx, in.ID)
		if !equalAssessment(got, second) {
			t.Errorf("got %+v, want the newer %+v", got, second)
		}
	})
	t.Run("in a transaction", func(t *testing.T) {
		third := second
		third.ComputedAt = second.ComputedAt.Add(time.Minute)
		third.Result = json.RawMessage(`{"summary":"third"}`)
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if _, err := tx.SaveAssessment(ctx, third); err != nil {
				return err
			}
			got, err := tx.GetAssessment(ctx, in.ID)
			if err != nil {
				return err
			}
			if !equalAssessment(got, third) {
				t.Errorf("in tx: got %+v, want %+v", got, third)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("rejected", func(t *testing.T) {
		if _, err := db.SaveAssessment(ctx, store.Assessment{IncidentID: "nope", Result: json.RawMessage(`{}`)}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown incident: got %v, want ErrNotFound", err)
		}
		if _, err := db.SaveAssessment(ctx, store.Assessment{IncidentID: in.ID, Result: json.RawMessage(`nope`)}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("broken result: got %v, want ErrInvalid", err)
		}
	})
}

func equalAssessment(a, b store.Assessment) bool {
	return a.IncidentID == b.IncidentID && string(a.Result) == string(b.Result) && a.ComputedAt.Equal(b.ComputedAt) &&
		a.NextDueAt.Equal(b.NextDueAt) && a.Overdue == b.Overdue && a.AuthorityNextDueAt.Equal(b.AuthorityNextDueAt)
}
