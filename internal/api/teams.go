package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/nisnet-eu/nisnet/internal/store"
)

// Teams are the authority's: its supervisors and administrator form them,
// all its roles see them. Entities have none and see none.
var teamManagers = []store.Role{store.RoleAuthoritySupervisor, store.RoleNodeAdmin}

// CreateTeamRequest creates a team in the caller's organisation.
type CreateTeamRequest struct {
	Name string `json:"name"`
}

// createTeam is POST /api/v1/teams.
func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := requireRole(ctx, teamManagers...); err != nil {
		return err
	}
	var req CreateTeamRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	fe.checkName("name", req.Name, false)
	if err := fe.err(); err != nil {
		return err
	}
	p := principal(r)
	var t store.Team
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		t, err = tx.CreateTeam(ctx, store.Team{OrganisationID: p.Organisation.ID, Name: strings.TrimSpace(req.Name)})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: t.OrganisationID, Action: "team.create",
			ObjectType: "team", ObjectID: t.ID, Detail: map[string]string{"name": t.Name}})
	})
	if errors.Is(err, store.ErrConflict) {
		return errConflict("the organisation already has a team of this name")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, teamOf(t))
	return nil
}

// listTeams is GET /api/v1/teams: the caller's organisation's teams.
func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := requireRole(ctx, authorityRoles...); err != nil {
		return err
	}
	pg, err := pageParams(r)
	if err != nil {
		return err
	}
	teams, err := s.DB.ListTeams(ctx, principal(r).Organisation.ID, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(teams, pg, teamOf))
	return nil
}

// getTeam is GET /api/v1/teams/{id}.
func (s *Server) getTeam(w http.ResponseWriter, r *http.Request) error {
	t, err := s.visibleTeam(r)
	if err != nil {
		return err
	}
	if err := requireRole(r.Context(), authorityRoles...); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, teamOf(t))
	return nil
}

// listTeamMembers is GET /api/v1/teams/{id}/members.
func (s *Server) listTeamMembers(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, err := s.visibleTeam(r)
	if err != nil {
		return err
	}
	if err := requireRole(ctx, authorityRoles...); err != nil {
		return err
	}
	pg, err := pageParams(r)
	if err != nil {
		return err
	}
	users, err := s.DB.ListTeamMembers(ctx, t.ID, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(users, pg, userOf))
	return nil
}

// addTeamMember is PUT /api/v1/teams/{id}/members/{user_id}: idempotent.
// The user must belong to the team's organisation.
func (s *Server) addTeamMember(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, u, err := s.teamAndUser(r)
	if err != nil {
		return err
	}
	if err := requireRole(ctx, teamManagers...); err != nil {
		return err
	}
	p := principal(r)
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.AddTeamMember(ctx, t.ID, u.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: t.OrganisationID, Action: "team.member.add",
			ObjectType: "team", ObjectID: t.ID, Detail: map[string]string{"user_id": u.ID}})
	})
	if err != nil && !errors.Is(err, store.ErrConflict) { // ErrConflict: already a member
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeTeamMember is DELETE /api/v1/teams/{id}/members/{user_id}.
func (s *Server) removeTeamMember(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, u, err := s.teamAndUser(r)
	if err != nil {
		return err
	}
	if err := requireRole(ctx, teamManagers...); err != nil {
		return err
	}
	p := principal(r)
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RemoveTeamMember(ctx, t.ID, u.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: t.OrganisationID, Action: "team.member.remove",
			ObjectType: "team", ObjectID: t.ID, Detail: map[string]string{"user_id": u.ID}})
	})
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("team member")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// visibleTeam returns the team named by {id} if it belongs to the caller's
// organisation, and the same 404 otherwise.
func (s *Server) visibleTeam(r *http.Request) (store.Team, error) {
	t, err := s.DB.GetTeam(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && t.OrganisationID != principal(r).Organisation.ID {
		return store.Team{}, errNotFound("team")
	}
	return t, err
}

// teamAndUser returns the team {id} and the user {user_id} of the same
// organisation, or 404.
func (s *Server) teamAndUser(r *http.Request) (store.Team, store.User, error) {
	t, err := s.visibleTeam(r)
	if err != nil {
		return t, store.User{}, err
	}
	u, err := s.DB.GetUser(r.Context(), r.PathValue("user_id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && u.OrganisationID != t.OrganisationID {
		return t, store.User{}, errNotFound("user")
	}
	return t, u, err
}
