package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store"
)

// auditOf returns the audit records with the action, oldest first.
func auditOf(t testing.TB, f *fixture, action string) []store.AuditRecord {
	t.Helper()
	recs, err := f.db.ListAudit(context.Background(), "", 0, store.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditRecord
	for _, r := range recs {
		if r.Action == action {
			out = append(out, r)
		}
	}
	return out
}

// noPasswordsInAudit fails if any audit record holds one of the passwords.
func noPasswordsInAudit(t testing.TB, f *fixture, passwords ...string) {
	t.Helper()
	recs, err := f.db.ListAudit(context.Background(), "", 0, store.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		for _, pw := range passwords {
			if strings.Contains(string(r.Detail), pw) {
				t.Errorf("audit record %d (%s) holds a password: %s", r.Seq, r.Action, r.Detail)
			}
		}
	}
}

// TestUpdateUserDecisions checks who may change which user.
func TestUpdateUserDecisions(t *testing.T) {
	f := newServer(t)
	other := f.org(t, "Hospital B")
	reporter := f.newUser(t, f.entity.ID, store.RoleEntityReporter, "rea@a.example")
	admin := f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "ada@a.example")
	otherUser := f.newUser(t, other.ID, store.RoleEntityReporter, "reb@b.example")
	analyst := f.newUser(t, f.authority.ID, store.RoleAuthorityAnalyst, "ana@csirt.example")
	f.newUser(t, f.authority.ID, store.RoleAuthoritySupervisor, "sup@csirt.example")
	nodeAdmin := f.newUser(t, f.authority.ID, store.RoleNodeAdmin, "root@csirt.example")

	adminS := cookie(f.login(t, "ada@a.example", testPassword))
	reporterS := cookie(f.login(t, "rea@a.example", testPassword))
	supS := cookie(f.login(t, "sup@csirt.example", testPassword))
	analystS := cookie(f.login(t, "ana@csirt.example", testPassword))
	rootS := cookie(f.login(t, "root@csirt.example", testPassword))
	adminToken := bearer(f.tokenFor(t, f.entity, store.RoleEntityAdmin))

	tests := []struct {
		name   string
		caller reqOpt
		id     string
		body   map[string]any
		status int
		code   string
	}{
		{"entity admin renames a user of the entity", adminS, reporter.ID, map[string]any{"display_name": "Rea"}, 200, ""},
		{"entity admin token promotes a user of the entity", adminToken, reporter.ID, map[string]any{"role": "entity_admin"}, 200, ""},
		{"entity admin demotes them again", adminS, reporter.ID, map[string]any{"role": "entity_reporter"}, 200, ""},
		{"entity admin gives an authority role", adminS, reporter.ID, map[string]any{"role": "node_admin"}, 400, "invalid"},
		{"entity admin gives an unknown role", adminS, reporter.ID, map[string]any{"role": "god"}, 400, "invalid"},
		{"entity admin changes another entity's user", adminS, otherUser.ID, map[string]any{"display_name": "x"}, 404, "not_found"},
		{"entity admin changes an authority user", adminS, nodeAdmin.ID, map[string]any{"disabled": true}, 404, "not_found"},
		{"entity admin changes a missing user", adminS, missingID, map[string]any{"display_name": "x"}, 404, "not_found"},
		{"entity admin disables themselves", adminS, admin.ID, map[string]any{"disabled": true}, 403, "forbidden"},
		{"entity reporter renames themselves", reporterS, reporter.ID, map[string]any{"display_name": "x"}, 403, "forbidden"},
		{"entity reporter changes the admin", reporterS, admin.ID, map[string]any{"role": "entity_reporter"}, 403, "forbidden"},
		{"supervisor changes an entity user", supS, reporter.ID, map[string]any{"display_name": "x"}, 403, "forbidden"},
		{"analyst changes an authority user", analystS, nodeAdmin.ID, map[string]any{"role": "authority_analyst"}, 403, "forbidden"},
		{"node admin gives an entity user an authority role", rootS, reporter.ID, map[string]any{"role": "authority_analyst"}, 400, "invalid"},
		{"node admin promotes an analyst", rootS, analyst.ID, map[string]any{"role": "authority_supervisor"}, 200, ""},
		{"node admin changes another entity's user", rootS, otherUser.ID, map[string]any{"display_name": "Reb"}, 200, ""},
		{"node admin disables themselves", rootS, nodeAdmin.ID, map[string]any{"disabled": true}, 403, "forbidden"},
		{"node admin demotes the last node admin (themselves)", rootS, nodeAdmin.ID, map[string]any{"role": "authority_analyst"}, 409, "conflict"},
		{"unknown field", rootS, reporter.ID, map[string]any{"email": "x@y.example"}, 400, "invalid"},
		{"too long a name", rootS, reporter.ID, map[string]any{"display_name": strings.Repeat("x", 201)}, 400, "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, "PATCH", "/api/v1/users/"+tc.id, jsonBody(tc.body), tc.caller)
			wantStatus(t, tc.name, resp, out, tc.status)
			if tc.code != "" && errorCode(t, out) != tc.code {
				t.Errorf("code %q, want %q", errorCode(t, out), tc.code)
			}
		})
	}

	// Another entity's user answers exactly like a missing one.
	resp1, out1 := f.do(t, "PATCH", "/api/v1/users/"+otherUser.ID, jsonBody(map[string]any{"display_name": "x"}), adminS)
	resp2, out2 := f.do(t, "PATCH", "/api/v1/users/"+missingID, jsonBody(map[string]any{"display_name": "x"}), adminS)
	if resp1.StatusCode != 404 || string(out1) != string(out2) {
		t.Errorf("another entity's user: %d %s; missing: %d %s", resp1.StatusCode, out1, resp2.StatusCode, out2)
	}

	// The successful changes are stored and audited, once each.
	got, err := f.db.GetUser(context.Background(), reporter.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != "Rea" || got.Role != store.RoleEntityReporter || got.Disabled {
		t.Errorf("reporter now %+v, want Rea, entity_reporter, enabled", got)
	}
	if got, _ := f.db.GetUser(context.Background(), otherUser.ID); got.DisplayName != "Reb" {
		t.Errorf("other entity's user named %q, want Reb (node admin's change)", got.DisplayName)
	}
	if recs := auditOf(t, f, "user.update"); len(recs) != 5 {
		t.Errorf("%d user.update records, want 5", len(recs))
	} else if d := string(recs[1].Detail); !strings.Contains(d, `"role":"entity_admin"`) || !strings.Contains(d, `"previous_role":"entity_reporter"`) {
		t.Errorf("promotion audited as %s", d)
	}
}

