package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeFacts feeds arbitrary documents to DecodeFacts. It must never
// panic; whatever it accepts, Assess must accept too and answer with a
// coherent result, and the facts must survive a JSON round trip unchanged in
// meaning. testdata/fuzz/FuzzDecodeFacts holds the crashers found so far
// (due-after-year-9999: a result that could not be encoded as JSON).
func FuzzDecodeFacts(f *testing.F) {
	files, err := filepath.Glob("../../examples/assess/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, bc := range benchCases {
		data, err := json.Marshal(bc.facts())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		validDoc,
		"",
		"{",
		"null",
		"[]",
		`{"now": 1}`,
		validDoc + ` {}`,
		doc("", `"aware_at": "2026-03-05T10:00:00Z", "impact": {"complete_unavailability": "-5m"}`, ""),
		doc("", `"aware_at": "2026-03-05T10:00:00Z", "impact": {"slow_response": "PT2H", "average_response_seconds": 11}`, `"options": {"period_reading": "reg_1182_71"}`),
		doc(`"member_state": "GR"`, "", ""),
		doc("", `"kind": "near_miss"`, ""),
	} {
		f.Add([]byte(s))
	}
	eng := New(nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		facts, err := DecodeFacts(bytes.NewReader(data))
		if err != nil {
			var fe *FieldErrors
			switch {
			case errors.Is(err, ErrTooLarge):
			case !errors.As(err, &fe):
				t.Fatalf("DecodeFacts: error of type %T: %v", err, err)
			case len(fe.List) == 0:
				t.Fatal("DecodeFacts: *FieldErrors without any error")
			}
			return
		}
		res, err := eng.Assess(facts)
		if err != nil {
			t.Fatalf("Assess rejects facts that DecodeFacts accepted: %v", err)
		}
		checkResult(t, res)

		enc, err := json.Marshal(facts)
		if err != nil {
			t.Fatalf("encoding the facts: %v", err)
		}
		again, err := DecodeFacts(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("DecodeFacts rejects the re-encoded facts: %v\n%s", err, enc)
		}
		res2, err := eng.Assess(again)
		if err != nil {
			t.Fatalf("Assess rejects the re-encoded facts: %v", err)
		}
		j1, _ := json.Marshal(res)
		j2, _ := json.Marshal(res2)
		if !bytes.Equal(j1, j2) {
			t.Fatalf("the re-encoded facts give another assessment\nfacts: %s\nfirst:  %s\nsecond: %s", enc, j1, j2)
		}
	})
}

// checkResult checks what holds for every result.
func checkResult(t *testing.T, res Result) {
	t.Helper()
	if _, err := json.Marshal(res); err != nil {
		t.Fatalf("the result cannot be encoded as JSON: %v", err)
	}
	if res.EngineVersion != Version || res.Summary == "" {
		t.Errorf("result header: version %q summary %q", res.EngineVersion, res.Summary)
	}
	names := []string{"nis2", "dora", "gdpr", "cra"}
	if len(res.Regimes) != len(names) {
		t.Fatalf("regimes: got %d, want %d", len(res.Regimes), len(names))
	}
	for i, r := range res.Regimes {
		if r.Regime != names[i] || r.Status == "" || r.Summary == "" {
			t.Errorf("regime %d: got %q status %q summary %q", i, r.Regime, r.Status, r.Summary)
		}
		for _, fs := range [][]Finding{r.Scope, r.Significance} {
			for _, fd := range fs {
				if fd.Rule == "" || fd.Explanation == "" {
					t.Errorf("%s: finding without rule or explanation: %+v", r.Regime, fd)
				}
				if fd.Outcome != Met && fd.Outcome != NotMet && fd.Outcome != Unknown {
					t.Errorf("%s: finding %s has outcome %q", r.Regime, fd.Rule, fd.Outcome)
				}
			}
		}
	}
	for _, o := range res.Obligations {
		if o.ID == "" || o.LegalBasis == "" || o.Status == "" {
			t.Errorf("obligation without id, basis or status: %+v", o)
		}
		if o.DueAt != nil && o.AnchorAt != nil && o.DueAt.Before(*o.AnchorAt) {
			t.Errorf("%s is due at %s, before its anchor %s", o.ID, o.DueAt, o.AnchorAt)
		}
		if (o.Status == DueSubmitted) != (o.SubmittedAt != nil) {
			t.Errorf("%s: status %q with submitted_at %v", o.ID, o.Status, o.SubmittedAt)
		}
		if o.Status == DuePending && (o.AnchorAt != nil || o.DueAt != nil) {
			t.Errorf("%s is pending with anchor %v and due %v", o.ID, o.AnchorAt, o.DueAt)
		}
		if r := o.Relief; r != nil && r.Applies && (r.LatestPermittedAt == nil || !r.LatestPermittedAt.After(r.StatutoryDueAt)) {
			t.Errorf("%s: relief applies but permits nothing later: %+v", o.ID, r)
		}
	}
	for _, rt := range res.Routes {
		if rt.Recipient == "" || rt.Level == "" || rt.Basis == "" || rt.Reason == "" {
			t.Errorf("incomplete route: %+v", rt)
		}
	}
}

// TestCheckResultOnTheScenarios runs the fuzz invariants over the
// hand-written scenarios too.
func TestCheckResultOnTheScenarios(t *testing.T) {
	for _, f := range []Facts{benchDNS(), benchBank(), benchFull(), significantDNS(), doraFacts(), bankFacts(), reliefFacts(ReliefApply), craFacts(CRAEvent{AffectsProtection: true})} {
		checkResult(t, assess(t, f))
	}
}
