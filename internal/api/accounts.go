package api

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Changes to users: an administrator changes a user's name, role and
// whether they may sign in, or sets a new password; users change their own
// name, preferences and password. Who may manage whom is mayManage; the
// node always keeps one active node administrator, and nobody disables
// themselves. Every change is audited; passwords never appear in the
// audit trail or the logs.

// UpdateUserRequest changes a user; absent fields stay as they are.
type UpdateUserRequest struct {
	DisplayName *string `json:"display_name,omitempty"`
	Role        *string `json:"role,omitempty"`
	// Disabled: true ends the user's sessions and revokes the API tokens
	// they created (and those created with them); the tokens stay revoked
	// if the user is enabled again.
	Disabled *bool `json:"disabled,omitempty"`
}

// SetPasswordRequest sets a user's password (an administrator's reset).
type SetPasswordRequest struct {
	NewPassword string `json:"new_password"`
}

// ChangePasswordRequest changes the caller's own password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// UpdateMeRequest changes the signed-in user's name and preferences;
// absent fields stay as they are, an empty string returns a preference to
// the node's default.
type UpdateMeRequest struct {
	DisplayName *string `json:"display_name,omitempty"`
	// Locale is the UI language, a two-letter code such as "nl".
	Locale *string `json:"locale,omitempty"`
	// TimeZone is an IANA time zone such as "Europe/Amsterdam".
	TimeZone *string `json:"time_zone,omitempty"`
}

// mayManage reports whether p may change the user u of an organisation
// of kind k: the node administrator anyone; an entity administrator the
// users of their own organisation, whose roles are entity roles.
func mayManage(p *Principal, u store.User, k store.OrgKind) bool {
	switch p.Role {
	case store.RoleNodeAdmin:
		return true
	case store.RoleEntityAdmin:
		return p.Organisation.ID == u.OrganisationID && k == store.OrgEntity && RoleFits(u.Role, k)
	}
	return false
}

// managedUser returns the user named by {id} if the caller may manage
// them: 404 if the caller may not see the user, 403 if it may see but not
// manage them.
func (s *Server) managedUser(r *http.Request) (store.User, store.Organisation, error) {
	u, err := s.visibleUser(r, r.PathValue("id"))
	if err != nil {
		return store.User{}, store.Organisation{}, err
	}
	if err := requireRole(r.Context(), userManagers...); err != nil {
		return store.User{}, store.Organisation{}, err
	}
	org, err := s.DB.GetOrganisation(r.Context(), u.OrganisationID)
	if err != nil {
		return store.User{}, store.Organisation{}, err
	}
	if !mayManage(principal(r), u, org.Kind) {
		return store.User{}, store.Organisation{}, errForbidden("the role " + string(principal(r).Role) + " may not manage this user")
	}
	return u, org, nil
}

// errLastAdmin is the answer to a change that would leave the node
// without an active node administrator.
var errLastAdmin = errConflict("the node must keep at least one active node administrator: make another user node_admin first")