// TestLastNodeAdmin checks that the node keeps an active node admin.
func TestLastNodeAdmin(t *testing.T) {
	f := newServer(t)
	a := f.newUser(t, f.authority.ID, store.RoleNodeAdmin, "a@csirt.example")
	b := f.newUser(t, f.authority.ID, store.RoleNodeAdmin, "b@csirt.example")
	aS := cookie(f.login(t, "a@csirt.example", testPassword))
	token := bearer(f.tokenFor(t, f.authority, store.RoleNodeAdmin)) // a token is no user: it may disable anyone

	resp, out := f.do(t, "PATCH", "/api/v1/users/"+b.ID, jsonBody(map[string]any{"disabled": true}), aS)
	wantStatus(t, "disable the other of two admins", resp, out, 200)
	if u := decode[User](t, out); !u.Disabled {
		t.Errorf("answer %+v, want disabled", u)
	}
	resp, out = f.do(t, "PATCH", "/api/v1/users/"+a.ID, jsonBody(map[string]any{"disabled": true}), token)
	wantStatus(t, "disable the last active admin", resp, out, 409)
	resp, out = f.do(t, "PATCH", "/api/v1/users/"+a.ID, jsonBody(map[string]any{"role": "authority_supervisor"}), token)
	wantStatus(t, "demote the last active admin", resp, out, 409)
	// Renaming the last admin is fine, and so is a no-op.
	resp, out = f.do(t, "PATCH", "/api/v1/users/"+a.ID, jsonBody(map[string]any{"display_name": "Root", "role": "node_admin", "disabled": false}), token)
	wantStatus(t, "rename the last admin", resp, out, 200)
	// Enable b again: now a may be demoted.
	resp, out = f.do(t, "PATCH", "/api/v1/users/"+b.ID, jsonBody(map[string]any{"disabled": false}), token)
	wantStatus(t, "enable b", resp, out, 200)
	resp, out = f.do(t, "PATCH", "/api/v1/users/"+a.ID, jsonBody(map[string]any{"role": "authority_supervisor"}), aS)
	wantStatus(t, "demote a with b active", resp, out, 200)
	if u, _ := f.db.GetUser(context.Background(), a.ID); u.Role != store.RoleAuthoritySupervisor || u.DisplayName != "Root" {
		t.Errorf("a is now %+v", u)
	}
}

