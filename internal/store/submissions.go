package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// MaxIdempotencyKeyLen is the longest idempotency key the store accepts.
const MaxIdempotencyKeyLen = 255

// Submission is one staged report an entity submitted for an incident (an
// early warning, a notification, a final report, …). Submissions are
// immutable: the database refuses to change or delete them. A later
// submission of the same report supersedes the earlier one, so each
// incident's reports form chains linked by SupersedesID.
type Submission struct {
	ID             string
	IncidentID     string
	OrganisationID string // the entity that reported the incident
	Report         string // obligation id, e.g. "nis2.early_warning"
	// Body is the report as submitted: JSON, kept byte for byte as given.
	// The caller canonicalises it; SHA256 is computed by the store over
	// exactly these bytes, so the receipt's hash verifies the stored body.
	Body        json.RawMessage
	SHA256      string    // hex SHA-256 of Body
	SubmittedAt time.Time // the node's clock
	SubmittedBy string    // user id or API token id
	DueAt       time.Time // when the report was due; zero: no deadline known
	OnTime      *bool     // submitted by DueAt; nil: not judged
	// SupersedesID is the previous submission of the same report for the
	// same incident; empty for the first. Set by CreateSubmission.
	SupersedesID string
	// IdempotencyKey is the client's key for the request, unique per
	// organisation; empty: none.
	IdempotencyKey string
}

// CreateSubmission stores s as the incident's latest submission of
// s.Report and returns it with ID, SHA256, SubmittedAt and SupersedesID set.
// The incident must belong to s.OrganisationID: otherwise, or if it does
// not exist, the result is ErrNotFound.
//
// If the organisation already made a submission with s.IdempotencyKey, no
// new one is stored: when that submission is of the same incident and
// report with the same body, it is returned with created false (a retried
// request gets its original receipt); otherwise the key was reused for a
// different request and the result is ErrConflict.
//
// On PostgreSQL the incident's row stays locked until tx ends, so that
// concurrent submissions for one incident queue up instead of forking a
// chain; the schema rejects forks in any case.
func (tx *Tx) CreateSubmission(ctx context.Context, s Submission) (_ Submission, created bool, err error) {
	switch {
	case s.IncidentID == "" || s.OrganisationID == "":
		return Submission{}, false, fmt.Errorf("store: create submission: incident and organisation are required: %w", ErrInvalid)
	case s.Report == "" || s.SubmittedBy == "":
		return Submission{}, false, fmt.Errorf("store: create submission: report and submitter are required: %w", ErrInvalid)
	case len(s.Body) == 0 || !validJSON(s.Body):
		return Submission{}, false, fmt.Errorf("store: create submission: body is missing or not valid JSON: %w", ErrInvalid)
	case len(s.IdempotencyKey) > MaxIdempotencyKeyLen:
		return Submission{}, false, fmt.Errorf("store: create submission: idempotency key longer than %d bytes: %w", MaxIdempotencyKeyLen, ErrInvalid)
	}
	if tx.d.postgres() {
		// Lock the incident first: writers of its chains queue up here.
		var orgID string
		err := tx.queryRow(ctx, `SELECT organisation_id FROM incidents WHERE id = ? AND organisation_id = ?`+tx.d.forUpdate(),
			s.IncidentID, s.OrganisationID).Scan(&orgID)
		if err != nil {
			return Submission{}, false, fmt.Errorf("store: create submission: incident %s: %w", s.IncidentID, notFound(err))
		}
	}
	sum := sha256.Sum256(s.Body)
	s.SHA256 = hex.EncodeToString(sum[:])
	s.ID = newID()
	s.SubmittedAt = now()
	if !s.DueAt.IsZero() {
		s.DueAt = storedTime(s.DueAt)
	}
	var onTime any
	if s.OnTime != nil {
		v := *s.OnTime
		s.OnTime, onTime = &v, v
	}
	// One statement in the usual case: the head of the report's chain is
	// looked up as the row is inserted, the foreign key checks that the
	// incident belongs to the organisation, and a used idempotency key
	// inserts nothing (then the checks below say why).
	var supersedes sql.NullString
	err = tx.queryRow(ctx, `
		INSERT INTO submissions (id, incident_id, organisation_id, report, body, sha256, submitted_at,
			submitted_by, due_at, on_time, supersedes_id, idempotency_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			(SELECT s.id FROM submissions s WHERE s.incident_id = ? AND s.report = ? AND `+chainHead+`), ?)
		ON CONFLICT (organisation_id, idempotency_key) DO NOTHING
		RETURNING supersedes_id`,
		s.ID, s.IncidentID, s.OrganisationID, s.Report, string(s.Body), s.SHA256, s.SubmittedAt,
		s.SubmittedBy, nullTime(s.DueAt), onTime, s.IncidentID, s.Report, nullString(s.IdempotencyKey)).Scan(&supersedes)
	switch {
	case err == nil:
		s.SupersedesID = supersedes.String
		return s, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		err = classify(err)
		if errors.Is(err, ErrNotFound) { // the foreign key to the incident
			return Submission{}, false, fmt.Errorf("store: create submission: incident %s: %w", s.IncidentID, err)
		}
		return Submission{}, false, fmt.Errorf("store: create submission: %w", err)
	}
	// The idempotency key was used before: by this request (a retry) or by
	// another one. An incident that is not the organisation's is not found
	// either way.
	var orgID string
	err = tx.queryRow(ctx, `SELECT organisation_id FROM incidents WHERE id = ? AND organisation_id = ?`,
		s.IncidentID, s.OrganisationID).Scan(&orgID)
	if err != nil {
		return Submission{}, false, fmt.Errorf("store: create submission: incident %s: %w", s.IncidentID, notFound(err))
	}
	prev, err := lookupSubmissionByKey(ctx, tx.conn, s.OrganisationID, s.IdempotencyKey)
	if err != nil {
		return Submission{}, false, err
	}
	if prev.IncidentID != s.IncidentID || prev.Report != s.Report || prev.SHA256 != s.SHA256 {
		return Submission{}, false, fmt.Errorf("store: create submission: idempotency key was used for a different request: %w", ErrConflict)
	}
	return prev, false, nil
}

