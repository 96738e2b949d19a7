package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/incident"
	"github.com/nisnet-eu/nisnet/internal/report"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Staged reports are filed by the entity, one POST per report, and are
// immutable: there is no route to change or withdraw one, and a later
// report of the same id supersedes the earlier (both stay listed). A 2xx
// answer means the report is durably stored: it is sent after the commit.

// errRejudge makes submitReport try again: the store stamped the
// submission later than the instant it was judged at, across its due
// instant.
var errRejudge = errors.New("api: submission judged at an instant on the other side of its due instant")

// submitReport is POST /api/v1/incidents/{id}/reports/{report} (entity
// roles). The body is the report's fields. An Idempotency-Key header makes
// a retried request safe: the same key with the same body answers 200 with
// the original receipt; with another body, 409.
func (s *Server) submitReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncidentFor(r, entityRoles...)
	if err != nil {
		return err
	}
	id := r.PathValue("report")
	if _, ok := report.Lookup(id); !ok {
		ids := make([]string, 0, 20)
		for _, t := range report.Types() {
			ids = append(ids, t.ID)
		}
		return errInvalid(fmt.Sprintf("unknown report %q; reports: %s", id, strings.Join(ids, ", ")),
			rules.FieldError{Field: "report", Message: "unknown report"})
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > store.MaxIdempotencyKeyLen || strings.ContainsFunc(key, func(c rune) bool { return c <= ' ' || c > '~' }) {
		return errInvalid(fmt.Sprintf("Idempotency-Key must be at most %d printable ASCII characters without spaces", store.MaxIdempotencyKeyLen),
			rules.FieldError{Field: "Idempotency-Key", Message: "malformed"})
	}
	if err := checkJSONContentType(r); err != nil {
		return err
	}
	body, err := report.Parse(id, http.MaxBytesReader(w, r.Body, report.MaxBodySize))
	if re, ok := errors.AsType[*report.Errors](err); ok {
		fields := make([]rules.FieldError, len(re.List))
		for i, f := range re.List {
			fields[i] = rules.FieldError{Field: f.Field, Message: f.Message}
		}
		return &Error{Status: http.StatusBadRequest, Code: "invalid_report", Message: re.Error(), Fields: fields}
	}
	if err != nil {
		return err // a *http.MaxBytesError is 413
	}

	p := principal(r)
	var (
		sub     store.Submission
		created bool
		res     rules.Result
	)
	for range 3 {
		err = s.transact(ctx, func(tx *store.Tx) error {
			var err error
			sub, created, res, err = s.fileReport(ctx, tx, p, inc, body, key)
			return err
		})
		if !errors.Is(err, errRejudge) {
			break
		}
	}
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
		if res, err = s.storedAssessment(ctx, inc.ID); err != nil {
			return err
		}
	}
	writeJSON(w, status, SubmissionResult{Receipt: receiptOf(sub), Obligations: res.Obligations})
	return nil
}

