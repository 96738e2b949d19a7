package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// OrgKind says what an organisation is to the node.
type OrgKind string

const (
	// OrgAuthority is a national authority or CSIRT operating the node.
	OrgAuthority OrgKind = "authority"
	// OrgEntity is an essential or important entity that reports incidents.
	OrgEntity OrgKind = "entity"
)

// Organisation is an authority or a reporting entity.
type Organisation struct {
	ID          string
	Kind        OrgKind
	Name        string
	MemberState string // ISO 3166-1 alpha-2 code, as the caller gives it
	// Profile is an entity's NIS2 profile as JSON, stored as given; the
	// store does not interpret it. Empty means {}.
	Profile   json.RawMessage
	CreatedAt time.Time
}

// CreateOrganisation stores o and returns it with CreatedAt (and ID, if it
// was empty) set.
func (tx *Tx) CreateOrganisation(ctx context.Context, o Organisation) (Organisation, error) {
	if o.ID == "" {
		o.ID = newID()
	}
	if len(o.Profile) == 0 {
		o.Profile = json.RawMessage("{}")
	}
	if !validJSON(o.Profile) {
		return Organisation{}, fmt.Errorf("store: create organisation: profile is not valid JSON")
	}
	o.CreatedAt = now()
	_, err := tx.exec(ctx, `
		INSERT INTO organisations (id, kind, name, member_state, profile, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		o.ID, string(o.Kind), o.Name, o.MemberState, string(o.Profile), o.CreatedAt)
	if err != nil {
		return Organisation{}, fmt.Errorf("store: create organisation: %w", classify(err))
	}
	return o, nil
}

// CreateOrganisation stores o in its own transaction; see (*Tx).CreateOrganisation.
func (db *DB) CreateOrganisation(ctx context.Context, o Organisation) (Organisation, error) {
	return transact(ctx, db, func(tx *Tx) (Organisation, error) { return tx.CreateOrganisation(ctx, o) })
}

const organisationColumns = `id, kind, name, member_state, profile, created_at`

func scanOrganisation(row scanner) (Organisation, error) {
	var (
		o       Organisation
		kind    string
		profile string
	)
	err := row.Scan(&o.ID, &kind, &o.Name, &o.MemberState, &profile, scanTime(&o.CreatedAt))
	o.Kind = OrgKind(kind)
	o.Profile = json.RawMessage(profile)
	return o, err
}

// GetOrganisation returns the organisation with the given id.
func (db *DB) GetOrganisation(ctx context.Context, id string) (Organisation, error) {
	row := db.reader().queryRow(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE id = ?`, id)
	o, err := scanOrganisation(row)
	if err != nil {
		return Organisation{}, fmt.Errorf("store: get organisation %s: %w", id, notFound(err))
	}
	return o, nil
}

// ListOrganisations returns organisations, oldest first.
func (db *DB) ListOrganisations(ctx context.Context, p Page) ([]Organisation, error) {
	limit, offset := p.bounds()
	out, err := queryAll(ctx, db.reader(), scanOrganisation, `
		SELECT `+organisationColumns+` FROM organisations
		ORDER BY created_at, id`+db.d.limitOffset(), limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: list organisations: %w", err)
	}
	return out, nil
}
