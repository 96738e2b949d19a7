package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The node administrator's pages: the registry of entities (this file),
// the CSV import (admin_import.go), users (admin_users.go) and teams
// (admin_teams.go). Other readers get the forbidden page; the API checks
// the role again on every call.

// adminRoutes registers the node administrator's pages.
func (u *UI) adminRoutes(page func(string, pageFunc)) {
	page("GET /admin/organisations", u.adminOrganisations)
	page("GET /admin/organisations/new", u.adminNewOrganisation)
	page("POST /admin/organisations/new", u.adminCreateOrganisation)
	page("GET /admin/organisations/{id}", u.adminOrganisation)
	page("POST /admin/organisations/{id}", u.adminUpdateOrganisation)
	page("GET /admin/organisations/import", u.adminImportForm)
	page("POST /admin/organisations/import", u.adminImport)
	page("GET /admin/organisations/import/example.csv", u.adminImportExample)
	page("GET /admin/users", u.adminUsers)
	page("POST /admin/users", u.adminCreateUser)
	page("GET /admin/users/{id}", u.adminUser)
	page("POST /admin/users/{id}", u.adminUpdateUser)
	page("POST /admin/users/{id}/disabled", u.adminDisableUser)
	page("POST /admin/users/{id}/password", u.adminSetPassword)
	page("GET /admin/teams", u.adminTeams)
	page("POST /admin/teams", u.adminCreateTeam)
	page("GET /admin/teams/{id}", u.adminTeam)
	page("POST /admin/teams/{id}/members", u.adminAddMember)
	page("POST /admin/teams/{id}/members/{user_id}/remove", u.adminRemoveMember)
}

// requireNodeAdmin lets only the node administrator through.
func requireNodeAdmin(v *view) error {
	if v.Me == nil {
		return errSignIn
	}
	if !v.NodeAdmin() {
		return &pageError{Status: http.StatusForbidden, Message: v.T("error.forbidden")}
	}
	return nil
}

// The API's answers as the admin pages read them.
type adminOrg struct {
	ID          string          `json:"id"`
	Kind        string          `json:"kind"`
	Name        string          `json:"name"`
	MemberState string          `json:"member_state"`
	Profile     json.RawMessage `json:"profile"`
	CreatedAt   time.Time       `json:"created_at"`
}

type adminUser struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation_id"`
	Email          string    `json:"email"`
	DisplayName    string    `json:"display_name"`
	Role           string    `json:"role"`
	Disabled       bool      `json:"disabled"`
	CreatedAt      time.Time `json:"created_at"`
}

type adminTeam struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation_id"`
	Name           string    `json:"name"`
	CreatedAt      time.Time `json:"created_at"`
}

type vocabEntry struct {
	Code       string            `json:"code"`
	Label      string            `json:"label"`
	Parent     string            `json:"parent"`
	Attributes map[string]string `json:"attributes"`
}

// maxListPages bounds how many pages of 500 a list reads (100 000 rows).
const maxListPages = 200

// listAll reads every page of an API list (path without limit or offset).
func listAll[T any](u *UI, r *http.Request, path string) ([]T, error) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var all []T
	offset := 0
	for range maxListPages {
		var pg struct {
			Items      []T  `json:"items"`
			NextOffset *int `json:"next_offset"`
		}
		if _, err := u.call(r, http.MethodGet, fmt.Sprintf("%s%slimit=500&offset=%d", path, sep, offset), nil, &pg); err != nil {
			return nil, err
		}
		all = append(all, pg.Items...)
		if pg.NextOffset == nil || len(pg.Items) == 0 {
			break
		}
		offset = *pg.NextOffset
	}
	return all, nil
}

// vocabulary reads one of the API's vocabularies.
func (u *UI) vocabulary(r *http.Request, name string) ([]vocabEntry, error) {
	var voc struct {
		Entries []vocabEntry `json:"entries"`
	}
	_, err := u.call(r, http.MethodGet, "/api/v1/vocabularies/"+url.PathEscape(name), nil, &voc)
	return voc.Entries, err
}

// formProblem turns an API refusal of a form (400, 409, 422) into the
// form's own error; other errors pass on to the error page.
func formProblem(err error) (*apiError, bool) {
	var ae *apiError
	if errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusConflict || ae.Status == http.StatusUnprocessableEntity) {
		return ae, true
	}
	return nil, false
}

// ---- The registry of organisations ----

