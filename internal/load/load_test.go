package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
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

// TestOpenLoopCountsTheWait: in an open loop a request's latency runs from
// the instant it was scheduled, so a node slower than the schedule shows
// its backlog in the percentiles instead of hiding it (coordinated
// omission). One client, requests due every millisecond, a node that takes
// 20 ms each: the 20th request is sent about 380 ms after it was due.
func TestOpenLoopCountsTheWait(t *testing.T) {
	const delay = 20 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		w.WriteHeader(201)
	}))
	defer srv.Close()
	build := func(ctx context.Context, c, i int) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, "POST", srv.URL, nil)
	}
	open, err := Run(context.Background(), srv.Client(), Options{Clients: 1, MaxTotal: 20, Rate: 1000}, build)
	if err != nil {
		t.Fatal(err)
	}
	if open.Requests != 20 || open.Rate != 1000 {
		t.Fatalf("open loop: %d requests at target %g/s, want 20 at 1000/s", open.Requests, open.Rate)
	}
	// Request i waits for the i before it: at least i×20 ms − i ms.
	if open.Max < 19*(delay-time.Millisecond) {
		t.Errorf("open loop max latency %s, want at least %s: the wait behind slow answers is not counted", open.Max, 19*(delay-time.Millisecond))
	}
	if !strings.Contains(open.String(), "target=1000/s") {
		t.Errorf("result %q does not name the target rate", open)
	}
}

// TestOpenLoopKeepsTheSchedule: requests are not sent before they are due.
// Five requests at 50/s over two clients: the last is due 80 ms after the
// start.
func TestOpenLoopKeepsTheSchedule(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	defer srv.Close()
	var first, last atomic.Int64
	start := time.Now()
	res, err := Run(context.Background(), srv.Client(), Options{Clients: 2, MaxTotal: 5, Rate: 50}, func(ctx context.Context, c, i int) (*http.Request, error) {
		at := int64(time.Since(start))
		first.CompareAndSwap(0, at)
		for {
			if l := last.Load(); at <= l || last.CompareAndSwap(l, at) {
				break
			}
		}
		return http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 5 {
		t.Fatalf("%d requests, want 5", res.Requests)
	}
	if spread := time.Duration(last.Load() - first.Load()); spread < 70*time.Millisecond {
		t.Errorf("five requests at 50/s sent within %s, want them spread over 80 ms", spread)
	}
	if _, err := Run(context.Background(), srv.Client(), Options{Clients: 1, MaxTotal: 1, Rate: -1}, nil); err == nil {
		t.Error("a negative rate accepted")
	}
}
