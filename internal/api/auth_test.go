package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/store"
)

func TestSetupTokenOneTimeUse(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	stale, err := NewSetupToken(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	token, err := NewSetupToken(ctx, f.db) // replaces stale
	if err != nil {
		t.Fatal(err)
	}
	setup := func(token, email string) (*http.Response, []byte) {
		return f.do(t, "POST", "/api/v1/setup", jsonBody(SetupRequest{Token: token, Email: email, Password: testPassword}))
	}

	t.Run("malformed token refused", func(t *testing.T) {
		resp, out := setup("nsu_short", "a@example.eu")
		wantStatus(t, "setup", resp, out, 403)
		if code := errorCode(t, out); code != "invalid_setup_token" {
			t.Errorf("code %q, want invalid_setup_token", code)
		}
	})
	t.Run("replaced token refused", func(t *testing.T) {
		resp, out := setup(stale, "a@example.eu")
		wantStatus(t, "setup", resp, out, 403)
	})
	t.Run("weak password refused", func(t *testing.T) {
		resp, out := f.do(t, "POST", "/api/v1/setup", jsonBody(SetupRequest{Token: token, Email: "a@example.eu", Password: "short"}))
		wantStatus(t, "setup", resp, out, 400)
		if !strings.Contains(string(out), `"password"`) {
			t.Errorf("error does not name the password field: %s", out)
		}
	})

	resp, out := setup(token, "Admin@Example.eu")
	wantStatus(t, "setup", resp, out, 201)
	u := decode[User](t, out)
	if u.Role != "node_admin" || u.OrganisationID != f.authority.ID || u.Email != "admin@example.eu" {
		t.Errorf("setup created %+v, want a node_admin of the authority %s", u, f.authority.ID)
	}
	// The administrator can sign in with the password given.
	f.login(t, "admin@example.eu", testPassword)

	t.Run("second use refused", func(t *testing.T) {
		resp, out := setup(token, "b@example.eu")
		if resp.StatusCode == 201 {
			t.Fatalf("the setup token worked twice: %s", out)
		}
		wantStatus(t, "second setup", resp, out, 409)
		if _, err := f.db.GetUserByEmail(ctx, "b@example.eu"); err == nil {
			t.Error("a second administrator was created")
		}
	})
	t.Run("consumed in the store", func(t *testing.T) {
		err := f.db.Transact(ctx, func(tx *store.Tx) error { return tx.ConsumeSetupToken(ctx, auth.HashToken(token)) })
		if err == nil {
			t.Error("the setup token can be consumed again")
		}
	})
}

func TestLogin(t *testing.T) {
	f := newServer(t)
	u := f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "alice@hospital.example")

	t.Run("success sets a session cookie", func(t *testing.T) {
		resp, out := f.do(t, "POST", "/api/v1/session", jsonBody(SessionRequest{Email: "ALICE@hospital.example", Password: testPassword}))
		wantStatus(t, "sign in", resp, out, 201)
		var c *http.Cookie
		for _, k := range resp.Cookies() {
			if k.Name == "nisnet_session" {
				c = k
			}
		}
		if c == nil {
			t.Fatalf("no nisnet_session cookie: %v", resp.Header["Set-Cookie"])
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
			t.Errorf("cookie %+v, want HttpOnly, SameSite=Lax, Path=/, not Secure without TLS", c)
		}
		me := decode[Me](t, out)
		if me.Kind != "user" || me.User == nil || me.User.ID != u.ID || me.Role != "entity_admin" || me.SessionExpiresAt == nil {
			t.Errorf("sign-in answer %+v, want Alice as entity_admin with a session expiry", me)
		}
		resp, out = f.do(t, "GET", "/api/v1/me", cookie(c))
		wantStatus(t, "me", resp, out, 200)
		if me := decode[Me](t, out); me.User == nil || me.User.ID != u.ID || me.Organisation.ID != f.entity.ID {
			t.Errorf("me = %s, want Alice of %s", out, f.entity.ID)
		}
	})

	t.Run("wrong password and unknown email answer alike", func(t *testing.T) {
		resp1, out1 := f.do(t, "POST", "/api/v1/session", jsonBody(SessionRequest{Email: "alice@hospital.example", Password: "wrong password here"}))
		resp2, out2 := f.do(t, "POST", "/api/v1/session", jsonBody(SessionRequest{Email: "nobody@hospital.example", Password: "wrong password here"}))
		wantStatus(t, "wrong password", resp1, out1, 401)
		wantStatus(t, "unknown email", resp2, out2, 401)
		if string(out1) != string(out2) {
			t.Errorf("bodies differ:\n%s\n%s", out1, out2)
		}
		if len(resp1.Cookies()) != 0 {
			t.Error("a failed sign-in set a cookie")
		}
	})

	t.Run("disabled user refused", func(t *testing.T) {
		hash, _ := auth.TestParams.Hash(testPassword)
		_, err := f.db.CreateUser(context.Background(), store.User{OrganisationID: f.entity.ID, Email: "gone@hospital.example",
			Role: store.RoleEntityReporter, PasswordHash: hash, Disabled: true})
		if err != nil {
			t.Fatal(err)
		}
		resp, out := f.do(t, "POST", "/api/v1/session", jsonBody(SessionRequest{Email: "gone@hospital.example", Password: testPassword}))
		wantStatus(t, "disabled user", resp, out, 401)
	})

	t.Run("malformed requests", func(t *testing.T) {
		resp, out := f.do(t, "POST", "/api/v1/session", rawBody(`{"email":"alice@hospital.example"}`))
		wantStatus(t, "no password", resp, out, 400)
		resp, out = f.do(t, "POST", "/api/v1/session", rawBody(`{"email":"a","password":"b","remember":true}`))
		wantStatus(t, "unknown field", resp, out, 400)
		resp, out = f.do(t, "POST", "/api/v1/session", rawBody(`email=a&password=b`), header("Content-Type", "application/x-www-form-urlencoded"))
		wantStatus(t, "form body", resp, out, 415)
	})
}

