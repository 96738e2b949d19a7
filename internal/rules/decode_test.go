package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A valid facts document: a Dutch DNS provider with 45 minutes of outage.
const validDoc = `{
  "now": "2026-03-06T08:00:00Z",
  "entity": {"member_state": "NL", "entity_types": ["digital-infrastructure/dns"]},
  "incident": {"aware_at": "2026-03-05T10:00:00Z", "impact": {"complete_unavailability": "45m"}}
}`

// doc builds a facts document from the parts that differ from validDoc.
func doc(entity, incident, rest string) string {
	if entity == "" {
		entity = `"member_state": "NL", "entity_types": ["digital-infrastructure/dns"]`
	}
	if incident == "" {
		incident = `"aware_at": "2026-03-05T10:00:00Z"`
	}
	s := `{"now": "2026-03-06T08:00:00Z", "entity": {` + entity + `}, "incident": {` + incident + `}`
	if rest != "" {
		s += ", " + rest
	}
	return s + "}"
}

func decodeErrors(t *testing.T, in string) *FieldErrors {
	t.Helper()
	_, err := DecodeFacts(strings.NewReader(in))
	if err == nil {
		t.Fatalf("DecodeFacts accepted %s", in)
	}
	var fe *FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("DecodeFacts error %v (%T), want *FieldErrors", err, err)
	}
	return fe
}

func TestDecodeFactsValid(t *testing.T) {
	f, err := DecodeFacts(strings.NewReader(validDoc))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Now.Equal(at("2026-03-06T08:00:00Z")) || f.Entity.MemberState != "NL" || f.Incident.Impact.CompleteUnavailability != dur("45m") {
		t.Errorf("decoded %+v", f)
	}
	res := assess(t, f)
	wantRegime(t, res, "nis2", StatusReportable)
}

