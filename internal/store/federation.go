package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Incidents shared with audiences, indicators of incidents, the outbox of
// deliveries to peers and the checkpoints of pulls from peers. See
// docs/federation-design.md and migration 0004.

// neverSynced is synced_at of a share none of whose changes has been
// synced yet: earlier than any change. Share.SyncedAt reads it as zero.
var neverSynced = time.Unix(0, 0).UTC()

// Share is an incident shared with an audience: "network", "public",
// "group:<name>" or "peer:<name>".
type Share struct {
	IncidentID   string
	Audience     string
	CollectionID string // the audience's collection
	SharedBy     string // user id
	SharedAt     time.Time
	RevokedBy    string
	RevokedAt    time.Time // zero: the share is active
	// SyncedAt is the latest change of the incident (see
	// IncidentChangedAt) that its objects in the collection reflect; zero:
	// none yet.
	SyncedAt time.Time
}

// validAudience reports whether a is an audience of a share.
func validAudience(a string) bool {
	switch a {
	case AudienceNetwork, AudiencePublic:
		return true
	}
	kind, name, ok := strings.Cut(a, ":")
	return ok && name != "" && (kind == AudienceGroup || kind == AudiencePeer)
}

const shareColumns = `incident_id, audience, collection_id, shared_by, shared_at, revoked_by, revoked_at, synced_at`

func scanShare(row scanner) (Share, error) {
	var (
		s         Share
		revokedBy sql.NullString
	)
	err := row.Scan(&s.IncidentID, &s.Audience, &s.CollectionID, &s.SharedBy, scanTime(&s.SharedAt),
		&revokedBy, scanTime(&s.RevokedAt), scanTime(&s.SyncedAt))
	s.RevokedBy = revokedBy.String
	if s.SyncedAt.Equal(neverSynced) {
		s.SyncedAt = time.Time{}
	}
	return s, err
}

// PutShare shares an incident with an audience: it stores s, or
// re-activates the revoked share of the same incident and audience (with
// s's collection, sharer, times, and RevokedBy and RevokedAt cleared), and
// reports true; if the share is active already, it returns it unchanged
// and false. A zero SharedAt is now; a zero SyncedAt means that nothing is
// synced yet, so SharesToSync returns the share. It takes the incident's
// lock (see LockIncident).
//
// An unknown incident or collection is ErrNotFound; a missing incident,
// collection or sharer, or an audience other than "network", "public",
// "group:<name>" and "peer:<name>", ErrInvalid.
func (tx *Tx) PutShare(ctx context.Context, s Share) (Share, bool, error) {
	switch {
	case s.IncidentID == "" || s.CollectionID == "" || s.SharedBy == "":
		return Share{}, false, fmt.Errorf("store: put share: incident, collection and sharer are required: %w", ErrInvalid)
	case !validAudience(s.Audience):
		return Share{}, false, fmt.Errorf("store: put share of %s: audience %q: %w", s.IncidentID, s.Audience, ErrInvalid)
	}
	if err := tx.LockIncident(ctx, s.IncidentID); err != nil {
		return Share{}, false, fmt.Errorf("store: put share: %w", err)
	}
	if s.SharedAt.IsZero() {
		s.SharedAt = now()
	}
	synced := s.SyncedAt
	if synced.IsZero() {
		synced = neverSynced
	}
	out, err := scanShare(tx.queryRow(ctx, `
		INSERT INTO incident_shares (incident_id, audience, collection_id, shared_by, shared_at, synced_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (incident_id, audience) DO UPDATE SET
			collection_id = excluded.collection_id, shared_by = excluded.shared_by, shared_at = excluded.shared_at,
			revoked_by = NULL, revoked_at = NULL, synced_at = excluded.synced_at
		WHERE incident_shares.revoked_at IS NOT NULL
		RETURNING `+shareColumns,
		s.IncidentID, s.Audience, s.CollectionID, s.SharedBy, s.SharedAt, synced))
	if err == nil {
		return out, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Share{}, false, fmt.Errorf("store: put share of %s with %s: %w", s.IncidentID, s.Audience, classify(err))
	}
	out, err = scanShare(tx.queryRow(ctx, `SELECT `+shareColumns+` FROM incident_shares
		WHERE incident_id = ? AND audience = ?`, s.IncidentID, s.Audience))
	if err != nil {
		return Share{}, false, fmt.Errorf("store: put share of %s with %s: active share: %w", s.IncidentID, s.Audience, err)
	}
	return out, false, nil
}

