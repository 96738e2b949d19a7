package store

import "context"

// Exec runs raw SQL (with ? placeholders) on the write connection, outside
// the store's methods — for tests that tamper with rows.
func (db *DB) Exec(ctx context.Context, query string, args ...any) error {
	_, err := conn{q: db.write, d: db.d}.exec(ctx, query, args...)
	return err
}

var (
	Rebind     = dialect.rebind
	SQLite     = sqliteDialect
	Postgres   = postgresDialect
	SkipLocked = dialect.skipLocked
	NewID      = newID
)

// AuditHash is the hash VerifyAudit expects for r.
var AuditHash = auditHash
