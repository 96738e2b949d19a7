package taxii

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// epoch is where a page without rows, cursor or added_after starts after.
var epoch = time.Unix(0, 0).UTC()

// pageRequest is a checked request to a paged endpoint.
type pageRequest struct {
	q    store.ObjectQuery
	hash [32]byte  // of the query, for cursors
	from time.Time // the date_added the page starts after (zero: the start)
}

// exclude sets the boundaries of what peers get: nothing that came from
// them, nothing their identity created, nothing TLP:RED.
func exclude(c Caller, q *store.ObjectQuery) {
	if c.Peer != "" {
		q.ExcludeOrigin, q.ExcludeCreatedBy, q.ExcludeTLP = c.Peer, c.Identity, []string{"TLP:RED"}
	}
}

// objectID returns the object id of the request's path; 404 if it is not
// a STIX id.
func objectID(r *http.Request) (string, error) {
	oid := r.PathValue("oid")
	if stix.CheckID(oid, "") != nil {
		return "", errObjectNotFound
	}
	return oid, nil
}

// pageFor checks a request to a paged endpoint: the caller may read the
// collection, the filters and the cursor are good. Authorisation is
// checked on every page: a cursor grants nothing.
func (s *Server) pageFor(r *http.Request, c Caller, ep endpoint) (pageRequest, error) {
	col, err := s.readable(r, c)
	if err != nil {
		return pageRequest{}, err
	}
	var oid string
	if ep == epObject || ep == epVersions {
		if oid, err = objectID(r); err != nil {
			return pageRequest{}, err
		}
	}
	f, err := parseFilters(r.URL.RawQuery, ep, s.PageSize)
	if err != nil {
		return pageRequest{}, err
	}
	p := pageRequest{
		q: store.ObjectQuery{CollectionID: col.ID, AddedAfter: f.AddedAfter, IDs: f.IDs, Types: f.Types,
			Versions: f.Versions, SpecVersions: f.SpecVersions, Limit: f.Limit},
		hash: queryHash(ep, col.ID, oid, f),
		from: f.AddedAfter,
	}
	if oid != "" {
		p.q.IDs = []string{oid}
	}
	if ep == epVersions {
		p.q.Versions = store.VersionMatch{All: true}
	}
	exclude(c, &p.q)
	if f.Next != "" {
		key, err := s.cursorKey(r.Context())
		if err != nil {
			return pageRequest{}, err
		}
		cur, err := openCursor(key, f.Next, p.hash, c.Name, s.Now())
		if err != nil {
			return pageRequest{}, err
		}
		p.q.AfterSeq, p.from = cur.Seq, cur.DateAdded
	}
	return p, nil
}

// page is one page of rows.
type page struct {
	rows []store.StixObject
	more bool
	next string
}

// run queries one page, makes its cursor and sets the X-TAXII-Date-Added
// headers.
func (s *Server) run(w http.ResponseWriter, r *http.Request, c Caller, p pageRequest) (page, error) {
	rows, more, err := s.DB.QueryObjects(r.Context(), p.q)
	if err != nil {
		return page{}, err
	}
	pg := page{rows: rows, more: more}
	first, last := p.from, p.from
	if first.IsZero() {
		first, last = epoch, epoch
	}
	if len(rows) > 0 {
		first, last = rows[0].DateAdded, rows[len(rows)-1].DateAdded
		if more {
			key, err := s.cursorKey(r.Context())
			if err != nil {
				return page{}, err
			}
			end := rows[len(rows)-1]
			pg.next = sealCursor(key, cursor{Seq: end.Seq, DateAdded: end.DateAdded, Expires: s.Now().Add(cursorLifetime)}, p.hash, c.Name)
		}
	}
	w.Header().Set("X-TAXII-Date-Added-First", formatTime(first))
	w.Header().Set("X-TAXII-Date-Added-Last", formatTime(last))
	return pg, nil
}

// exists reports whether any version of the query's object is visible to
// the caller, whatever the filters.
func (s *Server) exists(ctx context.Context, q store.ObjectQuery) (bool, error) {
	rows, _, err := s.DB.QueryObjects(ctx, store.ObjectQuery{CollectionID: q.CollectionID, IDs: q.IDs,
		Versions: store.VersionMatch{All: true}, Limit: 1,
		ExcludeOrigin: q.ExcludeOrigin, ExcludeCreatedBy: q.ExcludeCreatedBy, ExcludeTLP: q.ExcludeTLP})
	return len(rows) > 0, err
}