// PutShare shares an incident in its own transaction; see (*Tx).PutShare.
func (db *DB) PutShare(ctx context.Context, s Share) (Share, bool, error) {
	var (
		out     Share
		changed bool
	)
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		out, changed, err = tx.PutShare(ctx, s)
		return err
	})
	return out, changed, err
}

// RevokeShare revokes the active share of an incident with an audience,
// by the user by at the instant at (zero: now), and returns it as stored.
// No active share is ErrNotFound; an empty incident, audience or by
// ErrInvalid. It takes the incident's lock (see LockIncident).
func (tx *Tx) RevokeShare(ctx context.Context, incidentID, audience, by string, at time.Time) (Share, error) {
	if incidentID == "" || audience == "" || by == "" {
		return Share{}, fmt.Errorf("store: revoke share: incident, audience and revoker are required: %w", ErrInvalid)
	}
	if err := tx.LockIncident(ctx, incidentID); err != nil {
		return Share{}, fmt.Errorf("store: revoke share: %w", err)
	}
	if at.IsZero() {
		at = now()
	}
	s, err := scanShare(tx.queryRow(ctx, `
		UPDATE incident_shares SET revoked_by = ?, revoked_at = ?
		WHERE incident_id = ? AND audience = ? AND revoked_at IS NULL
		RETURNING `+shareColumns, by, at, incidentID, audience))
	if err != nil {
		return Share{}, fmt.Errorf("store: revoke share of %s with %s: %w", incidentID, audience, notFound(err))
	}
	return s, nil
}

// RevokeShare revokes a share in its own transaction; see
// (*Tx).RevokeShare.
func (db *DB) RevokeShare(ctx context.Context, incidentID, audience, by string, at time.Time) (Share, error) {
	return transact(ctx, db, func(tx *Tx) (Share, error) { return tx.RevokeShare(ctx, incidentID, audience, by, at) })
}

// ListShares returns the shares of an incident, active and revoked, in
// the order they were shared.
func (db *DB) ListShares(ctx context.Context, incidentID string) ([]Share, error) {
	out, err := queryAll(ctx, db.reader(), scanShare, `SELECT `+shareColumns+` FROM incident_shares
		WHERE incident_id = ? ORDER BY shared_at, audience`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: list shares of %s: %w", incidentID, err)
	}
	return out, nil
}

// MarkShareSynced records that the share's objects reflect the incident's
// changes up to at: pass the IncidentChangedAt read before making them. An
// unknown share is ErrNotFound.
func (tx *Tx) MarkShareSynced(ctx context.Context, incidentID, audience string, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("store: mark share of %s with %s synced: zero time: %w", incidentID, audience, ErrInvalid)
	}
	res, err := tx.exec(ctx, `UPDATE incident_shares SET synced_at = ? WHERE incident_id = ? AND audience = ?`,
		at, incidentID, audience)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("store: mark share of %s with %s synced: %w", incidentID, audience, err)
	}
	return nil
}

// MarkShareSynced records a sync in its own transaction; see
// (*Tx).MarkShareSynced.
func (db *DB) MarkShareSynced(ctx context.Context, incidentID, audience string, at time.Time) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.MarkShareSynced(ctx, incidentID, audience, at) })
}

// changedAfter is the condition that the incident of share s changed
// after its synced_at (see IncidentChangedAt); i is the incident.
const changedAfter = `(i.updated_at > s.synced_at
	OR EXISTS (SELECT 1 FROM submissions u WHERE u.incident_id = s.incident_id AND u.submitted_at > s.synced_at)
	OR EXISTS (SELECT 1 FROM incident_events e
		WHERE e.incident_id = s.incident_id AND e.at > s.synced_at AND e.kind = 'note')
	OR EXISTS (SELECT 1 FROM incident_indicators n WHERE n.incident_id = s.incident_id AND n.created_at > s.synced_at))`

