package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/nisnet-eu/nisnet/internal/app"
)

// TestNode proves the harness against the real node: the browser loads
// its health check and OpenAPI document, signs in as a demo user, and a
// tab without JavaScript works.
func TestNode(t *testing.T) {
	node := StartNode(t)
	b := New(t)
	p := b.NewTab(t)

	if status := p.Navigate(t, node.URL+"/healthz"); status != http.StatusOK {
		t.Errorf("GET /healthz: status %d, want 200", status)
	}
	if got := p.Text(t, "body"); strings.TrimSpace(got) != "ok" {
		t.Errorf("/healthz shows %q, want ok", got)
	}

	if status := p.Navigate(t, node.URL+"/api/v1/openapi.json"); status != http.StatusOK {
		t.Errorf("GET /api/v1/openapi.json: status %d, want 200", status)
	}
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(p.Text(t, "body")), &doc); err != nil {
		t.Fatalf("the browser shows no JSON document at /api/v1/openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Paths["/api/v1/incidents"] == nil {
		t.Errorf("OpenAPI document: version %q, %d paths; want 3.1 with /api/v1/incidents", doc.OpenAPI, len(doc.Paths))
	}
	shot := Screenshot(t, p, "openapi")
	if png, err := os.ReadFile(shot); err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("screenshot %s is not a PNG (%v)", shot, err)
	}

	// The demo's analyst signs in from the page; the session cookie works.
	analyst := node.Demo.Users[1]
	body, _ := json.Marshal(map[string]string{"email": analyst.Email, "password": node.Demo.Password})
	p.Run(t, "signing in with fetch", chromedp.Evaluate[chromedp.Void](
		fmt.Sprintf(`fetch("/api/v1/session", {method: "POST", headers: {"Content-Type": "application/json"}, body: %q})
			.then(r => { if (r.status !== 201) throw new Error("sign-in status " + r.status) })`, body),
		chromedp.EvalAwaitPromise))
	p.Navigate(t, node.URL+"/api/v1/me")
	if me := p.Text(t, "body"); !strings.Contains(me, analyst.Email) || !strings.Contains(me, "authority_analyst") {
		t.Errorf("/api/v1/me after signing in as %s: %s", analyst.Email, me)
	}
	b.AssertNoConsoleErrors(t, p)

	// Without JavaScript the node's pages still load.
	nojs := b.NewTab(t, WithoutJavaScript())
	if status := nojs.Navigate(t, node.URL+"/healthz"); status != http.StatusOK {
		t.Errorf("GET /healthz without JavaScript: status %d", status)
	}
	if got := nojs.Text(t, "body"); strings.TrimSpace(got) != "ok" {
		t.Errorf("/healthz without JavaScript shows %q", got)
	}
	Screenshot(t, nojs, "healthz-nojs")
	b.AssertNoConsoleErrors(t, nojs)
}

