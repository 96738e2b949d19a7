package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/nisnet-eu/nisnet/internal/calendar"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// UpdateOrganisationRequest changes an organisation; absent fields stay as
// they are. The kind never changes.
type UpdateOrganisationRequest struct {
	Name *string `json:"name,omitempty"`
	// MemberState is the organisation's Member State (EU code). With a
	// profile it must agree with the profile's member_state (or, for an
	// entity outside the Union, eu_representative), which it follows when
	// absent.
	MemberState *string `json:"member_state,omitempty"`
	// Profile replaces an entity's NIS2 profile, validated as when the
	// entity was registered.
	Profile json.RawMessage `json:"profile,omitempty" openapi:"Entity"`
}

// updateOrganisation is PATCH /api/v1/organisations/{id}: the node
// administrator changes any organisation; an entity administrator only
// their own entity's profile. Incidents keep the facts they were reported
// with: a new profile applies to incidents reported after it.
func (s *Server) updateOrganisation(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	o, err := s.visibleOrganisation(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := requireRole(ctx, store.RoleEntityAdmin, store.RoleNodeAdmin); err != nil {
		return err
	}
	var req UpdateOrganisationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if p.Role != store.RoleNodeAdmin && (req.Name != nil || req.MemberState != nil) {
		return errForbidden("an entity administrator may change the organisation's profile only; ask the node administrator for its name")
	}
	var (
		fe fieldErrors
		ch store.OrganisationChange
	)
	if req.Name != nil {
		fe.checkName("name", *req.Name, false)
		name := strings.TrimSpace(*req.Name)
		ch.Name = &name
	}
	if req.MemberState != nil {
		if _, ok := calendar.LookupMemberState(*req.MemberState); !ok {
			fe.add("member_state", "must be an EU Member State code such as NL or EL (Greece)")
		}
		ch.MemberState = req.MemberState
	}
	if req.Profile != nil {
		if o.Kind != store.OrgEntity {
			fe.add("profile", "only a reporting entity has a profile")
		} else {
			entity, profile := checkProfile(&fe, "profile", req.Profile)
			ms := entity.MemberState
			if ms == "" {
				ms = entity.EURepresentative
			}
			switch {
			case ch.MemberState == nil:
				ch.MemberState = &ms
			case *ch.MemberState != ms:
				fe.add("member_state", "must agree with the profile's member_state ("+ms+")")
			}
			ch.Profile = profile
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	var out store.Organisation
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.GetOrganisation(ctx, o.ID)
		if err != nil {
			return err
		}
		detail := map[string]any{}
		if ch.Name != nil && *ch.Name != cur.Name {
			detail["name"] = *ch.Name
		} else {
			ch.Name = nil
		}
		if ch.MemberState != nil && *ch.MemberState != cur.MemberState {
			detail["member_state"] = *ch.MemberState
		} else {
			ch.MemberState = nil
		}
		if ch.Profile != nil && string(ch.Profile) != string(cur.Profile) {
			detail["profile"] = "replaced"
		} else {
			ch.Profile = nil
		}
		if len(detail) == 0 {
			out = cur
			return nil
		}
		if out, err = tx.UpdateOrganisation(ctx, cur.ID, ch); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: cur.ID, Action: "organisation.update",
			ObjectType: "organisation", ObjectID: cur.ID, Detail: detail})
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, organisationOf(out))
	return nil
}