// CreateSubmission stores a submission in its own transaction; see
// (*Tx).CreateSubmission.
func (db *DB) CreateSubmission(ctx context.Context, s Submission) (_ Submission, created bool, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		s, created, err = tx.CreateSubmission(ctx, s)
		return err
	})
	if err != nil {
		return Submission{}, false, err
	}
	return s, created, nil
}

const submissionColumns = `id, incident_id, organisation_id, report, body, sha256, submitted_at,
	submitted_by, due_at, on_time, supersedes_id, idempotency_key`

func scanSubmission(row scanner) (Submission, error) {
	var (
		s              Submission
		body           string
		onTime         sql.NullBool
		supersedes, ik sql.NullString
	)
	err := row.Scan(&s.ID, &s.IncidentID, &s.OrganisationID, &s.Report, &body, &s.SHA256, scanTime(&s.SubmittedAt),
		&s.SubmittedBy, scanTime(&s.DueAt), &onTime, &supersedes, &ik)
	if err != nil {
		return Submission{}, err
	}
	s.Body = json.RawMessage(body)
	if onTime.Valid {
		s.OnTime = &onTime.Bool
	}
	s.SupersedesID, s.IdempotencyKey = supersedes.String, ik.String
	return s, nil
}

// GetSubmission returns the submission with the given id, whichever
// organisation made it — for the authority. Use GetSubmissionForOrg on
// behalf of an entity.
func (db *DB) GetSubmission(ctx context.Context, id string) (Submission, error) {
	s, err := scanSubmission(db.reader().queryRow(ctx, `SELECT `+submissionColumns+` FROM submissions WHERE id = ?`, id))
	if err != nil {
		return Submission{}, fmt.Errorf("store: get submission %s: %w", id, notFound(err))
	}
	return s, nil
}