// envelopeJSON writes an envelope (§3.7) of stored objects as they are
// stored: the store holds valid JSON only.
func envelopeJSON(pg page) []byte {
	n := 64 + len(pg.next)
	for _, o := range pg.rows {
		n += len(o.Body) + 1
	}
	b := bytes.NewBuffer(make([]byte, 0, n))
	b.WriteByte('{')
	sep := ""
	if pg.more {
		b.WriteString(`"more":true`)
		sep = ","
	}
	if pg.next != "" {
		b.WriteString(sep + `"next":"` + pg.next + `"`) // base64url: nothing to escape
		sep = ","
	}
	if len(pg.rows) > 0 {
		b.WriteString(sep + `"objects":[`)
		for i, o := range pg.rows {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(o.Body)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.Bytes()
}

// getObjects serves GET {api-root}/collections/{id}/objects/ (§5.4).
func (s *Server) getObjects(w http.ResponseWriter, r *http.Request, c Caller) error {
	p, err := s.pageFor(r, c, epObjects)
	if err != nil {
		return err
	}
	pg, err := s.run(w, r, c, p)
	if err != nil {
		return err
	}
	writeBody(w, 200, envelopeJSON(pg))
	return nil
}

// getObject serves GET {api-root}/collections/{id}/objects/{object-id}/
// (§5.6): 404 if no version of the object is visible to the caller.
func (s *Server) getObject(w http.ResponseWriter, r *http.Request, c Caller) error {
	pg, err := s.objectPage(w, r, c, epObject)
	if err != nil {
		return err
	}
	writeBody(w, 200, envelopeJSON(pg))
	return nil
}

// objectPage is a page of one object's versions (the object and versions
// endpoints): 404 when no version of the object is visible to the caller,
// an empty page when versions are but the filters select none.
func (s *Server) objectPage(w http.ResponseWriter, r *http.Request, c Caller, ep endpoint) (page, error) {
	p, err := s.pageFor(r, c, ep)
	if err != nil {
		return page{}, err
	}
	pg, err := s.run(w, r, c, p)
	if err != nil || len(pg.rows) > 0 {
		return pg, err
	}
	switch ok, err := s.exists(r.Context(), p.q); {
	case err != nil:
		return page{}, err
	case !ok:
		return page{}, errObjectNotFound
	}
	return pg, nil
}

// manifestRecord is TAXII 2.1's manifest-record (§5.3.1).
type manifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type"`
}

// manifest serves GET {api-root}/collections/{id}/manifest/ (§5.3). Like
// envelopes, manifests carry next (a property the manifest resource does
// not define; clients that do not know it ignore it).
func (s *Server) manifest(w http.ResponseWriter, r *http.Request, c Caller) error {
	p, err := s.pageFor(r, c, epManifest)
	if err != nil {
		return err
	}
	pg, err := s.run(w, r, c, p)
	if err != nil {
		return err
	}
	out := struct {
		More    bool             `json:"more,omitempty"`
		Next    string           `json:"next,omitempty"`
		Objects []manifestRecord `json:"objects,omitempty"`
	}{More: pg.more, Next: pg.next}
	for _, o := range pg.rows {
		out.Objects = append(out.Objects, manifestRecord{ID: o.StixID, DateAdded: formatTime(o.DateAdded),
			Version: versionOf(o), MediaType: stixMediaType})
	}
	writeJSON(w, 200, out)
	return nil
}

// versionOf returns the version of a stored object as TAXII gives it: its
// modified (or created) as written, or — for objects without either — its
// date_added, which the store uses as its version.
func versionOf(o store.StixObject) string {
	if o.Version != "" {
		return o.Version
	}
	return formatTime(o.VersionAt)
}

// versions serves GET
// {api-root}/collections/{id}/objects/{object-id}/versions/ (§5.8), in
// date_added order, with next like manifests.
func (s *Server) versions(w http.ResponseWriter, r *http.Request, c Caller) error {
	pg, err := s.objectPage(w, r, c, epVersions)
	if err != nil {
		return err
	}
	out := struct {
		More     bool     `json:"more,omitempty"`
		Next     string   `json:"next,omitempty"`
		Versions []string `json:"versions,omitempty"`
	}{More: pg.more, Next: pg.next}
	for _, o := range pg.rows {
		out.Versions = append(out.Versions, versionOf(o))
	}
	writeJSON(w, 200, out)
	return nil
}

// deleteObject serves DELETE
// {api-root}/collections/{id}/objects/{object-id}/ (§5.7): the versions
// match[version] (default: all) and match[spec_version] select. It needs
// can_read and can_write (404 without either, 403 with one only). A peer
// deletes only versions it could read: the boundaries apply, and a
// selection without any such version is 404. The answer has no body.
func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request, c Caller) error {
	col, res, err := s.visible(r, c)
	if err != nil {
		return err
	}
	if !res.CanRead || !res.CanWrite {
		return fail(403, "Forbidden", "deleting needs both can_read and can_write on the collection")
	}
	oid, err := objectID(r)
	if err != nil {
		return err
	}
	f, err := parseFilters(r.URL.RawQuery, epDelete, s.PageSize)
	if err != nil {
		return err
	}
	v := f.Versions
	if !f.versionSet {
		v = store.VersionMatch{All: true}
	}
	var n int64
	if c.Peer == "" {
		n, err = s.DB.DeleteObjects(r.Context(), col.ID, oid, v, f.SpecVersions)
	} else {
		n, err = s.deleteVisible(r.Context(), c, col.ID, oid, v, f.SpecVersions)
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return errObjectNotFound
	}
	s.Log.Info("taxii: object deleted", "caller", c.Name, "collection", col.ID, "object", oid, "versions", n)
	setHeaders(w)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(200)
	return nil
}

// deleteVisible deletes the versions of one object that a peer selects and
// may read, and returns how many.
func (s *Server) deleteVisible(ctx context.Context, c Caller, collectionID, oid string, v store.VersionMatch, specVersions []string) (int64, error) {
	q := store.ObjectQuery{CollectionID: collectionID, IDs: []string{oid}, Versions: v, SpecVersions: specVersions, Limit: store.MaxObjectLimit}
	exclude(c, &q)
	var exact []time.Time
	for {
		rows, more, err := s.DB.QueryObjects(ctx, q)
		if err != nil {
			return 0, err
		}
		for _, o := range rows {
			exact = append(exact, o.VersionAt)
		}
		if !more || len(rows) == 0 {
			break
		}
		q.AfterSeq = rows[len(rows)-1].Seq
	}
	if len(exact) == 0 {
		return 0, nil
	}
	return s.DB.DeleteObjects(ctx, collectionID, oid, store.VersionMatch{Exact: exact}, specVersions)
}
