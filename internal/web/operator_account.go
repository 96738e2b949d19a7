package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// accountData is the reader's own account: name, language, time zone and
// the password form.
type accountData struct {
	Profile      []formField
	Password     []formField // current, new, repeat: type password
	BrowserZone  string
	Saved        string // which part was saved: "profile" or "password"
	Error        string
	PasswordErrs bool
}

func (u *UI) accountData(r *http.Request, v *view) *accountData {
	d := &accountData{}
	langs := []option{{"", v.T("op.account.default_language")}}
	for _, l := range v.Langs {
		langs = append(langs, option{l.Code, l.Name})
	}
	d.Profile = []formField{
		{Name: "display_name", Kind: kText, Label: v.T("op.account.display_name"), Required: true},
		{Name: "locale", Kind: kSelect, Label: v.T("nav.language"), Options: langs},
		{Name: "time_zone", Kind: kText, Label: v.T("nav.time_zone"), Hint: v.T("op.account.zone_hint")},
	}
	if u := v.Me.User; u != nil {
		d.Profile[0].Value, d.Profile[1].Value, d.Profile[2].Value = u.DisplayName, u.Locale, u.TimeZone
	}
	if tz, _ := url.QueryUnescape(cookieValue(r, zoneCookie)); tz != "" && len(tz) < 64 {
		d.BrowserZone = tz
		d.Profile[2].Hint += " " + v.T("op.account.browser_zone", "zone", tz)
	}
	d.Password = []formField{
		{Name: "current_password", Label: v.T("op.account.current_password"), Required: true},
		{Name: "new_password", Label: v.T("op.account.new_password"), Required: true},
		{Name: "repeat_password", Label: v.T("op.account.repeat_password"), Required: true},
	}
	return d
}

func (u *UI) accountForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Me == nil {
		return errSignIn
	}
	if v.Me.User == nil {
		return &pageError{Status: http.StatusNotFound, Message: v.T("error.not_found")}
	}
	d := u.accountData(r, v)
	d.Saved = r.URL.Query().Get("saved")
	v.Title, v.Nav = v.T("nav.account"), "account"
	u.render(w, http.StatusOK, "account", v, d)
	return nil
}

// accountPost changes the profile (PATCH /api/v1/me) or the password
// (POST /api/v1/me/password).
func (u *UI) accountPost(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Me == nil {
		return errSignIn
	}
	if v.Me.User == nil {
		return &pageError{Status: http.StatusNotFound, Message: v.T("error.not_found")}
	}
	d := u.accountData(r, v)
	v.Title, v.Nav = v.T("nav.account"), "account"
	var ae *apiError
	if r.PostFormValue("action") == "password" {
		cur, nw, rep := r.PostFormValue("current_password"), r.PostFormValue("new_password"), r.PostFormValue("repeat_password")
		if nw != rep {
			d.Password[2].Error = v.T("op.account.mismatch")
			d.Error, d.PasswordErrs = v.T("form.fix_fields"), true
			u.render(w, http.StatusBadRequest, "account", v, d)
			return nil
		}
		_, err := u.call(r, http.MethodPost, "/api/v1/me/password", map[string]string{"current_password": cur, "new_password": nw}, nil)
		if err == nil {
			return redirect(w, r, "/account?saved=password")
		}
		if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
			return err
		}
		if markErrors(d.Password, ae, "") == 0 {
			d.Password[1].Error = ae.Message
		}
		d.Error, d.PasswordErrs = v.T("form.fix_fields"), true
		u.render(w, http.StatusBadRequest, "account", v, d)
		return nil
	}
	for i := range d.Profile {
		d.Profile[i].fill(r.PostForm)
	}
	in := map[string]string{}
	for _, f := range d.Profile {
		in[f.Name] = strings.TrimSpace(f.Value)
	}
	_, err := u.call(r, http.MethodPatch, "/api/v1/me", in, nil)
	if err == nil {
		if l := in["locale"]; l != "" {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: u.secure(r), SameSite: http.SameSiteLaxMode})
		}
		return redirect(w, r, "/account?saved=profile")
	}
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		return err
	}
	if markErrors(d.Profile, ae, "") == 0 {
		d.Error = ae.Message
	} else {
		d.Error = v.T("form.fix_fields")
	}
	u.render(w, http.StatusBadRequest, "account", v, d)
	return nil
}

