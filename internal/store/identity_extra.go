package store

import (
	"context"
	"fmt"
)

// AuthorityOrganisation returns the node's authority: the oldest
// organisation of kind OrgAuthority. ErrNotFound if there is none yet.
func (db *DB) AuthorityOrganisation(ctx context.Context) (Organisation, error) {
	row := db.reader().queryRow(ctx, `
		SELECT `+organisationColumns+` FROM organisations WHERE kind = ?
		ORDER BY created_at, id LIMIT 1`, string(OrgAuthority))
	o, err := scanOrganisation(row)
	if err != nil {
		return Organisation{}, fmt.Errorf("store: authority organisation: %w", notFound(err))
	}
	return o, nil
}

// GetAPIToken returns the token with the given id, revoked and expired ones
// included (to show or revoke it; use LookupAPIToken to authenticate).
func (db *DB) GetAPIToken(ctx context.Context, id string) (APIToken, error) {
	t, err := scanAPIToken(db.reader().queryRow(ctx,
		`SELECT `+apiTokenColumns+` FROM api_tokens WHERE id = ?`, id))
	if err != nil {
		return APIToken{}, fmt.Errorf("store: get API token %s: %w", id, notFound(err))
	}
	return t, nil
}

// ReplaceSetupToken removes every setup token not used yet and stores the
// hash of a new one, so that at most one setup token is valid at a time.
func (tx *Tx) ReplaceSetupToken(ctx context.Context, tokenHash string) error {
	if tokenHash == "" {
		return fmt.Errorf("store: replace setup token: token hash is required")
	}
	if _, err := tx.exec(ctx, `DELETE FROM setup_tokens WHERE used_at IS NULL`); err != nil {
		return fmt.Errorf("store: replace setup token: %w", err)
	}
	_, err := tx.exec(ctx, `INSERT INTO setup_tokens (token_hash, created_at) VALUES (?, ?)`, tokenHash, now())
	if err != nil {
		return fmt.Errorf("store: replace setup token: %w", classify(err))
	}
	return nil
}
