package api

import (
	"cmp"
	"errors"
	"net/http"
	"strings"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Who may manage and read users: an entity's administrator those of the
// entity, the node administrator everyone's; an authority supervisor may
// read them (to form teams).
var (
	userManagers = []store.Role{store.RoleEntityAdmin, store.RoleNodeAdmin}
	userReaders  = []store.Role{store.RoleEntityAdmin, store.RoleNodeAdmin, store.RoleAuthoritySupervisor}
)

// CreateUserRequest creates a user who signs in with a password.
type CreateUserRequest struct {
	// OrganisationID is the user's organisation; the caller's own when
	// empty.
	OrganisationID string `json:"organisation_id,omitempty"`
	Email          string `json:"email"`
	DisplayName    string `json:"display_name,omitempty"`
	Role           string `json:"role"`
	Password       string `json:"password"`
}

// createUser is POST /api/v1/users.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	var req CreateUserRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	org, err := s.visibleOrganisation(r, cmp.Or(req.OrganisationID, p.Organisation.ID))
	if err != nil {
		return err
	}
	if err := requireRole(ctx, userManagers...); err != nil {
		return err
	}
	role := store.Role(req.Role)
	var fe fieldErrors
	fe.checkEmail("email", req.Email)
	fe.checkName("display_name", req.DisplayName, true)
	fe.checkRole("role", role)
	if len(fe) == 0 && !mayGrant(p.Role, p.Organisation.Kind, role, org.Kind) {
		fe.add("role", "a "+string(p.Role)+" cannot give the role "+req.Role+" to a user of an organisation of kind "+string(org.Kind))
	}
	if err := auth.ValidatePassword(req.Password); err != nil {
		fe.add("password", err.Error())
	}
	if err := fe.err(); err != nil {
		return err
	}
	hash, err := s.PasswordParams.Hash(req.Password)
	if err != nil {
		return err
	}
	var u store.User
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.CreateUser(ctx, store.User{OrganisationID: org.ID, Email: req.Email,
			DisplayName: strings.TrimSpace(req.DisplayName), Role: role, PasswordHash: hash})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: org.ID, Action: "user.create",
			ObjectType: "user", ObjectID: u.ID, Detail: map[string]string{"email": u.Email, "role": string(u.Role)}})
	})
	if errors.Is(err, store.ErrConflict) {
		return errConflict("a user with this email already exists")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, userOf(u))
	return nil
}

// listUsers is GET /api/v1/users?organisation_id=: the users of an
// organisation, the caller's own by default.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	org, err := s.visibleOrganisation(r, cmp.Or(r.URL.Query().Get("organisation_id"), p.Organisation.ID))
	if err != nil {
		return err
	}
	// Analysts list their own authority's staff, to assign incidents to a
	// colleague; other organisations' users stay with the roles above.
	if !(p.Role == store.RoleAuthorityAnalyst && org.ID == p.Organisation.ID) {
		if err := requireRole(ctx, userReaders...); err != nil {
			return err
		}
	}
	pg, err := pageParams(r)
	if err != nil {
		return err
	}
	users, err := s.DB.ListUsers(ctx, org.ID, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(users, pg, userOf))
	return nil
}

// getUser is GET /api/v1/users/{id}. Everyone may read their own user.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.visibleUser(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	if p := principal(r); p.User == nil || p.User.ID != u.ID {
		if err := requireRole(r.Context(), userReaders...); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, userOf(u))
	return nil
}

// visibleUser returns the user with the given id if the caller may see
// the user's organisation, and the same 404 otherwise.
func (s *Server) visibleUser(r *http.Request, id string) (store.User, error) {
	u, err := s.DB.GetUser(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !principal(r).Sees(u.OrganisationID) {
		return store.User{}, errNotFound("user")
	}
	return u, err
}
