package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// me is the signed-in reader, as GET /api/v1/me describes them.
type me struct {
	Role         string `json:"role"`
	Organisation struct {
		ID          string `json:"id"`
		Kind        string `json:"kind"`
		Name        string `json:"name"`
		MemberState string `json:"member_state"`
	} `json:"organisation"`
	User *struct {
		ID          string `json:"id"`
		Email       string `json:"email"`
		DisplayName string `json:"display_name"`
		Locale      string `json:"locale"`
		TimeZone    string `json:"time_zone"`
	} `json:"user"`
}

// view is what every page template gets: the reader, their language and
// time zone, the CSRF token for forms, and the page's own Data.
type view struct {
	Title string
	Lang  string
	Langs []Language
	Me    *me // nil: nobody is signed in
	CSRF  string
	Path  string // the request's path and query, for links back here
	Nav   string // the navigation entry the page belongs to
	Zone  *time.Location
	Data  any

	text Translator
	now  time.Time
}

func (u *UI) newView(w http.ResponseWriter, r *http.Request) *view {
	v := &view{Langs: u.Languages, CSRF: u.csrfToken(w, r), Path: localPath(r.URL.RequestURI()), Zone: u.Zone,
		text: u.Text, now: time.Now()}
	v.Lang = u.Text.Match(r.Header.Get("Accept-Language"), cookieValue(r, langCookie))
	return v
}

// whoIs asks the API who the reader is (nobody, without a session) and
// settles their language and time zone: a language cookie, else the
// user's preference, else the browser's; the user's zone, else the one
// their browser reported, else the node's.
func (u *UI) whoIs(r *http.Request, v *view) error {
	hasSession := false
	for _, c := range r.Cookies() {
		hasSession = hasSession || isSessionCookie(c.Name)
	}
	if !hasSession {
		return nil
	}
	var m me
	_, err := u.call(r, http.MethodGet, "/api/v1/me", nil, &m)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		return nil // an expired session: the reader is signed out
	}
	if err != nil {
		return err
	}
	v.Me = &m
	if m.User != nil {
		if cookieValue(r, langCookie) == "" && m.User.Locale != "" {
			v.Lang = u.Text.Match("", m.User.Locale)
		}
		if loc, err := time.LoadLocation(m.User.TimeZone); m.User.TimeZone != "" && err == nil {
			v.Zone = loc
			return nil
		}
	}
	if tz, _ := url.QueryUnescape(cookieValue(r, zoneCookie)); tz != "" && len(tz) < 64 && !strings.Contains(tz, "..") {
		if loc, err := time.LoadLocation(tz); err == nil {
			v.Zone = loc
		}
	}
	return nil
}

// Cookies of the interface's preferences: not secrets.
const (
	langCookie = "nisnet_lang"
	zoneCookie = "nisnet_tz" // set by app.js from the browser's zone
)

func cookieValue(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

// T translates key into the reader's language.
func (v *view) T(key string, args ...any) string { return v.text.T(v.Lang, key, args...) }

// SignedIn, Authority, Entity, NodeAdmin and EntityAdmin describe the reader.
func (v *view) SignedIn() bool  { return v.Me != nil }
func (v *view) Authority() bool { return v.Me != nil && v.Me.Organisation.Kind == "authority" }
func (v *view) Entity() bool    { return v.Me != nil && v.Me.Organisation.Kind == "entity" }
func (v *view) NodeAdmin() bool { return v.Me != nil && v.Me.Role == "node_admin" }
func (v *view) EntityAdmin() bool {
	return v.Me != nil && v.Me.Role == "entity_admin"
}

// Time shows an instant in the reader's zone, with the UTC instant beside
// it and in the element's machine-readable datetime.
func (v *view) Time(t any) template.HTML {
	tt, ok := instant(t)
	if !ok {
		return template.HTML(`<span class="none">–</span>`)
	}
	local := tt.In(v.Zone)
	return template.HTML(fmt.Sprintf(`<time datetime="%s">%s <span class="utc">(%s UTC)</span></time>`,
		tt.UTC().Format(time.RFC3339), template.HTMLEscapeString(local.Format("2006-01-02 15:04 MST")),
		tt.UTC().Format("2006-01-02 15:04")))
}

// Due shows how long until an instant, or how long it has passed: a
// countdown that app.js keeps current, with the same text when JavaScript
// is off.
func (v *view) Due(t any) template.HTML {
	tt, ok := instant(t)
	if !ok {
		return ""
	}
	d := tt.Sub(v.now)
	text, class := v.T("time.due_in", "duration", v.text.FormatDuration(v.Lang, d)), "countdown"
	if d < 0 {
		text, class = v.T("time.overdue_by", "duration", v.text.FormatDuration(v.Lang, d)), "countdown overdue"
	}
	return template.HTML(fmt.Sprintf(`<span class="%s" data-due="%s">%s</span>`, class,
		tt.UTC().Format(time.RFC3339), template.HTMLEscapeString(text)))
}

// Overdue reports whether an instant has passed.
func (v *view) Overdue(t any) bool {
	tt, ok := instant(t)
	return ok && tt.Before(v.now)
}

// instant accepts a time.Time, a *time.Time or an RFC 3339 string.
func instant(t any) (time.Time, bool) {
	switch x := t.(type) {
	case time.Time:
		return x, !x.IsZero()
	case *time.Time:
		if x == nil || x.IsZero() {
			return time.Time{}, false
		}
		return *x, true
	case string:
		tt, err := time.Parse(time.RFC3339Nano, x)
		return tt, err == nil
	}
	return time.Time{}, false
}

// funcs are the template functions every page may use; everything that
// depends on the reader is a method of view instead.
var funcs = template.FuncMap{
	"join": strings.Join,
	"list": func(xs ...any) []any { return xs },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"contains": func(xs []string, x string) bool {
		for _, y := range xs {
			if y == x {
				return true
			}
		}
		return false
	},
}

// parse reads every page template: each page file defines "content" (and
// may define "title"), rendered inside layout.html with the partials.
func (u *UI) parse() error {
	pages, err := fs.Glob(files, "templates/pages/*.html")
	if err != nil {
		return err
	}
	u.pages = map[string]*template.Template{}
	for _, p := range pages {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials/*.html", p)
		if err != nil {
			return fmt.Errorf("web: template %s: %w", p, err)
		}
		u.pages[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return nil
}

// render writes page name with v; data becomes v.Data. Rendering goes to a
// buffer first, so a template error gives an error page, not half a page.
func (u *UI) render(w http.ResponseWriter, status int, name string, v *view, data any) {
	v.Data = data
	t, ok := u.pages[name]
	var buf bytes.Buffer
	if !ok {
		u.logger().Error("web: no such page template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, v); err != nil {
		u.logger().Error("web: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", v.Lang)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// redirect ends a successful POST: the browser loads the result with GET.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, localPath(to), http.StatusSeeOther)
	return nil
}
