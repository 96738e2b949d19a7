package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/store"
)

// hash returns a token hash as the auth package would compute it.
func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func mustOrg(t *testing.T, db *store.DB, kind store.OrgKind) store.Organisation {
	t.Helper()
	o, err := db.CreateOrganisation(context.Background(), store.Organisation{Kind: kind, Name: "Org " + string(kind), MemberState: "FR"})
	if err != nil {
		t.Fatalf("create organisation: %v", err)
	}
	return o
}

func mustUser(t *testing.T, db *store.DB, orgID, email string) store.User {
	t.Helper()
	u, err := db.CreateUser(context.Background(), store.User{
		OrganisationID: orgID, Email: email, DisplayName: "Someone", Role: store.RoleEntityReporter,
		PasswordHash: "$argon2id$v=19$m=65536,t=2,p=2$c2FsdA$aGFzaA",
	})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}
