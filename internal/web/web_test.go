package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/app"
	"github.com/nisnet-eu/nisnet/internal/i18n"
	"github.com/nisnet-eu/nisnet/internal/web/browsertest"
)

// formClient is a browser-like HTTP client: a cookie jar, no automatic
// redirects, and the CSRF token of the last page it read.
type formClient struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newClient(t *testing.T, base string) *formClient {
	jar, _ := cookiejar.New(nil)
	return &formClient{t: t, base: base, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get reads a page; it remembers the page's CSRF token.
func (c *formClient) get(path string) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	body := readAll(c.t, resp)
	if m := csrfInput.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
	return resp, body
}

// post sends a form like a same-origin browser, with the CSRF token unless
// form already has one.
func (c *formClient) post(path string, form url.Values, header ...string) (*http.Response, string) {
	c.t.Helper()
	if _, ok := form["csrf"]; !ok && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	return resp, readAll(c.t, resp)
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// signIn signs the client in as the demo user with the given email.
func (c *formClient) signIn(email, password string) {
	c.t.Helper()
	c.get("/signin")
	resp, body := c.post("/signin", url.Values{"email": {email}, "password": {password}, "next": {"/incidents"}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign-in as %s: status %d, want 303; page: %.300s", email, resp.StatusCode, body)
	}
}

func demoUser(t *testing.T, node *browsertest.Node, role string) app.DemoUser {
	t.Helper()
	for _, u := range node.Demo.Users {
		if string(u.Role) == role {
			return u
		}
	}
	t.Fatalf("no demo user with role %s", role)
	return app.DemoUser{}
}

func TestSecurityHeaders(t *testing.T) {
	node := browsertest.StartNode(t)
	c := newClient(t, node.URL)
	for _, path := range []string{"/signin", "/static/app.css", "/no-such-page-at-all"} {
		resp, _ := c.get(path)
		csp := resp.Header.Get("Content-Security-Policy")
		if path == "/no-such-page-at-all" {
			continue // the mux's own 404
		}
		if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q, want default-src 'none', script-src 'self' and no unsafe-inline", path, csp)
		}
		if resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Frame-Options %q, X-Content-Type-Options %q", path, resp.Header.Get("X-Frame-Options"), resp.Header.Get("X-Content-Type-Options"))
		}
	}
	resp, body := c.get("/signin")
	if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, "onclick") {
		t.Errorf("the sign-in page has inline script or style")
	}
	var csrf *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "nisnet_csrf" {
			csrf = ck
		}
	}
	_ = csrf // the first GET set it; this one reuses the jar's
	resp, _ = newClient(t, node.URL).get("/signin")
	found := false
	for _, ck := range resp.Cookies() {
		if ck.Name == "nisnet_csrf" {
			found = true
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
				t.Errorf("CSRF cookie: HttpOnly %v SameSite %v, want HttpOnly and Strict", ck.HttpOnly, ck.SameSite)
			}
		}
	}
	if !found {
		t.Errorf("a first visit sets no nisnet_csrf cookie")
	}
}

