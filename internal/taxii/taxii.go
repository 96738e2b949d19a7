// Package taxii is nisnet's TAXII 2.1 server (OASIS Standard, 10 June
// 2021): discovery, one API root, collections, objects (GET, POST, DELETE),
// object versions, manifests and status resources, over the store's
// collections and object versions.
//
// Who may do what is the Authenticator's and the Policy's business; the
// server enforces it on every request and page. Choices where the
// specification leaves one:
//   - every endpoint, discovery included, needs authentication;
//   - collections a caller can neither read nor write answer 404 and are not
//     listed;
//   - a path without its trailing slash answers 404 with an error saying so;
//   - next is an opaque cursor, MAC'd and bound to the query and the caller,
//     valid 24 hours;
//   - POST stores synchronously: the status is complete when answered, and
//     kept until the node deletes it (7 days);
//   - objects other peers must not get (their own, TLP:RED) are left out of
//     every answer to a peer.
package taxii

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// MediaType is the TAXII 2.1 media type.
const MediaType = "application/taxii+json;version=2.1"

// stixMediaType is the media type of the objects in every collection.
const stixMediaType = "application/stix+json;version=2.1"

// timeLayout is how TAXII timestamps are written: microseconds, UTC.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Caller is who is calling.
type Caller struct {
	Peer     string // the peer's name; "" for a local caller
	Identity string // the peer's STIX identity
	Name     string // for status resources and cursors
}

// Authenticator authenticates a request; ok=false answers 401.
type Authenticator interface {
	Authenticate(r *http.Request) (c Caller, ok bool)
}

// Policy decides what a caller may do.
type Policy interface {
	CanRead(c Caller, col store.Collection) bool
	CanWrite(c Caller, col store.Collection) bool
	// Accept decides on one received object after validation; the error
	// is the failure's message in the status.
	Accept(c Caller, col store.Collection, o stix.Object) error
	// Stored is called after a POST committed.
	Stored(c Caller, col store.Collection, added []store.StixObject)
}

// BasicOrBearer returns the credentials of an Authorization header: HTTP
// Basic (user, password) or Bearer ("", token).
func BasicOrBearer(r *http.Request) (user, secret string, ok bool) {
	if u, p, ok := r.BasicAuth(); ok {
		return u, p, true
	}
	scheme, cred, found := strings.Cut(r.Header.Get("Authorization"), " ")
	if found && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(cred) != "" {
		return "", strings.TrimSpace(cred), true
	}
	return "", "", false
}

// Server serves TAXII 2.1.
type Server struct {
	DB                          *store.DB
	Title, Description, Contact string
	APIRoot                     string // e.g. "/taxii2/nisnet/"
	MaxContentLength            int64  // default 10 MiB
	PageSize                    int    // default 1000
	MaxObjects                  int    // per POST, default 10000
	Auth                        Authenticator
	Policy                      Policy
	Validate                    func(json.RawMessage) (stix.Object, error)
	Log                         *slog.Logger
	Now                         func() time.Time

	keyMu sync.Mutex
	key   []byte // the cursor MAC key, read once from the store
}

// Error is a TAXII error resource.
type Error struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	HTTPStatus  string `json:"http_status"`
	status      int
}

func (e *Error) Error() string { return e.Title }

func fail(status int, title, desc string) *Error {
	return &Error{Title: title, Description: desc, HTTPStatus: strconv.Itoa(status), status: status}
}

