package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    int
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {1, time.Millisecond}} {
		if got := pct(d, tc.p); got != tc.want {
			t.Errorf("p%d = %s, want %s", tc.p, got, tc.want)
		}
	}
	if pct(nil, 50) != 0 {
		t.Error("empty percentile not 0")
	}
}

func TestRunCountsAndFailures(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%10 == 0 {
			http.Error(w, "boom", 500)
			return
		}
		w.WriteHeader(201)
	}))
	defer srv.Close()
	res, err := Run(context.Background(), srv.Client(), Options{Clients: 4, MaxTotal: 200}, func(ctx context.Context, c, i int) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, "POST", srv.URL, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests+res.Failures != 200 || res.Failures != 20 {
		t.Errorf("requests %d failures %d, want 180 + 20", res.Requests, res.Failures)
	}
	if res.FirstError == "" || res.P99 < res.P50 || res.Max < res.P99 || res.PerSecond <= 0 {
		t.Errorf("result %+v", res)
	}
	if _, err := Run(context.Background(), srv.Client(), Options{Clients: 0, MaxTotal: 1}, nil); err == nil {
		t.Error("0 clients accepted")
	}
}

func TestRunStopsAtDuration(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	defer srv.Close()
	// Run must return by itself once the duration has passed (a hang fails
	// the test by the test binary's timeout).
	res, err := Run(context.Background(), srv.Client(), Options{Clients: 2, Duration: 200 * time.Millisecond}, func(ctx context.Context, c, i int) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 {
		t.Error("no request measured")
	}
}
