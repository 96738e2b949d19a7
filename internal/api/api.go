// Package api is nisnet's JSON REST interface under /api/v1: handlers that
// return errors, one error envelope with stable codes, bounded request
// bodies, and the OpenAPI 3.1 document that describes it all.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// Server holds what the handlers need.
type Server struct {
	Engine *rules.Engine
	Vocab  *vocab.Set
	Log    *slog.Logger
}

// Routes registers every API route on mux and returns their patterns.
// Routes are declared here, in one place.
func (s *Server) Routes(mux *http.ServeMux) []string {
	var patterns []string
	route := func(pattern string, h func(http.ResponseWriter, *http.Request) error) {
		patterns = append(patterns, pattern)
		mux.Handle(pattern, s.handle(h))
	}
	route("POST /api/v1/assessments", s.createAssessment)
	route("GET /api/v1/vocabularies", s.listVocabularies)
	route("GET /api/v1/vocabularies/{name}", s.getVocabulary)
	route("GET /api/v1/openapi.json", s.openAPI)
	mux.Handle("/api/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such API route: " + r.Method + " " + r.URL.Path}
	}))
	return patterns
}

// Error is an API error: an HTTP status, a stable machine code, a message
// for people, and optional per-field details.
type Error struct {
	Status  int                `json:"-"`
	Code    string             `json:"code"`
	Message string             `json:"message"`
	Fields  []rules.FieldError `json:"fields,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

type envelope struct {
	Error *Error `json:"error"`
}

// handle adapts a handler that returns an error: known errors become their
// envelope, anything else a 500 whose cause is logged, never shown.
func (s *Server) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
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
			apiErr = &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "request body is larger than the limit"}
		default:
			s.logger().Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
			apiErr = &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; it has been logged"}
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

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