func (s *Server) defaults() {
	if s.MaxContentLength <= 0 {
		s.MaxContentLength = 10 << 20
	}
	if s.PageSize <= 0 || s.PageSize > store.MaxObjectLimit {
		s.PageSize = store.MaxObjectLimit
	}
	if s.MaxObjects <= 0 {
		s.MaxObjects = 10000
	}
	if s.Validate == nil {
		s.Validate = stix.Parse
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.APIRoot == "" {
		s.APIRoot = "/taxii2/api/"
	}
}

type handler func(w http.ResponseWriter, r *http.Request, c Caller) error

// Handler serves discovery and the API root.
func (s *Server) Handler() http.Handler {
	s.defaults()
	mux := http.NewServeMux()
	root := s.APIRoot
	route := func(pattern string, h handler) { mux.Handle(pattern, s.wrap(h)) }
	route("GET /taxii2/{$}", s.discovery)
	route("GET "+root+"{$}", s.apiRoot)
	route("GET "+root+"status/{sid}/{$}", s.status)
	route("GET "+root+"collections/{$}", s.collections)
	route("GET "+root+"collections/{id}/{$}", s.collection)
	route("GET "+root+"collections/{id}/manifest/{$}", s.manifest)
	route("GET "+root+"collections/{id}/objects/{$}", s.getObjects)
	route("POST "+root+"collections/{id}/objects/{$}", s.postObjects)
	route("GET "+root+"collections/{id}/objects/{oid}/{$}", s.getObject)
	route("DELETE "+root+"collections/{id}/objects/{oid}/{$}", s.deleteObject)
	route("GET "+root+"collections/{id}/objects/{oid}/versions/{$}", s.versions)
	mux.Handle("/", s.wrap(func(w http.ResponseWriter, r *http.Request, c Caller) error {
		if !strings.HasSuffix(r.URL.Path, "/") {
			return fail(404, "Not found", "TAXII paths end in /")
		}
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			if _, pattern := mux.Handler(withMethod(r, m)); pattern != "/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return fail(405, "Method not allowed", r.Method+" is not allowed on "+r.URL.Path+"; use "+strings.Join(allow, " or "))
		}
		return fail(404, "Not found", "no TAXII resource at "+r.URL.Path)
	}))
	noSlash := s.wrap(func(http.ResponseWriter, *http.Request, Caller) error {
		return fail(404, "Not found", "TAXII paths end in /")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/") {
			noSlash.ServeHTTP(w, r) // rather than ServeMux's redirect
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func withMethod(r *http.Request, m string) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Method = m
	return r2
}

func (s *Server) wrap(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := s.serve(w, r, h)
		if err == nil {
			return
		}
		var te *Error
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &te):
		case errors.As(err, &mbe):
			te = fail(413, "Request too large", fmt.Sprintf("the body is larger than max_content_length (%d bytes)", s.MaxContentLength))
		case errors.Is(err, store.ErrNotFound):
			te = fail(404, "Not found", "")
		case errors.Is(err, store.ErrInvalid):
			te = fail(400, "Bad request", err.Error())
		default:
			s.Log.Error("taxii: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
			te = fail(500, "Internal error", "it has been logged")
		}
		if te.status == 401 {
			w.Header().Set("WWW-Authenticate", `Basic realm="nisnet"`)
		}
		writeJSON(w, te.status, te)
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, h handler) error {
	c, ok := s.Auth.Authenticate(r)
	if !ok {
		return fail(401, "Unauthorized", "send HTTP Basic credentials or a bearer token")
	}
	if !acceptsTAXII(r.Header.Get("Accept")) {
		return fail(406, "Not acceptable", "Accept must include "+MediaType)
	}
	if len(r.URL.RawQuery) > 16<<10 {
		return fail(400, "Bad request", "query string longer than 16 KiB")
	}
	return h(w, r, c)
}

func acceptsTAXII(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && mt == "application/taxii+json" && (params["version"] == "" || params["version"] == "2.1") {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"title":"Internal error","http_status":"500"}`)
	}
	w.Header().Set("Content-Type", MediaType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request, c Caller) error {
	writeJSON(w, 200, struct {
		Title       string   `json:"title"`
		Description string   `json:"description,omitempty"`
		Contact     string   `json:"contact,omitempty"`
		Default     string   `json:"default,omitempty"`
		APIRoots    []string `json:"api_roots,omitempty"`
	}{s.Title, s.Description, s.Contact, s.APIRoot, []string{s.APIRoot}})
	return nil
}

func (s *Server) apiRoot(w http.ResponseWriter, r *http.Request, c Caller) error {
	writeJSON(w, 200, struct {
		Title            string   `json:"title"`
		Description      string   `json:"description,omitempty"`
		Versions         []string `json:"versions"`
		MaxContentLength int64    `json:"max_content_length"`
	}{s.Title, s.Description, []string{MediaType}, s.MaxContentLength})
	return nil
}

type collectionResource struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types"`
}

func (s *Server) resource(c Caller, col store.Collection) (collectionResource, bool) {
	cr, cw := s.Policy.CanRead(c, col), s.Policy.CanWrite(c, col)
	return collectionResource{ID: col.ID, Title: col.Title, Description: col.Description, Alias: col.Alias,
		CanRead: cr, CanWrite: cw, MediaTypes: []string{stixMediaType}}, cr || cw
}

func (s *Server) collections(w http.ResponseWriter, r *http.Request, c Caller) error {
	cols, err := s.DB.ListCollections(r.Context())
	if err != nil {
		return err
	}
	var out []collectionResource
	for _, col := range cols {
		if res, ok := s.resource(c, col); ok {
			out = append(out, res)
		}
	}
	if len(out) == 0 {
		writeJSON(w, 200, struct{}{})
		return nil
	}
	writeJSON(w, 200, map[string]any{"collections": out})
	return nil
}

// visible returns the collection in the path, 404 if the caller may not
// see it.
func (s *Server) visible(r *http.Request, c Caller) (store.Collection, collectionResource, error) {
	col, err := s.DB.GetCollection(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return col, collectionResource{}, fail(404, "Collection not found", "")
	}
	if err != nil {
		return col, collectionResource{}, err
	}
	res, ok := s.resource(c, col)
	if !ok {
		return col, res, fail(404, "Collection not found", "")
	}
	return col, res, nil
}

func (s *Server) collection(w http.ResponseWriter, r *http.Request, c Caller) error {
	_, res, err := s.visible(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, 200, res)
	return nil
}

func (s *Server) readable(r *http.Request, c Caller) (store.Collection, error) {
	col, res, err := s.visible(r, c)
	if err == nil && !res.CanRead {
		err = fail(403, "Forbidden", "this collection is not readable for you")
	}
	return col, err
}

// query is a parsed objects/manifest/versions request.
type query struct {
	q     store.ObjectQuery
	limit int
	key   string // normalized, for the cursor
}

var allowedParams = map[string][]string{
	"objects":  {"added_after", "limit", "next", "match[id]", "match[type]", "match[version]", "match[spec_version]"},
	"manifest": {"added_after", "limit", "next", "match[id]", "match[type]", "match[version]", "match[spec_version]"},
	"object":   {"added_after", "limit", "next", "match[version]", "match[spec_version]"},
	"versions": {"added_after", "limit", "next", "match[spec_version]"},
	"delete":   {"match[version]", "match[spec_version]"},
}

func (s *Server) parseQuery(r *http.Request, c Caller, col store.Collection, endpoint string) (query, error) {
	vals := r.URL.Query()
	qq := query{limit: s.PageSize}
	q := &qq.q
	q.CollectionID = col.ID
	if c.Peer != "" {
		q.ExcludeOrigin, q.ExcludeCreatedBy, q.ExcludeTLP = c.Peer, c.Identity, []string{"TLP:RED"}
	}
	var keyParts []string
	for name, vs := range vals {
		if !strings.HasPrefix(name, "match[") && !slices.Contains(allowedParams[endpoint], name) {
			continue // unknown parameters are ignored
		}
		if len(vs) != 1 {
			return qq, fail(400, "Bad request", name+": give it at most once")
		}
		if strings.HasPrefix(name, "match[") && !slices.Contains(allowedParams[endpoint], name) {
			continue // unknown match fields may be ignored
		}
		v := vs[0]
		if name != "next" && name != "limit" {
			keyParts = append(keyParts, name+"="+v)
		}
		list := strings.Split(v, ",")
		if len(list) > 100 {
			return qq, fail(400, "Bad request", name+": at most 100 values")
		}
		switch name {
		case "added_after":
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return qq, fail(400, "Bad request", "added_after: want a timestamp such as 2026-11-28T09:00:00.000000Z")
			}
			q.AddedAfter = t
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return qq, fail(400, "Bad request", "limit: want a positive integer")
			}
			qq.limit = min(n, s.PageSize)
		case "next":
		case "match[id]":
			for _, id := range list {
				if stix.CheckID(id, "") != nil {
					return qq, fail(400, "Bad request", "match[id]: "+id+" is not a STIX id")
				}
			}
			q.IDs = list
		case "match[type]":
			for _, t := range list {
				if !stix.ValidType(t) {
					return qq, fail(400, "Bad request", "match[type]: "+t+" is not a STIX type")
				}
			}
			q.Types = list
		case "match[version]":
			seen := map[string]bool{}
			for _, x := range list {
				if seen[x] {
					return qq, fail(400, "Bad request", "match[version]: "+x+" given twice")
				}
				seen[x] = true
				switch x {
				case "all":
					q.Versions.All = true
				case "first":
					q.Versions.First = true
				case "last":
					q.Versions.Last = true
				default:
					t, err := stix.ParseTimestamp(x)
					if err != nil {
						return qq, fail(400, "Bad request", "match[version]: want last, first, all or timestamps")
					}
					q.Versions.Exact = append(q.Versions.Exact, t)
				}
			}
			if q.Versions.All && len(list) > 1 {
				return qq, fail(400, "Bad request", "match[version]: all cannot be combined")
			}
		case "match[spec_version]":
			for _, sv := range list {
				if sv != "2.0" && sv != "2.1" {
					return qq, fail(400, "Bad request", "match[spec_version]: want 2.0 or 2.1")
				}
			}
			q.SpecVersions = list
		}
	}
	if oid := r.PathValue("oid"); oid != "" {
		if stix.CheckID(oid, "") != nil {
			return qq, fail(404, "Object not found", "")
		}
		q.IDs = []string{oid}
		keyParts = append(keyParts, "oid="+oid)
	}
	if endpoint == "versions" {
		q.Versions = store.VersionMatch{All: true}
	}
	slices.Sort(keyParts)
	qq.key = endpoint + "|" + col.ID + "|" + c.Name + "|" + strings.Join(keyParts, "&")
	q.Limit = qq.limit
	if n := vals.Get("next"); n != "" && slices.Contains(allowedParams[endpoint], "next") {
		seq, err := s.openCursor(r.Context(), n, qq.key)
		if err != nil {
			return qq, err
		}
		q.AfterSeq = seq
	}
	return qq, nil
}

