package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

func post(t *testing.T, f *fixture, url, ctype string, body []byte) (*http.Response, []byte) {
	t.Helper()
	return f.do(t, "POST", url, bytes.NewReader(body), bearer(f.token), header("Content-Type", ctype))
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestAssessmentExamples(t *testing.T) {
	fx := newServer(t)
	ts := fx.ts
	files, _ := filepath.Glob("../../examples/assess/*.json")
	if len(files) < 4 {
		t.Fatalf("found %d example fact files, want at least 4", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			resp, out := post(t, fx, ts.URL+"/api/v1/assessments", "application/json", body)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d, want 200: %s", resp.StatusCode, out)
			}
			var res rules.Result
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatal(err)
			}
			// The API must give exactly what the engine gives (one code path).
			facts, err := rules.DecodeFacts(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := rules.New(nil).Assess(facts)
			wantJSON, _ := json.Marshal(want)
			gotJSON, _ := json.Marshal(res)
			if !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("API result differs from the engine's:\n got %s\nwant %s", gotJSON, wantJSON)
			}
			if len(res.Regimes) != 4 {
				t.Errorf("got %d regimes, want 4", len(res.Regimes))
			}
		})
	}
}

func TestAssessmentDNSOutage(t *testing.T) {
	f := newServer(t)
	body, _ := os.ReadFile("../../examples/assess/dns-outage.json")
	_, out := post(t, f, f.ts.URL+"/api/v1/assessments", "application/json", body)
	var res rules.Result
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if res.Regimes[0].Regime != "nis2" || res.Regimes[0].Status != rules.StatusReportable {
		t.Fatalf("nis2 = %+v, want reportable", res.Regimes[0])
	}
	var notif *rules.Obligation
	for i := range res.Obligations {
		if res.Obligations[i].ID == "nis2.notification" {
			notif = &res.Obligations[i]
		}
	}
	if notif == nil || notif.DueAt == nil || notif.DueAt.UTC().Format("2006-01-02T15:04:05Z") != "2026-03-08T21:40:00Z" {
		t.Fatalf("nis2.notification = %+v, want due 2026-03-08T21:40:00Z (aware 2026-03-05T21:40Z + 72 h, NIS2 Art 23(4)(b))", notif)
	}
}

func TestAssessmentErrors(t *testing.T) {
	f := newServer(t)
	url := f.ts.URL + "/api/v1/assessments"
	valid, _ := os.ReadFile("../../examples/assess/dns-outage.json")
	big := append([]byte(`{"now":"2026-01-01T00:00:00Z","entity":{"name":"`), bytes.Repeat([]byte("x"), rules.MaxFactsBytes)...)
	big = append(big, []byte(`"}}`)...)
	tests := []struct {
		name      string
		ctype     string
		body      []byte
		status    int
		code      string
		wantField string
	}{
		{"unknown field rejected", "application/json", bytes.Replace(valid, []byte(`"name"`), []byte(`"nmae"`), 1), 400, "invalid_facts", "nmae"},
		{"unknown entity type", "application/json", bytes.Replace(valid, []byte("digital-infrastructure/dns"), []byte("digital-infrastructure/dnss"), 1), 400, "invalid_facts", "entity.entity_types[0]"},
		{"negative duration", "application/json", bytes.Replace(valid, []byte(`"45m"`), []byte(`"-45m"`), 1), 400, "invalid_facts", ""},
		{"missing now", "application/json", bytes.Replace(valid, []byte(`"now"`), []byte(`"_now"`), 1), 400, "invalid_facts", "_now"},
		{"malformed JSON", "application/json", []byte(`{"now": `), 400, "invalid_facts", ""},
		{"empty body", "application/json", nil, 400, "invalid_facts", ""},
		{"wrong content type", "text/plain", valid, 415, "unsupported_media_type", ""},
		{"too large", "application/json", big, 413, "too_large", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := post(t, f, url, tc.ctype, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, out)
			}
			var env struct {
				Error Error `json:"error"`
			}
			if err := json.Unmarshal(out, &env); err != nil {
				t.Fatalf("error body is not the envelope: %v: %s", err, out)
			}
			if env.Error.Code != tc.code || env.Error.Message == "" {
				t.Errorf("error = %+v, want code %q with a message", env.Error, tc.code)
			}
			if tc.wantField != "" {
				found := false
				for _, f := range env.Error.Fields {
					found = found || f.Field == tc.wantField
				}
				if !found {
					t.Errorf("fields %+v do not name %q", env.Error.Fields, tc.wantField)
				}
			}
		})
	}
}

