// Package taxii is nisnet's TAXII 2.1 server (OASIS Standard, 10 June
// 2021; §3, §4, §5 and the mandatory features of §8.2): discovery, one API
// root, its status resources, collections, manifests, objects (GET, POST),
// one object (GET, DELETE) and its versions, stored in the store's
// collections and object versions.
//
// Who the caller is belongs to an Authenticator, what it may do to a
// Policy; the server asks them on every request, and on every page of a
// paged answer. Peers (Caller.Peer set) are never served what came from
// them, what their identity created, nor anything TLP:RED.
//
// Choices where the specification leaves one:
//
//   - Every endpoint, discovery included, needs authentication: 401 with
//     WWW-Authenticate: Basic realm="nisnet" without it.
//   - Requests need a TAXII media range in Accept
//     (application/taxii+json, with version=2.1 or without version);
//     anything else, */* included, is 406. POST bodies need Content-Type
//     application/taxii+json (version 2.1 or none), else 415.
//   - A collection the caller can neither read nor write does not exist
//     for it: 404, and not listed. can_read false is 403 on the read
//     endpoints, can_write false 403 on POST; DELETE needs both (403 if
//     one is missing).
//   - A path without its trailing slash is 404, with an error saying that
//     TAXII paths end in /, rather than a redirect; an unknown path is 404
//     and a known path with another method 405 (with Allow), both with the
//     TAXII error resource.
//   - next is an opaque cursor: the last row's sequence number, MAC'd
//     (HMAC-SHA256, the node key "taxii-cursor") with the query (endpoint,
//     collection, object, filters but next and limit) and the caller, valid
//     24 hours. Another query, another caller, an altered or an expired
//     cursor is 400. Manifests and versions carry next too.
//   - X-TAXII-Date-Added-First and -Last are on every 200 of manifest,
//     objects, object and versions: the first and last date_added of the
//     page, or, for an empty page, the point it started after (the cursor's
//     date_added, else added_after, else 1970-01-01T00:00:00.000000Z), so
//     that the Last header is always a valid added_after to continue from.
//   - GET of an object (or its versions) is 404 when no version of it is
//     visible to the caller, and an empty envelope when versions exist but
//     the filters select none.
//   - match[spec_version] defaults to every spec version: only STIX 2.1 is
//     stored. Parameters an endpoint does not define are ignored, like
//     unknown match fields; a TAXII parameter given twice is 400.
//   - A peer's DELETE removes only versions it could read; a selection
//     without such versions is 404.
//   - POST stores synchronously in one transaction: the answer is 202 with
//     a complete status resource; invalid or refused objects are failures
//     in it with the reason, even when every object failed. Objects of a
//     spec version other than 2.1 are such failures, not a 422: one
//     envelope may mix versions, and the status says which failed and
//     why. 422 is never answered.
//   - Status resources are visible to the caller that posted only, for
//     StatusLifetime (7 days).
package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// MediaType is the TAXII 2.1 media type, as every response carries it.
const MediaType = "application/taxii+json;version=2.1"

// stixMediaType is the media type of the objects in every collection.
const stixMediaType = "application/stix+json;version=2.1"

// timeLayout is how TAXII timestamps are written: microseconds, UTC.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Defaults of the Server's limits.
const (
	DefaultMaxContentLength = 10 << 20
	DefaultPageSize         = store.MaxObjectLimit
	DefaultMaxObjects       = 10000
	DefaultStatusLifetime   = 7 * 24 * time.Hour
	cursorLifetime          = 24 * time.Hour
)

// Caller is who is calling, as the Authenticator found.
type Caller struct {
	Peer     string // the peer's name when a peer is calling; "" for a local principal
	Identity string // the peer's STIX identity id (objects it created are not served back to it)
	Name     string // for status resources and cursors: "peer:<name>" or a user or token id
}

// Authenticator authenticates requests.
type Authenticator interface {
	// Authenticate returns the caller; ok=false means no or wrong
	// credentials (the server answers 401 with WWW-Authenticate: Basic).
	Authenticate(r *http.Request) (c Caller, ok bool)
}

// Policy decides what a caller may do with a collection and what it may
// add to it.
type Policy interface {
	CanRead(c Caller, col store.Collection) bool
	CanWrite(c Caller, col store.Collection) bool
	// Accept decides on one received object after validation; an error is
	// the failure message in the status resource.
	Accept(c Caller, col store.Collection, o stix.Object) error
	// Stored is called after a POST committed (e.g. to wake workers),
	// with the versions it added (not those already there).
	Stored(c Caller, col store.Collection, added []store.StixObject)
}

