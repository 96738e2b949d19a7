package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
)

// signInData fills the sign-in form.
type signInData struct {
	Email string
	Next  string
	Error string
}

func (u *UI) signInForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Me != nil {
		return redirect(w, r, localPath(r.URL.Query().Get("next")))
	}
	v.Title = v.T("signin.title")
	u.render(w, http.StatusOK, "signin", v, signInData{Next: localPath(r.URL.Query().Get("next"))})
	return nil
}

// signIn posts the credentials to the API (POST /api/v1/session, which
// limits failed attempts) and hands its session cookie to the browser.
func (u *UI) signIn(w http.ResponseWriter, r *http.Request, v *view) error {
	d := signInData{Email: strings.TrimSpace(r.PostFormValue("email")), Next: localPath(r.PostFormValue("next"))}
	h, err := u.call(r, http.MethodPost, "/api/v1/session",
		map[string]string{"email": d.Email, "password": r.PostFormValue("password")}, nil)
	var ae *apiError
	switch {
	case err == nil:
		for _, c := range h.Values("Set-Cookie") {
			w.Header().Add("Set-Cookie", c)
		}
		return redirect(w, r, d.Next)
	case errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests:
		d.Error = v.T("signin.rate_limited")
	case errors.As(err, &ae) && ae.Status == http.StatusUnauthorized:
		d.Error = v.T("signin.failed")
	case errors.As(err, &ae) && ae.Status == http.StatusBadRequest:
		d.Error = v.T("signin.missing")
	default:
		return err
	}
	v.Title = v.T("signin.title")
	status := http.StatusUnauthorized
	if ae.Status == http.StatusTooManyRequests {
		status = http.StatusTooManyRequests
	}
	u.render(w, status, "signin", v, d)
	return nil
}

// signOut ends the session at the API and deletes the cookie.
func (u *UI) signOut(w http.ResponseWriter, r *http.Request, v *view) error {
	h, err := u.call(r, http.MethodDelete, "/api/v1/session", nil, nil)
	var ae *apiError
	if err != nil && !(errors.As(err, &ae) && ae.Status < 500) {
		return err
	}
	for _, c := range h.Values("Set-Cookie") {
		w.Header().Add("Set-Cookie", c)
	}
	return redirect(w, r, "/signin")
}

// setLanguage remembers the chosen language in a cookie and, for a
// signed-in user, as their preference; then returns to the page.
func (u *UI) setLanguage(w http.ResponseWriter, r *http.Request, v *view) error {
	lang := r.PostFormValue("lang")
	if !slices.ContainsFunc(u.Languages, func(l Language) bool { return l.Code == lang }) {
		return &pageError{Status: http.StatusBadRequest, Message: v.T("error.unknown_language")}
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: u.secure(r), SameSite: http.SameSiteLaxMode})
	if v.Me != nil && v.Me.User != nil {
		// Best effort: the cookie already carries the choice.
		if _, err := u.call(r, http.MethodPatch, "/api/v1/me", map[string]string{"locale": lang}, nil); err != nil {
			u.logger().Info("web: language preference not stored", "err", err)
		}
	}
	return redirect(w, r, r.PostFormValue("back"))
}