const cursorLifetime = 24 * time.Hour

func (s *Server) cursorKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key == nil {
		k, err := s.DB.NodeKey(ctx, "taxii-cursor", 32)
		if err != nil {
			return nil, err
		}
		s.key = k
	}
	return s.key, nil
}

func (s *Server) makeCursor(ctx context.Context, seq int64, key string) (string, error) {
	k, err := s.cursorKey(ctx)
	if err != nil {
		return "", err
	}
	b := make([]byte, 16, 48)
	binary.BigEndian.PutUint64(b, uint64(seq))
	binary.BigEndian.PutUint64(b[8:], uint64(s.Now().Add(cursorLifetime).Unix()))
	m := hmac.New(sha256.New, k)
	m.Write(b)
	m.Write([]byte(key))
	return base64.RawURLEncoding.EncodeToString(m.Sum(b)), nil
}

func (s *Server) openCursor(ctx context.Context, c, key string) (int64, error) {
	bad := fail(400, "Bad request", "next: not a cursor of this query for this caller, or expired")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) != 48 {
		return 0, bad
	}
	k, err := s.cursorKey(ctx)
	if err != nil {
		return 0, err
	}
	m := hmac.New(sha256.New, k)
	m.Write(b[:16])
	m.Write([]byte(key))
	if !hmac.Equal(m.Sum(nil), b[16:]) || time.Unix(int64(binary.BigEndian.Uint64(b[8:16])), 0).Before(s.Now()) {
		return 0, bad
	}
	return int64(binary.BigEndian.Uint64(b[:8])), nil
}