// orgRow is one organisation in the registry.
type orgRow struct {
	adminOrg
	Sectors     []string
	EntityTypes []string
}

func (u *UI) adminOrganisations(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	orgs, err := listAll[adminOrg](u, r, "/api/v1/organisations")
	if err != nil {
		return err
	}
	types, err := u.vocabulary(r, "nis2-entity-types")
	if err != nil {
		return err
	}
	labels := map[string]string{}
	for _, e := range types {
		labels[e.Code] = e.Label
	}
	rows := make([]orgRow, 0, len(orgs))
	for _, o := range orgs {
		row := orgRow{adminOrg: o}
		var p struct {
			EntityTypes []string `json:"entity_types"`
		}
		json.Unmarshal(o.Profile, &p)
		for _, t := range p.EntityTypes {
			row.EntityTypes = append(row.EntityTypes, t)
			sector, _, _ := strings.Cut(t, "/")
			if l := labels[sector]; l != "" && !slices.Contains(row.Sectors, l) {
				row.Sectors = append(row.Sectors, l)
			}
		}
		rows = append(rows, row)
	}
	var added *adminOrg
	if id := r.URL.Query().Get("added"); id != "" {
		for i := range orgs {
			if orgs[i].ID == id {
				added = &orgs[i]
			}
		}
	}
	v.Title, v.Nav = v.T("admin.organisations.title"), "organisations"
	u.render(w, http.StatusOK, "admin_organisations", v, map[string]any{"Rows": rows, "Added": added})
	return nil
}

// entityForm is the form of an entity's NIS2 profile: its common fields,
// the entity types as checkboxes by sector, and the whole profile as JSON
// for what the form lacks.
type entityForm struct {
	ID            string // empty: a new entity
	Main          []formField
	Size          []formField
	Regimes       []formField
	Sectors       []typeSector
	TypesError    string
	Advanced      string
	AdvancedError string
	Error         string
	Problems      []string // the API's objections that no field shows
	Saved         bool
}

// typeSector is a sector of the NIS2 Annexes with its entity types.
type typeSector struct {
	Code, Label string
	Open        bool
	Types       []typeChoice
}

type typeChoice struct {
	Code, Label, ID string
	Checked         bool
}

// entityFormPaths are the profile keys the form's fields set: they take
// precedence over the advanced JSON.
var entityFormPaths = []string{"name", "member_state", "main_establishment", "size.employees", "size.annual_turnover_eur",
	"size.balance_sheet_eur", "dora.entity_type", "gdpr_role", "designations.cer_critical", "qualified_trust_service_provider", "cra.manufacturer"}

