// Package api is nisnet's JSON REST interface under /api/v1: handlers that
// return errors, one error envelope with stable codes, bounded request
// bodies, authentication by API token or session cookie, authorisation by
// role and organisation, and the OpenAPI 3.1 document that describes it all.
//
// Every route is declared in Routes. Routes are public or authenticated; an
// authenticated handler finds the caller's Principal in the request context.
// Objects of an organisation the caller may not see answer 404 exactly like
// objects that do not exist; a visible object the caller's role may not act
// on answers 403.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/nisnet-eu/nisnet/internal/federation"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// Server holds what the handlers need. Set the exported fields, then call
// Routes once before serving.
type Server struct {
	Engine *rules.Engine
	Vocab  *vocab.Set
	DB     *store.DB
	Log    *slog.Logger
	// PasswordParams hash new passwords; the zero value means
	// auth.DefaultParams.
	PasswordParams auth.Params
	// SecureCookies names the session cookie __Host-nisnet_session and
	// marks it Secure even on requests that did not arrive over TLS: set
	// it when a TLS-terminating proxy stands in front of the node.
	SecureCookies bool
	// LoginLimits bound failed sign-ins; the zero value means
	// DefaultLoginLimits.
	LoginLimits LoginLimits
	// MemberState is the Member State of the authority running the node
	// (EU code): the first part of every incident reference.
	MemberState string
	// Federation shares incidents with peers; nil: the federation routes
	// answer 404.
	Federation *federation.Service
	// Options are the node's readings of the law's ambiguities, used in
	// every assessment of a stored incident.
	Options rules.Options

	csrf      *http.CrossOriginProtection
	limiter   *loginLimiter
	dummyHash string // checked when a sign-in names no user, to take the same time
}

type handlerFunc func(http.ResponseWriter, *http.Request) error

// Routes prepares the server and registers every API route on mux; it
// returns their patterns. Routes are declared here, in one place: public
// ones with public, the others — which need an API token or a session —
// with authed.
func (s *Server) Routes(mux *http.ServeMux) []string {
	s.prepare()
	var patterns []string
	public := func(pattern string, h handlerFunc) {
		patterns = append(patterns, pattern)
		mux.Handle(pattern, s.handle(h))
	}
	authed := func(pattern string, h handlerFunc) {
		patterns = append(patterns, pattern)
		mux.Handle(pattern, s.handle(s.authenticated(h)))
	}

	public("GET /api/v1/openapi.json", s.openAPI)
	public("GET /api/v1/vocabularies", s.listVocabularies)
	public("GET /api/v1/vocabularies/{name}", s.getVocabulary)
	public("POST /api/v1/setup", s.setup)
	public("POST /api/v1/session", s.createSession)

	authed("DELETE /api/v1/session", s.deleteSession)
	authed("GET /api/v1/me", s.getMe)
	authed("PATCH /api/v1/me", s.updateMe)
	authed("POST /api/v1/me/password", s.changePassword)
	authed("POST /api/v1/assessments", s.createAssessment)

	authed("POST /api/v1/organisations", s.createOrganisation)
	authed("GET /api/v1/organisations", s.listOrganisations)
	authed("GET /api/v1/organisations/{id}", s.getOrganisation)
	authed("PATCH /api/v1/organisations/{id}", s.updateOrganisation)

	authed("POST /api/v1/users", s.createUser)
	authed("GET /api/v1/users", s.listUsers)
	authed("GET /api/v1/users/{id}", s.getUser)
	authed("PATCH /api/v1/users/{id}", s.updateUser)
	authed("PUT /api/v1/users/{id}/password", s.setUserPassword)

	authed("POST /api/v1/teams", s.createTeam)
	authed("GET /api/v1/teams", s.listTeams)
	authed("GET /api/v1/teams/{id}", s.getTeam)
	authed("GET /api/v1/teams/{id}/members", s.listTeamMembers)
	authed("PUT /api/v1/teams/{id}/members/{user_id}", s.addTeamMember)
	authed("DELETE /api/v1/teams/{id}/members/{user_id}", s.removeTeamMember)

	authed("POST /api/v1/tokens", s.createToken)
	authed("GET /api/v1/tokens", s.listTokens)
	authed("GET /api/v1/tokens/{id}", s.getToken)
	authed("DELETE /api/v1/tokens/{id}", s.revokeToken)

	authed("POST /api/v1/incidents", s.createIncident)
	authed("GET /api/v1/incidents", s.listIncidents)
	authed("GET /api/v1/incidents/{id}", s.getIncident)
	authed("PUT /api/v1/incidents/{id}/facts", s.updateFacts)
	authed("POST /api/v1/incidents/{id}/reports/{report}", s.submitReport)
	authed("GET /api/v1/incidents/{id}/reports", s.listReports)
	authed("GET /api/v1/incidents/{id}/reports/{submission_id}", s.getReport)
	authed("PUT /api/v1/incidents/{id}/drafts/{report}", s.putDraft)
	authed("GET /api/v1/incidents/{id}/drafts", s.listDrafts)
	authed("GET /api/v1/incidents/{id}/drafts/{report}", s.getDraft)
	authed("DELETE /api/v1/incidents/{id}/drafts/{report}", s.deleteDraft)
	authed("POST /api/v1/incidents/{id}/handling-ended", s.handlingEnded)
	authed("POST /api/v1/incidents/{id}/messages", s.postMessage)
	authed("GET /api/v1/incidents/{id}/timeline", s.getTimeline)
	authed("POST /api/v1/incidents/{id}/state", s.setState)
	authed("POST /api/v1/incidents/{id}/assignment", s.assignIncident)
	authed("POST /api/v1/incidents/{id}/classification", s.classifyIncident)
	authed("POST /api/v1/incidents/{id}/notes", s.postNote)
	authed("POST /api/v1/incidents/{id}/intermediate-requests", s.requestIntermediate)
	authed("POST /api/v1/incidents/{id}/feedback", s.giveFeedback)

	authed("POST /api/v1/incidents/{id}/shares", s.shareIncident)
	authed("GET /api/v1/incidents/{id}/shares", s.listShares)
	authed("DELETE /api/v1/incidents/{id}/shares/{audience}", s.revokeShare)
	authed("POST /api/v1/incidents/{id}/indicators", s.addIndicator)
	authed("GET /api/v1/incidents/{id}/indicators", s.listIndicators)
	authed("GET /api/v1/federation/audiences", s.listAudiences)
	authed("GET /api/v1/federation/peers", s.listPeers)
	authed("GET /api/v1/federation/received", s.listReceived)
	authed("GET /api/v1/federation/received/{stix_id}", s.getReceived)
	authed("POST /api/v1/federation/received/{stix_id}/forward", s.forwardReceived)

	authed("GET /api/v1/stats", s.getStats)

	authed("GET /api/v1/notifications", s.listNotifications)
	authed("POST /api/v1/notifications/{id}/read", s.readNotification)

	mux.Handle("/api/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such API route: " + r.Method + " " + r.URL.Path}
	}))
	return patterns
}

