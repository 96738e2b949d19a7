package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Token prefixes make a leaked token recognisable (for secret scanners and
// people) and tell the two kinds apart.
const (
	APITokenPrefix     = "nsn_"
	SessionTokenPrefix = "nss_"
)

// tokenBytes is the randomness in a token.
const tokenBytes = 32

// NewToken returns a new random token — prefix followed by 32 random bytes
// in unpadded base64url — and its hash (see HashToken). Give the plain token
// to its holder once; store only the hash.
func NewToken(prefix string) (plain, hash string) {
	b := make([]byte, tokenBytes)
	rand.Read(b)
	plain = prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashToken(plain)
}

// HashToken returns the lower-case hex SHA-256 of a plain token, the form in
// which the store keeps and looks up tokens. A slow hash is not needed: the
// token has 256 bits of entropy.
func HashToken(plain string) string {
	h := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(h[:])
}

// WellFormedToken reports whether plain looks like a token NewToken(prefix)
// made, so that garbage can be refused before a database look-up.
func WellFormedToken(plain, prefix string) bool {
	rest, ok := strings.CutPrefix(plain, prefix)
	if !ok || len(rest) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	return err == nil
}