func TestLoginOverTLS(t *testing.T) {
	f := newTLSServer(t)
	f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "alice@hospital.example")
	c := f.login(t, "alice@hospital.example", testPassword)
	if c.Name != "__Host-nisnet_session" || !c.Secure || !c.HttpOnly || c.Domain != "" || c.Path != "/" {
		t.Errorf("cookie %+v, want __Host-nisnet_session, Secure, HttpOnly, Path=/, no Domain", c)
	}
	resp, out := f.do(t, "GET", "/api/v1/me", cookie(c))
	wantStatus(t, "me over TLS", resp, out, 200)
	// The cookie name without the prefix is not accepted over TLS.
	resp, out = f.do(t, "GET", "/api/v1/me", cookie(&http.Cookie{Name: "nisnet_session", Value: c.Value}))
	wantStatus(t, "unprefixed cookie over TLS", resp, out, 401)
}

func TestLoginRateLimit(t *testing.T) {
	t.Run("per email", func(t *testing.T) {
		f := newServer(t)
		f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "alice@hospital.example")
		f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "bob@hospital.example")
		for i := range DefaultLoginLimits.PerEmail {
			resp, out := f.do(t, "POST", "/api/v1/session", jsonBody(SessionRequest{Email: "alice@hospital.example", Password: "guess number " + strconv.Itoa(i)}))
			wantStatus(t, "failure "+strconv.Itoa(i+1), resp, out, 401)
		}
		// Now even the right password is refused, with Retry-After.
		resp, out := f.do(t, "POST", "/api/v1/session", jsonBody(SessionRequest{Email: "alice@hospital.example", Password: testPassword}))
		wantStatus(t, "after the limit", resp, out, 429)
		secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > int(DefaultLoginLimits.Window/time.Second) {
			t.Errorf("Retry-After %q, want 1 to %d seconds", resp.Header.Get("Retry-After"), int(DefaultLoginLimits.Window/time.Second))
		}
		if code := errorCode(t, out); code != "rate_limited" {
			t.Errorf("code %q, want rate_limited", code)
		}
		// Another email from the same address is still fine.
		f.login(t, "bob@hospital.example", testPassword)
	})
	t.Run("per client address", func(t *testing.T) {
		f := newServer(t, func(s *Server) { s.LoginLimits = LoginLimits{Window: time.Hour, PerEmail: 10, PerIP: 3} })
		f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "alice@hospital.example")
		for i := range 3 {
			resp, out := f.do(t, "POST", "/api/v1/session", jsonBody(SessionRequest{Email: "user" + strconv.Itoa(i) + "@x.example", Password: "wrong password"}))
			wantStatus(t, "failure", resp, out, 401)
		}
		resp, out := f.do(t, "POST", "/api/v1/session", jsonBody(SessionRequest{Email: "alice@hospital.example", Password: testPassword}))
		wantStatus(t, "after the address limit", resp, out, 429)
	})
	t.Run("success resets the email count", func(t *testing.T) {
		f := newServer(t)
		f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "alice@hospital.example")
		for range 2 {
			for range DefaultLoginLimits.PerEmail - 1 {
				resp, out := f.do(t, "POST", "/api/v1/session", jsonBody(SessionRequest{Email: "alice@hospital.example", Password: "wrong password"}))
				wantStatus(t, "failure", resp, out, 401)
			}
			f.login(t, "alice@hospital.example", testPassword)
		}
	})
}

