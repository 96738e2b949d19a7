package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// fixture is the API on a real HTTP server on a free port over a real,
// fresh store (SQLite, or PostgreSQL when NISNET_TEST_POSTGRES is set),
// with an authority and one entity, whose entity_reporter token is token.
type fixture struct {
	ts        *httptest.Server
	srv       *Server
	db        *store.DB
	patterns  []string
	authority store.Organisation
	entity    store.Organisation
	token     string
}

// testPassword is the password of every user the tests create.
const testPassword = "correct horse battery staple"

// newServer starts a fixture; opts adjust the server before it starts.
func newServer(t testing.TB, opts ...func(*Server)) *fixture {
	return startServer(t, false, opts...)
}

// newTLSServer is newServer over TLS.
func newTLSServer(t testing.TB, opts ...func(*Server)) *fixture {
	return startServer(t, true, opts...)
}

func startServer(t testing.TB, tls bool, opts ...func(*Server)) *fixture {
	t.Helper()
	set, err := vocab.NewSet(rules.Vocabularies()...)
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	s := &Server{Engine: rules.New(nil), Vocab: set, DB: db, PasswordParams: auth.TestParams, MemberState: "NL",
		Log: slog.New(slog.NewTextHandler(t.Output(), nil))}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	f := &fixture{srv: s, db: db, patterns: s.Routes(mux)}
	if tls {
		f.ts = httptest.NewTLSServer(mux)
	} else {
		f.ts = httptest.NewServer(mux)
	}
	t.Cleanup(f.ts.Close)
	f.authority, err = EnsureAuthority(context.Background(), db, "CSIRT NL", "NL")
	if err != nil {
		t.Fatal(err)
	}
	f.entity = f.org(t, "Hospital A")
	f.token = f.newToken(t, f.entity.ID, store.RoleEntityReporter, time.Now().Add(time.Hour))
	return f
}

// org creates an entity organisation directly in the store.
func (f *fixture) org(t testing.TB, name string) store.Organisation {
	t.Helper()
	o, err := f.db.CreateOrganisation(context.Background(), store.Organisation{Kind: store.OrgEntity, Name: name, MemberState: "NL",
		Profile: json.RawMessage(`{"member_state":"NL","entity_types":["health/healthcare-provider"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// newToken issues an API token directly in the store and returns its secret.
func (f *fixture) newToken(t testing.TB, orgID string, role store.Role, expires time.Time) string {
	t.Helper()
	plain, hash := auth.NewToken(auth.APITokenPrefix)
	_, err := f.db.CreateAPIToken(context.Background(), store.APIToken{TokenHash: hash, OrganisationID: orgID, Role: role,
		Name: "test " + string(role), CreatedBy: "system", ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

// tokenFor issues an hour-long token with the role for the organisation.
func (f *fixture) tokenFor(t testing.TB, o store.Organisation, role store.Role) string {
	t.Helper()
	return f.newToken(t, o.ID, role, time.Now().Add(time.Hour))
}

// newUser creates a user with testPassword directly in the store.
func (f *fixture) newUser(t testing.TB, orgID string, role store.Role, email string) store.User {
	t.Helper()
	hash, err := auth.TestParams.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.db.CreateUser(context.Background(), store.User{OrganisationID: orgID, Email: email, DisplayName: "Test " + string(role), Role: role, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// login signs in over the API and returns the session cookie.
func (f *fixture) login(t testing.TB, email, password string) *http.Cookie {
	t.Helper()
	resp, out := f.do(t, "POST", "/api/v1/session", jsonBody(map[string]string{"email": email, "password": password}))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("sign in as %s: status %d: %s", email, resp.StatusCode, out)
	}
	for _, c := range resp.Cookies() {
		if strings.HasSuffix(c.Name, "nisnet_session") {
			return c
		}
	}
	t.Fatalf("sign in as %s: no session cookie in %v", email, resp.Header["Set-Cookie"])
	return nil
}

// reqOpt adjusts a request.
type reqOpt func(*http.Request)

func bearer(token string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func cookie(c *http.Cookie) reqOpt {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value}) }
}

func header(name, value string) reqOpt {
	return func(r *http.Request) {
		if value != "" {
			r.Header.Set(name, value)
		}
	}
}

// jsonBody marshals v as a request body; an io.Reader or nil is allowed
// where a body is, so it is an option-like value handled by do.
type reqBody struct{ r io.Reader }

func jsonBody(v any) reqBody {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return reqBody{bytes.NewReader(b)}
}

func rawBody(s string) reqBody { return reqBody{strings.NewReader(s)} }

// do sends a request to the fixture's server (path relative to its URL, or
// a full URL) and returns the response and its body. args are reqOpts,
// bodies, or an io.Reader body.
func (f *fixture) do(t testing.TB, method, path string, args ...any) (*http.Response, []byte) {
	t.Helper()
	var in io.Reader
	var opts []reqOpt
	for _, a := range args {
		switch v := a.(type) {
		case reqBody:
			in = v.r
		case io.Reader:
			in = v
		case reqOpt:
			opts = append(opts, v)
		case nil:
		default:
			t.Fatalf("do: unexpected argument %T", a)
		}
	}
	url := path
	if strings.HasPrefix(path, "/") {
		url = f.ts.URL + path
	}
	req, err := http.NewRequest(method, url, in)
	if err != nil {
		t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, out
}

// decode unmarshals a response body into a T.
func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("response %s: %v", b, err)
	}
	return v
}

// errorCode returns the code of an error envelope.
func errorCode(t testing.TB, b []byte) string {
	t.Helper()
	return decode[envelope](t, b).Error.Code
}

// wantStatus fails the test unless resp has the status.
func wantStatus(t testing.TB, what string, resp *http.Response, out []byte, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %s", what, resp.StatusCode, status, out)
	}
}
