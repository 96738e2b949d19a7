package taxii

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// status returns the HTTP status of a TAXII error, 0 for nil.
func status(err error) int {
	var te *apiError
	if errors.As(err, &te) {
		return te.status
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestParseFilters(t *testing.T) {
	const id1 = "indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8"
	const id2 = "malware--6ba7b811-9dad-41d1-80b4-00c04fd430c8"
	many := strings.Repeat("indicator,", maxMatchValues) + "indicator"
	distinct := make([]string, maxMatchValues+1)
	for i := range distinct {
		distinct[i] = "t" + strings.Repeat("x", 2) + string(rune('a'+i%26)) + strings.Repeat("y", i/26)
	}
	for _, c := range []struct {
		query string
		ep    endpoint
		want  int    // HTTP status of the error; 0 if none
		param string // the parameter the error names
		check func(filters) bool
	}{
		{"", epObjects, 0, "", func(f filters) bool { return f.Limit == 1000 && f.AddedAfter.IsZero() && f.Next == "" }},
		{"limit=10", epObjects, 0, "", func(f filters) bool { return f.Limit == 10 }},
		{"limit=5000", epObjects, 0, "", func(f filters) bool { return f.Limit == 1000 }},
		{"limit=99999999999999999999999", epObjects, 0, "", func(f filters) bool { return f.Limit == 1000 }},
		{"limit=0", epObjects, 400, "limit", nil},
		{"limit=-1", epObjects, 400, "limit", nil},
		{"limit=%2B5", epObjects, 400, "limit", nil},
		{"limit=", epObjects, 400, "limit", nil},
		{"limit=ten", epObjects, 400, "limit", nil},
		{"limit=1&limit=2", epObjects, 400, "limit", nil},
		{"added_after=2026-11-28T09:00:00.123456Z", epObjects, 0, "", func(f filters) bool {
			return f.AddedAfter.Equal(time.Date(2026, 11, 28, 9, 0, 0, 123456000, time.UTC))
		}},
		{"added_after=2026-11-28T09:00:00Z", epObjects, 0, "", func(f filters) bool { return f.AddedAfter.Equal(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)) }},
		{"added_after=2026-11-28T10:00:00.1234567%2B01:00", epObjects, 0, "", func(f filters) bool {
			return f.AddedAfter.Equal(time.Date(2026, 11, 28, 9, 0, 0, 123456000, time.UTC)) && f.AddedAfter.Location() == time.UTC
		}},
		{"added_after=yesterday", epObjects, 400, "added_after", nil},
		{"added_after=", epObjects, 400, "added_after", nil},
		{"added_after=2026-11-28T09:00:00Z&added_after=2026-11-28T09:00:00Z", epObjects, 400, "added_after", nil},
		{"next=abc", epObjects, 0, "", func(f filters) bool { return f.Next == "abc" }},
		{"next=" + strings.Repeat("a", maxCursorLength+1), epObjects, 400, "next", nil},
		{"next=a&next=b", epObjects, 400, "next", nil},
		{"match[id]=" + id1 + "," + id2, epObjects, 0, "", func(f filters) bool { return len(f.IDs) == 2 && f.IDs[1] == id2 }},
		{"match%5Bid%5D=" + id1, epObjects, 0, "", func(f filters) bool { return len(f.IDs) == 1 }},
		{"match[id]=indicator--x", epObjects, 400, "match[id]", nil},
		{"match[id]=" + id1 + "," + id1, epObjects, 400, "match[id]", nil},
		{"match[type]=indicator,malware", epObjects, 0, "", func(f filters) bool { return len(f.Types) == 2 }},
		{"match[type]=x-acme-widget", epObjects, 0, "", func(f filters) bool { return f.Types[0] == "x-acme-widget" }},
		{"match[type]=Indicator", epObjects, 400, "match[type]", nil},
		{"match[type]=indicator,,malware", epObjects, 400, "match[type]", nil},
		{"match[type]=indicator, malware", epObjects, 400, "match[type]", nil},
		{"match[type]=" + many, epObjects, 400, "match[type]", nil},
		{"match[type]=" + strings.Join(distinct, ","), epObjects, 400, "match[type]", nil},
		{"match[type]=indicator&match[type]=malware", epObjects, 400, "match[type]", nil},
		{"match[version]=last", epObjects, 0, "", func(f filters) bool { return f.Versions.Last && f.versionSet }},
		{"match[version]=first,last", epObjects, 0, "", func(f filters) bool { return f.Versions.First && f.Versions.Last && !f.Versions.All }},
		{"match[version]=all", epObjects, 0, "", func(f filters) bool { return f.Versions.All }},
		{"match[version]=first,2018-03-02T01:01:01.123Z,last", epObjects, 0, "", func(f filters) bool {
			return len(f.Versions.Exact) == 1 && f.Versions.Exact[0].Equal(time.Date(2018, 3, 2, 1, 1, 1, 123000000, time.UTC))
		}},
		{"match[version]=2016-03-23T01:01:01.000Z,2018-03-02T01:01:01.123Z", epObjects, 0, "", func(f filters) bool { return len(f.Versions.Exact) == 2 }},
		{"match[version]=all,first", epObjects, 400, "match[version]", nil},
		{"match[version]=last,last", epObjects, 400, "match[version]", nil},
		{"match[version]=2016-03-23T01:01:01.000Z,2016-03-23T01:01:01Z", epObjects, 400, "match[version]", nil},
		{"match[version]=2016-03-23T01:01:01%2B01:00", epObjects, 400, "match[version]", nil},
		{"match[version]=newest", epObjects, 400, "match[version]", nil},
		{"match[spec_version]=2.0,2.1", epObjects, 0, "", func(f filters) bool { return len(f.SpecVersions) == 2 }},
		{"match[spec_version]=two", epObjects, 400, "match[spec_version]", nil},
		{"match[colour]=red", epObjects, 0, "", func(f filters) bool { return f.IDs == nil && f.Types == nil }},
		{"match[colour]=red&match[colour]=blue", epObjects, 400, "match[colour]", nil},
		{"utm_source=x&utm_source=y", epObjects, 0, "", nil},
		// Parameters an endpoint does not define are ignored, not checked.
		{"match[type]=Not_A_Type", epObject, 0, "", func(f filters) bool { return f.Types == nil }},
		{"match[version]=bad", epVersions, 0, "", func(f filters) bool { return !f.versionSet }},
		{"limit=0&added_after=x&next=y", epDelete, 0, "", func(f filters) bool { return f.Next == "" }},
		{"match[version]=first", epDelete, 0, "", func(f filters) bool { return f.Versions.First }},
		{"a=%zz", epObjects, 400, "", nil},
		{"a=1;b=2", epObjects, 400, "", nil},
		{"match[type]=" + strings.Repeat("a", maxQueryLength), epObjects, 400, "", nil},
	} {
		f, err := parseFilters(c.query, c.ep, 1000)
		if got := status(err); got != c.want {
			t.Errorf("%s %.80s: status %d (%v), want %d", c.ep, c.query, got, err, c.want)
			continue
		}
		if err != nil {
			if te := err.(*apiError); c.param != "" && !strings.HasPrefix(te.Description, c.param+": ") {
				t.Errorf("%s %.80s: %q does not name %s", c.ep, c.query, te.Description, c.param)
			}
			continue
		}
		if c.check != nil && !c.check(f) {
			t.Errorf("%s %.80s: %+v", c.ep, c.query, f)
		}
	}
}

func TestQueryHash(t *testing.T) {
	parse := func(q string) filters {
		f, err := parseFilters(q, epObjects, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	base := queryHash(epObjects, "c1", "", parse("match[type]=indicator,malware&limit=5"))
	// The same query, paged otherwise or with values in another order.
	for _, q := range []string{"match[type]=malware,indicator", "match[type]=indicator,malware&limit=7", "match[type]=indicator,malware&next=x&utm=1"} {
		if queryHash(epObjects, "c1", "", parse(q)) != base {
			t.Errorf("%s: another hash", q)
		}
	}
	// Another query.
	for name, h := range map[string][32]byte{
		"endpoint":      queryHash(epManifest, "c1", "", parse("match[type]=indicator,malware")),
		"collection":    queryHash(epObjects, "c2", "", parse("match[type]=indicator,malware")),
		"object":        queryHash(epObjects, "c1", "indicator--x", parse("match[type]=indicator,malware")),
		"type":          queryHash(epObjects, "c1", "", parse("match[type]=indicator")),
		"added_after":   queryHash(epObjects, "c1", "", parse("match[type]=indicator,malware&added_after=2026-01-01T00:00:00Z")),
		"version":       queryHash(epObjects, "c1", "", parse("match[type]=indicator,malware&match[version]=all")),
		"last given":    queryHash(epObjects, "c1", "", parse("match[type]=indicator,malware&match[version]=last")),
		"exact version": queryHash(epObjects, "c1", "", parse("match[type]=indicator,malware&match[version]=2026-01-01T00:00:00Z")),
		"spec_version":  queryHash(epObjects, "c1", "", parse("match[type]=indicator,malware&match[spec_version]=2.1")),
		"id":            queryHash(epObjects, "c1", "", parse("match[type]=indicator,malware&match[id]=indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8")),
	} {
		if h == base {
			t.Errorf("another %s: the same hash", name)
		}
	}
}

func TestCursor(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	q := queryHash(epObjects, "c1", "", filters{})
	c := cursor{Seq: 4242, DateAdded: time.Date(2026, 11, 28, 8, 59, 0, 123456000, time.UTC), Expires: now.Add(cursorLifetime)}
	next := sealCursor(key, c, q, "peer:a")
	if len(next) > maxCursorLength || strings.ContainsAny(next, "+/=") {
		t.Fatalf("cursor %q: too long or not base64url", next)
	}
	got, err := openCursor(key, next, q, "peer:a", now.Add(time.Hour))
	if err != nil || got.Seq != c.Seq || !got.DateAdded.Equal(c.DateAdded) || !got.Expires.Equal(c.Expires) {
		t.Fatalf("open: %+v %v", got, err)
	}
	if _, err := openCursor(key, next, q, "peer:a", now.Add(cursorLifetime)); err != errCursorExpired {
		t.Errorf("expired: %v", err)
	}
	if _, err := openCursor([]byte("another key, another key, anoth."), next, q, "peer:a", now); err != errCursor {
		t.Errorf("another key: %v", err)
	}
	if _, err := openCursor(key, next, queryHash(epManifest, "c1", "", filters{}), "peer:a", now); err != errCursor {
		t.Errorf("another query: %v", err)
	}
	// Names are length-prefixed: "peer:a" + query ≠ "peer:" + "a"….
	if _, err := openCursor(key, next, q, "peer:b", now); err != errCursor {
		t.Errorf("another caller: %v", err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(next)
	for i := range raw {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		if _, err := openCursor(key, base64.RawURLEncoding.EncodeToString(b), q, "peer:a", now); err != errCursor {
			t.Errorf("byte %d altered: %v", i, err)
		}
	}
	for _, bad := range []string{"", "abc", "!!!!", next + "A", next[:len(next)-1], base64.RawURLEncoding.EncodeToString(make([]byte, cursorSize))} {
		if _, err := openCursor(key, bad, q, "peer:a", now); err != errCursor {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestAcceptsTAXII(t *testing.T) {
	for _, c := range []struct {
		accept []string
		want   bool
	}{
		{[]string{"application/taxii+json;version=2.1"}, true},
		{[]string{"application/taxii+json"}, true},
		{[]string{"application/taxii+json; version=2.1"}, true},
		{[]string{"Application/TAXII+JSON;version=2.1"}, true},
		{[]string{"application/taxii+json;version=2.1,application/stix+json;version=2.1"}, true},
		{[]string{"application/json, application/taxii+json;version=2.1;q=0.5"}, true},
		{[]string{"application/json", "application/taxii+json"}, true},
		{nil, false},
		{[]string{""}, false},
		{[]string{"*/*"}, false},
		{[]string{"application/*"}, false},
		{[]string{"application/json"}, false},
		{[]string{"application/stix+json;version=2.1"}, false},
		{[]string{"application/taxii+json;version=2.0"}, false},
		{[]string{"application/taxii+json;version=2.1;q=0"}, false},
		{[]string{"application/taxii+json;version=2.1;q=x"}, false},
	} {
		if got := acceptsTAXII(c.accept); got != c.want {
			t.Errorf("%q: %v", c.accept, got)
		}
	}
}

func TestTAXIIContentType(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/taxii+json;version=2.1":                 true,
		"application/taxii+json":                             true,
		"application/taxii+json; version=2.1; charset=utf-8": true,
		"application/taxii+json;version=2.0":                 false,
		"application/stix+json;version=2.1":                  false,
		"application/json":                                   false,
		"":                                                   false,
		"application/taxii+json;version":                     false,
	} {
		if got := taxiiContentType(ct); got != want {
			t.Errorf("%q: %v", ct, got)
		}
	}
}

func TestBasicOrBearer(t *testing.T) {
	for _, c := range []struct {
		header, user, secret string
		ok                   bool
	}{
		{"Basic " + base64.StdEncoding.EncodeToString([]byte("a:pw:with:colons")), "a", "pw:with:colons", true},
		{"basic " + base64.StdEncoding.EncodeToString([]byte("a:")), "a", "", true},
		{"Bearer tok-123", "", "tok-123", true},
		{"bearer   tok-123  ", "", "tok-123", true},
		{"Bearer ", "", "", false},
		{"Bearer a b", "", "", false},
		{"Basic !!!", "", "", false},
		{"Basic " + base64.StdEncoding.EncodeToString([]byte("no-colon")), "", "", false},
		{"Digest x", "", "", false},
		{"", "", "", false},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		if c.header != "" {
			r.Header.Set("Authorization", c.header)
		}
		u, s, ok := BasicOrBearer(r)
		if u != c.user || s != c.secret || ok != c.ok {
			t.Errorf("%q: %q %q %v", c.header, u, s, ok)
		}
	}
}

func TestParseEnvelope(t *testing.T) {
	for _, c := range []struct {
		body string
		want int // status; 0 if fine
		n    int
		says string
	}{
		{`{"objects":[{"a":1},{"b":2}]}`, 0, 2, ""},
		{` {"more":false,"objects":[{}]} `, 0, 1, ""},
		{`{"objects":[{}],"x_custom":1}`, 0, 1, ""},
		{`[{"objects":[]}]`, 400, 0, "not a JSON object"},
		{`"objects"`, 400, 0, "not a JSON object"},
		{``, 400, 0, "not a JSON object"},
		{`{"objects": [`, 400, 0, "malformed JSON"},
		{`{"objects":[{}],}`, 400, 0, "malformed JSON"},
		{`{}`, 400, 0, "no objects"},
		{`{"objects":null}`, 400, 0, "no objects"},
		{`{"objects":[]}`, 400, 0, "empty"},
		{`{"objects":{"a":1}}`, 400, 0, "not a list"},
		{`{"objects":"x"}`, 400, 0, "not a list"},
		{`{"type":"bundle","id":"bundle--6ba7b810-9dad-41d1-80b4-00c04fd430c8","objects":[{}]}`, 400, 0, "STIX bundle"},
		{`{"type":5,"objects":[{}]}`, 400, 0, ""},
		{`{"objects":[{},{},{},{}]}`, 413, 0, "at most 3"},
	} {
		objs, err := parseEnvelope([]byte(c.body), 3)
		if got := status(err); got != c.want || err == nil && len(objs) != c.n {
			t.Errorf("%s: %d objects, %v", c.body, len(objs), err)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v does not say %q", c.body, err, c.says)
		}
	}
}

func TestFailure(t *testing.T) {
	cause := errors.New("bad")
	for _, c := range []struct {
		raw         string
		o           stix.Object
		id, version string
	}{
		{`{}`, stix.Object{ID: "indicator--x", Version: "v"}, "indicator--x", "v"},
		{`{"id":"indicator--y","created":"c","modified":"m"}`, stix.Object{}, "indicator--y", "m"},
		{`{"id":"indicator--y","created":"c"}`, stix.Object{}, "indicator--y", "c"},
		{`{"id":5,"modified":7}`, stix.Object{}, "objects[3]", ""},
		{`"a string"`, stix.Object{}, "objects[3]", ""},
		{`{"id":"` + strings.Repeat("x", 400) + `","modified":"` + strings.Repeat("9", 100) + `"}`, stix.Object{}, "objects[3]", ""},
	} {
		d := failure(3, json.RawMessage(c.raw), c.o, cause)
		if d.ID != c.id || d.Version != c.version || d.Message != "bad" {
			t.Errorf("%.60s: %+v", c.raw, d)
		}
	}
}

func TestEnvelopeJSON(t *testing.T) {
	rows := []store.StixObject{{Body: json.RawMessage(`{"id":"a"}`)}, {Body: json.RawMessage("{\n \"id\": \"b\"\n}")}}
	for _, c := range []struct {
		pg   page
		want string
	}{
		{page{}, `{}`},
		{page{rows: rows[:1]}, `{"objects":[{"id":"a"}]}`},
		{page{rows: rows, more: true, next: "abc_-"}, `{"more":true,"next":"abc_-","objects":[{"id":"a"},{"id":"b"}]}`},
	} {
		b := envelopeJSON(c.pg)
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("%s: %v", b, err)
		}
		compact, _ := json.Marshal(v)
		var want any
		json.Unmarshal([]byte(c.want), &want)
		wantB, _ := json.Marshal(want)
		if string(compact) != string(wantB) {
			t.Errorf("got %s, want %s", b, c.want)
		}
	}
}

func TestServerDefaultsRefuseBadRoots(t *testing.T) {
	try := func(root string) (msg any) {
		defer func() { msg = recover() }()
		s := &Server{DB: &store.DB{}, Auth: authFunc(nil), Policy: nopPolicy{}, APIRoot: root}
		s.defaults()
		return nil
	}
	for _, root := range []string{"taxii2/x/", "/taxii2/x", "//x/", "/taxii2/", "/a/../b/", "/a//b/", "/{x}/"} {
		if msg := try(root); msg == nil || !strings.Contains(fmt.Sprint(msg), "APIRoot") {
			t.Errorf("APIRoot %q: %v", root, msg)
		}
	}
	for _, root := range []string{"", "/taxii2/nisnet/", "/org/trustgroup1/"} {
		if msg := try(root); msg != nil {
			t.Errorf("APIRoot %q: %v", root, msg)
		}
	}
}

// authFunc is an Authenticator for tests that only need one.
type authFunc func(r *http.Request) (Caller, bool)

func (f authFunc) Authenticate(r *http.Request) (Caller, bool) { return f(r) }

// nopPolicy allows nothing.
type nopPolicy struct{}

func (nopPolicy) CanRead(Caller, store.Collection) bool               { return false }
func (nopPolicy) CanWrite(Caller, store.Collection) bool              { return false }
func (nopPolicy) Accept(Caller, store.Collection, stix.Object) error  { return nil }
func (nopPolicy) Stored(Caller, store.Collection, []store.StixObject) {}
