package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func mustCollection(t testing.TB, db *store.DB, audience, ref string) store.Collection {
	t.Helper()
	alias := audience
	if ref != "" {
		alias += "-" + ref
	}
	c, err := db.EnsureCollection(context.Background(), store.Collection{
		Alias: alias, Title: "Shared with " + alias, Audience: audience, AudienceRef: ref,
	})
	if err != nil {
		t.Fatalf("ensure collection: %v", err)
	}
	return c
}

// stixVersion returns a version of an object as AddObjects takes it;
// version "" makes an unversioned (cyber-observable) object.
func stixVersion(id, version string) store.StixObject {
	typ, _, _ := bytes.Cut([]byte(id), []byte("--"))
	o := store.StixObject{StixID: id, Type: string(typ), SpecVersion: "2.1", Version: version}
	if version != "" {
		t, err := time.Parse(time.RFC3339Nano, version)
		if err != nil {
			panic(err)
		}
		o.VersionAt = t
		o.Body = json.RawMessage(fmt.Sprintf(`{"type":%q,"spec_version":"2.1","id":%q,"created":%q,"modified":%q}`,
			typ, id, version, version))
	} else {
		o.Body = json.RawMessage(fmt.Sprintf(`{"type":%q,"spec_version":"2.1","id":%q}`, typ, id))
	}
	return o
}

func mustAdd(t testing.TB, db *store.DB, collectionID string, objs ...store.StixObject) []store.StixObject {
	t.Helper()
	res, err := db.AddObjects(context.Background(), collectionID, objs)
	if err != nil {
		t.Fatalf("add objects: %v", err)
	}
	out := make([]store.StixObject, len(res))
	for i, r := range res {
		if r.Duplicate {
			t.Fatalf("add objects: %s %s is a duplicate", r.Object.StixID, r.Object.Version)
		}
		out[i] = r.Object
	}
	return out
}

// keys returns "id@version" of each row, for comparing results.
func keys(rows []store.StixObject) []string {
	out := make([]string, len(rows))
	for i, o := range rows {
		out[i] = o.StixID + "@" + o.Version
	}
	return out
}