// newEntityForm builds the empty form with its vocabularies.
func (u *UI) newEntityForm(r *http.Request, v *view) (*entityForm, error) {
	states, err := u.vocabulary(r, "member-states")
	if err != nil {
		return nil, err
	}
	dora, err := u.vocabulary(r, "dora-entity-types")
	if err != nil {
		return nil, err
	}
	types, err := u.vocabulary(r, "nis2-entity-types")
	if err != nil {
		return nil, err
	}
	msOpts := []option{{"", v.T("admin.org.choose")}}
	for _, s := range states {
		msOpts = append(msOpts, option{s.Code, s.Code + " — " + s.Label})
	}
	doraOpts := []option{{"", v.T("admin.org.no_dora")}}
	for _, d := range dora {
		doraOpts = append(doraOpts, option{d.Code, d.Label})
	}
	f := func(name, kind string, opts []option) formField {
		return formField{Name: name, Kind: kind, Label: v.T("admin.org.f." + name), Options: opts}
	}
	d := &entityForm{Advanced: "{}"}
	d.Main = []formField{f("name", kText, nil), f("member_state", kSelect, msOpts), f("main_establishment", kSelect, msOpts)}
	d.Main[0].Required = true
	d.Main[1].Required = true
	d.Main[2].Hint = v.T("admin.org.h.main_establishment")
	d.Size = []formField{f("size.employees", kInt, nil), f("size.annual_turnover_eur", kNumber, nil), f("size.balance_sheet_eur", kNumber, nil)}
	d.Regimes = []formField{f("dora.entity_type", kSelect, doraOpts),
		f("gdpr_role", kSelect, []option{{"", v.T("admin.org.gdpr_none")}, {"controller", v.T("admin.org.gdpr_controller")}, {"processor", v.T("admin.org.gdpr_processor")}}),
		f("designations.cer_critical", kBool, nil), f("qualified_trust_service_provider", kBool, nil), f("cra.manufacturer", kBool, nil)}

	byCode := map[string]vocabEntry{}
	idx := map[string]int{}
	for _, e := range types {
		byCode[e.Code] = e
		switch e.Attributes["level"] {
		case "sector":
			idx[e.Code] = len(d.Sectors)
			d.Sectors = append(d.Sectors, typeSector{Code: e.Code, Label: e.Label})
		case "entity_type":
			sector, _, _ := strings.Cut(e.Code, "/")
			i, ok := idx[sector]
			if !ok {
				continue
			}
			label := e.Label
			if p, ok := byCode[e.Parent]; ok && p.Attributes["level"] == "subsector" {
				label = p.Label + ": " + label
			}
			d.Sectors[i].Types = append(d.Sectors[i].Types, typeChoice{Code: e.Code, Label: label, ID: "et-" + idSafe(e.Code)})
		}
	}
	return d, nil
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

func idSafe(s string) string { return unsafeID.ReplaceAllString(s, "-") }

// fields returns all the form's simple fields, for filling and errors.
func (d *entityForm) fields() []*formField {
	var out []*formField
	for _, g := range [][]formField{d.Main, d.Size, d.Regimes} {
		for i := range g {
			out = append(out, &g[i])
		}
	}
	return out
}

// checkTypes ticks the entity types in codes and opens their sectors.
func (d *entityForm) checkTypes(codes []string) {
	for si := range d.Sectors {
		for ti := range d.Sectors[si].Types {
			c := &d.Sectors[si].Types[ti]
			c.Checked = slices.Contains(codes, c.Code)
			d.Sectors[si].Open = d.Sectors[si].Open || c.Checked
		}
	}
}

// fillFromProfile prefills the form from a stored profile.
func (d *entityForm) fillFromProfile(name string, profile json.RawMessage) {
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(profile))
	dec.UseNumber()
	if dec.Decode(&root) != nil || root == nil {
		root = map[string]any{}
	}
	for _, f := range d.fields() {
		x, ok := getPath(root, f.Name)
		switch {
		case f.Kind == kBool:
			b, _ := x.(bool)
			f.Checked = b
		case ok:
			f.Value = fmt.Sprint(x)
		}
	}
	d.Main[0].Value = name
	var codes []string
	if list, ok := root["entity_types"].([]any); ok {
		for _, c := range list {
			codes = append(codes, fmt.Sprint(c))
		}
	}
	d.checkTypes(codes)
	pretty, err := json.MarshalIndent(root, "", "  ")
	if err == nil {
		d.Advanced = string(pretty)
	}
}

// fillFromForm takes the submitted values.
func (d *entityForm) fillFromForm(form url.Values) {
	for _, f := range d.fields() {
		f.fill(form)
	}
	d.checkTypes(form["entity_types"])
	d.Advanced = form.Get("advanced")
}

// profile builds the profile JSON: the advanced JSON with the form's
// fields laid over it. bad counts fields that could not be read.
func (d *entityForm) profile(v *view) (map[string]any, int) {
	bad := 0
	root := map[string]any{}
	if s := strings.TrimSpace(d.Advanced); s != "" {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if err := dec.Decode(&root); err != nil || root == nil {
			d.AdvancedError = v.T("admin.org.bad_json")
			root = map[string]any{}
			bad++
		}
	}
	for _, p := range entityFormPaths {
		deletePath(root, p)
	}
	for _, f := range d.fields() {
		x, ok, err := f.value(v.Zone)
		if err != nil {
			f.Error = v.T("form.invalid_" + f.Kind)
			bad++
			continue
		}
		if ok {
			setPath(root, f.Name, x)
		}
	}
	var codes []string
	for _, s := range d.Sectors {
		for _, t := range s.Types {
			if t.Checked {
				codes = append(codes, t.Code)
			}
		}
	}
	delete(root, "entity_types")
	if len(codes) > 0 {
		root["entity_types"] = codes
	}
	for _, k := range []string{"size", "designations", "cra", "dora"} {
		if m, ok := root[k].(map[string]any); ok && len(m) == 0 {
			delete(root, k)
		}
	}
	if m, ok := root["dora"].(map[string]any); ok && m["entity_type"] == nil {
		delete(root, "dora") // the form's select says: not a DORA entity
	}
	return root, bad
}