func TestDecodeFactsInvalid(t *testing.T) {
	cloud := `"member_state": "NL", "entity_types": ["digital-infrastructure/cloud"]`
	tests := []struct {
		name  string
		doc   string
		field string
		msg   string
	}{
		{"unknown JSON field is rejected, not ignored", `{"now": "2026-03-06T08:00:00Z", "colour": "red", "entity": {"member_state": "NL"}, "incident": {"aware_at": "2026-03-05T10:00:00Z"}}`,
			"colour", "unknown field"},
		{"unknown nested JSON field is rejected", doc(`"member_state": "NL", "sector": "energy"`, "", ""), "sector", "unknown field"},
		{"unknown NIS2 entity type", doc(`"member_state": "NL", "entity_types": ["digital-infrastructure/dns", "energy/nuclear"]`, "", ""),
			"entity.entity_types[1]", `unknown NIS2 entity type "energy/nuclear"`},
		{"a sector is not an entity type", doc(`"member_state": "NL", "entity_types": ["energy"]`, "", ""), "entity.entity_types[0]", "unknown NIS2 entity type"},
		{"unknown DORA entity type", doc(`"member_state": "NL", "dora": {"entity_type": "bank"}`, "", ""), "entity.dora.entity_type", `unknown DORA entity type "bank"`},
		{"unknown Member State", doc(`"member_state": "XX"`, "", ""), "entity.member_state", `unknown Member State code "XX"`},
		{"Greece is EL, not GR", doc(`"member_state": "GR"`, "", ""), "entity.member_state", `Greece is "EL"`},
		{"unknown Member State in a list", doc("", `"aware_at": "2026-03-05T10:00:00Z", "affected_member_states": ["NL", "UK"]`, ""),
			"incident.affected_member_states[1]", "unknown Member State"},
		{"a Member State listed twice", doc(`"member_state": "NL", "services_in": ["BE", "BE"]`, "", ""), "entity.services_in[1]", "listed twice"},
		{"no Member State and no EU representative", doc(`"entity_types": ["digital-infrastructure/dns"]`, "", ""), "entity.member_state", "required"},
		{"negative duration", doc("", `"aware_at": "2026-03-05T10:00:00Z", "impact": {"complete_unavailability": "-5m"}`, ""),
			"incident.impact.complete_unavailability", `"-5m" is negative`},
		{"negative duration in seconds", doc("", `"aware_at": "2026-03-05T10:00:00Z", "impact": {"slow_response": -300, "average_response_seconds": 12}`, ""),
			"incident.impact.slow_response", "out of range"},
		{"negative ISO 8601 duration", doc("", `"aware_at": "2026-03-05T10:00:00Z", "dora": {"duration": "-PT5M"}`, ""),
			"incident.dora.duration", "negative"},
		{"malformed duration", doc("", `"aware_at": "2026-03-05T10:00:00Z", "impact": {"limited_availability": "five minutes"}`, ""),
			"incident.impact.limited_availability", "neither Go syntax"},
		{"malformed duration of an earlier incident", doc("", `"aware_at": "2026-03-05T10:00:00Z", "earlier_incidents": [{"occurred_at": "2026-01-01T00:00:00Z", "root_cause": "x", "dora": {"service_downtime": "2 hours"}}]`, ""),
			"incident.earlier_incidents.dora.service_downtime", "neither Go syntax"},
		{"negative financial loss", doc("", `"aware_at": "2026-03-05T10:00:00Z", "impact": {"direct_financial_loss_eur": -1}`, ""),
			"incident.impact.direct_financial_loss_eur", "must not be negative"},
		{"negative user count", doc(cloud, `"aware_at": "2026-03-05T10:00:00Z", "impact": {"eu_users": -1}`, ""),
			"incident.impact.eu_users", "must not be negative"},
		{"negative headcount", doc(`"member_state": "NL", "size": {"employees": -3}`, "", ""), "entity.size.employees", "must not be negative"},
		{"negative turnover", doc(`"member_state": "NL", "size": {"annual_turnover_eur": -0.01}`, "", ""), "entity.size.annual_turnover_eur", "must not be negative"},
		{"negative DORA client count", doc(`"member_state": "LU", "dora": {"entity_type": "payment-institution"}`, `"aware_at": "2026-03-05T10:00:00Z", "dora": {"clients_affected": -5}`, ""),
			"incident.dora.clients_affected", "must not be negative"},
		{"negative loss of an earlier incident", doc("", `"aware_at": "2026-03-05T10:00:00Z", "earlier_incidents": [{"occurred_at": "2026-01-01T00:00:00Z", "root_cause": "x", "direct_financial_loss_eur": -2}]`, ""),
			"incident.earlier_incidents[0].direct_financial_loss_eur", "must not be negative"},
		{"a number where a string is expected", doc(`"member_state": 31`, "", ""), "entity.member_state", "must be a string"},
		{"a string where a number is expected", doc(cloud, `"aware_at": "2026-03-05T10:00:00Z", "impact": {"eu_users": "many"}`, ""),
			"incident.impact.eu_users", "must be a number"},
		{"a string where true or false is expected", doc("", `"aware_at": "2026-03-05T10:00:00Z", "suspected_malicious": "yes"`, ""), "incident.suspected_malicious", "must be true or false"},
		{"a string where a list is expected", doc(`"member_state": "NL", "entity_types": "digital-infrastructure/dns"`, "", ""), "entity.entity_types", "must be a list"},
		{"a list where an object is expected", doc("", "", `"events": {"submitted": []}`), "events.submitted", "must be an object"},
		{"missing now", `{"entity": {"member_state": "NL"}, "incident": {"aware_at": "2026-03-05T10:00:00Z"}}`, "now", "required"},
		{"missing aware_at", doc("", `"title": "outage"`, ""), "incident.aware_at", "required"},
		{"now out of range", `{"now": "9999-12-31T23:00:00Z", "entity": {"member_state": "NL"}, "incident": {"aware_at": "9999-12-31T22:00:00Z"}}`, "now", "out of range"},
		{"an instant before 1900", doc("", `"aware_at": "1899-12-31T23:59:59Z"`, ""), "incident.aware_at", "out of range"},
		{"instant after now", doc("", `"aware_at": "2026-03-06T08:00:01Z"`, ""), "incident.aware_at", "after now"},
		{"handling ended after now", doc("", "", `"events": {"handling_ended_at": "2026-03-07T00:00:00Z"}`), "events.handling_ended_at", "after now"},
		{"aware before it occurred", doc("", `"occurred_at": "2026-03-05T11:00:00Z", "aware_at": "2026-03-05T10:00:00Z"`, ""), "incident.aware_at", "before incident.occurred_at"},
		{"fix available before awareness", doc(`"member_state": "DE", "cra": {"manufacturer": true}`,
			`"aware_at": "2026-03-05T10:00:00Z", "cra": {"actively_exploited_vulnerability": true, "fix_available_at": "2026-03-05T09:59:59Z"}`, ""),
			"incident.cra.fix_available_at", "before incident.aware_at"},
		{"CRA facts without a manufacturer", doc("", `"aware_at": "2026-03-05T10:00:00Z", "cra": {"malicious_code": true}`, ""), "incident.cra", "manufacturer"},
		{"submission before awareness", doc("", "", `"events": {"submitted": {"nis2.early_warning": "2026-03-05T09:00:00Z"}}`),
			"events.submitted.nis2.early_warning", "before incident.aware_at"},
		{"submission after now", doc("", "", `"events": {"submitted": {"nis2.notification": "2026-03-06T09:00:00Z"}}`),
			"events.submitted.nis2.notification", "after now"},
		{"unknown report id in events.submitted", doc("", "", `"events": {"submitted": {"nis2.erly_warning": "2026-03-05T12:00:00Z"}}`),
			"events.submitted.nis2.erly_warning", `unknown report "nis2.erly_warning"`},
		{"users more than eu_users", doc(cloud, `"aware_at": "2026-03-05T10:00:00Z", "impact": {"eu_users": 1000, "users_limited_availability": 1001}`, ""),
			"incident.impact.users_limited_availability", "1001 is more than incident.impact.eu_users (1000)"},
		{"user counts without eu_users", doc(cloud, `"aware_at": "2026-03-05T10:00:00Z", "impact": {"users_data_compromised": 10}`, ""),
			"incident.impact.eu_users", "required when affected users are given"},
		{"misconfigured names more than managed", doc("", `"aware_at": "2026-03-05T10:00:00Z", "impact": {"misconfigured_domain_names": 11, "managed_domain_names": 10}`, ""),
			"incident.impact.misconfigured_domain_names", "more than"},
		{"slow responses without the average response time", doc("", `"aware_at": "2026-03-05T10:00:00Z", "impact": {"slow_response": "2h"}`, ""),
			"incident.impact.average_response_seconds", "required with slow_response"},
		{"classified as major before becoming aware", doc(`"member_state": "LU", "dora": {"entity_type": "payment-institution"}`,
			`"aware_at": "2026-03-05T10:00:00Z", "dora": {"classified_major_at": "2026-03-05T09:59:59Z"}`, ""),
			"incident.dora.classified_major_at", "before incident.aware_at"},
		{"DORA measurements without a DORA entity", doc("", `"aware_at": "2026-03-05T10:00:00Z", "dora": {"media_coverage": true}`, ""), "incident.dora", "entity.dora"},
		{"significant credit institution that is no credit institution", doc(`"member_state": "LU", "dora": {"entity_type": "payment-institution", "significant_credit_institution": true}`, "", ""),
			"entity.dora.significant_credit_institution", "only a credit institution"},
		{"unknown GDPR role", doc(`"member_state": "NL", "gdpr_role": "owner"`, "", ""), "entity.gdpr_role", `unknown role "owner"`},
		{"unknown GDPR risk judgement", doc("", `"aware_at": "2026-03-05T10:00:00Z", "personal_data": {"breach": true, "risk": "medium"}`, ""),
			"incident.personal_data.risk", `unknown judgement "medium"`},
		{"unknown Art 34(3) exemption", doc("", `"aware_at": "2026-03-05T10:00:00Z", "personal_data": {"breach": true, "art34_exemption": "encrypted"}`, ""),
			"incident.personal_data.art34_exemption", "unknown exemption"},
		{"unknown incident kind", doc("", `"aware_at": "2026-03-05T10:00:00Z", "kind": "accident"`, ""), "incident.kind", `unknown kind "accident"`},
		{"unknown excluded area", doc(`"member_state": "NL", "designations": {"excluded_area": "health"}`, "", ""), "entity.designations.excluded_area", `unknown area "health"`},
		{"earlier incident without occurred_at", doc("", `"aware_at": "2026-03-05T10:00:00Z", "earlier_incidents": [{"root_cause": "x"}]`, ""),
			"incident.earlier_incidents[0].occurred_at", "required"},
		{"earlier incident without root cause", doc("", `"aware_at": "2026-03-05T10:00:00Z", "earlier_incidents": [{"occurred_at": "2026-01-01T00:00:00Z"}]`, ""),
			"incident.earlier_incidents[0].root_cause", "required"},
		{"earlier incident after this one", doc("", `"occurred_at": "2026-03-05T09:00:00Z", "aware_at": "2026-03-05T10:00:00Z", "earlier_incidents": [{"occurred_at": "2026-03-05T09:30:00Z", "root_cause": "x"}]`, ""),
			"incident.earlier_incidents[0].occurred_at", "after incident.occurred_at"},
		{"unknown option value", doc("", "", `"options": {"period_reading": "calendar"}`), "options.period_reading", `unknown reading "calendar"`},
		{"unknown weekend relief reading", doc("", "", `"options": {"dora_weekend_relief": "always"}`), "options.dora_weekend_relief", "allowed: [report apply off]"},
		{"intermediate request of an unknown regime", doc("", "", `"events": {"intermediate_requests": [{"regime": "dora", "requested_at": "2026-03-06T07:00:00Z"}]}`),
			"events.intermediate_requests[0].regime", `unknown regime "dora"`},
		{"intermediate request due before it was made", doc("", "", `"events": {"intermediate_requests": [{"regime": "nis2", "requested_at": "2026-03-06T07:00:00Z", "due_at": "2026-03-06T06:00:00Z"}]}`),
			"events.intermediate_requests[0].due_at", "before"},
		{"intermediate request due in year 10000 is out of range", doc("", "", `"events": {"intermediate_requests": [{"regime": "nis2", "requested_at": "2026-03-06T07:00:00Z", "due_at": "9999-12-31T23:59:59-23:00"}]}`),
			"events.intermediate_requests[0].due_at", "out of range"},
		{"trailing data", validDoc + ` {}`, "", "unexpected data after the facts document"},
		{"trailing garbage", validDoc + ` x`, "", "unexpected data after the facts document"},
		{"malformed JSON", `{"now": "2026-03-06T08:00:00Z",}`, "", "malformed JSON"},
		{"truncated JSON", `{"now": "2026-03-06T08:00:00Z"`, "", "truncated JSON"},
		{"empty document", ``, "", "empty facts document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := decodeErrors(t, tt.doc)
			for _, e := range fe.List {
				if e.Field == tt.field {
					if !strings.Contains(e.Message, tt.msg) {
						t.Errorf("%s: got message %q, want it to contain %q", tt.field, e.Message, tt.msg)
					}
					return
				}
			}
			t.Errorf("no error for field %q; got %+v", tt.field, fe.List)
		})
	}
}

