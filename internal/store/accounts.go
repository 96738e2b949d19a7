package store

import (
	"context"
	"fmt"
)

// UserChange is a change to a user: each non-nil field is set, the others
// stay as they are.
type UserChange struct {
	DisplayName  *string
	Role         *Role
	Disabled     *bool
	Locale       *string
	TimeZone     *string
	PasswordHash *string
}

// UpdateUser applies ch to the user with the given id and returns the user
// as stored. An unknown user is ErrNotFound; a role outside the allowed set
// ErrInvalid. The statement is the same whatever ch sets (SQLite prepares
// it once).
func (tx *Tx) UpdateUser(ctx context.Context, id string, ch UserChange) (User, error) {
	var role *string
	if ch.Role != nil {
		r := string(*ch.Role)
		role = &r
	}
	u, err := scanUser(tx.queryRow(ctx, `
		UPDATE users SET display_name = coalesce(?, display_name), role = coalesce(?, role),
			disabled = coalesce(?, disabled), locale = coalesce(?, locale),
			time_zone = coalesce(?, time_zone), password_hash = coalesce(?, password_hash)
		WHERE id = ?
		RETURNING `+userColumns,
		nullable(ch.DisplayName), nullable(role), nullable(ch.Disabled), nullable(ch.Locale),
		nullable(ch.TimeZone), nullable(ch.PasswordHash), id))
	if err != nil {
		return User{}, fmt.Errorf("store: update user %s: %w", id, classify(notFound(err)))
	}
	return u, nil
}

// nullable is *p, or SQL NULL when p is nil.
func nullable[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// GetUser is (*DB).GetUser inside the transaction. On PostgreSQL the row
// stays locked until tx ends, so that a decision based on it (the last
// node administrator, the current password) holds when tx writes.
func (tx *Tx) GetUser(ctx context.Context, id string) (User, error) {
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`+tx.d.forUpdate(), id))
	if err != nil {
		return User{}, fmt.Errorf("store: get user %s: %w", id, notFound(err))
	}
	return u, nil
}

// ActiveNodeAdmins returns the ids of the node administrators who are not
// disabled. On PostgreSQL their rows stay locked until tx ends: two
// transactions that each demote or disable one of two administrators
// queue up, and the second sees the first's change, so the node never
// loses its last administrator.
func (tx *Tx) ActiveNodeAdmins(ctx context.Context) ([]string, error) {
	ids, err := queryAll(ctx, tx.conn, func(row scanner) (string, error) {
		var id string
		return id, row.Scan(&id)
	}, `SELECT id FROM users WHERE role = ? AND disabled = ? ORDER BY id`+tx.d.forUpdate(), string(RoleNodeAdmin), false)
	if err != nil {
		return nil, fmt.Errorf("store: active node admins: %w", err)
	}
	return ids, nil
}

// DeleteUserSessionsExcept removes a user's sessions but the one with the
// token hash keep (after the user changed their password in it) and
// returns how many it removed.
func (tx *Tx) DeleteUserSessionsExcept(ctx context.Context, userID, keep string) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keep)
	if err != nil {
		return 0, fmt.Errorf("store: delete user sessions: %w", err)
	}
	return res.RowsAffected()
}

// maxTokenGenerations bounds how far RevokeAPITokensCreatedBy follows
// tokens created by tokens.
const maxTokenGenerations = 16

// RevokeAPITokensCreatedBy revokes every unrevoked API token the actor (a
// user id) created, the tokens those tokens created, and so on: whoever
// held the actor's credentials may know their secrets. It returns the ids
// of the tokens revoked.
func (tx *Tx) RevokeAPITokensCreatedBy(ctx context.Context, actor string) ([]string, error) {
	var revoked []string
	creators := []string{actor}
	at := now()
	for len(creators) > 0 {
		creator := creators[0]
		creators = creators[1:]
		ids, err := queryAll(ctx, tx.conn, func(row scanner) (string, error) {
			var id string
			return id, row.Scan(&id)
		}, `UPDATE api_tokens SET revoked_at = ? WHERE created_by = ? AND revoked_at IS NULL RETURNING id`, at, creator)
		if err != nil {
			return nil, fmt.Errorf("store: revoke API tokens created by %s: %w", actor, err)
		}
		revoked = append(revoked, ids...)
		creators = append(creators, ids...) // each token is revoked once, so this ends
	}
	return revoked, nil
}
