package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Draft is an unfinished staged report an entity saved: one per incident
// and report id. Its body is stored as given and not validated, since a
// draft may be incomplete; submitting the report deletes it.
type Draft struct {
	IncidentID     string
	OrganisationID string // the entity that reported the incident
	Report         string // report id, e.g. "nis2.early_warning"
	Body           json.RawMessage
	UpdatedAt      time.Time
	UpdatedBy      string // user id or API token id
}

// PutDraft stores d as the incident's draft of d.Report, replacing any
// earlier one, and returns it with UpdatedAt set. The incident must belong
// to d.OrganisationID: otherwise, or if it does not exist, the result is
// ErrNotFound. A body that is not valid JSON is ErrInvalid.
func (tx *Tx) PutDraft(ctx context.Context, d Draft) (Draft, error) {
	switch {
	case d.IncidentID == "" || d.OrganisationID == "" || d.Report == "" || d.UpdatedBy == "":
		return Draft{}, fmt.Errorf("store: put draft: incident, organisation, report and author are required: %w", ErrInvalid)
	case len(d.Body) == 0 || !validJSON(d.Body):
		return Draft{}, fmt.Errorf("store: put draft: body is missing or not valid JSON: %w", ErrInvalid)
	}
	d.UpdatedAt = now()
	res, err := tx.exec(ctx, `
		INSERT INTO report_drafts (incident_id, organisation_id, report, body, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (incident_id, report) DO UPDATE SET body = excluded.body,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by
		WHERE report_drafts.organisation_id = excluded.organisation_id`,
		d.IncidentID, d.OrganisationID, d.Report, string(d.Body), d.UpdatedAt, d.UpdatedBy)
	// A new row must reference the organisation's incident (foreign key);
	// an existing one must be the organisation's (WHERE): otherwise
	// nothing is written.
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return Draft{}, fmt.Errorf("store: put draft: %w", classify(err))
	}
	return d, nil
}

// PutDraft stores a draft in its own transaction; see (*Tx).PutDraft.
func (db *DB) PutDraft(ctx context.Context, d Draft) (Draft, error) {
	return transact(ctx, db, func(tx *Tx) (Draft, error) { return tx.PutDraft(ctx, d) })
}

// GetDraft returns the organisation's draft of the report on the incident.
// A draft of another organisation's incident is ErrNotFound, like one that
// does not exist.
func (db *DB) GetDraft(ctx context.Context, orgID, incidentID, report string) (Draft, error) {
	var (
		d    Draft
		body string
	)
	err := db.reader().queryRow(ctx, `
		SELECT incident_id, organisation_id, report, body, updated_at, updated_by FROM report_drafts
		WHERE incident_id = ? AND report = ? AND organisation_id = ?`, incidentID, report, orgID).
		Scan(&d.IncidentID, &d.OrganisationID, &d.Report, &body, scanTime(&d.UpdatedAt), &d.UpdatedBy)
	if err != nil {
		return Draft{}, fmt.Errorf("store: get draft %s of incident %s: %w", report, incidentID, notFound(err))
	}
	d.Body = json.RawMessage(body)
	return d, nil
}

// ListDrafts returns the organisation's drafts on the incident, by report
// id, without their bodies.
func (db *DB) ListDrafts(ctx context.Context, orgID, incidentID string) ([]Draft, error) {
	out, err := queryAll(ctx, db.reader(), func(row scanner) (Draft, error) {
		var d Draft
		err := row.Scan(&d.IncidentID, &d.OrganisationID, &d.Report, scanTime(&d.UpdatedAt), &d.UpdatedBy)
		return d, err
	}, `
		SELECT incident_id, organisation_id, report, updated_at, updated_by FROM report_drafts
		WHERE incident_id = ? AND organisation_id = ?
		ORDER BY report`, incidentID, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: list drafts of incident %s: %w", incidentID, err)
	}
	return out, nil
}

// DeleteDraft removes the organisation's draft of the report on the
// incident. ErrNotFound if there is none.
func (tx *Tx) DeleteDraft(ctx context.Context, orgID, incidentID, report string) error {
	res, err := tx.exec(ctx, `DELETE FROM report_drafts WHERE incident_id = ? AND report = ? AND organisation_id = ?`,
		incidentID, report, orgID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("store: delete draft %s of incident %s: %w", report, incidentID, err)
	}
	return nil
}

// DiscardDraft removes the incident's draft of the report, if there is
// one: the report has been submitted.
func (tx *Tx) DiscardDraft(ctx context.Context, incidentID, report string) error {
	if _, err := tx.exec(ctx, `DELETE FROM report_drafts WHERE incident_id = ? AND report = ?`, incidentID, report); err != nil {
		return fmt.Errorf("store: discard draft %s of incident %s: %w", report, incidentID, err)
	}
	return nil
}
