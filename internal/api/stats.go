package api

import (
	"net/http"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
)

// maxOverdueListed bounds the overdue incidents GET /api/v1/stats lists.
const maxOverdueListed = 100

// Stats are the dashboard's figures over the incidents the caller sees:
// every incident the node handles for authority roles, their own for
// entities.
type Stats struct {
	Total int `json:"total"`
	// ByState counts incidents per state; every state is present.
	ByState map[string]int `json:"by_state"`
	// BySector and ByRegime count incidents per sector and per reportable
	// regime; an incident of several counts in each. Codes with no
	// incident are absent.
	BySector map[string]int `json:"by_sector"`
	ByRegime map[string]int `json:"by_regime"`
	// Overdue counts the incidents with an overdue report, as the queue's
	// ?overdue=true selects them.
	Overdue int `json:"overdue"`
	// OverdueIncidents are the first 100 of them, the longest overdue
	// first.
	OverdueIncidents []OverdueIncident `json:"overdue_incidents"`
	ComputedAt       time.Time         `json:"computed_at"`
}

// OverdueIncident is an incident with an overdue report.
type OverdueIncident struct {
	ID               string     `json:"id"`
	Reference        string     `json:"reference"`
	Title            string     `json:"title"`
	OrganisationID   string     `json:"organisation_id"`
	OrganisationName string     `json:"organisation_name"`
	NextDueAt        *time.Time `json:"next_due_at"` // the earliest due instant of the entity's open or overdue reports
}

// getStats is GET /api/v1/stats. The authority's reads are audited, as
// the list names incidents.
func (s *Server) getStats(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	now := time.Now()
	org := ""
	if !p.Authority() {
		org = p.Organisation.ID
	}
	st, err := s.DB.IncidentStats(ctx, org, now)
	if err != nil {
		return err
	}
	items, _, err := s.DB.ListIncidents(ctx, store.IncidentFilter{OrganisationID: org, Overdue: true, Now: now},
		store.Page{Limit: maxOverdueListed})
	if err != nil {
		return err
	}
	out := Stats{Total: st.Total, Overdue: st.Overdue, ByState: map[string]int{}, BySector: st.BySector, ByRegime: st.ByRegime,
		OverdueIncidents: make([]OverdueIncident, 0, len(items)), ComputedAt: now.UTC()}
	for _, state := range []store.IncidentState{store.StateReceived, store.StateTriaged, store.StateInProgress, store.StateClosed} {
		out.ByState[string(state)] = st.ByState[state]
	}
	names := map[string]string{p.Organisation.ID: p.Organisation.Name}
	for _, it := range items {
		name, ok := names[it.OrganisationID]
		if !ok {
			o, err := s.DB.GetOrganisation(ctx, it.OrganisationID)
			if err != nil {
				return err
			}
			name, names[it.OrganisationID] = o.Name, o.Name
		}
		sum := incidentSummaryOf(p, it, now)
		out.OverdueIncidents = append(out.OverdueIncidents, OverdueIncident{ID: it.ID, Reference: it.Reference, Title: it.Title,
			OrganisationID: it.OrganisationID, OrganisationName: name, NextDueAt: sum.NextDueAt})
	}
	err = s.auditReads(ctx, p, store.AuditEvent{Action: "incident.stats", OrganisationID: org,
		Detail: map[string]any{"total": out.Total, "overdue": out.Overdue, "overdue_listed": len(out.OverdueIncidents)}})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
