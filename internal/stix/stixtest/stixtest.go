// Package stixtest gives tests the conformance data of ../shared/conformance
// (the official STIX 2.1 JSON Schemas, examples and TLP 2.0 objects). Tests
// that need it skip with a clear message when it is absent, as in a plain
// clone of the repository.
package stixtest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/stix"
)

// ConformanceDir returns the absolute path of ../shared/conformance (relative
// to the repository root), or skips the test when it does not exist.
func ConformanceDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("stixtest: no go.mod above the test's directory")
		}
		dir = parent
	}
	c := filepath.Join(filepath.Dir(dir), "shared", "conformance")
	if _, err := os.Stat(filepath.Join(c, "stix2-json-schemas", "schemas")); err != nil {
		t.Skipf("../shared/conformance not found (%v): conformance test skipped", err)
	}
	return c
}

var (
	once    sync.Once
	schemas *stix.Schemas
	loadErr error
)

// Schemas returns the official STIX 2.1 JSON Schemas, compiled once per test
// binary, or skips the test when ../shared/conformance is absent.
func Schemas(t testing.TB) *stix.Schemas {
	t.Helper()
	dir := ConformanceDir(t)
	once.Do(func() {
		schemas, loadErr = stix.LoadSchemas(filepath.Join(dir, "stix2-json-schemas", "schemas"))
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return schemas
}