func TestDecodeFactsListsEveryProblem(t *testing.T) {
	fe := decodeErrors(t, doc(`"member_state": "GR", "gdpr_role": "owner"`, `"aware_at": "2026-03-07T00:00:00Z"`, `"options": {"month_clock": "cet"}`))
	want := []string{"entity.member_state", "entity.gdpr_role", "incident.aware_at", "options.month_clock"}
	var got []string
	for _, e := range fe.List {
		got = append(got, e.Field)
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("fields %v lack %s", got, w)
		}
	}
	msg := fe.Error()
	if !strings.HasPrefix(msg, "invalid facts: ") || !strings.Contains(msg, `entity.gdpr_role: unknown role "owner"`) {
		t.Errorf("Error(): got %q", msg)
	}
}

func TestDecodeFactsSize(t *testing.T) {
	pad := func(n int) string {
		// validDoc with a name that makes the document exactly n bytes long.
		head := `{"now": "2026-03-06T08:00:00Z", "entity": {"name": "`
		tail := `", "member_state": "NL"}, "incident": {"aware_at": "2026-03-05T10:00:00Z"}}`
		return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
	}
	t.Run("a document of exactly MaxFactsBytes is accepted", func(t *testing.T) {
		d := pad(MaxFactsBytes)
		if len(d) != MaxFactsBytes {
			t.Fatalf("test document is %d bytes", len(d))
		}
		if _, err := DecodeFacts(strings.NewReader(d)); err != nil {
			t.Errorf("got %v, want no error", err)
		}
	})
	t.Run("a document of MaxFactsBytes + 1 is too large", func(t *testing.T) {
		if _, err := DecodeFacts(strings.NewReader(pad(MaxFactsBytes + 1))); !errors.Is(err, ErrTooLarge) {
			t.Errorf("got %v, want ErrTooLarge", err)
		}
	})
	t.Run("a small document followed by more than MaxFactsBytes of white space is too large", func(t *testing.T) {
		d := validDoc + strings.Repeat(" ", MaxFactsBytes)
		if _, err := DecodeFacts(strings.NewReader(d)); !errors.Is(err, ErrTooLarge) {
			t.Errorf("got %v, want ErrTooLarge", err)
		}
	})
	t.Run("a huge document is too large, whatever it contains", func(t *testing.T) {
		d := `{"now": "` + strings.Repeat("9", 2*MaxFactsBytes) + `"}`
		if _, err := DecodeFacts(strings.NewReader(d)); !errors.Is(err, ErrTooLarge) {
			t.Errorf("got %v, want ErrTooLarge", err)
		}
	})
}

