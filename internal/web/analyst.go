package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The authority's pages: the queue of incidents, an incident with its
// reports, timeline and the analyst's forms (triage, assignment,
// classification, notes, messages, requests, feedback), and the dashboard.
// Everything goes through the JSON API, which checks roles again.

// analystRoutes registers the authority's pages.
func (u *UI) analystRoutes(page func(string, pageFunc)) {
	page("GET /dashboard", u.dashboard)
	page("POST /incidents/{id}/state", u.anAction(actState))
	page("POST /incidents/{id}/assignment", u.anAction(actAssign))
	page("POST /incidents/{id}/classification", u.anAction(actClassify))
	page("POST /incidents/{id}/notes", u.anAction(actNote))
	// POST /incidents/{id}/messages is registered once, in operator.go,
	// and comes to anAction(actMessage) for authority readers.
	page("POST /incidents/{id}/intermediate-requests", u.anAction(actRequest))
	page("POST /incidents/{id}/feedback", u.anAction(actFeedback))
}

// queueFilter is the queue's GET form.
type queueFilter struct {
	State, Sector, Regime, Team string
	Overdue, Mine               bool
	Next                        string
	Per                         int // incidents per page, 1 to 200; 0: 50
}

func readQueueFilter(q url.Values) queueFilter {
	return queueFilter{State: q.Get("state"), Sector: q.Get("sector"), Regime: q.Get("regime"), Team: q.Get("team"),
		Overdue: q.Get("overdue") == "true", Mine: q.Get("mine") == "true", Next: q.Get("next"),
		Per: int(min(atoi(q.Get("per")), 200))}
}

// apiQuery is the filter as the API's query string (without the cursor).
func (f queueFilter) apiQuery() url.Values { return f.values("assigned_team", "assigned_user", "me") }

// pageQuery is the filter as the queue page's own query string.
func (f queueFilter) pageQuery() url.Values {
	q := f.values("team", "mine", "true")
	if f.Per > 0 {
		q.Set("per", strconv.Itoa(f.Per))
	}
	return q
}

// values writes the filter with the given names for the team and the
// "assigned to me" parameters, which differ between the API and the page.
func (f queueFilter) values(team, mine, mineValue string) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("state", f.State)
	set("sector", f.Sector)
	set("regime", f.Regime)
	set(team, f.Team)
	if f.Overdue {
		q.Set("overdue", "true")
	}
	if f.Mine {
		q.Set(mine, mineValue)
	}
	return q
}

// queueRow is one incident of the queue with the names it refers to.
type queueRow struct {
	incidentSummary
	Entity, Assignee, TeamName string
	TLPClass                   string
	AuthorityOverdue           bool
}

// tlpClass is the CSS class suffix of a TLP label: "TLP:AMBER+STRICT" →
// "amber-strict".
func tlpClass(l string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(l, "TLP:")), "+", "-")
}

// FirstPage is the query of the filtered queue's first page.
func (f queueFilter) FirstPage() string { return f.pageQuery().Encode() }

// queueData is the queue page.
type queueData struct {
	Filter   queueFilter
	States   []option
	Sectors  []option
	Regimes  []option
	Teams    []option
	Rows     []queueRow
	NextLink string // the following page, "" at the end
	Filtered bool   // a filter or cursor is set: offer the first page
	Error    string
}

// directory holds the names the authority's pages show instead of ids.
type directory struct {
	orgs  map[string]string
	users map[string]string
	teams map[string]string
	// usersListed: GET /api/v1/users answered (analysts may not list users).
	usersListed bool
	userOpts    []option
	teamOpts    []option
	someone     string // names a user the reader may not look up
}

// loadDirectory reads organisations, the authority's users and teams.
// Lists the reader may not read stay empty.
func (u *UI) loadDirectory(r *http.Request, v *view) (*directory, error) {
	d := &directory{orgs: map[string]string{}, users: map[string]string{}, teams: map[string]string{}, someone: v.T("an.someone")}
	var orgs struct {
		Items []struct{ ID, Name string } `json:"items"`
	}
	if _, err := u.call(r, http.MethodGet, "/api/v1/organisations?limit=500", nil, &orgs); err != nil && !forbidden(err) {
		return nil, err
	}
	for _, o := range orgs.Items {
		d.orgs[o.ID] = o.Name
	}
	var users struct {
		Items []struct {
			ID          string `json:"id"`
			DisplayName string `json:"display_name"`
			Email       string `json:"email"`
			Disabled    bool   `json:"disabled"`
		} `json:"items"`
	}
	_, err := u.call(r, http.MethodGet, "/api/v1/users?limit=500", nil, &users)
	switch {
	case err == nil:
		d.usersListed = true
	case !forbidden(err):
		return nil, err
	}
	for _, us := range users.Items {
		d.users[us.ID] = us.DisplayName
		if !us.Disabled {
			d.userOpts = append(d.userOpts, option{Value: us.ID, Label: us.DisplayName + " <" + us.Email + ">"})
		}
	}
	if me := v.Me.User; me != nil {
		d.users[me.ID] = me.DisplayName
		if !d.usersListed {
			d.userOpts = append(d.userOpts, option{Value: me.ID, Label: me.DisplayName + " <" + me.Email + ">"})
		}
	}
	var teams struct {
		Items []struct{ ID, Name string } `json:"items"`
	}
	if _, err := u.call(r, http.MethodGet, "/api/v1/teams?limit=500", nil, &teams); err != nil && !forbidden(err) {
		return nil, err
	}
	for _, t := range teams.Items {
		d.teams[t.ID] = t.Name
		d.teamOpts = append(d.teamOpts, option{Value: t.ID, Label: t.Name})
	}
	return d, nil
}

