package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// OrganisationChange is a change to an organisation: each non-nil field is
// set, the others stay as they are. The kind never changes.
type OrganisationChange struct {
	Name        *string
	MemberState *string
	Profile     json.RawMessage // nil: unchanged
}

// UpdateOrganisation applies ch to the organisation with the given id and
// returns it as stored. An unknown organisation is ErrNotFound; a profile
// that is not valid JSON ErrInvalid.
func (tx *Tx) UpdateOrganisation(ctx context.Context, id string, ch OrganisationChange) (Organisation, error) {
	var profile any
	if ch.Profile != nil {
		if !validJSON(ch.Profile) {
			return Organisation{}, fmt.Errorf("store: update organisation %s: profile is not valid JSON: %w", id, ErrInvalid)
		}
		profile = string(ch.Profile)
	}
	o, err := scanOrganisation(tx.queryRow(ctx, `
		UPDATE organisations SET name = coalesce(?, name), member_state = coalesce(?, member_state),
			profile = coalesce(?, profile)
		WHERE id = ?
		RETURNING `+organisationColumns,
		nullable(ch.Name), nullable(ch.MemberState), profile, id))
	if err != nil {
		return Organisation{}, fmt.Errorf("store: update organisation %s: %w", id, classify(notFound(err)))
	}
	return o, nil
}

// GetOrganisation is (*DB).GetOrganisation inside the transaction.
func (tx *Tx) GetOrganisation(ctx context.Context, id string) (Organisation, error) {
	o, err := scanOrganisation(tx.queryRow(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE id = ?`+tx.d.forUpdate(), id))
	if err != nil {
		return Organisation{}, fmt.Errorf("store: get organisation %s: %w", id, notFound(err))
	}
	return o, nil
}
