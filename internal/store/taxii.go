package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TAXII 2.1 collections, the versions of STIX objects in them, the status
// resources of TAXII POSTs and the node's secret keys. See
// docs/federation-design.md and migration 0004.

// MaxObjectLimit is the most rows QueryObjects, LatestObjects and the
// federation lists (SharesToSync, ClaimDeliveries, ListDeliveries) return:
// a larger limit is lowered to it.
const MaxObjectLimit = 1000

// objectLimit checks the limit of a federation list and caps it at
// MaxObjectLimit.
func objectLimit(limit int) (int, error) {
	if limit <= 0 {
		return 0, fmt.Errorf("limit %d: want more than 0: %w", limit, ErrInvalid)
	}
	return min(limit, MaxObjectLimit), nil
}

// Collection audiences (see Collection.Audience).
const (
	AudiencePeer    = "peer"    // one peer; AudienceRef is its name
	AudienceNetwork = "network" // the EU CSIRTs network
	AudienceGroup   = "group"   // a named sharing group; AudienceRef is its name
	AudiencePublic  = "public"  // everyone
	AudienceInbox   = "inbox"   // the collection peers write to
)

// Collection is a TAXII collection: one per audience the node shares with,
// and the inbox.
type Collection struct {
	ID, Alias, Title, Description string
	Audience                      string // AudiencePeer, AudienceNetwork, AudienceGroup, AudiencePublic or AudienceInbox
	AudienceRef                   string // the peer's or group's name; "" otherwise
	CreatedAt                     time.Time
}

const collectionColumns = `id, alias, title, description, audience, audience_ref, created_at`

func scanCollection(row scanner) (Collection, error) {
	var c Collection
	err := row.Scan(&c.ID, &c.Alias, &c.Title, &c.Description, &c.Audience, &c.AudienceRef, scanTime(&c.CreatedAt))
	return c, err
}

// EnsureCollection returns the collection of c's Audience and AudienceRef,
// making it (with a new random UUID as its ID) if there is none, and sets
// its Alias, Title and Description to c's. c.ID and c.CreatedAt are
// ignored. An alias another collection has is ErrConflict; an unknown
// audience, a missing AudienceRef of a peer or group collection, one given
// for another audience, or an empty Alias or Title ErrInvalid.
func (tx *Tx) EnsureCollection(ctx context.Context, c Collection) (Collection, error) {
	switch c.Audience {
	case AudiencePeer, AudienceGroup:
		if c.AudienceRef == "" {
			return Collection{}, fmt.Errorf("store: ensure collection: audience %s needs an audience ref: %w", c.Audience, ErrInvalid)
		}
	case AudienceNetwork, AudiencePublic, AudienceInbox:
		if c.AudienceRef != "" {
			return Collection{}, fmt.Errorf("store: ensure collection: audience %s takes no audience ref, got %q: %w", c.Audience, c.AudienceRef, ErrInvalid)
		}
	default:
		return Collection{}, fmt.Errorf("store: ensure collection: audience %q: %w", c.Audience, ErrInvalid)
	}
	if c.Alias == "" || c.Title == "" {
		return Collection{}, fmt.Errorf("store: ensure collection %s: alias and title are required: %w", c.Audience, ErrInvalid)
	}
	out, err := scanCollection(tx.queryRow(ctx, `
		INSERT INTO taxii_collections (id, alias, title, description, audience, audience_ref, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (audience, audience_ref) DO UPDATE SET
			alias = excluded.alias, title = excluded.title, description = excluded.description
		RETURNING `+collectionColumns,
		newUUIDv4(), c.Alias, c.Title, c.Description, c.Audience, c.AudienceRef, now()))
	if err != nil {
		return Collection{}, fmt.Errorf("store: ensure collection %s: %w", c.Alias, classify(err))
	}
	return out, nil
}

// EnsureCollection makes or updates a collection in its own transaction;
// see (*Tx).EnsureCollection.
func (db *DB) EnsureCollection(ctx context.Context, c Collection) (Collection, error) {
	return transact(ctx, db, func(tx *Tx) (Collection, error) { return tx.EnsureCollection(ctx, c) })
}

