package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Assessment is the latest reportability assessment of an incident: the
// engine's result (a rules.Result as JSON, opaque to the store) and the
// instants derived from it that incident lists sort and filter on.
type Assessment struct {
	IncidentID string
	Result     json.RawMessage
	ComputedAt time.Time // the assessment's "now"; zero on save: the store's clock
	// NextDueAt is the earliest due instant among the entity's open or
	// overdue obligations; zero if there is none.
	NextDueAt time.Time
	Overdue   bool // an obligation of the entity was overdue at ComputedAt
	// AuthorityNextDueAt is the earliest due instant among the authority's
	// own open obligations (such as initial feedback); zero if none.
	AuthorityNextDueAt time.Time
}

// SaveAssessment stores a as the incident's assessment, replacing the one
// stored unless that one was computed later than a: an assessment computed
// from older facts never overwrites a newer one. It reports whether a was
// stored. An unknown incident is ErrNotFound; a Result that is not valid
// JSON ErrInvalid.
func (tx *Tx) SaveAssessment(ctx context.Context, a Assessment) (saved bool, err error) {
	if len(a.Result) == 0 || !validJSON(a.Result) {
		return false, fmt.Errorf("store: save assessment of incident %s: result is missing or not valid JSON: %w", a.IncidentID, ErrInvalid)
	}
	if a.ComputedAt.IsZero() {
		a.ComputedAt = now()
	}
	res, err := tx.exec(ctx, `
		INSERT INTO incident_assessments (incident_id, result, computed_at, next_due_at, overdue, authority_next_due_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (incident_id) DO UPDATE SET result = excluded.result, computed_at = excluded.computed_at,
			next_due_at = excluded.next_due_at, overdue = excluded.overdue,
			authority_next_due_at = excluded.authority_next_due_at
		WHERE incident_assessments.computed_at <= excluded.computed_at`,
		a.IncidentID, string(a.Result), a.ComputedAt, nullTime(a.NextDueAt), a.Overdue, nullTime(a.AuthorityNextDueAt))
	if err != nil {
		return false, fmt.Errorf("store: save assessment of incident %s: %w", a.IncidentID, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: save assessment of incident %s: %w", a.IncidentID, err)
	}
	return n > 0, nil
}

// SaveAssessment stores an assessment in its own transaction; see
// (*Tx).SaveAssessment.
func (db *DB) SaveAssessment(ctx context.Context, a Assessment) (saved bool, err error) {
	return transact(ctx, db, func(tx *Tx) (bool, error) { return tx.SaveAssessment(ctx, a) })
}

func getAssessment(ctx context.Context, c conn, incidentID string) (Assessment, error) {
	var (
		a      Assessment
		result string
	)
	err := c.queryRow(ctx, `
		SELECT incident_id, result, computed_at, next_due_at, overdue, authority_next_due_at
		FROM incident_assessments WHERE incident_id = ?`, incidentID).
		Scan(&a.IncidentID, &result, scanTime(&a.ComputedAt), scanTime(&a.NextDueAt), &a.Overdue, scanTime(&a.AuthorityNextDueAt))
	if err != nil {
		return Assessment{}, fmt.Errorf("store: get assessment of incident %s: %w", incidentID, notFound(err))
	}
	a.Result = json.RawMessage(result)
	return a, nil
}

// GetAssessment returns the incident's latest assessment; ErrNotFound if it
// has none (or the incident does not exist).
func (db *DB) GetAssessment(ctx context.Context, incidentID string) (Assessment, error) {
	return getAssessment(ctx, db.reader(), incidentID)
}

// GetAssessment is (*DB).GetAssessment inside the transaction.
func (tx *Tx) GetAssessment(ctx context.Context, incidentID string) (Assessment, error) {
	return getAssessment(ctx, tx.conn, incidentID)
}