// userInfo is a user in a list (api.User).
type userInfo struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
}

// tokenInfo is an API token (api.APIToken).
type tokenInfo struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	Token     string     `json:"token"`
}

// orgUsersData is the organisation's users and the form to add one.
type orgUsersData struct {
	Users  []userInfo
	Fields []formField // email, display_name, role; the password is by hand
	PwErr  string
	Error  string
	Notice string
}

func entityRoleOptions(v *view) []option {
	return []option{{"entity_reporter", v.T("op.role.entity_reporter")}, {"entity_admin", v.T("op.role.entity_admin")}}
}

func (u *UI) orgUsersData(r *http.Request, v *view) (*orgUsersData, error) {
	if v.Me == nil {
		return nil, errSignIn
	}
	if !v.EntityAdmin() {
		return nil, &pageError{Status: http.StatusForbidden, Message: v.T("error.forbidden")}
	}
	var list struct {
		Items []userInfo `json:"items"`
	}
	if _, err := u.call(r, http.MethodGet, "/api/v1/users?limit=500", nil, &list); err != nil {
		return nil, err
	}
	v.Title, v.Nav = v.T("op.users.title"), "users"
	return &orgUsersData{Users: list.Items, Fields: []formField{
		{Name: "email", Kind: kText, Label: v.T("op.users.email"), Required: true},
		{Name: "display_name", Kind: kText, Label: v.T("op.account.display_name"), Required: true},
		{Name: "role", Kind: kSelect, Label: v.T("op.role"), Required: true, Options: entityRoleOptions(v), Value: "entity_reporter"},
	}}, nil
}

func (u *UI) orgUsers(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := u.orgUsersData(r, v)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "added":
		d.Notice = v.T("op.users.added")
	case "changed":
		d.Notice = v.T("form.saved")
	}
	u.render(w, http.StatusOK, "org_users", v, d)
	return nil
}

// orgUserCreate adds a user to the organisation (POST /api/v1/users).
func (u *UI) orgUserCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := u.orgUsersData(r, v)
	if err != nil {
		return err
	}
	for i := range d.Fields {
		d.Fields[i].fill(r.PostForm)
	}
	in := map[string]string{"password": r.PostFormValue("password")}
	for _, f := range d.Fields {
		in[f.Name] = strings.TrimSpace(f.Value)
	}
	_, err = u.call(r, http.MethodPost, "/api/v1/users", in, nil)
	if err == nil {
		return redirect(w, r, "/organisation/users?done=added")
	}
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status >= 500 || ae.Status == http.StatusNotFound {
		return err
	}
	n := markErrors(d.Fields, ae, "")
	if d.PwErr = ae.field("password"); d.PwErr != "" {
		n++
	}
	d.Error = v.T("form.fix_fields")
	if n == 0 {
		d.Error = ae.Message
	}
	u.render(w, ae.Status, "org_users", v, d)
	return nil
}

// orgUserToggle disables or enables a user (PATCH /api/v1/users/{id}).
func (u *UI) orgUserToggle(w http.ResponseWriter, r *http.Request, v *view) error {
	if _, err := u.orgUsersData(r, v); err != nil {
		return err
	}
	disabled := r.PostFormValue("disabled") == "true"
	if _, err := u.call(r, http.MethodPatch, "/api/v1/users/"+url.PathEscape(r.PathValue("user")),
		map[string]bool{"disabled": disabled}, nil); err != nil {
		return err
	}
	return redirect(w, r, "/organisation/users?done=changed")
}