// ListCollections returns every collection, ordered by alias.
func (db *DB) ListCollections(ctx context.Context) ([]Collection, error) {
	out, err := queryAll(ctx, db.reader(), scanCollection, `SELECT `+collectionColumns+` FROM taxii_collections ORDER BY alias`)
	if err != nil {
		return nil, fmt.Errorf("store: list collections: %w", err)
	}
	return out, nil
}

// GetCollection returns the collection with the given id.
func (db *DB) GetCollection(ctx context.Context, id string) (Collection, error) {
	c, err := scanCollection(db.reader().queryRow(ctx, `SELECT `+collectionColumns+` FROM taxii_collections WHERE id = ?`, id))
	if err != nil {
		return Collection{}, fmt.Errorf("store: get collection %s: %w", id, notFound(err))
	}
	return c, nil
}

// StixObject is one version of a STIX object in a collection.
type StixObject struct {
	// Seq orders the rows of a collection as DateAdded does; it is the
	// cursor of QueryObjects.
	Seq          int64
	CollectionID string
	StixID       string
	Type         string
	SpecVersion  string
	// Version is the object's modified (or created) property as written
	// in it; "" for objects without either (cyber-observable objects),
	// whose VersionAt is then their DateAdded.
	Version      string
	VersionAt    time.Time // Version as an instant: the version's identity
	DateAdded    time.Time // set by AddObjects
	TLP          string    // "TLP:RED" …; "" unmarked
	Revoked      bool
	Origin       string // the peer it was received from; "" made on this node
	CreatedByRef string
	Body         json.RawMessage // the object, as stored and served
}

// AddResult is the outcome of storing one version with AddObjects.
type AddResult struct {
	Object StixObject
	// Duplicate: that version (same StixID and VersionAt) was already in
	// the collection; Object is the row stored before.
	Duplicate bool
}

const stixObjectColumns = `seq, collection_id, stix_id, type, spec_version, version, version_at, date_added,
	tlp, revoked, origin, created_by_ref, body`

func scanStixObject(row scanner) (StixObject, error) {
	var (
		o    StixObject
		body string
	)
	err := row.Scan(&o.Seq, &o.CollectionID, &o.StixID, &o.Type, &o.SpecVersion, &o.Version,
		scanTime(&o.VersionAt), scanTime(&o.DateAdded), &o.TLP, &o.Revoked, &o.Origin, &o.CreatedByRef, &body)
	o.Body = json.RawMessage(body)
	return o, err
}

