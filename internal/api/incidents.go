package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/nisnet-eu/nisnet/internal/incident"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Incidents are reported by entities, which then file staged reports on
// them and keep their facts up to date; the authority triages, classifies
// and answers them. Every change reassesses the incident (incident.Recompute)
// in the transaction that makes it, and writes an audit record there too.
//
// Visibility comes first in every handler: an entity's principal sees its
// own organisation's incidents only, and any other answers exactly as a
// nonexistent one (404) — before the role is checked or the body read.

// Limits of incident fields.
const (
	maxTitleBytes = 300
	maxTextBytes  = 20000 // messages, notes, feedback, request messages
	// maxTextBodyBytes bounds a request carrying a text: 20000 bytes may
	// take up to six times as many once escaped in JSON.
	maxTextBodyBytes = 6*maxTextBytes + 1024
	// maxFactsBodyBytes bounds a request carrying facts.
	maxFactsBodyBytes = rules.MaxFactsBytes + maxBodyBytes
)

var incidentKinds = []store.IncidentKind{store.KindIncident, store.KindNearMiss, store.KindCyberThreat}

// IncidentFacts are an incident's facts as the entity supplies them: the
// facts document of the reportability engine (docs/assess.md) without
// now, events and options, which the node adds — events from the reports
// filed and the authority's requests and feedback, options from its
// configuration.
type IncidentFacts struct {
	// Entity describes the reporting organisation; absent or empty, the
	// organisation's stored profile is used.
	Entity   *rules.Entity  `json:"entity,omitempty"`
	Incident rules.Incident `json:"incident"`
}

// CreateIncidentRequest reports an incident.
type CreateIncidentRequest struct {
	Title string `json:"title"`
	// Kind is incident (the default), near_miss or cyber_threat; it must
	// agree with facts.incident.kind when both are given.
	Kind  string          `json:"kind,omitempty"`
	Facts json.RawMessage `json:"facts" openapi:"IncidentFacts"`
}

// UpdateFactsRequest replaces an incident's facts.
type UpdateFactsRequest struct {
	Facts json.RawMessage `json:"facts" openapi:"IncidentFacts"`
	// Version is the incident's version the facts were based on: if the
	// incident changed since, the answer is 409 and nothing is written.
	Version int64 `json:"version"`
}

// createIncident is POST /api/v1/incidents (entity roles).
func (s *Server) createIncident(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := requireRole(ctx, entityRoles...); err != nil {
		return err
	}
	var req CreateIncidentRequest
	if err := decodeJSONLimit(w, r, &req, maxFactsBodyBytes); err != nil {
		return err
	}
	var fe fieldErrors
	fe.checkLine("title", req.Title, maxTitleBytes, false)
	kind := store.IncidentKind(req.Kind)
	if kind != "" && !slices.Contains(incidentKinds, kind) {
		fe.add("kind", fmt.Sprintf("unknown kind %q; kinds: incident, near_miss, cyber_threat", req.Kind))
	}
	if err := fe.err(); err != nil {
		return err
	}
	facts, err := decodeIncidentFacts(req.Facts)
	if err != nil {
		return err
	}
	switch fk := store.IncidentKind(facts.Incident.Kind); {
	case kind == "":
		kind = store.IncidentKind(facts.Incident.Kind)
	case fk == "":
		facts.Incident.Kind = string(kind)
	case fk != kind:
		return invalidFacts(rules.FieldError{Field: "facts.incident.kind", Message: fmt.Sprintf("%q differs from kind %q", fk, kind)})
	}
	if kind == "" {
		kind = store.KindIncident
	}
	p := principal(r)
	stored, err := storedFacts(p.Organisation, facts, time.Now())
	if err != nil {
		return err
	}
	if s.MemberState == "" {
		return errors.New("api: Server.MemberState is not set")
	}
	var view IncidentView
	err = s.transact(ctx, func(tx *store.Tx) error {
		inc, err := tx.CreateIncident(ctx, s.MemberState, store.Incident{OrganisationID: p.Organisation.ID, Kind: kind,
			Title: strings.TrimSpace(req.Title), Facts: stored})
		if err != nil {
			return err
		}
		err = tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: inc.OrganisationID, Action: "incident.create",
			ObjectType: "incident", ObjectID: inc.ID, Detail: map[string]string{"reference": inc.Reference, "kind": string(inc.Kind)}})
		if err != nil {
			return err
		}
		res, inc, err := incident.Recompute(ctx, tx, s.Engine, s.Options, inc, time.Now())
		if err != nil {
			return err
		}
		view, err = incidentViewOf(p, inc, &res)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, view)
	return nil
}

