package taxii_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/taxii"
)

// auth: peers "a" (reads and writes X) and "b" (writes X only); nobody sees Y.
type auth struct{}

func (auth) Authenticate(r *http.Request) (taxii.Caller, bool) {
	u, p, ok := taxii.BasicOrBearer(r)
	if ok && p == "pw-"+u && (u == "a" || u == "b") {
		return taxii.Caller{Peer: u, Identity: "identity--00000000-0000-4000-8000-00000000000" + map[string]string{"a": "a", "b": "b"}[u], Name: "peer:" + u}, true
	}
	return taxii.Caller{}, false
}

type policy struct{}

func (policy) CanRead(c taxii.Caller, col store.Collection) bool {
	return col.Alias == "x" && c.Peer == "a"
}
func (policy) CanWrite(c taxii.Caller, col store.Collection) bool { return col.Alias == "x" }
func (policy) Accept(taxii.Caller, store.Collection, stix.Object) error {
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
