package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// JobState is where a background job is in its life.
type JobState string

const (
	JobQueued    JobState = "queued"    // waiting to run, running, or waiting to be retried
	JobDone      JobState = "done"      // completed by a worker
	JobFailed    JobState = "failed"    // gave up after MaxAttempts
	JobCancelled JobState = "cancelled" // cancelled before it completed
)

// DefaultMaxAttempts is how often a job is tried unless EnqueueJob is told
// otherwise.
const DefaultMaxAttempts = 5

// maxJobError bounds the stored text of a job's last error.
const maxJobError = 4000

// Job is a unit of background work (a deadline reminder, an e-mail, …)
// kept in the database, so that it survives restarts and is run once by
// one of several replicas sharing the database.
//
// A worker claims jobs with ClaimJobs, which leases each to it until
// LockedUntil; it then completes the job with CompleteJob or reports a
// failure with FailJob. A job whose lease expires before either — its
// worker crashed or hung — can be claimed again. Attempts counts claims,
// so a job that keeps killing its worker still runs out of attempts.
type Job struct {
	ID   int64
	Kind string // what the job does, e.g. "reminder"; chosen by the caller
	// DedupeKey, if not empty, is unique among all jobs ever enqueued:
	// enqueueing a job with a key already used returns the existing job.
	DedupeKey   string
	State       JobState
	RunAt       time.Time       // not to be claimed before
	Payload     json.RawMessage // JSON, opaque to the store
	Attempts    int             // claims so far
	MaxAttempts int
	LockedBy    string    // the worker that holds or last held the job
	LockedUntil time.Time // end of the current lease; zero when not leased
	DoneAt      time.Time // when the job was done, failed or cancelled
	LastError   string
	CreatedAt   time.Time
}