// BasicOrBearer returns the credentials of a request's Authorization
// header, for Authenticator implementations: HTTP Basic (RFC 7617) gives
// the user and password, Bearer (RFC 6750) "" and the token. ok is false
// without either.
func BasicOrBearer(r *http.Request) (user, secret string, ok bool) {
	if u, p, ok := r.BasicAuth(); ok {
		return u, p, true
	}
	scheme, cred, found := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	cred = strings.TrimSpace(cred)
	if found && strings.EqualFold(scheme, "Bearer") && cred != "" && !strings.ContainsAny(cred, " \t") {
		return "", cred, true
	}
	return "", "", false
}

// Server is a TAXII 2.1 server with one API root. Set its fields, then
// call Handler once; do not change them afterwards.
type Server struct {
	DB                          *store.DB
	Title, Description, Contact string
	// APIRoot is the path of the single API root, e.g. "/taxii2/nisnet/"
	// (discovery lists it as a relative URL). It starts and ends with /.
	APIRoot string
	// MaxContentLength is the API root's max_content_length: bodies above
	// it get 413 (default 10 MiB).
	MaxContentLength int64
	// PageSize caps the objects per page (default and at most 1000); a
	// client's limit is honoured below it.
	PageSize int
	// MaxObjects caps the objects of one posted envelope (default 10000);
	// more is 413.
	MaxObjects int
	// StatusLifetime is how long a status resource can be read (default
	// 7 days); the node deletes older ones (store.DeleteStatusesBefore).
	StatusLifetime time.Duration
	Auth           Authenticator
	Policy         Policy
	// Validate checks one received object (the stix.Validator, wired by
	// the caller); nil: stix.Parse only.
	Validate func(json.RawMessage) (stix.Object, error)
	Log      *slog.Logger
	Now      func() time.Time // default time.Now

	keyMu sync.Mutex
	key   []byte // the cursor key, read once
}

// defaults fills in the zero fields and checks the others.
func (s *Server) defaults() {
	if s.DB == nil || s.Auth == nil || s.Policy == nil {
		panic("taxii: Server needs DB, Auth and Policy")
	}
	if s.APIRoot == "" {
		s.APIRoot = "/taxii2/api/"
	}
	if !strings.HasPrefix(s.APIRoot, "/") || !strings.HasSuffix(s.APIRoot, "/") || strings.HasPrefix(s.APIRoot, "//") ||
		path.Clean(s.APIRoot)+"/" != s.APIRoot || s.APIRoot == "/taxii2/" || strings.ContainsAny(s.APIRoot, "?#{}") {
		panic("taxii: APIRoot " + strconv.Quote(s.APIRoot) + ": want a clean path such as /taxii2/nisnet/, other than /taxii2/")
	}
	if s.Title == "" {
		s.Title = "TAXII 2.1"
	}
	if s.MaxContentLength <= 0 {
		s.MaxContentLength = DefaultMaxContentLength
	}
	if s.PageSize <= 0 || s.PageSize > store.MaxObjectLimit {
		s.PageSize = DefaultPageSize
	}
	if s.MaxObjects <= 0 {
		s.MaxObjects = DefaultMaxObjects
	}
	if s.StatusLifetime <= 0 {
		s.StatusLifetime = DefaultStatusLifetime
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
}

// handler serves one endpoint for an authenticated caller; an error is
// answered with the TAXII error resource.
type handler func(w http.ResponseWriter, r *http.Request, c Caller) error

// Handler returns the server's HTTP handler: GET /taxii2/ (discovery) and
// everything under APIRoot. Mount it at /taxii2/ (and at the API root if
// that is not under /taxii2/), or at /. It panics if DB, Auth or Policy is
// missing or APIRoot is not a clean path ending in /.
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
	// Whatever the patterns above do not take: 405 if the path is known
	// with other methods, else 404 — as TAXII errors, not ServeMux's text.
	unmatched := s.wrap(func(w http.ResponseWriter, r *http.Request, c Caller) error {
		if allow := allowed(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			return fail(405, "Method not allowed", r.Method+" is not allowed on this path; use "+allow)
		}
		return fail(404, "Not found", "no TAXII endpoint at "+r.URL.Path)
	})
	mux.Handle("/", unmatched)
	noSlash := s.wrap(func(http.ResponseWriter, *http.Request, Caller) error {
		return fail(404, "Not found", "TAXII paths end in /")
	})
	notClean := s.wrap(func(w http.ResponseWriter, r *http.Request, c Caller) error {
		return fail(404, "Not found", "no TAXII endpoint at "+r.URL.Path+" (the path has empty, . or .. segments)")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case !strings.HasSuffix(p, "/"):
			noSlash.ServeHTTP(w, r) // rather than ServeMux's redirect
		case p != "/" && path.Clean(p)+"/" != p:
			notClean.ServeHTTP(w, r) // rather than ServeMux's redirect
		default:
			mux.ServeHTTP(w, r)
		}
	})
}

