package api

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/store"
)

// TestUpdateOrganisationDecisions checks who may change which
// organisation, and how.
func TestUpdateOrganisationDecisions(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	other := f.org(t, "Hospital B")
	f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "ada@a.example")
	adminS := cookie(f.login(t, "ada@a.example", testPassword))
	reporter := bearer(f.token)
	supervisor := bearer(f.tokenFor(t, f.authority, store.RoleAuthoritySupervisor))
	root := bearer(f.tokenFor(t, f.authority, store.RoleNodeAdmin))
	newProfile := `{"member_state":"BE","entity_types":["health/healthcare-provider"],"size":{"employees":400}}`
	path := func(id string) string { return "/api/v1/organisations/" + id }

	tests := []struct {
		name   string
		caller reqOpt
		id     string
		body   string
		status int
		field  string // for 400
	}{
		{"reporter changes the profile", reporter, f.entity.ID, `{"profile":` + newProfile + `}`, 403, ""},
		{"supervisor changes an entity", supervisor, f.entity.ID, `{"name":"X"}`, 403, ""},
		{"entity admin renames the entity", adminS, f.entity.ID, `{"name":"X"}`, 403, ""},
		{"entity admin changes the Member State", adminS, f.entity.ID, `{"member_state":"BE"}`, 403, ""},
		{"entity admin changes the kind", adminS, f.entity.ID, `{"kind":"authority"}`, 400, "kind"},
		{"entity admin changes another entity", adminS, other.ID, `{"profile":` + newProfile + `}`, 404, ""},
		{"entity admin changes the authority", adminS, f.authority.ID, `{"profile":` + newProfile + `}`, 404, ""},
		{"entity admin changes a missing organisation", adminS, missingID, `{"profile":` + newProfile + `}`, 404, ""},
		{"entity admin sends an invalid profile", adminS, f.entity.ID, `{"profile":{"member_state":"NL","entity_types":["energy/nuclear"]}}`, 400, "profile.entity_types[0]"},
		{"entity admin sends an unknown profile field", adminS, f.entity.ID, `{"profile":{"member_state":"NL","sector":"x"}}`, 400, "profile.sector"},
		{"entity admin sends a null profile", adminS, f.entity.ID, `{"profile":null}`, 400, "profile"},
		{"entity admin changes the profile", adminS, f.entity.ID, `{"profile":` + newProfile + `}`, 200, ""},
		{"node admin gives a Member State against the profile", root, other.ID, `{"member_state":"DE","profile":` + newProfile + `}`, 400, "member_state"},
		{"node admin gives an unknown Member State", root, other.ID, `{"member_state":"GR"}`, 400, "member_state"},
		{"node admin empties the name", root, other.ID, `{"name":"  "}`, 400, "name"},
		{"node admin gives the authority a profile", root, f.authority.ID, `{"profile":` + newProfile + `}`, 400, "profile"},
		{"node admin renames another entity", root, other.ID, `{"name":"Hospital B (Antwerp)","member_state":"BE"}`, 200, ""},
		{"node admin renames the authority", root, f.authority.ID, `{"name":"CSIRT-NL"}`, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, "PATCH", path(tc.id), rawBody(tc.body), tc.caller)
			wantStatus(t, tc.name, resp, out, tc.status)
			if tc.field != "" && !slices.Contains(fieldsOf(t, out), tc.field) {
				t.Errorf("fields %v do not name %q: %s", fieldsOf(t, out), tc.field, out)
			}
		})
	}
	resp1, out1 := f.do(t, "PATCH", path(other.ID), rawBody(`{"profile":`+newProfile+`}`), adminS)
	resp2, out2 := f.do(t, "PATCH", path(missingID), rawBody(`{"profile":`+newProfile+`}`), adminS)
	if resp1.StatusCode != 404 || string(out1) != string(out2) {
		t.Errorf("another entity: %d %s; missing: %d %s", resp1.StatusCode, out1, resp2.StatusCode, out2)
	}

	a, err := f.db.GetOrganisation(ctx, f.entity.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Hospital A" || a.MemberState != "BE" || a.Kind != store.OrgEntity || !strings.Contains(string(a.Profile), `"employees":400`) {
		t.Errorf("entity now %+v %s, want the new profile, its Member State, the old name", a, a.Profile)
	}
	b, _ := f.db.GetOrganisation(ctx, other.ID)
	if b.Name != "Hospital B (Antwerp)" || b.MemberState != "BE" || string(b.Profile) != string(other.Profile) {
		t.Errorf("other entity now %+v %s", b, b.Profile)
	}
	if auth, _ := f.db.GetOrganisation(ctx, f.authority.ID); auth.Name != "CSIRT-NL" || auth.Kind != store.OrgAuthority {
		t.Errorf("authority now %+v", auth)
	}
	recs := auditOf(t, f, "organisation.update")
	if len(recs) != 3 {
		t.Fatalf("%d organisation.update records, want 3", len(recs))
	}
	if d := string(recs[0].Detail); d != `{"member_state":"BE","profile":"replaced"}` {
		t.Errorf("profile change audited as %s", d)
	}

	// The new profile is used for incidents reported after it.
	view := f.report(t, bearer(f.tokenFor(t, f.entity, store.RoleEntityReporter)), "After the move", awareAgo(0))
	if view.Incident.Facts.Entity == nil || view.Incident.Facts.Entity.MemberState != "BE" {
		t.Errorf("new incident's entity %+v, want the profile's Member State BE", view.Incident.Facts.Entity)
	}
}
