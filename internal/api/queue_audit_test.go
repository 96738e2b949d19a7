package api

import (
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
)

// TestQueueReadsAudited checks that the authority's reads of the queue
// are audited with their filters, and the entities' are not.
func TestQueueReadsAudited(t *testing.T) {
	f := newServer(t)
	analystUser := f.newUser(t, f.authority.ID, store.RoleAuthorityAnalyst, "ana@csirt.example")
	analyst := cookie(f.login(t, "ana@csirt.example", testPassword))
	f.report(t, bearer(f.token), "Queued", awareAgo(time.Hour))

	for _, q := range []string{"", "?state=received,triaged&sector=health&overdue=true&assigned_user=me&organisation=" + f.entity.ID + "&limit=10"} {
		resp, out := f.do(t, "GET", "/api/v1/incidents"+q, analyst)
		wantStatus(t, "analyst's queue"+q, resp, out, 200)
	}
	resp, out := f.do(t, "GET", "/api/v1/incidents", bearer(f.token))
	wantStatus(t, "entity's queue", resp, out, 200)
	resp, out = f.do(t, "GET", "/api/v1/incidents?state=nonsense", analyst)
	wantStatus(t, "a rejected query", resp, out, 400)

	recs := auditOf(t, f, "incident.list")
	if len(recs) != 2 {
		t.Fatalf("%d incident.list records, want 2 (the analyst's successful reads)", len(recs))
	}
	for _, r := range recs {
		if r.Actor != analystUser.ID {
			t.Errorf("record by %s, want the analyst", r.Actor)
		}
	}
	if d := string(recs[0].Detail); d != `{"limit":100,"returned":1}` {
		t.Errorf("unfiltered read audited as %s", d)
	}
	want := `{"assigned_user":"` + analystUser.ID + `","limit":10,"organisation":"` + f.entity.ID + `","overdue":true,"returned":0,"sector":"health","state":["received","triaged"]}`
	if d := string(recs[1].Detail); d != want {
		t.Errorf("filtered read audited as\n%s\nwant\n%s", d, want)
	}
	if recs[1].OrganisationID != f.entity.ID {
		t.Errorf("filtered read recorded for organisation %q, want the entity", recs[1].OrganisationID)
	}
}
