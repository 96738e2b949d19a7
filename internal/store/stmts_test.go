package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func openSQLiteForTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "nisnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

func TestStatementsArePreparedOnce(t *testing.T) {
	ctx := context.Background()
	db := openSQLiteForTest(t)
	const (
		insert = `INSERT INTO organisations (id, kind, name, member_state, profile, created_at) VALUES (?, 'entity', ?, 'DE', '{}', ?)`
		count  = `SELECT count(*) FROM organisations WHERE member_state = ?`
	)
	for i := range 3 {
		err := db.Transact(ctx, func(tx *Tx) error {
			if _, err := tx.exec(ctx, insert, fmt.Sprintf("org-%d", i), "Org", time.Now()); err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, count, "DE").Scan(&n); err != nil {
				return err
			}
			if n != i+1 {
				t.Errorf("transaction %d: %d organisations, want %d", i, n, i+1)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
		// The first transaction ran them unprepared; they are cached
		// once it has ended.
		for _, q := range []string{insert, count} {
			if db.wstmts.get(q) == nil {
				t.Errorf("after transaction %d: %q is not cached for the writer", i, q)
			}
		}
	}
	var n int
	if err := db.reader().queryRow(ctx, count, "DE").Scan(&n); err != nil || n != 3 {
		t.Errorf("read: %d organisations, %v; want 3", n, err)
	}
	if db.rstmts.get(count) == nil {
		t.Errorf("%q is not cached for the readers", count)
	}

	// A failing transaction's statements are cached too, and its
	// effects are rolled back as before.
	boom := errors.New("boom")
	const del = `DELETE FROM organisations WHERE id = ?`
	err := db.Transact(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, del, "org-0"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Transact = %v, want boom", err)
	}
	if db.wstmts.get(del) == nil {
		t.Errorf("%q is not cached", del)
	}
	if _, err := db.GetOrganisation(ctx, "org-0"); err != nil {
		t.Errorf("after rollback: %v", err)
	}
}

func TestStatementsThatAreNotCached(t *testing.T) {
	ctx := context.Background()
	db := openSQLiteForTest(t)
	// Executed without arguments: a script, run as such.
	script := `CREATE TABLE t1 (x INTEGER); CREATE TABLE t2 (y INTEGER); INSERT INTO t1 VALUES (1);`
	if err := db.Transact(ctx, func(tx *Tx) error { _, err := tx.exec(ctx, script); return err }); err != nil {
		t.Fatalf("script: %v", err)
	}
	if db.wstmts.get(script) != nil {
		t.Error("a script without arguments was cached")
	}
	// A statement that does not compile reports its error every time
	// and is not cached.
	bad := `SELECT nonsense FROM nowhere WHERE x = ?`
	for i := range 2 {
		err := db.Transact(ctx, func(tx *Tx) error { return tx.queryRow(ctx, bad, 1).Scan(new(int)) })
		if err == nil {
			t.Fatalf("run %d: a bad statement succeeded", i)
		}
		if err := db.reader().queryRow(ctx, bad, 1).Scan(new(int)); err == nil {
			t.Fatalf("read %d: a bad statement succeeded", i)
		}
	}
	if db.wstmts.get(bad) != nil || db.rstmts.get(bad) != nil {
		t.Error("a statement that does not compile was cached")
	}
	// Past the cache's bound, statements run unprepared.
	for i := range maxCachedStmts + 10 {
		var n int
		if err := db.reader().queryRow(ctx, fmt.Sprintf(`SELECT %d + ?`, i), 1).Scan(&n); err != nil || n != i+1 {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	if got := db.rstmts.n.Load(); got > maxCachedStmts {
		t.Errorf("%d statements cached, want at most %d", got, maxCachedStmts)
	}
}

func TestConcurrentTransactionsWithCachedStatements(t *testing.T) {
	ctx := context.Background()
	db := openSQLiteForTest(t)
	if err := db.Transact(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `CREATE TABLE counter (n INTEGER NOT NULL)`)
		if err == nil {
			_, err = tx.exec(ctx, `INSERT INTO counter VALUES (?)`, 0)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 50
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				err := db.Transact(ctx, func(tx *Tx) error {
					var n int
					if err := tx.queryRow(ctx, `SELECT n FROM counter WHERE n >= ?`, 0).Scan(&n); err != nil {
						return err
					}
					if _, err := tx.exec(ctx, `UPDATE counter SET n = ? WHERE n = ?`, n+1, n); err != nil {
						return err
					}
					if (w+i)%3 == 0 {
						return boom // rolled back
					}
					return nil
				})
				if err != nil && !errors.Is(err, boom) {
					errs <- err
				}
				var n int
				if err := db.reader().queryRow(ctx, `SELECT n FROM counter WHERE n >= ?`, 0).Scan(&n); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := 0
	for w := range workers {
		for i := range each {
			if (w+i)%3 != 0 {
				want++
			}
		}
	}
	var n int
	if err := db.reader().queryRow(ctx, `SELECT n FROM counter WHERE n >= ?`, 0).Scan(&n); err != nil || n != want {
		t.Errorf("counter = %d, %v; want %d (one per committed transaction)", n, err, want)
	}
}

func TestTransactWaitsForTheWriterUntilCancelled(t *testing.T) {
	db := openSQLiteForTest(t)
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Transact(context.Background(), func(tx *Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	ctx, cancel := context.WithCancel(context.Background())
	waiting := make(chan error, 1)
	go func() { waiting <- db.Transact(ctx, func(tx *Tx) error { return nil }) }()
	cancel()
	if err := <-waiting; !errors.Is(err, context.Canceled) {
		t.Errorf("waiting writer cancelled: got %v, want context.Canceled", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("holding writer: %v", err)
	}
	if err := db.Transact(context.Background(), func(tx *Tx) error { return nil }); err != nil {
		t.Errorf("writer after the cancellation: %v", err)
	}
}