func TestNodeWithoutDemo(t *testing.T) {
	node := StartNode(t, WithoutDemo(), WithConfig(func(c *app.Config) { c.NodeMemberState = "BE" }))
	if node.SetupToken == "" || node.Demo.Password != "" {
		t.Errorf("without demo: setup token %q, demo %+v; want a token and no demo", node.SetupToken, node.Demo)
	}
	n, err := node.DB.CountUsers(context.Background())
	if err != nil || n != 0 {
		t.Errorf("users: %d (%v), want none", n, err)
	}
	resp, err := http.Get(node.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
}

// pages serves the small pages the harness tests itself on.
func pages(t *testing.T) string {
	mux := http.NewServeMux()
	page := func(path, headers, body string) {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			for h := range strings.SplitSeq(headers, "\n") {
				if k, v, ok := strings.Cut(h, ": "); ok {
					w.Header().Set(k, v)
				}
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>%s</title><link rel="icon" href="data:,"></head><body>%s</body></html>`, path, body)
		})
	}
	page("/script", "", `<p id="out">static</p><noscript><p id="nojs">JavaScript is off</p></noscript>
		<script>document.getElementById("out").textContent = "scripted"</script>`)
	page("/console", "", `<p>x</p><script>console.error("boom", 42); console.log("fine"); setTimeout(() => { throw new Error("kaput") })</script>`)
	page("/csp", "Content-Security-Policy: default-src 'self'; img-src data:; script-src 'none'", `<p id="out">static</p><script>document.getElementById("out").textContent = "scripted"</script>`)
	page("/clean", "Content-Security-Policy: default-src 'self'; img-src 'self' data:", `<h1>Clean</h1>`)
	page("/form", "", `<a href="#main" id="skip">Skip to main content</a>
		<main id="main"><form action="/echo" method="get">
		<label for="email">E-mail address <span>(required)</span></label><input id="email" name="email" type="email">
		<label>Password <input name="password" type="password"></label>
		<input aria-label="Team" name="team">
		<select id="lang" name="lang"><option value="en">English</option><option value="nl">Nederlands</option></select>
		<button type="submit">Sign in</button></form></main>`)
	mux.HandleFunc("GET /language", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>language</title><link rel="icon" href="data:,"><p id="al">%s</p>`, html.EscapeString(r.Header.Get("Accept-Language")))
	})
	mux.HandleFunc("GET /echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>echo</title><link rel="icon" href="data:,"><pre id="q">%s</pre>`, html.EscapeString(r.URL.Query().Encode()))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestJavaScriptSwitch(t *testing.T) {
	base := pages(t)
	b := New(t)
	js := b.NewTab(t)
	js.Navigate(t, base+"/script")
	if got := js.Text(t, "#out"); got != "scripted" {
		t.Errorf("with JavaScript: #out %q, want scripted", got)
	}
	if n := js.Count(t, "#nojs"); n != 0 {
		t.Errorf("with JavaScript: %d #nojs elements, want none (<noscript> is not parsed)", n)
	}
	nojs := b.NewTab(t, WithoutJavaScript())
	if nojs.JavaScript() {
		t.Error("JavaScript() = true in a tab WithoutJavaScript")
	}
	nojs.Navigate(t, base+"/script")
	if got := nojs.Text(t, "#out"); got != "static" {
		t.Errorf("without JavaScript: #out %q, want static (the script must not run)", got)
	}
	if got := nojs.Text(t, "#nojs"); got != "JavaScript is off" {
		t.Errorf("without JavaScript: <noscript> shows %q", got)
	}
	// The setting lasts across navigations.
	nojs.Navigate(t, base+"/script?again")
	if got := nojs.Text(t, "#out"); got != "static" {
		t.Errorf("without JavaScript, second page: #out %q, want static", got)
	}
}

func TestTabOptions(t *testing.T) {
	base := pages(t)
	b := New(t)
	p := b.NewTab(t, WithAcceptLanguage("nl-NL,nl;q=0.9"), WithTimezone("Europe/Amsterdam"), WithViewport(360, 740))
	p.Navigate(t, base+"/language")
	if got := p.Text(t, "#al"); got != "nl-NL,nl;q=0.9" {
		t.Errorf("Accept-Language %q", got)
	}
	if got := Eval[string](t, p, "Intl.DateTimeFormat().resolvedOptions().timeZone"); got != "Europe/Amsterdam" {
		t.Errorf("time zone %q", got)
	}
	if got := Eval[int](t, p, "window.innerWidth"); got != 360 {
		t.Errorf("viewport width %d, want 360", got)
	}
}

// fakeTB records failures, for testing the assertions themselves. Fatal
// and Skip end the goroutine, as testing does.
type fakeTB struct {
	testing.TB
	mu      sync.Mutex
	errors  []string
	fatal   bool
	skipped bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Error(args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprint(args...))
}
func (f *fakeTB) Errorf(format string, args ...any) { f.Error(fmt.Sprintf(format, args...)) }
func (f *fakeTB) Fatal(args ...any)                 { f.Error(args...); f.fatal = true; runtime.Goexit() }
func (f *fakeTB) Fatalf(format string, args ...any) { f.Fatal(fmt.Sprintf(format, args...)) }
func (f *fakeTB) Skip(args ...any)                  { f.Error(args...); f.skipped = true; runtime.Goexit() }
func (f *fakeTB) Skipf(format string, args ...any)  { f.Skip(fmt.Sprintf(format, args...)) }

// call runs fn with the fake in a goroutine of its own, as Fatal needs.
func (f *fakeTB) call(fn func()) {
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	<-done
}

func TestConsoleErrorsAndCSP(t *testing.T) {
	base := pages(t)
	b := New(t)

	p := b.NewTab(t)
	p.Navigate(t, base+"/console")
	f := &fakeTB{TB: t}
	for range 50 { // the exception is thrown from a timer; the assertion flushes
		if len(p.ConsoleErrors()) >= 2 {
			break
		}
		p.flush()
	}
	f.call(func() { b.AssertNoConsoleErrors(f, p) })
	msg := strings.Join(f.errors, "\n")
	for _, want := range []string{"console.error: boom 42", "kaput"} {
		if !strings.Contains(msg, want) {
			t.Errorf("AssertNoConsoleErrors does not report %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "fine") {
		t.Errorf("AssertNoConsoleErrors reports console.log:\n%s", msg)
	}

	csp := b.NewTab(t)
	csp.Navigate(t, base+"/csp")
	if got := csp.Text(t, "#out"); got != "static" {
		t.Errorf("the CSP did not block the inline script: #out %q", got)
	}
	csp.flush()
	if v := csp.CSPViolations(); len(v) == 0 || !strings.Contains(v[0], "script-src") {
		t.Errorf("CSP violations = %q, want the inline script's", v)
	}
	f = &fakeTB{TB: t}
	f.call(func() { b.AssertNoConsoleErrors(f, csp) })
	if len(f.errors) != 1 || !strings.Contains(f.errors[0], "CSP:") {
		t.Errorf("AssertNoConsoleErrors on the CSP page: %q", f.errors)
	}
	csp.ClearConsole()
	b.AssertNoConsoleErrors(t, csp)

	clean := b.NewTab(t)
	clean.Navigate(t, base+"/clean")
	b.AssertNoConsoleErrors(t, clean)
}

func TestKeyboardAndForm(t *testing.T) {
	base := pages(t)
	b := New(t)
	p := b.NewTab(t)
	p.Navigate(t, base+"/form")
	var got []string
	for range 6 {
		got = append(got, p.Tab(t))
	}
	want := []string{
		`a#skip "Skip to main content" href=#main`,
		`input#email[type=email] "E-mail address (required)"`,
		`input[type=password] "Password"`,
		`input "Team"`,
		`select#lang`,
		`button "Sign in"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("focus order:\n got %q\nwant %q", got, want)
	}
	if back := p.ShiftTab(t); back != want[4] {
		t.Errorf("Shift+Tab: %q, want %q", back, want[4])
	}

	p.FillLabel(t, "E-mail address", "ana@csirt.example")
	p.FillLabel(t, "Password", `pa"ss'word`)
	p.FillLabel(t, "Team", "Blue")
	p.Fill(t, "#email", "analyst@csirt.example") // replaces
	p.Select(t, "#lang", "nl")
	if status := p.ClickNavigate(t, "button[type=submit]"); status != 200 {
		t.Errorf("submitting: status %d", status)
	}
	if got, want := p.Text(t, "#q"), "email=analyst%40csirt.example&lang=nl&password=pa%22ss%27word&team=Blue"; got != want {
		t.Errorf("submitted %q, want %q", got, want)
	}
	if got := p.Title(t); got != "echo" {
		t.Errorf("title %q", got)
	}
	p.Navigate(t, base+"/form")
	p.ClickText(t, "Skip to main content")
	if u := p.URL(t); !strings.HasSuffix(u, "/form#main") {
		t.Errorf("after the skip link: %s", u)
	}
}

// TestStepsFail shows that a step that cannot succeed ends at its deadline
// with a message naming the step and the page, instead of hanging.
func TestStepsFail(t *testing.T) {
	base := pages(t)
	b := New(t)
	p := b.NewTab(t, WithStepTimeout(300*time.Millisecond))
	p.Navigate(t, base+"/clean")
	if err := p.do(chromedp.WaitVisible(chromedp.CSS("#never"))); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for a missing element: %v, want a deadline error", err)
	}
	dir := t.TempDir()
	t.Setenv(EnvArtifacts, dir)
	f := &fakeTB{TB: t}
	f.call(func() { p.FillLabel(f, "No such field", "x") })
	if !f.fatal || len(f.errors) != 1 {
		t.Fatalf("a failing step: fatal %v, errors %q", f.fatal, f.errors)
	}
	for _, want := range []string{`filling the field labelled "No such field"`, "not done within 300ms", base + "/clean", "screenshot: " + dir} {
		if !strings.Contains(f.errors[0], want) {
			t.Errorf("failure message lacks %q:\n%s", want, f.errors[0])
		}
	}
	if shots, _ := filepath.Glob(filepath.Join(dir, "*failure-1.png")); len(shots) != 1 {
		t.Errorf("failure screenshots in %s: %v", dir, shots)
	}
}

// TestNoOutsideNetwork shows that the browser reaches nothing beyond
// 127.0.0.1: requests elsewhere end at the harness's refusing proxy (no
// packet leaves the machine).
func TestNoOutsideNetwork(t *testing.T) {
	b := New(t)
	p := b.NewTab(t)
	if status, err := p.navigate("http://192.0.2.1/x"); err == nil && status != http.StatusForbidden {
		t.Errorf("http://192.0.2.1/x: status %d, want refused", status)
	}
	if _, err := p.navigate("https://nisnet.example/"); err == nil {
		t.Error("https://nisnet.example/ loaded, want a network error")
	}
	blocked := b.BlockedRequests()
	for _, want := range []string{"http://192.0.2.1/x", "nisnet.example:443"} {
		if !slices.Contains(blocked, want) {
			t.Errorf("BlockedRequests() = %q, want it to hold %q", blocked, want)
		}
	}
}

func TestMissingBrowser(t *testing.T) {
	t.Setenv(EnvChromium, filepath.Join(t.TempDir(), "no-chromium"))
	if got := FindChromium(); got != "" {
		t.Fatalf("FindChromium() = %q with %s pointing nowhere", got, EnvChromium)
	}
	t.Setenv(EnvRequire, "")
	f := &fakeTB{TB: t}
	f.call(func() { New(f) })
	if !f.skipped || f.fatal || !strings.Contains(strings.Join(f.errors, ""), "apt-get install chromium") {
		t.Errorf("without a browser: skipped %v, fatal %v, %q; want a skip that says how to install it", f.skipped, f.fatal, f.errors)
	}
	t.Setenv(EnvRequire, "1")
	f = &fakeTB{TB: t}
	f.call(func() { New(f) })
	if f.skipped || !f.fatal || !strings.Contains(strings.Join(f.errors, ""), EnvRequire+"=1") {
		t.Errorf("without a browser and %s=1: skipped %v, fatal %v, %q; want a failure", EnvRequire, f.skipped, f.fatal, f.errors)
	}
}

func TestXPathLiteral(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:    `"plain"`,
		`it's`:     `"it's"`,
		`say "hi"`: `'say "hi"'`,
		`a"b'c`:    `concat("a", '"', "b'c")`,
	} {
		if got := xpathLiteral(in); got != want {
			t.Errorf("xpathLiteral(%q) = %s, want %s", in, got, want)
		}
	}
}