func TestEnsureCollection(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)

	net := mustCollection(t, db, store.AudienceNetwork, "")
	if len(net.ID) != 36 || net.ID[14] != '4' || net.CreatedAt.IsZero() {
		t.Errorf("collection %+v: want a UUIDv4 id and a creation time", net)
	}
	peer := mustCollection(t, db, store.AudiencePeer, "cert-be")
	inbox := mustCollection(t, db, store.AudienceInbox, "")

	t.Run("the same audience gets the same collection, updated", func(t *testing.T) {
		again, err := db.EnsureCollection(ctx, store.Collection{
			Alias: "eu-network", Title: "EU CSIRTs network", Description: "Shared with the network",
			Audience: store.AudienceNetwork,
		})
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != net.ID || !again.CreatedAt.Equal(net.CreatedAt) || again.Alias != "eu-network" ||
			again.Title != "EU CSIRTs network" || again.Description != "Shared with the network" {
			t.Errorf("got %+v, want collection %s updated", again, net.ID)
		}
		got, err := db.GetCollection(ctx, net.ID)
		if err != nil || got != again {
			t.Errorf("GetCollection = %+v, %v; want %+v", got, err, again)
		}
		net = again
	})
	t.Run("list is by alias", func(t *testing.T) {
		list, err := db.ListCollections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.Collection{net, inbox, peer} // eu-network, inbox, peer-cert-be
		if !slices.Equal(list, want) {
			t.Errorf("ListCollections = %+v, want %+v", list, want)
		}
	})
	t.Run("rejected", func(t *testing.T) {
		for _, c := range []store.Collection{
			{Alias: "x", Title: "x", Audience: "everyone"},
			{Alias: "x", Title: "x", Audience: store.AudiencePeer},
			{Alias: "x", Title: "x", Audience: store.AudienceGroup},
			{Alias: "x", Title: "x", Audience: store.AudiencePublic, AudienceRef: "y"},
			{Title: "x", Audience: store.AudiencePublic},
			{Alias: "x", Audience: store.AudiencePublic},
		} {
			if _, err := db.EnsureCollection(ctx, c); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("EnsureCollection(%+v) = %v, want ErrInvalid", c, err)
			}
		}
		_, err := db.EnsureCollection(ctx, store.Collection{Alias: "inbox", Title: "x", Audience: store.AudiencePublic})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("alias of another collection: got %v, want ErrConflict", err)
		}
		if _, err := db.GetCollection(ctx, "no-such-collection"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetCollection(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestAddObjects(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	col := mustCollection(t, db, store.AudienceNetwork, "")
	other := mustCollection(t, db, store.AudiencePublic, "")

	a1 := stixVersion("indicator--a", "2026-01-01T00:00:00.000Z")
	a1.TLP, a1.Origin, a1.CreatedByRef, a1.Revoked = "TLP:GREEN", "cert-be", "identity--be", true
	first, err := db.AddObjects(ctx, col.ID, []store.StixObject{
		a1,
		stixVersion("indicator--a", "2026-01-02T00:00:00.123456Z"),
		stixVersion("ipv4-addr--x", ""),
		a1, // the same version twice in one request
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("rows are stored as given", func(t *testing.T) {
		if len(first) != 4 {
			t.Fatalf("got %d results, want 4", len(first))
		}
		got := first[0].Object
		if first[0].Duplicate || got.Seq == 0 || got.CollectionID != col.ID || got.TLP != "TLP:GREEN" ||
			got.Origin != "cert-be" || got.CreatedByRef != "identity--be" || !got.Revoked ||
			!got.VersionAt.Equal(a1.VersionAt) || string(got.Body) != string(a1.Body) {
			t.Errorf("stored %+v", first[0])
		}
		stored, err := db.GetLatestObject(ctx, col.ID, "indicator--a")
		if err != nil {
			t.Fatal(err)
		}
		if stored.Version != "2026-01-02T00:00:00.123456Z" || stored.Seq != first[1].Object.Seq ||
			!stored.DateAdded.Equal(first[1].Object.DateAdded) {
			t.Errorf("latest = %+v, want the second version %+v", stored, first[1].Object)
		}
	})
	t.Run("an unversioned object is versioned by date added", func(t *testing.T) {
		o := first[2].Object
		if o.Version != "" || !o.VersionAt.Equal(o.DateAdded) {
			t.Errorf("got %+v, want VersionAt = DateAdded", o)
		}
		// Posted again it is a new version.
		again := mustAdd(t, db, col.ID, stixVersion("ipv4-addr--x", ""))
		if again[0].Seq == o.Seq {
			t.Errorf("reposted unversioned object got seq %d again", o.Seq)
		}
	})
	t.Run("duplicates report the stored row", func(t *testing.T) {
		if d := first[3]; !d.Duplicate || d.Object.Seq != first[0].Object.Seq || d.Object.TLP != "TLP:GREEN" {
			t.Errorf("duplicate in one request: %+v", d)
		}
		dup := stixVersion("indicator--a", "2026-01-02T00:00:00.123456Z")
		dup.Body = json.RawMessage(`{"changed":true}`)
		res, err := db.AddObjects(ctx, col.ID, []store.StixObject{dup, stixVersion("indicator--a", "2026-01-03T00:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		if !res[0].Duplicate || res[0].Object.Seq != first[1].Object.Seq || string(res[0].Object.Body) == `{"changed":true}` {
			t.Errorf("duplicate: %+v, want the stored row %d", res[0], first[1].Object.Seq)
		}
		if res[1].Duplicate || res[1].Object.Seq <= first[1].Object.Seq {
			t.Errorf("new version after a duplicate: %+v", res[1])
		}
		// The same version in another collection is no duplicate.
		mustAdd(t, db, other.ID, dup)
	})
	t.Run("date added strictly increases with seq, concurrent writers included", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Go(func() {
				for i := range 5 {
					objs := make([]store.StixObject, 20)
					for j := range objs {
						objs[j] = stixVersion(fmt.Sprintf("note--w%d-%d-%d", w, i, j), "2026-02-01T00:00:00Z")
					}
					if _, err := db.AddObjects(ctx, col.ID, objs); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		rows := queryAll(t, db, store.ObjectQuery{CollectionID: col.ID, Versions: store.VersionMatch{All: true}})
		if len(rows) < 800 {
			t.Fatalf("got %d rows, want at least 800", len(rows))
		}
		for i := 1; i < len(rows); i++ {
			if rows[i].Seq <= rows[i-1].Seq || !rows[i].DateAdded.After(rows[i-1].DateAdded) {
				t.Fatalf("row %d: seq %d added %v after seq %d added %v", i,
					rows[i].Seq, rows[i].DateAdded, rows[i-1].Seq, rows[i-1].DateAdded)
			}
		}
	})
	t.Run("date added moves past a later last date added", func(t *testing.T) {
		future := time.Now().UTC().Add(time.Hour).Truncate(time.Microsecond)
		if err := db.Exec(ctx, `UPDATE stix_objects SET date_added = ? WHERE seq = (SELECT max(seq) FROM stix_objects WHERE collection_id = ?)`,
			future, col.ID); err != nil {
			t.Fatal(err)
		}
		got := mustAdd(t, db, col.ID, stixVersion("note--later", "2026-02-01T00:00:00Z"), stixVersion("note--later2", "2026-02-01T00:00:00Z"))
		if want := future.Add(time.Microsecond); !got[0].DateAdded.Equal(want) || !got[1].DateAdded.Equal(want.Add(time.Microsecond)) {
			t.Errorf("date added %v, %v; want %v and 1µs later", got[0].DateAdded, got[1].DateAdded, want)
		}
	})
	t.Run("rejected", func(t *testing.T) {
		if _, err := db.AddObjects(ctx, "no-such-collection", []store.StixObject{a1}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown collection: %v, want ErrNotFound", err)
		}
		bad := []store.StixObject{
			{Type: "indicator", SpecVersion: "2.1", Body: json.RawMessage(`{}`)},
			{StixID: "indicator--b", SpecVersion: "2.1", Body: json.RawMessage(`{}`)},
			{StixID: "indicator--b", Type: "indicator", Body: json.RawMessage(`{}`)},
			{StixID: "indicator--b", Type: "indicator", SpecVersion: "2.1", Version: "2026-01-01T00:00:00Z", Body: json.RawMessage(`{}`)},
			{StixID: "indicator--b", Type: "indicator", SpecVersion: "2.1", Body: json.RawMessage(`{`)},
			{StixID: "indicator--b", Type: "indicator", SpecVersion: "2.1"},
			{StixID: "indicator--b", Type: "indicator", SpecVersion: "2.1", CollectionID: other.ID, Body: json.RawMessage(`{}`)},
		}
		for _, o := range bad {
			if _, err := db.AddObjects(ctx, col.ID, []store.StixObject{o}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("AddObjects(%+v) = %v, want ErrInvalid", o, err)
			}
		}
		if _, err := db.AddObjects(ctx, "", nil); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("no collection id: %v, want ErrInvalid", err)
		}
	})
}

// queryAll pages through everything q selects, 7 rows at a time.
func queryAll(t testing.TB, db *store.DB, q store.ObjectQuery) []store.StixObject {
	t.Helper()
	q.Limit = 7
	var out []store.StixObject
	for {
		rows, more, err := db.QueryObjects(context.Background(), q)
		if err != nil {
			t.Fatalf("query objects: %v", err)
		}
		out = append(out, rows...)
		if !more {
			return out
		}
		if len(rows) != q.Limit {
			t.Fatalf("query objects: %d rows and more, want %d", len(rows), q.Limit)
		}
		q.AfterSeq = rows[len(rows)-1].Seq
	}
}

func TestQueryObjects(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	col := mustCollection(t, db, store.AudienceNetwork, "")
	other := mustCollection(t, db, store.AudiencePublic, "")

	const (
		v1 = "2026-01-01T00:00:00Z"
		v2 = "2026-01-02T00:00:00Z"
		v3 = "2026-01-03T00:00:00.5Z"
	)
	// Added out of version order: a's versions arrive v2, v1, v3.
	a2 := stixVersion("indicator--a", v2)
	b1 := stixVersion("report--b", v1)
	b1.SpecVersion = "2.0"
	mustAdd(t, db, col.ID, a2, b1)
	mid := mustAdd(t, db, col.ID, stixVersion("indicator--a", v1))[0]
	mustAdd(t, db, other.ID, stixVersion("indicator--a", "2027-01-01T00:00:00Z")) // another collection's versions do not count
	c := stixVersion("incident--c", v1)
	c.Origin = "cert-be"
	d := stixVersion("incident--d", v1)
	d.CreatedByRef = "identity--be"
	e1 := stixVersion("incident--e", v1)
	e2 := stixVersion("incident--e", v2)
	e2.TLP = "TLP:RED"
	mustAdd(t, db, col.ID, stixVersion("indicator--a", v3), c, d, e1, e2, stixVersion("ipv4-addr--x", ""))

	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	for _, tc := range []struct {
		name string
		q    store.ObjectQuery
		want []string
	}{
		{"last by default", store.ObjectQuery{},
			[]string{"report--b@" + v1, "indicator--a@" + v3, "incident--c@" + v1, "incident--d@" + v1, "incident--e@" + v2, "ipv4-addr--x@"}},
		{"first", store.ObjectQuery{Versions: store.VersionMatch{First: true}},
			[]string{"report--b@" + v1, "indicator--a@" + v1, "incident--c@" + v1, "incident--d@" + v1, "incident--e@" + v1, "ipv4-addr--x@"}},
		{"all", store.ObjectQuery{Versions: store.VersionMatch{All: true}, IDs: []string{"indicator--a"}},
			[]string{"indicator--a@" + v2, "indicator--a@" + v1, "indicator--a@" + v3}},
		{"first and last", store.ObjectQuery{Versions: store.VersionMatch{First: true, Last: true}, IDs: []string{"indicator--a"}},
			[]string{"indicator--a@" + v1, "indicator--a@" + v3}},
		{"exact", store.ObjectQuery{Versions: store.VersionMatch{Exact: []time.Time{at(v2), at("2026-01-03T00:00:00.500000Z")}}},
			[]string{"indicator--a@" + v2, "indicator--a@" + v3, "incident--e@" + v2}},
		{"exact and first", store.ObjectQuery{Versions: store.VersionMatch{Exact: []time.Time{at(v2)}, First: true}, Types: []string{"indicator"}},
			[]string{"indicator--a@" + v2, "indicator--a@" + v1}},
		{"exact unknown", store.ObjectQuery{Versions: store.VersionMatch{Exact: []time.Time{at("2020-01-01T00:00:00Z")}}}, nil},
		{"ids", store.ObjectQuery{IDs: []string{"incident--c", "report--b", "unknown--z"}},
			[]string{"report--b@" + v1, "incident--c@" + v1}},
		{"types", store.ObjectQuery{Types: []string{"incident", "ipv4-addr"}},
			[]string{"incident--c@" + v1, "incident--d@" + v1, "incident--e@" + v2, "ipv4-addr--x@"}},
		{"ids and types", store.ObjectQuery{IDs: []string{"incident--c", "report--b"}, Types: []string{"incident"}},
			[]string{"incident--c@" + v1}},
		{"spec versions", store.ObjectQuery{SpecVersions: []string{"2.0"}}, []string{"report--b@" + v1}},
		{"spec versions after the version match", store.ObjectQuery{SpecVersions: []string{"2.1"}, IDs: []string{"report--b", "indicator--a"}},
			[]string{"indicator--a@" + v3}},
		{"added after", store.ObjectQuery{AddedAfter: mid.DateAdded, Versions: store.VersionMatch{All: true}, Types: []string{"indicator"}},
			[]string{"indicator--a@" + v3}},
		{"added after the latest", store.ObjectQuery{AddedAfter: time.Now().Add(time.Hour)}, nil},
		{"exclude origin", store.ObjectQuery{ExcludeOrigin: "cert-be", Types: []string{"incident"}},
			[]string{"incident--d@" + v1, "incident--e@" + v2}},
		{"exclude created by", store.ObjectQuery{ExcludeCreatedBy: "identity--be", Types: []string{"incident"}},
			[]string{"incident--c@" + v1, "incident--e@" + v2}},
		// The latest version of e is red: e is not served at all, not
		// its earlier version.
		{"exclude tlp", store.ObjectQuery{ExcludeTLP: []string{"TLP:RED"}, Types: []string{"incident"}},
			[]string{"incident--c@" + v1, "incident--d@" + v1}},
		{"exclude all three", store.ObjectQuery{ExcludeOrigin: "cert-be", ExcludeCreatedBy: "identity--be", ExcludeTLP: []string{"TLP:RED", "TLP:AMBER"},
			Versions: store.VersionMatch{All: true}, Types: []string{"incident"}},
			[]string{"incident--e@" + v1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.CollectionID = col.ID
			got := keys(queryAll(t, db, tc.q))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("paging", func(t *testing.T) {
		q := store.ObjectQuery{CollectionID: col.ID, Versions: store.VersionMatch{All: true}, Limit: 4}
		p1, more, err := db.QueryObjects(ctx, q)
		if err != nil || len(p1) != 4 || !more {
			t.Fatalf("page 1: %d rows, more %v, %v; want 4 and more", len(p1), more, err)
		}
		q.AfterSeq = p1[3].Seq
		p2, more, err := db.QueryObjects(ctx, q)
		if err != nil || len(p2) != 4 || !more {
			t.Fatalf("page 2: %d rows, more %v, %v; want 4 and more", len(p2), more, err)
		}
		q.AfterSeq = p2[3].Seq
		p3, more, err := db.QueryObjects(ctx, q)
		if err != nil || len(p3) != 1 || more {
			t.Fatalf("page 3: %d rows, more %v, %v; want 1 and no more", len(p3), more, err)
		}
		q.AfterSeq, q.Limit = 0, 9
		exact, more, err := db.QueryObjects(ctx, q)
		if err != nil || len(exact) != 9 || more {
			t.Errorf("a page of exactly all rows: %d rows, more %v, %v; want 9 and no more", len(exact), more, err)
		}
		all := append(append(p1, p2...), p3...)
		if !slices.EqualFunc(all, exact, func(a, b store.StixObject) bool { return a.Seq == b.Seq }) {
			t.Errorf("pages %q differ from one query %q", keys(all), keys(exact))
		}
		q.Limit = 5000
		if _, _, err := db.QueryObjects(ctx, q); err != nil {
			t.Errorf("a limit above the maximum: %v, want it capped", err)
		}
	})
	t.Run("rejected", func(t *testing.T) {
		for _, q := range []store.ObjectQuery{{CollectionID: col.ID}, {CollectionID: col.ID, Limit: -1}, {Limit: 10}} {
			if _, _, err := db.QueryObjects(ctx, q); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("QueryObjects(%+v) = %v, want ErrInvalid", q, err)
			}
		}
	})
	t.Run("an unknown collection has no rows", func(t *testing.T) {
		rows, more, err := db.QueryObjects(ctx, store.ObjectQuery{CollectionID: "no-such", Limit: 10})
		if err != nil || len(rows) != 0 || more {
			t.Errorf("got %d rows, %v, %v", len(rows), more, err)
		}
	})
	t.Run("latest objects", func(t *testing.T) {
		latest, err := db.LatestObjects(ctx, col.ID, nil, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"ipv4-addr--x@", "incident--e@" + v2, "incident--d@" + v1, "incident--c@" + v1, "indicator--a@" + v3, "report--b@" + v1}
		if got := keys(latest); !slices.Equal(got, want) {
			t.Errorf("LatestObjects = %q, want %q", got, want)
		}
		page, err := db.LatestObjects(ctx, col.ID, []string{"incident", "report"}, latest[2].Seq, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := keys(page); !slices.Equal(got, []string{"incident--c@" + v1}) {
			t.Errorf("LatestObjects(types, before) = %q, want incident--c", got)
		}
		if _, err := db.LatestObjects(ctx, col.ID, nil, 0, 0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("limit 0: %v, want ErrInvalid", err)
		}
		if _, err := db.GetLatestObject(ctx, col.ID, "indicator--zzz"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetLatestObject(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestDeleteObjects(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	col := mustCollection(t, db, store.AudienceNetwork, "")
	const (
		v1 = "2026-01-01T00:00:00Z"
		v2 = "2026-01-02T00:00:00Z"
		v3 = "2026-01-03T00:00:00Z"
		v4 = "2026-01-04T00:00:00Z"
	)
	a4 := stixVersion("indicator--a", v4)
	a4.SpecVersion = "2.0"
	rows := mustAdd(t, db, col.ID, stixVersion("indicator--a", v1), stixVersion("indicator--a", v2),
		stixVersion("indicator--a", v3), a4, stixVersion("indicator--b", v1))
	if _, err := db.EnqueueDeliveries(ctx, "cert-be", []int64{rows[0].Seq, rows[1].Seq, rows[4].Seq}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	remaining := func() []string {
		t.Helper()
		return keys(queryAll(t, db, store.ObjectQuery{CollectionID: col.ID, Versions: store.VersionMatch{All: true}}))
	}
	del := func(v store.VersionMatch, specVersions []string, want int64) {
		t.Helper()
		n, err := db.DeleteObjects(ctx, col.ID, "indicator--a", v, specVersions)
		if err != nil || n != want {
			t.Errorf("DeleteObjects(%+v, %q) = %d, %v; want %d", v, specVersions, n, err, want)
		}
	}
	del(store.VersionMatch{Last: true}, []string{"2.1"}, 0) // the last is 2.0
	del(store.VersionMatch{Last: true}, nil, 1)
	del(store.VersionMatch{Exact: []time.Time{rows[1].VersionAt}}, nil, 1)
	if got, want := remaining(), []string{"indicator--a@" + v1, "indicator--a@" + v3, "indicator--b@" + v1}; !slices.Equal(got, want) {
		t.Errorf("after deleting last and v2: %q, want %q", got, want)
	}
	del(store.VersionMatch{First: true}, []string{"2.1"}, 1)
	del(store.VersionMatch{}, nil, 1) // default: all versions
	if got, want := remaining(), []string{"indicator--b@" + v1}; !slices.Equal(got, want) {
		t.Errorf("after deleting all: %q, want %q", got, want)
	}
	del(store.VersionMatch{}, nil, 0)

	t.Run("deliveries of deleted rows go with them", func(t *testing.T) {
		ds, err := db.ListDeliveries(ctx, "", "", nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Seq != rows[4].Seq {
			t.Errorf("deliveries left: %+v, want only that of indicator--b", ds)
		}
	})
	if _, err := db.DeleteObjects(ctx, col.ID, "", store.VersionMatch{}, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no object id: %v, want ErrInvalid", err)
	}
}

func TestTaxiiStatus(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	col := mustCollection(t, db, store.AudienceInbox, "")
	other := mustCollection(t, db, store.AudiencePublic, "")

	req := time.Date(2026, 5, 1, 10, 0, 0, 123456789, time.UTC)
	s := store.TaxiiStatus{
		ID: "2d086da7-4bdc-4f91-900e-d77486753710", CollectionID: col.ID, Caller: "peer:cert-be",
		RequestTimestamp: req, Total: 3, Success: 1, Pending: 2,
		Details: json.RawMessage(`{"successes":[{"id":"indicator--a","version":"2026-01-01T00:00:00Z"}]}`),
	}
	if err := db.SaveStatus(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetStatus(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CollectionID != col.ID || got.Caller != s.Caller || !got.RequestTimestamp.Equal(req.Truncate(time.Microsecond)) ||
		got.Total != 3 || got.Success != 1 || got.Failure != 0 || got.Pending != 2 ||
		string(got.Details) != string(s.Details) || got.CreatedAt.IsZero() {
		t.Errorf("stored %+v", got)
	}

	t.Run("saved again it is updated", func(t *testing.T) {
		s.Success, s.Failure, s.Pending = 2, 1, 0
		s.Details = json.RawMessage(`{"failures":[{"id":"indicator--b","message":"TLP:RED"}]}`)
		if err := db.SaveStatus(ctx, s); err != nil {
			t.Fatal(err)
		}
		again, err := db.GetStatus(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Success != 2 || again.Failure != 1 || again.Pending != 0 || string(again.Details) != string(s.Details) ||
			!again.CreatedAt.Equal(got.CreatedAt) {
			t.Errorf("updated %+v", again)
		}
		moved := s
		moved.CollectionID = other.ID
		if err := db.SaveStatus(ctx, moved); !errors.Is(err, store.ErrConflict) {
			t.Errorf("the same id in another collection: %v, want ErrConflict", err)
		}
	})
	t.Run("rejected", func(t *testing.T) {
		for _, bad := range []store.TaxiiStatus{
			{CollectionID: col.ID, Caller: "x"},
			{ID: "s", Caller: "x"},
			{ID: "s", CollectionID: col.ID},
			{ID: "s", CollectionID: col.ID, Caller: "x", Total: -1},
			{ID: "s", CollectionID: col.ID, Caller: "x", Details: json.RawMessage(`{`)},
		} {
			if err := db.SaveStatus(ctx, bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("SaveStatus(%+v) = %v, want ErrInvalid", bad, err)
			}
		}
		if err := db.SaveStatus(ctx, store.TaxiiStatus{ID: "s", CollectionID: "no-such", Caller: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown collection: %v, want ErrNotFound", err)
		}
		if _, err := db.GetStatus(ctx, "no-such"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetStatus(unknown) = %v, want ErrNotFound", err)
		}
	})
	t.Run("expiry", func(t *testing.T) {
		old := store.TaxiiStatus{ID: "old", CollectionID: col.ID, Caller: "x", CreatedAt: time.Now().Add(-48 * time.Hour)}
		if err := db.SaveStatus(ctx, old); err != nil {
			t.Fatal(err)
		}
		n, err := db.DeleteStatusesBefore(ctx, time.Now().Add(-24*time.Hour))
		if err != nil || n != 1 {
			t.Errorf("DeleteStatusesBefore = %d, %v; want 1", n, err)
		}
		if _, err := db.GetStatus(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired status: %v, want ErrNotFound", err)
		}
		if _, err := db.GetStatus(ctx, s.ID); err != nil {
			t.Errorf("recent status: %v", err)
		}
	})
}

func TestNodeKey(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)

	var (
		wg   sync.WaitGroup
		keys [8][]byte
		errs [8]error
	)
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = db.NodeKey(ctx, "cursor-mac", 32) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if len(keys[i]) != 32 || !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("concurrent first uses got different keys: %x and %x", keys[i], keys[0])
		}
	}
	if bytes.Equal(keys[0], make([]byte, 32)) {
		t.Error("the key is all zeroes")
	}
	again, err := db.NodeKey(ctx, "cursor-mac", 32)
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Errorf("NodeKey again = %x, %v; want %x", again, err, keys[0])
	}
	other, err := db.NodeKey(ctx, "other", 32)
	if err != nil || bytes.Equal(other, keys[0]) {
		t.Errorf("another name: %x, %v; want another key", other, err)
	}
	if _, err := db.NodeKey(ctx, "cursor-mac", 16); !errors.Is(err, store.ErrConflict) {
		t.Errorf("another size: %v, want ErrConflict", err)
	}
	for _, size := range []int{0, -1, 4096} {
		if _, err := db.NodeKey(ctx, "k", size); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("size %d: %v, want ErrInvalid", size, err)
		}
	}
	if _, err := db.NodeKey(ctx, "", 32); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no name: %v, want ErrInvalid", err)
	}
}

// BenchmarkQueryObjects pages through a collection of 100,000 objects,
// 1000 at a time, the way a TAXII client does.
func BenchmarkQueryObjects(b *testing.B) {
	ctx := context.Background()
	db := storetest.Open(b)
	col := mustCollection(b, db, store.AudienceNetwork, "")
	const total, batch = 100_000, 1000
	for i := 0; i < total; i += batch {
		objs := make([]store.StixObject, batch)
		for j := range objs {
			n := i + j
			objs[j] = stixVersion(fmt.Sprintf("indicator--%08d-0000-4000-8000-000000000000", n/2), "2026-01-01T00:00:00Z")
			if n%2 == 1 {
				objs[j] = stixVersion(objs[j].StixID, "2026-01-02T00:00:00Z")
			}
		}
		mustAdd(b, db, col.ID, objs...)
	}
	for _, v := range []struct {
		name string
		m    store.VersionMatch
		rows int
	}{{"all", store.VersionMatch{All: true}, total}, {"last", store.VersionMatch{}, total / 2}} {
		b.Run(v.name, func(b *testing.B) {
			pages := 0
			for b.Loop() {
				q := store.ObjectQuery{CollectionID: col.ID, Versions: v.m, Limit: batch, ExcludeTLP: []string{"TLP:RED"}}
				n := 0
				for {
					rows, more, err := db.QueryObjects(ctx, q)
					if err != nil {
						b.Fatal(err)
					}
					n += len(rows)
					pages++
					if !more {
						break
					}
					q.AfterSeq = rows[len(rows)-1].Seq
				}
				if n != v.rows {
					b.Fatalf("paged through %d rows, want %d", n, v.rows)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pages), "ns/page")
		})
	}
	// The single queries TAXII clients make besides paging: one object's
	// versions, and the rows added since the last poll.
	b.Run("one object", func(b *testing.B) {
		id := fmt.Sprintf("indicator--%08d-0000-4000-8000-000000000000", total/4)
		for b.Loop() {
			rows, _, err := db.QueryObjects(ctx, store.ObjectQuery{CollectionID: col.ID, IDs: []string{id},
				Versions: store.VersionMatch{All: true}, Limit: batch})
			if err != nil || len(rows) != 2 {
				b.Fatalf("got %d rows, %v; want 2", len(rows), err)
			}
		}
	})
	b.Run("added after", func(b *testing.B) {
		last, _, err := db.QueryObjects(ctx, store.ObjectQuery{CollectionID: col.ID, AfterSeq: int64(total) - 11,
			Versions: store.VersionMatch{All: true}, Limit: batch})
		if err != nil || len(last) == 0 {
			b.Fatalf("got %d rows, %v", len(last), err)
		}
		for b.Loop() {
			rows, _, err := db.QueryObjects(ctx, store.ObjectQuery{CollectionID: col.ID, AddedAfter: last[0].DateAdded, Limit: batch})
			if err != nil || len(rows) == 0 || len(rows) > 10 {
				b.Fatalf("got %d rows, %v; want at most 10", len(rows), err)
			}
		}
	})
}

// BenchmarkAddObjects adds objects to a collection in batches of 500.
func BenchmarkAddObjects(b *testing.B) {
	ctx := context.Background()
	db := storetest.Open(b)
	col := mustCollection(b, db, store.AudienceNetwork, "")
	const batch = 500
	n := 0
	for b.Loop() {
		objs := make([]store.StixObject, batch)
		for j := range objs {
			objs[j] = stixVersion(fmt.Sprintf("indicator--%08d-0000-4000-8000-000000000000", n), "2026-01-01T00:00:00Z")
			n++
		}
		if _, err := db.AddObjects(ctx, col.ID, objs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "objects/s")
}
