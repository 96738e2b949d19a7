package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// SetupTokenPrefix starts a setup token: the one-time secret that lets the
// first node administrator be created (see NewSetupToken).
const SetupTokenPrefix = "nsu_"

// NewSetupToken prepares a node that has no users yet: it creates a setup
// token, replacing any earlier unused one so that at most one is valid,
// and returns its plain value for the operator. The authority organisation
// must exist. POST /api/v1/setup consumes the token.
func NewSetupToken(ctx context.Context, db *store.DB) (string, error) {
	plain, hash := auth.NewToken(SetupTokenPrefix)
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceSetupToken(ctx, hash); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: "system", Action: "setup_token.create", ObjectType: "setup_token"})
	})
	if err != nil {
		return "", err
	}
	return plain, nil
}

// EnsureAuthority returns the node's authority organisation, creating it
// with the given name and Member State if the node has none yet.
func EnsureAuthority(ctx context.Context, db *store.DB, name, memberState string) (store.Organisation, error) {
	o, err := db.AuthorityOrganisation(ctx)
	if !errors.Is(err, store.ErrNotFound) {
		return o, err
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		o, err = tx.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgAuthority, Name: name, MemberState: memberState})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: "system", OrganisationID: o.ID, Action: "organisation.create",
			ObjectType: "organisation", ObjectID: o.ID, Detail: map[string]string{"name": o.Name, "kind": string(o.Kind)}})
	})
	return o, err
}

// SetupRequest creates the first node administrator.
type SetupRequest struct {
	Token       string `json:"token"` // the setup token nisnet serve printed
	Email       string `json:"email"`
	DisplayName string `json:"display_name,omitempty"`
	Password    string `json:"password"`
}

// setup is POST /api/v1/setup: it consumes the setup token and creates a
// node_admin in the authority organisation. It works once, and only while
// the node has no users.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var req SetupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	if req.Token == "" {
		fe.add("token", "required: the setup token nisnet serve printed")
	}
	fe.checkEmail("email", req.Email)
	fe.checkName("display_name", req.DisplayName, true)
	if err := auth.ValidatePassword(req.Password); err != nil {
		fe.add("password", err.Error())
	}
	if err := fe.err(); err != nil {
		return err
	}
	invalidToken := &Error{Status: http.StatusForbidden, Code: "invalid_setup_token", Message: "the setup token is unknown or already used"}
	if !auth.WellFormedToken(req.Token, SetupTokenPrefix) {
		return invalidToken
	}
	if n, err := s.DB.CountUsers(ctx); err != nil {
		return err
	} else if n > 0 {
		return &Error{Status: http.StatusConflict, Code: "already_set_up", Message: "the node already has users; sign in with POST /api/v1/session"}
	}
	authority, err := s.DB.AuthorityOrganisation(ctx)
	if err != nil {
		return err
	}
	hash, err := s.PasswordParams.Hash(req.Password)
	if err != nil {
		return err
	}
	var u store.User
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.ConsumeSetupToken(ctx, auth.HashToken(req.Token)); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return invalidToken
			}
			return err
		}
		var err error
		u, err = tx.CreateUser(ctx, store.User{OrganisationID: authority.ID, Email: req.Email,
			DisplayName: req.DisplayName, Role: store.RoleNodeAdmin, PasswordHash: hash})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: "system", OrganisationID: authority.ID, Action: "user.create",
			ObjectType: "user", ObjectID: u.ID, Detail: map[string]string{"email": u.Email, "role": string(u.Role), "via": "setup_token"}})
	})
	if errors.Is(err, store.ErrConflict) {
		return errConflict("a user with this email already exists")
	}
	if err != nil {
		return err
	}
	s.logger().Info("first node administrator created", "user", u.ID, "email", u.Email)
	writeJSON(w, http.StatusCreated, userOf(u))
	return nil
}