func forbidden(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == http.StatusForbidden
}

// user names a user id; a user the reader may not look up shows as a
// colleague with the id's start.
func (d *directory) user(id string) string {
	if n, ok := d.users[id]; ok {
		return n
	}
	return d.someone + " (" + id[:min(8, len(id))] + "…)"
}

var (
	incidentStates = []string{"received", "triaged", "in_progress", "closed"}
	regimes        = []string{"nis2", "dora", "gdpr", "cra"}
)

// queue is the authority's incident queue, ordered by the API (next due
// first), with filters as a GET form and the API's cursor for more.
func (u *UI) queue(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title, v.Nav = v.T("an.queue.title"), "incidents"
	f := readQueueFilter(r.URL.Query())
	d := &queueData{Filter: f, Filtered: len(r.URL.Query()) > 0}
	dir, err := u.loadDirectory(r, v)
	if err != nil {
		return err
	}
	d.States = []option{{"", v.T("an.filter.any")}}
	for _, s := range incidentStates {
		d.States = append(d.States, option{s, v.T("state." + s)})
	}
	d.Regimes = []option{{"", v.T("an.filter.any")}}
	for _, s := range regimes {
		d.Regimes = append(d.Regimes, option{s, v.T("regime." + s)})
	}
	d.Teams = append([]option{{"", v.T("an.filter.any")}}, dir.teamOpts...)
	// The sectors of NIS2's annexes; reading the statistics for the
	// sectors in use would cost a count of every incident (and an audit
	// record) on each view of the queue.
	entries, err := u.vocabulary(r, "nis2-entity-types")
	if err != nil {
		return err
	}
	d.Sectors = []option{{"", v.T("an.filter.any")}}
	for _, e := range entries {
		if e.Attributes["level"] == "sector" {
			d.Sectors = append(d.Sectors, option{e.Code, e.Label})
		}
	}

	q := f.apiQuery()
	q.Set("limit", "50")
	if f.Per > 0 {
		q.Set("limit", strconv.Itoa(f.Per))
	}
	if f.Next != "" {
		q.Set("next", f.Next)
	}
	var list incidentPage
	status := http.StatusOK
	if _, err := u.call(r, http.MethodGet, "/api/v1/incidents?"+q.Encode(), nil, &list); err != nil {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
			return err
		}
		d.Error, status = ae.Message, http.StatusBadRequest
	}
	for _, it := range list.Items {
		row := queueRow{incidentSummary: it, Entity: dir.orgs[it.OrganisationID], TLPClass: tlpClass(it.TLP)}
		if row.Entity == "" {
			row.Entity = it.OrganisationID
		}
		if a := it.Assignment; a != nil {
			if a.UserID != "" {
				row.Assignee = dir.user(a.UserID)
			}
			if a.TeamID != "" {
				row.TeamName = dir.teams[a.TeamID]
			}
		}
		row.AuthorityOverdue = v.Overdue(it.AuthorityNextDueAt) && it.State != "closed"
		d.Rows = append(d.Rows, row)
	}
	if list.Next != nil {
		pq := f.pageQuery()
		pq.Set("next", *list.Next)
		d.NextLink = "/incidents?" + pq.Encode()
	}
	u.render(w, status, "queue", v, d)
	return nil
}

// stats is GET /api/v1/stats.
type stats struct {
	Total            int            `json:"total"`
	ByState          map[string]int `json:"by_state"`
	BySector         map[string]int `json:"by_sector"`
	ByRegime         map[string]int `json:"by_regime"`
	Overdue          int            `json:"overdue"`
	OverdueIncidents []struct {
		ID               string     `json:"id"`
		Reference        string     `json:"reference"`
		Title            string     `json:"title"`
		OrganisationName string     `json:"organisation_name"`
		NextDueAt        *time.Time `json:"next_due_at"`
	} `json:"overdue_incidents"`
	ComputedAt time.Time `json:"computed_at"`
}

// count is one row of a dashboard table.
type count struct {
	Key, Label string
	N          int
}

type dashboardData struct {
	Stats    stats
	ByState  []count
	BySector []count
	ByRegime []count
}

// dashboard shows the authority's counts by state, sector and regime, and
// the overdue incidents.
func (u *UI) dashboard(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Me == nil {
		return errSignIn
	}
	if !v.Authority() {
		return &pageError{Status: http.StatusForbidden, Message: v.T("error.forbidden")}
	}
	d := &dashboardData{}
	if _, err := u.call(r, http.MethodGet, "/api/v1/stats", nil, &d.Stats); err != nil {
		return err
	}
	for _, s := range incidentStates {
		d.ByState = append(d.ByState, count{s, v.T("state." + s), d.Stats.ByState[s]})
	}
	for _, s := range sortedKeys(d.Stats.BySector) {
		d.BySector = append(d.BySector, count{s, s, d.Stats.BySector[s]})
	}
	for _, s := range sortedKeys(d.Stats.ByRegime) {
		label := v.T("regime." + s)
		d.ByRegime = append(d.ByRegime, count{s, label, d.Stats.ByRegime[s]})
	}
	v.Title, v.Nav = v.T("an.dash.title"), "dashboard"
	u.render(w, http.StatusOK, "dashboard", v, d)
	return nil
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// atoi reads a positive int64, 0 if it is none.
func atoi(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// has reports whether xs holds x.
func has(xs []string, x string) bool { return slices.Contains(xs, x) }
