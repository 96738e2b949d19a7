// Package web is nisnet's HTML interface for operators, analysts and
// administrators: server-rendered html/template pages with embedded
// stylesheet and script, no outside resources, usable without JavaScript.
//
// The pages do not reach the store themselves. Every read and every change
// goes through the node's JSON API, called in-process with the browser's
// session cookie (see apicall.go), so the API's authentication, authorisation
// (another organisation's objects answer 404), validation and audit trail
// apply to the browser exactly as to any API client. This package adds what
// a browser needs on top: forms instead of JSON, POST-redirect-GET,
// double-submit CSRF tokens besides the API's cross-origin check, a strict
// Content-Security-Policy, translated text and times in the reader's zone.
package web

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

//go:embed templates static
var files embed.FS

// Translator turns message keys into text in a language (package i18n).
type Translator interface {
	// T returns the message key in lang with its {placeholders} filled from
	// args, given as name/value pairs.
	T(lang, key string, args ...any) string
	// Match picks a supported language from a language cookie's value or,
	// if that names none, from an Accept-Language header.
	Match(acceptLanguage, cookie string) string
	// FormatDuration writes a length of time in lang ("2 h 15 min").
	FormatDuration(lang string, d time.Duration) string
}

// Language is a language the interface is offered in.
type Language struct {
	Code string // "en", "nl" …
	Name string // its own name: "English", "Nederlands"
}

// UI serves the HTML pages. Set the exported fields, then call Routes once.
type UI struct {
	// API is the node's handler that serves /api/v1: pages call it
	// in-process.
	API http.Handler
	// Text translates the interface; Languages lists what it offers.
	Text      Translator
	Languages []Language
	// Zone shows times to readers who chose no time zone: the zone of the
	// node's Member State.
	Zone *time.Location
	// SecureCookies marks the interface's own cookies Secure even on
	// requests that did not arrive over TLS (a TLS proxy is in front).
	SecureCookies bool
	Log           *slog.Logger

	pages map[string]*template.Template
}

// Routes parses the templates and registers the pages on mux.
func (u *UI) Routes(mux *http.ServeMux) error {
	if err := u.parse(); err != nil {
		return err
	}
	if u.Zone == nil {
		u.Zone = time.UTC
	}
	static, err := fs.Sub(files, "static")
	if err != nil {
		return err
	}
	mux.Handle("GET /static/", u.headers(http.StripPrefix("/static/", staticHandler(static))))

	page := func(pattern string, h pageFunc) { mux.Handle(pattern, u.headers(u.page(h))) }
	page("GET /{$}", u.home)
	page("GET /signin", u.signInForm)
	page("POST /signin", u.signIn)
	page("POST /signout", u.signOut)
	page("POST /language", u.setLanguage)
	page("GET /assess", u.assessForm)
	page("POST /assess", u.assess)
	page("GET /incidents", u.incidents)
	page("GET /incidents/{id}", u.incident)
	u.operatorRoutes(page)
	u.analystRoutes(page)
	u.adminRoutes(page)
	return nil
}

// pageFunc serves one page; an error it returns becomes an error page.
type pageFunc func(w http.ResponseWriter, r *http.Request, v *view) error

// page adapts a pageFunc: it finds who is signed in and their language,
// checks the CSRF token of state-changing requests, and renders errors.
func (u *UI) page(h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := u.newView(w, r)
		err := u.checkCSRF(w, r, v)
		if err == nil {
			err = u.whoIs(r, v)
		}
		if err == nil {
			err = h(w, r, v)
		}
		if err != nil {
			u.fail(w, r, v, err)
		}
	})
}

// errSignIn sends a reader who is not signed in to the sign-in page.
var errSignIn = errors.New("web: sign-in required")

// pageError is an error shown to the reader with an HTTP status.
type pageError struct {
	Status  int
	Message string // already translated
}

func (e *pageError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message) }

// fail renders err: a redirect to sign in, or an error page whose text
// names what went wrong. Unexpected errors are logged, never shown.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	if errors.Is(err, errSignIn) {
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = "/"
		}
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	var pe *pageError
	var ae *apiError
	switch {
	case errors.As(err, &pe):
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		pe = &pageError{Status: http.StatusNotFound, Message: v.T("error.not_found")}
	case errors.As(err, &ae) && ae.Status == http.StatusForbidden:
		pe = &pageError{Status: http.StatusForbidden, Message: v.T("error.forbidden")}
	case errors.As(err, &ae) && ae.Status < 500:
		pe = &pageError{Status: ae.Status, Message: ae.Message}
	default:
		u.logger().Error("web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		pe = &pageError{Status: http.StatusInternalServerError, Message: v.T("error.internal")}
	}
	v.Title = v.T("error.title")
	u.render(w, pe.Status, "error", v, pe)
}

func (u *UI) logger() *slog.Logger {
	if u.Log != nil {
		return u.Log
	}
	return slog.Default()
}

// home sends signed-in readers to their incidents, others to sign in.
func (u *UI) home(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Me == nil {
		return errSignIn
	}
	http.Redirect(w, r, "/incidents", http.StatusSeeOther)
	return nil
}

// incidents is the reader's list: an authority's queue (analyst.go), an
// entity's own incidents (operator.go).
func (u *UI) incidents(w http.ResponseWriter, r *http.Request, v *view) error {
	switch {
	case v.Me == nil:
		return errSignIn
	case v.Authority():
		return u.queue(w, r, v)
	}
	return u.myIncidents(w, r, v)
}

// incident is one incident's page, as the authority or as the reporting
// entity sees it.
func (u *UI) incident(w http.ResponseWriter, r *http.Request, v *view) error {
	switch {
	case v.Me == nil:
		return errSignIn
	case v.Authority():
		return u.authorityIncident(w, r, v)
	}
	return u.entityIncident(w, r, v)
}

// localPath returns p if it is a path on this site, else "/": redirects
// never lead elsewhere.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return p
}