// updateFacts is PUT /api/v1/incidents/{id}/facts (entity roles).
func (s *Server) updateFacts(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncidentFor(r, entityRoles...)
	if err != nil {
		return err
	}
	var req UpdateFactsRequest
	if err := decodeJSONLimit(w, r, &req, maxFactsBodyBytes); err != nil {
		return err
	}
	if req.Version <= 0 {
		return errInvalid("version is required: the version of the incident the facts are based on",
			rules.FieldError{Field: "version", Message: "required"})
	}
	facts, err := decodeIncidentFacts(req.Facts)
	if err != nil {
		return err
	}
	p := principal(r)
	// The kind stays unless the facts change it.
	withKind := func(k store.IncidentKind) IncidentFacts {
		f := facts
		if f.Incident.Kind == "" {
			f.Incident.Kind = string(k)
		}
		return f
	}
	if _, err := storedFacts(p.Organisation, withKind(inc.Kind), time.Now()); err != nil {
		return err // invalid whatever the version
	}
	var view IncidentView
	err = s.transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.GetIncidentForOrg(ctx, inc.OrganisationID, inc.ID)
		if err != nil {
			return err
		}
		if cur.Version != req.Version {
			return errStale(cur.Version, req.Version)
		}
		f := withKind(cur.Kind)
		if cur.Facts, err = storedFacts(p.Organisation, f, time.Now()); err != nil {
			return err
		}
		cur.Kind = store.IncidentKind(f.Incident.Kind)
		upd, err := tx.UpdateIncident(ctx, cur)
		if errors.Is(err, store.ErrConflict) { // changed since the read above: the client's version is stale
			return errStale(cur.Version+1, req.Version)
		}
		if err != nil {
			return err
		}
		err = tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: upd.OrganisationID, Action: "incident.facts.update",
			ObjectType: "incident", ObjectID: upd.ID, Detail: map[string]any{"version": upd.Version, "kind": string(upd.Kind)}})
		if err != nil {
			return err
		}
		res, upd, err := incident.Recompute(ctx, tx, s.Engine, s.Options, upd, time.Now())
		if err != nil {
			return err
		}
		view, err = incidentViewOf(p, upd, &res)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

// errStale is the 409 of a change based on an outdated version.
func errStale(current, sent int64) *Error {
	return errConflict(fmt.Sprintf("the incident has changed: it is at version %d, not %d; read it again and retry", current, sent))
}

// decodeIncidentFacts decodes facts strictly: unknown fields (now, events
// and options among them) are refused, as invalid_facts naming the field
// under "facts".
func decodeIncidentFacts(raw json.RawMessage) (IncidentFacts, error) {
	var f IncidentFacts
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return f, invalidFacts(rules.FieldError{Field: "facts", Message: "required: a JSON object with entity (optional) and incident"})
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		de := decodeError(err, "")
		if len(de.Fields) == 0 {
			return f, invalidFacts(rules.FieldError{Field: "facts", Message: de.Message})
		}
		fields := make([]rules.FieldError, len(de.Fields))
		for i, fe := range de.Fields {
			fields[i] = rules.FieldError{Field: "facts." + fe.Field, Message: fe.Message}
			// encoding/json names an unknown field without its path: only
			// a top-level one can be placed.
			var top map[string]json.RawMessage
			if fe.Message == "unknown field" && json.Unmarshal(raw, &top) == nil {
				if _, ok := top[fe.Field]; !ok {
					fields[i] = rules.FieldError{Field: "facts", Message: fmt.Sprintf("unknown field %q", fe.Field)}
				}
			}
		}
		return f, invalidFacts(fields...)
	}
	return f, nil
}

// storedFacts completes facts with the organisation's profile when they
// name no entity, validates them at now and returns them as stored.
func storedFacts(org store.Organisation, f IncidentFacts, now time.Time) ([]byte, error) {
	var entity rules.Entity
	if f.Entity != nil && !reflect.ValueOf(*f.Entity).IsZero() {
		entity = *f.Entity
	} else if len(org.Profile) > 0 {
		if err := json.Unmarshal(org.Profile, &entity); err != nil {
			return nil, fmt.Errorf("api: profile of organisation %s: %w", org.ID, err)
		}
	}
	b, err := incident.StoredFacts(rules.Facts{Entity: entity, Incident: f.Incident}, now)
	if fe, ok := errors.AsType[*rules.FieldErrors](err); ok {
		list := make([]rules.FieldError, len(fe.List))
		for i, e := range fe.List {
			list[i] = rules.FieldError{Field: "facts", Message: e.Message}
			if e.Field != "" {
				list[i].Field = "facts." + e.Field
			}
		}
		return nil, invalidFacts(list...)
	}
	return b, err
}