// GetSubmissionForOrg returns the submission with the given id if orgID
// made it. Another organisation's submission is ErrNotFound, like one that
// does not exist.
func (db *DB) GetSubmissionForOrg(ctx context.Context, orgID, id string) (Submission, error) {
	s, err := scanSubmission(db.reader().queryRow(ctx,
		`SELECT `+submissionColumns+` FROM submissions WHERE id = ? AND organisation_id = ?`, id, orgID))
	if err != nil {
		return Submission{}, fmt.Errorf("store: get submission %s: %w", id, notFound(err))
	}
	return s, nil
}

func lookupSubmissionByKey(ctx context.Context, c conn, orgID, key string) (Submission, error) {
	s, err := scanSubmission(c.queryRow(ctx,
		`SELECT `+submissionColumns+` FROM submissions WHERE organisation_id = ? AND idempotency_key = ?`, orgID, key))
	if err != nil {
		return Submission{}, fmt.Errorf("store: look up submission by idempotency key: %w", notFound(err))
	}
	return s, nil
}

// LookupSubmissionByIdempotencyKey returns the organisation's submission
// made with the given idempotency key; ErrNotFound if there is none.
func (db *DB) LookupSubmissionByIdempotencyKey(ctx context.Context, orgID, key string) (Submission, error) {
	if key == "" {
		return Submission{}, fmt.Errorf("store: look up submission by idempotency key: empty key: %w", ErrNotFound)
	}
	return lookupSubmissionByKey(ctx, db.reader(), orgID, key)
}

// ListSubmissions returns an incident's submissions, oldest first.
func (db *DB) ListSubmissions(ctx context.Context, incidentID string, p Page) ([]Submission, error) {
	limit, offset := p.bounds()
	out, err := queryAll(ctx, db.reader(), scanSubmission, `
		SELECT `+submissionColumns+` FROM submissions WHERE incident_id = ?
		ORDER BY submitted_at, id`+db.d.limitOffset(), incidentID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: list submissions: %w", err)
	}
	return out, nil
}

// chainHead completes a query of the submissions s of one incident and
// report: the one no submission supersedes, the head of the report's
// chain (there is exactly one per incident and report that has any).
// Looking from the newest down finds it at once, however long the chain:
// a submission is stamped later than the one it supersedes, unless the
// clock went back.
const chainHead = `NOT EXISTS (SELECT 1 FROM submissions n WHERE n.supersedes_id = s.id)
	ORDER BY s.submitted_at DESC, s.id DESC LIMIT 1`

// latestQuery selects the head of each of an incident's chains. The
// chain's first submission (supersedes_id NULL, in the submissions_first
// index) names the report. SQLite, without statistics, would look for
// the first submissions through the supersedes_id index: among those of
// every incident.
func (d dialect) latestQuery() string {
	return `SELECT ` + qualify("h", submissionColumns) + `
		FROM submissions f` + d.indexedBy("submissions_first") + `
		JOIN submissions h ON h.id = (
			SELECT s.id FROM submissions s WHERE s.incident_id = f.incident_id AND s.report = f.report AND ` + chainHead + `)
		WHERE f.incident_id = ? AND f.supersedes_id IS NULL`
}

// latestQueries holds latestQuery by dialect.
var latestQueries = map[dialect]string{sqliteDialect: sqliteDialect.latestQuery(), postgresDialect: postgresDialect.latestQuery()}

func latestSubmissions(ctx context.Context, c conn, incidentID string) (map[string]Submission, error) {
	list, err := queryAll(ctx, c, scanSubmission, latestQueries[c.d], incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: latest submissions: %w", err)
	}
	out := make(map[string]Submission, len(list))
	for _, s := range list {
		out[s.Report] = s
	}
	return out, nil
}

// LatestSubmissions returns the latest submission of each report of the
// incident, by report id. An incident without submissions (or an unknown
// one) gives an empty map.
func (db *DB) LatestSubmissions(ctx context.Context, incidentID string) (map[string]Submission, error) {
	return latestSubmissions(ctx, db.reader(), incidentID)
}

// LatestSubmissions is (*DB).LatestSubmissions inside the transaction.
func (tx *Tx) LatestSubmissions(ctx context.Context, incidentID string) (map[string]Submission, error) {
	return latestSubmissions(ctx, tx.conn, incidentID)
}