// AddObjects stores versions of objects in one collection, in the order
// given, and returns the outcome of each in the same order. Each new row
// gets DateAdded = max(now, the collection's last DateAdded + 1µs), and
// the row's Seq, so that DateAdded strictly increases with Seq within the
// collection in commit order: the collection's lock (on PostgreSQL, its
// row, SELECT … FOR UPDATE) is held until tx ends. A transaction that also
// writes rows of an incident takes the incident's lock first (see
// LockIncident).
//
// A version already in the collection (same StixID and VersionAt) is not
// an error: it is reported with Duplicate and its stored row, and nothing
// is written. An object with an empty Version gets VersionAt = DateAdded,
// so it is never a duplicate.
//
// An unknown collection is ErrNotFound. An object without StixID, Type,
// SpecVersion or Body, with a Version but no VersionAt, a Body that is not
// valid JSON, or a CollectionID other than collectionID is ErrInvalid.
// The objects' Seq and DateAdded are ignored.
func (tx *Tx) AddObjects(ctx context.Context, collectionID string, objs []StixObject) ([]AddResult, error) {
	if collectionID == "" {
		return nil, fmt.Errorf("store: add objects: collection id is required: %w", ErrInvalid)
	}
	for i, o := range objs {
		var bad string
		switch {
		case o.StixID == "" || o.Type == "" || o.SpecVersion == "":
			bad = "id, type and spec_version are required"
		case o.Version != "" && o.VersionAt.IsZero():
			bad = "version " + o.Version + " without VersionAt"
		case o.CollectionID != "" && o.CollectionID != collectionID:
			bad = "collection id " + o.CollectionID + " is not " + collectionID
		case len(o.Body) == 0 || !validJSON(o.Body):
			bad = "body is missing or not valid JSON"
		}
		if bad != "" {
			return nil, fmt.Errorf("store: add objects: object %d (%s): %s: %w", i, o.StixID, bad, ErrInvalid)
		}
	}
	var id string
	err := tx.queryRow(ctx, `SELECT id FROM taxii_collections WHERE id = ?`+tx.d.forUpdate(), collectionID).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("store: add objects: collection %s: %w", collectionID, notFound(err))
	}
	if len(objs) == 0 {
		return nil, nil
	}
	var last time.Time
	err = tx.queryRow(ctx, `SELECT max(date_added) FROM stix_objects WHERE collection_id = ?`, collectionID).Scan(scanTime(&last))
	if err != nil {
		return nil, fmt.Errorf("store: add objects: collection %s: last date added: %w", collectionID, err)
	}
	ts := now()
	out := make([]AddResult, len(objs))
	for i, o := range objs {
		o.CollectionID = collectionID
		o.Seq = 0
		o.DateAdded = ts
		if !last.IsZero() && !o.DateAdded.After(last) {
			o.DateAdded = last.Add(time.Microsecond)
		}
		if o.Version == "" {
			o.VersionAt = o.DateAdded
		}
		o.VersionAt = storedTime(o.VersionAt)
		err := tx.queryRow(ctx, `
			INSERT INTO stix_objects (collection_id, stix_id, type, spec_version, version, version_at, date_added,
				tlp, revoked, origin, created_by_ref, body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (collection_id, stix_id, version_at) DO NOTHING
			RETURNING seq`,
			o.CollectionID, o.StixID, o.Type, o.SpecVersion, o.Version, o.VersionAt, o.DateAdded,
			o.TLP, o.Revoked, o.Origin, o.CreatedByRef, string(o.Body)).Scan(&o.Seq)
		switch {
		case err == nil:
			last = o.DateAdded
			out[i] = AddResult{Object: o}
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("store: add objects: %s: %w", o.StixID, classify(err))
		}
		stored, err := scanStixObject(tx.queryRow(ctx, `SELECT `+stixObjectColumns+` FROM stix_objects
			WHERE collection_id = ? AND stix_id = ? AND version_at = ?`, collectionID, o.StixID, o.VersionAt))
		if err != nil {
			return nil, fmt.Errorf("store: add objects: %s: stored version: %w", o.StixID, err)
		}
		out[i] = AddResult{Object: stored, Duplicate: true}
	}
	return out, nil
}

// AddObjects stores object versions in its own transaction; see
// (*Tx).AddObjects.
func (db *DB) AddObjects(ctx context.Context, collectionID string, objs []StixObject) ([]AddResult, error) {
	return transact(ctx, db, func(tx *Tx) ([]AddResult, error) { return tx.AddObjects(ctx, collectionID, objs) })
}

// VersionMatch selects versions of an object, as TAXII 2.1's
// match[version] (§3.4.1) does: the versions any of its selectors picks.
// First and last are taken among the object's versions in the collection.
// With no selector set it is "last" for QueryObjects and "all" for
// DeleteObjects, as TAXII's defaults for those requests are.
type VersionMatch struct {
	All   bool        // every version
	First bool        // the earliest version
	Last  bool        // the latest version
	Exact []time.Time // these versions (VersionAt)
}

func (v VersionMatch) none() bool { return !v.All && !v.First && !v.Last && len(v.Exact) == 0 }

// condition returns the SQL condition on the rows of table alias a (whose
// collection_id and stix_id name the object) that v selects, and its
// arguments; "" when v selects every version.
func (v VersionMatch) condition(d dialect, a string) (string, []any) {
	if v.All {
		return "", nil
	}
	var (
		conds []string
		args  []any
	)
	for _, fn := range []struct {
		on  bool
		agg string
	}{{v.First, "min"}, {v.Last, "max"}} {
		if fn.on {
			conds = append(conds, a+`.version_at = (SELECT `+fn.agg+`(v.version_at) FROM stix_objects v
				WHERE v.collection_id = `+a+`.collection_id AND v.stix_id = `+a+`.stix_id)`)
		}
	}
	if len(v.Exact) > 0 {
		c, arg := d.inTimes(a+`.version_at`, v.Exact)
		conds = append(conds, c)
		args = append(args, arg)
	}
	if len(conds) == 1 {
		return conds[0], args
	}
	return `(` + strings.Join(conds, ` OR `) + `)`, args
}