// page runs a query and sets the X-TAXII headers.
func (s *Server) page(w http.ResponseWriter, r *http.Request, qq query) ([]store.StixObject, bool, string, error) {
	rows, more, err := s.DB.QueryObjects(r.Context(), qq.q)
	if err != nil {
		return nil, false, "", err
	}
	next := ""
	if len(rows) > 0 {
		w.Header().Set("X-TAXII-Date-Added-First", rows[0].DateAdded.UTC().Format(timeLayout))
		w.Header().Set("X-TAXII-Date-Added-Last", rows[len(rows)-1].DateAdded.UTC().Format(timeLayout))
		if more {
			if next, err = s.makeCursor(r.Context(), rows[len(rows)-1].Seq, qq.key); err != nil {
				return nil, false, "", err
			}
		}
	}
	return rows, more, next, nil
}

type envelope struct {
	More    bool              `json:"more,omitempty"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects,omitempty"`
}

func (s *Server) objectsPage(w http.ResponseWriter, r *http.Request, c Caller, endpoint string, notFoundIfEmpty bool) error {
	col, err := s.readable(r, c)
	if err != nil {
		return err
	}
	qq, err := s.parseQuery(r, c, col, endpoint)
	if err != nil {
		return err
	}
	rows, more, next, err := s.page(w, r, qq)
	if err != nil {
		return err
	}
	if notFoundIfEmpty && len(rows) == 0 && qq.q.AfterSeq == 0 {
		return fail(404, "Object not found", "")
	}
	env := envelope{More: more, Next: next}
	for _, o := range rows {
		env.Objects = append(env.Objects, o.Body)
	}
	writeJSON(w, 200, env)
	return nil
}

