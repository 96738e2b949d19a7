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
