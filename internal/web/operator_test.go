package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/nisnet-eu/nisnet/internal/web/browsertest"
)

// signIn signs in through the sign-in page.
func signIn(t *testing.T, p *browsertest.Page, node *browsertest.Node, email string) {
	t.Helper()
	p.Navigate(t, node.URL+"/signin")
	p.FillLabel(t, "Email address", email)
	p.FillLabel(t, "Password", node.Demo.Password)
	p.ClickNavigate(t, "form.narrow button[type=submit]")
	if u := p.URL(t); strings.Contains(u, "/signin") {
		t.Fatalf("signing in as %s: still on %s: %s", email, u, p.Text(t, "main"))
	}
}

// apiGet reads an API answer with the demo's API token (Example DNS B.V.).
func apiGet(t *testing.T, node *browsertest.Node, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, node.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+node.Demo.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// apiSHA returns the SHA-256 the API lists for a submission.
func apiSHA(t *testing.T, node *browsertest.Node, incidentID, submissionID string) string {
	t.Helper()
	var list struct {
		Items []struct {
			ID     string `json:"id"`
			Report string `json:"report"`
			SHA256 string `json:"sha256"`
		} `json:"items"`
	}
	apiGet(t, node, "/api/v1/incidents/"+incidentID+"/reports", &list)
	for _, it := range list.Items {
		if it.ID == submissionID {
			return it.SHA256
		}
	}
	t.Fatalf("the API lists no submission %s on incident %s: %+v", submissionID, incidentID, list.Items)
	return ""
}

// checkReceipt asserts the page is the receipt of report and its SHA-256
// is the API's; it returns the submission id.
func checkReceipt(t *testing.T, p *browsertest.Page, node *browsertest.Node, incidentID, title string) string {
	t.Helper()
	if h := p.Text(t, "h1"); !strings.Contains(h, "Receipt") || !strings.Contains(h, title) {
		t.Fatalf("receipt heading %q, want the receipt of %s; page: %s", h, title, p.Text(t, "main"))
	}
	id := strings.TrimSpace(p.Text(t, "#receipt-id"))
	sha := strings.TrimSpace(p.Text(t, "#receipt-sha256"))
	if len(sha) != 64 {
		t.Errorf("receipt SHA-256 %q is not 64 hex digits", sha)
	}
	if want := apiSHA(t, node, incidentID, id); sha != want {
		t.Errorf("receipt shows SHA-256 %s, the API lists %s", sha, want)
	}
	if !strings.Contains(p.Text(t, ".receipt"), "UTC") {
		t.Errorf("the receipt shows no UTC time: %s", p.Text(t, ".receipt"))
	}
	return id
}

// incidentIDFromURL returns the {id} of a URL /incidents/{id}[/…].
func incidentIDFromURL(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "incidents" {
		t.Fatalf("not an incident URL: %s", raw)
	}
	return parts[1]
}

// TestOperatorAssessAndFile: an operator assesses a new incident, reports
// it, files the early warning and the notification and gets receipts whose
// SHA-256 is the API's.
func TestOperatorAssessAndFile(t *testing.T) {
	node := browsertest.StartNode(t)
	b := browsertest.New(t)
	p := b.NewTab(t)
	signIn(t, p, node, "soc@dns.example")

	p.Navigate(t, node.URL+"/incidents")
	if got := p.Text(t, "main"); !strings.Contains(got, node.Demo.IncidentReference) || !strings.Contains(got, "Report a new incident") {
		t.Fatalf("my incidents lacks the demo incident or the link to report one: %s", got)
	}
	if got := p.Text(t, "tr.overdue"); !strings.Contains(got, "Overdue") {
		t.Errorf("the overdue incident is not marked Overdue in words: %q", got)
	}
	browsertest.Screenshot(t, p, "my-incidents")

	p.ClickNavigate(t, "a[href='/assess']")
	p.FillLabel(t, "Short title", "Resolver cluster down")
	// DNS resolution completely unavailable for more than 30 minutes is
	// significant (Implementing Regulation 2024/2690 Art 5).
	p.Fill(t, "#f-incident-impact-complete_unavailability", "2h")
	p.ClickNavigate(t, "button[value=assess]")
	if got := p.Text(t, "table.obligations"); !strings.Contains(got, "Early warning") || !strings.Contains(got, "UTC") {
		t.Fatalf("the verdict shows no early warning with a due time: %s", got)
	}
	if p.Count(t, ".result .countdown") == 0 {
		t.Error("the verdict shows no countdown")
	}
	p.ClickNavigate(t, "button[value=report]")
	incID := incidentIDFromURL(t, p.URL(t))
	if h := p.Text(t, "h1"); h != "Resolver cluster down" {
		t.Errorf("incident page heading %q", h)
	}
	browsertest.Screenshot(t, p, "incident")

	// The early warning.
	p.ClickNavigate(t, "a[href$='/reports/nis2.early_warning']")
	if h := p.Text(t, "h1"); h != "Early warning" {
		t.Fatalf("report form heading %q", h)
	}
	if n := p.Count(t, "form.op-report [name]:not([type=hidden]):not(button)"); n != 3 {
		t.Errorf("the early warning form has %d fields, want the 3 of internal/report", n)
	}
	browsertest.Screenshot(t, p, "report-form")
	p.Select(t, "#f-suspected_malicious", "yes")
	p.Select(t, "#f-cross_border_impact", "no")
	p.Fill(t, "#f-summary", "All four resolvers unreachable since 09:10.")
	p.ClickNavigate(t, "button[value=submit]")
	checkReceipt(t, p, node, incID, "Early warning")
	if got := p.Text(t, ".receipt"); !strings.Contains(got, "All four resolvers unreachable") || !strings.Contains(got, "On time") {
		t.Errorf("the receipt lacks the submitted summary or its timeliness: %s", got)
	}
	browsertest.Screenshot(t, p, "receipt")

	// The notification, after a failed attempt whose errors show by the fields.
	p.Navigate(t, node.URL+"/incidents/"+incID)
	if got := p.Text(t, "table:not(.obligations)"); !strings.Contains(got, "Early warning") {
		t.Errorf("the incident page does not list the submitted early warning: %s", got)
	}
	if p.Count(t, "a[href$='/reports/nis2.early_warning']") != 1 || !strings.Contains(p.Text(t, ".op-actions"), "update or correction: Early warning") {
		t.Errorf("the submitted early warning has no update link: %s", p.Text(t, ".op-actions"))
	}
	p.ClickNavigate(t, "a[href$='/reports/nis2.notification']")
	p.Fill(t, "#f-initial_assessment", "Configuration error in an automated rollout.")
	p.Select(t, "#f-severity", "high")
	p.Fill(t, "#f-impact", "Resolution failed for 2 hours for all customers.")
	p.Fill(t, "#f-indicators_of_compromise", "none\nknown")
	p.ClickNavigate(t, "button[value=submit]")
	checkReceipt(t, p, node, incID, "Incident notification")
	if got := p.Text(t, ".receipt"); !strings.Contains(got, "High") || !strings.Contains(got, "none, known") {
		t.Errorf("the receipt lacks the severity or the indicators: %s", got)
	}
	b.AssertNoConsoleErrors(t, p)
}

// TestOperatorReportFormErrors: the API's objections show next to fields.
func TestOperatorReportFormErrors(t *testing.T) {
	node := browsertest.StartNode(t)
	b := browsertest.New(t)
	p := b.NewTab(t, browsertest.WithoutJavaScript())
	signIn(t, p, node, "soc@dns.example")
	p.Navigate(t, node.URL+"/incidents/"+node.Demo.IncidentID+"/reports/nis2.notification")
	// Past the browser's own checks of required fields, to the API's.
	browsertest.Eval[bool](t, p, `(document.querySelectorAll("[required]").forEach(e => e.removeAttribute("required")), true)`)
	p.Fill(t, "#f-impact", "Some impact")
	if status := p.ClickNavigate(t, "button[value=submit]"); status != http.StatusBadRequest {
		t.Errorf("submitting an incomplete notification: status %d, want 400", status)
	}
	if got := p.Text(t, "#f-initial_assessment-err"); !strings.Contains(got, "required") {
		t.Errorf("no error next to the initial assessment: %q", got)
	}
	if got := p.Text(t, "#f-severity-err"); !strings.Contains(got, "required") {
		t.Errorf("no error next to the severity: %q", got)
	}
	if got := browsertest.Eval[string](t, p, `document.querySelector("#f-impact").value`); got != "Some impact" {
		t.Errorf("the entered impact was lost: %q", got)
	}
	if p.Navigate(t, node.URL+"/incidents/"+node.Demo.IncidentID+"/reports/nis2.nonsense") != http.StatusNotFound {
		t.Error("an unknown report id is not a 404 page")
	}
}

// TestOperatorReportKeyboard: the report form is reached, filled and sent
// with the keyboard alone.
func TestOperatorReportKeyboard(t *testing.T) {
	node := browsertest.StartNode(t)
	b := browsertest.New(t)
	p := b.NewTab(t)
	signIn(t, p, node, "soc@dns.example")
	p.Navigate(t, node.URL+"/incidents/"+node.Demo.IncidentID+"/reports/nis2.early_warning")

	var seen []string
	for i := 0; i < 40; i++ {
		f := p.Tab(t)
		seen = append(seen, f)
		if strings.HasPrefix(f, "select#f-suspected_malicious") {
			break
		}
	}
	if last := seen[len(seen)-1]; !strings.HasPrefix(last, "select#f-suspected_malicious") {
		t.Fatalf("Tab never reached the first field; focus went: %s", strings.Join(seen, " → "))
	}
	if !strings.Contains(seen[0], "Skip to content") {
		t.Errorf("the first Tab stop is %q, want the skip link", seen[0])
	}
	p.Press(t, kb.ArrowDown) // Yes
	want := []string{
		`select#f-cross_border_impact "Could have a cross-border impact *"`,
		`textarea#f-summary "Short description"`,
		`button "Save draft"`,
		`button "Submit report"`,
	}
	var got []string
	for i, w := range want {
		f := p.Tab(t)
		got = append(got, f)
		if f != w {
			t.Fatalf("Tab stop %d after the first field is %q, want %q (so far: %s)", i+1, f, w, strings.Join(got, " → "))
		}
		switch i {
		case 0:
			p.Press(t, kb.ArrowDown)
			p.Press(t, kb.ArrowDown) // No
		case 1:
			p.Press(t, "Typed with the keyboard only.")
		}
	}
	if v := browsertest.Eval[string](t, p, `document.querySelector("#f-suspected_malicious").value + "/" + document.querySelector("#f-cross_border_impact").value`); v != "yes/no" {
		t.Errorf("the selects hold %q after the arrow keys, want yes/no", v)
	}
	p.Press(t, kb.Enter)
	p.WaitVisible(t, "#receipt-sha256")
	checkReceipt(t, p, node, node.Demo.IncidentID, "Early warning")
	if got := p.Text(t, ".receipt"); !strings.Contains(got, "Typed with the keyboard only.") {
		t.Errorf("the receipt lacks the typed summary: %s", got)
	}
	b.AssertNoConsoleErrors(t, p)
}

// TestOperatorReportWithoutJavaScript files a report with JavaScript off.
func TestOperatorReportWithoutJavaScript(t *testing.T) {
	node := browsertest.StartNode(t)
	b := browsertest.New(t)
	p := b.NewTab(t, browsertest.WithoutJavaScript())
	signIn(t, p, node, "soc@dns.example")
	p.Navigate(t, node.URL+"/incidents/"+node.Demo.IncidentID)
	p.ClickNavigate(t, "a[href$='/reports/nis2.early_warning']")
	p.Select(t, "#f-suspected_malicious", "no")
	p.Select(t, "#f-cross_border_impact", "no")
	p.ClickNavigate(t, "button[value=submit]")
	checkReceipt(t, p, node, node.Demo.IncidentID, "Early warning")

	// The message thread works without JavaScript too.
	p.Navigate(t, node.URL+"/incidents/"+node.Demo.IncidentID)
	p.Fill(t, "#f-text", "Early warning filed; notification follows.")
	p.ClickNavigate(t, ".op-thread button[type=submit]")
	if u := p.URL(t); !strings.HasSuffix(u, "#thread") {
		t.Errorf("after sending a message the page is %s, want the thread", u)
	}
	if got := p.Text(t, ".op-thread .timeline"); !strings.Contains(got, "Early warning filed; notification follows.") || !strings.Contains(got, "Your organisation") {
		t.Errorf("the thread does not show the message: %s", got)
	}
}

// TestOperatorDraft saves a draft and finds it prefilled.
func TestOperatorDraft(t *testing.T) {
	node := browsertest.StartNode(t)
	b := browsertest.New(t)
	p := b.NewTab(t)
	signIn(t, p, node, "soc@dns.example")
	form := node.URL + "/incidents/" + node.Demo.IncidentID + "/reports/nis2.notification"
	p.Navigate(t, form)
	p.Fill(t, "#f-initial_assessment", "Half-written assessment")
	p.Select(t, "#f-severity", "medium")
	p.Fill(t, "#f-indicators_of_compromise", "198.51.100.7\nevil.example")
	p.ClickNavigate(t, "button[value=draft]")
	if got := p.Text(t, "p.notice"); !strings.Contains(got, "draft has been saved") {
		t.Errorf("no saved notice: %q", got)
	}
	var draft struct {
		Body map[string]any `json:"body"`
	}
	apiGet(t, node, "/api/v1/incidents/"+node.Demo.IncidentID+"/drafts/nis2.notification", &draft)
	if draft.Body["initial_assessment"] != "Half-written assessment" || draft.Body["severity"] != "medium" {
		t.Errorf("the API holds the draft %v", draft.Body)
	}
	p.Navigate(t, node.URL+"/incidents")
	p.Navigate(t, form)
	vals := browsertest.Eval[string](t, p, `["#f-initial_assessment", "#f-severity", "#f-indicators_of_compromise", "#f-impact"].map(s => document.querySelector(s).value).join("|")`)
	if vals != "Half-written assessment|medium|198.51.100.7\nevil.example|" {
		t.Errorf("the form is prefilled with %q", vals)
	}
	if !strings.Contains(p.Text(t, "main"), "Filled in from your draft") {
		t.Error("the form does not say it was filled from the draft")
	}
}

// TestOperatorTokensAndAccount: an entity administrator creates an API
// token and sees it once; changes the account and sees API errors.
func TestOperatorTokensAndAccount(t *testing.T) {
	node := browsertest.StartNode(t)
	b := browsertest.New(t)
	p := b.NewTab(t)
	signIn(t, p, node, "admin@dns.example")

	p.Navigate(t, node.URL+"/organisation/tokens")
	p.FillLabel(t, "Name", "Ticketing system")
	p.Select(t, "#f-role", "entity_reporter")
	p.FillLabel(t, "Valid for (days)", "30")
	p.ClickNavigate(t, "form.narrow button.primary")
	secret := browsertest.Eval[string](t, p, `document.querySelector("#token-secret").value`)
	if len(secret) < 20 || !strings.Contains(p.Text(t, ".op-secret"), "only this once") {
		t.Fatalf("the new token's secret is not shown with its warning: %q / %s", secret, p.Text(t, "main"))
	}
	browsertest.Screenshot(t, p, "token-created")
	req, _ := http.NewRequest(http.MethodGet, node.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the shown token does not work: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	p.Navigate(t, node.URL+"/organisation/tokens")
	if p.Count(t, "#token-secret") != 0 || strings.Contains(p.Text(t, "body"), secret) {
		t.Error("the token's secret is shown again")
	}
	if !strings.Contains(p.Text(t, "table"), "Ticketing system") {
		t.Errorf("the token list lacks the new token: %s", p.Text(t, "table"))
	}

	// Users: add one, disable them.
	p.Navigate(t, node.URL+"/organisation/users")
	p.FillLabel(t, "Email address", "noc@dns.example")
	p.FillLabel(t, "Name", "Nina NOC")
	p.FillLabel(t, "Initial password", "a long enough initial password")
	p.ClickNavigate(t, "form.narrow button.primary")
	if !strings.Contains(p.Text(t, "table"), "noc@dns.example") {
		t.Fatalf("the new user is not listed: %s", p.Text(t, "main"))
	}
	action := browsertest.Eval[string](t, p, `[...document.querySelectorAll("button")].find(b => b.innerText.trim() == "Disable Nina NOC").closest("form").getAttribute("action")`)
	p.ClickNavigate(t, "form[action='"+action+"'] button")
	if !strings.Contains(p.Text(t, "table"), "Disabled") {
		t.Errorf("the user was not disabled: %s", p.Text(t, "table"))
	}

	// Account: a wrong time zone is refused next to its field.
	p.Navigate(t, node.URL+"/account")
	browsertest.Screenshot(t, p, "account")
	p.FillLabel(t, "Time zone", "Mars/Olympus_Mons")
	p.ClickNavigate(t, "button[value=profile]")
	if got := p.Text(t, "#f-time_zone-err"); got == "" {
		t.Error("no error next to the time zone")
	}
	p.ClearConsole() // the refused form's 400
	p.FillLabel(t, "Time zone", "Europe/Amsterdam")
	p.FillLabel(t, "Name", "Dana D.")
	p.ClickNavigate(t, "button[value=profile]")
	if got := p.Text(t, "header.top .who"); !strings.Contains(got, "Dana D.") {
		t.Errorf("the new name is not shown: %q", got)
	}
	if !strings.Contains(p.Text(t, "footer"), "Europe/Amsterdam") {
		t.Errorf("the new zone is not used: %s", p.Text(t, "footer"))
	}
	b.AssertNoConsoleErrors(t, p)
}

// session signs in with the API and returns a client that keeps the
// session cookie.
func session(t *testing.T, node *browsertest.Node, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body := `{"email":"` + email + `","password":"` + node.Demo.Password + `"}`
	resp, err := c.Post(node.URL+"/api/v1/session", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("signing in as %s: %v %v", email, resp, err)
	}
	resp.Body.Close()
	return c
}

// TestOperatorHTTP: a POST without the CSRF token is refused; another
// organisation's incident is a 404 page.
func TestOperatorHTTP(t *testing.T) {
	node := browsertest.StartNode(t)
	c := session(t, node, "soc@dns.example")
	for _, path := range []string{"/incidents/" + node.Demo.IncidentID + "/messages",
		"/incidents/" + node.Demo.IncidentID + "/reports/nis2.early_warning", "/account", "/organisation/tokens"} {
		resp, err := c.PostForm(node.URL+path, url.Values{"text": {"hello"}, "action": {"submit"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without csrf: status %d, want 403", path, resp.StatusCode)
		}
	}
	var tl struct {
		Items []json.RawMessage `json:"items"`
	}
	apiGet(t, node, "/api/v1/incidents/"+node.Demo.IncidentID+"/timeline", &tl)
	for _, e := range tl.Items {
		if strings.Contains(string(e), "hello") {
			t.Errorf("a message was posted without the CSRF token: %s", e)
		}
	}

	other := session(t, node, "ciso@hospital.example")
	for _, path := range []string{"/incidents/" + node.Demo.IncidentID, "/incidents/" + node.Demo.IncidentID + "/reports/nis2.early_warning",
		"/incidents/nonexistent"} {
		resp, err := other.Get(node.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "does not exist") || strings.Contains(string(b), node.Demo.IncidentReference) {
			t.Errorf("GET %s as another entity: status %d, want a 404 page without the incident: %.300s", path, resp.StatusCode, b)
		}
	}
	// A reporter is not an administrator.
	resp, err := c.Get(node.URL + "/organisation/tokens")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /organisation/tokens as a reporter: %d, want 403", resp.StatusCode)
	}
}
