package store

import (
	"context"
	"fmt"
	"time"
)

// overdueCondition is true for an incident (alias i, its assessment a)
// whose latest assessment found an overdue obligation of the entity, or
// whose next due instant has passed; its arguments are true and the
// instant. The queue's overdue filter and the statistics share it.
const overdueCondition = `(a.overdue = ? OR a.next_due_at <= ?)`

// IncidentStats counts incidents.
type IncidentStats struct {
	Total    int
	ByState  map[IncidentState]int
	BySector map[string]int // an incident of several sectors counts in each
	ByRegime map[string]int // an incident under several regimes counts in each
	// Overdue counts the incidents with an overdue obligation of the
	// entity, as ListIncidents' Overdue filter selects them.
	Overdue int
}

// IncidentStats counts the incidents of the organisation with the given id
// (empty: every incident), by state, sector and regime, and those overdue
// at the instant at (zero: the store's clock), from one snapshot.
func (db *DB) IncidentStats(ctx context.Context, orgID string, at time.Time) (IncidentStats, error) {
	if at.IsZero() {
		at = now()
	}
	st := IncidentStats{ByState: map[IncidentState]int{}, BySector: map[string]int{}, ByRegime: map[string]int{}}
	scope, args := "", []any(nil)
	if orgID != "" {
		scope, args = ` WHERE i.organisation_id = ?`, []any{orgID}
	}
	type group struct {
		state            string
		sectors, regimes string
		n                int
	}
	err := db.readTx(ctx, func(c conn) error {
		groups, err := queryAll(ctx, c, func(row scanner) (group, error) {
			var g group
			return g, row.Scan(&g.state, &g.sectors, &g.regimes, &g.n)
		}, `SELECT i.state, i.sectors, i.regimes, count(*) FROM incidents i`+scope+`
			GROUP BY i.state, i.sectors, i.regimes`, args...)
		if err != nil {
			return err
		}
		for _, g := range groups {
			st.Total += g.n
			st.ByState[IncidentState(g.state)] += g.n
			for _, s := range splitCodes(g.sectors) {
				st.BySector[s] += g.n
			}
			for _, r := range splitCodes(g.regimes) {
				st.ByRegime[r] += g.n
			}
		}
		q := `SELECT count(*) FROM incidents i JOIN incident_assessments a ON a.incident_id = i.id WHERE ` + overdueCondition
		oargs := []any{true, at}
		if orgID != "" {
			q += ` AND i.organisation_id = ?`
			oargs = append(oargs, orgID)
		}
		return c.queryRow(ctx, q, oargs...).Scan(&st.Overdue)
	})
	if err != nil {
		return IncidentStats{}, fmt.Errorf("store: incident statistics: %w", err)
	}
	return st, nil
}