// prepare fills in defaults and the state the handlers share.
func (s *Server) prepare() {
	if s.PasswordParams == (auth.Params{}) {
		s.PasswordParams = auth.DefaultParams
	}
	if s.LoginLimits == (LoginLimits{}) {
		s.LoginLimits = DefaultLoginLimits
	}
	s.csrf = http.NewCrossOriginProtection()
	s.limiter = newLoginLimiter(s.LoginLimits)
	h, err := s.PasswordParams.Hash("not a password anybody has")
	if err != nil {
		panic(fmt.Sprintf("api: password parameters: %v", err))
	}
	s.dummyHash = h
}

// Error is an API error: an HTTP status, a stable machine code, a message
// for people, and optional per-field details.
type Error struct {
	Status  int                `json:"-"`
	Code    string             `json:"code"`
	Message string             `json:"message"`
	Fields  []rules.FieldError `json:"fields,omitempty"`

	retryAfter time.Duration // 429: sent as Retry-After
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The error kinds handlers decide on.

func errNotFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such " + what}
}

func errInvalid(msg string, fields ...rules.FieldError) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid", Message: msg, Fields: fields}
}

func errForbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: msg}
}

func errConflict(msg string) *Error {
	return &Error{Status: http.StatusConflict, Code: "conflict", Message: msg}
}

func errUnauthenticated(code, msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: code, Message: msg}
}

type envelope struct {
	Error *Error `json:"error"`
}

// handle adapts a handler that returns an error: known errors become their
// envelope, anything else a 500 whose cause is logged, never shown. Requests
// that carry no bearer token — browsers with a session cookie — are checked
// against cross-origin request forgery first.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		if _, bearer := bearerToken(r); !bearer && s.csrf.Check(r) != nil {
			err = &Error{Status: http.StatusForbidden, Code: "cross_origin",
				Message: "cross-origin request refused; API clients authenticate with Authorization: Bearer"}
		} else {
			err = h(w, r)
		}
		if err == nil {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				s.changed() // a shared incident may have changed: sync it now
			}
			return
		}
		var apiErr *Error
		var fe *rules.FieldErrors
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &apiErr):
		case errors.As(err, &fe):
			apiErr = &Error{Status: http.StatusBadRequest, Code: "invalid_facts", Message: fe.Error(), Fields: fe.List}
		case errors.As(err, &mbe):
			apiErr = &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("request body is larger than the limit of %d bytes", mbe.Limit)}
		case errors.Is(err, store.ErrNotFound):
			apiErr = &Error{Status: http.StatusNotFound, Code: "not_found", Message: "not found"}
		case errors.Is(err, store.ErrConflict):
			apiErr = errConflict("conflicts with existing data")
		default:
			s.logger().Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
			apiErr = &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; it has been logged"}
		}
		switch apiErr.Status {
		case http.StatusUnauthorized:
			challenge := `Bearer realm="nisnet"`
			if apiErr.Code == "invalid_token" {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
		case http.StatusTooManyRequests:
			secs := int64((apiErr.retryAfter + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
		}
		writeJSON(w, apiErr.Status, envelope{apiErr})
	})
}

func (s *Server) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// writeJSON sends v as compact JSON with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
