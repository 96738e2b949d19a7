package api

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// missingID is an id no object has.
const missingID = "01900000-0000-7000-8000-000000000000"

func fieldsOf(t *testing.T, out []byte) []string {
	t.Helper()
	var names []string
	for _, f := range decode[envelope](t, out).Error.Fields {
		names = append(names, f.Field)
	}
	return names
}

func compact(t *testing.T, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCreateOrganisationProfile(t *testing.T) {
	f := newServer(t)
	admin := bearer(f.tokenFor(t, f.authority, store.RoleNodeAdmin))

	profile := `{ "member_state": "DE", "entity_types": ["energy/electricity/dso"],
		"size": {"employees": 300}, "designations": {"systemic_risk": true} }`
	resp, out := f.do(t, "POST", "/api/v1/organisations", rawBody(`{"name":"Stadtwerke","profile":`+profile+`}`), admin)
	wantStatus(t, "create", resp, out, 201)
	o := decode[Organisation](t, out)
	if o.Kind != "entity" || o.MemberState != "DE" || o.Name != "Stadtwerke" {
		t.Errorf("created %+v, want an entity in DE", o)
	}
	stored, err := f.db.GetOrganisation(context.Background(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"member_state":"DE","entity_types":["energy/electricity/dso"],"size":{"employees":300},"designations":{"systemic_risk":true}}`; string(stored.Profile) != want {
		t.Errorf("stored profile %s, want the compact profile %s", stored.Profile, want)
	}
	resp, out = f.do(t, "GET", "/api/v1/organisations/"+o.ID, admin)
	wantStatus(t, "get", resp, out, 200)
	if got := decode[Organisation](t, out); got.ID != o.ID || !bytes.Equal(compact(t, got.Profile), stored.Profile) {
		t.Errorf("read back %s, want %+v", out, o)
	}
	resp, out = f.do(t, "POST", "/api/v1/organisations", rawBody(`{"name":"Abroad","profile":{"eu_representative":"IE"}}`), admin)
	wantStatus(t, "entity outside the Union", resp, out, 201)
	if got := decode[Organisation](t, out); got.MemberState != "IE" {
		t.Errorf("member_state %q, want IE from eu_representative", got.MemberState)
	}

	for _, tc := range []struct {
		name, body, field string
	}{
		{"unknown profile field", `{"name":"X","profile":{"member_state":"NL","sector":"energy"}}`, "profile.sector"},
		{"unknown entity type", `{"name":"X","profile":{"member_state":"NL","entity_types":["energy/nuclear"]}}`, "profile.entity_types[0]"},
		{"no Member State", `{"name":"X","profile":{"entity_types":["health/healthcare-provider"]}}`, "profile.member_state"},
		{"Greece as GR", `{"name":"X","profile":{"member_state":"GR"}}`, "profile.member_state"},
		{"wrong type", `{"name":"X","profile":{"member_state":"NL","size":{"employees":"many"}}}`, "profile.size.employees"},
		{"profile not an object", `{"name":"X","profile":[1]}`, "profile"},
		{"profile missing", `{"name":"X"}`, "profile"},
		{"name missing", `{"profile":{"member_state":"NL"}}`, "name"},
		{"unknown top-level field", `{"name":"X","profile":{"member_state":"NL"},"kind":"authority"}`, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, "POST", "/api/v1/organisations", rawBody(tc.body), admin)
			wantStatus(t, tc.name, resp, out, 400)
			if fields := fieldsOf(t, out); !slices.Contains(fields, tc.field) {
				t.Errorf("fields %v do not name %q: %s", fields, tc.field, out)
			}
			for _, fl := range fieldsOf(t, out) {
				if strings.HasPrefix(fl, "incident") || strings.HasPrefix(fl, "now") {
					t.Errorf("field %q is not about the profile", fl)
				}
			}
		})
	}
}

// TestCrossOrganisationNotFound checks that the objects of another
// organisation answer exactly like objects that do not exist.
func TestCrossOrganisationNotFound(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	a, b := f.entity, f.org(t, "Hospital B")
	userB := f.newUser(t, b.ID, store.RoleEntityReporter, "carol@b.example")
	tokenB, err := f.db.LookupAPIToken(ctx, auth.HashToken(f.tokenFor(t, b, store.RoleEntityReporter)))
	if err != nil {
		t.Fatal(err)
	}
	team, err := f.db.CreateTeam(ctx, store.Team{OrganisationID: f.authority.ID, Name: "Triage"})
	if err != nil {
		t.Fatal(err)
	}
	analyst := f.newUser(t, f.authority.ID, store.RoleAuthorityAnalyst, "ana@csirt.example")
	expires := time.Now().Add(time.Hour)

	callers := map[string]reqOpt{
		"entity_admin":    bearer(f.tokenFor(t, a, store.RoleEntityAdmin)),
		"entity_reporter": bearer(f.tokenFor(t, a, store.RoleEntityReporter)),
	}
	cases := []struct {
		method, other, missing string
		body                   func(id string) any
	}{
		{"GET", "/api/v1/organisations/" + b.ID, "/api/v1/organisations/" + missingID, nil},
		{"GET", "/api/v1/users/" + userB.ID, "/api/v1/users/" + missingID, nil},
		{"GET", "/api/v1/users?organisation_id=" + b.ID, "/api/v1/users?organisation_id=" + missingID, nil},
		{"POST", "/api/v1/users", "/api/v1/users", func(id string) any {
			return CreateUserRequest{OrganisationID: id, Email: "new@b.example", Role: "entity_reporter", Password: testPassword}
		}},
		{"GET", "/api/v1/tokens/" + tokenB.ID, "/api/v1/tokens/" + missingID, nil},
		{"DELETE", "/api/v1/tokens/" + tokenB.ID, "/api/v1/tokens/" + missingID, nil},
		{"GET", "/api/v1/tokens?organisation_id=" + b.ID, "/api/v1/tokens?organisation_id=" + missingID, nil},
		{"POST", "/api/v1/tokens", "/api/v1/tokens", func(id string) any {
			return CreateAPITokenRequest{OrganisationID: id, Name: "x", Role: "entity_reporter", ExpiresAt: expires}
		}},
		{"GET", "/api/v1/teams/" + team.ID, "/api/v1/teams/" + missingID, nil},
		{"GET", "/api/v1/teams/" + team.ID + "/members", "/api/v1/teams/" + missingID + "/members", nil},
		{"PUT", "/api/v1/teams/" + team.ID + "/members/" + analyst.ID, "/api/v1/teams/" + missingID + "/members/" + analyst.ID, nil},
		{"DELETE", "/api/v1/teams/" + team.ID + "/members/" + analyst.ID, "/api/v1/teams/" + missingID + "/members/" + analyst.ID, nil},
	}
	for name, caller := range callers {
		for _, tc := range cases {
			t.Run(name+" "+tc.method+" "+tc.other, func(t *testing.T) {
				var otherBody, missingBody any
				if tc.body != nil {
					otherBody, missingBody = jsonBody(tc.body(b.ID)), jsonBody(tc.body(missingID))
				}
				resp1, out1 := f.do(t, tc.method, tc.other, otherBody, caller)
				resp2, out2 := f.do(t, tc.method, tc.missing, missingBody, caller)
				wantStatus(t, "other organisation's object", resp1, out1, 404)
				wantStatus(t, "missing object", resp2, out2, 404)
				if string(out1) != string(out2) {
					t.Errorf("bodies differ:\nother:   %s\nmissing: %s", out1, out2)
				}
			})
		}
	}
	// Nothing happened to B's objects.
	if tk, err := f.db.GetAPIToken(ctx, tokenB.ID); err != nil || !tk.RevokedAt.IsZero() {
		t.Errorf("B's token after the attempts: %+v, %v; want it unrevoked", tk, err)
	}
	if _, err := f.db.GetUserByEmail(ctx, "new@b.example"); err == nil {
		t.Error("a user was created in B")
	}
}

// TestRoleDecisions checks 403 (the object is visible but the role may not
// act on it) against 404 (the object is not visible) route by route.
func TestRoleDecisions(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	a, b := f.entity, f.org(t, "Hospital B")
	adminA := f.newUser(t, a.ID, store.RoleEntityAdmin, "alice@a.example")
	userB := f.newUser(t, b.ID, store.RoleEntityReporter, "carol@b.example")
	analystUser := f.newUser(t, f.authority.ID, store.RoleAuthorityAnalyst, "ana@csirt.example")
	tokenB, _ := f.db.LookupAPIToken(ctx, auth.HashToken(f.tokenFor(t, b, store.RoleEntityReporter)))
	team, err := f.db.CreateTeam(ctx, store.Team{OrganisationID: f.authority.ID, Name: "Triage"})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(30 * time.Minute) // before the callers' tokens expire
	reporterA := bearer(f.tokenFor(t, a, store.RoleEntityReporter))
	robA := f.newUser(t, a.ID, store.RoleEntityReporter, "rob@a.example")
	robSession := cookie(f.login(t, "rob@a.example", testPassword))
	entityAdminA := bearer(f.tokenFor(t, a, store.RoleEntityAdmin))
	analyst := bearer(f.tokenFor(t, f.authority, store.RoleAuthorityAnalyst))
	supervisor := bearer(f.tokenFor(t, f.authority, store.RoleAuthoritySupervisor))
	nodeAdmin := bearer(f.tokenFor(t, f.authority, store.RoleNodeAdmin))
	org := func() reqBody {
		return jsonBody(CreateOrganisationRequest{Name: "C", Profile: json.RawMessage(`{"member_state":"NL"}`)})
	}
	tok := func(orgID, role string) reqBody {
		return jsonBody(CreateAPITokenRequest{OrganisationID: orgID, Name: "ci", Role: role, ExpiresAt: exp})
	}
	usr := func(orgID, email, role string) reqBody {
		return jsonBody(CreateUserRequest{OrganisationID: orgID, Email: email, Role: role, Password: testPassword})
	}
	member := "/api/v1/teams/" + team.ID + "/members/"

	tests := []struct {
		name         string
		caller       reqOpt
		method, path string
		body         any
		status       int
	}{
		{"reporter reads a colleague", reporterA, "GET", "/api/v1/users/" + adminA.ID, nil, 403},
		{"reporter reads himself", robSession, "GET", "/api/v1/users/" + robA.ID, nil, 200},
		{"signed-in reporter reads a colleague", robSession, "GET", "/api/v1/users/" + adminA.ID, nil, 403},
		{"reporter reads another entity's user", reporterA, "GET", "/api/v1/users/" + userB.ID, nil, 404},
		{"reporter lists own users", reporterA, "GET", "/api/v1/users", nil, 403},
		{"reporter reads own organisation", reporterA, "GET", "/api/v1/organisations/" + a.ID, nil, 200},
		{"reporter reads another organisation", reporterA, "GET", "/api/v1/organisations/" + b.ID, nil, 404},
		{"reporter lists organisations", reporterA, "GET", "/api/v1/organisations", nil, 403},
		{"reporter creates an organisation", reporterA, "POST", "/api/v1/organisations", org(), 403},
		{"reporter lists tokens", reporterA, "GET", "/api/v1/tokens", nil, 403},
		{"reporter issues a token", reporterA, "POST", "/api/v1/tokens", tok("", "entity_reporter"), 403},
		{"reporter creates a user", reporterA, "POST", "/api/v1/users", usr("", "x1@a.example", "entity_reporter"), 403},
		{"reporter assesses", reporterA, "POST", "/api/v1/assessments", rawBody(`{"now":"2026-01-01T00:00:00Z","entity":{"member_state":"NL"},"incident":{"kind":"near_miss"}}`), 200},

		{"entity admin issues an entity_admin token", entityAdminA, "POST", "/api/v1/tokens", tok("", "entity_admin"), 201},
		{"entity admin issues a node_admin token", entityAdminA, "POST", "/api/v1/tokens", tok("", "node_admin"), 400},
		{"entity admin issues an analyst token", entityAdminA, "POST", "/api/v1/tokens", tok("", "authority_analyst"), 400},
		{"entity admin creates a reporter", entityAdminA, "POST", "/api/v1/users", usr("", "x2@a.example", "entity_reporter"), 201},
		{"entity admin creates a node admin", entityAdminA, "POST", "/api/v1/users", usr("", "x3@a.example", "node_admin"), 400},
		{"entity admin lists own users", entityAdminA, "GET", "/api/v1/users", nil, 200},
		{"entity admin lists teams", entityAdminA, "GET", "/api/v1/teams", nil, 403},
		{"entity admin creates a team", entityAdminA, "POST", "/api/v1/teams", jsonBody(CreateTeamRequest{Name: "Ours"}), 403},
		{"entity admin reads the authority's team", entityAdminA, "GET", "/api/v1/teams/" + team.ID, nil, 404},
		{"entity admin reads the authority", entityAdminA, "GET", "/api/v1/organisations/" + f.authority.ID, nil, 404},

		{"analyst reads another entity", analyst, "GET", "/api/v1/organisations/" + b.ID, nil, 200},
		{"analyst lists organisations", analyst, "GET", "/api/v1/organisations", nil, 200},
		{"analyst reads an entity's user", analyst, "GET", "/api/v1/users/" + userB.ID, nil, 403},
		{"analyst lists the authority's staff", analyst, "GET", "/api/v1/users", nil, 200},
		{"analyst lists an entity's users", analyst, "GET", "/api/v1/users?organisation_id=" + b.ID, nil, 403},
		{"analyst reads an entity's token", analyst, "GET", "/api/v1/tokens/" + tokenB.ID, nil, 403},
		{"analyst revokes an entity's token", analyst, "DELETE", "/api/v1/tokens/" + tokenB.ID, nil, 403},
		{"analyst reads a team", analyst, "GET", "/api/v1/teams/" + team.ID, nil, 200},
		{"analyst creates a team", analyst, "POST", "/api/v1/teams", jsonBody(CreateTeamRequest{Name: "Mine"}), 403},
		{"analyst adds a member", analyst, "PUT", member + analystUser.ID, nil, 403},
		{"analyst creates an organisation", analyst, "POST", "/api/v1/organisations", org(), 403},

		{"supervisor adds a member", supervisor, "PUT", member + analystUser.ID, nil, 204},
		{"supervisor adds an entity's user", supervisor, "PUT", member + userB.ID, nil, 404},
		{"supervisor lists an entity's users", supervisor, "GET", "/api/v1/users?organisation_id=" + b.ID, nil, 200},
		{"supervisor issues a token", supervisor, "POST", "/api/v1/tokens", tok("", "authority_analyst"), 403},

		{"node admin creates an organisation", nodeAdmin, "POST", "/api/v1/organisations", org(), 201},
		{"node admin issues an entity token", nodeAdmin, "POST", "/api/v1/tokens", tok(b.ID, "entity_reporter"), 201},
		{"node admin gives an entity user an authority role", nodeAdmin, "POST", "/api/v1/users", usr(b.ID, "x4@b.example", "authority_analyst"), 400},
		{"node admin creates an analyst", nodeAdmin, "POST", "/api/v1/users", usr("", "x5@csirt.example", "authority_analyst"), 201},
		{"node admin revokes an entity's token", nodeAdmin, "DELETE", "/api/v1/tokens/" + tokenB.ID, nil, 204},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, tc.method, tc.path, tc.body, tc.caller)
			wantStatus(t, tc.name, resp, out, tc.status)
			if tc.status == 403 && errorCode(t, out) != "forbidden" {
				t.Errorf("code %q, want forbidden", errorCode(t, out))
			}
		})
	}
}

// TestIdentityFlow walks the identity API end to end and checks the audit
// trail it leaves.
func TestIdentityFlow(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	nodeAdmin := bearer(f.tokenFor(t, f.authority, store.RoleNodeAdmin))

	// The node administrator registers an entity and its administrator.
	resp, out := f.do(t, "POST", "/api/v1/organisations", nodeAdmin,
		jsonBody(CreateOrganisationRequest{Name: "Waterworks", Profile: json.RawMessage(`{"member_state":"NL","entity_types":["drinking-water/supplier"]}`)}))
	wantStatus(t, "create organisation", resp, out, 201)
	e := decode[Organisation](t, out)
	resp, out = f.do(t, "POST", "/api/v1/users", nodeAdmin, jsonBody(CreateUserRequest{OrganisationID: e.ID, Email: "eve@water.example",
		DisplayName: "Eve", Role: "entity_admin", Password: testPassword}))
	wantStatus(t, "create entity admin", resp, out, 201)
	eve := decode[User](t, out)

	// Eve signs in and manages her organisation with her session.
	eveSession := cookie(f.login(t, "eve@water.example", testPassword))
	resp, out = f.do(t, "POST", "/api/v1/users", eveSession, jsonBody(CreateUserRequest{Email: "rob@water.example", Role: "entity_reporter", Password: testPassword}))
	wantStatus(t, "create reporter", resp, out, 201)
	if rob := decode[User](t, out); rob.OrganisationID != e.ID {
		t.Errorf("reporter created in %s, want Eve's organisation %s", rob.OrganisationID, e.ID)
	}
	resp, out = f.do(t, "POST", "/api/v1/users", eveSession, jsonBody(CreateUserRequest{Email: "ROB@water.example", Role: "entity_reporter", Password: testPassword}))
	wantStatus(t, "duplicate email", resp, out, 409)
	resp, out = f.do(t, "POST", "/api/v1/users", eveSession, jsonBody(CreateUserRequest{Email: "sam@water.example", Role: "entity_reporter", Password: "short"}))
	wantStatus(t, "weak password", resp, out, 400)
	resp, out = f.do(t, "POST", "/api/v1/users", eveSession, jsonBody(CreateUserRequest{Email: "Sam <sam@water.example>", Role: "entity_reporter", Password: testPassword}))
	wantStatus(t, "email with a display name", resp, out, 400)
	resp, out = f.do(t, "GET", "/api/v1/users/"+eve.ID, eveSession)
	wantStatus(t, "read herself", resp, out, 200)
	resp, out = f.do(t, "GET", "/api/v1/users?limit=1", eveSession)
	wantStatus(t, "list users", resp, out, 200)
	if pg := decode[Page[User]](t, out); len(pg.Items) != 1 || pg.NextOffset == nil || *pg.NextOffset != 1 {
		t.Errorf("first page %s, want one user and next_offset 1", out)
	}
	resp, out = f.do(t, "GET", "/api/v1/users?offset=1", eveSession)
	if pg := decode[Page[User]](t, out); len(pg.Items) != 1 || pg.NextOffset != nil {
		t.Errorf("second page %s, want one user and no next_offset", out)
	}

	// Eve issues a token for a reporting script; the secret is shown once.
	resp, out = f.do(t, "POST", "/api/v1/tokens", eveSession, jsonBody(CreateAPITokenRequest{Name: "SIEM", Role: "entity_reporter", ExpiresAt: time.Now().Add(90 * 24 * time.Hour)}))
	wantStatus(t, "create token", resp, out, 201)
	tok := decode[APIToken](t, out)
	if !auth.WellFormedToken(tok.Token, auth.APITokenPrefix) || tok.CreatedBy != eve.ID || tok.OrganisationID != e.ID {
		t.Fatalf("created token %+v, want a secret, created by Eve, for %s", tok, e.ID)
	}
	resp, out = f.do(t, "GET", "/api/v1/me", bearer(tok.Token))
	wantStatus(t, "use the new token", resp, out, 200)
	resp, out = f.do(t, "GET", "/api/v1/tokens", eveSession)
	wantStatus(t, "list tokens", resp, out, 200)
	if strings.Contains(string(out), tok.Token) || strings.Contains(string(out), `"token"`) {
		t.Errorf("the token list shows a secret: %s", out)
	}
	for range 2 { // idempotent
		resp, out = f.do(t, "DELETE", "/api/v1/tokens/"+tok.ID, eveSession)
		wantStatus(t, "revoke", resp, out, 204)
	}
	resp, out = f.do(t, "GET", "/api/v1/me", bearer(tok.Token))
	wantStatus(t, "revoked token", resp, out, 401)
	resp, out = f.do(t, "GET", "/api/v1/tokens/"+tok.ID, eveSession)
	if got := decode[APIToken](t, out); got.RevokedAt == nil || got.Token != "" {
		t.Errorf("revoked token reads %s, want revoked_at and no secret", out)
	}

	// A supervisor forms a team.
	f.newUser(t, f.authority.ID, store.RoleAuthoritySupervisor, "sue@csirt.example")
	ana := f.newUser(t, f.authority.ID, store.RoleAuthorityAnalyst, "ana@csirt.example")
	supSession := cookie(f.login(t, "sue@csirt.example", testPassword))
	resp, out = f.do(t, "POST", "/api/v1/teams", supSession, jsonBody(CreateTeamRequest{Name: "Water sector"}))
	wantStatus(t, "create team", resp, out, 201)
	team := decode[Team](t, out)
	resp, out = f.do(t, "POST", "/api/v1/teams", supSession, jsonBody(CreateTeamRequest{Name: "Water sector"}))
	wantStatus(t, "duplicate team", resp, out, 409)
	for range 2 { // idempotent
		resp, out = f.do(t, "PUT", "/api/v1/teams/"+team.ID+"/members/"+ana.ID, supSession)
		wantStatus(t, "add member", resp, out, 204)
	}
	resp, out = f.do(t, "GET", "/api/v1/teams/"+team.ID+"/members", supSession)
	if pg := decode[Page[User]](t, out); len(pg.Items) != 1 || pg.Items[0].ID != ana.ID {
		t.Errorf("members %s, want Ana", out)
	}
	resp, out = f.do(t, "DELETE", "/api/v1/teams/"+team.ID+"/members/"+ana.ID, supSession)
	wantStatus(t, "remove member", resp, out, 204)
	resp, out = f.do(t, "DELETE", "/api/v1/teams/"+team.ID+"/members/"+ana.ID, supSession)
	wantStatus(t, "remove again", resp, out, 404)
	resp, out = f.do(t, "DELETE", "/api/v1/session", supSession)
	wantStatus(t, "sign out", resp, out, 204)

	// Every change is in the audit trail, by the right actor, once.
	recs, err := f.db.ListAudit(ctx, "", 0, store.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	var actions []string
	for _, r := range recs {
		count[r.Action]++
		actions = append(actions, r.Action)
		if r.Action == "api_token.create" && (r.Actor != eve.ID || r.OrganisationID != e.ID || r.ObjectID != tok.ID) {
			t.Errorf("api_token.create record %+v, want actor Eve, organisation %s, object %s", r, e.ID, tok.ID)
		}
		if strings.Contains(string(r.Detail), tok.Token) || strings.Contains(string(r.Detail), testPassword) {
			t.Errorf("audit record %d holds a secret: %s", r.Seq, r.Detail)
		}
	}
	for action, n := range map[string]int{
		"organisation.create": 2, // the authority and the waterworks
		"user.create":         2, // Eve and Rob (the others were made in the store directly)
		"session.create":      2,
		"session.delete":      1,
		"api_token.create":    1,
		"api_token.revoke":    1,
		"team.create":         1,
		"team.member.add":     1,
		"team.member.remove":  1,
	} {
		if count[action] != n {
			t.Errorf("%d %s records, want %d; trail: %v", count[action], action, n, actions)
		}
	}
	rep, err := f.db.VerifyAudit(ctx)
	if err != nil || !rep.OK || rep.Records != int64(len(recs)) {
		t.Errorf("VerifyAudit = %+v, %v; want OK over %d records", rep, err, len(recs))
	}
}

func TestTokenExpiryRules(t *testing.T) {
	f := newServer(t)
	admin := bearer(f.newToken(t, f.entity.ID, store.RoleEntityAdmin, time.Now().Add(48*time.Hour)))
	now := time.Now()
	for _, tc := range []struct {
		name    string
		expires time.Time
		status  int
	}{
		{"missing", time.Time{}, 400},
		{"in the past", now.Add(-time.Hour), 400},
		{"beyond a year", now.Add(400 * 24 * time.Hour), 400},
		{"after the caller's own expiry", now.Add(72 * time.Hour), 400},
		{"within the caller's expiry", now.Add(24 * time.Hour), 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := map[string]any{"name": "ci", "role": "entity_reporter"}
			if !tc.expires.IsZero() {
				req["expires_at"] = tc.expires
			}
			resp, out := f.do(t, "POST", "/api/v1/tokens", jsonBody(req), admin)
			wantStatus(t, tc.name, resp, out, tc.status)
			if tc.status == 400 && !slices.Contains(fieldsOf(t, out), "expires_at") {
				t.Errorf("error does not name expires_at: %s", out)
			}
		})
	}
	// A year is allowed to a signed-in administrator.
	f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "alice@a.example")
	c := f.login(t, "alice@a.example", testPassword)
	resp, out := f.do(t, "POST", "/api/v1/tokens", cookie(c), jsonBody(CreateAPITokenRequest{Name: "yearly", Role: "entity_reporter", ExpiresAt: now.AddDate(1, 0, 0)}))
	wantStatus(t, "a year ahead", resp, out, 201)
}

func TestRequestBodies(t *testing.T) {
	f := newServer(t)
	sup := bearer(f.tokenFor(t, f.authority, store.RoleAuthoritySupervisor))
	huge := `{"name":"` + strings.Repeat("x", maxBodyBytes) + `"}`
	for _, tc := range []struct {
		name, body, ctype string
		status            int
		code, field       string
	}{
		{"too large", huge, "", 413, "too_large", ""},
		{"unknown field", `{"name":"T","colour":"red"}`, "", 400, "invalid", "colour"},
		{"wrong type", `{"name":5}`, "", 400, "invalid", "name"},
		{"trailing data", `{"name":"T"} {"name":"U"}`, "", 400, "invalid", ""},
		{"malformed", `{"name":`, "", 400, "invalid", ""},
		{"empty", ``, "", 400, "invalid", ""},
		{"not JSON", `name=T`, "text/plain", 415, "unsupported_media_type", ""},
		{"control character in name", `{"name":"T\u0007"}`, "", 400, "invalid", "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, "POST", "/api/v1/teams", rawBody(tc.body), sup, header("Content-Type", tc.ctype))
			wantStatus(t, tc.name, resp, out, tc.status)
			if code := errorCode(t, out); code != tc.code {
				t.Errorf("code %q, want %q", code, tc.code)
			}
			if tc.field != "" && !slices.Contains(fieldsOf(t, out), tc.field) {
				t.Errorf("fields %v do not name %q", fieldsOf(t, out), tc.field)
			}
		})
	}
	resp, out := f.do(t, "GET", "/api/v1/teams", sup)
	if pg := decode[Page[Team]](t, out); resp.StatusCode != 200 || len(pg.Items) != 0 {
		t.Errorf("teams after refused requests: %s", out)
	}
}

func TestPagination(t *testing.T) {
	f := newServer(t)
	sup := bearer(f.tokenFor(t, f.authority, store.RoleAuthoritySupervisor))
	for _, name := range []string{"A", "B", "C"} {
		resp, out := f.do(t, "POST", "/api/v1/teams", jsonBody(CreateTeamRequest{Name: name}), sup)
		wantStatus(t, "create team", resp, out, 201)
	}
	var names []string
	next := 0
	for pages := 0; ; pages++ {
		resp, out := f.do(t, "GET", "/api/v1/teams?limit=2&offset="+itoa(next), sup)
		wantStatus(t, "page", resp, out, 200)
		pg := decode[Page[Team]](t, out)
		for _, tm := range pg.Items {
			names = append(names, tm.Name)
		}
		if pg.NextOffset == nil {
			break
		}
		if pages > 3 {
			t.Fatal("pagination does not end")
		}
		next = *pg.NextOffset
	}
	if !slices.Equal(names, []string{"A", "B", "C"}) {
		t.Errorf("paged through %v, want A B C", names)
	}
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "offset=-1"} {
		resp, out := f.do(t, "GET", "/api/v1/teams?"+q, sup)
		wantStatus(t, q, resp, out, 400)
	}
	resp, out := f.do(t, "GET", "/api/v1/teams?limit=500", sup)
	wantStatus(t, "limit=500", resp, out, 200)
	if raw := decode[map[string]json.RawMessage](t, out)["next_offset"]; string(raw) != "null" {
		t.Errorf("a short page has next_offset %s, want null", out)
	}
}

func TestOpenAPISecurityAndParameters(t *testing.T) {
	f := newServer(t)
	resp, out := f.do(t, "GET", "/api/v1/openapi.json")
	wantStatus(t, "openapi", resp, out, 200)
	var doc struct {
		Security   []map[string]any `json:"security"`
		Components struct {
			Schemas         map[string]map[string]any `json:"schemas"`
			SecuritySchemes map[string]map[string]any `json:"securitySchemes"`
		} `json:"components"`
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name, In string
				Required bool
			} `json:"parameters"`
			Security  *[]any                    `json:"security"`
			Responses map[string]map[string]any `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if s := doc.Components.SecuritySchemes; s["bearer"]["scheme"] != "bearer" || s["session"]["in"] != "cookie" {
		t.Errorf("securitySchemes %v, want bearer and a session cookie", s)
	}
	if len(doc.Security) != 2 {
		t.Errorf("document security %v, want bearer or session", doc.Security)
	}
	for _, op := range operations {
		o := doc.Paths[op.path][strings.ToLower(op.method)]
		for _, p := range pathParams(op.path) {
			found := false
			for _, q := range o.Parameters {
				found = found || q.Name == p && q.In == "path" && q.Required
			}
			if !found {
				t.Errorf("%s %s: no required path parameter %q", op.method, op.path, p)
			}
		}
		switch {
		case op.public && (o.Security == nil || len(*o.Security) != 0):
			t.Errorf("%s %s is public but does not say security: []", op.method, op.path)
		case !op.public && o.Responses["401"] == nil:
			t.Errorf("%s %s needs authentication but documents no 401", op.method, op.path)
		}
	}
	org := doc.Components.Schemas["Organisation"]["properties"].(map[string]any)
	if ref := org["profile"].(map[string]any)["$ref"]; ref != "#/components/schemas/Entity" {
		t.Errorf("Organisation.profile is %v, want the Entity schema", org["profile"])
	}
	if _, ok := doc.Components.Schemas["UserPage"]; !ok {
		t.Error("no UserPage schema for Page[User]")
	}
	if got := pathParams("/a/{id}/b/{user_id}"); !slices.Equal(got, []string{"id", "user_id"}) {
		t.Errorf("pathParams = %v", got)
	}
}
