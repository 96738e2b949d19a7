package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/nisnet-eu/nisnet/internal/web/browsertest"
)

// anAPIClient calls the node's JSON API as a signed-in user or with a token.
type anAPIClient struct {
	t     *testing.T
	base  string
	c     *http.Client
	token string
}

func anSignInAPI(t *testing.T, node *browsertest.Node, email string) *anAPIClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	a := &anAPIClient{t: t, base: node.URL, c: &http.Client{Jar: jar}}
	a.do(http.MethodPost, "/api/v1/session", map[string]string{"email": email, "password": node.Demo.Password}, nil, http.StatusCreated)
	return a
}

func anTokenAPI(t *testing.T, node *browsertest.Node) *anAPIClient {
	return &anAPIClient{t: t, base: node.URL, c: http.DefaultClient, token: node.Demo.Token}
}

func (a *anAPIClient) do(method, path string, in, out any, want int) {
	a.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.base+path, body)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			a.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
}

type anAPIIncident struct {
	Incident struct {
		ID             string `json:"id"`
		Reference      string `json:"reference"`
		State          string `json:"state"`
		RSIT           string `json:"rsit"`
		TLP            string `json:"tlp"`
		ImpactSeverity string `json:"impact_severity"`
		Version        int64  `json:"version"`
		Assignment     *struct {
			UserID string `json:"user_id"`
		} `json:"assignment"`
	} `json:"incident"`
	Assessment struct {
		Obligations []struct {
			ID     string     `json:"id"`
			Party  string     `json:"party"`
			DueAt  *time.Time `json:"due_at"`
			Status string     `json:"status"`
		} `json:"obligations"`
	} `json:"assessment"`
}

type anAPITimeline struct {
	Items []struct {
		Kind       string          `json:"kind"`
		Visibility string          `json:"visibility"`
		Body       json.RawMessage `json:"body"`
	} `json:"items"`
}

// anSignInBrowser signs in on the sign-in page the node redirects to.
func anSignInBrowser(t *testing.T, p *browsertest.Page, node *browsertest.Node, email, path string) {
	t.Helper()
	p.Navigate(t, node.URL+path)
	p.FillLabel(t, "Email address", email)
	p.FillLabel(t, "Password", node.Demo.Password)
	if status := p.ClickNavigate(t, "form[action='/signin'] button[type=submit]"); status != http.StatusOK {
		t.Fatalf("signing in as %s: status %d", email, status)
	}
}

