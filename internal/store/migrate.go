package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrationFS holds the schema, one folder per dialect. Files are named
// NNNN_description.sql; the number is the schema version they bring the
// database to. A migration, once released, is never edited: add a new one.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrationLockKey is the PostgreSQL advisory lock held while a migration
// runs, so that processes starting together apply each migration once.
const migrationLockKey = 0x6e69736e65740001 // "nisnet" + 1

// migrations returns the dialect's migrations in version order.
func (d dialect) migrations() ([]migration, error) {
	dir := path.Join("migrations", d.name)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("store: migration %s/%s: name is not NNNN_description.sql", dir, e.Name())
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: read migration: %w", err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migrations %s: want version %d, found %s", dir, i+1, m.name)
		}
	}
	return ms, nil
}

// migrate applies the migrations the database has not seen yet, each in
// its own transaction together with its schema_migrations row.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := db.d.migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := db.Transact(ctx, func(tx *Tx) error { return tx.applyMigration(ctx, m) }); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if v > len(ms) {
		return fmt.Errorf("store: database schema version %d is newer than this program's %d", v, len(ms))
	}
	return nil
}

func (tx *Tx) applyMigration(ctx context.Context, m migration) error {
	if tx.d.postgres() {
		// Concurrent CREATE TABLE IF NOT EXISTS can fail on PostgreSQL, so
		// take the lock before touching schema_migrations at all. (On
		// SQLite the write transaction is BEGIN IMMEDIATE: it already holds
		// the database's write lock.)
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(migrationLockKey)); err != nil {
			return err
		}
	}
	if _, err := tx.exec(ctx, tx.d.schemaMigrationsTable()); err != nil {
		return err
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.exec(ctx, m.sql); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.version, now())
	return err
}

func (d dialect) schemaMigrationsTable() string {
	if d.postgres() {
		return `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at TIMESTAMPTZ NOT NULL
		)`
	}
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`
}

// SchemaVersion returns the highest migration applied to the database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.reader().queryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}
