package taxii_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/taxii"
)

// auth: peers "a" (reads and writes X) and "b" (writes X only), and a
// local caller "admin" (reads and writes X); nobody sees Y.
type auth struct{}

func (auth) Authenticate(r *http.Request) (taxii.Caller, bool) {
	u, p, ok := taxii.BasicOrBearer(r)
	switch {
	case ok && p == "pw-"+u && (u == "a" || u == "b"):
		return taxii.Caller{Peer: u, Identity: identity(u), Name: "peer:" + u}, true
	case ok && u == "" && p == "admin-token", ok && u == "admin" && p == "pw-admin":
		return taxii.Caller{Name: "user:admin"}, true
	}
	return taxii.Caller{}, false
}

func identity(peer string) string { return "identity--00000000-0000-4000-8000-00000000000" + peer }

type policy struct{}

func (policy) CanRead(c taxii.Caller, col store.Collection) bool {
	return col.Alias == "x" && c.Peer != "b"
}
func (policy) CanWrite(c taxii.Caller, col store.Collection) bool { return col.Alias == "x" }
func (policy) Accept(_ taxii.Caller, _ store.Collection, o stix.Object) error {
	if o.Type == "malware" {
		return errors.New("malware objects are not accepted here")
	}
	return nil
}
func (policy) Stored(taxii.Caller, store.Collection, []store.StixObject) {}

type fixture struct {
	srv  *httptest.Server
	db   *store.DB
	x, y store.Collection
}

