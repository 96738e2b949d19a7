// Package store is nisnet's persistence layer: one concrete *DB over SQLite
// (the embedded default, pure Go) or PostgreSQL (for scale-out), with the SQL
// written out in the Go files and the schema in embedded migrations that run
// when the database is opened.
//
// Reads are methods on *DB. Writes are methods on *Tx so that several of them
// and their audit records commit together inside (*DB).Transact; the *DB
// methods of the same name wrap one such write in its own transaction. On
// SQLite, the transactions of concurrent writers commit together (group
// commit, see batch.go), and statements are prepared once per connection.
//
// Failures callers decide on are reported as ErrNotFound, ErrConflict and
// ErrInvalid, tested with errors.Is.
//
// Times are stored in UTC with microsecond resolution: TIMESTAMPTZ on
// PostgreSQL, fixed-width RFC 3339 text ("2006-01-02T15:04:05.000000Z") on
// SQLite. The store truncates every time it writes to the microsecond, so a
// time read back equals the time stored on both dialects.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/ncruces/go-sqlite3"
	_ "github.com/ncruces/go-sqlite3/driver" // registers the "sqlite3" database/sql driver
)

// Error kinds. Wrapped errors returned by the store match them with errors.Is.
var (
	// ErrNotFound: the row does not exist, is no longer valid (an expired
	// session, a revoked token, a used setup token) or a referenced row does
	// not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the write would break a uniqueness rule (an email already
	// in use, a duplicate team name in the organisation, …).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the arguments cannot be stored or used as given (a value
	// outside its column's allowed set, malformed JSON, a bad list cursor).
	ErrInvalid = errors.New("invalid")
)

// sqlitePragmas are set on every SQLite connection. busy_timeout comes first,
// as the driver documents.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"

// DB is a nisnet database. It is safe for concurrent use.
type DB struct {
	write *sql.DB // SQLite: exactly one connection, so writers queue in-process
	read  *sql.DB // SQLite: a pool of query-only connections; PostgreSQL: same as write
	d     dialect

	// SQLite only; nil on PostgreSQL.
	//
	// wlock is held by the writer using the connection: writers wait for
	// it in the order they arrived, where the pool would hand the
	// connection to a random one of them (a long tail of waits under
	// load).
	wlock chan struct{}
	// wstmts and rstmts are the statements prepared on the writer and on
	// the read pool.
	wstmts, rstmts *stmtCache
	// batch is the write transaction writers join; nil when none is open.
	// Used by the writer holding wlock (see batch.go).
	batch *batch
}

// Open opens the database named by dsn and brings its schema up to date.
// A postgres:// or postgresql:// URL selects PostgreSQL; anything else is
// the path of a SQLite file, created (with its directory) if missing.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		db  *DB
		err error
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(ctx, dsn)
	} else {
		db, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(10)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to postgres: %w", err)
	}
	return &DB{write: pool, read: pool, d: postgresDialect}, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("store: %q: want the path of a SQLite file or a postgres:// URL", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: sqlite path: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store: create database directory: %w", err)
	}
	// Create the file ourselves so that it (and the -wal and -shm files
	// SQLite derives from it) is readable by the owner only.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("store: create database file: %w", err)
	}

	uri := "file:" + (&url.URL{Path: abs}).EscapedPath()
	// The writer keeps temporary files in memory: the journal of the
	// savepoint each writer of a batch runs in (see batch.go) would
	// otherwise be a file written for every page a writer changes.
	write, err := sql.Open("sqlite3", uri+"?"+sqlitePragmas+"&_pragma=temp_store(memory)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Connect the writer first: it switches the file to WAL before readers
	// open. Switching needs the file to itself, and SQLite reports
	// SQLITE_BUSY at once, without waiting, when another process is opening
	// the same new file; so retry for a while.
	if err := pingSQLite(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", abs, err)
	}

	read, err := sql.Open("sqlite3", uri+"?"+sqlitePragmas+"&_pragma=query_only(1)&_txlock=deferred")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(5 * time.Minute)
	if err := pingSQLite(ctx, read); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", abs, err)
	}
	return &DB{write: write, read: read, d: sqliteDialect,
		wlock: make(chan struct{}, 1), wstmts: newStmtCache(write), rstmts: newStmtCache(read)}, nil
}