// fileReport stores a report inside tx: the submission with its due
// instant and on-time judgement from the incident's assessment at this
// instant, its audit record, and the reassessment it causes. A replayed
// request (created false) changes nothing.
func (s *Server) fileReport(ctx context.Context, tx *store.Tx, p *Principal, inc store.Incident, body report.Body, key string) (store.Submission, bool, rules.Result, error) {
	cur, err := tx.GetIncidentForUpdate(ctx, inc.OrganisationID, inc.ID)
	if err != nil {
		return store.Submission{}, false, rules.Result{}, err
	}
	rec, err := incident.Load(ctx, tx, cur)
	if err != nil {
		return store.Submission{}, false, rules.Result{}, err
	}
	now := time.Now()
	_, before, err := rec.Assess(s.Engine, now, s.Options)
	if err != nil {
		return store.Submission{}, false, rules.Result{}, err
	}
	in := store.Submission{IncidentID: cur.ID, OrganisationID: cur.OrganisationID, Report: body.Report, Body: body.JSON,
		SubmittedBy: p.Actor(), IdempotencyKey: key}
	var limit *time.Time // the latest on-time instant
	for _, o := range before.Obligations {
		if o.ID != body.Report || o.DueAt == nil {
			continue
		}
		in.DueAt, limit = *o.DueAt, o.DueAt
		if rl := o.Relief; rl != nil && rl.Applies && rl.LatestPermittedAt != nil && rl.LatestPermittedAt.After(*limit) {
			limit = rl.LatestPermittedAt
		}
		onTime := !now.After(*limit)
		in.OnTime = &onTime
	}
	sub, created, err := tx.CreateSubmission(ctx, in)
	if errors.Is(err, store.ErrConflict) && key != "" {
		err = errConflict("the Idempotency-Key was used for a different request; use a new key for a new report")
	}
	if err != nil || !created {
		return sub, created, rules.Result{}, err
	}
	if limit != nil && *sub.OnTime == sub.SubmittedAt.After(*limit) {
		return store.Submission{}, false, rules.Result{}, errRejudge
	}
	if err := tx.DiscardDraft(ctx, sub.IncidentID, sub.Report); err != nil {
		return store.Submission{}, false, rules.Result{}, err
	}
	err = tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: sub.OrganisationID, Action: "report.submit",
		ObjectType: "submission", ObjectID: sub.ID, Detail: map[string]any{"incident_id": sub.IncidentID, "report": sub.Report,
			"sha256": sub.SHA256, "supersedes_id": sub.SupersedesID, "on_time": sub.OnTime}})
	if err != nil {
		return store.Submission{}, false, rules.Result{}, err
	}
	// The record read above, with the new submission: what Load would read
	// now.
	if rec, err = rec.WithSubmission(sub); err != nil {
		return store.Submission{}, false, rules.Result{}, err
	}
	res, _, err := incident.Reassess(ctx, tx, s.Engine, s.Options, cur, rec, time.Now())
	return sub, true, res, err
}

// storedAssessment returns the incident's latest saved assessment;
// store.ErrNotFound if it has none.
func (s *Server) storedAssessment(ctx context.Context, incidentID string) (rules.Result, error) {
	var res rules.Result
	a, err := s.DB.GetAssessment(ctx, incidentID)
	if err != nil {
		return res, err
	}
	if err := json.Unmarshal(a.Result, &res); err != nil {
		return res, fmt.Errorf("api: assessment of incident %s: %w", incidentID, err)
	}
	return res, nil
}

// listReports is GET /api/v1/incidents/{id}/reports: every report filed,
// superseded ones included, oldest first. Each report the authority reads
// is audited.
func (s *Server) listReports(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncident(r)
	if err != nil {
		return err
	}
	pg, err := pageParams(r)
	if err != nil {
		return err
	}
	subs, err := s.DB.ListSubmissions(ctx, inc.ID, pg)
	if err != nil {
		return err
	}
	reads := make([]store.AuditEvent, len(subs))
	for i, sub := range subs {
		reads[i] = reportRead(sub, "list")
	}
	if err := s.auditReads(ctx, principal(r), reads...); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(subs, pg, submittedReportOf))
	return nil
}

// getReport is GET /api/v1/incidents/{id}/reports/{submission_id}.
func (s *Server) getReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncident(r)
	if err != nil {
		return err
	}
	sub, err := s.DB.GetSubmissionForOrg(ctx, inc.OrganisationID, r.PathValue("submission_id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && sub.IncidentID != inc.ID {
		return errNotFound("report")
	}
	if err != nil {
		return err
	}
	if err := s.auditReads(ctx, principal(r), reportRead(sub, "get")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, submittedReportOf(sub))
	return nil
}

// reportRead is the audit record of a read of a report.
func reportRead(sub store.Submission, via string) store.AuditEvent {
	return store.AuditEvent{Action: "report.read", OrganisationID: sub.OrganisationID, ObjectType: "submission", ObjectID: sub.ID,
		Detail: map[string]string{"incident_id": sub.IncidentID, "report": sub.Report, "via": via}}
}
