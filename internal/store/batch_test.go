package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// batchWriters starts a leader whose fn holds the writer until the others
// have queued up behind it, so that they join its transaction, and runs
// fns[i] for writer i (the leader is writer 0). It returns each writer's
// result (a recovered panic as an error), whether each ran as a joiner and
// the order in which their fns ran.
func batchWriters(t *testing.T, db *DB, fns []func(ctx context.Context, tx *Tx) error) (errs []error, joined []bool, order []int) {
	t.Helper()
	n := len(fns)
	errs, joined, order = make([]error, n), make([]bool, n), make([]int, n)
	ran := 0
	var wg sync.WaitGroup
	run := func(i int, before func()) {
		defer wg.Done()
		defer func() {
			if r := recover(); r != nil {
				errs[i] = fmt.Errorf("panic: %v", r)
			}
		}()
		ctx := context.Background()
		errs[i] = db.Transact(ctx, func(tx *Tx) error {
			joined[i] = db.batch != nil // fn runs holding wlock
			ran++
			order[i] = ran
			if before != nil {
				before()
			}
			return fns[i](ctx, tx)
		})
	}
	leading := make(chan struct{})
	wg.Add(1)
	go run(0, func() {
		close(leading)
		// Let the others queue up behind the leader. If one is late, it
		// merely starts the next batch.
		time.Sleep(50 * time.Millisecond)
	})
	<-leading
	for i := 1; i < n; i++ {
		wg.Add(1)
		go run(i, nil)
	}
	wg.Wait()
	return errs, joined, order
}

func createCounterTable(t *testing.T, db *DB) {
	t.Helper()
	err := db.Transact(context.Background(), func(tx *Tx) error {
		_, err := tx.exec(context.Background(), `CREATE TABLE w (writer INTEGER PRIMARY KEY, note TEXT NOT NULL)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writersStored(t *testing.T, db *DB) map[int]bool {
	t.Helper()
	rows, err := db.read.Query(`SELECT writer FROM w`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var w int
		if err := rows.Scan(&w); err != nil {
			t.Fatal(err)
		}
		out[w] = true
	}
	return out
}

func TestGroupCommitKeepsEachWritersOutcome(t *testing.T) {
	db := openSQLiteForTest(t)
	createCounterTable(t, db)
	boom := errors.New("boom")
	const n = 24
	fns := make([]func(ctx context.Context, tx *Tx) error, n)
	for i := range fns {
		fns[i] = func(ctx context.Context, tx *Tx) error {
			if _, err := tx.exec(ctx, `INSERT INTO w (writer, note) VALUES (?, ?)`, i, "written"); err != nil {
				return err
			}
			// Read what the batch's earlier writers wrote, as if they had
			// committed before.
			var seen int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM w WHERE writer <= ?`, i).Scan(&seen); err != nil {
				return err
			}
			switch i % 4 {
			case 1:
				return boom
			case 2:
				if i%8 == 2 {
					panic("writer panics")
				}
			case 3:
				// A statement that fails on a constraint: only it is undone,
				// and the writer may go on.
				if _, err := tx.exec(ctx, `INSERT INTO w (writer, note) VALUES (?, ?)`, i, "again"); err == nil {
					return errors.New("duplicate writer inserted")
				}
			}
			return nil
		}
	}
	var errs []error
	var joined []bool
	for round := 0; ; round++ {
		errs, joined, _ = batchWriters(t, db, fns)
		joiners := 0
		for _, j := range joined {
			if j {
				joiners++
			}
		}
		if joiners > 0 {
			t.Logf("round %d: %d of %d writers joined the leader's transaction", round, joiners, n)
			break
		}
		if round == 20 {
			t.Fatal("no writer ever joined a batch")
		}
		if _, err := db.write.Exec(`DELETE FROM w`); err != nil {
			t.Fatal(err)
		}
	}
	stored := writersStored(t, db)
	for i, err := range errs {
		wantErr := i%4 == 1 || i%8 == 2
		if (err != nil) != wantErr {
			t.Errorf("writer %d: Transact = %v, want error %v", i, err, wantErr)
		}
		if stored[i] != (err == nil) {
			t.Errorf("writer %d: stored %v, but Transact returned %v", i, stored[i], err)
		}
	}
	// The writer goes on as before.
	err := db.Transact(context.Background(), func(tx *Tx) error {
		_, err := tx.exec(context.Background(), `INSERT INTO w (writer, note) VALUES (?, ?)`, 1000, "after")
		return err
	})
	if err != nil || !writersStored(t, db)[1000] {
		t.Errorf("write after the batch: %v", err)
	}
}

