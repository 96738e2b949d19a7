package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/auth"
)

const pw = "correct horse battery staple"

func TestHashAndCheck(t *testing.T) {
	phc, err := auth.TestParams.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q lacks the PHC prefix", phc)
	}
	tests := []struct {
		name, password string
		want           bool
	}{
		{"right password", pw, true},
		{"wrong password", "correct horse battery stapler", false},
		{"different case", strings.ToUpper(pw), false},
		{"empty password", "", false},
		{"overlong password", strings.Repeat("a", auth.MaxPasswordBytes+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := auth.CheckPassword(phc, tt.password)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("CheckPassword = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHashesAreSalted(t *testing.T) {
	a, _ := auth.TestParams.Hash(pw)
	b, _ := auth.TestParams.Hash(pw)
	if a == b {
		t.Errorf("two hashes of the same password are equal: %s", a)
	}
}

func TestHashPasswordUsesDefaultParams(t *testing.T) {
	phc, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("hash %q, want m=65536,t=2,p=2", phc)
	}
	if ok, err := auth.CheckPassword(phc, pw); !ok || err != nil {
		t.Errorf("CheckPassword = %v, %v; want true", ok, err)
	}
	if auth.NeedsRehash(phc, auth.DefaultParams) {
		t.Error("NeedsRehash with the parameters it was made with")
	}
	if !auth.NeedsRehash(phc, auth.TestParams) {
		t.Error("no NeedsRehash with other parameters")
	}
}

// Hashes made by the reference implementation (the argon2 command-line tool)
// must check: the encoding is the common PHC form.
func TestCheckReferenceHashes(t *testing.T) {
	tests := []struct{ phc, password string }{
		// echo -n "correct horse battery staple" | argon2 nisnet-salt-0001 -id -t 2 -m 6 -p 1 -l 32 -e
		{"$argon2id$v=19$m=64,t=2,p=1$bmlzbmV0LXNhbHQtMDAwMQ$YPl4R7MSmi84Uf8M7M3RyMV2PQ51V4M0i7nNTelSe08", pw},
		// echo -n password | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e
		{"$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo", "password"},
	}
	for _, tt := range tests {
		ok, err := auth.CheckPassword(tt.phc, tt.password)
		if !ok || err != nil {
			t.Errorf("CheckPassword(%s) = %v, %v; want true", tt.phc, ok, err)
		}
	}
}

func TestCheckTamperedHash(t *testing.T) {
	phc, err := auth.TestParams.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(phc, "$") // "", argon2id, v=19, params, salt, key
	flip := func(s string) string {
		c := byte('A')
		if s[0] == 'A' {
			c = 'B'
		}
		return string(c) + s[1:]
	}
	tests := []struct {
		name string
		phc  string
	}{
		{"changed key", strings.Join(append(parts[:5:5], flip(parts[5])), "$")},
		{"changed salt", strings.Join(append(parts[:4:4], flip(parts[4]), parts[5]), "$")},
		{"changed time", strings.Replace(phc, "t=1", "t=2", 1)},
		{"changed memory", strings.Replace(phc, "m=64", "m=128", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := auth.CheckPassword(tt.phc, pw)
			if err != nil {
				t.Fatalf("CheckPassword: %v", err)
			}
			if ok {
				t.Errorf("the password matches %s", tt.phc)
			}
		})
	}
}

func TestCheckMalformedHash(t *testing.T) {
	const salt, key = "c29tZXNhbHQ", "GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"
	tests := []struct{ name, phc string }{
		{"empty", ""},
		{"not PHC", "hunter2"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=65536,t=2,p=4$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=65536,t=2,p=4$" + salt + "$" + key},
		{"missing version", "$argon2id$m=65536,t=2,p=4$" + salt + "$" + key},
		{"too few fields", "$argon2id$v=19$m=65536,t=2,p=4$" + salt},
		{"too many fields", "$argon2id$v=19$m=65536,t=2,p=4$" + salt + "$" + key + "$x"},
		{"text before", "x$argon2id$v=19$m=65536,t=2,p=4$" + salt + "$" + key},
		{"parameters out of order", "$argon2id$v=19$t=2,m=65536,p=4$" + salt + "$" + key},
		{"missing parameter", "$argon2id$v=19$m=65536,t=2$" + salt + "$" + key},
		{"extra parameter", "$argon2id$v=19$m=65536,t=2,p=4,k=1$" + salt + "$" + key},
		{"non-numeric parameter", "$argon2id$v=19$m=lots,t=2,p=4$" + salt + "$" + key},
		{"negative parameter", "$argon2id$v=19$m=65536,t=-2,p=4$" + salt + "$" + key},
		{"leading zero", "$argon2id$v=19$m=065536,t=2,p=4$" + salt + "$" + key},
		{"plus sign", "$argon2id$v=19$m=+65536,t=2,p=4$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=65536,t=2,p=0$" + salt + "$" + key},
		{"threads overflow", "$argon2id$v=19$m=65536,t=2,p=256$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=65536,t=0,p=4$" + salt + "$" + key},
		{"memory too small for threads", "$argon2id$v=19$m=16,t=2,p=4$" + salt + "$" + key},
		{"memory too large", "$argon2id$v=19$m=4194304,t=2,p=4$" + salt + "$" + key},
		{"time too large", "$argon2id$v=19$m=65536,t=100000,p=4$" + salt + "$" + key},
		{"padded salt", "$argon2id$v=19$m=65536,t=2,p=4$" + salt + "=$" + key},
		{"salt not base64", "$argon2id$v=19$m=65536,t=2,p=4$s@lt!salt$" + key},
		{"short salt", "$argon2id$v=19$m=65536,t=2,p=4$c2FsdA$" + key},
		{"key not base64", "$argon2id$v=19$m=65536,t=2,p=4$" + salt + "$not*base64*at*all*not*base64*at*all"},
		{"short key", "$argon2id$v=19$m=65536,t=2,p=4$" + salt + "$aGFzaA"},
		{"empty key", "$argon2id$v=19$m=65536,t=2,p=4$" + salt + "$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := auth.CheckPassword(tt.phc, "password")
			if ok {
				t.Error("password accepted")
			}
			if !errors.Is(err, auth.ErrMalformedHash) {
				t.Errorf("error = %v, want ErrMalformedHash", err)
			}
			if !auth.NeedsRehash(tt.phc, auth.DefaultParams) {
				t.Error("NeedsRehash = false for an unusable hash")
			}
		})
	}
}

func TestHashRefuses(t *testing.T) {
	if _, err := auth.TestParams.Hash(strings.Repeat("a", auth.MaxPasswordBytes+1)); !errors.Is(err, auth.ErrPasswordTooLong) {
		t.Errorf("overlong password: got %v, want ErrPasswordTooLong", err)
	}
	bad := []auth.Params{
		{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 4, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
	}
	for _, p := range bad {
		if _, err := p.Hash(pw); err == nil {
			t.Errorf("Hash with %+v succeeded", p)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name, password string
		want           error
	}{
		{"empty", "", auth.ErrPasswordTooShort},
		{"eleven characters", "abcdefghijk", auth.ErrPasswordTooShort},
		{"twelve characters", "abcdefghijkl", nil},
		{"twelve multi-byte characters", "ąčęėįšųūžąčę", nil},
		{"eleven multi-byte characters (22 bytes)", "ąčęėįšųūžąč", auth.ErrPasswordTooShort},
		{"maximum length", strings.Repeat("a", auth.MaxPasswordBytes), nil},
		{"one byte too long", strings.Repeat("a", auth.MaxPasswordBytes+1), auth.ErrPasswordTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.ValidatePassword(tt.password); !errors.Is(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