// getPath reads a dotted path in a tree of JSON objects.
func getPath(root map[string]any, path string) (any, bool) {
	parts := strings.Split(path, ".")
	m := root
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return nil, false
		}
		m = next
	}
	x, ok := m[parts[len(parts)-1]]
	return x, ok
}

// deletePath removes a dotted path from a tree of JSON objects.
func deletePath(root map[string]any, path string) {
	parts := strings.Split(path, ".")
	m := root
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
	delete(m, parts[len(parts)-1])
}

// indexSuffix matches the index of a list element in an API field name.
var indexSuffix = regexp.MustCompile(`\[\d+\]`)

// apiFailed shows the API's objections next to the fields they concern,
// and lists the others above the form.
func (d *entityForm) apiFailed(v *view, ae *apiError) {
	d.Error = v.T("form.fix_fields")
	for _, fe := range ae.Fields {
		name := strings.TrimPrefix(fe.Field, "profile.")
		plain := indexSuffix.ReplaceAllString(name, "")
		shown := false
		for _, f := range d.fields() {
			if f.Name == name || (f.Name == "member_state" && fe.Field == "member_state") {
				f.Error, shown = fe.Message, true
			}
		}
		if plain == "entity_types" {
			d.TypesError = strings.TrimSpace(d.TypesError + " " + fe.Message)
			shown = true
		}
		if !shown {
			d.Problems = append(d.Problems, fe.Field+": "+fe.Message)
		}
	}
	if len(ae.Fields) == 0 {
		d.Error = ae.Message
	}
}

func (u *UI) adminNewOrganisation(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	d, err := u.newEntityForm(r, v)
	if err != nil {
		return err
	}
	v.Title, v.Nav = v.T("admin.org.new"), "organisations"
	u.render(w, http.StatusOK, "admin_organisation", v, d)
	return nil
}

func (u *UI) adminCreateOrganisation(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	d, err := u.newEntityForm(r, v)
	if err != nil {
		return err
	}
	d.fillFromForm(r.PostForm)
	v.Title, v.Nav = v.T("admin.org.new"), "organisations"
	profile, bad := d.profile(v)
	if bad > 0 {
		d.Error = v.T("form.fix_fields")
		u.render(w, http.StatusBadRequest, "admin_organisation", v, d)
		return nil
	}
	var created adminOrg
	name := strings.TrimSpace(d.Main[0].Value)
	_, err = u.call(r, http.MethodPost, "/api/v1/organisations", map[string]any{"name": name, "profile": profile}, &created)
	if ae, ok := formProblem(err); ok {
		d.apiFailed(v, ae)
		u.render(w, ae.Status, "admin_organisation", v, d)
		return nil
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/admin/organisations?added="+url.QueryEscape(created.ID))
}

func (u *UI) adminOrganisation(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	var o adminOrg
	if _, err := u.call(r, http.MethodGet, "/api/v1/organisations/"+url.PathEscape(r.PathValue("id")), nil, &o); err != nil {
		return err
	}
	if o.Kind != "entity" {
		return &pageError{Status: http.StatusBadRequest, Message: v.T("admin.org.not_entity")}
	}
	d, err := u.newEntityForm(r, v)
	if err != nil {
		return err
	}
	d.ID = o.ID
	d.fillFromProfile(o.Name, o.Profile)
	d.Saved = r.URL.Query().Get("saved") != ""
	v.Title, v.Nav = o.Name, "organisations"
	u.render(w, http.StatusOK, "admin_organisation", v, d)
	return nil
}

func (u *UI) adminUpdateOrganisation(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	id := r.PathValue("id")
	d, err := u.newEntityForm(r, v)
	if err != nil {
		return err
	}
	d.ID = id
	d.fillFromForm(r.PostForm)
	v.Title, v.Nav = strings.TrimSpace(d.Main[0].Value), "organisations"
	profile, bad := d.profile(v)
	if bad > 0 {
		d.Error = v.T("form.fix_fields")
		u.render(w, http.StatusBadRequest, "admin_organisation", v, d)
		return nil
	}
	name := strings.TrimSpace(d.Main[0].Value)
	_, err = u.call(r, http.MethodPatch, "/api/v1/organisations/"+url.PathEscape(id), map[string]any{"name": name, "profile": profile}, nil)
	if ae, ok := formProblem(err); ok {
		d.apiFailed(v, ae)
		u.render(w, ae.Status, "admin_organisation", v, d)
		return nil
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/admin/organisations/"+url.PathEscape(id)+"?saved=1")
}
