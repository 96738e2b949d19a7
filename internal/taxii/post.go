package taxii

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// errNotEnvelope is the 400 of a body that is not a TAXII envelope.
func errNotEnvelope(why string) *apiError {
	return fail(400, "Bad request", "the body must be a TAXII envelope, a JSON object with an objects list: "+why)
}

// parseEnvelope returns the objects of a posted envelope (§3.7), at most
// maxObjects of them (413 if more).
func parseEnvelope(body []byte, maxObjects int) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, errNotEnvelope("the body is not a JSON object")
	}
	var env struct {
		Type    string          `json:"type"`
		Objects json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, errNotEnvelope(fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se))
		}
		return nil, errNotEnvelope(err.Error())
	}
	if env.Type == "bundle" {
		return nil, errNotEnvelope(`this is a STIX bundle; TAXII 2.1 takes the objects in an envelope, {"objects": [...]}`)
	}
	if len(env.Objects) == 0 || string(env.Objects) == "null" {
		return nil, errNotEnvelope("it has no objects")
	}
	if env.Objects[0] != '[' {
		return nil, errNotEnvelope("objects is not a list")
	}
	var objs []json.RawMessage
	if err := json.Unmarshal(env.Objects, &objs); err != nil {
		return nil, errNotEnvelope("objects: " + err.Error())
	}
	if len(objs) == 0 {
		return nil, errNotEnvelope("its objects list is empty")
	}
	if len(objs) > maxObjects {
		return nil, fail(413, "Request entity too large", "at most "+strconv.Itoa(maxObjects)+" objects per envelope, got "+strconv.Itoa(len(objs)))
	}
	return objs, nil
}

// peek is what a failure reports of an object that did not validate.
type peek struct {
	ID          any `json:"id"`
	SpecVersion any `json:"spec_version"`
	Created     any `json:"created"`
	Modified    any `json:"modified"`
}

// str returns v if it is a JSON string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// failure describes an object that failed: its id and version as far as
// they can be read (objects[i] if it has no id), and the reason.
func failure(i int, raw json.RawMessage, o stix.Object, err error) statusDetail {
	d := statusDetail{ID: o.ID, Version: o.Version, Message: err.Error()}
	if d.ID == "" {
		var p peek
		_ = json.Unmarshal(raw, &p)
		d.ID, d.Version = str(p.ID), str(p.Modified)
		if d.Version == "" {
			d.Version = str(p.Created)
		}
	}
	if d.ID == "" || len(d.ID) > 300 {
		d.ID = "objects[" + strconv.Itoa(i) + "]"
	}
	if len(d.Version) > 64 {
		d.Version = ""
	}
	return d
}

// errSpecVersion is the failure of an object of another STIX version.
func errSpecVersion(v string) error {
	return fmt.Errorf("only STIX 2.1 objects are accepted (spec_version is %q)", v)
}

// check validates one posted object and asks the policy about it.
func (s *Server) check(c Caller, col store.Collection, raw json.RawMessage) (stix.Object, error) {
	o, err := s.Validate(raw)
	if err != nil {
		// Say so if the object is of another version: the validator's
		// complaint would be about a symptom.
		var p peek
		if json.Unmarshal(raw, &p) == nil {
			if v := str(p.SpecVersion); v != "" && v != stix.SpecVersion {
				err = errSpecVersion(v)
			}
		}
		return o, err
	}
	if o.SpecVersion != "" && o.SpecVersion != stix.SpecVersion {
		return o, errSpecVersion(o.SpecVersion)
	}
	return o, s.Policy.Accept(c, col, o)
}

// row returns the store row of an accepted object posted by c.
func row(c Caller, o stix.Object) store.StixObject {
	tlp, _ := stix.TLPOf(o.ObjectMarkingRefs)
	if o.Type == "marking-definition" {
		tlp = "" // the definitions themselves are not marked by what they define
	}
	sv := o.SpecVersion
	if sv == "" {
		sv = stix.SpecVersion // an object without spec_version that validated as 2.1
	}
	return store.StixObject{StixID: o.ID, Type: o.Type, SpecVersion: sv, Version: o.Version, VersionAt: o.VersionAt(),
		TLP: string(tlp), Revoked: o.Revoked, Origin: c.Peer, CreatedByRef: o.CreatedByRef, Body: o.Raw}
}

// postObjects serves POST {api-root}/collections/{id}/objects/ (§5.5).
// Each object is validated and put to the policy; the accepted ones are
// stored, and the status resource saved, in one transaction; the answer is
// 202 with that status, complete. Versions already in the collection
// count as successes.
func (s *Server) postObjects(w http.ResponseWriter, r *http.Request, c Caller) error {
	col, res, err := s.visible(r, c)
	if err != nil {
		return err
	}
	if !res.CanWrite {
		return fail(403, "Forbidden", "you may not add objects to this collection (can_write is false)")
	}
	if !taxiiContentType(r.Header.Get("Content-Type")) {
		return fail(415, "Unsupported media type", "send the envelope with Content-Type: "+MediaType)
	}
	if r.ContentLength > s.MaxContentLength {
		return tooLarge(s.MaxContentLength)
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.MaxContentLength)); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return tooLarge(s.MaxContentLength)
		case r.Context().Err() != nil:
			return r.Context().Err()
		}
		return fail(400, "Bad request", "reading the body: "+err.Error())
	}
	objs, err := parseEnvelope(buf.Bytes(), s.MaxObjects)
	if err != nil {
		return err
	}
	now := s.Now()
	st := statusResource{ID: stix.NewUUID(), Status: "complete", RequestTimestamp: formatTime(now), TotalCount: len(objs)}
	var failures []statusDetail
	rows := make([]store.StixObject, 0, len(objs))
	for i, raw := range objs {
		o, err := s.check(c, col, raw)
		if err != nil {
			failures = append(failures, failure(i, raw, o, err))
			continue
		}
		rows = append(rows, row(c, o))
	}
	var added []store.StixObject
	err = s.DB.Transact(r.Context(), func(tx *store.Tx) error {
		added, st.Successes, st.Failures = nil, nil, failures // the function may run again
		if len(rows) > 0 {
			results, err := tx.AddObjects(r.Context(), col.ID, rows)
			if err != nil {
				return err
			}
			st.Successes = make([]statusDetail, 0, len(results))
			for _, a := range results {
				st.Successes = append(st.Successes, statusDetail{ID: a.Object.StixID, Version: versionOf(a.Object)})
				if !a.Duplicate {
					added = append(added, a.Object)
				}
			}
		}
		st.SuccessCount, st.FailureCount = len(st.Successes), len(st.Failures)
		details, err := json.Marshal(st.statusDetails)
		if err != nil {
			return err
		}
		return tx.SaveStatus(r.Context(), store.TaxiiStatus{ID: st.ID, CollectionID: col.ID, Caller: c.Name,
			RequestTimestamp: now, Total: st.TotalCount, Success: st.SuccessCount, Failure: st.FailureCount,
			Details: details, CreatedAt: now})
	})
	if err != nil {
		return err
	}
	s.Log.Info("taxii: objects posted", "caller", c.Name, "collection", col.ID, "status", st.ID,
		"total", st.TotalCount, "success", st.SuccessCount, "failure", st.FailureCount, "new", len(added))
	s.Policy.Stored(c, col, added)
	writeJSON(w, 202, st)
	return nil
}