// ObjectQuery selects rows of one collection for QueryObjects.
type ObjectQuery struct {
	CollectionID string
	AddedAfter   time.Time // only rows added after this; zero: from the start
	AfterSeq     int64     // cursor: only rows with Seq > AfterSeq
	IDs, Types   []string  // any of these (ORed within, ANDed across); empty: all
	Versions     VersionMatch
	SpecVersions []string // any of these; empty: all
	Limit        int      // > 0; at most MaxObjectLimit
	// Boundaries for callers that are peers, applied in SQL:
	ExcludeOrigin    string   // skip rows whose origin is this peer ("": none skipped)
	ExcludeCreatedBy string   // skip rows whose created_by_ref is this identity ("": none skipped)
	ExcludeTLP       []string // skip rows with these TLP labels
}

// QueryObjects returns the rows q selects in Seq (= DateAdded) order, at
// most q.Limit of them, and whether more follow (pass the last row's Seq
// as AfterSeq for them). Versions picks versions per object among its
// versions in the collection, before the other conditions apply to the
// rows: with the default (last), an object whose latest version is
// excluded (say by ExcludeTLP) yields no row. A missing collection id or
// a Limit below 1 is ErrInvalid; a collection that does not exist yields
// no rows.
func (db *DB) QueryObjects(ctx context.Context, q ObjectQuery) (rows []StixObject, more bool, err error) {
	if q.CollectionID == "" {
		return nil, false, fmt.Errorf("store: query objects: collection id is required: %w", ErrInvalid)
	}
	limit, err := objectLimit(q.Limit)
	if err != nil {
		return nil, false, fmt.Errorf("store: query objects: %w", err)
	}
	d := db.d
	var (
		where []string
		args  []any
	)
	cond := func(c string, a ...any) {
		where = append(where, c)
		args = append(args, a...)
	}
	cond(`o.collection_id = ?`, q.CollectionID)
	if q.AddedAfter.IsZero() {
		cond(`o.seq > ?`, q.AfterSeq)
	} else {
		// Seq orders the rows as date_added does: the rows added after
		// AddedAfter are those after the last one added by then, which the
		// (collection_id, date_added) index finds, so the rows are read
		// from there along (collection_id, seq). One condition on seq, the
		// greater of that bound and AfterSeq: given two, SQLite ranges over
		// one only, maybe AfterSeq's. The condition on date_added itself
		// keeps the result right in any case.
		cond(`o.seq > `+d.greatest(`?`, `coalesce((SELECT a.seq FROM stix_objects a
			WHERE a.collection_id = ? AND a.date_added <= ? ORDER BY a.date_added DESC LIMIT 1), 0)`),
			q.AfterSeq, q.CollectionID, q.AddedAfter)
		cond(`o.date_added > ?`, q.AddedAfter)
	}
	if len(q.IDs) > 0 {
		c, a := d.inStrings(`o.stix_id`, q.IDs)
		cond(c, a)
	}
	if len(q.Types) > 0 {
		c, a := d.inStrings(`o.type`, q.Types)
		cond(c, a)
	}
	if len(q.SpecVersions) > 0 {
		c, a := d.inStrings(`o.spec_version`, q.SpecVersions)
		cond(c, a)
	}
	if q.ExcludeOrigin != "" {
		cond(`o.origin <> ?`, q.ExcludeOrigin)
	}
	if q.ExcludeCreatedBy != "" {
		cond(`o.created_by_ref <> ?`, q.ExcludeCreatedBy)
	}
	if len(q.ExcludeTLP) > 0 {
		c, a := d.inStrings(`o.tlp`, q.ExcludeTLP)
		cond(`NOT `+c, a)
	}
	v := q.Versions
	if v.none() {
		v.Last = true
	}
	if c, a := v.condition(d, "o"); c != "" {
		cond(c, a...)
	}
	// Read the rows along (collection_id, seq), unless a list of ids
	// makes the unique index on (collection_id, stix_id, version_at) the
	// way in: SQLite, lacking statistics, picks neither reliably.
	// (sqlite_autoindex_stix_objects_1 is the index SQLite makes for that
	// UNIQUE constraint, the table's first.)
	from := `stix_objects o` + d.indexedBy("stix_objects_collection")
	if len(q.IDs) > 0 {
		from = `stix_objects o` + d.indexedBy("sqlite_autoindex_stix_objects_1")
	}
	query := `SELECT ` + qualify("o", stixObjectColumns) + ` FROM ` + from +
		` WHERE ` + strings.Join(where, ` AND `) + ` ORDER BY o.seq` + d.limit()
	args = append(args, limit+1)
	rows, err = queryAll(ctx, db.reader(), scanStixObject, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("store: query objects of %s: %w", q.CollectionID, err)
	}
	if len(rows) > limit {
		rows, more = rows[:limit], true
	}
	return rows, more, nil
}