func TestAnalystTriage(t *testing.T) {
	node := browsertest.StartNode(t)
	b := browsertest.New(t)
	p := b.NewTab(t, browsertest.WithTimezone("Europe/Amsterdam"))
	analyst := anSignInAPI(t, node, "analyst@csirt.example")
	var me struct {
		User struct{ ID string } `json:"user"`
	}
	analyst.do(http.MethodGet, "/api/v1/me", nil, &me, http.StatusOK)

	anSignInBrowser(t, p, node, "analyst@csirt.example", "/incidents")
	if h := p.Text(t, "h1"); h != "Incident queue" {
		t.Fatalf("after signing in: h1 %q, want the queue", h)
	}
	ref := node.Demo.IncidentReference
	row := browsertest.Eval[string](t, p, fmt.Sprintf(`(() => {
		const tr = [...document.querySelectorAll("table.an-queue tbody tr")].find(r => r.innerText.includes(%q));
		return tr ? tr.className + "|" + tr.innerText : "";
	})()`, ref))
	if !strings.Contains(row, "overdue") || !strings.Contains(row, "Entity report overdue") || !strings.Contains(row, "Example DNS B.V.") {
		t.Errorf("the DNS incident's row is not marked overdue (class and badge): %q", row)
	}
	for _, want := range []string{"Ransomware on patient scheduling", "Online banking outage"} {
		if !strings.Contains(p.Text(t, "table.an-queue"), want) {
			t.Errorf("the queue lacks %q", want)
		}
	}
	browsertest.Screenshot(t, p, "queue")
	b.AssertNoConsoleErrors(t, p)

	// Filter by state: only the closed bank incident.
	p.Select(t, "#q-state", "closed")
	p.ClickNavigate(t, ".an-filters button[type=submit]")
	if u := p.URL(t); !strings.Contains(u, "state=closed") {
		t.Errorf("filtered URL %s lacks state=closed", u)
	}
	if got := p.Text(t, "table.an-queue tbody"); !strings.Contains(got, "Online banking outage") || strings.Contains(got, ref) {
		t.Errorf("the queue filtered by closed shows:\n%s", got)
	}

	// Page by page with the API's cursor: one incident a page.
	p.Navigate(t, node.URL+"/incidents?per=1")
	seen := map[string]bool{}
	for page := 1; ; page++ {
		if n := p.Count(t, "table.an-queue tbody tr"); n != 1 {
			t.Fatalf("page %d holds %d rows, want 1", page, n)
		}
		seen[p.Text(t, "table.an-queue tbody th a")] = true
		if p.Count(t, `.an-pages a[rel="next"]`) == 0 || page > 5 {
			break
		}
		p.ClickNavigate(t, `.an-pages a[rel="next"]`)
		if u := p.URL(t); !strings.Contains(u, "next=") || !strings.Contains(u, "per=1") {
			t.Errorf("next page URL %s", u)
		}
	}
	if len(seen) != 3 || !seen[ref] {
		t.Errorf("paging through the queue showed %v, want the 3 demo incidents", seen)
	}

	// Open the DNS incident.
	p.Navigate(t, node.URL+"/incidents")
	p.ClickNavigate(t, fmt.Sprintf(`a[href="/incidents/%s"]`, node.Demo.IncidentID))
	if h := p.Text(t, "h1"); !strings.Contains(h, ref) || !strings.Contains(h, "Authoritative DNS outage") {
		t.Fatalf("incident page h1 %q", h)
	}
	if got := p.Text(t, "table.obligations"); !strings.Contains(got, "overdue") {
		t.Errorf("the obligations show no overdue report:\n%s", got)
	}

	// Triage.
	p.ClickNavigate(t, `#form-state button[value="triaged"]`)
	if got := p.Text(t, "p.notice"); got != "The state was changed." {
		t.Errorf("after triage: notice %q", got)
	}
	if got := p.Text(t, ".an-facts"); !strings.Contains(got, "Triaged") {
		t.Errorf("after triage the header shows:\n%s", got)
	}
	// Classify.
	p.Select(t, "#f-rsit", "intrusions/system-compromise")
	p.Select(t, "#f-tlp", "TLP:AMBER")
	p.Select(t, "#f-impact_severity", "yellow")
	p.ClickNavigate(t, "#form-classification button[type=submit]")
	if got := p.Text(t, ".an-facts .tlp"); got != "TLP:AMBER" {
		t.Errorf("after classifying the TLP badge shows %q", got)
	}
	if got := p.Text(t, ".an-facts"); !strings.Contains(got, "Yellow") || !strings.Contains(got, "System Compromise") {
		t.Errorf("after classifying the header shows:\n%s", got)
	}
	// Assign to themselves.
	p.Select(t, "#f-assign_user", me.User.ID)
	p.ClickNavigate(t, "#form-assignment button[type=submit]")
	if got := p.Text(t, ".an-facts"); !strings.Contains(got, "Ana Analyst") {
		t.Errorf("after assigning the header shows:\n%s", got)
	}
	// An internal note and a message.
	const note, message = "Looks like the resolver fleet; keep this internal.", "Please send your early warning now."
	p.Fill(t, "#f-note_text", note)
	p.ClickNavigate(t, "#form-notes button[type=submit]")
	p.Fill(t, "#f-message_text", message)
	p.ClickNavigate(t, "#form-messages button[type=submit]")
	if u := p.URL(t); !strings.HasSuffix(u, "#timeline") {
		t.Errorf("after the message: URL %s, want the timeline anchor", u)
	}
	tl := p.Text(t, "ol.an-timeline")
	for _, want := range []string{note, message, "Internal — not shown to the entity", "State changed from Received to Triaged", "Classified", "Assigned"} {
		if !strings.Contains(tl, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, tl)
		}
	}
	if n := p.Count(t, "ol.an-timeline li.internal"); n != 2 { // the note and the assignment
		t.Errorf("%d internal timeline entries, want 2", n)
	}
	browsertest.Screenshot(t, p, "incident")
	b.AssertNoConsoleErrors(t, p)

	// Stored as the API tells.
	var inc anAPIIncident
	analyst.do(http.MethodGet, "/api/v1/incidents/"+node.Demo.IncidentID, nil, &inc, http.StatusOK)
	if i := inc.Incident; i.State != "triaged" || i.TLP != "TLP:AMBER" || i.ImpactSeverity != "yellow" || i.RSIT != "intrusions/system-compromise" ||
		i.Assignment == nil || i.Assignment.UserID != me.User.ID {
		t.Errorf("stored incident: %+v", i)
	}
	// The entity sees the message, not the note.
	var entityTL anAPITimeline
	anTokenAPI(t, node).do(http.MethodGet, "/api/v1/incidents/"+node.Demo.IncidentID+"/timeline", nil, &entityTL, http.StatusOK)
	var all strings.Builder
	for _, e := range entityTL.Items {
		all.Write(e.Body)
		if e.Kind == "note" || e.Visibility != "shared" {
			t.Errorf("the entity sees a %s entry (%s)", e.Kind, e.Visibility)
		}
	}
	if !strings.Contains(all.String(), message) || strings.Contains(all.String(), note) {
		t.Errorf("the entity's timeline: %s", all.String())
	}

	// Without the API's consent the page says why: an unknown TLP label.
	p.Run(t, "forging the TLP select", anSetOption("#f-tlp", "TLP:PURPLE"))
	if status := p.ClickNavigate(t, "#form-classification button[type=submit]"); status != http.StatusBadRequest {
		t.Errorf("a bad TLP label: status %d, want 400", status)
	}
	if got := p.Text(t, "#form-classification"); !strings.Contains(got, "TLP:PURPLE") {
		t.Errorf("the classification form does not show the API's objection:\n%s", got)
	}
}

