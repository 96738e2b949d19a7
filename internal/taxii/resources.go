package taxii

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"

	"github.com/nisnet-eu/nisnet/internal/store"
)

// uuidForm is the form of collection and status ids.
var uuidForm = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// discoveryResource is TAXII 2.1's discovery resource (§4.1.1).
type discoveryResource struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Default     string   `json:"default,omitempty"`
	APIRoots    []string `json:"api_roots,omitempty"`
}

// discovery serves GET /taxii2/ (§4.1).
func (s *Server) discovery(w http.ResponseWriter, r *http.Request, c Caller) error {
	writeJSON(w, 200, discoveryResource{Title: s.Title, Description: s.Description, Contact: s.Contact,
		Default: s.APIRoot, APIRoots: []string{s.APIRoot}})
	return nil
}

// apiRootResource is TAXII 2.1's api-root resource (§4.2.1).
type apiRootResource struct {
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

// apiRoot serves GET {api-root}/ (§4.2).
func (s *Server) apiRoot(w http.ResponseWriter, r *http.Request, c Caller) error {
	writeJSON(w, 200, apiRootResource{Title: s.Title, Description: s.Description,
		Versions: []string{MediaType}, MaxContentLength: s.MaxContentLength})
	return nil
}

// collectionResource is TAXII 2.1's collection resource (§5.2.1).
type collectionResource struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types"`
}

// resource returns the collection as the caller sees it, and whether it
// sees it at all (it can read or write it).
func (s *Server) resource(c Caller, col store.Collection) (collectionResource, bool) {
	cr, cw := s.Policy.CanRead(c, col), s.Policy.CanWrite(c, col)
	return collectionResource{ID: col.ID, Title: col.Title, Description: col.Description, Alias: col.Alias,
		CanRead: cr, CanWrite: cw, MediaTypes: []string{stixMediaType}}, cr || cw
}

// collections serves GET {api-root}/collections/ (§5.1): the collections
// the caller can read or write, by alias.
func (s *Server) collections(w http.ResponseWriter, r *http.Request, c Caller) error {
	cols, err := s.DB.ListCollections(r.Context())
	if err != nil {
		return err
	}
	var out struct {
		Collections []collectionResource `json:"collections,omitempty"`
	}
	for _, col := range cols {
		if res, ok := s.resource(c, col); ok {
			out.Collections = append(out.Collections, res)
		}
	}
	writeJSON(w, 200, out)
	return nil
}

// visible returns the collection of the request's path, and how the caller
// sees it: 404 if it does not exist or the caller can neither read nor
// write it.
func (s *Server) visible(r *http.Request, c Caller) (store.Collection, collectionResource, error) {
	id := r.PathValue("id")
	if !uuidForm.MatchString(id) {
		return store.Collection{}, collectionResource{}, errCollectionNotFound
	}
	col, err := s.DB.GetCollection(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return col, collectionResource{}, errCollectionNotFound
	}
	if err != nil {
		return col, collectionResource{}, err
	}
	res, ok := s.resource(c, col)
	if !ok {
		return col, res, errCollectionNotFound
	}
	return col, res, nil
}

// collection serves GET {api-root}/collections/{id}/ (§5.2).
func (s *Server) collection(w http.ResponseWriter, r *http.Request, c Caller) error {
	_, res, err := s.visible(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, 200, res)
	return nil
}

// readable returns the collection of the request's path if the caller may
// read it: 404 if it does not see it, 403 if it may only write it.
func (s *Server) readable(r *http.Request, c Caller) (store.Collection, error) {
	col, res, err := s.visible(r, c)
	if err == nil && !res.CanRead {
		err = fail(403, "Forbidden", "you may not read this collection (can_read is false)")
	}
	return col, err
}

// statusDetail is TAXII 2.1's status-details (§4.3.1).
type statusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// statusDetails are the lists of a status resource, stored as
// store.TaxiiStatus.Details.
type statusDetails struct {
	Successes []statusDetail `json:"successes,omitempty"`
	Failures  []statusDetail `json:"failures,omitempty"`
	Pendings  []statusDetail `json:"pendings,omitempty"`
}

// statusResource is TAXII 2.1's status resource (§4.3.1).
type statusResource struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	RequestTimestamp string `json:"request_timestamp,omitempty"`
	TotalCount       int    `json:"total_count"`
	SuccessCount     int    `json:"success_count"`
	FailureCount     int    `json:"failure_count"`
	PendingCount     int    `json:"pending_count"`
	statusDetails
}

// statusOf returns the status resource of a stored status.
func statusOf(st store.TaxiiStatus) (statusResource, error) {
	res := statusResource{ID: st.ID, Status: "complete", RequestTimestamp: formatTime(st.RequestTimestamp),
		TotalCount: st.Total, SuccessCount: st.Success, FailureCount: st.Failure, PendingCount: st.Pending}
	if st.Pending > 0 {
		res.Status = "pending"
	}
	if len(st.Details) > 0 {
		if err := json.Unmarshal(st.Details, &res.statusDetails); err != nil {
			return res, err
		}
	}
	return res, nil
}

// status serves GET {api-root}/status/{status-id}/ (§4.3): only to the
// caller that posted, for StatusLifetime.
func (s *Server) status(w http.ResponseWriter, r *http.Request, c Caller) error {
	notFound := fail(404, "Status not found", "no status with this id for you, or it has expired")
	id := r.PathValue("sid")
	if !uuidForm.MatchString(id) {
		return notFound
	}
	st, err := s.DB.GetStatus(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	if st.Caller != c.Name || s.Now().Sub(st.CreatedAt) > s.StatusLifetime {
		return notFound
	}
	res, err := statusOf(st)
	if err != nil {
		return err
	}
	writeJSON(w, 200, res)
	return nil
}
