package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The node administrator's users: every organisation's, through
// GET/POST /api/v1/users, PATCH /api/v1/users/{id} and
// PUT /api/v1/users/{id}/password.

// Roles by the kind of organisation they fit.
var (
	entityRoleNames    = []string{"entity_reporter", "entity_admin"}
	authorityRoleNames = []string{"authority_analyst", "authority_supervisor", "node_admin"}
)

// userRow is a user in the list, with their organisation.
type userRow struct {
	adminUser
	Organisation adminOrg
}

// usersData is the users page: the list, its filter and the form to add
// a user.
type usersData struct {
	Rows   []userRow
	Orgs   []adminOrg
	Filter string // the organisation shown, "" for all
	Form   []formField
	Error  string
}

// roleOptions lists the roles that fit organisations of kind ("" for
// all, each labelled with its kind).
func roleOptions(v *view, kind string) []option {
	var out []option
	if kind == "" || kind == "entity" {
		for _, r := range entityRoleNames {
			l := v.T("admin.role." + r)
			if kind == "" {
				l = v.T("admin.role_for_entity", "role", l)
			}
			out = append(out, option{r, l})
		}
	}
	if kind == "" || kind == "authority" {
		for _, r := range authorityRoleNames {
			l := v.T("admin.role." + r)
			if kind == "" {
				l = v.T("admin.role_for_authority", "role", l)
			}
			out = append(out, option{r, l})
		}
	}
	return out
}

// newUserForm is the form to add a user to any organisation.
func newUserForm(v *view, orgs []adminOrg) []formField {
	orgOpts := []option{{"", v.T("admin.org.choose")}}
	for _, o := range orgs {
		orgOpts = append(orgOpts, option{o.ID, o.Name + " (" + v.T("admin.kind."+o.Kind) + ", " + o.MemberState + ")"})
	}
	fields := []formField{
		{Name: "organisation_id", Kind: kSelect, Options: orgOpts, Required: true},
		{Name: "email", Kind: kText, Required: true},
		{Name: "display_name", Kind: kText},
		{Name: "role", Kind: kSelect, Options: roleOptions(v, ""), Required: true, Hint: v.T("admin.user.h.role")},
		{Name: "password", Kind: kText, Required: true, Hint: v.T("admin.user.h.password")},
	}
	for i := range fields {
		fields[i].Label = v.T("admin.user.f." + fields[i].Name)
	}
	return fields
}

// loadUsers reads the organisations and the users of one (filter) or all.
func (u *UI) loadUsers(r *http.Request, filter string) ([]adminOrg, []userRow, error) {
	orgs, err := listAll[adminOrg](u, r, "/api/v1/organisations")
	if err != nil {
		return nil, nil, err
	}
	var rows []userRow
	for _, o := range orgs {
		if filter != "" && o.ID != filter {
			continue
		}
		users, err := listAll[adminUser](u, r, "/api/v1/users?organisation_id="+url.QueryEscape(o.ID))
		if err != nil {
			return nil, nil, err
		}
		for _, us := range users {
			rows = append(rows, userRow{adminUser: us, Organisation: o})
		}
	}
	return orgs, rows, nil
}

func (u *UI) adminUsers(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	d := &usersData{Filter: r.URL.Query().Get("organisation")}
	var err error
	if d.Orgs, d.Rows, err = u.loadUsers(r, d.Filter); err != nil {
		return err
	}
	d.Form = newUserForm(v, d.Orgs)
	d.Form[0].Value = d.Filter
	v.Title, v.Nav = v.T("admin.users.title"), "users"
	u.render(w, http.StatusOK, "admin_users", v, d)
	return nil
}

func (u *UI) adminCreateUser(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	orgs, err := listAll[adminOrg](u, r, "/api/v1/organisations")
	if err != nil {
		return err
	}
	d := &usersData{Orgs: orgs, Form: newUserForm(v, orgs)}
	for i := range d.Form {
		d.Form[i].fill(r.PostForm)
	}
	in := map[string]string{}
	for _, f := range d.Form {
		in[f.Name] = f.Value
		if f.Name != "password" {
			in[f.Name] = strings.TrimSpace(f.Value)
		}
	}
	if in["organisation_id"] == "" {
		d.Form[0].Error = v.T("admin.user.choose_org")
	} else {
		var created adminUser
		_, err = u.call(r, http.MethodPost, "/api/v1/users", in, &created)
		if err == nil {
			return redirect(w, r, "/admin/users/"+url.PathEscape(created.ID)+"?created=1")
		}
		ae, ok := formProblem(err)
		if !ok {
			return err
		}
		if markErrors(d.Form, ae, "") == 0 {
			if ae.Status == http.StatusConflict {
				d.Form[1].Error = ae.Message
			} else {
				d.Error = ae.Message
			}
		}
	}
	d.Form[4].Value = "" // never send a password back
	if d.Error == "" {
		d.Error = v.T("form.fix_fields")
	}
	// The list under the form, as on the GET.
	if _, d.Rows, err = u.loadUsers(r, ""); err != nil {
		return err
	}
	v.Title, v.Nav = v.T("admin.users.title"), "users"
	u.render(w, http.StatusBadRequest, "admin_users", v, d)
	return nil
}