func TestLimiterWindow(t *testing.T) {
	l := newLoginLimiter(LoginLimits{Window: 15 * time.Minute, PerEmail: 2, PerIP: 5})
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	l.fail("e:a", "i:1")
	now = now.Add(5 * time.Minute)
	l.fail("e:a", "i:1")
	if got := l.blocked("e:a", "i:1"); got != 10*time.Minute {
		t.Errorf("blocked %v after two failures, want 10m (until the first is 15m old)", got)
	}
	now = now.Add(10 * time.Minute)
	if got := l.blocked("e:a", "i:1"); got != 0 {
		t.Errorf("blocked %v once the first failure left the window, want 0", got)
	}
	if got := ipLimitKey("[2001:db8:1:2:3::4]:5555"); got != "i:2001:db8:1:2::/64" {
		t.Errorf("IPv6 key %q, want the /64", got)
	}
	if got := ipLimitKey("[::ffff:192.0.2.1]:80"); got != "i:192.0.2.1" {
		t.Errorf("mapped IPv4 key %q, want i:192.0.2.1", got)
	}
}

func TestLogout(t *testing.T) {
	f := newServer(t)
	f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "alice@hospital.example")
	c := f.login(t, "alice@hospital.example", testPassword)
	resp, out := f.do(t, "DELETE", "/api/v1/session", cookie(c))
	wantStatus(t, "sign out", resp, out, 204)
	cleared := false
	for _, k := range resp.Cookies() {
		cleared = cleared || k.Name == "nisnet_session" && k.MaxAge < 0
	}
	if !cleared {
		t.Errorf("sign-out does not clear the cookie: %v", resp.Header["Set-Cookie"])
	}
	resp, out = f.do(t, "GET", "/api/v1/me", cookie(c))
	wantStatus(t, "me after sign-out", resp, out, 401)

	resp, out = f.do(t, "DELETE", "/api/v1/session", bearer(f.token))
	wantStatus(t, "sign out with a token", resp, out, 400)
}

func TestTokenAuthentication(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	expired := f.newToken(t, f.entity.ID, store.RoleEntityAdmin, time.Now().Add(-time.Minute))
	revoked := f.newToken(t, f.entity.ID, store.RoleEntityAdmin, time.Now().Add(time.Hour))
	rt, err := f.db.LookupAPIToken(ctx, auth.HashToken(revoked))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.RevokeAPIToken(ctx, f.entity.ID, rt.ID); err != nil {
		t.Fatal(err)
	}
	unknown, _ := auth.NewToken(auth.APITokenPrefix)

	resp, out := f.do(t, "GET", "/api/v1/me", bearer(f.token))
	wantStatus(t, "valid token", resp, out, 200)
	if me := decode[Me](t, out); me.Kind != "token" || me.Token == nil || me.Role != "entity_reporter" || me.Organisation.ID != f.entity.ID || me.Token.Token != "" {
		t.Errorf("me = %s, want the entity_reporter token of %s without its secret", out, f.entity.ID)
	}

	for _, tc := range []struct {
		name, authorization string
	}{
		{"expired", "Bearer " + expired},
		{"revoked", "Bearer " + revoked},
		{"unknown", "Bearer " + unknown},
		{"malformed", "Bearer nsn_abc"},
		{"session token as bearer", "Bearer nss_" + strings.Repeat("A", 43)},
		{"other scheme", "Basic YWxpY2U6cGFzc3dvcmQ="},
		{"empty bearer", "Bearer "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, "GET", "/api/v1/me", header("Authorization", tc.authorization))
			wantStatus(t, tc.name, resp, out, 401)
			if code := errorCode(t, out); code != "invalid_token" {
				t.Errorf("code %q, want invalid_token", code)
			}
			if h := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") || !strings.Contains(h, `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge with error=\"invalid_token\"", h)
			}
		})
	}
}