// TestConcurrentDemotionsKeepOneAdmin demotes all three node admins at
// once: all but one demotion succeed.
func TestConcurrentDemotionsKeepOneAdmin(t *testing.T) {
	for round := range 4 {
		f := newServer(t)
		token := bearer(f.tokenFor(t, f.authority, store.RoleNodeAdmin))
		var ids []string
		for i := range 3 {
			ids = append(ids, f.newUser(t, f.authority.ID, store.RoleNodeAdmin, "r"+string(rune('0'+round))+string(rune('a'+i))+"@csirt.example").ID)
		}
		statuses := make(chan int, len(ids))
		for _, id := range ids {
			go func() {
				resp, _ := f.do(t, "PATCH", "/api/v1/users/"+id, jsonBody(map[string]any{"role": "authority_analyst"}), token)
				statuses <- resp.StatusCode
			}()
		}
		got := map[int]int{}
		for range ids {
			got[<-statuses]++
		}
		if got[200] != 2 || got[409] != 1 {
			t.Fatalf("round %d: statuses %v, want two 200 and one 409", round, got)
		}
	}
}

// TestDisablingEndsAccess checks that a disabled user's sessions end and
// the API tokens they created stop working, and that enabling them again
// does not bring the tokens back.
func TestDisablingEndsAccess(t *testing.T) {
	f := newServer(t)
	admin := f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "ada@a.example")
	f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "bob@a.example")
	adaS := cookie(f.login(t, "ada@a.example", testPassword))
	bobS := cookie(f.login(t, "bob@a.example", testPassword))

	// Ada issues a token, and with it another.
	expires := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	resp, out := f.do(t, "POST", "/api/v1/tokens", jsonBody(map[string]any{"name": "siem", "role": "entity_admin", "expires_at": expires}), adaS)
	wantStatus(t, "create token", resp, out, 201)
	adaToken := decode[APIToken](t, out).Token
	resp, out = f.do(t, "POST", "/api/v1/tokens", jsonBody(map[string]any{"name": "child", "role": "entity_reporter", "expires_at": expires}), bearer(adaToken))
	wantStatus(t, "create token with a token", resp, out, 201)
	childToken := decode[APIToken](t, out).Token

	resp, out = f.do(t, "PATCH", "/api/v1/users/"+admin.ID, jsonBody(map[string]any{"disabled": true}), bobS)
	wantStatus(t, "disable ada", resp, out, 200)

	for name, c := range map[string]reqOpt{"session": adaS, "token": bearer(adaToken), "token's token": bearer(childToken)} {
		resp, out := f.do(t, "GET", "/api/v1/me", c)
		wantStatus(t, "ada's "+name+" after disabling", resp, out, 401)
	}
	resp, out = f.do(t, "GET", "/api/v1/me", bearer(f.token))
	wantStatus(t, "the entity's other token", resp, out, 200)
	resp, out = f.do(t, "POST", "/api/v1/session", jsonBody(map[string]string{"email": "ada@a.example", "password": testPassword}))
	wantStatus(t, "ada signs in", resp, out, 401)

	recs := auditOf(t, f, "user.update")
	if len(recs) != 1 {
		t.Fatalf("%d user.update records, want 1", len(recs))
	}
	var detail struct {
		Disabled      bool     `json:"disabled"`
		SessionsEnded int      `json:"sessions_ended"`
		TokensRevoked []string `json:"tokens_revoked"`
	}
	if err := json.Unmarshal(recs[0].Detail, &detail); err != nil {
		t.Fatal(err)
	}
	if !detail.Disabled || detail.SessionsEnded != 1 || len(detail.TokensRevoked) != 2 {
		t.Errorf("audited %s, want disabled, 1 session, 2 tokens", recs[0].Detail)
	}

	// Enabled again, Ada signs in; her tokens stay revoked.
	resp, out = f.do(t, "PATCH", "/api/v1/users/"+admin.ID, jsonBody(map[string]any{"disabled": false}), bobS)
	wantStatus(t, "enable ada", resp, out, 200)
	f.login(t, "ada@a.example", testPassword)
	resp, out = f.do(t, "GET", "/api/v1/me", bearer(adaToken))
	wantStatus(t, "ada's token after enabling", resp, out, 401)
}

