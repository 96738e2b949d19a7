package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAssessmentAPI measures POST /api/v1/assessments over a real
// HTTP connection on loopback, decoding, assessing and encoding included.
func BenchmarkAssessmentAPI(b *testing.B) {
	body, err := os.ReadFile("../../examples/assess/hospital-ransomware.json")
	if err != nil {
		b.Fatal(err)
	}
	f := newServer(b)
	client := f.ts.Client()
	url := f.ts.URL + "/api/v1/assessments"
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+f.token)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "assessments/s")
}

// BenchmarkSubmitReport measures POST /api/v1/incidents/{id}/reports/{report}
// over loopback HTTP, the way `nisnet load` drives it: parallel clients, each
// filing early warnings with a fresh Idempotency-Key on an incident of its
// own (50 clients with GOMAXPROCS=2). Every answer is a durable commit (submission, audit record,
// reassessment, reminder jobs).
func BenchmarkSubmitReport(b *testing.B) {
	f := newServer(b)
	siem := bearer(f.token)
	tr := f.ts.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 100
	client := &http.Client{Transport: tr}
	body := []byte(`{"suspected_malicious":false,"cross_border_impact":false,"summary":"benchmark"}`)
	var next atomic.Int64
	b.SetParallelism(25) // 50 clients on 2 cores: the group commit at work
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := next.Add(1)
		inc := f.report(b, siem, fmt.Sprintf("bench %d", c), awareAgo(time.Hour))
		url := f.ts.URL + "/api/v1/incidents/" + inc.Incident.ID + "/reports/nis2.early_warning"
		for i := 0; pb.Next(); i++ {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+f.token)
			req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d-%d", c, i))
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submissions/s")
}