// pingSQLite connects, retrying while the database is busy for up to the
// busy timeout.
func pingSQLite(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := db.PingContext(ctx)
		if err == nil || !errors.Is(err, sqlite3.BUSY) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Close closes the database.
func (db *DB) Close() error {
	var err error
	if db.wstmts != nil {
		err = errors.Join(db.wstmts.close(), db.rstmts.close())
	}
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Dialect names the database engine: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs queries written with ? placeholders on either dialect.
type conn struct {
	q querier
	d dialect
	// stmts, on SQLite, caches prepared statements of the database q
	// belongs to. tx is set when q is a transaction.
	stmts *stmtCache
	tx    *txStmts
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = c.stmtCtx(ctx)
	query, args = c.d.rebind(query), c.d.args(args)
	if s := c.stmt(ctx, query, true, len(args)); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.q.ExecContext(ctx, query, args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = c.stmtCtx(ctx)
	query, args = c.d.rebind(query), c.d.args(args)
	if s := c.stmt(ctx, query, false, len(args)); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.q.QueryContext(ctx, query, args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = c.stmtCtx(ctx)
	query, args = c.d.rebind(query), c.d.args(args)
	if s := c.stmt(ctx, query, false, len(args)); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, query, args...)
}

// stmtCtx is the context to run a statement with. On a transaction that
// writers share, a statement that has started must not be interrupted:
// SQLite would roll back the whole transaction. A cancelled ctx still keeps
// the statement from starting.
func (c conn) stmtCtx(ctx context.Context) context.Context {
	if c.tx != nil && c.tx.shared && ctx.Err() == nil {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// reader returns a conn on the read pool.
func (db *DB) reader() conn { return conn{q: db.read, d: db.d, stmts: db.rstmts} }

// txConn returns a conn on the transaction sqlTx of the pool whose
// statements stmts caches (nil: none).
func txConn(sqlTx *sql.Tx, d dialect, stmts *stmtCache) conn {
	c := conn{q: sqlTx, d: d}
	if stmts != nil {
		c.stmts, c.tx = stmts, &txStmts{tx: sqlTx}
	}
	return c
}

// Tx is a write transaction, handed to the function given to Transact.
// It must not be used after that function returns.
type Tx struct {
	conn
	// audits are the records Audit keeps for the commit, on PostgreSQL.
	audits []AuditRecord
}

// Transact runs fn in a write transaction, committing if fn returns nil and
// rolling back otherwise (also if fn panics). It returns nil only once the
// transaction has committed. On PostgreSQL, a transaction the server
// aborts to break a deadlock or a serialisation failure runs fn again, up
// to three times in all, so fn must be safe to run again. On SQLite write transactions are serialised,
// so fn must not call Transact itself nor wait for another writer's
// Transact to return; reads through the *DB methods are fine but do not see
// fn's uncommitted writes.
//
// On SQLite, writers that queue up while one runs share its transaction
// (group commit): each runs its fn in turn, inside a savepoint that is
// rolled back if fn fails, and all that succeeded commit together. A
// cancelled ctx stops fn's next statement, not one that is running
// (SQLite would roll back the whole shared transaction).
func (db *DB) Transact(ctx context.Context, fn func(tx *Tx) error) error {
	if db.wlock != nil {
		return db.transactShared(ctx, fn)
	}
	for attempt := 1; ; attempt++ {
		err := db.transactOnce(ctx, fn)
		if attempt == maxAttempts || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
}

// maxAttempts bounds how often Transact runs fn on PostgreSQL when the
// server aborted the transaction to break a deadlock or a serialisation
// failure.
const maxAttempts = 3

// retryable reports whether err is a PostgreSQL deadlock (40P01) or
// serialisation failure (40001): the transaction was rolled back and may
// simply run again.
func retryable(err error) bool {
	e, ok := errors.AsType[*pgconn.PgError](err)
	return ok && (e.Code == "40P01" || e.Code == "40001")
}

// transactOnce is one attempt of Transact on PostgreSQL.
func (db *DB) transactOnce(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			sqlTx.Rollback()
		}
	}()
	tx := &Tx{conn: txConn(sqlTx, db.d, nil)}
	if err := fn(tx); err != nil {
		return err
	}
	// The audit records last: the audit chain's lock is held from here to
	// the end of the commit.
	if err := tx.writeAudits(ctx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", classify(err))
	}
	committed = true
	return nil
}

// transact runs a single write in its own transaction and returns its value.
func transact[T any](ctx context.Context, db *DB, fn func(tx *Tx) (T, error)) (T, error) {
	var v T
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v, err
}

// readTx runs fn in a read-only transaction on the read pool, so that fn sees
// one consistent snapshot.
func (db *DB) readTx(ctx context.Context, fn func(c conn) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.d.postgres() {
		opts.Isolation = sql.LevelRepeatableRead
	}
	sqlTx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: begin read transaction: %w", err)
	}
	c := txConn(sqlTx, db.d, db.rstmts)
	if c.tx != nil {
		defer db.rstmts.prepareMissed(context.WithoutCancel(ctx), c.tx)
	}
	defer sqlTx.Rollback()
	return fn(c)
}

// classify wraps driver errors that have a kind: unique violations become
// ErrConflict, foreign-key violations ErrNotFound (the referenced row is
// missing) and check-constraint violations ErrInvalid. Other errors are
// returned unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*sqlite3.Error](err); ok {
		switch e.ExtendedCode() {
		case sqlite3.CONSTRAINT_UNIQUE, sqlite3.CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case sqlite3.CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: referenced row: %w", ErrNotFound, err)
		case sqlite3.CONSTRAINT_CHECK:
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	if e, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch e.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case "23503": // foreign_key_violation
			return fmt.Errorf("%w: referenced row: %w", ErrNotFound, err)
		case "23514": // check_violation
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	return err
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// mustAffect returns ErrNotFound unless the statement changed a row.
func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// Page bounds a list: at most Limit rows (default 100, at most MaxPageSize)
// after skipping Offset.
type Page struct {
	Limit  int
	Offset int
}

// MaxPageSize is the most rows a list method returns.
const MaxPageSize = 500

func (p Page) bounds() (limit, offset int) {
	limit, offset = p.Limit, max(p.Offset, 0)
	switch {
	case limit <= 0:
		limit = 100
	case limit > MaxPageSize:
		limit = MaxPageSize
	}
	return limit, offset
}

// now is the store's clock: UTC, microseconds.
func now() time.Time { return storedTime(time.Now()) }

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// queryAll runs a query and scans every row it returns with scan.
func queryAll[T any](ctx context.Context, c conn, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
