package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

func mustIncident(t *testing.T, db *store.DB, orgID string, in store.Incident) store.Incident {
	t.Helper()
	in.OrganisationID = orgID
	if in.Title == "" {
		in.Title = "Ransomware on billing servers"
	}
	got, err := db.CreateIncident(context.Background(), "NL", in)
	if err != nil {
		t.Fatalf("create incident: %v", err)
	}
	return got
}

func TestCreateIncident(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	facts := json.RawMessage(`{"entity":{"name":"Grid"},"incident":{"kind":"incident"}}`)

	in, err := db.CreateIncident(ctx, "NL", store.Incident{
		OrganisationID: org.ID, Title: "Outage", Facts: facts,
		Sectors: []string{"energy/electricity", "energy/electricity", "transport"}, Regimes: []string{"nis2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("defaults are filled in", func(t *testing.T) {
		if in.ID == "" || in.CreatedAt.IsZero() || in.UpdatedAt != in.CreatedAt || in.Version != 1 {
			t.Errorf("created incident lacks id, times or version: %+v", in)
		}
		if in.Kind != store.KindIncident || in.State != store.StateReceived || in.TLP != store.DefaultTLP {
			t.Errorf("kind, state, tlp = %q, %q, %q; want incident, received, %s", in.Kind, in.State, in.TLP, store.DefaultTLP)
		}
		if !in.ClosedAt.IsZero() {
			t.Errorf("ClosedAt = %v, want zero", in.ClosedAt)
		}
		if want := []string{"energy/electricity", "transport"}; !slices.Equal(in.Sectors, want) {
			t.Errorf("Sectors = %q, want %q (repeats dropped)", in.Sectors, want)
		}
	})
	t.Run("reference is member state, year and counter", func(t *testing.T) {
		want := fmt.Sprintf("NL-%d-000001", in.CreatedAt.Year())
		if in.Reference != want {
			t.Errorf("Reference = %q, want %q", in.Reference, want)
		}
		second := mustIncident(t, db, org.ID, store.Incident{})
		if want := fmt.Sprintf("NL-%d-000002", in.CreatedAt.Year()); second.Reference != want {
			t.Errorf("second Reference = %q, want %q", second.Reference, want)
		}
	})
	t.Run("get returns what was created", func(t *testing.T) {
		got, err := db.GetIncident(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !equalIncident(got, in) {
			t.Errorf("got %+v, want %+v", got, in)
		}
	})
	t.Run("closed on creation sets ClosedAt", func(t *testing.T) {
		c := mustIncident(t, db, org.ID, store.Incident{State: store.StateClosed, Kind: store.KindNearMiss})
		if c.ClosedAt != c.CreatedAt {
			t.Errorf("ClosedAt = %v, want %v", c.ClosedAt, c.CreatedAt)
		}
	})
	t.Run("rejected input", func(t *testing.T) {
		tests := []struct {
			name        string
			memberState string
			in          store.Incident
			want        error
		}{
			{"lower-case member state", "nl", store.Incident{OrganisationID: org.ID}, store.ErrInvalid},
			{"long member state", "NLD", store.Incident{OrganisationID: org.ID}, store.ErrInvalid},
			{"unknown kind", "NL", store.Incident{OrganisationID: org.ID, Kind: "rumour"}, store.ErrInvalid},
			{"unknown state", "NL", store.Incident{OrganisationID: org.ID, State: "lost"}, store.ErrInvalid},
			{"broken facts", "NL", store.Incident{OrganisationID: org.ID, Facts: json.RawMessage(`{`)}, store.ErrInvalid},
			{"sector with a space", "NL", store.Incident{OrganisationID: org.ID, Sectors: []string{"a b"}}, store.ErrInvalid},
			{"empty regime", "NL", store.Incident{OrganisationID: org.ID, Regimes: []string{""}}, store.ErrInvalid},
			{"unknown severity (schema)", "NL", store.Incident{OrganisationID: org.ID, ImpactSeverity: "purple"}, store.ErrInvalid},
			{"unknown outlook (schema)", "NL", store.Incident{OrganisationID: org.ID, ImpactOutlook: "sunny"}, store.ErrInvalid},
			{"unknown organisation", "NL", store.Incident{OrganisationID: "nope"}, store.ErrNotFound},
			{"unknown assignee", "NL", store.Incident{OrganisationID: org.ID, AssignedUserID: "nope"}, store.ErrNotFound},
			{"unknown team", "NL", store.Incident{OrganisationID: org.ID, AssignedTeamID: "nope"}, store.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := db.CreateIncident(ctx, tt.memberState, tt.in)
				if !errors.Is(err, tt.want) {
					t.Errorf("got %v, want %v", err, tt.want)
				}
			})
		}
	})
	t.Run("a failed creation leaves no gap in the references", func(t *testing.T) {
		before := mustIncident(t, db, org.ID, store.Incident{})
		db.CreateIncident(ctx, "NL", store.Incident{OrganisationID: "nope"})
		after := mustIncident(t, db, org.ID, store.Incident{})
		if got, want := refNumber(t, after.Reference), refNumber(t, before.Reference)+1; got != want {
			t.Errorf("reference after a failed creation = %s, want number %d", after.Reference, want)
		}
	})
	t.Run("references are counted per member state", func(t *testing.T) {
		be, err := db.CreateIncident(ctx, "BE", store.Incident{OrganisationID: org.ID, Title: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("BE-%d-000001", be.CreatedAt.Year()); be.Reference != want {
			t.Errorf("Reference = %q, want %q", be.Reference, want)
		}
	})
}

var refPattern = regexp.MustCompile(`^[A-Z]{2}-\d{4}-(\d{6,})$`)

func refNumber(t *testing.T, ref string) int {
	t.Helper()
	m := refPattern.FindStringSubmatch(ref)
	if m == nil {
		t.Fatalf("reference %q is not CC-YYYY-NNNNNN", ref)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		t.Fatalf("reference %q: %v", ref, err)
	}
	return n
}

// equalIncident compares incidents field by field; an empty list equals a
// nil one.
func equalIncident(a, b store.Incident) bool {
	for _, in := range []*store.Incident{&a, &b} {
		if len(in.Sectors) == 0 {
			in.Sectors = nil
		}
		if len(in.Regimes) == 0 {
			in.Regimes = nil
		}
		if len(in.Facts) == 0 {
			in.Facts = nil
		}
	}
	return reflect.DeepEqual(a, b)
}

func TestGetIncidentIsolation(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	orgA := mustOrg(t, db, store.OrgEntity)
	orgB := mustOrg(t, db, store.OrgEntity)
	in := mustIncident(t, db, orgA.ID, store.Incident{})

	t.Run("own organisation reads it", func(t *testing.T) {
		got, err := db.GetIncidentForOrg(ctx, orgA.ID, in.ID)
		if err != nil || got.ID != in.ID {
			t.Errorf("got %+v, %v; want the incident", got, err)
		}
	})
	t.Run("other organisation gets not found", func(t *testing.T) {
		if _, err := db.GetIncidentForOrg(ctx, orgB.ID, in.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("empty organisation gets not found", func(t *testing.T) {
		if _, err := db.GetIncidentForOrg(ctx, "", in.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("unknown id is not found", func(t *testing.T) {
		if _, err := db.GetIncident(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
		if _, err := db.GetIncidentForOrg(ctx, orgA.ID, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("for org: got %v, want ErrNotFound", err)
		}
	})
	t.Run("transaction reads see the transaction's writes", func(t *testing.T) {
		err := db.Transact(ctx, func(tx *store.Tx) error {
			created, err := tx.CreateIncident(ctx, "NL", store.Incident{OrganisationID: orgB.ID, Title: "in tx"})
			if err != nil {
				return err
			}
			if _, err := tx.GetIncident(ctx, created.ID); err != nil {
				t.Errorf("GetIncident in tx: %v", err)
			}
			if _, err := tx.GetIncidentForOrg(ctx, orgB.ID, created.ID); err != nil {
				t.Errorf("GetIncidentForOrg in tx: %v", err)
			}
			if _, err := tx.GetIncidentForOrg(ctx, orgA.ID, created.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetIncidentForOrg of another org in tx: got %v, want ErrNotFound", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestUpdateIncident(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	other := mustOrg(t, db, store.OrgEntity)
	authority := mustOrg(t, db, store.OrgAuthority)
	analyst := mustUser(t, db, authority.ID, "analyst@csirt.example")
	team, err := db.CreateTeam(ctx, store.Team{OrganisationID: authority.ID, Name: "Triage"})
	if err != nil {
		t.Fatal(err)
	}
	in := mustIncident(t, db, org.ID, store.Incident{})

	change := in
	change.State = store.StateTriaged
	change.Title = "Ransomware, two sites"
	change.Facts = json.RawMessage(`{"incident":{"title":"Ransomware, two sites"}}`)
	change.AssignedUserID = analyst.ID
	change.AssignedTeamID = team.ID
	change.RSIT = "malicious-code/ransomware"
	change.TLP = "TLP:AMBER"
	change.ImpactSeverity = "yellow"
	change.ImpactOutlook = "worsening"
	change.Sectors = []string{"health"}
	change.Regimes = []string{"nis2", "gdpr"}
	updated, err := db.UpdateIncident(ctx, change)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("update writes the fields and bumps the version", func(t *testing.T) {
		if updated.Version != 2 {
			t.Errorf("Version = %d, want 2", updated.Version)
		}
		if updated.UpdatedAt.Before(in.UpdatedAt) || updated.CreatedAt != in.CreatedAt || updated.Reference != in.Reference {
			t.Errorf("times or reference wrong: %+v", updated)
		}
		got, err := db.GetIncident(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !equalIncident(got, updated) {
			t.Errorf("stored %+v, want %+v", got, updated)
		}
		want := change
		want.Version, want.UpdatedAt = 2, updated.UpdatedAt
		if !equalIncident(got, want) {
			t.Errorf("stored %+v, want %+v", got, want)
		}
	})
	t.Run("stale version is a conflict", func(t *testing.T) {
		stale := in // version 1
		stale.Title = "lost update"
		if _, err := db.UpdateIncident(ctx, stale); !errors.Is(err, store.ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
		got, _ := db.GetIncident(ctx, in.ID)
		if got.Title != change.Title {
			t.Errorf("title = %q after a conflicting update, want %q", got.Title, change.Title)
		}
	})
	t.Run("another organisation's incident is not found", func(t *testing.T) {
		foreign := updated
		foreign.OrganisationID = other.ID
		if _, err := db.UpdateIncident(ctx, foreign); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("unknown incident is not found", func(t *testing.T) {
		ghost := updated
		ghost.ID = "nope"
		if _, err := db.UpdateIncident(ctx, ghost); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("missing facts are refused", func(t *testing.T) {
		partial := updated
		partial.Facts = nil
		if _, err := db.UpdateIncident(ctx, partial); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("got %v, want ErrInvalid", err)
		}
	})
	t.Run("unknown assignee is not found", func(t *testing.T) {
		bad := updated
		bad.AssignedUserID = "nope"
		if _, err := db.UpdateIncident(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("closing sets ClosedAt once, reopening clears it", func(t *testing.T) {
		cur, _ := db.GetIncident(ctx, in.ID)
		cur.State = store.StateClosed
		closed, err := db.UpdateIncident(ctx, cur)
		if err != nil {
			t.Fatal(err)
		}
		if closed.ClosedAt.IsZero() {
			t.Fatal("ClosedAt not set on closing")
		}
		time.Sleep(2 * time.Millisecond)
		closed.Title = "edited while closed"
		again, err := db.UpdateIncident(ctx, closed)
		if err != nil {
			t.Fatal(err)
		}
		if again.ClosedAt != closed.ClosedAt {
			t.Errorf("ClosedAt moved from %v to %v on an edit", closed.ClosedAt, again.ClosedAt)
		}
		again.State = store.StateInProgress
		reopened, err := db.UpdateIncident(ctx, again)
		if err != nil {
			t.Fatal(err)
		}
		if !reopened.ClosedAt.IsZero() {
			t.Errorf("ClosedAt = %v after reopening, want zero", reopened.ClosedAt)
		}
		if reopened.Version != again.Version+1 {
			t.Errorf("Version = %d, want %d", reopened.Version, again.Version+1)
		}
	})
	t.Run("unassigning clears the assignee", func(t *testing.T) {
		cur, _ := db.GetIncident(ctx, in.ID)
		cur.AssignedUserID, cur.AssignedTeamID = "", ""
		got, err := db.UpdateIncident(ctx, cur)
		if err != nil {
			t.Fatal(err)
		}
		if got.AssignedUserID != "" || got.AssignedTeamID != "" {
			t.Errorf("assignee %q / %q, want none", got.AssignedUserID, got.AssignedTeamID)
		}
	})
}

func TestConcurrentUpdateIncidentOneWins(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	in := mustIncident(t, db, org.ID, store.Incident{})
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			u := in
			u.Title = fmt.Sprintf("writer %d", i)
			_, errs[i] = db.UpdateIncident(ctx, u)
		})
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("writer %d: %v, want success or ErrConflict", i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d writers succeeded from the same version, want 1", wins)
	}
}

func TestConcurrentCreateIncidentReferencesAreUnique(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	const workers, each = 8, 5
	refs := make([][]string, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range each {
				in, err := db.CreateIncident(ctx, "NL", store.Incident{OrganisationID: org.ID, Title: "x"})
				if err != nil {
					errs[w] = err
					return
				}
				refs[w] = append(refs[w], in.Reference)
			}
		})
	}
	wg.Wait()
	var nums []int
	seen := map[string]bool{}
	for w := range workers {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		for _, r := range refs[w] {
			if seen[r] {
				t.Errorf("reference %s handed out twice", r)
			}
			seen[r] = true
			nums = append(nums, refNumber(t, r))
		}
	}
	slices.Sort(nums)
	for i, n := range nums {
		if n != i+1 {
			t.Fatalf("reference numbers %v, want 1 to %d without gaps", nums, workers*each)
		}
	}
}

func TestListIncidents(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	orgA := mustOrg(t, db, store.OrgEntity)
	orgB := mustOrg(t, db, store.OrgEntity)
	authority := mustOrg(t, db, store.OrgAuthority)
	analyst := mustUser(t, db, authority.ID, "analyst@csirt.example")
	team, err := db.CreateTeam(ctx, store.Team{OrganisationID: authority.ID, Name: "Triage"})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	assess := func(in store.Incident, next time.Time, overdue bool) {
		t.Helper()
		if _, err := db.SaveAssessment(ctx, store.Assessment{IncidentID: in.ID, Result: json.RawMessage(`{}`), ComputedAt: t0, NextDueAt: next, Overdue: overdue}); err != nil {
			t.Fatal(err)
		}
	}
	a1 := mustIncident(t, db, orgA.ID, store.Incident{Sectors: []string{"energy/electricity"}, Regimes: []string{"nis2"}})
	a2 := mustIncident(t, db, orgA.ID, store.Incident{Kind: store.KindNearMiss, State: store.StateTriaged,
		Sectors: []string{"energy"}, AssignedUserID: analyst.ID})
	a3 := mustIncident(t, db, orgA.ID, store.Incident{State: store.StateClosed})
	b1 := mustIncident(t, db, orgB.ID, store.Incident{State: store.StateInProgress, Regimes: []string{"nis2", "dora"}, AssignedTeamID: team.ID})
	b2 := mustIncident(t, db, orgB.ID, store.Incident{Kind: store.KindCyberThreat})
	assess(a1, t0.Add(time.Hour), false)
	assess(a2, t0.Add(-time.Hour), true)
	assess(b1, t0.Add(2*time.Hour), false)

	ids := func(items []store.IncidentListItem) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    store.IncidentFilter
		want []store.Incident
	}{
		{"all, by next due then oldest", store.IncidentFilter{}, []store.Incident{a2, a1, b1, a3, b2}},
		{"organisation", store.IncidentFilter{OrganisationID: orgB.ID}, []store.Incident{b1, b2}},
		{"states", store.IncidentFilter{States: []store.IncidentState{store.StateReceived, store.StateTriaged}}, []store.Incident{a2, a1, b2}},
		{"kinds", store.IncidentFilter{Kinds: []store.IncidentKind{store.KindNearMiss, store.KindCyberThreat}}, []store.Incident{a2, b2}},
		{"assigned user", store.IncidentFilter{AssignedUserID: analyst.ID}, []store.Incident{a2}},
		{"assigned team", store.IncidentFilter{AssignedTeamID: team.ID}, []store.Incident{b1}},
		{"sector matches whole codes only", store.IncidentFilter{Sector: "energy"}, []store.Incident{a2}},
		{"sector with a slash", store.IncidentFilter{Sector: "energy/electricity"}, []store.Incident{a1}},
		{"sector prefix matches nothing", store.IncidentFilter{Sector: "energy/elec"}, nil},
		{"regime in the middle of the list", store.IncidentFilter{Regime: "nis2"}, []store.Incident{a1, b1}},
		{"regime at the end of the list", store.IncidentFilter{Regime: "dora"}, []store.Incident{b1}},
		{"overdue by the assessment", store.IncidentFilter{Overdue: true, Now: t0}, []store.Incident{a2}},
		{"overdue since the assessment", store.IncidentFilter{Overdue: true, Now: t0.Add(90 * time.Minute)}, []store.Incident{a2, a1}},
		{"filters combine", store.IncidentFilter{OrganisationID: orgA.ID, Overdue: true, Now: t0.Add(3 * time.Hour), Regime: "nis2"}, []store.Incident{a1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next, err := db.ListIncidents(ctx, tt.f, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, in := range tt.want {
				want = append(want, in.ID)
			}
			if !slices.Equal(ids(got), want) {
				t.Errorf("got %q, want %q", ids(got), want)
			}
			if next != "" {
				t.Errorf("next = %q on the only page, want empty", next)
			}
		})
	}

	t.Run("items carry the assessment, not the facts", func(t *testing.T) {
		got, _, err := db.ListIncidents(ctx, store.IncidentFilter{OrganisationID: orgA.ID}, store.Page{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		it := got[0]
		if it.ID != a2.ID || !it.NextDueAt.Equal(t0.Add(-time.Hour)) || !it.Overdue || it.Facts != nil || it.Reference != a2.Reference {
			t.Errorf("got %+v, want a2 with its assessment and no facts", it)
		}
	})
	t.Run("cursor walks every incident once, in order", func(t *testing.T) {
		var walked []string
		after := ""
		for range 10 {
			page, next, err := db.ListIncidents(ctx, store.IncidentFilter{After: after}, store.Page{Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			walked = append(walked, ids(page)...)
			if next == "" {
				break
			}
			after = next
		}
		want := []string{a2.ID, a1.ID, b1.ID, a3.ID, b2.ID}
		if !slices.Equal(walked, want) {
			t.Errorf("walked %q, want %q", walked, want)
		}
	})
	t.Run("a page that ends the list has no cursor", func(t *testing.T) {
		_, next, err := db.ListIncidents(ctx, store.IncidentFilter{}, store.Page{Limit: 5})
		if err != nil || next != "" {
			t.Errorf("next = %q, %v; want empty", next, err)
		}
	})
	t.Run("offset skips", func(t *testing.T) {
		got, _, err := db.ListIncidents(ctx, store.IncidentFilter{}, store.Page{Limit: 2, Offset: 3})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{a3.ID, b2.ID}; !slices.Equal(ids(got), want) {
			t.Errorf("got %q, want %q", ids(got), want)
		}
	})
	t.Run("malformed cursor is invalid", func(t *testing.T) {
		for _, c := range []string{"!!", "aGVsbG8", "aTF8fHx4"} {
			if _, _, err := db.ListIncidents(ctx, store.IncidentFilter{After: c}, store.Page{}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("cursor %q: got %v, want ErrInvalid", c, err)
			}
		}
	})
}

func TestListIncidentsCursorWithTies(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	due := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var want []string
	for i := range 7 {
		in := mustIncident(t, db, org.ID, store.Incident{})
		if i%2 == 0 { // four share one due instant, three have none
			if _, err := db.SaveAssessment(ctx, store.Assessment{IncidentID: in.ID, Result: json.RawMessage(`{}`), NextDueAt: due}); err != nil {
				t.Fatal(err)
			}
		}
	}
	all, _, err := db.ListIncidents(ctx, store.IncidentFilter{}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range all {
		want = append(want, it.ID)
	}
	var walked []string
	after := ""
	for range 10 {
		page, next, err := db.ListIncidents(ctx, store.IncidentFilter{After: after}, store.Page{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page {
			walked = append(walked, it.ID)
		}
		if next == "" {
			break
		}
		after = next
	}
	if len(want) != 7 || !slices.Equal(walked, want) {
		t.Errorf("walked %q, want %q", walked, want)
	}
}

func TestListIncidentsRejectsCodesWithSpaces(t *testing.T) {
	db := storetest.Open(t)
	for _, f := range []store.IncidentFilter{{Sector: "energy health"}, {Regime: "nis2 "}} {
		if _, _, err := db.ListIncidents(context.Background(), f, store.Page{}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%+v: got %v, want ErrInvalid", f, err)
		}
	}
}

// TestIncidentWritesCommitTogether records an incident the way the API
// does — incident, first report, timeline entry, assessment, reminder job,
// notification and audit record in one transaction — and checks that a
// failure at the end leaves none of them behind, the reference counter
// included.
func TestIncidentWritesCommitTogether(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	org := mustOrg(t, db, store.OrgEntity)
	boom := errors.New("boom")

	record := func(fail bool) (store.Incident, error) {
		var in store.Incident
		err := db.Transact(ctx, func(tx *store.Tx) error {
			var err error
			in, err = tx.CreateIncident(ctx, "NL", store.Incident{OrganisationID: org.ID, Title: "Outage"})
			if err != nil {
				return err
			}
			sub, _, err := tx.CreateSubmission(ctx, store.Submission{IncidentID: in.ID, OrganisationID: org.ID,
				Report: "nis2.early_warning", Body: json.RawMessage(`{}`), SubmittedBy: "u", IdempotencyKey: "k-" + in.ID})
			if err != nil {
				return err
			}
			if _, err := tx.AddIncidentEvent(ctx, store.IncidentEvent{IncidentID: in.ID, Actor: "u", Kind: store.EventMessage, Visibility: store.VisibilityShared}); err != nil {
				return err
			}
			if _, err := tx.SaveAssessment(ctx, store.Assessment{IncidentID: in.ID, Result: json.RawMessage(`{}`)}); err != nil {
				return err
			}
			if _, _, err := tx.EnqueueJob(ctx, store.Job{Kind: "reminder", DedupeKey: "remind:" + in.ID}); err != nil {
				return err
			}
			if _, _, err := tx.CreateNotification(ctx, store.Notification{OrganisationID: org.ID, IncidentID: in.ID,
				Kind: store.NotifyMessage, Message: "received"}); err != nil {
				return err
			}
			if err := tx.Audit(ctx, store.AuditEvent{Actor: "u", OrganisationID: org.ID, Action: "incident.create",
				ObjectType: "incident", ObjectID: in.ID, Detail: map[string]string{"submission": sub.ID}}); err != nil {
				return err
			}
			if fail {
				return boom
			}
			return nil
		})
		return in, err
	}

	lost, err := record(true)
	if !errors.Is(err, boom) {
		t.Fatalf("Transact = %v, want boom", err)
	}
	if _, err := db.GetIncident(ctx, lost.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("incident of a rolled-back transaction: %v, want ErrNotFound", err)
	}
	if _, err := db.LookupSubmissionByIdempotencyKey(ctx, org.ID, "k-"+lost.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("submission of a rolled-back transaction: %v, want ErrNotFound", err)
	}
	if n, _ := db.CountUnreadNotifications(ctx, org.ID); n != 0 {
		t.Errorf("%d notifications after a rollback, want 0", n)
	}
	if recs, _ := db.ListAudit(ctx, org.ID, 0, 10); len(recs) != 0 {
		t.Errorf("%d audit records after a rollback, want 0", len(recs))
	}

	kept, err := record(false)
	if err != nil {
		t.Fatal(err)
	}
	if kept.Reference != lost.Reference {
		t.Errorf("reference %s after a rolled-back %s, want it reused", kept.Reference, lost.Reference)
	}
	if _, err := db.GetAssessment(ctx, kept.ID); err != nil {
		t.Errorf("assessment: %v", err)
	}
	if events, _ := db.ListIncidentEvents(ctx, kept.ID, false, store.Page{}); len(events) != 1 {
		t.Errorf("%d events, want 1", len(events))
	}
	if recs, _ := db.ListAudit(ctx, org.ID, 0, 10); len(recs) != 1 {
		t.Errorf("%d audit records, want 1", len(recs))
	}
}
