package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/nisnet-eu/nisnet/internal/incident"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// The authority triages incidents: moves them through their states,
// assigns them to its users and teams, and classifies them.

// StateRequest moves an incident to another state.
type StateRequest struct {
	State string `json:"state"` // received, triaged, in_progress or closed
	// Version is the incident's version the decision was based on.
	Version int64 `json:"version"`
}

// AssignmentRequest assigns an incident to a user and a team of the
// authority; an absent or empty id unassigns.
type AssignmentRequest struct {
	UserID string `json:"user_id,omitempty"`
	TeamID string `json:"team_id,omitempty"`
}

// ClassificationRequest classifies an incident. Absent fields keep their
// value; an empty string clears rsit, impact_severity or impact_outlook.
type ClassificationRequest struct {
	// RSIT is "class/type" of the Reference Security Incident Taxonomy
	// (the "rsit" vocabulary), e.g. "intrusions/system-compromise".
	RSIT *string `json:"rsit,omitempty"`
	// TLP is a TLP 2.0 label, e.g. "TLP:AMBER+STRICT".
	TLP            *string `json:"tlp,omitempty"`
	ImpactSeverity *string `json:"impact_severity,omitempty"` // red, yellow, green or white
	ImpactOutlook  *string `json:"impact_outlook,omitempty"`  // improving, stable or worsening
}

