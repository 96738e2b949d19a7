package vocab

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// conformanceDir returns the shared conformance data directory, which sits
// next to the module root (../shared/conformance), or skips the test with
// the given reason when it is not present.
func conformanceDir(t *testing.T, what string) string {
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
			t.Fatal("module root (go.mod) not found above the test directory")
		}
		dir = parent
	}
	conf := filepath.Join(dir, "..", "shared", "conformance")
	if _, err := os.Stat(conf); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("../shared/conformance not present; %s skipped", what)
	} else if err != nil {
		t.Fatal(err)
	}
	return conf
}
