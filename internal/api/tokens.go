package api

import (
	"cmp"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// API tokens are managed by an entity's administrator for the entity and by
// the node administrator for any organisation.
var tokenManagers = []store.Role{store.RoleEntityAdmin, store.RoleNodeAdmin}

// MaxTokenLifetime is the longest an API token may be valid.
const MaxTokenLifetime = 366 * 24 * time.Hour

// clockSkew is allowed between the client's clock and the node's when
// checking a requested expiry.
const clockSkew = 5 * time.Minute

// CreateAPITokenRequest creates an API token.
type CreateAPITokenRequest struct {
	// OrganisationID is the organisation the token acts for; the caller's
	// own when empty.
	OrganisationID string `json:"organisation_id,omitempty"`
	Name           string `json:"name"`
	// Role must fit the organisation and not exceed the caller's.
	Role string `json:"role"`
	// ExpiresAt is required: at most a year ahead (and, when the caller is
	// itself a token, not after the caller's own expiry).
	ExpiresAt time.Time `json:"expires_at"`
}

// createToken is POST /api/v1/tokens. The answer holds the token's secret,
// once.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	var req CreateAPITokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	org, err := s.visibleOrganisation(r, cmp.Or(req.OrganisationID, p.Organisation.ID))
	if err != nil {
		return err
	}
	if err := requireRole(ctx, tokenManagers...); err != nil {
		return err
	}
	role := store.Role(req.Role)
	var fe fieldErrors
	fe.checkName("name", req.Name, false)
	fe.checkRole("role", role)
	if len(fe) == 0 && !mayGrant(p.Role, p.Organisation.Kind, role, org.Kind) {
		fe.add("role", "a "+string(p.Role)+" cannot issue a token with the role "+req.Role+" for an organisation of kind "+string(org.Kind))
	}
	checkTokenExpiry(&fe, p, req.ExpiresAt, time.Now())
	if err := fe.err(); err != nil {
		return err
	}
	plain, hash := auth.NewToken(auth.APITokenPrefix)
	var t store.APIToken
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		t, err = tx.CreateAPIToken(ctx, store.APIToken{TokenHash: hash, OrganisationID: org.ID, Role: role,
			Name: strings.TrimSpace(req.Name), CreatedBy: p.Actor(), ExpiresAt: req.ExpiresAt})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: org.ID, Action: "api_token.create",
			ObjectType: "api_token", ObjectID: t.ID, Detail: map[string]string{
				"name": t.Name, "role": string(t.Role), "expires_at": t.ExpiresAt.Format(time.RFC3339)}})
	})
	if err != nil {
		return err
	}
	out := apiTokenOf(t)
	out.Token = plain
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// checkTokenExpiry checks a requested expiry: in the future, at most
// MaxTokenLifetime ahead, and not after the expiry of the token asking.
func checkTokenExpiry(fe *fieldErrors, p *Principal, exp, now time.Time) {
	switch {
	case exp.IsZero():
		fe.add("expires_at", "required: when the token stops working (RFC 3339), at most a year ahead")
	case !exp.After(now):
		fe.add("expires_at", "must be in the future")
	case exp.After(now.Add(MaxTokenLifetime + clockSkew)):
		fe.add("expires_at", "must be at most a year ahead")
	case p.Token != nil && !p.Token.ExpiresAt.IsZero() && exp.After(p.Token.ExpiresAt):
		fe.add("expires_at", "must not be after the expiry of the token making the request ("+p.Token.ExpiresAt.Format(time.RFC3339)+")")
	}
}

// listTokens is GET /api/v1/tokens?organisation_id=: an organisation's
// tokens (the caller's own by default), revoked and expired ones included,
// without secrets.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	org, err := s.visibleOrganisation(r, cmp.Or(r.URL.Query().Get("organisation_id"), principal(r).Organisation.ID))
	if err != nil {
		return err
	}
	if err := requireRole(ctx, tokenManagers...); err != nil {
		return err
	}
	pg, err := pageParams(r)
	if err != nil {
		return err
	}
	tokens, err := s.DB.ListAPITokens(ctx, org.ID, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(tokens, pg, apiTokenOf))
	return nil
}

// getToken is GET /api/v1/tokens/{id}.
func (s *Server) getToken(w http.ResponseWriter, r *http.Request) error {
	t, err := s.visibleToken(r)
	if err != nil {
		return err
	}
	if err := requireRole(r.Context(), tokenManagers...); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiTokenOf(t))
	return nil
}

// revokeToken is DELETE /api/v1/tokens/{id}: idempotent.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, err := s.visibleToken(r)
	if err != nil {
		return err
	}
	if err := requireRole(ctx, tokenManagers...); err != nil {
		return err
	}
	if t.RevokedAt.IsZero() {
		p := principal(r)
		err = s.DB.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.RevokeAPIToken(ctx, t.OrganisationID, t.ID); err != nil {
				return err
			}
			return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: t.OrganisationID, Action: "api_token.revoke",
				ObjectType: "api_token", ObjectID: t.ID, Detail: map[string]string{"name": t.Name}})
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) { // NotFound: revoked concurrently
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// visibleToken returns the token named by {id} if the caller may see its
// organisation, and the same 404 otherwise.
func (s *Server) visibleToken(r *http.Request) (store.APIToken, error) {
	t, err := s.DB.GetAPIToken(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !principal(r).Sees(t.OrganisationID) {
		return store.APIToken{}, errNotFound("API token")
	}
	return t, err
}
