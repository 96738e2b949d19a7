package api

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"testing"
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
