// Package auth holds the credentials primitives of nisnet: argon2id password
// hashes in PHC string form, the password policy, and the random tokens
// behind sessions and API tokens, of which only a SHA-256 hash is stored.
//
// It does no I/O beyond reading randomness; where credentials are kept is
// package store's business.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes of random salt
	KeyLen  uint32 // bytes of derived key
}

var (
	// DefaultParams is what new password hashes use: 64 MiB, 2 passes,
	// 2 lanes (about 0.1 s on one core of a current server).
	DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}
	// TestParams is a cheap preset for tests. Never use it for real
	// passwords.
	TestParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
)

// Limits on the parameters a stored hash may ask for, so that a corrupt or
// planted hash cannot make a sign-in attempt exhaust the server.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 128
)

func (p Params) check() error {
	switch {
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB out of range [%d, %d]", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d out of range [1, %d]", p.Time, maxTime)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d out of range [%d, %d]", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d out of range [%d, %d]", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Password policy.
const (
	MinPasswordChars = 12   // characters (Unicode code points)
	MaxPasswordBytes = 1024 // bytes of UTF-8
)

// Password errors. Their messages are fit to show the user.
var (
	ErrPasswordTooShort = fmt.Errorf("password must be at least %d characters long", MinPasswordChars)
	ErrPasswordTooLong  = fmt.Errorf("password must be at most %d bytes long", MaxPasswordBytes)
)

// ValidatePassword checks a new password against the policy: at least
// MinPasswordChars characters and at most MaxPasswordBytes bytes.
func ValidatePassword(pw string) error {
	switch {
	case len(pw) > MaxPasswordBytes:
		return ErrPasswordTooLong
	case utf8.RuneCountInString(pw) < MinPasswordChars:
		return ErrPasswordTooShort
	}
	return nil
}

// HashPassword hashes pw with DefaultParams; see Params.Hash.
func HashPassword(pw string) (string, error) {
	return DefaultParams.Hash(pw)
}

// Hash hashes pw with argon2id and a fresh random salt and returns the PHC
// string $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key>, salt and
// key in unpadded standard base64. It does not apply the password policy
// (see ValidatePassword) except for refusing passwords over
// MaxPasswordBytes.
func (p Params) Hash(pw string) (string, error) {
	if err := p.check(); err != nil {
		return "", fmt.Errorf("auth: argon2id parameters: %w", err)
	}
	if len(pw) > MaxPasswordBytes {
		return "", ErrPasswordTooLong
	}
	salt := make([]byte, p.SaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return p.encode(salt, key), nil
}

func (p Params) encode(salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$%s$%s$%s", argon2.Version, p.phcParams(),
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func (p Params) phcParams() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads)
}

// ErrMalformedHash is wrapped by the errors about stored password hashes
// that cannot be used: not an argon2id PHC string, an unsupported version,
// parameters out of range, bad base64.
var ErrMalformedHash = errors.New("malformed password hash")

// CheckPassword reports whether pw matches the PHC string phc. A wrong
// password is (false, nil); an error (wrapping ErrMalformedHash) means phc
// itself is unusable. The derived keys are compared in constant time.
func CheckPassword(phc, pw string) (bool, error) {
	p, salt, key, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	if len(pw) > MaxPasswordBytes {
		return false, nil // no such password can have been hashed
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether phc was made with parameters other than p (or
// is unusable), so that the password should be hashed again after the next
// successful sign-in.
func NeedsRehash(phc string, p Params) bool {
	got, _, _, err := parsePHC(phc)
	return err != nil || got != p
}

func parsePHC(phc string) (Params, []byte, []byte, error) {
	bad := func(format string, args ...any) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("auth: %w: %s", ErrMalformedHash, fmt.Sprintf(format, args...))
	}
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want $argon2id$v=19$m=…,t=…,p=…$salt$hash")
	}
	if parts[1] != "argon2id" {
		return bad("algorithm %q, want argon2id", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("version %q, want v=%d", parts[2], argon2.Version)
	}
	var (
		p       Params
		fields  = strings.Split(parts[3], ",")
		m, t, l uint64
		err     error
	)
	if len(fields) != 3 {
		return bad("parameters %q, want m=…,t=…,p=…", parts[3])
	}
	for i, f := range []struct {
		name string
		bits int
		v    *uint64
	}{{"m", 32, &m}, {"t", 32, &t}, {"p", 8, &l}} {
		num, ok := strings.CutPrefix(fields[i], f.name+"=")
		if !ok {
			return bad("parameters %q, want m=…,t=…,p=…", parts[3])
		}
		if *f.v, err = strconv.ParseUint(num, 10, f.bits); err != nil {
			return bad("parameter %s: %q is not a number in range", f.name, num)
		}
	}
	p.Memory, p.Time, p.Threads = uint32(m), uint32(t), uint8(l)
	if p.phcParams() != parts[3] {
		return bad("parameters %q are not in canonical form", parts[3])
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil {
		return bad("salt: %v", err)
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil {
		return bad("hash: %v", err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.check(); err != nil {
		return bad("%v", err)
	}
	return p, salt, key, nil
}
