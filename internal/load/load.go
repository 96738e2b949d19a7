// Package load is nisnet's load generator: a fixed number of concurrent
// clients send requests for a fixed time (or count), and the run reports
// throughput and latency percentiles. `nisnet load` drives a node's API
// with it; BENCHMARKS.md records its figures.
//
// Closed loop (the default), each client sends its next request as soon as
// the previous one is answered: the run measures the most the node
// sustains. Open loop (Options.Rate), the requests are scheduled at a fixed
// aggregate rate spread evenly over the clients, whatever the answers, and
// each latency is measured from the instant its request was scheduled: a
// client still waiting for an answer when its next request is due sends it
// late, and the wait counts (no coordinated omission).
package load

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options of a run.
type Options struct {
	Clients  int           // concurrent clients
	Duration time.Duration // how long to send
	MaxTotal int           // stop after this many requests (0 = no limit)
	Warmup   time.Duration // requests in this first period are not measured
	// Rate, if positive, runs an open loop: this many requests per second
	// in all, request k of the run scheduled at k/Rate seconds from the
	// start and sent by client k mod Clients.
	Rate float64
	// Progress, if set, is called about once a second with the requests
	// measured so far (answered 2xx and failed) and the time since the
	// start.
	Progress func(done, failed int, elapsed time.Duration)
}

// Request builds one request for client c's i-th call.
type Request func(ctx context.Context, client, i int) (*http.Request, error)

// Result of a run.
type Result struct {
	Clients    int
	Rate       float64 // the open loop's target rate; 0: closed loop
	Requests   int
	Failures   int
	FirstError string
	Elapsed    time.Duration
	PerSecond  float64
	P50, P90   time.Duration
	P99, Max   time.Duration
}

func (r Result) String() string {
	mode := ""
	if r.Rate > 0 {
		mode = fmt.Sprintf("target=%.0f/s ", r.Rate)
	}
	return fmt.Sprintf("%sclients=%d requests=%d failures=%d elapsed=%s rate=%.0f/s p50=%s p90=%s p99=%s max=%s",
		mode, r.Clients, r.Requests, r.Failures, r.Elapsed.Round(time.Millisecond), r.PerSecond,
		r.P50.Round(10*time.Microsecond), r.P90.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond))
}

// Run sends requests with opts.Clients concurrent clients through hc until
// the duration elapses, MaxTotal is reached or ctx ends. A response with a
// status other than 2xx counts as a failure.
func Run(ctx context.Context, hc *http.Client, opts Options, build Request) (Result, error) {
	if opts.Clients < 1 || opts.Clients > 10000 {
		return Result{}, fmt.Errorf("load: clients must be 1 to 10000, got %d", opts.Clients)
	}
	if opts.Duration <= 0 && opts.MaxTotal <= 0 {
		return Result{}, fmt.Errorf("load: set a duration or a request count")
	}
	if opts.Rate < 0 || opts.Rate > 1e6 {
		return Result{}, fmt.Errorf("load: rate must be 0 (closed loop) to 1e6 requests/s, got %g", opts.Rate)
	}
	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration+opts.Warmup)
		defer cancel()
	}
	var (
		done, bad atomic.Int64 // for progress only
		mu        sync.Mutex
		lat       []time.Duration
		failures  int
		firstErr  string
		issued    int
		measureAt = time.Now().Add(opts.Warmup)
	)
	take := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if opts.MaxTotal > 0 && issued >= opts.MaxTotal {
			return false
		}
		issued++
		return true
	}
	stop := make(chan struct{})
	if opts.Progress != nil {
		go func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			start := time.Now()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					opts.Progress(int(done.Load()), int(bad.Load()), time.Since(start))
				}
			}
		}()
	}
	var wg sync.WaitGroup
	start := time.Now()
	for c := range opts.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1024)
			localFail := 0
			localErr := ""
			for i := 0; ctx.Err() == nil && take(); i++ {
				var due time.Time // open loop: when this request is scheduled
				if opts.Rate > 0 {
					k := float64(i)*float64(opts.Clients) + float64(c)
					due = start.Add(time.Duration(k / opts.Rate * float64(time.Second)))
					if !sleepUntil(ctx, due) {
						break
					}
				}
				req, err := build(ctx, c, i)
				if err != nil {
					localFail++
					if localErr == "" {
						localErr = err.Error()
					}
					continue
				}
				t0 := time.Now()
				if !due.IsZero() {
					t0 = due
				}
				resp, err := hc.Do(req)
				d := time.Since(t0)
				ok := err == nil && resp.StatusCode/100 == 2
				if err == nil {
					if !ok && localErr == "" {
						b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
						localErr = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, b)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				} else if ctx.Err() != nil {
					break // the run ended while this request was in flight
				} else if localErr == "" {
					localErr = err.Error()
				}
				if t0.Before(measureAt) {
					continue
				}
				if ok {
					local = append(local, d)
					done.Add(1)
				} else {
					localFail++
					bad.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			failures += localFail
			if firstErr == "" {
				firstErr = localErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	elapsed := time.Since(start) - opts.Warmup
	if elapsed <= 0 {
		elapsed = time.Since(start)
	}
	slices.Sort(lat)
	r := Result{Clients: opts.Clients, Rate: opts.Rate, Requests: len(lat), Failures: failures, FirstError: firstErr, Elapsed: elapsed}
	r.PerSecond = float64(len(lat)) / elapsed.Seconds()
	r.P50, r.P90, r.P99 = pct(lat, 50), pct(lat, 90), pct(lat, 99)
	if len(lat) > 0 {
		r.Max = lat[len(lat)-1]
	}
	return r, nil
}

// sleepUntil waits until t; false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// pct is the nearest-rank percentile of sorted durations.
func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100 // ceil(n*p/100)
	if i < 1 {
		i = 1
	}
	return sorted[i-1]
}