// TestEveryProtectedRouteNeedsCredentials walks the operations table: every
// route that is not public answers 401 with a Bearer challenge to a request
// without credentials, and every public route does not.
func TestEveryProtectedRouteNeedsCredentials(t *testing.T) {
	f := newServer(t)
	for _, op := range operations {
		t.Run(op.method+" "+op.path, func(t *testing.T) {
			path := op.path
			for _, p := range pathParams(op.path) {
				path = strings.Replace(path, "{"+p+"}", f.entity.ID, 1)
			}
			var args []any
			if op.method == "POST" || op.method == "PUT" {
				args = append(args, rawBody(`{}`))
			}
			resp, out := f.do(t, op.method, path, args...)
			if op.public {
				if resp.StatusCode == 401 {
					t.Errorf("public route answers 401: %s", out)
				}
				return
			}
			wantStatus(t, "no credentials", resp, out, 401)
			if code := errorCode(t, out); code != "unauthenticated" {
				t.Errorf("code %q, want unauthenticated", code)
			}
			if h := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
				t.Errorf("WWW-Authenticate %q, want Bearer", h)
			}
		})
	}
}

func TestCrossOriginCookieRequestsRefused(t *testing.T) {
	f := newServer(t)
	f.newUser(t, f.authority.ID, store.RoleNodeAdmin, "admin@csirt.example")
	c := f.login(t, "admin@csirt.example", testPassword)
	org := func(name string) reqBody {
		return jsonBody(CreateOrganisationRequest{Name: name, Profile: []byte(`{"member_state":"NL"}`)})
	}
	crossSite := []reqOpt{header("Origin", "https://evil.example"), header("Sec-Fetch-Site", "cross-site")}

	resp, out := f.do(t, "POST", "/api/v1/organisations", org("Evil"), cookie(c), crossSite[0], crossSite[1])
	wantStatus(t, "cross-site POST with the cookie", resp, out, 403)
	if code := errorCode(t, out); code != "cross_origin" {
		t.Errorf("code %q, want cross_origin", code)
	}
	resp, out = f.do(t, "POST", "/api/v1/organisations", org("Evil"), cookie(c), header("Origin", "https://evil.example"))
	wantStatus(t, "cross-origin POST (Origin only) with the cookie", resp, out, 403)
	resp, out = f.do(t, "DELETE", "/api/v1/session", cookie(c), crossSite[0], crossSite[1])
	wantStatus(t, "cross-site sign-out", resp, out, 403)

	resp, out = f.do(t, "POST", "/api/v1/organisations", org("Same origin"), cookie(c), header("Sec-Fetch-Site", "same-origin"))
	wantStatus(t, "same-origin POST with the cookie", resp, out, 201)
	resp, out = f.do(t, "GET", "/api/v1/me", cookie(c), crossSite[0], crossSite[1])
	wantStatus(t, "cross-site GET", resp, out, 200)

	// A bearer token is not sent by browsers on their own: no CSRF check.
	admin := f.tokenFor(t, f.authority, store.RoleNodeAdmin)
	resp, out = f.do(t, "POST", "/api/v1/organisations", org("By token"), bearer(admin), crossSite[0], crossSite[1])
	wantStatus(t, "cross-site POST with a bearer token", resp, out, 201)
}

func TestRoleMustFitOrganisation(t *testing.T) {
	// A credential whose role does not fit its organisation (which the API
	// never issues) is refused.
	f := newServer(t)
	bad := f.tokenFor(t, f.entity, store.RoleNodeAdmin)
	resp, out := f.do(t, "GET", "/api/v1/organisations", bearer(bad))
	wantStatus(t, "node_admin token of an entity", resp, out, 401)
}
