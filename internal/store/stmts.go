package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
)

// maxCachedStmts bounds the statements a stmtCache keeps. The store has
// about a hundred distinct statements; a few are built with a variable
// number of placeholders, and once the cache is full those run unprepared.
const maxCachedStmts = 256

// stmtCache holds the prepared statements of one *sql.DB, keyed by their
// SQL text as sent to the driver. SQLite (the pure-Go build in particular)
// spends a good part of a short statement's time parsing it; a statement
// prepared once is kept on every connection that ran it (database/sql
// keeps one driver statement per connection), so each connection parses
// each statement once.
//
// It is used on SQLite only: the PostgreSQL driver keeps its own cache of
// prepared statements per connection.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // string → *sql.Stmt
	n  atomic.Int32
}

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db} }

// get returns the cached statement for query; nil if there is none.
func (c *stmtCache) get(query string) *sql.Stmt {
	if v, ok := c.m.Load(query); ok {
		return v.(*sql.Stmt)
	}
	return nil
}

// prepare returns the cached statement for query, preparing it on the
// database first if need be; nil if the cache is full or the statement
// cannot be prepared (running it unprepared then reports the error). The
// caller must not hold one of the database's connections: preparing waits
// for a free one.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	if s := c.get(query); s != nil {
		return s
	}
	if c.n.Load() >= maxCachedStmts {
		return nil
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if v, loaded := c.m.LoadOrStore(query, s); loaded {
		s.Close()
		return v.(*sql.Stmt)
	}
	c.n.Add(1)
	return s
}

// close closes the cached statements.
func (c *stmtCache) close() error {
	var err error
	c.m.Range(func(k, v any) bool {
		err = errors.Join(err, v.(*sql.Stmt).Close())
		c.m.Delete(k)
		return true
	})
	return err
}

// txStmts is what a conn inside a transaction needs for the statement
// cache: the transaction, to bind cached statements to, and the
// statements it ran that were not cached yet. Those cannot be prepared on
// the database while the transaction holds the connection (SQLite's
// writer has exactly one), so they are prepared when it has ended.
type txStmts struct {
	tx     *sql.Tx
	shared bool // by the writers of a batch (see batch.go)
	mu     sync.Mutex
	missed []string
	bound  map[string]*sql.Stmt // cached statements bound to tx, by query
}

// prepareMissed prepares the statements the ended transaction missed.
func (c *stmtCache) prepareMissed(ctx context.Context, t *txStmts) {
	for _, q := range t.missed {
		c.prepare(ctx, q)
	}
	t.missed = nil
}

// stmt returns the prepared statement to run query with on c, nil to run
// it unprepared. Statements without arguments are run unprepared when
// executed: they may be scripts of several statements (migrations).
func (c conn) stmt(ctx context.Context, query string, exec bool, nargs int) *sql.Stmt {
	if c.stmts == nil || exec && nargs == 0 {
		return nil
	}
	if c.tx == nil {
		return c.stmts.prepare(ctx, query)
	}
	return c.tx.stmt(ctx, c.stmts, query)
}

// stmt returns the statement of stmts for query bound to the transaction,
// binding it the first time; nil if stmts has none.
func (t *txStmts) stmt(ctx context.Context, stmts *stmtCache, query string) *sql.Stmt {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.bound[query]; s != nil {
		return s
	}
	s := stmts.get(query)
	if s == nil {
		t.missed = append(t.missed, query)
		return nil
	}
	bs := t.tx.StmtContext(ctx, s)
	if ctx.Err() == nil { // else bs only reports the cancellation
		if t.bound == nil {
			t.bound = make(map[string]*sql.Stmt)
		}
		t.bound[query] = bs
	}
	return bs
}
