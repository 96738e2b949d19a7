package store

import (
	"context"
	"fmt"
	"time"
)

// Session is a signed-in browser. The cookie holds a random token; the store
// only ever sees its hash (see auth.NewToken and auth.HashToken).
type Session struct {
	TokenHash  string
	UserID     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// CreateSession stores a session for s.TokenHash, s.UserID and s.ExpiresAt
// and returns it with CreatedAt and LastSeenAt set. An unknown user is
// ErrNotFound.
func (tx *Tx) CreateSession(ctx context.Context, s Session) (Session, error) {
	if s.TokenHash == "" || s.ExpiresAt.IsZero() {
		return Session{}, fmt.Errorf("store: create session: token hash and expiry are required")
	}
	s.CreatedAt = now()
	s.LastSeenAt = s.CreatedAt
	s.ExpiresAt = storedTime(s.ExpiresAt)
	_, err := tx.exec(ctx, `
		INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?)`,
		s.TokenHash, s.UserID, s.CreatedAt, s.ExpiresAt, s.LastSeenAt)
	if err != nil {
		return Session{}, fmt.Errorf("store: create session: %w", classify(err))
	}
	return s, nil
}

// CreateSession stores a session in its own transaction; see (*Tx).CreateSession.
func (db *DB) CreateSession(ctx context.Context, s Session) (Session, error) {
	return transact(ctx, db, func(tx *Tx) (Session, error) { return tx.CreateSession(ctx, s) })
}

// GetSession returns the session with the given token hash. A session that
// has expired is ErrNotFound, like one that never existed.
func (db *DB) GetSession(ctx context.Context, tokenHash string) (Session, error) {
	var s Session
	err := db.reader().queryRow(ctx, `
		SELECT token_hash, user_id, created_at, expires_at, last_seen_at
		FROM sessions WHERE token_hash = ? AND expires_at > ?`, tokenHash, now()).
		Scan(&s.TokenHash, &s.UserID, scanTime(&s.CreatedAt), scanTime(&s.ExpiresAt), scanTime(&s.LastSeenAt))
	if err != nil {
		return Session{}, fmt.Errorf("store: get session: %w", notFound(err))
	}
	return s, nil
}

// TouchSession records that the session was used now and, if expiresAt is
// not zero, moves its expiry there (sliding expiry). An expired or unknown
// session is ErrNotFound.
func (db *DB) TouchSession(ctx context.Context, tokenHash string, expiresAt time.Time) error {
	return db.Transact(ctx, func(tx *Tx) error {
		t := now()
		res, err := tx.exec(ctx, `
			UPDATE sessions SET last_seen_at = ?, expires_at = coalesce(?, expires_at)
			WHERE token_hash = ? AND expires_at > ?`, t, nullTime(expiresAt), tokenHash, t)
		if err == nil {
			err = mustAffect(res)
		}
		if err != nil {
			return fmt.Errorf("store: touch session: %w", err)
		}
		return nil
	})
}

// DeleteSession removes a session (signing out). ErrNotFound if there was
// none.
func (tx *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteSession removes a session in its own transaction.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.DeleteSession(ctx, tokenHash) })
}

// DeleteUserSessions removes all of a user's sessions (after a password
// change or when the user is disabled) and returns how many there were.
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID string) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("store: delete user sessions: %w", err)
	}
	return res.RowsAffected()
}

// DeleteExpiredSessions removes sessions that expired before now and returns
// how many there were.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	return transact(ctx, db, func(tx *Tx) (int64, error) {
		res, err := tx.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now())
		if err != nil {
			return 0, fmt.Errorf("store: delete expired sessions: %w", err)
		}
		return res.RowsAffected()
	})
}
