package api

import (
	"encoding/json"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
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
	ID             string `json:"id"`
	OrganisationID string `json:"organisation_id"`
	Email          string `json:"email"`
	DisplayName    string `json:"display_name"`
	Role           string `json:"role"`
	Disabled       bool   `json:"disabled"`
	// Locale is the user's UI language (two letters); empty: the node's
	// default.
	Locale string `json:"locale"`
	// TimeZone is the IANA time zone the user's times are shown in;
	// empty: the node's default.
	TimeZone  string    `json:"time_zone"`
	CreatedAt time.Time `json:"created_at"`
}

func userOf(u store.User) User {
	return User{ID: u.ID, OrganisationID: u.OrganisationID, Email: u.Email, DisplayName: u.DisplayName,
		Role: string(u.Role), Disabled: u.Disabled, Locale: u.Locale, TimeZone: u.TimeZone, CreatedAt: u.CreatedAt}
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

// ReportedIncident is an incident, near miss or significant cyber threat an
// entity reported, as the API shows it.
type ReportedIncident struct {
	ID             string `json:"id"`
	OrganisationID string `json:"organisation_id"` // the reporting entity
	// Reference is the human reference, e.g. "NL-2026-000042".
	Reference string `json:"reference"`
	Kind      string `json:"kind"` // incident, near_miss or cyber_threat
	Title     string `json:"title"`
	State     string `json:"state"` // received, triaged, in_progress or closed
	// Facts are the facts the entity supplied, with the entity taken from
	// its organisation's profile unless it gave one.
	Facts   IncidentFacts `json:"facts"`
	Sectors []string      `json:"sectors"`
	Regimes []string      `json:"regimes"` // reportable (or displaced) regimes of the latest assessment
	// Assignment is the authority's internal routing; absent for entities.
	Assignment     *Assignment `json:"assignment,omitempty"`
	RSIT           string      `json:"rsit"` // "class/type" of the RSIT taxonomy, or empty
	TLP            string      `json:"tlp"`
	ImpactSeverity string      `json:"impact_severity"` // red, yellow, green, white or empty
	ImpactOutlook  string      `json:"impact_outlook"`  // improving, stable, worsening or empty
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	ClosedAt       *time.Time  `json:"closed_at,omitempty"`
	// Version counts the incident's changes; send it back to change the
	// facts or the state.
	Version int64 `json:"version"`
}

// Assignment is the authority's user and team handling an incident; an
// empty id means nobody.
type Assignment struct {
	UserID string `json:"user_id,omitempty"`
	TeamID string `json:"team_id,omitempty"`
}

// IncidentView is an incident with its latest assessment.
type IncidentView struct {
	Incident ReportedIncident `json:"incident"`
	// Assessment is the reportability engine's result as of its
	// assessed_at, saved whenever the incident last changed: which regimes
	// apply and which reports are due when. Null if not assessed yet.
	Assessment *rules.Result `json:"assessment"`
}

// IncidentSummary is an incident in the queue.
type IncidentSummary struct {
	ID             string `json:"id"`
	Reference      string `json:"reference"`
	Title          string `json:"title"`
	Kind           string `json:"kind"`
	State          string `json:"state"`
	OrganisationID string `json:"organisation_id"`
	// NextDueAt is the earliest due instant among the entity's open or
	// overdue reports; null if none.
	NextDueAt *time.Time `json:"next_due_at"`
	// AuthorityNextDueAt is the earliest due instant of the authority's own
	// duties, such as initial feedback (NIS2 Art 23(5)); null if none.
	AuthorityNextDueAt *time.Time `json:"authority_next_due_at"`
	// Overdue: a mandatory report of the entity is overdue.
	Overdue    bool        `json:"overdue"`
	Regimes    []string    `json:"regimes"`
	Sectors    []string    `json:"sectors"`
	Assignment *Assignment `json:"assignment,omitempty"` // absent for entities
	RSIT       string      `json:"rsit"`
	TLP        string      `json:"tlp"`
	Severity   string      `json:"severity"` // the impact severity
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// IncidentPage is one page of the incident queue. Next is the cursor of
// the following page (pass it as ?next=); null at the end.
type IncidentPage struct {
	Items []IncidentSummary `json:"items"`
	Next  *string           `json:"next"`
}

// Receipt acknowledges a submitted report. SHA256 is the hex SHA-256 of
// the report's canonical body — compact JSON with object keys sorted and no
// HTML escaping — which the submitter can recompute from what it sent.
type Receipt struct {
	ID          string    `json:"id"`
	IncidentID  string    `json:"incident_id"`
	Report      string    `json:"report"` // the report id, e.g. nis2.early_warning
	SubmittedAt time.Time `json:"submitted_at"`
	SHA256      string    `json:"sha256"`
	// OnTime: submitted by the due instant the assessment gave the report
	// when it was submitted; null when the report had no due instant.
	OnTime *bool      `json:"on_time"`
	DueAt  *time.Time `json:"due_at"`
	// SupersedesID is the earlier submission of the same report this one
	// replaces; null for the first.
	SupersedesID *string `json:"supersedes_id"`
}

func receiptOf(s store.Submission) Receipt {
	rc := Receipt{ID: s.ID, IncidentID: s.IncidentID, Report: s.Report, SubmittedAt: s.SubmittedAt, SHA256: s.SHA256, OnTime: s.OnTime}
	if !s.DueAt.IsZero() {
		d := s.DueAt
		rc.DueAt = &d
	}
	if s.SupersedesID != "" {
		id := s.SupersedesID
		rc.SupersedesID = &id
	}
	return rc
}

// SubmittedReport is a report as submitted, with its receipt. Reports are
// immutable: a later report of the same id supersedes, never replaces, one.
type SubmittedReport struct {
	Receipt
	SubmittedBy string `json:"submitted_by"` // user or API token id
	// Body is the report's canonical body, whose SHA-256 is the receipt's.
	Body json.RawMessage `json:"body"`
}

func submittedReportOf(s store.Submission) SubmittedReport {
	return SubmittedReport{Receipt: receiptOf(s), SubmittedBy: s.SubmittedBy, Body: s.Body}
}

// SubmissionResult answers a report submission: the receipt, and the
// incident's obligations as reassessed after it.
type SubmissionResult struct {
	Receipt     Receipt            `json:"receipt"`
	Obligations []rules.Obligation `json:"obligations"`
}

// TimelineEntry is an entry of an incident's timeline: a message, an
// internal note, a change of state, assignment or classification, a request
// or feedback of the authority.
type TimelineEntry struct {
	ID         string    `json:"id"`
	IncidentID string    `json:"incident_id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"` // user or API token id
	Kind       string    `json:"kind"`
	// Visibility is "shared" (entity and authority) or "authority" (the
	// authority's internal entries, never shown to the entity).
	Visibility string          `json:"visibility"`
	Body       json.RawMessage `json:"body"`
}

func timelineEntryOf(e store.IncidentEvent) TimelineEntry {
	return TimelineEntry{ID: e.ID, IncidentID: e.IncidentID, At: e.At, Actor: e.Actor, Kind: string(e.Kind),
		Visibility: string(e.Visibility), Body: e.Body}
}

// EventResult answers a change that reassesses the incident: the timeline
// entry written and the new assessment.
type EventResult struct {
	Entry      TimelineEntry `json:"entry"`
	Assessment rules.Result  `json:"assessment"`
}

// Notification is a notice to an organisation: a report due soon or
// overdue, a request of the authority, a new message.
type Notification struct {
	ID             string     `json:"id"`
	OrganisationID string     `json:"organisation_id"` // the recipient
	IncidentID     string     `json:"incident_id,omitempty"`
	Obligation     string     `json:"obligation,omitempty"` // report id
	Kind           string     `json:"kind"`                 // due_soon, overdue, request or message
	Message        string     `json:"message"`
	DueAt          *time.Time `json:"due_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	ReadAt         *time.Time `json:"read_at"`
}

func notificationOf(n store.Notification) Notification {
	out := Notification{ID: n.ID, OrganisationID: n.OrganisationID, IncidentID: n.IncidentID, Obligation: n.Obligation,
		Kind: string(n.Kind), Message: n.Message, CreatedAt: n.CreatedAt}
	if !n.DueAt.IsZero() {
		d := n.DueAt
		out.DueAt = &d
	}
	if !n.ReadAt.IsZero() {
		r := n.ReadAt
		out.ReadAt = &r
	}
	return out
}