// invalidFacts is the 400 of facts the engine cannot use.
func invalidFacts(fields ...rules.FieldError) *Error {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return &Error{Status: http.StatusBadRequest, Code: "invalid_facts", Message: "invalid facts: " + strings.Join(parts, "; "), Fields: fields}
}

// visibleIncident returns the incident named by {id} if the caller may see
// it, and the same 404 whether it does not exist or is not visible.
func (s *Server) visibleIncident(r *http.Request) (store.Incident, error) {
	ctx := r.Context()
	p := principal(r)
	id := r.PathValue("id")
	var (
		inc store.Incident
		err error
	)
	if p.Authority() {
		inc, err = s.DB.GetIncident(ctx, id)
	} else {
		inc, err = s.DB.GetIncidentForOrg(ctx, p.Organisation.ID, id)
	}
	if errors.Is(err, store.ErrNotFound) || err == nil && !p.Sees(inc.OrganisationID) {
		return store.Incident{}, errNotFound("incident")
	}
	return inc, err
}

// visibleIncidentFor is visibleIncident for a route only some roles may
// act on: 404 for an incident the caller cannot see, then 403 for a role
// not among roles.
func (s *Server) visibleIncidentFor(r *http.Request, roles ...store.Role) (store.Incident, error) {
	inc, err := s.visibleIncident(r)
	if err != nil {
		return store.Incident{}, err
	}
	return inc, requireRole(r.Context(), roles...)
}

