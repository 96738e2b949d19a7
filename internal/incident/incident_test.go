package incident

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		from, to State
		ok       bool
	}{
		{Received, Triaged, true},
		{Triaged, InProgress, true},
		{InProgress, Closed, true},
		{Closed, InProgress, true}, // reopen
		{Received, Closed, true},
		{Closed, Received, false},
		{InProgress, Received, false},
		{Triaged, Triaged, false},
	}
	for _, tc := range tests {
		err := Transition(tc.from, tc.to)
		if (err == nil) != tc.ok {
			t.Errorf("%s → %s: got %v, want ok=%v", tc.from, tc.to, err, tc.ok)
		}
	}
	if _, err := ParseState("open"); err == nil {
		t.Error("ParseState accepted an unknown state")
	}
}

func dnsRecord(t *testing.T) Record {
	t.Helper()
	raw, err := os.ReadFile("../../examples/assess/dns-outage.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := rules.DecodeFacts(bytesReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := StoredFacts(f, f.Now)
	if err != nil {
		t.Fatal(err)
	}
	return Record{Facts: stored}
}

func TestStoredFactsDropEventsAndNow(t *testing.T) {
	r := dnsRecord(t)
	var m map[string]any
	json.Unmarshal(r.Facts, &m)
	if m["now"] != "0001-01-01T00:00:00Z" {
		t.Errorf("stored now = %v, want the zero time", m["now"])
	}
	ev, _ := json.Marshal(m["events"])
	if string(ev) != "{}" {
		t.Errorf("stored events = %s, want {}", ev)
	}
}

func TestSubmissionsDriveTheClocks(t *testing.T) {
	r := dnsRecord(t)
	now := ts("2026-03-07T10:00:00Z")
	r.Submissions = []Submission{
		{Report: "nis2.early_warning", At: ts("2026-03-06T08:00:00Z"), Fields: map[string]any{"suspected_malicious": false, "cross_border_impact": false}},
		{Report: "nis2.notification", At: ts("2026-03-07T09:00:00Z"), Fields: map[string]any{"suspected_malicious": true}},
	}
	f, err := r.EngineFacts(now, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Incident.SuspectedMalicious {
		t.Error("the notification's later suspected_malicious=true did not replace the early warning's false")
	}
	if f.Incident.CrossBorderImpact {
		t.Error("the early warning's cross_border_impact=false did not replace the stored true")
	}
	res, err := rules.New(nil).Assess(f)
	if err != nil {
		t.Fatal(err)
	}
	var final *rules.Obligation
	for i := range res.Obligations {
		if res.Obligations[i].ID == "nis2.final" {
			final = &res.Obligations[i]
		}
	}
	// NIS2 Art 23(4)(d): one month after the submission of the notification.
	if final == nil || final.DueAt == nil || !final.DueAt.Equal(ts("2026-04-07T09:00:00Z")) {
		t.Fatalf("nis2.final = %+v, want due 2026-04-07T09:00:00Z", final)
	}
	sum := Summarise(f, res)
	// The earliest open entity report is the final report; the authority's
	// 24 h feedback (Art 23(5)) ran from the early warning: 2026-03-07T08:00Z, overdue at now.
	if sum.NextDueAt == nil || !sum.NextDueAt.Equal(ts("2026-04-07T09:00:00Z")) {
		t.Errorf("next due %v, want 2026-04-07T09:00:00Z", sum.NextDueAt)
	}
	if sum.AuthorityNextDueAt == nil || !sum.AuthorityNextDueAt.Equal(ts("2026-03-07T08:00:00Z")) {
		t.Errorf("authority next due %v, want 2026-03-07T08:00:00Z", sum.AuthorityNextDueAt)
	}
	if sum.Overdue {
		t.Error("overdue = true, but the only overdue duty is the authority's where-possible feedback")
	}
	if len(sum.Sectors) != 1 || sum.Sectors[0] != "digital-infrastructure" || len(sum.Regimes) != 1 || sum.Regimes[0] != "nis2" {
		t.Errorf("sectors %v regimes %v", sum.Sectors, sum.Regimes)
	}
}

func TestRequestsAndOverdue(t *testing.T) {
	r := dnsRecord(t)
	due := ts("2026-03-20T12:00:00Z")
	r.Requests = []Request{{Regime: "nis2", RequestedAt: ts("2026-03-10T12:00:00Z"), DueAt: &due}}
	now := ts("2026-03-21T00:00:00Z") // early warning and notification never filed
	f, err := r.EngineFacts(now, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := rules.New(nil).Assess(f)
	sum := Summarise(f, res)
	if !sum.Overdue {
		t.Error("overdue = false, but the early warning (NIS2 Art 23(4)(a)) was never filed")
	}
	found := false
	for _, o := range res.Obligations {
		if o.ID == "nis2.intermediate" && o.DueAt != nil && o.DueAt.Equal(due) && o.Status == rules.DueOverdue {
			found = true
		}
	}
	if !found {
		t.Error("the requested intermediate report (NIS2 Art 23(4)(c)) is not overdue at its requested due time")
	}
}

func TestDORAInitialCarriesClassification(t *testing.T) {
	raw, _ := os.ReadFile("../../examples/assess/bank-weekend.json")
	f0, err := rules.DecodeFacts(bytesReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	f0.Incident.DORA.ClassifiedMajorAt = nil
	stored, err := StoredFacts(f0, f0.Now)
	if err != nil {
		t.Fatal(err)
	}
	r := Record{Facts: stored, Submissions: []Submission{{Report: "dora.initial", At: ts("2026-05-13T13:30:00Z"),
		Fields: map[string]any{"classified_at": "2026-05-13T10:00:00Z"}}}}
	f, err := r.EngineFacts(f0.Now, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Incident.DORA.ClassifiedMajorAt == nil || !f.Incident.DORA.ClassifiedMajorAt.Equal(ts("2026-05-13T10:00:00Z")) {
		t.Errorf("classified_major_at = %v, want the initial notification's classified_at", f.Incident.DORA.ClassifiedMajorAt)
	}
}

func TestEngineFactsRejectsContradiction(t *testing.T) {
	r := dnsRecord(t)
	// A submission recorded before awareness contradicts the stored facts.
	r.Submissions = []Submission{{Report: "nis2.early_warning", At: ts("2026-03-01T00:00:00Z")}}
	_, err := r.EngineFacts(ts("2026-03-07T00:00:00Z"), rules.Options{})
	var fe *rules.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want field errors", err)
	}
}