func TestMissingAwareAndContradiction(t *testing.T) {
	f := newServer(t)
	ts := f.ts
	body := []byte(`{"now":"2026-10-01T00:00:00Z","entity":{"member_state":"DE","cra":{"manufacturer":true}},
	 "incident":{"cra":{"actively_exploited_vulnerability":true,"fix_available_at":"2026-09-01T00:00:00Z"}}}`)
	resp, out := post(t, f, ts.URL+"/api/v1/assessments", "application/json", body)
	if resp.StatusCode != 400 {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
	if !strings.Contains(string(out), "incident.aware_at") {
		t.Errorf("response does not name incident.aware_at: %s", out)
	}
	body = []byte(`{"now":"2026-10-01T00:00:00Z","entity":{"member_state":"DE","cra":{"manufacturer":true}},
	 "incident":{"aware_at":"2026-09-20T00:00:00Z","cra":{"actively_exploited_vulnerability":true,"fix_available_at":"2026-09-01T00:00:00Z"}}}`)
	_, out = post(t, f, ts.URL+"/api/v1/assessments", "application/json", body)
	if !strings.Contains(string(out), "incident.cra.fix_available_at") {
		t.Errorf("a fix available before awareness is not reported on incident.cra.fix_available_at: %s", out)
	}
}

func TestVocabularies(t *testing.T) {
	ts := newServer(t).ts
	resp, out := get(t, ts.URL+"/api/v1/vocabularies")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var idx vocabularyIndex
	if err := json.Unmarshal(out, &idx); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range idx.Vocabularies {
		names = append(names, v.Name)
	}
	for _, want := range []string{"rsit", "tlp", "nis2-entity-types", "dora-entity-types", "member-states", "report-ids", "assessment-options"} {
		if !slices.Contains(names, want) {
			t.Errorf("vocabularies %v lack %q", names, want)
		}
	}
	for _, tc := range []struct {
		name  string
		code  string
		count int
	}{
		{"member-states", "EL", 27},
		{"rsit", "intrusions/system-compromise", 50}, // 11 classes + 39 types
		{"tlp", "TLP:AMBER+STRICT", 5},
	} {
		resp, out := get(t, ts.URL+"/api/v1/vocabularies/"+tc.name)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", tc.name, resp.StatusCode)
		}
		var v vocab.Vocabulary
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		if len(v.Entries) != tc.count {
			t.Errorf("%s: %d entries, want %d", tc.name, len(v.Entries), tc.count)
		}
		if _, ok := v.Lookup(tc.code); !ok {
			t.Errorf("%s lacks %q", tc.name, tc.code)
		}
	}
	resp, out = get(t, ts.URL+"/api/v1/vocabularies/nope")
	if resp.StatusCode != 404 || !strings.Contains(string(out), `"not_found"`) {
		t.Errorf("unknown vocabulary: status %d body %s, want 404 not_found", resp.StatusCode, out)
	}
}

// TestOpenAPIMatchesRoutes checks the OpenAPI document against the routes
// the mux really serves, both ways.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newServer(t)
	ts, patterns := f.ts, f.patterns
	resp, out := get(t, ts.URL+"/api/v1/openapi.json")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(documented)
	slices.Sort(patterns)
	if !slices.Equal(documented, patterns) {
		t.Errorf("documented routes %v\n       real routes %v", documented, patterns)
	}
	// Every schema reference resolves.
	var raw map[string]any
	_ = json.Unmarshal(out, &raw)
	schemas := raw["components"].(map[string]any)["schemas"].(map[string]any)
	for _, ref := range findRefs(raw) {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if _, ok := schemas[name]; !ok {
			t.Errorf("dangling $ref %s", ref)
		}
	}
	if _, ok := schemas["Facts"]; !ok {
		t.Error("no Facts schema")
	}
	facts := schemas["Facts"].(map[string]any)
	if facts["additionalProperties"] != false {
		t.Error("Facts schema does not forbid unknown fields, but the decoder rejects them")
	}
}

func findRefs(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && k == "$ref" {
				out = append(out, s)
			}
			out = append(out, findRefs(val)...)
		}
	case []any:
		for _, val := range x {
			out = append(out, findRefs(val)...)
		}
	}
	return out
}

func TestUnknownAPIRoute(t *testing.T) {
	ts := newServer(t).ts
	resp, out := get(t, ts.URL+"/api/v1/nothing")
	if resp.StatusCode != 404 || !strings.Contains(string(out), "no such API route") {
		t.Errorf("status %d body %s, want 404 envelope", resp.StatusCode, out)
	}
}