func TestGroupCommitLostTransactionFailsEveryWriter(t *testing.T) {
	db := openSQLiteForTest(t)
	createCounterTable(t, db)
	insert := func(i int) func(ctx context.Context, tx *Tx) error {
		return func(ctx context.Context, tx *Tx) error {
			_, err := tx.exec(ctx, `INSERT INTO w (writer, note) VALUES (?, ?)`, i, "written")
			return err
		}
	}
	// Writer 2 has SQLite roll back the whole transaction under the
	// batch, as some I/O errors do, and does not notice.
	fns := []func(ctx context.Context, tx *Tx) error{insert(0), insert(1), func(ctx context.Context, tx *Tx) error {
		_, err := tx.exec(ctx, `ROLLBACK`)
		return err
	}}
	for round := 0; ; round++ {
		errs, joined, order := batchWriters(t, db, fns)
		stored := writersStored(t, db)
		for i, err := range errs {
			if stored[i] != (err == nil) {
				t.Errorf("writer %d: stored %v, but Transact returned %v", i, stored[i], err)
			}
		}
		if errs[2] == nil {
			t.Errorf("the writer that lost the transaction: Transact succeeded")
		}
		if !joined[2] {
			if round == 20 {
				t.Fatal("writer 2 never joined a batch")
			}
			if _, err := db.write.Exec(`DELETE FROM w`); err != nil {
				t.Fatal(err)
			}
			continue // it ran alone: try again
		}
		// The writers of writer 2's batch that ran before it (its leader
		// is the last writer that did not join) wrote in the lost
		// transaction.
		leader := -1
		for i := range fns {
			if !joined[i] && order[i] < order[2] && (leader < 0 || order[i] > order[leader]) {
				leader = i
			}
		}
		for i := range fns {
			if order[i] >= order[leader] && order[i] < order[2] && errs[i] == nil {
				t.Errorf("writer %d, in the lost batch before writer 2: Transact succeeded", i)
			}
		}
		break
	}
	if err := db.Transact(context.Background(), func(tx *Tx) error {
		_, err := tx.exec(context.Background(), `INSERT INTO w (writer, note) VALUES (?, ?)`, 1000, "after")
		return err
	}); err != nil || !writersStored(t, db)[1000] {
		t.Errorf("write after a lost batch: %v", err)
	}
}

func TestGroupCommitCancelledWriter(t *testing.T) {
	db := openSQLiteForTest(t)
	createCounterTable(t, db)
	ctx := context.Background()
	holding, release := make(chan struct{}), make(chan struct{})
	leaderDone := make(chan error, 1)
	go func() {
		leaderDone <- db.Transact(ctx, func(tx *Tx) error {
			close(holding)
			<-release
			_, err := tx.exec(ctx, `INSERT INTO w (writer, note) VALUES (?, ?)`, 0, "leader")
			return err
		})
	}()
	<-holding
	// Cancelled while queued: never runs.
	queuedCtx, cancelQueued := context.WithCancel(ctx)
	queued := make(chan error, 1)
	go func() {
		queued <- db.Transact(queuedCtx, func(tx *Tx) error {
			_, err := tx.exec(queuedCtx, `INSERT INTO w (writer, note) VALUES (?, ?)`, 1, "queued")
			return err
		})
	}()
	cancelQueued()
	if err := <-queued; !errors.Is(err, context.Canceled) {
		t.Errorf("writer cancelled in the queue: %v, want context.Canceled", err)
	}
	// Cancelled between its statements, as a joiner: its next statement
	// does not start, and only its own write is undone.
	joinCtx, cancelJoin := context.WithCancel(ctx)
	joining := make(chan error, 1)
	go func() {
		joining <- db.Transact(joinCtx, func(tx *Tx) error {
			if _, err := tx.exec(joinCtx, `INSERT INTO w (writer, note) VALUES (?, ?)`, 2, "first"); err != nil {
				return err
			}
			cancelJoin()
			_, err := tx.exec(joinCtx, `INSERT INTO w (writer, note) VALUES (?, ?)`, 3, "second")
			return err
		})
	}()
	time.Sleep(20 * time.Millisecond) // let it queue behind the leader
	close(release)
	if err := <-leaderDone; err != nil {
		t.Errorf("leader: %v", err)
	}
	if err := <-joining; !errors.Is(err, context.Canceled) {
		t.Errorf("writer cancelled between statements: %v, want context.Canceled", err)
	}
	stored := writersStored(t, db)
	if !stored[0] || stored[1] || stored[2] || stored[3] {
		t.Errorf("stored writers %v, want only the leader (0)", stored)
	}
}
