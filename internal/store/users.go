package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Role is what a user or API token may do.
type Role string

const (
	RoleEntityReporter      Role = "entity_reporter"
	RoleEntityAdmin         Role = "entity_admin"
	RoleAuthorityAnalyst    Role = "authority_analyst"
	RoleAuthoritySupervisor Role = "authority_supervisor"
	RoleNodeAdmin           Role = "node_admin"
)

// User is a person who signs in to the node.
type User struct {
	ID             string
	OrganisationID string
	Email          string // lower-cased; unique on the node
	DisplayName    string
	Role           Role
	PasswordHash   string // argon2id PHC string (see package auth); empty: no password sign-in
	Disabled       bool
	// Locale is the user's UI language, a two-letter code; empty: the
	// node's default.
	Locale string
	// TimeZone is the IANA time zone times are shown in; empty: the
	// node's default.
	TimeZone  string
	CreatedAt time.Time
}

// Team is a named group of users within one organisation.
type Team struct {
	ID             string
	OrganisationID string
	Name           string // unique within the organisation
	CreatedAt      time.Time
}

// normaliseEmail is the form emails are stored and looked up in.
func normaliseEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// CreateUser stores u and returns it with ID, CreatedAt and the normalised
// Email set. A used email is ErrConflict; an unknown organisation ErrNotFound.
func (tx *Tx) CreateUser(ctx context.Context, u User) (User, error) {
	u.ID = newID()
	u.Email = normaliseEmail(u.Email)
	u.CreatedAt = now()
	if u.Email == "" {
		return User{}, fmt.Errorf("store: create user: empty email")
	}
	_, err := tx.exec(ctx, `
		INSERT INTO users (id, organisation_id, email, display_name, role, password_hash, disabled, locale, time_zone, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.OrganisationID, u.Email, u.DisplayName, string(u.Role), u.PasswordHash, u.Disabled, u.Locale, u.TimeZone, u.CreatedAt)
	if err != nil {
		return User{}, fmt.Errorf("store: create user: %w", classify(err))
	}
	return u, nil
}

// CreateUser stores u in its own transaction; see (*Tx).CreateUser.
func (db *DB) CreateUser(ctx context.Context, u User) (User, error) {
	return transact(ctx, db, func(tx *Tx) (User, error) { return tx.CreateUser(ctx, u) })
}

const userColumns = `id, organisation_id, email, display_name, role, password_hash, disabled, locale, time_zone, created_at`

func scanUser(row scanner) (User, error) {
	var (
		u    User
		role string
	)
	err := row.Scan(&u.ID, &u.OrganisationID, &u.Email, &u.DisplayName, &role,
		&u.PasswordHash, &u.Disabled, &u.Locale, &u.TimeZone, scanTime(&u.CreatedAt))
	u.Role = Role(role)
	return u, err
}

// GetUser returns the user with the given id.
func (db *DB) GetUser(ctx context.Context, id string) (User, error) {
	u, err := scanUser(db.reader().queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("store: get user %s: %w", id, notFound(err))
	}
	return u, nil
}

// GetUserByEmail returns the user with the given email, compared
// case-insensitively.
func (db *DB) GetUserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(db.reader().queryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE email = ?`, normaliseEmail(email)))
	if err != nil {
		return User{}, fmt.Errorf("store: get user by email: %w", notFound(err))
	}
	return u, nil
}

