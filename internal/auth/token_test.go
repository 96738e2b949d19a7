package auth_test

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/auth"
)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for _, prefix := range []string{auth.APITokenPrefix, auth.SessionTokenPrefix} {
		shape := regexp.MustCompile(`^` + prefix + `[A-Za-z0-9_-]{43}$`)
		for range 100 {
			plain, hash := auth.NewToken(prefix)
			if !shape.MatchString(plain) {
				t.Fatalf("NewToken(%q) = %q, want %s + 43 base64url characters", prefix, plain, prefix)
			}
			if seen[plain] {
				t.Fatalf("NewToken repeated %q", plain)
			}
			seen[plain] = true
			sum := sha256.Sum256([]byte(plain))
			if want := hex.EncodeToString(sum[:]); hash != want || auth.HashToken(plain) != want {
				t.Fatalf("hash of %q = %q, want %q", plain, hash, want)
			}
			if !auth.WellFormedToken(plain, prefix) {
				t.Errorf("WellFormedToken(%q, %q) = false", plain, prefix)
			}
		}
	}
}

func TestHashTokenKnownAnswer(t *testing.T) {
	// printf %s nsn_test | sha256sum
	const want = "91a7eaf9d4ec40041bdf1dbcdd46ae3aa72a25e49c796d60ea29b544e74d870a"
	if got := auth.HashToken("nsn_test"); got != want {
		t.Errorf("HashToken(nsn_test) = %s, want %s", got, want)
	}
}

func TestWellFormedTokenRejects(t *testing.T) {
	plain, _ := auth.NewToken(auth.APITokenPrefix)
	tests := []struct{ name, token, prefix string }{
		{"other prefix", plain, auth.SessionTokenPrefix},
		{"no prefix", plain[len(auth.APITokenPrefix):], auth.APITokenPrefix},
		{"truncated", plain[:len(plain)-1], auth.APITokenPrefix},
		{"extended", plain + "A", auth.APITokenPrefix},
		{"not base64url", plain[:len(plain)-1] + "+", auth.APITokenPrefix},
		{"empty", "", auth.APITokenPrefix},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if auth.WellFormedToken(tt.token, tt.prefix) {
				t.Errorf("WellFormedToken(%q, %q) = true", tt.token, tt.prefix)
			}
		})
	}
}