// updateUser is PATCH /api/v1/users/{id}.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	u, org, err := s.managedUser(r)
	if err != nil {
		return err
	}
	var req UpdateUserRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	ch := store.UserChange{Disabled: req.Disabled}
	if req.DisplayName != nil {
		fe.checkName("display_name", *req.DisplayName, true)
		name := strings.TrimSpace(*req.DisplayName)
		ch.DisplayName = &name
	}
	if req.Role != nil {
		role := store.Role(*req.Role)
		fe.checkRole("role", role)
		if len(fe) == 0 && !mayGrant(p.Role, p.Organisation.Kind, role, org.Kind) {
			fe.add("role", "a "+string(p.Role)+" cannot give the role "+*req.Role+" to a user of an organisation of kind "+string(org.Kind))
		}
		ch.Role = &role
	}
	if err := fe.err(); err != nil {
		return err
	}
	if req.Disabled != nil && *req.Disabled && p.User != nil && p.User.ID == u.ID {
		return errForbidden("you cannot disable yourself")
	}

	var out store.User
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		// Lock the active node admins before the user (on PostgreSQL), in
		// the same order in every request that may change their number,
		// so that concurrent demotions queue up instead of deadlocking.
		var admins []string
		if ch.Role != nil || ch.Disabled != nil {
			var err error
			if admins, err = tx.ActiveNodeAdmins(ctx); err != nil {
				return err
			}
		}
		cur, err := tx.GetUser(ctx, u.ID)
		if err != nil {
			return err
		}
		detail := map[string]any{}
		if ch.DisplayName != nil && *ch.DisplayName != cur.DisplayName {
			detail["display_name"] = *ch.DisplayName
		} else {
			ch.DisplayName = nil
		}
		if ch.Role != nil && *ch.Role != cur.Role {
			detail["role"], detail["previous_role"] = string(*ch.Role), string(cur.Role)
		} else {
			ch.Role = nil
		}
		if ch.Disabled != nil && *ch.Disabled != cur.Disabled {
			detail["disabled"] = *ch.Disabled
		} else {
			ch.Disabled = nil
		}
		if len(detail) == 0 {
			out = cur
			return nil
		}
		activeAdmin := cur.Role == store.RoleNodeAdmin && !cur.Disabled
		if activeAdmin && (ch.Role != nil || ch.Disabled != nil) && len(admins) <= 1 {
			return errLastAdmin
		}
		if out, err = tx.UpdateUser(ctx, cur.ID, ch); err != nil {
			return err
		}
		if ch.Disabled != nil && *ch.Disabled {
			n, err := tx.DeleteUserSessions(ctx, cur.ID)
			if err != nil {
				return err
			}
			revoked, err := tx.RevokeAPITokensCreatedBy(ctx, cur.ID)
			if err != nil {
				return err
			}
			detail["sessions_ended"], detail["tokens_revoked"] = n, revoked
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: cur.OrganisationID, Action: "user.update",
			ObjectType: "user", ObjectID: cur.ID, Detail: detail})
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userOf(out))
	return nil
}

// setUserPassword is PUT /api/v1/users/{id}/password: an administrator
// sets a user's password. The user's sessions end (but the caller's own,
// should they set their own password this way).
func (s *Server) setUserPassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	u, _, err := s.managedUser(r)
	if err != nil {
		return err
	}
	var req SetPasswordRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := auth.ValidatePassword(req.NewPassword); err != nil {
		return errInvalid("new_password: "+err.Error(), rules.FieldError{Field: "new_password", Message: err.Error()})
	}
	hash, err := s.PasswordParams.Hash(req.NewPassword)
	if err != nil {
		return err
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.UpdateUser(ctx, u.ID, store.UserChange{PasswordHash: &hash}); err != nil {
			return err
		}
		n, err := tx.DeleteUserSessionsExcept(ctx, u.ID, p.session)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: u.OrganisationID, Action: "user.password.set",
			ObjectType: "user", ObjectID: u.ID, Detail: map[string]any{"sessions_ended": n}})
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// signedInUser returns the caller's user; 403 for an API token, which has
// no password or preferences.
func signedInUser(r *http.Request) (*store.User, error) {
	p := principal(r)
	if p.User == nil {
		return nil, errForbidden("only a signed-in user has a password and preferences; an API token has neither")
	}
	return p.User, nil
}