// DeleteObjects deletes the versions v selects of one object in a
// collection (default: all versions; see VersionMatch), of the given spec
// versions (empty: any), and returns how many it deleted. Their
// deliveries go with them. A missing collection or object id is
// ErrInvalid.
func (tx *Tx) DeleteObjects(ctx context.Context, collectionID, stixID string, v VersionMatch, specVersions []string) (int64, error) {
	if collectionID == "" || stixID == "" {
		return 0, fmt.Errorf("store: delete objects: collection id and object id are required: %w", ErrInvalid)
	}
	if v.none() {
		v.All = true
	}
	q := `DELETE FROM stix_objects WHERE collection_id = ? AND stix_id = ?`
	args := []any{collectionID, stixID}
	if c, a := v.condition(tx.d, "stix_objects"); c != "" {
		q += ` AND ` + c
		args = append(args, a...)
	}
	if len(specVersions) > 0 {
		c, a := tx.d.inStrings(`spec_version`, specVersions)
		q += ` AND ` + c
		args = append(args, a)
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("store: delete objects %s from %s: %w", stixID, collectionID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete objects %s from %s: %w", stixID, collectionID, err)
	}
	return n, nil
}

// DeleteObjects deletes object versions in its own transaction; see
// (*Tx).DeleteObjects.
func (db *DB) DeleteObjects(ctx context.Context, collectionID, stixID string, v VersionMatch, specVersions []string) (int64, error) {
	return transact(ctx, db, func(tx *Tx) (int64, error) {
		return tx.DeleteObjects(ctx, collectionID, stixID, v, specVersions)
	})
}

// LatestObjects returns the latest version of each object in a collection
// whose type is one of types (any type if empty), the most recently added
// first: at most limit (> 0, at most MaxObjectLimit) of them with Seq
// below beforeSeq (0: from the newest). Pass the last row's Seq as
// beforeSeq for the next page.
func (db *DB) LatestObjects(ctx context.Context, collectionID string, types []string, beforeSeq int64, limit int) ([]StixObject, error) {
	if collectionID == "" {
		return nil, fmt.Errorf("store: latest objects: collection id is required: %w", ErrInvalid)
	}
	limit, err := objectLimit(limit)
	if err != nil {
		return nil, fmt.Errorf("store: latest objects: %w", err)
	}
	q := `SELECT ` + qualify("o", stixObjectColumns) + ` FROM stix_objects o` + db.d.indexedBy("stix_objects_collection") + `
		WHERE o.collection_id = ?
		AND NOT EXISTS (SELECT 1 FROM stix_objects n
			WHERE n.collection_id = o.collection_id AND n.stix_id = o.stix_id AND n.version_at > o.version_at)`
	args := []any{collectionID}
	if beforeSeq > 0 {
		q += ` AND o.seq < ?`
		args = append(args, beforeSeq)
	}
	if len(types) > 0 {
		c, a := db.d.inStrings(`o.type`, types)
		q += ` AND ` + c
		args = append(args, a)
	}
	q += ` ORDER BY o.seq DESC` + db.d.limit()
	args = append(args, limit)
	out, err := queryAll(ctx, db.reader(), scanStixObject, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: latest objects of %s: %w", collectionID, err)
	}
	return out, nil
}

// GetLatestObject returns the latest version (by VersionAt) of an object
// stored in a collection.
func (db *DB) GetLatestObject(ctx context.Context, collectionID, stixID string) (StixObject, error) {
	o, err := scanStixObject(db.reader().queryRow(ctx, `SELECT `+stixObjectColumns+` FROM stix_objects
		WHERE collection_id = ? AND stix_id = ? ORDER BY version_at DESC`+db.d.limit(), collectionID, stixID, 1))
	if err != nil {
		return StixObject{}, fmt.Errorf("store: get latest object %s in %s: %w", stixID, collectionID, notFound(err))
	}
	return o, nil
}

// TaxiiStatus is the status resource of a TAXII POST (add objects), kept
// at least 24 hours.
type TaxiiStatus struct {
	ID, CollectionID string
	Caller           string // who posted: "peer:<name>" or a user or token id
	RequestTimestamp time.Time
	Total, Success   int
	Failure, Pending int
	// Details holds the TAXII status details, as JSON:
	// {"successes":[…],"failures":[…],"pendings":[…]}. Empty means {}.
	Details   json.RawMessage
	CreatedAt time.Time
}

const taxiiStatusColumns = `id, collection_id, caller, request_timestamp, total_count, success_count,
	failure_count, pending_count, details, created_at`

func scanTaxiiStatus(row scanner) (TaxiiStatus, error) {
	var (
		s       TaxiiStatus
		details string
	)
	err := row.Scan(&s.ID, &s.CollectionID, &s.Caller, scanTime(&s.RequestTimestamp), &s.Total, &s.Success,
		&s.Failure, &s.Pending, &details, scanTime(&s.CreatedAt))
	s.Details = json.RawMessage(details)
	return s, err
}

// SaveStatus stores a status resource, or updates the counts and details
// of the one with the same ID (a POST whose objects were pending). A zero
// CreatedAt is now and a zero RequestTimestamp CreatedAt. A missing ID,
// CollectionID or Caller, a negative count or Details that are not valid
// JSON are ErrInvalid; an unknown collection is ErrNotFound, and an ID
// stored for another collection ErrConflict.
func (tx *Tx) SaveStatus(ctx context.Context, s TaxiiStatus) error {
	switch {
	case s.ID == "" || s.CollectionID == "" || s.Caller == "":
		return fmt.Errorf("store: save status: id, collection id and caller are required: %w", ErrInvalid)
	case s.Total < 0 || s.Success < 0 || s.Failure < 0 || s.Pending < 0:
		return fmt.Errorf("store: save status %s: negative count: %w", s.ID, ErrInvalid)
	}
	if len(s.Details) == 0 {
		s.Details = json.RawMessage("{}")
	}
	if !validJSON(s.Details) {
		return fmt.Errorf("store: save status %s: details are not valid JSON: %w", s.ID, ErrInvalid)
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now()
	}
	if s.RequestTimestamp.IsZero() {
		s.RequestTimestamp = s.CreatedAt
	}
	res, err := tx.exec(ctx, `
		INSERT INTO taxii_statuses (id, collection_id, caller, request_timestamp, total_count, success_count,
			failure_count, pending_count, details, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET total_count = excluded.total_count, success_count = excluded.success_count,
			failure_count = excluded.failure_count, pending_count = excluded.pending_count, details = excluded.details
		WHERE taxii_statuses.collection_id = excluded.collection_id`,
		s.ID, s.CollectionID, s.Caller, s.RequestTimestamp, s.Total, s.Success,
		s.Failure, s.Pending, string(s.Details), s.CreatedAt)
	if err == nil {
		if err = mustAffect(res); errors.Is(err, ErrNotFound) {
			err = fmt.Errorf("%w: the status is of another collection", ErrConflict)
		}
	}
	if err != nil {
		return fmt.Errorf("store: save status %s: %w", s.ID, classify(err))
	}
	return nil
}

// SaveStatus stores a status resource in its own transaction; see
// (*Tx).SaveStatus.
func (db *DB) SaveStatus(ctx context.Context, s TaxiiStatus) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.SaveStatus(ctx, s) })
}