// userData is one user's page: details and role, disabling, password.
type userData struct {
	User         adminUser
	Organisation adminOrg
	Details      []formField
	Password     formField
	Error        string
	Notice       string
}

func (u *UI) loadUser(r *http.Request, v *view) (*userData, error) {
	d := &userData{}
	if _, err := u.call(r, http.MethodGet, "/api/v1/users/"+url.PathEscape(r.PathValue("id")), nil, &d.User); err != nil {
		return nil, err
	}
	if _, err := u.call(r, http.MethodGet, "/api/v1/organisations/"+url.PathEscape(d.User.OrganisationID), nil, &d.Organisation); err != nil {
		return nil, err
	}
	d.Details = []formField{
		{Name: "display_name", Kind: kText, Label: v.T("admin.user.f.display_name"), Value: d.User.DisplayName},
		{Name: "role", Kind: kSelect, Label: v.T("admin.user.f.role"), Options: roleOptions(v, d.Organisation.Kind), Value: d.User.Role, Required: true},
	}
	d.Password = formField{Name: "new_password", Kind: kText, Label: v.T("admin.user.f.new_password"), Hint: v.T("admin.user.h.password"), Required: true}
	v.Title, v.Nav = d.User.Email, "users"
	return d, nil
}

func (u *UI) adminUser(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	d, err := u.loadUser(r, v)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	for _, k := range []string{"created", "saved", "disabled", "enabled", "password"} {
		if q.Get(k) != "" {
			d.Notice = v.T("admin.user.done_" + k)
		}
	}
	u.render(w, http.StatusOK, "admin_user", v, d)
	return nil
}

// adminUserFailed shows the user's page again with the API's objection.
func (u *UI) adminUserFailed(w http.ResponseWriter, r *http.Request, v *view, d *userData, err error) error {
	ae, ok := formProblem(err)
	if !ok {
		var ape *apiError
		if !errors.As(err, &ape) || ape.Status != http.StatusForbidden {
			return err
		}
		ae = ape // e.g. disabling oneself: say why on the page
	}
	fields := append(slices.Clone(d.Details), d.Password)
	if markErrors(fields, ae, "") == 0 {
		d.Error = ae.Message
	} else {
		d.Error = v.T("form.fix_fields")
		copy(d.Details, fields[:len(d.Details)])
		d.Password.Error = fields[len(fields)-1].Error
	}
	u.render(w, ae.Status, "admin_user", v, d)
	return nil
}

func (u *UI) adminUpdateUser(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	d, err := u.loadUser(r, v)
	if err != nil {
		return err
	}
	for i := range d.Details {
		d.Details[i].fill(r.PostForm)
	}
	in := map[string]string{"display_name": strings.TrimSpace(d.Details[0].Value), "role": d.Details[1].Value}
	if _, err := u.call(r, http.MethodPatch, "/api/v1/users/"+url.PathEscape(d.User.ID), in, nil); err != nil {
		return u.adminUserFailed(w, r, v, d, err)
	}
	return redirect(w, r, "/admin/users/"+url.PathEscape(d.User.ID)+"?saved=1")
}

func (u *UI) adminDisableUser(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	d, err := u.loadUser(r, v)
	if err != nil {
		return err
	}
	disable := r.PostFormValue("disabled") == "true"
	if _, err := u.call(r, http.MethodPatch, "/api/v1/users/"+url.PathEscape(d.User.ID), map[string]bool{"disabled": disable}, nil); err != nil {
		return u.adminUserFailed(w, r, v, d, err)
	}
	done := "enabled"
	if disable {
		done = "disabled"
	}
	return redirect(w, r, "/admin/users/"+url.PathEscape(d.User.ID)+"?"+done+"=1")
}

func (u *UI) adminSetPassword(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	d, err := u.loadUser(r, v)
	if err != nil {
		return err
	}
	in := map[string]string{"new_password": r.PostFormValue("new_password")}
	if _, err := u.call(r, http.MethodPut, "/api/v1/users/"+url.PathEscape(d.User.ID)+"/password", in, nil); err != nil {
		return u.adminUserFailed(w, r, v, d, err)
	}
	return redirect(w, r, "/admin/users/"+url.PathEscape(d.User.ID)+"?password=1")
}
