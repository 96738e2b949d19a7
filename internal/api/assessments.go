package api

import (
	"errors"
	"mime"
	"net/http"

	"github.com/nisnet-eu/nisnet/internal/rules"
)

// createAssessment is POST /api/v1/assessments: facts in, result out. It
// stores nothing.
func (s *Server) createAssessment(w http.ResponseWriter, r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send the facts as application/json"}
		}
	}
	// DecodeFacts bounds what it reads to rules.MaxFactsBytes.
	facts, err := rules.DecodeFacts(r.Body)
	if errors.Is(err, rules.ErrTooLarge) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: err.Error()}
	}
	if err != nil {
		return err
	}
	res, err := s.Engine.Assess(facts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
