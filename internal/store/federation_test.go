package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

// audiences returns the audiences of shares.
func audiences(shares []store.Share) []string {
	out := make([]string, len(shares))
	for i, s := range shares {
		out[i] = s.IncidentID[len(s.IncidentID)-4:] + "/" + s.Audience
	}
	return out
}

func TestShares(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	in := mustIncident(t, db, org.ID, store.Incident{})
	net := mustCollection(t, db, store.AudienceNetwork, "")
	peer := mustCollection(t, db, store.AudiencePeer, "cert-be")

	s, created, err := db.PutShare(ctx, store.Share{IncidentID: in.ID, Audience: "network", CollectionID: net.ID, SharedBy: "user-1"})
	if err != nil || !created {
		t.Fatalf("PutShare = %v, %v; want created", created, err)
	}
	if s.SharedAt.IsZero() || !s.SyncedAt.IsZero() || !s.RevokedAt.IsZero() || s.RevokedBy != "" || s.CollectionID != net.ID {
		t.Errorf("new share %+v", s)
	}
	t.Run("an active share is kept as it is", func(t *testing.T) {
		again, created, err := db.PutShare(ctx, store.Share{IncidentID: in.ID, Audience: "network", CollectionID: net.ID, SharedBy: "user-2"})
		if err != nil || created || again != s {
			t.Errorf("PutShare again = %+v, %v, %v; want %+v, false", again, created, err, s)
		}
	})
	t.Run("revoke and share again", func(t *testing.T) {
		at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		r, err := db.RevokeShare(ctx, in.ID, "network", "user-2", at)
		if err != nil {
			t.Fatal(err)
		}
		if r.RevokedBy != "user-2" || !r.RevokedAt.Equal(at) || r.SharedBy != "user-1" {
			t.Errorf("revoked %+v", r)
		}
		if _, err := db.RevokeShare(ctx, in.ID, "network", "user-2", at); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoke twice: %v, want ErrNotFound", err)
		}
		if _, err := db.RevokeShare(ctx, in.ID, "public", "user-2", at); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoke what was never shared: %v, want ErrNotFound", err)
		}
		synced := time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)
		back, created, err := db.PutShare(ctx, store.Share{IncidentID: in.ID, Audience: "network", CollectionID: net.ID,
			SharedBy: "user-3", SyncedAt: synced})
		if err != nil || !created {
			t.Fatalf("re-activate = %v, %v; want true", created, err)
		}
		if back.SharedBy != "user-3" || !back.RevokedAt.IsZero() || back.RevokedBy != "" || !back.SyncedAt.Equal(synced) ||
			!back.SharedAt.After(s.SharedAt) {
			t.Errorf("re-activated %+v", back)
		}
	})
	t.Run("list", func(t *testing.T) {
		if _, _, err := db.PutShare(ctx, store.Share{IncidentID: in.ID, Audience: "peer:cert-be", CollectionID: peer.ID, SharedBy: "user-1"}); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListShares(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Audience != "network" || list[1].Audience != "peer:cert-be" {
			t.Errorf("ListShares = %+v", list)
		}
	})
	t.Run("rejected", func(t *testing.T) {
		for _, a := range []string{"", "peer", "peer:", "group:", "everyone", "inbox"} {
			_, _, err := db.PutShare(ctx, store.Share{IncidentID: in.ID, Audience: a, CollectionID: net.ID, SharedBy: "u"})
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("audience %q: %v, want ErrInvalid", a, err)
			}
		}
		for _, bad := range []store.Share{
			{Audience: "public", CollectionID: net.ID, SharedBy: "u"},
			{IncidentID: in.ID, Audience: "public", SharedBy: "u"},
			{IncidentID: in.ID, Audience: "public", CollectionID: net.ID},
		} {
			if _, _, err := db.PutShare(ctx, bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("PutShare(%+v) = %v, want ErrInvalid", bad, err)
			}
		}
		if _, _, err := db.PutShare(ctx, store.Share{IncidentID: "no-such", Audience: "public", CollectionID: net.ID, SharedBy: "u"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown incident: %v, want ErrNotFound", err)
		}
		if _, _, err := db.PutShare(ctx, store.Share{IncidentID: in.ID, Audience: "public", CollectionID: "no-such", SharedBy: "u"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown collection: %v, want ErrNotFound", err)
		}
		if err := db.MarkShareSynced(ctx, in.ID, "public", time.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("mark an unknown share synced: %v, want ErrNotFound", err)
		}
	})
}

func TestSharesToSync(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	in := mustIncident(t, db, org.ID, store.Incident{})
	quiet := mustIncident(t, db, org.ID, store.Incident{})
	net := mustCollection(t, db, store.AudienceNetwork, "")
	pub := mustCollection(t, db, store.AudiencePublic, "")

	for _, s := range []store.Share{
		{IncidentID: in.ID, Audience: "network", CollectionID: net.ID, SharedBy: "u"},
		{IncidentID: in.ID, Audience: "public", CollectionID: pub.ID, SharedBy: "u"},
		{IncidentID: quiet.ID, Audience: "network", CollectionID: net.ID, SharedBy: "u"},
	} {
		if _, _, err := db.PutShare(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	toSync := func() []string {
		t.Helper()
		shares, err := db.SharesToSync(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		return audiences(shares)
	}
	suffix := func(id string) string { return id[len(id)-4:] }
	// syncAll marks every share synced at its incident's latest change.
	syncAll := func() {
		t.Helper()
		for _, id := range []string{in.ID, quiet.ID} {
			at, err := db.IncidentChangedAt(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			shares, err := db.ListShares(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range shares {
				if err := db.MarkShareSynced(ctx, id, s.Audience, at); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := toSync(); len(got) != 0 {
			t.Fatalf("after syncing: %q to sync, want none", got)
		}
		time.Sleep(2 * time.Millisecond) // the next change is later
	}
	changed := []string{suffix(in.ID) + "/network", suffix(in.ID) + "/public"}

	// Never synced, all three come in incident id order.
	want := append(slices.Clone(changed), suffix(quiet.ID)+"/network")
	if quiet.ID < in.ID {
		want = slices.Concat(want[2:], want[:2])
	}
	if got := toSync(); !slices.Equal(got, want) {
		t.Errorf("new shares: %q to sync, want %q", got, want)
	}
	syncAll()

	for _, tc := range []struct {
		name    string
		change  func() time.Time // makes a change and returns its instant
		changes bool
	}{
		{"incident updated", func() time.Time {
			cur, err := db.GetIncident(ctx, in.ID)
			if err != nil {
				t.Fatal(err)
			}
			cur.Title = "Updated"
			up, err := db.UpdateIncident(ctx, cur)
			if err != nil {
				t.Fatal(err)
			}
			return up.UpdatedAt
		}, true},
		{"report submitted", func() time.Time {
			return mustSubmit(t, db, store.Submission{IncidentID: in.ID, OrganisationID: org.ID, Report: "nis2.early_warning"}).SubmittedAt
		}, true},
		{"note added", func() time.Time {
			e, err := db.AddIncidentEvent(ctx, store.IncidentEvent{IncidentID: in.ID, Actor: "u", Kind: store.EventNote})
			if err != nil {
				t.Fatal(err)
			}
			return e.At
		}, true},
		{"indicator added", func() time.Time {
			n, err := db.AddIndicator(ctx, store.Indicator{IncidentID: in.ID, Pattern: "[ipv4-addr:value = '198.51.100.7']", CreatedBy: "u"})
			if err != nil {
				t.Fatal(err)
			}
			return n.CreatedAt
		}, true},
		{"message is not shared", func() time.Time {
			if _, err := db.AddIncidentEvent(ctx, store.IncidentEvent{IncidentID: in.ID, Actor: "u", Kind: store.EventMessage,
				Visibility: store.VisibilityShared}); err != nil {
				t.Fatal(err)
			}
			return time.Time{}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.change()
			var want []string
			if tc.changes {
				want = changed
				got, err := db.IncidentChangedAt(ctx, in.ID)
				if err != nil || !got.Equal(at) {
					t.Errorf("IncidentChangedAt = %v, %v; want %v", got, err, at)
				}
			}
			if got := toSync(); !slices.Equal(got, want) {
				t.Errorf("%q to sync, want %q", got, want)
			}
			syncAll()
		})
	}
	t.Run("revoked shares are not synced", func(t *testing.T) {
		if _, err := db.RevokeShare(ctx, in.ID, "public", "u", time.Time{}); err != nil {
			t.Fatal(err)
		}
		cur, _ := db.GetIncident(ctx, in.ID)
		cur.Title = "Again"
		if _, err := db.UpdateIncident(ctx, cur); err != nil {
			t.Fatal(err)
		}
		if got, want := toSync(), []string{suffix(in.ID) + "/network"}; !slices.Equal(got, want) {
			t.Errorf("%q to sync, want %q", got, want)
		}
	})
	t.Run("limit", func(t *testing.T) {
		if got, err := db.SharesToSync(ctx, 1); err != nil || len(got) != 1 {
			t.Errorf("SharesToSync(1) = %d shares, %v", len(got), err)
		}
		if _, err := db.SharesToSync(ctx, 0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("SharesToSync(0) = %v, want ErrInvalid", err)
		}
		if _, err := db.IncidentChangedAt(ctx, "no-such"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("IncidentChangedAt(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestIndicators(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	in := mustIncident(t, db, org.ID, store.Incident{})

	valid := time.Date(2026, 4, 1, 8, 0, 0, 999999999, time.UTC)
	a, err := db.AddIndicator(ctx, store.Indicator{IncidentID: in.ID, Name: "C2 server",
		Pattern: "[ipv4-addr:value = '198.51.100.7']", ValidFrom: valid, CreatedBy: "user-1"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.CreatedAt.IsZero() || a.PatternType != "stix" || !a.ValidFrom.Equal(valid.Truncate(time.Microsecond)) {
		t.Errorf("added %+v", a)
	}
	b, err := db.AddIndicator(ctx, store.Indicator{IncidentID: in.ID, Pattern: "rule x { condition: true }", PatternType: "yara", CreatedBy: "user-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !b.ValidFrom.Equal(b.CreatedAt) {
		t.Errorf("ValidFrom %v, want CreatedAt %v", b.ValidFrom, b.CreatedAt)
	}
	list, err := db.ListIndicators(ctx, in.ID)
	if err != nil || !slices.Equal(list, []store.Indicator{a, b}) {
		t.Errorf("ListIndicators = %+v, %v; want %+v", list, err, []store.Indicator{a, b})
	}
	for _, bad := range []store.Indicator{
		{Pattern: "p", CreatedBy: "u"},
		{IncidentID: in.ID, CreatedBy: "u"},
		{IncidentID: in.ID, Pattern: "p"},
	} {
		if _, err := db.AddIndicator(ctx, bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("AddIndicator(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := db.AddIndicator(ctx, store.Indicator{IncidentID: "no-such", Pattern: "p", CreatedBy: "u"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown incident: %v, want ErrNotFound", err)
	}
}

func TestDeliveries(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	col := mustCollection(t, db, store.AudiencePeer, "cert-be")
	objs := make([]store.StixObject, 6)
	for i := range objs {
		objs[i] = stixVersion(fmt.Sprintf("indicator--%d", i), "2026-01-01T00:00:00Z")
	}
	rows := mustAdd(t, db, col.ID, objs...)
	seqs := make([]int64, len(rows))
	for i, r := range rows {
		seqs[i] = r.Seq
	}
	t0 := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)

	t.Run("enqueue is idempotent", func(t *testing.T) {
		n, err := db.EnqueueDeliveries(ctx, "cert-be", seqs[:4], t0)
		if err != nil || n != 4 {
			t.Fatalf("enqueue = %d, %v; want 4", n, err)
		}
		n, err = db.EnqueueDeliveries(ctx, "cert-be", []int64{seqs[3], seqs[2], seqs[4], seqs[4], seqs[5]}, t0)
		if err != nil || n != 2 {
			t.Errorf("enqueue again = %d, %v; want 2 new", n, err)
		}
		if n, err := db.EnqueueDeliveries(ctx, "cert-fr", seqs[:2], t0); err != nil || n != 2 {
			t.Errorf("enqueue to another peer = %d, %v; want 2", n, err)
		}
		if n, err := db.EnqueueDeliveries(ctx, "cert-be", nil, t0); err != nil || n != 0 {
			t.Errorf("enqueue nothing = %d, %v", n, err)
		}
		if _, err := db.EnqueueDeliveries(ctx, "cert-be", []int64{seqs[0], 999999}, t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown row: %v, want ErrNotFound", err)
		}
		if _, err := db.EnqueueDeliveries(ctx, "", seqs, t0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("no peer: %v, want ErrInvalid", err)
		}
	})
	t.Run("next delivery", func(t *testing.T) {
		next, ok, err := db.NextDeliveryAt(ctx, "cert-be")
		if err != nil || !ok || !next.Equal(t0) {
			t.Errorf("NextDeliveryAt = %v, %v, %v; want %v", next, ok, err, t0)
		}
		if _, ok, err := db.NextDeliveryAt(ctx, "cert-nl"); err != nil || ok {
			t.Errorf("NextDeliveryAt(no deliveries) = %v, %v; want false", ok, err)
		}
	})

	lease := time.Minute
	var first []store.Delivery
	t.Run("claim", func(t *testing.T) {
		if got, err := db.ClaimDeliveries(ctx, "cert-be", "w1", t0.Add(-time.Second), 10, lease); err != nil || len(got) != 0 {
			t.Errorf("claim before due: %d, %v; want none", len(got), err)
		}
		var err error
		first, err = db.ClaimDeliveries(ctx, "cert-be", "w1", t0, 4, lease)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 4 {
			t.Fatalf("claimed %d, want 4", len(first))
		}
		for i, d := range first {
			if d.Seq != seqs[i] || d.StixID != objs[i].StixID || d.Type != "indicator" || d.Version != objs[i].Version ||
				string(d.Body) != string(objs[i].Body) || d.State != store.DeliveryPending || d.Peer != "cert-be" ||
				!d.CreatedAt.Equal(t0) || !d.NextAttemptAt.Equal(t0) {
				t.Errorf("claimed %d: %+v", i, d)
			}
		}
		rest, err := db.ClaimDeliveries(ctx, "cert-be", "w2", t0.Add(time.Second), 10, lease)
		if err != nil {
			t.Fatal(err)
		}
		if len(rest) != 2 || rest[0].Seq != seqs[4] || rest[1].Seq != seqs[5] {
			t.Errorf("the other worker claimed %+v, want the last two", rest)
		}
		next, ok, err := db.NextDeliveryAt(ctx, "cert-be")
		if want := t0.Add(lease); err != nil || !ok || !next.Equal(want) {
			t.Errorf("NextDeliveryAt while all are leased = %v, %v, %v; want the end of the first lease %v", next, ok, err, want)
		}
		for _, bad := range []struct {
			peer, worker string
			limit        int
			lease        time.Duration
		}{{"", "w", 1, lease}, {"p", "", 1, lease}, {"p", "w", 0, lease}, {"p", "w", 1, 0}} {
			if _, err := db.ClaimDeliveries(ctx, bad.peer, bad.worker, t0, bad.limit, bad.lease); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("ClaimDeliveries(%+v) = %v, want ErrInvalid", bad, err)
			}
		}
	})
	t.Run("an expired lease is claimed again", func(t *testing.T) {
		again, err := db.ClaimDeliveries(ctx, "cert-be", "w3", t0.Add(lease+2*time.Second), 10, lease)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 6 {
			t.Fatalf("claimed %d after the leases expired, want 6", len(again))
		}
		// w1's lease went to w3: w1 can no longer finish them.
		if err := db.FinishDeliveries(ctx, "w1", t0, []int64{first[0].ID}, nil, nil, "", time.Time{}); err != nil {
			t.Fatal(err)
		}
		ds, err := db.ListDeliveries(ctx, "cert-be", store.DeliveryDelivered, nil, 10)
		if err != nil || len(ds) != 0 {
			t.Errorf("delivered by a worker that lost the lease: %+v, %v", ds, err)
		}
	})
	t.Run("finish", func(t *testing.T) {
		at := t0.Add(2 * lease)
		retryAt := at.Add(time.Hour)
		err := db.FinishDeliveries(ctx, "w3", at, []int64{first[0].ID, first[1].ID},
			map[int64]string{first[2].ID: "TLP:RED is not accepted"}, []int64{first[3].ID}, "connection refused", retryAt)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]store.Delivery{}
		ds, err := db.ListDeliveries(ctx, "cert-be", "", nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range ds {
			byID[d.ID] = d
			if i > 0 && d.ID > ds[i-1].ID {
				t.Errorf("ListDeliveries not newest first: %d after %d", d.ID, ds[i-1].ID)
			}
		}
		if d := byID[first[0].ID]; d.State != store.DeliveryDelivered || !d.DeliveredAt.Equal(at) {
			t.Errorf("delivered: %+v", d)
		}
		if d := byID[first[2].ID]; d.State != store.DeliveryRejected || d.LastError != "TLP:RED is not accepted" || !d.DeliveredAt.IsZero() {
			t.Errorf("rejected: %+v", d)
		}
		if d := byID[first[3].ID]; d.State != store.DeliveryPending || d.Attempts != 1 || d.LastError != "connection refused" ||
			!d.NextAttemptAt.Equal(retryAt) {
			t.Errorf("retry: %+v", d)
		}
		// The retried delivery waits for retryAt, the unfinished ones for
		// the end of w3's lease.
		if got, err := db.ClaimDeliveries(ctx, "cert-be", "w4", at, 10, lease); err != nil || len(got) != 0 {
			t.Errorf("claimed %d, %v while w3's lease lasts; want none", len(got), err)
		}
		claimAt := at.Add(5 * time.Second)
		got, err := db.ClaimDeliveries(ctx, "cert-be", "w4", claimAt, 10, lease)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Seq != seqs[4] || got[1].Seq != seqs[5] {
			t.Errorf("claimed %+v, want the two w3 did not finish", got)
		}
		if err := db.FinishDeliveries(ctx, "w4", claimAt, nil, nil, []int64{got[0].ID, got[1].ID}, "timeout", claimAt.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		next, ok, err := db.NextDeliveryAt(ctx, "cert-be")
		if want := claimAt.Add(time.Minute); err != nil || !ok || !next.Equal(want) {
			t.Errorf("NextDeliveryAt = %v, %v, %v; want %v", next, ok, err, want)
		}
		later, err := db.ClaimDeliveries(ctx, "cert-be", "w4", retryAt, 10, lease)
		if err != nil {
			t.Fatal(err)
		}
		if len(later) != 3 || later[0].ID != first[3].ID || later[0].Attempts != 1 {
			t.Errorf("claimed at retryAt: %+v, want the three retried", later)
		}
		if err := db.FinishDeliveries(ctx, "w4", retryAt, nil, nil, []int64{later[0].ID}, "still refused", retryAt.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		d, err := db.ListDeliveries(ctx, "cert-be", store.DeliveryPending, []string{later[0].StixID}, 10)
		if err != nil || len(d) != 1 || d[0].Attempts != 2 || d[0].LastError != "still refused" {
			t.Errorf("retried twice: %+v, %v", d, err)
		}
	})
	t.Run("stats", func(t *testing.T) {
		stats, err := db.DeliveryStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(stats) != 2 || stats[0].Peer != "cert-be" || stats[1].Peer != "cert-fr" {
			t.Fatalf("DeliveryStats = %+v, want cert-be and cert-fr", stats)
		}
		be := stats[0]
		want := store.PeerDeliveries{Peer: "cert-be", Pending: 3, Delivered: 2, Rejected: 1, Failing: 3,
			OldestPending: t0, LastDelivered: t0.Add(2 * lease), LastError: "still refused"}
		if be != want {
			t.Errorf("cert-be: %+v, want %+v", be, want)
		}
		fr := stats[1]
		if want := (store.PeerDeliveries{Peer: "cert-fr", Pending: 2, OldestPending: t0}); fr != want {
			t.Errorf("cert-fr: %+v, want %+v", fr, want)
		}
	})
	t.Run("list", func(t *testing.T) {
		for _, tc := range []struct {
			peer, state string
			ids         []string
			want        int
		}{
			{"", "", nil, 8},
			{"cert-fr", "", nil, 2},
			{"", store.DeliveryPending, nil, 5},
			{"", "", []string{objs[0].StixID}, 2},
			{"cert-be", store.DeliveryDelivered, []string{objs[0].StixID, objs[1].StixID, objs[2].StixID}, 2},
		} {
			ds, err := db.ListDeliveries(ctx, tc.peer, tc.state, tc.ids, 100)
			if err != nil || len(ds) != tc.want {
				t.Errorf("ListDeliveries(%q, %q, %q) = %d, %v; want %d", tc.peer, tc.state, tc.ids, len(ds), err, tc.want)
			}
			for _, d := range ds {
				if d.Body != nil {
					t.Errorf("ListDeliveries loaded a body")
				}
			}
		}
		if ds, err := db.ListDeliveries(ctx, "", "", nil, 3); err != nil || len(ds) != 3 {
			t.Errorf("limit 3: %d, %v", len(ds), err)
		}
		if _, err := db.ListDeliveries(ctx, "", "lost", nil, 10); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("unknown state: %v, want ErrInvalid", err)
		}
		if _, err := db.ListDeliveries(ctx, "", "", nil, 0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("limit 0: %v, want ErrInvalid", err)
		}
	})
	t.Run("finish rejects an id with two outcomes", func(t *testing.T) {
		err := db.FinishDeliveries(ctx, "w", t0, []int64{1}, nil, []int64{1}, "x", t0)
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("got %v, want ErrInvalid", err)
		}
		if err := db.FinishDeliveries(ctx, "", t0, []int64{1}, nil, nil, "", t0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("no worker: %v, want ErrInvalid", err)
		}
	})
}

// TestClaimDeliveriesConcurrently: workers claiming at once each get their
// own deliveries (SKIP LOCKED on PostgreSQL).
func TestClaimDeliveriesConcurrently(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	col := mustCollection(t, db, store.AudiencePeer, "cert-be")
	objs := make([]store.StixObject, 300)
	for i := range objs {
		objs[i] = stixVersion(fmt.Sprintf("indicator--%d", i), "2026-01-01T00:00:00Z")
	}
	rows := mustAdd(t, db, col.ID, objs...)
	seqs := make([]int64, len(rows))
	for i, r := range rows {
		seqs[i] = r.Seq
	}
	at := time.Now()
	if _, err := db.EnqueueDeliveries(ctx, "cert-be", seqs, at); err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		claimed = map[int64]string{}
		wg      sync.WaitGroup
	)
	for w := range 6 {
		worker := fmt.Sprintf("w%d", w)
		wg.Go(func() {
			for {
				ds, err := db.ClaimDeliveries(ctx, "cert-be", worker, at, 7, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				ids := make([]int64, len(ds))
				mu.Lock()
				for i, d := range ds {
					if prev, ok := claimed[d.ID]; ok {
						t.Errorf("delivery %d claimed by %s and %s", d.ID, prev, worker)
					}
					claimed[d.ID] = worker
					ids[i] = d.ID
				}
				mu.Unlock()
				if err := db.FinishDeliveries(ctx, worker, at, ids, nil, nil, "", time.Time{}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if len(claimed) != len(seqs) {
		t.Errorf("claimed %d deliveries, want %d", len(claimed), len(seqs))
	}
	stats, err := db.DeliveryStats(ctx)
	if err != nil || len(stats) != 1 || stats[0].Delivered != int64(len(seqs)) || stats[0].Pending != 0 {
		t.Errorf("DeliveryStats = %+v, %v", stats, err)
	}
}

func TestPullCheckpoints(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)

	cp, err := db.GetPullCheckpoint(ctx, "cert-be", "col-1")
	if err != nil || cp != (store.PullCheckpoint{Peer: "cert-be", Collection: "col-1"}) {
		t.Errorf("no checkpoint: %+v, %v", cp, err)
	}
	if err := db.SetPullError(ctx, "cert-be", "col-1", "401 Unauthorized"); err != nil {
		t.Fatal(err)
	}
	pulled := time.Date(2026, 7, 2, 3, 4, 5, 6000, time.UTC)
	want := store.PullCheckpoint{Peer: "cert-be", Collection: "col-2", AddedAfter: "2026-07-02T03:04:00.123456Z", Objects: 42, PulledAt: pulled}
	if err := db.PutPullCheckpoint(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err := db.GetPullCheckpoint(ctx, "cert-be", "col-2"); err != nil || got != want {
		t.Errorf("GetPullCheckpoint = %+v, %v; want %+v", got, err, want)
	}
	if err := db.SetPullError(ctx, "cert-be", "col-2", strings.Repeat("x", 5000)); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetPullCheckpoint(ctx, "cert-be", "col-2")
	if err != nil || got.Objects != 42 || got.AddedAfter != want.AddedAfter || !got.PulledAt.Equal(pulled) || len(got.LastError) != 4000 {
		t.Errorf("after an error: %+v, %v", got, err)
	}
	want.Objects, want.LastError = 50, ""
	if err := db.PutPullCheckpoint(ctx, want); err != nil {
		t.Fatal(err)
	}
	list, err := db.ListPullCheckpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0] != (store.PullCheckpoint{Peer: "cert-be", Collection: "col-1", LastError: "401 Unauthorized"}) || list[1] != want {
		t.Errorf("ListPullCheckpoints = %+v", list)
	}
	for _, bad := range []store.PullCheckpoint{{Collection: "c"}, {Peer: "p"}, {Peer: "p", Collection: "c", Objects: -1}} {
		if err := db.PutPullCheckpoint(ctx, bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutPullCheckpoint(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	if err := db.SetPullError(ctx, "", "c", "x"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SetPullError without peer: %v, want ErrInvalid", err)
	}
}

// BenchmarkClaimDeliveries drains an outbox of 100,000 pending deliveries to
// a peer, claiming 500 at a time and marking them delivered.
func BenchmarkClaimDeliveries(b *testing.B) {
	ctx := context.Background()
	db := storetest.Open(b)
	col := mustCollection(b, db, store.AudiencePeer, "cert-be")
	const total, batch = 100_000, 500
	seqs := make([]int64, 0, total)
	for i := 0; i < total; i += 1000 {
		objs := make([]store.StixObject, 1000)
		for j := range objs {
			objs[j] = stixVersion(fmt.Sprintf("indicator--%08d-0000-4000-8000-000000000000", i+j), "2026-01-01T00:00:00Z")
		}
		for _, o := range mustAdd(b, db, col.ID, objs...) {
			seqs = append(seqs, o.Seq)
		}
	}
	at := time.Now()
	peers := 0
	enqueue := func() {
		peers++
		if _, err := db.EnqueueDeliveries(ctx, fmt.Sprint("peer-", peers), seqs, at); err != nil {
			b.Fatal(err)
		}
	}
	enqueue()
	b.Run("claim and finish 500", func(b *testing.B) {
		for b.Loop() {
			ds, err := db.ClaimDeliveries(ctx, fmt.Sprint("peer-", peers), "w", at, batch, time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			if len(ds) == 0 { // drained: a new peer with a full outbox
				b.StopTimer()
				enqueue()
				b.StartTimer()
				continue
			}
			ids := make([]int64, len(ds))
			for i, d := range ds {
				ids[i] = d.ID
			}
			if err := db.FinishDeliveries(ctx, "w", at, ids, nil, nil, "", time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stats", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.DeliveryStats(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