func (s *Server) getObjects(w http.ResponseWriter, r *http.Request, c Caller) error {
	return s.objectsPage(w, r, c, "objects", false)
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request, c Caller) error {
	return s.objectsPage(w, r, c, "object", true)
}

func (s *Server) manifest(w http.ResponseWriter, r *http.Request, c Caller) error {
	col, err := s.readable(r, c)
	if err != nil {
		return err
	}
	qq, err := s.parseQuery(r, c, col, "manifest")
	if err != nil {
		return err
	}
	rows, more, next, err := s.page(w, r, qq)
	if err != nil {
		return err
	}
	type record struct {
		ID        string `json:"id"`
		DateAdded string `json:"date_added"`
		Version   string `json:"version"`
		MediaType string `json:"media_type"`
	}
	var recs []record
	for _, o := range rows {
		recs = append(recs, record{o.StixID, o.DateAdded.UTC().Format(timeLayout), versionOf(o), stixMediaType})
	}
	writeJSON(w, 200, struct {
		More    bool     `json:"more,omitempty"`
		Next    string   `json:"next,omitempty"`
		Objects []record `json:"objects,omitempty"`
	}{more, next, recs})
	return nil
}

func versionOf(o store.StixObject) string {
	if o.Version != "" {
		return o.Version
	}
	return o.VersionAt.UTC().Format(timeLayout)
}

