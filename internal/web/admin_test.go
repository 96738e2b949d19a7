package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/nisnet-eu/nisnet/internal/web/browsertest"
)

const demoAdmin = "admin@csirt.example"

// client is a plain HTTP client signed in to the node's API as email.
func client(t *testing.T, node *browsertest.Node, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body, _ := json.Marshal(map[string]string{"email": email, "password": node.Demo.Password})
	resp, err := c.Post(node.URL+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("signing in %s: status %d", email, resp.StatusCode)
	}
	return c
}

// getJSON reads an API answer into out.
func getJSON(t *testing.T, c *http.Client, u string, out any) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

type apiOrg struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	MemberState string `json:"member_state"`
	Profile     struct {
		Name        string   `json:"name"`
		MemberState string   `json:"member_state"`
		EntityTypes []string `json:"entity_types"`
		ServicesIn  []string `json:"services_in"`
		Size        struct {
			Employees         *int64   `json:"employees"`
			AnnualTurnoverEUR *float64 `json:"annual_turnover_eur"`
		} `json:"size"`
		Designations struct {
			CERCritical bool `json:"cer_critical"`
		} `json:"designations"`
		GDPRRole string `json:"gdpr_role"`
	} `json:"profile"`
}

func organisations(t *testing.T, c *http.Client, node *browsertest.Node) []apiOrg {
	var pg struct {
		Items []apiOrg `json:"items"`
	}
	getJSON(t, c, node.URL+"/api/v1/organisations?limit=500", &pg)
	return pg.Items
}

type apiUser struct {
	ID             string `json:"id"`
	OrganisationID string `json:"organisation_id"`
	Email          string `json:"email"`
	Role           string `json:"role"`
	Disabled       bool   `json:"disabled"`
}

func users(t *testing.T, c *http.Client, node *browsertest.Node, org string) []apiUser {
	var pg struct {
		Items []apiUser `json:"items"`
	}
	getJSON(t, c, node.URL+"/api/v1/users?limit=500&organisation_id="+url.QueryEscape(org), &pg)
	return pg.Items
}

// signInAs signs in through the web sign-in form.
func signInAs(t *testing.T, p *browsertest.Page, node *browsertest.Node, email, password string) {
	t.Helper()
	p.Navigate(t, node.URL+"/signin")
	p.FillLabel(t, "Email address", email)
	p.FillLabel(t, "Password", password)
	p.ClickNavigate(t, "form[action='/signin'] button[type=submit]")
}