func TestDecodeFactsEveryExample(t *testing.T) {
	files, err := filepath.Glob("../../examples/assess/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := DecodeFacts(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("DecodeFacts: %v", err)
			}
			res := assess(t, f)
			if !strings.HasPrefix(res.Summary, "reportable under ") {
				t.Errorf("summary %q: every example is reportable somewhere", res.Summary)
			}
			var text bytes.Buffer
			if err := res.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), "Verdict: "+res.Summary) {
				t.Errorf("text output lacks the verdict:\n%s", text.String())
			}
		})
	}
}

func TestAssessValidatesToo(t *testing.T) {
	_, err := New(nil).Assess(Facts{})
	var fe *FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("Assess(Facts{}): got %v, want *FieldErrors", err)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30m", 30 * time.Minute, ""},
		{"1h0m1s", time.Hour + time.Second, ""},
		{"PT30M", 30 * time.Minute, ""},
		{"PT1H0M1S", time.Hour + time.Second, ""},
		{"P1DT2H", 26 * time.Hour, ""},
		{"PT0.5S", 500 * time.Millisecond, ""},
		{"P1D", 24 * time.Hour, ""},
		{"", 0, ""},
		{" 45m ", 45 * time.Minute, ""},
		{"-5m", 0, "negative"},
		{"-PT5M", 0, "negative"},
		{"P", 0, "neither"},
		{"PT", 0, "neither"},
		{"P1W", 0, "neither"},
		{"P12000D", 0, "too long"},
		{"5 minutes", 0, "neither"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("ParseDuration(%q): %v", tt.in, err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("ParseDuration(%q): got error %v, want one containing %q", tt.in, err, tt.err)
			case got != tt.want:
				t.Errorf("ParseDuration(%q): got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestDurationJSON(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Duration
	}{
		{`"45m"`, dur("45m")}, {`"PT45M"`, dur("45m")}, {`2700`, dur("45m")}, {`0.5`, dur("500ms")}, {`"1h0m1s"`, dur("1h0m1s")},
	} {
		var d Duration
		if err := json.Unmarshal([]byte(tt.in), &d); err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if d != tt.want {
			t.Errorf("%s: got %v, want %v", tt.in, d.Std(), tt.want.Std())
		}
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back Duration
		if err := json.Unmarshal(out, &back); err != nil || back != d {
			t.Errorf("%s: marshalled as %s, read back %v (%v)", tt.in, out, back.Std(), err)
		}
	}
	if out, _ := json.Marshal(dur("1h0m1s")); string(out) != `"1h0m1s"` {
		t.Errorf("MarshalJSON: got %s, want \"1h0m1s\"", out)
	}
}