func (s *Server) versions(w http.ResponseWriter, r *http.Request, c Caller) error {
	col, err := s.readable(r, c)
	if err != nil {
		return err
	}
	qq, err := s.parseQuery(r, c, col, "versions")
	if err != nil {
		return err
	}
	rows, more, next, err := s.page(w, r, qq)
	if err != nil {
		return err
	}
	if len(rows) == 0 && qq.q.AfterSeq == 0 {
		return fail(404, "Object not found", "")
	}
	var vs []string
	for _, o := range rows {
		vs = append(vs, versionOf(o))
	}
	writeJSON(w, 200, struct {
		More     bool     `json:"more,omitempty"`
		Next     string   `json:"next,omitempty"`
		Versions []string `json:"versions,omitempty"`
	}{more, next, vs})
	return nil
}

func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request, c Caller) error {
	col, res, err := s.visible(r, c)
	if err != nil {
		return err
	}
	if !res.CanRead || !res.CanWrite {
		return fail(403, "Forbidden", "deleting needs read and write access to the collection")
	}
	qq, err := s.parseQuery(r, c, col, "delete")
	if err != nil {
		return err
	}
	v := qq.q.Versions
	if r.URL.Query().Get("match[version]") == "" {
		v = store.VersionMatch{All: true}
	}
	if c.Peer != "" {
		// A peer deletes nothing it could not read: a version it may not
		// get (TLP:RED) answers 404 when no version is visible, else 403.
		q := qq.q
		q.Versions, q.Limit, q.AfterSeq = v, store.MaxObjectLimit, 0
		q.ExcludeOrigin, q.ExcludeCreatedBy, q.ExcludeTLP = "", "", nil
		all, _, err := s.DB.QueryObjects(r.Context(), q)
		if err != nil {
			return err
		}
		hidden := 0
		for _, o := range all {
			if slices.Contains(qq.q.ExcludeTLP, o.TLP) {
				hidden++
			}
		}
		switch {
		case hidden > 0 && hidden == len(all):
			return fail(404, "Object not found", "")
		case hidden > 0:
			return fail(403, "Forbidden", "some of the matching versions are not shared with you")
		}
	}
	n, err := s.DB.DeleteObjects(r.Context(), col.ID, r.PathValue("oid"), v, qq.q.SpecVersions)
	if err != nil {
		return err
	}
	if n == 0 {
		return fail(404, "Object not found", "")
	}
	writeJSON(w, 200, struct{}{})
	return nil
}

// statusDetail is one object in a status resource.
type statusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

type statusResource struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"`
	RequestTimestamp string         `json:"request_timestamp,omitempty"`
	TotalCount       int            `json:"total_count"`
	SuccessCount     int            `json:"success_count"`
	FailureCount     int            `json:"failure_count"`
	PendingCount     int            `json:"pending_count"`
	Successes        []statusDetail `json:"successes,omitempty"`
	Failures         []statusDetail `json:"failures,omitempty"`
	Pendings         []statusDetail `json:"pendings,omitempty"`
}

