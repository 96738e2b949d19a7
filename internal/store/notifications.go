package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// NotificationKind is why an organisation is notified.
type NotificationKind string

const (
	NotifyDueSoon NotificationKind = "due_soon" // a report is due soon
	NotifyOverdue NotificationKind = "overdue"  // a report is overdue
	NotifyRequest NotificationKind = "request"  // the authority asked for something
	NotifyMessage NotificationKind = "message"  // a new message on an incident
)

// Notification is a notice to an organisation, shown in the API and the UI
// and possibly e-mailed.
type Notification struct {
	ID             string
	OrganisationID string // the recipient
	IncidentID     string // empty: not about one incident
	Obligation     string // report id, e.g. "nis2.notification"; empty: none
	Kind           NotificationKind
	Message        string
	// DueAt is the due instant the notification is about. When it is set,
	// the notification is created once per recipient, incident, obligation,
	// kind and due instant, however often CreateNotification is called.
	DueAt     time.Time
	CreatedAt time.Time
	ReadAt    time.Time // zero: unread
	EmailedAt time.Time // zero: not e-mailed
}

// dedupeKey is the notification's unique key, or "" when it is not
// deduplicated.
func (n Notification) dedupeKey() string {
	if n.DueAt.IsZero() {
		return ""
	}
	return strings.Join([]string{n.OrganisationID, n.IncidentID, n.Obligation, string(n.Kind),
		storedTime(n.DueAt).Format(timeLayout)}, "|")
}

// CreateNotification stores n and returns it with ID and CreatedAt set and
// created true. If n has a DueAt and the same notification (recipient,
// incident, obligation, kind and due instant) exists, that one is returned
// with created false. An unknown organisation or incident is ErrNotFound;
// an unknown kind or an empty message ErrInvalid.
func (tx *Tx) CreateNotification(ctx context.Context, n Notification) (_ Notification, created bool, err error) {
	if n.Message == "" {
		return Notification{}, false, fmt.Errorf("store: create notification: empty message: %w", ErrInvalid)
	}
	n.ID = newID()
	n.CreatedAt = now()
	n.ReadAt, n.EmailedAt = time.Time{}, time.Time{}
	if !n.DueAt.IsZero() {
		n.DueAt = storedTime(n.DueAt)
	}
	key := n.dedupeKey()
	res, err := tx.exec(ctx, `
		INSERT INTO notifications (id, organisation_id, incident_id, obligation, kind, message, due_at, dedupe_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dedupe_key) DO NOTHING`,
		n.ID, n.OrganisationID, nullString(n.IncidentID), n.Obligation, string(n.Kind), n.Message,
		nullTime(n.DueAt), nullString(key), n.CreatedAt)
	if err == nil {
		var inserted int64
		if inserted, err = res.RowsAffected(); err == nil && inserted == 1 {
			return n, true, nil
		}
	}
	if err != nil {
		return Notification{}, false, fmt.Errorf("store: create notification: %w", classify(err))
	}
	existing, err := scanNotification(tx.queryRow(ctx,
		`SELECT `+notificationColumns+` FROM notifications WHERE dedupe_key = ?`, key))
	if err != nil {
		return Notification{}, false, fmt.Errorf("store: create notification: existing: %w", err)
	}
	return existing, false, nil
}

// CreateNotification stores a notification in its own transaction; see
// (*Tx).CreateNotification.
func (db *DB) CreateNotification(ctx context.Context, n Notification) (_ Notification, created bool, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		n, created, err = tx.CreateNotification(ctx, n)
		return err
	})
	if err != nil {
		return Notification{}, false, err
	}
	return n, created, nil
}

const notificationColumns = `id, organisation_id, incident_id, obligation, kind, message, due_at, created_at, read_at, emailed_at`