// TestPasswords checks changing one's own password and an admin's reset.
func TestPasswords(t *testing.T) {
	f := newServer(t)
	ada := f.newUser(t, f.entity.ID, store.RoleEntityReporter, "ada@a.example")
	f.newUser(t, f.entity.ID, store.RoleEntityAdmin, "bob@a.example")
	other := f.org(t, "Hospital B")
	f.newUser(t, other.ID, store.RoleEntityAdmin, "eve@b.example")
	s1 := cookie(f.login(t, "ada@a.example", testPassword))
	s2 := cookie(f.login(t, "ada@a.example", testPassword))
	bobS := cookie(f.login(t, "bob@a.example", testPassword))
	eveS := cookie(f.login(t, "eve@b.example", testPassword))
	const newPW, resetPW = "a much better passphrase", "reset by the admin 2026"

	change := func(caller reqOpt, current, next string) (*http.Response, []byte) {
		return f.do(t, "POST", "/api/v1/me/password", jsonBody(ChangePasswordRequest{CurrentPassword: current, NewPassword: next}), caller)
	}
	resp, out := change(s1, "wrong password!", newPW)
	wantStatus(t, "wrong current password", resp, out, 400)
	if fe := decode[envelope](t, out).Error.Fields; len(fe) != 1 || fe[0].Field != "current_password" {
		t.Errorf("fields %+v, want current_password", fe)
	}
	resp, out = change(s1, testPassword, "short")
	wantStatus(t, "too short", resp, out, 400)
	resp, out = change(bearer(f.token), testPassword, newPW)
	wantStatus(t, "an API token", resp, out, 403)

	resp, out = change(s1, testPassword, newPW)
	wantStatus(t, "change", resp, out, 204)
	resp, out = f.do(t, "GET", "/api/v1/me", s1)
	wantStatus(t, "the session that changed it", resp, out, 200)
	resp, out = f.do(t, "GET", "/api/v1/me", s2)
	wantStatus(t, "the other session", resp, out, 401)
	resp, out = f.do(t, "POST", "/api/v1/session", jsonBody(map[string]string{"email": "ada@a.example", "password": testPassword}))
	wantStatus(t, "the old password", resp, out, 401)
	f.login(t, "ada@a.example", newPW)

	// Admin reset: scope as for PATCH.
	set := func(caller reqOpt, id, pw string) (*http.Response, []byte) {
		return f.do(t, "PUT", "/api/v1/users/"+id+"/password", jsonBody(SetPasswordRequest{NewPassword: pw}), caller)
	}
	resp, out = set(eveS, ada.ID, resetPW)
	wantStatus(t, "another entity's admin", resp, out, 404)
	resp, out = set(s1, ada.ID, resetPW)
	wantStatus(t, "a reporter", resp, out, 403)
	resp, out = set(bobS, ada.ID, "short")
	wantStatus(t, "too short", resp, out, 400)
	resp, out = set(bobS, ada.ID, resetPW)
	wantStatus(t, "the entity's admin", resp, out, 204)
	resp, out = f.do(t, "GET", "/api/v1/me", s1)
	wantStatus(t, "ada's session after the reset", resp, out, 401)
	f.login(t, "ada@a.example", resetPW)
	resp, out = f.do(t, "GET", "/api/v1/me", bobS)
	wantStatus(t, "bob's session", resp, out, 200)

	if n := len(auditOf(t, f, "user.password.change")); n != 1 {
		t.Errorf("%d user.password.change records, want 1", n)
	}
	if n := len(auditOf(t, f, "user.password.set")); n != 1 {
		t.Errorf("%d user.password.set records, want 1", n)
	}
	noPasswordsInAudit(t, f, testPassword, newPW, resetPW)
}