func TestAnalystRequestsIntermediateReport(t *testing.T) {
	node := browsertest.StartNode(t)
	b := browsertest.New(t)
	p := b.NewTab(t, browsertest.WithTimezone("Europe/Amsterdam"))
	anSignInBrowser(t, p, node, "analyst@csirt.example", "/incidents/"+node.Demo.IncidentID)
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	due := time.Now().Add(72 * time.Hour).In(ams).Truncate(time.Minute)
	// A datetime-local field takes its value as the browser's picker sets it.
	p.Run(t, "setting the due time", anSetValue("#f-request_due_at", due.Format("2006-01-02T15:04")))
	p.Select(t, "#f-request_regime", "nis2")
	p.Fill(t, "#f-request_message", "Tell us how the resolver fleet is doing.")
	p.ClickNavigate(t, "#form-intermediate-requests button[type=submit]")
	if got := p.Text(t, "p.notice"); got != "The intermediate report was requested." {
		t.Fatalf("after the request: notice %q", got)
	}
	if got := p.Text(t, "ol.an-timeline"); !strings.Contains(got, "Intermediate report requested (NIS2)") {
		t.Errorf("the timeline lacks the request:\n%s", got)
	}
	var inc anAPIIncident
	anTokenAPI(t, node).do(http.MethodGet, "/api/v1/incidents/"+node.Demo.IncidentID, nil, &inc, http.StatusOK)
	found := false
	for _, o := range inc.Assessment.Obligations {
		if o.ID == "nis2.intermediate" && o.Party == "entity" {
			found = true
			if o.DueAt == nil || !o.DueAt.Equal(due) {
				t.Errorf("the entity's intermediate report is due %v, want %v", o.DueAt, due.UTC())
			}
		}
	}
	if !found {
		t.Errorf("the entity owes no nis2.intermediate report: %+v", inc.Assessment.Obligations)
	}
	b.AssertNoConsoleErrors(t, p)
	browsertest.Screenshot(t, p, "incident-requested")
	// A due time in the past: the API refuses it and the field says why
	// (the browser logs the 400 answer).
	p.Run(t, "setting a past due time", anSetValue("#f-request_due_at", time.Now().Add(-time.Hour).In(ams).Format("2006-01-02T15:04")))
	if status := p.ClickNavigate(t, "#form-intermediate-requests button[type=submit]"); status != http.StatusBadRequest {
		t.Errorf("a past due time: status %d, want 400", status)
	}
	if got := p.Text(t, "#form-intermediate-requests .error-text"); !strings.Contains(got, "future") {
		t.Errorf("the due time's error: %q", got)
	}
}