// changePassword is POST /api/v1/me/password: the signed-in user changes
// their password, giving the current one. Their other sessions end. Wrong
// current passwords count against the sign-in limits.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	me, err := signedInUser(r)
	if err != nil {
		return err
	}
	var req ChangePasswordRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	emailKey, ipKey := emailLimitKey(me.Email), ipLimitKey(r.RemoteAddr)
	if wait := s.limiter.blocked(emailKey, ipKey); wait > 0 {
		return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited",
			Message: "too many wrong passwords; try again later", retryAfter: wait}
	}
	ok := false
	if me.PasswordHash != "" {
		if ok, err = auth.CheckPassword(me.PasswordHash, req.CurrentPassword); err != nil {
			s.logger().Error("unusable password hash", "user", me.ID, "err", err)
			ok = false
		}
	}
	if !ok {
		s.limiter.fail(emailKey, ipKey)
		return errInvalid("current_password: wrong password", rules.FieldError{Field: "current_password", Message: "wrong password"})
	}
	if err := auth.ValidatePassword(req.NewPassword); err != nil {
		return errInvalid("new_password: "+err.Error(), rules.FieldError{Field: "new_password", Message: err.Error()})
	}
	hash, err := s.PasswordParams.Hash(req.NewPassword)
	if err != nil {
		return err
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.GetUser(ctx, me.ID)
		if err != nil {
			return err
		}
		if cur.PasswordHash != me.PasswordHash { // changed since this request read it
			return errConflict("the password was changed meanwhile; sign in again")
		}
		if _, err := tx.UpdateUser(ctx, me.ID, store.UserChange{PasswordHash: &hash}); err != nil {
			return err
		}
		n, err := tx.DeleteUserSessionsExcept(ctx, me.ID, p.session)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: me.ID, OrganisationID: me.OrganisationID, Action: "user.password.change",
			ObjectType: "user", ObjectID: me.ID, Detail: map[string]any{"other_sessions_ended": n}})
	})
	if err != nil {
		return err
	}
	s.limiter.reset(emailKey)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Preference limits.
var localePattern = regexp.MustCompile(`^[a-z]{2}$`)

const maxTimeZoneBytes = 64

// checkTimeZone checks an IANA time zone name: a bounded, plain name
// (letters, digits, _ + - and / between parts; no "..", no leading "/")
// that time.LoadLocation knows. "Local", the server's own zone, is refused.
func (fe *fieldErrors) checkTimeZone(field, tz string) {
	if tz == "" {
		return
	}
	plain := len(tz) <= maxTimeZoneBytes && !strings.HasPrefix(tz, "/") && !strings.HasSuffix(tz, "/") &&
		!strings.Contains(tz, "..") && !strings.Contains(tz, "//") && tz != "Local" &&
		strings.IndexFunc(tz, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_+-/", c))
		}) < 0
	if !plain {
		fe.add(field, "must be an IANA time zone such as Europe/Amsterdam")
		return
	}
	if _, err := time.LoadLocation(tz); err != nil {
		fe.add(field, "unknown time zone; use an IANA name such as Europe/Amsterdam")
	}
}

// updateMe is PATCH /api/v1/me: the signed-in user's name, UI language
// and time zone.
func (s *Server) updateMe(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	me, err := signedInUser(r)
	if err != nil {
		return err
	}
	var req UpdateMeRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	ch := store.UserChange{Locale: req.Locale, TimeZone: req.TimeZone}
	if req.DisplayName != nil {
		fe.checkName("display_name", *req.DisplayName, true)
		name := strings.TrimSpace(*req.DisplayName)
		ch.DisplayName = &name
	}
	if req.Locale != nil && *req.Locale != "" && !localePattern.MatchString(*req.Locale) {
		fe.add("locale", "must be a two-letter language code such as nl, or empty for the node's default")
	}
	if req.TimeZone != nil {
		fe.checkTimeZone("time_zone", *req.TimeZone)
	}
	if err := fe.err(); err != nil {
		return err
	}
	var out store.User
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.GetUser(ctx, me.ID)
		if err != nil {
			return err
		}
		detail := map[string]any{}
		for name, c := range map[string]struct {
			new **string
			old string
		}{
			"display_name": {&ch.DisplayName, cur.DisplayName},
			"locale":       {&ch.Locale, cur.Locale},
			"time_zone":    {&ch.TimeZone, cur.TimeZone},
		} {
			if *c.new != nil && **c.new != c.old {
				detail[name] = **c.new
			} else {
				*c.new = nil
			}
		}
		if len(detail) == 0 {
			out = cur
			return nil
		}
		if out, err = tx.UpdateUser(ctx, me.ID, ch); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: me.ID, OrganisationID: me.OrganisationID, Action: "user.preferences.update",
			ObjectType: "user", ObjectID: me.ID, Detail: detail})
	})
	if err != nil {
		return err
	}
	updated := *p
	updated.User = &out
	writeJSON(w, http.StatusOK, meOf(&updated))
	return nil
}
