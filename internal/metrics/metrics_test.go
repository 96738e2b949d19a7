package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestExposition(t *testing.T) {
	r := NewRegistry()
	c := r.NewCounter("nisnet_http_requests_total", "HTTP requests by route and status.", "route", "code")
	h := r.NewHistogram("nisnet_http_request_seconds", "Request latency.", []float64{0.1, 1}, "route")
	r.NewGaugeFunc("nisnet_up", "1 while the node runs.", func() float64 { return 1 })
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				c.Inc("POST /api/v1/assessments", "200")
			}
		}()
	}
	wg.Wait()
	c.Inc(`we"ird`, "500")
	h.Observe(0.05, "a")
	h.Observe(0.5, "a")
	h.Observe(3, "a")

	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	out := string(body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
	for _, want := range []string{
		"# TYPE nisnet_http_requests_total counter",
		`nisnet_http_requests_total{route="POST /api/v1/assessments",code="200"} 800`,
		`nisnet_http_requests_total{route="we\"ird",code="500"} 1`,
		`nisnet_http_request_seconds_bucket{route="a",le="0.1"} 1`,
		`nisnet_http_request_seconds_bucket{route="a",le="1"} 2`,
		`nisnet_http_request_seconds_bucket{route="a",le="+Inf"} 3`,
		`nisnet_http_request_seconds_sum{route="a"} 3.55`,
		`nisnet_http_request_seconds_count{route="a"} 3`,
		"nisnet_up 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %q:\n%s", want, out)
		}
	}
	if got := c.Value("POST /api/v1/assessments", "200"); got != 800 {
		t.Errorf("counter = %d, want 800", got)
	}
}

func TestGaugesFunc(t *testing.T) {
	r := NewRegistry()
	r.NewGaugesFunc("nisnet_backlog", "Objects waiting.", []string{"peer"}, func() []Sample {
		return []Sample{{Labels: []string{"csirt-be"}, Value: 3}, {Labels: []string{`a"b`}, Value: 0.5}, {Labels: nil, Value: 9}}
	})
	var b strings.Builder
	r.WriteTo(&b)
	for _, want := range []string{"# TYPE nisnet_backlog gauge\n", `nisnet_backlog{peer="csirt-be"} 3` + "\n", `nisnet_backlog{peer="a\"b"} 0.5` + "\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), " 9\n") {
		t.Error("a sample with the wrong number of labels was written")
	}
}