// getIncident is GET /api/v1/incidents/{id}: the incident and its latest
// assessment. The authority's reads are audited.
func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncident(r)
	if err != nil {
		return err
	}
	var res *rules.Result
	switch a, err := s.storedAssessment(ctx, inc.ID); {
	case err == nil:
		a = a.AsOf(time.Now()) // a deadline may have passed since the last change
		res = &a
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	p := principal(r)
	view, err := incidentViewOf(p, inc, res)
	if err != nil {
		return err
	}
	err = s.auditReads(ctx, p, store.AuditEvent{Action: "incident.read", OrganisationID: inc.OrganisationID,
		ObjectType: "incident", ObjectID: inc.ID, Detail: map[string]any{"version": inc.Version}})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

// auditReads records, for an authority principal, that it read what the
// events name; entities reading their own data are not recorded. The
// records are committed before the data is sent.
func (s *Server) auditReads(ctx context.Context, p *Principal, events ...store.AuditEvent) error {
	if !p.Authority() || len(events) == 0 {
		return nil
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		for _, e := range events {
			e.Actor = p.Actor()
			if err := tx.Audit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// transact runs fn in a write transaction, and again (three times in all)
// if it fails with store.ErrConflict: on PostgreSQL another request may
// change the incident between fn's read and its write. Conflicts the client
// must resolve are *Error values, which are not retried.
func (s *Server) transact(ctx context.Context, fn func(tx *store.Tx) error) error {
	var err error
	for range 3 {
		if err = s.DB.Transact(ctx, fn); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return err
}

// incidentViewOf is the incident as p may see it, with an assessment.
func incidentViewOf(p *Principal, inc store.Incident, res *rules.Result) (IncidentView, error) {
	ri, err := reportedIncidentOf(p, inc)
	return IncidentView{Incident: ri, Assessment: res}, err
}

// reportedIncidentOf is the incident as p may see it: the assignment is the
// authority's alone.
func reportedIncidentOf(p *Principal, inc store.Incident) (ReportedIncident, error) {
	var f rules.Facts
	if err := json.Unmarshal(inc.Facts, &f); err != nil {
		return ReportedIncident{}, fmt.Errorf("api: stored facts of incident %s: %w", inc.ID, err)
	}
	out := ReportedIncident{ID: inc.ID, OrganisationID: inc.OrganisationID, Reference: inc.Reference, Kind: string(inc.Kind),
		Title: inc.Title, State: string(inc.State), Facts: IncidentFacts{Entity: &f.Entity, Incident: f.Incident},
		Sectors: nonNil(inc.Sectors), Regimes: nonNil(inc.Regimes), RSIT: inc.RSIT, TLP: inc.TLP,
		ImpactSeverity: inc.ImpactSeverity, ImpactOutlook: inc.ImpactOutlook,
		CreatedAt: inc.CreatedAt, UpdatedAt: inc.UpdatedAt, Version: inc.Version}
	if p.Authority() {
		out.Assignment = &Assignment{UserID: inc.AssignedUserID, TeamID: inc.AssignedTeamID}
	}
	if !inc.ClosedAt.IsZero() {
		c := inc.ClosedAt
		out.ClosedAt = &c
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// listIncidents is GET /api/v1/incidents: the queue, the incidents due
// first first. Authority roles see every incident; entities their own.
func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	q := r.URL.Query()
	now := time.Now()
	f := store.IncidentFilter{Now: now, After: q.Get("next"), Sector: q.Get("sector"),
		AssignedUserID: q.Get("assigned_user"), AssignedTeamID: q.Get("assigned_team")}
	var fe fieldErrors
	for _, v := range listParam(q["state"]) {
		st, err := incident.ParseState(v)
		if err != nil {
			fe.add("state", err.Error())
			continue
		}
		f.States = append(f.States, store.IncidentState(st))
	}
	for _, v := range listParam(q["kind"]) {
		k := store.IncidentKind(v)
		if !slices.Contains(incidentKinds, k) {
			fe.add("kind", fmt.Sprintf("unknown kind %q; kinds: incident, near_miss, cyber_threat", v))
			continue
		}
		f.Kinds = append(f.Kinds, k)
	}
	if v := q.Get("regime"); v != "" {
		if !slices.Contains([]string{"nis2", "dora", "gdpr", "cra"}, v) {
			fe.add("regime", fmt.Sprintf("unknown regime %q; regimes: nis2, dora, gdpr, cra", v))
		}
		f.Regime = v
	}
	if strings.ContainsFunc(f.Sector, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		fe.add("sector", "must be a sector code such as energy or health")
	}
	switch v := q.Get("overdue"); v {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		fe.add("overdue", "must be true or false")
	}
	if f.AssignedUserID == "me" {
		if p.User != nil {
			f.AssignedUserID = p.User.ID
		} else {
			fe.add("assigned_user", "\"me\" names a signed-in user, not an API token")
		}
	}
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	if err := fe.err(); err != nil {
		return err
	}
	org := q.Get("organisation")
	if !p.Authority() {
		if f.AssignedUserID != "" || f.AssignedTeamID != "" {
			return errForbidden("assignments are the authority's; entities cannot filter by them")
		}
		if org != "" && org != p.Organisation.ID {
			writeJSON(w, http.StatusOK, IncidentPage{Items: []IncidentSummary{}})
			return nil
		}
		org = p.Organisation.ID
	}
	f.OrganisationID = org
	items, next, err := s.DB.ListIncidents(ctx, f, store.Page{Limit: limit})
	if errors.Is(err, store.ErrInvalid) {
		return errInvalid("next is not a cursor this list returned", rules.FieldError{Field: "next", Message: "malformed cursor"})
	}
	if err != nil {
		return err
	}
	out := IncidentPage{Items: make([]IncidentSummary, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, incidentSummaryOf(p, it, now))
	}
	if next != "" {
		out.Next = &next
	}
	if err := s.auditReads(ctx, p, queueRead(f, limit, len(out.Items))); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// queueRead is the audit record of a read of the queue: the filters, as
// the store applied them, and how many incidents the page held.
func queueRead(f store.IncidentFilter, limit, returned int) store.AuditEvent {
	d := map[string]any{"limit": limit, "returned": returned}
	if len(f.States) > 0 {
		d["state"] = f.States
	}
	if len(f.Kinds) > 0 {
		d["kind"] = f.Kinds
	}
	for name, v := range map[string]string{"sector": f.Sector, "regime": f.Regime, "assigned_user": f.AssignedUserID,
		"assigned_team": f.AssignedTeamID, "organisation": f.OrganisationID, "next": f.After} {
		if v != "" {
			d[name] = v
		}
	}
	if f.Overdue {
		d["overdue"] = true
	}
	return store.AuditEvent{Action: "incident.list", OrganisationID: f.OrganisationID, ObjectType: "incident", Detail: d}
}

// listParam splits repeated and comma-separated query values.
func listParam(vs []string) []string {
	var out []string
	for _, v := range vs {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// incidentSummaryOf is a queue item as p may see it. An incident is
// overdue when its assessment found so or its next due instant has passed
// since.
func incidentSummaryOf(p *Principal, it store.IncidentListItem, now time.Time) IncidentSummary {
	out := IncidentSummary{ID: it.ID, Reference: it.Reference, Title: it.Title, Kind: string(it.Kind), State: string(it.State),
		OrganisationID: it.OrganisationID, Overdue: it.Overdue || !it.NextDueAt.IsZero() && !it.NextDueAt.After(now),
		Regimes: nonNil(it.Regimes), Sectors: nonNil(it.Sectors), RSIT: it.RSIT, TLP: it.TLP, Severity: it.ImpactSeverity,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
	if !it.NextDueAt.IsZero() {
		d := it.NextDueAt
		out.NextDueAt = &d
	}
	if !it.AuthorityNextDueAt.IsZero() {
		d := it.AuthorityNextDueAt
		out.AuthorityNextDueAt = &d
	}
	if p.Authority() {
		out.Assignment = &Assignment{UserID: it.AssignedUserID, TeamID: it.AssignedTeamID}
	}
	return out
}