// orgTokensData is the organisation's API tokens and the form to create
// one; Created is the new token, whose secret is shown this once.
type orgTokensData struct {
	Tokens  []tokenInfo
	Fields  []formField
	Created *tokenInfo
	Error   string
	Notice  string
}

func (u *UI) orgTokensData(r *http.Request, v *view) (*orgTokensData, error) {
	if v.Me == nil {
		return nil, errSignIn
	}
	if !v.EntityAdmin() {
		return nil, &pageError{Status: http.StatusForbidden, Message: v.T("error.forbidden")}
	}
	var list struct {
		Items []tokenInfo `json:"items"`
	}
	if _, err := u.call(r, http.MethodGet, "/api/v1/tokens?limit=500", nil, &list); err != nil {
		return nil, err
	}
	v.Title, v.Nav = v.T("op.tokens.title"), "tokens"
	return &orgTokensData{Tokens: list.Items, Fields: []formField{
		{Name: "name", Kind: kText, Label: v.T("op.tokens.name"), Required: true},
		{Name: "role", Kind: kSelect, Label: v.T("op.role"), Required: true, Options: entityRoleOptions(v), Value: "entity_reporter"},
		{Name: "expires_days", Kind: kInt, Label: v.T("op.tokens.expires_days"), Hint: v.T("op.tokens.expires_hint"), Required: true, Value: "90"},
	}}, nil
}

func (u *UI) orgTokens(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := u.orgTokensData(r, v)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("done") == "revoked" {
		d.Notice = v.T("op.tokens.revoked_notice")
	}
	u.render(w, http.StatusOK, "org_tokens", v, d)
	return nil
}

// orgTokenCreate creates an API token (POST /api/v1/tokens) and shows its
// secret once: the answer is rendered, not redirected, and never stored.
func (u *UI) orgTokenCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := u.orgTokensData(r, v)
	if err != nil {
		return err
	}
	for i := range d.Fields {
		d.Fields[i].fill(r.PostForm)
	}
	days, err := strconv.Atoi(strings.TrimSpace(d.Fields[2].Value))
	if err != nil || days < 1 || days > 365 {
		d.Fields[2].Error = v.T("op.tokens.bad_days")
		d.Error = v.T("form.fix_fields")
		u.render(w, http.StatusBadRequest, "org_tokens", v, d)
		return nil
	}
	in := map[string]any{"name": strings.TrimSpace(d.Fields[0].Value), "role": d.Fields[1].Value,
		"expires_at": time.Now().Add(time.Duration(days) * 24 * time.Hour).UTC().Format(time.RFC3339)}
	var tok tokenInfo
	_, err = u.call(r, http.MethodPost, "/api/v1/tokens", in, &tok)
	var ae *apiError
	switch {
	case err == nil:
		d.Created = &tok
		d.Tokens = append(d.Tokens, tok)
		w.Header().Set("Cache-Control", "no-store")
		u.render(w, http.StatusCreated, "org_tokens", v, d)
		return nil
	case !errors.As(err, &ae) || ae.Status >= 500 || ae.Status == http.StatusNotFound:
		return err
	}
	n := markErrors(d.Fields, ae, "")
	if m := ae.field("expires_at"); m != "" {
		d.Fields[2].Error = m
		n++
	}
	d.Error = v.T("form.fix_fields")
	if n == 0 {
		d.Error = ae.Message
	}
	u.render(w, ae.Status, "org_tokens", v, d)
	return nil
}

// orgTokenRevoke revokes an API token (DELETE /api/v1/tokens/{id}).
func (u *UI) orgTokenRevoke(w http.ResponseWriter, r *http.Request, v *view) error {
	if _, err := u.orgTokensData(r, v); err != nil {
		return err
	}
	if _, err := u.call(r, http.MethodDelete, "/api/v1/tokens/"+url.PathEscape(r.PathValue("token")), nil, nil); err != nil {
		return err
	}
	return redirect(w, r, "/organisation/tokens?done=revoked")
}
