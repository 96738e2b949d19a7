package taxii_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/stix/pattern"
	"github.com/nisnet-eu/nisnet/internal/stix/stixtest"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
	"github.com/nisnet-eu/nisnet/internal/taxii"
)

// The callers: peers "a" (reads and writes X), "b" (writes X only) and
// "c" (reads X only), and local callers "admin" and "anon" (read and write
// X; anon has no name). Nobody sees Y. Passwords are "pw-" + name; admin
// also has a bearer token.
type auth struct{}

func (auth) Authenticate(r *http.Request) (taxii.Caller, bool) {
	u, p, ok := taxii.BasicOrBearer(r)
	switch {
	case ok && p == "pw-"+u && (u == "a" || u == "b" || u == "c"):
		return taxii.Caller{Peer: u, Identity: identity(u), Name: "peer:" + u}, true
	case ok && u == "" && p == "admin-token", ok && u == "admin" && p == "pw-admin":
		return taxii.Caller{Name: "user:admin"}, true
	case ok && u == "anon" && p == "pw-anon":
		return taxii.Caller{}, true // a local caller without a name
	}
	return taxii.Caller{}, false
}

func identity(peer string) string { return "identity--00000000-0000-4000-8000-00000000000" + peer }

// policy is the table above; read access can be revoked while a test runs,
// and it records what Stored got.
type policy struct {
	mu      sync.Mutex
	noRead  map[string]bool
	stored  [][]store.StixObject
	storedN int
}

func (p *policy) CanRead(c taxii.Caller, col store.Collection) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return col.Alias == "x" && c.Peer != "b" && !p.noRead[c.Name]
}

func (p *policy) CanWrite(c taxii.Caller, col store.Collection) bool {
	return col.Alias == "x" && c.Peer != "c"
}

func (p *policy) Accept(_ taxii.Caller, _ store.Collection, o stix.Object) error {
	if o.Type == "malware" {
		return errors.New("malware objects are not accepted here")
	}
	return nil
}

func (p *policy) Stored(_ taxii.Caller, _ store.Collection, added []store.StixObject) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stored = append(p.stored, added)
}

func (p *policy) revokeRead(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.noRead[name] = true
}

// lastStored returns what the last Stored call got.
func (p *policy) lastStored() []store.StixObject {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.stored) == 0 {
		return nil
	}
	return p.stored[len(p.stored)-1]
}

type fixture struct {
	srv    *httptest.Server
	db     *store.DB
	x, y   store.Collection
	pol    *policy
	offset atomic.Int64 // added to the server's clock
	root   string       // the API root's path
}

// setup starts a server on a fresh store (SQLite, or PostgreSQL with
// NISNET_TEST_POSTGRES); opts adjust the server before it starts.
func setup(t testing.TB, opts ...func(*taxii.Server)) *fixture {
	db := storetest.Open(t)
	f := &fixture{db: db, pol: &policy{noRead: map[string]bool{}}, root: "/taxii2/api/"}
	var err error
	if f.x, err = db.EnsureCollection(t.Context(), store.Collection{Alias: "x", Title: "X", Description: "the x collection", Audience: "network"}); err != nil {
		t.Fatal(err)
	}
	if f.y, err = db.EnsureCollection(t.Context(), store.Collection{Alias: "y", Title: "Y", Audience: "public"}); err != nil {
		t.Fatal(err)
	}
	s := &taxii.Server{DB: db, Title: "test", APIRoot: f.root, Auth: auth{}, Policy: f.pol,
		Now: func() time.Time { return time.Now().Add(time.Duration(f.offset.Load())) }}
	for _, o := range opts {
		o(s)
	}
	f.root = s.APIRoot
	mux := http.NewServeMux()
	mux.Handle("/taxii2/", s.Handler())
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) objects(col store.Collection) string {
	return f.root + "collections/" + col.ID + "/objects/"
}

// do sends a request as user ("" for no credentials) with a TAXII Accept
// (and Content-Type when there is a body); hdr overrides headers in pairs
// ("" deletes).
func (f *fixture) do(t testing.TB, user, method, path, body string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", taxii.MediaType)
	if body != "" {
		req.Header.Set("Content-Type", taxii.MediaType)
	}
	if user != "" {
		req.SetBasicAuth(user, "pw-"+user)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// post posts objects to X as user and returns the status resource.
func (f *fixture) post(t testing.TB, user string, objs ...string) status {
	t.Helper()
	code, h, b := f.do(t, user, "POST", f.objects(f.x), envelope(objs...))
	var st status
	if code != 202 || h.Get("Content-Type") != taxii.MediaType || json.Unmarshal(b, &st) != nil {
		t.Fatalf("post as %s: %d %.300s", user, code, b)
	}
	return st
}

type detail struct{ ID, Version, Message string }

type status struct {
	ID               string   `json:"id"`
	Status           string   `json:"status"`
	RequestTimestamp string   `json:"request_timestamp"`
	Total            int      `json:"total_count"`
	Success          int      `json:"success_count"`
	Failure          int      `json:"failure_count"`
	Pending          int      `json:"pending_count"`
	Successes        []detail `json:"successes"`
	Failures         []detail `json:"failures"`
	Pendings         []detail `json:"pendings"`
}

type env struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

// ids returns the short ids (the 8 digits) of an envelope's objects.
func (e env) ids() []string {
	var out []string
	for _, o := range e.Objects {
		var p struct{ ID string }
		json.Unmarshal(o, &p)
		out = append(out, short(p.ID))
	}
	return out
}

func short(id string) string {
	_, u, _ := strings.Cut(id, "--")
	return u[:8]
}

func decodeEnv(t testing.TB, b []byte) env {
	t.Helper()
	var e env
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not an envelope: %v: %.300s", err, b)
	}
	return e
}

func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %.300s", err, b)
	}
	return m
}

func keys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

const red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
const green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"

func oid(i int) string { return fmt.Sprintf("indicator--%08d-0000-4000-8000-000000000000", i) }

// indicator is indicator i (version 10:00), marked with the given marking
// definitions.
func indicator(i int, markings ...string) string {
	extra := ""
	if len(markings) > 0 {
		extra = `,"object_marking_refs":["` + strings.Join(markings, `","`) + `"]`
	}
	return indicatorV(i, 0, extra)
}

// indicatorV is version v (modified 1v:00) of indicator i, with extra
// properties.
func indicatorV(i, v int, extra string) string {
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-11-28T10:00:00.000Z","modified":"2026-11-28T1%d:00:00.000Z","pattern":"[ipv4-addr:value = '10.0.0.1']","pattern_type":"stix","valid_from":"2026-11-28T10:00:00Z"%s}`, oid(i), v, extra)
}

func envelope(objs ...string) string { return `{"objects":[` + strings.Join(objs, ",") + `]}` }

var stamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

