package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

// schemaVersion is the number of migrations in each dialect's folder.
const schemaVersion = 5

func TestOpenMigratesOnce(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	for i := range 2 {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		if got := db.Dialect(); got != storetest.Dialect() {
			t.Errorf("Dialect() = %q, want %q", got, storetest.Dialect())
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != schemaVersion {
			t.Errorf("open #%d: schema version %d, want %d", i+1, v, schemaVersion)
		}
		if _, err := db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgAuthority, Name: "CSIRT", MemberState: "LU"}); err != nil {
			t.Errorf("open #%d: create organisation: %v", i+1, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenConcurrently(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	const n = 4
	dbs := make([]*store.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = store.Open(ctx, dsn) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("open #%d: %v", i, errs[i])
			continue
		}
		defer dbs[i].Close()
		v, err := dbs[i].SchemaVersion(ctx)
		if err != nil || v != schemaVersion {
			t.Errorf("open #%d: schema version %d, %v; want %d", i, v, err, schemaVersion)
		}
	}
}

func TestOpenSQLiteCreatesPrivateDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "nisnet.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, p := range []string{filepath.Dir(path), path} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s: mode %v, want no group or other access", p, perm)
		}
	}
}

func TestOpenRejectsUnusableDSN(t *testing.T) {
	for _, dsn := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if db, err := store.Open(context.Background(), dsn); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", dsn)
		}
	}
}

func TestTransactRollsBack(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	boom := errors.New("boom")

	err := db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.CreateOrganisation(ctx, store.Organisation{ID: "org-err", Kind: store.OrgEntity, Name: "A", MemberState: "DE"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Transact = %v, want the function's error", err)
	}
	if _, err := db.GetOrganisation(ctx, "org-err"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after failed transaction: GetOrganisation = %v, want ErrNotFound", err)
	}

	func() {
		defer func() {
			if recover() == nil {
				t.Error("Transact swallowed a panic")
			}
		}()
		db.Transact(ctx, func(tx *store.Tx) error {
			tx.CreateOrganisation(ctx, store.Organisation{ID: "org-panic", Kind: store.OrgEntity, Name: "B", MemberState: "DE"})
			panic("boom")
		})
	}()
	if _, err := db.GetOrganisation(ctx, "org-panic"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after panic: GetOrganisation = %v, want ErrNotFound", err)
	}
	// The writer is usable again.
	if _, err := db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: "C", MemberState: "DE"}); err != nil {
		t.Errorf("create after rollbacks: %v", err)
	}
}

func TestTimesRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	u := mustUser(t, db, org.ID, "a@example.eu")
	// Nanoseconds and a non-UTC zone: stored as UTC microseconds.
	loc := time.FixedZone("CET", 3600)
	expires := time.Date(2099, 3, 4, 5, 6, 7, 123456789, loc)
	s, err := db.CreateSession(ctx, store.Session{TokenHash: hash("t"), UserID: u.ID, ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2099, 3, 4, 4, 6, 7, 123456000, time.UTC)
	if s.ExpiresAt != want {
		t.Errorf("created ExpiresAt = %v, want %v", s.ExpiresAt, want)
	}
	got, err := db.GetSession(ctx, s.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	if got != s {
		t.Errorf("GetSession = %+v, want %+v", got, s)
	}
	if got.ExpiresAt.Location() != time.UTC {
		t.Errorf("ExpiresAt location %v, want UTC", got.ExpiresAt.Location())
	}
}

func TestPageBounds(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	const n = 7
	for i := range n {
		if _, err := db.CreateTeam(ctx, store.Team{OrganisationID: org.ID, Name: string(rune('a' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		page store.Page
		want int
	}{
		{"zero page lists all (default limit)", store.Page{}, n},
		{"limit", store.Page{Limit: 3}, 3},
		{"offset", store.Page{Limit: 3, Offset: 5}, 2},
		{"negative offset is zero", store.Page{Offset: -4}, n},
		{"offset past the end is empty", store.Page{Offset: 100}, 0},
		{"limit above the maximum is capped", store.Page{Limit: 10000}, n},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ListTeams(ctx, org.ID, tt.page)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("got %d teams, want %d", len(got), tt.want)
			}
		})
	}
	all, _ := db.ListTeams(ctx, org.ID, store.Page{})
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt.Before(all[i-1].CreatedAt) {
			t.Errorf("teams not oldest first: %v before %v", all[i-1].CreatedAt, all[i].CreatedAt)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, 99, time.Now()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err := store.Open(ctx, dsn); err == nil {
		db.Close()
		t.Error("opened a database whose schema is newer than the program")
	}
}
