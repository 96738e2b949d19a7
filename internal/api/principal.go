package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Principal is who is calling: a signed-in user or an API token, acting for
// one organisation with one role.
type Principal struct {
	User         *store.User     // the signed-in user; nil for an API token
	Token        *store.APIToken // the API token; nil for a user
	Organisation store.Organisation
	Role         store.Role

	session string // hash of the session token, for signing out
}

// Actor names the principal in the audit trail: the user's or the token's id.
func (p *Principal) Actor() string {
	if p.User != nil {
		return p.User.ID
	}
	return p.Token.ID
}

// Authority reports whether the principal acts for the node's authority
// (rather than for a reporting entity).
func (p *Principal) Authority() bool { return p.Organisation.Kind == store.OrgAuthority }

// Sees reports whether objects of the organisation with the given id are
// visible to the principal: authority principals see what the node
// handles, entity principals only their own organisation. Handlers answer
// 404 for an object that is not visible, exactly as for one that does not
// exist.
func (p *Principal) Sees(organisationID string) bool {
	return p.Authority() || p.Organisation.ID == organisationID
}

type principalKey struct{}

// PrincipalFrom returns the principal an authenticated route runs for.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}

// principal returns the caller of an authenticated route. Routes() wraps
// every such handler in authenticated, so the principal is always there.
func principal(r *http.Request) *Principal {
	p, ok := PrincipalFrom(r.Context())
	if !ok {
		panic("api: authenticated handler called without a principal")
	}
	return p
}

// requireRole returns nil if the caller has one of roles, a 403 error
// otherwise (401 if there is no caller at all).
func requireRole(ctx context.Context, roles ...store.Role) error {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return errUnauthenticated("unauthenticated", "authentication required")
	}
	if !slices.Contains(roles, p.Role) {
		return errForbidden("the role " + string(p.Role) + " may not do this")
	}
	return nil
}

// Role sets.
var (
	entityRoles    = []store.Role{store.RoleEntityReporter, store.RoleEntityAdmin}
	authorityRoles = []store.Role{store.RoleAuthorityAnalyst, store.RoleAuthoritySupervisor, store.RoleNodeAdmin}
)

// RoleFits reports whether role belongs to organisations of kind k: entity
// roles to entities, authority roles to the authority. Unknown roles fit
// nothing.
func RoleFits(role store.Role, k store.OrgKind) bool {
	switch k {
	case store.OrgEntity:
		return slices.Contains(entityRoles, role)
	case store.OrgAuthority:
		return slices.Contains(authorityRoles, role)
	}
	return false
}

// roleRank orders the roles of one organisation kind by authority.
var roleRank = map[store.Role]int{
	store.RoleEntityReporter:      1,
	store.RoleEntityAdmin:         2,
	store.RoleAuthorityAnalyst:    1,
	store.RoleAuthoritySupervisor: 2,
	store.RoleNodeAdmin:           3,
}

// mayGrant reports whether a principal with role granter may give role to a
// user or token of an organisation of kind k: the role must fit k, and it
// must not exceed the granter's own — except that the node administrator,
// who administers every organisation, may grant any role.
func mayGrant(granter store.Role, granterKind store.OrgKind, role store.Role, k store.OrgKind) bool {
	if !RoleFits(role, k) {
		return false
	}
	if granter == store.RoleNodeAdmin {
		return true
	}
	return granterKind == k && roleRank[role] <= roleRank[granter]
}

// Session lifetimes: a session ends after sessionIdle without a request,
// and at the latest sessionMaxAge after sign-in.
const (
	sessionIdle   = 8 * time.Hour
	sessionMaxAge = 24 * time.Hour
	// touchEvery bounds how often a session's expiry is moved (a write).
	touchEvery = time.Minute
)

// cookieName is the session cookie's name: with the __Host- prefix (the
// browser then insists on Secure, Path=/ and no Domain) whenever the
// connection is TLS.
func (s *Server) cookieName(r *http.Request) string {
	if s.secure(r) {
		return "__Host-nisnet_session"
	}
	return "nisnet_session"
}

func (s *Server) secure(r *http.Request) bool { return s.SecureCookies || r.TLS != nil }

// bearerToken returns the credential of an Authorization header and whether
// the request has one (of whatever scheme).
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, cred, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(cred), true
}

// authenticated wraps a handler that needs a caller: it establishes the
// principal from an API token or, failing that, a session cookie, and puts
// it in the request context.
func (s *Server) authenticated(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.authenticate(r)
		if err != nil {
			return err
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

func (s *Server) authenticate(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if cred, ok := bearerToken(r); ok {
		if !auth.WellFormedToken(cred, auth.APITokenPrefix) {
			return nil, errUnauthenticated("invalid_token", "malformed credentials; send Authorization: Bearer nsn_…")
		}
		t, err := s.DB.LookupAPIToken(ctx, auth.HashToken(cred))
		if errors.Is(err, store.ErrNotFound) {
			return nil, errUnauthenticated("invalid_token", "the API token is unknown, expired or revoked")
		}
		if err != nil {
			return nil, err
		}
		org, err := s.DB.GetOrganisation(ctx, t.OrganisationID)
		if err != nil {
			return nil, err
		}
		return s.checkPrincipal(r, &Principal{Token: &t, Organisation: org, Role: t.Role})
	}

	c, err := r.Cookie(s.cookieName(r))
	if err != nil {
		return nil, errUnauthenticated("unauthenticated", "authentication required: an API token (Authorization: Bearer) or a session (POST /api/v1/session)")
	}
	if !auth.WellFormedToken(c.Value, auth.SessionTokenPrefix) {
		return nil, errUnauthenticated("unauthenticated", "the session has ended; sign in again")
	}
	hash := auth.HashToken(c.Value)
	sess, err := s.DB.GetSession(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errUnauthenticated("unauthenticated", "the session has ended; sign in again")
	}
	if err != nil {
		return nil, err
	}
	u, err := s.DB.GetUser(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, errUnauthenticated("unauthenticated", "the session has ended; sign in again")
	}
	org, err := s.DB.GetOrganisation(ctx, u.OrganisationID)
	if err != nil {
		return nil, err
	}
	if now := time.Now(); now.Sub(sess.LastSeenAt) >= touchEvery {
		expires := now.Add(sessionIdle)
		if limit := sess.CreatedAt.Add(sessionMaxAge); limit.Before(expires) {
			expires = limit
		}
		if err := s.DB.TouchSession(ctx, hash, expires); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return s.checkPrincipal(r, &Principal{User: &u, Organisation: org, Role: u.Role, session: hash})
}

// checkPrincipal refuses a principal whose role does not fit its
// organisation: the API never creates one, so the data has been tampered
// with or damaged.
func (s *Server) checkPrincipal(r *http.Request, p *Principal) (*Principal, error) {
	if !RoleFits(p.Role, p.Organisation.Kind) {
		s.logger().Error("credential with a role that does not fit its organisation",
			"actor", p.Actor(), "role", p.Role, "organisation", p.Organisation.ID, "path", r.URL.Path)
		return nil, errUnauthenticated("unauthenticated", "these credentials cannot be used; ask the node administrator")
	}
	return p, nil
}