// TestChangePasswordRateLimited checks that guessing the current password
// runs into the sign-in limits.
func TestChangePasswordRateLimited(t *testing.T) {
	f := newServer(t, func(s *Server) { s.LoginLimits = LoginLimits{PerEmail: 3, PerIP: 100, Window: time.Minute} })
	f.newUser(t, f.entity.ID, store.RoleEntityReporter, "ada@a.example")
	s := cookie(f.login(t, "ada@a.example", testPassword))
	for i := range 3 {
		resp, out := f.do(t, "POST", "/api/v1/me/password", jsonBody(ChangePasswordRequest{CurrentPassword: "guess " + string(rune('a'+i)), NewPassword: "whatever whatever"}), s)
		wantStatus(t, "guess", resp, out, 400)
	}
	resp, out := f.do(t, "POST", "/api/v1/me/password", jsonBody(ChangePasswordRequest{CurrentPassword: testPassword, NewPassword: "whatever whatever"}), s)
	wantStatus(t, "after three wrong guesses", resp, out, 429)
}

// TestUpdateMe checks the signed-in user's preferences.
func TestUpdateMe(t *testing.T) {
	f := newServer(t)
	f.newUser(t, f.entity.ID, store.RoleEntityReporter, "ada@a.example")
	s := cookie(f.login(t, "ada@a.example", testPassword))

	resp, out := f.do(t, "PATCH", "/api/v1/me", jsonBody(map[string]any{"display_name": "Ada L.", "locale": "nl", "time_zone": "Europe/Amsterdam"}), s)
	wantStatus(t, "update", resp, out, 200)
	if me := decode[Me](t, out); me.User == nil || me.User.DisplayName != "Ada L." || me.User.Locale != "nl" || me.User.TimeZone != "Europe/Amsterdam" {
		t.Errorf("answer %s", out)
	}
	resp, out = f.do(t, "GET", "/api/v1/me", s)
	wantStatus(t, "read", resp, out, 200)
	if me := decode[Me](t, out); me.User.Locale != "nl" || me.User.TimeZone != "Europe/Amsterdam" {
		t.Errorf("GET /me after the update: %s", out)
	}
	// Absent fields stay; empty ones return to the default.
	resp, out = f.do(t, "PATCH", "/api/v1/me", jsonBody(map[string]any{"locale": ""}), s)
	wantStatus(t, "clear the locale", resp, out, 200)
	if me := decode[Me](t, out); me.User.Locale != "" || me.User.TimeZone != "Europe/Amsterdam" || me.User.DisplayName != "Ada L." {
		t.Errorf("answer %s", out)
	}

	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"locale with a region", map[string]any{"locale": "nl-NL"}, "locale"},
		{"capital locale", map[string]any{"locale": "NL"}, "locale"},
		{"unknown zone", map[string]any{"time_zone": "Mars/Olympus_Mons"}, "time_zone"},
		{"path traversal", map[string]any{"time_zone": "../../etc/passwd"}, "time_zone"},
		{"dots inside", map[string]any{"time_zone": "Europe/../UTC"}, "time_zone"},
		{"absolute path", map[string]any{"time_zone": "/usr/share/zoneinfo/UTC"}, "time_zone"},
		{"the server's zone", map[string]any{"time_zone": "Local"}, "time_zone"},
		{"too long", map[string]any{"time_zone": "Europe/" + strings.Repeat("A", 80)}, "time_zone"},
		{"control character", map[string]any{"display_name": "Ada\x00"}, "display_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, "PATCH", "/api/v1/me", jsonBody(tc.body), s)
			wantStatus(t, tc.name, resp, out, 400)
			if fe := decode[envelope](t, out).Error.Fields; len(fe) != 1 || fe[0].Field != tc.field {
				t.Errorf("fields %+v, want %s", fe, tc.field)
			}
		})
	}
	resp, out = f.do(t, "PATCH", "/api/v1/me", jsonBody(map[string]any{"time_zone": "UTC"}), bearer(f.token))
	wantStatus(t, "an API token", resp, out, 403)

	recs := auditOf(t, f, "user.preferences.update")
	if len(recs) != 2 {
		t.Fatalf("%d user.preferences.update records, want 2", len(recs))
	}
	if d := string(recs[1].Detail); d != `{"locale":""}` {
		t.Errorf("second change audited as %s, want only the locale", d)
	}
}