// EnqueueJob adds j to the queue and returns it with ID, State and
// CreatedAt set and created true. A zero RunAt is now, a zero MaxAttempts
// DefaultMaxAttempts and empty Payload {}. If a job with j.DedupeKey
// exists, nothing is added and that job is returned with created false,
// whatever its state.
func (tx *Tx) EnqueueJob(ctx context.Context, j Job) (_ Job, created bool, err error) {
	ts := now()
	if j, err = j.withDefaults(ts); err != nil {
		return Job{}, false, err
	}
	// ON CONFLICT DO NOTHING waits for a concurrent transaction inserting
	// the same key; the SELECT below then sees its row (PostgreSQL's READ
	// COMMITTED takes a new snapshot for each statement).
	out, err := scanJob(tx.queryRow(ctx, `
		INSERT INTO jobs (kind, dedupe_key, state, run_at, payload, attempts, max_attempts, created_at)
		VALUES (?, ?, ?, ?, ?, 0, ?, ?)
		ON CONFLICT (dedupe_key) DO NOTHING
		RETURNING `+jobColumns,
		j.Kind, nullString(j.DedupeKey), string(JobQueued), j.RunAt, string(j.Payload), j.MaxAttempts, ts))
	if err == nil {
		return out, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Job{}, false, fmt.Errorf("store: enqueue job %s: %w", j.Kind, classify(err))
	}
	out, err = scanJob(tx.queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE dedupe_key = ?`, j.DedupeKey))
	if err != nil {
		return Job{}, false, fmt.Errorf("store: enqueue job %s: existing job: %w", j.Kind, err)
	}
	return out, false, nil
}

// withDefaults checks a job to enqueue and fills in the defaults
// EnqueueJob documents, with ts as now.
func (j Job) withDefaults(ts time.Time) (Job, error) {
	if j.Kind == "" {
		return Job{}, fmt.Errorf("store: enqueue job: kind is required: %w", ErrInvalid)
	}
	if len(j.Payload) == 0 {
		j.Payload = json.RawMessage("{}")
	}
	if !validJSON(j.Payload) {
		return Job{}, fmt.Errorf("store: enqueue job %s: payload is not valid JSON: %w", j.Kind, ErrInvalid)
	}
	if j.MaxAttempts == 0 {
		j.MaxAttempts = DefaultMaxAttempts
	}
	if j.RunAt.IsZero() {
		j.RunAt = ts
	}
	return j, nil
}

// EnqueueJobs adds jobs to the queue as EnqueueJob does, in one
// statement, without reading them back: it returns how many it added. A
// job whose DedupeKey is in use, or used by an earlier job of the same
// call, is not added.
func (tx *Tx) EnqueueJobs(ctx context.Context, jobs ...Job) (added int64, err error) {
	if len(jobs) == 0 {
		return 0, nil
	}
	ts := now()
	args := make([]any, 0, 7*len(jobs))
	for _, j := range jobs {
		if j, err = j.withDefaults(ts); err != nil {
			return 0, err
		}
		args = append(args, j.Kind, nullString(j.DedupeKey), string(JobQueued), j.RunAt, string(j.Payload), j.MaxAttempts, ts)
	}
	rows := strings.Repeat(", (?, ?, ?, ?, ?, 0, ?, ?)", len(jobs))[2:]
	res, err := tx.exec(ctx, `
		INSERT INTO jobs (kind, dedupe_key, state, run_at, payload, attempts, max_attempts, created_at)
		VALUES `+rows+`
		ON CONFLICT (dedupe_key) DO NOTHING`, args...)
	if err != nil {
		return 0, fmt.Errorf("store: enqueue %d jobs: %w", len(jobs), classify(err))
	}
	if added, err = res.RowsAffected(); err != nil {
		return 0, fmt.Errorf("store: enqueue %d jobs: %w", len(jobs), err)
	}
	return added, nil
}

// EnqueueJob adds a job in its own transaction; see (*Tx).EnqueueJob.
func (db *DB) EnqueueJob(ctx context.Context, j Job) (_ Job, created bool, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		j, created, err = tx.EnqueueJob(ctx, j)
		return err
	})
	if err != nil {
		return Job{}, false, err
	}
	return j, created, nil
}

const jobColumns = `id, kind, dedupe_key, state, run_at, payload, attempts, max_attempts,
	locked_by, locked_until, done_at, last_error, created_at`

func scanJob(row scanner) (Job, error) {
	var (
		j                Job
		dedupe, lockedBy sql.NullString
		state, payload   string
	)
	err := row.Scan(&j.ID, &j.Kind, &dedupe, &state, scanTime(&j.RunAt), &payload, &j.Attempts, &j.MaxAttempts,
		&lockedBy, scanTime(&j.LockedUntil), scanTime(&j.DoneAt), &j.LastError, scanTime(&j.CreatedAt))
	if err != nil {
		return Job{}, err
	}
	j.DedupeKey, j.LockedBy = dedupe.String, lockedBy.String
	j.State, j.Payload = JobState(state), json.RawMessage(payload)
	return j, nil
}

// GetJob returns the job with the given id.
func (db *DB) GetJob(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(db.reader().queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if err != nil {
		return Job{}, fmt.Errorf("store: get job %d: %w", id, notFound(err))
	}
	return j, nil
}

// ClaimJobs leases up to limit queued jobs (at most MaxPageSize) that are
// due at the instant at and not leased (or whose lease expired by then) to
// worker until at+lease, counting an attempt for each, and returns them in
// run_at order. Give every worker a distinct name. Queued jobs whose lease
// expired on their last attempt are marked failed instead of being
// returned.
//
// Several processes may claim from one PostgreSQL database at once: the
// rows are selected FOR UPDATE SKIP LOCKED, so each job goes to one worker.
// On SQLite the write transaction is exclusive.
func (db *DB) ClaimJobs(ctx context.Context, worker string, at time.Time, limit int, lease time.Duration) ([]Job, error) {
	if worker == "" || lease <= 0 {
		return nil, fmt.Errorf("store: claim jobs: want a worker name and a positive lease: %w", ErrInvalid)
	}
	limit, _ = Page{Limit: limit}.bounds()
	at = storedTime(at)
	var claimed []Job
	err := db.Transact(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `
			SELECT id, attempts, max_attempts FROM jobs
			WHERE state = ? AND run_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
			ORDER BY run_at, id`+tx.d.limit()+tx.d.skipLocked(),
			string(JobQueued), at, at, limit)
		if err != nil {
			return err
		}
		var take, exhausted []any
		for rows.Next() {
			var (
				id                    int64
				attempts, maxAttempts int
			)
			if err := rows.Scan(&id, &attempts, &maxAttempts); err != nil {
				rows.Close()
				return err
			}
			if attempts >= maxAttempts {
				exhausted = append(exhausted, id)
			} else {
				take = append(take, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(exhausted) > 0 {
			args := append([]any{string(JobFailed), at, "lease expired during the last attempt"}, exhausted...)
			_, err := tx.exec(ctx, `
				UPDATE jobs SET state = ?, done_at = ?, locked_until = NULL, last_error = ?
				WHERE id IN (`+placeholders(len(exhausted))+`)`, args...)
			if err != nil {
				return err
			}
		}
		if len(take) == 0 {
			return nil
		}
		args := append([]any{worker, at.Add(lease)}, take...)
		claimed, err = queryAll(ctx, tx.conn, scanJob, `
			UPDATE jobs SET locked_by = ?, locked_until = ?, attempts = attempts + 1
			WHERE id IN (`+placeholders(len(take))+`)
			RETURNING `+jobColumns, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	slices.SortFunc(claimed, func(a, b Job) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return claimed, nil
}

// heldJob locks the job's row and checks that worker holds it: an unknown
// job is ErrNotFound; one that is not queued or is leased to another worker
// (its lease expired and it was claimed again, or it was cancelled) is
// ErrConflict.
func (tx *Tx) heldJob(ctx context.Context, id int64, worker string) (attempts, maxAttempts int, err error) {
	var (
		state    string
		lockedBy sql.NullString
	)
	err = tx.queryRow(ctx, `SELECT state, locked_by, attempts, max_attempts FROM jobs WHERE id = ?`+tx.d.forUpdate(), id).
		Scan(&state, &lockedBy, &attempts, &maxAttempts)
	if err != nil {
		return 0, 0, notFound(err)
	}
	if JobState(state) != JobQueued || lockedBy.String != worker || worker == "" {
		return 0, 0, fmt.Errorf("%w: job is %s and held by %q, not %q", ErrConflict, state, lockedBy.String, worker)
	}
	return attempts, maxAttempts, nil
}

// CompleteJob marks the job done. Only the worker holding the job may
// complete it: see heldJob for the errors. Complete the job in the
// transaction that records its effect, and the effect happens once.
func (tx *Tx) CompleteJob(ctx context.Context, id int64, worker string) error {
	if _, _, err := tx.heldJob(ctx, id, worker); err != nil {
		return fmt.Errorf("store: complete job %d: %w", id, err)
	}
	_, err := tx.exec(ctx, `UPDATE jobs SET state = ?, done_at = ?, locked_until = NULL WHERE id = ?`,
		string(JobDone), now(), id)
	if err != nil {
		return fmt.Errorf("store: complete job %d: %w", id, err)
	}
	return nil
}

// CompleteJob marks a job done in its own transaction; see
// (*Tx).CompleteJob.
func (db *DB) CompleteJob(ctx context.Context, id int64, worker string) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.CompleteJob(ctx, id, worker) })
}

// FailJob records that worker's attempt at the job failed with cause. If
// attempts remain, the job is released to run again at retryAt (zero: at
// once); otherwise it is marked failed. It returns the job as stored. Only
// the worker holding the job may fail it: see heldJob for the errors.
func (tx *Tx) FailJob(ctx context.Context, id int64, worker string, cause error, retryAt time.Time) (Job, error) {
	attempts, maxAttempts, err := tx.heldJob(ctx, id, worker)
	if err != nil {
		return Job{}, fmt.Errorf("store: fail job %d: %w", id, err)
	}
	msg := "failed"
	if cause != nil {
		msg = truncateUTF8(cause.Error(), maxJobError)
	}
	var row *sql.Row
	if attempts >= maxAttempts {
		row = tx.queryRow(ctx, `
			UPDATE jobs SET state = ?, done_at = ?, locked_until = NULL, last_error = ?
			WHERE id = ? RETURNING `+jobColumns, string(JobFailed), now(), msg, id)
	} else {
		if retryAt.IsZero() {
			retryAt = now()
		}
		row = tx.queryRow(ctx, `
			UPDATE jobs SET run_at = ?, locked_by = NULL, locked_until = NULL, last_error = ?
			WHERE id = ? RETURNING `+jobColumns, retryAt, msg, id)
	}
	j, err := scanJob(row)
	if err != nil {
		return Job{}, fmt.Errorf("store: fail job %d: %w", id, err)
	}
	return j, nil
}

// FailJob records a failed attempt in its own transaction; see
// (*Tx).FailJob.
func (db *DB) FailJob(ctx context.Context, id int64, worker string, cause error, retryAt time.Time) (Job, error) {
	return transact(ctx, db, func(tx *Tx) (Job, error) { return tx.FailJob(ctx, id, worker, cause, retryAt) })
}

// CancelJobs cancels every queued job whose DedupeKey starts with prefix
// (compared exactly, case and all) and returns how many it cancelled — for
// example the reminders of a report that has just been submitted. A
// cancelled job that a worker is running can no longer be completed or
// failed (ErrConflict): complete jobs in the transaction that records
// their effect, and a cancelled job's effect is rolled back. An empty
// prefix is ErrInvalid.
func (tx *Tx) CancelJobs(ctx context.Context, prefix string) (int64, error) {
	if prefix == "" {
		return 0, fmt.Errorf("store: cancel jobs: empty prefix: %w", ErrInvalid)
	}
	// substr and length count characters on both dialects; LIKE would need
	// escaping and ignores ASCII case on SQLite. Where the keys sort byte
	// by byte, the same condition as a range lets the dedupe_key index
	// find the rows instead of a scan of the whole table. The state is
	// written out: SQLite prepares a statement again on every run when
	// the value bound to a parameter decides whether a partial index
	// (jobs_queued) applies.
	q := `UPDATE jobs SET state = ?, done_at = ?, locked_until = NULL
		WHERE state = '` + string(JobQueued) + `' AND substr(dedupe_key, 1, ?) = ?`
	args := []any{string(JobCancelled), now(), utf8.RuneCountInString(prefix), prefix}
	if hi, ok := tx.d.prefixEnd(prefix); ok {
		q += ` AND dedupe_key >= ? AND dedupe_key < ?`
		args = append(args, prefix, hi)
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("store: cancel jobs %q: %w", prefix, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: cancel jobs %q: %w", prefix, err)
	}
	return n, nil
}

// CancelJobs cancels jobs in its own transaction; see (*Tx).CancelJobs.
func (db *DB) CancelJobs(ctx context.Context, prefix string) (int64, error) {
	return transact(ctx, db, func(tx *Tx) (int64, error) { return tx.CancelJobs(ctx, prefix) })
}

// truncateUTF8 shortens s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
