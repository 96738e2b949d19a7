package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The authority's teams: GET/POST /api/v1/teams and their members
// (PUT/DELETE /api/v1/teams/{id}/members/{user_id}).

type teamsData struct {
	Teams []adminTeam
	Name  formField
	Error string
}

func (u *UI) teamsPage(w http.ResponseWriter, r *http.Request, v *view, d *teamsData, status int) error {
	teams, err := listAll[adminTeam](u, r, "/api/v1/teams")
	if err != nil {
		return err
	}
	d.Teams = teams
	d.Name.Name, d.Name.Kind, d.Name.Label, d.Name.Required = "name", kText, v.T("admin.team.f.name"), true
	v.Title, v.Nav = v.T("admin.teams.title"), "teams"
	u.render(w, status, "admin_teams", v, d)
	return nil
}

func (u *UI) adminTeams(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	return u.teamsPage(w, r, v, &teamsData{}, http.StatusOK)
}

func (u *UI) adminCreateTeam(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	var created adminTeam
	_, err := u.call(r, http.MethodPost, "/api/v1/teams", map[string]string{"name": name}, &created)
	if err == nil {
		return redirect(w, r, "/admin/teams/"+url.PathEscape(created.ID)+"?created=1")
	}
	ae, ok := formProblem(err)
	if !ok {
		return err
	}
	d := &teamsData{Error: v.T("form.fix_fields")}
	d.Name.Value = name
	if d.Name.Error = ae.field("name"); d.Name.Error == "" {
		d.Name.Error = ae.Message
	}
	return u.teamsPage(w, r, v, d, ae.Status)
}

type teamData struct {
	Team       adminTeam
	Members    []adminUser
	Candidates []option // authority users not yet members
	Notice     string
}

func (u *UI) adminTeam(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	d := &teamData{}
	id := url.PathEscape(r.PathValue("id"))
	if _, err := u.call(r, http.MethodGet, "/api/v1/teams/"+id, nil, &d.Team); err != nil {
		return err
	}
	members, err := listAll[adminUser](u, r, "/api/v1/teams/"+id+"/members")
	if err != nil {
		return err
	}
	d.Members = members
	staff, err := listAll[adminUser](u, r, "/api/v1/users?organisation_id="+url.QueryEscape(d.Team.OrganisationID))
	if err != nil {
		return err
	}
	for _, s := range staff {
		if !slices.ContainsFunc(members, func(m adminUser) bool { return m.ID == s.ID }) {
			label := s.Email
			if s.DisplayName != "" {
				label = s.DisplayName + " <" + s.Email + ">"
			}
			d.Candidates = append(d.Candidates, option{s.ID, label})
		}
	}
	q := r.URL.Query()
	for _, k := range []string{"created", "added", "removed"} {
		if q.Get(k) != "" {
			d.Notice = v.T("admin.team.done_" + k)
		}
	}
	v.Title, v.Nav = d.Team.Name, "teams"
	u.render(w, http.StatusOK, "admin_team", v, d)
	return nil
}

func (u *UI) adminAddMember(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	id, user := r.PathValue("id"), r.PostFormValue("user_id")
	if user == "" {
		return &pageError{Status: http.StatusBadRequest, Message: v.T("admin.team.choose_user")}
	}
	if _, err := u.call(r, http.MethodPut, "/api/v1/teams/"+url.PathEscape(id)+"/members/"+url.PathEscape(user), nil, nil); err != nil {
		return err
	}
	return redirect(w, r, "/admin/teams/"+url.PathEscape(id)+"?added=1")
}

func (u *UI) adminRemoveMember(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := u.call(r, http.MethodDelete, "/api/v1/teams/"+url.PathEscape(id)+"/members/"+url.PathEscape(r.PathValue("user_id")), nil, nil); err != nil {
		return err
	}
	return redirect(w, r, "/admin/teams/"+url.PathEscape(id)+"?removed=1")
}