// allowed returns the methods the mux serves on r's path other than the
// catch-all, as an Allow header value ("" if none).
func allowed(mux *http.ServeMux, r *http.Request) string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pattern := mux.Handler(r2); strings.HasPrefix(pattern, m+" ") {
			out = append(out, m)
			if m == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	return strings.Join(out, ", ")
}

// apiError is a TAXII error resource (§3.6.1) and the HTTP status it is
// answered with.
type apiError struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	HTTPStatus  string `json:"http_status"`
	status      int
}

func (e *apiError) Error() string {
	if e.Description != "" {
		return e.Title + ": " + e.Description
	}
	return e.Title
}

// fail returns the error resource of an HTTP status.
func fail(status int, title, desc string) *apiError {
	return &apiError{Title: title, Description: desc, HTTPStatus: strconv.Itoa(status), status: status}
}

// Errors answered in several places. Their text says nothing of whether
// the thing exists for someone else.
var (
	errCollectionNotFound = fail(404, "Collection not found", "no collection with this id, or not for you")
	errObjectNotFound     = fail(404, "Object not found", "no object with this id in the collection, or not for you")
)

// wrap authenticates and negotiates, runs h, and answers its error with
// the TAXII error resource.
func (s *Server) wrap(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := s.serve(w, r, h)
		if err == nil {
			return
		}
		var te *apiError
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &te):
		case errors.As(err, &mbe):
			te = tooLarge(s.MaxContentLength)
		case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
			return // the client went away
		default:
			s.Log.Error("taxii: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
			te = fail(500, "Internal server error", "the error has been logged")
		}
		if te.status == 401 {
			w.Header().Set("WWW-Authenticate", `Basic realm="nisnet"`)
		}
		if te.status < 500 {
			s.Log.Debug("taxii: request refused", "method", r.Method, "path", r.URL.Path, "status", te.status, "err", te.Error())
		}
		writeJSON(w, te.status, te)
	})
}

// tooLarge is the 413 of a body above max_content_length.
func tooLarge(max int64) *apiError {
	return fail(413, "Request entity too large", fmt.Sprintf("the body is larger than the API root's max_content_length (%d bytes)", max))
}

// serve authenticates the caller, checks Accept and runs h.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, h handler) error {
	c, ok := s.Auth.Authenticate(r)
	if !ok {
		return fail(401, "Unauthorized", "authenticate with HTTP Basic (or a bearer token)")
	}
	if c.Name == "" { // status resources and cursors need a name
		c.Name = "anonymous"
		if c.Peer != "" {
			c.Name = "peer:" + c.Peer
		}
	}
	if !acceptsTAXII(r.Header.Values("Accept")) {
		return fail(406, "Not acceptable", "the Accept header must include "+MediaType)
	}
	return h(w, r, c)
}

// acceptsTAXII reports whether Accept header values include a TAXII 2.1
// media range: application/taxii+json with version 2.1 or no version, and
// a q other than 0. Wildcards are not TAXII media ranges.
func acceptsTAXII(accept []string) bool {
	for _, header := range accept {
		for part := range strings.SplitSeq(header, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || mt != "application/taxii+json" {
				continue
			}
			if v, ok := params["version"]; ok && v != "2.1" {
				continue
			}
			if q, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(q, 64); err != nil || f <= 0 {
					continue
				}
			}
			return true
		}
	}
	return false
}

// taxiiContentType reports whether a Content-Type is TAXII 2.1's.
func taxiiContentType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/taxii+json" {
		return false
	}
	v, ok := params["version"]
	return !ok || v == "2.1"
}

// setHeaders sets the headers of every answer.
func setHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", MediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"title":"Internal server error","http_status":"500"}`)
	}
	writeBody(w, status, b)
}

// writeBody answers b, JSON already.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	setHeaders(w)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// formatTime writes a TAXII timestamp.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// cursorKey returns the key cursors are MAC'd with, read from the store
// once.
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