// ListUsers returns an organisation's users, oldest first.
func (db *DB) ListUsers(ctx context.Context, organisationID string, p Page) ([]User, error) {
	limit, offset := p.bounds()
	out, err := queryAll(ctx, db.reader(), scanUser, `
		SELECT `+userColumns+` FROM users WHERE organisation_id = ?
		ORDER BY created_at, id`+db.d.limitOffset(), organisationID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return out, nil
}

// CountUsers returns the number of users on the node, disabled ones
// included. Zero means the node has not been set up yet.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.reader().queryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// CreateTeam stores t and returns it with ID and CreatedAt set. A name
// already used in the organisation is ErrConflict; an unknown organisation
// ErrNotFound.
func (tx *Tx) CreateTeam(ctx context.Context, t Team) (Team, error) {
	t.ID = newID()
	t.CreatedAt = now()
	_, err := tx.exec(ctx, `
		INSERT INTO teams (id, organisation_id, name, created_at) VALUES (?, ?, ?, ?)`,
		t.ID, t.OrganisationID, t.Name, t.CreatedAt)
	if err != nil {
		return Team{}, fmt.Errorf("store: create team: %w", classify(err))
	}
	return t, nil
}

// CreateTeam stores t in its own transaction; see (*Tx).CreateTeam.
func (db *DB) CreateTeam(ctx context.Context, t Team) (Team, error) {
	return transact(ctx, db, func(tx *Tx) (Team, error) { return tx.CreateTeam(ctx, t) })
}

func scanTeam(row scanner) (Team, error) {
	var t Team
	err := row.Scan(&t.ID, &t.OrganisationID, &t.Name, scanTime(&t.CreatedAt))
	return t, err
}

// GetTeam returns the team with the given id.
func (db *DB) GetTeam(ctx context.Context, id string) (Team, error) {
	t, err := scanTeam(db.reader().queryRow(ctx,
		`SELECT id, organisation_id, name, created_at FROM teams WHERE id = ?`, id))
	if err != nil {
		return Team{}, fmt.Errorf("store: get team %s: %w", id, notFound(err))
	}
	return t, nil
}

// ListTeams returns an organisation's teams, oldest first.
func (db *DB) ListTeams(ctx context.Context, organisationID string, p Page) ([]Team, error) {
	limit, offset := p.bounds()
	out, err := queryAll(ctx, db.reader(), scanTeam, `
		SELECT id, organisation_id, name, created_at FROM teams WHERE organisation_id = ?
		ORDER BY created_at, id`+db.d.limitOffset(), organisationID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: list teams: %w", err)
	}
	return out, nil
}

// AddTeamMember puts a user in a team of the same organisation. An unknown
// team or user is ErrNotFound; a user of another organisation or one
// already in the team is ErrConflict.
func (tx *Tx) AddTeamMember(ctx context.Context, teamID, userID string) error {
	var teamOrg, userOrg string
	err := tx.queryRow(ctx, `SELECT organisation_id FROM teams WHERE id = ?`, teamID).Scan(&teamOrg)
	if err != nil {
		return fmt.Errorf("store: add team member: team %s: %w", teamID, notFound(err))
	}
	err = tx.queryRow(ctx, `SELECT organisation_id FROM users WHERE id = ?`, userID).Scan(&userOrg)
	if err != nil {
		return fmt.Errorf("store: add team member: user %s: %w", userID, notFound(err))
	}
	if teamOrg != userOrg {
		return fmt.Errorf("store: add team member: user and team belong to different organisations: %w", ErrConflict)
	}
	_, err = tx.exec(ctx, `INSERT INTO team_members (team_id, user_id, created_at) VALUES (?, ?, ?)`,
		teamID, userID, now())
	if err != nil {
		return fmt.Errorf("store: add team member: %w", classify(err))
	}
	return nil
}

// AddTeamMember puts a user in a team in its own transaction; see
// (*Tx).AddTeamMember.
func (db *DB) AddTeamMember(ctx context.Context, teamID, userID string) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.AddTeamMember(ctx, teamID, userID) })
}

// RemoveTeamMember takes a user out of a team. ErrNotFound if the user is
// not in it.
func (tx *Tx) RemoveTeamMember(ctx context.Context, teamID, userID string) error {
	res, err := tx.exec(ctx, `DELETE FROM team_members WHERE team_id = ? AND user_id = ?`, teamID, userID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("store: remove team member: %w", err)
	}
	return nil
}

// RemoveTeamMember takes a user out of a team in its own transaction.
func (db *DB) RemoveTeamMember(ctx context.Context, teamID, userID string) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.RemoveTeamMember(ctx, teamID, userID) })
}

// ListTeamMembers returns the users in a team, in the order they joined.
func (db *DB) ListTeamMembers(ctx context.Context, teamID string, p Page) ([]User, error) {
	limit, offset := p.bounds()
	out, err := queryAll(ctx, db.reader(), scanUser, `
		SELECT `+qualify("u", userColumns)+`
		FROM team_members m JOIN users u ON u.id = m.user_id
		WHERE m.team_id = ?
		ORDER BY m.created_at, u.id`+db.d.limitOffset(), teamID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: list team members: %w", err)
	}
	return out, nil
}