func TestAnalystDashboard(t *testing.T) {
	node := browsertest.StartNode(t)
	b := browsertest.New(t)
	p := b.NewTab(t)
	anSignInBrowser(t, p, node, "analyst@csirt.example", "/dashboard")
	if h := p.Text(t, "h1"); h != "Dashboard" {
		t.Fatalf("h1 %q", h)
	}
	var st struct {
		Total            int            `json:"total"`
		Overdue          int            `json:"overdue"`
		ByState          map[string]int `json:"by_state"`
		BySector         map[string]int `json:"by_sector"`
		ByRegime         map[string]int `json:"by_regime"`
		OverdueIncidents []struct {
			ID string `json:"id"`
		} `json:"overdue_incidents"`
	}
	anSignInAPI(t, node, "analyst@csirt.example").do(http.MethodGet, "/api/v1/stats", nil, &st, http.StatusOK)
	if got := p.Text(t, "#dash-total"); got != fmt.Sprint(st.Total) || st.Total != 3 {
		t.Errorf("total: page %s, API %d (demo: 3)", got, st.Total)
	}
	if got := p.Text(t, "#dash-overdue"); got != fmt.Sprint(st.Overdue) {
		t.Errorf("overdue: page %s, API %d", got, st.Overdue)
	}
	for id, want := range map[string]map[string]int{"by-state": st.ByState, "by-sector": st.BySector, "by-regime": st.ByRegime} {
		got := browsertest.Eval[map[string]int](t, p, fmt.Sprintf(`Object.fromEntries([...document.querySelectorAll("#%s tbody tr[data-key]")].map(r => [r.dataset.key, +r.querySelector("td").innerText]))`, id))
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s %s: page %d, API %d", id, k, got[k], n)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: page %v, API %v", id, got, want)
		}
	}
	if len(st.OverdueIncidents) == 0 {
		t.Fatal("the demo has no overdue incident")
	}
	for _, o := range st.OverdueIncidents {
		if n := p.Count(t, fmt.Sprintf(`table.an-overdue a[href="/incidents/%s"]`, o.ID)); n != 1 {
			t.Errorf("the overdue list has %d links to %s", n, o.ID)
		}
	}
	if n := p.Count(t, "table.an-overdue .countdown.overdue"); n != len(st.OverdueIncidents) {
		t.Errorf("%d overdue countdowns, want %d", n, len(st.OverdueIncidents))
	}
	browsertest.Screenshot(t, p, "dashboard")
	b.AssertNoConsoleErrors(t, p)
}

