package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/nisnet-eu/nisnet/internal/report"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Drafts are an entity's unfinished staged reports: one per incident and
// report id, saved as often as the entity likes, not validated (a draft may
// be incomplete), and deleted when the report is submitted. They are the
// entity's own: the authority's principals get 404, as for an incident's
// draft that does not exist — a draft is not a report.

// DraftSummary describes a saved draft.
type DraftSummary struct {
	IncidentID string    `json:"incident_id"`
	Report     string    `json:"report"` // the report id, e.g. nis2.early_warning
	UpdatedAt  time.Time `json:"updated_at"`
	UpdatedBy  string    `json:"updated_by"` // user or API token id
}

// Draft is a saved draft with its body, the JSON object saved last.
type Draft struct {
	DraftSummary
	Body json.RawMessage `json:"body"`
}

func draftSummaryOf(d store.Draft) DraftSummary {
	return DraftSummary{IncidentID: d.IncidentID, Report: d.Report, UpdatedAt: d.UpdatedAt, UpdatedBy: d.UpdatedBy}
}

// draftIncident returns the incident named by {id} if the caller may keep
// drafts on it: an entity principal of the incident's organisation. Anyone
// else gets 404.
func (s *Server) draftIncident(r *http.Request) (store.Incident, error) {
	inc, err := s.visibleIncident(r)
	if err != nil {
		return store.Incident{}, err
	}
	if principal(r).Authority() {
		return store.Incident{}, errNotFound("draft")
	}
	return inc, nil
}

// putDraft is PUT /api/v1/incidents/{id}/drafts/{report}: save a draft,
// replacing the one saved before.
func (s *Server) putDraft(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.draftIncident(r)
	if err != nil {
		return err
	}
	id := r.PathValue("report")
	if _, ok := report.Lookup(id); !ok {
		return errInvalid(fmt.Sprintf("unknown report %q; the vocabulary report-ids lists them", id),
			rules.FieldError{Field: "report", Message: "unknown report"})
	}
	if err := checkJSONContentType(r); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, report.MaxBodySize))
	if err != nil {
		return err // a *http.MaxBytesError is 413
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return errInvalid("the draft must be a JSON object (its fields are checked when the report is submitted)")
	}
	d, err := s.DB.PutDraft(ctx, store.Draft{IncidentID: inc.ID, OrganisationID: inc.OrganisationID, Report: id,
		Body: bytes.TrimSpace(body), UpdatedBy: principal(r).Actor()})
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("incident")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Draft{DraftSummary: draftSummaryOf(d), Body: d.Body})
	return nil
}

// listDrafts is GET /api/v1/incidents/{id}/drafts: the incident's drafts
// by report id, without their bodies. There are at most as many as report
// ids, so the list is one page.
func (s *Server) listDrafts(w http.ResponseWriter, r *http.Request) error {
	inc, err := s.draftIncident(r)
	if err != nil {
		return err
	}
	ds, err := s.DB.ListDrafts(r.Context(), inc.OrganisationID, inc.ID)
	if err != nil {
		return err
	}
	out := Page[DraftSummary]{Items: make([]DraftSummary, 0, len(ds))}
	for _, d := range ds {
		out.Items = append(out.Items, draftSummaryOf(d))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getDraft is GET /api/v1/incidents/{id}/drafts/{report}.
func (s *Server) getDraft(w http.ResponseWriter, r *http.Request) error {
	inc, err := s.draftIncident(r)
	if err != nil {
		return err
	}
	d, err := s.DB.GetDraft(r.Context(), inc.OrganisationID, inc.ID, r.PathValue("report"))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("draft")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Draft{DraftSummary: draftSummaryOf(d), Body: d.Body})
	return nil
}

// deleteDraft is DELETE /api/v1/incidents/{id}/drafts/{report}.
func (s *Server) deleteDraft(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.draftIncident(r)
	if err != nil {
		return err
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		return tx.DeleteDraft(ctx, inc.OrganisationID, inc.ID, r.PathValue("report"))
	})
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("draft")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
