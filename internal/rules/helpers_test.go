package rules

import (
	"strings"
	"testing"
	"time"
)

// at parses an RFC 3339 literal written in a test. A malformed literal is a
// mistake in the test itself, so it panics.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func atp(s string) *time.Time { t := at(s); return &t }

func i64p(n int64) *int64     { return &n }
func f64p(x float64) *float64 { return &x }

// dur parses a Go duration literal written in a test.
func dur(s string) Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return Duration(d)
}

// Sizes under Recommendation 2003/361/EC.
func largeSize() *Size {
	return &Size{Employees: i64p(1200), AnnualTurnoverEUR: f64p(200e6), BalanceSheetEUR: f64p(150e6)}
}

func mediumSize() *Size {
	return &Size{Employees: i64p(120), AnnualTurnoverEUR: f64p(30e6), BalanceSheetEUR: f64p(20e6)}
}

func smallSize() *Size {
	return &Size{Employees: i64p(20), AnnualTurnoverEUR: f64p(3e6), BalanceSheetEUR: f64p(2.5e6)}
}

// nis2Facts is an incident of a large Dutch entity of the given NIS2 types
// that became aware on Thursday 5 March 2026 at 10:00 UTC; nothing else
// happened yet.
func nis2Facts(types ...string) Facts {
	return Facts{
		Now:      at("2026-03-06T08:00:00Z"),
		Entity:   Entity{Name: "Test entity", MemberState: "NL", EntityTypes: types, Size: largeSize()},
		Incident: Incident{AwareAt: atp("2026-03-05T10:00:00Z")},
	}
}

// significantDNS is a significant incident of a DNS service provider (45 min
// complete unavailability, 2024/2690 Art 5(a)).
func significantDNS() Facts {
	f := nis2Facts("digital-infrastructure/dns")
	f.Incident.Impact.CompleteUnavailability = dur("45m")
	return f
}

// doraFacts is an incident of a Luxembourg payment institution (no NIS2
// entity type, so the weekend relief is not excluded by 2025/301 Art 5(5))
// that is major through 2024/1772 Art 8(1)(a).
func doraFacts() Facts {
	return Facts{
		Now:    at("2026-05-13T12:00:00Z"),
		Entity: Entity{Name: "Test payments", MemberState: "LU", DORA: &DORA{EntityType: "payment-institution"}},
		Incident: Incident{
			AwareAt: atp("2026-05-13T09:00:00Z"),
			DORA:    &DORAImpact{MaliciousUnauthorisedAccess: true, AccessMayCauseDataLoss: true},
		},
	}
}

func assess(t *testing.T, f Facts) Result {
	t.Helper()
	res, err := New(nil).Assess(f)
	if err != nil {
		t.Fatalf("Assess: %v", err)
	}
	return res
}

func regimeOf(t *testing.T, res Result, name string) RegimeResult {
	t.Helper()
	for _, r := range res.Regimes {
		if r.Regime == name {
			return r
		}
	}
	t.Fatalf("no regime %q in the result", name)
	return RegimeResult{}
}

func findObligation(res Result, id string) (Obligation, bool) {
	for _, o := range res.Obligations {
		if o.ID == id {
			return o, true
		}
	}
	return Obligation{}, false
}

func obligationOf(t *testing.T, res Result, id string) Obligation {
	t.Helper()
	o, ok := findObligation(res, id)
	if !ok {
		t.Fatalf("no obligation %q; have %v", id, obligationIDs(res))
	}
	return o
}

func obligationIDs(res Result) []string {
	var ids []string
	for _, o := range res.Obligations {
		ids = append(ids, o.ID)
	}
	return ids
}

func wantNoObligation(t *testing.T, res Result, id string) {
	t.Helper()
	if _, ok := findObligation(res, id); ok {
		t.Errorf("obligation %q present, want none", id)
	}
}