func TestSignIn(t *testing.T) {
	node := browsertest.StartNode(t)
	analyst := demoUser(t, node, "authority_analyst")

	t.Run("wrong password is refused with a message", func(t *testing.T) {
		c := newClient(t, node.URL)
		c.get("/signin")
		resp, body := c.post("/signin", url.Values{"email": {analyst.Email}, "password": {"not the password"}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong email address or password") {
			t.Errorf("status %d, want 401 with the failure message; page %.400s", resp.StatusCode, body)
		}
	})
	t.Run("right password gives an HttpOnly session and goes to next", func(t *testing.T) {
		c := newClient(t, node.URL)
		c.get("/signin")
		resp, _ := c.post("/signin", url.Values{"email": {analyst.Email}, "password": {node.Demo.Password}, "next": {"/assess"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/assess" {
			t.Fatalf("status %d Location %q, want 303 to /assess", resp.StatusCode, resp.Header.Get("Location"))
		}
		var session *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "nisnet_session" {
				session = ck
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite == http.SameSiteNoneMode || session.SameSite == 0 {
			t.Fatalf("session cookie %+v, want HttpOnly with SameSite", session)
		}
		resp, body := c.get("/assess")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, analyst.Email[:0]+"Sign out") {
			t.Errorf("signed-in page: status %d, no sign-out button", resp.StatusCode)
		}
		// Signing out ends the session: the page asks to sign in again.
		c.post("/signout", url.Values{})
		resp, _ = c.get("/assess")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
			t.Errorf("after sign-out: status %d Location %q, want a redirect to /signin", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("next never leads to another site", func(t *testing.T) {
		for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
			c := newClient(t, node.URL)
			c.get("/signin")
			resp, _ := c.post("/signin", url.Values{"email": {analyst.Email}, "password": {node.Demo.Password}, "next": {next}})
			if loc := resp.Header.Get("Location"); loc != "/" {
				t.Errorf("next=%q: Location %q, want /", next, loc)
			}
		}
	})
	t.Run("sign-in is rate limited", func(t *testing.T) {
		c := newClient(t, node.URL)
		c.get("/signin")
		var last int
		var body string
		for i := 0; i < 12; i++ {
			var resp *http.Response
			resp, body = c.post("/signin", url.Values{"email": {"nobody-" + t.Name() + "@example.org"}, "password": {"wrong password"}})
			last = resp.StatusCode
		}
		if last != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins") {
			t.Errorf("after 12 failures: status %d, want 429 with a message", last)
		}
	})
	t.Run("secure cookies behind a TLS proxy", func(t *testing.T) {
		secure := browsertest.StartNode(t, browsertest.WithConfig(func(c *app.Config) { c.SecureCookies = true }))
		c := newClient(t, secure.URL)
		resp, _ := c.get("/signin")
		for _, ck := range resp.Cookies() {
			if ck.Name == "__Host-nisnet_csrf" && !ck.Secure {
				t.Errorf("CSRF cookie not Secure with --secure-cookies")
			}
		}
		// The jar does not send Secure cookies over http: sign in by hand.
		m := csrfInput.FindStringSubmatch(readAll(t, mustGet(t, secure.URL+"/signin")))
		_ = m
	})
}

func mustGet(t *testing.T, u string) *http.Response {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestCSRF(t *testing.T) {
	node := browsertest.StartNode(t)
	entity := demoUser(t, node, "entity_reporter")
	c := newClient(t, node.URL)
	c.signIn(entity.Email, node.Demo.Password)
	c.get("/assess")
	form := func() url.Values {
		return url.Values{"incident.aware_at": {"2026-11-27T10:00"}, "action": {"assess"}}
	}
	cases := []struct {
		name   string
		csrf   string
		header []string
	}{
		{"no token", "", nil},
		{"wrong token", strings.Repeat("x", 43), nil},
		{"cross-site request with the right token", c.csrf, []string{"Sec-Fetch-Site", "cross-site"}},
	}
	for _, tc := range cases {
		f := form()
		f.Set("csrf", tc.csrf)
		resp, body := c.post("/assess", f, tc.header...)
		if resp.StatusCode != http.StatusForbidden || strings.Contains(body, "Verdict") {
			t.Errorf("%s: status %d, want 403 and no verdict", tc.name, resp.StatusCode)
		}
	}
	resp, body := c.post("/assess", form())
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Verdict") {
		t.Errorf("same-origin form with its token: status %d, want 200 with a verdict; %.300s", resp.StatusCode, body)
	}
}

func TestAssessForm(t *testing.T) {
	node := browsertest.StartNode(t)
	entity := demoUser(t, node, "entity_reporter")
	c := newClient(t, node.URL)
	c.signIn(entity.Email, node.Demo.Password)
	c.get("/assess")

	// The DNS provider's resolution was down for 45 min (> 30 min,
	// 2024/2690 Art 5(a)): reportable under NIS2, early warning in 24 h.
	resp, body := c.post("/assess", url.Values{"incident.title": {"Resolver outage"}, "incident.aware_at": {"2026-11-27T10:00"},
		"incident.impact.complete_unavailability": {"45m"}, "action": {"assess"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %q", resp.StatusCode, pageErrors(body))
	}
	for _, want := range []string{"Verdict", "NIS2 Art 23(4)(a)", "2024/2690 Art 5(a)", "is more than 30 min", `value="45m"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the verdict page lacks %q", want)
		}
	}
	// 10:00 in Amsterdam (the node's zone, NL) is 09:00 UTC; the early
	// warning is due 24 h later.
	if !strings.Contains(body, `datetime="2026-11-28T09:00:00Z"`) {
		t.Errorf("no early warning due at 2026-11-28T09:00:00Z on the page")
	}

	// A field the form cannot read is marked, and nothing is assessed.
	resp, body = c.post("/assess", url.Values{"incident.aware_at": {"yesterday"}, "incident.impact.eu_users": {"-4"}, "action": {"assess"}})
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(body, "Verdict") ||
		!strings.Contains(body, "Enter a date and time") || !strings.Contains(body, "Enter a whole number") {
		t.Errorf("bad fields: status %d, want 400 with both fields marked and no verdict", resp.StatusCode)
	}

	// "Report this incident" files it and opens it.
	resp, _ = c.post("/assess", url.Values{"incident.title": {"Resolver outage"}, "incident.aware_at": {"2026-11-27T10:00"},
		"incident.impact.complete_unavailability": {"45m"}, "action": {"report"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/incidents/") {
		t.Fatalf("report: status %d Location %q, want 303 to the new incident", resp.StatusCode, loc)
	}
	id := strings.TrimPrefix(loc, "/incidents/")
	req, _ := http.NewRequest(http.MethodGet, node.URL+"/api/v1/incidents/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+node.Demo.Token)
	api, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var view struct {
		Incident struct {
			Title string `json:"title"`
		} `json:"incident"`
	}
	json.Unmarshal([]byte(readAll(t, api)), &view)
	if api.StatusCode != http.StatusOK || view.Incident.Title != "Resolver outage" {
		t.Errorf("the filed incident via the API: status %d title %q", api.StatusCode, view.Incident.Title)
	}
}

func TestLanguageSwitch(t *testing.T) {
	node := browsertest.StartNode(t)
	analyst := demoUser(t, node, "authority_analyst")
	b := browsertest.New(t)
	p := b.NewTab(t, browsertest.WithAcceptLanguage("en"))
	p.Navigate(t, node.URL+"/signin")
	p.FillLabel(t, "Email address", analyst.Email)
	p.FillLabel(t, "Password", node.Demo.Password)
	p.ClickNavigate(t, `form[action="/signin"] button[type=submit]`)
	if got := p.Text(t, "header.top"); !strings.Contains(got, "Sign out") {
		t.Fatalf("signed in, the header reads %q", got)
	}
	p.Select(t, "#lang-select", "nl")
	p.ClickNavigate(t, `form.lang button[type=submit]`)
	if got := p.Text(t, "header.top"); !strings.Contains(got, "Uitloggen") {
		t.Errorf("after switching to Nederlands the header reads %q", got)
	}
	if got := p.Text(t, "h1"); got == "" {
		t.Errorf("no heading after switching")
	}
	browsertest.Screenshot(t, p, "language-nl")
	b.AssertNoConsoleErrors(t, p)

	// The choice is the user's preference too: a new browser without the
	// cookie, asking for English, gets Dutch after signing in.
	c := newClient(t, node.URL)
	c.signIn(analyst.Email, node.Demo.Password)
	_, body := c.get("/incidents")
	if !strings.Contains(body, `<html lang="nl">`) {
		t.Errorf("the stored preference was not applied in a new session")
	}
}

var pageErrorText = regexp.MustCompile(`(?s)class="error-(?:box|text)"[^>]*>([^<]*)`)

// pageErrors returns the error messages a page shows.
func pageErrors(body string) []string {
	var out []string
	for _, m := range pageErrorText.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestMessageKeysExist checks that every message key the templates and
// handlers name literally is in the catalogue, in every language: a key
// missing there would show as [[key]] on a page.
func TestMessageKeysExist(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`\.T\(?\s*"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"(\s*\+)?`)
	var files []string
	for _, glob := range []string{"*.go", "templates/*.html", "templates/*/*.html"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			if m[2] != "" {
				continue // a prefix the code completes
			}
			checked++
			for _, l := range cat.Languages() {
				_, _, ok := cat.Message(l.Code, m[1])
				if !ok { // a plural group: key.one, key.other …
					_, _, ok = cat.Message(l.Code, m[1]+".other")
				}
				if !ok {
					t.Errorf("%s: key %q is not in the %s catalogue", f, m[1], l.Code)
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d literal keys found: the pattern no longer matches how pages name keys", checked)
	}
}

// TestAssessJudgement: the NIS2 judgement questions offer unanswered, yes
// and no, and "yes" makes a hospital's incident significant under Art
// 23(3) (hospitals are not among the entities of 2024/2690).
func TestAssessJudgement(t *testing.T) {
	node := browsertest.StartNode(t)
	c := newClient(t, node.URL)
	c.signIn("ciso@hospital.example", node.Demo.Password)
	_, body := c.get("/assess")
	sel := regexp.MustCompile(`(?s)<select id="f-incident-nis2_judgement-financial_loss".*?</select>`).FindString(body)
	for _, v := range []string{`value=""`, `value="yes"`, `value="no"`} {
		if !strings.Contains(sel, v) {
			t.Errorf("the financial-loss question lacks the option %s: %q", v, sel)
		}
	}
	resp, body := c.post("/assess", url.Values{"incident.aware_at": {"2026-11-27T10:00"},
		"incident.nis2_judgement.financial_loss": {"yes"}, "action": {"assess"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "NIS2 Art 23(4)(a)") {
		t.Errorf("judged financial loss: status %d, want 200 with the NIS2 early warning; errors %q", resp.StatusCode, pageErrors(body))
	}
	resp, body = c.post("/assess", url.Values{"incident.aware_at": {"2026-11-27T10:00"},
		"incident.nis2_judgement.severe_operational_disruption": {"no"}, "incident.nis2_judgement.financial_loss": {"no"},
		"incident.nis2_judgement.considerable_damage_to_others": {"no"}, "action": {"assess"}})
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "NIS2 Art 23(4)(a)") || !strings.Contains(body, "not reportable") {
		t.Errorf("judged not significant: status %d, want 200, NIS2 not reportable and no early warning", resp.StatusCode)
	}
}