// SharesToSync returns up to limit (> 0, at most MaxObjectLimit) active
// shares whose incident changed after their SyncedAt — its updated_at, a
// submission's submitted_at, a note's at or an indicator's created_at is
// later — those synced longest ago first.
func (db *DB) SharesToSync(ctx context.Context, limit int) ([]Share, error) {
	limit, err := objectLimit(limit)
	if err != nil {
		return nil, fmt.Errorf("store: shares to sync: %w", err)
	}
	out, err := queryAll(ctx, db.reader(), scanShare, `SELECT `+qualify("s", shareColumns)+`
		FROM incident_shares s JOIN incidents i ON i.id = s.incident_id
		WHERE s.revoked_at IS NULL AND `+changedAfter+`
		ORDER BY s.synced_at, s.incident_id, s.audience`+db.d.limit(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: shares to sync: %w", err)
	}
	return out, nil
}

// IncidentChangedAt returns the latest change of an incident that its
// shares reflect: the latest of its updated_at, its submissions'
// submitted_at, its notes' at and its indicators' created_at. An unknown
// incident is ErrNotFound.
func (db *DB) IncidentChangedAt(ctx context.Context, incidentID string) (time.Time, error) {
	var updated, submitted, noted, indicated time.Time
	err := db.reader().queryRow(ctx, `
		SELECT i.updated_at,
			(SELECT max(u.submitted_at) FROM submissions u WHERE u.incident_id = i.id),
			(SELECT max(e.at) FROM incident_events e WHERE e.incident_id = i.id AND e.kind = 'note'),
			(SELECT max(n.created_at) FROM incident_indicators n WHERE n.incident_id = i.id)
		FROM incidents i WHERE i.id = ?`, incidentID).
		Scan(scanTime(&updated), scanTime(&submitted), scanTime(&noted), scanTime(&indicated))
	if err != nil {
		return time.Time{}, fmt.Errorf("store: incident %s changed at: %w", incidentID, notFound(err))
	}
	latest := updated
	for _, t := range []time.Time{submitted, noted, indicated} {
		if t.After(latest) {
			latest = t
		}
	}
	return latest, nil
}

// Indicator is an indicator of compromise attached to an incident.
type Indicator struct {
	ID          string
	IncidentID  string
	Name        string
	Pattern     string // e.g. a STIX pattern
	PatternType string // "stix" unless said otherwise
	ValidFrom   time.Time
	CreatedBy   string // user id
	CreatedAt   time.Time
}

const indicatorColumns = `id, incident_id, name, pattern, pattern_type, valid_from, created_by, created_at`

func scanIndicator(row scanner) (Indicator, error) {
	var in Indicator
	err := row.Scan(&in.ID, &in.IncidentID, &in.Name, &in.Pattern, &in.PatternType,
		scanTime(&in.ValidFrom), &in.CreatedBy, scanTime(&in.CreatedAt))
	return in, err
}

// AddIndicator attaches an indicator to its incident and returns it with
// ID and CreatedAt set. An empty PatternType is "stix" and a zero
// ValidFrom CreatedAt. It takes the incident's lock (see LockIncident).
// An unknown incident is ErrNotFound; a missing incident, pattern or
// creator ErrInvalid.
func (tx *Tx) AddIndicator(ctx context.Context, in Indicator) (Indicator, error) {
	if in.IncidentID == "" || in.Pattern == "" || in.CreatedBy == "" {
		return Indicator{}, fmt.Errorf("store: add indicator: incident, pattern and creator are required: %w", ErrInvalid)
	}
	if err := tx.LockIncident(ctx, in.IncidentID); err != nil {
		return Indicator{}, fmt.Errorf("store: add indicator: %w", err)
	}
	if in.PatternType == "" {
		in.PatternType = "stix"
	}
	in.ID = newID()
	in.CreatedAt = now()
	if in.ValidFrom.IsZero() {
		in.ValidFrom = in.CreatedAt
	}
	in.ValidFrom = storedTime(in.ValidFrom)
	_, err := tx.exec(ctx, `INSERT INTO incident_indicators (`+indicatorColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		in.ID, in.IncidentID, in.Name, in.Pattern, in.PatternType, in.ValidFrom, in.CreatedBy, in.CreatedAt)
	if err != nil {
		return Indicator{}, fmt.Errorf("store: add indicator to %s: %w", in.IncidentID, classify(err))
	}
	return in, nil
}

// AddIndicator attaches an indicator in its own transaction; see
// (*Tx).AddIndicator.
func (db *DB) AddIndicator(ctx context.Context, in Indicator) (Indicator, error) {
	return transact(ctx, db, func(tx *Tx) (Indicator, error) { return tx.AddIndicator(ctx, in) })
}

// ListIndicators returns the indicators of an incident, oldest first.
func (db *DB) ListIndicators(ctx context.Context, incidentID string) ([]Indicator, error) {
	out, err := queryAll(ctx, db.reader(), scanIndicator, `SELECT `+indicatorColumns+` FROM incident_indicators
		WHERE incident_id = ? ORDER BY created_at, id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: list indicators of %s: %w", incidentID, err)
	}
	return out, nil
}

// Delivery states.
const (
	DeliveryPending   = "pending"   // to push, now or at NextAttemptAt
	DeliveryDelivered = "delivered" // the peer accepted it
	DeliveryRejected  = "rejected"  // the peer refused it; final
)

// maxDeliveryError bounds the stored text of a delivery's last error.
const maxDeliveryError = 4000

// Delivery is an object version to push to a peer: a row of the outbox.
type Delivery struct {
	ID                    int64
	Peer                  string
	Seq                   int64  // the stix_objects row
	StixID, Version, Type string // of the stix_objects row
	State                 string // DeliveryPending, DeliveryDelivered or DeliveryRejected
	Attempts              int    // failed pushes so far
	NextAttemptAt         time.Time
	CreatedAt             time.Time
	DeliveredAt           time.Time       // zero unless delivered
	LastError             string          // of the last failed push, or why the peer rejected it
	Body                  json.RawMessage // the object; set by ClaimDeliveries only
}

const deliveryColumns = `d.id, d.peer, d.seq, o.stix_id, o.version, o.type, d.state, d.attempts,
	d.next_attempt_at, d.created_at, d.delivered_at, d.last_error`

// scanDelivery scans deliveryColumns followed by extra.
func scanDelivery(row scanner, extra ...any) (Delivery, error) {
	var d Delivery
	err := row.Scan(append([]any{&d.ID, &d.Peer, &d.Seq, &d.StixID, &d.Version, &d.Type, &d.State, &d.Attempts,
		scanTime(&d.NextAttemptAt), scanTime(&d.CreatedAt), scanTime(&d.DeliveredAt), &d.LastError}, extra...)...)
	return d, err
}

func scanDeliveryWithBody(row scanner) (Delivery, error) {
	var body string
	d, err := scanDelivery(row, &body)
	d.Body = json.RawMessage(body)
	return d, err
}

// EnqueueDeliveries adds a pending delivery to peer of each object row
// in seqs, due at the instant at (zero: now), and returns how many it
// added: a row already in peer's outbox, whatever its state, is not added
// again. An unknown row is ErrNotFound; an empty peer ErrInvalid.
func (tx *Tx) EnqueueDeliveries(ctx context.Context, peer string, seqs []int64, at time.Time) (int64, error) {
	if peer == "" {
		return 0, fmt.Errorf("store: enqueue deliveries: peer is required: %w", ErrInvalid)
	}
	if len(seqs) == 0 {
		return 0, nil
	}
	if at.IsZero() {
		at = now()
	}
	c, list := tx.d.inInts(`o.seq`, seqs)
	res, err := tx.exec(ctx, `
		INSERT INTO deliveries (peer, seq, state, attempts, next_attempt_at, created_at)
		SELECT ?, o.seq, 'pending', 0, ?, ? FROM stix_objects o WHERE `+c+` ORDER BY o.seq
		ON CONFLICT (peer, seq) DO NOTHING`, peer, at, at, list)
	if err != nil {
		return 0, fmt.Errorf("store: enqueue deliveries to %s: %w", peer, classify(err))
	}
	added, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: enqueue deliveries to %s: %w", peer, err)
	}
	// Rows that do not exist were left out by the join: say so, unless
	// every one was added or already there.
	if int(added) < len(seqs) {
		var n int
		c, list := tx.d.inInts(`seq`, seqs)
		if err := tx.queryRow(ctx, `SELECT count(*) FROM stix_objects WHERE `+c, list).Scan(&n); err != nil {
			return 0, fmt.Errorf("store: enqueue deliveries to %s: %w", peer, err)
		}
		if n < len(distinct(seqs)) {
			return 0, fmt.Errorf("store: enqueue deliveries to %s: %d of the object rows: %w", peer, len(distinct(seqs))-n, ErrNotFound)
		}
	}
	return added, nil
}

// EnqueueDeliveries adds deliveries in its own transaction; see
// (*Tx).EnqueueDeliveries.
func (db *DB) EnqueueDeliveries(ctx context.Context, peer string, seqs []int64, at time.Time) (int64, error) {
	return transact(ctx, db, func(tx *Tx) (int64, error) { return tx.EnqueueDeliveries(ctx, peer, seqs, at) })
}

// distinct returns the distinct values of vs, sorted.
func distinct(vs []int64) []int64 {
	out := slices.Clone(vs)
	slices.Sort(out)
	return slices.Compact(out)
}

// ClaimDeliveries leases to worker, until now+lease, up to limit (> 0, at
// most MaxObjectLimit) pending deliveries to peer that are due at now
// (NextAttemptAt not after it) and not leased (or whose lease has
// expired), and returns them with the objects' bodies, lowest Seq first.
// Finish them with FinishDeliveries; those left unfinished when the lease
// expires can be claimed again. Give every worker a distinct name.
//
// Several processes may claim from one PostgreSQL database at once: the
// rows are selected FOR UPDATE SKIP LOCKED, so each delivery goes to one
// worker. On SQLite the write transaction is exclusive.
func (db *DB) ClaimDeliveries(ctx context.Context, peer, worker string, now time.Time, limit int, lease time.Duration) ([]Delivery, error) {
	if peer == "" || worker == "" || lease <= 0 {
		return nil, fmt.Errorf("store: claim deliveries: want a peer, a worker name and a positive lease: %w", ErrInvalid)
	}
	limit, err := objectLimit(limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim deliveries: %w", err)
	}
	now = storedTime(now)
	var claimed []Delivery
	err = db.Transact(ctx, func(tx *Tx) error {
		claimed = nil
		// The state is written out: see CancelJobs on partial indexes.
		// deliveries_claim is read in seq order up to the limit; SQLite,
		// lacking statistics, would read and sort all of the peer's due
		// deliveries along deliveries_pending instead.
		ids, err := queryAll(ctx, tx.conn, scanInt64, `
			SELECT id FROM deliveries`+tx.d.indexedBy("deliveries_claim")+`
			WHERE peer = ? AND state = 'pending' AND next_attempt_at <= ?
				AND (locked_until IS NULL OR locked_until <= ?)
			ORDER BY seq`+tx.d.limit()+tx.d.skipLocked(), peer, now, now, limit)
		if err != nil || len(ids) == 0 {
			return err
		}
		c, list := tx.d.inInts(`id`, ids)
		if _, err := tx.exec(ctx, `UPDATE deliveries SET locked_by = ?, locked_until = ? WHERE `+c,
			worker, now.Add(lease), list); err != nil {
			return err
		}
		c, list = tx.d.inInts(`d.id`, ids)
		claimed, err = queryAll(ctx, tx.conn, scanDeliveryWithBody, `SELECT `+deliveryColumns+`, o.body
			FROM deliveries d JOIN stix_objects o ON o.seq = d.seq
			WHERE `+c+` ORDER BY d.seq`, list)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim deliveries to %s: %w", peer, err)
	}
	return claimed, nil
}

func scanInt64(row scanner) (int64, error) {
	var v int64
	err := row.Scan(&v)
	return v, err
}

// FinishDeliveries records the outcome of worker's push at the instant at
// (zero: now): the deliveries delivered are marked delivered; those
// rejected are marked rejected, with the peer's reason as LastError; those
// to retry stay pending with one more attempt, LastError cause and
// NextAttemptAt retryAt (zero: at). Their leases end. Only deliveries
// that are pending and leased to worker change: those whose lease expired
// and that another worker claimed since are left to it. An empty worker,
// or an id in two of the lists, is ErrInvalid.
func (db *DB) FinishDeliveries(ctx context.Context, worker string, at time.Time, delivered []int64, rejected map[int64]string, retry []int64, cause string, retryAt time.Time) error {
	if worker == "" {
		return fmt.Errorf("store: finish deliveries: worker is required: %w", ErrInvalid)
	}
	seen := make(map[int64]bool, len(delivered)+len(rejected)+len(retry))
	for _, ids := range [][]int64{distinct(delivered), slices.Sorted(maps.Keys(rejected)), distinct(retry)} {
		for _, id := range ids {
			if seen[id] {
				return fmt.Errorf("store: finish deliveries: delivery %d has two outcomes: %w", id, ErrInvalid)
			}
			seen[id] = true
		}
	}
	if len(seen) == 0 {
		return nil
	}
	if at.IsZero() {
		at = now()
	}
	if retryAt.IsZero() {
		retryAt = at
	}
	cause = truncateUTF8(cause, maxDeliveryError)
	const held = ` AND state = 'pending' AND locked_by = ?`
	err := db.Transact(ctx, func(tx *Tx) error {
		if len(delivered) > 0 {
			c, list := tx.d.inInts(`id`, delivered)
			if _, err := tx.exec(ctx, `
				UPDATE deliveries SET state = 'delivered', delivered_at = ?, locked_by = NULL, locked_until = NULL
				WHERE `+c+held, at, list, worker); err != nil {
				return err
			}
		}
		// In id order, so that concurrent writers lock rows in one order.
		for _, id := range slices.Sorted(maps.Keys(rejected)) {
			if _, err := tx.exec(ctx, `
				UPDATE deliveries SET state = 'rejected', last_error = ?, locked_by = NULL, locked_until = NULL
				WHERE id = ?`+held, truncateUTF8(rejected[id], maxDeliveryError), id, worker); err != nil {
				return err
			}
		}
		if len(retry) > 0 {
			c, list := tx.d.inInts(`id`, retry)
			if _, err := tx.exec(ctx, `
				UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
					locked_by = NULL, locked_until = NULL
				WHERE `+c+held, cause, retryAt, list, worker); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: finish deliveries of %s: %w", worker, err)
	}
	return nil
}

// NextDeliveryAt returns when a pending delivery to peer is next due: the
// earliest NextAttemptAt of its pending deliveries, or, for one leased
// beyond that, the end of its lease (when it can be claimed again). It
// reports false when peer has no pending delivery.
func (db *DB) NextDeliveryAt(ctx context.Context, peer string) (time.Time, bool, error) {
	var next time.Time
	err := db.readTx(ctx, func(c conn) error {
		// The first pending delivery not leased beyond its next attempt,
		// found along (peer, next_attempt_at): only leased deliveries
		// come before it.
		var free time.Time
		err := c.queryRow(ctx, `SELECT next_attempt_at FROM deliveries
			WHERE peer = ? AND state = 'pending' AND (locked_until IS NULL OR locked_until <= next_attempt_at)
			ORDER BY next_attempt_at`+c.d.limit(), peer, 1).Scan(scanTime(&free))
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The leases of those before it.
		q := `SELECT min(locked_until) FROM deliveries
			WHERE peer = ? AND state = 'pending' AND locked_until > next_attempt_at`
		args := []any{peer}
		if !free.IsZero() {
			q += ` AND next_attempt_at < ?`
			args = append(args, free)
		}
		var leased time.Time
		if err := c.queryRow(ctx, q, args...).Scan(scanTime(&leased)); err != nil {
			return err
		}
		next = free
		if !leased.IsZero() && (next.IsZero() || leased.Before(next)) {
			next = leased
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: next delivery to %s: %w", peer, err)
	}
	return next, !next.IsZero(), nil
}

// PeerDeliveries sums up the outbox of one peer.
type PeerDeliveries struct {
	Peer                         string
	Pending, Delivered, Rejected int64
	Failing                      int64     // pending with Attempts > 0
	OldestPending                time.Time // CreatedAt of the oldest pending delivery; zero if none
	LastDelivered                time.Time // zero if none
	// LastError is that of the failing delivery whose next attempt is
	// latest: the most recent failure, unless backoffs differ (the outbox
	// does not record when an attempt failed).
	LastError string
}

// DeliveryStats sums up the outbox of each peer with any delivery, by
// peer name.
func (db *DB) DeliveryStats(ctx context.Context) ([]PeerDeliveries, error) {
	out, err := queryAll(ctx, db.reader(), func(row scanner) (PeerDeliveries, error) {
		var p PeerDeliveries
		err := row.Scan(&p.Peer, &p.Pending, &p.Delivered, &p.Rejected, &p.Failing,
			scanTime(&p.OldestPending), scanTime(&p.LastDelivered), &p.LastError)
		return p, err
	}, `
		SELECT d.peer,
			sum(CASE WHEN d.state = 'pending' THEN 1 ELSE 0 END),
			sum(CASE WHEN d.state = 'delivered' THEN 1 ELSE 0 END),
			sum(CASE WHEN d.state = 'rejected' THEN 1 ELSE 0 END),
			sum(CASE WHEN d.state = 'pending' AND d.attempts > 0 THEN 1 ELSE 0 END),
			min(CASE WHEN d.state = 'pending' THEN d.created_at END),
			max(d.delivered_at),
			CASE WHEN sum(CASE WHEN d.state = 'pending' AND d.attempts > 0 THEN 1 ELSE 0 END) > 0
				THEN (SELECT f.last_error FROM deliveries f
					WHERE f.peer = d.peer AND f.state = 'pending' AND f.attempts > 0
					ORDER BY f.next_attempt_at DESC, f.id DESC`+db.d.limit()+`)
				ELSE '' END
		FROM deliveries d GROUP BY d.peer ORDER BY d.peer`, 1)
	if err != nil {
		return nil, fmt.Errorf("store: delivery stats: %w", err)
	}
	return out, nil
}

// ListDeliveries returns up to limit (> 0, at most MaxObjectLimit)
// deliveries, newest first, to peer ("": any), in state ("": any) and of
// the objects stixIDs (empty: any). Their Body is not loaded. An unknown
// state is ErrInvalid.
func (db *DB) ListDeliveries(ctx context.Context, peer, state string, stixIDs []string, limit int) ([]Delivery, error) {
	limit, err := objectLimit(limit)
	if err != nil {
		return nil, fmt.Errorf("store: list deliveries: %w", err)
	}
	var (
		where []string
		args  []any
	)
	if peer != "" {
		where = append(where, `d.peer = ?`)
		args = append(args, peer)
	}
	switch state {
	case "":
	case DeliveryPending, DeliveryDelivered, DeliveryRejected:
		where = append(where, `d.state = ?`)
		args = append(args, state)
	default:
		return nil, fmt.Errorf("store: list deliveries: state %q: %w", state, ErrInvalid)
	}
	if len(stixIDs) > 0 {
		c, list := db.d.inStrings(`o.stix_id`, stixIDs)
		where = append(where, c)
		args = append(args, list)
	}
	q := `SELECT ` + deliveryColumns + ` FROM deliveries d JOIN stix_objects o ON o.seq = d.seq`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY d.id DESC` + db.d.limit()
	args = append(args, limit)
	out, err := queryAll(ctx, db.reader(), func(row scanner) (Delivery, error) { return scanDelivery(row) }, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list deliveries: %w", err)
	}
	return out, nil
}

// PullCheckpoint is how far this node has pulled one collection of a
// peer.
type PullCheckpoint struct {
	Peer       string
	Collection string // the peer's collection id
	// AddedAfter is the X-TAXII-Date-Added-Last of the last page stored,
	// as the peer wrote it; "" before the first pull.
	AddedAfter string
	Objects    int64     // objects stored from the collection so far
	PulledAt   time.Time // the last pull that succeeded; zero: none
	LastError  string    // of the last pull; "" when it succeeded
}

const pullCheckpointColumns = `peer, collection, added_after, objects, pulled_at, last_error`

func scanPullCheckpoint(row scanner) (PullCheckpoint, error) {
	var cp PullCheckpoint
	err := row.Scan(&cp.Peer, &cp.Collection, &cp.AddedAfter, &cp.Objects, scanTime(&cp.PulledAt), &cp.LastError)
	return cp, err
}

// GetPullCheckpoint returns the checkpoint of a peer's collection; if
// there is none, the zero checkpoint with Peer and Collection set.
func (db *DB) GetPullCheckpoint(ctx context.Context, peer, collection string) (PullCheckpoint, error) {
	cp, err := scanPullCheckpoint(db.reader().queryRow(ctx, `SELECT `+pullCheckpointColumns+` FROM pull_checkpoints
		WHERE peer = ? AND collection = ?`, peer, collection))
	if errors.Is(err, sql.ErrNoRows) {
		return PullCheckpoint{Peer: peer, Collection: collection}, nil
	}
	if err != nil {
		return PullCheckpoint{}, fmt.Errorf("store: get pull checkpoint of %s %s: %w", peer, collection, err)
	}
	return cp, nil
}

// PutPullCheckpoint stores cp, replacing the checkpoint of the same peer
// and collection. An empty peer or collection or negative Objects is
// ErrInvalid.
func (tx *Tx) PutPullCheckpoint(ctx context.Context, cp PullCheckpoint) error {
	if cp.Peer == "" || cp.Collection == "" || cp.Objects < 0 {
		return fmt.Errorf("store: put pull checkpoint: want a peer, a collection and objects >= 0: %w", ErrInvalid)
	}
	_, err := tx.exec(ctx, `
		INSERT INTO pull_checkpoints (`+pullCheckpointColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (peer, collection) DO UPDATE SET added_after = excluded.added_after,
			objects = excluded.objects, pulled_at = excluded.pulled_at, last_error = excluded.last_error`,
		cp.Peer, cp.Collection, cp.AddedAfter, cp.Objects, nullTime(cp.PulledAt), cp.LastError)
	if err != nil {
		return fmt.Errorf("store: put pull checkpoint of %s %s: %w", cp.Peer, cp.Collection, classify(err))
	}
	return nil
}

// PutPullCheckpoint stores a checkpoint in its own transaction; see
// (*Tx).PutPullCheckpoint.
func (db *DB) PutPullCheckpoint(ctx context.Context, cp PullCheckpoint) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.PutPullCheckpoint(ctx, cp) })
}

// SetPullError records msg as the last error of pulling a peer's
// collection, leaving the rest of its checkpoint as it is (or zero). An
// empty peer or collection is ErrInvalid.
func (db *DB) SetPullError(ctx context.Context, peer, collection, msg string) error {
	if peer == "" || collection == "" {
		return fmt.Errorf("store: set pull error: peer and collection are required: %w", ErrInvalid)
	}
	msg = truncateUTF8(msg, maxDeliveryError)
	err := db.Transact(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `
			INSERT INTO pull_checkpoints (peer, collection, last_error) VALUES (?, ?, ?)
			ON CONFLICT (peer, collection) DO UPDATE SET last_error = excluded.last_error`, peer, collection, msg)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set pull error of %s %s: %w", peer, collection, err)
	}
	return nil
}

// ListPullCheckpoints returns every pull checkpoint, by peer and
// collection.
func (db *DB) ListPullCheckpoints(ctx context.Context) ([]PullCheckpoint, error) {
	out, err := queryAll(ctx, db.reader(), scanPullCheckpoint, `SELECT `+pullCheckpointColumns+` FROM pull_checkpoints
		ORDER BY peer, collection`)
	if err != nil {
		return nil, fmt.Errorf("store: list pull checkpoints: %w", err)
	}
	return out, nil
}