// GetStatus returns the status resource with the given id.
func (db *DB) GetStatus(ctx context.Context, id string) (TaxiiStatus, error) {
	s, err := scanTaxiiStatus(db.reader().queryRow(ctx, `SELECT `+taxiiStatusColumns+` FROM taxii_statuses WHERE id = ?`, id))
	if err != nil {
		return TaxiiStatus{}, fmt.Errorf("store: get status %s: %w", id, notFound(err))
	}
	return s, nil
}

// DeleteStatusesBefore deletes the status resources created before t and
// returns how many it deleted.
func (db *DB) DeleteStatusesBefore(ctx context.Context, t time.Time) (int64, error) {
	n, err := transact(ctx, db, func(tx *Tx) (int64, error) {
		res, err := tx.exec(ctx, `DELETE FROM taxii_statuses WHERE created_at < ?`, t)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete statuses: %w", err)
	}
	return n, nil
}

// maxNodeKeySize bounds the size of a node key, in bytes.
const maxNodeKeySize = 1024

// NodeKey returns the node's secret named name, making it of size random
// bytes on first use; every later call, from any process sharing the
// database, returns the same bytes. A key stored with another size is
// ErrConflict; an empty name or a size outside 1…1024 ErrInvalid.
func (db *DB) NodeKey(ctx context.Context, name string, size int) ([]byte, error) {
	if name == "" || size <= 0 || size > maxNodeKeySize {
		return nil, fmt.Errorf("store: node key %q: want a name and a size of 1 to %d bytes, got %d: %w", name, maxNodeKeySize, size, ErrInvalid)
	}
	const get = `SELECT secret FROM node_keys WHERE name = ?`
	var secret string
	err := db.reader().queryRow(ctx, get, name).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		// Whoever inserts first wins; the others read its key.
		fresh := make([]byte, size)
		rand.Read(fresh)
		err = db.Transact(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `INSERT INTO node_keys (name, secret, created_at) VALUES (?, ?, ?)
				ON CONFLICT (name) DO NOTHING`, name, hex.EncodeToString(fresh), now())
			if err != nil {
				return err
			}
			return tx.queryRow(ctx, get, name).Scan(&secret)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("store: node key %q: %w", name, err)
	}
	key, err := hex.DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("store: node key %q: stored secret: %w", name, err)
	}
	if len(key) != size {
		return nil, fmt.Errorf("store: node key %q: stored with %d bytes, not %d: %w", name, len(key), size, ErrConflict)
	}
	return key, nil
}

