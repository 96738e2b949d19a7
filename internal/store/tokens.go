package store

import (
	"context"
	"fmt"
	"time"
)

// APIToken lets a program act for an organisation with a role. Like a
// session, only the hash of the secret is stored.
type APIToken struct {
	ID             string
	TokenHash      string
	OrganisationID string
	Role           Role
	Name           string
	CreatedBy      string // actor: user id, token id or "system"
	CreatedAt      time.Time
	ExpiresAt      time.Time // zero: does not expire
	RevokedAt      time.Time // zero: not revoked
}

// CreateAPIToken stores t and returns it with ID and CreatedAt set. A
// duplicate hash is ErrConflict; an unknown organisation ErrNotFound.
func (tx *Tx) CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error) {
	if t.TokenHash == "" {
		return APIToken{}, fmt.Errorf("store: create API token: token hash is required")
	}
	t.ID = newID()
	t.CreatedAt = now()
	t.RevokedAt = time.Time{}
	if !t.ExpiresAt.IsZero() {
		t.ExpiresAt = storedTime(t.ExpiresAt)
	}
	_, err := tx.exec(ctx, `
		INSERT INTO api_tokens (id, token_hash, organisation_id, role, name, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.TokenHash, t.OrganisationID, string(t.Role), t.Name, t.CreatedBy, t.CreatedAt, nullTime(t.ExpiresAt))
	if err != nil {
		return APIToken{}, fmt.Errorf("store: create API token: %w", classify(err))
	}
	return t, nil
}

// CreateAPIToken stores t in its own transaction; see (*Tx).CreateAPIToken.
func (db *DB) CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error) {
	return transact(ctx, db, func(tx *Tx) (APIToken, error) { return tx.CreateAPIToken(ctx, t) })
}

const apiTokenColumns = `id, token_hash, organisation_id, role, name, created_by, created_at, expires_at, revoked_at`

func scanAPIToken(row scanner) (APIToken, error) {
	var (
		t    APIToken
		role string
	)
	err := row.Scan(&t.ID, &t.TokenHash, &t.OrganisationID, &role, &t.Name, &t.CreatedBy,
		scanTime(&t.CreatedAt), scanTime(&t.ExpiresAt), scanTime(&t.RevokedAt))
	t.Role = Role(role)
	return t, err
}

// LookupAPIToken returns the token with the given hash if it may be used:
// a revoked or expired token is ErrNotFound, like an unknown one.
func (db *DB) LookupAPIToken(ctx context.Context, tokenHash string) (APIToken, error) {
	t, err := scanAPIToken(db.reader().queryRow(ctx, `
		SELECT `+apiTokenColumns+` FROM api_tokens
		WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
		tokenHash, now()))
	if err != nil {
		return APIToken{}, fmt.Errorf("store: look up API token: %w", notFound(err))
	}
	return t, nil
}

// RevokeAPIToken revokes the organisation's token with the given id.
// ErrNotFound if the organisation has no such unrevoked token.
func (tx *Tx) RevokeAPIToken(ctx context.Context, organisationID, id string) error {
	res, err := tx.exec(ctx, `
		UPDATE api_tokens SET revoked_at = ?
		WHERE id = ? AND organisation_id = ? AND revoked_at IS NULL`, now(), id, organisationID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("store: revoke API token %s: %w", id, err)
	}
	return nil
}

// RevokeAPIToken revokes a token in its own transaction; see (*Tx).RevokeAPIToken.
func (db *DB) RevokeAPIToken(ctx context.Context, organisationID, id string) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.RevokeAPIToken(ctx, organisationID, id) })
}

// ListAPITokens returns an organisation's tokens, revoked and expired ones
// included, oldest first.
func (db *DB) ListAPITokens(ctx context.Context, organisationID string, p Page) ([]APIToken, error) {
	limit, offset := p.bounds()
	out, err := queryAll(ctx, db.reader(), scanAPIToken, `
		SELECT `+apiTokenColumns+` FROM api_tokens WHERE organisation_id = ?
		ORDER BY created_at, id`+db.d.limitOffset(), organisationID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: list API tokens: %w", err)
	}
	return out, nil
}

// CreateSetupToken stores the hash of a one-time token that lets the first
// administrator be created.
func (db *DB) CreateSetupToken(ctx context.Context, tokenHash string) error {
	return db.Transact(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO setup_tokens (token_hash, created_at) VALUES (?, ?)`, tokenHash, now())
		if err != nil {
			return fmt.Errorf("store: create setup token: %w", classify(err))
		}
		return nil
	})
}

// ConsumeSetupToken marks the setup token with the given hash used. It
// succeeds once: an unknown or already used token is ErrNotFound. Call it in
// the transaction that creates the administrator, so that both happen or
// neither does.
func (tx *Tx) ConsumeSetupToken(ctx context.Context, tokenHash string) error {
	res, err := tx.exec(ctx, `
		UPDATE setup_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, now(), tokenHash)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("store: consume setup token: %w", err)
	}
	return nil
}

// ConsumeSetupToken marks a setup token used in its own transaction.
func (db *DB) ConsumeSetupToken(ctx context.Context, tokenHash string) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.ConsumeSetupToken(ctx, tokenHash) })
}
