package store_test

import (
	"testing"

	"github.com/nisnet-eu/nisnet/internal/store"
)

func TestRebind(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no placeholders", `SELECT 1`, `SELECT 1`},
		{"numbered in order", `SELECT a FROM t WHERE b = ? AND c > ? LIMIT ?`, `SELECT a FROM t WHERE b = $1 AND c > $2 LIMIT $3`},
		{"literal untouched", `SELECT '?', x FROM t WHERE y = ?`, `SELECT '?', x FROM t WHERE y = $1`},
		{"doubled quote in literal", `SELECT 'it''s ?' WHERE y = ?`, `SELECT 'it''s ?' WHERE y = $1`},
		{"quoted identifier untouched", `SELECT "a?" FROM t WHERE y = ?`, `SELECT "a?" FROM t WHERE y = $1`},
		{"comment untouched", "SELECT x -- why?\nFROM t WHERE y = ?", "SELECT x -- why?\nFROM t WHERE y = $1"},
		{"unterminated literal", `SELECT ? || 'oops?`, `SELECT $1 || 'oops?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.Rebind(store.Postgres, tt.in); got != tt.want {
				t.Errorf("postgres: got %q, want %q", got, tt.want)
			}
			if got := store.Rebind(store.SQLite, tt.in); got != tt.in {
				t.Errorf("sqlite: got %q, want it unchanged", got)
			}
		})
	}
}

func TestSkipLocked(t *testing.T) {
	if got := store.SkipLocked(store.Postgres); got != " FOR UPDATE SKIP LOCKED" {
		t.Errorf("postgres: got %q", got)
	}
	if got := store.SkipLocked(store.SQLite); got != "" {
		t.Errorf("sqlite: got %q, want nothing", got)
	}
}

func TestNewIDIsUUIDv7(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for range 1000 {
		id := store.NewID()
		if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[14] != '7' || id[18] != '-' || id[23] != '-' ||
			!(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') {
			t.Fatalf("NewID() = %q, not a version 7 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
		if id[:8] < prev[:min(8, len(prev))] {
			t.Errorf("NewID() = %q sorts before the earlier %q", id, prev)
		}
		prev = id
	}
}