// inStrings returns an SQL condition that is true when the text expression
// expr equals one of vs, and the value of its one parameter: the list is
// bound as one value (a JSON array on SQLite, an array on PostgreSQL), so
// that the statement's text does not depend on its length — it is
// prepared once, not once per length (the statement cache is bounded), and
// no list is too long for the limit on parameters.
func (d dialect) inStrings(expr string, vs []string) (string, any) {
	if d.postgres() {
		return expr + ` = ANY(?::text[])`, slices.Clone(vs)
	}
	return expr + ` IN (SELECT value FROM json_each(?))`, jsonArray(vs)
}

// inInts is inStrings for an integer expression.
func (d dialect) inInts(expr string, vs []int64) (string, any) {
	if d.postgres() {
		return expr + ` = ANY(?::bigint[])`, slices.Clone(vs)
	}
	return expr + ` IN (SELECT value FROM json_each(?))`, jsonArray(vs)
}

// inTimes is inStrings for a time expression.
func (d dialect) inTimes(expr string, vs []time.Time) (string, any) {
	if d.postgres() {
		ts := make([]time.Time, len(vs))
		for i, t := range vs {
			ts[i] = storedTime(t)
		}
		return expr + ` = ANY(?::timestamptz[])`, ts
	}
	ss := make([]string, len(vs))
	for i, t := range vs {
		ss[i] = storedTime(t).Format(timeLayout)
	}
	return expr + ` IN (SELECT value FROM json_each(?))`, jsonArray(ss)
}

// greatest returns an SQL expression for the greater of two values.
func (d dialect) greatest(a, b string) string {
	if d.postgres() {
		return `greatest(` + a + `, ` + b + `)`
	}
	return `max(` + a + `, ` + b + `)`
}

func jsonArray[T any](vs []T) string {
	if len(vs) == 0 {
		return "[]"
	}
	b, err := json.Marshal(vs)
	if err != nil {
		panic(err) // strings and integers always marshal
	}
	return string(b)
}
