package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/api"
	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

// writeFile writes content to a new file in a temporary directory.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "options.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOptionsConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content string // written to the file; "-" for a missing file
		env     bool   // name the file in NISNET_OPTIONS rather than --options
		want    string // in the error; empty: valid
		check   func(rules.Options) bool
	}{
		{"readings", `{"period_reading":"reg_1182_71","dora_weekend_relief":"apply"}`, false, "",
			func(o rules.Options) bool {
				return o.PeriodReading == rules.ReadingReg1182 && o.DORAWeekendRelief == rules.ReliefApply && o.MonthClock == ""
			}},
		{"from the environment", `{"law_enforcement":"forward"}`, true, "",
			func(o rules.Options) bool { return o.LawEnforcement == rules.LEForward }},
		{"an empty object: the defaults", `{}`, false, "", func(o rules.Options) bool { return o == rules.Options{} }},
		{"an unknown reading", `{"month_clock":"lunar"}`, false, "month_clock: unknown reading \"lunar\"", nil},
		{"an unknown option", `{"period_reading":"exact","perod_reading":"exact"}`, false, `unknown field "perod_reading"`, nil},
		{"a number", `{"unknown_size":3}`, false, "unknown_size: want a string", nil},
		{"malformed", `{"unknown_size":`, false, "unexpected EOF", nil},
		{"a list", `["exact"]`, false, "want a JSON object of options, not array", nil},
		{"trailing data", `{} {}`, false, "unexpected data", nil},
		{"empty", ``, false, "empty", nil},
		{"a missing file", "-", false, "--options", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "missing.json")
			if tc.content != "-" {
				path = writeFile(t, tc.content)
			}
			args := []string{"--data", t.TempDir()}
			envs := map[string]string{}
			if tc.env {
				envs["NISNET_OPTIONS"] = path
			} else {
				args = append(args, "--options", path)
			}
			c, err := parseServe(args, Env{Stderr: io.Discard, Getenv: func(k string) string { return envs[k] }})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want a valid configuration", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if tc.check != nil && !tc.check(c.Options) {
				t.Errorf("options %+v", c.Options)
			}
		})
	}
	// serve refuses to start with a bad file, as a usage error.
	var stderr bytes.Buffer
	code := Run(context.Background(), []string{"serve", "--data", t.TempDir(), "--options", writeFile(t, `{"tsp_submissions":"both"}`)},
		Env{Stdout: io.Discard, Stderr: &stderr})
	if code != ExitUsage || !strings.Contains(stderr.String(), "tsp_submissions") {
		t.Errorf("serve with a bad options file: exit %d, %q; want 2 naming tsp_submissions", code, stderr.String())
	}
}

// TestHandlerUsesOptions checks that the node's options reach the
// assessments of stored incidents.
func TestHandlerUsesOptions(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	cfg := Config{NodeMemberState: "NL", Options: rules.Options{UnknownSize: rules.SizeAssumeSmall, LawEnforcement: rules.LEForward}}
	h, err := Handler(cfg, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	if _, err := api.EnsureAuthority(ctx, db, "CSIRT", "NL"); err != nil {
		t.Fatal(err)
	}
	org, err := db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: "Hospital", MemberState: "NL",
		Profile: json.RawMessage(`{"member_state":"NL","entity_types":["health/healthcare-provider"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	plain, hash := auth.NewToken(auth.APITokenPrefix)
	if _, err := db.CreateAPIToken(ctx, store.APIToken{TokenHash: hash, OrganisationID: org.ID, Role: store.RoleEntityReporter, Name: "t", CreatedBy: "system"}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/incidents", strings.NewReader(`{"title":"x","kind":"near_miss","facts":{"incident":{}}}`))
	req.Header.Set("Authorization", "Bearer "+plain)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var view api.IncidentView
	if err := json.NewDecoder(resp.Body).Decode(&view); err != nil || resp.StatusCode != 201 || view.Assessment == nil {
		t.Fatalf("report: status %d, %v", resp.StatusCode, err)
	}
	got := map[string]string{}
	for _, r := range view.Assessment.Readings {
		got[r.Option] = r.Value
	}
	if got["unknown_size"] != "assume_small" || got["law_enforcement"] != "forward" || got["period_reading"] != "exact" {
		t.Errorf("readings used %v, want the node's options over the defaults", got)
	}
}