func scanNotification(row scanner) (Notification, error) {
	var (
		n        Notification
		incident sql.NullString
		kind     string
	)
	err := row.Scan(&n.ID, &n.OrganisationID, &incident, &n.Obligation, &kind, &n.Message,
		scanTime(&n.DueAt), scanTime(&n.CreatedAt), scanTime(&n.ReadAt), scanTime(&n.EmailedAt))
	n.IncidentID, n.Kind = incident.String, NotificationKind(kind)
	return n, err
}

// GetNotification returns the organisation's notification with the given
// id; another organisation's notification is ErrNotFound.
func (db *DB) GetNotification(ctx context.Context, orgID, id string) (Notification, error) {
	n, err := scanNotification(db.reader().queryRow(ctx,
		`SELECT `+notificationColumns+` FROM notifications WHERE id = ? AND organisation_id = ?`, id, orgID))
	if err != nil {
		return Notification{}, fmt.Errorf("store: get notification %s: %w", id, notFound(err))
	}
	return n, nil
}

// ListNotifications returns the organisation's notifications, newest
// first; only unread ones if unreadOnly.
func (db *DB) ListNotifications(ctx context.Context, orgID string, unreadOnly bool, p Page) ([]Notification, error) {
	limit, offset := p.bounds()
	q := `SELECT ` + notificationColumns + ` FROM notifications WHERE organisation_id = ?`
	if unreadOnly {
		q += ` AND read_at IS NULL`
	}
	q += ` ORDER BY created_at DESC, id DESC` + db.d.limitOffset()
	out, err := queryAll(ctx, db.reader(), scanNotification, q, orgID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: list notifications: %w", err)
	}
	return out, nil
}

// CountUnreadNotifications returns how many of the organisation's
// notifications are unread.
func (db *DB) CountUnreadNotifications(ctx context.Context, orgID string) (int, error) {
	var n int
	err := db.reader().queryRow(ctx,
		`SELECT count(*) FROM notifications WHERE organisation_id = ? AND read_at IS NULL`, orgID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count unread notifications: %w", err)
	}
	return n, nil
}

// MarkNotificationRead marks the organisation's notification read (once:
// marking it again keeps the first time). Another organisation's
// notification is ErrNotFound.
func (tx *Tx) MarkNotificationRead(ctx context.Context, orgID, id string) error {
	res, err := tx.exec(ctx, `
		UPDATE notifications SET read_at = coalesce(read_at, ?) WHERE id = ? AND organisation_id = ?`,
		now(), id, orgID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("store: mark notification %s read: %w", id, err)
	}
	return nil
}

// MarkNotificationRead marks a notification read in its own transaction;
// see (*Tx).MarkNotificationRead.
func (db *DB) MarkNotificationRead(ctx context.Context, orgID, id string) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.MarkNotificationRead(ctx, orgID, id) })
}

// MarkNotificationEmailed records that the notification was e-mailed. It
// succeeds once: a notification already e-mailed is ErrConflict, so that
// concurrent mailers send it once. An unknown notification is ErrNotFound.
func (tx *Tx) MarkNotificationEmailed(ctx context.Context, id string) error {
	res, err := tx.exec(ctx, `UPDATE notifications SET emailed_at = ? WHERE id = ? AND emailed_at IS NULL`, now(), id)
	if err == nil {
		err = mustAffect(res)
	}
	if errors.Is(err, ErrNotFound) {
		var n int
		if e := tx.queryRow(ctx, `SELECT count(*) FROM notifications WHERE id = ?`, id).Scan(&n); e == nil && n > 0 {
			err = fmt.Errorf("%w: already e-mailed", ErrConflict)
		}
	}
	if err != nil {
		return fmt.Errorf("store: mark notification %s e-mailed: %w", id, err)
	}
	return nil
}

// MarkNotificationEmailed records an e-mail in its own transaction; see
// (*Tx).MarkNotificationEmailed.
func (db *DB) MarkNotificationEmailed(ctx context.Context, id string) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.MarkNotificationEmailed(ctx, id) })
}
