package api

import (
	"net/http"
)

type vocabularyIndex struct {
	Vocabularies []vocabularyRef `json:"vocabularies"`
}

type vocabularyRef struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Href  string `json:"href"`
}

func (s *Server) listVocabularies(w http.ResponseWriter, r *http.Request) error {
	idx := vocabularyIndex{Vocabularies: []vocabularyRef{}}
	for _, n := range s.Vocab.Names() {
		v, _ := s.Vocab.Get(n)
		idx.Vocabularies = append(idx.Vocabularies, vocabularyRef{Name: n, Title: v.Title, Href: "/api/v1/vocabularies/" + n})
	}
	writeJSON(w, http.StatusOK, idx)
	return nil
}

func (s *Server) getVocabulary(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	v, ok := s.Vocab.Get(name)
	if !ok {
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no vocabulary named " + quote(name) + "; GET /api/v1/vocabularies lists them"}
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSON(w, http.StatusOK, v)
	return nil
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "\"" + s + "\""
}
