package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/nisnet-eu/nisnet/internal/metrics"
)

// nodeMetrics are the node's Prometheus metrics: HTTP requests by route
// pattern and status, their latency, and the background jobs run.
type nodeMetrics struct {
	reg       *metrics.Registry
	requests  metrics.Counter
	latency   metrics.Histogram
	jobsDone  metrics.Counter
	jobsError metrics.Counter
}

func newMetrics() *nodeMetrics {
	reg := metrics.NewRegistry()
	return &nodeMetrics{
		reg:       reg,
		requests:  reg.NewCounter("nisnet_http_requests_total", "HTTP requests by route pattern and status code.", "route", "code"),
		latency:   reg.NewHistogram("nisnet_http_request_duration_seconds", "HTTP request latency by route pattern.", metrics.DefaultBuckets, "route"),
		jobsDone:  reg.NewCounter("nisnet_jobs_processed_total", "Background jobs completed, by kind.", "kind"),
		jobsError: reg.NewCounter("nisnet_jobs_failed_total", "Background job attempts that failed, by kind.", "kind"),
	}
}

// observeJob counts a job the worker ran.
func (m *nodeMetrics) observeJob(kind string, err error) {
	if err != nil {
		m.jobsError.Inc(kind)
	} else {
		m.jobsDone.Inc(kind)
	}
}

// handler serves GET /metrics and passes every other request to next,
// counting it under the pattern of the route that served it (r.Pattern,
// which the ServeMux sets on the request) so that the label values stay
// few: "unmatched" for requests no route took.
func (m *nodeMetrics) handler(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.reg.Handler())
	mux.Handle("/", next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		mux.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" || route == "/" {
			route = "unmatched"
		}
		m.requests.Inc(route, strconv.Itoa(sw.status()))
		m.latency.Since(start, route)
	})
}

// statusWriter records the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