func (s *Server) postObjects(w http.ResponseWriter, r *http.Request, c Caller) error {
	col, res, err := s.visible(r, c)
	if err != nil {
		return err
	}
	if !res.CanWrite {
		return fail(403, "Forbidden", "this collection is not writable for you")
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/taxii+json" || (params["version"] != "" && params["version"] != "2.1") {
		return fail(415, "Unsupported media type", "send the envelope as "+MediaType)
	}
	if r.ContentLength > s.MaxContentLength {
		return fail(413, "Request too large", fmt.Sprintf("the body is larger than max_content_length (%d bytes)", s.MaxContentLength))
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.MaxContentLength)); err != nil {
		return err
	}
	var env struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(buf.Bytes(), &env); err != nil {
		return fail(400, "Bad request", "the body is not a TAXII envelope: "+strings.TrimPrefix(err.Error(), "json: "))
	}
	if env.Type == "bundle" {
		return fail(400, "Bad request", "TAXII 2.1 takes an envelope ({\"objects\": […]}), not a STIX bundle")
	}
	if len(env.Objects) == 0 {
		return fail(400, "Bad request", "the envelope has no objects")
	}
	if len(env.Objects) > s.MaxObjects {
		return fail(413, "Request too large", fmt.Sprintf("at most %d objects per envelope", s.MaxObjects))
	}
	now := s.Now()
	st := statusResource{ID: stix.NewUUID(), Status: "complete", RequestTimestamp: now.UTC().Format(timeLayout), TotalCount: len(env.Objects)}
	var rows []store.StixObject
	for i, raw := range env.Objects {
		o, err := s.Validate(raw)
		if err == nil {
			if o.SpecVersion != "" && o.SpecVersion != stix.SpecVersion {
				err = errors.New("only STIX 2.1 objects are accepted")
			} else {
				err = s.Policy.Accept(c, col, o)
			}
		}
		if err != nil {
			id, version := o.ID, o.Version
			if id == "" {
				var p struct {
					ID       string `json:"id"`
					Modified string `json:"modified"`
					Created  string `json:"created"`
				}
				_ = json.Unmarshal(raw, &p)
				id, version = p.ID, p.Modified
				if version == "" {
					version = p.Created
				}
			}
			if id == "" {
				id = fmt.Sprintf("objects[%d]", i)
			}
			st.Failures = append(st.Failures, statusDetail{ID: id, Version: version, Message: err.Error()})
			continue
		}
		tlp, _ := stix.TLPOf(o.ObjectMarkingRefs)
		if o.Type == "marking-definition" {
			tlp = ""
		}
		sv := o.SpecVersion
		if sv == "" {
			sv = stix.SpecVersion
		}
		rows = append(rows, store.StixObject{StixID: o.ID, Type: o.Type, SpecVersion: sv, Version: o.Version, VersionAt: o.VersionAt(),
			TLP: string(tlp), Revoked: o.Revoked, Origin: c.Peer, CreatedByRef: o.CreatedByRef, Body: o.Raw})
	}
	var added []store.StixObject
	err = s.DB.Transact(r.Context(), func(tx *store.Tx) error {
		added = nil
		st.Successes = nil
		if len(rows) > 0 {
			res, err := tx.AddObjects(r.Context(), col.ID, rows)
			if err != nil {
				return err
			}
			for _, a := range res {
				st.Successes = append(st.Successes, statusDetail{ID: a.Object.StixID, Version: versionOf(a.Object)})
				if !a.Duplicate {
					added = append(added, a.Object)
				}
			}
		}
		st.SuccessCount, st.FailureCount = len(st.Successes), len(st.Failures)
		details, _ := json.Marshal(map[string]any{"successes": st.Successes, "failures": st.Failures})
		return tx.SaveStatus(r.Context(), store.TaxiiStatus{ID: st.ID, CollectionID: col.ID, Caller: c.Name, RequestTimestamp: now,
			Total: st.TotalCount, Success: st.SuccessCount, Failure: st.FailureCount, Details: details})
	})
	if err != nil {
		return err
	}
	s.Policy.Stored(c, col, added)
	writeJSON(w, 202, st)
	return nil
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, c Caller) error {
	st, err := s.DB.GetStatus(r.Context(), r.PathValue("sid"))
	if err != nil || st.Caller != c.Name {
		if err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			return fail(404, "Status not found", "")
		}
		return err
	}
	res := statusResource{ID: st.ID, Status: "complete", RequestTimestamp: st.RequestTimestamp.UTC().Format(timeLayout),
		TotalCount: st.Total, SuccessCount: st.Success, FailureCount: st.Failure, PendingCount: st.Pending}
	var d struct {
		Successes []statusDetail `json:"successes"`
		Failures  []statusDetail `json:"failures"`
	}
	_ = json.Unmarshal(st.Details, &d)
	res.Successes, res.Failures = d.Successes, d.Failures
	if st.Pending > 0 {
		res.Status = "pending"
	}
	writeJSON(w, 200, res)
	return nil
}