// setState is POST /api/v1/incidents/{id}/state (authority roles).
func (s *Server) setState(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncidentFor(r, authorityRoles...)
	if err != nil {
		return err
	}
	var req StateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	to, err := incident.ParseState(req.State)
	if err != nil {
		fe.add("state", err.Error())
	}
	if req.Version <= 0 {
		fe.add("version", "required: the version of the incident the decision is based on")
	}
	if err := fe.err(); err != nil {
		return err
	}
	p := principal(r)
	out, err := s.changeIncident(ctx, p, inc.ID, func(cur *store.Incident) (store.IncidentEvent, map[string]any, error) {
		if cur.Version != req.Version {
			return store.IncidentEvent{}, nil, errStale(cur.Version, req.Version)
		}
		from := incident.State(cur.State)
		if err := incident.Transition(from, to); err != nil {
			return store.IncidentEvent{}, nil, errConflict(err.Error())
		}
		cur.State = store.IncidentState(to)
		body, _ := json.Marshal(map[string]string{"from": string(from), "to": string(to)})
		return store.IncidentEvent{Kind: store.EventState, Visibility: store.VisibilityShared, Body: body},
			map[string]any{"from": string(from), "to": string(to)}, nil
	}, "incident.state")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// assignIncident is POST /api/v1/incidents/{id}/assignment (authority
// roles).
func (s *Server) assignIncident(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncidentFor(r, authorityRoles...)
	if err != nil {
		return err
	}
	var req AssignmentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	p := principal(r)
	var fe fieldErrors
	if req.UserID != "" {
		u, err := s.DB.GetUser(ctx, req.UserID)
		switch {
		case errors.Is(err, store.ErrNotFound) || err == nil && u.OrganisationID != p.Organisation.ID:
			fe.add("user_id", "no such user of the authority")
		case err != nil:
			return err
		case u.Disabled:
			fe.add("user_id", "the user is disabled")
		}
	}
	if req.TeamID != "" {
		t, err := s.DB.GetTeam(ctx, req.TeamID)
		switch {
		case errors.Is(err, store.ErrNotFound) || err == nil && t.OrganisationID != p.Organisation.ID:
			fe.add("team_id", "no such team of the authority")
		case err != nil:
			return err
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	out, err := s.changeIncident(ctx, p, inc.ID, func(cur *store.Incident) (store.IncidentEvent, map[string]any, error) {
		cur.AssignedUserID, cur.AssignedTeamID = req.UserID, req.TeamID
		detail := map[string]any{"user_id": req.UserID, "team_id": req.TeamID}
		body, _ := json.Marshal(detail)
		return store.IncidentEvent{Kind: store.EventAssignment, Visibility: store.VisibilityAuthority, Body: body}, detail, nil
	}, "incident.assign")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// classifyIncident is POST /api/v1/incidents/{id}/classification
// (authority roles).
func (s *Server) classifyIncident(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncidentFor(r, authorityRoles...)
	if err != nil {
		return err
	}
	var req ClassificationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	set := map[string]string{}
	if req.RSIT != nil {
		if rsit, ok := normalRSIT(*req.RSIT); ok {
			set["rsit"] = rsit
		} else {
			fe.add("rsit", "must be \"class/type\" of the RSIT taxonomy (vocabulary rsit), e.g. intrusions/system-compromise, or empty")
		}
	}
	if req.TLP != nil {
		if l, err := vocab.ParseTLP(*req.TLP); err == nil {
			set["tlp"] = string(l)
		} else {
			fe.add("tlp", strings.TrimPrefix(err.Error(), vocab.ErrInvalidTLP.Error()+": "))
		}
	}
	if v := req.ImpactSeverity; v != nil {
		switch *v {
		case "", "red", "yellow", "green", "white":
			set["impact_severity"] = *v
		default:
			fe.add("impact_severity", "must be red, yellow, green, white or empty")
		}
	}
	if v := req.ImpactOutlook; v != nil {
		switch *v {
		case "", "improving", "stable", "worsening":
			set["impact_outlook"] = *v
		default:
			fe.add("impact_outlook", "must be improving, stable, worsening or empty")
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	if len(set) == 0 {
		return errInvalid("nothing to change: give rsit, tlp, impact_severity or impact_outlook")
	}
	out, err := s.changeIncident(ctx, principal(r), inc.ID, func(cur *store.Incident) (store.IncidentEvent, map[string]any, error) {
		for k, v := range set {
			switch k {
			case "rsit":
				cur.RSIT = v
			case "tlp":
				cur.TLP = v
			case "impact_severity":
				cur.ImpactSeverity = v
			case "impact_outlook":
				cur.ImpactOutlook = v
			}
		}
		now := map[string]any{"rsit": cur.RSIT, "tlp": cur.TLP, "impact_severity": cur.ImpactSeverity, "impact_outlook": cur.ImpactOutlook}
		body, _ := json.Marshal(now)
		return store.IncidentEvent{Kind: store.EventClassification, Visibility: store.VisibilityShared, Body: body}, now, nil
	}, "incident.classify")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// normalRSIT returns the canonical "class/type" of an RSIT value.
func normalRSIT(v string) (string, bool) {
	if v == "" {
		return "", true
	}
	class, typ, ok := strings.Cut(v, "/")
	if !ok || strings.TrimSpace(typ) == "" {
		return "", false
	}
	c, t, ok := vocab.NormalizeRSIT(class, typ)
	return c + "/" + t, ok
}

// changeIncident applies change to the incident as read in a write
// transaction, stores it, and writes the timeline entry change returns and
// an audit record with its detail, all in that transaction. It returns the
// incident as stored.
func (s *Server) changeIncident(ctx context.Context, p *Principal, id string, change func(cur *store.Incident) (store.IncidentEvent, map[string]any, error), action string) (ReportedIncident, error) {
	var out store.Incident
	err := s.transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.GetIncident(ctx, id)
		if err != nil {
			return err
		}
		e, detail, err := change(&cur)
		if err != nil {
			return err
		}
		if out, err = tx.UpdateIncident(ctx, cur); err != nil {
			return err
		}
		e.IncidentID, e.Actor = id, p.Actor()
		if e, err = tx.AddIncidentEvent(ctx, e); err != nil {
			return err
		}
		detail = withEvent(detail, e.ID)
		detail["version"] = out.Version
		return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: out.OrganisationID, Action: action,
			ObjectType: "incident", ObjectID: id, Detail: detail})
	})
	if err != nil {
		return ReportedIncident{}, err
	}
	return reportedIncidentOf(p, out)
}
