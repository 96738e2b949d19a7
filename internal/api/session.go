package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// SessionRequest signs a user in.
type SessionRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// createSession is POST /api/v1/session: email and password in, a session
// cookie out. A wrong password and an unknown email answer alike and take
// the same time (the password is checked against a dummy hash); failures
// are limited per email address and per client address.
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var req SessionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if email == "" || req.Password == "" {
		return errInvalid("email and password are required")
	}
	emailKey, ipKey := emailLimitKey(email), ipLimitKey(r.RemoteAddr)
	if wait := s.limiter.blocked(emailKey, ipKey); wait > 0 {
		s.logger().Warn("sign-in refused: too many failures", "email", email, "remote", r.RemoteAddr)
		return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited",
			Message: "too many failed sign-ins; try again later", retryAfter: wait}
	}

	u, err := s.DB.GetUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	ok := false
	if err == nil && u.PasswordHash != "" {
		ok, err = auth.CheckPassword(u.PasswordHash, req.Password)
		if err != nil {
			s.logger().Error("unusable password hash", "user", u.ID, "err", err)
			ok = false
		}
	} else {
		auth.CheckPassword(s.dummyHash, req.Password) // the same work as for a real user
	}
	if !ok || u.Disabled {
		s.limiter.fail(emailKey, ipKey)
		s.logger().Info("sign-in failed", "email", email, "remote", r.RemoteAddr)
		return errUnauthenticated("invalid_credentials", "wrong email or password")
	}

	org, err := s.DB.GetOrganisation(ctx, u.OrganisationID)
	if err != nil {
		return err
	}
	p, err := s.checkPrincipal(r, &Principal{User: &u, Organisation: org, Role: u.Role})
	if err != nil {
		return err
	}
	plain, hash := auth.NewToken(auth.SessionTokenPrefix)
	var sess store.Session
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		sess, err = tx.CreateSession(ctx, store.Session{TokenHash: hash, UserID: u.ID, ExpiresAt: time.Now().Add(sessionIdle)})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: u.ID, OrganisationID: org.ID, Action: "session.create",
			ObjectType: "user", ObjectID: u.ID, Detail: map[string]string{"remote": r.RemoteAddr}})
	})
	if err != nil {
		return err
	}
	s.limiter.reset(emailKey)
	http.SetCookie(w, s.sessionCookie(r, plain))
	me := meOf(p)
	me.SessionExpiresAt = &sess.ExpiresAt
	writeJSON(w, http.StatusCreated, me)
	return nil
}

// sessionCookie returns the session cookie carrying value; an empty value
// deletes the cookie. It is a browser-session cookie (no Expires): the
// server ends the session on its own terms.
func (s *Server) sessionCookie(r *http.Request, value string) *http.Cookie {
	c := &http.Cookie{
		Name:     s.cookieName(r),
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.secure(r),
		SameSite: http.SameSiteLaxMode,
	}
	if value == "" {
		c.MaxAge = -1
	}
	return c
}

// deleteSession is DELETE /api/v1/session: sign out.
func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	if p.session == "" {
		return errInvalid("there is no session to end: API tokens are revoked with DELETE /api/v1/tokens/{id}")
	}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, p.session); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: p.Organisation.ID, Action: "session.delete",
			ObjectType: "user", ObjectID: p.User.ID})
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) { // NotFound: ended concurrently
		return err
	}
	http.SetCookie(w, s.sessionCookie(r, ""))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getMe is GET /api/v1/me.
func (s *Server) getMe(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, meOf(principal(r)))
	return nil
}
