package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io/fs"
	"mime/multipart"
	"net/http"
	"strings"
)

// contentSecurityPolicy allows nothing but the node's own script, style and
// images: no inline script or style, no outside resource, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Limits on what a browser sends.
const (
	maxFormBytes   = 1 << 20 // an ordinary form
	maxUploadBytes = 4 << 20 // a CSV import
)

// headers sets the security headers every answer of the interface carries.
func (u *UI) headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if u.secure(r) {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.ServeHTTP(w, r)
	})
}

// staticHandler serves the embedded stylesheet and script. They change
// only with the binary, so browsers may keep them for a day.
func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}

func (u *UI) secure(r *http.Request) bool { return u.SecureCookies || r.TLS != nil }

// csrfCookieName is the double-submit cookie's name: with the __Host-
// prefix where cookies are Secure, so no subdomain can set it.
func (u *UI) csrfCookieName(r *http.Request) string {
	if u.secure(r) {
		return "__Host-nisnet_csrf"
	}
	return "nisnet_csrf"
}

// csrfToken returns the reader's CSRF token, setting the cookie that holds
// it if the browser has none yet. Every form carries it as the hidden field
// "csrf"; a state-changing request whose field differs from the cookie is
// refused. A site that cannot read or set our cookies cannot forge it.
func (u *UI) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(u.csrfCookieName(r)); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: u.csrfCookieName(r), Value: tok, Path: "/", HttpOnly: true,
		Secure: u.secure(r), SameSite: http.SameSiteStrictMode})
	// The request itself carries no cookie yet; remember the token so a
	// page rendered for it uses this one.
	r.AddCookie(&http.Cookie{Name: u.csrfCookieName(r), Value: tok})
	return tok
}

// crossOrigin refuses cross-origin browser requests (Sec-Fetch-Site and
// Origin headers); the CSRF token is the second, independent check.
var crossOrigin = http.NewCrossOriginProtection()

// checkCSRF checks a state-changing request: same origin, and the form's
// csrf field equal to the cookie. Form bodies are bounded here too.
func (u *UI) checkCSRF(w http.ResponseWriter, r *http.Request, v *view) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	if err := crossOrigin.Check(r); err != nil {
		return &pageError{Status: http.StatusForbidden, Message: v.T("error.cross_origin")}
	}
	limit := int64(maxFormBytes)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		limit = maxUploadBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, multipart.ErrMessageTooLarge) {
			return &pageError{Status: http.StatusRequestEntityTooLarge, Message: v.T("error.too_large")}
		}
		return &pageError{Status: http.StatusBadRequest, Message: v.T("error.bad_form")}
	}
	c, err := r.Cookie(u.csrfCookieName(r))
	sent := r.PostFormValue("csrf")
	if err != nil || sent == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(sent)) != 1 {
		return &pageError{Status: http.StatusForbidden, Message: v.T("error.csrf")}
	}
	return nil
}
