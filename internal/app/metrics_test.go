package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestMetricsCountRequests(t *testing.T) {
	s := newNode(t).serve(t)
	for range 2 {
		if status, out := call(t, "GET", s.url+"/healthz", "", nil); status != 200 {
			t.Fatalf("healthz: %d %s", status, out)
		}
	}
	if status, _ := call(t, "GET", s.url+"/api/v1/me", "", nil); status != 401 {
		t.Fatalf("me without credentials: %d, want 401", status)
	}
	call(t, "GET", s.url+"/no/such/page", "", nil)

	status, out := call(t, "GET", s.url+"/metrics", "", nil)
	if status != 200 {
		t.Fatalf("metrics: %d %s", status, out)
	}
	for _, want := range []string{
		`nisnet_http_requests_total{route="GET /healthz",code="200"} 2`,
		`nisnet_http_requests_total{route="GET /api/v1/me",code="401"} 1`,
		`nisnet_http_requests_total{route="unmatched",code="404"} 1`,
		`nisnet_http_request_duration_seconds_count{route="GET /healthz"} 2`,
		"# TYPE nisnet_jobs_processed_total counter",
		"# TYPE nisnet_jobs_failed_total counter",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, out)
		}
	}
}

func TestServeStartsTheWorker(t *testing.T) {
	n := newNode(t)
	s := n.serve(t)
	if !eventually(func() bool { return strings.Contains(s.stderr.String(), "reminder worker started") }) {
		t.Errorf("no worker started:\n%s", s.stderr)
	}
	if code := s.stop(); code != ExitOK {
		t.Fatalf("serve exited with %d", code)
	}
	if !strings.Contains(s.stderr.String(), "reminder worker stopped") {
		t.Errorf("the worker did not stop with the server:\n%s", s.stderr)
	}
	s = n.serve(t, "--no-worker")
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(s.stderr.String(), "reminder worker started") {
		t.Errorf("a worker started despite --no-worker:\n%s", s.stderr)
	}
}

func TestMailConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string // in the error; empty: valid
	}{
		{"no e-mail", nil, nil, ""},
		{"a relay", []string{"--smtp-host", "smtp.example", "--smtp-from", "nisnet@csirt.example"}, nil, ""},
		{"a relay from the environment, with a password", nil, map[string]string{"NISNET_SMTP_HOST": "smtp.example", "NISNET_SMTP_PORT": "587",
			"NISNET_SMTP_FROM": "nisnet@csirt.example", "NISNET_SMTP_USER": "nisnet", "NISNET_SMTP_PASSWORD": "secret", "NISNET_SMTP_REQUIRE_TLS": "true"}, ""},
		{"no sender", []string{"--smtp-host", "smtp.example"}, nil, "--smtp-from"},
		{"a sender with a name", []string{"--smtp-host", "smtp.example", "--smtp-from", "NCSC <nisnet@csirt.example>"}, nil, "--smtp-from"},
		{"a user without a password", []string{"--smtp-host", "smtp.example", "--smtp-from", "n@csirt.example", "--smtp-user", "n"}, nil, "NISNET_SMTP_PASSWORD"},
		{"a bad port", []string{"--smtp-host", "smtp.example", "--smtp-from", "n@csirt.example", "--smtp-port", "0"}, nil, "--smtp-port"},
		{"a bad port in the environment", nil, map[string]string{"NISNET_SMTP_PORT": "twenty-five"}, "NISNET_SMTP_PORT"},
		{"a sender without a relay", []string{"--smtp-from", "n@csirt.example"}, nil, "--smtp-host"},
		{"a bad NISNET_NO_WORKER", nil, map[string]string{"NISNET_NO_WORKER": "maybe"}, "NISNET_NO_WORKER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			env := Env{Stderr: &stderr, Getenv: func(k string) string { return tc.env[k] }}
			c, err := parseServe(append([]string{"--data", t.TempDir()}, tc.args...), env)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want a valid configuration", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error naming %s", err, tc.want)
			}
			if tc.env["NISNET_SMTP_PASSWORD"] != "" && (c.SMTP.Password != "secret" || c.SMTP.Port != 587 || !c.SMTP.RequireTLS) {
				t.Errorf("SMTP settings from the environment: %+v", c.SMTP)
			}
		})
	}
	// The password has no flag.
	code := Run(context.Background(), []string{"serve", "--smtp-password", "x"}, Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	if code != ExitUsage {
		t.Errorf("serve --smtp-password: exit %d, want 2 (no such flag)", code)
	}
}

// eventually reports whether cond holds within 10 seconds.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
