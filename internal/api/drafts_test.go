package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/report"
	"github.com/nisnet-eu/nisnet/internal/store"
)

func TestDrafts(t *testing.T) {
	ctx := context.Background()
	f := newServer(t)
	reporter := bearer(f.token)
	admin := bearer(f.tokenFor(t, f.entity, store.RoleEntityAdmin))
	view := f.report(t, reporter, "Drafty", awareAgo(time.Hour))
	id := view.Incident.ID
	path := func(p string) string { return "/api/v1/incidents/" + id + "/drafts" + p }

	// An incomplete, even wrongly typed, body is a fine draft.
	const partial = `{"suspected_malicious": "not sure yet", "notes": "call the vendor"}`
	resp, out := f.do(t, "PUT", path("/nis2.early_warning"), rawBody(partial), reporter)
	wantStatus(t, "save", resp, out, 200)
	d := decode[Draft](t, out)
	if d.Report != "nis2.early_warning" || d.IncidentID != id || d.UpdatedAt.IsZero() || d.UpdatedBy == "" || string(compact(t, d.Body)) != string(compact(t, json.RawMessage(partial))) {
		t.Errorf("answer %s", out)
	}
	resp, out = f.do(t, "PUT", path("/nis2.notification"), rawBody(`{}`), admin)
	wantStatus(t, "save another", resp, out, 200)

	// The entity's other users see them.
	resp, out = f.do(t, "GET", path(""), admin)
	wantStatus(t, "list", resp, out, 200)
	list := decode[Page[DraftSummary]](t, out)
	if len(list.Items) != 2 || list.Items[0].Report != "nis2.early_warning" || list.Items[1].Report != "nis2.notification" || list.NextOffset != nil {
		t.Errorf("list %s", out)
	}
	if strings.Contains(string(out), "body") {
		t.Errorf("the list holds bodies: %s", out)
	}
	resp, out = f.do(t, "GET", path("/nis2.early_warning"), admin)
	wantStatus(t, "get", resp, out, 200)
	if got := decode[Draft](t, out); string(compact(t, got.Body)) != string(compact(t, json.RawMessage(partial))) {
		t.Errorf("read back %s, want %s", got.Body, partial)
	}
	// Saving again replaces.
	resp, out = f.do(t, "PUT", path("/nis2.early_warning"), rawBody(`{"suspected_malicious": true}`), admin)
	wantStatus(t, "save again", resp, out, 200)
	resp, out = f.do(t, "GET", path("/nis2.early_warning"), reporter)
	if got := decode[Draft](t, out); string(compact(t, got.Body)) != `{"suspected_malicious":true}` || got.UpdatedBy == d.UpdatedBy {
		t.Errorf("after saving again: %s", out)
	}

	for _, tc := range []struct {
		name, report, body, ctype string
		status                    int
	}{
		{"unknown report", "nis2.gossip", `{}`, "", 400},
		{"a list", "nis2.early_warning", `[1]`, "", 400},
		{"a string", "nis2.early_warning", `"x"`, "", 400},
		{"malformed", "nis2.early_warning", `{"a":`, "", 400},
		{"empty", "nis2.early_warning", ``, "", 400},
		{"too large", "nis2.early_warning", `{"a":"` + strings.Repeat("x", report.MaxBodySize) + `"}`, "", 413},
		{"not JSON", "nis2.early_warning", `{}`, "text/plain", 415},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, "PUT", path("/"+tc.report), rawBody(tc.body), reporter, header("Content-Type", tc.ctype))
			wantStatus(t, tc.name, resp, out, tc.status)
		})
	}

	// The authority never sees drafts: 404 on every route, whether the
	// draft exists or not.
	for _, role := range []store.Role{store.RoleAuthorityAnalyst, store.RoleAuthoritySupervisor, store.RoleNodeAdmin} {
		caller := bearer(f.tokenFor(t, f.authority, role))
		for _, rt := range []struct{ method, path, body string }{
			{"GET", path(""), ""}, {"GET", path("/nis2.early_warning"), ""}, {"GET", path("/gdpr.art33"), ""},
			{"PUT", path("/nis2.early_warning"), `{}`}, {"DELETE", path("/nis2.early_warning"), ""},
		} {
			var body any
			if rt.body != "" {
				body = rawBody(rt.body)
			}
			resp, out := f.do(t, rt.method, rt.path, body, caller)
			wantStatus(t, string(role)+" "+rt.method+" "+rt.path, resp, out, 404)
			if errorCode(t, out) != "not_found" {
				t.Errorf("code %q, want not_found", errorCode(t, out))
			}
		}
	}
	if got, err := f.db.GetDraft(ctx, f.entity.ID, id, "nis2.early_warning"); err != nil || string(got.Body) != `{"suspected_malicious": true}` { // stored as given
		t.Errorf("after the authority's attempts: %+v, %v", got, err)
	}

	// A rejected submission keeps the draft; a filed one deletes it, and
	// only its own.
	resp, out = f.do(t, "POST", "/api/v1/incidents/"+id+"/reports/nis2.early_warning", rawBody(`{"suspected_malicious":"maybe"}`), reporter)
	wantStatus(t, "invalid submission", resp, out, 400)
	if _, err := f.db.GetDraft(ctx, f.entity.ID, id, "nis2.early_warning"); err != nil {
		t.Errorf("draft after a rejected submission: %v", err)
	}
	f.file(t, reporter, id, "nis2.early_warning", map[string]any{"suspected_malicious": true, "cross_border_impact": false})
	resp, out = f.do(t, "GET", path("/nis2.early_warning"), reporter)
	wantStatus(t, "the submitted report's draft", resp, out, 404)
	resp, out = f.do(t, "GET", path(""), reporter)
	if list := decode[Page[DraftSummary]](t, out); len(list.Items) != 1 || list.Items[0].Report != "nis2.notification" {
		t.Errorf("drafts after submitting the early warning: %s", out)
	}

	resp, out = f.do(t, "DELETE", path("/nis2.notification"), reporter)
	wantStatus(t, "delete", resp, out, 204)
	resp, out = f.do(t, "DELETE", path("/nis2.notification"), reporter)
	wantStatus(t, "delete again", resp, out, 404)
	resp, out = f.do(t, "GET", path("/nis2.gossip"), reporter)
	wantStatus(t, "get an unknown report's draft", resp, out, 404)
}