// findingOf returns the first finding with exactly this rule.
func findingOf(t *testing.T, fs []Finding, rule string) Finding {
	t.Helper()
	for _, f := range fs {
		if f.Rule == rule {
			return f
		}
	}
	var rules []string
	for _, f := range fs {
		rules = append(rules, f.Rule)
	}
	t.Fatalf("no finding %q; have %q", rule, rules)
	return Finding{}
}

func hasFinding(fs []Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

func wantOutcome(t *testing.T, fs []Finding, rule string, want Outcome) Finding {
	t.Helper()
	f := findingOf(t, fs, rule)
	if f.Outcome != want {
		t.Errorf("%s: got %s, want %s (%s)", rule, f.Outcome, want, f.Explanation)
	}
	return f
}

func wantExplanation(t *testing.T, f Finding, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(f.Explanation, p) {
			t.Errorf("%s explanation %q does not contain %q", f.Rule, f.Explanation, p)
		}
	}
}

// wantDue checks an obligation's due instant; "" means no due instant.
func wantDue(t *testing.T, o Obligation, want string) {
	t.Helper()
	switch {
	case want == "" && o.DueAt != nil:
		t.Errorf("%s due: got %s, want none", o.ID, o.DueAt.Format(time.RFC3339Nano))
	case want == "":
	case o.DueAt == nil:
		t.Errorf("%s due: got none, want %s", o.ID, want)
	case !o.DueAt.Equal(at(want)):
		t.Errorf("%s due: got %s, want %s", o.ID, o.DueAt.UTC().Format(time.RFC3339Nano), want)
	}
}

// wantAnchor checks an obligation's anchor instant; "" means no anchor yet.
func wantAnchor(t *testing.T, o Obligation, want string) {
	t.Helper()
	switch {
	case want == "" && o.AnchorAt != nil:
		t.Errorf("%s anchor: got %s, want none", o.ID, o.AnchorAt.Format(time.RFC3339Nano))
	case want == "":
	case o.AnchorAt == nil:
		t.Errorf("%s anchor: got none, want %s", o.ID, want)
	case !o.AnchorAt.Equal(at(want)):
		t.Errorf("%s anchor: got %s, want %s", o.ID, o.AnchorAt.UTC().Format(time.RFC3339Nano), want)
	}
}

func wantStatus(t *testing.T, o Obligation, want string) {
	t.Helper()
	if o.Status != want {
		t.Errorf("%s status: got %q, want %q", o.ID, o.Status, want)
	}
}

func wantOnTime(t *testing.T, o Obligation, want bool) {
	t.Helper()
	if o.OnTime == nil {
		t.Errorf("%s on_time: got none, want %v", o.ID, want)
		return
	}
	if *o.OnTime != want {
		t.Errorf("%s on_time: got %v, want %v", o.ID, *o.OnTime, want)
	}
}

func wantRegime(t *testing.T, res Result, name, status string) RegimeResult {
	t.Helper()
	r := regimeOf(t, res, name)
	if r.Status != status {
		t.Errorf("%s status: got %q, want %q (%s)", name, r.Status, status, r.Summary)
	}
	return r
}

func routesTo(res Result, recipient string) []Route {
	var out []Route
	for _, r := range res.Routes {
		if r.Recipient == recipient {
			out = append(out, r)
		}
	}
	return out
}

// routeOf returns the one route to recipient with the given basis prefix.
func routeOf(t *testing.T, res Result, recipient, basisPrefix string) Route {
	t.Helper()
	for _, r := range routesTo(res, recipient) {
		if strings.HasPrefix(r.Basis, basisPrefix) {
			return r
		}
	}
	t.Fatalf("no route to %s with basis %q; routes: %+v", recipient, basisPrefix, res.Routes)
	return Route{}
}

func wantNoRoute(t *testing.T, res Result, recipient string) {
	t.Helper()
	if rs := routesTo(res, recipient); len(rs) > 0 {
		t.Errorf("routes to %s: got %+v, want none", recipient, rs)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