// TestAdminRegistry: the node administrator adds an entity through the
// form (an API objection shows next to its field), finds it in the
// registry and through the API, and edits its profile, also through the
// advanced JSON.
func TestAdminRegistry(t *testing.T) {
	node := browsertest.StartNode(t)
	api := client(t, node, demoAdmin)
	b := browsertest.New(t)
	p := b.NewTab(t)
	signInAs(t, p, node, demoAdmin, node.Demo.Password)

	p.Navigate(t, node.URL+"/admin/organisations")
	if got := p.Text(t, "#organisations"); !strings.Contains(got, "Example Bank N.V.") || !strings.Contains(got, "Banking") {
		t.Errorf("the registry does not list the demo bank with its sector:\n%s", got)
	}
	p.ClickText(t, "Add an entity")
	p.WaitVisible(t, "#f-name")
	p.FillLabel(t, "Name", strings.Repeat("W", 201)) // too long: the API says so
	p.Select(t, "#f-member_state", "BE")
	p.Select(t, "#f-main_establishment", "BE")
	p.Click(t, "details:has(#et-drinking-water-supplier) > summary")
	p.Click(t, "#et-drinking-water-supplier")
	p.FillLabel(t, "Employees", "120")
	p.FillLabel(t, "Annual turnover (EUR)", "30000000")
	p.Click(t, "#f-designations-cer_critical")
	p.Select(t, "#f-gdpr_role", "controller")
	if status := p.ClickNavigate(t, "form.admin-form button[type=submit]"); status != http.StatusBadRequest {
		t.Errorf("a name of 201 bytes: status %d, want 400", status)
	}
	if got := p.Text(t, "#f-name-err"); !strings.Contains(got, "200") {
		t.Errorf("the name's error next to it: %q", got)
	}
	if p.Count(t, "#et-drinking-water-supplier:checked") != 1 || p.Count(t, "#f-designations-cer_critical:checked") != 1 {
		t.Error("the form lost the ticked boxes after the API's objection")
	}
	p.ClearConsole() // the browser logs the 400 wanted here
	p.FillLabel(t, "Name", "Example Water Utility")
	browsertest.Screenshot(t, p, "entity-form")
	p.ClickNavigate(t, "form.admin-form button[type=submit]")
	if got := p.Text(t, "p.notice"); !strings.Contains(got, "Example Water Utility") {
		t.Errorf("after adding: notice %q", got)
	}
	if got := p.Text(t, "#organisations"); !strings.Contains(got, "Example Water Utility") || !strings.Contains(got, "drinking-water/supplier") {
		t.Errorf("the registry lacks the new entity:\n%s", got)
	}
	browsertest.Screenshot(t, p, "registry")

	var org *apiOrg
	for _, o := range organisations(t, api, node) {
		if o.Name == "Example Water Utility" {
			org = &o
		}
	}
	if org == nil {
		t.Fatal("the API does not list the new entity")
	}
	pr := org.Profile
	if org.Kind != "entity" || org.MemberState != "BE" || len(pr.EntityTypes) != 1 || pr.EntityTypes[0] != "drinking-water/supplier" ||
		pr.Size.Employees == nil || *pr.Size.Employees != 120 || pr.Size.AnnualTurnoverEUR == nil || *pr.Size.AnnualTurnoverEUR != 3e7 ||
		!pr.Designations.CERCritical || pr.GDPRRole != "controller" || pr.Name != "Example Water Utility" {
		t.Errorf("the stored entity: %+v", org)
	}

	// Edit: the form is prefilled; the advanced JSON adds what it lacks.
	p.ClickText(t, "Example Water Utility")
	p.WaitVisible(t, "#f-name")
	if got := Value(t, p, "#f-size-employees"); got != "120" {
		t.Errorf("edit form: employees %q, want 120", got)
	}
	p.FillLabel(t, "Employees", "130")
	p.Click(t, "details.advanced > summary")
	p.Fill(t, "#f-advanced", `{"services_in": ["BE", "NL"]}`)
	p.ClickNavigate(t, "form.admin-form button[type=submit]")
	if got := p.Text(t, "p.notice"); got == "" {
		t.Error("no notice after saving")
	}
	var after apiOrg
	getJSON(t, api, node.URL+"/api/v1/organisations/"+org.ID, &after)
	if after.Profile.Size.Employees == nil || *after.Profile.Size.Employees != 130 || len(after.Profile.ServicesIn) != 2 ||
		len(after.Profile.EntityTypes) != 1 || !after.Profile.Designations.CERCritical {
		t.Errorf("after editing: %+v", after.Profile)
	}
	// An API objection inside the advanced JSON is listed above the form.
	p.Click(t, "details.advanced > summary")
	p.Fill(t, "#f-advanced", `{"services_in": ["XX"]}`)
	if status := p.ClickNavigate(t, "form.admin-form button[type=submit]"); status != http.StatusBadRequest {
		t.Errorf("services_in XX: status %d", status)
	}
	if got := p.Text(t, ".error-box"); !strings.Contains(got, "services_in") {
		t.Errorf("the objection to services_in is not shown: %q", got)
	}
	p.ClearConsole()
	b.AssertNoConsoleErrors(t, p)
}

// Value returns the value of a form field.
func Value(t *testing.T, p *browsertest.Page, sel string) string {
	t.Helper()
	return browsertest.Eval[string](t, p, "document.querySelector("+strconv.Quote(sel)+").value")
}

const importCSV = `name,member_state,entity_types,employees,annual_turnover_eur,balance_sheet_eur,main_establishment,dora_entity_type,cer_critical,qualified_trust_service_provider,cra_manufacturer,gdpr_role
Import Good One,NL,digital-infrastructure/dns,10,2000000,,NL,,false,false,false,controller
Import Bad State,XX,digital-infrastructure/dns,10,,,,,,,,
Import Good Two,BE,energy/electricity/dso;digital-infrastructure/cloud,900,150000000,,BE,,true,,,processor
Import Bad Numbers,NL,no-such/type,-5,,,,,,,,
"Import Good Three, Bank",DE,banking/credit-institution,5000,,,DE,credit-institution,false,false,false,
`

