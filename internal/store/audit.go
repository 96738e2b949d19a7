package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditEvent is something that happened, to be recorded in the audit trail.
type AuditEvent struct {
	Actor          string // user id, API token id or "system"
	OrganisationID string // the organisation acted on or for; empty for node-wide events
	Action         string // e.g. "user.create", "session.create"
	ObjectType     string
	ObjectID       string
	Detail         any // marshalled to JSON; nil records {}
}

// AuditRecord is a row of the audit trail. Hash is the SHA-256 of the
// record's canonical encoding (see auditHash), which includes PrevHash, the
// previous record's Hash: the records form a chain, and changing, inserting
// or removing a row breaks it.
type AuditRecord struct {
	Seq            int64
	At             time.Time
	Actor          string
	OrganisationID string
	Action         string
	ObjectType     string
	ObjectID       string
	Detail         json.RawMessage
	PrevHash       string
	Hash           string
}

// genesisHash is the PrevHash of the first record.
var genesisHash = strings.Repeat("0", 64)

// auditLockKey is the PostgreSQL advisory lock that serialises appends.
const auditLockKey = 0x6e69736e65740002 // "nisnet" + 2

// Audit appends e to the audit trail as part of tx, so that the record
// commits if and only if the change it describes does. Appends are
// serialised, so the chain never forks: SQLite has one writer; on
// PostgreSQL the records are chained and written when tx commits, under an
// advisory lock held from then until the commit, so that concurrent
// transactions wait for each other only that long, and a transaction
// holding the lock waits for no row lock.
func (tx *Tx) Audit(ctx context.Context, e AuditEvent) error {
	if e.Actor == "" || e.Action == "" {
		return fmt.Errorf("store: audit: actor and action are required")
	}
	detail := []byte("{}")
	if e.Detail != nil {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return fmt.Errorf("store: audit %s: detail: %w", e.Action, err)
		}
	}
	r := AuditRecord{
		At:             now(),
		Actor:          e.Actor,
		OrganisationID: e.OrganisationID,
		Action:         e.Action,
		ObjectType:     e.ObjectType,
		ObjectID:       e.ObjectID,
		Detail:         detail,
	}
	if tx.d.postgres() {
		tx.audits = append(tx.audits, r)
		return nil
	}
	return tx.appendAudit(ctx, []AuditRecord{r})
}

// writeAudits writes the records Audit kept for the commit, on
// PostgreSQL: it takes the advisory lock that serialises appends, which
// the transaction holds until it ends.
func (tx *Tx) writeAudits(ctx context.Context) error {
	if len(tx.audits) == 0 {
		return nil
	}
	if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(auditLockKey)); err != nil {
		return fmt.Errorf("store: audit: lock: %w", err)
	}
	err := tx.appendAudit(ctx, tx.audits)
	tx.audits = nil
	return err
}

// appendAudit chains rs after the last record and inserts them. The
// caller serialises appends.
func (tx *Tx) appendAudit(ctx context.Context, rs []AuditRecord) error {
	seq, prev := int64(0), genesisHash
	err := tx.queryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: audit: last record: %w", err)
	}
	// The first record is seq 1 after the genesis hash.
	args := make([]any, 0, 10*len(rs))
	for _, r := range rs {
		seq++
		r.Seq, r.PrevHash = seq, prev
		r.Hash = auditHash(r)
		prev = r.Hash
		args = append(args, r.Seq, r.At, r.Actor, r.OrganisationID, r.Action, r.ObjectType, r.ObjectID, string(r.Detail), r.PrevHash, r.Hash)
	}
	_, err = tx.exec(ctx, `
		INSERT INTO audit_log (seq, at, actor, organisation_id, action, object_type, object_id, detail, prev_hash, hash)
		VALUES `+strings.Repeat(", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", len(rs))[2:], args...)
	if err != nil {
		return fmt.Errorf("store: audit: %w", classify(err))
	}
	return nil
}