// anWebClient is a browser without a browser: cookies, forms, no redirects.
type anWebClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func anNewWebClient(t *testing.T, node *browsertest.Node) *anWebClient {
	jar, _ := cookiejar.New(nil)
	return &anWebClient{t: t, base: node.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (w *anWebClient) get(path string) (int, string) {
	w.t.Helper()
	resp, err := w.c.Get(w.base + path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (w *anWebClient) post(path string, form url.Values) (int, string) {
	w.t.Helper()
	resp, err := w.c.PostForm(w.base+path, form)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// csrf returns the CSRF cookie's value, loading a page to get one.
func (w *anWebClient) csrf() string {
	w.t.Helper()
	u, _ := url.Parse(w.base)
	for _, c := range w.c.Jar.Cookies(u) {
		if c.Name == "nisnet_csrf" {
			return c.Value
		}
	}
	w.get("/signin")
	for _, c := range w.c.Jar.Cookies(u) {
		if c.Name == "nisnet_csrf" {
			return c.Value
		}
	}
	w.t.Fatal("no CSRF cookie")
	return ""
}

func (w *anWebClient) signIn(email, password string) {
	w.t.Helper()
	status, body := w.post("/signin", url.Values{"csrf": {w.csrf()}, "email": {email}, "password": {password}, "next": {"/"}})
	if status != http.StatusSeeOther {
		w.t.Fatalf("signing in as %s: %d %s", email, status, body)
	}
}

func TestAnalystPagesRefuse(t *testing.T) {
	node := browsertest.StartNode(t)
	id := node.Demo.IncidentID

	// Signed out: to the sign-in page.
	anon := anNewWebClient(t, node)
	if status, _ := anon.get("/dashboard"); status != http.StatusSeeOther {
		t.Errorf("GET /dashboard signed out: %d, want 303 to sign in", status)
	}

	entity := anNewWebClient(t, node)
	entity.signIn("admin@dns.example", node.Demo.Password)
	if status, body := entity.get("/dashboard"); status != http.StatusForbidden || !strings.Contains(body, "permission") {
		t.Errorf("an entity's GET /dashboard: %d, want the 403 page", status)
	}
	// An entity cannot use the analyst's forms, even with a valid token.
	if status, _ := entity.post("/incidents/"+id+"/notes", url.Values{"csrf": {entity.csrf()}, "note_text": {"x"}}); status != http.StatusForbidden {
		t.Errorf("an entity's note: %d, want 403", status)
	}
	if status, _ := entity.post("/incidents/"+id+"/state", url.Values{"csrf": {entity.csrf()}, "state": {"closed"}, "version": {"1"}}); status != http.StatusForbidden {
		t.Errorf("an entity's state change: %d, want 403", status)
	}

	analyst := anNewWebClient(t, node)
	analyst.signIn("analyst@csirt.example", node.Demo.Password)
	// No CSRF token, or a wrong one: refused, nothing stored.
	for _, form := range []url.Values{{"note_text": {"forged"}}, {"csrf": {"not-the-token-not-the-token-not-the-token"}, "note_text": {"forged"}}} {
		if status, _ := analyst.post("/incidents/"+id+"/notes", form); status != http.StatusForbidden {
			t.Errorf("a note with csrf %q: %d, want 403", form.Get("csrf"), status)
		}
	}
	var tl anAPITimeline
	anSignInAPI(t, node, "analyst@csirt.example").do(http.MethodGet, "/api/v1/incidents/"+id+"/timeline", nil, &tl, http.StatusOK)
	for _, e := range tl.Items {
		if strings.Contains(string(e.Body), "forged") {
			t.Errorf("a forged note was stored: %s", e.Body)
		}
	}
	// An unknown incident: the not-found page.
	if status, _ := analyst.get("/incidents/no-such-incident"); status != http.StatusNotFound {
		t.Errorf("an unknown incident: %d, want 404", status)
	}
	if status, _ := analyst.post("/incidents/no-such-incident/notes", url.Values{"csrf": {analyst.csrf()}, "note_text": {"x"}}); status != http.StatusNotFound {
		t.Errorf("a note on an unknown incident: %d, want 404", status)
	}
	// A stale version: 409, the page says so and nothing changes.
	status, body := analyst.post("/incidents/"+id+"/state", url.Values{"csrf": {analyst.csrf()}, "state": {"triaged"}, "version": {"999"}})
	if status != http.StatusConflict || !strings.Contains(body, "Not done") {
		t.Errorf("a stale state change: %d, want 409 with the reason", status)
	}
	// An invalid transition: the API's 409 shown on the page.
	status, _ = analyst.post("/incidents/"+id+"/state", url.Values{"csrf": {analyst.csrf()}, "state": {"received"}, "version": {"1"}})
	if status != http.StatusConflict && status != http.StatusBadRequest {
		t.Errorf("received → received: %d, want 409", status)
	}
	// A good one, with the page's version, redirects to the page.
	var inc anAPIIncident
	api := anSignInAPI(t, node, "analyst@csirt.example")
	api.do(http.MethodGet, "/api/v1/incidents/"+id, nil, &inc, http.StatusOK)
	status, _ = analyst.post("/incidents/"+id+"/state", url.Values{"csrf": {analyst.csrf()}, "state": {"in_progress"}, "version": {fmt.Sprint(inc.Incident.Version)}})
	if status != http.StatusSeeOther {
		t.Errorf("received → in progress: %d, want 303", status)
	}
	api.do(http.MethodGet, "/api/v1/incidents/"+id, nil, &inc, http.StatusOK)
	if inc.Incident.State != "in_progress" {
		t.Errorf("state after the change: %s", inc.Incident.State)
	}
	// The queue page answers for the authority, with its filters.
	if status, body := analyst.get("/incidents?state=in_progress&overdue=true"); status != http.StatusOK || !strings.Contains(body, node.Demo.IncidentReference) {
		t.Errorf("the filtered queue: %d", status)
	}
}

// anSetValue sets a field's value as a picker would.
func anSetValue(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { document.querySelector(%q).value = %q; })()`, sel, value))
}

// anSetOption adds an option to a select and chooses it: a forged form.
func anSetOption(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.add(new Option(%q, %q)); s.value = %q; })()`, sel, value, value, value))
}

// TestAnalystPagesTranslated renders the analyst's pages, with every kind
// of timeline entry, in each language: no message key is missing.
func TestAnalystPagesTranslated(t *testing.T) {
	node := browsertest.StartNode(t)
	id := node.Demo.IncidentID
	api := anSignInAPI(t, node, "analyst@csirt.example")
	api.do(http.MethodPost, "/api/v1/incidents/"+id+"/feedback", map[string]string{"text": "Isolate the resolvers."}, nil, http.StatusCreated)
	api.do(http.MethodPost, "/api/v1/incidents/"+id+"/notes", map[string]string{"text": "<script>alert(1)</script>"}, nil, http.StatusCreated)
	api.do(http.MethodPost, "/api/v1/incidents/"+id+"/intermediate-requests", map[string]any{"regime": "nis2",
		"due_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "message": "Status, please."}, nil, http.StatusCreated)
	api.do(http.MethodPost, "/api/v1/incidents/"+id+"/classification", map[string]any{"impact_outlook": "worsening", "impact_severity": "red"}, nil, http.StatusOK)
	anTokenAPI(t, node).do(http.MethodPost, "/api/v1/incidents/"+id+"/messages", map[string]string{"text": "We are on it."}, nil, http.StatusCreated)

	for _, lang := range []string{"en", "nl"} {
		w := anNewWebClient(t, node)
		u, _ := url.Parse(node.URL)
		w.c.Jar.SetCookies(u, []*http.Cookie{{Name: "nisnet_lang", Value: lang, Path: "/"}})
		w.signIn("analyst@csirt.example", node.Demo.Password)
		for _, path := range []string{"/incidents", "/incidents/" + id, "/dashboard", "/incidents?state=triaged&overdue=true&mine=true"} {
			status, body := w.get(path)
			if status != http.StatusOK {
				t.Errorf("%s GET %s: %d", lang, path, status)
				continue
			}
			if i := strings.Index(body, "[["); i >= 0 {
				t.Errorf("%s GET %s: a missing message: %s", lang, path, body[i:min(len(body), i+60)])
			}
			if strings.Contains(body, "<script>alert") {
				t.Errorf("%s GET %s: user text rendered unescaped", lang, path)
			}
		}
		_, body := w.get("/incidents/" + id)
		want := map[string][]string{"en": {"We are on it.", "Isolate the resolvers.", "Feedback to the entity", "Intermediate report requested", "Red — severe impact", "Worsening", "Example DNS B.V."},
			"nl": {"Terugkoppeling aan de entiteit", "Tussentijdse melding gevraagd", "Rood — ernstige impact", "Verslechterend"}}[lang]
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the incident page lacks %q", lang, s)
			}
		}
	}
}
