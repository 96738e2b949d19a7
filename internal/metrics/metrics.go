// Package metrics exposes the node's counters and latency histograms in the
// Prometheus text exposition format (version 0.0.4) at /metrics, without a
// client library: a registry of counters, gauges and histograms with label
// values, safe for concurrent use.
package metrics

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Registry holds metric families by name.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{families: map[string]*family{}} }

type kind string

type family struct {
	name, help string
	kind       kind
	labels     []string
	buckets    []float64
	mu         sync.Mutex
	series     map[string]*series
	gaugeFunc  func() float64
	gaugesFunc func() []Sample
}

// Sample is one labelled value of a gauge family read at scrape time.
type Sample struct {
	Labels []string // values of the family's labels, in order
	Value  float64
}

type series struct {
	values []string
	count  atomic.Uint64 // counter value or histogram count
	sum    atomic.Uint64 // float64 bits, histogram sum
	gauge  atomic.Uint64 // float64 bits
	bucket []atomic.Uint64
}

func (r *Registry) family(name, help string, k kind, labels []string, buckets []float64) *family {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		return f
	}
	f := &family{name: name, help: help, kind: k, labels: labels, buckets: buckets, series: map[string]*series{}}
	r.families[name] = f
	return f
}

func (f *family) with(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.series[key]
	if !ok {
		s = &series{values: append([]string(nil), values...), bucket: make([]atomic.Uint64, len(f.buckets))}
		f.series[key] = s
	}
	return s
}

// Counter is a monotonically increasing count, with labels.
type Counter struct{ f *family }

// NewCounter registers a counter family.
func (r *Registry) NewCounter(name, help string, labels ...string) Counter {
	return Counter{r.family(name, help, "counter", labels, nil)}
}

// Inc adds one to the series with the given label values.
func (c Counter) Inc(values ...string) { c.f.with(values).count.Add(1) }

// Value returns the current count of a series (for tests).
func (c Counter) Value(values ...string) uint64 { return c.f.with(values).count.Load() }

// Histogram counts observations in buckets, with labels.
type Histogram struct{ f *family }

// DefaultBuckets suit request latencies in seconds.
var DefaultBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// NewHistogram registers a histogram family.
func (r *Registry) NewHistogram(name, help string, buckets []float64, labels ...string) Histogram {
	return Histogram{r.family(name, help, "histogram", labels, buckets)}
}

// Observe records one value.
func (h Histogram) Observe(v float64, values ...string) {
	s := h.f.with(values)
	for i, b := range h.f.buckets {
		if v <= b {
			s.bucket[i].Add(1)
		}
	}
	s.count.Add(1)
	for {
		old := s.sum.Load()
		if s.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// Since observes the seconds elapsed since start.
func (h Histogram) Since(start time.Time, values ...string) {
	h.Observe(time.Since(start).Seconds(), values...)
}

// NewGaugeFunc registers a gauge whose value is read at scrape time.
func (r *Registry) NewGaugeFunc(name, help string, fn func() float64) {
	f := r.family(name, help, "gauge", nil, nil)
	f.gaugeFunc = fn
}

// NewGaugesFunc registers a gauge family with labels whose samples are read
// at scrape time, e.g. one per peer from a database query.
func (r *Registry) NewGaugesFunc(name, help string, labels []string, fn func() []Sample) {
	f := r.family(name, help, "gauge", labels, nil)
	f.gaugesFunc = fn
}

// WriteTo writes every family in the text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	names := make([]string, 0, len(r.families))
	for n := range r.families {
		names = append(names, n)
	}
	r.mu.Unlock()
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		r.mu.Lock()
		f := r.families[n]
		r.mu.Unlock()
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.kind)
		if f.gaugeFunc != nil {
			fmt.Fprintf(&b, "%s %s\n", f.name, formatFloat(f.gaugeFunc()))
			continue
		}
		if f.gaugesFunc != nil {
			for _, s := range f.gaugesFunc() {
				if len(s.Labels) == len(f.labels) {
					fmt.Fprintf(&b, "%s%s %s\n", f.name, labelString(f.labels, s.Labels, "", ""), formatFloat(s.Value))
				}
			}
			continue
		}
		f.mu.Lock()
		keys := make([]string, 0, len(f.series))
		for k := range f.series {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		list := make([]*series, len(keys))
		for i, k := range keys {
			list[i] = f.series[k]
		}
		f.mu.Unlock()
		for _, s := range list {
			lbl := labelString(f.labels, s.values, "", "")
			switch f.kind {
			case "counter":
				fmt.Fprintf(&b, "%s%s %d\n", f.name, lbl, s.count.Load())
			case "histogram":
				for i, bound := range f.buckets {
					fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, labelString(f.labels, s.values, "le", formatFloat(bound)), s.bucket[i].Load())
				}
				fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, labelString(f.labels, s.values, "le", "+Inf"), s.count.Load())
				fmt.Fprintf(&b, "%s_sum%s %s\n", f.name, lbl, formatFloat(math.Float64frombits(s.sum.Load())))
				fmt.Fprintf(&b, "%s_count%s %d\n", f.name, lbl, s.count.Load())
			}
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Handler serves the registry at /metrics.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		r.WriteTo(w)
	})
}

func labelString(names, values []string, extraName, extraValue string) string {
	if len(names) == 0 && extraName == "" {
		return ""
	}
	parts := make([]string, 0, len(names)+1)
	for i, n := range names {
		parts = append(parts, n+`="`+escapeValue(values[i])+`"`)
	}
	if extraName != "" {
		parts = append(parts, extraName+`="`+extraValue+`"`)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func escapeValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
