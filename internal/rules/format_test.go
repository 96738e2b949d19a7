package rules

import (
	"testing"
	"time"
)

func TestFmtPct(t *testing.T) {
	for _, tc := range []struct {
		p    float64
		want string
	}{
		{10.001, "10.001"}, // 10 001 of 100 000 clients: just over 2024/1772 Art 9(1)(a)'s 10 %
		{13.333333, "13.33"},
		{12, "12"},
		{10.0000001, "10.0000001"},
	} {
		if got := fmtPct(tc.p); got != tc.want {
			t.Errorf("fmtPct(%v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestGoDurationBounded(t *testing.T) {
	if _, err := ParseDuration("300000h"); err == nil {
		t.Error("a Go-syntax duration of 300 000 h was accepted; durations are bounded like ISO 8601 ones")
	}
	if d, err := ParseDuration("1h30m"); err != nil || d != 90*time.Minute {
		t.Errorf("1h30m = %v, %v", d, err)
	}
}

func TestAsOfMarksPassedDeadlinesOverdue(t *testing.T) {
	due := time.Date(2026, 3, 6, 21, 40, 0, 0, time.UTC)
	r := Result{AssessedAt: due.Add(-time.Hour), Obligations: []Obligation{
		{ID: "nis2.early_warning", Status: DueOpen, DueAt: &due},
		{ID: "nis2.final", Status: DuePending},
	}}
	got := r.AsOf(due.Add(time.Second))
	if got.Obligations[0].Status != DueOverdue || got.Obligations[1].Status != DuePending {
		t.Errorf("statuses %s, %s; want overdue, pending", got.Obligations[0].Status, got.Obligations[1].Status)
	}
	if r.Obligations[0].Status != DueOpen {
		t.Error("AsOf changed the original result")
	}
	if got.StatusAt == nil || !got.StatusAt.Equal(due.Add(time.Second)) {
		t.Errorf("status_at = %v", got.StatusAt)
	}
	if same := r.AsOf(due.Add(-2 * time.Hour)); same.StatusAt != nil {
		t.Error("AsOf before the assessment changed it")
	}
}