// checkError checks that an error answer is a TAXII error resource of its
// status.
func checkError(t testing.TB, what string, code int, h http.Header, b []byte) {
	t.Helper()
	var e map[string]any
	if json.Unmarshal(b, &e) != nil || e["title"] == nil || e["title"] == "" || e["http_status"] != fmt.Sprint(code) {
		t.Errorf("%s: error body %.300s", what, b)
	}
	if ct := h.Get("Content-Type"); ct != taxii.MediaType {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
}

// Every endpoint needs credentials: 401 with WWW-Authenticate and a TAXII
// error, before anything else is looked at.
func TestAuthentication(t *testing.T) {
	f := setup(t)
	o := f.objects(f.x)
	paths := []struct{ method, path string }{
		{"GET", "/taxii2/"}, {"GET", f.root}, {"GET", f.root + "status/6ba7b810-9dad-41d1-80b4-00c04fd430c8/"},
		{"GET", f.root + "collections/"}, {"GET", f.root + "collections/" + f.x.ID + "/"},
		{"GET", f.root + "collections/" + f.x.ID + "/manifest/"}, {"GET", o}, {"POST", o},
		{"GET", o + oid(1) + "/"}, {"DELETE", o + oid(1) + "/"}, {"GET", o + oid(1) + "/versions/"},
		{"GET", f.root + "nothing/here/"}, {"GET", f.root + "collections"}, {"PUT", o},
	}
	for _, p := range paths {
		for _, cred := range [][]string{nil, {"Authorization", "Basic YTpndWVzcw=="}, {"Authorization", "Bearer wrong"}, {"Accept", "application/json"}} {
			code, h, b := f.do(t, "", p.method, p.path, "", cred...)
			if code != 401 || h.Get("WWW-Authenticate") != `Basic realm="nisnet"` {
				t.Errorf("%s %s %v: %d %q", p.method, p.path, cred, code, h.Get("WWW-Authenticate"))
			}
			checkError(t, p.method+" "+p.path, code, h, b)
		}
	}
	if code, _, _ := f.do(t, "", "GET", "/taxii2/", "", "Authorization", "Bearer admin-token"); code != 200 {
		t.Errorf("bearer: %d", code)
	}
	if code, _, _ := f.do(t, "a", "GET", "/taxii2/", ""); code != 200 {
		t.Errorf("basic: %d", code)
	}
}

// Accept must name TAXII (406), a POST body must be TAXII (415); every
// answer is application/taxii+json;version=2.1.
func TestNegotiation(t *testing.T) {
	f := setup(t)
	o := f.objects(f.x)
	for _, accept := range []string{"", "*/*", "application/*", "application/json", "application/stix+json;version=2.1",
		"application/taxii+json;version=2.0", "application/taxii+json;version=2.1;q=0"} {
		for _, p := range []string{"/taxii2/", f.root, f.root + "collections/", o} {
			code, h, b := f.do(t, "a", "GET", p, "", "Accept", accept)
			if code != 406 {
				t.Errorf("GET %s Accept %q: %d", p, accept, code)
			}
			checkError(t, "406", code, h, b)
		}
		if code, _, _ := f.do(t, "a", "POST", o, envelope(indicator(1)), "Accept", accept); code != 406 {
			t.Errorf("POST Accept %q: %d", accept, code)
		}
	}
	for _, accept := range []string{"application/taxii+json", "application/taxii+json;version=2.1",
		"application/json, application/taxii+json;version=2.1;q=0.5", "application/taxii+json;version=2.1,application/stix+json;version=2.1"} {
		code, h, _ := f.do(t, "a", "GET", o, "", "Accept", accept)
		if code != 200 || h.Get("Content-Type") != taxii.MediaType {
			t.Errorf("Accept %q: %d %q", accept, code, h.Get("Content-Type"))
		}
	}
	for _, ct := range []string{"", "application/json", "application/stix+json;version=2.1", "application/taxii+json;version=2.0", "text/plain"} {
		code, h, b := f.do(t, "a", "POST", o, envelope(indicator(1)), "Content-Type", ct)
		if code != 415 {
			t.Errorf("Content-Type %q: %d", ct, code)
		}
		checkError(t, "415", code, h, b)
	}
	for _, ct := range []string{"application/taxii+json", "application/taxii+json; version=2.1; charset=utf-8"} {
		if code, _, b := f.do(t, "a", "POST", o, envelope(indicator(1)), "Content-Type", ct); code != 202 {
			t.Errorf("Content-Type %q: %d %s", ct, code, b)
		}
	}
}

// Paths: trailing slash, unclean paths, unknown paths and wrong methods
// are TAXII errors; ids that cannot be are 404.
func TestRouting(t *testing.T) {
	f := setup(t)
	o := f.objects(f.x)
	for _, c := range []struct {
		method, path string
		want         int
		says         string
	}{
		{"GET", f.root + "collections", 404, "end in /"},
		{"GET", o + oid(1), 404, "end in /"},
		{"POST", strings.TrimSuffix(o, "/"), 404, "end in /"},
		{"GET", f.root + "nothing/", 404, "no TAXII endpoint"},
		{"GET", "/taxii2/other/", 404, "no TAXII endpoint"},
		{"GET", f.root + "collections/" + f.x.ID + "/objects/" + oid(1) + "/versions/extra/", 404, "no TAXII endpoint"},
		{"GET", f.root + "collections/not-a-uuid/", 404, "Collection"},
		{"GET", f.root + "collections/6ba7b810-9dad-41d1-80b4-00c04fd430c8/", 404, "Collection"},
		{"GET", o + "not-a-stix-id/", 404, "Object"},
		{"GET", f.root + "status/not-a-uuid/", 404, "Status"},
		{"PUT", o, 405, "GET, HEAD, POST"},
		{"DELETE", o, 405, "GET, HEAD, POST"},
		{"POST", o + oid(1) + "/", 405, "GET, HEAD, DELETE"},
		{"POST", "/taxii2/", 405, "GET, HEAD"},
		{"DELETE", f.root + "collections/", 405, "GET, HEAD"},
		{"OPTIONS", f.root, 405, "GET, HEAD"},
	} {
		code, h, b := f.do(t, "admin", c.method, c.path, "")
		if code != c.want || !strings.Contains(string(b), c.says) {
			t.Errorf("%s %s: %d %s", c.method, c.path, code, b)
		}
		checkError(t, c.method+" "+c.path, code, h, b)
		if code == 405 && h.Get("Allow") != c.says {
			t.Errorf("%s %s: Allow %q", c.method, c.path, h.Get("Allow"))
		}
	}
	if code, h, b := f.do(t, "admin", "HEAD", f.root+"collections/", ""); code != 200 || len(b) != 0 || h.Get("Content-Type") != taxii.MediaType {
		t.Errorf("HEAD: %d %q %s", code, h.Get("Content-Type"), b)
	}
}

// The resources have the properties of TAXII 2.1 §4 and §5, empty lists
// and strings omitted.
func TestResourceShapes(t *testing.T) {
	f := setup(t, func(s *taxii.Server) { s.Description = "a test server"; s.Contact = "soc@example.eu" })
	code, _, b := f.do(t, "a", "GET", "/taxii2/", "")
	d := decode(t, b)
	if code != 200 || keys(d) != "api_roots,contact,default,description,title" || d["title"] != "test" || d["default"] != f.root ||
		fmt.Sprint(d["api_roots"]) != "["+f.root+"]" || d["contact"] != "soc@example.eu" {
		t.Errorf("discovery: %d %s", code, b)
	}
	code, _, b = f.do(t, "a", "GET", f.root, "", "Accept", "application/taxii+json")
	d = decode(t, b)
	if code != 200 || keys(d) != "description,max_content_length,title,versions" || fmt.Sprint(d["versions"]) != "["+taxii.MediaType+"]" ||
		d["max_content_length"] != float64(10<<20) {
		t.Errorf("api root: %d %s", code, b)
	}
	code, _, b = f.do(t, "b", "GET", f.root+"collections/", "")
	var cols struct {
		Collections []map[string]any `json:"collections"`
	}
	json.Unmarshal(b, &cols)
	if code != 200 || len(cols.Collections) != 1 {
		t.Fatalf("collections for b: %d %s", code, b)
	}
	if c := cols.Collections[0]; keys(c) != "alias,can_read,can_write,description,id,media_types,title" || c["id"] != f.x.ID ||
		c["alias"] != "x" || c["can_read"] != false || c["can_write"] != true || fmt.Sprint(c["media_types"]) != "[application/stix+json;version=2.1]" {
		t.Errorf("collections for b: %s", b)
	}
	code, _, b = f.do(t, "c", "GET", f.root+"collections/"+f.x.ID+"/", "")
	if d := decode(t, b); code != 200 || d["can_read"] != true || d["can_write"] != false || d["title"] != "X" {
		t.Errorf("collection for c: %d %s", code, b)
	}
	// An empty list is omitted: nobody lists Y, a caller without collections gets {}.
	f.pol.revokeRead("peer:c")
	if code, _, b := f.do(t, "c", "GET", f.root+"collections/", ""); code != 200 || string(b) != "{}" {
		t.Errorf("no collections: %d %s", code, b)
	}
	// Status, manifest, versions.
	st := f.post(t, "a", indicator(1), `{"type":"malware","id":"malware--6ba7b810-9dad-41d1-80b4-00c04fd430c8"}`)
	_, _, b = f.do(t, "a", "GET", f.root+"status/"+st.ID+"/", "")
	if d := decode(t, b); keys(d) != "failure_count,failures,id,pending_count,request_timestamp,status,success_count,successes,total_count" ||
		!stamp.MatchString(st.RequestTimestamp) {
		t.Errorf("status: %s", b)
	}
	_, _, b = f.do(t, "admin", "GET", f.root+"collections/"+f.x.ID+"/manifest/", "")
	var man struct{ Objects []map[string]any }
	json.Unmarshal(b, &man)
	if d := decode(t, b); keys(d) != "objects" || len(man.Objects) != 1 || keys(man.Objects[0]) != "date_added,id,media_type,version" {
		t.Errorf("manifest: %s", b)
	}
	_, _, b = f.do(t, "admin", "GET", f.objects(f.x)+oid(1)+"/versions/", "")
	if string(b) != `{"versions":["2026-11-28T10:00:00.000Z"]}` {
		t.Errorf("versions: %s", b)
	}
}

// Who may do what (TAXII 2.1 §5): a collection one can neither read nor
// write is 404 everywhere and not listed; can_read false is 403 on reads,
// can_write false 403 on POST; DELETE follows §5.7's table.
func TestCollectionAccess(t *testing.T) {
	f := setup(t)
	f.post(t, "admin", indicator(1), indicator(2), indicator(3))
	type want struct{ listed, collection, objects, manifest, object, versions, post, del int }
	for _, c := range []struct {
		user string
		col  store.Collection
		want want
	}{
		{"a", f.x, want{1, 200, 200, 200, 200, 200, 202, 200}}, // can_read, can_write
		{"c", f.x, want{1, 200, 200, 200, 200, 200, 403, 403}}, // can_read only
		{"b", f.x, want{1, 200, 403, 403, 403, 403, 202, 403}}, // can_write only
		{"a", f.y, want{0, 404, 404, 404, 404, 404, 404, 404}}, // neither
		{"admin", f.y, want{0, 404, 404, 404, 404, 404, 404, 404}},
	} {
		o := f.objects(c.col)
		_, _, b := f.do(t, c.user, "GET", f.root+"collections/", "")
		listed := strings.Count(string(b), c.col.ID)
		got := want{listed, 0, 0, 0, 0, 0, 0, 0}
		got.collection, _, _ = f.do(t, c.user, "GET", f.root+"collections/"+c.col.ID+"/", "")
		got.objects, _, _ = f.do(t, c.user, "GET", o, "")
		got.manifest, _, _ = f.do(t, c.user, "GET", f.root+"collections/"+c.col.ID+"/manifest/", "")
		got.object, _, _ = f.do(t, c.user, "GET", o+oid(2)+"/", "")
		got.versions, _, _ = f.do(t, c.user, "GET", o+oid(2)+"/versions/", "")
		got.post, _, _ = f.do(t, c.user, "POST", o, envelope(indicator(9)))
		var h http.Header
		var body []byte
		got.del, h, body = f.do(t, c.user, "DELETE", o+oid(map[string]int{"a": 1, "b": 2, "c": 3, "admin": 3}[c.user])+"/", "")
		if got != c.want {
			t.Errorf("%s on %s: %+v, want %+v", c.user, c.col.Alias, got, c.want)
		}
		if got.del >= 400 {
			checkError(t, "DELETE", got.del, h, body)
		} else if len(body) != 0 || h.Get("Content-Type") != taxii.MediaType {
			t.Errorf("DELETE: %q %s", h.Get("Content-Type"), body)
		}
	}
	// The 403s and 404s do not say whether the object exists.
	_, _, b1 := f.do(t, "b", "GET", f.objects(f.x)+oid(3)+"/", "")
	_, _, b2 := f.do(t, "b", "GET", f.objects(f.x)+oid(77)+"/", "")
	if string(b1) != string(b2) {
		t.Errorf("403s differ: %s / %s", b1, b2)
	}
}

// POST: each object is validated and put to the policy; the good ones are
// stored, duplicates count as successes, and the status says why the
// others failed.
func TestPostStatus(t *testing.T) {
	f := setup(t)
	malware := `{"type":"malware","spec_version":"2.1","id":"malware--6ba7b810-9dad-41d1-80b4-00c04fd430c8","created":"2026-11-28T10:00:00.000Z","modified":"2026-11-28T10:00:00.000Z","name":"x","is_family":false}`
	v20 := `{"type":"indicator","spec_version":"2.0","id":"indicator--6ba7b811-9dad-41d1-80b4-00c04fd430c8","created":"2026-11-28T10:00:00.000Z","modified":"2026-11-28T10:00:00.000Z","pattern":"[x:y = 'z']","pattern_type":"stix","valid_from":"2026-11-28T10:00:00Z"}`
	before := time.Now().Add(-time.Second)
	st := f.post(t, "b", indicator(1), indicator(1), indicatorV(1, 1, ""), malware,
		`{"type":"indicator","spec_version":"2.1","id":"indicator--not-a-uuid","modified":"2026-11-28T10:00:00.000Z"}`, v20, `"not an object"`)
	if st.Status != "complete" || st.Total != 7 || st.Success != 3 || st.Failure != 4 || st.Pending != 0 || len(st.Pendings) != 0 {
		t.Fatalf("status: %+v", st)
	}
	if ts, err := time.Parse(time.RFC3339Nano, st.RequestTimestamp); err != nil || ts.Before(before) {
		t.Errorf("request_timestamp %q", st.RequestTimestamp)
	}
	wantS := []detail{{oid(1), "2026-11-28T10:00:00.000Z", ""}, {oid(1), "2026-11-28T10:00:00.000Z", ""}, {oid(1), "2026-11-28T11:00:00.000Z", ""}}
	if !slices.Equal(st.Successes, wantS) {
		t.Errorf("successes: %+v", st.Successes)
	}
	wantF := []detail{
		{"malware--6ba7b810-9dad-41d1-80b4-00c04fd430c8", "2026-11-28T10:00:00.000Z", "malware objects are not accepted here"},
		{"indicator--not-a-uuid", "2026-11-28T10:00:00.000Z", ""},
		{"indicator--6ba7b811-9dad-41d1-80b4-00c04fd430c8", "2026-11-28T10:00:00.000Z", `only STIX 2.1 objects are accepted (spec_version is "2.0")`},
		{"objects[6]", "", ""},
	}
	for i, w := range wantF {
		if i >= len(st.Failures) {
			break
		}
		g := st.Failures[i]
		if g.ID != w.ID || g.Version != w.Version || g.Message == "" || w.Message != "" && g.Message != w.Message {
			t.Errorf("failure %d: %+v, want %+v", i, g, w)
		}
	}
	if !strings.Contains(st.Failures[1].Message, "UUID") {
		t.Errorf("invalid id: %q", st.Failures[1].Message)
	}
	if added := f.pol.lastStored(); len(added) != 2 || added[0].Origin != "b" || added[0].StixID != oid(1) {
		t.Errorf("Stored got %+v", added)
	}
	// The status, later: the same, to b only.
	code, _, b := f.do(t, "b", "GET", f.root+"status/"+st.ID+"/", "")
	var again status
	json.Unmarshal(b, &again)
	if code != 200 || again.ID != st.ID || again.Success != 3 || !slices.Equal(again.Failures, st.Failures) || !slices.Equal(again.Successes, st.Successes) ||
		again.RequestTimestamp != st.RequestTimestamp {
		t.Errorf("GET status: %d %s", code, b)
	}
	for _, user := range []string{"a", "admin"} {
		if code, _, _ := f.do(t, user, "GET", f.root+"status/"+st.ID+"/", ""); code != 404 {
			t.Errorf("%s reads b's status: %d", user, code)
		}
	}
	// Posting the same again: successes, nothing new.
	st = f.post(t, "b", indicator(1), indicatorV(1, 1, ""))
	if st.Success != 2 || st.Failure != 0 || len(f.pol.lastStored()) != 0 {
		t.Errorf("duplicates: %+v, stored %d", st, len(f.pol.lastStored()))
	}
	// Every object failing is still 202, with the failures.
	st = f.post(t, "b", malware, v20)
	if st.Success != 0 || st.Failure != 2 || st.Total != 2 || len(st.Successes) != 0 {
		t.Errorf("all failed: %+v", st)
	}
	// Statuses expire.
	f.offset.Store(int64(8 * 24 * time.Hour))
	if code, _, _ := f.do(t, "b", "GET", f.root+"status/"+st.ID+"/", ""); code != 404 {
		t.Errorf("expired status: %d", code)
	}
	if code, _, _ := f.do(t, "b", "GET", f.root+"status/6ba7b810-9dad-41d1-80b4-00c04fd430c8/", ""); code != 404 {
		t.Errorf("unknown status: %d", code)
	}
}

// With the stix.Validator and the official schemas, invalid objects fail
// with the validator's reason.
func TestPostValidator(t *testing.T) {
	v := &stix.Validator{Schemas: stixtest.Schemas(t), Pattern: func(s string) error { _, err := pattern.Parse(s); return err }}
	f := setup(t, func(s *taxii.Server) { s.Validate = v.Validate })
	noPattern := `{"type":"indicator","spec_version":"2.1","id":"indicator--6ba7b812-9dad-41d1-80b4-00c04fd430c8","created":"2026-11-28T10:00:00.000Z","modified":"2026-11-28T10:00:00.000Z","pattern_type":"stix","valid_from":"2026-11-28T10:00:00Z"}`
	badPattern := strings.Replace(indicator(2), `[ipv4-addr:value = '10.0.0.1']`, `[ipv4-addr:value = `, 1)
	st := f.post(t, "a", indicator(1), noPattern, badPattern, strings.Replace(indicator(3), `"spec_version":"2.1"`, `"spec_version":"2.0"`, 1))
	if st.Success != 1 || st.Failure != 3 {
		t.Fatalf("status: %+v", st)
	}
	if !strings.Contains(st.Failures[0].Message, "pattern") || st.Failures[0].ID != "indicator--6ba7b812-9dad-41d1-80b4-00c04fd430c8" {
		t.Errorf("missing pattern: %+v", st.Failures[0])
	}
	if !strings.Contains(st.Failures[1].Message, "pattern") || st.Failures[1].ID != oid(2) {
		t.Errorf("bad pattern: %+v", st.Failures[1])
	}
	if !strings.Contains(st.Failures[2].Message, "only STIX 2.1") {
		t.Errorf("2.0: %+v", st.Failures[2])
	}
}

// chunked is a body of unknown length: sent chunked, without Content-Length.
type chunked struct{ io.Reader }

// Bodies and envelopes that cannot be taken: 413 and 400, with a reason.
func TestPostLimits(t *testing.T) {
	f := setup(t, func(s *taxii.Server) { s.MaxContentLength = 4000; s.MaxObjects = 20 })
	o := f.objects(f.x)
	_, _, b := f.do(t, "a", "GET", f.root, "")
	if decode(t, b)["max_content_length"] != float64(4000) {
		t.Errorf("api root: %s", b)
	}
	// Just below max_content_length: not 413.
	body := envelope(indicator(1), indicator(2))
	body = body[:len(body)-1] + strings.Repeat(" ", 4000-len(body)) + "}"
	if code, _, b := f.do(t, "a", "POST", o, body); len(body) != 4000 || code != 202 {
		t.Errorf("4000 bytes: %d %s", code, b)
	}
	for _, c := range []struct {
		name string
		body string
		want int
		says string
	}{
		{"over max_content_length", body + " ", 413, "max_content_length"},
		{"too many objects", envelope(slices.Repeat([]string{"{}"}, 21)...), 413, "at most 20 objects"},
		{"malformed JSON", `{"objects": [`, 400, "malformed"},
		{"not an object", `[1]`, 400, "not a JSON object"},
		{"no objects", `{"more":false}`, 400, "no objects"},
		{"objects not a list", `{"objects":{}}`, 400, "not a list"},
		{"empty", `{"objects":[]}`, 400, "empty"},
		{"a bundle", `{"type":"bundle","id":"bundle--6ba7b810-9dad-41d1-80b4-00c04fd430c8","objects":[` + indicator(1) + `]}`, 400, "bundle"},
	} {
		code, h, b := f.do(t, "a", "POST", o, c.body)
		if code != c.want || !strings.Contains(string(b), c.says) {
			t.Errorf("%s: %d %s", c.name, code, b)
		}
		checkError(t, c.name, code, h, b)
	}
	// Over the limit without Content-Length: 413 too.
	req, _ := http.NewRequest("POST", f.srv.URL+o, chunked{strings.NewReader(envelope(slices.Repeat([]string{indicator(1)}, 30)...))})
	req.Header.Set("Accept", taxii.MediaType)
	req.Header.Set("Content-Type", taxii.MediaType)
	req.SetBasicAuth("a", "pw-a")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if req.ContentLength != -1 && req.ContentLength != 0 || resp.StatusCode != 413 {
		t.Errorf("chunked: %d (length %d) %s", resp.StatusCode, req.ContentLength, b)
	}
	// The default limits: 10 MiB, 10 000 objects.
	g := setup(t)
	if code, _, b := g.do(t, "a", "POST", g.objects(g.x), `{"objects":["`+strings.Repeat("x", 10<<20)+`"]}`); code != 413 {
		t.Errorf("11 MiB: %d %.200s", code, b)
	}
	if code, _, b := g.do(t, "a", "POST", g.objects(g.x), envelope(slices.Repeat([]string{"{}"}, 10001)...)); code != 413 {
		t.Errorf("10 001 objects: %d %.200s", code, b)
	}
}

// page is one answer of a paged endpoint.
type pageResp struct {
	code        int
	first, last string
	env         env
	raw         []byte
}

func (f *fixture) page(t testing.TB, user, path string) pageResp {
	t.Helper()
	code, h, b := f.do(t, user, "GET", path, "")
	p := pageResp{code: code, first: h.Get("X-TAXII-Date-Added-First"), last: h.Get("X-TAXII-Date-Added-Last"), raw: b}
	if code == 200 {
		p.env = decodeEnv(t, b)
		if !stamp.MatchString(p.first) || !stamp.MatchString(p.last) || p.first > p.last {
			t.Errorf("%s: X-TAXII-Date-Added %q %q", path, p.first, p.last)
		}
	}
	return p
}

// Paging through 2 500 objects, 1 000 at a time, with next and with
// added_after = X-TAXII-Date-Added-Last: every object once, in date_added
// order; the headers bound each page.
func TestPaging(t *testing.T) {
	f := setup(t)
	o := f.objects(f.x)
	// An empty collection: {}, headers at the epoch.
	if p := f.page(t, "a", o); p.code != 200 || string(p.raw) != "{}" || p.first != "1970-01-01T00:00:00.000000Z" || p.last != p.first {
		t.Errorf("empty: %d %s %s", p.code, p.raw, p.last)
	}
	var objs []string
	for i := 1; i <= 2500; i++ {
		objs = append(objs, indicator(i))
	}
	f.post(t, "b", objs[:1200]...)
	f.post(t, "b", objs[1200:]...)
	want := make([]string, 2500)
	for i := range want {
		want[i] = fmt.Sprintf("%08d", i+1)
	}
	// With next.
	var got, sizes []string
	next, prevLast := "", ""
	for pages := 0; ; pages++ {
		q := "?limit=1000"
		if next != "" {
			q += "&next=" + next
		}
		p := f.page(t, "a", o+q)
		if p.code != 200 || pages > 5 {
			t.Fatalf("page %d: %d %.200s", pages, p.code, p.raw)
		}
		if p.first <= prevLast {
			t.Errorf("page %d starts at %s, not after %s", pages, p.first, prevLast)
		}
		prevLast = p.last
		got = append(got, p.env.ids()...)
		sizes = append(sizes, fmt.Sprint(len(p.env.Objects)))
		if p.env.More != (p.env.Next != "") {
			t.Errorf("page %d: more %v next %q", pages, p.env.More, p.env.Next)
		}
		if !p.env.More {
			if strings.Contains(string(p.raw), `"more"`) || strings.Contains(string(p.raw), `"next"`) {
				t.Errorf("last page: %.100s", p.raw)
			}
			break
		}
		next = p.env.Next
	}
	if !slices.Equal(got, want) || strings.Join(sizes, " ") != "1000 1000 500" {
		t.Errorf("next: %d objects in pages of %v", len(got), sizes)
	}
	// With added_after, 700 at a time.
	got, sizes = nil, nil
	after := ""
	for pages := 0; ; pages++ {
		q := "?limit=700"
		if after != "" {
			q += "&added_after=" + after
		}
		p := f.page(t, "a", o+q)
		if p.code != 200 || pages > 5 {
			t.Fatalf("page %d: %d %.200s", pages, p.code, p.raw)
		}
		got = append(got, p.env.ids()...)
		sizes = append(sizes, fmt.Sprint(len(p.env.Objects)))
		after = p.last
		if !p.env.More {
			break
		}
	}
	if !slices.Equal(got, want) || strings.Join(sizes, " ") != "700 700 700 400" {
		t.Errorf("added_after: %d objects in pages of %v", len(got), sizes)
	}
	// After the last: {}, and the headers stay where the client is.
	if p := f.page(t, "a", o+"?added_after="+after); string(p.raw) != "{}" || p.first != after || p.last != after {
		t.Errorf("after the last: %s %s %s", p.raw, p.first, p.last)
	}
	// The server's page size caps limit; a cursor works with another limit.
	p := f.page(t, "a", o+"?limit=5000")
	if len(p.env.Objects) != 1000 || !p.env.More {
		t.Errorf("limit 5000: %d objects", len(p.env.Objects))
	}
	p = f.page(t, "a", o+"?limit=3&next="+p.env.Next)
	if ids := p.env.ids(); !slices.Equal(ids, want[1000:1003]) || !p.env.More {
		t.Errorf("another limit: %v", ids)
	}
	// The manifest pages the same way, in date_added order.
	var dates []string
	next = ""
	for {
		q := "?limit=1000"
		if next != "" {
			q += "&next=" + next
		}
		_, h, b := f.do(t, "a", "GET", f.root+"collections/"+f.x.ID+"/manifest/"+q, "")
		var man struct {
			More    bool
			Next    string
			Objects []struct {
				ID        string `json:"id"`
				DateAdded string `json:"date_added"`
			}
		}
		json.Unmarshal(b, &man)
		for _, r := range man.Objects {
			dates = append(dates, r.DateAdded)
		}
		if len(man.Objects) > 0 && (h.Get("X-TAXII-Date-Added-First") != man.Objects[0].DateAdded || h.Get("X-TAXII-Date-Added-Last") != man.Objects[len(man.Objects)-1].DateAdded) {
			t.Errorf("manifest headers %v", h)
		}
		if !man.More {
			break
		}
		next = man.Next
	}
	if len(dates) != 2500 || !slices.IsSorted(dates) || len(slices.Compact(slices.Clone(dates))) != 2500 {
		t.Errorf("manifest: %d dates, sorted %v", len(dates), slices.IsSorted(dates))
	}
}

// A cursor is the query's and the caller's, expires, and grants nothing:
// access is checked again on every page.
func TestCursors(t *testing.T) {
	f := setup(t)
	o := f.objects(f.x)
	f.post(t, "admin", indicator(1), indicator(2), indicator(3), indicatorV(3, 1, ""))
	p := f.page(t, "a", o+"?limit=1&match[type]=indicator")
	if !p.env.More || p.env.Next == "" {
		t.Fatalf("no next: %s", p.raw)
	}
	next := p.env.Next
	tampered := []byte(next)
	tampered[5] ^= 1
	for _, c := range []struct{ name, user, path string }{
		{"another caller", "c", o + "?limit=1&match[type]=indicator&next=" + next},
		{"another filter", "a", o + "?limit=1&match[type]=indicator,malware&next=" + next},
		{"no filter", "a", o + "?limit=1&next=" + next},
		{"added_after", "a", o + "?limit=1&match[type]=indicator&added_after=2000-01-01T00:00:00Z&next=" + next},
		{"another endpoint", "a", f.root + "collections/" + f.x.ID + "/manifest/?limit=1&match[type]=indicator&next=" + next},
		{"another object", "a", o + oid(3) + "/versions/?limit=1&match[type]=indicator&next=" + next},
		{"tampered", "a", o + "?limit=1&match[type]=indicator&next=" + string(tampered)},
		{"garbage", "a", o + "?limit=1&match[type]=indicator&next=" + strings.Repeat("A", 300)},
	} {
		code, h, b := f.do(t, c.user, "GET", c.path, "")
		if code != 400 || !strings.Contains(string(b), "next: ") {
			t.Errorf("%s: %d %s", c.name, code, b)
		}
		checkError(t, c.name, code, h, b)
	}
	if p := f.page(t, "a", o+"?limit=5&match[type]=indicator&next="+next); p.code != 200 || !slices.Equal(p.env.ids(), []string{"00000002", "00000003"}) {
		t.Errorf("the right cursor: %d %s", p.code, p.raw)
	}
	// Versions page with next too.
	p = f.page(t, "a", o+oid(3)+"/versions/?limit=1")
	var v struct {
		More     bool
		Next     string
		Versions []string
	}
	json.Unmarshal(p.raw, &v)
	if !v.More || v.Next == "" || !slices.Equal(v.Versions, []string{"2026-11-28T10:00:00.000Z"}) {
		t.Fatalf("versions page 1: %s", p.raw)
	}
	p = f.page(t, "a", o+oid(3)+"/versions/?limit=1&next="+v.Next)
	if string(p.raw) != `{"versions":["2026-11-28T11:00:00.000Z"]}` {
		t.Errorf("versions page 2: %s", p.raw)
	}
	// Expired after 24 hours.
	f.offset.Store(int64(24*time.Hour + time.Minute))
	if code, _, b := f.do(t, "a", "GET", o+"?limit=1&match[type]=indicator&next="+next, ""); code != 400 || !strings.Contains(string(b), "expired") {
		t.Errorf("expired: %d %s", code, b)
	}
	// Access is checked on every page.
	f.offset.Store(0)
	f.pol.revokeRead("peer:a")
	if code, _, _ := f.do(t, "a", "GET", o+"?limit=1&match[type]=indicator&next="+next, ""); code != 403 {
		t.Errorf("after losing read access: %d", code)
	}
}

// Peers never get TLP:RED, what came from them, or what their identity
// created; local callers get everything.
func TestBoundaries(t *testing.T) {
	f := setup(t)
	o := f.objects(f.x)
	f.post(t, "admin", indicator(1, red), indicator(2), indicatorV(3, 0, `,"created_by_ref":"`+identity("a")+`"`), indicator(5, green, red), indicator(6, green))
	f.post(t, "a", indicator(4))
	// 7: GREEN, then a RED version.
	f.post(t, "admin", indicatorV(7, 0, `,"object_marking_refs":["`+green+`"]`), indicatorV(7, 1, `,"object_marking_refs":["`+red+`"]`))
	ids := func(user, q string) string { return strings.Join(f.page(t, user, o+q).env.ids(), " ") }
	if got := ids("a", ""); got != "00000002 00000006" {
		t.Errorf("a gets %q", got)
	}
	if got := ids("c", ""); got != "00000002 00000003 00000006 00000004" {
		t.Errorf("c gets %q", got)
	}
	if got := ids("admin", ""); got != "00000001 00000002 00000003 00000005 00000006 00000004 00000007" {
		t.Errorf("admin gets %q", got)
	}
	if got := ids("a", "?match[version]=all"); got != "00000002 00000006 00000007" {
		t.Errorf("a gets all versions: %q", got)
	}
	_, _, b := f.do(t, "a", "GET", f.root+"collections/"+f.x.ID+"/manifest/?match[version]=all", "")
	for _, hidden := range []string{"00000001", "00000003", "00000004", "00000005"} {
		if strings.Contains(string(b), hidden) {
			t.Errorf("a's manifest lists %s: %s", hidden, b)
		}
	}
	for _, i := range []int{1, 3, 4, 5} {
		for _, p := range []string{o + oid(i) + "/", o + oid(i) + "/versions/"} {
			if code, _, _ := f.do(t, "a", "GET", p, ""); code != 404 {
				t.Errorf("a GETs %s: %d", p, code)
			}
		}
	}
	// 7's latest version is RED: a gets no latest version, the GREEN one on request.
	if p := f.page(t, "a", o+oid(7)+"/"); p.code != 200 || string(p.raw) != "{}" {
		t.Errorf("a GETs 7: %d %s", p.code, p.raw)
	}
	if _, _, b := f.do(t, "a", "GET", o+oid(7)+"/versions/", ""); string(b) != `{"versions":["2026-11-28T10:00:00.000Z"]}` {
		t.Errorf("a's versions of 7: %s", b)
	}
	// Deleting: a peer deletes what it can read only.
	if code, _, _ := f.do(t, "a", "DELETE", o+oid(1)+"/", ""); code != 404 {
		t.Errorf("a DELETEs the RED object: %d", code)
	}
	if code, _, _ := f.do(t, "a", "DELETE", o+oid(4)+"/", ""); code != 404 {
		t.Errorf("a DELETEs its own object: %d", code)
	}
	if code, _, _ := f.do(t, "a", "DELETE", o+oid(7)+"/", ""); code != 200 {
		t.Errorf("a DELETEs 7: %d", code)
	}
	if _, _, b := f.do(t, "admin", "GET", o+oid(7)+"/versions/", ""); string(b) != `{"versions":["2026-11-28T11:00:00.000Z"]}` {
		t.Errorf("7 after a's delete: %s", b)
	}
	if got := ids("admin", ""); got != "00000001 00000002 00000003 00000005 00000006 00000004 00000007" {
		t.Errorf("admin gets %q after a's deletes", got)
	}
}

// Filters on the objects, object and manifest endpoints.
func TestFilters(t *testing.T) {
	f := setup(t)
	o := f.objects(f.x)
	f.post(t, "admin", indicatorV(1, 0, ""), indicatorV(1, 1, ""), indicatorV(1, 2, ""), indicator(2),
		`{"type":"tool","spec_version":"2.1","id":"tool--00000003-0000-4000-8000-000000000000","created":"2026-11-28T10:00:00.000Z","modified":"2026-11-28T10:00:00.000Z","name":"x"}`)
	mid := f.page(t, "admin", o+"?match[version]=all&limit=2").last // date_added of 1's second version
	versions := func(q string) string {
		p := f.page(t, "admin", o+q)
		if p.code != 200 {
			t.Errorf("%s: %d %s", q, p.code, p.raw)
		}
		var out []string
		for _, raw := range p.env.Objects {
			var x struct{ ID, Modified string }
			json.Unmarshal(raw, &x)
			out = append(out, short(x.ID)+"@"+x.Modified[11:13])
		}
		return strings.Join(out, " ")
	}
	all3 := "00000001@12 00000002@10 00000003@10"
	for q, want := range map[string]string{
		"":                           all3,
		"?match[version]=last":       all3,
		"?match[version]=first":      "00000001@10 00000002@10 00000003@10",
		"?match[version]=first,last": "00000001@10 00000001@12 00000002@10 00000003@10",
		"?match[version]=all":        "00000001@10 00000001@11 00000001@12 00000002@10 00000003@10",
		"?match[version]=2026-11-28T11:00:00.000Z":       "00000001@11",
		"?match[version]=2026-11-28T11:00:00Z,last":      "00000001@11 00000001@12 00000002@10 00000003@10",
		"?match[id]=" + oid(2):                           "00000002@10",
		"?match[id]=" + oid(2) + "," + oid(1):            "00000001@12 00000002@10",
		"?match[type]=indicator&match[id]=" + oid(2):     "00000002@10",
		"?match[type]=malware,tool":                      "00000003@10",
		"?match[type]=malware":                           "",
		"?match[spec_version]=2.1&match[type]=indicator": "00000001@12 00000002@10",
		"?match[spec_version]=2.0":                       "",
		"?match[version]=all&added_after=" + mid:         all3,
		"?match[colour]=red&utm=1":                       all3,
		"?match%5Btype%5D=indicator":                     "00000001@12 00000002@10",
	} {
		if got := versions(q); got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	for q, want := range map[string]string{
		"":                      "00000001@12",
		"?match[version]=first": "00000001@10",
		"?match[version]=all":   "00000001@10 00000001@11 00000001@12",
		"?match[version]=2026-11-28T11:00:00.000Z": "00000001@11",
		"?match[version]=2026-11-28T13:00:00.000Z": "",
		"?match[type]=malware":                     "00000001@12", // not an object endpoint's filter: ignored
	} {
		if got := versions(oid(1) + "/" + q); got != want {
			t.Errorf("object %s: %q, want %q", q, got, want)
		}
	}
	_, _, b := f.do(t, "admin", "GET", f.root+"collections/"+f.x.ID+"/manifest/?match[type]=indicator&match[version]=first,last", "")
	var man struct {
		Objects []struct {
			ID, Version string
			MediaType   string `json:"media_type"`
		}
	}
	json.Unmarshal(b, &man)
	var got []string
	for _, r := range man.Objects {
		got = append(got, short(r.ID)+"@"+r.Version[11:13]+" "+r.MediaType)
	}
	if strings.Join(got, ", ") != "00000001@10 application/stix+json;version=2.1, 00000001@12 application/stix+json;version=2.1, 00000002@10 application/stix+json;version=2.1" {
		t.Errorf("manifest: %s", b)
	}
	for _, q := range []string{"?limit=0", "?added_after=yesterday", "?match[version]=all,first", "?match[version]=last,last",
		"?match[id]=x", "?match[type]=A", "?match[spec_version]=x", "?limit=1&limit=2", "?next=abc", "?match[type]=" + strings.Repeat("a-b,", 100) + "a-b"} {
		code, h, b := f.do(t, "admin", "GET", o+q, "")
		name, _, _ := strings.Cut(strings.TrimPrefix(q, "?"), "=")
		if code != 400 || !strings.Contains(string(b), `"description":"`+strings.ReplaceAll(name, "%5B", "[")) {
			t.Errorf("%s: %d %s", q, code, b)
		}
		checkError(t, q, code, h, b)
	}
	if code, _, b := f.do(t, "admin", "GET", o+"?match[type]="+strings.Repeat("x", 20000), ""); code != 400 || !strings.Contains(string(b), "query string") {
		t.Errorf("long query: %d %.200s", code, b)
	}
}

// DELETE removes the versions match[version] (default all) and
// match[spec_version] select; afterwards the object is 404 and the manifest
// does not list it.
func TestDelete(t *testing.T) {
	f := setup(t)
	o := f.objects(f.x)
	manifest := f.root + "collections/" + f.x.ID + "/manifest/?match[version]=all"
	f.post(t, "admin", indicatorV(1, 0, ""), indicatorV(1, 1, ""), indicatorV(1, 2, ""), indicator(2))
	for _, c := range []struct {
		query string
		want  int
		left  string
	}{
		{"?match[spec_version]=2.0", 404, `["2026-11-28T10:00:00.000Z","2026-11-28T11:00:00.000Z","2026-11-28T12:00:00.000Z"]`},
		{"?match[version]=2026-11-28T13:00:00.000Z", 404, `["2026-11-28T10:00:00.000Z","2026-11-28T11:00:00.000Z","2026-11-28T12:00:00.000Z"]`},
		{"?match[version]=bad", 400, `["2026-11-28T10:00:00.000Z","2026-11-28T11:00:00.000Z","2026-11-28T12:00:00.000Z"]`},
		{"?match[version]=first", 200, `["2026-11-28T11:00:00.000Z","2026-11-28T12:00:00.000Z"]`},
		{"?match[version]=2026-11-28T12:00:00.000Z&match[spec_version]=2.1", 200, `["2026-11-28T11:00:00.000Z"]`},
		{"", 200, ""},
		{"", 404, ""},
	} {
		code, h, b := f.do(t, "a", "DELETE", o+oid(1)+"/"+c.query, "")
		if code != c.want {
			t.Errorf("DELETE %s: %d %s", c.query, code, b)
		}
		if code != 200 {
			checkError(t, "DELETE "+c.query, code, h, b)
		}
		code, _, b = f.do(t, "a", "GET", o+oid(1)+"/versions/", "")
		if c.left == "" && code != 404 || c.left != "" && string(b) != `{"versions":`+c.left+`}` {
			t.Errorf("after DELETE %s: %d %s", c.query, code, b)
		}
	}
	if code, _, _ := f.do(t, "a", "GET", o+oid(1)+"/", ""); code != 404 {
		t.Errorf("GET after DELETE: %d", code)
	}
	_, _, b := f.do(t, "a", "GET", manifest, "")
	if strings.Contains(string(b), oid(1)) || !strings.Contains(string(b), oid(2)) {
		t.Errorf("manifest after DELETE: %s", b)
	}
	if got := f.page(t, "a", o+"?match[version]=all").env.ids(); !slices.Equal(got, []string{"00000002"}) {
		t.Errorf("objects after DELETE: %v", got)
	}
}

// An API root outside /taxii2/, of several segments, with the handler
// mounted at /.
func TestAPIRootElsewhere(t *testing.T) {
	db := storetest.Open(t)
	x, err := db.EnsureCollection(t.Context(), store.Collection{Alias: "x", Title: "X", Audience: "network"})
	if err != nil {
		t.Fatal(err)
	}
	s := &taxii.Server{DB: db, Title: "trust group", APIRoot: "/org/trustgroup1/", Auth: auth{}, Policy: &policy{noRead: map[string]bool{}}}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	f := &fixture{srv: srv, db: db, x: x, root: s.APIRoot}
	if _, _, b := f.do(t, "a", "GET", "/taxii2/", ""); decode(t, b)["default"] != "/org/trustgroup1/" {
		t.Errorf("discovery: %s", b)
	}
	f.post(t, "a", indicator(1))
	if p := f.page(t, "c", f.objects(x)); !slices.Equal(p.env.ids(), []string{"00000001"}) {
		t.Errorf("objects: %s", p.raw)
	}
	for _, c := range []struct{ path, says string }{
		{"/org/other/", "no TAXII endpoint"},
		{"/org/trustgroup1/collections", "end in /"},
		{"/org/trustgroup1/collections//", "segments"},
		{"/org/trustgroup1/./collections/", "segments"},
		{"/org/trustgroup1/collections/../", "segments"},
	} {
		code, h, b := f.do(t, "a", "GET", c.path, "")
		if code != 404 || !strings.Contains(string(b), c.says) {
			t.Errorf("%s: %d %s", c.path, code, b)
		}
		checkError(t, c.path, code, h, b)
	}
}

// BenchmarkGetObjects pages through 100 000 objects over HTTP, 1 000 per
// page, as a peer.
func BenchmarkGetObjects(b *testing.B) {
	f := setup(b)
	o := f.objects(f.x)
	const total = 100_000
	for batch := 0; batch < total/1000; batch++ {
		objs := make([]string, 1000)
		for i := range objs {
			objs[i] = indicator(batch*1000 + i + 1)
		}
		f.post(b, "b", objs...)
	}
	b.ResetTimer()
	start, n, nbytes := time.Now(), 0, 0
	for b.Loop() {
		next := ""
		for {
			q := "?limit=1000"
			if next != "" {
				q += "&next=" + next
			}
			code, _, body := f.do(b, "a", "GET", o+q, "")
			if code != 200 {
				b.Fatalf("%d %.200s", code, body)
			}
			var e env
			if err := json.Unmarshal(body, &e); err != nil {
				b.Fatal(err)
			}
			n += len(e.Objects)
			nbytes += len(body)
			if !e.More {
				break
			}
			next = e.Next
		}
	}
	if n%total != 0 {
		b.Fatalf("paged %d objects, want a multiple of %d", n, total)
	}
	secs := time.Since(start).Seconds()
	b.ReportMetric(float64(n)/secs, "objects/s")
	b.ReportMetric(float64(nbytes)/secs/(1<<20), "MiB/s")
}

// BenchmarkPostObjects posts envelopes of 500 new objects.
func BenchmarkPostObjects(b *testing.B) {
	f := setup(b)
	o := f.objects(f.x)
	n := 0
	start, total := time.Now(), 0
	for b.Loop() {
		objs := make([]string, 500)
		for i := range objs {
			n++
			objs[i] = indicator(n)
		}
		body := []byte(envelope(objs...))
		req, _ := http.NewRequest("POST", f.srv.URL+o, bytes.NewReader(body))
		req.Header.Set("Accept", taxii.MediaType)
		req.Header.Set("Content-Type", taxii.MediaType)
		req.SetBasicAuth("b", "pw-b")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var st status
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if resp.StatusCode != 202 || st.Success != 500 {
			b.Fatalf("%d %+v", resp.StatusCode, st)
		}
		total += 500
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "objects/s")
}

// Objects without created and modified (cyber-observables) have their
// date_added as version; marking definitions are not marked by what they
// define; local callers delete whatever they select.
func TestObservablesMarkingsLocalDelete(t *testing.T) {
	f := setup(t)
	o := f.objects(f.x)
	ip := `{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--6ba7b810-9dad-51d1-80b4-00c04fd430c8","value":"198.51.100.1"}`
	ip20 := `{"type":"ipv4-addr","id":"ipv4-addr--6ba7b811-9dad-51d1-80b4-00c04fd430c8","value":"198.51.100.2"}`
	redDef := `{"type":"marking-definition","spec_version":"2.1","id":"` + red + `","created":"2022-10-01T00:00:00.000Z","name":"TLP:RED","object_marking_refs":["` + red + `"]}`
	st := f.post(t, "admin", ip, ip20, redDef)
	if st.Success != 3 || !stamp.MatchString(st.Successes[0].Version) || st.Successes[2].Version != "2022-10-01T00:00:00.000Z" {
		t.Fatalf("status: %+v", st)
	}
	_, _, b := f.do(t, "admin", "GET", f.root+"collections/"+f.x.ID+"/manifest/?match[type]=ipv4-addr", "")
	var man struct {
		Objects []struct {
			DateAdded string `json:"date_added"`
			Version   string `json:"version"`
		}
	}
	json.Unmarshal(b, &man)
	if len(man.Objects) != 2 || man.Objects[0].Version != man.Objects[0].DateAdded || man.Objects[0].Version != st.Successes[0].Version {
		t.Errorf("manifest: %s", b)
	}
	ipID := "ipv4-addr--6ba7b810-9dad-51d1-80b4-00c04fd430c8"
	if _, _, b := f.do(t, "admin", "GET", o+ipID+"/?match[version]="+st.Successes[0].Version, ""); !strings.Contains(string(b), "198.51.100.1") {
		t.Errorf("by its version: %s", b)
	}
	// The RED definition itself goes to peers.
	if got := f.page(t, "a", o+"?match[type]=marking-definition").env.ids(); len(got) != 1 {
		t.Errorf("a gets the marking definitions %v", got)
	}
	// A local caller deletes; a caller without a name posts and reads its status.
	if code, _, _ := f.do(t, "admin", "DELETE", o+ipID+"/", ""); code != 200 {
		t.Errorf("admin DELETE: %d", code)
	}
	if code, _, _ := f.do(t, "admin", "GET", o+ipID+"/", ""); code != 404 {
		t.Errorf("after admin DELETE: %d", code)
	}
	st = f.post(t, "anon", indicator(1))
	if code, _, _ := f.do(t, "anon", "GET", f.root+"status/"+st.ID+"/", ""); code != 200 {
		t.Errorf("anon's status: %d", code)
	}
}

// A failing store is a 500 with the TAXII error, and is logged.
func TestStoreFailure(t *testing.T) {
	db, err := store.Open(t.Context(), t.TempDir()+"/t.db")
	if err != nil {
		t.Fatal(err)
	}
	x, err := db.EnsureCollection(t.Context(), store.Collection{Alias: "x", Title: "X", Audience: "network"})
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	s := &taxii.Server{DB: db, APIRoot: "/taxii2/api/", Auth: auth{}, Policy: &policy{noRead: map[string]bool{}},
		Log: slog.New(slog.NewTextHandler(&logged, nil))}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	f := &fixture{srv: srv, db: db, x: x, root: s.APIRoot}
	db.Close()
	for _, p := range []string{f.root + "collections/", f.objects(x), f.root + "status/6ba7b810-9dad-41d1-80b4-00c04fd430c8/"} {
		code, h, b := f.do(t, "a", "GET", p, "")
		if code != 500 || strings.Contains(string(b), "closed") {
			t.Errorf("%s: %d %s", p, code, b)
		}
		checkError(t, p, code, h, b)
	}
	if !strings.Contains(logged.String(), "taxii: internal error") {
		t.Errorf("not logged: %s", logged.String())
	}
}
