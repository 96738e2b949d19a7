package api

import (
	"encoding/json"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
)

// The API's view of the store's identity objects. Secrets (password
// hashes, token hashes) never leave the store; a new API token's plain
// value is shown once, in the response that creates it.

// Organisation is an authority or a reporting entity.
type Organisation struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"` // "authority" or "entity"
	Name        string `json:"name"`
	MemberState string `json:"member_state"`
	// Profile is an entity's NIS2 profile: the "entity" object of the
	// assessment facts (see docs/assess.md).
	Profile   json.RawMessage `json:"profile" openapi:"Entity"`
	CreatedAt time.Time       `json:"created_at"`
}

func organisationOf(o store.Organisation) Organisation {
	profile := o.Profile
	if len(profile) == 0 {
		profile = json.RawMessage("{}")
	}
	return Organisation{ID: o.ID, Kind: string(o.Kind), Name: o.Name, MemberState: o.MemberState, Profile: profile, CreatedAt: o.CreatedAt}
}

// User is a person who signs in.
type User struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation_id"`
	Email          string    `json:"email"`
	DisplayName    string    `json:"display_name"`
	Role           string    `json:"role"`
	Disabled       bool      `json:"disabled"`
	CreatedAt      time.Time `json:"created_at"`
}

func userOf(u store.User) User {
	return User{ID: u.ID, OrganisationID: u.OrganisationID, Email: u.Email, DisplayName: u.DisplayName,
		Role: string(u.Role), Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

// Team is a named group of the authority's users.
type Team struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation_id"`
	Name           string    `json:"name"`
	CreatedAt      time.Time `json:"created_at"`
}

func teamOf(t store.Team) Team {
	return Team{ID: t.ID, OrganisationID: t.OrganisationID, Name: t.Name, CreatedAt: t.CreatedAt}
}

// APIToken lets a program act for an organisation with a role.
type APIToken struct {
	ID             string     `json:"id"`
	OrganisationID string     `json:"organisation_id"`
	Name           string     `json:"name"`
	Role           string     `json:"role"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      *time.Time `json:"expires_at,omitempty"`
	RevokedAt      *time.Time `json:"revoked_at,omitempty"`
	// Token is the secret, present only in the response that creates the
	// token: send it as Authorization: Bearer <token>. It cannot be shown
	// again.
	Token string `json:"token,omitempty"`
}

func apiTokenOf(t store.APIToken) APIToken {
	out := APIToken{ID: t.ID, OrganisationID: t.OrganisationID, Name: t.Name, Role: string(t.Role),
		CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt}
	if !t.ExpiresAt.IsZero() {
		e := t.ExpiresAt
		out.ExpiresAt = &e
	}
	if !t.RevokedAt.IsZero() {
		r := t.RevokedAt
		out.RevokedAt = &r
	}
	return out
}

// Me describes the caller: who, for which organisation, with which role.
type Me struct {
	Kind         string       `json:"kind"` // "user" or "token"
	Role         string       `json:"role"`
	Organisation Organisation `json:"organisation"`
	User         *User        `json:"user,omitempty"`
	Token        *APIToken    `json:"token,omitempty"`
	// SessionExpiresAt is when a new session ends unless it is used
	// (answer to POST /api/v1/session only).
	SessionExpiresAt *time.Time `json:"session_expires_at,omitempty"`
}

func meOf(p *Principal) Me {
	m := Me{Role: string(p.Role), Organisation: organisationOf(p.Organisation)}
	if p.User != nil {
		u := userOf(*p.User)
		m.Kind, m.User = "user", &u
	} else {
		t := apiTokenOf(*p.Token)
		m.Kind, m.Token = "token", &t
	}
	return m
}