// auditHash returns the hex SHA-256 of r's canonical encoding: a version tag,
// then seq, at (UTC, RFC 3339 with six fractional digits), actor,
// organisation_id, action, object_type, object_id, detail (the stored JSON
// text, byte for byte) and prev_hash, each written as its length in bytes in
// decimal, a colon, the bytes and a newline. The length prefixes make the
// encoding unambiguous whatever the fields contain.
func auditHash(r AuditRecord) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
		h.Write([]byte{'\n'})
	}
	field("nisnet-audit-v1")
	field(strconv.FormatInt(r.Seq, 10))
	field(storedTime(r.At).Format(timeLayout))
	field(r.Actor)
	field(r.OrganisationID)
	field(r.Action)
	field(r.ObjectType)
	field(r.ObjectID)
	field(string(r.Detail))
	field(r.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

const auditColumns = `seq, at, actor, organisation_id, action, object_type, object_id, detail, prev_hash, hash`

func scanAuditRecord(row scanner) (AuditRecord, error) {
	var (
		r      AuditRecord
		detail string
	)
	err := row.Scan(&r.Seq, scanTime(&r.At), &r.Actor, &r.OrganisationID, &r.Action,
		&r.ObjectType, &r.ObjectID, &detail, &r.PrevHash, &r.Hash)
	r.Detail = json.RawMessage(detail)
	return r, err
}

// ListAudit returns up to limit audit records (at most MaxPageSize) with seq
// greater than afterSeq, in order. An empty organisationID lists every
// organisation's records.
func (db *DB) ListAudit(ctx context.Context, organisationID string, afterSeq int64, limit int) ([]AuditRecord, error) {
	limit, _ = Page{Limit: limit}.bounds()
	q := `SELECT ` + auditColumns + ` FROM audit_log WHERE seq > ?`
	args := []any{afterSeq}
	if organisationID != "" {
		q += ` AND organisation_id = ?`
		args = append(args, organisationID)
	}
	q += ` ORDER BY seq` + db.d.limit()
	args = append(args, limit)
	out, err := queryAll(ctx, db.reader(), scanAuditRecord, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list audit records: %w", err)
	}
	return out, nil
}

// AuditProblem names what VerifyAudit found wrong with a record.
type AuditProblem string

const (
	// AuditSeqGap: the record's seq is not one more than the previous
	// record's (or the first record's is not 1): records were removed.
	AuditSeqGap AuditProblem = "seq gap"
	// AuditPrevHashMismatch: the record does not point at the previous
	// record's hash: a record was inserted, removed or replaced before it.
	AuditPrevHashMismatch AuditProblem = "prev_hash mismatch"
	// AuditHashMismatch: the record's content does not match its hash: the
	// record was changed.
	AuditHashMismatch AuditProblem = "hash mismatch"
)

// AuditReport is the outcome of VerifyAudit.
type AuditReport struct {
	Records  int64  // records checked, up to and including the first bad one
	LastSeq  int64  // seq of the last good record (0: none)
	LastHash string // hash of the last good record; publish it to detect truncation
	// OK is true when every record checked out. Otherwise BadSeq is the seq
	// of the first bad record and Problem says what is wrong with it.
	OK      bool
	BadSeq  int64
	Problem AuditProblem
}

// VerifyAudit walks the audit trail from the first record and reports the
// first record that breaks the chain. Removing records from the end of the
// trail cannot be seen from the trail alone: compare LastSeq and LastHash
// with a copy kept elsewhere.
func (db *DB) VerifyAudit(ctx context.Context) (AuditReport, error) {
	rep := AuditReport{LastHash: genesisHash}
	err := db.readTx(ctx, func(c conn) error {
		rows, err := c.query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAuditRecord(rows)
			if err != nil {
				return err
			}
			rep.Records++
			switch {
			case r.Seq != rep.LastSeq+1:
				rep.Problem = AuditSeqGap
			case r.PrevHash != rep.LastHash:
				rep.Problem = AuditPrevHashMismatch
			case auditHash(r) != r.Hash:
				rep.Problem = AuditHashMismatch
			}
			if rep.Problem != "" {
				rep.BadSeq = r.Seq
				return nil
			}
			rep.LastSeq, rep.LastHash = r.Seq, r.Hash
		}
		return rows.Err()
	})
	if err != nil {
		return AuditReport{}, fmt.Errorf("store: verify audit trail: %w", err)
	}
	rep.OK = rep.Problem == ""
	return rep, nil
}
