package api

import (
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
	body := http.MaxBytesReader(w, r.Body, rules.MaxFactsBytes)
	facts, err := rules.DecodeFacts(body)
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
