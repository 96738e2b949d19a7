package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// CreateOrganisationRequest registers a reporting entity.
type CreateOrganisationRequest struct {
	Name string `json:"name"`
	// Profile is the entity's NIS2 profile, the "entity" object of the
	// assessment facts: entity_types, size, member_state,
	// main_establishment, designations, dora, cra … Its member_state (or,
	// for an entity outside the Union, eu_representative) becomes the
	// organisation's Member State.
	Profile json.RawMessage `json:"profile" openapi:"Entity"`
}

// createOrganisation is POST /api/v1/organisations (node_admin).
func (s *Server) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := requireRole(ctx, store.RoleNodeAdmin); err != nil {
		return err
	}
	var req CreateOrganisationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	fe.checkName("name", req.Name, false)
	entity, profile := checkProfile(&fe, "profile", req.Profile)
	if err := fe.err(); err != nil {
		return err
	}
	ms := entity.MemberState
	if ms == "" {
		ms = entity.EURepresentative
	}
	p := principal(r)
	var o store.Organisation
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		o, err = tx.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: strings.TrimSpace(req.Name), MemberState: ms, Profile: profile})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: o.ID, Action: "organisation.create",
			ObjectType: "organisation", ObjectID: o.ID, Detail: map[string]string{"name": o.Name, "kind": string(o.Kind)}})
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, organisationOf(o))
	return nil
}

// checkProfile decodes an entity profile strictly as a rules.Entity and
// validates it with the rules package (the entity part of the facts
// validation), adding problems to fe under field. It returns the entity and
// the profile in compact form.
func checkProfile(fe *fieldErrors, field string, raw json.RawMessage) (rules.Entity, json.RawMessage) {
	var e rules.Entity
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		fe.add(field, "required: a JSON object, the entity's NIS2 profile (member_state, entity_types, size, …)")
		return e, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		if de := decodeError(err, field); len(de.Fields) > 0 {
			*fe = append(*fe, de.Fields...)
		} else {
			fe.add(field, de.Message)
		}
		return e, nil
	}
	facts := rules.Facts{Now: time.Now(), Entity: e, Incident: rules.Incident{Kind: "near_miss"}}
	var ferr *rules.FieldErrors
	if err := facts.Validate(); errors.As(err, &ferr) {
		for _, f := range ferr.List {
			if rest, ok := strings.CutPrefix(f.Field, "entity."); ok {
				fe.add(field+"."+rest, f.Message)
			}
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		fe.add(field, "malformed JSON")
		return e, nil
	}
	return e, buf.Bytes()
}

// listOrganisations is GET /api/v1/organisations (authority roles).
func (s *Server) listOrganisations(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := requireRole(ctx, authorityRoles...); err != nil {
		return err
	}
	pg, err := pageParams(r)
	if err != nil {
		return err
	}
	orgs, err := s.DB.ListOrganisations(ctx, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(orgs, pg, organisationOf))
	return nil
}

// getOrganisation is GET /api/v1/organisations/{id}: any organisation for
// authority roles, their own for entity users.
func (s *Server) getOrganisation(w http.ResponseWriter, r *http.Request) error {
	o, err := s.visibleOrganisation(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, organisationOf(o))
	return nil
}

// visibleOrganisation returns the organisation with the given id if the
// caller may see it, and the same 404 whether it does not exist or is not
// visible.
func (s *Server) visibleOrganisation(r *http.Request, id string) (store.Organisation, error) {
	p := principal(r)
	if !p.Sees(id) {
		return store.Organisation{}, errNotFound("organisation")
	}
	o, err := s.DB.GetOrganisation(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Organisation{}, errNotFound("organisation")
	}
	return o, err
}