// TestAdminImport: a CSV of three good and two bad rows, checked first
// (nothing created), then imported: the report names rows 2 to 6 and the
// columns at fault, and exactly the three good entities exist.
func TestAdminImport(t *testing.T) {
	node := browsertest.StartNode(t)
	api := client(t, node, demoAdmin)
	file := filepath.Join(t.TempDir(), "entities.csv")
	if err := os.WriteFile(file, []byte(importCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	imported := func() []string {
		var names []string
		for _, o := range organisations(t, api, node) {
			if strings.HasPrefix(o.Name, "Import ") {
				names = append(names, o.Name)
			}
		}
		return names
	}
	b := browsertest.New(t)
	p := b.NewTab(t, browsertest.WithoutJavaScript())
	signInAs(t, p, node, demoAdmin, node.Demo.Password)
	p.Navigate(t, node.URL+"/admin/organisations")
	p.ClickText(t, "Import entities (CSV)")
	p.WaitVisible(t, "#f-file")
	if got := p.Text(t, "main"); !strings.Contains(got, "entity_types") || !strings.Contains(got, "Download an example file") {
		t.Errorf("the import page does not document the format:\n%s", got)
	}

	upload := func(checkOnly bool) {
		t.Helper()
		p.Navigate(t, node.URL+"/admin/organisations/import")
		p.Run(t, "choosing the file", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file}))
		if checkOnly {
			p.Click(t, "#f-check_only")
		}
		if status := p.ClickNavigate(t, "form.admin-form button[type=submit]"); status != http.StatusOK {
			t.Errorf("import (check only %v): status %d", checkOnly, status)
		}
	}
	row := func(n string) string { return p.Text(t, "#row-"+n) }

	upload(true)
	if got := p.Text(t, ".import-report [role=status]"); !strings.Contains(got, "Nothing was created") || !strings.Contains(got, "problems: 3") {
		t.Errorf("check only: summary %q", got)
	}
	if got := row("3"); !strings.Contains(got, "column member_state") {
		t.Errorf("check only, row 3: %q", got)
	}
	if n := imported(); len(n) != 0 {
		t.Errorf("check only created %q", n)
	}

	upload(false)
	if got := p.Text(t, ".import-report [role=status]"); !strings.Contains(got, "Created: 3") || !strings.Contains(got, "Failed: 2") {
		t.Errorf("summary %q", got)
	}
	if n := p.Count(t, "#import-report tbody tr"); n != 5 {
		t.Errorf("%d rows in the report, want 5", n)
	}
	for _, n := range []string{"2", "4", "6"} {
		if got := row(n); !strings.Contains(got, "created") || !strings.Contains(got, "Open") {
			t.Errorf("row %s: %q, want created", n, got)
		}
	}
	if got := row("3"); !strings.Contains(got, "Import Bad State") || !strings.Contains(got, "failed") || !strings.Contains(got, "column member_state") {
		t.Errorf("row 3: %q", got)
	}
	if got := row("5"); !strings.Contains(got, "column employees") || !strings.Contains(got, "negative") || !strings.Contains(got, "column entity_types") {
		t.Errorf("row 5: %q", got)
	}
	browsertest.Screenshot(t, p, "import-report")
	names := imported()
	want := map[string]bool{"Import Good One": true, "Import Good Two": true, "Import Good Three, Bank": true}
	if len(names) != 3 {
		t.Errorf("organisations after the import: %q, want the 3 good ones", names)
	}
	for _, n := range names {
		if !want[n] {
			t.Errorf("unexpected organisation %q", n)
		}
	}
	// The link of a created row opens its profile.
	p.ClickNavigate(t, "#row-4 a")
	if got := Value(t, p, "#f-name"); got != "Import Good Two" {
		t.Errorf("the created row's link opens %q", got)
	}
	if p.Count(t, "#et-energy-electricity-dso:checked") != 1 {
		t.Error("Import Good Two lost its entity type energy/electricity/dso")
	}

	// The example file is served.
	resp, err := api.Get(node.URL + "/admin/organisations/import/example.csv")
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(string(ex), "name,member_state,entity_types") {
		t.Errorf("example.csv: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), ex)
	}
}

// TestAdminTeams: create a team, add the analyst, remove the supervisor.
func TestAdminTeams(t *testing.T) {
	node := browsertest.StartNode(t)
	api := client(t, node, demoAdmin)
	var me struct {
		Organisation struct {
			ID string `json:"id"`
		} `json:"organisation"`
	}
	getJSON(t, api, node.URL+"/api/v1/me", &me)
	ids := map[string]string{}
	for _, u := range users(t, api, node, me.Organisation.ID) {
		ids[u.Email] = u.ID
	}
	b := browsertest.New(t)
	p := b.NewTab(t)
	signInAs(t, p, node, demoAdmin, node.Demo.Password)
	p.Navigate(t, node.URL+"/admin/teams")
	p.FillLabel(t, "Team name", "Night shift")
	p.ClickNavigate(t, "form.admin-form button[type=submit]")
	if got := p.Text(t, "h1"); got != "Night shift" {
		t.Fatalf("after creating the team: h1 %q", got)
	}
	for _, email := range []string{"analyst@csirt.example", "supervisor@csirt.example"} {
		p.Select(t, "#f-user_id", ids[email])
		p.ClickNavigate(t, "form.admin-form button[type=submit]")
	}
	if got := p.Text(t, "#members"); !strings.Contains(got, "analyst@csirt.example") || !strings.Contains(got, "supervisor@csirt.example") {
		t.Errorf("members:\n%s", got)
	}
	p.ClickNavigate(t, "form[action$='/members/"+ids["supervisor@csirt.example"]+"/remove'] button")
	if got := p.Text(t, ".notice"); !strings.Contains(got, "removed") {
		t.Errorf("after removing: %q", got)
	}
	browsertest.Screenshot(t, p, "team")

	var teams struct {
		Items []struct{ ID, Name string } `json:"items"`
	}
	getJSON(t, api, node.URL+"/api/v1/teams", &teams)
	if len(teams.Items) == 0 {
		t.Fatal("the API lists no team")
	}
	var id string
	for _, tm := range teams.Items {
		if tm.Name == "Night shift" {
			id = tm.ID
		}
	}
	var members struct {
		Items []apiUser `json:"items"`
	}
	getJSON(t, api, node.URL+"/api/v1/teams/"+id+"/members", &members)
	if len(members.Items) != 1 || members.Items[0].Email != "analyst@csirt.example" {
		t.Errorf("the team's members through the API: %+v", members.Items)
	}
	p.Navigate(t, node.URL+"/admin/teams")
	if got := p.Text(t, "#teams"); !strings.Contains(got, "Night shift") {
		t.Errorf("the team list: %q", got)
	}
	browsertest.Screenshot(t, p, "teams")
	b.AssertNoConsoleErrors(t, p)
}

// TestAdminUsers: add a user to an entity (a role that does not fit is
// refused next to the field), set their password, disable them; the
// disabled user cannot sign in.
func TestAdminUsers(t *testing.T) {
	node := browsertest.StartNode(t)
	api := client(t, node, demoAdmin)
	var dns apiOrg
	for _, o := range organisations(t, api, node) {
		if o.Name == "Example DNS B.V." {
			dns = o
		}
	}
	b := browsertest.New(t)
	p := b.NewTab(t)
	signInAs(t, p, node, demoAdmin, node.Demo.Password)
	p.Navigate(t, node.URL+"/admin/users")
	if got := p.Text(t, "#users"); !strings.Contains(got, "soc@dns.example") || !strings.Contains(got, "ciso@hospital.example") || !strings.Contains(got, "analyst@csirt.example") {
		t.Errorf("the list lacks users of every organisation:\n%s", got)
	}
	p.Select(t, "#f-organisation_id", dns.ID)
	p.FillLabel(t, "Email address", "newbie@dns.example")
	p.FillLabel(t, "Name", "New Bie")
	p.Select(t, "#f-role", "node_admin")
	p.FillLabel(t, "Initial password", "a long initial password")
	if status := p.ClickNavigate(t, "form[method=post][action='/admin/users'] button[type=submit]"); status != http.StatusBadRequest {
		t.Errorf("node_admin for an entity: status %d, want 400", status)
	}
	if got := p.Text(t, "#f-role-err"); !strings.Contains(got, "cannot give the role") {
		t.Errorf("the role's error: %q", got)
	}
	p.ClearConsole()
	p.Select(t, "#f-role", "entity_reporter")
	p.FillLabel(t, "Initial password", "a long initial password")
	p.ClickNavigate(t, "form[method=post][action='/admin/users'] button[type=submit]")
	if got := p.Text(t, "h1"); got != "newbie@dns.example" {
		t.Fatalf("after adding: h1 %q", got)
	}
	// A new role, a new password, then disable.
	p.Select(t, "#f-role", "entity_admin")
	p.ClickNavigate(t, "form.admin-form button[type=submit]")
	if got := p.Text(t, ".notice"); got != "Saved." {
		t.Errorf("after changing the role: %q", got)
	}
	p.FillLabel(t, "New password", "another long password")
	p.ClickNavigate(t, "form[action$='/password'] button[type=submit]")
	if got := p.Text(t, ".notice"); !strings.Contains(got, "password") {
		t.Errorf("after setting the password: %q", got)
	}
	p.ClickNavigate(t, "form[action$='/disabled'] button[type=submit]")
	if got := p.Text(t, "#user-status"); got != "disabled" {
		t.Errorf("status after disabling: %q", got)
	}
	browsertest.Screenshot(t, p, "user")
	var found *apiUser
	for _, u := range users(t, api, node, dns.ID) {
		if u.Email == "newbie@dns.example" {
			found = &u
		}
	}
	if found == nil || !found.Disabled || found.Role != "entity_admin" {
		t.Errorf("the user through the API: %+v", found)
	}
	p.Navigate(t, node.URL+"/admin/users")
	if got := p.Text(t, "#users"); !strings.Contains(got, "newbie@dns.example") {
		t.Errorf("the list lacks the new user")
	}
	browsertest.Screenshot(t, p, "users")
	b.AssertNoConsoleErrors(t, p)

	// The disabled user cannot sign in, even with the right password.
	other := browsertest.New(t).NewTab(t)
	signInAs(t, other, node, "newbie@dns.example", "another long password")
	if got := other.Text(t, ".error-box"); !strings.Contains(got, "Wrong email address or password") {
		t.Errorf("a disabled user signing in: %q", got)
	}
	if !strings.Contains(other.URL(t), "/signin") {
		t.Errorf("a disabled user reached %s", other.URL(t))
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestAdminHTTP: the admin pages refuse other roles, an import without the
// CSRF token and an upload above the limit.
func TestAdminHTTP(t *testing.T) {
	node := browsertest.StartNode(t)
	entityAdmin := client(t, node, "admin@dns.example")
	for _, path := range []string{"/admin/organisations", "/admin/users", "/admin/teams", "/admin/organisations/import"} {
		resp, err := entityAdmin.Get(node.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "You do not have permission") {
			t.Errorf("entity admin GET %s: %d", path, resp.StatusCode)
		}
		for _, secret := range []string{"Example Bank", "Example General Hospital", "ict-risk@bank.example"} {
			if strings.Contains(string(body), secret) {
				t.Errorf("entity admin GET %s shows %q", path, secret)
			}
		}
	}
	analyst := client(t, node, "analyst@csirt.example")
	if resp, err := analyst.Get(node.URL + "/admin/organisations"); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst GET /admin/organisations: %v %v", resp.StatusCode, err)
	}

	admin := client(t, node, demoAdmin)
	resp, err := admin.Get(node.URL + "/admin/organisations/import")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		t.Fatal("no csrf field on the import page")
	}
	csrf := string(m[1])
	post := func(withCSRF bool, content []byte) int {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		if withCSRF {
			mw.WriteField("csrf", csrf)
		}
		fw, _ := mw.CreateFormFile("file", "entities.csv")
		fw.Write(content)
		mw.Close()
		resp, err := admin.Post(node.URL+"/admin/organisations/import", mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatalf("posting the import: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := post(false, []byte(importCSV)); s != http.StatusForbidden {
		t.Errorf("import without csrf: %d, want 403", s)
	}
	big := bytes.Repeat([]byte("Import Huge,NL,,,,,,,,,,\n"), 5<<20/24)
	if s := post(true, append([]byte("name,member_state\n"), big...)); s != http.StatusRequestEntityTooLarge {
		t.Errorf("import of 5 MiB: %d, want 413", s)
	}
	for _, o := range organisations(t, admin, node) {
		if strings.HasPrefix(o.Name, "Import ") {
			t.Errorf("a refused import created %q", o.Name)
		}
	}
	// Every page in both languages, without a missing message.
	var orgID, userID, teamID string
	for _, o := range organisations(t, admin, node) {
		if o.Kind == "entity" {
			orgID = o.ID
		}
	}
	userID = users(t, admin, node, orgID)[0].ID
	req, _ := http.NewRequest(http.MethodPost, node.URL+"/api/v1/teams", strings.NewReader(`{"name":"Day shift"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := admin.Do(req); err == nil {
		var tm struct{ ID string }
		json.NewDecoder(resp.Body).Decode(&tm)
		resp.Body.Close()
		teamID = tm.ID
	}
	for _, lang := range []string{"en", "nl"} {
		for _, path := range []string{"/admin/organisations", "/admin/organisations/new", "/admin/organisations/" + orgID,
			"/admin/organisations/import", "/admin/users", "/admin/users/" + userID, "/admin/teams", "/admin/teams/" + teamID} {
			req, _ := http.NewRequest(http.MethodGet, node.URL+path, nil)
			req.Header.Set("Accept-Language", lang)
			resp, err := admin.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte("[[")) || !bytes.Contains(body, []byte(`lang="`+lang+`"`)) {
				t.Errorf("%s %s: status %d, missing messages %q", lang, path, resp.StatusCode, regexp.MustCompile(`\[\[[^\]]*\]\]`).FindAll(body, -1))
			}
		}
	}

	// With the token, the same import works.
	if s := post(true, []byte(importCSV)); s != http.StatusOK {
		t.Errorf("import with csrf: %d", s)
	}
}
