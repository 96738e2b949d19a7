// Package storetest gives tests a fresh, migrated nisnet database: a SQLite
// file in a temporary directory by default, or — when NISNET_TEST_POSTGRES
// holds a postgres:// URL — a new PostgreSQL database created for the test
// and dropped when it ends. The role in the URL needs CREATEDB.
//
// Run a package's tests on both:
//
//	go test ./internal/store/...
//	NISNET_TEST_POSTGRES=postgres://nisnet:nisnet@127.0.0.1:5432/nisnet_test?sslmode=disable go test -p 1 ./internal/store/...
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for creating databases

	"github.com/nisnet-eu/nisnet/internal/store"
)

// EnvPostgres names the environment variable holding the PostgreSQL URL.
const EnvPostgres = "NISNET_TEST_POSTGRES"

// Dialect returns the database the tests run on: "sqlite" or "postgres".
func Dialect() string {
	if os.Getenv(EnvPostgres) != "" {
		return "postgres"
	}
	return "sqlite"
}

// Open returns a fresh, migrated database that is closed (and, on
// PostgreSQL, dropped) when the test ends.
func Open(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), DSN(t))
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("storetest: close: %v", err)
		}
	})
	return db
}

// DSN returns the data source name of a fresh, empty database for store.Open
// — for tests of opening itself. The database is removed when the test ends;
// close every *store.DB opened on it before then (cleanups registered later
// run first).
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		return filepath.Join(t.TempDir(), "nisnet.db")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvPostgres, err)
	}
	name := "nisnet_t_" + strings.ToLower(rand.Text()[:16])
	if err := adminExec(base, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := adminExec(base, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			// A test database left behind is harmless; PostgreSQL sometimes
			// refuses to terminate a lingering backend of another role.
			t.Logf("storetest: drop database %s (left behind): %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// adminExec runs one statement on the database named by the URL.
func adminExec(dsn, stmt string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}
