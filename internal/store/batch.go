package store

import (
	"context"
	"fmt"
)

// Group commit on SQLite.
//
// SQLite has one writer, so write transactions queue up behind it (on
// wlock, first come first served), and each commit writes its pages to the
// WAL. Instead, the writer that finds no transaction open begins one (it
// leads the batch) and runs its fn; then, rather than commit, it lets the
// writers already queued behind it run theirs in the same transaction, each
// inside a savepoint, and queues up again behind them. When its turn comes
// back it commits them all and tells them the outcome. Writers that arrive
// while a batch runs queue behind its leader and form the next batch.
//
// A writer's Transact returns nil only after the commit of its batch
// succeeded. A writer whose fn fails rolls back to its savepoint and
// returns at once; the others are unaffected. If SQLite rolls back the
// whole transaction (it does so for some I/O errors), every writer of the
// batch gets an error.

// batch is a write transaction shared by a leader and the writers that
// join it. Its fields are used by the writer holding wlock.
type batch struct {
	stmts  *txStmts // the transaction, and the statements its writers missed
	failed error    // set when the transaction was rolled back under the batch
	// done is closed once the batch committed or failed; err is the
	// outcome for the writers whose fn succeeded.
	done chan struct{}
	err  error
}

// savepoint is the name of the savepoint a joining writer runs in; it is
// released before the next writer joins.
const savepoint = "nisnet_writer"

// transactShared is Transact on SQLite.
func (db *DB) transactShared(ctx context.Context, fn func(tx *Tx) error) error {
	select {
	case db.wlock <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("store: begin transaction: %w", ctx.Err())
	}
	if b := db.batch; b != nil {
		return db.join(ctx, b, fn)
	}
	return db.lead(ctx, fn)
}

func (db *DB) unlock() { <-db.wlock }

// lead begins a transaction, runs fn in it and, if fn succeeded, lets the
// writers queued meanwhile join before it commits. The caller holds wlock.
func (db *DB) lead(ctx context.Context, fn func(tx *Tx) error) (err error) {
	// The transaction outlives this writer's ctx: database/sql would roll
	// it back when that is cancelled.
	bg := context.WithoutCancel(ctx)
	sqlTx, err := db.write.BeginTx(bg, nil)
	if err != nil {
		db.unlock()
		return fmt.Errorf("store: begin transaction: %w", err)
	}
	b := &batch{stmts: &txStmts{tx: sqlTx, shared: true}, done: make(chan struct{})}
	shared := false
	defer func() {
		if !shared { // fn failed, panicked or exited: nobody joined yet
			sqlTx.Rollback()
			db.prepareMissed(bg, b)
			db.unlock()
		}
	}()
	if err := fn(&Tx{conn: db.batchConn(b)}); err != nil {
		return err
	}
	shared = true
	db.batch = b
	db.unlock()
	// Back in the queue, behind the writers that were waiting: they join
	// the batch. Whatever ctx says, the batch must be committed.
	db.wlock <- struct{}{}
	if db.batch == b {
		db.batch = nil
	}
	switch {
	case b.failed != nil:
		b.err = b.failed
	default:
		if err := sqlTx.Commit(); err != nil {
			b.err = fmt.Errorf("store: commit: %w", classify(err))
		}
	}
	db.prepareMissed(bg, b)
	// Let the next batch begin before waking this one's writers: waking
	// them readies many goroutines, and this one may wait a while for a
	// processor again.
	db.unlock()
	close(b.done)
	return b.err
}

// join runs fn in b's transaction, inside a savepoint, and waits for the
// batch's outcome. The caller holds wlock.
func (db *DB) join(ctx context.Context, b *batch, fn func(tx *Tx) error) error {
	bg := context.WithoutCancel(ctx)
	if _, err := b.stmts.tx.ExecContext(bg, "SAVEPOINT "+savepoint); err != nil {
		db.lose(b, err)
		db.unlock()
		return fmt.Errorf("store: begin transaction: %w", err)
	}
	ran := false
	defer func() {
		if !ran { // fn panicked or exited
			db.rollbackTo(bg, b)
			db.unlock()
		}
	}()
	ferr := fn(&Tx{conn: db.batchConn(b)})
	ran = true
	if ferr != nil {
		db.rollbackTo(bg, b)
		db.unlock()
		return ferr
	}
	if _, err := b.stmts.tx.ExecContext(bg, "RELEASE "+savepoint); err != nil {
		db.lose(b, err)
		db.unlock()
		return fmt.Errorf("store: commit: %w", err)
	}
	db.unlock()
	<-b.done
	return b.err
}

// prepareMissed prepares the statements b's writers ran unprepared, once
// b has ended. Not while another batch is open: its transaction holds the
// connection.
func (db *DB) prepareMissed(ctx context.Context, b *batch) {
	if db.batch == nil {
		db.wstmts.prepareMissed(ctx, b.stmts)
	}
}

// rollbackTo undoes what the joining writer wrote, keeping the rest of the
// batch's transaction.
func (db *DB) rollbackTo(ctx context.Context, b *batch) {
	_, err := b.stmts.tx.ExecContext(ctx, "ROLLBACK TO "+savepoint)
	if err == nil {
		_, err = b.stmts.tx.ExecContext(ctx, "RELEASE "+savepoint)
	}
	if err != nil {
		db.lose(b, err)
	}
}

// lose ends a batch whose transaction SQLite rolled back (the savepoint is
// gone): the writers that joined it get an error, and the next writer
// begins a new transaction.
func (db *DB) lose(b *batch, cause error) {
	if b.failed != nil {
		return
	}
	b.failed = fmt.Errorf("store: commit: the transaction was rolled back: %w", cause)
	b.stmts.tx.Rollback() // gives the connection back to the pool
	if db.batch == b {
		db.batch = nil
	}
}

// batchConn returns the conn a writer of b runs its statements on.
func (db *DB) batchConn(b *batch) conn {
	return conn{q: b.stmts.tx, d: db.d, stmts: db.wstmts, tx: b.stmts}
}
