package web

import "time"

// The API's answers, as far as the pages read them (see package api).

// incidentSummary is an incident in a list (api.IncidentSummary).
type incidentSummary struct {
	ID                 string     `json:"id"`
	Reference          string     `json:"reference"`
	Title              string     `json:"title"`
	Kind               string     `json:"kind"`
	State              string     `json:"state"`
	OrganisationID     string     `json:"organisation_id"`
	NextDueAt          *time.Time `json:"next_due_at"`
	AuthorityNextDueAt *time.Time `json:"authority_next_due_at"`
	Overdue            bool       `json:"overdue"`
	Regimes            []string   `json:"regimes"`
	Sectors            []string   `json:"sectors"`
	Assignment         *struct {
		UserID string `json:"user_id"`
		TeamID string `json:"team_id"`
	} `json:"assignment"`
	RSIT      string    `json:"rsit"`
	TLP       string    `json:"tlp"`
	Severity  string    `json:"severity"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// incidentPage is a page of a list (api.IncidentPage).
type incidentPage struct {
	Items []incidentSummary `json:"items"`
	Next  *string           `json:"next"`
}