func setup(t testing.TB) *fixture {
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db}
	if f.x, err = db.EnsureCollection(t.Context(), store.Collection{Alias: "x", Title: "X", Audience: "network"}); err != nil {
		t.Fatal(err)
	}
	if f.y, err = db.EnsureCollection(t.Context(), store.Collection{Alias: "y", Title: "Y", Audience: "public"}); err != nil {
		t.Fatal(err)
	}
	s := &taxii.Server{DB: db, Title: "test", APIRoot: "/taxii2/api/", Auth: auth{}, Policy: policy{}}
	mux := http.NewServeMux()
	mux.Handle("/taxii2/", s.Handler())
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) do(t testing.TB, user, method, path, body string, hdr ...string) (int, http.Header, []byte) {
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Accept", taxii.MediaType)
	if body != "" {
		req.Header.Set("Content-Type", taxii.MediaType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if user != "" {
		req.SetBasicAuth(user, "pw-"+user)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func indicator(i int, tlp string) string {
	marking := ""
	if tlp != "" {
		marking = `,"object_marking_refs":["` + tlp + `"]`
	}
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--%08d-0000-4000-8000-000000000000","created":"2026-11-28T10:00:00.000Z","modified":"2026-11-28T10:00:00.000Z","pattern":"[ipv4-addr:value = '10.0.0.1']","pattern_type":"stix","valid_from":"2026-11-28T10:00:00Z"%s}`, i, marking)
}

func envelope(objs ...string) string { return `{"objects":[` + strings.Join(objs, ",") + `]}` }

func TestEndpointsAndErrors(t *testing.T) {
	f := setup(t)
	objects := "/taxii2/api/collections/" + f.x.ID + "/objects/"
	for _, c := range []struct {
		name, user, method, path, body string
		hdr                            []string
		want                           int
	}{
		{"no credentials: 401", "", "GET", "/taxii2/", "", nil, 401},
		{"discovery", "a", "GET", "/taxii2/", "", nil, 200},
		{"api root", "a", "GET", "/taxii2/api/", "", nil, 200},
		{"no TAXII Accept: 406", "a", "GET", "/taxii2/api/", "", []string{"Accept", "application/json"}, 406},
		{"invisible collection: 404", "a", "GET", "/taxii2/api/collections/" + f.y.ID + "/", "", nil, 404},
		{"write-only collection: 403 on read", "b", "GET", objects, "", nil, 403},
		{"missing slash: 404", "a", "GET", "/taxii2/api/collections", "", nil, 404},
		{"wrong method: 405", "a", "PUT", objects, "", nil, 405},
		{"wrong content type: 415", "a", "POST", objects, envelope(indicator(1, "")), []string{"Content-Type", "application/json"}, 415},
		{"not an envelope: 400", "a", "POST", objects, `[1]`, nil, 400},
		{"a bundle: 400", "a", "POST", objects, `{"type":"bundle","id":"bundle--6ba7b810-9dad-41d1-80b4-00c04fd430c8","objects":[]}`, nil, 400},
		{"too large: 413", "a", "POST", objects, `{"objects":["` + strings.Repeat("x", 11<<20) + `"]}`, nil, 413},
		{"bad limit: 400", "a", "GET", objects + "?limit=0", "", nil, 400},
		{"bad added_after: 400", "a", "GET", objects + "?added_after=yesterday", "", nil, 400},
		{"bad next: 400", "a", "GET", objects + "?next=abc", "", nil, 400},
		{"repeated parameter: 400", "a", "GET", objects + "?limit=1&limit=2", "", nil, 400},
		{"all with first: 400", "a", "GET", objects + "?match[version]=all,first", "", nil, 400},
		{"unknown status: 404", "a", "GET", "/taxii2/api/status/6ba7b810-9dad-41d1-80b4-00c04fd430c8/", "", nil, 404},
		{"unknown object: 404", "a", "GET", objects + "indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8/", "", nil, 404},
	} {
		got, h, b := f.do(t, c.user, c.method, c.path, c.body, c.hdr...)
		if got != c.want {
			t.Errorf("%s: %d %s", c.name, got, b)
			continue
		}
		if ct := h.Get("Content-Type"); ct != taxii.MediaType {
			t.Errorf("%s: Content-Type %q", c.name, ct)
		}
		if got >= 400 {
			var e map[string]any
			if json.Unmarshal(b, &e) != nil || e["title"] == nil || e["http_status"] != fmt.Sprint(got) {
				t.Errorf("%s: error body %s", c.name, b)
			}
		}
		if got == 401 && h.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: no WWW-Authenticate", c.name)
		}
	}
	_, _, b := f.do(t, "a", "GET", "/taxii2/api/collections/", "")
	if !strings.Contains(string(b), f.x.ID) || strings.Contains(string(b), f.y.ID) {
		t.Errorf("collections: %s", b)
	}
}

func TestPostGetPageDelete(t *testing.T) {
	f := setup(t)
	objects := "/taxii2/api/collections/" + f.x.ID + "/objects/"
	// b posts: one good, one invalid, then the good one again.
	bad := `{"type":"indicator","id":"indicator--x"}`
	code, _, b := f.do(t, "b", "POST", objects, envelope(indicator(1, ""), bad))
	var st struct {
		ID           string `json:"id"`
		Status       string `json:"status"`
		SuccessCount int    `json:"success_count"`
		FailureCount int    `json:"failure_count"`
		Failures     []struct{ Message string }
	}
	if code != 202 || json.Unmarshal(b, &st) != nil || st.Status != "complete" || st.SuccessCount != 1 || st.FailureCount != 1 || st.Failures[0].Message == "" {
		t.Fatalf("post: %d %s", code, b)
	}
	if code, _, b := f.do(t, "b", "POST", objects, envelope(indicator(1, ""))); code != 202 || !strings.Contains(string(b), `"success_count":1`) {
		t.Errorf("duplicate post: %d %s", code, b)
	}
	if code, _, _ := f.do(t, "b", "GET", "/taxii2/api/status/"+st.ID+"/", ""); code != 200 {
		t.Errorf("status: %d", code)
	}
	// b's own object is never served back to b... and a reads it.
	code, h, b := f.do(t, "a", "GET", objects, "")
	if code != 200 || !strings.Contains(string(b), "indicator--00000001") || h.Get("X-TAXII-Date-Added-First") == "" {
		t.Fatalf("a reads: %d %s", code, b)
	}
	// a posts 2 500 more, one of them TLP:RED, and pages through them.
	var objs []string
	for i := 2; i <= 2501; i++ {
		tlp := ""
		if i == 7 {
			tlp = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
		}
		objs = append(objs, indicator(i, tlp))
	}
	if code, _, b := f.do(t, "a", "POST", objects, envelope(objs...)); code != 202 {
		t.Fatalf("post 2500: %d %.300s", code, b)
	}
	seen, next, pages := map[string]bool{}, "", 0
	for {
		q := "?limit=1000"
		if next != "" {
			q += "&next=" + next
		}
		code, _, b := f.do(t, "a", "GET", objects+q, "")
		var env struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		if code != 200 || json.Unmarshal(b, &env) != nil {
			t.Fatalf("page: %d %.300s", code, b)
		}
		pages++
		for _, o := range env.Objects {
			var p struct{ ID string }
			json.Unmarshal(o, &p)
			seen[p.ID] = true
		}
		if !env.More {
			break
		}
		next = env.Next
		if pages == 1 {
			if code, _, _ := f.do(t, "a", "GET", objects+"?limit=1000&match[type]=indicator&next="+next, ""); code != 400 {
				t.Errorf("cursor with another filter: %d", code)
			}
		}
	}
	// a posted 2500 (not served back to a), b posted 1: a sees b's object only,
	// and nothing TLP:RED.
	if len(seen) != 1 || pages != 1 {
		t.Errorf("a sees %d objects in %d pages; want only b's one: a's own are never served back", len(seen), pages)
	}
	if seen["indicator--00000007-0000-4000-8000-000000000000"] {
		t.Error("a TLP:RED object was served to a peer")
	}
	// DELETE, then 404.
	oid := "indicator--00000001-0000-4000-8000-000000000000"
	if code, _, b := f.do(t, "a", "DELETE", objects+oid+"/", ""); code != 200 {
		t.Fatalf("delete: %d %s", code, b)
	}
	if code, _, _ := f.do(t, "a", "GET", objects+oid+"/", ""); code != 404 {
		t.Errorf("after delete: %d", code)
	}
	if code, _, _ := f.do(t, "b", "DELETE", objects+oid+"/", ""); code != 403 {
		t.Errorf("delete without read: %d", code)
	}
}

// Paging through objects posted by another peer: a reads what b wrote.
func TestPagingNext(t *testing.T) {
	f := setup(t)
	objects := "/taxii2/api/collections/" + f.x.ID + "/objects/"
	var objs []string
	for i := 1; i <= 2500; i++ {
		objs = append(objs, indicator(i, ""))
	}
	if code, _, _ := f.do(t, "b", "POST", objects, envelope(objs...)); code != 202 {
		t.Fatal(code)
	}
	n, next, last := 0, "", ""
	for {
		q := "?limit=1000"
		if next != "" {
			q += "&next=" + next
		}
		code, h, b := f.do(t, "a", "GET", objects+q, "")
		var env struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		if code != 200 || json.Unmarshal(b, &env) != nil {
			t.Fatalf("%d %.200s", code, b)
		}
		n += len(env.Objects)
		last = h.Get("X-TAXII-Date-Added-Last")
		if !env.More {
			break
		}
		next = env.Next
	}
	if n != 2500 {
		t.Errorf("paged %d objects, want 2500", n)
	}
	if code, _, b := f.do(t, "a", "GET", objects+"?added_after="+last, ""); code != 200 || strings.Contains(string(b), "objects") {
		t.Errorf("added_after the last: %d %s", code, b)
	}
}

func BenchmarkGetObjects(b *testing.B) {
	f := setup(b)
	objects := "/taxii2/api/collections/" + f.x.ID + "/objects/"
	for batch := 0; batch < 100; batch++ {
		var objs []string
		for i := range 1000 {
			objs = append(objs, indicator(batch*1000+i+1, ""))
		}
		if code, _, _ := f.do(b, "b", "POST", objects, envelope(objs...)); code != 202 {
			b.Fatal(code)
		}
	}
	b.ResetTimer()
	start, total := time.Now(), 0
	for b.Loop() {
		next := ""
		for {
			q := "?limit=1000"
			if next != "" {
				q += "&next=" + next
			}
			_, _, body := f.do(b, "a", "GET", objects+q, "")
			var env struct {
				More    bool              `json:"more"`
				Next    string            `json:"next"`
				Objects []json.RawMessage `json:"objects"`
			}
			json.NewDecoder(bytes.NewReader(body)).Decode(&env)
			total += len(env.Objects)
			if !env.More {
				break
			}
			next = env.Next
		}
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "objects/s")
}

func BenchmarkPostObjects(b *testing.B) {
	f := setup(b)
	objects := "/taxii2/api/collections/" + f.x.ID + "/objects/"
	start, total, n := time.Now(), 0, 0
	for b.Loop() {
		var objs []string
		for range 500 {
			n++
			objs = append(objs, indicator(n, ""))
		}
		if code, _, _ := f.do(b, "b", "POST", objects, envelope(objs...)); code != 202 {
			b.Fatal(code)
		}
		total += 500
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "objects/s")
}

// indicatorV is version v (1, 2, …) of indicator i, with extra properties.
func indicatorV(i, v int, extra string) string {
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--%08d-0000-4000-8000-000000000000","created":"2026-11-28T10:00:00.000Z","modified":"2026-11-28T1%d:00:00.000Z","pattern":"[ipv4-addr:value = '10.0.0.1']","pattern_type":"stix","valid_from":"2026-11-28T10:00:00Z"%s}`, i, v, extra)
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return m
}

func TestResourceShapes(t *testing.T) {
	f := setup(t)
	code, _, b := f.do(t, "a", "GET", "/taxii2/", "")
	d := decode(t, b)
	if code != 200 || d["title"] != "test" || d["default"] != "/taxii2/api/" || fmt.Sprint(d["api_roots"]) != "[/taxii2/api/]" {
		t.Errorf("discovery: %d %s", code, b)
	}
	if _, ok := d["contact"]; ok {
		t.Errorf("discovery: empty contact given: %s", b)
	}
	_, _, b = f.do(t, "a", "GET", "/taxii2/api/", "", "Accept", "application/taxii+json")
	d = decode(t, b)
	if fmt.Sprint(d["versions"]) != "["+taxii.MediaType+"]" || d["max_content_length"] != float64(10<<20) {
		t.Errorf("api root: %s", b)
	}
	_, _, b = f.do(t, "b", "GET", "/taxii2/api/collections/", "")
	var cols struct {
		Collections []map[string]any `json:"collections"`
	}
	json.Unmarshal(b, &cols)
	if len(cols.Collections) != 1 || cols.Collections[0]["id"] != f.x.ID || cols.Collections[0]["can_read"] != false ||
		cols.Collections[0]["can_write"] != true || fmt.Sprint(cols.Collections[0]["media_types"]) != "[application/stix+json;version=2.1]" {
		t.Errorf("collections for b: %s", b)
	}
	code, _, b = f.do(t, "a", "GET", "/taxii2/api/collections/"+f.x.ID+"/", "")
	if d := decode(t, b); code != 200 || d["can_read"] != true || d["title"] != "X" {
		t.Errorf("collection: %d %s", code, b)
	}
	// Bearer works as well as Basic.
	if code, _, _ := f.do(t, "", "GET", "/taxii2/", "", "Authorization", "Bearer admin-token"); code != 200 {
		t.Errorf("bearer: %d", code)
	}
	if code, _, _ := f.do(t, "", "GET", "/taxii2/", "", "Authorization", "Bearer wrong"); code != 401 {
		t.Errorf("wrong bearer: %d", code)
	}
	// 405 names the allowed methods.
	code, h, _ := f.do(t, "a", "DELETE", "/taxii2/api/collections/"+f.x.ID+"/objects/", "")
	if code != 405 || h.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("405: %d Allow %q", code, h.Get("Allow"))
	}
	// The wrong TAXII version is 415 on POST and 406 in Accept.
	objects := "/taxii2/api/collections/" + f.x.ID + "/objects/"
	if code, _, _ := f.do(t, "a", "POST", objects, envelope(indicator(1, "")), "Content-Type", "application/taxii+json;version=2.0"); code != 415 {
		t.Errorf("version 2.0 body: %d", code)
	}
	if code, _, _ := f.do(t, "a", "GET", objects, "", "Accept", "application/taxii+json;version=2.0"); code != 406 {
		t.Errorf("version 2.0 accept: %d", code)
	}
	// Too many objects, an empty envelope, a match with 101 values.
	many := make([]string, 10001)
	for i := range many {
		many[i] = "{}"
	}
	if code, _, _ := f.do(t, "a", "POST", objects, envelope(many...)); code != 413 {
		t.Errorf("10 001 objects: %d", code)
	}
	if code, _, _ := f.do(t, "a", "POST", objects, `{"objects":[]}`); code != 400 {
		t.Errorf("empty envelope: %d", code)
	}
	if code, _, b := f.do(t, "a", "GET", objects+"?match[type]="+strings.Repeat("indicator,", 100)+"indicator", ""); code != 400 || !strings.Contains(string(b), "match[type]") {
		t.Errorf("101 types: %d %s", code, b)
	}
	if code, _, b := f.do(t, "a", "GET", objects+"?match[version]=yesterday", ""); code != 400 || !strings.Contains(string(b), "match[version]") {
		t.Errorf("bad version: %d %s", code, b)
	}
	if code, _, _ := f.do(t, "a", "GET", objects+"?match[colour]=red", ""); code != 200 {
		t.Errorf("unknown match field: %d", code)
	}
	if code, _, _ := f.do(t, "a", "GET", objects+"indicator--00000001-0000-4000-8000-000000000000", ""); code != 404 {
		t.Errorf("object without slash: %d", code)
	}
}

func TestObjectVersionsManifest(t *testing.T) {
	f := setup(t)
	objects := "/taxii2/api/collections/" + f.x.ID + "/objects/"
	oid := "indicator--00000001-0000-4000-8000-000000000000"
	code, _, b := f.do(t, "b", "POST", objects, envelope(indicatorV(1, 1, ""), indicatorV(1, 2, ""),
		`{"type":"malware","spec_version":"2.1","id":"malware--6ba7b810-9dad-41d1-80b4-00c04fd430c8","created":"2026-11-28T10:00:00.000Z","modified":"2026-11-28T10:00:00.000Z","name":"x","is_family":false}`,
		`{"type":"indicator","spec_version":"2.1","id":"indicator--not-a-uuid"}`))
	st := decode(t, b)
	if code != 202 || st["success_count"] != float64(2) || st["failure_count"] != float64(2) || st["total_count"] != float64(4) || st["pending_count"] != float64(0) {
		t.Fatalf("post: %d %s", code, b)
	}
	fails := st["failures"].([]any)
	if m := fails[0].(map[string]any); m["id"] != "malware--6ba7b810-9dad-41d1-80b4-00c04fd430c8" || m["message"] != "malware objects are not accepted here" || m["version"] != "2026-11-28T10:00:00.000Z" {
		t.Errorf("policy failure: %v", m)
	}
	if m := fails[1].(map[string]any); m["id"] != "indicator--not-a-uuid" || m["message"] == "" {
		t.Errorf("invalid object failure: %v", m)
	}
	// Another caller does not get b's status.
	if code, _, _ := f.do(t, "a", "GET", "/taxii2/api/status/"+st["id"].(string)+"/", ""); code != 404 {
		t.Errorf("someone else's status: %d", code)
	}
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)
	// The object: last version by default, all on request.
	code, h, b := f.do(t, "a", "GET", objects+oid+"/", "")
	if code != 200 || strings.Count(string(b), `"type":"indicator"`) != 1 || !strings.Contains(string(b), "T12:00:00") ||
		!stamp.MatchString(h.Get("X-TAXII-Date-Added-First")) || !stamp.MatchString(h.Get("X-TAXII-Date-Added-Last")) {
		t.Errorf("object: %d %s %v", code, b, h)
	}
	if _, _, b := f.do(t, "a", "GET", objects+oid+"/?match[version]=all", ""); strings.Count(string(b), `"type":"indicator"`) != 2 {
		t.Errorf("all versions: %s", b)
	}
	if _, _, b := f.do(t, "a", "GET", objects+oid+"/?match[version]=2026-11-28T11:00:00.000Z", ""); !strings.Contains(string(b), "T11:00:00") || strings.Contains(string(b), "T12:00:00") {
		t.Errorf("exact version: %s", b)
	}
	// The object exists, the filter selects none of its versions: an empty envelope.
	if code, _, b := f.do(t, "a", "GET", objects+oid+"/?match[spec_version]=2.0", ""); code != 200 || string(b) != "{}" {
		t.Errorf("spec_version 2.0: %d %s", code, b)
	}
	code, h, b = f.do(t, "a", "GET", objects+oid+"/versions/", "")
	if code != 200 || !strings.Contains(string(b), `"versions":["2026-11-28T11:00:00.000Z","2026-11-28T12:00:00.000Z"]`) || h.Get("X-TAXII-Date-Added-Last") == "" {
		t.Errorf("versions: %d %s", code, b)
	}
	code, _, b = f.do(t, "a", "GET", "/taxii2/api/collections/"+f.x.ID+"/manifest/?match[version]=all", "")
	var man struct {
		Objects []map[string]string `json:"objects"`
	}
	if json.Unmarshal(b, &man); code != 200 || len(man.Objects) != 2 || man.Objects[0]["id"] != oid ||
		man.Objects[0]["media_type"] != "application/stix+json;version=2.1" || !stamp.MatchString(man.Objects[0]["date_added"]) || man.Objects[1]["version"] != "2026-11-28T12:00:00.000Z" {
		t.Errorf("manifest: %d %s", code, b)
	}
	if code, _, b := f.do(t, "a", "GET", objects+"?match[type]=malware", ""); code != 200 || string(b) != "{}" {
		t.Errorf("nothing matches: %d %s", code, b)
	}
	// DELETE one version, then the rest; then 404.
	if code, _, _ := f.do(t, "a", "DELETE", objects+oid+"/?match[version]=first", ""); code != 200 {
		t.Errorf("delete first: %d", code)
	}
	if _, _, b := f.do(t, "a", "GET", objects+oid+"/versions/", ""); !strings.Contains(string(b), `"versions":["2026-11-28T12:00:00.000Z"]`) {
		t.Errorf("after deleting the first: %s", b)
	}
	if code, _, _ := f.do(t, "a", "DELETE", objects+oid+"/", ""); code != 200 {
		t.Errorf("delete: %d", code)
	}
	for _, p := range []string{objects + oid + "/", objects + oid + "/versions/"} {
		if code, _, _ := f.do(t, "a", "GET", p, ""); code != 404 {
			t.Errorf("GET %s after delete: %d", p, code)
		}
	}
	if code, _, _ := f.do(t, "a", "DELETE", objects+oid+"/", ""); code != 404 {
		t.Errorf("delete again: %d", code)
	}
}

// Boundaries: peers never get TLP:RED, what they sent, or what their
// identity created; local callers get everything.
func TestBoundariesAndCursors(t *testing.T) {
	f := setup(t)
	objects := "/taxii2/api/collections/" + f.x.ID + "/objects/"
	red := "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
	if code, _, _ := f.do(t, "admin", "POST", objects, envelope(indicator(1, red), indicator(2, ""),
		indicatorV(3, 0, `,"created_by_ref":"`+identity("a")+`"`))); code != 202 {
		t.Fatal(code)
	}
	if code, _, _ := f.do(t, "a", "POST", objects, envelope(indicator(4, ""))); code != 202 {
		t.Fatal(code)
	}
	ids := func(user string) string {
		_, _, b := f.do(t, user, "GET", objects, "")
		var env struct{ Objects []struct{ ID string } }
		json.Unmarshal(b, &env)
		var out []string
		for _, o := range env.Objects {
			out = append(out, o.ID[11:19])
		}
		return strings.Join(out, " ")
	}
	if got := ids("a"); got != "00000002" {
		t.Errorf("a gets %q, want only 00000002", got)
	}
	if got := ids("admin"); got != "00000001 00000002 00000003 00000004" {
		t.Errorf("admin gets %q", got)
	}
	redID := "indicator--00000001-0000-4000-8000-000000000000"
	if code, _, _ := f.do(t, "a", "GET", objects+redID+"/", ""); code != 404 {
		t.Errorf("a GETs the RED object: %d", code)
	}
	if code, _, _ := f.do(t, "a", "DELETE", objects+redID+"/", ""); code != 404 {
		t.Errorf("a DELETEs the RED object: %d", code)
	}
	// A cursor is the caller's and the query's.
	_, _, b := f.do(t, "admin", "GET", objects+"?limit=1", "")
	var env struct{ Next string }
	json.Unmarshal(b, &env)
	if env.Next == "" {
		t.Fatalf("no next: %s", b)
	}
	if !strings.Contains(string(b), "00000001") {
		t.Errorf("first page: %s", b)
	}
	for _, c := range []struct{ user, query string }{
		{"admin", "?limit=1&next=" + env.Next},
		{"admin", "?limit=5&next=" + env.Next},
	} {
		if code, _, b := f.do(t, c.user, "GET", objects+c.query, ""); code != 200 || !strings.Contains(string(b), "00000002") || strings.Contains(string(b), "00000001") {
			t.Errorf("%s %s: %d %s", c.user, c.query, code, b)
		}
	}
	tampered := []byte(env.Next)
	tampered[3] ^= 1
	for _, c := range []struct{ name, user, path string }{
		{"another caller", "a", objects + "?limit=1&next=" + env.Next},
		{"another filter", "admin", objects + "?limit=1&match[type]=indicator&next=" + env.Next},
		{"another endpoint", "admin", "/taxii2/api/collections/" + f.x.ID + "/manifest/?limit=1&next=" + env.Next},
		{"tampered", "admin", objects + "?limit=1&next=" + string(tampered)},
	} {
		if code, _, b := f.do(t, c.user, "GET", c.path, ""); code != 400 || !strings.Contains(string(b), "next") {
			t.Errorf("%s: %d %s", c.name, code, b)
		}
	}
	if code, _, _ := f.do(t, "admin", "DELETE", objects+redID+"/", ""); code != 200 {
		t.Errorf("admin DELETEs the RED object: %d", code)
	}
}

func TestCursorExpires(t *testing.T) {
	f := setup(t)
	now := time.Now()
	s := &taxii.Server{DB: f.db, Title: "test", APIRoot: "/taxii2/api/", Auth: auth{}, Policy: policy{}, Now: func() time.Time { return now }}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	f.srv = srv
	objects := "/taxii2/api/collections/" + f.x.ID + "/objects/"
	f.do(t, "admin", "POST", objects, envelope(indicator(1, ""), indicator(2, "")))
	_, _, b := f.do(t, "admin", "GET", objects+"?limit=1", "")
	var env struct{ Next string }
	json.Unmarshal(b, &env)
	if code, _, _ := f.do(t, "admin", "GET", objects+"?limit=1&next="+env.Next, ""); code != 200 {
		t.Errorf("fresh cursor: %d", code)
	}
	now = now.Add(25 * time.Hour)
	if code, _, _ := f.do(t, "admin", "GET", objects+"?limit=1&next="+env.Next, ""); code != 400 {
		t.Errorf("expired cursor: %d", code)
	}
}
